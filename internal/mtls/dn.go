package mtls

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// DN is a distinguished name parsed from its RFC 4514 string form, in
// string order (the last RDN of the ASN.1 sequence first).
type DN []RDN

// RDN is a relative distinguished name: one or more attribute values.
type RDN []AttributeValue

// AttributeValue is one attribute type and value of an RDN.
type AttributeValue struct {
	Type asn1.ObjectIdentifier
	// Text is the value given as a string; BER is the value given as #hex
	// (RFC 4514 §2.4), the encoding itself. Exactly one is set.
	Text string
	BER  []byte
}

// attributeTypes are the short names of RFC 4514 §3, and a few others
// common in certificate subjects (RFC 5280 Appendix A, RFC 4519).
var attributeTypes = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"L":            {2, 5, 4, 7},
	"ST":           {2, 5, 4, 8},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"C":            {2, 5, 4, 6},
	"STREET":       {2, 5, 4, 9},
	"DC":           {0, 9, 2342, 19200300, 100, 1, 25},
	"UID":          {0, 9, 2342, 19200300, 100, 1, 1},
	"SERIALNUMBER": {2, 5, 4, 5},
	"SN":           {2, 5, 4, 4},
	"GN":           {2, 5, 4, 42},
	"GIVENNAME":    {2, 5, 4, 42},
	"TITLE":        {2, 5, 4, 12},
	"POSTALCODE":   {2, 5, 4, 17},
	"EMAIL":        {1, 2, 840, 113549, 1, 9, 1},
	"EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// ParseDN parses an RFC 4514 distinguished name string, such as
// "CN=client.example.com,O=Example\, Inc.,C=US". Attribute types are the
// short names of RFC 4514 §3 (and SERIALNUMBER, SN, GN, TITLE, POSTALCODE,
// EMAILADDRESS) in any case, or dotted OIDs; values escape the special
// characters with a backslash, or are #hex BER encodings. White space
// around "," "+" and "=" is allowed.
func ParseDN(s string) (DN, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty distinguished name")
	}
	p := dnParser{s: s}
	var dn DN
	var rdn RDN
	for {
		av, err := p.attributeValue()
		if err != nil {
			return nil, err
		}
		rdn = append(rdn, av)
		if p.i == len(p.s) {
			return append(dn, rdn), nil
		}
		if p.s[p.i] == ',' {
			dn, rdn = append(dn, rdn), nil
		}
		p.i++ // past ',' or '+'
	}
}

type dnParser struct {
	s string
	i int
}

func (p *dnParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *dnParser) attributeValue() (AttributeValue, error) {
	var av AttributeValue
	eq := strings.IndexByte(p.s[p.i:], '=')
	if eq < 0 {
		return av, fmt.Errorf("distinguished name %q: no '=' after position %d", p.s, p.i)
	}
	name := strings.TrimSpace(p.s[p.i : p.i+eq])
	p.i += eq + 1
	typ, err := attributeType(name)
	if err != nil {
		return av, err
	}
	av.Type = typ
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '#' {
		av.BER, err = p.hexValue()
	} else {
		av.Text, err = p.stringValue()
	}
	return av, err
}

func attributeType(name string) (asn1.ObjectIdentifier, error) {
	if oid, ok := attributeTypes[strings.ToUpper(name)]; ok {
		return oid, nil
	}
	dotted := strings.TrimPrefix(strings.TrimPrefix(name, "OID."), "oid.")
	var oid asn1.ObjectIdentifier
	for _, arc := range strings.Split(dotted, ".") {
		n := 0
		if arc == "" || len(arc) > 9 || (len(arc) > 1 && arc[0] == '0') {
			return nil, fmt.Errorf("distinguished name: unknown attribute type %q", name)
		}
		for _, c := range arc {
			if c < '0' || c > '9' {
				return nil, fmt.Errorf("distinguished name: unknown attribute type %q", name)
			}
			n = n*10 + int(c-'0')
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("distinguished name: unknown attribute type %q", name)
	}
	return oid, nil
}

// hexValue reads "#" hexstring (RFC 4514 §2.4): one whole BER element.
func (p *dnParser) hexValue() ([]byte, error) {
	start := p.i + 1
	end := start
	for end < len(p.s) && p.s[end] != ',' && p.s[end] != '+' {
		end++
	}
	p.i = end
	ber, err := hex.DecodeString(strings.TrimRight(p.s[start:end], " "))
	if err != nil {
		return nil, fmt.Errorf("distinguished name: bad #hex value: %w", err)
	}
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(ber, &v); err != nil || len(rest) != 0 {
		return nil, errors.New("distinguished name: #hex value is not one BER element")
	}
	return ber, nil
}

// stringValue reads a string value up to an unescaped ',' or '+'
// (RFC 4514 §3): backslash escapes a special character or gives a byte as
// two hex digits.
func (p *dnParser) stringValue() (string, error) {
	var b []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == ',' || c == '+':
			return finishValue(b)
		case c == '\\':
			n, size, err := unescape(p.s[p.i+1:])
			if err != nil {
				return "", err
			}
			b = append(b, n)
			p.i += 1 + size
			continue
		case strings.IndexByte(`";<>`, c) >= 0 || c == 0:
			return "", fmt.Errorf("distinguished name: %q must be escaped", c)
		}
		b = append(b, c)
		p.i++
	}
	return finishValue(b)
}

