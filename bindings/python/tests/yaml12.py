"""YAML as the core reads it (YAML 1.2 core schema), for Python-side test
data: PyYAML implements YAML 1.1, where ``2026-11-26T10:00:00Z`` is a
``datetime``, ``yes``/``on`` are booleans and ``012`` is octal. The core
(libyaml-based ``yaml_serde``) keeps all of those as strings; facts loaded
here are the same values the core would read from the same text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class Yaml12Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with the YAML 1.2 core schema's implicit types."""


Yaml12Loader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]
for _tag, _rx, _first in _RESOLVERS:
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_rx), _first)


def _int(loader: Yaml12Loader, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _int)


def load(text: str) -> Any:
    """Parse YAML text with the YAML 1.2 core schema."""
    return yaml.load(text, Loader=Yaml12Loader)  # noqa: S506 (a SafeLoader)
