package template

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"iter"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
)

// Options are what CloudFormation would take from the account and the
// create-stack call.
type Options struct {
	// Region is AWS::Region and the pools' region (default us-east-1).
	Region string
	// StackName is AWS::StackName (default the stack's name in the cloud
	// assembly, or the template file's name without extensions).
	StackName string
	// Parameters are values for the template's Parameters, overriding
	// their defaults.
	Parameters map[string]string
	// IDs give the physical ids of the stack's pools and clients, which
	// Ref and Fn::GetAtt of them resolve to wherever they appear: the ids
	// the store holds, or the ids config.ApplyWith will give them
	// (*config.IDs, from config.StackIDs). Without IDs, Deploy makes up
	// stable ids of the right shape from the logical ids, good for
	// checking a template but not for running it.
	IDs PhysicalIDs
}

// PhysicalIDs give the ids of a stack's pools and clients by logical id.
type PhysicalIDs interface {
	Pool(logicalID, region string) string
	Client(poolLogicalID, clientLogicalID string) string
}

// madeUpIDs derive ids from logical ids, for a Deploy without a store.
type madeUpIDs struct{}

func (madeUpIDs) Pool(logicalID, region string) string {
	return region + "_" + hashID("pool/"+logicalID, 9, mixedAlnum)
}

func (madeUpIDs) Client(poolLogicalID, clientLogicalID string) string {
	return hashID("client/"+poolLogicalID+"/"+clientLogicalID, tollgate.ClientIDLength, lowerAlnum)
}

// The alphabets of made-up ids.
const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	mixedAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + lowerAlnum
)

// hashID makes n characters of alphabet from a hash of s.
func hashID(s string, n int, alphabet string) string {
	sum := sha256.Sum256([]byte("tollgate/" + s))
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(alphabet)]
	}
	return string(out)
}

// Resource names a resource of the template.
type Resource struct {
	LogicalID string `json:"logicalId"`
	Type      string `json:"type"`
}

// Plan is a template mapped to a Config, with what it leaves out.
type Plan struct {
	// Config is what config.Apply reconciles the store with, and what
	// BuildRestAPIs and BuildFunctions build from.
	Config *config.Config
	// NotApplicable are the resources that mean nothing off AWS (roles,
	// permissions, log groups, DNS records, CDK metadata), accepted and
	// not run, and likewise the template's rules and its SSM parameters
	// (CDK's BootstrapVersion); Type says what they are.
	NotApplicable []Resource
	// Limitations say what of a resource Tollgate runs only in part: a
	// MOCK integration's non-literal response parameters, VTL mapping
	// templates, responses after the first. Each names the template path
	// it is about.
	Limitations []string
	// Skipped are the resources whose Condition is false.
	Skipped []Resource
	// StackName is AWS::StackName.
	StackName string

	outputs     []output
	clientPools map[string]string // client logical id → pool logical id
	clientIDs   map[string]string // client logical id → client id
	apis        map[string]string // API id → logical id
	domains     map[string]bool   // domain names and prefixes the template declares
}

type output struct {
	key, description, value, export string
}

// Pseudo parameter values. The account id is Tollgate's, as the Lambda ARNs
// it reports have it.
const (
	Partition = "aws"
	URLSuffix = "amazonaws.com"
)

// notApplicable are the resource types that mean nothing off AWS.
var notApplicable = map[string]bool{
	"AWS::IAM::Role":                       true,
	"AWS::IAM::Policy":                     true,
	"AWS::IAM::ManagedPolicy":              true,
	"AWS::Lambda::Permission":              true,
	"AWS::Logs::LogGroup":                  true,
	"AWS::ApiGateway::Account":             true,
	"AWS::Route53::RecordSet":              true,
	"AWS::Route53::RecordSetGroup":         true,
	"AWS::CDK::Metadata":                   true,
	"AWS::CertificateManager::Certificate": true,
	// An HTTP API's deployment: its stages serve what the template
	// declares, as with AutoDeploy.
	"AWS::ApiGatewayV2::Deployment": true,
}

