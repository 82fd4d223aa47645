package gateway

// CacheStats returns the verification cache's counters, for tests.
func (g *Gateway) CacheStats() CacheStats { return g.cache.Stats() }
