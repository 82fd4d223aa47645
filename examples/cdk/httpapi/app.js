// A third CDK app, beside ../app.js and ../authorizers/app.js: an HTTP API
// (API Gateway v2, CDK's HttpApi) with every kind of route Tollgate runs:
// Lambda integrations with payload 2.0 and 1.0, a URL integration, JWT
// authorizers (HttpUserPoolAuthorizer on a pool of the stack, and
// HttpJwtAuthorizer on that pool's issuer URL), Lambda authorizers with
// simple and IAM responses, route scopes, a $default route, CORS, and a
// named stage beside $default.
//
// ../synth.sh synthesizes it into cdk.out/ here, which
// `tollgate serve --template examples/cdk/httpapi/cdk.out` runs as it is.
// The functions' code is functions/ (an asset, plain Node.js, no
// dependencies).
const path = require('path')
const { App, Stack, Duration, CfnOutput, CfnParameter } = require('aws-cdk-lib')
const {
  UserPool,
  ResourceServerScope,
  OAuthScope
} = require('aws-cdk-lib/aws-cognito')
const { HttpApi, HttpMethod, CorsHttpMethod } = require('aws-cdk-lib/aws-apigatewayv2')
const {
  HttpLambdaIntegration,
  HttpUrlIntegration
} = require('aws-cdk-lib/aws-apigatewayv2-integrations')
const {
  HttpJwtAuthorizer,
  HttpUserPoolAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType
} = require('aws-cdk-lib/aws-apigatewayv2-authorizers')
const lambda = require('aws-cdk-lib/aws-lambda')
const { PayloadFormatVersion } = require('aws-cdk-lib/aws-apigatewayv2')

class HttpApiStack extends Stack {
  constructor (scope, id, props) {
    super(scope, id, props)
    const code = lambda.Code.fromAsset(path.join(__dirname, 'functions'))
    const fn = (id, handler) => new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler,
      code,
      timeout: Duration.seconds(3)
    })

    // Where the URL integration forwards: a parameter, so that the same
    // template reaches a backend on this machine or another.
    const upstream = new CfnParameter(this, 'UpstreamUrl', {
      type: 'String',
      default: 'http://127.0.0.1:8089',
      description: 'The base URL the /upstream/{proxy+} route forwards to'
    })

    // A pool whose machine-to-machine client may read orders, not
    // administer them.
    const userPool = new UserPool(this, 'UserPool')
    const read = new ResourceServerScope({ scopeName: 'read', scopeDescription: 'Read orders' })
    const admin = new ResourceServerScope({ scopeName: 'admin', scopeDescription: 'Administer orders' })
    const orders = userPool.addResourceServer('OrdersServer', {
      identifier: 'orders',
      scopes: [read, admin]
    })
    const client = userPool.addClient('ServiceClient', {
      userPoolClientName: 'Service',
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        scopes: [OAuthScope.resourceServer(orders, read)]
      }
    })
    const domain = userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: 'tollgate-httpapi' }
    })

    const echo = fn('EchoFunction', 'echo.handler')
    const echo2 = new HttpLambdaIntegration('Echo', echo)
    const echo1 = new HttpLambdaIntegration('EchoV1', echo, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_1_0
    })

    const api = new HttpApi(this, 'Api', {
      apiName: 'orders-http',
      corsPreflight: {
        allowOrigins: ['https://app.example.com'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['x-request-id'],
        maxAge: Duration.hours(1)
      },
      defaultIntegration: echo2
    })
    const beta = api.addStage('Beta', {
      stageName: 'beta',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 50 },
      stageVariables: { backend: 'beta' }
    })

    // JWT: the pool's authorizer (its clients are the audience), and a
    // plain JWT authorizer on the pool's issuer URL.
    const poolAuthorizer = new HttpUserPoolAuthorizer('PoolAuthorizer', userPool, {
      userPoolClients: [client]
    })
    const jwtAuthorizer = new HttpJwtAuthorizer('JwtAuthorizer', userPool.userPoolProviderUrl, {
      jwtAudience: [client.userPoolClientId]
    })

    // Lambda authorizers: one function, answering simply (payload 2.0) or
    // with an IAM policy (payload 1.0) as its event's version says.
    const authorizerFn = fn('AuthorizerFunction', 'authorizer.handler')
    const simpleAuthorizer = new HttpLambdaAuthorizer('SimpleAuthorizer', authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.X-Tenant'],
      resultsCacheTtl: Duration.seconds(0)
    })
    const iamAuthorizer = new HttpLambdaAuthorizer('IamAuthorizer', authorizerFn, {
      identitySource: ['$request.header.X-Tenant', '$context.routeKey']
    })

    api.addRoutes({
      path: '/orders',
      methods: [HttpMethod.GET],
      integration: echo2,
      authorizer: poolAuthorizer,
      authorizationScopes: ['orders/read']
    })
    api.addRoutes({
      path: '/orders/{id}',
      methods: [HttpMethod.DELETE],
      integration: echo2,
      authorizer: poolAuthorizer,
      authorizationScopes: ['orders/admin']
    })
    api.addRoutes({
      path: '/jwt',
      methods: [HttpMethod.GET],
      integration: echo2,
      authorizer: jwtAuthorizer
    })
    api.addRoutes({
      path: '/simple',
      methods: [HttpMethod.GET],
      integration: echo2,
      authorizer: simpleAuthorizer
    })
    api.addRoutes({
      path: '/iam',
      methods: [HttpMethod.GET],
      integration: echo1,
      authorizer: iamAuthorizer
    })
    api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: echo1
    })
    api.addRoutes({
      path: '/upstream/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: new HttpUrlIntegration('Upstream', upstream.valueAsString + '/echo/{proxy}')
    })

    new CfnOutput(this, 'ApiUrl', { value: api.url })
    new CfnOutput(this, 'BetaUrl', { value: beta.url })
    new CfnOutput(this, 'TokenUrl', { value: domain.baseUrl() + '/oauth2/token' })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'ClientId', { value: client.userPoolClientId })
  }
}

const app = new App({
  outdir: process.env.CDK_OUTDIR || path.join(__dirname, 'cdk.out'),
  context: {
    // As ../app.js: asset paths on the resources, no stack traces.
    'aws:cdk:enable-asset-metadata': true,
    'aws:cdk:disable-stack-trace': true
  }
})
new HttpApiStack(app, 'HttpApiStack')
app.synth()
