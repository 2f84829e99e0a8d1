"""Property tests: whatever a caller passes, check returns a Decision or
raises FactsError (TypeError only for a wrong argument type): never a crash,
a PanicException or another exception."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import example
from release_policy import Bundle, Decision, FactsError

BUILTIN = Bundle.builtin()
BASE = example("checkout-2.4.0")

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
not_json = st.sampled_from(
    [math.nan, math.inf, {1, 2}, b"x", object(), 2**70, ("ok", {3}), {1: "a"}, "\udfff"]
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


PATHS = [p for p in paths(BASE) if p]


def replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    facts = copy.deepcopy(BASE)
    target: Any = facts
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return facts


def decide(facts: Any) -> Decision | FactsError:
    try:
        return BUILTIN.check(facts)
    except FactsError as e:
        return e


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), json_values)
def test_json_values_anywhere_decide_or_are_facts_errors(path: tuple[Any, ...], value: Any) -> None:
    facts = replaced(path, value)
    got = decide(facts)
    if isinstance(got, Decision):
        # A decision from a dict is the decision from its JSON text.
        assert BUILTIN.check(json.dumps(facts)).to_json() == got.to_json()
    else:
        assert got.path is None or got.path.startswith("$")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PATHS), not_json)
def test_values_json_cannot_hold_are_always_facts_errors(path: tuple[Any, ...], value: Any) -> None:
    got = decide(replaced(path, value))
    assert isinstance(got, FactsError)
    assert got.path is not None and got.path.startswith("$")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_any_text_decides_or_is_a_facts_error(text: str | bytes) -> None:
    decide(text)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_any_json_value_at_the_top(value: Any) -> None:
    if isinstance(value, dict):
        decide(value)
    else:
        decide(json.dumps(value))
