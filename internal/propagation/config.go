package propagation

import "github.com/tollgate/tollgate"

// Config is the config of a measured cluster's nodes: the pool Pool, with
// resource server api (scope Scope) and the client Probe, which a Probe
// introspects and gets tokens as, and the REST API Api, whose authorized
// MOCK route RoutePath passes a token with Scope.
const Config = `userPools:
  - id: Pool
    resourceServers:
      - {identifier: api, userPoolResourceServerName: API, scopes: [{scopeName: read, scopeDescription: Read}]}
    clients:
      - {id: Probe, generateSecret: true, oAuth: {flows: {clientCredentials: true}, scopes: [api/read]}}
restApis:
  - id: Api
    authorizers: [{id: Auth, cognitoUserPools: [Pool]}]
    resources:
      - path: /{proxy+}
        methods:
          - {httpMethod: ANY, authorizer: Auth, authorizationScopes: [api/read], integration: {type: MOCK}}
`

// Scope is the scope Config's clients are given, and the route wants.
const Scope = "api/read"

// RoutePath is the path of Config's route.
var RoutePath = "/apis/" + tollgate.RestAPIID("Api") + "/prod/ping"
