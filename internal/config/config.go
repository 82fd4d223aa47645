package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/tollgate/tollgate"
)

// MaxFileSize is the largest config file Load and Parse accept.
const MaxFileSize = 8 << 20

// DefaultRegion is the region of pools that name none, as for the AWS CLI
// without a configured region.
const DefaultRegion = "us-east-1"

// Config is a validated config file: the intent Apply makes the store match.
// Parse fills defaults, so every field holds its effective value.
type Config struct {
	// File is the path the config was read from. Relative file names in
	// the config (certificates) are resolved against its directory.
	File string `yaml:"-"`

	// Name names the config as the owner of the objects it declares in
	// the store: Apply creates, updates and deletes only the objects of
	// its name, so that configs of different names share a store without
	// touching each other's objects, and two files of one name are one
	// config. Default: the file's name without its extension ("orders" for
	// orders.yaml), or its directory's name for a tollgate.yaml ("seed"
	// for examples/seed/tollgate.yaml); see NameOf. Up to 128 of
	// [A-Za-z0-9._-], starting with a letter or digit.
	Name string `yaml:"name"`
	// Region is the default region of the pools (default us-east-1).
	Region string `yaml:"region"`
	// UserPools are the Cognito user pools: userpools.go.
	UserPools []UserPool `yaml:"userPools"`
	// Functions are the Lambda functions that AWS_PROXY integrations
	// name: functions.go.
	Functions []Function `yaml:"functions"`
	// RestAPIs are the API Gateway REST APIs: restapis.go. BuildRestAPIs
	// maps them to the domain once Apply has given the pools their ids.
	RestAPIs []RestAPI `yaml:"restApis"`
	// HTTPAPIs are the API Gateway HTTP APIs (v2): httpapis.go.
	// BuildRestAPIs builds them beside the REST APIs.
	HTTPAPIs []HTTPAPI `yaml:"httpApis"`
	// APIKeys and UsagePlans are API Gateway's, for REST APIs:
	// usageplans.go.
	APIKeys    []APIKey    `yaml:"apiKeys"`
	UsagePlans []UsagePlan `yaml:"usagePlans"`
}

// Load reads and validates the config file at path. On any problem with
// the file it returns a Problems error listing every problem.
func Load(path string) (*Config, error) {
	return LoadWith(path, nil)
}

// readConfigFile reads the config file at path, up to one byte past
// MaxFileSize.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Problems{{File: path, Message: fileError(err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Problems{{File: path, Message: fileError(err)}}
	}
	return data, nil
}

// fileError says why a file cannot be read without repeating its name,
// which the problem carries already.
func fileError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "cannot " + pe.Op + " the file: " + pe.Err.Error()
	}
	return err.Error()
}

// Parse validates data, the contents of the config file filename. On any
// problem it returns a Problems error listing every problem, each with its
// position and path: syntax errors, unknown fields, wrong types, missing
// fields and every broken rule. filename is used in problems and to resolve
// relative paths in the config; Parse reads the certificate files the
// config names.
func Parse(filename string, data []byte) (*Config, error) {
	return ParseWith(filename, data, nil)
}

// Validate fills the defaults of a Config built in code and checks it
// against the same rules as Parse. The problems it returns have paths but
// no positions.
func (c *Config) Validate() error {
	return c.ValidateFrom(nil)
}

// ValidateFrom is Validate for a Config mapped from another file (a
// CloudFormation template): origin places each problem at where its value
// came from, so problems are rendered as a config file's are. Nil origins
// give paths without positions.
func (c *Config) ValidateFrom(origin Origins) error {
	r := newReport(c.File)
	if origin != nil {
		r.origin = origin
	}
	c.check(r)
	return r.err()
}

// check fills defaults, then validates each section. It is idempotent, so
// Apply may run it again on a parsed Config.
func (c *Config) check(r *report) {
	if c.Name == "" {
		c.Name = NameOf(c.File)
	} else if !NamePattern.MatchString(c.Name) {
		r.add("name", "invalid config name %q: want a letter or digit, then letters, digits, '.', '_' and '-', at most 128 in all", c.Name)
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	} else if !tollgate.RegionPattern.MatchString(c.Region) {
		r.add("region", "invalid region %q: want an AWS-style region name like us-east-1", c.Region)
	}
	domains := firstSeen{} // pool and API domains share one name space
	c.checkUserPools(r, domains)
	c.checkFunctions(r)
	apiIDs := firstSeen{} // REST and HTTP APIs share one name space
	c.checkRestAPIs(r, domains, apiIDs)
	c.checkHTTPAPIs(r, apiIDs)
	c.checkAPIKeys(r)
	c.checkUsagePlans(r)
	c.gateAPIs(r)
}

// NamePattern is what a config's name looks like: it goes into the
// ConfigKeys of the config's objects ("config:{name}/…"), so it holds no
// ':' or '/'.
var NamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// NameOf is the name of a config read from file that gives itself none:
// the file's name without its extension ("orders" for
// /etc/tollgate/orders.yaml), or, for a file named tollgate.yaml (or .yml,
// .json) as the examples and the docs name every config, the name of its
// directory ("seed" for examples/seed/tollgate.yaml, the directory the
// process runs in for a bare tollgate.yaml), so that configs of different
// projects do not share one name. Characters NamePattern does not allow
// become '-', leading '.', '_' and '-' are dropped, and the name is cut to
// 128 characters ("config" if nothing is left). "" for no file. A config
// that several processes apply (nodes on one database) is best given a
// name, so that its name does not depend on where they keep the file.
func NameOf(file string) string {
	if file == "" {
		return ""
	}
	base := filepath.Base(file)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	if stem == defaultFileStem {
		dir := filepath.Dir(file)
		if abs, err := filepath.Abs(file); err == nil {
			dir = filepath.Dir(abs)
		}
		if name := sanitizeName(filepath.Base(dir)); name != "" {
			return name
		}
	}
	if name := sanitizeName(stem); name != "" {
		return name
	}
	return "config"
}

// defaultFileStem is the name, without extension, of the config files the
// examples and the docs use: a config so named is named after its
// directory.
const defaultFileStem = "tollgate"

// sanitizeName makes s a name NamePattern accepts, or "".
func sanitizeName(s string) string {
	name := []byte(s)
	for i, b := range name {
		if (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') && (b < '0' || b > '9') && b != '.' && b != '_' && b != '-' {
			name[i] = '-'
		}
	}
	out := strings.TrimLeft(string(name), "._-")
	if len(out) > 128 {
		out = out[:128]
	}
	return out
}

// dir is the directory relative paths in the config are resolved against.
func (c *Config) dir() string {
	if c.File == "" {
		return "."
	}
	return filepath.Dir(c.File)
}
