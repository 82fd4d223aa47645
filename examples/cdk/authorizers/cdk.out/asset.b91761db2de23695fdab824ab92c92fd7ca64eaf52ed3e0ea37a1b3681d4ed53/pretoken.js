// The user pool's pre token generation trigger (handler pretoken.handler),
// version V3_0: Cognito calls it for client credentials tokens too, and
// puts the claims it returns in the access token. Values may be strings,
// numbers, booleans, arrays and objects.
//
// The tenant comes from the token request's aws_client_metadata, a JSON
// object (here {"tenant": "…"}) that reaches the trigger as
// request.clientMetadata.
exports.handler = async (event) => {
  const tenant = event.request.clientMetadata?.tenant ?? 'none'
  event.response = {
    claimsAndScopeOverrideDetails: {
      accessTokenGeneration: {
        claimsToAddOrOverride: {
          tenant,
          plan: 'gold',
          quota: 1000,
          beta: true,
          features: ['reports', 'export'],
          limits: { rps: 10, burst: 20 }
        }
      }
    }
  }
  return event
}
