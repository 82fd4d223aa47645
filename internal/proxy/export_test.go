package proxy

// BenchInvocation is benchInvocation, for the benchmarks of proxy_test.
var BenchInvocation = benchInvocation
