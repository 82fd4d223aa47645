package token

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tollgate/tollgate/internal/bearer"
	"github.com/tollgate/tollgate/internal/oauth2"
)

// isOutputError reports whether err is the answer to unrecognizable
// trigger output.
func isOutputError(err error) bool {
	var oe *oauth2.Error
	return errors.As(err, &oe) && oe.Description == errTriggerOutput.Description
}

// hostileAnswer is a trigger's answer whose accessTokenGeneration member
// list holds n entries, each made by entry(i).
func hostileAnswer(list string, n int, entry func(i int) string) []byte {
	var b strings.Builder
	open, end := "[", "]"
	if list == "claimsToAddOrOverride" {
		open, end = "{", "}"
	}
	b.WriteString(`{"response":{"claimsAndScopeOverrideDetails":{"accessTokenGeneration":{"` + list + `":` + open)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(entry(i))
	}
	b.WriteString(end + `}}}}`)
	return []byte(b.String())
}

// hostileAnswers are answers of 100,000 entries each (about 1.5 MB; a
// function's answer may reach 6 MB, Lambda's synchronous response limit):
// none fits in a token, so each is refused as unrecognizable output.
var hostileAnswers = map[string][]byte{
	"claimsToAddOrOverride": hostileAnswer("claimsToAddOrOverride", 100_000, func(i int) string { return fmt.Sprintf(`"c%d":%d`, i, i) }),
	"claimsToSuppress":      hostileAnswer("claimsToSuppress", 100_000, func(i int) string { return fmt.Sprintf(`"c%d"`, i) }),
	"scopesToAdd":           hostileAnswer("scopesToAdd", 100_000, func(i int) string { return fmt.Sprintf(`"s/%d"`, i) }),
	"scopesToSuppress":      hostileAnswer("scopesToSuppress", 100_000, func(i int) string { return fmt.Sprintf(`"s/%d"`, i) }),
	// The same name again and again: duplicates cost their bytes too.
	"one claim repeated": hostileAnswer("claimsToAddOrOverride", 100_000, func(int) string { return `"c":1` }),
}

// TestTriggerAnswerBounded: an answer asking for more than a token holds is
// refused while it is read, whichever list makes it so, rather than read
// whole and applied at a cost that grows with the square of its length.
func TestTriggerAnswerBounded(t *testing.T) {
	t.Parallel()
	for name, answer := range hostileAnswers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := parseTriggerResponse(answer)
			if !isOutputError(err) {
				t.Fatalf("an answer of 100,000 %s entries: %v, want unrecognizable output", name, err)
			}
		})
	}
}

// TestPayloadSizeScopesOnly: added scopes alone can make a token larger
// than the gateway accepts (bearer.MaxTokenSize); such a payload is refused
// like one with too many custom claims. The scopes fit in the answer's
// budget, but not with the standard claims and granted scopes beside them.
func TestPayloadSizeScopesOnly(t *testing.T) {
	t.Parallel()
	scope := strings.Repeat("s", 100)
	n := maxPayloadBytes / (len(scope) + 3)
	answer := hostileAnswer("scopesToAdd", n, func(i int) string { return fmt.Sprintf(`"%s%05d"`, scope[5:], i) })
	ch, err := parseTriggerResponse(answer)
	if err != nil {
		t.Fatalf("%d scopes of %d bytes: %v, want them within the answer's budget", n, len(scope), err)
	}
	// The client's own scopes, which the budget does not count.
	scopes, custom, _ := ch.apply([]string{"default/default", "resource/" + strings.Repeat("r", 300)})
	if len(custom) != 0 {
		t.Fatalf("custom claims %v", custom)
	}
	std := &bearer.Claims{Sub: "c", TokenUse: "access", Scope: strings.Join(scopes, " "), Iss: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pxAHZcSSX", Version: 2, JTI: "j", ClientID: "c"}
	if p, err := payload(std, custom); !isOutputError(err) {
		t.Fatalf("a payload of %d bytes (limit %d): %v, want unrecognizable output", len(p), maxPayloadBytes, err)
	}
}

// BenchmarkTriggerHostileAnswer is the cost of refusing an answer of
// 100,000 claims to add: linear in what is read before the budget runs out
// (plus the top-level JSON check of the whole answer).
func BenchmarkTriggerHostileAnswer(b *testing.B) {
	for _, name := range []string{"claimsToAddOrOverride", "scopesToAdd", "one claim repeated"} {
		answer := hostileAnswers[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(answer)))
			for b.Loop() {
				if _, err := parseTriggerResponse(answer); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
