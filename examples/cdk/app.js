// The seed article's stack as a CDK app, in plain JavaScript: a Cognito user
// pool with a resource server, a machine-to-machine client and a domain (a
// prefix and a custom one), and a REST API whose {proxy+} resource runs a
// Lambda function behind a Cognito authorizer.
//
// `./synth.sh` synthesizes it into cdk.out/, which `tollgate serve --template
// cdk.out` runs as it is.
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
  CognitoUserPoolsAuthorizer,
  LambdaIntegration
} = require('aws-cdk-lib/aws-apigateway')
const lambda = require('aws-cdk-lib/aws-lambda')
const { HostedZone, ARecord, RecordTarget } = require('aws-cdk-lib/aws-route53')
const { UserPoolDomainTarget } = require('aws-cdk-lib/aws-route53-targets')
const { Certificate } = require('aws-cdk-lib/aws-certificatemanager')

class OAuthApiStack extends Stack {
  constructor (scope, id, props) {
    super(scope, id, props)

    // Cognito user pool
    const userPool = new UserPool(this, 'UserPool')

    // Custom resource server and scope
    const customScope = new ResourceServerScope({
      scopeName: 'default',
      scopeDescription: 'Custom default scope'
    })
    const customResourceServer = userPool.addResourceServer('ResourceServer', {
      identifier: 'default',
      userPoolResourceServerName: 'Custom default resource server',
      scopes: [customScope]
    })

    // Cognito app clients
    const client = userPool.addClient('ThirdPartyAppClient', {
      userPoolClientName: 'ThirdPartyClientName',
      generateSecret: true,
      authFlows: {
        userSrp: false,
        userPassword: false,
        adminUserPassword: false,
        user: false,
        custom: false
      },
      oAuth: {
        flows: {
          clientCredentials: true
        },
        scopes: [OAuthScope.resourceServer(customResourceServer, customScope)]
      },
      refreshTokenValidity: Duration.days(5)
    })

    // Create cognito generated domain
    const domain = userPool.addDomain('UserPoolDomain', {
      cognitoDomain: {
        domainPrefix: 'tollgate-cdk'
      }
    })

    // Rest Api
    const restApi = new RestApi(this, 'NewRestApi', {
      endpointTypes: [EndpointType.REGIONAL]
    })

    // Cognito authorizer
    const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [userPool]
    })

    // Api proxy integration
    const proxyLambda = new lambda.Function(this, 'ProxyLambda', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, 'app')),
      timeout: Duration.seconds(10)
    })
    const proxyIntegration = new LambdaIntegration(proxyLambda, {
      proxy: true,
      allowTestInvoke: true
    })
    const proxyResource = restApi.root.addResource('{proxy+}')
    proxyResource.addMethod('ANY', proxyIntegration, {
      authorizer,
      authorizationScopes: ['default/default']
    })

    // Custom cognito domain
    const hostedZoneName = 'example.com'
    const hostedZone = HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
      hostedZoneId: 'Z0123456789EXAMPLE',
      zoneName: hostedZoneName
    })
    const cognitoCustomDomainName = `auth.${hostedZoneName}`
    const cognitoCertificate = Certificate.fromCertificateArn(
      this,
      'CognitoCertificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'
    )
    const customDomain = userPool.addDomain('UserPoolCustomDomain', {
      customDomain: {
        domainName: cognitoCustomDomainName,
        certificate: cognitoCertificate
      }
    })
    new ARecord(this, 'UserPoolCustomDomainAliasRecord', {
      zone: hostedZone,
      recordName: cognitoCustomDomainName,
      target: RecordTarget.fromAlias(new UserPoolDomainTarget(customDomain))
    })

    new CfnOutput(this, 'TokenUrl', { value: domain.baseUrl() + '/oauth2/token' })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'ClientId', { value: client.userPoolClientId })
    new CfnOutput(this, 'ProviderUrl', { value: userPool.userPoolProviderUrl })
  }
}

const app = new App({
  outdir: process.env.CDK_OUTDIR || path.join(__dirname, 'cdk.out'),
  context: {
    // As `cdk synth` does: record each asset's directory on the resource
    // that uses it (aws:asset:path), beside the assets manifest.
    'aws:cdk:enable-asset-metadata': true,
    // No stack traces of the machine that synthesized in the metadata.
    'aws:cdk:disable-stack-trace': true,
    // Feature flags of a new CDK project (cdk init) that change what this
    // stack synthesizes: no CloudWatch role for API Gateway, and a custom
    // domain's alias target read without a custom resource.
    '@aws-cdk/aws-apigateway:disableCloudWatchRole': true,
    '@aws-cdk/aws-route53-targets:userPoolDomainNameMethodWithoutCustomResource': true
  }
})
new OAuthApiStack(app, 'OAuthApiStack')
app.synth()
