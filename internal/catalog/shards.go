package catalog

// shardCount is how many maps the clients and the revoked tokens are split
// into. A change copies the one shard it touches (with 100k clients, about
// 400 entries) and the array of shard pointers, instead of a 100k-entry map:
// readers keep loading one immutable snapshot, lock-free, and a lookup pays
// one short hash of the key (BenchmarkApplyChange, BenchmarkGetClient).
const shardCount = 256

// shards is a map split by key hash into immutable parts: a snapshot's
// shards are never modified once published; a change builds new ones.
type shards[V any] [shardCount]map[string]V

// shardOf returns the shard of key: FNV-1a over its bytes, without
// allocating (the hot path looks up on every request).
func shardOf(key string) int {
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % shardCount)
}

func newShards[V any](sizeHint int) *shards[V] {
	s := new(shards[V])
	for i := range s {
		s[i] = make(map[string]V, sizeHint/shardCount)
	}
	return s
}

func (s *shards[V]) get(key string) (V, bool) {
	v, ok := s[shardOf(key)][key]
	return v, ok
}

// editor changes a copy of shards, copying each shard the first time it
// touches it, so that the original stays as readers see it.
type editor[V any] struct {
	next   *shards[V]
	copied [shardCount]bool
}

func edit[V any](s *shards[V]) *editor[V] {
	next := *s // the array of shard pointers: 2 KiB
	return &editor[V]{next: &next}
}

// shard returns shard i, copied for writing.
func (e *editor[V]) shard(i int) map[string]V {
	if !e.copied[i] {
		old := e.next[i]
		m := make(map[string]V, len(old)+1)
		for k, v := range old {
			m[k] = v
		}
		e.next[i] = m
		e.copied[i] = true
	}
	return e.next[i]
}

func (e *editor[V]) set(key string, v V) { e.shard(shardOf(key))[key] = v }

func (e *editor[V]) delete(key string) {
	i := shardOf(key)
	if _, ok := e.next[i][key]; ok {
		delete(e.shard(i), key)
	}
}

// deleteFunc deletes the entries for which drop is true, copying only the
// shards that have one.
func (e *editor[V]) deleteFunc(drop func(V) bool) {
	for i, m := range e.next {
		for k, v := range m {
			if drop(v) {
				delete(e.shard(i), k)
			}
		}
	}
}

// update replaces the entries for which f returns a new value and true.
func (e *editor[V]) update(f func(V) (V, bool)) {
	for i, m := range e.next {
		for k, v := range m {
			if nv, ok := f(v); ok {
				e.shard(i)[k] = nv
			}
		}
	}
}
