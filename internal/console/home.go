package console

import "net/http"

// routesHome registers the overview.
func (c *Console) routesHome() {
	c.handle("GET /{$}", c.home)
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "home", Page{Title: "Overview", Nav: "home"})
}
