// Package awstest holds what tests that drive Tollgate with the AWS SDK
// for Go share. Only tests import it.
package awstest

import (
	"errors"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// RetryClosedConn retries a call once when Go's HTTP client closed its own
// connection under the call ("use of closed network connection"), as the
// SDK's default retryer does (aws/aws-sdk-go-v2#2737, fixed by #2949:
// "retry net.ErrClosed by default"), and never for anything else, so that
// every error a test expects reaches it on the first answer.
func RetryClosedConn() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 2
		o.Retryables = []retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			return aws.BoolTernary(errors.Is(err, net.ErrClosed))
		})}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
	})
}
