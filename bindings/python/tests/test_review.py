"""``review`` through the Python binding: release records loaded from a
directory (``examples/records/``, YAML and JSON Lines), from one file
(``core/tests/data/records-history.jsonl``) and from text; the review of a
period with DORA's keys as checked by hand in
``core/tests/data/README-records.md``; the arguments (aware ``datetime``
or RFC 3339 ``str``, both ends of the period or neither, naive datetimes
refused); one release's outcome; the derived history; ``check`` with
records; record errors as ``CatalogError`` (``RP09xx``); threads and the
GIL released while the core loads and reviews."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import ROOT
from release_policy import (
    Bundle,
    CatalogError,
    FactsError,
    Outcome,
    PolicyIOError,
    Records,
    ReleasePolicyError,
    Verdict,
)

HISTORY = ROOT / "core" / "tests" / "data" / "records-history.jsonl"
EXAMPLES = ROOT / "examples" / "records"
DECISIONS = ROOT / "examples" / "decisions"
FROM, TO = "2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z"
UTC = dt.timezone.utc

# A deployment that finished before it started: RP0905 on line 4.
BAD_RECORD = """\
apiVersion: release-policy/v1
kind: ReleaseRecord
release: {id: bad-1.0.0, service: checkout, version: "1.0.0", environment: production, kind: standard, team: payments}
deployment: {startedAt: 2026-11-24T10:00:00Z, finishedAt: 2026-11-24T09:00:00Z}
outcome: success
"""

# Bands under which the history's 11 failed of 27 is "elite".
LENIENT_BANDS = """\
apiVersion: release-policy/v1
kind: PerformanceBands
metadata: {name: lenient, source: the tests}
spec:
  deploymentFrequency: [{band: elite, deployments: 1, per: 30d}, {band: low}]
  leadTime: [{band: elite, under: 30d}, {band: low}]
  changeFailureRate: [{band: elite, atMost: 0.5}, {band: low}]
  recovery: [{band: elite, under: 7d}, {band: low}]
