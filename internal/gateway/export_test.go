package gateway

// CacheStats returns the verification cache's counters, for tests.
func (g *Gateway) CacheStats() CacheStats { return g.cache.Stats() }

// Params returns the path parameters as a map, or nil when there are none.
func (m *Match) Params() map[string]string {
	if len(m.names) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.names))
	for i, n := range m.names {
		out[n] = m.values[i]
	}
	return out
}

// TokenEvent is tokenEvent, for the fuzz test.
var TokenEvent = tokenEvent

// Header returns the canonical name of the header the token is read from.
func (a *Authorizer) Header() string { return a.header }

// Header returns the canonical name of the header the token is read from.
func (a *JWTAuthorizer) Header() string { return a.header }

// MethodARN is buildMethodARN, for the policy tests.
var MethodARN = buildMethodARN
