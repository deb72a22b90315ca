#!/usr/bin/env bash
# mixlaw vs scipy: 1000 bootstrap refits of the Shukor et al. additive law (k = 7) for one
# target domain, each warm-started from the full-data fit; one run.
#
#   benches/scripts/compare_bootstrap.sh                  # arxiv, 1000 resamples
#   DOMAIN=github RESAMPLES=200 benches/scripts/compare_bootstrap.sh
#
# 1. runs the `bootstrap_timing` example of mixlaw-benches (full fit, then the bootstrap on
#    1 thread and on every core; prints JSON);
# 2. runs bootstrap_scipy.py --rust-json on it: the same number of row resamples, scipy
#    L-BFGS-B from mixlaw's full-data parameters, single-threaded; prints the times and
#    the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1
python=${PYTHON:-python3}
domain=${DOMAIN:-arxiv}
resamples=${RESAMPLES:-1000}
if ! "$python" -c 'import scipy' 2>/dev/null; then
  echo "scipy missing: pip install scipy" >&2
  "$python" -m pip install --quiet scipy
fi
out=$(mktemp -t mixlaw-bootstrap-timing.XXXXXX.json)
trap 'rm -f "$out"' EXIT
echo "== Rust: cargo run --release -p mixlaw-benches --example bootstrap_timing" \
  "-- --domain $domain --resamples $resamples" >&2
cargo run --release --quiet -p mixlaw-benches --example bootstrap_timing -- \
  --domain "$domain" --resamples "$resamples" >"$out"
echo "== scipy: $python benches/scripts/bootstrap_scipy.py --rust-json <rust output>" >&2
"$python" benches/scripts/bootstrap_scipy.py --rust-json "$out"
