"""The CLI's CI formats checked with real validators: every ``--format
sarif`` output against the SARIF 2.1.0 JSON schema (``jsonschema``), every
``--format junit`` output parsed by ``junitparser`` with its counts and test
case names compared to the result's ``--format json``, and every ``--format
github`` line a well-formed workflow command.

Run by ``scripts/test-ci-formats``, which builds the CLI and names it in
``RELEASE_POLICY_CLI``. Under ``CI=true`` a missing validator fails.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[4]
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"


def _require(module: str) -> Any:
    try:
        return __import__(module)
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"`{module}` is not installed (pip install -r bindings/python/requirements-dev.txt)")
        pytest.skip(f"`{module}` is not installed")


def _cli() -> str:
    cli = os.environ.get("RELEASE_POLICY_CLI")
    if not cli:
        if os.environ.get("CI") == "true":
            pytest.fail("RELEASE_POLICY_CLI is not set: run scripts/test-ci-formats")
        pytest.skip("RELEASE_POLICY_CLI is not set: run scripts/test-ci-formats")
    return cli


def run(args: list[str]) -> tuple[str, int]:
    p = subprocess.run([_cli(), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return p.stdout, p.returncode


CASES: list[tuple[list[str], int]] = [
    (["check", "examples/releases/checkout-2.4.0.yaml"], 1),
    (["check", "examples/releases/payments-1.8.0.yaml"], 0),
    (["check", "examples/releases/search-3.0.0.yaml"], 3),
    (["assess", "examples/rollouts/checkout-latency-regression.yaml"], 1),
    (["assess", "examples/rollouts/checkout-canary-healthy.yaml"], 0),
    (["assess", "examples/rollouts/checkout-no-data.yaml"], 3),
    (["plan", "--catalog", "examples/catalog", "examples/plans/ok.yaml"], 0),
    (["plan", "--catalog", "examples/catalog", "examples/plans/blocked.yaml"], 1),
    (["plan", "--catalog", "examples/catalog", "examples/plans/needs-decision.yaml"], 3),
    (["review", "--records", "examples/records"], 1),
    (["review", "--records", "examples/records", "--release", "payments-1.9.1"], 0),
    (["test", "policies"], 0),
    (["lint", "policies"], 0),
    (["lint", "--builtin", "--policies", "examples/layers/org", "examples/layers/payments"], 0),
]

IDS = [" ".join(a) for a, _ in CASES]

BROKEN = """apiVersion: release-policy/v1
kind: Policy
metadata: {name: bad, version: 1.0.0}
spec:
  gates:
    - id: g1
      expression: release.nope ==
      message: x
"""

HOSTILE_POLICY = """apiVersion: release-policy/v1
kind: Policy
metadata: {name: hostile, version: 1.0.0}
spec:
  gates:
    - id: hostile-gate
      expression: release.id == "never"
      message: "<script>&\\"]]> \\u0001 line\\nbreak ::error::x 100%, a:b"
"""


@pytest.fixture(scope="module")
def validator() -> Any:
    jsonschema = _require("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _hostile(tmp: Path) -> list[str]:
    facts = (ROOT / "examples/releases/checkout-2.4.0.yaml").read_text()
    facts = facts.replace("id: checkout-2.4.0", 'id: "checkout-<script>&\\"]]>\\u0001\\r\\n::error::x%,:"', 1)
    (tmp / "facts.yaml").write_text(facts)
    (tmp / "policies").mkdir()
    (tmp / "policies" / "p.yaml").write_text(HOSTILE_POLICY)
    return ["check", "--policies", str(tmp / "policies"), str(tmp / "facts.yaml")]


def _broken(tmp: Path) -> list[str]:
    (tmp / "bad").mkdir()
    (tmp / "bad" / "p.yaml").write_text(BROKEN)
    return ["check", "--policies", str(tmp / "bad"), "examples/releases/checkout-2.4.0.yaml"]


@pytest.mark.parametrize(("args", "code"), CASES, ids=IDS)
def test_sarif_is_valid(args: list[str], code: int, validator: Any) -> None:
    out, got = run([*args, "--format", "sarif"])
    assert got == code
    log = json.loads(out)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "release-policy"
    ids = {r["id"] for r in driver["rules"]}
    for r in log["runs"][0]["results"]:
        assert r["ruleId"] in ids
        assert r["level"] in {"error", "warning", "note"}


def test_sarif_of_hostile_and_broken_inputs_is_valid(tmp_path: Path, validator: Any) -> None:
    out, code = run([*_hostile(tmp_path), "--format", "sarif"])
    assert code == 1
    assert not list(validator.iter_errors(json.loads(out)))
    out, code = run([*_broken(tmp_path), "--format", "sarif"])
    assert code == 2
    log = json.loads(out)
    assert not list(validator.iter_errors(log))
    (result,) = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (result["ruleId"], region["startLine"], region["startColumn"]) == ("RP0201", 7, 34)
    # The validator does reject what the schema forbids.
    result["level"] = "fatal"
    assert list(validator.iter_errors(log))


def _expected(args: list[str]) -> tuple[int, int, int, int, list[str]] | None:
    """Tests, failures, errors, skipped and the test case names, from the
    result's JSON, for the commands whose JSON lists rules."""
    if args[0] not in {"check", "assess"}:
        return None
    data = json.loads(run([*args, "--format", "json"])[0])
    outcomes = [f["outcome"] for f in data["findings"]]
    return (
        len(outcomes),
        sum(o in {"fail", "warn"} for o in outcomes),
        outcomes.count("error"),
        sum(o in {"skipped", "no-data"} for o in outcomes),
        [f["rule"] for f in data["findings"]],
    )


