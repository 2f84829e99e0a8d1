# The built-in pack of release-policy (policies/**/*.yaml), translated to
# Rego by hand so that regorus can be benchmarked on the SAME logic.
#
# Input: the facts as release-policy's canonical JSON
# (`Facts::to_json_value`): timestamps are RFC 3339 strings, durations
# strings such as `90d` or `1h30m`.
#
# Output: `data.release.result` = {verdict, deny, pending, warn}, where
#   deny    = ids of failed `block` gates (not waived) and vetoed/refused
#             approval rules,
#   pending = ids of failed `approval` gates and approval rules still missing
#             approvals (or with an unresolved disagreement),
#   warn    = ids of failed `warn` gates.
#
# Fail-closed translation. CEL reports an error for a missing field and
# release-policy counts an error as the rule failing; Rego leaves such a rule
# undefined instead. Each gate is therefore written as
#     <effect> contains ID if { applies; not skip_ID; not ok_ID }
# where `ok_ID` is "the expression is defined and true" and `skip_ID` is "the
# `when` is defined and false": missing data makes `ok` undefined, and the
# gate fails, as in release-policy.
#
# Simplifications (the benches' agreement test checks the outcomes on the
# example, on policies/testdata/base.yaml and on every case of the pack's
# policy tests): a waiver also lifts a gate that failed on missing data
# (release-policy only lifts a gate whose expression is false).
package release

import rego.v1

# ---------------------------------------------------------------- helpers

day := 86400000000000

minute := 60000000000

now := time.parse_rfc3339_ns(input.now)

ts(s) := time.parse_rfc3339_ns(s)

units := {"w": 7 * day, "d": day, "h": 3600000000000, "m": minute, "s": 1000000000, "ms": 1000000}

# `90d`, `1h30m`, `500ms` (release-policy's duration syntax) in nanoseconds.
dur(s) := 0 if s == "0"

dur(s) := n if {
	s != "0"
	n := sum([v |
		some p in regex.find_all_string_submatch_n(`([0-9]+)(ms|w|d|h|m|s)`, s, -1)
		v := to_number(p[1]) * units[p[2]]
	])
}

author := input.release.author

# People are told apart trimmed and ignoring case.
person(name) := lower(trim_space(name))

kind := input.release.kind

production if input.release.environment == "production"

# ------------------------------------------------------------- ci-tests
# (no appliesTo: every environment)

ci_required := [s | some s in input.ci.suites; s.required] if is_array(input.ci.suites)

ok_ci_present if count(ci_required) > 0

block_fail contains "ci-required-suite-present" if not ok_ci_present

skip_ci_suites if count(ci_required) == 0

ok_ci_passed if {
	is_array(ci_required)
	every s in ci_required {
		s.status == "passed"
		s.failed == 0
	}
}

block_fail contains "ci-required-suites-passed" if {
	not skip_ci_suites
	not ok_ci_passed
}

ok_ci_no_skipped if {
	is_array(ci_required)
	every s in ci_required {
		s.skipped == 0
	}
}

warn_fail contains "ci-required-suites-no-skipped-tests" if {
	not skip_ci_suites
	not ok_ci_no_skipped
}

# ------------------------------------------------------- change-request

cr_applies if {
	production
	kind == "standard"
}

block_fail contains "change-request-approved" if {
	cr_applies
	not input.changeRequest.status == "approved"
}

skip_cr_recorded if input.changeRequest.status != "approved"

ok_cr_recorded if {
	_ = input.changeRequest.approvedBy
	_ = input.changeRequest.approvedAt
}

warn_fail contains "change-request-approval-recorded" if {
	cr_applies
	not skip_cr_recorded
	not ok_cr_recorded
}

# --------------------------------------------------- communication-plan

comm_applies if {
	production
	kind != "emergency"
}

comm_ready := {"scheduled", "sent", "not-needed"}

block_fail contains "internal-communication-ready" if {
	comm_applies
	not input.readiness.communication.internal in comm_ready
}

block_fail contains "external-communication-ready" if {
	comm_applies
	not input.readiness.communication.external in comm_ready
}

# --------------------------------------------------------- error-budget

# The budget as given, or (as release-policy derives it) the least budget
# left of the ratio SLOs with an observed error ratio.
given_budget := object.get(input.service, "errorBudgetRemaining", null)

