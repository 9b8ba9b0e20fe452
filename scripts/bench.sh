#!/usr/bin/env bash
# Side-by-side speed of modcomp and its PyTorch peer (torch_peer.py), measured
# in one run on one machine: the two sides alternate round by round (ABBA:
# odd rounds modcomp first, even rounds torch first) and the claims are
# ratios of medians, modcomp/torch (< 1: modcomp is faster). Single timings
# on a shared VM vary by up to 2x; only the ratios are meant to be quoted.
#
#   scripts/bench.sh            one joint (K=2) training step, one thread each,
#                               at the reference (n=200 P=5 d=200 m=10) and
#                               large (n=1000 P=8 d=100 m=20) sizes, float64
#                               and float32
#   scripts/bench.sh compare    the whole default `modcomp compare` against
#                               `torch_peer.py compare`, 2 workers each
#   scripts/bench.sh scale      step time and memory against n, d, m and K
#   scripts/bench.sh openblas   the step of modcomp built with -tags openblas
#                               next to the pure-Go build and torch
#
# Environment: BENCH_ROUNDS (default 3) rounds per measurement; TORCH_PYTHON
# (default /usr/bin/python3, Debian's python3-torch) and TORCH_PEER (default
# /work/shared/peers/torch_peer.py) locate the peer; BENCH_WORKERS (default
# 2) is the worker count of both sides in `compare`.
#
# Output: the ratios first, then the raw times, then the machine (date, CPU,
# Go, torch and the BLAS torch runs on). Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
PY=${TORCH_PYTHON:-/usr/bin/python3}
PEER=${TORCH_PEER:-/work/shared/peers/torch_peer.py}
WORKERS=${BENCH_WORKERS:-2}
MODE=${1:-step}

# One thread each. torch_peer.py calls torch.set_num_threads(1), but that
# does not reach OpenBLAS (torch does not know its generic BLAS is
# OpenBLAS), which would otherwise start one thread per core. The openblas
# build of modcomp needs the same.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "$*" >&2; }

case "$MODE" in
step | compare | scale | openblas) ;;
-h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: $0 [compare|scale|openblas]" >&2; exit 2 ;;
esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer, not '$ROUNDS'"

# ---------------------------------------------------------------------------
# Small numeric helpers (awk: no dependency beyond POSIX tools).

# stats FILE: "median min max" of the numbers in FILE, one per line.
stats() {
  sort -g "$1" | awk '{v[NR] = $1}
    END {
      if (NR == 0) { print "nan nan nan"; exit }
      med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.6g %.6g %.6g\n", med, v[1], v[NR]
    }'
}
# median FILE
median() { stats "$1" | awk '{print $1}'; }
# div A B: A/B, or "-" when either is missing
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.3f\n", a / b }'; }
# ratio_cell A_FILE B_FILE: "R [lo..mid..hi]": R = median(A) / median(B), the
# claim; lo, mid, hi = min, median and max of the round-by-round ratios A/B,
# which show the noise (the sides of a round ran close together in time)
ratio_cell() {
  paste "$1" "$2" | awk '$2 > 0 { printf "%.6g\n", $1 / $2 }' >"$TMP/pairs"
  echo "$(div "$(median "$1")" "$(median "$2")") $(stats "$TMP/pairs" | awk -v noisy="$NOISY" '{ printf "[%.3f..%.3f..%.3f]%s", $2, $1, $3, ($3 > noisy * $2) ? "*" : "" }')"
}
# A ratio cell gets a * when its round ratios spread by more than this factor.
NOISY=1.25
NOISY_NOTE="A * after a ratio: its rounds' ratios differ by more than 25% (max/min > $NOISY), the machine was
  noisy; when the ratio of medians and the median of the rounds' ratios disagree, prefer the latter, or
  rerun with BENCH_ROUNDS=5."
