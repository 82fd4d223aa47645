package console

// routesAPIKeys registers this area's pages.
func (c *Console) routesAPIKeys() {}
