#!/usr/bin/env bash
# Longer fuzz runs: each target in turn for a fixed time, at the lowest CPU priority.
#
#   bash fuzz/long-run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Defaults: 1200 s (20 min) per target, all nine targets. Builds with `-s none` (stable
# toolchain). Each target's corpus grows in fuzz/corpus/<target>/ (not committed); a crash
# lands in fuzz/artifacts/<target>/. Prints libFuzzer's final stats (number of executed
# units, execs per second, coverage, features) and a one-line summary per target.
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-1200}"
shift || true
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(law_eval fit_small simplex_solver csv_reader infolaw capacity schedule cpt_autoscale decisions)

nice -n 19 cargo fuzz build -s none || exit 1
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  start=$(date +%s)
  nice -n 19 cargo fuzz run "$target" -s none -- \
    -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  speed=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  cov=$(grep -E '#[0-9]+.*(DONE|pulse|NEW|REDUCE).*cov:' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*corp: ([0-9]+\/[^ ]+).*/cov \1, ft \2, corpus \3/')
  echo "== $target: exit $rc, $((end - start)) s, runs ${runs:-?}, execs/s ${speed:-?}, ${cov:-coverage ?}"
  grep -E '^stat::|^==[0-9]+== ERROR|^SUMMARY|Test unit written|panicked' "$log"
  rm -f "$log"
done
