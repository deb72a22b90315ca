#!/usr/bin/env python3
"""Reference rank correlations from scipy for mixlaw-core's metrics::kendall / spearman.

Prints one case per line: `n x_1 .. x_n y_1 .. y_n tau_b rho` (repr floats), random data
with many ties (values drawn from a few levels), a few long series and special cases.
Used by mixlaw-core/tests/metrics.rs (`rank_metrics_match_scipy`) when python3 with scipy
is available:

    python3 benches/scripts/rank_scipy.py [--seed S] [--cases C]
"""
import argparse

import numpy as np
from scipy import stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cases", type=int, default=60)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    cases = []
    for c in range(a.cases):
        n = int(rng.integers(2, 60)) if c % 10 else int(rng.integers(500, 3000))
        levels_x = int(rng.integers(2, 12))
        levels_y = int(rng.integers(2, 12))
        if c % 3 == 0:  # continuous values, no ties
            x = rng.normal(size=n)
            y = x + rng.normal(size=n)
        else:  # heavy ties, correlated
            x = rng.integers(0, levels_x, size=n).astype(float)
            y = np.floor(x * levels_y / levels_x + rng.integers(0, 3, size=n)) * 0.25
        cases.append((x, y))
    for x, y in cases:
        tau = stats.kendalltau(x, y).statistic
        rho = stats.spearmanr(x, y).statistic
        if not (np.isfinite(tau) and np.isfinite(rho)):
            continue  # constant series: undefined, tested separately
        fields = [str(len(x))] + [repr(float(v)) for v in x] + [repr(float(v)) for v in y]
        fields += [repr(float(tau)), repr(float(rho))]
        print(" ".join(fields))


if __name__ == "__main__":
    main()
