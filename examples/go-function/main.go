// Command go-function is a Lambda function written with
// github.com/aws/aws-lambda-go, as it would be deployed to Lambda's
// provided.al2023 runtime: build it as an executable named bootstrap in a
// directory, and name that directory as the code of a function with
// runtime provided.al2023. Tollgate runs it unchanged.
//
//	GOOS=linux go build -o build/bootstrap ./examples/go-function
//
// It answers every API Gateway proxy request with a JSON document of the
// event it received and the Lambda context, so a caller sees what the
// gateway passed on.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// reply is what the function answers with.
type reply struct {
	Event        events.APIGatewayProxyRequest `json:"event"`
	RequestID    string                        `json:"awsRequestId"`
	FunctionName string                        `json:"functionName"`
	FunctionARN  string                        `json:"invokedFunctionArn"`
	HasDeadline  bool                          `json:"hasDeadline"`
}

func handle(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	r := reply{Event: ev, FunctionName: lambdacontext.FunctionName}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.RequestID, r.FunctionARN = lc.AwsRequestID, lc.InvokedFunctionArn
	}
	_, r.HasDeadline = ctx.Deadline()
	body, err := json.Marshal(r)
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	status := 200
	if ev.QueryStringParameters["fail"] == "exit" {
		os.Exit(3) // a crash mid-invocation
	}
	return events.APIGatewayProxyResponse{
		StatusCode:        status,
		Headers:           map[string]string{"Content-Type": "application/json"},
		MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}},
		Body:              string(body),
	}, nil
}

func main() { lambda.Start(handle) }
