#!/usr/bin/env python3
"""scipy SLSQP on the mixture problem that `benches/opt.rs` and `examples/opt_timing.rs`
solve in Rust with mixlaw-opt: minimise the k = 7 `joint` law of Shukor et al. (eq 2.5)
with JOINT_PARAMS (benches/src/lib.rs, mirrored in laws_numpy.py) over the simplex at
N = 7e9, D = 150e9 (N / 1e9, D / 1e9), starting from the uniform mixture.

SLSQP gets the exact analytic gradient (numpy, same formula as mixlaw-core), the
equality constraint sum h = 1 with its Jacobian, and bounds [1e-12, 1]: at h_i = 0 the
gradient is infinite for gamma_i < 1 and SLSQP stops with "Inequality constraints
incompatible" (the lower bound moves the optimum by ~1e-12 at most). Timed at scipy's
default ftol = 1e-6 and at the tightest useful ftol = 1e-15; the Frank-Wolfe gap
max_s <g, h - s> of each answer is reported, so accuracy can be compared with Rust's
1e-10 target.

Timing: one thread (BLAS / OpenMP variables forced to 1 before numpy loads), the median
over --repeats solves, each solve timed with time.perf_counter.

Usage:
  python3 opt_scipy.py [--repeats R] [--rust-json FILE]
--rust-json FILE: the JSON of `cargo run --release -p mixlaw-benches --example
opt_timing`; then the parameters and budget must be identical, the objectives must
agree to 1e-9, and the scipy / Rust time ratios are printed.
Prints one JSON object on stdout. Exit status: 0 ok, 1 mismatch.
"""
import os

for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from laws_numpy import JOINT_PARAMS, K  # noqa: E402

N, D = 7e9, 150e9
N_SCALE = D_SCALE = 1e9
LOWER = 1e-12
FTOLS = (1e-6, 1e-15)


class JointAt:
    """The joint law at a fixed budget as a function of h: value and ambient gradient."""

    def __init__(self, params, n, d):
        p = np.asarray(params, dtype=float)
        self.e, alpha, beta = p[0], p[1], p[2]
        self.c = p[3:3 + K]
        self.gamma = p[3 + K:3 + 2 * K]
        self.ca = p[3 + 2 * K:3 + 3 * K]
        self.gamma_a = p[3 + 3 * K]
        self.cb = p[4 + 3 * K:4 + 4 * K]
        self.gamma_b = p[4 + 4 * K]
        self.n_pow = (n / N_SCALE) ** (-alpha)
        self.d_pow = (d / D_SCALE) ** (-beta)

    def __call__(self, h):
        hg = h ** self.gamma
        s = self.c @ hg
        pa = self.ca @ h
        pb = self.cb @ h
        va = pa ** self.gamma_a
        vb = pb ** self.gamma_b
        value = self.e + 1.0 / s + va * self.n_pow + vb * self.d_pow
        grad = (
            -(self.c * self.gamma * hg / h) / (s * s)
            + (self.gamma_a * va / pa * self.n_pow) * self.ca
            + (self.gamma_b * vb / pb * self.d_pow) * self.cb
        )
        return value, grad


def fw_gap(h, g):
    """Frank-Wolfe gap on the simplex: <g, h> - min g."""
    return float(g @ h - g.min())


def solve(f, ftol):
    cons = ({"type": "eq", "fun": lambda h: h.sum() - 1.0, "jac": lambda h: np.ones(K)},)
    return minimize(
        f,
        np.full(K, 1.0 / K),
        jac=True,
        method="SLSQP",
        bounds=[(LOWER, 1.0)] * K,
        constraints=cons,
        options={"ftol": ftol, "maxiter": 1000},
    )


def run(f, ftol, repeats):
    res = solve(f, ftol)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        solve(f, ftol)
        times.append(time.perf_counter() - t0)
    h = res.x
    value, grad = f(h)
    return {
        "ftol": ftol,
        "median_us": statistics.median(times) * 1e6,
        "min_us": min(times) * 1e6,
        "objective": float(value),
        "gap": fw_gap(h, grad),
        "sum_h_minus_1": float(h.sum() - 1.0),
        "iterations": int(res.nit),
        "evaluations": int(res.nfev),
        "success": bool(res.success),
        "message": str(res.message),
        "h": [float(v) for v in h],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=300)
    ap.add_argument("--rust-json")
    args = ap.parse_args()
    f = JointAt(JOINT_PARAMS, N, D)
    out = {
        "impl": "scipy SLSQP",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "repeats": args.repeats,
        "runs": [run(f, ftol, args.repeats) for ftol in FTOLS],
    }
    status = 0
    if args.rust_json:
        with open(args.rust_json) as fh:
            rust = json.load(fh)
        if rust["params"] != list(JOINT_PARAMS) or (rust["n"], rust["d"]) != (N, D):
            print("opt_scipy.py: Rust and Python problems differ", file=sys.stderr)
            return 1
        h = np.asarray(rust["h"])
        v, g = f(h)
        out["rust"] = {
            "median_us": rust["median_us"],
            "objective": rust["objective"],
            "gap": rust["gap"],
            "gap_recomputed_numpy": fw_gap(h, g),
            "objective_recomputed_numpy": float(v),
            "iterations": rust["iterations"],
        }
        for r in out["runs"]:
            r["scipy_over_rust"] = r["median_us"] / rust["median_us"]
            r["objective_minus_rust"] = r["objective"] - rust["objective"]
            if r["objective"] < rust["objective"] - 1e-9 or abs(v - rust["objective"]) > 1e-12:
                print("opt_scipy.py: objectives disagree", file=sys.stderr)
                status = 1
    print(json.dumps(out, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
