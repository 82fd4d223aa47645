package cli

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tollgate/tollgate"
	"github.com/tollgate/tollgate/internal/config"
	"github.com/tollgate/tollgate/internal/server"
)

// devCredentials are the keys and certificates `tollgate dev` generates
// for a config's clients that declare none (config.Client.NeedsGeneratedKeys)
// and for its mTLS listener, kept in {data}/credentials (mode 0700) and
// reused across restarts: each file is generated only when it is missing
// or unusable (unreadable, expired within a day, not matching its key, not
// issued by the CA at hand, or not carrying the name the client declares).
// Private keys are EC P-256, PKCS #8, mode 0600.
type devCredentials struct {
	dir string
	now func() time.Time
	// baseDomain is the parent of the prefix domains the server
	// certificate names (--base-domain).
	baseDomain string

	ca    *x509.Certificate
	caKey crypto.Signer
	// listener: --mtls-listen is given without a certificate, which dev
	// makes.
	listener bool
	// mtls: a pool enables mTLS or listener is set, so the server
	// certificate was made.
	mtls bool
	// clients are the clients whose credentials were generated, in the
	// config's order.
	clients []devClientCredentials
}

// devClientCredentials are the files of one client.
type devClientCredentials struct {
	pool, id, name string // the pool's and the client's logical ids, and its file name
	method         string // its token_endpoint_auth_method
	key            string // private key file (PKCS #8)
	jwk            string // private JWK file (private_key_jwt)
	cert           string // certificate file (mTLS)
}

// Files of the credentials directory.
const (
	devCredentialsDir = "credentials"
	devCACert         = "ca.crt.pem"
	devCAKey          = "ca.key.pem"
	devServerCert     = "server.crt.pem"
	devServerKey      = "server.key.pem"
	// devRenewBefore: a certificate expiring sooner is made again.
	devRenewBefore = 24 * time.Hour
)

func newDevCredentials(dataDir, baseDomain string, now func() time.Time) *devCredentials {
	if now == nil {
		now = time.Now
	}
	return &devCredentials{dir: filepath.Join(dataDir, devCredentialsDir), now: now, baseDomain: baseDomain}
}

func (d *devCredentials) path(name string) string { return filepath.Join(d.dir, name) }

// prepareFunc returns prepare, nil when d is: what a reload of the config
// runs (reloadSource.prepare).
func (d *devCredentials) prepareFunc() func(*config.Config) error {
	if d == nil {
		return nil
	}
	return d.prepare
}

// listen sets the mTLS flags dev runs with: a pool enabling mTLS without
// --mtls-listen gets a listener on a free loopback port; a listener given
// no certificate gets the generated server certificate; and the dev CA is
// the trust anchor of tls_client_auth clients unless --mtls-client-ca
// names another.
func (d *devCredentials) listen(f *mtlsFlags) {
	if !d.mtls {
		return
	}
	if f.listen == "" {
		f.listen = "127.0.0.1:0"
	}
	if f.certFile == "" && f.keyFile == "" {
		f.certFile, f.keyFile = d.path(devServerCert), d.path(devServerKey)
	}
	if f.clientCAFile == "" {
		f.clientCAFile = d.path(devCACert)
	}
}

// devCredentialsNeeded reports whether cfg needs anything generated.
func devCredentialsNeeded(cfg *config.Config) bool {
	for _, p := range cfg.UserPools {
		if p.MTLS {
			return true
		}
		for i := range p.Clients {
			if p.Clients[i].NeedsGeneratedKeys() != "" {
				return true
			}
		}
	}
	return false
}

