// The API's handler (runtime nodejs22.x, handler index.handler): it answers
// with who called and what they asked for, from the Lambda proxy event that
// API Gateway (or Tollgate) passed on.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({
    message: "hello from the CDK stack",
    path: event.path,
    method: event.httpMethod,
    clientId: event.requestContext?.authorizer?.claims?.client_id ?? null,
    scope: event.requestContext?.authorizer?.claims?.scope ?? null,
  }),
});
