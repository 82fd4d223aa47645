// A second CDK app, beside ../app.js: a REST API whose methods are guarded
// by Lambda authorizers (a TOKEN and a REQUEST one), and a user pool whose
// client credentials tokens go through a pre token generation trigger
// (V3_0) that adds claims.
//
// ../synth.sh synthesizes it into cdk.out/ here, which
// `tollgate serve --template examples/cdk/authorizers/cdk.out` runs as it
// is. The functions' code is functions/ (an asset, plain Node.js, no
// dependencies).
const path = require('path')
const { App, Stack, Duration, CfnOutput } = require('aws-cdk-lib')
const {
  UserPool,
  UserPoolOperation,
  LambdaVersion,
  FeaturePlan,
  ResourceServerScope,
  OAuthScope
} = require('aws-cdk-lib/aws-cognito')
const {
  RestApi,
  EndpointType,
  TokenAuthorizer,
  RequestAuthorizer,
  IdentitySource,
  LambdaIntegration
} = require('aws-cdk-lib/aws-apigateway')
const lambda = require('aws-cdk-lib/aws-lambda')

class AuthorizersStack extends Stack {
  constructor (scope, id, props) {
    super(scope, id, props)
    const code = lambda.Code.fromAsset(path.join(__dirname, 'functions'))
    const fn = (id, handler, environment) => new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler,
      code,
      timeout: Duration.seconds(3),
      environment
    })

    // The pre token generation trigger: V3_0 is the event version Cognito
    // sends for client credentials (machine-to-machine) tokens, on the
    // Essentials or Plus feature plan.
    const userPool = new UserPool(this, 'UserPool', {
      featurePlan: FeaturePlan.ESSENTIALS
    })
    userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      fn('PreTokenFunction', 'pretoken.handler'),
      LambdaVersion.V3_0
    )
    const readScope = new ResourceServerScope({
      scopeName: 'read',
      scopeDescription: 'Read orders'
    })
    const orders = userPool.addResourceServer('OrdersServer', {
      identifier: 'orders',
      userPoolResourceServerName: 'Orders',
      scopes: [readScope]
    })
    const client = userPool.addClient('PartnerClient', {
      userPoolClientName: 'Partner',
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(orders, readScope)]
      }
    })
    const domain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: 'tollgate-authorizers' }
    })

    // One authorizer function for both kinds of authorizer: it tells them
    // apart by the event's type.
    const authorizerFn = fn('AuthorizerFunction', 'authorizer.handler', {
      TENANTS: 'acme,globex'
    })
    const tokenAuthorizer = new TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: authorizerFn,
      // The header's value as a whole: API Gateway passes it on verbatim.
      validationRegex: '^Bearer [A-Za-z0-9._-]+$',
      resultsCacheTtl: Duration.minutes(5)
    })
    const requestAuthorizer = new RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: authorizerFn,
      identitySources: [
        IdentitySource.header('X-Tenant'),
        IdentitySource.queryString('key')
      ],
      resultsCacheTtl: Duration.minutes(1)
    })

    const api = new RestApi(this, 'AuthorizersApi', {
      endpointTypes: [EndpointType.REGIONAL]
    })
    const integration = new LambdaIntegration(fn('ApiFunction', 'api.handler'))
    api.root.addResource('token').addMethod('GET', integration, {
      authorizer: tokenAuthorizer
    })
    api.root.addResource('tenant').addMethod('GET', integration, {
      authorizer: requestAuthorizer
    })

    new CfnOutput(this, 'TokenUrl', { value: domain.baseUrl() + '/oauth2/token' })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'ClientId', { value: client.userPoolClientId })
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
new AuthorizersStack(app, 'AuthorizersStack')
app.synth()
