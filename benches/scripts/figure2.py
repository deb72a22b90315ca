#!/usr/bin/env python3
"""Plots Figure 2 of Shukor et al. 2025 on the SlimPajama runs from the CSV printed by
`cargo run --release -p mixlaw-benches --example figure2` (columns law, domain, method,
seed, call, best): the best objective so far against the number of L-BFGS calls, median
(bold line) and 25-75 % quantiles (shaded) over the seeds, basin-hopping against repeated
random-search L-BFGS starts.

Left panel: the objective (mean Huber 1e-3). Right panel: its excess over the lowest
value any run reached, relative, on a log scale (floored at 1e-12), where the differences
between local minima are visible.

Usage: python3 figure2.py CSV [--out benches/figures/figure2.png] [--summary FILE]
--summary writes the plotted curves (call, method, q25, median, q75) as CSV.
"""

import argparse
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

LABELS = {
    "basin_hopping": "basin-hopping (1 random-search start, then hops)",
    "random_starts": "repeated L-BFGS from random-search starts",
}
COLORS = {"basin_hopping": "tab:blue", "random_starts": "tab:orange"}
FLOOR = 1e-12


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("csv")
    ap.add_argument("--out", default="benches/figures/figure2.png")
    ap.add_argument("--summary")
    args = ap.parse_args()
    curves = defaultdict(dict)  # method -> seed -> list of (call, best)
    law = domain = None
    with open(args.csv) as f:
        for row in csv.DictReader(f):
            law, domain = row["law"], row["domain"]
            curves[row["method"]].setdefault(int(row["seed"]), []).append(
                (int(row["call"]), float(row["best"]))
            )
    arrays = {}
    for method, seeds in curves.items():
        arrays[method] = np.array([[b for _, b in sorted(v)] for _, v in sorted(seeds.items())])
    best = min(a.min() for a in arrays.values())
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    summary = []
    for method in ("random_starts", "basin_hopping"):
        if method not in arrays:
            continue
        a = arrays[method]
        calls = np.arange(1, a.shape[1] + 1)
        q25, med, q75 = np.quantile(a, [0.25, 0.5, 0.75], axis=0)
        for c, lo, m, hi in zip(calls, q25, med, q75):
            summary.append((c, method, lo, m, hi))
        label = f"{LABELS.get(method, method)} ({a.shape[0]} seeds)"
        color = COLORS.get(method)
        axes[0].plot(calls, med, lw=2.2, color=color, label=label)
        axes[0].fill_between(calls, q25, q75, color=color, alpha=0.25, lw=0)
        rel = lambda x: np.maximum((x - best) / best, FLOOR)  # noqa: E731
        axes[1].plot(calls, rel(med), lw=2.2, color=color, label=label)
        axes[1].fill_between(calls, rel(q25), rel(q75), color=color, alpha=0.25, lw=0)
    axes[0].set_ylabel("Huber loss (mean, delta = 1e-3)")
    axes[0].ticklabel_format(axis="y", style="sci", scilimits=(0, 0), useOffset=False)
    axes[1].set_yscale("log")
    axes[1].set_ylabel(f"(loss - best) / best, best = {best:.7e}")
    for ax in axes:
        ax.set_xlabel("number of L-BFGS calls")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(
        f"Shukor et al. Figure 2 on SlimPajama: {law} law, k = 7, target {domain} "
        f"(median and 25-75 % quantiles)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}", file=sys.stderr)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write("call,method,q25,median,q75\n")
            for c, m, lo, med, hi in summary:
                f.write(f"{c},{m},{lo!r},{med!r},{hi!r}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
