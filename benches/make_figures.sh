#!/usr/bin/env bash
# The README's pictures, made from the real data by the program itself:
#
#   benches/make_figures.sh        # from anywhere in the workspace; MIXLAW_DATA or ../shared/data
#
# 1. `mixlaw fit`: the joint law (Shukor et al. eq 2.5) on Shukor et al.'s 2,449 SlimPajama
#    runs (7 domains, N = 122M..2.7B), target the OpenHermes validation loss (not a training
#    domain), 8 starts x 1 hop;
# 2. `mixlaw plot fit`: its predictions against the observed losses, coloured by N
#    -> docs/figures/fit_joint_openhermes.svg;
# 3. `mixlaw plot optimum`: h* (every domain >= 2 %, the smallest training weight) over 40 budgets from N = 122M, D = 2.4B
#    to N = 30B, D = 600B (20 tokens per parameter) -> docs/figures/optimum_joint_openhermes.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${MIXLAW_DATA:-../shared/data}
csv="$data/shukor2025/dmsl_llm_slimpajama.csv"
cargo build --release --quiet -p mixlaw-cli
M=target/release/mixlaw
W=weight_arxiv,weight_book,weight_c4,weight_github,weight_commoncrawl,weight_stackexchange,weight_wikipedia
COLS=(--weights "$W" --loss openhermes_loss --n model_size --d n_tokens)
params=$(mktemp -t mixlaw-joint.XXXXXX.json)
trap 'rm -f "$params"' EXIT
mkdir -p docs/figures
$M fit --law joint --train "$csv" "${COLS[@]}" --starts 8 --hops 1 --quiet --out "$params"
$M plot fit --params "$params" --csv "$csv" "${COLS[@]}" --out docs/figures/fit_joint_openhermes.svg
$M plot optimum --params "$params" --n-range 1.22e8:3e10 --d-range 2.44e9:6e11 \
  --min-weight 0.02 --points 40 --out docs/figures/optimum_joint_openhermes.svg