@pytest.mark.parametrize(("args", "code"), CASES, ids=IDS)
def test_junit_parses_and_counts(args: list[str], code: int, tmp_path: Path) -> None:
    junitparser = _require("junitparser")
    out, got = run([*args, "--format", "junit"])
    assert got == code
    path = tmp_path / "junit.xml"
    path.write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    cases = [c for s in suites for c in s]
    tests = len(cases)
    failures = sum(any(isinstance(r, junitparser.Failure) for r in c.result) for c in cases)
    errors = sum(any(isinstance(r, junitparser.Error) for r in c.result) for c in cases)
    skipped = sum(any(isinstance(r, junitparser.Skipped) for r in c.result) for c in cases)
    # The counts written in the file are those of the test cases in it.
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (tests, failures, errors, skipped)
    for s in suites:
        own = list(s)
        assert s.tests == len(own)
        assert s.failures == sum(any(isinstance(r, junitparser.Failure) for r in c.result) for c in own)
    expected = _expected(args)
    if expected is not None:
        assert (tests, failures, errors, skipped) == expected[:4]
        assert sorted(c.name for c in cases) == sorted(expected[4])


def test_junit_of_hostile_and_broken_inputs_parses(tmp_path: Path) -> None:
    junitparser = _require("junitparser")
    out, code = run([*_hostile(tmp_path), "--format", "junit"])
    assert code == 1
    (tmp_path / "h.xml").write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "h.xml"))
    (case,) = [c for s in xml for c in s]
    (failure,) = case.result
    assert failure.message.startswith('<script>&"]]> ')
    assert "line\nbreak" in failure.message
    out, code = run([*_broken(tmp_path), "--format", "junit"])
    assert code == 2
    (tmp_path / "b.xml").write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(tmp_path / "b.xml"))
    assert (xml.tests, xml.errors) == (1, 1)


@pytest.mark.parametrize(("args", "code"), CASES, ids=IDS)
def test_github_lines_are_commands_then_a_summary(args: list[str], code: int) -> None:
    out, got = run([*args, "--format", "github"])
    assert got == code
    *commands, summary = out.splitlines()
    for line in commands:
        head, _, message = line.partition("::")[2].partition("::")
        kind, _, props = head.partition(" ")
        assert kind in {"error", "warning", "notice"}, line
        for prop in props.split(","):
            key, _, value = prop.partition("=")
            assert key in {"file", "line", "col", "title"} and value, line
            assert ":" not in value
        assert "\r" not in message
    assert summary.startswith(f"release-policy {args[0]}: ")


def _junit_counts(args: list[str], tmp_path: Path) -> tuple[int, int, int, int]:
    junitparser = _require("junitparser")
    out, _ = run([*args, "--format", "junit"])
    path = tmp_path / "counts.xml"
    path.write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(path))
    return xml.tests, xml.failures, xml.errors, xml.skipped


@pytest.mark.parametrize("plan", ["ok", "blocked", "needs-decision"])
def test_plan_junit_counts_match_the_plan_json(plan: str, tmp_path: Path) -> None:
    args = ["plan", "--catalog", "examples/catalog", f"examples/plans/{plan}.yaml"]
    data = json.loads(run([*args, "--format", "json"])[0])
    checks = len(data["violations"]) + len(data["cycles"]) + len(data["conflicts"])
    tests, failures, errors, skipped = _junit_counts(args, tmp_path)
    # Every violation, cycle and conflict is a failure; every release no
    # check names is one passing case more.
    assert (failures, errors, skipped) == (checks, 0, 0)
    assert checks <= tests <= checks + len(data["releases"])


def test_policy_test_junit_counts_match_the_report_json(tmp_path: Path) -> None:
    for args in (["test", "policies"], ["test", "--builtin", "--policies", "examples/layers/org", "examples/layers/payments"]):
        data = json.loads(run([*args, "--format", "json"])[0])
        failed = sum(not c["passed"] for c in data["cases"])
        tests, failures, errors, skipped = _junit_counts(args, tmp_path)
        # One case per policy test; a coverage gap (no --require-coverage)
        # is a skipped case of its own.
        assert (tests, failures, errors, skipped) == (len(data["cases"]) + len(data["gaps"]), failed, 0, len(data["gaps"]))