// prepare generates (or reuses) what cfg's clients and mTLS listener need,
// and sets the generated public keys on the clients: the step
// config.ParseWith runs before the config's checks.
func (d *devCredentials) prepare(cfg *config.Config) error {
	d.clients, d.mtls = nil, d.listener
	if !d.listener && !devCredentialsNeeded(cfg) {
		return nil
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("dev credentials: %w", err)
	}
	if err := os.Chmod(d.dir, 0o700); err != nil { //nolint:gosec // a directory: 0700 lets its owner list it
		return fmt.Errorf("dev credentials: %w", err)
	}
	names := map[string]bool{devCACert: true, devCAKey: true, devServerCert: true, devServerKey: true}
	for pi := range cfg.UserPools {
		p := &cfg.UserPools[pi]
		if p.MTLS {
			d.mtls = true
		}
		for ci := range p.Clients {
			cl := &p.Clients[ci]
			what := cl.NeedsGeneratedKeys()
			if what == "" {
				continue
			}
			name := fileName(cmp.Or(cl.UserPoolClientName, cl.ID))
			if names[name+".key.pem"] {
				name = fileName(p.ID) + "-" + name // the same name in another pool
			}
			names[name+".key.pem"] = true
			cc := devClientCredentials{pool: p.ID, id: cl.ID, name: name, method: what, key: d.path(name + ".key.pem")}
			var err error
			switch what {
			case config.GenerateAssertionKey:
				cc.jwk = d.path(name + ".jwk.json")
				err = d.assertionKey(cl, cc)
			case config.GenerateCACertificate:
				cc.cert = d.path(name + ".crt.pem")
				err = d.caIssued(cl, cc)
			case config.GenerateSelfSignedCertificate:
				cc.cert = d.path(name + ".crt.pem")
				err = d.selfSigned(cl, cc)
			}
			if err != nil {
				return fmt.Errorf("dev credentials of client %s: %w", cl.ID, err)
			}
			d.clients = append(d.clients, cc)
		}
	}
	if d.mtls {
		if err := d.serverCertificate(cfg); err != nil {
			return fmt.Errorf("dev credentials: mTLS listener certificate: %w", err)
		}
	}
	return nil
}

// fileName makes a client's name safe as a file name: letters, digits and
// "-._+=,@" are kept, anything else is "_".
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._+=,@", r) {
			return r
		}
		return '_'
	}, strings.TrimLeft(s, "."))
}

