package cognitoapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/cognitoapi"
	"github.com/tollgate/tollgate/internal/sigv4"
)

func TestAccessKeys(t *testing.T) {
	f := newFixture(t) // holds one key already
	ctx := context.Background()
	if !tollgate.AccessKeyIDPattern.MatchString(f.key.ID) || len(f.secret) != tollgate.SecretAccessKeyLength {
		t.Fatalf("key %s with a secret of %d characters: not AWS-shaped", f.key.ID, len(f.secret))
	}
	lookup := cognitoapi.Secrets(f.st, f.vault)
	if got, err := lookup(ctx, f.key.ID); err != nil || got != f.secret {
		t.Errorf("Secrets(%s) = %q, %v; want the key's secret", f.key.ID, got, err)
	}
	for _, id := range []string{"AKIAAAAAAAAAAAAAAAAA", "not a key", ""} {
		if _, err := lookup(ctx, id); !errors.Is(err, sigv4.ErrUnknownKey) {
			t.Errorf("Secrets(%q): %v, want ErrUnknownKey", id, err)
		}
	}
	if err := f.st.DeleteAccessKey(ctx, f.key.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(ctx, f.key.ID); !errors.Is(err, sigv4.ErrUnknownKey) {
		t.Errorf("Secrets of a deleted key: %v, want ErrUnknownKey", err)
	}
}
