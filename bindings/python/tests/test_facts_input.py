"""Facts from Python: anything JSON cannot hold is a FactsError naming its
JSON path, never a silent change, a crash or a PanicException."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from release_policy import Bundle, FactsError, Verdict


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a", "b"}, "a `set` is not a JSON value"),
        (frozenset(), "a `frozenset` is not a JSON value"),
        (b"2.4.0", "a `bytes` is not a JSON value"),
        (math.nan, "`NaN` is not a JSON number"),
        (math.inf, "`inf` is not a JSON number"),
        (-math.inf, "`-inf` is not a JSON number"),
        (2**64, "integer `18446744073709551616` does not fit in 64 bits"),
        (-(2**63) - 1, "does not fit in 64 bits"),
        (object(), "a `object` is not a JSON value"),
        (datetime.datetime(2026, 11, 26), "a `datetime` is not a JSON value"),
        ("\ud800", "string is not valid unicode"),
    ],
)
def test_values_json_cannot_hold(
    small: Bundle, facts: dict[str, Any], value: object, message: str
) -> None:
    facts["ci"]["suites"][1]["name"] = value
    with pytest.raises(FactsError) as info:
        small.check(facts)
    assert info.value.path == "$.ci.suites[1].name"
    assert message in info.value.message


def test_non_string_keys(small: Bundle, facts: dict[str, Any]) -> None:
    facts["release"][1] = "x"
    with pytest.raises(FactsError) as info:
        small.check(facts)
    assert info.value.path == "$.release"
    assert info.value.message == "key `1` (a `int`) is not a string"


def test_a_dict_that_contains_itself(small: Bundle, facts: dict[str, Any]) -> None:
    facts["release"]["loop"] = facts["release"]
    with pytest.raises(FactsError, match="nesting deeper than the limit of 64"):
        small.check(facts)


def test_very_deep_nesting_is_refused_not_a_crash(small: Bundle) -> None:
    deep: Any = "leaf"
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(FactsError) as info:
        small.check({"now": deep})
    assert info.value.path is not None and info.value.path.startswith("$.now[0][0]")


def test_tuples_and_subclasses_are_json(small: Bundle, facts: dict[str, Any]) -> None:
    want = small.check(facts).to_json()
    facts["ci"]["suites"] = tuple(facts["ci"]["suites"])

    class Tagged(str):
        pass

    facts["release"]["author"] = Tagged("alice")
    assert small.check(facts).to_json() == want


def test_none_is_null(small: Bundle, facts: dict[str, Any]) -> None:
    want = small.check(facts)
    facts["release"]["previousVersion"] = None  # an optional field, as absent
    d = small.check(facts)
    assert d.verdict is Verdict.GO
    assert d.to_json() == want.to_json()


def test_wrong_argument_types_are_type_errors(small: Bundle) -> None:
    for bad in (42, None, ["now"], 1.5):
        with pytest.raises(TypeError, match="facts must be a dict, str or bytes"):
            small.check(bad)  # type: ignore[arg-type]


def test_a_top_level_that_is_not_an_object(small: Bundle) -> None:
    with pytest.raises(FactsError) as info:
        small.check("[1, 2]")
    assert info.value.message


def test_bytes_must_be_utf8(small: Bundle) -> None:
    with pytest.raises(FactsError, match="not valid UTF-8"):
        small.check(b"now: \xff\n")


def test_facts_are_not_modified(small: Bundle, facts: dict[str, Any]) -> None:
    import copy

    before = copy.deepcopy(facts)
    small.check(facts)
    assert facts == before


def test_a_dict_is_validated_like_text(small: Bundle, facts: dict[str, Any]) -> None:
    # What the types cannot say (a weight over 100 %) is refused from a dict
    # exactly as from text, with the same path.
    facts = dict(facts, rollout={"steps": [{"setWeight": 140}]})
    with pytest.raises(FactsError) as from_dict:
        small.check(facts)
    import json

    with pytest.raises(FactsError) as from_text:
        small.check(json.dumps(facts))
    assert from_dict.value.path == from_text.value.path == "$.rollout.steps[0].setWeight"
