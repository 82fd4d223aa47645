package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tollgate/tollgate"
)

// TestPoolsDescribeShowsTheTrigger: describe shows a pool's pre token
// generation trigger, in text and as the API's PreTokenGenerationConfig in
// JSON, and nothing for a pool without one.
func TestPoolsDescribeShowsTheTrigger(t *testing.T) {
	f := newCLIFixture(t)
	st, pools := f.createPool(t, "orders")
	if code, out, _ := f.run(t, "pools", "describe", "orders"); code != 0 || strings.Contains(out, "Pre token generation") {
		t.Errorf("describe without a trigger: exit %d:\n%s", code, out)
	}
	p := *pools[0]
	p.PreTokenGeneration = &tollgate.LambdaTrigger{LambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:TokenFn", LambdaVersion: "V3_0"}
	if err := st.UpdatePool(t.Context(), &p, tollgate.AnyOwner); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := f.run(t, "pools", "describe", "orders")
	if want := "Pre token generation: arn:aws:lambda:us-east-1:000000000000:function:TokenFn (V3_0)\n"; code != 0 || !strings.Contains(out, want) {
		t.Errorf("describe: exit %d (%s):\n%s\nwant %q", code, stderr, out, want)
	}
	code, out, stderr = f.run(t, "pools", "describe", "orders", "--json")
	var got struct {
		PreTokenGenerationConfig *struct{ LambdaArn, LambdaVersion string }
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("describe --json: exit %d, %v (%s):\n%s", code, err, stderr, out)
	}
	if c := got.PreTokenGenerationConfig; c == nil || c.LambdaArn != p.PreTokenGeneration.LambdaARN || c.LambdaVersion != "V3_0" {
		t.Errorf("describe --json: PreTokenGenerationConfig %+v", c)
	}
}