// assertionKey gives a private_key_jwt client its key pair: the private
// key in {name}.key.pem and as a private JWK in {name}.jwk.json (kid: its
// RFC 7638 thumbprint, alg ES256, use sig), the public JWK as its JWKS.
func (d *devCredentials) assertionKey(cl *config.Client, cc devClientCredentials) error {
	key, err := loadOrCreateKey(cc.key)
	if err != nil {
		return err
	}
	priv, pub, err := jwkPair(key, nil)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(priv, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(cc.jwk, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return setJWKS(cl, pub)
}

// selfSigned gives a self_signed_tls_client_auth client a self-signed
// certificate ({name}.crt.pem, {name}.key.pem) and registers it as the x5c
// of its JWKS (RFC 8705 §2.2).
func (d *devCredentials) selfSigned(cl *config.Client, cc devClientCredentials) error {
	name := cmp.Or(cl.UserPoolClientName, cl.ID)
	subject := pkix.Name{CommonName: name}
	cert, key, err := d.loadOrCreateCert(cc.cert, cc.key, func(c *x509.Certificate) bool {
		return c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil && bytes.Equal(c.RawSubject, mustSubject(subject))
	}, func(pub crypto.PublicKey, key crypto.Signer) ([]byte, error) {
		tmpl := d.leafTemplate(subject, x509.ExtKeyUsageClientAuth)
		return x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	})
	if err != nil {
		return err
	}
	_, pub, err := jwkPair(key, cert)
	if err != nil {
		return err
	}
	return setJWKS(cl, pub)
}

// caIssued gives a tls_client_auth client a certificate from the dev CA
// carrying the name it declares (RFC 8705 §2.1.2; a client declaring none
// gets "CN={name}", config.Client.SetDefaultTLSName).
func (d *devCredentials) caIssued(cl *config.Client, cc devClientCredentials) error {
	if err := d.loadOrCreateCA(); err != nil {
		return err
	}
	want := cl.SetDefaultTLSName()
	tmplFor, err := tlsNameTemplate(want, cmp.Or(cl.UserPoolClientName, cl.ID))
	if err != nil {
		return err
	}
	_, _, err = d.loadOrCreateCert(cc.cert, cc.key, func(c *x509.Certificate) bool {
		t := tmplFor(d.leafTemplate(pkix.Name{}, x509.ExtKeyUsageClientAuth))
		return c.CheckSignatureFrom(d.ca) == nil && bytes.Equal(c.RawSubject, mustSubject(t.Subject)) &&
			slices.Equal(c.DNSNames, t.DNSNames) && slices.Equal(c.EmailAddresses, t.EmailAddresses) &&
			slices.EqualFunc(c.IPAddresses, t.IPAddresses, net.IP.Equal) &&
			slices.EqualFunc(c.URIs, t.URIs, func(a, b *url.URL) bool { return a.String() == b.String() })
	}, func(pub crypto.PublicKey, _ crypto.Signer) ([]byte, error) {
		t := tmplFor(d.leafTemplate(pkix.Name{}, x509.ExtKeyUsageClientAuth))
		return x509.CreateCertificate(rand.Reader, t, d.ca, pub, d.caKey)
	})
	return err
}

// tlsNameTemplate returns what sets the declared name on a certificate
// template: the subject DN (RFC 4514), or a SAN with the subject
// "CN={name}".
func tlsNameTemplate(want config.TLSClientAuth, name string) (func(*x509.Certificate) *x509.Certificate, error) {
	switch {
	case want.SubjectDN != "":
		subject, err := parseDN(want.SubjectDN)
		if err != nil {
			return nil, fmt.Errorf("tlsClientAuth.subjectDn: %w", err)
		}
		return func(t *x509.Certificate) *x509.Certificate { t.Subject = subject; return t }, nil
	case want.SANDNS != "":
		return func(t *x509.Certificate) *x509.Certificate {
			t.Subject, t.DNSNames = pkix.Name{CommonName: name}, []string{want.SANDNS}
			return t
		}, nil
	case want.SANURI != "":
		u, err := url.Parse(want.SANURI)
		if err != nil {
			return nil, fmt.Errorf("tlsClientAuth.sanUri: %w", err)
		}
		return func(t *x509.Certificate) *x509.Certificate {
			t.Subject, t.URIs = pkix.Name{CommonName: name}, []*url.URL{u}
			return t
		}, nil
	case want.SANIP != "":
		ip := net.ParseIP(want.SANIP)
		if ip == nil {
			return nil, fmt.Errorf("tlsClientAuth.sanIp %q is not an IP address", want.SANIP)
		}
		return func(t *x509.Certificate) *x509.Certificate {
			t.Subject, t.IPAddresses = pkix.Name{CommonName: name}, []net.IP{ip}
			return t
		}, nil
	case want.SANEmail != "":
		return func(t *x509.Certificate) *x509.Certificate {
			t.Subject, t.EmailAddresses = pkix.Name{CommonName: name}, []string{want.SANEmail}
			return t
		}, nil
	}
	return nil, errors.New("tlsClientAuth names nothing")
}

// serverCertificate makes the mTLS listener's certificate, from the dev
// CA, for the names a local client dials: localhost and its subdomains,
// the loopback addresses, and the pools' and APIs' hosts under the base
// domain of each region the config uses (a wildcard covers one label).
func (d *devCredentials) serverCertificate(cfg *config.Config) error {
	if err := d.loadOrCreateCA(); err != nil {
		return err
	}
	dns := []string{"localhost", "*.localhost"}
	base := cmp.Or(d.baseDomain, "localhost")
	if base != "localhost" {
		dns = append(dns, base, "*."+base)
	}
	for _, region := range configRegions(cfg) {
		dns = append(dns, "*.auth."+region+"."+base, "*.execute-api."+region+"."+base)
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1).To4(), net.IPv6loopback}
	tmplFor := func() *x509.Certificate {
		t := d.leafTemplate(pkix.Name{CommonName: "Tollgate dev mTLS listener"}, x509.ExtKeyUsageServerAuth)
		t.DNSNames, t.IPAddresses = dns, ips
		return t
	}
	_, _, err := d.loadOrCreateCert(d.path(devServerCert), d.path(devServerKey), func(c *x509.Certificate) bool {
		return c.CheckSignatureFrom(d.ca) == nil && slices.Equal(c.DNSNames, dns) && slices.EqualFunc(c.IPAddresses, ips, net.IP.Equal)
	}, func(pub crypto.PublicKey, _ crypto.Signer) ([]byte, error) {
		t := tmplFor()
		return x509.CreateCertificate(rand.Reader, t, d.ca, pub, d.caKey)
	})
	return err
}

// configRegions returns the regions of cfg's pools and APIs, each once.
func configRegions(cfg *config.Config) []string {
	regions := []string{cmp.Or(cfg.Region, config.DefaultRegion)}
	for _, p := range cfg.UserPools {
		if p.Region != "" && !slices.Contains(regions, p.Region) {
			regions = append(regions, p.Region)
		}
	}
	return regions
}

// loadOrCreateCA loads the dev CA, or makes it (ten years, EC P-256) when
// it is missing or unusable.
func (d *devCredentials) loadOrCreateCA() error {
	if d.ca != nil {
		return nil
	}
	cert, key, err := d.loadOrCreateCert(d.path(devCACert), d.path(devCAKey), func(c *x509.Certificate) bool {
		return c.IsCA && c.CheckSignatureFrom(c) == nil
	}, func(pub crypto.PublicKey, key crypto.Signer) ([]byte, error) {
		now := d.now()
		tmpl := &x509.Certificate{
			SerialNumber:          serialNumber(),
			Subject:               pkix.Name{CommonName: "Tollgate dev CA", Organization: []string{"Tollgate dev"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(10, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			MaxPathLenZero:        true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		}
		return x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	})
	if err != nil {
		return fmt.Errorf("dev CA: %w", err)
	}
	d.ca, d.caKey = cert, key
	return nil
}

// leafTemplate is the template of a client or server certificate: a year,
// EC signatures, the given extended key usage.
func (d *devCredentials) leafTemplate(subject pkix.Name, usage x509.ExtKeyUsage) *x509.Certificate {
	now := d.now()
	return &x509.Certificate{
		SerialNumber:          serialNumber(),
		Subject:               subject,
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{usage},
		BasicConstraintsValid: true,
	}
}

func serialNumber() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err) // crypto/rand does not fail (Go 1.24)
	}
	return n
}

// loadOrCreateCert returns the certificate in certFile and its key in
// keyFile when both are usable: they parse, match, the certificate is
// valid for another day and ok accepts it. Otherwise it makes them again
// (a new key, a certificate from create, which gets the public key and
// the new private key).
func (d *devCredentials) loadOrCreateCert(certFile, keyFile string, ok func(*x509.Certificate) bool,
	create func(pub crypto.PublicKey, key crypto.Signer) ([]byte, error)) (*x509.Certificate, crypto.Signer, error) {
	if cert, key, err := loadCertPair(certFile, keyFile); err == nil {
		now := d.now()
		if now.After(cert.NotBefore) && now.Add(devRenewBefore).Before(cert.NotAfter) && ok(cert) {
			return cert, key, nil
		}
	}
	// A certificate made again gets a new key.
	key, err := newKey(keyFile)
	if err != nil {
		return nil, nil, err
	}
	der, err := create(key.Public(), key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	if err := writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, err
	}
	return cert, key, nil
}

// loadCertPair reads a certificate and its private key (PKCS #8), which
// must match.
func loadCertPair(certFile, keyFile string) (*x509.Certificate, crypto.Signer, error) {
	b, err := os.ReadFile(certFile) //nolint:gosec // a file of dev's credentials directory
	if err != nil {
		return nil, nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("%s: no certificate", certFile)
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := loadKey(keyFile)
	if err != nil {
		return nil, nil, err
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(key.Public()) {
		return nil, nil, fmt.Errorf("%s does not match %s", certFile, keyFile)
	}
	return cert, key, nil
}

// loadOrCreateKey returns the EC P-256 key in file, or makes one (newKey)
// when it is missing or unusable.
func loadOrCreateKey(file string) (crypto.Signer, error) {
	if key, err := loadKey(file); err == nil {
		return key, nil
	}
	return newKey(file)
}

// newKey makes an EC P-256 key and writes it to file (PKCS #8, mode 0600).
func newKey(file string) (crypto.Signer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// loadKey reads an EC P-256 private key in PKCS #8 PEM.
func loadKey(file string) (crypto.Signer, error) {
	b, err := os.ReadFile(file) //nolint:gosec // a file of dev's credentials directory
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("%s: no PKCS #8 private key", file)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%s: not an EC P-256 key", file)
	}
	return ec, nil
}

// writeFileAtomic writes a file through a temporary one renamed over it,
// so that a reader never sees half of it.
func writeFileAtomic(file string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// jwkPair returns the private and the public JWK of key (RFC 7517), with
// kid its RFC 7638 thumbprint, alg ES256 and use sig, and cert as x5c when
// given.
func jwkPair(key crypto.Signer, cert *x509.Certificate) (priv, pub jose.JSONWebKey, err error) {
	pub = jose.JSONWebKey{Key: key.Public(), Algorithm: string(jose.ES256), Use: "sig"}
	t, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return priv, pub, err
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(t)
	if cert != nil {
		pub.Certificates = []*x509.Certificate{cert}
	}
	priv = pub
	priv.Key = key
	return priv, pub, nil
}

// setJWKS sets a client's JWKS to the one key.
func setJWKS(cl *config.Client, pub jose.JSONWebKey) error {
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub}})
	if err != nil {
		return err
	}
	return cl.SetJWKS(b)
}

// mustSubject is the DER of a subject name, as a certificate's RawSubject.
func mustSubject(n pkix.Name) []byte {
	b, err := asn1.Marshal(n.ToRDNSequence())
	if err != nil {
		panic(err) // a pkix.Name of strings always marshals
	}
	return b
}

// dnAttributes are the attribute types of RFC 4514 §3 (and the common
// ones of RFC 4519) by their string names.
var dnAttributes = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "SERIALNUMBER": {2, 5, 4, 5}, "C": {2, 5, 4, 6},
	"L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10},
	"OU": {2, 5, 4, 11}, "DC": {0, 9, 2342, 19200300, 100, 1, 25}, "UID": {0, 9, 2342, 19200300, 100, 1, 1},
}

