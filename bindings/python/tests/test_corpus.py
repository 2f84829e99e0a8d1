"""The conformance corpus (``tests/corpus/``): every case decided (``check``)
or assessed (``assess``) through the Python binding must give the golden
decision or assessment byte for byte, as it does in Rust
(``core/tests/corpus.rs``); every case of the review corpus
(``tests/corpus/review/``) reviewed (``Bundle.review``) or looked back on
(``Bundle.review_release``) must give the golden report byte for byte, as
in Rust (``core/tests/review_corpus.rs``), the CLI and C."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Any, Callable

import pytest

import yaml12
from conftest import CORPUS, ROOT
from release_policy import (
    Assessment,
    Bundle,
    Catalog,
    Decision,
    Outcome,
    Records,
    RolloutVerdict,
    Verdict,
)

CASES = sorted(CORPUS.glob("*.yaml"))
REVIEW_CORPUS = CORPUS / "review"
REVIEW_CASES = sorted(REVIEW_CORPUS.glob("*.yaml"))

Result = Decision | Assessment


def bundle_of(case: dict[str, Any]) -> Bundle:
    if case["policies"] == "builtin":
        return Bundle.builtin()
    return Bundle.from_yaml(case["name"], case["policies"])


def run_check(case: dict[str, Any], facts: Any) -> Decision:
    catalog = case.get("catalog")
    if catalog is None:
        return bundle_of(case).check(facts)
    return bundle_of(case).check(facts, catalog=Catalog.from_dir(ROOT / catalog))


def run_assess(case: dict[str, Any], facts: Any) -> Assessment:
    catalog = case.get("catalog")
    if catalog is None:
        return bundle_of(case).assess(facts)
    return bundle_of(case).assess(facts, catalog=Catalog.from_dir(ROOT / catalog))


# One runner per corpus command (a case without `command` is a `check`),
# with the enum its verdicts are. Any other command fails.
RUNNERS: dict[str, tuple[Callable[[dict[str, Any], Any], Result], type[Enum]]] = {
    "check": (run_check, Verdict),
    "assess": (run_assess, RolloutVerdict),
}


def runner_of(case: dict[str, Any]) -> tuple[Callable[[dict[str, Any], Any], Result], type[Enum]]:
    command = case.get("command", "check")
    runner = RUNNERS.get(command)
    if runner is None:
        raise ValueError(
            f"corpus case `{case.get('name')}`: unknown command `{command}` "
            f"(the Python runner knows {sorted(RUNNERS)})"
        )
    return runner


def run_case(case: dict[str, Any], facts: Any = None) -> Result:
    """Run a case on its facts (the case's own `dict` by default)."""
    run, _ = runner_of(case)
    return run(case, case["facts"] if facts is None else facts)


@pytest.mark.parametrize(
    "path",
    [p for p in CASES if yaml12.load(p.read_text()).get("command", "check") == "check"],
    ids=lambda p: p.stem,
)
def test_the_verdict_alone_is_the_decisions(path: Path) -> None:
    case = yaml12.load(path.read_text())
    bundle = bundle_of(case)
    catalog = case.get("catalog")
    options = {} if catalog is None else {"catalog": Catalog.from_dir(ROOT / catalog)}
    alone = bundle.verdict(case["facts"], **options)
    assert alone is Verdict(case["expect"]["verdict"])
    assert alone is bundle.check(case["facts"], **options).verdict


def test_the_corpus_is_found() -> None:
    # A wrong path would otherwise make the parametrised test pass vacuously.
    assert len(CASES) >= 6, CORPUS


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_decides_as_recorded(path: Path) -> None:
    case = yaml12.load(path.read_text())
    decision = run_case(case)
    expect = case["expect"]
    _, verdicts = runner_of(case)
    assert decision.verdict is verdicts(expect["verdict"])
    for rule, outcome in expect.get("rules", {}).items():
        finding = decision.finding(rule)
        assert finding is not None, rule
        assert finding.outcome == Outcome(outcome), rule

    golden = path.with_name(path.stem + ".decision.json").read_text()
    # Byte for byte: the pretty form is the golden file.
    assert decision.to_json(pretty=True) + "\n" == golden
    # The compact form is the same document, and `to_dict` its parse.
    compact = decision.to_json()
    assert "\n" not in compact
    assert json.loads(compact) == json.loads(golden) == decision.to_dict()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_decides_the_same_from_text(path: Path) -> None:
    # The same facts as JSON text and as bytes, parsed by the core: the
    # same decision (or assessment).
    case = yaml12.load(path.read_text())
    from_dict = run_case(case)
    text = json.dumps(case["facts"])
    assert run_case(case, text).to_json() == from_dict.to_json()
    assert run_case(case, text.encode()).to_json() == from_dict.to_json()


def test_an_unknown_command_fails_loudly() -> None:
    case = {"name": "future", "command": "deploy", "policies": "builtin", "facts": {}}
    with pytest.raises(ValueError, match="unknown command `deploy`"):
        run_case(case)


# The keys of a review case, each an argument of the same name (`from` is
# `from_`; paths are relative to the repository root).
REVIEW_KEYS = {"name", "records", "from", "to", "service", "team", "environment", "decisions",
               "release", "now", "expect"}


def run_review_case(case: dict[str, Any]) -> dict[str, Any]:
    """A review case: the period's review, or with `release` one release's
    outcome as of `now`, as plain data (``json.loads`` of the core's JSON)."""
    unknown = set(case) - REVIEW_KEYS
    if unknown:
        raise ValueError(
            f"review corpus case `{case.get('name')}`: unknown keys {sorted(unknown)} "
            f"(the Python runner knows {sorted(REVIEW_KEYS)})"
        )
    bundle = Bundle.builtin()
    records = Records.from_path(ROOT / case["records"])
    if "release" in case:
        return bundle.review_release(records, case["release"], now=case["now"])
    decisions = case.get("decisions")
    return bundle.review(
        records,
        from_=case.get("from"),
        to=case.get("to"),
        service=case.get("service"),
        team=case.get("team"),
        environment=case.get("environment", "production"),
        decisions=None if decisions is None else ROOT / decisions,
    )


def test_the_review_corpus_is_found() -> None:
    assert len(REVIEW_CASES) >= 5, REVIEW_CORPUS


@pytest.mark.parametrize("path", REVIEW_CASES, ids=lambda p: p.stem)
def test_review_case_reviews_as_recorded(path: Path) -> None:
    case = yaml12.load(path.read_text())
    report = run_review_case(case)
    expect = case["expect"]
    if "release" in case:
        assert report["outcome"] == expect["outcome"]
    else:
        assert report["verdict"] == expect["verdict"]
    golden = REVIEW_CORPUS.joinpath(case["name"] + ".review.json").read_text()
    # The answer is `json.loads` of the core's JSON: the same document, in
    # the core's key order, so written back as the core writes it (two
    # spaces, `": "`, UTF-8) it is the golden file byte for byte.
    assert report == json.loads(golden)
    assert json.dumps(report, indent=2, ensure_ascii=False) + "\n" == golden


def test_an_unknown_review_key_fails_loudly() -> None:
    case = {"name": "future", "records": "examples/records", "bands": "x"}
    with pytest.raises(ValueError, match=r"unknown keys \['bands'\]"):
        run_review_case(case)
