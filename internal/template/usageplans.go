package template

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate/internal/config"
)

// APIKeyIDs give the physical ids of a stack's API keys and usage plans by
// logical id, as PhysicalIDs give its pools' and clients': the ids the store
// holds, or those config.ApplyWith will give them. Options.IDs provides
// them when it implements this interface too; otherwise Deploy makes up
// stable ids of the right shape.
type APIKeyIDs interface {
	APIKey(logicalID string) string
	UsagePlan(logicalID string) string
}

// APIKey and UsagePlan make up ids of API Gateway's shape (10 lowercase
// alphanumerics, tollgate.APIKeyIDPattern) from logical ids.
func (madeUpIDs) APIKey(logicalID string) string    { return physicalID("apikey", logicalID) }
func (madeUpIDs) UsagePlan(logicalID string) string { return physicalID("usageplan", logicalID) }

// keyIDs returns the ids of keys and plans: Options.IDs' if it gives them.
func (d *deployer) keyIDs() APIKeyIDs {
	if ids, ok := d.opts.IDs.(APIKeyIDs); ok {
		return ids
	}
	return madeUpIDs{}
}

// The types of API keys and usage plans (contract apigw-beyond.md §3,
// "CloudFormation"; REST APIs only).
const (
	typeAPIKey        = "AWS::ApiGateway::ApiKey" //nolint:gosec // G101: a resource type, not a credential
	typeUsagePlan     = "AWS::ApiGateway::UsagePlan"
	typeUsagePlanKey  = "AWS::ApiGateway::UsagePlanKey"
	typeRestAPI       = "AWS::ApiGateway::RestApi"
	usagePlanKeyType  = "API_KEY"
	apiKeyIDAttribute = "APIKeyId"
)

// refOfKeyOrPlan is what Ref of an API key, a usage plan or a usage plan key
// gives: the key's id, the plan's id, and "{keyId}:{usagePlanId}"
// (CFN23:aws-resource-apigateway-{apikey,usageplan,usageplankey}.md, Return
// values). Nothing gives a key's value.
func (d *deployer) refOfKeyOrPlan(id, typ string, str func(string) string) (string, bool) {
	switch typ {
	case typeAPIKey:
		kid := d.keyIDs().APIKey(id)
		d.phys[kid] = id
		return kid, true
	case typeUsagePlan:
		pid := d.keyIDs().UsagePlan(id)
		d.phys[pid] = id
		return pid, true
	case typeUsagePlanKey:
		return str("KeyId") + ":" + str("UsagePlanId"), true
	}
	return "", false
}

// attrOfKeyOrPlan is Fn::GetAtt of a usage plan key: Id, "the ID for the
// usage plan key" (CFN23:aws-resource-apigateway-usageplankey.md), which
// API Gateway's UsagePlanKey gives as its key's id. An API key's APIKeyId
// and a plan's Id are their Ref (idAttr).
func (d *deployer) attrOfKeyOrPlan(id, typ, name string) (any, bool) {
	if typ == typeUsagePlanKey && name == "Id" {
		s, _ := scalarString(d.props[id]["KeyId"])
		return s, true
	}
	return nil, false
}

