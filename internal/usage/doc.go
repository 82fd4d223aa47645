// Package usage counts the requests each API key makes in each usage plan
// and reports them as API Gateway's GetUsage does.
//
// Recorder counts in memory on the request path (a map lookup and an
// atomic add) and adds the counts to the store every Interval, per plan,
// key and UTC day (tollgate.UsageRecord), so that every node's requests
// sum in the store. Report reads them back in GetUsage's shape.
//
// usage imports only the root package and the standard library.
package usage
