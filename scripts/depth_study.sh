#!/usr/bin/env bash
# Depth study: what a deeper encoder does to modality competition. The
# paper's patch encoder at depth L = 1, 2, 3, 4 (--depth: L-1 residual blocks
# h + V srelu(U h) of 64 units below the paper's class heads; depth 1 is the
# paper's encoder) and the mlp encoder with its defaults, 5 seeds each (1-5),
# in two regimes:
#
#   default  mu = 0.1,0.02: modality 1 alone beats modality 0 alone by about
#            4 points of test accuracy
#   mu0-0.3  mu = 0.3,0.02: modality 0 is insufficient three times as often,
#            and modality 1 alone wins by about 14 points
#
#   scripts/depth_study.sh [DIR] [extra modcomp flags...]
#
# DIR defaults to results/depth-study. It gets three sweep directories:
#
#   DIR/default/  depth = 1..4, patch encoder, default regime
#   DIR/mu0-0.3/  depth = 1..4, patch encoder, mu = 0.3,0.02
#   DIR/mlp/      the mlp encoder (its defaults), mu[0] = 0.1 and 0.3
#
# each with sweep.csv, sweep.md and the figures against the swept value:
# sweep_accuracy.png (accuracies and the gap), sweep_probe.png (what each
# joint encoder's linear probe keeps of its accuracy above chance alone),
# sweep_escape.png (each modality's escape step, alone and jointly; the
# patch encoder only: an mlp has no class heads to align).
#
# Every sweep resumes if its directory holds it already, so the script can be
# re-run after an interruption (and re-running it on a complete study only
# redraws the aggregate, in seconds). It takes about 15 minutes on 2 cores:
# 14.6 min measured while other jobs shared them (the two depth sweeps 8.0 and
# 3.7 min for the same work, the load differing; the mlp 2.8 min). Depth 4
# costs about six times depth 1. On a shared machine, run it as
# nice -n 19 scripts/depth_study.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-results/depth-study}"
shift || true
common=(--seeds 5 --seed 1 --log-every 50)
go run ./cmd/modcomp sweep "${common[@]}" --mu 0.1,0.02 --grid depth=1,2,3,4 \
  --dir "$dir/default" "$@"
go run ./cmd/modcomp sweep "${common[@]}" --mu 0.3,0.02 --grid depth=1,2,3,4 \
  --dir "$dir/mu0-0.3" "$@"
go run ./cmd/modcomp sweep "${common[@]}" --encoder mlp --grid 'mu[0]=0.1,0.3' \
  --dir "$dir/mlp" "$@"
for d in default mu0-0.3; do
  echo "depth, $d regime: $dir/$d/sweep_accuracy.png $dir/$d/sweep_probe.png $dir/$d/sweep_escape.png"
done
echo "mlp: $dir/mlp/sweep.md"
