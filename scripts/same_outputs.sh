#!/usr/bin/env bash
# Checks that two revisions of modcomp produce byte-identical results: the
# metrics.csv, summary.json, sweep.csv and report files of a fixed set of
# small runs (compare on the default configuration, train, a 2 x 2 sweep,
# an NPY dataset with an MLP encoder, and the training methods). A change
# that only reorganises code must pass it.
#
#   scripts/same_outputs.sh REV [REV2]
#
# REV and REV2 are git revisions; REV2 defaults to the working tree. Each is
# built in a temporary git worktree (the working tree is built in place).
# Exit 0 when every file is identical, 1 with a diff of the first lines of
# each file that differs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 REV [REV2]" >&2; exit 2; }

tmp=$(mktemp -d)
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  local w
  for w in "$tmp"/src-*; do
    if [ -d "$w" ]; then git worktree remove --force "$w" >/dev/null 2>&1 || true; fi
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# build REV NAME: builds modcomp at REV ("" for the working tree) into $tmp/NAME.
build() {
  local rev=$1 name=$2 src=.
  if [ -n "$rev" ]; then
    src="$tmp/src-$name"
    git worktree add --detach --quiet "$src" "$rev"
  fi
  (cd "$src" && go build -o "$tmp/$name" ./cmd/modcomp)
}

# runall BIN OUT: the fixed set of runs, each into its own directory of OUT,
# with paths relative to OUT so that the reports name the same files.
runall() {
  local bin=$1 common=(--quiet --workers 2)
  mkdir -p "$2"
  (
    cd "$2"
    "$bin" compare "${common[@]}" --out compare --name default >/dev/null
    "$bin" train "${common[@]}" --modalities 0,1 --seeds 2 --steps 100 --out train --name joint >/dev/null
    "$bin" sweep "${common[@]}" --seeds 2 --steps 100 --log-every 50 \
      --grid 'alpha[1]=0.4,0.6' --grid 'mu[0]=0.1,0.3' --dir sweep >/dev/null
    "$bin" data export --seed 3 --n-train 120 --n-val 60 --n-test 80 npy-data >/dev/null
    "$bin" compare "${common[@]}" --data npy-data --encoder mlp --hidden 16 --optimizer adam --lr 0.01 \
      --seeds 2 --steps 100 --out npy --name mlp >/dev/null
    "$bin" compare "${common[@]}" --methods naive,ume,umt,ogm-ge,alternating,gblend --seeds 2 --steps 100 \
      --out methods --name methods >/dev/null
  )
}

build "$1" a
if [ $# -ge 2 ]; then build "$2" b; else build "" b; fi
runall "$tmp/a" "$tmp/out-a"
runall "$tmp/b" "$tmp/out-b"

status=0
checked=0
while IFS= read -r f; do
  rel=${f#"$tmp/out-a/"}
  # Run directories are named after the time they were made: match by the
  # path with the timestamp taken out.
  pattern=$(sed -E 's#/[0-9]{8}T[0-9]{6}Z(-[^/]*)?/#/*/#' <<<"$rel")
  # shellcheck disable=SC2086 # the pattern is meant to glob
  other=$(compgen -G "$tmp/out-b/"$pattern | head -n 1 || true)
  checked=$((checked + 1))
  if [ -z "$other" ]; then
    echo "missing in the second revision: $rel"
    status=1
  elif ! cmp -s "$f" "$other"; then
    echo "differs: $rel"
    diff "$f" "$other" | head -n 6 || true # diff exits 1, which pipefail would turn into an exit
    status=1
  fi
done < <(find "$tmp/out-a" -type f \( -name metrics.csv -o -name summary.json -o -name sweep.csv -o -name sweep.md -o -name report.md \) | sort)

if [ "$status" -eq 0 ]; then
  echo "same outputs: $checked files identical"
fi
exit "$status"
