package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/domain"
)

func (c *Console) routesPoolsKeys() {
	c.handle("POST /pools/{pool}/keys/rotate", c.poolsRotate)
	c.handle("GET /pools/{pool}/keys/rotate", c.back("/pools/{pool}"))
}

// poolsKeysHelp are the durations the keys section explains.
type poolsKeysHelp struct{ PublishLead, JWKSMaxAge, Retention string }

var poolsKeyDurations = poolsKeysHelp{
	PublishLead: domain.PublishLead.String(),
	JWKSMaxAge:  domain.JWKSMaxAge.String(),
	Retention:   tollgate.KeyRetention.String(),
}

// poolsRotate rotates the pool's signing keys as `tollgate keys rotate`
// does (domain.RotateKeys): refused while the next key is too young
// unless forced, saying when it may rotate.
func (c *Console) poolsRotate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.opts.Domain.GetPool(ctx, r.PathValue("pool"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := poolsRotateForm{Force: r.PostFormValue("force") != "", RetireNow: r.PostFormValue("retire_now") != ""}
	before, err := c.opts.Domain.ListSigningKeys(ctx, p.ID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	keys, err := c.opts.Domain.RotateKeys(ctx, p.ID, domain.Rotation{Force: f.Force, RetireNow: f.RetireNow, Logger: c.log})
	if err != nil {
		c.refuse(w, r, err, func(status int, msg string) {
			if errors.Is(err, domain.ErrNextKeyTooNew) {
				// The domain words it for the CLI's flag.
				msg = strings.Replace(msg, "--force rotates now", "Force rotates now", 1)
			}
			c.renderPool(w, r, status, msg, func(d *poolsPageData) { d.Rotate = f })
		})
		return
	}
	c.redirect(w, r, "/pools/"+p.ID, poolsRotated(before, keys, f))
}

// poolsRotated says what a rotation did: the key that signs now, and when
// the key that signed before leaves the JWKS.
func poolsRotated(before, after []tollgate.SigningKey, f poolsRotateForm) string {
	var oldKID string
	for _, k := range before {
		if k.State == tollgate.KeyActive {
			oldKID = k.KID
		}
	}
	msg := "Keys rotated."
	for _, k := range after {
		if k.State == tollgate.KeyActive {
			msg = "Keys rotated: " + k.KID + " signs now."
		}
	}
	if oldKID == "" {
		return msg
	}
	if f.RetireNow {
		return msg + " The old key " + oldKID + " left the JWKS at once: every token it signed is refused."
	}
	for _, k := range after {
		if k.KID == oldKID && !k.ExpiresAt.IsZero() {
			return msg + " The old key " + oldKID + " retires at " + k.ExpiresAt.UTC().Format("2006-01-02 15:04:05 UTC") + "."
		}
	}
	return msg
}
