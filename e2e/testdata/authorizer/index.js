// Lambda authorizers of the end-to-end tests (e2e/lambda_authorizer_test.go).
//
// token (TOKEN): decides from the token, "Bearer VERB" or
// "Bearer VERB.NONCE" (the nonce keeps tests' cache entries apart):
//   allow        Allow for the whole API (arn:…:{api}/{stage}/*), with a
//                context of a string, a number and a boolean
//   nullctx      the same, with a null context value
//   deny         an explicit Deny for the whole API
//   elsewhere    Allow for another API only: an implicit deny
//   narrow       Allow for event.methodArn only (the caching trap)
//   unauthorized throw new Error("Unauthorized")
//   boom         throws another error
//   timeout      never answers (the function's timeout ends it)
//   malformed    returns something that is not a policy
//   objctx       Allow with an object in the context
//   anything else: "Unauthorized"
//
// request (REQUEST): allows the whole API (denies for tenant "deny") and
// echoes what the event held into the context.
//
// Each invocation appends a line to $CALLS_FILE first: the token (TOKEN)
// or "TENANT|KEY|METHOD" (REQUEST), so that a test can count how many times
// the function ran for it. Lines this short are written by one write(2) on
// an O_APPEND file: instances running at once do not mix them.
const fs = require('fs')

const record = (line) => {
  if (process.env.CALLS_FILE) fs.appendFileSync(process.env.CALLS_FILE, line + '\n')
}

// wholeAPI is the ARN of every method of the API and stage of methodArn,
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}.
const wholeAPI = (methodArn) => {
  const [api, stage] = methodArn.split('/')
  return `${api}/${stage}/*`
}

const policy = (principalId, effect, resource, context) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }]
  },
  ...(context === undefined ? {} : { context })
})

exports.token = async (event) => {
  const token = event.authorizationToken.replace(/^Bearer /, '')
  record(token)
  const verb = token.split('.')[0]
  const all = wholeAPI(event.methodArn)
  switch (verb) {
    case 'allow':
      return policy('user-' + token, 'Allow', all, {
        str: 'hello',
        num: 123,
        bool: true,
        type: event.type,
        token: event.authorizationToken,
        methodArn: event.methodArn,
        keys: Object.keys(event).sort().join(',')
      })
    case 'nullctx':
      return policy('user-' + token, 'Allow', all, { str: 'x', nothing: null })
    case 'deny':
      return policy('user-' + token, 'Deny', all)
    case 'elsewhere':
      return policy('user-' + token, 'Allow', all.replace(/:[^:/]+\//, ':otherapi01/'))
    case 'narrow':
      return policy('user-' + token, 'Allow', event.methodArn)
    case 'boom':
      throw new Error('boom: not the message API Gateway answers 401 to')
    case 'timeout':
      await new Promise(() => setInterval(() => {}, 1000))
      break
    case 'malformed':
      return { principalId: 'user', policy: 'allow everything' }
    case 'objctx':
      return policy('user-' + token, 'Allow', all, { nested: { a: 1 } })
  }
  throw new Error('Unauthorized')
}

exports.request = async (event) => {
  const header = (name) => {
    const e = Object.entries(event.headers || {}).find(([k]) => k.toLowerCase() === name)
    return e ? e[1] : undefined
  }
  const tenant = header('x-tenant') ?? ''
  const key = event.queryStringParameters?.key ?? ''
  record(`${tenant}|${key}|${event.httpMethod}`)
  return policy('tenant-' + tenant, tenant === 'deny' ? 'Deny' : 'Allow', wholeAPI(event.methodArn), {
    tenant,
    key,
    stageVar: event.stageVariables?.v ?? '(none)',
    httpMethod: event.httpMethod,
    path: event.path,
    type: event.type,
    hasBody: 'body' in event
  })
}

// echo is the APIs' integration: it answers with the Lambda proxy event.
exports.echo = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(event)
})

// usage (TOKEN): Allow for the whole API, naming the token ("Bearer
// VALUE") as the usageIdentifierKey: the API key value API Gateway takes
// when the API's apiKeySourceType is AUTHORIZER. "Bearer none" names none.
exports.usage = async (event) => {
  const token = event.authorizationToken.replace(/^Bearer /, '')
  record('usage:' + token)
  const answer = policy('caller-' + token.slice(0, 8), 'Allow', wholeAPI(event.methodArn))
  return token === 'none' ? answer : { ...answer, usageIdentifierKey: token }
}