// mapped are the resource types Deploy runs.
var mapped = map[string]bool{
	"AWS::Cognito::UserPool":               true,
	"AWS::Cognito::UserPoolResourceServer": true,
	"AWS::Cognito::UserPoolClient":         true,
	"AWS::Cognito::UserPoolDomain":         true,
	"AWS::ApiGateway::RestApi":             true,
	"AWS::ApiGateway::Resource":            true,
	"AWS::ApiGateway::Method":              true,
	"AWS::ApiGateway::Authorizer":          true,
	"AWS::ApiGateway::Deployment":          true,
	"AWS::ApiGateway::Stage":               true,
	"AWS::ApiGateway::ApiKey":              true,
	"AWS::ApiGateway::UsagePlan":           true,
	"AWS::ApiGateway::UsagePlanKey":        true,
	"AWS::Lambda::Function":                true,
	"AWS::ApiGatewayV2::Api":               true,
	"AWS::ApiGatewayV2::Route":             true,
	"AWS::ApiGatewayV2::Integration":       true,
	"AWS::ApiGatewayV2::Authorizer":        true,
	"AWS::ApiGatewayV2::Stage":             true,
}

var topLevel = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Mappings": true, "Conditions": true, "Resources": true, "Outputs": true, "Rules": true,
}

var resourceKeys = map[string]bool{
	"Type": true, "Properties": true, "DependsOn": true, "Condition": true, "Metadata": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true, "UpdatePolicy": true, "CreationPolicy": true,
}

// deployer holds the state of one Deploy.
type deployer struct {
	t        *Template
	opts     Options
	problems []config.Problem
	r        *resolver
	// props are the resolved properties of each created resource.
	props map[string]map[string]any
	types map[string]string
	// phys maps the physical ids Deploy makes up (resources, authorizers,
	// root resources) back to logical ids.
	phys map[string]string
	plan *Plan
	// origins maps paths of the Config to the template paths their values
	// were mapped from (props.place), to place the problems config
	// validation finds.
	origins map[string]string
}

