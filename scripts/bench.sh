#!/usr/bin/env bash
# Benchmarks of the training engine: one training step (uni-modal and joint,
# float64 and float32) at the reference configuration (n=200, P=5, d=200,
# m=10) and a larger one (n=1000, P=8, d=100, m=20), one evaluation pass, and
# optionally a whole default `modcomp compare` with 1 and 2 workers.
#
#   scripts/bench.sh            step and evaluation benchmarks, pure Go
#   scripts/bench.sh openblas   the same with OpenBLAS (needs libopenblas-dev)
#   scripts/bench.sh compare    also the whole default compare (about 3 minutes)
#
# Steps run on one goroutine: set GOMAXPROCS=1 to compare with a one-thread
# PyTorch. OPENBLAS_NUM_THREADS=1 keeps OpenBLAS on one thread too.
set -euo pipefail
cd "$(dirname "$0")/.."

tags=()
compare=no
for arg in "$@"; do
  case "$arg" in
    openblas) tags=(-tags openblas); export CGO_LDFLAGS="${CGO_LDFLAGS:-} -lopenblas" ;;
    compare) compare=yes ;;
    *) echo "usage: $0 [openblas] [compare]" >&2; exit 2 ;;
  esac
done

table() {
  # name ns/op B/op allocs/op -> a short table in ms
  awk '/^Benchmark/ {
    name=$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
    printf "%-52s %10.3f ms %10.0f KB/op %6d allocs/op\n", name, $3/1e6, $5/1024, $7
  }'
}

echo "# step and evaluation (${tags[*]:-pure Go}, GOMAXPROCS=${GOMAXPROCS:-all})"
go test "${tags[@]}" ./graph/ -run '^$' -bench 'Step|Evaluate' -benchmem -benchtime 2s | table

if [ "$compare" = yes ]; then
  echo "# whole default compare"
  go test "${tags[@]}" ./runs/ -run '^$' -bench CompareDefault -benchtime 1x -timeout 30m | table
fi
