package server

import (
	"cmp"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/console"
	"github.com/tollgate/tollgate/internal/reqlog"
)

// buildConsole builds the admin console (Options.Console) over the
// server, and the log of recent requests it shows.
func (s *Server) buildConsole() error {
	if s.opts.Console == nil {
		// No reader: the access log records nothing (s.requests nil).
		return nil
	}
	s.requests = reqlog.New(0)
	h, err := s.opts.Console(s)
	if err != nil {
		return err
	}
	s.console = h
	return nil
}

// consolePath is where the console is mounted.
func (s *Server) consolePath() string {
	return strings.TrimSuffix(cmp.Or(s.opts.ConsolePath, console.DefaultPath), "/")
}

// withConsole serves the console at its path, and everything else with
// h. (Before the mux: a console path like /console/.well-known/jwks.json
// would otherwise be a pool's JWKS.) The console answers only on hosts
// that are its own (consoleHost): a page of another site whose name
// resolves to this server (DNS rebinding) gets 421, as do pools' and
// APIs' domains.
func (s *Server) withConsole(h http.Handler) http.Handler {
	if s.console == nil {
		return h
	}
	p := s.consolePath()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != p && !strings.HasPrefix(r.URL.Path, p+"/") {
			h.ServeHTTP(w, r)
			return
		}
		if !s.consoleHost(r.Host) {
			http.Error(w, "The admin console answers on this server's own addresses only: its public URL's host, localhost or an IP address.", http.StatusMisdirectedRequest)
			return
		}
		s.console.ServeHTTP(w, r)
	})
}

// consoleHost reports whether host (a request's Host) is one the console
// answers on: an IP address, localhost, or the public URL's host. A name
// an attacker controls is none of them, so a browser sent here by DNS
// rebinding is refused before any page or sign-in.
func (s *Server) consoleHost(host string) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.Trim(name, "[]"), ".")
	if _, err := netip.ParseAddr(name); err == nil {
		return true
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	if u, err := url.Parse(s.publicURL); err == nil && u.Hostname() != "" && strings.EqualFold(name, u.Hostname()) {
		return true
	}
	return false
}

// stripConsoleCookies removes the console's cookies from a request the
// gateway passes on, when the console shares the main listeners' origin
// (--console main): an integration never sees an operator's session.
// Every other cookie goes on byte for byte (a parse and re-encode would
// drop or change values net/http finds invalid).
func stripConsoleCookies(r *http.Request) {
	vals := r.Header["Cookie"]
	found := false
	for _, v := range vals {
		if strings.Contains(v, console.CookieName) {
			found = true
			break
		}
	}
	if !found {
		return
	}
	kept := vals[:0:0]
	for _, v := range vals {
		var pieces []string
		for piece := range strings.SplitSeq(v, ";") {
			name, _, _ := strings.Cut(piece, "=")
			if console.IsCookie(strings.TrimSpace(name)) {
				continue
			}
			pieces = append(pieces, piece)
		}
		if line := strings.TrimSpace(strings.Join(pieces, ";")); line != "" {
			kept = append(kept, line)
		}
	}
	if len(kept) == 0 {
		r.Header.Del("Cookie")
		return
	}
	r.Header["Cookie"] = kept
}

// ConsoleURL returns the console's URL ("" without one): on the admin
// listener, or the public URL's path.
func (s *Server) ConsoleURL() string {
	if s.console == nil {
		return ""
	}
	if s.opts.ConsoleOnMain {
		return s.publicURL + s.consolePath() + "/"
	}
	if s.adminLn == nil {
		return ""
	}
	return "http://" + s.adminLn.Addr().String() + s.consolePath() + "/"
}

// Requests is this node's log of recent requests (console.Backend).
func (s *Server) Requests() *reqlog.Log { return s.requests }

// ConsoleAPIs returns the APIs of the deployment in service, with the
// URLs their stages are reached at (console.Backend).
func (s *Server) ConsoleAPIs() []console.API {
	d := s.acquire()
	defer d.release()
	out := make([]console.API, 0, len(d.apiList))
	for _, api := range d.apiList {
		out = append(out, console.API{RestAPI: api, BaseURLs: s.stageURLs(api), Source: s.opts.ConsoleAPISource})
	}
	return out
}

// stageURLs are the path-style URLs of api's stages on the public URL.
func (s *Server) stageURLs(api *tollgate.RestAPI) map[string]string {
	urls := make(map[string]string, len(api.Stages))
	for _, st := range api.Stages {
		if api.IsHTTP() && st.Name == tollgate.DefaultStageName {
			urls[st.Name] = s.publicURL + "/apis/" + api.ID
			continue
		}
		urls[st.Name] = s.publicURL + "/apis/" + api.ID + "/" + url.PathEscape(st.Name)
	}
	return urls
}
