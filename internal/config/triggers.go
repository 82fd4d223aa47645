package config

// LambdaTriggers are the Lambda functions a user pool invokes (CDK's
// UserPool lambdaTriggers and addTrigger; CloudFormation's LambdaConfig).
// Only the pre token generation trigger is supported.
type LambdaTriggers struct {
	PreTokenGeneration *PreTokenGenerationTrigger `yaml:"preTokenGeneration"`
}

// PreTokenGenerationTrigger is a pool's pre token generation trigger
// (CDK: addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn,
// LambdaVersion.V3_0); CloudFormation:
// LambdaConfig.PreTokenGenerationConfig).
type PreTokenGenerationTrigger struct {
	// Function is the id of a function of this config.
	Function string `yaml:"function"`
	// LambdaVersion is the event version: V1_0, V2_0 or V3_0 (only V3_0
	// is invoked for client_credentials tokens).
	LambdaVersion string `yaml:"lambdaVersion"`
}
