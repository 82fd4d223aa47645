package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// testAccessKeys checks the management API's access keys: create, get,
// list (oldest first), delete, conflicts, not found, and that each write
// moves the generation.
func testAccessKeys(t *testing.T, s tollgate.Store) {
	ctx := context.Background()
	list, err := s.ListAccessKeys(ctx)
	wantNoError(t, "ListAccessKeys of an empty store", err)
	wantEqual(t, "ListAccessKeys of an empty store", list, []*tollgate.AccessKey{})

	older := &tollgate.AccessKey{ID: tollgate.NewAccessKeyID(), Description: "ci", Sealed: []byte("sealed 1"), CreatedAt: at(time.Minute)}
	newer := &tollgate.AccessKey{ID: tollgate.NewAccessKeyID(), Sealed: []byte("sealed 2"), CreatedAt: at(time.Hour)}
	before, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	for _, k := range []*tollgate.AccessKey{newer, older} {
		wantNoError(t, "CreateAccessKey "+k.ID, s.CreateAccessKey(ctx, k))
	}
	after, err := s.Generation(ctx)
	wantNoError(t, "Generation", err)
	if after <= before {
		t.Errorf("CreateAccessKey: generation went from %d to %d, want it to grow", before, after)
	}

	getAccessKeyCopies(t, s, older)

	list, err = s.ListAccessKeys(ctx)
	wantNoError(t, "ListAccessKeys", err)
	wantEqual(t, "ListAccessKeys (oldest first)", list, []*tollgate.AccessKey{older, newer})

	dup := *newer
	dup.Description = "again"
	wantKind(t, "CreateAccessKey with a taken id", s.CreateAccessKey(ctx, &dup), tollgate.KindConflict)
	_, err = s.GetAccessKey(ctx, "AKIAAAAAAAAAAAAAAAAA")
	wantKind(t, "GetAccessKey of an unknown key", err, tollgate.KindNotFound)

	before = after
	wantNoError(t, "DeleteAccessKey", s.DeleteAccessKey(ctx, older.ID))
	after, err = s.Generation(ctx)
	wantNoError(t, "Generation", err)
	if after <= before {
		t.Errorf("DeleteAccessKey: generation went from %d to %d, want it to grow", before, after)
	}
	_, err = s.GetAccessKey(ctx, older.ID)
	wantKind(t, "GetAccessKey after DeleteAccessKey", err, tollgate.KindNotFound)
	wantKind(t, "DeleteAccessKey again", s.DeleteAccessKey(ctx, older.ID), tollgate.KindNotFound)
	list, err = s.ListAccessKeys(ctx)
	wantNoError(t, "ListAccessKeys after delete", err)
	wantEqual(t, "ListAccessKeys after delete", list, []*tollgate.AccessKey{newer})
}

// getAccessKeyCopies checks that GetAccessKey returns k, as a copy.
func getAccessKeyCopies(t *testing.T, s tollgate.Store, k *tollgate.AccessKey) {
	ctx := context.Background()
	got, err := s.GetAccessKey(ctx, k.ID)
	wantNoError(t, "GetAccessKey", err)
	wantEqual(t, "GetAccessKey", got, k)
	got.Sealed[0] = 'X' // a copy: the store's value stays as written
	got, err = s.GetAccessKey(ctx, k.ID)
	wantNoError(t, "GetAccessKey again", err)
	wantEqual(t, "GetAccessKey after modifying a returned copy", got, k)
}
