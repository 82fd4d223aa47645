// The API's integration (handler api.handler): it answers with the path
// and the API key API Gateway's Lambda proxy event carries
// (requestContext.identity.apiKey, the key's value, and apiKeyId, its id,
// when the method requires a key), and the client id of a Cognito token.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    path: event.path,
    apiKey: event.requestContext?.identity?.apiKey ?? null,
    apiKeyId: event.requestContext?.identity?.apiKeyId ?? null,
    clientId: event.requestContext?.authorizer?.claims?.client_id ?? null
  })
})
