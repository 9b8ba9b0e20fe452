#!/usr/bin/env bash
# A single-node Slurm on localhost, for the integration tests and .ci/run
# that submit real sbatch array jobs. Debian 12, run as root, no systemd.
#
#   scripts/slurm-local.sh [start]   install if missing, start, wait for idle
#   scripts/slurm-local.sh stop      stop the daemons this script started
#   scripts/slurm-local.sh status    exit 0 and print the summary if the node
#                                    is usable, exit 1 otherwise
#
# start installs Debian's slurm-wlm and munge (apt-get, only when sbatch,
# slurmctld, slurmd or munged is missing), starts munged as user munge,
# writes /etc/slurm/slurm.conf for this host, starts slurmctld and slurmd,
# waits (SLURM_LOCAL_TIMEOUT seconds, default 60) until sinfo shows the node
# idle and prints one line on stdout:
#
#   slurm-local: node <host> idle, partition debug, <N> CPUs
#
# Running start again while Slurm is up only prints that line. Progress and
# errors go to stderr; on failure the exit status is non-zero and the tails
# of the slurmctld and slurmd logs are printed.
#
# Unusual settings in the slurm.conf below, and why:
#   SlurmctldHost=<host>(127.0.0.1), NodeAddr=127.0.0.1
#       all traffic stays on loopback and nothing depends on /etc/hosts.
#   ProctrackType=proctrack/linuxproc, TaskPlugin=task/none
#       no cgroup plugins: they need a systemd-managed cgroup tree (and a
#       cgroup.conf) that this machine does not have.
#   SelectType=select/cons_tres, SelectTypeParameters=CR_CPU
#       CPUs are the consumable resource, so a 2-task array with
#       --cpus-per-task=1 runs both tasks at once on a 2-CPU node; memory is
#       not scheduled, so jobs need no --mem.
#   AccountingStorageType=accounting_storage/none, JobAcctGatherType=none
#       no slurmdbd and no database: sacct does not work, so the end state of
#       a job is read from squeue/scontrol while the controller remembers it
#       (see MinJobAge).
#   MinJobAge=3600
#       finished jobs (COMPLETED, FAILED, CANCELLED, TIMEOUT, with exit codes)
#       stay visible to `squeue -j ID -t all` and `scontrol show job ID` for
#       an hour instead of the default 300 s, longer than any test polls;
#       the records are tiny. (Plain squeue never lists finished jobs.)
#   ReturnToService=2
#       a node that was DOWN (e.g. slurmd restarted) comes back by itself as
#       soon as it registers with a valid configuration.
#   SlurmdTimeout=30, SlurmctldTimeout=30, KillWait=5, InactiveLimit=0
#       a dead slurmd is noticed after 30 s rather than 300 s; a cancelled
#       or timed-out task gets SIGKILL 5 s after SIGTERM rather than 30 s;
#       InactiveLimit=0 never kills jobs whose srun went quiet.
#   MailProg=/bin/true
#       Debian has no /bin/mail by default and slurmctld logs "Configured
#       MailProg is invalid" otherwise; jobs here never send mail.
#   SlurmUser=root
#       no slurm system user to create; the daemons and their state belong
#       to root, who runs this script.
#   RealMemory from `slurmd -C`
#       a node whose configured memory exceeds what it has is drained with
#       "Low RealMemory"; the probe reports exactly what slurmd will see.
# slurmctld starts with -c (clean): jobs from an earlier run are forgotten.
# The configuration is written only when slurmctld is not running: after
# changing it here, run `stop` then `start`.
#
# Harmless lines in the logs: "mpi/pmix_v4: ... can not load PMIx library"
# (Debian's plugin looks for libpmix-dev's libpmix.so; no MPI is used here)
# and munged's "Unauthorized credential for client UID=0", which is Slurm
# checking at each daemon start that root cannot decode a credential meant
# for another uid.
set -euo pipefail

readonly PARTITION=debug
readonly CLUSTER=modcomp-local
readonly CONF_DIR=/etc/slurm
readonly CONF=$CONF_DIR/slurm.conf
readonly MARKER="# Written by modcomp scripts/slurm-local.sh"
readonly STATE_DIR=/var/spool/slurmctld
readonly SPOOL_DIR=/var/spool/slurmd
readonly LOG_DIR=/var/log/slurm
readonly RUN_DIR=/run/slurm
readonly CTLD_LOG=$LOG_DIR/slurmctld.log
readonly SLURMD_LOG=$LOG_DIR/slurmd.log
readonly CTLD_PID=$RUN_DIR/slurmctld.pid
readonly SLURMD_PID=$RUN_DIR/slurmd.pid
readonly MUNGE_KEY=/etc/munge/munge.key
readonly MUNGE_PID=/run/munge/munged.pid
# Daemons that this script started, one name a line, for `stop`.
readonly STARTED=$RUN_DIR/slurm-local.started
readonly TIMEOUT=${SLURM_LOCAL_TIMEOUT:-60}

