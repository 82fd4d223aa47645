// Package template runs CloudFormation templates, as `cdk synth` writes
// them, on Tollgate: it loads a template (JSON or YAML, CloudFormation's
// short-form tags such as !Ref and !GetAtt included) or a cloud assembly
// directory (cdk.out, through its manifest.json and assets manifests),
// resolves the intrinsic functions as CloudFormation does, and maps the
// resources to a *config.Config. config.Apply, BuildRestAPIs and
// BuildFunctions then do the rest, so a template's resources are reconciled
// with the store by logical id exactly as a config file's are: deploying the
// same template again keeps every id, secret and key; a changed template
// updates in place; a resource removed is deleted.
//
// The pipeline:
//
//   - Load (a file or a cloud assembly) or Parse decodes the template into
//     plain values, remembering the line and column of each one so that
//     problems point at the template: file:line:col, the logical id and the
//     property path.
//   - Deploy resolves Parameters (defaults, or values given with
//     --parameter), Conditions, and every intrinsic in DependsOn order, and
//     maps each resource by type. Resources that mean nothing off AWS (IAM
//     roles, Lambda permissions, log groups, Route 53 records, CDK
//     metadata) are accepted and listed as not applicable; any other type
//     is a problem, reported with every other problem before anything
//     starts. API Gateway authorizers of every type are mapped: a Lambda
//     authorizer's AuthorizerUri to the template's function it invokes, a
//     REQUEST authorizer's comma-separated IdentitySource to its list, a
//     Cognito authorizer's ProviderARNs to the template's pools or, for a
//     pool on AWS, its ARN; AuthorizerCredentials is accepted and ignored
//     (Tollgate invokes the function itself). HTTP APIs
//     (AWS::ApiGatewayV2::Api with ProtocolType HTTP, its Routes,
//     Integrations, Authorizers and Stages, and quick create's Target) map
//     to the Config's httpApis (httpapis.go) with the same accessors: a
//     route's Target "integrations/{id}" to its integration, an
//     integration's bare Lambda ARN or invocation URI to the template's
//     function, a JWT authorizer whose Issuer is a pool of the template
//     (Fn::Join of cognito-idp's URL and Ref Pool, or GetAtt
//     Pool.ProviderURL) to that pool and its clients; WebSocket APIs,
//     OpenAPI bodies, AWS_IAM routes and parameter mapping are problems.
//     API keys and usage plans (usageplans.go) map to the Config's apiKeys
//     and usagePlans: AWS::ApiGateway::ApiKey (a key without Enabled is
//     disabled, as CreateApiKey makes it; the deprecated StageKeys, which
//     CDK's addApiKey writes, and GenerateDistinctId are accepted and
//     change nothing), AWS::ApiGateway::UsagePlan (ApiStages' ApiId a REST
//     API of the template, their per-method Throttle keys
//     "/{resource path}/{METHOD}" split into path and method, "//GET" the
//     root's), and each AWS::ApiGateway::UsagePlanKey adds its key to its
//     plan; a method's ApiKeyRequired and a REST API's ApiKeySourceType
//     are mapped, ApiKeyRequired on an HTTP API's route is a problem.
//     A pool's
//     LambdaConfig.PreTokenGenerationConfig (or the legacy
//     PreTokenGeneration, a V1_0 trigger) becomes its pre token generation
//     trigger; any other trigger is a problem.
//   - A pool's and a client's ids resolve to the ids the store gives them
//     (Options.IDs: config.StackIDs reads those it holds and makes up the
//     rest), and so do an API key's and a usage plan's when Options.IDs
//     implements APIKeyIDs too, wherever they are referred to: in outputs, and in every
//     resource property, inside Fn::Sub, Fn::Join and the like. The CLI
//     deploys the Config with config.ApplyWith as the stack's, with the
//     same ids, so a stack owns its objects apart from other stacks'.
//     Only a client secret is never resolved: Plan.Outputs prints a
//     command that reveals it, and a resource that refers to it is a
//     problem.
//   - The Config is then validated as a config file is (config.Validate,
//     which ends with apigw.Check, the gateway's own gate), so a template
//     is held to exactly what serve would run. As the mapper reads each
//     property into a Config field (the props accessors, given the field
//     with props.to), it records the property as the field's origin; the
//     validation (config.ValidateFrom) places each problem through those
//     origins, at the property its value came from (file:line:col and the
//     template path), or at the resource of its nearest recorded ancestor
//     with the rest of the Config path in brackets.
//
// Package template imports the root package, internal/apigw (the Lambda
// invocation URI of an AWS_PROXY integration or a Lambda authorizer, and a
// REQUEST authorizer's identity sources) and internal/config, and
// nothing else from this module.
package template
