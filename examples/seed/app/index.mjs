// The seed stack's ProxyLambda (runtime nodejs22.x, handler index.handler):
// it answers every request with the Lambda proxy event it received, so that
// a caller sees what API Gateway passed on (path, parameters, headers, the
// authorizer's claims).
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(event, null, 2),
});
