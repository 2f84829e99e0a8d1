"""One bundle shared by many threads: the same decisions as one thread."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from conftest import EXAMPLES, example
from release_policy import Bundle

NAMES = ["checkout-2.4.0", "payments-1.8.0", "search-3.0.0"]


def test_threads_share_one_bundle(builtin: Bundle) -> None:
    inputs = [example(n) for n in NAMES] + [(EXAMPLES / f"{n}.yaml").read_text() for n in NAMES]
    want = [builtin.check(f).to_json() for f in inputs]
    # The dict and the text of a release decide the same.
    assert want[:3] == want[3:]

    def work(worker: int) -> list[str]:
        out = []
        for i in range(30):
            k = (worker + i) % len(inputs)
            out.append(builtin.check(inputs[k]).to_json())
        return out

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for worker, got in enumerate(results):
        assert got == [want[(worker + i) % len(inputs)] for i in range(30)], worker


def test_bundles_can_be_built_in_threads() -> None:
    def build(_: int) -> str:
        return Bundle.builder().builtin_layer().build().digest

    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = set(pool.map(build, range(8)))
    assert digests == {Bundle.builtin().digest}


def test_decisions_cross_threads(builtin: Bundle) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        decision = pool.submit(builtin.check, example("checkout-2.4.0")).result()
    assert json.loads(decision.to_json())["verdict"] == "no-go"