derived_budgets := [b |
	some s in input.service.slos
	object.get(s, "unit", null) == null
	s.errorRatio
	b := 1 - s.errorRatio / (1 - s.objective / 100)
]

budget := given_budget if given_budget != null

budget := min(derived_budgets) if {
	given_budget == null
	count(derived_budgets) > 0
}

# `when: has(service.errorBudgetRemaining)`: false only when `service` is
# there without the figure (given or derived).
skip_eb_freeze if {
	input.service
	not budget
}

ok_eb_freeze if budget > 0

ok_eb_freeze if kind == "hotfix"

ok_eb_freeze if kind == "security"

block_fail contains "error-budget-freeze" if {
	production
	not skip_eb_freeze
	not ok_eb_freeze
}

skip_eb_low if skip_eb_freeze

skip_eb_low if budget <= 0

ok_eb_low if budget >= 0.25

warn_fail contains "error-budget-low" if {
	production
	not skip_eb_low
	not ok_eb_low
}

# ----------------------------------------------------- migration-safety

mig_declared := [c | some c in input.release.changes; c.kind == "db-migration"]

mig_ids := {m.id | some m in input.migrations}

mig_undescribed := [c | some c in mig_declared; not c.id in mig_ids]

block_fail contains "migration-facts-present" if {
	production
	count(mig_declared) > 0
	count(mig_undescribed) > 0
}

no_checks(m) if count(m.checks.pre) == 0

no_checks(m) if count(m.checks.post) == 0

pre_not_passed(m) if {
	some c in m.checks.pre
	c.status != "passed"
}

post_failed(m) if {
	some c in m.checks.post
	c.status in {"failed", "error"}
}

block_fail contains "migration-integrity-checks-defined" if {
	production
	some m in input.migrations
	no_checks(m)
}

block_fail contains "migration-pre-checks-passed" if {
	production
	some m in input.migrations
	pre_not_passed(m)
}

warn_fail contains "migration-post-checks-not-failed" if {
	production
	some m in input.migrations
	post_failed(m)
}

block_fail contains "migration-reversible" if {
	production
	some m in input.migrations
	not m.reversible
}

block_fail contains "migration-down-tested-in-staging" if {
	production
	some m in input.migrations
	m.reversible
	not m.downTestedIn == "staging"
}

# --------------------------------------------------------------- on-call

block_fail contains "on-call-assigned" if {
	production
	not count(input.readiness.onCall) > 0
}

skip_on_call_escalation if count(input.readiness.onCall) == 0

warn_fail contains "on-call-escalation-defined" if {
	production
	not skip_on_call_escalation
	not count(input.readiness.onCall) >= 2
}

# ------------------------------------------------------ open-postmortems

pm_rolled_back := [r | some r in input.history.releases; r.outcome == "rolled-back"] if is_array(input.history.releases)

pm_newer(r) if {
	some o in pm_rolled_back
	ts(o.at) > ts(r.at)
}

pm_last := [r | some r in pm_rolled_back; not pm_newer(r)] if is_array(pm_rolled_back)

block_fail contains "no-open-postmortems" if {
	kind == "standard"
	not input.history.openPostmortems == 0
}

skip_pm_last if count(pm_rolled_back) == 0

ok_pm_last if {
	is_array(pm_last)
	every r in pm_last {
		not r.postmortem == "open"
	}
}

block_fail contains "last-rollback-postmortem-closed" if {
	kind == "standard"
	not skip_pm_last
	not ok_pm_last
}

# -------------------------------------------------------- privacy-review

user_data := [c | some c in input.release.changes; c.kind == "user-data"]

block_fail contains "user-data-fields-listed" if {
	production
	some c in user_data
	not count(c.fields) > 0
}

# ------------------------------------------------------ incident-history

severe := [i |
	some i in input.history.incidents
	i.severity <= 2
	now - ts(i.at) <= 30 * day
] if is_array(input.history.incidents)

recent_rollbacks := [r |
	some r in input.history.releases
	r.outcome == "rolled-back"
	now - ts(r.at) <= 30 * day
] if is_array(input.history.releases)

ok_severe if count(severe) < 2

# `effect: approval`, approvers [engineering-director]: lifted when the
# latest word of someone in that role (not the author, not in the future) is
# an approval; a later reject withdraws it.
director_approved if {
	some i, a in input.approvals
	a.role == "engineering-director"
	a.decision == "approve"
	person(a.by) != person(author)
	ts(a.at) <= now
	not superseded_approval(i)
}