# fmt_range FILE: "median [min..max]" with 3 decimals
fmt_range() { stats "$1" | awk '{ printf "%.3f [%.3f..%.3f]", $1, $2, $3 }'; }
# est_cost n P d m K: work of one step relative to the reference size
est_cost() { awk -v n="$1" -v p="$2" -v d="$3" -v m="$4" -v k="$5" 'BEGIN { print n * p * d * m * k / (200 * 5 * 200 * 10 * 2) }'; }
# clamp_div NUM COST LO HI: NUM/COST as an integer in [LO, HI]
clamp_div() { awk -v a="$1" -v c="$2" -v lo="$3" -v hi="$4" 'BEGIN { x = int(a / c); if (x < lo) x = lo; if (x > hi) x = hi; print x }'; }

# ---------------------------------------------------------------------------
# The torch side: is it there, which BLAS does it run on.

HAVE_TORCH=no
TORCH_VERSION=-
TORCH_BLAS=-
BLAS_KIND=unknown

# check_torch sets HAVE_TORCH and, when torch imports, TORCH_VERSION,
# TORCH_BLAS and BLAS_KIND (openblas, reference, blis, atlas, mkl, unknown).
check_torch() {
  if [ ! -f "$PEER" ]; then
    log "WARNING: the PyTorch peer $PEER is missing (set TORCH_PEER); modcomp numbers only."
    return
  fi
  if ! "$PY" -c 'import torch' 2>/dev/null; then
    log "WARNING: '$PY -c \"import torch\"' fails: no PyTorch peer, modcomp numbers only."
    log "         Install it with: apt-get install -y python3-torch (then: apt-get install -y libopenblas0,"
    log "         or torch runs on the ~5x slower reference BLAS and the ratios flatter modcomp)."
    return
  fi
  HAVE_TORCH=yes
  # Which library really answers torch's BLAS calls: after a product, read
  # the process's own memory map for the libblas.so.3 it loaded (the
  # alternatives link resolved by the dynamic loader), and ask it for
  # OpenBLAS's configuration and thread count when it is OpenBLAS.
  local probe='
import ctypes, os, torch
torch.set_num_threads(1)
a = torch.randn(64, 64, dtype=torch.float64); a @ a
maps = {l.split()[-1] for l in open("/proc/self/maps") if "/" in l}
blas = sorted(p for p in maps if os.path.basename(p).startswith("libblas.so"))
path = os.path.realpath(blas[0]) if blas else ""
low = path.lower()
kind = "unknown"
for key, name in (("openblas", "openblas"), ("blis", "blis"), ("atlas", "atlas"), ("mkl", "mkl"), ("/blas/", "reference")):
    if key in low:
        kind = name
        break
if any("libmkl" in p for p in maps):
    kind = "mkl"
detail = ""
try:
    lib = ctypes.CDLL(path)
    lib.openblas_get_config.restype = ctypes.c_char_p
    detail = "%s, %d thread(s)" % (lib.openblas_get_config().decode(), lib.openblas_get_num_threads())
except Exception:
    pass
print(torch.__version__)
print(kind)
print(path + (" (" + detail + ")" if detail else ""))
'
  local out
  out=$("$PY" -c "$probe") || die "the BLAS probe of torch failed"
  TORCH_VERSION=$(sed -n 1p <<<"$out")
  BLAS_KIND=$(sed -n 2p <<<"$out")
  TORCH_BLAS=$(sed -n 3p <<<"$out")
  local alt
  alt=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: //p' || true)
  [ -n "$alt" ] && TORCH_BLAS="$TORCH_BLAS; alternatives link libblas.so.3 -> $alt"
  case "$BLAS_KIND" in
  openblas | mkl | blis) ;;
  reference)
    blas_warning "torch runs on the REFERENCE BLAS (libblas3), about 5x slower than OpenBLAS."
    ;;
  *)
    blas_warning "could not tell which BLAS torch uses ($TORCH_BLAS)."
    ;;
  esac
}

BLAS_WARNING=""
blas_warning() {
  BLAS_WARNING="!!! WARNING: $1
!!! The ratios in this report flatter modcomp. Install OpenBLAS (apt-get install -y libopenblas0) and check
!!! update-alternatives --display libblas.so.3-x86_64-linux-gnu points at openblas-pthread."
  log "$BLAS_WARNING"
}

