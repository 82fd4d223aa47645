package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/apigw"
)

// objectIDs gives the ids Apply made for the config's pools and clients,
// by their logical ids: a *Result, or made-up ones for the gate.
type objectIDs interface {
	PoolID(poolKey string) (string, bool)
	ClientID(poolKey, clientKey string) (string, bool)
}

// buildHTTPAPIs builds the httpApis section, as BuildRestAPIs documents.
func (c *Config) buildHTTPAPIs(ids objectIDs) ([]*tollgate.RestAPI, error) {
	out := make([]*tollgate.RestAPI, 0, len(c.HTTPAPIs))
	for i := range c.HTTPAPIs {
		api, err := c.buildHTTPAPI(&c.HTTPAPIs[i], ids)
		if err != nil {
			return nil, err
		}
		out = append(out, api)
	}
	return out, nil
}

// buildHTTPAPI builds one HTTP API. Its routes are those of routes, one
// per method in file order, then the defaultIntegration's $default route.
// Its stages are $default first, unless createDefaultStage is false or the
// stages declare it, then the declared ones in file order.
func (c *Config) buildHTTPAPI(a *HTTPAPI, ids objectIDs) (*tollgate.RestAPI, error) {
	api := &tollgate.RestAPI{
		ID:                        tollgate.RestAPIID(a.ID),
		Name:                      cmp.Or(a.APIName, a.ID),
		Region:                    cmp.Or(c.Region, DefaultRegion),
		Protocol:                  tollgate.ProtocolHTTP,
		CORS:                      buildCORS(a.CORSPreflight),
		DisableExecuteAPIEndpoint: a.DisableExecuteAPIEndpoint,
		ConfigKey:                 a.ID,
		Resource:                  buildProtectedResource(a.ProtectedResource),
	}
	if addsDefaultStage(a) {
		api.Stages = append(api.Stages, tollgate.Stage{Name: tollgate.DefaultStageName})
	}
	for _, st := range a.Stages {
		api.Stages = append(api.Stages, buildHTTPStage(st))
	}

	authorizers, err := c.buildHTTPAuthorizers(a, ids)
	if err != nil {
		return nil, err
	}
	authorizer := func(id string) (*tollgate.Authorizer, error) {
		if id == "" || id == HTTPAuthorizerNone {
			return nil, nil
		}
		if au := authorizers[id]; au != nil {
			return au, nil
		}
		return nil, fmt.Errorf("config: API %s: a route names authorizer %s, which the API does not declare", a.ID, id)
	}
	for _, rt := range a.Routes {
		id, scopes := rt.Authorizer, rt.AuthorizationScopes
		if id == "" {
			id = a.DefaultAuthorizer
			if len(scopes) == 0 {
				scopes = a.DefaultAuthorizationScopes
			}
		}
		au, err := authorizer(id)
		if err != nil {
			return nil, err
		}
		for _, m := range routeMethods(rt) {
			route := tollgate.Route{ResourcePath: rt.Path, Method: m, Authorizer: au, AuthorizationScopes: slices.Clone(scopes),
				RequireBinding: rt.RequireBinding}
			if rt.Integration != nil {
				route.Integration = c.buildHTTPIntegration(rt.Integration)
			}
			api.Routes = append(api.Routes, route)
		}
	}
	if in := a.DefaultIntegration; in != nil {
		au, err := authorizer(a.DefaultAuthorizer)
		if err != nil {
			return nil, err
		}
		api.Routes = append(api.Routes, tollgate.Route{ResourcePath: tollgate.DefaultRouteKey, Method: apigw.MethodAny, Authorizer: au,
			AuthorizationScopes: slices.Clone(a.DefaultAuthorizationScopes), Integration: c.buildHTTPIntegration(in)})
	}
	return api, nil
}

// addsDefaultStage reports whether the API gets a $default stage its
// stages do not declare (createDefaultStage, default true).
func addsDefaultStage(a *HTTPAPI) bool {
	declared := slices.ContainsFunc(a.Stages, func(st HTTPStage) bool { return st.StageName == tollgate.DefaultStageName })
	return (a.CreateDefaultStage == nil || *a.CreateDefaultStage) && !declared
}

// routeMethods returns the methods of a route, one built route each: ANY
// for the $default route and for a route that lists none.
func routeMethods(rt HTTPRoute) []string {
	if rt.Path == tollgate.DefaultRouteKey || len(rt.Methods) == 0 {
		return []string{apigw.MethodAny}
	}
	return rt.Methods
}

func buildCORS(p *CORSPreflight) *tollgate.CORSConfiguration {
	if p == nil {
		return nil
	}
	c := &tollgate.CORSConfiguration{
		AllowOrigins:     slices.Clone(p.AllowOrigins),
		AllowMethods:     slices.Clone(p.AllowMethods),
		AllowHeaders:     slices.Clone(p.AllowHeaders),
		ExposeHeaders:    slices.Clone(p.ExposeHeaders),
		AllowCredentials: p.AllowCredentials,
	}
	if p.MaxAge != nil {
		c.MaxAge = ptrTo(int(*p.MaxAge / time.Second))
	}
	return c
}

