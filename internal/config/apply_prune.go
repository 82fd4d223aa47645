package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/tollgate/tollgate"
)

// Pruned is a planned deletion of an object that holds secrets: a client
// with secrets, a pool with clients, or an API key (whose value third
// parties hold), whose deletion takes their ids and
// secrets, and the pool's signing keys, with it. None of it can be made
// again: a new client gets a new id and secret, a new pool new keys.
type Pruned struct {
	Change
	// Secrets is how many secrets a client has.
	Secrets int
	// Clients is how many clients a pool has, config-owned or not, and
	// SecretClients how many of them have secrets.
	Clients, SecretClients int
}

// String describes the deletion, e.g. "client config:orders/UserPool/App
// (4nlh1vtj8cfq2pgmq8ktbmn4uk) with 1 secret" or "pool
// config:orders/UserPool (us-east-1_AbC) with 2 clients (1 with secrets)".
// It never holds a secret.
func (p Pruned) String() string {
	s := fmt.Sprintf("%s %s (%s) with ", p.Object, p.Key, p.ID)
	if p.Object == ObjectAPIKey {
		return s + "its value"
	}
	if p.Object == ObjectPool {
		return s + fmt.Sprintf("%s (%d with secrets)", plural(p.Clients, "client"), p.SecretClients)
	}
	return s + plural(p.Secrets, "secret")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// PruneError is Apply's refusal to delete objects of the config's own that
// it no longer declares and that hold secrets, when ApplyOptions.Prune is
// not set. Nothing was written. A removal from a config file may be a
// slip (an edit in the wrong file, a file named like another config), and
// what it deletes cannot be made again, so it is listed first and done
// only when asked.
type PruneError struct {
	// Config is the config's name, and File the file it was read from.
	Config, File string
	// Objects are the deletions refused, in the order Apply would make
	// them.
	Objects []Pruned
}

func (e *PruneError) Error() string {
	lines := make([]string, len(e.Objects))
	for i, o := range e.Objects {
		lines[i] = "delete " + o.String()
	}
	from := ""
	if e.File != "" {
		from = " (" + e.File + ")"
	}
	return fmt.Sprintf("config %q%s no longer declares %s holding secrets, and pruning was not allowed; nothing was changed:\n\t%s",
		e.Config, from, plural(len(e.Objects), "object"), strings.Join(lines, "\n\t"))
}

// guardClient records the planned deletion of a client of a config file
// if it has secrets. A stack's deletions are not guarded: a stack update
// deletes what its template drops.
func (p *planner) guardClient(c Change, stored *tollgate.Client) {
	if p.owner.config && len(stored.Secrets) > 0 {
		p.pruned = append(p.pruned, Pruned{Change: c, Secrets: len(stored.Secrets)})
	}
}

// guardPool records the planned deletion of a pool of a config file if it
// has clients: its own, or ones made by hand, which go with it.
func (p *planner) guardPool(ctx context.Context, c Change) error {
	if !p.owner.config {
		return nil
	}
	clients, err := p.st.ListClients(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("reading the store: %w", err)
	}
	if len(clients) == 0 {
		return nil
	}
	pr := Pruned{Change: c, Clients: len(clients)}
	for _, cl := range clients {
		if len(cl.Secrets) > 0 {
			pr.SecretClients++
		}
	}
	p.pruned = append(p.pruned, pr)
	return nil
}
