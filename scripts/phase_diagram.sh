#!/usr/bin/env bash
# Phase diagram of modality competition: the signal strength alpha of
# modality 1 against the insufficient fraction mu of modality 0, around the
# default configuration, 5 x 5 points x 3 seeds (every point a full compare).
#
#   scripts/phase_diagram.sh [DIR] [extra modcomp flags...]
#
# DIR defaults to results/phase-alpha1-mu0. The sweep resumes if DIR holds
# it already, so the script can be re-run after an interruption. The heat
# maps land in DIR/phase_gap.png and DIR/phase_competition.png.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-results/phase-alpha1-mu0}"
shift || true
go run ./cmd/modcomp sweep \
  --seeds 3 --log-every 50 \
  --grid 'alpha[1]=0.3..0.7/0.1' \
  --grid 'mu[0]=0..0.4/0.1' \
  --dir "$dir" "$@"
echo "phase diagrams: $dir/phase_gap.png $dir/phase_competition.png"
