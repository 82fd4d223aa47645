package cognitoapi

import "github.com/tollgate/tollgate"

// Cognito's member shapes, named as its service model names them
// (botocore data/cognito-idp/2016-04-18/service-2.json; the API reference
// lists the same constraints). validation checks requests against them.
var (
	userPoolIDType   = strShape{min: 1, max: 55, pattern: newPattern(`[\w-]+_[0-9a-zA-Z]+`)}
	userPoolNameType = strShape{min: 1, max: 128, pattern: newPattern(`[\w\s+=,.@-]+`)}
	// The model marks ClientIdType sensitive, yet Cognito's recent answers
	// echo the value ("Value '' at 'clientId'", boto/boto3#3581), so
	// Tollgate shows it.
	clientIDType       = strShape{min: 1, max: 128, pattern: newPattern(`[\w+]+`)}
	clientNameType     = strShape{min: 1, max: 128, pattern: newPattern(`[\w\s+=,.@-]+`)}
	clientSecretType   = strShape{min: 24, max: 64, pattern: newPattern(`[\w+]+`), sensitive: true}
	clientSecretIDType = strShape{min: 1, max: 128}

	resourceServerIdentifierType       = strShape{min: 1, max: 256, pattern: newPattern(`[\x21\x23-\x5B\x5D-\x7E]+`)}
	resourceServerNameType             = strShape{min: 1, max: 256, pattern: newPattern(`[\w\s+=,.@-]+`)}
	resourceServerScopeNameType        = strShape{min: 1, max: 256, pattern: newPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`)}
	resourceServerScopeDescriptionType = strShape{min: 1, max: 256}

	// DomainType's pattern, ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$, is
	// not checked with the others: Cognito takes custom domains
	// (auth.example.com) in the same member, and answers a prefix that
	// breaks it with its own message (createUserPoolDomain).
	domainType = strShape{min: 1, max: 63}
	// describedDomainType is DomainType in Describe and
	// DeleteUserPoolDomain, where Tollgate lets a custom domain a config
	// file declares be as long as a host name (253): the model's 63 cannot
	// be Cognito's limit for custom domains, and no answer records it.
	describedDomainType = strShape{min: 1, max: 253}
	arnType             = strShape{min: 20, max: 2048, pattern: newPattern(`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`)}

	// paginationKeyType (ListUserPools, ListResourceServers) has no
	// maximum; paginationKey (the client lists) has one.
	paginationKeyType = strShape{min: 1, pattern: newPattern(`[\S]+`)}
	paginationKey     = strShape{min: 1, max: 131072, pattern: newPattern(`[\S]+`)}

	deletionProtectionType         = strShape{enum: []string{"ACTIVE", "INACTIVE"}}
	userPoolMfaType                = strShape{enum: []string{"OFF", "ON", "OPTIONAL"}}
	userPoolTierType               = strShape{enum: []string{"LITE", "ESSENTIALS", "PLUS"}}
	timeUnitsType                  = strShape{enum: []string{"seconds", "minutes", "hours", "days"}}
	preventUserExistenceErrorTypes = strShape{enum: []string{"LEGACY", "ENABLED"}}

	explicitAuthFlowsListType = listShape{member: strShape{enum: explicitAuthFlows}}
	// OAuthFlowsType's values in the order Tollgate has always listed
	// them, which is not the model's (code, implicit, client_credentials);
	// no recorded answer settles it.
	oAuthFlowsType = listShape{max: 3, member: strShape{enum: []string{"implicit", "client_credentials", "code"}}}
	scopeListType  = listShape{max: tollgate.MaxScopesPerClient, member: strShape{min: 1, max: 256, pattern: newPattern(`[\x21\x23-\x5B\x5D-\x7E]+`)}}

	poolQueryLimitType           = intShape{1, 60}
	queryLimit                   = intShape{1, 60}
	listResourceServersLimitType = intShape{1, 50}
	refreshTokenValidityType     = intShape{0, 315360000}
	accessTokenValidityType      = intShape{1, 86400}
	idTokenValidityType          = intShape{1, 86400}
	authSessionValidityType      = intShape{3, 15}
)
