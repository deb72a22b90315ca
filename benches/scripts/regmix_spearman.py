#!/usr/bin/env python3
"""Side by side: mixlaw's Spearman against scipy.stats.spearmanr on the same predictions.

RegMix's runs (`regmix/` of the shared data): for each law, `mixlaw fit` on the 512 1M
training runs (Pile-CC loss, weights rescaled with --normalize, least squares) with each
test split (1M, 60M, 1B; mixtures joined to losses on `index` here) as --eval; the program's
eval `spearman` is compared with scipy's on its own eval `predictions` and the observed
losses. Prints one line per law and split, and exits 1 on a difference above 1e-12.

    python3 benches/scripts/regmix_spearman.py [--data ../shared/data] [--laws linear,ye-m4]
        [--mixlaw target/release/mixlaw]
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

from scipy import stats

SPLITS = [
    ("train_1m", "train_mixture_1m.csv", "train_pile_loss_1m.csv"),
    ("1m", "test_mixture_1m.csv", "test_pile_loss_1m.csv"),
    ("60m", "test_mixture_60m.csv", "test_pile_loss_60m.csv"),
    ("1b", "test_mixture_1B.csv", "test_pile_loss_1B.csv"),
]
TARGET = "metric/the_pile_pile_cc_val_loss"


def joined(folder, mix, loss, out):
    """Writes the mixture rows with their Pile-CC loss (inner join on index); returns
    (weight columns, observed losses in row order)."""
    with open(os.path.join(folder, loss)) as f:
        by_index = {r["index"]: r[TARGET] for r in csv.DictReader(f)}
    with open(os.path.join(folder, mix)) as f:
        rows = list(csv.DictReader(f))
    weights = [c for c in rows[0] if c.startswith("train_the_pile_")]
    observed = []
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(weights + ["pile_cc"])
        for r in rows:
            w.writerow([r[c] for c in weights] + [by_index[r["index"]]])
            observed.append(float(by_index[r["index"]]))
    return weights, observed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("MIXLAW_DATA", "../shared/data"))
    ap.add_argument("--laws", default="linear,ye-m4")
    ap.add_argument("--mixlaw", default="target/release/mixlaw")
    a = ap.parse_args()
    folder = os.path.join(a.data, "regmix")
    tmp = tempfile.mkdtemp(prefix="mixlaw-regmix-")
    files, observed = {}, {}
    for name, mix, loss in SPLITS:
        files[name] = os.path.join(tmp, name + ".csv")
        weights, observed[name] = joined(folder, mix, loss, files[name])
    worst = 0.0
    print(f"{'law':<12} {'split':<4} {'mixlaw':>20} {'scipy':>20} {'difference':>10}")
    for law in a.laws.split(","):
        for split in ["1m", "60m", "1b"]:
            cmd = [a.mixlaw, "fit", "--law", law, "--train", files["train_1m"],
                   "--eval", files[split], "--weights", ",".join(weights),
                   "--loss", "pile_cc", "--normalize", "--loss-fn", "squared",
                   "--starts", "8", "--hops", "2", "--json", "--quiet"]
            j = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                          text=True).stdout)
            ours = j["eval"]["spearman"]
            theirs = stats.spearmanr(j["eval"]["predictions"], observed[split]).statistic
            worst = max(worst, abs(ours - theirs))
            print(f"{law:<12} {split:<4} {ours!r:>20} {float(theirs)!r:>20} "
                  f"{abs(ours - theirs):>10.1e}")
    print(f"largest difference {worst:.1e}")
    sys.exit(0 if worst <= 1e-12 else 1)


if __name__ == "__main__":
    main()