// Deploy resolves the template and maps it to a Config. Every problem is
// returned at once, as config.Problems, each with the template's file,
// line and column where known, and the logical id and property path.
func Deploy(t *Template, opts Options) (*Plan, error) {
	d := newDeployer(t, opts)
	d.run()
	if len(d.problems) > 0 {
		// In the order of the file, as config files' problems are.
		slices.SortStableFunc(d.problems, func(a, b config.Problem) int {
			return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, config.Problems(d.problems)
	}
	byID := func(a, b Resource) int { return strings.Compare(a.LogicalID, b.LogicalID) }
	slices.SortFunc(d.plan.NotApplicable, byID)
	slices.SortFunc(d.plan.Skipped, byID)
	return d.plan, nil
}

// newDeployer returns the deployer of one Deploy of t.
func newDeployer(t *Template, opts Options) *deployer {
	d := &deployer{
		t: t, opts: opts,
		props:   map[string]map[string]any{},
		types:   map[string]string{},
		phys:    map[string]string{},
		origins: map[string]string{},
		plan:    &Plan{clientPools: map[string]string{}, clientIDs: map[string]string{}, apis: map[string]string{}, domains: map[string]bool{}},
	}
	d.opts.Region = cmp.Or(d.opts.Region, config.DefaultRegion)
	if d.opts.IDs == nil {
		d.opts.IDs = madeUpIDs{}
	}
	d.plan.StackName = cmp.Or(d.opts.StackName, stackNameOf(t.File))
	if !config.StackNamePattern.MatchString(d.plan.StackName) {
		d.fail("", "the stack name %q is not one CloudFormation accepts: a letter, then letters, digits and hyphens, at most 128 in all (set it with --stack-name)", d.plan.StackName)
	}
	return d
}

var nonStackName = regexp.MustCompile(`[^A-Za-z0-9-]`)

// stackNameOf makes a stack name from a template file name:
// "cdk.out/MyStack.template.json" → "MyStack".
func stackNameOf(file string) string {
	base := file[strings.LastIndexAny(file, `/\`)+1:]
	base, _, _ = strings.Cut(base, ".")
	base = nonStackName.ReplaceAllString(base, "-")
	if base == "" || base[0] < 'A' || base[0] > 'z' {
		base = "Stack" + base
	}
	return base[:min(len(base), 128)]
}

func (d *deployer) fail(path, format string, args ...any) {
	d.problems = append(d.problems, d.t.problem(path, format, args...))
}

func (d *deployer) run() {
	d.checkSections()
	rs := d.resources()
	if rs == nil {
		return
	}
	d.r = d.newResolver(rs)
	rules, _ := d.t.Body["Rules"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(rules)) {
		// Rules check parameters when a stack is created or updated (CDK's
		// CheckBootstrapVersion checks the bootstrap stack's version).
		d.plan.NotApplicable = append(d.plan.NotApplicable, Resource{name, "rule"})
	}
	d.parameters()
	if len(d.problems) > 0 {
		return
	}
	order := d.order(rs)
	for _, id := range order {
		d.resolveResource(id, rs[id])
	}
	if len(d.problems) > 0 {
		return
	}
	d.mapResources(order)
	d.resolveOutputs()
	if len(d.problems) > 0 {
		return
	}
	d.validate()
}

// checkSections reports the template's top-level sections Tollgate does
// not know.
func (d *deployer) checkSections() {
	for _, k := range slices.Sorted(maps.Keys(d.t.Body)) {
		if !topLevel[k] {
			if k == "Transform" {
				d.fail(k, "transforms (such as AWS::Serverless) are not supported: deploy the processed template")
			} else {
				d.fail(k, "unknown template section %q", k)
			}
		}
	}
}

// resources returns the template's resources by logical id, or nil when
// it has none.
func (d *deployer) resources() map[string]map[string]any {
	resources, ok := d.t.Body["Resources"].(map[string]any)
	if !ok || len(resources) == 0 {
		d.fail("Resources", "the template has no Resources")
		return nil
	}
	rs := map[string]map[string]any{}
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		res, ok := resources[id].(map[string]any)
		if !ok {
			d.fail("Resources."+id, "a resource is a mapping with Type and Properties, got %s", describe(resources[id]))
			continue
		}
		rs[id] = res
	}
	return rs
}

// newResolver returns the resolver of the template's intrinsics, with
// CloudFormation's pseudo parameters.
func (d *deployer) newResolver(rs map[string]map[string]any) *resolver {
	r := &resolver{
		t: d.t,
		pseudo: map[string]string{
			"AWS::Region": d.opts.Region, "AWS::AccountId": tollgate.AccountID,
			"AWS::StackName": d.plan.StackName, "AWS::Partition": Partition, "AWS::URLSuffix": URLSuffix,
			"AWS::StackId":          "arn:aws:cloudformation:" + d.opts.Region + ":" + tollgate.AccountID + ":stack/" + d.plan.StackName + "/" + physicalID("stack", d.plan.StackName),
			"AWS::NotificationARNs": "",
		},
		params:     map[string]any{},
		conditions: map[string]bool{},
		condBusy:   map[string]bool{},
		condFailed: map[string]bool{},
		resources:  rs,
		ref:        map[string]any{},
		missing:    map[string]string{},
		attr:       d.attr,
		problems:   &d.problems,
	}
	r.condDefs, _ = d.t.Body["Conditions"].(map[string]any)
	return r
}

// entries yields the entries of the template's top-level section in key
// order, each a mapping; an entry that is not is a problem, as notMapping
// says.
func (d *deployer) entries(section, notMapping string) iter.Seq2[string, map[string]any] {
	return func(yield func(string, map[string]any) bool) {
		all, _ := d.t.Body[section].(map[string]any)
		for _, key := range slices.Sorted(maps.Keys(all)) {
			m, ok := all[key].(map[string]any)
			if !ok {
				d.fail(section+"."+key, "%s", notMapping)
				continue
			}
			if !yield(key, m) {
				return
			}
		}
	}
}

// parameters resolves the Parameters section with the values given.
func (d *deployer) parameters() {
	params, _ := d.t.Body["Parameters"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(d.opts.Parameters)) {
		if _, ok := params[name]; !ok {
			d.fail("Parameters", "--parameter %s: the template has no parameter %q (it has: %s)", name, name, strings.Join(slices.Sorted(maps.Keys(params)), ", "))
		}
	}
	for name, p := range d.entries("Parameters", "a parameter is a mapping with Type") {
		path := "Parameters." + name
		if val, ok := d.parameterValue(name, p, path); ok {
			d.setParameter(name, p, val, path)
		}
	}
}

// parameterValue returns the value of parameter name, declared by p at
// path: given, or its default, checked against its AllowedValues and
// AllowedPattern.
func (d *deployer) parameterValue(name string, p map[string]any, path string) (string, bool) {
	var val string
	if v, given := d.opts.Parameters[name]; given {
		val = v
	} else if def, has := p["Default"]; has {
		s, ok := scalarString(def)
		if !ok {
			d.fail(path+".Default", "a default is a string or a number")
			return "", false
		}
		val = s
	} else {
		d.fail(path, "parameter %s has no default: give it with --parameter %s=VALUE", name, name)
		return "", false
	}
	if allowed, ok := p["AllowedValues"].([]any); ok {
		found := slices.ContainsFunc(allowed, func(a any) bool { s, _ := scalarString(a); return s == val })
		if !found {
			d.fail(path, "parameter %s is %q, which is not one of its AllowedValues", name, val)
			return "", false
		}
	}
	if pat, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile("^(?:" + pat + ")$")
		if err == nil && !re.MatchString(val) {
			d.fail(path, "parameter %s is %q, which does not match its AllowedPattern %s", name, val, pat)
			return "", false
		}
	}
	return val, true
}

// setParameter gives parameter name its value, as its Type makes it.
func (d *deployer) setParameter(name string, p map[string]any, val, path string) {
	typ, _ := p["Type"].(string)
	switch {
	case typ == "Number":
		f, ok := toFloat(val)
		if !ok {
			d.fail(path, "parameter %s is a Number, got %q", name, val)
			return
		}
		if n, ok := toInt(f); ok {
			d.r.params[name] = n
		} else {
			d.r.params[name] = f
		}
	case typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<"):
		var list []any
		for _, s := range strings.Split(val, ",") {
			list = append(list, strings.TrimSpace(s))
		}
		d.r.params[name] = list
	default:
		// String, AWS-specific types, and SSM parameter types, whose
		// value (a parameter store name) is kept as written: CDK's
		// BootstrapVersion is one, checked only by the Rules section,
		// which does not apply here.
		if strings.HasPrefix(typ, "AWS::SSM::Parameter::") {
			d.plan.NotApplicable = append(d.plan.NotApplicable, Resource{name, "parameter " + typ})
		}
		d.r.params[name] = val
	}
}

// order returns the logical ids so that each comes after what it depends
// on: DependsOn and every Ref, Fn::GetAtt and Fn::Sub reference. A cycle is
// a problem.
func (d *deployer) order(rs map[string]map[string]any) []string {
	deps := map[string][]string{}
	for _, id := range slices.Sorted(maps.Keys(rs)) {
		deps[id] = d.dependencies(id, rs)
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var order []string
	var stack []string
	var visit func(id string)
	visit = func(id string) {
		switch state[id] {
		case done:
			return
		case visiting:
			i := slices.Index(stack, id)
			cycle := append(slices.Clone(stack[i:]), id)
			d.fail("Resources."+id, "circular dependency between resources: %s", strings.Join(cycle, " → "))
			return
		}
		state[id] = visiting
		stack = append(stack, id)
		for _, dep := range deps[id] {
			visit(dep)
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		order = append(order, id)
	}
	for _, id := range slices.Sorted(maps.Keys(rs)) {
		visit(id)
	}
	return order
}

// dependencies returns the resources resource id depends on, sorted.
func (d *deployer) dependencies(id string, rs map[string]map[string]any) []string {
	res := rs[id]
	set := map[string]bool{}
	switch on := res["DependsOn"].(type) {
	case string:
		set[on] = true
	case []any:
		for _, e := range on {
			if s, ok := e.(string); ok {
				set[s] = true
			}
		}
	case nil:
	default:
		d.fail("Resources."+id+".DependsOn", "DependsOn is a logical id or a list of them")
	}
	for dep := range set {
		if _, ok := rs[dep]; !ok {
			d.fail("Resources."+id+".DependsOn", "DependsOn names %q, which is not a resource", dep)
			delete(set, dep)
		}
	}
	collectRefs(res["Properties"], rs, set)
	delete(set, id)
	return slices.Sorted(maps.Keys(set))
}

// collectRefs adds to set the resources v refers to.
func collectRefs(v any, rs map[string]map[string]any, set map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, arg := range t {
			switch k {
			case "Ref":
				if s, ok := arg.(string); ok && rs[s] != nil {
					set[s] = true
				}
			case "Fn::GetAtt":
				switch a := arg.(type) {
				case string:
					id, _, _ := strings.Cut(a, ".")
					if rs[id] != nil {
						set[id] = true
					}
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok && rs[s] != nil {
							set[s] = true
						}
					}
				}
			case "Fn::Sub":
				tmpl, _ := arg.(string)
				if a, ok := arg.([]any); ok && len(a) > 0 {
					tmpl, _ = a[0].(string)
				}
				for _, m := range subVarRE.FindAllStringSubmatch(tmpl, -1) {
					id, _, _ := strings.Cut(strings.TrimSpace(m[1]), ".")
					if rs[id] != nil {
						set[id] = true
					}
				}
			}
			collectRefs(arg, rs, set)
		}
	case []any:
		for _, e := range t {
			collectRefs(e, rs, set)
		}
	}
}

// resolveResource checks a resource's shape, evaluates its condition and
// resolves its properties; its Ref and attributes are then available.
func (d *deployer) resolveResource(id string, res map[string]any) {
	path := "Resources." + id
	for _, k := range slices.Sorted(maps.Keys(res)) {
		if !resourceKeys[k] {
			d.fail(path+"."+k, "unknown resource attribute %q", k)
		}
	}
	typ, ok := res["Type"].(string)
	if !ok {
		d.fail(path, "the resource has no Type")
		d.r.missing[id] = "has no Type"
		return
	}
	if !d.created(id, typ, res) {
		return
	}
	switch {
	case notApplicable[typ]:
		d.plan.NotApplicable = append(d.plan.NotApplicable, Resource{id, typ})
		// Properties are not resolved: they name AWS things (policies,
		// hosted zones) that need not make sense here.
		d.types[id] = typ
		d.r.ref[id] = d.ref(id, typ, nil)
		return
	case !mapped[typ]:
		d.fail(path+".Type", "%s (%s) is not supported by Tollgate: it runs Cognito user pools, API Gateway REST and HTTP APIs and Lambda functions; remove the resource or deploy it to AWS", id, typ)
		d.r.missing[id] = fmt.Sprintf("is of a type Tollgate does not run (%s)", typ)
		return
	}
	props, ok := d.properties(id, res)
	if !ok {
		return
	}
	if leftPlaceholder(props, path+".Properties", d.fail) {
		d.r.missing[id] = "refers to a client secret"
		return
	}
	d.types[id] = typ
	d.props[id] = props
	d.r.ref[id] = d.ref(id, typ, props)
}

// created evaluates a resource's Condition and reports whether the
// resource is created.
func (d *deployer) created(id, typ string, res map[string]any) bool {
	c, has := res["Condition"]
	if !has {
		return true
	}
	name, _ := c.(string)
	b, ok := d.r.condition(name, "Resources."+id+".Condition")
	if !ok {
		d.r.missing[id] = fmt.Sprintf("has a condition (%s) that could not be evaluated", name)
		return false
	}
	if !b {
		d.plan.Skipped = append(d.plan.Skipped, Resource{id, typ})
		d.r.missing[id] = fmt.Sprintf("is not created (its condition %s is false)", name)
	}
	return b
}

// properties resolves a resource's Properties.
func (d *deployer) properties(id string, res map[string]any) (map[string]any, bool) {
	path := "Resources." + id
	props := map[string]any{}
	p, has := res["Properties"]
	if !has {
		return props, true
	}
	rv, ok := d.r.resolve(p, path+".Properties")
	if !ok {
		d.r.missing[id] = "has properties that could not be resolved (see the problems at " + path + ")"
		return nil, false
	}
	if props, ok = rv.(map[string]any); !ok {
		d.fail(path+".Properties", "Properties is a mapping, got %s", describe(rv))
		d.r.missing[id] = "has no valid Properties"
		return nil, false
	}
	return props, true
}

// leftPlaceholder reports the client secrets a resource's properties refer
// to: Tollgate makes a secret when it creates the client, and never hands it
// to other resources; a function reads it from the store, or the
// environment it is given by hand.
func leftPlaceholder(v any, path string, fail func(path, format string, args ...any)) bool {
	found := false
	switch t := v.(type) {
	case string:
		for _, p := range placeholders(t) {
			fail(path, "the secret of client %s (Fn::GetAtt %s.%s) cannot be passed to a resource: Tollgate creates it when it deploys the client and shows it only with `tollgate clients describe --show-secret`", p[0], p[0], p[1])
			found = true
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			found = leftPlaceholder(t[k], path+"."+k, fail) || found
		}
	case []any:
		for i, e := range t {
			found = leftPlaceholder(e, path+"["+strconv.Itoa(i)+"]", fail) || found
		}
	}
	return found
}

// physicalID makes up a stable id for what API Gateway names with a random
// one: 10 lowercase alphanumerics, like RestAPIID.
func physicalID(kind, logicalID string) string {
	sum := sha256.Sum256([]byte("tollgate/" + kind + "/" + logicalID))
	s := new(big.Int).SetBytes(sum[:8]).Text(36)
	for len(s) < 10 {
		s = "0" + s
	}
	return s[len(s)-10:]
}

// ref is what Ref of the resource gives, as CloudFormation documents it
// for each type.
func (d *deployer) ref(id, typ string, props map[string]any) any {
	str := func(k string) string { s, _ := scalarString(props[k]); return s }
	if ref, ok := d.refOfKeyOrPlan(id, typ, str); ok {
		return ref
	}
	switch typ {
	case "AWS::Cognito::UserPool":
		pool := d.opts.IDs.Pool(id, d.opts.Region)
		d.phys[pool] = id
		return pool
	case "AWS::Cognito::UserPoolClient":
		// The pool is known by its id here; one that is not a pool of
		// the template is reported when the client is mapped.
		pool := d.phys[str("UserPoolId")]
		if d.types[pool] != "AWS::Cognito::UserPool" {
			pool = ""
		}
		cid := d.opts.IDs.Client(pool, id)
		d.plan.clientIDs[id] = cid
		return cid
	case "AWS::Cognito::UserPoolResourceServer":
		return str("Identifier")
	case "AWS::Cognito::UserPoolDomain":
		return str("Domain")
	case "AWS::ApiGateway::RestApi":
		apiID := tollgate.RestAPIID(id)
		d.phys[physicalID("root", id)] = id
		return apiID
	case "AWS::ApiGatewayV2::Api":
		return tollgate.RestAPIID(id)
	case "AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage":
		return str("StageName")
	case "AWS::Lambda::Function":
		return d.functionName(id, props)
	case "AWS::ApiGateway::Resource", "AWS::ApiGateway::Method", "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Deployment",
		"AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Authorizer":
		p := physicalID("resource", id)
		d.phys[p] = id
		return p
	}
	return id
}

func (d *deployer) functionName(id string, props map[string]any) string {
	if s, ok := props["FunctionName"].(string); ok && s != "" {
		return s
	}
	return id
}

// attr is what Fn::GetAtt of a resolved resource gives.
func (d *deployer) attr(id, name string) (any, bool) {
	typ, props := d.types[id], d.props[id]
	region, acct := d.opts.Region, tollgate.AccountID
	if idAttr[typ] == name {
		return d.r.ref[id], true
	}
	if v, ok := d.attrOfKeyOrPlan(id, typ, name); ok {
		return v, true
	}
	switch typ {
	case "AWS::Cognito::UserPool":
		if v, ok := d.poolAttr(id, name); ok {
			return v, true
		}
	case "AWS::Cognito::UserPoolClient":
		switch name {
		case "Name":
			return clientName(id, props), true
		case "ClientSecret":
			return placeholder(id, "ClientSecret"), true
		}
	case "AWS::ApiGateway::RestApi":
		if name == "RootResourceId" {
			return physicalID("root", id), true
		}
	case "AWS::ApiGatewayV2::Api":
		// The execute-api URL without a trailing slash; CDK's HttpApi.url
		// joins its own from Ref and the pseudo parameters.
		if name == "ApiEndpoint" {
			return "https://" + tollgate.RestAPIID(id) + ".execute-api." + region + "." + URLSuffix, true
		}
	case "AWS::Lambda::Function":
		if name == "Arn" {
			return "arn:" + Partition + ":lambda:" + region + ":" + acct + ":function:" + d.functionName(id, props), true
		}
	case "AWS::IAM::Role":
		switch name {
		case "Arn":
			return "arn:" + Partition + ":iam::" + acct + ":role/" + id, true
		case "RoleId":
			return physicalID("role", id), true
		}
	case "AWS::Logs::LogGroup":
		if name == "Arn" {
			return "arn:" + Partition + ":logs:" + region + ":" + acct + ":log-group:" + id + ":*", true
		}
	}
	if notApplicable[typ] {
		// A resource that does not apply has no real attributes; what
		// refers to them is almost always another such resource.
		return id + "." + name, true
	}
	return nil, false
}

// idAttr names, by type, the attribute that is the resource's Ref. A
// custom domain's CloudFrontDistribution is the alias target of its DNS
// record: nothing resolves it here, the domain is served by Tollgate.
var idAttr = map[string]string{
	"AWS::Cognito::UserPoolClient": "ClientId",
	"AWS::Cognito::UserPoolDomain": "CloudFrontDistribution",
	"AWS::ApiGateway::Authorizer":  "AuthorizerId",
	"AWS::ApiGateway::Resource":    "ResourceId",
	"AWS::ApiGateway::Deployment":  "DeploymentId",
	// An API key's id and a usage plan's (CFN23:
	// aws-resource-apigateway-{apikey,usageplan}.md, Return values).
	typeAPIKey:    apiKeyIDAttribute,
	typeUsagePlan: "Id",
	// AWS::ApiGatewayV2::*'s return values: Ref is the id, and so is
	// this attribute.
	"AWS::ApiGatewayV2::Api":         "ApiId",
	"AWS::ApiGatewayV2::Route":       "RouteId",
	"AWS::ApiGatewayV2::Integration": "IntegrationId",
	"AWS::ApiGatewayV2::Authorizer":  "AuthorizerId",
}

// poolAttr returns an attribute of a user pool.
func (d *deployer) poolAttr(id, name string) (any, bool) {
	pool, _ := d.r.ref[id].(string)
	region := d.opts.Region
	switch name {
	case "Arn":
		return "arn:" + Partition + ":cognito-idp:" + region + ":" + tollgate.AccountID + ":userpool/" + pool, true
	case "ProviderName":
		return "cognito-idp." + region + "." + URLSuffix + "/" + pool, true
	case "ProviderURL":
		return "https://cognito-idp." + region + "." + URLSuffix + "/" + pool, true
	case "UserPoolId":
		return pool, true
	}
	return nil, false
}

func clientName(id string, props map[string]any) string {
	if s, ok := props["ClientName"].(string); ok && s != "" {
		return s
	}
	return id
}

// resolveOutputs resolves the Outputs section; a client secret's
// placeholder stays until Plan.Outputs replaces it.
func (d *deployer) resolveOutputs() {
	for key, o := range d.entries("Outputs", "an output is a mapping with Value") {
		path := "Outputs." + key
		if c, has := o["Condition"]; has {
			name, _ := c.(string)
			b, ok := d.r.condition(name, path+".Condition")
			if !ok || !b {
				continue
			}
		}
		v, ok := d.r.resolve(o["Value"], path+".Value")
		if !ok {
			continue
		}
		s, ok := scalarString(v)
		if !ok {
			if list, isList := v.([]any); isList {
				parts := make([]string, 0, len(list))
				for _, e := range list {
					es, _ := scalarString(e)
					parts = append(parts, es)
				}
				s, ok = strings.Join(parts, ","), true
			}
		}
		if !ok {
			d.fail(path+".Value", "an output's value is a string, got %s", describe(v))
			continue
		}
		out := output{key: key, value: s}
		out.description, _ = o["Description"].(string)
		if e, ok := o["Export"].(map[string]any); ok {
			if ev, ok := d.r.resolve(e["Name"], path+".Export.Name"); ok {
				out.export, _ = scalarString(ev)
			}
		}
		d.plan.outputs = append(d.plan.outputs, out)
	}
}
