#!/usr/bin/env python3
"""An independent verifier of a release-policy audit chain (docs/audit.md).

Reads the JSON Lines that `release-policy audit export` writes (one record a
line) and checks, with nothing but the standard library, that every record
hashes to its stored hash under the canonical encoding, that sequence
numbers run 1, 2, 3, ... and that each `prev` is the hash of the record
before. Prints `ok COUNT HEAD` or `broken at record SEQ: WHY` (exit 1).
"""
import hashlib
import json
import struct
import sys

TAG = "release-policy/audit/v1"
GENESIS = "0" * 64
FIELDS = ["kind", "release", "service", "environment", "now", "engine", "bundle",
          "factsDigest", "decisionDigest", "verdict", "decision", "facts"]


def record_hash(r):
    h = hashlib.sha256()
    for value in [TAG, str(r["seq"]), r["prev"]] + [r[f] for f in FIELDS]:
        b = value.encode("utf-8")
        h.update(struct.pack(">Q", len(b)))
        h.update(b)
    return h.hexdigest()


def main(path):
    prev, count = GENESIS, 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            count += 1
            if r["seq"] != count:
                print(f"broken at record {r['seq']}: record {count} was due")
                return 1
            if r["prev"] != prev:
                print(f"broken at record {r['seq']}: prev is not the hash of the record before")
                return 1
            if record_hash(r) != r["hash"]:
                print(f"broken at record {r['seq']}: its contents do not hash to its hash")
                return 1
            prev = r["hash"]
    print(f"ok {count} {prev if count else ''}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
