#!/usr/bin/env python3
"""scipy reference for fitting the Shukor et al. additive law (k = 7), against mixlaw.

Protocol (shared/data/shukor2025/README.md): per target domain, every row of
shukor2025/dmsl_llm_slimpajama.csv with model_size < 2.7e9 and a finite target loss
(duplicate final checkpoints kept), N / 1e9, D / 1e9, objective = mean Huber(1e-3) of the
raw residual pred - obs. Parameters as in mixlaw (order E, A, B, alpha, beta, C[0..7],
gamma[0..7]); every positive parameter through its logarithm, E free.
Law: L = E + 1 / sum_i C_i h_i^gamma_i + A N^-alpha + B D^-beta.

The numpy objective and its analytic gradient are evaluated by groups of distinct
inputs (each factor once per distinct mixture, model size and token count, gathered per
row, gradients summed per group with np.bincount), which is what mixlaw's
`Objective::with_groups` does and is the faster of the two numpy forms here; it is
checked against the row-by-row formula and against mixlaw's value and gradient at every
start point (1e-10 relative).

Two scipy fits per domain, single-threaded, same start points as mixlaw (read from the
JSON printed by `cargo run --release -p mixlaw-benches --example fit_timing`, i.e. the
random-search seed points of mixlaw_fit: best of 64 uniform draws in the law's start
ranges, per start):
  (a) scipy.optimize.minimize(method="L-BFGS-B", jac=True, ftol=1e-15, gtol=1e-13)
      from each start in turn (the data README's reference settings);
  (b) scipy.optimize.basinhopping from start 0 (which is also mixlaw's basin-hopping
      start 0), L-BFGS-B (same options) as local minimiser, --bh-niter hops, stepsize 0.5
      and step adaptation every 10 hops (mixlaw's defaults), acceptance by mixlaw's
      relative Metropolis rule (accept a worse minimum with probability
      exp(-(f_new - f_old) / (0.05 |f_old|)); scipy's absolute-T test is disabled with
      T = inf), seed --seed.
Each is timed with time.perf_counter after every local minimisation (a trace).

Then, per domain: target = scipy's best objective over (a) and (b). Times to reach it
(first local minimisation whose best-so-far is <= target * (1 + RTOL_TARGET)):
  scipy: the faster of (a), (b);  mixlaw: L-BFGS from the same starts, and the default
  fit_law basin-hopping (both from the Rust traces). Prints a table and the ratios
  scipy time / mixlaw time; writes everything to --out as JSON.

Usage:
  python3 fit_scipy.py --rust-json FILE [--data DIR] [--bh-niter N] [--out FILE]
  python3 fit_scipy.py --report FILE     # reprint the table of a saved --out FILE
Exit status: 0 ok, 1 mismatch, 2 data missing.
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
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.optimize import basinhopping, minimize  # noqa: E402

DOMAINS = ["arxiv", "book", "c4", "github", "commoncrawl", "stackexchange", "wikipedia"]
K = len(DOMAINS)
CSV = "shukor2025/dmsl_llm_slimpajama.csv"
MAX_MODEL_SIZE = 2.7e9
SCALE = 1e9
DELTA = 1e-3
RTOL_CHECK = 1e-10
# A minimum counts as "at least as low as the target" within this relative tolerance
# (two optimisers stopping in the same basin agree to ~1e-10 relative, not to the last bit).
RTOL_TARGET = 1e-9
LBFGSB_OPTIONS = {"ftol": 1e-15, "gtol": 1e-13}


def data_dir(arg):
    if arg:
        return arg
    env = os.environ.get("MIXLAW_DATA")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "..", "shared", "data")


def load(path, domain):
    """Training rows for `domain`: (h [rows, K], N, D, y)."""
    h, n, d, y = [], [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            size = float(row["model_size"])
            target = row[f"{domain}_loss"].strip()
            if size >= MAX_MODEL_SIZE or not target or not math.isfinite(float(target)):
                continue
            h.append([float(row[f"weight_{x}"]) for x in DOMAINS])
            n.append(size)
            d.append(float(row["n_tokens"]))
            y.append(float(target))
    return np.array(h), np.array(n), np.array(d), np.array(y)


class Objective:
    """Mean Huber(1e-3) of the additive law's residuals, value and gradient in the
    unconstrained coordinates (E, ln A, ln B, ln alpha, ln beta, ln C, ln gamma)."""

    def __init__(self, h, n, d, y):
        self.y = y
        self.rows = len(y)
        hu, self.ih = np.unique(h, axis=0, return_inverse=True)
        nu, self.inn = np.unique(n, return_inverse=True)
        du, self.id = np.unique(d, return_inverse=True)
        self.ih, self.inn, self.id = (a.reshape(-1) for a in (self.ih, self.inn, self.id))
        self.lnh = np.log(hu)
        self.lnn = np.log(nu / SCALE)
        self.lnd = np.log(du / SCALE)
        self.counts = (len(hu), len(nu), len(du))
        # Row-by-row cache for the cross-check.
        self.lnh_rows = np.log(h)
        self.lnn_rows = np.log(n / SCALE)
        self.lnd_rows = np.log(d / SCALE)
        self.evaluations = 0

    def __call__(self, theta):
        """Value and gradient by groups of distinct inputs."""
        self.evaluations += 1
        e = theta[0]
        a, b, alpha, beta = np.exp(theta[1:5])
        c = np.exp(theta[5 : 5 + K])
        g = np.exp(theta[5 + K :])
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            p = c * np.exp(self.lnh * g)  # [U_h, K]
            s = p.sum(axis=1)
            inv = 1.0 / s
            tn = a * np.exp(-alpha * self.lnn)
            td = b * np.exp(-beta * self.lnd)
            r = e + inv[self.ih] + tn[self.inn] + td[self.id] - self.y
            ar = np.abs(r)
            quad = ar <= DELTA
            loss = np.where(quad, 0.5 * r * r, DELTA * (ar - 0.5 * DELTA))
            dl = np.where(quad, r, DELTA * np.sign(r))
            value = loss.sum() / self.rows
            if not math.isfinite(value):
                return np.inf, np.zeros_like(theta)
            wh = np.bincount(self.ih, dl, self.counts[0])
            wn = np.bincount(self.inn, dl, self.counts[1])
            wd = np.bincount(self.id, dl, self.counts[2])
            grad = np.empty_like(theta)
            grad[0] = dl.sum()
            grad[1] = wn @ tn
            grad[2] = wd @ td
            grad[3] = -alpha * (wn @ (tn * self.lnn))
            grad[4] = -beta * (wd @ (td * self.lnd))
            q = wh * inv * inv
            grad[5 : 5 + K] = -(q @ p)
            grad[5 + K :] = -g * (q @ (p * self.lnh))
            grad /= self.rows
        if not np.all(np.isfinite(grad)):
            return np.inf, np.zeros_like(theta)
        return value, grad

    def rows_value_grad(self, theta):
        """The same, row by row (cross-check only)."""
        e = theta[0]
        a, b, alpha, beta = np.exp(theta[1:5])
        c = np.exp(theta[5 : 5 + K])
        g = np.exp(theta[5 + K :])
        p = c * np.exp(self.lnh_rows * g)
        s = p.sum(axis=1)
        tn = a * np.exp(-alpha * self.lnn_rows)
        td = b * np.exp(-beta * self.lnd_rows)
        r = e + 1.0 / s + tn + td - self.y
        quad = np.abs(r) <= DELTA
        loss = np.where(quad, 0.5 * r * r, DELTA * (np.abs(r) - 0.5 * DELTA))
        dl = np.where(quad, r, DELTA * np.sign(r))
        grad = np.empty_like(theta)
        grad[0] = dl.sum()
        grad[1] = dl @ tn
        grad[2] = dl @ td
        grad[3] = -alpha * (dl @ (tn * self.lnn_rows))
        grad[4] = -beta * (dl @ (td * self.lnd_rows))
        q = dl / (s * s)
        grad[5 : 5 + K] = -(q @ p)
        grad[5 + K :] = -g * (q @ (p * self.lnh_rows))
        return loss.sum() / self.rows, grad / self.rows


def close(a, b, rtol):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300)
    return np.max(np.abs(a - b)) <= rtol * scale


def lbfgsb(obj, x0):
    return minimize(obj, np.array(x0), jac=True, method="L-BFGS-B", options=LBFGSB_OPTIONS)


def multistart(obj, starts):
    trace = {"elapsed": [], "value": [], "best": [], "nit": [], "nfev": []}
    best = math.inf
    t0 = time.perf_counter()
    for x0 in starts:
        res = lbfgsb(obj, x0)
        elapsed = time.perf_counter() - t0
        best = min(best, float(res.fun))
        trace["elapsed"].append(elapsed)
        trace["value"].append(float(res.fun))
        trace["best"].append(best)
        trace["nit"].append(int(res.nit))
        trace["nfev"].append(int(res.nfev))
    return trace


class RelativeMetropolis:
    """mixlaw's acceptance rule: a worse minimum with probability exp(-q / 0.05), q the
    relative increase over the current minimum."""

    def __init__(self, temperature, seed):
        self.temperature = temperature
        self.rng = np.random.default_rng(seed)

    def __call__(self, f_new, x_new, f_old, x_old):
        if f_new < f_old:
            return True
        q = (f_new - f_old) / (self.temperature * max(abs(f_old), 1e-300))
        return bool(self.rng.random() < math.exp(-q))


def basin(obj, x0, niter, seed):
    trace = {"elapsed": [], "value": [], "best": []}
    best = [math.inf]
    t0 = time.perf_counter()

    def callback(x, f, accepted):
        trace["elapsed"].append(time.perf_counter() - t0)
        best[0] = min(best[0], float(f))
        trace["value"].append(float(f))
        trace["best"].append(best[0])

    res = basinhopping(
        obj,
        np.array(x0),
        niter=niter,
        T=math.inf,
        stepsize=0.5,
        interval=10,
        minimizer_kwargs={"method": "L-BFGS-B", "jac": True, "options": LBFGSB_OPTIONS},
        accept_test=RelativeMetropolis(0.05, seed),
        callback=callback,
        rng=seed,
    )
    trace["result"] = float(res.fun)
    return trace


def time_to(trace, target):
    """Elapsed time of the first call whose best-so-far is <= target (None if never)."""
    for e, b in zip(trace["elapsed"], trace["best"]):
        if b is not None and b <= target:
            return e
    return None


def fmt_t(t):
    return "not reached" if t is None else f"{t:.3f}"


def fmt_r(a, b):
    return "-" if a is None or b is None else f"{a / b:.1f}x"


def time_to_target(rust_dom, r):
    """Times to reach scipy's best (overall, and per scipy method) on both sides."""
    ms, bh = r["scipy_lbfgsb"], r["scipy_basinhopping"]
    rl, rb = rust_dom["lbfgs"], rust_dom["basin"]
    out = {}
    for key, target in (
        ("lbfgs", ms["best"][-1]),
        ("basin", bh["best"][-1]),
        ("best", min(ms["best"][-1], bh["best"][-1])),
    ):
        tol = target * (1 + RTOL_TARGET)
        if key == "lbfgs":
            pair = (time_to(ms, tol), time_to(rl, tol))
        elif key == "basin":
            pair = (time_to(bh, tol), time_to(rb, tol))
        else:
            s = [t for t in (time_to(ms, tol), time_to(bh, tol)) if t is not None]
            m = [t for t in (time_to(rl, tol), time_to(rb, tol)) if t is not None]
            pair = (min(s), min(m, default=None))
        out[key] = {"target": target, "scipy": pair[0], "mixlaw": pair[1]}
    return out


