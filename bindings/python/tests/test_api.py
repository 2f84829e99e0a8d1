"""The Python API: bundles, layering, the decision and its parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import yaml12
from conftest import CORPUS, EXAMPLES, POLICY, ROOT, example
from release_policy import (
    ApprovalNote,
    ApprovalState,
    Bundle,
    BundleBuilder,
    Decision,
    Effect,
    FactsError,
    Finding,
    MissingApproval,
    Outcome,
    PolicyError,
    RuleKind,
    Verdict,
    run_tests,
)

STRICTER = """\
apiVersion: release-policy/v1
kind: Policy
metadata: {name: team, version: 2.0.0}
spec:
  gates:
    - id: author-is-not-mallory
      expression: release.author != "mallory"
      message: mallory may not release
"""


def test_enums_are_str_valued() -> None:
    assert Verdict.NO_GO == "no-go" and isinstance(Verdict.GO, str)
    assert str(Verdict.PENDING) == "pending"
    assert [o.value for o in Outcome] == [
        "pass", "warn", "fail", "error", "no-data", "skipped", "waived",
    ]
    assert {e.value for e in Effect} == {"warn", "approval", "pending", "block"}
    assert {k.value for k in RuleKind} == {"gate", "approval"}


def test_the_example_releases_decide_as_the_readme_says(builtin: Bundle) -> None:
    verdicts = {n: builtin.check(example(n)).verdict for n in
                ("checkout-2.4.0", "payments-1.8.0", "search-3.0.0")}
    assert verdicts == {
        "checkout-2.4.0": Verdict.NO_GO,
        "payments-1.8.0": Verdict.GO,
        "search-3.0.0": Verdict.PENDING,
    }
    assert all(type(v) is Verdict for v in verdicts.values())


def test_dict_yaml_json_and_bytes_decide_the_same(builtin: Bundle) -> None:
    text = (EXAMPLES / "checkout-2.4.0.yaml").read_text()
    facts = example("checkout-2.4.0")
    want = builtin.check(facts).to_json()
    assert builtin.check(text).to_json() == want
    assert builtin.check(json.dumps(facts)).to_json() == want
    assert builtin.check(text.encode()).to_json() == want


def test_a_finding_has_every_field(builtin: Bundle) -> None:
    d = builtin.check(example("checkout-2.4.0"))
    f = d.finding("sca-no-critical")
    assert isinstance(f, Finding)
    assert (f.policy, f.policy_version, f.rule) == ("security-scans", "1.0.0", "sca-no-critical")
    assert (f.kind, f.outcome, f.effect) == (RuleKind.GATE, Outcome.FAIL, Effect.BLOCK)
    assert type(f.outcome) is Outcome and type(f.effect) is Effect and type(f.kind) is RuleKind
    assert "osv-scanner" in f.message
    assert f.values["variables.sca"][0]["findings"]["critical"] == 1
    assert "SOC2:CC7.1" in f.controls
    assert f.waivable_by == ["security"]
    assert f.blocks is True
    assert f.lifted is None and f.approval is None
    # Every field of the Rust finding is there, as in the JSON.
    index = [x.rule for x in d.findings].index(f.rule)
    assert f.to_dict() == d.to_dict()["findings"][index]


def test_the_decision_carries_its_digests_and_summary(builtin: Bundle) -> None:
    d = builtin.check(example("checkout-2.4.0"))
    data = json.loads(d.to_json())
    assert d.digest == builtin.digest == data["bundle"]["digest"]
    assert d.digest.startswith("sha256:")
    assert d.policies == builtin.policies == data["bundle"]["policies"]
    assert d.facts_digest == data["factsDigest"]
    assert (d.release, d.now, d.schema) == (
        "checkout-2.4.0", "2026-11-26T10:00:00Z", "release-policy/decision/v2")
    assert d.engine_version == data["engine"]["version"]
    assert d.summary == data["summary"]
    assert sum(d.summary.values()) == len(d.findings)
    assert [f.rule for f in d.findings] == [f["rule"] for f in data["findings"]]
    assert d.finding("no-such-rule") is None


def test_pending_lists_the_missing_approvals(builtin: Bundle) -> None:
    d = builtin.check(example("search-3.0.0"))
    assert d.verdict is Verdict.PENDING
    missing = d.missing_approvals
    assert missing and all(isinstance(m, MissingApproval) for m in missing)
    assert [m.to_dict() for m in missing] == d.to_dict()["missingApprovals"]
    m = missing[0]
    assert m.rule and m.policy and m.roles and m.needed >= 1 and m.reason
    assert isinstance(m.evidence, list)


def test_approval_state_and_notes(small: Bundle, facts: dict[str, Any]) -> None:
    f = small.check(facts).finding("qa-sign-off")
    assert f is not None and f.kind is RuleKind.APPROVAL
    state = f.approval
    assert isinstance(state, ApprovalState)
    assert (state.roles, state.needed, state.approved_roles, state.escalated_to) == (
        ["qa"], 1, ["qa"], None)
    (note,) = state.approvals
    assert isinstance(note, ApprovalNote)
    assert (note.role, note.by, note.decision, note.ignored) == ("qa", "quinn", "approve", None)


def test_counted_people_and_distinct_across_rules() -> None:
    case = yaml12.load((CORPUS / "approvals-counted-people.yaml").read_text())
    d = Bundle.from_yaml("review.yaml", case["policies"]).check(case["facts"])
    assert d.verdict is Verdict.PENDING
    sre = d.finding("sre-review")
    assert sre is not None and sre.approval is not None
    assert sre.approval.counts == {"sre": 2}
    ops = d.finding("operations-review")
    assert ops is not None and ops.approval is not None
    (note,) = ops.approval.approvals
    assert note.ignored == "already counted for `sre-review` (distinctAcrossRules)"


def test_a_waiver_lifts_a_failure() -> None:
    case = yaml12.load((CORPUS / "waiver-and-warn.yaml").read_text())
    d = Bundle.from_yaml("scans.yaml", case["policies"]).check(case["facts"])
    f = d.finding("sca-no-critical")
    assert f is not None and f.outcome is Outcome.WAIVED and f.blocks is False
    lifted = f.lifted
    assert lifted is not None
    assert (lifted.via, lifted.by, lifted.role) == ("waiver", "carol", "security")
    assert lifted.reason == "not reachable from outside"
    assert lifted.expires == "2026-12-01T00:00:00Z"
    (w,) = d.waivers
    assert (w.rule, w.by, w.role, w.status, w.expires) == (
        "sca-no-critical", "carol", "security", "applied", "2026-12-01T00:00:00Z")


def test_bundle_introspection(small: Bundle) -> None:
    assert small.policies == ["ci@1.0.0"]
    assert small.rules == [
        ("ci", "required-suites-passed", "gate"),
        ("ci", "no-flaky", "gate"),
        ("ci", "qa-sign-off", "approval"),
    ]
    explained = small.explain("no-flaky")
    assert explained is not None
    assert explained["kind"] == "gate" and explained["rule"]["effect"] == "warn"
    assert small.explain("nope") is None


def test_layers_tighten_the_builtin_pack(builtin: Bundle) -> None:
    layered = Bundle.builder().builtin_layer().yaml_layer("team.yaml", STRICTER).build()
    assert layered.policies == builtin.policies + ["team@2.0.0"]
    assert layered.digest != builtin.digest
    facts = example("payments-1.8.0")
    assert layered.check(facts).verdict is Verdict.GO
    facts["release"]["author"] = "mallory"
    d = layered.check(facts)
    assert d.verdict is Verdict.NO_GO
    f = d.finding("author-is-not-mallory")
    assert f is not None and f.message == "mallory may not release"


def test_from_dir_and_dir_layers(tmp_path: Path, facts: dict[str, Any]) -> None:
    (tmp_path / "ci.yaml").write_text(POLICY)
    team = tmp_path / "team"
    team.mkdir()
    (team / "team.yaml").write_text(STRICTER)
    from_dir = Bundle.from_dir(tmp_path / "team")
    assert from_dir.policies == ["team@2.0.0"]
    assert Bundle.from_dir(str(tmp_path / "team")).digest == from_dir.digest
    layered = BundleBuilder().yaml_layer("ci.yaml", POLICY).dir_layer(team).build()
    assert layered.policies == ["ci@1.0.0", "team@2.0.0"]
    assert layered.check(facts).verdict is Verdict.GO


def test_the_builder_is_immutable() -> None:
    empty = Bundle.builder()
    with_pack = empty.builtin_layer()
    assert repr(with_pack) == "<BundleBuilder [builtin]>"
    assert repr(empty) == "<BundleBuilder []>"
    # The core refuses a bundle of no layers: a policy error of its own code.
    with pytest.raises(PolicyError, match="no policy layers given") as info:
        empty.build()
    assert (info.value.code, info.value.location) == ("RP0110", "bundle")
    assert info.value.hint is not None


def test_limits_apply(facts: dict[str, Any]) -> None:
    tight = Bundle.builder().limits(max_list_items=1).yaml_layer("ci.yaml", POLICY).build()
    with pytest.raises(FactsError) as info:
        tight.check(facts)  # two CI suites, one allowed
    assert info.value.path == "$.ci.suites"
    shallow = Bundle.builder().limits(max_yaml_nesting=2).yaml_layer("ci.yaml", POLICY).build()
    with pytest.raises(FactsError, match="nesting deeper than the limit of 2"):
        shallow.check(facts)


def test_objects_are_frozen(small: Bundle, facts: dict[str, Any]) -> None:
    d = small.check(facts)
    with pytest.raises(AttributeError):
        small.digest = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        d.verdict = Verdict.GO  # type: ignore[misc]
    with pytest.raises(TypeError):
        type("Sub", (Bundle,), {})


def test_reprs(small: Bundle, facts: dict[str, Any]) -> None:
    d = small.check(facts)
    assert repr(d) == "<Decision go checkout-2.4.0 (3 findings, 0 missing approvals)>"
    assert repr(small).startswith("<Bundle sha256:")
    assert isinstance(d, Decision)


def test_blocking_warnings_and_waived_come_from_the_core(builtin: Bundle) -> None:
    d = builtin.check(example("checkout-2.4.0"))
    assert d.verdict is Verdict.NO_GO
    assert d.blocking and all(f.blocks for f in d.blocking)
    assert any(f.effect is Effect.BLOCK for f in d.blocking)
    assert all(
        f.outcome is Outcome.WARN or (f.effect is Effect.WARN and f.outcome is Outcome.ERROR)
        for f in d.warnings
    )
    assert all(f.outcome is Outcome.WAIVED and f.lifted is not None for f in d.waived)
    assert not builtin.check(example("payments-1.8.0")).blocking


def test_run_tests_layers_like_the_cli(tmp_path: Path) -> None:
    report = run_tests(ROOT / "policies")
    assert report["gaps"] == []
    assert report["cases"] and all(c["passed"] for c in report["cases"])
    # A team layer with a test, on top of the built-in pack.
    team = tmp_path / "team"
    team.mkdir()
    (team / "team.yaml").write_text(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: team, version: 1.0.0}\n"
        "spec:\n  gates:\n    - {id: team-freeze, expression: 'release.service != \"payments\"'}\n")
    (team / "team.test.yaml").write_text(
        "apiVersion: release-policy/v1\nkind: PolicyTest\nmetadata: {name: team}\nspec:\n"
        f"  base: {ROOT / 'policies' / 'testdata' / 'base.yaml'}\n  cases:\n"
        "    - name: payments is frozen\n      patch: {release: {service: payments}}\n"
        "      expect: {rules: {team-freeze: fail, ci-required-suites-passed: pass}}\n")
    report = run_tests(team, builtin=True)
    assert [c["passed"] for c in report["cases"]] == [True]
    assert [g["rule"] for g in report["gaps"]] == ["team-freeze"]


def test_the_example_layers_run_from_python_as_in_docs_layers() -> None:
    layers = ROOT / "examples" / "layers"
    report = run_tests(layers / "org", layers / "payments", builtin=True)
    assert all(case["passed"] for case in report["cases"]) and not report["gaps"]
    assert len(report["cases"]) == 12
    bundle = (BundleBuilder().builtin_layer()
              .dir_layer(layers / "org").dir_layer(layers / "payments").build())
    d = bundle.check(example("payments-1.8.0"))
    assert d.verdict is Verdict.PENDING
    assert [m.rule for m in d.missing_approvals] == ["tier1-two-sres", "migration-dba", "pci-evidence"]


def test_ctrl_c_stops_a_long_check_between_rules() -> None:
    import _thread
    import threading
    import time

    gates = "".join(
        f"    - id: slow-{i}\n"
        "      expression: ci.suites.all(a, ci.suites.exists(b, b.name == a.name))\n"
        for i in range(100)
    )
    # The evaluation budget would stop these gates within milliseconds:
    # raise it, so that only Ctrl-C can stop the check early.
    bundle = (
        BundleBuilder()
        .limits(max_eval_cost=10**15)
        .yaml_layer(
            "slow.yaml",
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: slow, version: 1.0.0}\n"
            f"spec:\n  gates:\n{gates}",
        )
        .build()
    )
    facts = example("checkout-2.4.0")
    facts["ci"]["suites"] = [
        {"name": f"s{i}", "required": False, "status": "passed"} for i in range(1000)
    ]
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        bundle.check(facts)
    timer.cancel()
    # Stopped at the next rule, long before the hundred gates were done.
    # (Twenty gates, about 1 s since the compiled evaluator, once finished
    # on a busy machine without the interrupt being seen.)
    assert time.monotonic() - started < 10


def test_bundle_warnings_are_the_lint_warnings() -> None:
    bundle = Bundle.from_yaml(
        "w.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: w, version: 1.0.0}\n"
        "spec:\n  gates:\n    - {id: a, expression: 'service.tier <= 2 || release.kind == \"hotfix\"'}\n",
    )
    (w,) = bundle.warnings
    assert w["code"] == "RP0701" and w["location"] == "w.yaml:6:28"
    assert w["message"].startswith("`service.tier` may be absent")
    assert w["hint"] and w["hint"].startswith("guard it")
    assert Bundle.builtin().warnings == []
