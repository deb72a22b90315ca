#!/usr/bin/env bash
# Rust vs numpy, one run: value + gradient (and value only) of the `additive` and `joint`
# objectives, k = 7, on the same 2,200 Shukor et al. rows, single-threaded, ns per row,
# each side both row by row and grouped (factors once per distinct h, N, D).
#
#   benches/scripts/compare_laws.sh            # from anywhere in the workspace
#
# 1. builds and runs the `law_timing` example of mixlaw-benches (std::time::Instant,
#    autoranged loop, best of 7 repeats), which prints its values, gradients and
#    timings as JSON, row by row and under "grouped" (Objective::with_groups);
# 2. runs laws_numpy.py (same rows, parameters and formula; timeit, best of 7), which
#    asserts that value and gradient of both Rust modes agree with numpy to 1e-10
#    relative and prints the ns/row of Rust and numpy in both modes and the numpy/Rust
#    ratios: row by row vs per row, grouped vs grouped (like for like), and numpy per
#    row vs Rust grouped.
# PROFILE=dist: the Rust side built as the program is installed (`--profile dist`: link-time
# optimisation, Cargo.toml); default release.
# Data: $MIXLAW_DATA, else ../shared/data beside the workspace. Without the data both
# sides print a skip notice and nothing is timed.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export MIXLAW_DATA="${MIXLAW_DATA:-$(cd "$root/.." && pwd)/shared/data}"
# One thread for every numeric library (numpy's BLAS); Rust is single-threaded anyway.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1 \
  VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1

python=${PYTHON:-python3}
if ! "$python" -c 'import numpy' 2>/dev/null; then
  echo "numpy missing: pip install numpy" >&2
  "$python" -m pip install --quiet numpy
fi

out=$(mktemp -t mixlaw-law-timing.XXXXXX.json)
trap 'rm -f "$out"' EXIT

profile=${PROFILE:-release}
echo "== Rust: cargo run --profile $profile -p mixlaw-benches --example law_timing" >&2
cargo build --profile "$profile" --quiet -p mixlaw-benches --example law_timing
status=0
cargo run --profile "$profile" --quiet -p mixlaw-benches --example law_timing >"$out" || status=$?
if [ "$status" -eq 2 ]; then
  echo "compare_laws.sh: SKIPPED (no data, see the notice above)" >&2
  exit 0
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi

echo "== numpy: $python benches/scripts/laws_numpy.py --rust-json <rust output>" >&2
"$python" "$root/benches/scripts/laws_numpy.py" --rust-json "$out"
