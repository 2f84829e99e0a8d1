# The six triggers of the `assess` benchmark (benches/src/rollout.rs),
# written as an OPA author would: samples of the window (by RFC 3339
# timestamp), gaps skipped, breaching samples counted against a failure
# limit; relative triggers compare with the baseline mean.
package rollout

import rego.v1

now_ns := time.parse_rfc3339_ns(input.now)

window_ns := 300 * 1000000000

in_window(s) if {
	s.value != null
	time.parse_rfc3339_ns(s.at) > now_ns - window_ns
}

baseline_mean(name) := m if {
	vals := [s.value | some s in input.metrics[name].baseline; s.value != null]
	count(vals) > 0
	m := sum(vals) / count(vals)
}

absolute := [
	{"id": "error-rate-high", "metric": "error-rate", "above": 5},
	{"id": "cpu-saturated", "metric": "cpu", "above": 90},
	{"id": "memory-saturated", "metric": "memory", "above": 95},
	{"id": "queue-backlog", "metric": "queue-depth", "above": 1000},
]

relative := [
	{"id": "latency-p99-regression", "metric": "latency-p99", "above": 200},
	{"id": "latency-p50-regression", "metric": "latency-p50", "above": 100},
]

tripped contains t.id if {
	some t in absolute
	breaches := [s | some s in input.metrics[t.metric].canary; in_window(s); s.value > t.above]
	count(breaches) > 1
}

tripped contains t.id if {
	some t in relative
	base := baseline_mean(t.metric)
	breaches := [s | some s in input.metrics[t.metric].canary; in_window(s); s.value - base > t.above]
	count(breaches) > 1
}

verdict := "rollback" if count(tripped) > 0

else := "continue"

result := {"verdict": verdict, "tripped": tripped}
