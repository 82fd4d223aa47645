package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/function"
	"github.com/tollgate/tollgate/internal/gateway"
	"github.com/tollgate/tollgate/internal/jwks"
)

// A deployment is what a config puts in service: the gateway of its REST
// APIs with their integrations, the function runner, the Invoke API over
// that runner and the certificate files of the APIs' custom domains. The
// server serves one at a time (Server.dep) and Reload swaps in another
// without closing a listener. A request holds the deployment it started on
// until it ends (acquire, release), so that a swap never pulls a runner
// from under an invocation: a retired deployment is shut down once the
// last request holding it has ended.
type deployment struct {
	gateway *gateway.Gateway
	runner  *function.Runner
	// invoke is the Invoke API by listener ("main", "admin"); nil without
	// functions, when its path falls through to the listener's routes.
	invoke map[string]http.Handler
	// certFiles are the certificate and key files of the APIs' custom
	// domain names, by lowercase host.
	certFiles map[string][2]string
	apiList   []*tollgate.RestAPI // the APIs, for the console
	apis      int                 // how many APIs, routes and functions, for the log
	routes    int
	functions int

	// refs counts the requests holding the deployment; once retired is set
	// and refs is zero, drained is closed (once).
	refs    atomic.Int64
	retired atomic.Bool
	drain   sync.Once
	drained chan struct{}
	stop    context.CancelFunc // ends what start started; nil before
}

// deploy builds the deployment of apis and fns. It starts nothing: no
// function instance runs before its first invocation, and the gateway's
// fetches of external keys begin with start.
func (s *Server) deploy(apis []*tollgate.RestAPI, fns []*tollgate.Function) (*deployment, error) {
	r, err := function.New(function.Options{
		Functions:   fns,
		IdleTimeout: s.opts.FunctionIdleTimeout,
		User:        s.opts.FunctionUser,
		Now:         s.opts.Now,
		Logger:      s.opts.Logger,
	})
	if err != nil {
		return nil, err
	}
	d := &deployment{runner: r, drained: make(chan struct{}), apiList: apis, apis: len(apis), functions: len(fns)}
	if d.gateway, err = s.newGateway(apis, r); err != nil {
		r.Close()
		return nil, err
	}
	if len(fns) > 0 {
		d.invoke = map[string]http.Handler{}
		for _, listener := range []string{"main", "admin"} {
			d.invoke[listener] = r.InvokeHandler(s.invokeAuthenticator(listener))
		}
	}
	d.certFiles = map[string][2]string{}
	for _, api := range apis {
		d.routes += len(api.Routes)
		for _, dn := range api.DomainNames {
			if dn.CertFile != "" {
				h := strings.ToLower(strings.TrimSuffix(dn.DomainName, "."))
				d.certFiles[h] = [2]string{dn.CertFile, dn.KeyFile}
			}
		}
	}
	return d, nil
}

// previousJWKS returns the external issuers' key fetcher of the deployment
// in service, nil before the first: the next deployment's gateway starts
// with the keys it holds (jwks.Options.Previous), so that an issuer down
// during a reload does not make its valid tokens fail.
func (s *Server) previousJWKS() *jwks.Fetcher {
	if d := s.dep.Load(); d != nil {
		return d.gateway.JWKS()
	}
	return nil
}

// start starts the deployment's background work (the gateway's key
// fetches, the runner's reaper of idle instances) until ctx ends or the
// deployment is closed.
func (d *deployment) start(ctx context.Context) {
	ctx, d.stop = context.WithCancel(ctx)
	d.gateway.Start(ctx)
	d.runner.Start(ctx)
}

// close stops the deployment's instances (waiting for them to exit) and
// its background work.
func (d *deployment) close() {
	d.runner.Close()
	if d.stop != nil {
		d.stop()
	}
}

// acquire returns the deployment in service, held until release. A
// request that loads a deployment being swapped out counts itself on it,
// finds it is no longer the one in service, and takes the new one instead:
// Reload retires the old one after the swap, so either Reload sees this
// request's count or the request sees the swap (sequentially consistent
// atomics), and a retired deployment never gains a request.
func (s *Server) acquire() *deployment {
	for {
		d := s.dep.Load()
		d.refs.Add(1)
		if s.dep.Load() == d {
			return d
		}
		d.release()
	}
}

// release ends a request's hold on d.
func (d *deployment) release() {
	if d.refs.Add(-1) == 0 && d.retired.Load() {
		d.drain.Do(func() { close(d.drained) })
	}
}

// serve serves a gateway request on d and releases it (also if the
// request panics: net/http recovers it).
func (d *deployment) serve(w http.ResponseWriter, r *http.Request) {
	defer d.release()
	d.gateway.ServeHTTP(w, r)
}

// retire marks d out of service: drained is closed once no request holds
// it.
func (d *deployment) retire() {
	d.retired.Store(true)
	if d.refs.Load() == 0 {
		d.drain.Do(func() { close(d.drained) })
	}
}

// ReloadSummary says what a Reload put in service.
type ReloadSummary struct {
	APIs, Routes, Functions int
}

// errServerStopped: Reload after Serve returned.
var errServerStopped = errors.New("server: stopped")

// Reload puts apis and fns in service in place of the running ones,
// without closing a listener or failing a request: requests that started
// before it finish on what they started on, and a function instance
// serving one of them is stopped once the last of them has ended (at the
// latest when Serve returns). The verification cache is kept (its entries
// are keyed by the authorizer's issuers, so a changed authorizer does not
// reuse them). On an error, which names every problem of apis at once as
// New does, nothing changes. Reloads are serialized.
func (s *Server) Reload(apis []*tollgate.RestAPI, fns []*tollgate.Function) (ReloadSummary, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.stopped {
		return ReloadSummary{}, errServerStopped
	}
	d, err := s.deploy(apis, fns)
	if err != nil {
		return ReloadSummary{}, err
	}
	if s.runCtx != nil {
		d.start(s.runCtx)
	}
	old := s.dep.Swap(d)
	s.certs.reset() // a renewed certificate file is read again
	old.retire()
	s.retiring.Add(1)
	go func() {
		defer s.retiring.Done()
		select {
		case <-old.drained:
		case <-s.stopping:
		}
		old.close()
	}()
	return ReloadSummary{APIs: d.apis, Routes: d.routes, Functions: d.functions}, nil
}

// startDeployment starts the deployment in service for Serve's run, and
// those Reload installs from then on.
func (s *Server) startDeployment(ctx context.Context) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.runCtx = ctx
	s.dep.Load().start(ctx)
}

// stopDeployments closes the deployment in service and every retired one
// still draining, once Serve's listeners have shut down; Reload refuses
// from then on. It runs once.
func (s *Server) stopDeployments() {
	s.reloadMu.Lock()
	if s.stopped {
		s.reloadMu.Unlock()
		return
	}
	s.stopped = true
	close(s.stopping)
	s.reloadMu.Unlock()
	s.retiring.Wait()
	s.dep.Load().close()
}

// Close releases what New made (the function runner's runtime directory)
// and the listeners, for a Server whose Serve did not run or failed to
// start; Serve cleans up itself when it returns, and Close after it does
// nothing more.
func (s *Server) Close() {
	s.stopDeployments()
	s.closeListeners()
}
