#!/usr/bin/env python3
"""numpy reference timing for mixlaw's `additive` and `joint` objectives (k = 7).

Same workload as the Rust side (`mixlaw-benches`: benches/laws.rs and
examples/law_timing.rs):

- rows: the first 2200 rows of shukor2025/dmsl_llm_slimpajama.csv with
  model_size < 2.7e9 and a non-empty arxiv_loss; N / 1e9, D / 1e9;
- objective: mean Huber(delta = 1e-3) of pred - obs;
- gradient: analytic, w.r.t. the same unconstrained parameters as mixlaw
  (E and other free parameters as is, ln p for every positive parameter);
- parameters: the natural values of ADDITIVE_PARAMS / JOINT_PARAMS in benches/src/lib.rs.

Two evaluation modes, as on the Rust side:

- row_by_row: the formula vectorised over all rows (every exp / power per row);
- grouped: each factor once per distinct mixture, model size and token count
  (np.unique with return_inverse, built once outside the timed region as mixlaw's
  `Groups`), gathered per row, with the gradient summed per group by np.bincount.
  This is what `Objective::with_groups` does; numpy grouped vs Rust grouped is the
  like-for-like comparison.

The parameter-free cache (ln h, ln N, ln D) is computed once, outside the timed
region, as mixlaw's `Prepared` does. Timing: float64, one thread (the BLAS / OpenMP
thread variables are forced to 1 before numpy is imported), timeit with an
autoranged loop count (>= 0.2 s per repeat) and the best of 7 repeats.

Usage:
  python3 laws_numpy.py [--data DIR] [--check] [--rust-json FILE]

--rust-json FILE: the JSON printed by `cargo run --release -p mixlaw-benches
--example law_timing`; the script then asserts that the parameters and the distinct
input counts are identical, that value and gradient of both Rust modes agree with
numpy's row-by-row formula (and grouped with numpy grouped) to 1e-10 relative, and
prints ns/row of all four and the numpy / Rust ratios.
--check: cross-check only, no timing.
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
import sys  # noqa: E402
import timeit  # noqa: E402

import numpy as np  # noqa: E402

DOMAINS = ["arxiv", "book", "c4", "github", "commoncrawl", "stackexchange", "wikipedia"]
K = len(DOMAINS)
CSV = "shukor2025/dmsl_llm_slimpajama.csv"
ROWS = 2200
LOSS_COLUMN = "arxiv_loss"
MAX_MODEL_SIZE = 2.7e9
N_SCALE = D_SCALE = 1e9
DELTA = 1e-3
REPEATS = 7
RTOL = 1e-10

# Natural parameters, identical to benches/src/lib.rs (asserted against the Rust JSON).
ADDITIVE_PARAMS = [
    0.88, 0.31, 1.66, 0.22, 0.91,  # E, A, B, alpha, beta
    4.5, 0.11, 0.25, 0.83, 0.22, 0.78, 0.22,  # C
    0.54, 0.27, 0.78, 0.048, 0.60, 0.69, 1.8,  # gamma
]
JOINT_PARAMS = [
    0.95, 0.21, 0.91,  # E, alpha, beta
    5.8, 0.11, 0.22, 0.62, 0.22, 0.95, 0.22,  # C
    0.43, 0.27, 0.83, 0.047, 0.63, 0.61, 1.76,  # gamma
    0.30, 0.32, 0.29, 0.30, 0.29, 0.33, 0.34,  # CA
    0.94,  # gammaA
    0.46, 1.98, 2.01, 1.83, 2.07, 1.52, 1.75,  # CB
    0.97,  # gammaB
]
# Which slots are free (not log-transformed): only E, the first slot, in both laws.
FREE_SLOTS = {"additive": [0], "joint": [0]}


def data_dir(arg):
    if arg:
        return arg
    env = os.environ.get("MIXLAW_DATA")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    # benches/scripts -> workspace root -> ../shared/data
    return os.path.normpath(os.path.join(here, "..", "..", "..", "shared", "data"))


def load_rows(directory):
    """The benchmark rows: (h, N, D, y) with the same selection as the Rust side."""
    path = os.path.join(directory, CSV)
    h, n, d, y = [], [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            size = float(row["model_size"])
            loss = row[LOSS_COLUMN].strip()
            loss = float(loss) if loss else float("nan")
            if not (size < MAX_MODEL_SIZE and np.isfinite(loss)):
                continue
            h.append([float(row["weight_" + dom]) for dom in DOMAINS])
            n.append(size)
            d.append(float(row["n_tokens"]))
            y.append(loss)
            if len(y) == ROWS:
                break
    return (np.array(h, dtype=np.float64), np.array(n, dtype=np.float64),
            np.array(d, dtype=np.float64), np.array(y, dtype=np.float64))


class Data:
    """Observations and the parameter-free cache (as mixlaw's `Prepared`)."""

    def __init__(self, h, n, d, y):
        self.h = np.ascontiguousarray(h)
        self.lnh = np.log(self.h)
        self.lnn = np.log(n / N_SCALE)
        self.lnd = np.log(d / D_SCALE)
        self.y = y
        self.rows = len(y)
        self.group()

    def group(self):
        """Distinct mixtures, model sizes and token counts (np.unique, return_inverse),
        as mixlaw's `Groups`: built once per data set, outside the timed region. The
        per-group cache is taken from a representative row, so values are identical."""
        _, rep_h, self.ih = np.unique(self.h, axis=0, return_index=True, return_inverse=True)
        _, rep_n, self.in_ = np.unique(self.lnn, return_index=True, return_inverse=True)
        _, rep_d, self.id_ = np.unique(self.lnd, return_index=True, return_inverse=True)
        self.ih, self.in_, self.id_ = (np.ascontiguousarray(i.reshape(-1))
                                       for i in (self.ih, self.in_, self.id_))
        self.h_u = np.ascontiguousarray(self.h[rep_h])
        self.lnh_u = np.ascontiguousarray(self.lnh[rep_h])
        self.lnn_u = self.lnn[rep_n]
        self.lnd_u = self.lnd[rep_d]
        self.nh, self.nn, self.nd = len(rep_h), len(rep_n), len(rep_d)


def to_unconstrained(params, free):
    """ln p on positive slots, p itself on the free ones (mixlaw's convention)."""
    theta = np.array(params, dtype=np.float64)
    positive = np.ones(len(theta), dtype=bool)
    positive[free] = False
    theta[positive] = np.log(theta[positive])
    return theta



def huber(r):
    a = np.abs(r)
    return np.where(a <= DELTA, 0.5 * r * r, DELTA * (a - 0.5 * DELTA)).mean()


# --- additive: E + 1/(sum_i C_i h_i^gamma_i) + A N^-alpha + B D^-beta -------------------

def additive_value(theta, x):
    p = np.exp(theta)
    e, a, b, alpha, beta = theta[0], p[1], p[2], p[3], p[4]
    c, g = p[5:5 + K], p[5 + K:5 + 2 * K]
    s = np.exp(x.lnh * g) @ c
    pred = e + 1.0 / s + a * np.exp(-alpha * x.lnn) + b * np.exp(-beta * x.lnd)
    return huber(pred - x.y)


def additive_value_grad(theta, x):
    p = np.exp(theta)
    e, a, b, alpha, beta = theta[0], p[1], p[2], p[3], p[4]
    c, g = p[5:5 + K], p[5 + K:5 + 2 * K]
    hg = np.exp(x.lnh * g)  # h_i^gamma_i, (rows, k)
    inv = 1.0 / (hg @ c)
    tn = a * np.exp(-alpha * x.lnn)
    td = b * np.exp(-beta * x.lnd)
    r = e + inv + tn + td - x.y
    w = np.clip(r, -DELTA, DELTA) / x.rows  # d mean-Huber / d pred
    q = -w * inv * inv
    grad = np.empty_like(theta)
    grad[0] = w.sum()
    grad[1] = w @ tn  # d/d ln A = A dL/dA
    grad[2] = w @ td
    grad[3] = -alpha * (w @ (tn * x.lnn))
    grad[4] = -beta * (w @ (td * x.lnd))
    grad[5:5 + K] = c * (q @ hg)
    grad[5 + K:5 + 2 * K] = c * g * (q @ (hg * x.lnh))
    return huber(r), grad


# --- joint: E + 1/(sum C_i h_i^gamma_i) + (sum CA_i h_i)^gammaA N^-alpha
#            + (sum CB_i h_i)^gammaB D^-beta --------------------------------------------

def _joint_split(theta):
    p = np.exp(theta)
    e, alpha, beta = theta[0], p[1], p[2]
    o = 3
    c, g = p[o:o + K], p[o + K:o + 2 * K]
    o += 2 * K
    ca, ga = p[o:o + K], p[o + K]
    o += K + 1
    cb, gb = p[o:o + K], p[o + K]
    return e, alpha, beta, c, g, ca, ga, cb, gb


def joint_value(theta, x):
    e, alpha, beta, c, g, ca, ga, cb, gb = _joint_split(theta)
    s = np.exp(x.lnh * g) @ c
    pred = (e + 1.0 / s + (x.h @ ca) ** ga * np.exp(-alpha * x.lnn)
            + (x.h @ cb) ** gb * np.exp(-beta * x.lnd))
    return huber(pred - x.y)


def joint_value_grad(theta, x):
    e, alpha, beta, c, g, ca, ga, cb, gb = _joint_split(theta)
    hg = np.exp(x.lnh * g)
    inv = 1.0 / (hg @ c)
    pa, pb = x.h @ ca, x.h @ cb
    lpa, lpb = np.log(pa), np.log(pb)
    tn = np.exp(ga * lpa - alpha * x.lnn)  # PA^gammaA N^-alpha
    td = np.exp(gb * lpb - beta * x.lnd)
    r = e + inv + tn + td - x.y
    w = np.clip(r, -DELTA, DELTA) / x.rows
    q = -w * inv * inv
    wtn, wtd = w * tn, w * td
    grad = np.empty_like(theta)
    grad[0] = w.sum()
    grad[1] = -alpha * (wtn @ x.lnn)
    grad[2] = -beta * (wtd @ x.lnd)
    o = 3
    grad[o:o + K] = c * (q @ hg)
    grad[o + K:o + 2 * K] = c * g * (q @ (hg * x.lnh))
    o += 2 * K
    grad[o:o + K] = ca * ga * ((wtn / pa) @ x.h)
    grad[o + K] = ga * (wtn @ lpa)
    o += K + 1
    grad[o:o + K] = cb * gb * ((wtd / pb) @ x.h)
    grad[o + K] = gb * (wtd @ lpb)
    return huber(r), grad


# --- grouped: each factor once per distinct h, N, D; per row only gathers, adds and the
# loss; gradient sums per group with np.bincount (mixlaw's Objective::with_groups) ---------

def _sum_by(ids, weights, count):
    return np.bincount(ids, weights=weights, minlength=count)


def additive_value_grouped(theta, x):
    p = np.exp(theta)
    e, a, b, alpha, beta = theta[0], p[1], p[2], p[3], p[4]
    c, g = p[5:5 + K], p[5 + K:5 + 2 * K]
    inv = 1.0 / (np.exp(x.lnh_u * g) @ c)
    tn = a * np.exp(-alpha * x.lnn_u)
    td = b * np.exp(-beta * x.lnd_u)
    pred = e + inv[x.ih] + tn[x.in_] + td[x.id_]
    return huber(pred - x.y)


def additive_value_grad_grouped(theta, x):
    p = np.exp(theta)
    e, a, b, alpha, beta = theta[0], p[1], p[2], p[3], p[4]
    c, g = p[5:5 + K], p[5 + K:5 + 2 * K]
    hg = np.exp(x.lnh_u * g)  # (distinct h, k)
    inv = 1.0 / (hg @ c)
    tn = a * np.exp(-alpha * x.lnn_u)
    td = b * np.exp(-beta * x.lnd_u)
    r = e + inv[x.ih] + tn[x.in_] + td[x.id_] - x.y
    w = np.clip(r, -DELTA, DELTA) / x.rows
    wn, wd = _sum_by(x.in_, w, x.nn), _sum_by(x.id_, w, x.nd)
    q = -_sum_by(x.ih, w, x.nh) * inv * inv
    grad = np.empty_like(theta)
    grad[0] = w.sum()
    grad[1] = wn @ tn
    grad[2] = wd @ td
    grad[3] = -alpha * (wn @ (tn * x.lnn_u))
    grad[4] = -beta * (wd @ (td * x.lnd_u))
    grad[5:5 + K] = c * (q @ hg)
    grad[5 + K:5 + 2 * K] = c * g * (q @ (hg * x.lnh_u))
    return huber(r), grad


def joint_value_grouped(theta, x):
    e, alpha, beta, c, g, ca, ga, cb, gb = _joint_split(theta)
    inv = 1.0 / (np.exp(x.lnh_u * g) @ c)
    fa, fb = (x.h_u @ ca) ** ga, (x.h_u @ cb) ** gb
    gn, kd = np.exp(-alpha * x.lnn_u), np.exp(-beta * x.lnd_u)
    ih = x.ih
    pred = e + inv[ih] + fa[ih] * gn[x.in_] + fb[ih] * kd[x.id_]
    return huber(pred - x.y)


def joint_value_grad_grouped(theta, x):
    e, alpha, beta, c, g, ca, ga, cb, gb = _joint_split(theta)
    hg = np.exp(x.lnh_u * g)
    inv = 1.0 / (hg @ c)
    pa, pb = x.h_u @ ca, x.h_u @ cb
    lpa, lpb = np.log(pa), np.log(pb)
    fa, fb = np.exp(ga * lpa), np.exp(gb * lpb)  # PA^gammaA, PB^gammaB per mixture
    gn, kd = np.exp(-alpha * x.lnn_u), np.exp(-beta * x.lnd_u)  # N^-alpha, D^-beta
    ih, in_, id_ = x.ih, x.in_, x.id_
    tn, td = fa[ih] * gn[in_], fb[ih] * kd[id_]
    r = e + inv[ih] + tn + td - x.y
    w = np.clip(r, -DELTA, DELTA) / x.rows
    wtn, wtd = w * tn, w * td
    wtn_h, wtd_h = _sum_by(ih, wtn, x.nh), _sum_by(ih, wtd, x.nh)
    q = -_sum_by(ih, w, x.nh) * inv * inv
    grad = np.empty_like(theta)
    grad[0] = w.sum()
    grad[1] = -alpha * (_sum_by(in_, wtn, x.nn) @ x.lnn_u)
    grad[2] = -beta * (_sum_by(id_, wtd, x.nd) @ x.lnd_u)
    o = 3
    grad[o:o + K] = c * (q @ hg)
    grad[o + K:o + 2 * K] = c * g * (q @ (hg * x.lnh_u))
    o += 2 * K
    grad[o:o + K] = ca * ga * ((wtn_h / pa) @ x.h_u)
    grad[o + K] = ga * (wtn_h @ lpa)
    o += K + 1
    grad[o:o + K] = cb * gb * ((wtd_h / pb) @ x.h_u)
    grad[o + K] = gb * (wtd_h @ lpb)
    return huber(r), grad


# name -> (params, {mode: (value, value_grad)}); modes as in the Rust JSON.
LAWS = {
    "additive": (ADDITIVE_PARAMS, {
        "row_by_row": (additive_value, additive_value_grad),
        "grouped": (additive_value_grouped, additive_value_grad_grouped),
    }),
    "joint": (JOINT_PARAMS, {
        "row_by_row": (joint_value, joint_value_grad),
        "grouped": (joint_value_grouped, joint_value_grad_grouped),
    }),
}
MODES = ("row_by_row", "grouped")


def time_ns_per_row(fn, rows):
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()  # smallest 1/2/5 x 10^j taking >= 0.2 s
    times = sorted(timer.repeat(repeat=REPEATS, number=number))
    per_row = [t * 1e9 / (number * rows) for t in times]
    return per_row[0], per_row[len(per_row) // 2], number


def rel_diff(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    return float(np.max(d))


def rust_mode(rust_law, mode):
    """The Rust JSON entry of one law in one mode (row by row at the top level)."""
    return rust_law if mode == "row_by_row" else rust_law[mode]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="data directory (default: $MIXLAW_DATA or ../shared/data)")
    ap.add_argument("--check", action="store_true", help="cross-check only, no timing")
    ap.add_argument("--rust-json", help="JSON printed by the law_timing example")
    args = ap.parse_args()

    directory = data_dir(args.data)
    try:
        h, n, d, y = load_rows(directory)
    except OSError as e:
        print(f"laws_numpy.py: SKIPPED, Shukor data unavailable ({e}); "
              f"set MIXLAW_DATA to the directory holding {CSV}", file=sys.stderr)
        return 2
    x = Data(h, n, d, y)
    rust = None
    if args.rust_json:
        with open(args.rust_json) as f:
            rust = json.load(f)
        if rust["rows"] != x.rows:
            print(f"row count differs: rust {rust['rows']}, numpy {x.rows}", file=sys.stderr)
            return 1

    print(f"numpy {np.__version__}, float64, 1 thread; {x.rows} rows of {CSV}, "
          f"target {LOSS_COLUMN}, Huber delta {DELTA}")
    print(f"distinct inputs: {x.nh} mixtures, {x.nn} model sizes, {x.nd} token counts")
    ok = True
    if rust is not None:
        rg = rust["groups"]
        same = (rg["distinct_h"], rg["distinct_n"], rg["distinct_d"]) == (x.nh, x.nn, x.nd)
        ok = ok and same
        print(f"groups vs Rust: {'AGREE' if same else 'MISMATCH'} "
              f"(Rust {rg['distinct_h']}, {rg['distinct_n']}, {rg['distinct_d']})")
    group_build = None
    if not args.check:
        build = time_ns_per_row(lambda: Data.group(x), x.rows)
        group_build = build[0] * x.rows
        msg = f"grouping (np.unique x 3, once per data set, untimed below): {group_build / 1e3:.1f} us"
        if rust is not None and "build_ns" in rust["groups"]:
            msg += f"; Rust Groups::new {rust['groups']['build_ns'] / 1e3:.1f} us"
        print(msg)
    results = {}
    for name, (params, modes) in LAWS.items():
        theta = to_unconstrained(params, FREE_SLOTS[name])
        results[name] = {}
        for mode, (value_fn, value_grad_fn) in modes.items():
            tag = f"[{name} {mode}]"
            value, grad = value_grad_fn(theta, x)
            value_only = value_fn(theta, x)
            res = {"value": float(value), "grad": [float(v) for v in grad]}
            print(f"\n{tag} objective {float(value)!r} (value-only {float(value_only)!r})")
            print(f"{tag} gradient (unconstrained): "
                  + ", ".join(f"{v:.12e}" for v in grad))
            if rel_diff(value, value_only) > RTOL:
                print(f"{tag} MISMATCH between value-only and value+grad", file=sys.stderr)
                ok = False
            if mode != "row_by_row":
                base = results[name]["row_by_row"]
                dv, dg = rel_diff(value, base["value"]), rel_diff(grad, base["grad"])
                good = dv <= RTOL and dg <= RTOL
                ok = ok and good
                print(f"{tag} vs numpy row_by_row: value rel diff {dv:.2e}, max gradient rel "
                      f"diff {dg:.2e}: {'AGREE' if good else 'MISMATCH'}")
            if rust is not None:
                rl = rust["laws"][name]
                if [float(v) for v in rl["params"]] != [float(v) for v in params]:
                    print(f"{tag} MISMATCH: parameters differ from the Rust side",
                          file=sys.stderr)
                    ok = False
                # Every Rust mode against numpy's row-by-row formula (the reference) and
                # against numpy's same mode.
                rm = rust_mode(rl, mode)
                refs = [("row_by_row", results[name].get("row_by_row", res))]
                if mode != "row_by_row":
                    refs.append((mode, res))
                for ref_mode, ref in refs:
                    dv = rel_diff(ref["value"], rm["value"])
                    dg = rel_diff(ref["grad"], rm["grad"])
                    good = dv <= RTOL and dg <= RTOL
                    ok = ok and good
                    print(f"{tag} Rust {mode} vs numpy {ref_mode}: value rel diff {dv:.2e}, "
                          f"max gradient rel diff {dg:.2e} (tolerance {RTOL:.0e}): "
                          f"{'AGREE' if good else 'MISMATCH'}")
            if not args.check:
                vg = time_ns_per_row(lambda: value_grad_fn(theta, x), x.rows)
                vo = time_ns_per_row(lambda: value_fn(theta, x), x.rows)
                res.update(value_grad_ns_per_row=vg[0], value_grad_ns_per_row_median=vg[1],
                           value_only_ns_per_row=vo[0], value_only_ns_per_row_median=vo[1])
                print(f"{tag} numpy value+grad {vg[0]:.2f} ns/row (best of {REPEATS}, "
                      f"median {vg[1]:.2f}, {vg[2]} calls/repeat); value only {vo[0]:.2f} "
                      f"ns/row (median {vo[1]:.2f}, {vo[2]} calls/repeat)")
            results[name][mode] = res

    if rust is not None and not args.check and "value_grad_ns_per_row" in rust["laws"]["additive"]:
        print(f"\nns per data row, best of {REPEATS} repeats, single thread, {x.rows} rows, "
              f"k = {K}; grouping built once, outside the timings")
        head = (f"{'law':9} {'mode':11} {'rust':>8} {'rust':>8} {'numpy':>8} {'numpy':>8}"
                f" | {'numpy/rust':>10} {'numpy/rust':>10} {'numpy/rust':>10}")
        sub = (f"{'':9} {'':11} {'rows':>8} {'grouped':>8} {'rows':>8} {'grouped':>8}"
               f" | {'rows/rows':>10} {'grp/grp':>10} {'rows/grp':>10}")
        print(head)
        print(sub)
        for name in LAWS:
            rl = rust["laws"][name]
            for m in ("value_grad", "value_only"):
                key = m + "_ns_per_row"
                rr, rg = rl[key], rl["grouped"][key]
                nr, ng = results[name]["row_by_row"][key], results[name]["grouped"][key]
                label = "value+grad" if m == "value_grad" else "value only"
                print(f"{name:9} {label:11} {rr:8.2f} {rg:8.2f} {nr:8.2f} {ng:8.2f}"
                      f" | {nr / rr:9.2f}x {ng / rg:9.2f}x {nr / rg:9.1f}x")
        print("rows/rows: numpy per row vs Rust row by row; grp/grp: numpy grouped vs Rust "
              "grouped (the like-for-like comparison); rows/grp: numpy per row vs Rust grouped.")
    print("\nRESULT:", "values agree" if ok else "MISMATCH", file=sys.stderr if not ok else sys.stdout)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