func unescape(s string) (byte, int, error) {
	if s == "" {
		return 0, 0, errors.New("distinguished name: ends with a backslash")
	}
	if strings.IndexByte(` "#+,;<=>\`, s[0]) >= 0 {
		return s[0], 1, nil
	}
	if len(s) >= 2 {
		if v, err := hex.DecodeString(s[:2]); err == nil {
			return v[0], 2, nil
		}
	}
	return 0, 0, fmt.Errorf("distinguished name: bad escape \\%c", s[0])
}

func finishValue(b []byte) (string, error) {
	if !utf8.Valid(b) {
		return "", errors.New("distinguished name: value is not UTF-8")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "", errors.New("distinguished name: empty value")
	}
	return string(b), nil
}

// rawAttribute, rdnSET and rdnSequence read a certificate's subject with
// each value's encoding kept (encoding/asn1 takes a type whose name ends
// in SET as a SET OF).
type rawAttribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}
type rdnSET []rawAttribute
type rdnSequence []rdnSET

// Matches reports whether rawSubject, a certificate's DER subject
// (x509.Certificate.RawSubject), is the name dn: the same RDNs in reverse
// order, each with the same attribute types and equal values in any order
// (see the package documentation for equal).
func (dn DN) Matches(rawSubject []byte) (bool, error) {
	var seq rdnSequence
	if rest, err := asn1.Unmarshal(rawSubject, &seq); err != nil || len(rest) != 0 {
		return false, errors.New("malformed subject name")
	}
	if len(seq) != len(dn) {
		return false, nil
	}
	for i, rdn := range dn {
		if !rdnMatches(rdn, seq[len(seq)-1-i]) {
			return false, nil
		}
	}
	return true, nil
}

func rdnMatches(want RDN, got rdnSET) bool {
	if len(want) != len(got) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for j, g := range got {
			if !used[j] && w.Type.Equal(g.Type) && valueMatches(w, g.Value) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func valueMatches(w AttributeValue, v asn1.RawValue) bool {
	if w.BER != nil {
		return bytes.Equal(w.BER, v.FullBytes)
	}
	text, ok := directoryString(v)
	return ok && strings.EqualFold(normalizeSpace(text), normalizeSpace(w.Text))
}

// normalizeSpace drops leading and trailing white space and makes each
// inner run one space.
func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// directoryString decodes the string types of certificate names (RFC 5280
// §4.1.2.4 DirectoryString, and IA5String of DC and emailAddress).
func directoryString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagNumericString:
		return string(v.Bytes), utf8.Valid(v.Bytes)
	case asn1.TagT61String:
		// Read as Latin-1, as crypto/x509 does.
		r := make([]rune, len(v.Bytes))
		for i, c := range v.Bytes {
			r[i] = rune(c)
		}
		return string(r), true
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(v.Bytes)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(v.Bytes[2*i:])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString, UTF-32BE
		if len(v.Bytes)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(v.Bytes)/4)
		for i := range r {
			if r[i] = rune(binary.BigEndian.Uint32(v.Bytes[4*i:])); !utf8.ValidRune(r[i]) {
				return "", false
			}
		}
		return string(r), true
	}
	return "", false
}
