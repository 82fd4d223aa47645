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
//     starts.
//   - Physical ids that only exist once the store holds the objects (a
//     pool's id, a client's id) resolve to placeholders while mapping;
//     Plan.Outputs replaces them with the ids config.Apply returned.
//
// Package template imports the root package and internal/config, and
// nothing else from this module.
package template
