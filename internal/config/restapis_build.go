package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// BuildRestAPIs returns the REST and HTTP APIs the config declares, as the
// gateway serves them. res is what Apply returned for this config: it gives each
// local pool an authorizer names its pool id. APIs are not stored; their
// ids derive from their logical ids (tollgate.RestAPIID), so building them
// again from the same config gives the same APIs.
//
// For each API:
//
//   - ID is tollgate.RestAPIID of the logical id, Name the restApiName,
//     Region the config's top-level region and ConfigKey the logical id.
//   - Stages holds one stage, from deployOptions, with clientThrottling as
//     its ClientThrottle. APIKeySource is apiKeySourceType as written
//     ("" is HEADER).
//   - Routes holds one route per method, in file order, APIKeyRequired
//     its method's apiKeyRequired. Routes behind the
//     same authorizer share one *tollgate.Authorizer, whose Name is the
//     authorizer's logical id and Type its type. A COGNITO_USER_POOLS
//     authorizer's PoolIDs are the ids of its local pools in the order it
//     names them, and its Issuers the pools it names by ARN (issuer
//     https://cognito-idp.{region}.amazonaws.com/{poolId}, keys at its
//     /.well-known/jwks.json). A TOKEN or REQUEST authorizer's Function is
//     its function's name, ResultTTL its resultsCacheTtl (default 300s),
//     IdentityValidationExpression its validationRegex and IdentitySources
//     its identitySources as written. A JWT authorizer's JWT is its
//     jwtConfiguration (issuers keep JWKSURL empty: discovery). All but
//     REQUEST have IdentitySource, the header name ("Authorization").
//   - An AWS_PROXY integration's Function is the function's name (its
//     functionName, which defaults to its id), as BuildFunctions names it.
//   - Timeouts and the MOCK status hold their effective values (defaults
//     filled); certificate paths are absolute.
//
// The HTTP APIs (the httpApis section) follow the REST ones, in file
// order, with Protocol tollgate.ProtocolHTTP:
//
//   - ID, Region and ConfigKey as a REST API's; Name the apiName (default
//     the logical id); CORS from corsPreflight (MaxAge in seconds).
//   - Stages: $default first, unless createDefaultStage is false or the
//     stages declare it, then the declared stages in file order; a
//     stage's throttle is its RouteThrottle (each route its own bucket),
//     its routeThrottles its RouteThrottles, by route key.
//   - Routes: one per method of each route, in file order (a route
//     without methods is ANY; a route whose path is $default is the
//     $default route, method ANY), then the defaultIntegration's $default
//     route. A route that names no authorizer has the defaultAuthorizer
//     and, if it lists no scopes, the defaultAuthorizationScopes; NONE
//     has none.
//   - A JWT authorizer's IdentitySource is its one identity source
//     ($request.header.Authorization by default) and its JWT one issuer:
//     jwtIssuer with jwtAudience, or for userPool the pool's id (PoolID,
//     Issuer "") with its userPoolClients' client ids as the audience. A
//     REQUEST authorizer's IdentitySources are its identitySource as
//     written, ResultTTL its resultsCacheTtl (default 300s),
//     SimpleResponses whether responseTypes holds SIMPLE, and
//     PayloadFormatVersion its payloadFormatVersion (default 2.0 with
//     SIMPLE, else 1.0).
//   - An AWS_PROXY integration has the function's name and payload format
//     2.0 by default; an HTTP_PROXY one its url as URI, its method
//     (default ANY) and payload format 1.0; timeouts default to 30s.
//
// The config must be valid (Parse, Load or Validate, which Apply runs). An
// error means res does not belong to the config: a pool or client it
// names has no id there.
func (c *Config) BuildRestAPIs(res *Result) ([]*tollgate.RestAPI, error) {
	if len(c.RestAPIs)+len(c.HTTPAPIs) > 0 && res == nil {
		return nil, fmt.Errorf("config: BuildRestAPIs needs the Result of applying the config")
	}
	out := make([]*tollgate.RestAPI, 0, len(c.RestAPIs)+len(c.HTTPAPIs))
	for i := range c.RestAPIs {
		api, err := c.buildRestAPI(&c.RestAPIs[i], res)
		if err != nil {
			return nil, err
		}
		out = append(out, api)
	}
	httpAPIs, err := c.buildHTTPAPIs(res)
	if err != nil {
		return nil, err
	}
	return append(out, httpAPIs...), nil
}

