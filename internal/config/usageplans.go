package config

import "time"

// The apiKeys and usagePlans sections: API Gateway's API keys and usage
// plans, of REST APIs, in the shape of CDK's props:
//
//	api.addApiKey('PartnerKey', {apiKeyName, value, enabled, ...})   → APIKey
//	api.addUsagePlan('Basic', {name, throttle, quota, apiStages})    → UsagePlan
//	plan.addApiKey(key)                                              → UsagePlan.APIKeys
//	resource.addMethod('GET', integration, {apiKeyRequired: true})   → Method.APIKeyRequired
//	new RestApi(this, 'Api', {apiKeySourceType: ApiKeySourceType.HEADER}) → RestAPI.APIKeySourceType
//
// Keys and plans are stored (so that `tollgate api-keys` and `tollgate
// usage` see them, and every node counts the same plans), owned by the
// config as its pools are. A key's value is stored as a keyed hash and a
// sealed copy, never in clear.

// APIKey is an API key (AWS::ApiGateway::ApiKey).
type APIKey struct {
	// ID is the logical id, unique among the keys; the key's identity
	// across applies (its id and value stay while other fields change).
	ID string `yaml:"id"`
	// APIKeyName is the key's name (default ID), up to 1024 characters.
	APIKeyName string `yaml:"apiKeyName"`
	// Value is the key's value, 20 to 128 printable ASCII characters
	// without spaces. Empty: a value is generated when the key is created,
	// and `tollgate dev` prints it then. It cannot change once the key
	// exists (API Gateway's keys cannot either); a new value is a new id.
	Value string `yaml:"value"`
	// Enabled is whether the key is accepted (default true).
	Enabled     *bool  `yaml:"enabled"`
	Description string `yaml:"description"`
	CustomerID  string `yaml:"customerId"`
}

// UsagePlan is a usage plan (AWS::ApiGateway::UsagePlan with its
// UsagePlanKeys).
type UsagePlan struct {
	// ID is the logical id, unique among the plans.
	ID string `yaml:"id"`
	// Name is the plan's name (default ID).
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Throttle limits each key of the plan, over all its stages together.
	Throttle *PlanThrottle `yaml:"throttle"`
	// Quota counts each key's requests per day, week or month.
	Quota *PlanQuota `yaml:"quota"`
	// APIStages are the REST API stages the plan covers; a key is in at
	// most one plan of a given stage.
	APIStages []PlanAPIStage `yaml:"apiStages"`
	// APIKeys are logical ids of keys of this config in the plan
	// (plan.addApiKey).
	APIKeys []string `yaml:"apiKeys"`
}

// PlanThrottle is CDK's ThrottleSettings: a steady rate and a burst.
type PlanThrottle struct {
	RateLimit  float64 `yaml:"rateLimit"`
	BurstLimit int     `yaml:"burstLimit"`
}

// PlanQuota is CDK's QuotaSettings.
type PlanQuota struct {
	// Limit is the number of requests a key may make per period (> 0).
	Limit int64 `yaml:"limit"`
	// Offset is subtracted from the limit in the plan's first period.
	Offset int64 `yaml:"offset"`
	// Period is DAY, WEEK or MONTH.
	Period string `yaml:"period"`
}

// PlanAPIStage is CDK's UsagePlanPerApiStage.
type PlanAPIStage struct {
	// API is the logical id of a REST API of this config.
	API string `yaml:"api"`
	// Stage is the stage's name (default the API's stage).
	Stage string `yaml:"stage"`
	// Throttle are per-method throttles (CDK's ThrottlingPerMethod), each
	// naming a method of the API by path and HTTP method.
	Throttle []PlanMethodThrottle `yaml:"throttle"`
}

// PlanMethodThrottle throttles one method of a plan's stage, per key.
type PlanMethodThrottle struct {
	// Path is the method's resource path ("/items", "/" for the root).
	Path string `yaml:"path"`
	// Method is its HTTP method (or ANY).
	Method     string  `yaml:"method"`
	RateLimit  float64 `yaml:"rateLimit"`
	BurstLimit int     `yaml:"burstLimit"`
}

// TokenLimits are the token endpoint's limits (a Tollgate extension):
// on a pool, quotas for its clients and a lockout of client ids that fail
// to authenticate; on a client, quotas replacing the pool's.
type TokenLimits struct {
	// PerHour and PerDay bound the tokens a client gets per clock hour and
	// per UTC day; 0 means unlimited.
	PerHour int64 `yaml:"perHour"`
	PerDay  int64 `yaml:"perDay"`
	// Lockout (pools only) locks a client id out after failed
	// authentications.
	Lockout *LockoutSettings `yaml:"lockout"`
}

// LockoutSettings lock a client id out for Duration once MaxFailures
// authentications of it failed within Window.
type LockoutSettings struct {
	MaxFailures int           `yaml:"maxFailures"`
	Window      time.Duration `yaml:"window"`
	Duration    time.Duration `yaml:"duration"`
}
