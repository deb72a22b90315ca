#!/usr/bin/env python3
"""Many domains, sparse mixtures: k = 512 domains, 2,000 training runs whose mixtures each
put weight on a few random domains (Dirichlet(1) over 2 to 8 of them), losses from a known
law plus Gaussian noise, and a held-out set drawn the same way. Two laws:

- `linear` (RegMix's linear regression, L = sum_i W_i h_i): mixlaw fits it in closed form
  (least squares), so scipy minimises the same mean squared residual;
- `ye-m1` (Ye et al. M1, L = E + sum_i C_i exp(gamma_i h_i)): scipy minimises mixlaw's
  default objective (mean Huber, delta 1e-3).

    sparse_domains.py gen --dir DIR --law LAW [--domains 512 --runs 2000 --heldout 500]
        writes DIR/train.csv, DIR/heldout.csv (columns d000..d511, loss) and DIR/truth.json
    sparse_domains.py fit --dir DIR [--starts 10 --seed 0 --out PARAMS.json]
        fits the law of DIR/truth.json to DIR/train.csv with scipy L-BFGS-B and the analytic
        gradient from --starts random starts (the tolerances of fit_scipy.py, the start
        ranges of mixlaw's parameter layout); prints JSON: seconds, best objective, held-out
        RMSE and MRE (%) of the best fit, and the same for the true law.

The objective and gradient are vectorised numpy over the dense run x domain matrix (the
usual way to write them); the sparse structure is not exploited, as in a plain scipy fit.
"""
import argparse
import json
import os
import time

import numpy as np
from scipy.optimize import minimize

DELTA = 1e-3
# The tolerances of fit_scipy.py (mixlaw's L-BFGS: grad_tol 1e-13, rel_tol 1e-15); scipy's
# default ftol stops after a few steps on an objective of order 1e-4.
LBFGSB_OPTIONS = {"ftol": 1e-15, "gtol": 1e-13, "maxiter": 20000, "maxfun": 40000}


def names(k):
    width = len(str(k - 1))
    return [f"d{i:0{width}d}" for i in range(k)]


def ye_m1(params, h):
    k = h.shape[1]
    e, c, g = params[0], params[1 : 1 + k], params[1 + k :]
    return e + np.exp(h * g) @ c


def linear(params, h):
    return h @ params


PREDICT = {"ye-m1": ye_m1, "linear": linear}


def mixtures(rng, rows, k, lo=2, hi=8):
    h = np.zeros((rows, k))
    for r in range(rows):
        s = rng.integers(lo, hi + 1)
        idx = rng.choice(k, size=s, replace=False)
        h[r, idx] = rng.dirichlet(np.ones(s))
    return h


def write_csv(path, h, y, cols):
    with open(path, "w") as f:
        f.write(",".join(cols + ["loss"]) + "\n")
        for hr, yr in zip(h, y):
            f.write(",".join("0" if v == 0.0 else repr(float(v)) for v in hr))
            f.write(f",{float(yr)!r}\n")


def read_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def gen(a):
    rng = np.random.default_rng(a.seed)
    k = a.domains
    if a.law == "ye-m1":
        e = 1.5
        c = rng.uniform(0.002, 0.01, k)
        g = rng.uniform(-3.0, -0.5, k)
        truth = np.concatenate([[e], c, g])
    else:
        truth = rng.uniform(2.5, 3.5, k)
    os.makedirs(a.dir, exist_ok=True)
    cols = names(k)
    for name, rows in [("train", a.runs), ("heldout", a.heldout)]:
        h = mixtures(rng, rows, k)
        y = PREDICT[a.law](truth, h) + rng.normal(0.0, a.noise, rows)
        write_csv(os.path.join(a.dir, f"{name}.csv"), h, y, cols)
    with open(os.path.join(a.dir, "truth.json"), "w") as f:
        json.dump({"law": a.law, "domains": k, "params": truth.tolist(), "noise": a.noise}, f)


def huber(r):
    a = np.abs(r)
    quad = a <= DELTA
    value = np.where(quad, 0.5 * r * r, DELTA * (a - 0.5 * DELTA))
    deriv = np.where(quad, r, DELTA * np.sign(r))
    return value, deriv


def objective_linear(params, h, y):
    r = h @ params - y
    return float(r @ r) / len(y), 2.0 * (r @ h) / len(y)


def objective_ye_m1(params, h, y):
    k = h.shape[1]
    c, g = params[1 : 1 + k], params[1 + k :]
    x = np.exp(h * g)  # rows x k
    pred = params[0] + x @ c
    value, dl = huber(pred - y)
    n = len(y)
    grad = np.empty_like(params)
    grad[0] = dl.sum()
    grad[1 : 1 + k] = dl @ x
    grad[1 + k :] = dl @ (h * x) * c
    return value.sum() / n, grad / n


OBJECTIVE = {"ye-m1": objective_ye_m1, "linear": objective_linear}


def start(law, rng, k):
    if law == "ye-m1":
        return np.concatenate(
            [rng.uniform(0.5, 3.0, 1), rng.uniform(-1.0, 1.0, k), rng.uniform(-2.0, 2.0, k)]
        )
    return rng.uniform(-1.0, 1.0, k)


def errors(law, params, h, y):
    pred = PREDICT[law](params, h)
    return {
        "rmse": float(np.sqrt(np.mean((pred - y) ** 2))),
        "mre": float(100.0 * np.mean(np.abs(pred - y) / np.abs(y))),
    }


def fit(a):
    with open(os.path.join(a.dir, "truth.json")) as f:
        truth = json.load(f)
    law, objective = truth["law"], OBJECTIVE[truth["law"]]
    truth = np.array(truth["params"])
    h, y = read_csv(os.path.join(a.dir, "train.csv"))
    ht, yt = read_csv(os.path.join(a.dir, "heldout.csv"))
    k = h.shape[1]
    rng = np.random.default_rng(a.seed)
    best = None
    started = time.perf_counter()
    evaluations = 0
    for _ in range(a.starts):
        x0 = start(law, rng, k)
        res = minimize(
            objective, x0, args=(h, y), jac=True, method="L-BFGS-B",
            options=LBFGSB_OPTIONS,
        )
        evaluations += res.nfev
        if best is None or res.fun < best.fun:
            best = res
    seconds = time.perf_counter() - started
    out = {
        "law": law,
        "scipy_seconds": seconds,
        "starts": a.starts,
        "evaluations": evaluations,
        "objective": float(best.fun),
        "heldout": errors(law, best.x, ht, yt),
        "truth_heldout": errors(law, truth, ht, yt),
        "truth_objective": float(objective(truth, h, y)[0]),
    }
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"law": law, "params": best.x.tolist()}, f)
    print(json.dumps(out, indent=1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--dir", required=True)
    g.add_argument("--law", choices=sorted(PREDICT), default="linear")
    g.add_argument("--domains", type=int, default=512)
    g.add_argument("--runs", type=int, default=2000)
    g.add_argument("--heldout", type=int, default=500)
    g.add_argument("--noise", type=float, default=0.003)
    g.add_argument("--seed", type=int, default=0)
    f = sub.add_parser("fit")
    f.add_argument("--dir", required=True)
    f.add_argument("--starts", type=int, default=10)
    f.add_argument("--seed", type=int, default=0)
    f.add_argument("--out")
    a = p.parse_args()
    {"gen": gen, "fit": fit}[a.cmd](a)


if __name__ == "__main__":
    main()
