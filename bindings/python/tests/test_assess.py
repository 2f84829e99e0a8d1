"""Rollout assessment (``Bundle.assess``): the examples, the assessment and
its findings, errors, threads, and properties of missing data."""

from __future__ import annotations

import copy
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import yaml12
from conftest import ROOT
from release_policy import (
    Action,
    AssessFinding,
    Assessment,
    AssessRuleKind,
    Bundle,
    EvaluationError,
    FactsError,
    JudgeMetric,
    Outcome,
    RolloutVerdict,
)

ROLLOUTS = ROOT / "examples" / "rollouts"
HEALTHY = "checkout-canary-healthy"
REGRESSION = "checkout-latency-regression"
NO_DATA = "checkout-no-data"

EDGES = """\
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: edges, version: 1.0.0}
spec:
  triggers:
    - id: errors-high
      metric: errors
      above: 5
      window: 5m
"""


def rollout_text(name: str) -> str:
    return (ROLLOUTS / f"{name}.yaml").read_text()


def rollout(name: str) -> dict[str, Any]:
    """An example rollout (``examples/rollouts/NAME.yaml``) as a dict."""
    data = yaml12.load(rollout_text(name))
    assert isinstance(data, dict)
    return data


BUILTIN = Bundle.builtin()
HEALTHY_FACTS = rollout(HEALTHY)


def test_rollout_enums_are_str_valued() -> None:
    assert [v.value for v in RolloutVerdict] == ["promote", "continue", "hold", "rollback"]
    assert RolloutVerdict.ROLLBACK == "rollback" and str(RolloutVerdict.HOLD) == "hold"
    assert [a.value for a in Action] == ["alert", "hold", "rollback"]
    assert [k.value for k in AssessRuleKind] == [
        "trigger", "promotion", "analysis", "burn-rate", "quality-gate"
    ]


def test_the_example_rollouts_assess_as_their_comments_say() -> None:
    verdicts = {n: BUILTIN.assess(rollout(n)).verdict for n in (HEALTHY, REGRESSION, NO_DATA)}
    assert verdicts == {
        HEALTHY: RolloutVerdict.PROMOTE,
        REGRESSION: RolloutVerdict.ROLLBACK,
        NO_DATA: RolloutVerdict.HOLD,
    }
    assert all(type(v) is RolloutVerdict for v in verdicts.values())


@pytest.mark.parametrize("name", [HEALTHY, REGRESSION, NO_DATA])
def test_dict_yaml_json_and_bytes_assess_the_same(name: str) -> None:
    text = rollout_text(name)
    want = BUILTIN.assess(rollout(name)).to_json()
    assert BUILTIN.assess(text).to_json() == want
    assert BUILTIN.assess(text.encode()).to_json() == want
    assert BUILTIN.assess(json.dumps(rollout(name))).to_json() == want


def test_the_assessment_carries_everything_the_json_does() -> None:
    a = BUILTIN.assess(rollout(NO_DATA))
    assert isinstance(a, Assessment)
    data = json.loads(a.to_json())
    assert data == a.to_dict()
    assert json.loads(a.to_json(pretty=True)) == data and "\n" in a.to_json(pretty=True)
    assert (a.schema, a.now) == ("release-policy/assessment/v3", "2026-11-26T11:00:00Z")
    assert a.reason == data["reason"] and "missing data is never a pass" in a.reason
    assert a.rollout == data["rollout"] == {
        "id": "checkout-2.4.0-canary", "service": "checkout", "version": "2.4.0",
        "step": 1, "weight": 5.0,
    }
    assert a.digest == BUILTIN.digest == data["bundle"]["digest"]
    assert a.policies == BUILTIN.policies == data["bundle"]["policies"]
    assert a.facts_digest == data["factsDigest"] and a.facts_digest.startswith("sha256:")
    assert a.engine_version == data["engine"]["version"]
    assert a.summary == data["summary"]
    assert a.summary["noData"] == 1 and sum(a.summary.values()) == len(a.findings)
    assert a.budgets == data["budgets"] and a.budgets[0]["slo"] == "availability"
    assert a.markers == data["markers"]
    assert [m["kind"] for m in a.markers] == ["rollout-started", "step-started", "held"]
    assert [f.rule for f in a.findings] == [f["rule"] for f in data["findings"]]
    assert [f.to_dict() for f in a.findings] == data["findings"]
    assert a.finding("no-such-rule") is None


