#!/usr/bin/env python3
"""scipy reference for bootstrapping the Shukor et al. additive law (k = 7), against mixlaw.

Reads the JSON printed by `cargo run --release -p mixlaw-benches --example
bootstrap_timing` (domain, resample count, mixlaw's full-data fit in unconstrained
coordinates, its timings, and mixlaw's resamples as row counts), then does the same
bootstrap with scipy, single-threaded: per resample, take mixlaw's resampled rows (each
row repeated as often as mixlaw drew it; without counts in the JSON, numpy's own draws,
default_rng(seed)), build
the grouped numpy objective of fit_scipy.py on those rows (mean Huber(1e-3), value and
analytic gradient) and run scipy.optimize.minimize(method="L-BFGS-B", jac=True,
ftol=1e-15, gtol=1e-13) from mixlaw's full-data parameters (the warm start, as mixlaw
does). Prints the wall times, the ratio scipy / mixlaw, the objective each side reaches
on each resample (same resamples: the lower is the better minimiser), and the standard
errors and 95 % percentile intervals of both.

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
    if "counts" in rust:
        resamples = min(resamples, len(rust["counts"]))
    rng = np.random.default_rng(rust["seed"])
    counts = rust.get("counts")
    params, objectives, failed = [], {}, 0
    started = time.perf_counter()
    for i in range(resamples):
        if counts is not None:
            idx = np.repeat(np.arange(rows), counts[i])
        else:
            idx = rng.integers(0, rows, rows)
        obj = Objective(h[idx], n[idx], d[idx], y[idx])
        res = minimize(obj, theta0, jac=True, method="L-BFGS-B", options=LBFGSB_OPTIONS)
        if not np.isfinite(res.fun):
            failed += 1
            continue
        t = res.x
        objectives[i] = float(res.fun)
        params.append(np.concatenate([[t[0]], np.exp(t[1:])]))
    seconds = time.perf_counter() - started
    params = np.array(params)
    se = np.std(params, axis=0, ddof=1)
    lo, hi = np.percentile(params, 2.5, axis=0), np.percentile(params, 97.5, axis=0)
    r1, rn = rust["seconds_1_thread"], rust["seconds_all_threads"]
    print(f"{resamples} warm-started refits, additive law, domain {rust['domain']}, {rows} rows")
    print(f"  scipy L-BFGS-B, 1 thread : {seconds:8.2f} s  ({failed} failed)")
    print(f"  mixlaw, 1 thread         : {r1:8.2f} s  ({rust['failed']} failed)  scipy / mixlaw = {seconds / r1:.1f}x")
    print(f"  mixlaw, {rust['threads']} threads        : {rn:8.2f} s  scipy / mixlaw = {seconds / rn:.1f}x")
    if "evaluations" in rust:
        print(f"  mixlaw evaluations per refit: {rust['evaluations'] / max(1, len(rust['objectives'])):.0f}")
    same = counts is not None
    if same:
        rel = np.array([
            (m - objectives[i]) / objectives[i]
            for i, m in zip(rust["draw_index"], rust["objectives"])
            if i in objectives
        ])
        print(f"  objective reached on the same {len(rel)} resamples, (mixlaw - scipy) / scipy:")
        print(f"    mixlaw lower or equal (within 1e-9) on {np.sum(rel <= 1e-9)}, higher on {np.sum(rel > 1e-9)};"
              f" median {np.median(rel):.2e}, min {rel.min():.2e}, max {rel.max():.2e}")
    kind = "same resamples" if same else "independent resamples"
    print(f"  standard errors and 95 % percentile intervals (mixlaw | scipy, {kind}):")
    for j, name in enumerate(rust["names"]):
        a, b = rust["se"][j], se[j]
        interval = ""
        if "lo" in rust:
            interval = (f"  [{rust['lo'][j]:.4g}, {rust['hi'][j]:.4g}] | [{lo[j]:.4g}, {hi[j]:.4g}]")
        print(f"    {name:<10} {a:12.4e} {b:12.4e}  ratio {a / b:.2f}{interval}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
