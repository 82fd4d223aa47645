package function

import "testing"

// Runners given one User share its uids: the server's reload runs an old
// runner (finishing its invocations) beside the new one, and neither may
// give an instance a uid an instance of the other still runs as.
func TestUserIdentitiesShared(t *testing.T) {
	u := &User{Name: "200-202", UID: 200, GID: 200, Count: 3}
	old, next := u.identities(), u.identities()
	a, err := old.take()
	if err != nil {
		t.Fatal(err)
	}
	b, err := next.take()
	if err != nil || b.uid == a.uid {
		t.Fatalf("two runners of one user took %v and %v (%v)", a, b, err)
	}
	if _, err := next.take(); err == nil {
		t.Fatal("a third instance got a uid of a range of two instance uids")
	}
}
