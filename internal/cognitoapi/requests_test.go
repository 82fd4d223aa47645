package cognitoapi

import (
	"errors"
	"testing"
)

// TestDecodeNamesAPromotedMemberAsSent checks that a type error in a member
// a request embeds (clientRef's UserPoolId) names the member as the caller
// sent it, as it does for a member the request declares itself.
func TestDecodeNamesAPromotedMemberAsSent(t *testing.T) {
	var flat struct {
		UserPoolID *string `json:"UserPoolId"`
		ClientID   *string `json:"ClientId"`
	}
	var embedded struct {
		clientRef
		NextToken *string
	}
	for _, in := range []string{`{"UserPoolId": 5}`, `{"ClientId": true}`} {
		want, got := decode([]byte(in), &flat), decode([]byte(in), &embedded)
		var wantErr, gotErr *apiError
		if !errors.As(want, &wantErr) || !errors.As(got, &gotErr) {
			t.Fatalf("%s: errors %v and %v; want API errors", in, want, got)
		}
		if gotErr.Message != wantErr.Message || gotErr.Type != wantErr.Type {
			t.Errorf("%s: embedded request answers %s %q; want %s %q", in, gotErr.Type, gotErr.Message, wantErr.Type, wantErr.Message)
		}
	}
}
