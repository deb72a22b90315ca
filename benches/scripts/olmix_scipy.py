#!/usr/bin/env python3
"""scipy side of `mixlaw reproduce olmix`'s superswarm part (512 runs, 64 domains).

The data README's reference method (numpy/scipy L-BFGS-B with an analytic gradient, olmix's
start grid: lc in linspace(-2, 1.5, 10) x S random t with one entry ~ -U(0, 1) and the rest
~ U(0, 0.1), numpy default_rng(42)), single-threaded, on the three family targets of
`configs/dclm_per_family.yaml` (math 7 columns, code 19, qa the 27 non-MMLU columns) of
`full_recomputation_*.csv`: y = exp(lc) + exp(t . h), sum Huber(0.02). Prints per family
the best sum Huber and the wall time, to set beside the report's `superswarm_*` rows.
Not olmix's own path (torch LBFGS, 300 starts): olmix is not installable here.

Usage: python3 olmix_scipy.py [--data DIR] [--starts-per-lc S]
Exit status: 0 ok, 2 data missing.
"""

import argparse
import csv
import os
import re
import sys
import time

import numpy as np
from scipy.optimize import minimize


def family(config, name):
    sec = config.split("    %s:\n" % name)[1].split("\n\n")[0]
    sec = re.split(r"\n    [a-z]+:\n", sec)[0]
    cols = re.findall(r'"(.*)"', sec)
    return [c for c in cols if not c.startswith("mmlu_")] if name == "qa" else cols


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("MIXLAW_DATA", "../shared/data"))
    ap.add_argument("--starts-per-lc", type=int, default=1)
    a = ap.parse_args()
    d = os.path.join(a.data, "olmix")
    if not os.path.isdir(d):
        print("data folder %s missing" % d, file=sys.stderr)
        return 2
    ratios = list(csv.reader(open(os.path.join(d, "full_recomputation_ratios.csv"))))
    metrics = list(csv.reader(open(os.path.join(d, "full_recomputation_metrics.csv"))))
    h = np.array([[float(v) for v in r[4:]] for r in ratios[1:]])
    names = metrics[0][4:]
    y = np.array([[float(v) for v in r[4:]] for r in metrics[1:]])
    config = open(os.path.join(d, "configs", "dclm_per_family.yaml")).read()

    def objective(p, target):
        e = np.exp(h @ p[1:])
        r = np.exp(p[0]) + e - target
        a = np.abs(r)
        v = np.where(a <= 0.02, 0.5 * r * r, 0.02 * (a - 0.01))
        g = np.where(a <= 0.02, r, 0.02 * np.sign(r))
        return v.sum(), np.concatenate([[g.sum() * np.exp(p[0])], h.T @ (g * e)])

    k = h.shape[1]
    for name in ["math", "code", "qa"]:
        cols = family(config, name)
        target = y[:, [names.index(c) for c in cols]].mean(axis=1)
        rng = np.random.default_rng(42)
        best, t0 = np.inf, time.time()
        with np.errstate(all="ignore"):
            for lc in np.linspace(-2, 1.5, 10):
                for _ in range(a.starts_per_lc):
                    t = rng.uniform(0, 0.1, k)
                    t[rng.integers(k)] = -rng.uniform()
                    r = minimize(objective, np.concatenate([[lc], t]), args=(target,),
                                 jac=True, method="L-BFGS-B", options={"maxiter": 15000})
                    if np.isfinite(r.fun) and r.fun < best:
                        best = r.fun
        print("%s: %d columns, best sum Huber %.6f, %d starts, %.1f s"
              % (name, len(cols), best, 10 * a.starts_per_lc, time.time() - t0), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
