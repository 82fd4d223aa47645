// The Lambda authorizer (handler authorizer.handler) of two HTTP API
// authorizers: SimpleAuthorizer sends payload 2.0 events and takes a
// simple response ({isAuthorized, context}); IamAuthorizer sends payload
// 1.0 events and takes an IAM policy. Tenants acme and globex are
// allowed; any other is denied. The context reaches the integration as
// the authorizer returned it (requestContext.authorizer.lambda in 2.0).
const allowed = new Set(['acme', 'globex'])

exports.handler = async (event) => {
  const tenant = (event.headers || {})['x-tenant'] || ''
  const context = { tenant, version: event.version, sources: event.identitySource }
  if (event.version === '2.0') {
    return { isAuthorized: allowed.has(tenant), context: { ...context, roles: ['reader'] } }
  }
  return {
    principalId: 'tenant-' + tenant,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Action: 'execute-api:Invoke',
        Effect: allowed.has(tenant) ? 'Allow' : 'Deny',
        Resource: event.methodArn || event.routeArn
      }]
    },
    context: { tenant, version: event.version }
  }
}
