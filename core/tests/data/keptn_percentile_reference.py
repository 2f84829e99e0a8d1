#!/usr/bin/env python3
"""Reference numbers for the Keptn percentile (`core/src/stats/percentile.rs`)
and the quality-gate tests (`core/tests/keptn_parity.rs`).

Run with a throwaway virtualenv (never inside the repository):

    python3 -m venv /tmp/keptn-venv
    /tmp/keptn-venv/bin/pip install numpy==2.4.6
    /tmp/keptn-venv/bin/python core/tests/data/keptn_percentile_reference.py

Keptn's lighthouse service (`calculatePercentile` in
lighthouse-service/event_handler/evaluate_sli_handler.go) takes the
position p*(n+1) in the sorted values, 1-based, interpolates linearly and
clamps to the smallest and largest value. That is Hyndman & Fan's type 6,
NumPy's `numpy.percentile(..., method="weibull")`, which gives the numbers
below. `avg` is `numpy.mean`.
"""

import numpy as np

DATASETS = {
    "four": [3.0, 1.0, 2.0, 4.0],
    "one": [7.0],
    "latencies": [412.0, 398.5, 405.25, 420.0, 388.0, 401.0, 433.5, 399.0, 410.0, 407.75],
    "ties": [5.0, 5.0, 5.0, 6.0, 6.0, 9.0],
    "twenty": [float((i * 37) % 23) + 0.5 * i for i in range(20)],
}

for name, values in DATASETS.items():
    v = np.array(values, dtype=float)
    print(f"// {name}: {values}")
    print(f"//   avg = {float(np.mean(v))!r}")
    for p in (50, 90, 95):
        q = np.percentile(v, p, method="weibull")
        print(f"//   p{p} = {float(q)!r}")
