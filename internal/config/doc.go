// Package config owns Tollgate's config-as-code: it reads a YAML file whose
// keys mirror the AWS CDK construct props (UserPool, addResourceServer,
// addClient, addDomain), validates it whole, and reconciles the store with
// the intent it declares.
//
// The pipeline has three steps:
//
//   - Parse (or Load) decodes the YAML syntax tree against the schema
//     structs, fills defaults and checks every rule Cognito enforces that
//     matters here. It returns every problem at once, each with its file,
//     line, column and path (see Problems); unknown fields are problems.
//     `tollgate validate` prints exactly these, and `tollgate serve` refuses
//     to start with them.
//   - Config is the validated intent: plain data, no store handles.
//   - Apply reconciles a store with a Config: objects the config declares are
//     matched by their ConfigKey (built from logical ids), created, updated
//     in place (keeping their ids, secrets and keys) or deleted; objects made
//     by hand (with an empty ConfigKey) are left alone.
//
// The file, with defaults and rules (examples/ holds complete files):
//
//	region: us-east-1                # default us-east-1; the pools' default region
//	userPools:
//	  - id: UserPool                 # required, unique; the pool's identity across applies
//	    userPoolName: UserPool       # default id; unique
//	    region: us-east-1            # default the top-level region; fixed once the pool exists
//	    resourceServers:             # at most 25
//	      - id: ResourceServer       # default identifier
//	        identifier: default      # required, unique in the pool; 1-256 printable ASCII, no space " \
//	        userPoolResourceServerName: Custom default resource server   # default identifier
//	        scopes:                  # at most 100
//	          - scopeName: default   # required, unique; as identifier, and no /
//	            scopeDescription: Custom default scope   # required, 1-256 characters
//	    clients:
//	      - id: ThirdPartyAppClient  # required, unique in the pool
//	        userPoolClientName: ThirdPartyClientName     # default id; unique in the pool
//	        generateSecret: true     # required by clientCredentials; fixed once the client exists
//	        authFlows: {userSrp: false, userPassword: false, adminUserPassword: false, user: false, custom: false}
//	        oAuth:
//	          flows: {clientCredentials: true}           # authorizationCodeGrant, implicitCodeGrant: false only
//	          scopes: [default/default]                  # at most 50; "identifier/scopeName" of this pool
//	        accessTokenValidity: 60m                     # 5m-1d, default 60m
//	        idTokenValidity: 60m                         # 5m-1d, default 60m
//	        refreshTokenValidity: 30d                    # 60m-3650d, default 30d; not shorter than the others
//	    domains:                     # at most one of each kind per pool; unique across pools
//	      - id: UserPoolDomain       # required, unique in the pool
//	        cognitoDomain: {domainPrefix: my-prefix}     # a DNS label; no "aws", "amazon", "cognito"
//	      - id: UserPoolCustomDomain
//	        customDomain:
//	          domainName: auth.example.com               # a lower-case fully qualified host name
//	          certificate: {certFile: auth.pem, keyFile: auth-key.pem}   # optional; relative to the file
//
// Durations are a whole number and a unit (30s, 60m, 1h, 5d), kept in that
// unit, or a compound such as 1h30m.
//
// The schema lives one file per top-level section (userpools.go and
// userpools_check.go for userPools). A new section (restApis, functions) is
// a field of Config, a file with its structs and its check method, and a
// step in Apply.
//
// Package config imports the root package and internal/vault, and nothing
// else from this module.
package config
