"""Exceptions: the hierarchy, their attributes, and the one mapping from the
core's error enum (every variant)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_policy import (
    Bundle,
    CatalogError,
    EvaluationError,
    FactsError,
    PolicyError,
    PolicyIOError,
    ReleasePolicyError,
)
from release_policy._release_policy import _error_samples

BAD_FIELD = """\
apiVersion: release-policy/v1
kind: Policy
metadata: {name: ci, version: 1.0.0}
spec:
  gates:
    - id: suites-passed
      expression: ci.suites.all(s, s.statuz == "passed")
"""


def test_hierarchy() -> None:
    for cls in (PolicyError, FactsError, EvaluationError, PolicyIOError, CatalogError):
        assert issubclass(cls, ReleasePolicyError)
    assert issubclass(FactsError, ValueError)
    assert issubclass(PolicyIOError, OSError)
    assert not issubclass(PolicyError, ValueError)
    assert not issubclass(CatalogError, (ValueError, PolicyError))


def test_every_core_variant_maps_with_its_attributes() -> None:
    samples = dict(_error_samples())
    assert sorted(samples) == ["Catalog", "Evaluation", "Facts", "Io", "Policies", "Policy"]

    one = samples["Policy"]
    assert type(one) is PolicyError
    assert (one.file, one.line, one.column, one.rule) == ("p.yaml", 3, 7, "r1")
    assert (one.message, one.hint) == ("unknown field `gatez`", "did you mean `gates`?")
    assert (one.code, one.location) == ("RP0203", "p.yaml:3:7")
    # The hint is an attribute, not part of the text.
    assert str(one) == "p.yaml:3:7: unknown field `gatez`"
    assert one.errors == [one]

    several = samples["Policies"]
    assert type(several) is PolicyError
    assert [(e.file, e.line, e.column) for e in several.errors] == [
        ("p.yaml", 3, 7), ("q.yaml", None, None)]
    assert (several.file, several.rule) == ("p.yaml", "r1")  # the first error's
    assert (several.code, several.location) == ("RP0203", "p.yaml:3:7")
    assert [(e.code, e.location) for e in several.errors] == [
        ("RP0203", "p.yaml:3:7"), ("RP0119", "q.yaml")]
    assert str(several).splitlines()[-1] == "q.yaml: no rules"

    facts = samples["Facts"]
    assert type(facts) is FactsError
    assert (facts.path, facts.line, facts.column, facts.hint) == (
        "$.release.version", 2, 5, "quote it")
    assert (facts.code, facts.location) == ("RP0403", "facts.yaml:2:5: $.release.version")
    assert str(facts).startswith("facts.yaml:2:5: $.release.version: invalid type")

    evaluation = samples["Evaluation"]
    assert type(evaluation) is EvaluationError
    assert str(evaluation) == "evaluation failed: the built-in policy pack did not compile: `x`"
    assert evaluation.message == "the built-in policy pack did not compile: `x`"
    assert (evaluation.code, evaluation.location, evaluation.hint) == ("RP0502", None, None)

    io = samples["Io"]
    assert type(io) is PolicyIOError
    assert (io.path, io.filename, io.message) == (
        "/no/such/dir", "/no/such/dir", "no such file or directory")
    assert str(io) == "/no/such/dir: no such file or directory"
    assert (io.code, io.location, io.hint) == ("RP0602", "/no/such/dir", None)

    catalog = samples["Catalog"]
    assert type(catalog) is CatalogError
    # The first error's code, place and hint; every error in `errors`.
    assert (catalog.code, catalog.location, catalog.hint) == (
        "RP0805", "plan.yaml:4:15", "did you mean `payments`?")
    assert (catalog.file, catalog.line, catalog.column) == ("plan.yaml", 4, 15)
    assert catalog.message == "unknown service `paymants`"
    assert [(e.code, e.location, e.hint) for e in catalog.errors] == [
        ("RP0805", "plan.yaml:4:15", "did you mean `payments`?"), ("RP0810", "catalog", None)]
    assert [(e.file, e.line, e.column) for e in catalog.errors] == [
        ("plan.yaml", 4, 15), ("catalog", None, None)]
    assert str(catalog).splitlines() == [
        "plan.yaml:4:15: unknown service `paymants`",
        "catalog: no catalog files (`.yaml`, `.yml` or `.json`) in this directory"]


def test_a_bad_inline_policy_names_file_line_column_and_rule() -> None:
    with pytest.raises(PolicyError) as info:
        Bundle.from_yaml("inline.yaml", BAD_FIELD)
    e = info.value
    assert (e.file, e.line, e.column, e.rule) == ("inline.yaml", 7, 37, "suites-passed")
    assert e.message == "unknown field `statuz` in `s`"
    assert e.hint == "did you mean `status`?"
    assert (e.code, e.location) == ("RP0203", "inline.yaml:7:37")
    assert str(e) == "inline.yaml:7:37: unknown field `statuz` in `s`"


def test_several_policy_errors_are_all_reported() -> None:
    text = BAD_FIELD + "    - id: two\n      expression: '1 +'\n"
    text += "    - id: three\n      expression: 'nope.x'\n"
    with pytest.raises(PolicyError) as info:
        Bundle.from_yaml("inline.yaml", text)
    errors = info.value.errors
    assert len(errors) >= 2, errors
    assert all(isinstance(e, PolicyError) and e.file == "inline.yaml" for e in errors)
    assert {e.rule for e in errors} >= {"suites-passed", "two"}
    assert [e.code for e in errors] == ["RP0203", "RP0201", "RP0202"]
    assert all(e.location == f"{e.file}:{e.line}:{e.column}" for e in errors)


def test_a_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(OSError) as info:
        Bundle.from_dir(missing)
    assert isinstance(info.value, PolicyIOError)
    assert info.value.path == str(missing)
    assert (info.value.code, info.value.location) == ("RP0602", str(missing))


def test_facts_errors_name_the_json_path(small: Bundle, facts: dict[str, Any]) -> None:
    facts["release"]["version"] = 2
    with pytest.raises(FactsError) as info:
        small.check(facts)
    e = info.value
    assert e.path == "$.release.version"
    assert (e.line, e.column) == (None, None)  # a dict has no text position
    assert (e.code, e.location) == ("RP0403", "$.release.version")
    assert e.message.startswith("version `2` is a number")  # lowercase, input in backticks


def test_unknown_fields_get_a_hint(small: Bundle, facts: dict[str, Any]) -> None:
    facts["release"]["enviroment"] = facts["release"].pop("environment")
    with pytest.raises(FactsError) as info:
        small.check(facts)
    assert info.value.path == "$.release.enviroment"
    assert "`enviroment`" in info.value.message
    assert info.value.hint is not None and "camelCase" in info.value.hint
    assert info.value.code == "RP0402"
    assert info.value.hint not in str(info.value)


@pytest.mark.parametrize(
    "text",
    ['{"now": ', "now: [1, 2", '{"now": "2026-11-26T10:00:00Z", }', "release: [\n", "- just\n- a list\n"],
)
def test_malformed_text_is_a_facts_error(small: Bundle, text: str) -> None:
    with pytest.raises(FactsError) as info:
        small.check(text)
    assert info.value.message
    assert info.value.code is not None and info.value.code.startswith("RP04")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('{"now": ', "RP0401"),
        ("now: [1, 2", "RP0401"),
        ("now: 2026-11-26T10:00:00Z\nrelease: {id: x, enviroment: p}\n", "RP0402"),
        ("now: 2026-11-26T10:00:00Z\nrelease: {id: x, version: [2]}\n", "RP0403"),
        (b"\xff\xfe", "RP0407"),
    ],
)
def test_facts_errors_carry_their_code(small: Bundle, text: str | bytes, code: str) -> None:
    with pytest.raises(FactsError) as info:
        small.check(text)
    assert info.value.code == code, str(info.value)


def test_text_errors_have_a_position(small: Bundle) -> None:
    with pytest.raises(FactsError) as info:
        small.check("now: 2026-11-26T10:00:00Z\nrelease: {id: 1, version: [}\n")
    assert info.value.line == 2


def test_exceptions_can_be_raised_from_python() -> None:
    e = FactsError("$.x: bad", message="bad", path="$.x")
    assert (str(e), e.message, e.path, e.hint, e.line) == ("$.x: bad", "bad", "$.x", None, None)
    assert (e.code, e.location) == (None, None)
    with pytest.raises(ValueError):
        raise e
