// Pre token generation triggers of the end-to-end tests
// (e2e/pretoken_test.go), answering Cognito's V3_0 event
// (response.claimsAndScopeOverrideDetails.accessTokenGeneration).
//
// handler, by the token request's aws_client_metadata "mode":
//   (none)     adds claims of every type a V2/V3 trigger may return
//              (string, number, boolean, array, object), echoes the
//              event's fields and the client metadata into claims, adds
//              the scope api/admin and suppresses api/write
//   protected  tries to override and suppress claims Cognito protects
//              (client_id, iss, token_use, scope, exp, sub, jti)
//   fail       throws
// alwaysFails throws whatever it is given: a trigger that must not run.
exports.handler = async (event) => {
  const metadata = event.request.clientMetadata ?? null
  const mode = metadata?.mode
  if (mode === 'fail') {
    throw new Error('the trigger failed on purpose')
  }
  let details
  if (mode === 'protected') {
    details = {
      claimsToAddOrOverride: {
        client_id: 'someone-else',
        iss: 'https://evil.example',
        token_use: 'id',
        scope: 'api/admin api/write',
        exp: 4102444800
      },
      claimsToSuppress: ['sub', 'jti', 'client_id', 'scope']
    }
  } else {
    details = {
      claimsToAddOrOverride: {
        tenant: metadata?.tenant ?? 'none',
        client_metadata: metadata ?? {},
        plan: 'gold',
        quota: 42,
        beta: true,
        features: ['reports', 1, true],
        limits: { rps: 10, nested: { burst: 20 } },
        event_version: event.version,
        event_trigger: event.triggerSource,
        event_pool: event.userPoolId,
        event_region: event.region,
        event_client: event.callerContext?.clientId ?? null,
        event_scopes: event.request.scopes,
        event_user_attributes: event.request.userAttributes ?? null
      },
      scopesToAdd: ['api/admin'],
      scopesToSuppress: ['api/write']
    }
  }
  event.response = { claimsAndScopeOverrideDetails: { accessTokenGeneration: details } }
  return event
}

exports.alwaysFails = async () => {
  throw new Error('this trigger must not run for client credentials tokens')
}
