"""``plan`` and ``can-i-deploy`` through the Python binding: the plan
corpus (``tests/corpus/plan/``) byte for byte as in Rust
(``core/tests/plan_corpus.rs``) and the CLI, the example plans, the
catalog and release-plan classes, ``CatalogError``, and the GIL released
while the core loads and plans."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest

import yaml12
from conftest import CORPUS, ROOT
from release_policy import (
    Bundle,
    Catalog,
    CatalogError,
    Deployability,
    FactsError,
    Outcome,
    Plan,
    PlanVerdict,
    PolicyIOError,
    ReleasePlan,
    ReleasePolicyError,
    RolloutVerdict,
    Verdict,
)

PLAN_CORPUS = CORPUS / "plan"
CASES = sorted(PLAN_CORPUS.glob("*.yaml"))
CATALOG = ROOT / "examples" / "catalog"
PLANS = ROOT / "examples" / "plans"

# `paymants` for `payments`: an unknown service with a hint (as in
# core/tests/plan.rs).
PAYMANTS = (
    "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n"
    "  - {service: paymants, version: \"1.0.0\", environment: production, "
    "window: {start: \"2026-12-01T09:00:00Z\", duration: 30m}}\n"
)

BAD_TIME_ZONE = (
    "apiVersion: release-policy/v1\nkind: Calendar\nmetadata: {name: cal}\n"
    "spec:\n  timeZone: Europe/Berln\n"
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.from_dir(CATALOG)


@pytest.fixture(scope="module")
def builtin() -> Bundle:
    return Bundle.builtin()


def test_the_plan_corpus_is_found() -> None:
    # A wrong path would otherwise make the parametrised test pass vacuously.
    assert len(CASES) >= 3, PLAN_CORPUS


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_plan_case_plans_as_recorded(path: Path, builtin: Bundle) -> None:
    case = yaml12.load(path.read_text())
    catalog = Catalog.from_dir(ROOT / case["catalog"])
    intended = ReleasePlan.from_file(ROOT / case["plan"])
    plan = builtin.plan(catalog, intended)
    assert plan.verdict is PlanVerdict(case["expect"]["verdict"])
    golden = PLAN_CORPUS.joinpath(case["name"] + ".plan.json").read_text()
    # Byte for byte what Rust and `release-policy plan --format json` give.
    assert plan.to_json() + "\n" == golden
    assert plan.to_dict() == json.loads(golden)


@pytest.mark.parametrize(
    ("name", "verdict", "exit_code"),
    [
        ("blocked", PlanVerdict.BLOCKED, 1),
        ("needs-decision", PlanVerdict.NEEDS_DECISION, 3),
        ("ok", PlanVerdict.OK, 0),
    ],
)
def test_the_example_plans(
    name: str, verdict: PlanVerdict, exit_code: int, catalog: Catalog, builtin: Bundle
) -> None:
    plan = builtin.plan(catalog, ReleasePlan.from_file(PLANS / f"{name}.yaml"))
    assert isinstance(plan, Plan)
    assert plan.verdict is verdict
    assert plan.exit_code == exit_code
    doc = plan.to_dict()
    assert doc["verdict"] == verdict.value == str(verdict)
    assert plan.summary == doc["summary"] and plan.summary
    assert plan.name == doc["name"]
    for part in ("releases", "waves", "violations", "cycles", "conflicts"):
        assert getattr(plan, part) == doc[part], part
    first = doc["releases"][0]
    assert plan.release(first["id"]) == first
    assert plan.release("nope@nowhere") is None
    assert repr(plan).startswith(f"<Plan {verdict.value} ")
    # The renderings are the core's; each names the released services.
    for render in (plan.to_text, plan.to_markdown, plan.to_dot, plan.to_mermaid):
        out = render()
        assert isinstance(out, str) and first["service"] in out, render
    assert plan.to_dot().startswith("digraph")


def test_the_blocked_plan_says_why(catalog: Catalog, builtin: Bundle) -> None:
    plan = builtin.plan(catalog, ReleasePlan.from_file(PLANS / "blocked.yaml"))
    assert plan.violations or plan.cycles or any(c["blocking"] for c in plan.conflicts)
    assert all({"release", "kind", "provider", "message"} <= v.keys() for v in plan.violations)


def test_plan_verdict_is_a_str_enum() -> None:
    assert [v.value for v in PlanVerdict] == ["ok", "blocked", "needsDecision"]
    assert PlanVerdict.NEEDS_DECISION == "needsDecision"
    assert str(PlanVerdict.BLOCKED) == "blocked"


def test_the_catalog(catalog: Catalog) -> None:
    assert catalog.service_count == len(catalog.service_names) == 7
    assert catalog.service_names == sorted(catalog.service_names)
    assert {"payments", "checkout", "ledger"} <= set(catalog.service_names)
    assert catalog.dependency_count > 0
    assert catalog.calendar_names == sorted(catalog.calendar_names)
    assert catalog.calendar_names
    assert repr(catalog).startswith("<Catalog (7 services, ")
    # One file of the directory: the same services, and the calendars of
    # the other file are missing.
    services = Catalog.from_file(CATALOG / "services.yaml")
    assert services.service_names == catalog.service_names
    assert services.calendar_names == []


def test_a_catalog_from_sources_plans_as_from_disk(catalog: Catalog, builtin: Bundle) -> None:
    files = sorted(p for p in CATALOG.rglob("*") if p.is_file())
    sources = {str(p.relative_to(CATALOG)): p.read_text() for p in files}
    from_dict = Catalog.from_sources(sources)
    from_pairs = Catalog.from_sources(list(sources.items()))
    intended = ReleasePlan.from_file(PLANS / "blocked.yaml")
    want = builtin.plan(catalog, intended).to_json()
    for other in (from_dict, from_pairs):
        assert other.service_names == catalog.service_names
        assert other.dependency_count == catalog.dependency_count
        assert builtin.plan(other, intended).to_json() == want
    with pytest.raises(TypeError):
        Catalog.from_sources("not sources")  # type: ignore[arg-type]


def test_a_release_plan_from_text(catalog: Catalog, builtin: Bundle) -> None:
    text = (PLANS / "ok.yaml").read_text()
    from_text = ReleasePlan.from_str(text, name="ok.yaml")
    assert len(from_text) == len(ReleasePlan.from_file(PLANS / "ok.yaml")) == 3
    assert repr(from_text) == "<ReleasePlan (3 releases)>"
    assert builtin.plan(catalog, from_text).verdict is PlanVerdict.OK
    assert len(ReleasePlan.from_str(text)) == 3


def test_can_i_deploy(catalog: Catalog, builtin: Bundle) -> None:
    yes = builtin.can_i_deploy(catalog, "payments", "3.1.0", "production")
    assert isinstance(yes, Deployability)
    assert yes.deployable is True
    assert yes.violations == []
    assert (yes.service, yes.version, yes.environment) == ("payments", "3.1.0", "production")
    assert yes.provides == {"payments-api": "3.1.0"}
    assert yes.blast_radius["hard"]["count"] >= 1
    assert yes.to_dict() == json.loads(yes.to_json())
    assert yes.summary == yes.to_dict()["summary"]

    no = builtin.can_i_deploy(catalog, "payments", "4.0.0", "production")
    assert no.deployable is False
    assert any(v["kind"] == "requirement-not-met" for v in no.violations)
    assert no.to_dict()["violations"] == no.violations
    assert repr(no).startswith("<Deployability no payments@4.0.0 to production")


def test_an_unknown_service_in_a_release_plan_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError) as info:
        # The service is checked against the catalog when planned, or when
        # read: either way a `CatalogError`.
        Bundle.builtin().plan(Catalog.from_dir(CATALOG), ReleasePlan.from_str(PAYMANTS, name="plan.yaml"))
    e = info.value
    assert isinstance(e, ReleasePolicyError)
    assert e.code == "RP0805"
    assert e.hint == "did you mean `payments`?"
    assert e.location == "plan.yaml:4:15"
    assert (e.file, e.line, e.column) == ("plan.yaml", 4, 15)
    assert e.message == "service `paymants` is not in the catalog"
    assert str(e) == "plan.yaml:4:15: service `paymants` is not in the catalog"
    assert e.errors == [e]


def test_can_i_deploy_an_unknown_service(catalog: Catalog, builtin: Bundle) -> None:
    with pytest.raises(CatalogError) as info:
        builtin.can_i_deploy(catalog, "paymnets", "3.1.0", "production")
    assert info.value.code == "RP0805"
    assert info.value.hint == "did you mean `payments`?"


def test_an_unknown_time_zone_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError) as info:
        Catalog.from_sources({"c.yaml": BAD_TIME_ZONE})
    e = info.value
    assert (e.code, e.location) == ("RP0808", "c.yaml:5:13")
    assert "`Europe/Berln`" in e.message


def test_every_catalog_error_is_reported() -> None:
    two = BAD_TIME_ZONE + "---\n" + BAD_TIME_ZONE.replace("cal}", "cal2}").replace("Berln", "Parsi")
    with pytest.raises(CatalogError) as info:
        Catalog.from_sources([("c.yaml", two)])
    e = info.value
    assert len(e.errors) >= 2, e.errors
    assert all(isinstance(x, CatalogError) and x.file == "c.yaml" for x in e.errors)
    assert [x.code for x in e.errors][:2] == ["RP0808", "RP0808"]
    assert e.errors[0].location == e.location
    assert all(x.location == f"{x.file}:{x.line}:{x.column}" for x in e.errors)
    # Every error in the text, one a line.
    assert str(e).splitlines() == [str(x) for x in e.errors]


def test_a_missing_catalog_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyIOError):
        Catalog.from_dir(tmp_path / "nope")
    with pytest.raises(PolicyIOError):
        ReleasePlan.from_file(tmp_path / "nope.yaml")
    with pytest.raises(CatalogError) as info:
        Catalog.from_dir(tmp_path)  # no catalog files
    assert info.value.code == "RP0810"


def test_plan_objects_are_frozen(catalog: Catalog, builtin: Bundle) -> None:
    intended = ReleasePlan.from_file(PLANS / "ok.yaml")
    plan = builtin.plan(catalog, intended)
    answer = builtin.can_i_deploy(catalog, "payments", "3.1.0", "production")
    for obj, attr in ((catalog, "service_count"), (plan, "verdict"), (answer, "deployable")):
        with pytest.raises(AttributeError):
            setattr(obj, attr, None)
    for cls in (Catalog, ReleasePlan, Plan, Deployability):
        with pytest.raises(TypeError):
            type("Sub", (cls,), {})


def test_plans_cross_threads(catalog: Catalog, builtin: Bundle) -> None:
    plans = [ReleasePlan.from_file(PLANS / f"{n}.yaml") for n in ("blocked", "needs-decision", "ok")]
    want = [builtin.plan(catalog, p).to_json() for p in plans]

    def work(i: int) -> str:
        return builtin.plan(catalog, plans[i % 3]).to_json()

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(work, range(24)))
    assert got == [want[i % 3] for i in range(24)]


# -- The GIL is released while the core works --------------------------------


def big_catalog(n: int) -> str:
    """``n`` services, each depending on up to three with a lower index."""
    out = []
    for i in range(n):
        deps = "".join(
            f"    - {{service: s{p}, api: s{p}-api, requires: \"^1\", kind: hard}}\n"
            for p in sorted({i // 2, i // 3, i - 1})
            if 0 <= p < i
        )
        out.append(
            "apiVersion: release-policy/v1\nkind: Service\n"
            f"metadata: {{name: s{i}}}\nspec:\n  tier: {1 + i % 4}\n  owner: team-{i % 7}\n"
            "  environments: [production]\n"
            f"  provides: [{{api: s{i}-api, version: \"1.0.0\"}}]\n"
            "  deployed: {production: \"1.0.0\"}\n"
            + (f"  dependsOn:\n{deps}" if deps else "")
        )
    return "---\n".join(out)


def big_plan(n: int, releases: int) -> str:
    lines = ["apiVersion: release-policy/v1", "kind: ReleasePlan", "releases:"]
    for k in range(releases):
        i = (k * 7919) % n
        lines.append(
            f"  - {{service: s{i}, version: \"1.0.1\", environment: production, "
            f"window: {{start: \"2026-12-0{1 + k % 4}T{8 + k % 8:02}:00:00Z\", duration: 30m}}}}"
        )
    return "\n".join(lines) + "\n"


def longest_pause_of_a_python_thread(call: Callable[[], Any]) -> tuple[float, float]:
    """Run ``call`` while another thread loops in Python; return how long
    the call took and the longest the other thread went without running.
    Holding the GIL for the whole call would stall the other thread for
    about as long as the call."""
    stop = threading.Event()
    longest = 0.0

    def spin() -> None:
        nonlocal longest
        last = time.perf_counter()
        while not stop.is_set():
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now

    spinner = threading.Thread(target=spin)
    spinner.start()
    time.sleep(0.05)
    longest = 0.0
    started = time.perf_counter()
    call()
    took = time.perf_counter() - started
    stop.set()
    spinner.join()
    return took, longest


def test_the_gil_is_released_while_loading_and_planning(builtin: Bundle) -> None:
    n = 1500
    text = big_catalog(n)
    # Loaded three times in a row, so the call is long enough to tell on an
    # idle machine too (one load took 0.047 s there).
    took, longest = longest_pause_of_a_python_thread(
        lambda: [Catalog.from_sources({"c.yaml": text}) for _ in range(3)]
    )
    catalog = Catalog.from_sources({"c.yaml": text})
    assert catalog.service_count == n
    assert took > 0.05, f"loading took {took:.3f}s: too short to tell"
    assert longest < took / 2, (took, longest)

    intended = ReleasePlan.from_str(big_plan(n, 100))
    # One plan of this size takes a few tens of milliseconds: plan it 20
    # times in a row (the GIL is taken back between calls only briefly), so
    # the call is long enough to tell on a fast machine too.
    took, longest = longest_pause_of_a_python_thread(
        lambda: [builtin.plan(catalog, intended) for _ in range(20)]
    )
    assert took > 0.05, f"planning took {took:.3f}s: too short to tell"
    assert longest < took / 2, (took, longest)


def release_facts(service: str, version: str, now: str) -> dict[str, Any]:
    return {
        "now": now,
        "release": {
            "id": f"{service}-{version}",
            "service": service,
            "version": version,
            "environment": "production",
            "kind": "standard",
            "author": "alice",
        },
    }


def test_check_with_a_catalog_applies_the_coordination_gates(
    catalog: Catalog, builtin: Bundle
) -> None:
    # payments 4.0.0 breaks checkout's `^3.1` and falls in the Berlin
    # year-end freeze (from 2026-12-19T00:00 local, 23:00 UTC the day before).
    facts = release_facts("payments", "4.0.0", "2026-12-21T10:00:00Z")
    without = builtin.check(facts)
    assert without.finding("contract-compatible").outcome is Outcome.SKIPPED
    assert without.catalog_digest is None
    decision = builtin.check(facts, catalog=catalog)
    assert decision.finding("contract-compatible").outcome is Outcome.FAIL
    assert decision.finding("release-freeze").outcome is Outcome.FAIL
    assert decision.verdict is Verdict.NO_GO
    assert decision.catalog_digest is not None
    assert decision.catalog_digest.startswith("sha256:")
    assert json.loads(decision.to_json())["catalogDigest"] == decision.catalog_digest
    before = builtin.check(release_facts("payments", "3.1.0", "2026-12-18T22:59:00Z"), catalog=catalog)
    assert before.finding("release-freeze").outcome is Outcome.PASS


def test_check_refuses_a_release_the_catalog_does_not_know(
    catalog: Catalog, builtin: Bundle
) -> None:
    with pytest.raises(FactsError) as info:
        builtin.check(release_facts("paymants", "1.0.0", "2026-12-01T10:00:00Z"), catalog=catalog)
    assert info.value.code == "RP0805"
    assert "$.release.service" in str(info.value)
    assert "payments" in (info.value.hint or "")


CASCADE = """
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: cascade, version: 1.0.0}
spec:
  triggers:
    - {id: downstream-errors, metric: error-rate, downstream: true, compare: baseline,
       above: 0.02, window: 10m, minSamples: 2, action: rollback}
"""


def test_assess_with_a_catalog_attributes_a_downstream_failure(catalog: Catalog) -> None:
    facts = {
        "now": "2026-11-26T10:30:00Z",
        "rollout": {
            "id": "payments-3.2.0",
            "service": "payments",
            "environment": "production",
            "steps": [{"setWeight": 10}],
            "stepStartedAt": "2026-11-26T10:20:00Z",
        },
        "downstream": {
            "checkout": {
                "error-rate": {
                    "samples": [
                        {"at": "2026-11-26T10:15:00Z", "value": 0.002},
                        {"at": "2026-11-26T10:22:00Z", "value": 0.08},
                        {"at": "2026-11-26T10:26:00Z", "value": 0.09},
                    ]
                }
            }
        },
    }
    bundle = Bundle.from_yaml("cascade.yaml", CASCADE)
    assessment = bundle.assess(facts, catalog=catalog)
    assert assessment.verdict is RolloutVerdict.ROLLBACK
    finding = assessment.finding("downstream-errors")
    assert finding is not None
    assert "payments → checkout" in finding.message
    assert assessment.catalog_digest is not None
    # Without the catalog the trigger cannot tell what is downstream: hold.
    assert bundle.assess(facts).verdict is RolloutVerdict.HOLD
