#!/usr/bin/env bash
# mixlaw vs scipy fitting the Shukor et al. additive law (k = 7), one run, one thread:
# same data, law, loss (mean Huber 1e-3) and start points; time to reach an objective at
# least as low as scipy's best, and the ratios scipy time / mixlaw time.
#
#   benches/scripts/compare_fit.sh                       # 7 domains, 10 starts (~6 min)
#   DOMAINS=arxiv,github STARTS=10 BH_NITER=100 benches/scripts/compare_fit.sh
#
# 1. runs the `fit_timing` example of mixlaw-benches: mixlaw's random-search start points,
#    L-BFGS from each, the default fit_law basin-hopping, and the default fit path
#    (`owned::fit`, what `mixlaw fit` runs, one thread; screened or not as the library
#    decides), each traced after every local minimisation (median elapsed over REPEATS
#    runs; a screened fit: its end only); prints JSON;
# 2. runs fit_scipy.py --rust-json on it: checks the numpy objective and gradient against
#    mixlaw's at every start, runs scipy L-BFGS-B from the same starts and scipy
#    basinhopping from start 0, and prints the time-to-target tables and the ratios (the
#    default `fit`'s both to scipy's best and for the whole fit).
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1
python=${PYTHON:-python3}
domains=${DOMAINS:-arxiv,book,c4,github,commoncrawl,stackexchange,wikipedia}
starts=${STARTS:-10}
bh_niter=${BH_NITER:-100}
repeats=${REPEATS:-3}
# PROFILE=dist: the Rust side built as the program is installed (link-time optimisation,
# Cargo.toml); default release.
profile=${PROFILE:-release}
# SYNTHETIC=1e-4: synthetic losses on the same runs (see fit_timing); LOCAL=lm|lbfgs|auto:
# basin-hopping's local minimiser. Levenberg-Marquardt from the same starts is always timed.
extra=()
[ -n "${SYNTHETIC:-}" ] && extra+=(--synthetic "$SYNTHETIC")
[ -n "${LOCAL:-}" ] && extra+=(--local "$LOCAL")
# SCREEN_ROWS=N SAMPLE_ROWS=M POLISH=P AGREE_STARTS=A: the default `fit` path's screen and early
# stop (ScreenConfig, BasinConfig::agree_starts; default: the library's).
[ -n "${SCREEN_ROWS:-}" ] && extra+=(--screen-rows "$SCREEN_ROWS")
[ -n "${SAMPLE_ROWS:-}" ] && extra+=(--sample-rows "$SAMPLE_ROWS")
[ -n "${POLISH:-}" ] && extra+=(--polish "$POLISH")
[ -n "${AGREE_STARTS:-}" ] && extra+=(--agree-starts "$AGREE_STARTS")
# MEMORY=100: L-BFGS's most correction pairs (LbfgsConfig::memory; default 30).
[ -n "${MEMORY:-}" ] && extra+=(--memory "$MEMORY")
# INTERPOLATION=more-thuente: L-BFGS's line-search trial rule (LbfgsConfig::interpolation).
[ -n "${INTERPOLATION:-}" ] && extra+=(--interpolation "$INTERPOLATION")
if ! "$python" -c 'import scipy' 2>/dev/null; then
  echo "scipy missing: pip install scipy" >&2
  "$python" -m pip install --quiet scipy
fi
out=$(mktemp -t mixlaw-fit-timing.XXXXXX.json)
trap 'rm -f "$out"' EXIT
echo "== Rust: cargo run --profile $profile -p mixlaw-benches --example fit_timing" \
  "-- --domains $domains --starts $starts --repeats $repeats" >&2
cargo run --profile "$profile" --quiet -p mixlaw-benches --example fit_timing -- \
  --domains "$domains" --starts "$starts" --repeats "$repeats" ${extra[@]+"${extra[@]}"} >"$out"
echo "== scipy: $python benches/scripts/fit_scipy.py --rust-json <rust output> --bh-niter $bh_niter" >&2
"$python" benches/scripts/fit_scipy.py --rust-json "$out" --bh-niter "$bh_niter" \
  ${FIT_OUT:+--out "$FIT_OUT"}