def test_a_tripped_trigger_has_every_field() -> None:
    a = BUILTIN.assess(rollout(REGRESSION))
    f = a.finding("p99-latency-regression")
    assert isinstance(f, AssessFinding)
    assert (f.policy, f.policy_version) == ("rollback-triggers", "1.0.0")
    assert (f.kind, f.outcome, f.action) == (AssessRuleKind.TRIGGER, Outcome.FAIL, Action.ROLLBACK)
    assert type(f.kind) is AssessRuleKind and type(f.outcome) is Outcome and type(f.action) is Action
    assert f.effect is Action.ROLLBACK
    assert f.message.startswith("canary p99 latency more than 200 ms above the baseline: ")
    assert (f.subject, f.threshold) == ("latency-p99", "latency-p99 > baseline + 200 ms")
    assert f.duration_ms == 240_000
    assert f.flip is not None and "latency-p99" in f.flip
    assert f.observed and isinstance(f.observed, dict)
    assert f.judge is None
    assert f.controls == ["SOC2:A1.2"]
    assert f.rule in a.reason


def test_findings_without_an_action_and_the_judge() -> None:
    a = BUILTIN.assess(rollout(HEALTHY))
    criterion = a.finding("error-rate-within-slo")
    assert criterion is not None
    assert (criterion.kind, criterion.outcome, criterion.action) == (
        AssessRuleKind.PROMOTION, Outcome.PASS, None)
    assert criterion.effect is None
    # 10:21 to 11:00: from the first sample of the run to the latest.
    assert criterion.duration_ms == 2_340_000
    judge = a.finding("canary-judge")
    assert judge is not None and judge.kind is AssessRuleKind.ANALYSIS
    assert judge.judge is not None and judge.judge["outcome"] == "pass"
    assert judge.judge == judge.to_dict()["judge"]
    # Every finding of the judge carries the interval, both estimates and
    # the CLES (keys of the JudgeMetric TypedDict).
    for m in judge.judge["metrics"]:
        if m["classification"] == "no-data":
            continue
        assert m["ciLower"] <= m["estimate"] <= m["ciUpper"]
        assert m["ciLower"] <= m["estimateZ0"] <= m["ciUpper"]
        assert 0.0 <= m["cles"] <= 1.0
        assert set(m) <= JudgeMetric.__required_keys__ | JudgeMetric.__optional_keys__
    assert round(judge.judge["score"], 2) == judge.judge["score"]
    burn = [f for f in a.findings if f.kind is AssessRuleKind.BURN_RATE]
    assert [f.rule for f in burn] == ["availability-burn-rate"]


def test_missing_data_holds_with_its_action() -> None:
    f = BUILTIN.assess(rollout(NO_DATA)).finding("error-rate-above-5-percent")
    assert f is not None
    assert (f.outcome, f.action) == (Outcome.NO_DATA, Action.HOLD)


def test_a_sample_after_now_is_a_facts_error_with_its_path() -> None:
    facts = copy.deepcopy(HEALTHY_FACTS)
    canary = facts["metrics"]["error-rate"]["canary"]
    canary[-1]["at"] = "2026-11-26T11:01:00Z"
    with pytest.raises(FactsError) as info:
        BUILTIN.assess(facts)
    e = info.value
    assert e.path == f"$.metrics.error-rate.canary[{len(canary) - 1}].at"
    assert "is after `now`" in e.message
    assert (e.line, e.column) == (None, None)


def test_unsorted_samples_are_a_facts_error_with_its_path() -> None:
    facts = copy.deepcopy(HEALTHY_FACTS)
    canary = facts["metrics"]["error-rate"]["canary"]
    canary[0], canary[1] = canary[1], canary[0]
    with pytest.raises(FactsError) as info:
        BUILTIN.assess(facts)
    e = info.value
    assert e.path == "$.metrics.error-rate.canary[1].at"
    assert "earlier than the one before it" in e.message
    assert e.hint == "send samples oldest first"
    # The same facts as text: the same error.
    with pytest.raises(FactsError) as from_text:
        BUILTIN.assess(json.dumps(facts))
    assert (from_text.value.path, from_text.value.message) == (e.path, e.message)


def test_malformed_rollout_facts_name_the_json_path() -> None:
    facts = copy.deepcopy(HEALTHY_FACTS)
    facts["metrics"]["error-rate"]["canary"][2]["value"] = "high"
    with pytest.raises(FactsError) as info:
        BUILTIN.assess(facts)
    assert info.value.path == "$.metrics.error-rate.canary[2].value"
    # Values JSON cannot hold are caught by the binding's converter.
    facts["metrics"]["error-rate"]["canary"][2]["value"] = float("nan")
    with pytest.raises(FactsError) as info:
        BUILTIN.assess(facts)
    assert info.value.path == "$.metrics.error-rate.canary[2].value"