# warn_top: repeat a BLAS warning above the first table of a report.
warn_top() { [ -z "$BLAS_WARNING" ] || printf '%s\n\n' "$BLAS_WARNING"; }

# print_machine: what the numbers were measured on.
print_machine() {
  echo "## machine"
  echo "date        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpu         $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(getconf _NPROCESSORS_ONLN) CPUs online"
  echo "modcomp     commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
  echo "go          $(go version | sed 's/^go version //')"
  if [ "$HAVE_TORCH" = yes ]; then
    echo "torch       $TORCH_VERSION ($PY)"
    echo "torch BLAS  $BLAS_KIND: $TORCH_BLAS"
  else
    echo "torch       not available (apt-get install -y python3-torch): modcomp numbers only"
  fi
  echo "threads     OPENBLAS_NUM_THREADS=$OPENBLAS_NUM_THREADS OMP_NUM_THREADS=$OMP_NUM_THREADS"
  [ -z "$BLAS_WARNING" ] || echo "$BLAS_WARNING"
}

# ---------------------------------------------------------------------------
# Running the two sides.

# build_graph_test OUT [go test flags...]: compile graph's test binary once
# (the same as `go test ./graph -bench ...` without a rebuild per round).
build_graph_test() {
  local out=$1
  shift
  log "building the graph benchmarks${*:+ ($*)} ..."
  go test -c "$@" -o "$out" ./graph || die "go test -c $* ./graph failed"
}

# go_bench BINARY PATTERN BENCHTIME: run one benchmark of graph's test binary
# on one thread (from graph/, as go test would) and print its result line.
go_bench() {
  local bin=$1 pattern=$2 benchtime=$3 out line
  out=$(cd graph && GOMAXPROCS=1 "$bin" -test.run '^$' -test.bench "$pattern" \
    -test.benchmem -test.benchtime "$benchtime" -test.timeout 30m 2>&1) ||
    die "benchmark $pattern failed:
$out"
  line=$(grep '^Benchmark' <<<"$out" | tail -1) || true
  [ -n "$line" ] || die "no benchmark matched $pattern:
$out"
  echo "$line"
}

# bench_field LINE UNIT: the value before UNIT in a benchmark result line.
bench_field() { awk -v u="$2" '{ for (i = 3; i <= NF; i++) if ($i == u) { print $(i - 1); exit } }' <<<"$1"; }

# peer_step n P d m dtype steps: torch's ms per joint step.
peer_step() {
  local out
  out=$("$PY" "$PEER" step --n "$1" --P "$2" --d "$3" --m "$4" --dtype "$5" --steps "$6") ||
    die "torch_peer.py step --n $1 --P $2 --d $3 --m $4 --dtype $5 failed"
  sed -n 's/.*"ms_per_joint_step": *\([0-9.eE+-]*\).*/\1/p' <<<"$out"
}

# peer_steps n P d m: enough torch steps for about a second of timing (torch
# takes about 2.5 ms per reference step with OpenBLAS); it warms up for 20.
peer_steps() { clamp_div 400 "$(est_cost "$1" "$2" "$3" "$4" 2)" 10 400; }

# ---------------------------------------------------------------------------
# Mode step (default) and openblas: one joint training step.

STEP_CONFIGS=("ref_n200_P5_d200_m10 200 5 200 10" "large_n1000_P8_d100_m20 1000 8 100 20")
DTYPES=(float64 float32)

