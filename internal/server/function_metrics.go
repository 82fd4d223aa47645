package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tollgate/tollgate/internal/function"
)

// functionMetrics count Lambda invocations by function, outcome and start.
type functionMetrics struct {
	invocations *prometheus.CounterVec // function, result, start
}

func (m *metrics) newFunctionMetrics() *functionMetrics {
	fm := &functionMetrics{invocations: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tollgate_function_invocations_total",
		Help: "Lambda function invocations, by function, result (ok or error: a function error, crash or timeout) and start (cold: a new instance was started, warm: one was reused).",
	}, []string{"function", "result", "start"})}
	m.reg.MustRegister(fm.invocations)
	return fm
}

func (fm *functionMetrics) observe(name string, res *function.Result) {
	result, start := "ok", "warm"
	if res.FunctionError != "" {
		result = "error"
	}
	if res.Cold {
		start = "cold"
	}
	fm.invocations.WithLabelValues(name, result, start).Inc()
}
