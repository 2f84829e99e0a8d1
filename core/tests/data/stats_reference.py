#!/usr/bin/env python3
"""Reference numbers for `core/src/analysis/stats.rs` unit tests.

Run with a throwaway virtualenv (never inside the repository):

    python3 -m venv /tmp/statsvenv
    /tmp/statsvenv/bin/pip install scipy numpy
    /tmp/statsvenv/bin/python core/tests/data/stats_reference.py

The p-values and U statistics come straight from
`scipy.stats.mannwhitneyu(canary, baseline, alternative=..., use_continuity=True,
method="asymptotic")`. scipy does not return z, so z is recomputed here with
scipy's own formula (`scipy/stats/_mannwhitneyu.py::_get_mwu_z`, tie counts
from `scipy.stats.rankdata`) and checked against scipy's p-value
(`p == f * norm.sf(z)`) before it is printed. Hodges-Lehmann estimates are
`numpy.median(numpy.subtract.outer(canary, baseline))`.
"""

import numpy as np
import scipy
from scipy import stats

DATASETS = {
    "ties_small": (
        [1, 2, 2, 3, 4, 4, 4, 5],
        [2, 3, 3, 4, 5, 6],
    ),
    "shifted": (
        [10.2, 11.5, 12.1, 13.3, 11.9, 12.8, 13.7, 14.1, 12.2, 13.0, 11.1, 12.5],
        [9.8, 10.1, 10.9, 11.2, 10.4, 9.5, 11.8, 10.7, 10.0, 11.4],
    ),
    "identical": (
        [3.1, 1.2, 5.5, 2.2, 4.8, 3.1],
        [3.1, 1.2, 5.5, 2.2, 4.8, 3.1],
    ),
    "one_vs_five": (
        [7.0],
        [1.0, 2.0, 3.0, 4.0, 5.0],
    ),
    # 50 vs 60 with many ties (values are halves of small integers).
    "many_ties_50_60": (
        [(i * 37 % 17) / 2 + 1 for i in range(50)],
        [(j * 29 % 19) / 2 for j in range(60)],
    ),
    "negative": (
        [-3.5, -1.25, -7.0, -2.0, -0.5, -4.75, -1.25],
        [-5.0, -6.25, -2.0, -8.5, -3.0, -4.0, -9.75, -1.0],
    ),
    # Completely separated: p far in the tail.
    "separated_tail": (
        [100.0 + i for i in range(100)],
        [0.5 * j for j in range(100)],
    ),
    "signed_zeros": (
        [0.0, -0.0, 1.0, 2.0],
        [-0.0, 0.0, 0.0, -1.0, 1.0],
    ),
}

ALTERNATIVES = [("two-sided", 2), ("greater", 1), ("less", 1)]


def mwu_z(canary, baseline, alternative):
    """z exactly as scipy's _get_mwu_z computes it (continuity correction on)."""
    c = np.asarray(canary, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n1, n2 = len(c), len(b)
    n = n1 + n2
    ranks = stats.rankdata(np.concatenate([c, b]), method="average")
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    u = {"two-sided": max(u1, u2), "greater": u1, "less": u2}[alternative]
    _, t = np.unique(np.concatenate([c, b]), return_counts=True)
    t = t.astype(float)
    tie_term = (t**3 - t).sum()
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    with np.errstate(divide="ignore", invalid="ignore"):
        return (u - n1 * n2 / 2 - 0.5) / s


def main():
    print(f"# scipy {scipy.__version__}, numpy {np.__version__}")
    for name, (canary, baseline) in DATASETS.items():
        print(f"{name}: n_canary={len(canary)} n_baseline={len(baseline)}")
        for alt, f in ALTERNATIVES:
            res = stats.mannwhitneyu(
                canary, baseline, alternative=alt, use_continuity=True, method="asymptotic"
            )
            z = mwu_z(canary, baseline, alt)
            check = min(1.0, f * stats.norm.sf(z))
            assert np.isclose(check, res.pvalue, rtol=1e-12, atol=0), (name, alt, check, res.pvalue)
            print(f"  {alt:9} u={float(res.statistic)!r} z={float(z)!r} p={float(res.pvalue)!r}")
        hl = np.median(np.subtract.outer(np.asarray(canary, float), np.asarray(baseline, float)))
        print(f"  hodges_lehmann={float(hl)!r}")
    # All values tied: sigma is zero; scipy gives z = -inf and p = 1.
    res = stats.mannwhitneyu([2.0, 2.0, 2.0], [2.0, 2.0], method="asymptotic")
    print(f"all_tied: u={float(res.statistic)!r} p={float(res.pvalue)!r} "
          f"z={float(mwu_z([2.0] * 3, [2.0] * 2, 'two-sided'))!r}")
    for z in [0.0, 1.5, -2.0, 3.0, 8.0, 20.0, 37.5]:
        print(f"norm.sf({z!r}) = {float(stats.norm.sf(z))!r}")


if __name__ == "__main__":
    main()
