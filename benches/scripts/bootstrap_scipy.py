#!/usr/bin/env python3
"""scipy reference for bootstrapping the Shukor et al. additive law (k = 7), against mixlaw.

Reads the JSON printed by `cargo run --release -p mixlaw-benches --example
bootstrap_timing` (domain, resample count, mixlaw's full-data fit in unconstrained
coordinates and its timings), then does the same bootstrap with scipy, single-threaded:
per resample, draw the training rows with replacement (numpy default_rng(seed)), build
the grouped numpy objective of fit_scipy.py on those rows (mean Huber(1e-3), value and
analytic gradient) and run scipy.optimize.minimize(method="L-BFGS-B", jac=True,
ftol=1e-15, gtol=1e-13) from mixlaw's full-data parameters (the warm start, as mixlaw
does). Prints the wall times, the ratio scipy / mixlaw, and the standard errors of both
(different random resamples, so they agree only up to Monte-Carlo noise).

Usage: python3 bootstrap_scipy.py --rust-json FILE [--data DIR] [--resamples N]
Exit status: 0 ok, 2 data missing.
"""

import argparse
import json
import os
import sys
import time

# fit_scipy pins the BLAS thread counts to 1 before it imports numpy.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_scipy import CSV, LBFGSB_OPTIONS, Objective, data_dir, load  # noqa: E402

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rust-json", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--resamples", type=int, default=None)
    args = ap.parse_args()
    with open(args.rust_json) as f:
        rust = json.load(f)
    path = os.path.join(data_dir(args.data), CSV)
    if not os.path.exists(path):
        print(f"SKIPPED: {path} not found (set MIXLAW_DATA)", file=sys.stderr)
        return 2
    h, n, d, y = load(path, rust["domain"])
    rows = len(y)
    assert rows == rust["rows"], (rows, rust["rows"])
    theta0 = np.array(rust["theta"])
    full = Objective(h, n, d, y)
    v0, _ = full(theta0)
    print(f"full-data objective: numpy {v0:.12e}, mixlaw {rust['full_objective']:.12e}")
    resamples = args.resamples or rust["resamples"]
    rng = np.random.default_rng(rust["seed"])
    params, failed = [], 0
    started = time.perf_counter()
    for _ in range(resamples):
        idx = rng.integers(0, rows, rows)
        obj = Objective(h[idx], n[idx], d[idx], y[idx])
        res = minimize(obj, theta0, jac=True, method="L-BFGS-B", options=LBFGSB_OPTIONS)
        if not np.isfinite(res.fun):
            failed += 1
            continue
        t = res.x
        params.append(np.concatenate([[t[0]], np.exp(t[1:])]))
    seconds = time.perf_counter() - started
    se = np.std(np.array(params), axis=0, ddof=1)
    r1, rn = rust["seconds_1_thread"], rust["seconds_all_threads"]
    print(f"{resamples} warm-started refits, additive law, domain {rust['domain']}, {rows} rows")
    print(f"  scipy L-BFGS-B, 1 thread : {seconds:8.2f} s  ({failed} failed)")
    print(f"  mixlaw, 1 thread         : {r1:8.2f} s  ({rust['failed']} failed)  scipy / mixlaw = {seconds / r1:.1f}x")
    print(f"  mixlaw, {rust['threads']} threads        : {rn:8.2f} s  scipy / mixlaw = {seconds / rn:.1f}x")
    print("  standard errors (mixlaw / scipy, independent resamples):")
    for name, a, b in zip(rust["names"], rust["se"], se):
        print(f"    {name:<10} {a:12.4e} {b:12.4e}  ratio {a / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