// buildRestAPI builds one API; ids gives the ids of its pools.
func (c *Config) buildRestAPI(a *RestAPI, ids objectIDs) (*tollgate.RestAPI, error) {
	d := a.DeployOptions
	stage := tollgate.Stage{
		Name:           cmp.Or(d.StageName, DefaultStageName),
		Throttle:       throttle(d.ThrottlingRateLimit, d.ThrottlingBurstLimit),
		ClientThrottle: throttle(a.ClientThrottling.RateLimit, a.ClientThrottling.BurstLimit),
	}
	if len(d.Variables) > 0 {
		stage.Variables = maps.Clone(d.Variables)
	}
	api := &tollgate.RestAPI{
		ID:               tollgate.RestAPIID(a.ID),
		Name:             cmp.Or(a.RestAPIName, a.ID),
		Region:           cmp.Or(c.Region, DefaultRegion),
		Stages:           []tollgate.Stage{stage},
		BinaryMediaTypes: slices.Clone(a.BinaryMediaTypes),
		APIKeySource:     a.APIKeySourceType,
		ConfigKey:        a.ID,
		Resource:         buildProtectedResource(a.ProtectedResource),
	}

	authorizers, err := c.buildAuthorizers(a, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range a.Resources {
		for _, m := range r.Methods {
			route := tollgate.Route{
				ResourcePath:        r.Path,
				Method:              m.HTTPMethod,
				AuthorizationScopes: slices.Clone(m.AuthorizationScopes),
				APIKeyRequired:      m.APIKeyRequired,
				RequireBinding:      m.RequireBinding,
			}
			if m.Authorizer != "" {
				route.Authorizer = authorizers[m.Authorizer]
				if route.Authorizer == nil {
					return nil, fmt.Errorf("config: API %s: %s %s names authorizer %s, which the API does not declare", a.ID, m.HTTPMethod, r.Path, m.Authorizer)
				}
			}
			if in := m.Integration; in != nil {
				route.Integration = c.buildIntegration(in)
			}
			api.Routes = append(api.Routes, route)
		}
	}

	for _, dn := range a.DomainNames {
		ad := tollgate.APIDomain{DomainName: dn.DomainName, Stage: cmp.Or(dn.Stage, stage.Name), BasePath: dn.BasePath}
		if dn.Certificate != nil {
			ad.CertFile, ad.KeyFile = dn.Certificate.CertFile, dn.Certificate.KeyFile
		}
		api.DomainNames = append(api.DomainNames, ad)
	}
	return api, nil
}

func throttle(rate float64, burst int) tollgate.Throttle {
	if rate <= 0 {
		return tollgate.Throttle{}
	}
	return tollgate.Throttle{Rate: rate, Burst: burst}
}

// buildAuthorizers builds the authorizers of an API by id, with the ids of
// their pools from ids.
func (c *Config) buildAuthorizers(a *RestAPI, ids objectIDs) (map[string]*tollgate.Authorizer, error) {
	authorizers := map[string]*tollgate.Authorizer{}
	for _, au := range a.Authorizers {
		if authorizers[au.ID] != nil {
			continue
		}
		ta := &tollgate.Authorizer{Name: au.ID, Type: tollgate.AuthorizerType(cmp.Or(au.Type, AuthorizerCognito))}
		if ta.Type != tollgate.AuthorizerRequest {
			ta.IdentitySource = strings.TrimPrefix(cmp.Or(au.IdentitySource, DefaultIdentitySource), apigw.IdentitySourcePrefix)
		}
		switch ta.Type {
		case tollgate.AuthorizerCognito:
			for _, pool := range au.CognitoUserPools {
				if p, msg := apigw.ParseCognitoPoolARN(pool); apigw.IsCognitoPoolARN(pool) && msg == "" {
					ta.Issuers = append(ta.Issuers, tollgate.ExternalIssuer{Issuer: p.Issuer(), JWKSURL: p.JWKSURL()})
					continue
				}
				id, ok := ids.PoolID(pool)
				if !ok {
					return nil, fmt.Errorf("config: API %s: authorizer %s names user pool %s, which has no id in the result of Apply", a.ID, au.ID, pool)
				}
				ta.PoolIDs = append(ta.PoolIDs, id)
			}
		case tollgate.AuthorizerToken, tollgate.AuthorizerRequest:
			ta.Function = c.functionName(au.Function)
			ta.ResultTTL = tollgate.DefaultAuthorizerResultTTL
			if au.ResultsCacheTTL != nil {
				ta.ResultTTL = *au.ResultsCacheTTL
			}
			ta.IdentityValidationExpression = au.ValidationRegex
			ta.IdentitySources = slices.Clone(au.IdentitySources)
		case tollgate.AuthorizerJWT:
			ta.JWT = buildJWT(au.JWTConfiguration)
		}
		authorizers[au.ID] = ta
	}
	return authorizers, nil
}

// buildJWT builds a JWT authorizer's configuration; an additional claim's
// format, SINGLE_STRING, is implied.
func buildJWT(c *JWTConfiguration) *tollgate.JWTConfiguration {
	if c == nil {
		return nil
	}
	out := &tollgate.JWTConfiguration{Algorithms: slices.Clone(c.DefaultAlgorithms)}
	for _, iss := range c.Issuers {
		ti := tollgate.JWTIssuer{Issuer: iss.Issuer, Audiences: slices.Clone(iss.Audiences)}
		for _, cl := range iss.AdditionalClaims {
			ti.Claims = append(ti.Claims, tollgate.JWTClaim{Name: cl.ClaimName, ExpectedValues: slices.Clone(cl.ExpectedValues), Required: cl.Required})
		}
		out.Issuers = append(out.Issuers, ti)
	}
	return out
}

// buildIntegration builds a method's integration with its effective
// timeout and MOCK status.
func (c *Config) buildIntegration(in *Integration) tollgate.Integration {
	out := tollgate.Integration{
		Type:     tollgate.IntegrationType(in.Type),
		URI:      in.URI,
		Function: c.functionName(in.Function),
		Timeout:  in.Timeout,
	}
	switch in.Type {
	case IntegrationMock:
		out.Timeout = 0
		out.MockStatus = cmp.Or(in.StatusCode, DefaultMockStatus)
		out.MockHeaders = maps.Clone(in.ResponseHeaders)
		out.MockBody = in.Body
	default:
		out.Timeout = cmp.Or(in.Timeout, tollgate.DefaultIntegrationTimeout)
	}
	return out
}
