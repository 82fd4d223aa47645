package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"github.com/tollgate/tollgate"
)

// record writes ch to the change feed under generation gen, inside the
// writing transaction, and has the database notify its listeners at commit.
func (s *Store) record(ctx context.Context, tx *sql.Tx, gen int64, ch tollgate.Change) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (gen, seq, kind, id, pool_id) VALUES ($1, 0, $2, $3, $4)`,
		gen, string(ch.Kind), ch.ID, ch.PoolID); err != nil {
		return fmt.Errorf("record change: %w", err)
	}
	return s.d.notify(ctx, tx, gen)
}

// Changes returns the changes committed after generation since (see
// tollgate.Store).
//
// The generation is read first, and only the changes up to it are
// returned: every write up to it has committed (writers are serialised on
// the generation row), so none is missing, and a write committing during
// the read is left for the next call. The trim floor is read again after
// the changes: a trim that ran in between may have removed some, and the
// reader is then told TooOld, as it is when a generation in the range has
// no change recorded.
func (s *Store) Changes(ctx context.Context, since int64) (tollgate.ChangeSet, error) {
	gen, floor, err := s.feedBounds(ctx)
	if err != nil {
		return tollgate.ChangeSet{}, err
	}
	switch {
	case since == gen:
		return tollgate.ChangeSet{Gen: gen}, nil
	case since < floor || since > gen: // trimmed, or a reader ahead of the store (recreated): reload
		return tollgate.ChangeSet{Gen: gen, TooOld: true}, nil
	}
	changes, err := queryAll(ctx, s.read, "read changes", scanChange,
		`SELECT gen, kind, id, pool_id FROM changes WHERE gen > $1 AND gen <= $2 ORDER BY gen, seq`, since, gen)
	if err != nil {
		return tollgate.ChangeSet{}, err
	}
	if _, floor, err = s.feedBounds(ctx); err != nil {
		return tollgate.ChangeSet{}, err
	}
	if since < floor || !everyGeneration(changes, since, gen) {
		return tollgate.ChangeSet{Gen: gen, TooOld: true}, nil
	}
	return tollgate.ChangeSet{Changes: changes, Gen: gen}, nil
}

// everyGeneration reports whether changes record every generation in
// (since, gen]. Every write records at least one change, so a generation
// without any was written by something that does not record them (a node
// of a version before the feed, during a rolling upgrade): the reader
// cannot know what it changed and reloads everything.
func everyGeneration(changes []tollgate.Change, since, gen int64) bool {
	seen := int64(0)
	last := since
	for _, c := range changes {
		if c.Gen != last {
			seen++
			last = c.Gen
		}
	}
	return seen == gen-since
}

// feedBounds reads the generation and the trim floor of the change feed.
func (s *Store) feedBounds(ctx context.Context) (gen, floor int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT value, changes_floor FROM generation WHERE id = 1`).Scan(&gen, &floor)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlstore: read generation: %w", err)
	}
	return gen, floor, nil
}

func scanChange(sc scanner) (tollgate.Change, error) {
	var (
		c    tollgate.Change
		kind string
	)
	err := sc.Scan(&c.Gen, &kind, &c.ID, &c.PoolID)
	c.Kind = tollgate.ChangeKind(kind)
	return c, err
}

// TrimChanges forgets the changes up to generation upTo and raises the
// trim floor to it, in one transaction. It does not move the generation:
// nothing a reader holds changed.
func (s *Store) TrimChanges(ctx context.Context, upTo int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE generation SET changes_floor = $1 WHERE id = 1 AND changes_floor < $1`, upTo); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM changes WHERE gen <= $1`, upTo)
		return err
	})
	return wrap(err, "trim changes")
}

// listenRetry is how long ListenChanges waits before listening again after
// it lost its connection.
const listenRetry = time.Second

// ListenChanges implements tollgate.ChangeNotifier. This handle's own
// commits are told at once, in process; on PostgreSQL a connection of its
// own LISTENs for every process's commits (NOTIFY, sent at commit by each
// write), and is opened again a second after it fails. It returns nil when
// ctx ends.
//
// notify(nil) follows a commit, perhaps once for several, and each
// (re)connection, after which the caller reads the feed since
// notifications sent while it was not listening are lost; notify(err)
// reports a lost connection.
func (s *Store) ListenChanges(ctx context.Context, notify func(error)) error {
	remove := s.listeners.add(notify)
	defer remove()
	for {
		err := s.d.listen(ctx, s.dsn, notify)
		if ctx.Err() != nil {
			return nil //nolint:nilerr // the caller ended it
		}
		if err != nil {
			notify(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(listenRetry):
		}
	}
}

// listeners are the functions a Store tells of its own commits.
type listeners struct {
	mu sync.Mutex
	fs map[*func(error)]struct{}
}

// add registers f and returns what unregisters it.
func (l *listeners) add(f func(error)) (remove func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fs == nil {
		l.fs = map[*func(error)]struct{}{}
	}
	key := &f
	l.fs[key] = struct{}{}
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.fs, key)
	}
}

// committed tells the listeners that this handle committed a write.
func (s *Store) committed() {
	s.listeners.mu.Lock()
	defer s.listeners.mu.Unlock()
	for f := range s.listeners.fs {
		(*f)(nil)
	}
}
