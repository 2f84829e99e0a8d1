#!/usr/bin/env python3
"""An independent implementation of the facts digest (docs/digest.md), with
the standard library only. Prints the digest of the fixed rollout facts of
`digest_golden.yaml`, written out here by hand as typed values (the YAML is
not read: no YAML parser in the standard library, and the point is to
implement the page, not the Rust parser). The Rust test
`model::digest::tests::golden_digest_matches_the_reference` compares.

    python3 core/tests/data/digest_reference.py
"""
import calendar
import hashlib
import math
import struct


class Struct(dict):
    """A section or record of the facts: null, [] and {} fields left out."""


class Timestamp:
    def __init__(self, text):  # RFC 3339 in UTC: 2026-11-26T09:00:00.5Z
        whole, _, frac = text.rstrip("Z").partition(".")
        self.secs = calendar.timegm(tuple(int(x) for x in whole.replace("-", " ").replace("T", " ").replace(":", " ").split()))
        self.nanos = int((frac + "000000000")[:9])


class Samples(list):
    """A list of samples: packed (tag 0x0c) when it is not empty."""


class Duration:
    def __init__(self, millis):
        self.millis = millis


def leb128(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n])


def zigzag(n):
    return leb128(2 * n if n >= 0 else -2 * n - 1)


def pack(samples):
    out, before = b"", 0
    for s in samples:
        out += zigzag(s["at"].secs - before) + leb128(s["at"].nanos)
        before = s["at"].secs
        out += bytes([(s["value"] is not None) | (s["error"] is not None) << 1])
        if s["value"] is not None:
            out += bytes.fromhex("7ff8000000000000") if math.isnan(s["value"]) else struct.pack(">d", s["value"])
        if s["error"] is not None:
            b = s["error"].encode("utf-8")
            out += leb128(len(b)) + b
    return out


def enc(v):
    if v is None:
        return b"\x00"
    if v is False:
        return b"\x01"
    if v is True:
        return b"\x02"
    if isinstance(v, int):
        return b"\x03" + zigzag(v) if v < 2**63 else b"\x04" + leb128(v)
    if isinstance(v, float):
        return b"\x05" + (bytes.fromhex("7ff8000000000000") if math.isnan(v) else struct.pack(">d", v))
    if isinstance(v, str):
        b = v.encode("utf-8")
        return b"\x06" + leb128(len(b)) + b
    if isinstance(v, Samples) and v:
        p = pack(v)
        return b"\x0c" + leb128(len(p)) + p
    if isinstance(v, list):
        return b"\x07" + b"".join(enc(x) for x in v) + b"\x0b"
    if isinstance(v, Timestamp):
        return b"\x09" + zigzag(v.secs) + leb128(v.nanos)
    if isinstance(v, Duration):
        return b"\x0a" + zigzag(v.millis)
    if isinstance(v, dict):
        items = [(k, x) for k, x in v.items() if not (isinstance(v, Struct) and x in (None, [], {}))]
        entries = sorted((enc(k), enc(x)) for k, x in items)
        return b"\x08" + b"".join(k + x for k, x in entries) + b"\x0b"
    raise TypeError(type(v))


def sample(at, value=None, error=None):
    return Struct(at=Timestamp(at), value=value, error=error)


GOLDEN = Struct(
    now=Timestamp("2026-11-26T10:00:00Z"),
    rollout=Struct(
        id="checkout-canary",
        service="checkout",
        version="2.4.0",
        environment=None,
        release=None,
        steps=[Struct(setWeight=10.0, pause=None), Struct(setWeight=None, pause=Duration(90 * 60 * 1000))],
        currentStep=1,
        weight=10.0,
        startedAt=Timestamp("2026-11-26T09:00:00.5Z"),
        stepStartedAt=None,
        capacity=None,
        flags=[],
    ),
    metrics={
        "error-rate": Struct(
            source=None,
            unit=None,
            canary=Samples([sample("2026-11-26T09:59:50Z", 0.0125), sample("2026-11-26T10:00:00Z")]),
            baseline=Samples([sample("1969-12-31T23:59:59.25Z", error="timeout")]),
        )
    },
    synthetics={},
    slos={"availability": Struct(objective=99.9, window=Duration(30 * 86_400_000), errorRatio={"5m": 0.002, "1h": 0.001})},
    slis={},
    previousEvaluations=[],
    labels={"team": "payments", "é": "ü"},
    extensions={"x": {"b": -3, "a": [True, None, "é", 2.5], "big": 2**64 - 1, "": {}}},
)

if __name__ == "__main__":
    print("sha256:" + hashlib.sha256(enc(GOLDEN)).hexdigest())