// parseDN parses an RFC 4514 distinguished name string into the subject
// name it stands for: RDNs are written last first (§2.1), several
// attributes of one RDN joined by "+", values escaped with "\" (§3).
func parseDN(s string) (pkix.Name, error) {
	rdns, err := splitEscaped(s, ',')
	if err != nil {
		return pkix.Name{}, err
	}
	var seq pkix.RDNSequence
	for i := len(rdns) - 1; i >= 0; i-- {
		atvs, err := splitEscaped(rdns[i], '+')
		if err != nil {
			return pkix.Name{}, err
		}
		var set pkix.RelativeDistinguishedNameSET
		for _, atv := range atvs {
			typ, val, ok := strings.Cut(atv, "=")
			typ = strings.TrimSpace(typ)
			if !ok || typ == "" {
				return pkix.Name{}, fmt.Errorf("%q: want TYPE=value", atv)
			}
			oid, ok := dnAttributes[strings.ToUpper(typ)]
			if !ok {
				if oid, err = parseOID(typ); err != nil {
					return pkix.Name{}, fmt.Errorf("unknown attribute type %q", typ)
				}
			}
			v, err := unescapeDN(val)
			if err != nil {
				return pkix.Name{}, err
			}
			set = append(set, pkix.AttributeTypeAndValue{Type: oid, Value: v})
		}
		seq = append(seq, set)
	}
	var n pkix.Name
	for _, set := range seq {
		n.ExtraNames = append(n.ExtraNames, set...)
	}
	// ExtraNames loses multi-valued RDNs' grouping; keep it when there is any.
	if slices.ContainsFunc(seq, func(set pkix.RelativeDistinguishedNameSET) bool { return len(set) > 1 }) {
		return pkix.Name{}, errors.New("multi-valued RDNs (+) are not supported by tollgate dev: declare the certificate yourself")
	}
	return n, nil
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var oid asn1.ObjectIdentifier
	for _, part := range strings.Split(s, ".") {
		var n int
		if _, err := fmt.Sscanf(part, "%d", &n); err != nil || fmt.Sprint(n) != part {
			return nil, fmt.Errorf("bad OID %q", s)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("bad OID %q", s)
	}
	return oid, nil
}

// splitEscaped splits s at each sep not escaped with "\".
func splitEscaped(s string, sep byte) ([]string, error) {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
			if i == len(s) {
				return nil, fmt.Errorf("%q ends with a lone \\", s)
			}
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), nil
}

