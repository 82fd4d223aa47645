// The Lambda REQUEST authorizer (runtime nodejs22.x, handler
// index.handler) with simple responses (payload format 2.0): it allows a
// request whose x-api-key header is the stage variable apiKey, and passes
// a context the integration gets as requestContext.authorizer.lambda.
// HTTP APIs lower-case header names in the event.
export const handler = async (event) => {
  const key = event.headers?.["x-api-key"];
  const expected = event.stageVariables?.apiKey ?? "let-me-in";
  return {
    isAuthorized: key === expected,
    context: { caller: "api-key", routeKey: event.routeKey },
  };
};
