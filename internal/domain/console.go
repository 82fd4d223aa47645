package domain

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// ActionConsolePasswordSet is the audited action of setting the admin
// console's password (the event never carries the password).
const ActionConsolePasswordSet = "console.password.set"

// Bounds of the admin password: long enough to resist guessing, short
// enough that hashing it costs a bounded time.
const (
	AdminPasswordMinChars = 12
	AdminPasswordMaxBytes = 1024
)

// argon2id parameters of new hashes (OWASP's m=19 MiB, t=2, p=1: the
// console checks at most two passwords at once, so sign-in costs at most
// 38 MiB); a stored hash keeps its own parameters in its PHC string, so
// older hashes (m=64 MiB, p=2) still verify.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// SetAdminPassword sets (or replaces) the admin console's password,
// stored as an argon2id hash with a random salt. A password shorter than
// AdminPasswordMinChars characters or longer than AdminPasswordMaxBytes
// bytes is refused (KindInvalid). Sessions signed in with the old
// password end: their generation (CheckAdminPassword) no longer matches.
func (s *Service) SetAdminPassword(ctx context.Context, pw string) (err error) {
	defer func() { s.record(ctx, audit.Event{Action: ActionConsolePasswordSet}, err) }()
	if err := checkAdminPassword(pw); err != nil {
		return err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	return s.st.PutSetting(ctx, tollgate.SettingAdminPassword, []byte(hashPassword(pw, salt, currentCost())))
}

// idKey is argon2.IDKey; tests count the hashes through it.
var idKey = argon2.IDKey

// cost is the argon2id cost of new hashes (SetAdminPasswordCost).
var cost struct {
	sync.Mutex
	p argonParams
}

// SetAdminPasswordCost sets the argon2id cost of the admin passwords set
// from now on (memory in KiB, iterations, threads); stored hashes keep
// theirs. It is for tests, where the race detector makes each default hash
// take seconds; production keeps the defaults.
func SetAdminPasswordCost(memoryKiB, iterations uint32, threads uint8) {
	cost.Lock()
	defer cost.Unlock()
	cost.p = argonParams{time: iterations, memory: memoryKiB, threads: threads}
}

func currentCost() argonParams {
	cost.Lock()
	defer cost.Unlock()
	if cost.p.time == 0 {
		return argonParams{argonTime, argonMemory, argonThreads}
	}
	return cost.p
}

func checkAdminPassword(pw string) error {
	switch {
	case len(pw) > AdminPasswordMaxBytes:
		return tollgate.Errorf(tollgate.KindInvalid, "the password is longer than %d bytes", AdminPasswordMaxBytes)
	case !utf8.ValidString(pw):
		return tollgate.Errorf(tollgate.KindInvalid, "the password is not valid UTF-8")
	case utf8.RuneCountInString(pw) < AdminPasswordMinChars:
		return tollgate.Errorf(tollgate.KindInvalid, "the password must have at least %d characters", AdminPasswordMinChars)
	}
	return nil
}

// AdminPasswordSet reports whether the admin console has a password.
func (s *Service) AdminPasswordSet(ctx context.Context) (bool, error) {
	_, err := s.st.GetSetting(ctx, tollgate.SettingAdminPassword)
	if tollgate.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// CheckAdminPassword reports whether pw is the admin console's password,
// comparing hashes in constant time; false at once, without hashing,
// when none is set (whether one is set is no secret: the sign-in page
// says so). gen names the stored hash (a short digest of it, not of the
// password): a session keeps it and ends when it changes, that is when
// the password is set again.
func (s *Service) CheckAdminPassword(ctx context.Context, pw string) (ok bool, gen string, err error) {
	stored, err := s.st.GetSetting(ctx, tollgate.SettingAdminPassword)
	if tollgate.IsNotFound(err) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	p, salt, want, perr := parseHash(string(stored))
	if perr != nil {
		return false, "", fmt.Errorf("console admin password: %w", perr)
	}
	if len(pw) > AdminPasswordMaxBytes {
		pw = "" // still hash: the same cost for every wrong answer
	}
	got := idKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(want))) //nolint:gosec // parseHash bounds it to 16..64
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, "", nil
	}
	return true, passwordGen(stored), nil
}

// AdminPasswordGen returns the generation of the stored admin password
// (as CheckAdminPassword does), "" when none is set: a cheap read for a
// session to check on each request.
func (s *Service) AdminPasswordGen(ctx context.Context) (string, error) {
	stored, err := s.st.GetSetting(ctx, tollgate.SettingAdminPassword)
	if tollgate.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return passwordGen(stored), nil
}

// AccessKeyExists reports whether the access key id is stored: a cheap
// read, for a console session of that key to end once it is deleted.
func (s *Service) AccessKeyExists(ctx context.Context, id string) (bool, error) {
	_, err := s.st.GetAccessKey(ctx, id)
	if tollgate.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func passwordGen(stored []byte) string {
	sum := sha256.Sum256(stored)
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

type argonParams struct {
	time, memory uint32
	threads      uint8
}

// hashPassword returns pw's argon2id hash in the PHC string format.
func hashPassword(pw string, salt []byte, p argonParams) string {
	key := idKey([]byte(pw), salt, p.time, p.memory, p.threads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// parseHash reads a hash of hashPassword, with bounds on its parameters
// (a stored value is trusted, but not to cost unbounded memory).
func parseHash(h string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("argon2 version %q unknown", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 parameters %q: %w", parts[3], err)
	}
	if p.memory < 8 || p.memory > 1<<22 || p.time < 1 || p.time > 64 || p.threads < 1 {
		return p, nil, nil, fmt.Errorf("argon2 parameters %q out of bounds", parts[3])
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 salt: %w", err)
	}
	if key, err = enc.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, fmt.Errorf("argon2 hash malformed")
	}
	return p, salt, key, nil
}

// ActionConsoleSignOut is the audited action of ending an identity's
// console sessions (EndConsoleSessions).
const ActionConsoleSignOut = "console.signout"

// consoleSessionsAfter is the setting, per identity, of when its console
// sessions were last ended: sessions issued until then are refused.
func consoleSessionsAfter(identity string) string {
	return tollgate.SettingConsoleSessionsAfter + identity
}

// EndConsoleSessions ends every console session of identity (an access
// key id, or "admin") issued until now, on every node sharing the store,
// and across restarts: it stores the time (RFC 3339, nanoseconds) that
// ConsoleSessionsEnded reads on each request. It is audited as
// console.signout.
func (s *Service) EndConsoleSessions(ctx context.Context, identity string) (err error) {
	defer func() { s.record(ctx, audit.Event{Action: ActionConsoleSignOut}, err) }()
	if identity == "" {
		return tollgate.Errorf(tollgate.KindInvalid, "no identity to sign out")
	}
	return s.st.PutSetting(ctx, consoleSessionsAfter(identity), []byte(s.clock().Format(time.RFC3339Nano)))
}

// ConsoleSessionsEnded returns when the console sessions of identity
// were last ended (EndConsoleSessions), or the zero time: a session
// issued until then is no longer valid. One small read.
func (s *Service) ConsoleSessionsEnded(ctx context.Context, identity string) (time.Time, error) {
	b, err := s.st.GetSetting(ctx, consoleSessionsAfter(identity))
	if tollgate.IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("console sessions of %q: %w", identity, err)
	}
	return t, nil
}