def report(rust, results):
    """Prints the time-to-target table (markdown) and the total times."""
    doms = {d["domain"]: d for d in rust["domains"]}
    print(f"Time (s) to reach an objective <= scipy's best (x (1 + {RTOL_TARGET:g})), "
          "one thread; ratio = scipy time / mixlaw time")
    print()
    print("| domain | scipy best | mixlaw best | L-BFGS same starts: scipy / mixlaw s | ratio "
          "| basin-hopping: scipy / mixlaw fit_law s | ratio | overall: scipy / mixlaw s "
          "| ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = {"lbfgs": [], "basin": [], "best": []}
    for r in results:
        d = doms[r["domain"]]
        tt = time_to_target(d, r)
        r["time_to_target"] = tt
        cells = []
        for key in ("lbfgs", "basin", "best"):
            t = tt[key]
            cells.append(f"{fmt_t(t['scipy'])} / {fmt_t(t['mixlaw'])}")
            cells.append(fmt_r(t["scipy"], t["mixlaw"]))
            if t["scipy"] is not None and t["mixlaw"] is not None:
                ratios[key].append(t["scipy"] / t["mixlaw"])
        mix_best = min(d["lbfgs"]["best"][-1], d["basin"]["best"][-1])
        print(f"| {r['domain']} | {tt['best']['target']:.9e} | {mix_best:.9e} | "
              + " | ".join(cells) + " |")
    geo = [
        f"{np.exp(np.mean(np.log(v))):.1f}x ({len(v)} domains)" if v else "-"
        for v in ratios.values()
    ]
    print(f"| geometric mean | | | | {geo[0]} | | {geo[1]} | | {geo[2]} |")
    print()
    print("L-BFGS same starts: target = scipy L-BFGS-B's best over the starts; scipy "
          "L-BFGS-B vs mixlaw Lbfgs, both from the same starts in the same order. "
          "Basin-hopping: target = scipy basinhopping's best; scipy basinhopping vs mixlaw's "
          "default fit_law. Overall: target = the lower of the two; the faster scipy method "
          "vs the faster mixlaw method. 'not reached': never at or below the target.")
    if all("lm" in doms[r["domain"]] for r in results):
        print()
        print("Levenberg-Marquardt from the same starts (target: scipy L-BFGS-B's best over "
              "the starts): | domain | scipy L-BFGS-B s | mixlaw L-BFGS s | mixlaw LM s | "
              "scipy / LM | L-BFGS / LM | evaluations scipy / L-BFGS / LM |")
        for r in results:
            d = doms[r["domain"]]
            ms = r["scipy_lbfgsb"]
            tol = ms["best"][-1] * (1 + RTOL_TARGET)
            ts, tl, tm = time_to(ms, tol), time_to(d["lbfgs"], tol), time_to(d["lm"], tol)
            print(f"| {r['domain']} | {fmt_t(ts)} | {fmt_t(tl)} | {fmt_t(tm)} | "
                  f"{fmt_r(ts, tm)} | {fmt_r(tl, tm)} | {ms.get('evaluations', '-')} / "
                  f"{int(d['lbfgs']['evaluations'][-1])} / {int(d['lm']['evaluations'][-1])} |")
    if all("fit" in doms[r["domain"]] for r in results):
        report_default_fit(doms, results)
    print()
    print("Total times (s): | domain | scipy L-BFGS-B | scipy basinhopping | mixlaw L-BFGS | "
          "mixlaw fit_law |")
    for r in results:
        d = doms[r["domain"]]
        print(f"| {r['domain']} | {r['scipy_lbfgsb']['elapsed'][-1]:.2f} "
              f"({len(r['scipy_lbfgsb']['value'])} calls) | "
              f"{r['scipy_basinhopping']['elapsed'][-1]:.2f} "
              f"({len(r['scipy_basinhopping']['value'])} calls) | "
              f"{d['lbfgs']['elapsed'][-1]:.3f} ({len(d['lbfgs']['value'])} calls) | "
              f"{d['basin']['elapsed'][-1]:.3f} ({len(d['basin']['value'])} calls) |")


def report_default_fit(doms, results):
    """The default `fit` path (owned::fit, one thread) against scipy's best: time to it,
    and the whole fit's time (a screened fit knows its objective only at its end)."""
    print()
    print("Default `fit` (mixlaw_fit::owned::fit, one thread; target: the lower of scipy's two "
          "bests): | domain | scipy best | `fit` objective | screened rows | scipy s | `fit` to "
          "target s | ratio | whole `fit` s | scipy / whole `fit` |")
    print("|---|---|---|---|---|---|---|---|---|")
    to_target, whole = [], []
    for r in results:
        d = doms[r["domain"]]
        f = d["fit"]
        target = min(r["scipy_lbfgsb"]["best"][-1], r["scipy_basinhopping"]["best"][-1])
        tol = target * (1 + RTOL_TARGET)
        ts = [t for t in (time_to(r["scipy_lbfgsb"], tol), time_to(r["scipy_basinhopping"], tol))
              if t is not None]
        ts = min(ts)
        tf = time_to(f, tol)
        tw = f["elapsed"][-1] if f["best"][-1] <= tol else None
        r["default_fit"] = {"target": target, "scipy": ts, "to_target": tf, "whole": tw}
        if tf is not None:
            to_target.append(ts / tf)
        if tw is not None:
            whole.append(ts / tw)
        print(f"| {r['domain']} | {target:.9e} | {f['best'][-1]:.9e} | "
              f"{d.get('fit_screen_rows', 0)} | {fmt_t(ts)} | {fmt_t(tf)} | {fmt_r(ts, tf)} | "
              f"{f['elapsed'][-1]:.3f}{'' if tw is not None else ' (above target)'} | "
              f"{fmt_r(ts, tw)} |")
    geo = [f"{np.exp(np.mean(np.log(v))):.1f}x ({len(v)} domains)" if v else "-"
           for v in (to_target, whole)]
    print(f"| geometric mean | | | | | | {geo[0]} | | {geo[1]} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rust-json")
    ap.add_argument("--report", help="reprint the table from a saved --out file")
    ap.add_argument("--data")
    ap.add_argument("--bh-niter", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            saved = json.load(f)
        report(saved["rust"], saved["scipy"])
        return 0
    with open(args.rust_json) as f:
        rust = json.load(f)
    path = os.path.join(data_dir(args.data), CSV)
    if not os.path.exists(path):
        print(f"fit_scipy.py: SKIPPED, {path} not found (set MIXLAW_DATA)", file=sys.stderr)
        return 2
    print(
        f"scipy {scipy.__version__}, numpy {np.__version__}, one thread; "
        f"{rust['n_starts']} starts per domain, scipy basinhopping niter {args.bh_niter}",
        file=sys.stderr,
    )
    results = []
    for dom in rust["domains"]:
        name = dom["domain"]
        h, n, d, y = load(path, name)
        if dom.get("y") is not None:
            # fit_timing --synthetic: the same grid of runs, the targets it generated.
            y = np.array(dom["y"], dtype=float)
        obj = Objective(h, n, d, y)
        if obj.rows != dom["rows"]:
            print(f"{name}: {obj.rows} rows here, {dom['rows']} in Rust", file=sys.stderr)
            return 1
        starts = [s["theta"] for s in dom["starts"]]
        for s in dom["starts"]:
            v, g = obj(np.array(s["theta"]))
            v2, g2 = obj.rows_value_grad(np.array(s["theta"]))
            if not (close(v, s["value"], RTOL_CHECK) and close(g, s["grad"], RTOL_CHECK)
                    and close(v, v2, RTOL_CHECK) and close(g, g2, RTOL_CHECK)):
                print(f"{name}: objective mismatch at a start point: numpy {v} / {v2}, "
                      f"Rust {s['value']}", file=sys.stderr)
                return 1
        # Per-evaluation cost of the numpy objective (for the record).
        x = np.array(starts[0])
        t0 = time.perf_counter()
        reps = 200
        for _ in range(reps):
            obj(x)
        eval_us = (time.perf_counter() - t0) / reps * 1e6
        obj.evaluations = 0
        ms = multistart(obj, starts)
        ms["evaluations"] = obj.evaluations
        obj.evaluations = 0
        bh = basin(obj, starts[0], args.bh_niter, args.seed)
        bh["evaluations"] = obj.evaluations
        r = {
            "domain": name,
            "rows": obj.rows,
            "numpy_eval_us": eval_us,
            "scipy_lbfgsb": ms,
            "scipy_basinhopping": bh,
        }
        results.append(r)
        print(
            f"{name}: rows {obj.rows}, numpy objective+grad {eval_us:.0f} us/eval; "
            f"scipy L-BFGS-B {len(starts)} starts: best {ms['best'][-1]:.9e} in "
            f"{ms['elapsed'][-1]:.1f} s ({ms['evaluations']} evals, nit {ms['nit']}); "
            f"basinhopping {len(bh['value'])} minimisations: best {bh['best'][-1]:.9e} in "
            f"{bh['elapsed'][-1]:.1f} s ({bh['evaluations']} evals)",
            file=sys.stderr,
        )
    report(rust, results)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"rust": rust, "scipy": results, "scipy_version": scipy.__version__,
                       "numpy_version": np.__version__, "bh_niter": args.bh_niter}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
