package console

// routesTry registers this area's pages.
func (c *Console) routesTry() {}
