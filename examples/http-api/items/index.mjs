// The items function (runtime nodejs22.x, handler index.handler), behind
// the HTTP API's AWS_PROXY routes with payload format 2.0: it answers with
// the event it received, so that a caller sees what API Gateway passed on
// (routeKey, rawPath, pathParameters, and the authorizer's jwt claims or
// lambda context). A 2.0 result may leave statusCode out; this one sets it.
export const handler = async (event) => ({
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(event, null, 2),
});
