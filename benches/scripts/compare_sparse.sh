#!/usr/bin/env bash
# mixlaw vs scipy at many domains: k = 512, 2,000 sparse-mixture runs (each on 2-8 random
# domains) from a known law plus noise, and 500 held-out runs (sparse_domains.py gen).
# One run, one thread: `mixlaw fit` (default search; median of REPEATS runs) and scipy
# L-BFGS-B with the analytic gradient from SCIPY_STARTS random starts, their fit times and
# held-out errors; then `mixlaw optimize` on mixlaw's fit (time, duality gap).
#
#   benches/scripts/compare_sparse.sh                          # linear (RegMix), ~1 min
#   LAW=ye-m1 FIT_FLAGS="--starts 1 --hops 0" SCIPY_STARTS=1 benches/scripts/compare_sparse.sh
#
# (ye-m1 at k = 512 with the default search, 40 starts x 3 local minimisations of 1,025
# parameters, takes hours: see benches/README.md.)
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1
python=${PYTHON:-python3}
law=${LAW:-linear}
domains=${DOMAINS:-512}
repeats=${REPEATS:-3}
scipy_starts=${SCIPY_STARTS:-10}
fit_flags=${FIT_FLAGS:-}
if ! "$python" -c 'import scipy' 2>/dev/null; then
  echo "scipy missing: pip install numpy scipy" >&2
  "$python" -m pip install --quiet numpy scipy
fi
dir=$(mktemp -d -t mixlaw-sparse.XXXXXX)
trap 'rm -rf "$dir"' EXIT
"$python" benches/scripts/sparse_domains.py gen --dir "$dir" --law "$law" --domains "$domains"
cargo build --release --quiet -p mixlaw-cli
mixlaw=target/release/mixlaw
echo "== mixlaw fit --law $law ($domains domains) $fit_flags, $repeats runs" >&2
for i in $(seq "$repeats"); do
  # shellcheck disable=SC2086
  "$mixlaw" fit --law "$law" --train "$dir/train.csv" --eval "$dir/heldout.csv" \
    --weights 'd*' --loss loss --threads 1 --quiet --json --out "$dir/fit.json" $fit_flags \
    >"$dir/fit_$i.json"
done
echo "== scipy L-BFGS-B, $scipy_starts starts" >&2
"$python" benches/scripts/sparse_domains.py fit --dir "$dir" --starts "$scipy_starts" \
  >"$dir/scipy.json"
echo "== mixlaw optimize on the fit" >&2
"$mixlaw" optimize --params "$dir/fit.json" --quiet --json >"$dir/optimize.json"
"$python" - "$dir" "$repeats" <<'EOF'
import json, statistics, sys
d, repeats = sys.argv[1], int(sys.argv[2])
fits = [json.load(open(f"{d}/fit_{i}.json")) for i in range(1, repeats + 1)]
scipy = json.load(open(f"{d}/scipy.json"))
opt = json.load(open(f"{d}/optimize.json"))
ours = statistics.median(f["seconds"] for f in fits)
ev = fits[0]["eval"]
print(f"law {scipy['law']}, {len(opt['h'])} domains")
print(f"{'':24}{'fit s':>10}{'held-out RMSE':>16}{'MRE %':>10}")
print(f"{'mixlaw fit':24}{ours:>10.4f}{ev['rmse']:>16.6g}{ev['mre']:>10.4f}")
print(f"{'scipy L-BFGS-B':24}{scipy['scipy_seconds']:>10.4f}"
      f"{scipy['heldout']['rmse']:>16.6g}{scipy['heldout']['mre']:>10.4f}")
print(f"{'true law':24}{'':>10}{scipy['truth_heldout']['rmse']:>16.6g}"
      f"{scipy['truth_heldout']['mre']:>10.4f}")
runs = ", ".join("%.4f" % f["seconds"] for f in fits)
print(f"ratio scipy / mixlaw: {scipy['scipy_seconds'] / ours:.1f}x (mixlaw runs: {runs} s)")
print(f"mixlaw optimize: {opt['seconds']:.4f} s, gap {opt['gap']:.3g}, "
      f"{opt['iterations']} iterations")
EOF
