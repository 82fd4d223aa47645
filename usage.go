package tollgate

import (
	"fmt"
	"regexp"
	"time"
)

// APIKey is an API Gateway API key: a value a caller sends (X-API-Key, or
// what a Lambda authorizer returns as usageIdentifierKey) on methods that
// require one, and the key by which usage plans throttle and count. Its
// value is a credential: the store keeps a keyed hash of it (the gateway's
// lookup, HMAC-SHA256 under the master key) and a sealed copy bound to the
// id (so that a master key rotation can hash it again), never the value in
// clear; it is shown once, when it is made.
type APIKey struct {
	ID          string // 10 lowercase alphanumerics, as API Gateway's key ids; never changes
	Name        string // up to MaxAPIKeyNameLength characters
	Description string
	// CustomerID is the AWS Marketplace customer id (free text here).
	CustomerID string
	// Enabled: a disabled key is refused as an unknown one (403).
	Enabled bool
	// Hash is the value's keyed hash (vault.HashAPIKey); unique in a store.
	Hash []byte
	// Sealed is the value sealed under the master key, bound to ID.
	Sealed []byte
	// PlanIDs are the usage plans the key is in (UsagePlanKey), sorted. A
	// key is in at most one plan of a given API stage.
	PlanIDs []string

	ConfigKey string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// String never shows the value.
func (k APIKey) String() string { return "APIKey(" + k.ID + ")" }

// InPlan reports whether the key is in the usage plan id.
func (k *APIKey) InPlan(id string) bool {
	for _, p := range k.PlanIDs {
		if p == id {
			return true
		}
	}
	return false
}

// API key and usage plan bounds, from API Gateway's usage plans page
// ("API key values must be 20–128 characters") and its API reference.
const (
	MinAPIKeyValueLength = 20
	MaxAPIKeyValueLength = 128
	MaxAPIKeyNameLength  = 1024
	// APIKeyValueLength is the length of a generated value: 40
	// alphanumerics, as API Gateway generates.
	APIKeyValueLength = 40
	// APIKeyIDLength is the length of key and usage plan ids.
	APIKeyIDLength = 10
	// MaxPlanMethodThrottles is how many per-method throttles a usage plan
	// may set on one API stage.
	MaxPlanMethodThrottles = 20
)

// APIKeyIDPattern is what API key and usage plan ids look like.
var APIKeyIDPattern = regexp.MustCompile(`^[a-z0-9]{10}$`)

// APIKeyValuePattern is what an API key value may be: 20–128 printable
// ASCII characters without spaces (API Gateway's importer refuses the
// rest; a header value cannot hold control characters anyway).
var APIKeyValuePattern = regexp.MustCompile(`^[\x21-\x7e]{20,128}$`)

// NewAPIKeyID returns a fresh API key id.
func NewAPIKeyID() string { return randomString(lowerAlnum, APIKeyIDLength) }

// NewUsagePlanID returns a fresh usage plan id.
func NewUsagePlanID() string { return randomString(lowerAlnum, APIKeyIDLength) }

// NewAPIKeyValue returns a fresh API key value: 40 alphanumerics, about
// 238 bits.
func NewAPIKeyValue() string { return randomString(alnum, APIKeyValueLength) }

// API key sources of a REST API (RestApi.ApiKeySourceType).
const (
	// APIKeySourceHeader reads the key from the X-API-Key header.
	APIKeySourceHeader = "HEADER"
	// APIKeySourceAuthorizer takes the usageIdentifierKey a Lambda
	// authorizer returns.
	APIKeySourceAuthorizer = "AUTHORIZER"
)

// APIKeyHeader is the header a HEADER key source reads.
const APIKeyHeader = "X-Api-Key" //nolint:gosec // a header name, not a credential

// UsagePlan is an API Gateway usage plan: the API stages it covers, and
// for each API key in it a throttle (per key, over all the plan's stages
// together) and a quota, with per-method throttles per stage. A plan is
// declared in a config or a stack and kept in the store, so that every
// node and `tollgate usage` see the same plans.
type UsagePlan struct {
	ID          string // 10 lowercase alphanumerics
	Name        string
	Description string
	Stages      []PlanStage
	// Throttle limits each key of the plan; zero means unlimited.
	Throttle Throttle
	// Quota counts each key's requests per period; nil means none.
	Quota *Quota

	ConfigKey string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Stage returns the plan's entry for the API stage, or nil.
func (p *UsagePlan) Stage(apiID, stage string) *PlanStage {
	for i := range p.Stages {
		if p.Stages[i].APIID == apiID && p.Stages[i].Stage == stage {
			return &p.Stages[i]
		}
	}
	return nil
}

// PlanStage is an API stage a usage plan covers (ApiStages).
type PlanStage struct {
	APIID string
	Stage string
	// Throttle holds per-method throttles, keyed "/{resource path}/{METHOD}"
	// as API Gateway keys them ("/pets/GET", "/pets/{id}/DELETE"; the root
	// resource is "//GET"): see MethodThrottleKey.
	Throttle map[string]Throttle
}

// MethodThrottleKey is the key of a method in a plan stage's Throttle:
// the resource path and the method joined by "/", so the root's GET is
// "//GET".
func MethodThrottleKey(resourcePath, method string) string { return resourcePath + "/" + method }

// QuotaPeriod is the period of a usage plan's quota.
type QuotaPeriod string

// Quota periods. Windows are calendar periods in UTC: a day from
// midnight, a week from Sunday midnight, a month from the first at
// midnight. The week's start is AWS's: CloudFormation's
// AWS::ApiGateway::UsagePlan QuotaSettings says "with a time period of
// WEEK, an offset of 0 starts on Sunday" (no AWS document names another
// day); see Quota.Window.
const (
	QuotaDay   QuotaPeriod = "DAY"
	QuotaWeek  QuotaPeriod = "WEEK"
	QuotaMonth QuotaPeriod = "MONTH"
)

// Quota is a usage plan's QuotaSettings: Limit requests per Period per
// key, less Offset in the plan's first period.
type Quota struct {
	Limit  int64
	Offset int64
	Period QuotaPeriod
}

// Window returns the quota period holding now, [start, end), and the limit
// that applies in it: Limit, less Offset when the window is the one the
// plan was created in (created: the plan's CreatedAt).
func (q Quota) Window(now, created time.Time) (start, end time.Time, limit int64) {
	start = periodStart(q.Period, now.UTC())
	end = periodEnd(q.Period, start)
	limit = q.Limit
	if q.Offset > 0 && !created.IsZero() && periodStart(q.Period, created.UTC()).Equal(start) {
		limit = max(0, limit-q.Offset)
	}
	return start, end, limit
}

func periodStart(p QuotaPeriod, t time.Time) time.Time {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch p {
	case QuotaWeek:
		// Weeks start on Sunday (time.Sunday is 0): see QuotaWeek.
		return day.AddDate(0, 0, -int(day.Weekday()))
	case QuotaMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

func periodEnd(p QuotaPeriod, start time.Time) time.Time {
	switch p {
	case QuotaWeek:
		return start.AddDate(0, 0, 7)
	case QuotaMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// CheckQuotaPeriod reports whether p is DAY, WEEK or MONTH.
func CheckQuotaPeriod(p QuotaPeriod) error {
	switch p {
	case QuotaDay, QuotaWeek, QuotaMonth:
		return nil
	}
	return fmt.Errorf("period must be DAY, WEEK or MONTH, not %q", string(p))
}

// UsageRecord is how many requests one API key made in one usage plan on
// one UTC day (Day is "2006-01-02"): what GetUsage reports.
type UsageRecord struct {
	PlanID string
	KeyID  string
	Day    string
	Count  int64
}

// UsageDay is the layout of UsageRecord.Day.
const UsageDay = "2006-01-02"

// TokenLimits are a Tollgate extension of the token endpoint, declared on
// a pool (for every client id presented to it) or on a client (its
// quotas, replacing the pool's): how many tokens a client may get per hour
// and per day, and when repeated failed authentications of one client id
// lock it out for a while. Zero fields mean unlimited.
type TokenLimits struct {
	PerHour int64
	PerDay  int64
	Lockout Lockout
}

// Enabled reports whether the limits limit anything.
func (l TokenLimits) Enabled() bool { return l.PerHour > 0 || l.PerDay > 0 || l.Lockout.Enabled() }

// Lockout locks a client id out of the token endpoint for Duration once
// MaxFailures authentications of it failed within Window.
type Lockout struct {
	MaxFailures int
	Window      time.Duration
	Duration    time.Duration
}

// Enabled reports whether the lockout is on.
func (l Lockout) Enabled() bool { return l.MaxFailures > 0 }