approval_fail contains "recent-severe-incidents" if {
	production
	not ok_severe
	not director_approved
}

warn_fail contains "recent-rollbacks" if {
	production
	not count(recent_rollbacks) < 2
}

# ---------------------------------------------------- rollback-readiness

has_rb_budget if _ = input.service.rollbackBudget

rb_budget := min([dur(input.service.rollbackBudget), 5 * minute]) if {
	input.service.tier == 1
	has_rb_budget
}

rb_budget := 5 * minute if {
	input.service.tier == 1
	not has_rb_budget
}

rb_budget := dur(input.service.rollbackBudget) if {
	input.service.tier != 1
	has_rb_budget
}

rb_budget := 15 * minute if {
	input.service.tier == 2
	not has_rb_budget
}

rb_budget := 30 * minute if {
	not input.service.tier in {1, 2}
	_ = input.service.tier
	not has_rb_budget
}

rollback := input.readiness.rollback

block_fail contains "rollback-owner-assigned" if {
	production
	not count(rollback.owner) > 0
}

block_fail contains "rollback-tested-in-staging" if {
	production
	not rollback.testedIn == "staging"
}

block_fail contains "rollback-tested-recently" if {
	production
	not now - ts(rollback.testedAt) <= 30 * day
}

block_fail contains "rollback-within-budget" if {
	production
	not dur(rollback.duration) <= rb_budget
}

warn_fail contains "rollback-runbook-documented" if {
	production
	not count(rollback.runbook) > 0
}

# ---------------------------------------------------- certificate-expiry

expiring := [c |
	some c in input.security.certificates
	ts(c.notAfter) - now <= 14 * day
] if is_array(input.security.certificates)

expiring_soon := [c |
	some c in input.security.certificates
	ts(c.notAfter) - now <= 30 * day
] if is_array(input.security.certificates)

block_fail contains "certificates-not-expiring" if {
	production
	not count(expiring) == 0
}

warn_fail contains "certificates-expiring-soon" if {
	production
	not count(expiring_soon) == 0
}

# ------------------------------------------------------- secret-rotation

overdue := [s |
	some s in input.security.secrets
	now - ts(s.rotatedAt) > dur(s.maxAge)
] if is_array(input.security.secrets)

block_fail contains "secrets-rotated" if {
	production
	not count(overdue) == 0
}

# -------------------------------------------------------- security-scans

scan_kinds := {"sast", "sca"}

scans[k] := [s | some s in input.security.scans; s.kind == k] if {
	is_array(input.security.scans)
	some k in scan_kinds
}

# the latest scan of each tool: older runs of a tool are superseded
latest_scans[k] := [s |
	some s in scans[k]
	not superseded(scans[k], s)
] if some k in scan_kinds

superseded(list, s) if {
	some o in list
	o.tool == s.tool
	ts(o.completedAt) > ts(s.completedAt)
}

scan_recent(k) if {
	some s in scans[k]
	now - ts(s.completedAt) <= 7 * day
}

skip_scan_findings(k) if count(scans[k]) == 0

no_findings(k, level) if {
	is_array(scans[k])
	every s in latest_scans[k] {
		s.findings[level] == 0
	}
}

block_fail contains "sast-completed" if {
	production
	not scan_recent("sast")
}

block_fail contains "sca-completed" if {
	production
	not scan_recent("sca")
}

block_fail contains "sast-no-critical" if {
	production
	not skip_scan_findings("sast")
	not no_findings("sast", "critical")
}

block_fail contains "sca-no-critical" if {
	production
	not skip_scan_findings("sca")
	not no_findings("sca", "critical")
}

warn_fail contains "sast-no-high" if {
	production
	not skip_scan_findings("sast")
	not no_findings("sast", "high")
}

warn_fail contains "sca-no-high" if {
	production
	not skip_scan_findings("sca")
	not no_findings("sca", "high")
}

# -------------------------------------------------------- release-basics

known_environments := {"production", "staging", "qa", "development", "sandbox", "preview"}

block_fail contains "environment-known" if {
	not known_environments[input.release.environment]
}

known_change_kinds := {
	"db-migration", "new-endpoint", "auth-change", "user-data", "feature",
	"bugfix", "config", "dependency", "refactor", "docs", "infrastructure",
}

