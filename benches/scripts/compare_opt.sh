#!/usr/bin/env bash
# Rust (mixlaw-opt) vs scipy SLSQP, one run: solve the k = 7 joint-law mixture problem
# at N = 7e9, D = 150e9 from the uniform mixture, single-threaded, median microseconds
# per solve; prints the scipy / Rust ratio.
#
#   benches/scripts/compare_opt.sh            # from anywhere in the workspace
#
# 1. runs the `opt_timing` example of mixlaw-benches (gap 1e-10), which prints JSON;
# 2. runs opt_scipy.py --rust-json on it (same parameters and budget, checked), which
#    times SLSQP at ftol 1e-6 and 1e-15 and reports gaps, objectives and ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1
python=${PYTHON:-python3}
if ! "$python" -c 'import scipy' 2>/dev/null; then
  echo "scipy missing: pip install scipy" >&2
  "$python" -m pip install --quiet scipy
fi
out=$(mktemp -t mixlaw-opt-timing.XXXXXX.json)
trap 'rm -f "$out"' EXIT
echo "== Rust: cargo run --release -p mixlaw-benches --example opt_timing" >&2
cargo run --release --quiet -p mixlaw-benches --example opt_timing >"$out"
cat "$out" >&2
echo "== scipy: $python benches/scripts/opt_scipy.py --rust-json <rust output>" >&2
"$python" benches/scripts/opt_scipy.py --rust-json "$out"