def test_release_facts_are_not_rollout_facts() -> None:
    with pytest.raises(FactsError):
        BUILTIN.assess({"now": "2026-11-26T10:00:00Z", "release": {"id": "x"}})


def test_a_bundle_without_a_rollout_policy_cannot_assess(small: Bundle) -> None:
    # `small` holds only a `kind: Policy`.
    with pytest.raises(EvaluationError) as info:
        small.assess(HEALTHY_FACTS)
    assert "no `RolloutPolicy`" in info.value.message
    with pytest.raises(EvaluationError):
        small.assess(rollout_text(HEALTHY))


def test_a_wrong_argument_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        BUILTIN.assess(42)  # type: ignore[arg-type]


def test_an_inline_rollout_policy_and_layers() -> None:
    facts = {
        "now": "2026-11-26T12:00:00Z",
        "rollout": {"id": "api-7", "service": "api"},
        "metrics": {"errors": {"canary": [
            {"at": "2026-11-26T11:58:00Z", "value": 1},
            {"at": "2026-11-26T12:00:00Z", "value": 9},
        ]}},
    }
    edges = Bundle.from_yaml("edges.yaml", EDGES)
    a = edges.assess(facts)
    assert a.policies == ["edges@1.0.0"]
    f = a.finding("errors-high")
    assert f is not None and f.kind is AssessRuleKind.TRIGGER and f.outcome is Outcome.FAIL
    assert a.verdict is RolloutVerdict.ROLLBACK
    layered = Bundle.builder().builtin_layer().yaml_layer("edges.yaml", EDGES).build()
    assert layered.assess(HEALTHY_FACTS).finding("errors-high") is not None


def test_assessments_are_frozen_and_have_reprs() -> None:
    a = BUILTIN.assess(rollout(REGRESSION))
    with pytest.raises(AttributeError):
        a.verdict = RolloutVerdict.PROMOTE  # type: ignore[misc]
    f = a.finding("p99-latency-regression")
    assert f is not None
    with pytest.raises(AttributeError):
        f.rule = "x"  # type: ignore[misc]
    assert repr(a) == "<Assessment rollback checkout-2.4.0-canary (9 findings)>"
    assert repr(f) == "<AssessFinding p99-latency-regression fail [rollback]>"


def test_threads_share_one_bundle_for_assess() -> None:
    names = [HEALTHY, REGRESSION, NO_DATA]
    inputs: list[Any] = [rollout(n) for n in names] + [rollout_text(n) for n in names]
    want = [BUILTIN.assess(f).to_json() for f in inputs]
    assert want[:3] == want[3:]

    def work(worker: int) -> list[str]:
        return [BUILTIN.assess(inputs[(worker + i) % len(inputs)]).to_json() for i in range(12)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for worker, got in enumerate(results):
        assert got == [want[(worker + i) % len(inputs)] for i in range(12)], worker


# --- properties --------------------------------------------------------------

# Every sample of the healthy example, as (metric, side, index).
SAMPLES = [
    (metric, side, i)
    for metric, series in HEALTHY_FACTS["metrics"].items()
    for side in ("canary", "baseline")
    for i in range(len(series.get(side, [])))
]
# The error-rate canary samples of the last five minutes (10:55 to 11:00).
LAST_FIVE_MINUTES = [
    i for i, s in enumerate(HEALTHY_FACTS["metrics"]["error-rate"]["canary"])
    if s["at"] >= "2026-11-26T10:55:00Z"
]


def with_gaps(gaps: set[tuple[str, str, int]]) -> dict[str, Any]:
    facts = copy.deepcopy(HEALTHY_FACTS)
    for metric, side, i in gaps:
        facts["metrics"][metric][side][i]["value"] = None
    return facts


def test_the_gaps_property_is_not_vacuous() -> None:
    # Gaps elsewhere alone still promote the healthy example.
    assert len(LAST_FIVE_MINUTES) == 6, LAST_FIVE_MINUTES
    gaps = {s for s in SAMPLES if s[0] != "error-rate" and s[2] % 7 == 0}
    assert BUILTIN.assess(with_gaps(gaps)).verdict is RolloutVerdict.PROMOTE


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(SAMPLES), max_size=60))
def test_random_gaps_never_promote_without_recent_error_rate(gaps: set[Any]) -> None:
    # Whatever else is missing, a canary whose error rate is unknown for the
    # last five minutes is never promoted (missing data is never a pass).
    gaps |= {("error-rate", "canary", i) for i in LAST_FIVE_MINUTES}
    a = BUILTIN.assess(with_gaps(gaps))
    assert a.verdict is not RolloutVerdict.PROMOTE, a.reason