block_fail contains "change-kinds-known" if {
	some c in input.release.changes
	not known_change_kinds[c.kind]
}

# ---------------------------------------------------------- rollout-plan

plan := input.rollout

plan_applies if {
	production
	input.rollout
}

weights := [s.setWeight | some s in plan.steps; s.setWeight]

ok_first_step if {
	count(weights) > 0
	weights[0] >= 5
	weights[0] <= 10
}

block_fail contains "first-canary-step-small" if {
	plan_applies
	not ok_first_step
}

weights_not_increasing if {
	some i, w in weights
	i > 0
	w <= weights[i - 1]
}

block_fail contains "canary-steps-increase" if {
	plan_applies
	weights_not_increasing
}

has_pause if {
	some s in plan.steps
	s.pause
}

short_pause if {
	some s in plan.steps
	s.pause
	dur(s.pause) < 30 * minute
}

block_fail contains "pauses-cover-promotion-window" if {
	plan_applies
	not has_pause
}

block_fail contains "pauses-cover-promotion-window" if {
	plan_applies
	short_pause
}

block_fail contains "capacity-for-overlap" if {
	plan_applies
	c := plan.capacity
	not c.reserved + c.perReplica * (c.replicas.stable + c.replicas.canary) <= c.allocatable * 0.85
}

block_fail contains "new-flags-start-off" if {
	plan_applies
	some f in plan.flags
	f.new
	f.exposure != 0
}

# ----------------------------------------------------------- slo-defined

block_fail contains "slos-defined" if {
	production
	not count(input.service.slos) > 0
}

skip_slo_objectives if count(input.service.slos) == 0

slo_valid(s) if {
	s.objective > 0
	_ = s.unit
}

slo_valid(s) if {
	s.objective > 0
	s.objective <= 100
}

ok_slo_objectives if {
	is_array(input.service.slos)
	every s in input.service.slos {
		slo_valid(s)
	}
}

block_fail contains "slo-objectives-set" if {
	production
	not skip_slo_objectives
	not ok_slo_objectives
}

# --------------------------------------------------------------- waivers

waivable := {
	"error-budget-freeze": {"engineering-director", "sre-lead"},
	"migration-reversible": {"dba"},
	"secrets-rotated": {"security"},
	"sast-no-critical": {"security"},
	"sca-no-critical": {"security"},
	"change-kinds-known": {"release-management"},
}

# From an allowed role, not by the author, not expired.
waived(id) if {
	some w in input.waivers
	w.rule == id
	w.role in waivable[id]
	person(w.by) != person(author)
	ts(w.expires) > now
}

# ------------------------------------------------------ approval rules
# readiness-review, expedited-review (approvals/readiness-review.yaml),
# pentest-signoff (security/pentest-signoff.yaml), privacy-legal-review
# (privacy/privacy-review.yaml). All four have quorum `all` and separation
# of duties. `chain` is the decider followed by the escalation roles.

approval_rules := {
	"readiness-review": {
		"roles": ["development", "qa", "security", "operations", "compliance"],
		"veto": ["security"],
		"chain": ["release-manager", "engineering-director", "cto"],
		"max_age": 14 * day,
		"evidence": [],
		"distinct": true,
	},
	"expedited-review": {
		"roles": ["development", "operations"],
		"veto": ["operations"],
		"chain": ["release-manager", "engineering-director"],
		"max_age": 2 * day,
		"evidence": [],
		"distinct": true,
	},
	"pentest-signoff": {
		"roles": ["security"],
		"veto": ["security"],
		"chain": [],
		"max_age": 30 * day,
		"evidence": ["pentest"],
	},
	"privacy-legal-review": {
		"roles": ["privacy", "legal"],
		"veto": ["privacy", "legal"],
		"chain": [],
		"max_age": 30 * day,
		"evidence": [],
	},
}

approval_applies contains "readiness-review" if {
	production
	kind in {"standard", "security"}
}

approval_applies contains "expedited-review" if {
	production
	kind in {"hotfix", "emergency"}
}

pentest_change(c) if c.kind == "auth-change"

pentest_change(c) if {
	c.kind == "new-endpoint"
	not c.external == false
}

approval_applies contains "pentest-signoff" if {
	production
	some c in input.release.changes
	pentest_change(c)
}

