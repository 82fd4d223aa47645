// The API's integration (handler api.handler): it answers with what the
// authorizer decided, as API Gateway's Lambda proxy event carries it
// (requestContext.authorizer: principalId, the context's values as
// strings, and integrationLatency).
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    path: event.path,
    authorizer: event.requestContext?.authorizer ?? null
  })
})
