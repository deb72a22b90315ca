#!/usr/bin/env bash
# Before / after check of the published reproductions: do two commits print the same figures?
#
#   benches/scripts/compare_reproductions.sh BASE NEW [NAME ...]
#
# 1. checks out BASE and NEW (any commit-ish) in two detached worktrees under $WORK, each
#    with its own target dir, and builds each one's release `mixlaw` from clean sources (no
#    binary of another commit, no stale build of a shared target dir, can be mistaken for it);
# 2. runs `mixlaw reproduce NAME --quiet` with each binary, timings stripped
#    (`sed -E 's/seconds[= ][0-9. ]*//g'`), and prints `same NAME` or `DIFF NAME` followed
#    by the changed lines;
# 3. exits 1 when any figure differs, 0 when all agree.
#
# NAMEs default to every reproduction except shukor-select (25-60 min). The printed figures
# do not depend on the thread count (basin-hopping's starts are merged in a fixed order), so
# the runs use all cores the process may use (`taskset -c 0` gives one).
# Env: MIXLAW_DATA (default ../shared/data), WORK (default a new temporary directory),
# KEEP=1 keeps the worktrees, their builds and the outputs (else removed on exit).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
base=$(git rev-parse --verify "$1^{commit}")
new=$(git rev-parse --verify "$2^{commit}")
shift 2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(autoscale capacity-demo capacity-pile4 capacity-table2 epoch-chinchilla
    epoch-bootstrap scalefit-chinchilla vpnls muennighoff infolaw-table6 infolaw-repetition
    shukor-optimum shukor-table8 sldbench-mixture ye-mixing olmix regmix)
fi
data=$(realpath "${MIXLAW_DATA:-../shared/data}")
[ -d "$data" ] || { echo "error: data folder $data not found (set MIXLAW_DATA)" >&2; exit 2; }
work=${WORK:-$(mktemp -d -t mixlaw-reproductions.XXXXXX)}
mkdir -p "$work"
work=$(realpath "$work")
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    for side in base new; do
      [ -d "$work/$side" ] && git worktree remove --force "$work/$side"
    done
    rm -rf "$work"
  fi
}
trap cleanup EXIT
for side in base new; do
  commit=$base
  [ $side = new ] && commit=$new
  git worktree add --quiet --detach "$work/$side" "$commit"
  (cd "$work/$side" && cargo build --release --quiet -p mixlaw-cli)
  echo "$side: $(git -C "$work/$side" log --oneline -1 | cut -c1-72)"
  echo "  binary sha256 $(sha256sum "$work/$side/target/release/mixlaw" | cut -c1-16)"
done
differ=0
for name in "${names[@]}"; do
  for side in base new; do
    MIXLAW_DATA=$data "$work/$side/target/release/mixlaw" reproduce "$name" --quiet 2>&1 |
      sed -E 's/seconds[= ][0-9. ]*//g' >"$work/$name.$side.txt" || true
  done
  if cmp -s "$work/$name.base.txt" "$work/$name.new.txt"; then
    echo "same $name"
  else
    echo "DIFF $name"
    diff "$work/$name.base.txt" "$work/$name.new.txt" || true
    differ=1
  fi
done
[ "${KEEP:-0}" = 1 ] && echo "outputs and worktrees kept in $work"
exit $differ