// unescapeDN decodes an RFC 4514 §3 attribute value: "\" followed by a
// special character or two hex digits.
func unescapeDN(v string) (string, error) {
	if strings.HasPrefix(v, "#") {
		return "", errors.New("hex-encoded (#) values are not supported by tollgate dev")
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]) {
			h, _ := hex.DecodeString(v[i+1 : i+3])
			b.Write(h)
			i += 2
			continue
		}
		if i++; i == len(v) {
			return "", fmt.Errorf("%q ends with a lone \\", v)
		}
		b.WriteByte(v[i])
	}
	return strings.TrimSpace(b.String()), nil
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// printDevExtensions prints what a config's extensions beyond Cognito
// need of a client: the generated credentials, the mTLS endpoint with a
// curl line per certificate client, a note for DPoP pools, and the
// protected resource metadata URL of each API serving one.
func (a *app) printDevExtensions(srv *server.Server, cfg *config.Config, res *config.Result, d *devCredentials) {
	if cfg == nil || res == nil {
		return
	}
	w := a.stdout
	mtlsBase := srv.MTLSBase()
	if d != nil && (len(d.clients) > 0 || d.mtls) {
		fmt.Fprintf(w, "\nGenerated credentials (kept across restarts) in %s\n", d.dir)
		if d.mtls || slices.ContainsFunc(d.clients, func(c devClientCredentials) bool { return c.method == config.GenerateCACertificate }) {
			fmt.Fprintf(w, "  Dev CA:        %s\n", d.path(devCACert))
		}
		if mtlsBase != "" {
			fmt.Fprintf(w, "  mTLS endpoint: %s/oauth2/token (its certificate is from the dev CA)\n", mtlsBase)
		}
		for _, c := range d.clients {
			id, _ := res.ClientID(c.pool, c.id)
			fmt.Fprintf(w, "  Client %s (%s)\n    Client id:     %s\n    Private key:   %s\n", c.id, c.method, id, c.key)
			if c.jwk != "" {
				fmt.Fprintf(w, "    Private JWK:   %s\n", c.jwk)
				fmt.Fprintf(w, "    Authenticate with a JWT signed with it (RFC 7523 §2.2: iss and sub %s, aud the issuer, exp, jti) as\n"+
					"    client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=JWT\n", id)
			}
			if c.cert != "" {
				fmt.Fprintf(w, "    Certificate:   %s\n", c.cert)
				if mtlsBase != "" && id != "" {
					fmt.Fprintf(w, "\n    Get a token over mutual TLS:\n\n    curl --cacert %s --cert %s --key %s \\\n      -d grant_type=client_credentials -d client_id=%s %s/oauth2/token\n\n",
						d.path(devCACert), c.cert, c.key, id, mtlsBase)
				}
			}
		}
	}
	for _, p := range cfg.UserPools {
		if p.DPoP == nil {
			continue
		}
		if id, ok := res.PoolID(p.ID); ok {
			fmt.Fprintf(w, "\nUser pool %s issues DPoP-bound tokens (RFC 9449) to token requests with a DPoP header: a proof JWT\n"+
				"  (typ dpop+jwt, your public key as jwk, htm POST, htu the token URL, iat, jti) signed with your key; present\n"+
				"  the token as Authorization: DPoP TOKEN with a new proof (and ath) on each call. Issuer %s\n", p.ID, srv.Issuer(id))
		}
	}
	for _, api := range cfg.RestAPIs {
		stage := cmp.Or(api.DeployOptions.StageName, config.DefaultStageName)
		local := srv.PublicURL() + "/.well-known/oauth-protected-resource/apis/" + tollgate.RestAPIID(api.ID) + "/" + stage
		printResourceMetadata(w, api.ID, api.ProtectedResource, local)
	}
	for _, api := range cfg.HTTPAPIs {
		printResourceMetadata(w, api.ID, api.ProtectedResource, "")
	}
}

// printResourceMetadata prints where an API's protected resource metadata
// is: the resource identifier with the well-known segment inserted after
// its host (RFC 9728 §3.1).
//
// local, when set, is where this server serves it to clients that reach the
// API path-style (the identifier's host need not resolve to it).
func printResourceMetadata(w io.Writer, apiID string, pr *config.ProtectedResource, local string) {
	if pr == nil || !pr.Metadata || pr.Identifier == "" {
		return
	}
	u, err := url.Parse(pr.Identifier)
	if err != nil {
		return
	}
	// RFC 9728 §3.1: a path's trailing slash is kept; only the root "/"
	// is dropped.
	path := u.EscapedPath()
	if path == "/" {
		path = ""
	}
	fmt.Fprintf(w, "\nAPI %s is the protected resource %s\n  Metadata:     %s://%s/.well-known/oauth-protected-resource%s\n", apiID, pr.Identifier, u.Scheme, u.Host, path)
	if local != "" {
		fmt.Fprintf(w, "  Served here:  %s\n", local)
	}
}