HOST=$(hostname -s)
readonly HOST

say() { echo "slurm-local: $*" >&2; }

# fail prints a reason and exits 1.
fail() {
  say "error: $*"
  exit 1
}

# die prints a reason and the tails of the daemon logs, then exits 1.
die() {
  say "error: $*"
  local f
  for f in "$CTLD_LOG" "$SLURMD_LOG" /var/log/munge/munged.log; do
    if [ -s "$f" ]; then
      echo "---- last lines of $f ----" >&2
      tail -n 15 "$f" >&2
    fi
  done
  exit 1
}

# running NAME PIDFILE: true if the pid file names a live process called
# NAME. A daemon that died can linger as a zombie for a while (PID 1 here is
# not a real init and reaps late), so zombies do not count.
running() {
  local pid stat comm state
  [ -r "$2" ] || return 1
  pid=$(cat "$2" 2>/dev/null) || return 1
  [ -n "$pid" ] || return 1
  # /proc/PID/stat reads "PID (COMM) STATE ..."
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  comm=${stat#*(}
  comm=${comm%%)*}
  state=${stat##*) }
  state=${state%% *}
  [ "$comm" = "$1" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# launch NAME PIDFILE CMD...: run a daemon that forks into the background and
# wait up to 10 s for its pid file to name the live daemon.
launch() {
  local name=$1 pidfile=$2
  shift 2
  say "starting $name"
  rm -f "$pidfile"
  "$@" || die "$name did not start ($* exited $?)"
  mark_started "$name"
  for _ in $(seq 100); do
    running "$name" "$pidfile" && return 0
    sleep 0.1
  done
  die "$name exited right after starting"
}

mark_started() {
  grep -qx "$1" "$STARTED" 2>/dev/null || echo "$1" >>"$STARTED"
}

# ---------------------------------------------------------------- install
install_packages() {
  local missing=()
  local cmd
  for cmd in sbatch squeue scontrol sinfo slurmctld slurmd munged munge; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  say "installing slurm-wlm and munge (missing: ${missing[*]})"
  # The packages' maintainer scripts would start the daemons through their
  # init scripts, before there is a slurm.conf; a policy-rc.d that answers
  # 101 ("action not allowed") stops that. Docker-style images ship one; add
  # a temporary one where there is none.
  local policy=/usr/sbin/policy-rc.d added_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=yes
  fi
  local log rc=0
  log=$(mktemp)
  {
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends -o Dpkg::Use-Pty=0 slurm-wlm munge
  } >"$log" 2>&1 || rc=$?
  [ "$added_policy" = yes ] && rm -f "$policy"
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    fail "apt-get install slurm-wlm munge failed (exit $rc)"
  fi
  rm -f "$log"
  for cmd in "${missing[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || fail "$cmd still missing after install"
  done
}

# ---------------------------------------------------------------- munge
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
  if munge_ok; then
    return 0
  fi
  id munge >/dev/null 2>&1 || fail "user munge does not exist (is the munge package installed?)"
  # munged refuses to start unless its directories belong to munge and are
  # not writable by others.
  install -d -o munge -g munge -m 0700 /etc/munge /var/log/munge
  install -d -o munge -g munge -m 0711 /var/lib/munge
  install -d -o munge -g munge -m 0755 /run/munge
  if [ ! -s "$MUNGE_KEY" ]; then
    say "creating $MUNGE_KEY"
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$MUNGE_KEY" --force
    else
      dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
    fi
  fi
  chown munge:munge "$MUNGE_KEY"
  chmod 0400 "$MUNGE_KEY"
  # --force: start even if a munged killed earlier left its socket behind.
  runuser -u munge -- /usr/sbin/munged --force ||
    die "munged did not start"
  mark_started munged
  for _ in $(seq 50); do
    munge_ok && return 0
    sleep 0.1
  done
  die "munged started but munge -n | unmunge fails"
}

# ---------------------------------------------------------------- config
write_conf() {
  if [ -e "$CONF" ] && ! grep -qxF "$MARKER" "$CONF"; then
    fail "$CONF exists and was not written by this script; move it away first"
  fi
  # slurmd -C prints the node line as slurmd sees the hardware, e.g.
  #   NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
  # followed by an UpTime= line. Keep the hardware fields only.
  local probe hw
  probe=$(slurmd -C 2>&1) || fail "slurmd -C failed: $probe"
  hw=$(echo "$probe" | grep -m1 '^NodeName=' | tr ' ' '\n' |
    grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' |
    tr '\n' ' ')
  case "$hw" in
    *CPUs=*RealMemory=*) ;;
    *) fail "cannot read the node's hardware from slurmd -C: $probe" ;;
  esac

  mkdir -p "$CONF_DIR"
  cat >"$CONF" <<EOF
$MARKER
# for a single-node Slurm on localhost; see the script's header for why.
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$CTLD_LOG
SlurmdLogFile=$SLURMD_LOG
SlurmctldDebug=info
SlurmdDebug=info
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=3600
NodeName=$HOST NodeAddr=127.0.0.1 ${hw}State=UNKNOWN
PartitionName=$PARTITION Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
}

