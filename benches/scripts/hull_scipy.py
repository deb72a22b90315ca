#!/usr/bin/env python3
"""Reference convex-hull distances from scipy.optimize.linprog (HiGHS) for mixlaw-opt's
TrainingSupport::contains.

Each instance: m random mixtures of k domains (Dirichlet) and a point h, either a random
convex combination of them (distance 0) or a random mixture whose L1 distance to their hull
is above 1e-6 (points closer than that are redrawn). The distance is

    min ||V lam - h||_1  s.t. lam >= 0, sum lam = 1     (V: k x m)

as the LP  min 1'(p + q)  s.t.  V lam + p - q = h,  1'lam = 1,  lam, p, q >= 0.
Prints one line per instance: `k m v_11 .. v_mk h_1 .. h_k distance` (repr floats), as read
by mixlaw-opt/tests/support.rs (`hull_decisions_match_scipy_linprog`).

    python3 benches/scripts/hull_scipy.py [--seed S] [--cases C]

With `--time`, instead times linprog on the instances of `cargo bench -p mixlaw-benches
--bench decisions` (Dirichlet(1) mixtures, k x m = 17 x 512 and 20 x 4096, a point inside
and one outside), milliseconds per decision.
"""
import time
import argparse

import numpy as np
from scipy.optimize import linprog


def distance(V, h):
    k, m = V.shape
    c = np.concatenate([np.zeros(m), np.ones(2 * k)])
    A = np.zeros((k + 1, m + 2 * k))
    A[:k, :m] = V
    A[:k, m:m + k] = np.eye(k)
    A[:k, m + k:] = -np.eye(k)
    A[k, :m] = 1.0
    b = np.concatenate([h, [1.0]])
    res = linprog(c, A_eq=A, b_eq=b, bounds=(0, None), method="highs")
    assert res.status == 0, res.message
    return res.fun


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--time", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.time:
        for k, m in [(17, 512), (20, 4096)]:
            P = rng.dirichlet(np.ones(k), size=m)
            inside = rng.dirichlet(np.ones(m)) @ P
            outside = rng.dirichlet(np.ones(k))
            outside[0] += 1.0
            outside /= outside.sum()
            for name, h in [("inside", inside), ("outside", outside)]:
                t0, n = time.perf_counter(), 0
                while time.perf_counter() - t0 < 2.0:
                    distance(P.T, h)
                    n += 1
                ms = (time.perf_counter() - t0) / n * 1e3
                print(f"hull_k{k}_m{m}_{name}: {ms:.2f} ms (scipy linprog, HiGHS)")
        return
    done = 0
    while done < a.cases:
        k = int(rng.integers(2, 21))
        m = int(rng.integers(1, 300))
        P = rng.dirichlet(np.ones(k), size=m)  # m x k
        if done % 3 == 0:
            h = rng.dirichlet(np.ones(m)) @ P
            d = 0.0
        else:
            h = rng.dirichlet(np.ones(k))
            d = distance(P.T, h)
            if d <= 1e-6:
                continue
        fields = [str(k), str(m)] + [repr(float(v)) for v in P.ravel()]
        fields += [repr(float(v)) for v in h] + [repr(float(d))]
        print(" ".join(fields))
        done += 1


if __name__ == "__main__":
    main()
