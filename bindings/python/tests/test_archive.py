"""The audit archive through the Python binding: decisions recorded by
``check(..., archive=)`` and ``assess(..., archive=)`` into an SQLite file,
the chain verified (and replayed byte for byte), a changed record found at
its place, checkpoints signed and held with OpenSSL's Ed25519 keys,
release records added, a backtest of a stricter bundle and the portfolio
report — the same crates the CLI calls, so the same answers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from conftest import ROOT
from release_policy import Archive, Bundle, Records, ReleasePolicyError, Verdict

RELEASES = ROOT / "examples" / "releases"
ROLLOUTS = ROOT / "examples" / "rollouts"
KEY = (ROOT / "core" / "tests" / "data" / "audit-key.pem").read_text()
PUB = (ROOT / "core" / "tests" / "data" / "audit-key.pub").read_text()
OTHER_PUB = (ROOT / "core" / "tests" / "data" / "audit-other-key.pub").read_text()

STRICTER = ROOT / "core" / "tests" / "data" / "audit-stricter"


def filled(path: Path) -> Archive:
    archive = Archive(str(path))
    bundle = Bundle.builtin()
    for f in sorted(RELEASES.glob("*.yaml")):
        bundle.check(f.read_text(), archive=archive)
    bundle.assess((ROLLOUTS / "checkout-latency-regression.yaml").read_text(), archive=archive)
    return archive


def test_decisions_are_recorded_in_order_and_verify(tmp_path: Path) -> None:
    archive = filled(tmp_path / "a.db")
    head = archive.head()
    assert head is not None and head[0] == 4
    records = archive.records()
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert [r["kind"] for r in records] == ["check", "check", "check", "assess"]
    assert records[0]["prev"] == "0" * 64
    assert records[3]["hash"] == head[1]
    checkout = archive.records(release="checkout-2.4.0")
    # The check and the canary assessment of the release, in order.
    assert [(r["kind"], r["verdict"]) for r in checkout] == [
        ("check", Verdict.NO_GO.value),
        ("assess", "rollback"),
    ]
    report = archive.verify(replay=True)
    assert report["intact"] is True
    assert report["verification"]["count"] == 4
    assert report["replayed"] == 4


def test_a_changed_record_is_found(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    filled(path)
    db = sqlite3.connect(path)
    tables = [r[0] for r in db.execute("select name from sqlite_master where type = 'table'")]
    table = next(t for t in tables if "record" in t)
    db.execute(f"update {table} set verdict = 'go' where seq = 1")
    db.commit()
    db.close()
    report = Archive(str(path)).verify()
    assert report["intact"] is False
    first = report["verification"]["breaks"][0]
    assert first["seq"] == 1 and first["kind"] == "changed"


def test_checkpoints_verify_only_with_the_signers_key(tmp_path: Path) -> None:
    archive = filled(tmp_path / "a.db")
    c = archive.checkpoint(KEY)
    assert c["count"] == 4
    assert archive.verify(public_key=PUB)["verification"]["checkpoints"] == 1
    with pytest.raises(ReleasePolicyError) as e:
        archive.verify(public_key=OTHER_PUB)
    assert e.value.code == "RP1002"
    with pytest.raises(ReleasePolicyError) as e:
        archive.checkpoint(PUB)
    assert e.value.code == "RP1003"


def test_release_records_and_the_report(tmp_path: Path) -> None:
    archive = filled(tmp_path / "a.db")
    n = archive.add_records(Records.from_path(ROOT / "examples" / "records"))
    assert n > 0
    assert len(archive.records(kind="record")) == n
    html = archive.report()
    assert html.startswith("<!DOCTYPE html>") or html.startswith("<!doctype html>")
    assert "checkout-2.4.0" in html and "<script" not in html
    md = archive.report(format="markdown")
    assert "checkout" in md
    with pytest.raises(ValueError):
        archive.report(format="pdf")


def test_a_backtest_names_what_a_stricter_bundle_changes(tmp_path: Path) -> None:
    archive = filled(tmp_path / "a.db")
    stricter = Bundle.builder().builtin_layer().dir_layer(STRICTER).build()
    result = archive.backtest(stricter)
    assert result["replayed"] == 4
    changed = {c["release"] for c in result["changes"]}
    assert changed == {"checkout-2.4.0"}
    assert result["rules"][0]["rule"] == "checkout-frozen"
    same = archive.backtest(Bundle.builtin(), since="2020-01-01T00:00:00Z")
    assert same["changes"] == [] and same["unchanged"] == 4
    assert archive.backtest(Bundle.builtin(), since="2099-01-01T00:00:00Z")["replayed"] == 0


def test_a_file_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are not the records you are looking for\n" * 100)
    with pytest.raises(ReleasePolicyError) as e:
        Archive(str(path))
    assert e.value.code in ("RP1004", "RP1007")