// usagePlans maps the API keys, the usage plans and the usage plan keys
// (each adds its key to its plan's apiKeys). It runs after the REST APIs
// are mapped: a plan's stages name them.
func (m *apiMapper) usagePlans() {
	d, cfg := m.d, m.cfg
	for _, id := range m.byType[typeAPIKey] {
		p := d.propsOf(id)
		k := d.apiKey(id, p)
		p.place("apiKeys[" + strconv.Itoa(len(cfg.APIKeys)) + "]")
		cfg.APIKeys = append(cfg.APIKeys, k)
	}
	plans := map[string]int{} // plan logical id → its index in cfg.UsagePlans
	for _, id := range m.byType[typeUsagePlan] {
		p := d.propsOf(id)
		pl := m.usagePlan(id, p)
		plans[id] = len(cfg.UsagePlans)
		p.place("usagePlans[" + strconv.Itoa(len(cfg.UsagePlans)) + "]")
		cfg.UsagePlans = append(cfg.UsagePlans, pl)
	}
	for _, id := range m.byType[typeUsagePlanKey] {
		p := d.propsOf(id)
		key := d.refOfType(p, "KeyId", typeAPIKey, "an API key of this template (Ref of an AWS::ApiGateway::ApiKey)")
		plan := d.refOfType(p, "UsagePlanId", typeUsagePlan, "a usage plan of this template (Ref of an AWS::ApiGateway::UsagePlan)")
		switch t := p.str("KeyType"); t {
		case usagePlanKeyType:
		case "":
			p.fail("", "KeyType is required: API_KEY")
		default:
			p.fail("KeyType", "KeyType must be API_KEY, got %q", t)
		}
		p.done()
		i, ok := plans[plan]
		if key == "" || !ok {
			continue
		}
		pl := &cfg.UsagePlans[i]
		d.origins["usagePlans["+strconv.Itoa(i)+"].apiKeys["+strconv.Itoa(len(pl.APIKeys))+"]"] = p.path + ".KeyId"
		pl.APIKeys = append(pl.APIKeys, key)
	}
}

// refOfType returns the logical id of the resource of type typ that
// property k of p refers to by its physical id, and reports one that is
// not (want says what it should be).
func (d *deployer) refOfType(p *props, k, typ, want string) string {
	v := p.str(k)
	if id := d.refTo(v); id != "" && d.types[id] == typ {
		return id
	}
	if _, has := p.m[k]; !has {
		p.fail("", "%s is required", k)
	} else {
		p.fail(k, "%s must refer to %s, got %q", k, want, v)
	}
	return ""
}

// apiKey maps an AWS::ApiGateway::ApiKey. Its Value is read into the
// Config and never quoted in a problem.
func (d *deployer) apiKey(id string, p *props) config.APIKey {
	k := config.APIKey{ID: id, APIKeyName: p.to("apiKeyName").str("Name"), Value: p.to("value").str("Value"),
		Description: p.to("description").str("Description"), CustomerID: p.to("customerId").str("CustomerId")}
	// CloudFormation passes Enabled on to CreateApiKey, whose enabled is
	// false when absent (APIREF/API_CreateApiKey.html; E moto's ApiKey,
	// enabled=False): a template's key without Enabled is disabled. CDK's
	// ApiKey always writes it (enabled ?? true).
	enabled := p.to("enabled").boolean("Enabled")
	k.Enabled = &enabled
	// StageKeys associate a key with stages the way API Gateway did before
	// usage plans: "DEPRECATED FOR USAGE PLANS" (CFN23:
	// aws-resource-apigateway-apikey.md). A key is accepted by a method
	// that requires one only through a usage plan of its stage (contract
	// §3, "Valid key"), so StageKeys change nothing there, and are
	// accepted and ignored: CDK's RestApi.addApiKey writes them for the
	// API's deployment stage. GenerateDistinctId is deprecated too ("should
	// not be used", same page): Tollgate's key ids are always distinct from
	// their values, since ids are logged and values never are. Tags change
	// nothing.
	p.done("StageKeys", "GenerateDistinctId", "Tags")
	return k
}

