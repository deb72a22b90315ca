#!/usr/bin/env python3
"""Per-solve comparison of mixlaw's L-BFGS and scipy's L-BFGS-B on the Shukor et al.
additive-law fits, from the same start points with the same memory.

Reads the JSON of `cargo run --release -p mixlaw-benches --example lbfgs_probe` (per domain:
the start points and mixlaw's per-solve statistics for each memory), runs
scipy.optimize.minimize(method="L-BFGS-B", ftol=1e-15, gtol=1e-13, maxcor=memory) from
each start on the objective of fit_scipy.py, and prints per solve: final values, iterations,
evaluations, evaluations until within 1e-9 relative of the solve's own final value, and
the termination; then totals per domain and memory.

Usage: python3 lbfgs_probe_scipy.py PROBE_JSON [--data DIR]
"""

import argparse
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fit_scipy import CSV, LBFGSB_OPTIONS, Objective, data_dir, load  # noqa: E402


class Recording:
    def __init__(self, obj):
        self.obj = obj
        self.values = []

    def __call__(self, theta):
        v, g = self.obj(theta)
        self.values.append(v)
        return v, g


def to_1e9(values, last):
    for i, v in enumerate(values):
        if v <= last + 1e-9 * abs(last):
            return i + 1
    return len(values)


def first_at(values, target):
    """Evaluations (1-based) until the value first came within 1e-9 relative of target."""
    for i, v in enumerate(values):
        if v is not None and v <= target + 1e-9 * abs(target):
            return i + 1
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("probe")
    ap.add_argument("--data")
    args = ap.parse_args()
    with open(args.probe) as f:
        probe = json.load(f)
    path = os.path.join(data_dir(args.data), CSV)
    for dom in probe["domains"]:
        obj = Objective(*load(path, dom["domain"]))
        for run in dom["runs"]:
            m = run["memory"]
            print(f"== {dom['domain']}, memory {m}")
            print("start | mixlaw value | scipy value | it ours/scipy | ev ours/scipy | "
                  "ev to 1e-9 ours/scipy | ev to the worse final ours/scipy | ours status | scipy message")
            tot = np.zeros(6)
            for i, (x0, ours) in enumerate(zip(dom["starts"], run["solves"])):
                rec = Recording(obj)
                res = minimize(rec, np.array(x0), jac=True, method="L-BFGS-B",
                               options=dict(LBFGSB_OPTIONS, maxcor=m))
                t = to_1e9(rec.values, float(res.fun))
                worse = max(ours["value"], float(res.fun))
                wo, ws = first_at(ours["values"], worse), first_at(rec.values, worse)
                tot += [ours["evaluations"], res.nfev, ours["to_1e9"], t, wo, ws]
                print(f"{i} | {ours['value']:.10e} | {res.fun:.10e} | "
                      f"{ours['iterations']}/{res.nit} | {ours['evaluations']}/{res.nfev} | "
                      f"{ours['to_1e9']}/{t} | {wo}/{ws} | {ours['status']} r{ours['resets']} "
                      f"s{ours['skipped']} | {res.message}")
            print(f"total evaluations ours/scipy {tot[0]:.0f}/{tot[1]:.0f} "
                  f"({tot[0] / tot[1]:.2f}x); to 1e-9 {tot[2]:.0f}/{tot[3]:.0f} "
                  f"({tot[2] / tot[3]:.2f}x); to the worse final {tot[4]:.0f}/{tot[5]:.0f} "
                  f"({tot[4] / tot[5]:.2f}x)")


if __name__ == "__main__":
    main()
