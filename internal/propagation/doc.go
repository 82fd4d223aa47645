// Package propagation measures how long a change made on one node of a
// cluster (several `tollgate serve` processes on one database) takes to be
// enforced by every node: a revocation, a client deletion, a secret
// deletion, a key rotation. It probes each node's token endpoint,
// introspection and gateway over HTTP, polls every node without pause from
// the moment the change is acknowledged, and summarizes the delays as
// percentiles.
//
// The end-to-end tests (e2e/cluster_test.go) and the propagation benchmark
// (bench/propagation) share it; Tollgate itself does not import it. It
// imports internal/awstest and the AWS SDK for the management API the
// changes are made through, the root package, and no other package of the
// module.
package propagation
