#!/usr/bin/env bash
# mixlaw vs scipy fitting the Chinchilla law to Epoch's 240 points (Besiroglu et al. 2024),
# one run: Epoch's objective (Huber 1e-3 of log residuals; N, D in billions).
#
#   benches/scripts/compare_chinchilla.sh            # RUNS=20 process runs per mixlaw side
#
# 1. writes the 240 points (the 5 highest losses dropped, D = C / (6 N)) as N,D,loss;
# 2. times the whole `mixlaw fit` process (startup, CSV, fit, metrics, JSON; CPU time from
#    `perf stat` when available, else wall time), default search and `--basin`-equivalent
#    basin-hopping via the `chinchilla_timing` example (fit only, best of 20);
# 3. runs scipy L-BFGS-B with the analytic gradient from 10 starts (fit only, data loaded);
# 4. prints objectives (x240, Epoch's sum) and the ratios scipy / mixlaw.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
python=${PYTHON:-python3}
runs=${RUNS:-20}
data=${MIXLAW_DATA:-../shared/data}
csv_in="$data/epoch_chinchilla/svg_extracted_data.csv"
[ -f "$csv_in" ] || { echo "skip: $csv_in not found (set MIXLAW_DATA)" >&2; exit 0; }
tmp=$(mktemp -d -t mixlaw-chinchilla.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$python" - "$csv_in" "$tmp/epoch240.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cut = sorted(float(r["loss"]) for r in rows)[-5]
with open(sys.argv[2], "w") as f:
    f.write("N,D,loss\n")
    for r in rows:
        if float(r["loss"]) < cut:
            n, c = float(r["Model Size"]), float(r["Training FLOP"])
            f.write(f"{n!r},{c / (6 * n)!r},{float(r['loss'])!r}\n")
PY
# The program as installed (`--profile dist`: link-time optimisation, Cargo.toml); the
# fit-only example in the same profile.
cargo build --profile dist --quiet -p mixlaw-cli -p mixlaw-benches --example chinchilla_timing
cargo build --profile dist --quiet -p mixlaw-cli
bin=target/dist/mixlaw
args=(fit --law chinchilla --train "$tmp/epoch240.csv" --n N --d D --loss loss
  --loss-fn log-huber --n-scale 1e9 --d-scale 1e9 --json --quiet)
objective=$("$bin" "${args[@]}" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["objective"] * 240)')
if command -v perf >/dev/null && perf stat -x, true 2>/dev/null; then
  cpu_ms=$(perf stat -x, -r "$runs" "$bin" "${args[@]}" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}')
  what="CPU (perf stat task-clock, mean of $runs processes)"
else
  start=$(date +%s.%N)
  for _ in $(seq "$runs"); do "$bin" "${args[@]}" >/dev/null; done
  cpu_ms=$(echo "($(date +%s.%N) - $start) * 1000 / $runs" | bc -l)
  what="wall (mean of $runs processes)"
fi
fit_only=$(target/dist/examples/chinchilla_timing --csv "$tmp/epoch240.csv" --repeats 20)
basin=$(target/dist/examples/chinchilla_timing --csv "$tmp/epoch240.csv" --repeats 3 --basin)
scipy=$("$python" benches/scripts/chinchilla_scipy.py --csv "$tmp/epoch240.csv" --starts 10 2>/dev/null)
"$python" - "$objective" "$cpu_ms" "$what" "$fit_only" "$basin" "$scipy" <<'PY'
import json, sys
objective, cpu_ms, what = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
fit, basin, scipy = (json.loads(a) for a in sys.argv[4:7])
print(f"Epoch's objective (sum over 240 points; Epoch: 0.00101827)")
print(f"  mixlaw fit (grid):        {objective:.10e}")
print(f"  basin-hopping (old default): {basin['objective_sum']:.10e}")
print(f"  scipy L-BFGS-B, 10 starts:   {scipy['objective_sum']:.10e}")
print(f"whole `mixlaw fit` process, {what}: {cpu_ms:.2f} ms")
print(f"  fit only (best of 20): grid {fit['seconds'] * 1e3:.2f} ms, {fit['evaluations']} evaluations "
      f"({fit['grid_points']} grid points); basin-hopping {basin['seconds'] * 1e3:.1f} ms, "
      f"{basin['evaluations']} evaluations")
print(f"scipy, 10 starts, fit only: {scipy['cpu_seconds'] * 1e3:.1f} ms CPU, {scipy['seconds'] * 1e3:.1f} ms wall, "
      f"{scipy['evaluations']} evaluations")
print(f"ratio scipy CPU / whole mixlaw process: {scipy['cpu_seconds'] * 1e3 / cpu_ms:.1f}x")
print(f"ratio scipy CPU / mixlaw fit only: {scipy['cpu_seconds'] / fit['seconds']:.1f}x")
PY
