package console

// routesPools registers this area's pages.
func (c *Console) routesPools() {}
