package domain

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/audit"
)

// customSecretPattern is what Cognito accepts as a client secret the caller
// chooses: 24 to 64 letters, digits, _ and +.
var customSecretPattern = regexp.MustCompile(`^[\w+]{24,64}$`)

// Errors that refuse a change to a client's secrets, as causes of a
// *tollgate.Error.
var (
	// ErrBadSecret: a chosen secret that is not 24 to 64 letters,
	// digits, _ and +.
	ErrBadSecret = errors.New("malformed client secret")
	// ErrNoSecretToRotate: a secret added to a client created without one.
	ErrNoSecretToRotate = errors.New("the client has no secret")
	// ErrNoSuchSecret: a secret id the client does not have.
	ErrNoSuchSecret = errors.New("no such secret")
	// ErrLastSecret: deleting a client's only secret (the store's cause).
	ErrLastSecret = tollgate.ErrLastSecret
)

// choose returns the given secret, checked, or a fresh one.
func (s *Service) choose(given string) (string, error) {
	if given == "" {
		return tollgate.NewClientSecret(), nil
	}
	if !customSecretPattern.MatchString(given) {
		return "", refused(tollgate.KindInvalid, ErrBadSecret, "a client secret must be 24 to 64 characters of letters, digits, _ and +")
	}
	return given, nil
}

// AddClientSecret adds a secret to a client that has one already, for
// rotation without downtime: a fresh one, or given when not empty. A
// client a config declares may rotate its secrets too: they are not
// declared values. It returns the stored secret and its plaintext.
func (s *Service) AddClientSecret(ctx context.Context, c *tollgate.Client, given string) (cs tollgate.ClientSecret, _ string, err error) {
	defer func() {
		ev := audit.Event{Action: ActionSecretAdd, Target: clientTarget(c)}
		ev.SecretID = cs.ID // empty on a refusal
		s.record(ctx, ev, err)
	}()
	if len(c.Secrets) == 0 {
		return tollgate.ClientSecret{}, "", refused(tollgate.KindInvalid, ErrNoSecretToRotate, "client %s has no secret: secrets can be added only to a client created with one", c.ID)
	}
	if len(c.Secrets) >= tollgate.MaxClientSecrets {
		return tollgate.ClientSecret{}, "", tollgate.LimitErrorf("client %q already has %d secrets; delete one first", c.ID, len(c.Secrets))
	}
	plain, err := s.choose(given)
	if err != nil {
		return tollgate.ClientSecret{}, "", err
	}
	stored := tollgate.NewProtectedSecret(s.vault, c.ID, plain, s.clock())
	// The store counts the secrets again in the transaction that inserts.
	if err := s.st.AddClientSecret(ctx, c.ID, stored); err != nil {
		return tollgate.ClientSecret{}, "", err
	}
	return stored, plain, nil
}

// DeleteClientSecret deletes one of a client's secrets, never its last one
// (Cognito's rule for every client; the store decides it again in the
// deleting transaction, for deletes racing each other).
func (s *Service) DeleteClientSecret(ctx context.Context, c *tollgate.Client, secretID string) (err error) {
	found := false
	for _, cs := range c.Secrets {
		found = found || cs.ID == secretID
	}
	defer func() {
		ev := audit.Event{Action: ActionSecretDelete, Target: clientTarget(c)}
		if found { // else it may be anything a caller pasted
			ev.SecretID = secretID
		}
		s.record(ctx, ev, err)
	}()
	if !found {
		return refused(tollgate.KindNotFound, ErrNoSuchSecret, "client %s has no secret %s", c.ID, secretID)
	}
	last := refused(tollgate.KindInvalid, ErrLastSecret, "secret %s is the client's only secret; add another first ('tollgate clients add-secret %s')", secretID, c.ID)
	if len(c.Secrets) == 1 {
		return last
	}
	err = s.st.DeleteClientSecret(ctx, c.ID, secretID)
	if errors.Is(err, tollgate.ErrLastSecret) {
		return last // another writer deleted the other one meanwhile
	}
	return err
}

// Reveal returns a client secret in the clear.
func (s *Service) Reveal(c *tollgate.Client, cs tollgate.ClientSecret) (string, error) {
	pt, err := s.vault.Open(cs.Sealed, []byte(c.ID))
	if err != nil {
		return "", fmt.Errorf("reveal secret %s of client %s: %w (is this the master key the store was created with?)", cs.ID, c.ID, err)
	}
	return string(pt), nil
}

// RevealAll returns a client's secrets in the clear, by secret id.
func (s *Service) RevealAll(c *tollgate.Client) (map[string]string, error) {
	out := make(map[string]string, len(c.Secrets))
	for _, cs := range c.Secrets {
		pt, err := s.Reveal(c, cs)
		if err != nil {
			return nil, err
		}
		out[cs.ID] = pt
	}
	return out, nil
}
