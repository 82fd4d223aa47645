package console

// routesClients registers this area's pages.
func (c *Console) routesClients() {}
