package domain_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit/audittest"
	"github.com/tollgate/tollgate/internal/domain"
	"github.com/tollgate/tollgate/internal/store/sqlstore"
	"github.com/tollgate/tollgate/internal/store/storetest"
)

// TestAdminPassword pins the admin console's password: bounds, an
// argon2id hash at rest (never the password), a check that is false for a
// wrong password and when none is set, a generation that changes with the
// password, and the audit event without the password.
func TestAdminPassword(t *testing.T) {
	ctx := context.Background()
	domain.SetAdminPasswordCost(64, 1, 1) // the race detector makes the default cost take seconds
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	log := audittest.New(t)
	svc := domain.New(st, v, func() time.Time { return t0 }).WithAudit(log.Sink)

	if set, err := svc.AdminPasswordSet(ctx); err != nil || set {
		t.Fatalf("AdminPasswordSet before = %v, %v", set, err)
	}
	if ok, _, err := svc.CheckAdminPassword(ctx, "anything at all"); err != nil || ok {
		t.Fatalf("check with none set = %v, %v", ok, err)
	}
	if g, err := svc.AdminPasswordGen(ctx); err != nil || g != "" {
		t.Fatalf("gen with none set = %q, %v", g, err)
	}
	for _, bad := range []string{"", "short", "elevenchars", strings.Repeat("x", domain.AdminPasswordMaxBytes+1), "\xff\xfe" + strings.Repeat("a", 12)} {
		if err := svc.SetAdminPassword(ctx, bad); tollgate.KindOf(err) != tollgate.KindInvalid {
			t.Errorf("SetAdminPassword(%d bytes) = %v, want invalid", len(bad), err)
		}
	}
	// Twelve characters, not bytes.
	const pw = "correct horse battery"
	if err := svc.SetAdminPassword(ctx, "ééééééééééé"); tollgate.KindOf(err) != tollgate.KindInvalid {
		t.Errorf("11 characters accepted: %v", err)
	}
	if err := svc.SetAdminPassword(ctx, pw); err != nil {
		t.Fatal(err)
	}
	stored, err := st.GetSetting(ctx, tollgate.SettingAdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(stored), "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(string(stored), pw) {
		t.Errorf("stored = %q", stored)
	}
	if set, err := svc.AdminPasswordSet(ctx); err != nil || !set {
		t.Fatalf("AdminPasswordSet after = %v, %v", set, err)
	}
	ok, gen1, err := svc.CheckAdminPassword(ctx, pw)
	if err != nil || !ok || gen1 == "" {
		t.Fatalf("check right = %v %q %v", ok, gen1, err)
	}
	if g, _ := svc.AdminPasswordGen(ctx); g != gen1 {
		t.Errorf("AdminPasswordGen = %q, want %q", g, gen1)
	}
	for _, wrong := range []string{"", "correct horse batter", pw + " ", strings.Repeat("a", 5000)} {
		if ok, gen, err := svc.CheckAdminPassword(ctx, wrong); err != nil || ok || gen != "" {
			t.Errorf("check %q = %v %q %v", wrong, ok, gen, err)
		}
	}
	// Setting it again (even to the same password) changes the generation.
	if err := svc.SetAdminPassword(ctx, pw); err != nil {
		t.Fatal(err)
	}
	if _, gen2, _ := svc.CheckAdminPassword(ctx, pw); gen2 == gen1 || gen2 == "" {
		t.Errorf("gen after reset = %q, was %q", gen2, gen1)
	}

	evs, text := log.Maps(t), log.Text(t)
	if strings.Contains(text, pw) || strings.Contains(text, "argon2") {
		t.Errorf("audit carries the password or its hash: %s", text)
	}
	var ok2, failed int
	for _, ev := range evs {
		if ev["action"] != domain.ActionConsolePasswordSet {
			continue
		}
		switch ev["outcome"] {
		case "success":
			ok2++
		case "failure":
			failed++
		}
	}
	if ok2 != 2 || failed != 6 {
		t.Errorf("events: %d successes, %d failures; want 2, 6:\n%s", ok2, failed, text)
	}
}

// TestAccessKeyExists: a console session of a deleted key must end.
func TestAccessKeyExists(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	svc := domain.New(st, v, nil)
	k, _, err := svc.CreateAccessKey(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := svc.AccessKeyExists(ctx, k.ID); !ok || err != nil {
		t.Fatalf("exists = %v, %v", ok, err)
	}
	if err := svc.DeleteAccessKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := svc.AccessKeyExists(ctx, k.ID); ok || err != nil {
		t.Fatalf("exists after delete = %v, %v", ok, err)
	}
}

// TestEndConsoleSessions: signing out is stored (so it outlives the
// process and reaches every node sharing the store), per identity, and
// audited.
func TestEndConsoleSessions(t *testing.T) {
	ctx := context.Background()
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	log := audittest.New(t)
	now := t0.Add(1234 * time.Nanosecond)
	svc := domain.New(st, v, func() time.Time { return now }).WithAudit(log.Sink)
	if at, err := svc.ConsoleSessionsEnded(ctx, "admin"); err != nil || !at.IsZero() {
		t.Fatalf("before = %v, %v", at, err)
	}
	if err := svc.EndConsoleSessions(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	// Another service on the same store (another node, or a restart).
	other := domain.New(st, v, nil)
	if at, err := other.ConsoleSessionsEnded(ctx, "admin"); err != nil || !at.Equal(now) {
		t.Fatalf("after = %v, %v; want %v", at, err, now)
	}
	if at, err := other.ConsoleSessionsEnded(ctx, "AKIAOTHER"); err != nil || !at.IsZero() {
		t.Fatalf("other identity = %v, %v", at, err)
	}
	if err := svc.EndConsoleSessions(ctx, ""); tollgate.KindOf(err) != tollgate.KindInvalid {
		t.Errorf("empty identity: %v", err)
	}
	evs, text := log.Maps(t), log.Text(t)
	if len(evs) != 2 || evs[0]["action"] != domain.ActionConsoleSignOut || evs[0]["outcome"] != "success" {
		t.Errorf("events:\n%s", text)
	}
}

// TestCheckAdminPasswordUnsetIsCheap: with no password set the check
// answers at once, without hashing; once one is set, every check hashes
// (a wrong or an over-long password too: the same cost for each answer).
func TestCheckAdminPasswordUnsetIsCheap(t *testing.T) {
	domain.SetAdminPasswordCost(64, 1, 1)
	st, v := storetest.OpenSQLite(t, sqlstore.Open)
	svc := domain.New(st, v, nil)
	ctx := context.Background()
	hashes := domain.CountPasswordHashes(t)
	if ok, _, err := svc.CheckAdminPassword(ctx, "anything at all"); ok || err != nil {
		t.Fatalf("check = %v, %v", ok, err)
	}
	if n := hashes.Load(); n != 0 {
		t.Fatalf("the check with no password hashed %d times", n)
	}
	if err := svc.SetAdminPassword(ctx, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"correct horse battery", "wrong password here", strings.Repeat("x", domain.AdminPasswordMaxBytes+1)} {
		hashes.Store(0)
		if _, _, err := svc.CheckAdminPassword(ctx, pw); err != nil {
			t.Fatal(err)
		}
		if n := hashes.Load(); n != 1 {
			t.Errorf("a check of a %d-byte password hashed %d times, want 1", len(pw), n)
		}
	}
}
