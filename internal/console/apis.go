package console

// routesAPIs registers this area's pages.
func (c *Console) routesAPIs() {}
