package config

import (
	"encoding/json"
	"errors"
)

// decodeJWKSObject decodes the JSON of a JWK Set into the form an inline
// jwks takes in the config.
func decodeJWKSObject(b []byte) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errors.New("not a JWK Set: " + err.Error())
	}
	if m == nil {
		return nil, errors.New("not a JWK Set: null")
	}
	return m, nil
}
