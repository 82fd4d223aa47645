// Package config owns Tollgate's config-as-code: it reads a YAML file whose
// keys mirror the AWS CDK construct props (UserPool, addResourceServer,
// addClient, addDomain), validates it whole, and reconciles the store with
// the intent it declares.
//
// The pipeline has three steps:
//
//   - Parse (or Load) decodes the YAML syntax tree against the schema
//     structs, fills defaults and validates every rule Cognito enforces that
//     matters here. It returns every problem at once, each with its file,
//     line, column and path (see Problems); unknown fields are problems.
//     `tollgate validate` prints exactly these, and `tollgate serve` refuses
//     to start with them.
//   - Config is the validated intent: plain data, no store handles.
//   - Apply reconciles a store with a Config: objects the config declares are
//     matched by their ConfigKey (the logical ids), created, updated in place
//     (keeping their ids, secrets and keys) or deleted; objects made by hand
//     (with an empty ConfigKey) are left alone.
//
// The schema lives one file per top-level section (userpools.go for
// userPools); a new section (restApis, functions) is a field of Config, a
// file with its structs and its validate function, and a step in Apply.
//
// Package config imports the root package and internal/vault, and nothing
// else from this module.
package config