"""

FACTS = (
    "now: 2026-11-26T10:00:00Z\n"
    "release: {id: checkout-2.5.0, service: checkout, version: \"2.5.0\", "
    "environment: production, kind: standard, author: alice}\n"
)


@pytest.fixture(scope="module")
def history() -> Records:
    return Records.from_path(HISTORY)


@pytest.fixture(scope="module")
def examples() -> Records:
    return Records.from_path(EXAMPLES)


def test_records_load_from_a_file_a_directory_and_text(history: Records, examples: Records) -> None:
    assert len(history) == 41
    assert len(examples) == 15  # 10 YAML files and 5 JSON lines
    assert repr(history) == "<Records (41 records)>"
    assert len(Records.from_path(str(EXAMPLES / "checkout-2.4.0.yaml"))) == 1
    # Text: JSON Lines by the name, YAML by default.
    text = HISTORY.read_text()
    assert len(Records.from_str(text, name="records-history.jsonl")) == 41
    one = (EXAMPLES / "checkout-2.4.0.yaml").read_text()
    assert len(Records.from_str(one)) == 1


def test_the_review_of_the_period_as_checked_by_hand(builtin: Bundle, history: Records) -> None:
    r = builtin.review(history, from_=FROM, to=TO)
    assert isinstance(r, dict)
    assert r["schema"] == "release-policy/review/v1"
    assert r["period"] == {"from": FROM, "to": TO}
    assert r["environment"] == "production"
    assert "service" not in r and "team" not in r
    assert r["verdict"] in ("pass", "fail")
    dora = r["dora"]
    assert dora["deployments"] == 27 and type(dora["deployments"]) is int
    assert dora["failed"] == 11
    assert dora["changeFailureRate"] == 11 / 27 == 0.4074074074074074
    assert dora["perDay"] == 0.9
    assert dora["recoveryMedianSeconds"] == 4050.0
    assert dora["openIncidents"] == ["INC-5011", "INC-5012", "INC-5013"]
    assert r["bands"].startswith("dora-2023")
    assert dora["bands"]["changeFailureRate"] == "low"
    assert [w["deployments"] for w in r["weeks"]] == [6, 7, 5, 5, 4]
    assert r["weeks"][-1]["period"] == {"from": "2026-11-24T00:00:00Z", "to": TO}
    assert {s["name"]: s["deployments"] for s in r["services"]} == {
        "checkout": 11,
        "payments": 7,
        "search": 9,
    }


def test_the_review_is_the_cores_json(builtin: Bundle, history: Records) -> None:
    first = builtin.review(history, from_=FROM, to=TO)
    second = builtin.review(history, from_=FROM, to=TO)
    # Plain JSON data, in the core's field order, the same every time.
    assert json.loads(json.dumps(first)) == second
    # (The field set grows with the core; its order is the core's, not a
    # sorted map's.)
    assert list(first)[:4] == ["schema", "period", "environment", "verdict"]
    assert list(first) != sorted(first)
    assert list(first["dora"])[:2] == ["deployments", "perDay"]
    assert list(first["period"]) == ["from", "to"]
    # Records read from text review exactly as read from disk.
    from_text = Records.from_str(HISTORY.read_text(), name=str(HISTORY))
    assert builtin.review(from_text, from_=FROM, to=TO) == first


@pytest.mark.parametrize(
    ("options", "deployments"),
    [
        ({"service": "checkout"}, 11),
        ({"team": "discovery"}, 10),
        ({"environment": "staging"}, 3),
        ({"service": None, "team": None}, 27),
    ],
)
def test_a_review_limited_to_a_service_team_or_environment(
    builtin: Bundle, history: Records, options: dict[str, Any], deployments: int
) -> None:
    r = builtin.review(history, from_=FROM, to=TO, **options)
    assert r["dora"]["deployments"] == deployments
    for key in ("service", "team"):
        if options.get(key):
            assert r[key] == options[key]
    assert r["environment"] == options.get("environment", "production")


def test_datetimes_and_strings_give_the_same_review(builtin: Bundle, history: Records) -> None:
    want = builtin.review(history, from_=FROM, to=TO)
    utc = builtin.review(
        history, from_=dt.datetime(2026, 10, 27, tzinfo=UTC), to=dt.datetime(2026, 11, 26, tzinfo=UTC)
    )
    # The same instants in another time zone, and mixed with a str.
    plus_one = dt.timezone(dt.timedelta(hours=1))
    other = builtin.review(history, from_=dt.datetime(2026, 10, 27, 1, tzinfo=plus_one), to=TO)
    offset = builtin.review(history, from_="2026-10-27T01:00:00+01:00", to=TO)
    assert want == utc == other == offset


def test_the_default_period_spans_the_deployments(builtin: Bundle, history: Records) -> None:
    r = builtin.review(history)
    # The first deployment's UTC day to the day after the last's.
    assert r["period"] == {"from": "2026-10-20T00:00:00Z", "to": "2026-12-05T00:00:00Z"}
    assert r["dora"]["deployments"] > 27


def test_bands_replace_dora_2023(builtin: Bundle, history: Records) -> None:
    r = builtin.review(history, from_=FROM, to=TO, bands=LENIENT_BANDS)
    assert r["bands"].startswith("lenient")
    assert r["dora"]["bands"]["changeFailureRate"] == "elite"
    with pytest.raises(CatalogError) as info:
        builtin.review(history, bands=LENIENT_BANDS.replace("PerformanceBands", "Bands"))
    assert info.value.code == "RP0903"


def test_decisions_give_the_policy_effectiveness(
    builtin: Bundle, examples: Records, tmp_path: Path
) -> None:
    # `decisions` is a path, as the CLI's `--decisions`: checkout-2.4.0
    # went out against a no-go.
    for path in (DECISIONS, str(DECISIONS)):
        r = builtin.review(examples, service="checkout", decisions=path)
        assert r["effectiveness"]["againstTheDecision"][0]["release"] == "checkout-2.4.0"
    assert builtin.review(examples, service="checkout").get("effectiveness") is None
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CatalogError) as info:
        builtin.review(examples, decisions=bad)
    assert info.value.code is not None and info.value.code.startswith("RP09")
    with pytest.raises(PolicyIOError):
        builtin.review(examples, decisions=tmp_path / "missing")


def test_period_arguments_are_checked(builtin: Bundle, history: Records) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        builtin.review(history, from_=dt.datetime(2026, 10, 27), to=TO)
    with pytest.raises(ValueError, match="both `from_` and `to`"):
        builtin.review(history, from_=FROM)
    with pytest.raises(ValueError, match="both `from_` and `to`"):
        builtin.review(history, to=TO)
    with pytest.raises(ValueError, match=r"`to` is not an RFC 3339 timestamp \(`2026-11-26`\)"):
        builtin.review(history, from_=FROM, to="2026-11-26")
    with pytest.raises(TypeError, match="must be a datetime or an RFC 3339 str, not `date`"):
        builtin.review(history, from_=dt.date(2026, 10, 27), to=TO)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        builtin.review(history, from_=1793836800, to=TO)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        builtin.review(history, FROM, TO)  # type: ignore[misc]
    # These are argument errors, not the engine's.
    with pytest.raises(ValueError) as info:
        builtin.review(history, from_=FROM)
    assert not isinstance(info.value, ReleasePolicyError)


def test_what_the_records_cannot_answer_is_a_catalog_error(
    builtin: Bundle, history: Records
) -> None:
    with pytest.raises(CatalogError) as info:
        builtin.review(history, from_=TO, to=FROM)
    assert info.value.code == "RP0909"
    with pytest.raises(CatalogError) as info:
        builtin.review(history, service="chekout")
    assert info.value.code == "RP0909"
    assert info.value.hint == "did you mean `checkout`?"
    with pytest.raises(CatalogError) as info:
        builtin.review(history, team="nobody")
    assert info.value.code == "RP0909"


def test_one_releases_outcome(builtin: Bundle, examples: Records) -> None:
    o = builtin.review_release(examples, "checkout-2.4.0", now="2026-11-26T10:00:00Z")
    assert o["schema"] == "release-policy/review/v1"
    assert (o["release"], o["service"], o["version"]) == ("checkout-2.4.0", "checkout", "2.4.0")
    assert o["outcome"] == "rolled-back"
    assert o["failed"] is True
    assert o["usersAffected"] == 1200
    assert any("INC-4711" in e["what"] for e in o["timeline"])
    assert o["timeline"] == sorted(o["timeline"], key=lambda e: e["at"])
    same = builtin.review_release(
        examples, "checkout-2.4.0", now=dt.datetime(2026, 11, 26, 10, tzinfo=UTC)
    )
    assert same == o
    with pytest.raises(CatalogError) as info:
        builtin.review_release(examples, "checkout-9.9.9", now="2026-11-26T10:00:00Z")
    assert info.value.code == "RP0909"
    with pytest.raises(ValueError, match="naive"):
        builtin.review_release(examples, "checkout-2.4.0", now=dt.datetime(2026, 11, 26))
    with pytest.raises(TypeError):
        builtin.review_release(examples, "checkout-2.4.0")  # type: ignore[call-arg]


def test_the_history_of_check_derived(builtin: Bundle, examples: Records) -> None:
    h = builtin.history(examples, "checkout", now="2026-11-26T10:00:00Z")
    assert set(h) == {"incidents", "releases", "openPostmortems"}
    ids = [r["id"] for r in h["releases"]]
    assert "checkout-2.4.0" in ids
    assert all(i.startswith("checkout-") for i in ids)
    ats = [r["at"] for r in h["releases"]]
    assert ats == sorted(ats, reverse=True), "most recent first"
    # Nothing after `now` is known.
    early = builtin.history(examples, "checkout", now=dt.datetime(2026, 11, 1, tzinfo=UTC))
    assert len(early["releases"]) < len(h["releases"])
    assert "checkout-2.4.0" not in [r["id"] for r in early["releases"]]
    # Another environment: its own releases (checkout 2.4.0 went to
    # staging first); a service no record names: empty.
    staging = builtin.history(
        examples, "checkout", now="2026-11-26T10:00:00Z", environment="staging"
    )
    assert [r["version"] for r in staging["releases"]] == ["2.4.0"]
    assert builtin.history(examples, "nobody", now="2026-11-26T10:00:00Z")["releases"] == []


def test_check_with_records_derives_the_history(builtin: Bundle, examples: Records) -> None:
    d = builtin.check(FACTS, records=examples)
    incident = [f for f in d.findings if f.policy == "incident-history"]
    assert incident, "no incident-history finding"
    assert all(f.outcome is not Outcome.ERROR for f in incident), [f.message for f in incident]
    assert d.verdict is not Verdict.GO
    # The history the check read is the one `history` gives.
    h = builtin.history(examples, "checkout", now="2026-11-26T10:00:00Z")
    with_history = FACTS + "history: " + json.dumps(h) + "\n"
    assert builtin.check(with_history).to_dict()["findings"] == d.to_dict()["findings"]
    # The verdict alone derives the same history.
    assert builtin.verdict(FACTS, records=examples) is d.verdict
    # Facts with a history of their own next to records: refused.
    with pytest.raises(FactsError) as info:
        builtin.check(with_history, records=examples)
    assert info.value.path == "$.history"
    with pytest.raises(FactsError):
        builtin.verdict(with_history, records=examples)


def test_check_with_a_catalog_and_records_is_refused(builtin: Bundle, examples: Records) -> None:
    from release_policy import Catalog

    catalog = Catalog.from_dir(ROOT / "examples" / "catalog")
    with pytest.raises(ValueError, match="not both"):
        builtin.check(FACTS, catalog=catalog, records=examples)
    with pytest.raises(ValueError, match="not both"):
        builtin.verdict(FACTS, catalog=catalog, records=examples)


def test_a_bad_record_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError) as info:
        Records.from_str(BAD_RECORD, name="bad.yaml")
    e = info.value
    assert isinstance(e, ReleasePolicyError)
    assert e.code == "RP0905"
    assert (e.file, e.line) == ("bad.yaml", 4)
    assert e.location is not None and e.location.startswith("bad.yaml:4:")
    assert e.errors == [e]
    # Every problem at once: two bad records, two errors.
    two = BAD_RECORD + "---\n" + BAD_RECORD.replace("bad-1.0.0", "bad-1.0.1")
    with pytest.raises(CatalogError) as info:
        Records.from_str(two, name="bad.yaml")
    assert [x.code for x in info.value.errors] == ["RP0905", "RP0905"]


def test_missing_and_empty_paths(tmp_path: Path) -> None:
    with pytest.raises(PolicyIOError):
        Records.from_path(tmp_path / "nope")
    with pytest.raises(CatalogError) as info:
        Records.from_path(tmp_path)
    assert info.value.code == "RP0908"


def test_records_are_frozen(history: Records) -> None:
    with pytest.raises(AttributeError):
        history.inner = None  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        type("Sub", (Records,), {})


def test_reviews_cross_threads(builtin: Bundle, history: Records, examples: Records) -> None:
    want = builtin.review(history, from_=FROM, to=TO)
    outcome = builtin.review_release(examples, "checkout-2.4.0", now="2026-11-26T10:00:00Z")

    def work(i: int) -> Any:
        if i % 2:
            return builtin.review_release(examples, "checkout-2.4.0", now="2026-11-26T10:00:00Z")
        return builtin.review(history, from_=FROM, to=TO)

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(work, range(16)))
    assert got == [outcome if i % 2 else want for i in range(16)]


# -- The GIL is released while the core works --------------------------------


def many_records(n: int) -> str:
    """``n`` JSON Lines records over three services, one a day-hour."""
    lines = []
    start = dt.datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        finished = start + dt.timedelta(minutes=10 * i)
        began = finished - dt.timedelta(minutes=5)
        first = began - dt.timedelta(hours=30)
        stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        outcome = "hotfixed" if i % 7 == 0 else "success"
        lines.append(
            json.dumps(
                {
                    "apiVersion": "release-policy/v1",
                    "kind": "ReleaseRecord",
                    "release": {
                        "id": f"s{i % 3}-{i}",
                        "service": f"s{i % 3}",
                        "version": f"1.{i}.0",
                        "environment": "production",
                        "kind": "standard",
                        "team": f"t{i % 2}",
                    },
                    "commits": {"firstAt": stamp(first), "count": 3},
                    "deployment": {"startedAt": stamp(began), "finishedAt": stamp(finished)},
                    "outcome": outcome,
                }
            )
        )
    return "\n".join(lines) + "\n"


def longest_pause_of_a_python_thread(call: Callable[[], Any]) -> tuple[float, float]:
    """Run ``call`` while another thread loops in Python; return how long
    the call took and the longest the other thread went without running."""
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


def test_the_gil_is_released_while_loading_and_reviewing(builtin: Bundle) -> None:
    n = 20_000
    text = many_records(n)
    took, longest = longest_pause_of_a_python_thread(
        lambda: [Records.from_str(text, name="many.jsonl") for _ in range(3)]
    )
    records = Records.from_str(text, name="many.jsonl")
    assert len(records) == n
    assert took > 0.05, f"loading took {took:.3f}s: too short to tell"
    assert longest < took / 2, (took, longest)

    took, longest = longest_pause_of_a_python_thread(
        lambda: [builtin.review(records) for _ in range(40)]
    )
    assert took > 0.05, f"reviewing took {took:.3f}s: too short to tell"
    assert longest < took / 2, (took, longest)
