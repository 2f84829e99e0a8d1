"""Time `bundle.check(dict)` on the no-go example release.

    .venv/bin/python bindings/python/bench/bench_check.py [--number N] [--repeat R]

Prints the median per call of: check(dict) (what a Python caller does),
check(json str) and check(yaml str) (the core parses the text), the
dict→JSON conversion alone (timed through a dict that fails at its very
last value, so the engine never runs), and the speed-up of 2 threads over
1 (the GIL is released while the core decides). Compare with the Rust
figure of `cargo bench -p release-policy-benches -- check/checkout-2.4.0/release-policy/facts`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bindings" / "python" / "tests"))

import yaml12  # noqa: E402  (YAML 1.2 core schema: timestamps stay strings)

from release_policy import Bundle, FactsError  # noqa: E402


def median_us(fn: object, number: int, repeat: int) -> float:
    times = timeit.repeat(fn, number=number, repeat=repeat)  # type: ignore[arg-type]
    return statistics.median(times) / number * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--number", type=int, default=200, help="calls per timing")
    ap.add_argument("--repeat", type=int, default=25, help="timings (median taken)")
    args = ap.parse_args()

    path = ROOT / "examples" / "releases" / "checkout-2.4.0.yaml"
    text = path.read_text()
    facts = yaml12.load(text)
    as_json = json.dumps(facts)
    bundle = Bundle.builtin()
    assert bundle.check(facts).verdict == "no-go"

    # The conversion alone: the same dict plus one last value JSON cannot
    # hold, so conversion walks everything and then stops before the core.
    poisoned = dict(facts)
    poisoned["zz"] = {0}

    def convert_only() -> None:
        try:
            bundle.check(poisoned)
        except FactsError:
            pass

    def error_only() -> None:
        try:
            bundle.check({"zz": {0}})
        except FactsError:
            pass

    n, r = args.number, args.repeat
    rows = [
        ("check(dict)", median_us(lambda: bundle.check(facts), n, r)),
        ("check(json str)", median_us(lambda: bundle.check(as_json), n, r)),
        ("check(yaml str)", median_us(lambda: bundle.check(text), n, r)),
        ("dict->JSON conversion + raise", median_us(convert_only, n, r)),
        ("raise only (subtract)", median_us(error_only, n, r)),
    ]
    print(f"release-policy Python binding, {path.name}, median of {r} x {n} calls")
    for name, us in rows:
        print(f"  {name:32} {us:8.1f} µs")

    # Threads: the GIL is released while the core decides.
    calls = 400

    def run(k: int) -> None:
        for _ in range(k):
            bundle.check(facts)

    t0 = time.perf_counter()
    run(calls)
    one = time.perf_counter() - t0
    threads = [threading.Thread(target=run, args=(calls // 2,)) for _ in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    two = time.perf_counter() - t0
    print(f"  {calls} checks: 1 thread {one * 1e3:.0f} ms, 2 threads {two * 1e3:.0f} ms "
          f"(speed-up {one / two:.2f}x on {__import__('os').cpu_count()} cores)")


if __name__ == "__main__":
    main()