// usagePlan maps an AWS::ApiGateway::UsagePlan (CFN23:
// aws-resource-apigateway-usageplan.md): its Throttle (BurstLimit an
// integer, RateLimit a double), Quota {Limit, Offset, Period} and
// ApiStages.
func (m *apiMapper) usagePlan(id string, p *props) config.UsagePlan {
	pl := config.UsagePlan{ID: id, Name: p.to("name").str("UsagePlanName"), Description: p.to("description").str("Description")}
	if th := p.to("throttle").sub("Throttle"); th.m != nil {
		pl.Throttle = &config.PlanThrottle{}
		pl.Throttle.RateLimit, _ = th.to("rateLimit").num("RateLimit")
		if n, ok := th.to("burstLimit").integer("BurstLimit"); ok {
			pl.Throttle.BurstLimit = int(n)
		}
		th.done()
	}
	if q := p.to("quota").sub("Quota"); q.m != nil {
		pl.Quota = &config.PlanQuota{Period: q.to("period").str("Period")}
		pl.Quota.Limit, _ = q.to("limit").integer("Limit")
		pl.Quota.Offset, _ = q.to("offset").integer("Offset")
		q.done()
	}
	for _, sp := range p.to("apiStages").items("ApiStages") {
		if sp.m == nil {
			sp.fail("", "an API stage is a mapping with ApiId and Stage")
			continue
		}
		pl.APIStages = append(pl.APIStages, m.planStage(sp))
	}
	p.done("Tags")
	return pl
}

// planStage maps one of a usage plan's ApiStages: ApiId a REST API of the
// template, Stage its stage's name (a Ref of its Stage resource gives it),
// and Throttle the per-method throttles keyed "/{resource path}/{METHOD}"
// ("/pets/GET"; the root's GET is "//GET": contract §3, "Per-method plan
// throttle").
func (m *apiMapper) planStage(sp *props) config.PlanAPIStage {
	st := config.PlanAPIStage{Stage: sp.to("stage").str("Stage")}
	api := sp.to("api").str("ApiId")
	switch id := m.d.plan.apis[api]; {
	case api == "":
		sp.fail("", "ApiId is required: a Ref of an AWS::ApiGateway::RestApi of this template")
	case id != "" && m.d.types[id] != typeRestAPI:
		// API keys and usage plans are REST APIs' (contract §3, D
		// APIGW23:http-api-vs-rest.md).
		sp.fail("ApiId", "usage plans cover REST APIs only, and %s is an HTTP API", id)
	case id == "":
		sp.fail("ApiId", "ApiId must refer to a REST API of this template (Ref of an AWS::ApiGateway::RestApi), got %q", api)
	default:
		st.API = id
	}
	methods := sp.object("Throttle")
	if methods != nil {
		sp.from("throttle", "Throttle")
	}
	for _, key := range slices.Sorted(maps.Keys(methods)) {
		mp := &props{d: sp.d, id: sp.id, path: sp.path + ".Throttle." + key, used: map[string]bool{}, origins: sp.origins,
			at: joinPath(sp.at, "throttle["+strconv.Itoa(len(st.Throttle))+"]")}
		mp.m, _ = methods[key].(map[string]any)
		if mp.m == nil {
			mp.fail("", "a method's throttle is a mapping with BurstLimit and RateLimit, got %s", describe(methods[key]))
			continue
		}
		path, method, ok := splitMethodThrottleKey(key)
		if !ok {
			mp.fail("", "a per-method throttle is keyed /{resource path}/{HTTP method}, like /pets/GET (the root's GET is //GET), got %q", key)
			continue
		}
		sp.origins[mp.at] = mp.path
		mt := config.PlanMethodThrottle{Path: path, Method: method}
		mt.RateLimit, _ = mp.to("rateLimit").num("RateLimit")
		if n, ok := mp.to("burstLimit").integer("BurstLimit"); ok {
			mt.BurstLimit = int(n)
		}
		mp.done()
		st.Throttle = append(st.Throttle, mt)
	}
	sp.done()
	return st
}

// splitMethodThrottleKey splits a usage plan's per-method throttle key,
// "/{resource path}/{METHOD}" (tollgate.MethodThrottleKey), at its last
// "/": "/pets/{id}/GET" → "/pets/{id}", "GET"; "//GET" → "/", "GET".
func splitMethodThrottleKey(key string) (path, method string, ok bool) {
	i := strings.LastIndexByte(key, '/')
	if i <= 0 || i == len(key)-1 || key[0] != '/' {
		return "", "", false
	}
	path, method = key[:i], key[i+1:]
	if path != "/" && strings.HasSuffix(path, "/") {
		return "", "", false
	}
	return path, method, true
}
