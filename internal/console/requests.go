package console

// routesRequests registers this area's pages.
func (c *Console) routesRequests() {}
