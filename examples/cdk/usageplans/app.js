// A CDK app beside ../app.js: a REST API metered with API keys and a usage
// plan, as a team that publishes an API to third parties declares it. A
// partner gets a client (client credentials) of the user pool and an API
// key; the usage plan throttles each key, caps its requests per day, and
// throttles one method more tightly.
//
// ../synth.sh synthesizes it into cdk.out/ here, which
// `tollgate serve --template examples/cdk/usageplans/cdk.out` runs as it
// is. The function's code is functions/ (an asset, plain Node.js, no
// dependencies).
const path = require('path')
const { App, Stack, Duration, CfnOutput } = require('aws-cdk-lib')
const {
  UserPool,
  ResourceServerScope,
  OAuthScope
} = require('aws-cdk-lib/aws-cognito')
const {
  RestApi,
  EndpointType,
  ApiKeySourceType,
  CognitoUserPoolsAuthorizer,
  LambdaIntegration,
  Period
} = require('aws-cdk-lib/aws-apigateway')
const lambda = require('aws-cdk-lib/aws-lambda')

class UsagePlansStack extends Stack {
  constructor (scope, id, props) {
    super(scope, id, props)

    // The pool that issues partners' tokens, as in ../app.js.
    const userPool = new UserPool(this, 'UserPool')
    const readScope = new ResourceServerScope({
      scopeName: 'read',
      scopeDescription: 'Read the catalogue'
    })
    const catalogue = userPool.addResourceServer('CatalogueServer', {
      identifier: 'catalogue',
      userPoolResourceServerName: 'Catalogue',
      scopes: [readScope]
    })
    const client = userPool.addClient('PartnerClient', {
      userPoolClientName: 'Partner',
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(catalogue, readScope)]
      }
    })
    const domain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: 'tollgate-usageplans' }
    })

    // Methods that require a key read it from the X-API-Key header.
    const api = new RestApi(this, 'MeteredApi', {
      endpointTypes: [EndpointType.REGIONAL],
      apiKeySourceType: ApiKeySourceType.HEADER
    })
    const integration = new LambdaIntegration(new lambda.Function(this, 'ApiFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'api.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'functions')),
      timeout: Duration.seconds(3)
    }))
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [userPool]
    })

    // GET /items needs a key; GET /status does not (the header is ignored
    // there, and the plan's limits do not apply); GET /orders needs a
    // token of the pool and a key.
    const items = api.root.addResource('items').addMethod('GET', integration, {
      apiKeyRequired: true
    })
    api.root.addResource('status').addMethod('GET', integration)
    api.root.addResource('orders').addMethod('GET', integration, {
      apiKeyRequired: true,
      authorizer,
      authorizationScopes: ['catalogue/read']
    })

    // A key with a fixed value (a development value: a real one is
    // generated, or kept out of the template), and a generated one.
    const devKey = api.addApiKey('DevKey', {
      apiKeyName: 'partner-dev',
      description: 'Development key of the partner (fixed value: not for production)',
      value: 'dev-key-0123456789abcdef'
    })
    const partnerKey = api.addApiKey('PartnerKey', {
      apiKeyName: 'partner',
      customerId: 'partner-42'
    })

    // The plan: each key 10 requests per second (burst 20) over the
    // stage, 1000 requests per UTC day, and GET /items 2 requests at
    // once, refilling one every 100 seconds.
    const plan = api.addUsagePlan('PartnerPlan', {
      name: 'Partner',
      description: 'Partners of the catalogue',
      throttle: { rateLimit: 10, burstLimit: 20 },
      quota: { limit: 1000, period: Period.DAY },
      apiStages: [{
        api,
        stage: api.deploymentStage,
        throttle: [{ method: items, throttle: { rateLimit: 0.01, burstLimit: 2 } }]
      }]
    })
    plan.addApiKey(devKey)
    plan.addApiKey(partnerKey)

    new CfnOutput(this, 'TokenUrl', { value: domain.baseUrl() + '/oauth2/token' })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'ClientId', { value: client.userPoolClientId })
    new CfnOutput(this, 'UsagePlanId', { value: plan.usagePlanId })
    new CfnOutput(this, 'PartnerKeyId', { value: partnerKey.keyId })
  }
}

const app = new App({
  outdir: process.env.CDK_OUTDIR || path.join(__dirname, 'cdk.out'),
  context: {
    // As ../app.js: asset paths on the resources, no stack traces, and a
    // new project's feature flags.
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:disable-stack-trace': true,
    '@aws-cdk/aws-apigateway:disableCloudWatchRole': true
  }
})
new UsagePlansStack(app, 'UsagePlansStack')
app.synth()
