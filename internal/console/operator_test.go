package console

import (
	"context"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
)

// storeOperator stores an access key of id, so that a console session
// signed in as id (by the sign-in link) lives: a session ends when its
// access key is deleted.
func storeOperator(t *testing.T, st tollgate.Store, id string) {
	t.Helper()
	err := st.CreateAccessKey(context.Background(), &tollgate.AccessKey{ID: id, Description: "console test", Sealed: []byte("not a secret"), CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
}
