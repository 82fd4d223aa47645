# Sourced by the gateway load scripts (gateway.sh, cache.sh). start_stack
# builds tollgate and bench/gateway into $work, starts the trivial upstream
# (bench/gateway -role upstream) and `tollgate dev` on a free loopback port
# with the seed stack's user pool, scope default/default and M2M client,
# and a REST API whose route /{proxy+} ANY has the Cognito authorizer and an
# HTTP_PROXY integration to the upstream (CDK's HttpIntegration with proxy:
# true), and an HTTP API whose route ANY /{proxy+} has a JWT authorizer
# trusting that pool (CDK's HttpUserPoolAuthorizer) with the same scope and
# an HTTP_PROXY integration to the same upstream (HttpUrlIntegration); its
# arguments are passed on to `tollgate dev`. It sets up_pid, tg_pid,
# upstream, token_url, id, secret, api (the REST API's invoke URL),
# http_api (the HTTP API's URL, "" when dev printed none), and
# stack_ok: "no", having printed dev's output, when dev printed no invoke
# URL or client credentials. (It returns 0 then too: a function called as
# a condition would run without set -e.)

# Sourcing it makes the work directory and the exit trap that stops the
# processes start_stack starts and removes the directory.
work=$(mktemp -d)
up_pid=""
tg_pid=""
cleanup() {
	for p in $tg_pid $up_pid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

start_stack() {
	stack_ok=yes
	CGO_ENABLED=0 go build -o "$work/tollgate" ./cmd/tollgate
	go build -o "$work/gateway" ./bench/gateway

	# The upstream first: Tollgate's config names its URL.
	"$work/gateway" -role upstream -listen 127.0.0.1:0 -max-lifetime 60m >"$work/upstream.out" &
	up_pid=$!
	for _ in $(seq 100); do grep -q '^Listening on ' "$work/upstream.out" 2>/dev/null && break; sleep 0.1; done
	upstream=$(sed -n 's/^Listening on *//p' "$work/upstream.out")
	[ -n "$upstream" ] || { echo "the upstream did not start" >&2; exit 1; }

	cat >"$work/tollgate.yaml" <<YAML
region: us-east-1
userPools:
  - id: UserPool
    resourceServers:
      - id: ResourceServer
        identifier: default
        userPoolResourceServerName: default
        scopes:
          - scopeName: default
            scopeDescription: default
    clients:
      - id: BenchClient
        generateSecret: true
        oAuth:
          flows: {clientCredentials: true}
          scopes: [default/default]
restApis:
  - id: BenchApi
    deployOptions: {stageName: prod}
    authorizers:
      - id: Authorizer
        cognitoUserPools: [UserPool]
    resources:
      - path: /{proxy+}
        methods:
          - httpMethod: ANY
            authorizer: Authorizer
            authorizationScopes: [default/default]
            integration:
              type: HTTP_PROXY
              uri: ${upstream}/{proxy}
httpApis:
  - id: BenchHttpApi
    authorizers:
      - {id: Authorizer, type: JWT, userPool: UserPool, userPoolClients: [BenchClient]}
    routes:
      - path: /{proxy+}
        methods: [ANY]
        authorizer: Authorizer
        authorizationScopes: [default/default]
        integration: {type: HTTP_PROXY, url: "${upstream}/{proxy}"}
YAML
	"$work/tollgate" validate "$work/tollgate.yaml" >/dev/null

	"$work/tollgate" dev --config "$work/tollgate.yaml" --data "$work/data" --listen 127.0.0.1:0 --log-level warn "$@" >"$work/out" 2>"$work/log" &
	tg_pid=$!
	for _ in $(seq 100); do
		grep -q '^Stop with Ctrl-C' "$work/out" 2>/dev/null && break
		kill -0 "$tg_pid" 2>/dev/null || break
		sleep 0.1
	done
	token_url=$(sed -n 's/^Token URL: *//p' "$work/out")
	id=$(sed -n 's/^ *Client id: *//p' "$work/out" | head -1)
	secret=$(sed -n 's/^ *Client secret: *//p' "$work/out" | head -1)
	# GLUE: the invoke URL dev prints for the API's stage: the first URL on an
	# execute-api host, else the first one on an "Invoke URL:" or "API URL:" line.
	api=$(grep -Eo 'https?://[^ ]*execute-api[^ ]*' "$work/out" | head -1 || true)
	[ -n "$api" ] || api=$(sed -En 's/^ *(Invoke|API) URL: *(http[^ ]*).*/\2/p' "$work/out" | head -1)
	# The HTTP API's URL: the "API URL:" line after its "HTTP API" line.
	http_api=$(sed -En '/^HTTP API BenchHttpApi:/,/API URL:/ s/^ *API URL: *(http[^ ]*).*/\1/p' "$work/out" | head -1)

	if [ -z "$token_url" ] || [ -z "$id" ] || [ -z "$secret" ] || [ -z "$api" ]; then
		{
			echo "no invoke URL or client credentials from tollgate dev"
			echo "--- tollgate dev output:"; cat "$work/out"
			echo "--- tollgate dev log:"; cat "$work/log"
			echo "---"
		} >&2
		stack_ok=no
	fi
}
