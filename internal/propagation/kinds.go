package propagation

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Kinds are the changes measured, in the order they are measured.
var Kinds = []Kind{Revocation, ClientDeletion, SecretDeletion, KeyRotation}

// Revocation revokes a fresh token of the introspecting client at one
// node (RFC 7009 §2.1). Enforced: the gateway answers 401 and
// introspection active=false (RFC 7662 §2.2).
var Revocation = Kind{Name: "revocation", prepare: func(_ context.Context, c *Cluster, node int) (change, error) {
	tok, err := c.freshToken(node)
	if err != nil {
		return change{}, err
	}
	return change{
		make: func(context.Context) error {
			resp, err := c.HTTP.PostForm(c.Nodes[node]+"/oauth2/revoke", url.Values{"token": {tok}, "client_id": {c.IntrospectorID}, "client_secret": {c.IntrospectorSecret}})
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("revoke: %s", resp.Status)
			}
			return nil
		},
		enforced: c.rejects(tok),
	}, nil
}}

// ClientDeletion deletes a client, whose secret works at every node and
// whose token every node introspects as active, through one node's
// management API. Enforced: the token endpoint refuses the secret with
// invalid_client, and the token introspects as inactive. The gateway
// verifies tokens offline, as API Gateway's Cognito authorizer does, so it
// accepts the token until its exp.
var ClientDeletion = Kind{Name: "client deletion", prepare: func(ctx context.Context, c *Cluster, node int) (change, error) {
	id, secret, err := c.Admin.CreateClient(ctx, node, "doomed")
	if err != nil {
		return change{}, err
	}
	tok, err := c.MustToken(c.Nodes[node], id, secret)
	if err != nil {
		return change{}, err
	}
	for _, base := range c.Nodes {
		if _, err := c.MustToken(base, id, secret); err != nil {
			return change{}, err
		}
		if active, err := c.Active(base, tok); !active {
			return change{}, fmt.Errorf("%s: a new client's token is not active (%w)", base, err)
		}
	}
	return change{
		make: func(ctx context.Context) error { return c.Admin.DeleteClient(ctx, node, id) },
		enforced: func(base string) (bool, error) {
			refused, err := c.Refused(base, id, secret)
			if !refused {
				return false, err
			}
			active, err := c.Active(base, tok)
			return !active, err
		},
	}, nil
}}

// SecretDeletion gives a client a second secret and deletes its first
// through one node's management API, once both work at every node.
// Enforced: the token endpoint refuses the deleted secret with
// invalid_client. After: the other still works at every node.
var SecretDeletion = Kind{Name: "secret deletion", prepare: func(ctx context.Context, c *Cluster, node int) (change, error) {
	id, first, err := c.Admin.CreateClient(ctx, node, "rotating")
	if err != nil {
		return change{}, err
	}
	second, firstID, err := c.Admin.AddSecret(ctx, node, id)
	if err != nil {
		return change{}, err
	}
	works := func(secrets ...string) error {
		for _, base := range c.Nodes {
			for _, s := range secrets {
				if _, err := c.MustToken(base, id, s); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := works(first, second); err != nil {
		return change{}, err
	}
	return change{
		make:     func(ctx context.Context) error { return c.Admin.DeleteSecret(ctx, node, id, firstID) },
		enforced: func(base string) (bool, error) { return c.Refused(base, id, first) },
		after:    func() error { return works(second) },
	}, nil
}}

// KeyRotation retires the pool's active key at once (Admin.Rotate: `tollgate
// keys rotate --force --retire-now`, the answer to a leaked key) after
// every node accepted a token it signed. Enforced: the gateway and
// introspection refuse that token, and the token endpoint signs with
// another key. (A rotation without --retire-now keeps the retired key
// published, and its tokens valid, until they expire.)
var KeyRotation = Kind{Name: "key rotation", prepare: func(_ context.Context, c *Cluster, node int) (change, error) {
	tok, err := c.freshToken(node)
	if err != nil {
		return change{}, err
	}
	kid := KeyID(tok)
	if kid == "" {
		return change{}, errors.New("a token without kid")
	}
	rejects := c.rejects(tok)
	return change{
		make: func(ctx context.Context) error { return c.Admin.Rotate(ctx) },
		enforced: func(base string) (bool, error) {
			if ok, err := rejects(base); !ok {
				return false, err
			}
			fresh, err := c.MustToken(base, c.IntrospectorID, c.IntrospectorSecret)
			return KeyID(fresh) != kid, err
		},
	}, nil
}}

// freshToken gets a token of the introspecting client from node, which
// every node must accept.
func (c *Cluster) freshToken(node int) (string, error) {
	tok, err := c.MustToken(c.Nodes[node], c.IntrospectorID, c.IntrospectorSecret)
	if err != nil {
		return "", err
	}
	return tok, c.MustAccept(c.Nodes, tok)
}

// rejects is the probe that a node refuses tok at the gateway and at
// introspection.
func (c *Cluster) rejects(tok string) func(base string) (bool, error) {
	return func(base string) (bool, error) {
		_, rejected, err := c.Accepted(base, tok)
		return rejected, err
	}
}