func buildHTTPStage(st HTTPStage) tollgate.Stage {
	out := tollgate.Stage{Name: st.StageName}
	if len(st.StageVariables) > 0 {
		out.Variables = maps.Clone(st.StageVariables)
	}
	if t := st.Throttle; t != nil {
		out.RouteThrottle = throttle(t.RateLimit, cmp.Or(t.BurstLimit, apigw.DefaultBurst(t.RateLimit)))
	}
	if len(st.RouteThrottles) > 0 {
		out.RouteThrottles = make(map[string]tollgate.Throttle, len(st.RouteThrottles))
		for k, t := range st.RouteThrottles {
			out.RouteThrottles[k] = throttle(t.RateLimit, cmp.Or(t.BurstLimit, apigw.DefaultBurst(t.RateLimit)))
		}
	}
	return out
}

// buildHTTPAuthorizers builds the authorizers of an HTTP API by id. A JWT
// authorizer's IdentitySource is its one identity source; a REQUEST
// authorizer's are its IdentitySources.
func (c *Config) buildHTTPAuthorizers(a *HTTPAPI, ids objectIDs) (map[string]*tollgate.Authorizer, error) {
	out := map[string]*tollgate.Authorizer{}
	for _, au := range a.Authorizers {
		if out[au.ID] != nil {
			continue
		}
		ta := &tollgate.Authorizer{Name: au.ID, Type: tollgate.AuthorizerType(au.Type)}
		switch au.Type {
		case HTTPAuthorizerJWT:
			ta.IdentitySource = apigw.HTTPDefaultIdentitySource
			if len(au.IdentitySource) > 0 {
				ta.IdentitySource = au.IdentitySource[0]
			}
			iss := tollgate.JWTIssuer{Issuer: au.JWTIssuer, Audiences: slices.Clone(au.JWTAudience)}
			if au.UserPool != "" {
				id, ok := ids.PoolID(au.UserPool)
				if !ok {
					return nil, fmt.Errorf("config: API %s: authorizer %s names user pool %s, which has no id in the result of Apply", a.ID, au.ID, au.UserPool)
				}
				iss.PoolID = id
				for _, cl := range au.UserPoolClients {
					cid, ok := ids.ClientID(au.UserPool, cl)
					if !ok {
						return nil, fmt.Errorf("config: API %s: authorizer %s names client %s of pool %s, which has no id in the result of Apply", a.ID, au.ID, cl, au.UserPool)
					}
					iss.Audiences = append(iss.Audiences, cid)
				}
			}
			ta.JWT = &tollgate.JWTConfiguration{Issuers: []tollgate.JWTIssuer{iss}}
		default:
			ta.Function = c.functionName(au.Function)
			// As checked: the default filled, or none when the file
			// says [] (an authorizer that does not cache).
			if len(au.IdentitySource) > 0 {
				ta.IdentitySources = slices.Clone(au.IdentitySource)
			}
			ta.ResultTTL = tollgate.DefaultAuthorizerResultTTL
			if au.ResultsCacheTTL != nil {
				ta.ResultTTL = *au.ResultsCacheTTL
			}
			ta.SimpleResponses = slices.Contains(au.ResponseTypes, HTTPResponseSimple)
			ta.PayloadFormatVersion = au.PayloadFormatVersion
			if ta.PayloadFormatVersion == "" {
				ta.PayloadFormatVersion = apigw.PayloadFormat1
				if ta.SimpleResponses {
					ta.PayloadFormatVersion = apigw.PayloadFormat2
				}
			}
		}
		out[au.ID] = ta
	}
	return out, nil
}

// buildHTTPIntegration builds a route's integration with its defaults: an
// HTTP_PROXY integration's payload format is 1.0 and its method ANY (the
// request's), as CDK's HttpUrlIntegration writes them.
func (c *Config) buildHTTPIntegration(in *HTTPIntegration) tollgate.Integration {
	out := tollgate.Integration{
		Type:    tollgate.IntegrationType(in.Type),
		Timeout: cmp.Or(in.Timeout, tollgate.DefaultHTTPIntegrationTimeout),
	}
	switch in.Type {
	case IntegrationAWSProxy:
		out.Function = c.functionName(in.Function)
		out.PayloadFormatVersion = cmp.Or(in.PayloadFormatVersion, apigw.PayloadFormat2)
	case IntegrationHTTPProxy:
		out.URI = in.URL
		out.Method = cmp.Or(in.Method, apigw.MethodAny)
		out.PayloadFormatVersion = cmp.Or(in.PayloadFormatVersion, apigw.PayloadFormat1)
	}
	return out
}
