package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/server"
	"github.com/tollgate/tollgate/internal/vault"
)

// reloadSource is what a running server reads again on SIGHUP.
type reloadSource struct {
	configPath string
	template   templateFlags
	// watch reloads on a change to the file too (dev; see watchFile).
	watch bool
	// showKeyValues prints the values of API keys a reload generates
	// (dev); serve names them only (nameNewAPIKeys).
	showKeyValues bool
	// prepare, if set, fills in a config file's generated parts before
	// its checks (config.LoadWith): dev's client credentials.
	prepare func(*config.Config) error
}

// path is the config file or template reloaded, or "" for none.
func (s reloadSource) path() string {
	if s.configPath != "" {
		return s.configPath
	}
	return s.template.path
}

// reloader applies the config or template again and puts it in service
// (server.Server.Reload) on SIGHUP, or on a change to the file under dev.
// A config with problems, a refused prune or a failed apply is refused,
// with its problems logged, and the running config stays.
type reloader struct {
	a   *app
	st  tollgate.Store
	v   *vault.Vault
	f   serveFlags
	srv *server.Server
	log *slog.Logger
	// running is what the server serves: the APIs and functions a reload
	// is compared with, for its log line.
	running *applied
}

// watchInterval is how often dev looks at the config file for a change.
const watchInterval = 500 * time.Millisecond

// run reloads on each SIGHUP (hup) and, with the source's watch, on each
// change to it, one reload at a time, until ctx ends or the returned stop
// is called, which waits for a reload in progress.
func (rl *reloader) run(ctx context.Context, hup <-chan os.Signal) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	changed := make(chan struct{}, 1)
	done := make(chan struct{})
	src := rl.f.reload
	if src.watch && src.path() != "" {
		go watchFile(ctx, src.path(), watchInterval, changed)
	}
	go func() {
		defer close(done)
		for {
			var why string
			select {
			case <-ctx.Done():
				return
			case <-hup:
				why = "SIGHUP"
			case <-changed:
				why = "file changed"
			}
			rl.reload(ctx, why)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// reload reads the source again, applies it and puts it in service, or
// logs why not.
func (rl *reloader) reload(ctx context.Context, why string) {
	src := rl.f.reload
	path := src.path()
	if path == "" {
		rl.log.Info("reload: nothing to reload (no --config or --template)", "trigger", why)
		return
	}
	var cfg *config.Config
	var stack *stackRun
	var err error
	if src.configPath != "" {
		cfg, err = config.LoadWith(path, src.prepare)
	} else {
		stack, err = rl.a.readTemplate(src.template)
	}
	if err == nil {
		var ap *applied
		if ap, err = rl.a.apply(ctx, rl.st, rl.v, cfg, stack, rl.f, rl.log); err == nil {
			// The store holds the keys whatever serve says: dev shows
			// their values now or never; serve never does.
			if src.showKeyValues {
				printNewAPIKeys(rl.a.stdout, newAPIKeys(ap.res))
			} else {
				nameNewAPIKeys(rl.a.stdout, newAPIKeys(ap.res))
			}
			err = rl.serve(ap, path, why)
		}
	}
	if err != nil {
		rl.refused(path, why, err)
	}
}

// serve puts what a reload applied in service, and logs what changed.
func (rl *reloader) serve(ap *applied, path, why string) error {
	if _, err := rl.srv.Reload(ap.apis, ap.fns); err != nil {
		return &servingError{err}
	}
	oldRoutes, newRoutes := routeKeys(rl.running.apis), routeKeys(ap.apis)
	oldFns, newFns := functionNames(rl.running.fns), functionNames(ap.fns)
	changes := 0
	if ap.res != nil {
		changes = len(ap.res.Changes)
	}
	rl.log.Info("reloaded", "config", path, "trigger", why, "store_changes", changes,
		"apis", len(ap.apis), "routes", len(newRoutes), "functions", len(newFns),
		"routes_added", missingFrom(newRoutes, oldRoutes), "routes_removed", missingFrom(oldRoutes, newRoutes),
		"functions_added", missingFrom(newFns, oldFns), "functions_removed", missingFrom(oldFns, newFns))
	rl.running = ap
	return nil
}

// servingError: the config was applied to the store, but its APIs or
// functions could not be put in service.
type servingError struct{ err error }

func (e *servingError) Error() string { return e.err.Error() }
func (e *servingError) Unwrap() error { return e.err }

// refused logs a refused reload: each problem of the config at its
// file:line:col (as validate prints them), or what refused it.
func (rl *reloader) refused(path, why string, err error) {
	var probs config.Problems
	var pe *config.PruneError
	var se *servingError
	switch {
	case errors.As(err, &probs):
		for _, p := range probs {
			rl.log.Error("reload: config problem", "problem", p.String())
		}
		rl.log.Error("reload refused: the config has problems; still serving the previous one", "config", path, "trigger", why, "problems", len(probs))
	case errors.As(err, &pe):
		rl.log.Error("reload refused: the config no longer declares objects that hold secrets; declare them again, or restart with --prune to delete them; still serving the previous config",
			"config", path, "trigger", why, "refused", pe.Error())
	case errors.As(err, &se):
		rl.log.Error("reload: the config was applied to the store, but its APIs and functions could not be put in service; still serving the previous ones", "config", path, "trigger", why, "err", se.err)
	default:
		rl.log.Error("reload refused; still serving the previous config", "config", path, "trigger", why, "err", err)
	}
}

// routeKeys are an API set's routes as "API METHOD /path", sorted.
func routeKeys(apis []*tollgate.RestAPI) []string {
	var keys []string
	for _, api := range apis {
		for _, r := range api.Routes {
			keys = append(keys, api.ID+" "+r.Method+" "+r.ResourcePath)
		}
	}
	slices.Sort(keys)
	return keys
}

// functionNames are the functions' names, sorted.
func functionNames(fns []*tollgate.Function) []string {
	names := make([]string, len(fns))
	for i, fn := range fns {
		names[i] = fn.Name
	}
	slices.Sort(names)
	return names
}

// missingFrom returns the strings of a (sorted) that b (sorted) lacks.
func missingFrom(a, b []string) []string {
	out := []string{}
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
