"""Shared fixtures: the repository's example releases and corpus, loaded
the way the core reads YAML (see ``yaml12.py``)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import yaml12
from release_policy import Bundle

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "releases"
CORPUS = ROOT / "tests" / "corpus"

# A small inline policy: one blocking gate, one warn gate, one approval.
POLICY = """\
apiVersion: release-policy/v1
kind: Policy
metadata: {name: ci, version: 1.0.0}
spec:
  gates:
    - id: required-suites-passed
      expression: ci.suites.all(s, !s.required || s.status == "passed")
      message: a required CI suite did not pass
      controls: ["SOC2:CC8.1"]
    - id: no-flaky
      effect: warn
      expression: ci.suites.all(s, s.failed == 0)
  approvals:
    - id: qa-sign-off
      roles: [qa]
"""

FACTS: dict[str, Any] = {
    "now": "2026-11-26T10:00:00Z",
    "release": {
        "id": "checkout-2.4.0",
        "service": "checkout",
        "version": "2.4.0",
        "environment": "production",
        "kind": "standard",
        "author": "alice",
    },
    "ci": {
        "suites": [
            {"name": "unit", "required": True, "status": "passed", "passed": 10, "failed": 0},
            {"name": "e2e", "required": True, "status": "passed", "passed": 5, "failed": 0},
        ]
    },
    "approvals": [
        {"role": "qa", "by": "quinn", "decision": "approve", "at": "2026-11-25T10:00:00Z"}
    ],
}


def example(name: str) -> dict[str, Any]:
    """An example release (``examples/releases/NAME.yaml``) as a dict."""
    data = yaml12.load((EXAMPLES / f"{name}.yaml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="session")
def builtin() -> Bundle:
    return Bundle.builtin()


@pytest.fixture(scope="session")
def small() -> Bundle:
    return Bundle.from_yaml("ci.yaml", POLICY)


@pytest.fixture
def facts() -> dict[str, Any]:
    """Facts for ``small`` that decide ``go`` (a fresh copy per test)."""
    return copy.deepcopy(FACTS)