approval_applies contains "privacy-legal-review" if {
	production
	count(user_data) > 0
}

relevant(r, role) if role in r.roles

relevant(r, role) if role in r.veto

relevant(r, role) if role in r.chain

# The latest word of each person in each role counts (on equal times, the
# later entry in the list); a statement dated after `now` never counts, and
# never hides an earlier one.
superseded_approval(i) if {
	a := input.approvals[i]
	some j, b in input.approvals
	b.role == a.role
	person(b.by) == person(a.by)
	j != i
	ts(b.at) <= now
	later(b, j, a, i)
}

later(b, _, a, _) if ts(b.at) > ts(a.at)

later(b, j, a, i) if {
	ts(b.at) == ts(a.at)
	j > i
}

has_evidence(r, a) if a.decision != "approve"

has_evidence(r, a) if not a.role in r.roles

has_evidence(r, a) if {
	a.decision == "approve"
	a.role in r.roles
	every e in r.evidence {
		e in a.evidence
	}
}

# Approvals that count for rule r: not by the author, not in the future, not
# stale, carrying the evidence, not an abstention.
counted(r) := [a |
	some i, a in input.approvals
	relevant(r, a.role)
	not superseded_approval(i)
	person(a.by) != person(author)
	at := ts(a.at)
	at <= now
	fresh(r, a, at)
	a.decision != "abstain"
	has_evidence(r, a)
]

# Only approvals (and abstentions) age out; a rejection always counts.
fresh(_, a, _) if a.decision == "reject"

fresh(r, _, at) if now - at <= r.max_age

approved_roles(r, c) := {role |
	some role in r.roles
	some a in c
	a.role == role
	a.decision == "approve"
}

vetoed(r, c) if {
	some a in c
	a.decision == "reject"
	a.role in r.veto
}

rejected(r, c) if {
	some a in c
	a.decision == "reject"
	a.role in r.roles
}

# The first role of the chain with a counted word given at or after the
# latest rejection decides, with its latest word.
last_rejection(r, c) := max({ts(a.at) | some a in c; a.decision == "reject"; a.role in r.roles})

chain_words(r, c) := [a | some a in c; a.role in r.chain; ts(a.at) >= last_rejection(r, c)]

decider_index(r, c) := min({k | some k, role in r.chain; some a in chain_words(r, c); a.role == role})

decider_word(r, c) := a if {
	role := r.chain[decider_index(r, c)]
	some a in chain_words(r, c)
	a.role == role
	not later_word(chain_words(r, c), a)
}

# Deciding go overrules the rejections; the quorum still counts.
overruled(r, c) := approved_roles(r, c) | {a.role | some a in c; a.decision == "reject"; a.role in r.roles}

later_word(c, a) if {
	some b in c
	b.role == a.role
	ts(b.at) > ts(a.at)
}

approval_outcome(r, c) := "deny" if vetoed(r, c)
else := "pass" if {
	rejected(r, c)
	decider_word(r, c).decision == "approve"
	count(overruled(r, c)) == count(r.roles)
}
else := "deny" if {
	rejected(r, c)
	decider_word(r, c).decision == "reject"
}
else := "pending" if rejected(r, c)
else := "pass" if {
	count(approved_roles(r, c)) == count(r.roles)
	enough_people(r, c)
}
else := "pending"

# `distinctPeople`: each role by a different person. The Rust engine finds
# a maximum matching of roles to people; with `quorum: all` this peer
# approximates it by counting the distinct people who approved (equal on
# every policy-test case of the pack).
enough_people(r, _) if not r.distinct

enough_people(r, c) if {
	r.distinct
	count({person(a.by) | some a in c; a.decision == "approve"; a.role in r.roles}) >= count(r.roles)
}

approval_result[id] := approval_outcome(r, counted(r)) if {
	some id in approval_applies
	r := approval_rules[id]
}

# ---------------------------------------------------------------- result

deny contains id if {
	some id in block_fail
	not waived(id)
}

deny contains id if approval_result[id] == "deny"

pending contains id if some id in approval_fail

pending contains id if approval_result[id] == "pending"

warn contains id if some id in warn_fail

verdict := "no-go" if count(deny) > 0
else := "pending" if count(pending) > 0
else := "go"

result := {"verdict": verdict, "deny": deny, "pending": pending, "warn": warn}