# ---------------------------------------------------------------- state
# node_state prints sinfo's state of this node, e.g. idle, mixed, down*,
# drained, or nothing if the controller does not answer.
node_state() {
  sinfo -h -N -n "$HOST" -p "$PARTITION" -o '%T' 2>/dev/null | head -n1 || true
}

summary() {
  local cpus
  cpus=$(sinfo -h -N -n "$HOST" -o '%c' 2>/dev/null | head -n1 || true)
  echo "slurm-local: node $HOST $(node_state), partition $PARTITION, ${cpus:-?} CPUs"
}

# usable: the controller answers and the node can take jobs.
usable() {
  scontrol ping 2>/dev/null | grep -q 'is UP' || return 1
  case "$(node_state)" in
    idle | mixed | allocated | completing) return 0 ;;
  esac
  return 1
}

wait_idle() {
  local deadline=$((SECONDS + TIMEOUT)) state resumed=no
  while [ "$SECONDS" -lt "$deadline" ]; do
    running slurmctld "$CTLD_PID" || die "slurmctld exited"
    running slurmd "$SLURMD_PID" || die "slurmd exited"
    state=$(node_state)
    case "$state" in
      idle | mixed | allocated) return 0 ;;
      down | drained | draining | drain)
        # down/drained without "*" means slurmd answers but the node was
        # taken out earlier (or by a config mismatch): put it back once.
        if [ "$resumed" = no ]; then
          say "node is $state, resuming it"
          scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true
          resumed=yes
        fi
        ;;
    esac
    sleep 1
  done
  local reason
  reason=$(sinfo -h -N -n "$HOST" -o '%E' 2>/dev/null | head -n1 || true)
  die "node $HOST not idle after ${TIMEOUT}s: state ${state:-unknown (no answer)}, reason ${reason:-none}"
}

# ---------------------------------------------------------------- commands
start() {
  [ "$(id -u)" -eq 0 ] || fail "run as root (it installs packages and starts daemons)"
  install_packages
  install -d -m 0755 "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR" "$RUN_DIR"
  start_munge

  if running slurmctld "$CTLD_PID" && running slurmd "$SLURMD_PID" && usable; then
    summary
    return 0
  fi

  if ! running slurmctld "$CTLD_PID"; then
    write_conf
    : >"$CTLD_LOG"
    launch slurmctld "$CTLD_PID" slurmctld -c
  fi
  if ! running slurmd "$SLURMD_PID"; then
    : >"$SLURMD_LOG"
    launch slurmd "$SLURMD_PID" slurmd -N "$HOST"
  fi
  wait_idle
  summary
}

# stop_daemon NAME PIDFILE: SIGTERM, then wait up to 15 s.
stop_daemon() {
  running "$1" "$2" || return 0
  local pid
  pid=$(cat "$2")
  say "stopping $1 (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 150); do
    running "$1" "$2" || return 0
    sleep 0.1
  done
  say "$1 (pid $pid) did not stop, killing it"
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  [ "$(id -u)" -eq 0 ] || fail "run as root"
  [ -r "$STARTED" ] || { say "nothing to stop"; return 0; }
  # Running jobs' slurmstepd processes are not stopped. munged goes last:
  # both Slurm daemons talk through it until they exit.
  grep -qx slurmd "$STARTED" && stop_daemon slurmd "$SLURMD_PID"
  grep -qx slurmctld "$STARTED" && stop_daemon slurmctld "$CTLD_PID"
  grep -qx munged "$STARTED" && stop_daemon munged "$MUNGE_PID"
  rm -f "$STARTED"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status)
    if usable; then
      summary
    else
      say "slurm is not usable (not started?)"
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 [start|stop|status]" >&2
    exit 2
    ;;
esac
