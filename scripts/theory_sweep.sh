#!/usr/bin/env bash
# The theory companion against training: the signal strength of modality 1
# swept around that of modality 0 (alpha 0.5), both always sufficient
# (mu = 0), so that near a ratio of 1 the initial weights decide which
# modality escapes first. 9 points x 8 seeds, learning rate 0.2 so that the
# escape takes dozens of steps and its timing can be told apart.
#
#   scripts/theory_sweep.sh [DIR] [extra modcomp flags...]
#
# DIR defaults to results/theory-ratio (resumed if it holds the sweep).
# sweep.csv has, per point and seed, the predicted and observed escape steps
# and whether the predicted winner won; theory_escape.png plots predicted
# against observed escape steps, theory_accuracy.png the prediction accuracy
# against the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-results/theory-ratio}"
shift || true
go run ./cmd/modcomp sweep \
  --alpha 0.5,0.5 --mu 0,0 --lr 0.2 --neurons 10 --steps 300 --log-every 50 \
  --n-val 200 --n-test 500 --probe=false --seeds 8 \
  --grid 'alpha[1]=0.4..0.6/0.025' \
  --dir "$dir" "$@"
echo "theory plots: $dir/theory_escape.png $dir/theory_accuracy.png"
