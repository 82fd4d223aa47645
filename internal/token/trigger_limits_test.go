package token

import (
	"errors"
	"fmt"
	"strings"
	"testing"

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