# step_mode SIDES...: SIDES are names of Go builds (go, openblas) plus torch
# when it is there; every round runs each side once per configuration, in
# rotated order.
step_mode() {
  local sides=("$@") r c dt name n p d m key s i k order steps line
  for ((r = 1; r <= ROUNDS; r++)); do
    for c in "${STEP_CONFIGS[@]}"; do
      read -r name n p d m <<<"$c"
      steps=$(peer_steps "$n" "$p" "$d" "$m")
      for dt in "${DTYPES[@]}"; do
        key="$name.$dt"
        # rotate the order by round so that no side always runs first (with
        # two sides: modcomp first in odd rounds, torch first in even ones)
        order=()
        for ((i = 0; i < ${#sides[@]}; i++)); do
          k=$(((i + r - 1) % ${#sides[@]}))
          order+=("${sides[$k]}")
        done
        for s in "${order[@]}"; do
          case "$s" in
          torch)
            peer_step "$n" "$p" "$d" "$m" "$dt" "$steps" >>"$TMP/$key.torch"
            ;;
          *)
            line=$(go_bench "$TMP/graph.$s.test" "^BenchmarkStep\$/^$name\$/^joint\$/^$dt\$" 1s)
            awk -v ns="$(bench_field "$line" ns/op)" 'BEGIN { printf "%.6g\n", ns / 1e6 }' >>"$TMP/$key.$s"
            bench_field "$line" B/op >"$TMP/$key.$s.bytes"
            bench_field "$line" allocs/op >"$TMP/$key.$s.allocs"
            ;;
          esac
          log "round $r/$ROUNDS  $key  $s: $(tail -1 "$TMP/$key.$s") ms"
        done
      done
    done
  done
}

# step_report SIDES...: ratios, then raw times.
step_report() {
  local sides=("$@") c dt name rest key s
  local gosides=()
  for s in "${sides[@]}"; do [ "$s" = torch ] || gosides+=("$s"); done
  warn_top
  echo "# modcomp vs PyTorch: one joint (K=2) full-batch training step, one thread each"
  echo "# $ROUNDS rounds, sides alternating; ratio = median modcomp / median torch (< 1: modcomp faster),"
  echo "# [min..median..max] = the ratios within each round (their spread is the noise)"
  echo
  if [ "$HAVE_TORCH" = yes ]; then
    echo "## ratios"
    printf "%-26s %-8s" config dtype
    for s in "${gosides[@]}"; do printf "  %-35s" "$(label "$s")/torch"; done
    [ ${#gosides[@]} -lt 2 ] || printf "  %-35s" "$(label "${gosides[1]}")/$(label "${gosides[0]}")"
    echo
    for c in "${STEP_CONFIGS[@]}"; do
      read -r name rest <<<"$c"
      for dt in "${DTYPES[@]}"; do
        key="$name.$dt"
        printf "%-26s %-8s" "$name" "$dt"
        for s in "${gosides[@]}"; do
          printf "  %-35s" "$(ratio_cell "$TMP/$key.$s" "$TMP/$key.torch")"
        done
        if [ ${#gosides[@]} -ge 2 ]; then
          printf "  %-35s" "$(ratio_cell "$TMP/$key.${gosides[1]}" "$TMP/$key.${gosides[0]}")"
        fi
        echo
      done
    done
    echo "$NOISY_NOTE"
    echo
  else
    echo "(no torch: ratios skipped; install it with: apt-get install -y python3-torch)"
    echo
  fi
  echo "## raw times: ms per step, median [min..max] over $ROUNDS rounds"
  printf "%-26s %-8s" config dtype
  for s in "${sides[@]}"; do printf "  %-26s" "$(label "$s")"; done
  for s in "${gosides[@]}"; do printf "  %-18s" "$(label "$s") B/op allocs/op"; done
  echo
  for c in "${STEP_CONFIGS[@]}"; do
    read -r name rest <<<"$c"
    for dt in "${DTYPES[@]}"; do
      key="$name.$dt"
      printf "%-26s %-8s" "$name" "$dt"
      for s in "${sides[@]}"; do printf "  %-26s" "$(fmt_range "$TMP/$key.$s")"; done
      for s in "${gosides[@]}"; do printf "  %-18s" "$(cat "$TMP/$key.$s.bytes") B $(cat "$TMP/$key.$s.allocs")"; done
      echo
    done
  done
  echo
}

# label SIDE: the column name of a side.
label() {
  case "$1" in
  go) echo modcomp ;;
  openblas) echo modcomp+openblas ;;
  *) echo "$1" ;;
  esac
}

run_step() {
  build_graph_test "$TMP/graph.go.test"
  local sides=(go)
  if [ "$MODE" = openblas ]; then
    CGO_LDFLAGS="${CGO_LDFLAGS:-} -lopenblas" build_graph_test "$TMP/graph.openblas.test" -tags openblas
    sides+=(openblas)
  fi
  [ "$HAVE_TORCH" = no ] || sides+=(torch)
  step_mode "${sides[@]}"
  step_report "${sides[@]}"
  if [ "$MODE" = openblas ]; then
    echo "modcomp+openblas: graph built with -tags openblas (CGO_LDFLAGS=-lopenblas, OPENBLAS_NUM_THREADS=1):"
    echo "gorgonia's matrix products move to OpenBLAS (see graph/blas_openblas.go); the patch encoder's stay in"
    echo "package kernel, so for this step the two builds should differ only by noise."
    echo "It links $(readlink -f /usr/lib/x86_64-linux-gnu/libopenblas.so.0 2>/dev/null || echo libopenblas.so.0)."
    echo
  fi
  print_machine
}

# ---------------------------------------------------------------------------
# Mode compare: the whole default `modcomp compare`.

# wall CMD...: run CMD with stdout to $TMP/wall.out, print its wall seconds.
wall() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$TMP/wall.out" || die "$* failed: $(cat "$TMP/wall.out")"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

run_compare() {
  log "building modcomp ..."
  go build -o "$TMP/modcomp" ./cmd/modcomp || die "go build ./cmd/modcomp failed"
  local r s order dir
  for ((r = 1; r <= ROUNDS; r++)); do
    order=(go torch)
    [ $((r % 2)) -eq 1 ] || order=(torch go)
    for s in "${order[@]}"; do
      case "$s" in
      go)
        dir="$TMP/compare.$r"
        wall "$TMP/modcomp" compare --quiet --workers "$WORKERS" --out "$dir" >>"$TMP/cmp.go"
        # the mean test accuracies the run wrote, to show the work was the same
        python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
if s["state"] != "complete":
    sys.exit("modcomp compare ended " + s["state"])
u = {x["modality"]: x["test_acc"] for x in s["unimodal"]}
print("uni m0 %.4f  uni m1 %.4f  joint %.4f" % (u[0], u[1], s["joint"]["test_acc"]))
' "$dir"/*/summary.json >>"$TMP/cmp.go.acc" || die "cannot read $dir/*/summary.json"
        ;;
      torch)
        [ "$HAVE_TORCH" = yes ] || continue
        wall "$PY" "$PEER" compare --workers "$WORKERS" >>"$TMP/cmp.torch"
        python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
a = s["mean_test_acc"]
print("uni m0 %.4f  uni m1 %.4f  joint %.4f" % (a["uni0"], a["uni1"], a["joint"]))
print("%.3f" % s["secs"], file=open(sys.argv[1], "a"))
' "$TMP/cmp.torch.inner" <"$TMP/wall.out" >>"$TMP/cmp.torch.acc"
        ;;
      esac
      log "round $r/$ROUNDS  compare  $s: $(tail -1 "$TMP/cmp.$s") s"
    done
  done
  warn_top
  echo "# modcomp vs PyTorch: the whole default \`modcomp compare\` (5 seeds x 3 networks, 600 steps,"
  echo "# evaluation every 20), $WORKERS worker processes each, wall time of the whole process;"
  echo "# $ROUNDS rounds, sides alternating; ratio = median modcomp / median torch (< 1: modcomp faster),"
  echo "# [min..median..max] = the ratios within each round (their spread is the noise)"
  echo
  if [ "$HAVE_TORCH" = yes ]; then
    echo "## ratio"
    echo "modcomp/torch  $(ratio_cell "$TMP/cmp.go" "$TMP/cmp.torch")"
    echo "$NOISY_NOTE"
    echo
  else
    echo "(no torch: ratio skipped; install it with: apt-get install -y python3-torch)"
    echo
  fi
  echo "## raw: wall seconds, median [min..max]; mean test accuracies over the seeds"
  printf "%-8s %-26s %s\n" side "wall s" "test accuracies"
  printf "%-8s %-26s %s\n" modcomp "$(fmt_range "$TMP/cmp.go")" "$(sort -u "$TMP/cmp.go.acc" | paste -sd '|')"
  if [ "$HAVE_TORCH" = yes ]; then
    printf "%-8s %-26s %s\n" torch "$(fmt_range "$TMP/cmp.torch")" "$(sort -u "$TMP/cmp.torch.acc" | paste -sd '|')"
    echo "(torch's own figure, without interpreter start-up: $(fmt_range "$TMP/cmp.torch.inner") s)"
  fi
  echo "Same data model, sizes and training; different random draws, so the accuracies agree only"
  echo "statistically. modcomp does more per run: all metrics of a Record at every evaluation, linear probes"
  echo "of the encoders, the theory companion, metrics.csv, plots (PNG and SVG) and report.md."
  echo
  print_machine
}

# ---------------------------------------------------------------------------
# Mode scale: step time and memory against n, d, m and K, one axis at a time
# around the reference (n=200, P=5, d=200, m=10, K=2, float64).

# SCALE_CONFIGS must match scaleConfigs in graph/scale_bench_test.go
# ("axis n P d m K"); the benchmark is picked by name.
SCALE_CONFIGS=(
  "ref 200 5 200 10 2"
  "n 500 5 200 10 2" "n 1000 5 200 10 2" "n 2000 5 200 10 2" "n 5000 5 200 10 2"
  "d 200 5 50 10 2" "d 200 5 500 10 2" "d 200 5 1000 10 2" "d 200 5 2000 10 2"
  "m 200 5 200 30 2" "m 200 5 200 60 2"
  "K 200 5 200 10 3" "K 200 5 200 10 4"
)

# peer_rss_kb ARGS...: peak RSS in KB of one peer process.
peer_rss_kb() {
  /usr/bin/time -f %M -o "$TMP/rss" "$@" >"$TMP/rss.out" || die "$* failed: $(cat "$TMP/rss.out")"
  tail -1 "$TMP/rss"
}

run_scale() {
  build_graph_test "$TMP/graph.go.test"
  local base_kb=- tiny_kb=- r c axis n p d m k key cost gosteps tsteps line order s
  if [ "$HAVE_TORCH" = yes ]; then
    [ -x /usr/bin/time ] || die "/usr/bin/time is needed for torch's peak RSS (apt-get install -y time)"
    base_kb=$(peer_rss_kb "$PY" -c 'import torch')
    tiny_kb=$(peer_rss_kb "$PY" "$PEER" step --n 1 --P 1 --d 1 --m 1 --steps 1)
  fi
  for ((r = 1; r <= ROUNDS; r++)); do
    for c in "${SCALE_CONFIGS[@]}"; do
      read -r axis n p d m k <<<"$c"
      key="scale.$n.$d.$m.$k"
      cost=$(est_cost "$n" "$p" "$d" "$m" "$k")
      gosteps=$(clamp_div 1000 "$cost" 10 1000) # modcomp: ~1 ms per reference step
      tsteps=$(peer_steps "$n" "$p" "$d" "$m")
      order=(go torch)
      [ $((r % 2)) -eq 1 ] || order=(torch go)
      for s in "${order[@]}"; do
        case "$s" in
        go)
          line=$(go_bench "$TMP/graph.go.test" "^BenchmarkScale\$/^n=$n\$/^d=$d\$/^m=$m\$/^K=$k\$" "${gosteps}x")
          bench_field "$line" ms/step >>"$TMP/$key.go"
          bench_field "$line" data_MB >"$TMP/$key.data"
          bench_field "$line" net_MB >>"$TMP/$key.net"
          bench_field "$line" mem/data >>"$TMP/$key.memratio"
          ;;
        torch)
          # the peer has no K option: its networks are always K=2
          if [ "$HAVE_TORCH" = no ] || [ "$k" != 2 ]; then continue; fi
          peer_rss_kb "$PY" "$PEER" step --n "$n" --P "$p" --d "$d" --m "$m" --dtype float64 --steps "$tsteps" >>"$TMP/$key.rss"
          sed -n 's/.*"ms_per_joint_step": *\([0-9.eE+-]*\).*/\1/p' "$TMP/rss.out" >>"$TMP/$key.torch"
          ;;
        esac
        [ ! -s "$TMP/$key.$s" ] || log "round $r/$ROUNDS  scale $axis n=$n d=$d m=$m K=$k  $s: $(tail -1 "$TMP/$key.$s") ms"
      done
    done
  done
  warn_top
  echo "# modcomp vs PyTorch at scale: one joint full-batch training step, float64, one thread each;"
  echo "# one axis at a time around the reference n=200 P=5 d=200 m=10 K=2. $ROUNDS rounds, sides alternating."
  echo "# ratio = median modcomp ms / median torch ms (< 1: modcomp faster); [min..median..max] = the ratios"
  echo "# within each round (their spread is the noise)."
  echo "# The peer has no K option (its networks are always K=2): K=3,4 rows are modcomp only."
  echo
  printf "%-4s %5s %5s %3s %2s | %-28s | %-24s %-26s | %8s %7s %9s | %8s %10s\n" \
    axis n d m K "ratio modcomp/torch" "modcomp ms/step" "torch ms/step" "data MB" "net MB" "(net+d)/d" "torch MB" "torch MB/d"
  for c in "${SCALE_CONFIGS[@]}"; do
    read -r axis n p d m k <<<"$c"
    key="scale.$n.$d.$m.$k"
    local ratio="-" tms="-" tmb="-" tmbd="-" data
    data=$(cat "$TMP/$key.data")
    if [ -s "$TMP/$key.torch" ]; then
      ratio=$(ratio_cell "$TMP/$key.go" "$TMP/$key.torch")
      tms=$(fmt_range "$TMP/$key.torch")
      tmb=$(awk -v kb="$(median "$TMP/$key.rss")" -v b="$base_kb" 'BEGIN { printf "%.1f", (kb - b) / 1024 }')
      tmbd=$(div "$tmb" "$data")
    fi
    printf "%-4s %5s %5s %3s %2s | %-28s | %-24s %-26s | %8.2f %7.2f %9.3f | %8s %10s\n" \
      "$axis" "$n" "$d" "$m" "$k" "$ratio" "$(fmt_range "$TMP/$key.go")" "$tms" \
      "$data" "$(median "$TMP/$key.net")" "$(median "$TMP/$key.memratio")" "$tmb" "$tmbd"
  done
  echo "$NOISY_NOTE"
  echo
  echo "data MB    the training inputs, n*P*d*K*8 bytes (float64)."
  echo "net MB     modcomp's memory per network beyond its data: live heap (Go's HeapAlloc after runtime.GC)"
  echo "           with the network and trainer built and one step run, minus the live heap with only the"
  echo "           dataset drawn (BenchmarkScale in graph/scale_bench_test.go). Later steps allocate ~nothing."
  echo "(net+d)/d  (net MB + data MB) / data MB: the issue's target is at most 1.5."
  if [ "$HAVE_TORCH" = yes ]; then
    echo "torch MB   ROUGH: the peer's peak RSS (/usr/bin/time -f %M; median over rounds) minus the RSS of a bare"
    echo "           '$PY -c \"import torch\"' ($((base_kb / 1024)) MB). It includes the peer's data, its autograd"
    echo "           graph at the peak of a step, the data generation's temporaries and torch's first-use costs: a"
    echo "           1-sample peer (n=P=d=m=1) already peaks at $(((tiny_kb - base_kb) / 1024)) MB above the bare import."
    echo "torch MB/d torch MB / data MB: compare with (net+d)/d."
  fi
  echo
  print_machine
}

# ---------------------------------------------------------------------------

check_torch
case "$MODE" in
step | openblas) run_step ;;
compare) run_compare ;;
scale) run_scale ;;
esac