# Floats with few digits: JSON *text* of an arbitrary float can be read one
# ulp off by the core (see `test_json_text_reads_every_float_exactly`).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n / 1000)
    | st.text(max_size=20)
    | st.sampled_from(["2026-11-26T10:30:00Z", "2026-11-26T11:30:00Z", "5m", "1h"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, prefix + (i,))
    return out


PATHS = [p for p in paths(HEALTHY_FACTS) if p]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), json_values)
def test_json_values_anywhere_assess_as_from_text(path: tuple[Any, ...], value: Any) -> None:
    # Any JSON value anywhere: an Assessment or a FactsError, and the dict
    # gives exactly what its JSON text gives.
    facts = copy.deepcopy(HEALTHY_FACTS)
    target: Any = facts
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value

    def outcome(f: Any) -> str | tuple[str | None, str]:
        try:
            return BUILTIN.assess(f).to_json()
        except FactsError as e:
            return (e.path, e.message)

    from_dict, from_text = outcome(facts), outcome(json.dumps(facts))
    if isinstance(from_dict, str):
        assert from_text == from_dict
    else:
        # Both refused. (With several bad values the first one named may
        # differ: a dict's keys reach the core sorted, text in its order.)
        assert isinstance(from_text, tuple)
        assert from_dict[0] is None or from_dict[0].startswith("$")



def test_json_text_reads_every_float_exactly() -> None:
    facts = copy.deepcopy(HEALTHY_FACTS)
    facts["extensions"] = {"x": 9.898612012798364e-220}
    assert BUILTIN.assess(json.dumps(facts)).facts_digest == BUILTIN.assess(facts).facts_digest


def test_acting_waiting_and_alerts_come_from_the_core() -> None:
    a = BUILTIN.assess(rollout(REGRESSION))
    assert a.verdict is RolloutVerdict.ROLLBACK
    assert [f.rule for f in a.acting] == ["p99-latency-regression"]
    assert all(f.action in (Action.ROLLBACK, Action.HOLD) for f in a.acting)
    assert [f.rule for f in a.waiting] == ["latency-within-baseline"]
    assert all(f.action is None for f in a.waiting)
    assert all(f.action is Action.ALERT for f in a.alerts)


ARGO = """\
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: argo, version: 1.0.0}
spec:
  triggers:
    - {id: errors-count, metric: errors, above: 5, inconclusive: {above: 2}, count: 2, window: 5m}
    - {id: errors-dry, metric: errors, above: 0.5, dryRun: true, window: 5m}
"""


def test_argo_measurements_and_dry_run_are_exposed() -> None:
    facts = {
        "now": "2026-11-26T12:00:00Z",
        "rollout": {"id": "api-7", "service": "api"},
        "metrics": {"errors": {"canary": [
            {"at": "2026-11-26T11:58:00Z", "error": "query timed out"},
            {"at": "2026-11-26T12:00:00Z", "value": 1},
        ]}},
    }
    a = Bundle.from_yaml("argo.yaml", ARGO).assess(facts)
    f = a.finding("errors-count")
    assert f is not None and f.measurements is not None
    assert f.measurements["phase"] == "successful"
    assert f.measurements["error"] == 1 and f.measurements["count"] == 2
    assert f.measurements == f.to_dict()["measurements"]
    assert not f.dry_run and f.quality_gate is None
    dry = a.finding("errors-dry")
    assert dry is not None and dry.dry_run and dry.action is None
    assert dry.outcome is Outcome.FAIL
    assert a.summary["dryRun"]["wouldRollBack"] == ["errors-dry"]
    assert [f.rule for f in a.dry_runs] == ["errors-dry"] and a.waiting == []
    assert a.verdict is RolloutVerdict.PROMOTE


def test_a_quality_gate_is_exposed_with_its_targets() -> None:
    gate = ROLLOUTS / "quality-gate"
    bundle = Bundle.from_dir(str(gate / "policies"))
    facts = yaml12.load((gate / "checkout-gate-warning.yaml").read_text())
    a = bundle.assess(facts)
    assert a.verdict is RolloutVerdict.HOLD
    f = a.finding("checkout-slo")
    assert f is not None and f.kind is AssessRuleKind.QUALITY_GATE
    assert f.quality_gate is not None and f.quality_gate["result"] == "warning"
    assert f.quality_gate["score"] == 87.5
    rt = f.quality_gate["objectives"][0]
    assert rt["passTargets"][0] == {"criteria": "<=+10%", "targetValue": 550.0, "violated": True}
    assert f.measurements is None
