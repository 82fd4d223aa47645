// The API's Lambda authorizer (handler authorizer.handler), for both its
// TOKEN and its REQUEST authorizer.
//
// TOKEN: the token names the caller, "Bearer allow-NAME" or
// "Bearer deny-NAME". It stands in for a real check (a signature, a
// lookup) so that the example runs without secrets; what it returns is
// what a real authorizer returns.
//
// REQUEST: the X-Tenant header must name one of the tenants in the
// TENANTS environment variable; the tenant and the key query string
// parameter reach the integration in the authorizer's context.

// The policy covers every method of the API's stage
// (arn:…:{apiId}/{stage}/*), not just event.methodArn: API Gateway caches
// the policy for the token and checks later requests against it.
const policy = (principalId, effect, methodArn, context) => {
  const [api, stage] = methodArn.split('/') // arn:…:{apiId}, {stage}, …
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${api}/${stage}/*` }]
    },
    context
  }
}

const tenants = new Set((process.env.TENANTS || '').split(',').filter(Boolean))

exports.handler = async (event) => {
  if (event.type === 'REQUEST') {
    const header = Object.entries(event.headers || {}).find(([k]) => k.toLowerCase() === 'x-tenant')
    const tenant = header ? header[1] : ''
    const effect = tenants.has(tenant) ? 'Allow' : 'Deny'
    return policy('tenant-' + tenant, effect, event.methodArn, {
      tenant,
      key: event.queryStringParameters?.key ?? ''
    })
  }
  const m = /^Bearer (allow|deny)-([A-Za-z0-9._]+)$/.exec(event.authorizationToken)
  if (!m) {
    // API Gateway answers 401 to exactly this error message.
    throw new Error('Unauthorized')
  }
  return policy(m[2], m[1] === 'allow' ? 'Allow' : 'Deny', event.methodArn, {
    caller: m[2],
    checkedAt: Date.now()
  })
}
