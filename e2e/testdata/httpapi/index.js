// Functions of the HTTP API end-to-end test (e2e/httpapi_test.go).
//
// echo: the integration; answers with the event it got as its JSON body.
// Payload 2.0 answers also set two cookies (response cookies[], one
// Set-Cookie each) and a CORS header of the backend's own, which API
// Gateway ignores when the API has a CORS configuration.
// plain: returns a value without statusCode (2.0: 200 JSON of it).
// fail: throws (500 on HTTP APIs).
// slow: answers after 5 s (beyond its route's 1 s integration timeout).
//
// simple: a Lambda REQUEST authorizer, payload 2.0 with simple responses.
// iam: a Lambda REQUEST authorizer, payload 1.0, answering IAM policies.
// Both decide from their first identity value, "VERB" or "VERB.NONCE":
//   allow         allowed, with a context that echoes the event
//   narrow (iam)  Allow for this request's methodArn only
//   deny          not allowed (isAuthorized false; an explicit Deny)
//   unauthorized  throw new Error("Unauthorized")
//   anything else throws another error
// Each authorizer call appends "NAME IDENTITY" to $CALLS_FILE first, so
// that a test can count calls. Lines this short are written by one
// write(2) on an O_APPEND file: instances running at once do not mix them.
const fs = require('fs')

const record = (line) => {
  if (process.env.CALLS_FILE) fs.appendFileSync(process.env.CALLS_FILE, line + '\n')
}

exports.echo = async (event) => {
  if (event.version === '2.0') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': 'https://backend.example' },
      cookies: ['s=1; Path=/', 't=2'],
      body: JSON.stringify(event)
    }
  }
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) }
}

exports.plain = async () => ({ hello: 'world', n: 1 })

exports.fail = async () => {
  throw new Error('boom')
}

exports.slow = async () => {
  await new Promise((resolve) => setTimeout(resolve, 5000))
  return { statusCode: 200, body: 'late' }
}

const verbOf = (identity) => String(identity || '').split('.')[0]

exports.simple = async (event) => {
  const identity = (event.identitySource || []).join(',')
  record('simple ' + identity)
  switch (verbOf(event.identitySource && event.identitySource[0])) {
    case 'allow':
      return {
        isAuthorized: true,
        context: {
          arr: [1, 'two'],
          obj: { a: 1 },
          num: 7,
          s: 'x',
          version: event.version,
          type: event.type,
          routeArn: event.routeArn,
          routeKey: event.routeKey,
          rawPath: event.rawPath,
          identitySource: event.identitySource,
          hasBody: 'body' in event
        }
      }
    case 'deny':
      return { isAuthorized: false }
    case 'unauthorized':
      throw new Error('Unauthorized')
  }
  throw new Error('boom')
}

// wholeAPI is the ARN of every route of the API and stage of methodArn,
// arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}.
const wholeAPI = (methodArn) => {
  const [api, stage] = methodArn.split('/')
  return `${api}/${stage}/*`
}

const policy = (effect, resource, context) => ({
  principalId: 'caller',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }]
  },
  ...(context === undefined ? {} : { context })
})

exports.iam = async (event) => {
  record('iam ' + event.identitySource)
  const context = {
    k: 'v',
    version: event.version,
    type: event.type,
    identitySource: event.identitySource,
    authorizationToken: event.authorizationToken,
    methodArn: event.methodArn
  }
  switch (verbOf(event.identitySource)) {
    case 'allow':
      return policy('Allow', wholeAPI(event.methodArn), context)
    case 'narrow':
      return policy('Allow', event.methodArn, context)
    case 'deny':
      return policy('Deny', wholeAPI(event.methodArn))
    case 'unauthorized':
      throw new Error('Unauthorized')
  }
  throw new Error('boom')
}
