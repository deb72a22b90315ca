#!/usr/bin/env python3
"""numpy/scipy side of `examples/rows_timing.rs`: the additive-nd law (k = 3) on 1e3, 1e4
and 1e5 rows of distinct random mixtures, the same rows as the Rust example (splitmix64,
seed 7; h ~ Dirichlet(1, 1, 1), y = L(h) (1 + 0.005 z), z uniform on [-1, 1]).

For each size it times, single-threaded:
  - the dense objective with its analytic gradient (Huber, delta 1e-3, mean over rows) in
    mixlaw's unconstrained coordinates (E, ln C_i, ln gamma_i): ns per row, best of 5;
  - one L-BFGS-B local solve (ftol 1e-15, gtol 1e-13, the data README's settings) from
    the first of 10 random starts in the law's start ranges (E in [0.5, 3], ln C in
    [-2, 3], ln gamma in [-3, 0.5]; numpy seed 0), and the best of all 10 starts.

With `--rust FILE` (the JSON lines `rows_timing` prints; repeat it for the 1-start and the
`--default` runs) it adds the ratios, Rust time over scipy time, of both measured in one
run (run them back to back): under "one_start" and "default", the whole Rust fit's seconds
over one scipy solve and over scipy's 10 starts, and its objective minus scipy's best.

    pip install numpy scipy
    cargo run --release -p mixlaw-benches --example rows_timing > rust.jsonl
    cargo run --release -p mixlaw-benches --example rows_timing -- --default > default.jsonl
    OMP_NUM_THREADS=1 python3 benches/scripts/rows_scipy.py --rust rust.jsonl --rust default.jsonl
"""

import argparse
import json
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

np.seterr(all="ignore")  # far starts overflow; L-BFGS-B backs off from inf

TRUTH = np.array([1.5, 1.0, 2.0, 1.5, 0.3, 0.5, 0.4])
DELTA = 1e-3
OPTIONS = {"ftol": 1e-15, "gtol": 1e-13}
MASK = (1 << 64) - 1


def splitmix(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        yield ((z >> 11) + 0.5) / float(1 << 53)


def law(params, h):
    e, c, g = params[0], params[1:4], params[4:7]
    return e + 1.0 / (np.exp(g * np.log(h)) * c).sum(axis=1)


def generate(rows):
    rng = splitmix(7)
    h = np.empty((rows, 3))
    z = np.empty(rows)
    for r in range(rows):
        e = [-np.log(next(rng)) for _ in range(3)]
        s = sum(e)
        h[r] = [x / s for x in e]
        z[r] = 2.0 * next(rng) - 1.0
    y = law(TRUTH, h) * (1.0 + 0.005 * z)
    return h, y


def objective(h, y):
    ln_h = np.log(h)

    def f(theta):
        e = theta[0]
        c = np.exp(theta[1:4])
        g = np.exp(theta[4:7])
        t = np.exp(ln_h * g)  # h^g, rows x 3
        s = t @ c
        inv = 1.0 / s
        r = e + inv - y
        a = np.abs(r)
        quad = a <= DELTA
        value = np.where(quad, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)).mean()
        dl = np.where(quad, r, DELTA * np.sign(r)) / len(y)
        w = -dl * inv * inv  # d value / d S per row
        grad = np.empty(7)
        grad[0] = dl.sum()
        grad[1:4] = (w @ t) * c  # chain through C = e^theta
        grad[4:7] = (w @ (t * ln_h)) * c * g  # chain through gamma = e^theta
        return value, grad

    return f


def best_time(f, x, repeats=5):
    calls = 1
    while True:
        t = time.perf_counter()
        for _ in range(calls):
            f(x)
        if time.perf_counter() - t >= 0.2:
            break
        calls *= 2
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(calls):
            f(x)
        best = min(best, (time.perf_counter() - t) / calls)
    return best


def starts(count):
    rng = np.random.default_rng(0)
    lo = np.array([0.5] + [-2.0] * 3 + [-3.0] * 3)
    hi = np.array([3.0] + [3.0] * 3 + [0.5] * 3)
    return [lo + (hi - lo) * rng.random(7) for _ in range(count)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--rust",
        action="append",
        default=[],
        help="JSON lines printed by examples/rows_timing.rs (repeatable)",
    )
    args = parser.parse_args()
    rust = {}  # rows -> {"one_start": record, "default": record}
    for path in args.rust:
        with open(path) as fh:
            for line in fh:
                if line.strip().startswith("{"):
                    d = json.loads(line)
                    kind = "default" if d.get("default_search") else "one_start"
                    rust.setdefault(d["rows"], {})[kind] = d
    theta_truth = np.concatenate([[TRUTH[0]], np.log(TRUTH[1:])])
    for rows in (1_000, 10_000, 100_000):
        h, y = generate(rows)
        f = objective(h, y)
        ns = best_time(f, theta_truth) * 1e9 / rows
        value = f(theta_truth)[0]
        solves = []
        for x0 in starts(10):
            t = time.perf_counter()
            res = minimize(f, x0, jac=True, method="L-BFGS-B", options=OPTIONS)
            solves.append((time.perf_counter() - t, res.fun, res.nfev))
        one = solves[0]
        ten_seconds = sum(s[0] for s in solves)
        ten_best = min(s[1] for s in solves)
        out = {
            "rows": rows,
            "eval_ns_per_row": round(ns, 2),
            "value": value,
            "one_solve_seconds": round(one[0], 4),
            "one_solve_evaluations": one[2],
            "one_solve_objective": one[1],
            "ten_starts_seconds": round(ten_seconds, 4),
            "ten_starts_best": ten_best,
        }
        for kind, r in sorted(rust.get(rows, {}).items(), reverse=True):
            if "rust_eval_ns_per_row" not in out:
                out["rust_eval_ns_per_row"] = r["eval_ns_per_row"]
                out["rust_grouped_ns_per_row"] = r["grouped_ns_per_row"]
                out["eval_ratio_rust_over_numpy"] = round(
                    min(r["eval_ns_per_row"], r["grouped_ns_per_row"]) / ns, 3
                )
                out["value_rel_diff"] = abs(r["value"] - value) / value
            out[kind] = {
                "fit_seconds": r["fit_seconds"],
                "fit_evaluations": r["fit_evaluations"],
                "screen_rows": r.get("screen_rows", 0),
                "polish_evaluations": r.get("polish_evaluations", 0),
                "fit_objective": r["fit_objective"],
                "ratio_over_one_solve": round(r["fit_seconds"] / one[0], 3),
                "ratio_over_ten_starts": round(r["fit_seconds"] / ten_seconds, 3),
                "objective_minus_best_of_10": r["fit_objective"] - ten_best,
            }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
