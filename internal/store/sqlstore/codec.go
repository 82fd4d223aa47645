package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// dbTime scans a time column: a time.Time from PostgreSQL, text in
// sqliteTimeLayout from SQLite, or NULL (the zero time). Scan into
// (*dbTime)(&t) to fill a time.Time in place.
type dbTime time.Time

// Scan implements sql.Scanner.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = dbTime{}
	case time.Time:
		*t = dbTime(v.UTC())
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T into a time", src)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("cannot scan %q into a time: %w", s, err)
	}
	*t = dbTime(v.UTC())
	return nil
}

// nullTimeArg encodes t for a nullable time column: NULL when t is zero.
func (s *Store) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.d.time(t)
}

// nonNil returns b, or an empty slice if b is nil. Byte columns are NOT
// NULL, and a nil slice would be written as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// encodeStrings returns a JSON array of ss; an empty array for nil.
func encodeStrings(ss []string) (string, error) {
	if ss == nil {
		ss = []string{}
	}
	b, err := json.Marshal(ss)
	return string(b), err
}

// decodeStrings decodes a JSON array of strings into a non-nil slice.
// Lists as encodeStrings writes them, of strings without escapes, are
// read without encoding/json, which costs a full load of 100k clients a
// tenth of its time.
func decodeStrings(s string) ([]string, error) {
	if out, ok := decodePlainStrings(s); ok {
		return out, nil
	}
	out := []string{}
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("decode string list: %w", err)
	}
	if out == nil { // the column held null
		out = []string{}
	}
	return out, nil
}

// decodePlainStrings decodes `["a","b"]`, of strings holding no '\\' or
// control character; ok is false for anything else (encoding/json decides).
func decodePlainStrings(s string) (out []string, ok bool) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	body := s[1 : len(s)-1]
	out = make([]string, 0, strings.Count(body, ",")+1)
	if body == "" {
		return out, true
	}
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := strings.IndexByte(body[1:], '"') + 1
		if end == 0 {
			return nil, false
		}
		v := body[1:end]
		for i := 0; i < len(v); i++ {
			if v[i] == '\\' || v[i] < 0x20 || v[i] >= 0x80 {
				return nil, false
			}
		}
		out = append(out, v)
		body = body[end+1:]
		if body == "" {
			return out, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}
