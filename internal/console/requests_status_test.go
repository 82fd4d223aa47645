package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate/internal/reqlog"
)

// TestRequestsUnknownStatus: a status filter the page does not know is
// said above the requests, and every status is shown, not none.
func TestRequestsUnknownStatus(t *testing.T) {
	f := newDashFixture(t)
	f.record(1, time.Minute, reqlog.Entry{Status: 200})
	f.record(1, time.Minute, reqlog.Entry{Status: 401})
	body := f.page("/console/requests?status=%3Cb%3E3xx")
	if !strings.Contains(body, `Status &#34;&lt;b&gt;3xx&#34; is not one of the filter&#39;s`) {
		t.Errorf("no notice of the unknown status (escaped):\n%s", body)
	}
	if n := strings.Count(body, `class="status s`); n != 2 {
		t.Errorf("%d requests shown, want both", n)
	}
	if body := f.page("/console/requests?status=4xx"); strings.Contains(body, "is not one of the filter") {
		t.Errorf("a known status has the notice")
	}
}
