#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/run.sh - libsipservlet's example proxy against Kamailio, same load,
# same machine, one run; and the example B2BUA on the same call load. See
# bench/README.md.
#
#   bench/run.sh [--quick] [--ours PATH] [--b2bua PATH] [--logs DIR]
#                [--no-build] [--only calls|register|b2bua] [--no-callgrind]
#                [--no-strace] [--results FILE]
#
# Servers run pinned to CPU 1, every sipp to CPU 0. Every load is bounded in
# count (sipp -m) and in time (sipp -timeout and timeout(1)); every process
# started here is stopped on exit, by its pid.
set -u -o pipefail
# A server that crashes under load must not leave a core file of
# hundreds of MB in the working directory.
ulimit -c 0

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
BUILD="$ROOT/build-bench"

QUICK=0
OURS_BIN=""
B2BUA_BIN=""
LOGDIR=""
DO_BUILD=1
ONLY=""
DO_CALLGRIND=1
DO_STRACE=1
RESULTS=""
ARGS_GIVEN="$*"

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}

while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --ours) OURS_BIN=${2:?--ours needs a path}; shift ;;
    --b2bua) B2BUA_BIN=${2:?--b2bua needs a path}; shift ;;
    --logs) LOGDIR=${2:?--logs needs a directory}; shift ;;
    --no-build) DO_BUILD=0 ;;
    --only) ONLY=${2:?--only needs calls, register or b2bua}; shift ;;
    --no-callgrind) DO_CALLGRIND=0 ;;
    --no-strace) DO_STRACE=0 ;;
    --results) RESULTS=${2:?--results needs a file}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done
case $ONLY in ""|calls|register|b2bua) ;; *) echo "run.sh: --only calls|register|b2bua" >&2; exit 2 ;; esac
# wants LOAD: LOAD (calls, register, b2bua) is part of this run.
wants() { [[ -z $ONLY || $ONLY == "$1" ]]; }
# short_of KIND: the results' key for a load: call, reg, b2b.
short_of() {
  case $1 in calls) echo call ;; register) echo reg ;; b2bua) echo b2b ;; esac
}

# ---- parameters ---------------------------------------------------------
if ((QUICK)); then
  STEP_SECS=2
  CALL_STEPS="500 1000 2000 4000 8000 16000"
  REG_STEPS="500 1000 2000 4000 8000 16000"
  FIXED_SECS=3
  FIXED_DRAIN=0       # quick: deferred transaction cleanup not counted
  IDLE_SECS=2
  SUSTAIN_SECS=0      # quick: no sustained run
  SUSTAIN_TRIES=0
  FIXED_CALL_RATES="1000 2000"
  FIXED_REG_RATES="1000 2000"
  CG_CALLS=60; CG_RATE=20
  CG_REGS=100; CG_REG_RATE=50
  CG_DRAIN_SECS=2
else
  STEP_SECS=10
  CALL_STEPS="250 500 750 1000 1500 2000 2500 3000 4000 5000 6000 7000 8000 9000 10000 12000 14000 16000"
  REG_STEPS=$CALL_STEPS
  FIXED_SECS=10
  FIXED_DRAIN=35      # sofia keeps non-INVITE server transactions 32 s (UDP)
  IDLE_SECS=5
  SUSTAIN_SECS=45
  SUSTAIN_TRIES=4     # rates tried for the sustained run, from the best step down
  FIXED_CALL_RATES="1000 2000 4000"
  FIXED_REG_RATES="1000 2000 4000"
  CG_CALLS=500; CG_RATE=25
  CG_REGS=1000; CG_REG_RATE=50
  CG_DRAIN_SECS=6     # after a callgrind load: Kamailio tm's wait timer is 5 s
fi
NUSERS=10000            # distinct REGISTER users (injection file)
RECV_TIMEOUT_MS=5000
CG_RECV_TIMEOUT_MS=20000
SIPP_BUF=4194304
SERVER_CPU=1
SIPP_CPU=0

# ---- logs and process bookkeeping ----------------------------------------
if [[ -z $LOGDIR ]]; then
  LOGDIR=$(mktemp -d /tmp/sipservlet-bench.XXXXXX) || exit 1
else
  mkdir -p "$LOGDIR" || exit 1
  LOGDIR=$(cd "$LOGDIR" && pwd)
fi
MAIN_LOG="$LOGDIR/run.log"
: >"$MAIN_LOG"

declare -A LIVE=()      # processes started here and not yet reaped: pid -> 1
track() { LIVE[$1]=1; }
untrack() { unset "LIVE[$1]"; }
say() { printf '%s\n' "$*" | tee -a "$MAIN_LOG"; }
note() { printf '%s\n' "$*" >>"$MAIN_LOG"; }
die() { say "run.sh: $*"; exit 1; }

# On exit (normal, error or signal): TERM, then KILL, every process started
# here that is still running, by pid.
cleanup() {
  local pid alive=()
  trap - EXIT INT TERM
  for pid in "${!LIVE[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null && alive+=("$pid")
    fi
  done
  if ((${#alive[@]})); then
    sleep 2
    for pid in "${alive[@]}"; do
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    done
  fi
  echo "run.sh: logs are in $LOGDIR" >&2
}
trap cleanup EXIT
trap 'say "run.sh: interrupted"; exit 130' INT TERM

# run_wait CMD...: runs CMD in the background and waits for it, so that a
# signal to this script is handled at once; returns CMD's status.
run_wait() {
  local pid rc
  "$@" &
  pid=$!
  track "$pid"
  wait "$pid"
  rc=$?
  untrack "$pid"
  return "$rc"
}
nap() { run_wait sleep "$1"; }

now() { date +%s.%N; }
fcalc() { awk "BEGIN { printf \"%s\", $* }"; }     # fcalc 'expr'

# pick_port VAR: the next free UDP+TCP port on 127.0.0.1 (ours listens on
# both) into VAR; each call gives a new one.
NEXT_PORT=$((20000 + (RANDOM % 2000) * 10))
pick_port() {
  local p
  while :; do
    p=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
    ((NEXT_PORT > 60000)) && NEXT_PORT=20000
    if [[ -z $(ss -Hlnu "sport = :$p" 2>/dev/null) && -z $(ss -Hlnt "sport = :$p" 2>/dev/null) ]]; then
      printf -v "$1" '%s' "$p"
      return
    fi
  done
}
udp_bound() { [[ -n $(ss -Hlnu "sport = :$1" 2>/dev/null) ]]; }

# stat_sum "I J ..." PID...: fields I, J... of /proc/PID/stat (counted
# after the command name, 0 = state) summed over the given pids.
stat_sum() {
  local idx=$1 pid stat rest i total=0
  local -a f
  shift
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    read -r -a f <<<"$rest"
    for i in $idx; do total=$((total + f[i])); done
  done
  echo "$total"
}
# utime+stime (clock ticks).
cpu_ticks() { stat_sum "11 12" "$@"; }
CLK_TCK=$(getconf CLK_TCK)
# Minor page faults (fresh pages touched). The user/system split of the CPU
# is not used: sampled by ticks on this VM, it swung from 0 to 92 % kernel
# for the same load.
minor_faults() { stat_sum 7 "$@"; }

# Sum of a "Key:  N kB" line of /proc/PID/status (or smaps_rollup) in kB.
proc_kb_sum() {
  local file=$1 key=$2 pid v total=0
  shift 2
  for pid in "$@"; do
    v=$(awk -v k="$key:" '$1 == k { print $2; exit }' "/proc/$pid/$file" 2>/dev/null)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Field of the last line of a sipp statistics file, by column name.
csv_get() {
  awk -F';' -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i }
    END { if (k && NR > 1) print $k; else print "" }' "$1" 2>/dev/null
}

# ---- servers --------------------------------------------------------------
# start_server WHO MODE TAG [PREFIX...]: WHO ours|kam, MODE
# calls|register|b2bua (b2bua: ours only, the B2BUA instead of the proxy);
# PREFIX (e.g. valgrind ...) goes between taskset and the server. Sets
# SERVER_PID (the main process), SERVER_PIDS (it and its children),
# SERVER_PORT, SERVER_LOG, and for b2bua SERVER_UAS_PORT (the port of its
# --target, where every load's sipp UAS listens). Returns 1 when the server
# does not come up.
SERVER_PID=""; SERVER_PIDS=(); SERVER_PORT=""; SERVER_LOG=""; SERVER_UAS_PORT=""
start_server() {
  local who=$1 mode=$2 tag=$3 wait_s=15 i cfg
  shift 3
  local -a cmd
  (($#)) && wait_s=120
  pick_port SERVER_PORT
  SERVER_UAS_PORT=""
  SERVER_LOG="$LOGDIR/$tag.server.log"
  case $who in
    ours)
      if [[ $mode == b2bua ]]; then
        pick_port SERVER_UAS_PORT
        cmd=("$B2BUA_BIN" --listen "127.0.0.1:$SERVER_PORT"
             --target "sip:uas@127.0.0.1:$SERVER_UAS_PORT")
      else
        cmd=("$OURS_BIN" --listen "127.0.0.1:$SERVER_PORT" --foreign allow --record-route on)
        # No contact limit, as Kamailio's registrar: each sipp run binds
        # from a port of its own, so the steps add a binding per AOR.
        [[ $mode == register ]] && cmd+=(--domain example.com --max-contacts 0)
      fi
      ;;
    kam)
      cfg="$BENCH/kamailio-proxy.cfg"
      [[ $mode == register ]] && cfg="$BENCH/kamailio-registrar.cfg"
      mkdir -p "$LOGDIR/$tag.kamailio-wd"
      cmd=(kamailio -f "$cfg" -D -E -x tlsf -X tlsf -m 4096 -M 64
           -w "$LOGDIR/$tag.kamailio-wd" -l "udp:127.0.0.1:$SERVER_PORT")
      ;;
  esac
  note "start $tag: taskset -c $SERVER_CPU $* ${cmd[*]}"
  taskset -c "$SERVER_CPU" "$@" "${cmd[@]}" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  track "$SERVER_PID"
  SERVER_PIDS=("$SERVER_PID")
  for ((i = 0; i < wait_s * 10; i++)); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      say "  $tag: server exited during startup; $SERVER_LOG:"
      tail -n 15 "$SERVER_LOG" | sed 's/^/    /' | tee -a "$MAIN_LOG"
      wait "$SERVER_PID" 2>/dev/null
      return 1
    fi
    if [[ $who == ours ]]; then
      grep -qs '^ready ' "$SERVER_LOG" && break
    else
      udp_bound "$SERVER_PORT" && break
    fi
    sleep 0.1
  done
  if ((i >= wait_s * 10)); then
    say "  $tag: server not ready after ${wait_s}s; $SERVER_LOG:"
    tail -n 15 "$SERVER_LOG" | sed 's/^/    /' | tee -a "$MAIN_LOG"
    stop_server
    return 1
  fi
  # Kamailio forks its helper processes after binding: let them appear.
  if [[ $who == kam ]]; then
    if (($#)); then sleep 5; else sleep 1; fi
    local child
    for child in $(ps -o pid= --ppid "$SERVER_PID"); do
      SERVER_PIDS+=("$child")
      track "$child"
    done
  fi
  note "  $tag: port $SERVER_PORT${SERVER_UAS_PORT:+, UAS port $SERVER_UAS_PORT}, pids ${SERVER_PIDS[*]}"
  return 0
}

# stop_server [TIMEOUT_S]: SIGTERM, wait, SIGKILL what is left.
stop_server() {
  local limit=${1:-20} i pid
  [[ -z $SERVER_PID ]] && return
  kill -TERM "$SERVER_PID" 2>/dev/null
  for ((i = 0; i < limit * 10; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    say "  server $SERVER_PID did not stop within ${limit}s: SIGKILL"
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  wait "$SERVER_PID" 2>/dev/null
  untrack "$SERVER_PID"
  for pid in "${SERVER_PIDS[@]:1}"; do
    for ((i = 0; i < limit * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    untrack "$pid"
  done
  SERVER_PID=""
  SERVER_PIDS=()
}

server_alive() { [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; }

# Waits (at most 45 s) until the server uses under 5 % of a core: a step
# that overloaded it must not spill into the next one.
wait_idle() {
  local a b i
  for ((i = 0; i < 45; i++)); do
    a=$(cpu_ticks "${SERVER_PIDS[@]}")
    sleep 1
    b=$(cpu_ticks "${SERVER_PIDS[@]}")
    (((b - a) * 100 <= 5 * CLK_TCK)) && return 0
  done
  note "  server still busy after 45 s"
}

# ---- loads ----------------------------------------------------------------
# run_load KIND RATE N TAG [RECV_TIMEOUT_MS]: KIND calls|register|b2bua
# against SERVER_PORT. calls and b2bua are the same call load (uac.xml ->
# server -> uas.xml); for b2bua the UAS listens on SERVER_UAS_PORT, the
# B2BUA's --target, instead of a port of its own. Sets L_OK L_FAIL
# L_CREATED L_RETRANS L_RATE L_PASS L_WHY.
run_load() {
  local kind=$1 rate=$2 n=$3 tag=$4 rt=${5:-$RECV_TIMEOUT_MS}
  local pfx="$LOGDIR/$tag" dur limit uas_pid="" uas_port uac_port i rc
  dur=$(((n + rate - 1) / rate))
  limit=$((rate * 2 > 200 ? rate * 2 : 200))
  local sipp_limit=$((dur + 30 + rt / 1000))
  local -a common=(-i 127.0.0.1 -bind_local -buff_size "$SIPP_BUF" -nostdin
                   -trace_stat -fd 1 -trace_err)
  L_OK=0; L_FAIL=0; L_CREATED=0; L_RETRANS=0; L_RATE=0; L_PASS=0; L_WHY=""
  pick_port uac_port
  if [[ $kind == calls || $kind == b2bua ]]; then
    if [[ $kind == b2bua ]]; then
      uas_port=$SERVER_UAS_PORT
      if udp_bound "$uas_port"; then
        L_WHY="UAS port $uas_port (the B2BUA's --target) is taken by another process"
        return 1
      fi
    else
      pick_port uas_port
    fi
    timeout -k 5 $((sipp_limit + 10)) taskset -c "$SIPP_CPU" \
      sipp -sf "$BENCH/uas.xml" -p "$uas_port" "${common[@]}" \
      -stf "$pfx.uas.csv" -error_file "$pfx.uas.err" -timeout "${sipp_limit}s" \
      >"$pfx.uas.out" 2>&1 &
    uas_pid=$!
    track "$uas_pid"
    for ((i = 0; i < 50; i++)); do
      udp_bound "$uas_port" && break
      kill -0 "$uas_pid" 2>/dev/null || break
      sleep 0.1
    done
    if ! udp_bound "$uas_port"; then
      L_WHY="sipp UAS did not start (see $pfx.uas.out)"
      kill -TERM "$uas_pid" 2>/dev/null; wait "$uas_pid" 2>/dev/null; untrack "$uas_pid"
      return 1
    fi
    run_wait timeout -k 5 $((sipp_limit + 10)) taskset -c "$SIPP_CPU" \
      sipp -sf "$BENCH/uac.xml" -p "$uac_port" "${common[@]}" \
      -key uas_port "$uas_port" -r "$rate" -m "$n" -l "$limit" -recv_timeout "$rt" \
      -stf "$pfx.uac.csv" -error_file "$pfx.uac.err" -timeout "${sipp_limit}s" \
      "127.0.0.1:$SERVER_PORT" >"$pfx.uac.out" 2>&1
    rc=$?
  else
    run_wait timeout -k 5 $((sipp_limit + 10)) taskset -c "$SIPP_CPU" \
      sipp -sf "$BENCH/register.xml" -p "$uac_port" "${common[@]}" \
      -inf "$LOGDIR/users.csv" -r "$rate" -m "$n" -l "$limit" -recv_timeout "$rt" \
      -stf "$pfx.uac.csv" -error_file "$pfx.uac.err" -timeout "${sipp_limit}s" \
      "127.0.0.1:$SERVER_PORT" >"$pfx.uac.out" 2>&1
    rc=$?
  fi
  if [[ -n $uas_pid ]]; then
    sleep 1.2          # one more statistics dump from the UAS
    kill -TERM "$uas_pid" 2>/dev/null
    wait "$uas_pid" 2>/dev/null
    untrack "$uas_pid"
  fi
  L_CREATED=$(csv_get "$pfx.uac.csv" TotalCallCreated)
  if [[ -z $L_CREATED || $L_CREATED == 0 ]]; then
    L_WHY="sipp UAC wrote no statistics, exit $rc (see $pfx.uac.out)"
    return 1
  fi
  L_OK=$(csv_get "$pfx.uac.csv" 'SuccessfulCall(C)')
  L_FAIL=$(csv_get "$pfx.uac.csv" 'FailedCall(C)')
  L_RATE=$(csv_get "$pfx.uac.csv" 'CallRate(C)')
  L_RETRANS=$(csv_get "$pfx.uac.csv" 'Retransmissions(C)')
  if [[ -n $uas_pid ]]; then
    local r2
    r2=$(csv_get "$pfx.uas.csv" 'Retransmissions(C)')
    L_RETRANS=$((L_RETRANS + ${r2:-0}))
  fi
  # Clean: >= 99.9 % of the n calls succeeded, retransmissions (both
  # sipps) under 1 % of n, and sipp kept >= 95 % of the asked rate.
  if ((L_OK * 1000 < n * 999)); then
    L_WHY="$L_OK/$n ok"
  elif ((L_RETRANS * 100 > n)); then
    L_WHY="retransmission storm ($L_RETRANS)"
  elif awk -v a="$L_RATE" -v r="$rate" 'BEGIN { exit !(a < 0.95 * r) }'; then
    L_WHY="rate held at $L_RATE/s"
  else
    L_PASS=1
  fi
  note "  $tag: rate $rate n $n created $L_CREATED ok $L_OK failed $L_FAIL retrans $L_RETRANS achieved $L_RATE/s sipp-exit $rc pass $L_PASS $L_WHY"
  return 0
}

# ---- measurements ---------------------------------------------------------
declare -A R   # results: R[who.figure]

# print_step WHO KIND LABEL RATE N: one line for a load that ran.
print_step() {
  say "$(printf '  %-4s %-8s %-9s %6s/s x %6d: %6s ok, %6s retrans, %8s/s held -> %s' \
    "$1" "$2" "$3" "$4" "$5" "$L_OK" "$L_RETRANS" "$L_RATE" \
    "$( ((L_PASS)) && echo clean || echo "NOT CLEAN: $L_WHY")")"
}

# Fixed rates (CPU per 1000), peak memory, then rising steps to the first
# unclean one, on one server instance; then (full mode) the highest clean
# step again for SUSTAIN_SECS on a fresh instance.
measure_throughput() {
  local who=$1 kind=$2        # kind: calls|register|b2bua
  local short; short=$(short_of "$kind")   # call|reg|b2b
  local rates steps rate n t0 t1 w0 w1 idle_rate best=0 first_fail="" tag try
  if [[ $kind != register ]]; then rates=$FIXED_CALL_RATES; steps=$CALL_STEPS
  else rates=$FIXED_REG_RATES; steps=$REG_STEPS; fi
  say "== $who: $kind: fixed rates $rates/s (${FIXED_SECS} s + ${FIXED_DRAIN} s drain each), then steps of ${STEP_SECS} s"
  if ! start_server "$who" "$kind" "$who-$kind"; then
    R[$who.$short.start]=failed
    return 1
  fi
  # The server's own idle consumption, subtracted over the drains.
  t0=$(cpu_ticks "${SERVER_PIDS[@]}"); w0=$(now)
  nap "$IDLE_SECS"
  t1=$(cpu_ticks "${SERVER_PIDS[@]}"); w1=$(now)
  idle_rate=$(fcalc "($t1 - $t0) / ($w1 - $w0)")
  note "  idle: $idle_rate ticks/s"
  for rate in $rates; do
    n=$((rate * FIXED_SECS))
    tag="$who-$kind-fixed-$rate"
    t0=$(cpu_ticks "${SERVER_PIDS[@]}"); w0=$(now)
    local f0 f1
    f0=$(minor_faults "${SERVER_PIDS[@]}")
    if ! run_load "$kind" "$rate" "$n" "$tag"; then
      say "  $tag: $L_WHY"; continue
    fi
    # Completed transactions are kept, then freed by timers (sofia: 32 s
    # for non-INVITE server transactions over UDP; Kamailio tm: 5 s):
    # that work belongs to these calls too.
    nap "$FIXED_DRAIN"
    t1=$(cpu_ticks "${SERVER_PIDS[@]}"); w1=$(now)
    f1=$(minor_faults "${SERVER_PIDS[@]}")
    R[$who.$short.flt.$rate]=$(fcalc "sprintf(\"%.1f\", $((f1 - f0)) / $n)")
    R[$who.$short.cpu.$rate]=$(fcalc "(($t1 - $t0) - $idle_rate * ($w1 - $w0)) / $CLK_TCK * 1000 / $n")
    R[$who.$short.cpu.$rate.clean]=$L_PASS
    print_step "$who" "$kind" fixed "$rate" "$n"
    say "$(printf '       CPU %.3f s per 1000 (%d ticks in %.0f s, idle %.2f ticks/s)' \
      "${R[$who.$short.cpu.$rate]}" $((t1 - t0)) "$(fcalc "$w1 - $w0")" "$idle_rate")"
    server_alive || { say "  $who died (see $SERVER_LOG)"; R[$who.$short.died]=1; break; }
    wait_idle
  done
  if server_alive; then
    R[$who.$short.hwm.fixed]=$(proc_kb_sum status VmHWM "${SERVER_PIDS[@]}")
    R[$who.$short.pss.fixed]=$(proc_kb_sum smaps_rollup Pss "${SERVER_PIDS[@]}")
  fi
  for rate in $steps; do
    server_alive || break
    n=$((rate * STEP_SECS))
    # An unclean step is tried once more (the machine is shared).
    for try in 1 2; do
      tag="$who-$kind-step-$rate-$try"
      if ! run_load "$kind" "$rate" "$n" "$tag"; then
        say "  $tag: $L_WHY"; L_PASS=0; break
      fi
      print_step "$who" "$kind" "step" "$rate" "$n"
      ((L_PASS)) && break
      server_alive || break
      ((try == 1)) && { say "       once more"; wait_idle; }
    done
    if ((L_PASS)); then best=$rate; else first_fail=$rate; break; fi
    wait_idle
  done
  if ! server_alive; then
    say "  $who died during the steps (see $SERVER_LOG)"
    R[$who.$short.died]=1
  else
    R[$who.$short.hwm.steps]=$(proc_kb_sum status VmHWM "${SERVER_PIDS[@]}")
    R[$who.$short.pss.steps]=$(proc_kb_sum smaps_rollup Pss "${SERVER_PIDS[@]}")
  fi
  R[$who.$short.max]=$best
  R[$who.$short.maxfail]=${first_fail:-none}
  stop_server 60
  ((SUSTAIN_SECS > 0 && best > 0)) || return 0
  # Sustained: long enough for the transactions' timers to fire under load.
  # From the highest clean step down the step list, at most SUSTAIN_TRIES
  # rates.
  local tried="" cands
  cands=$(tr ' ' '\n' <<<"$steps" | awk -v b="$best" '$1 <= b' | sort -rn | head -n "$SUSTAIN_TRIES")
  for rate in $cands; do
    tried=$rate
    n=$((rate * SUSTAIN_SECS))
    tag="$who-$kind-sustained-$rate"
    start_server "$who" "$kind" "$tag" || break
    if run_load "$kind" "$rate" "$n" "$tag"; then
      print_step "$who" "$kind" "sustained" "$rate" "$n"
      if ((L_PASS)); then
        R[$who.$short.sustained]=$rate
        R[$who.$short.hwm.sustained]=$(proc_kb_sum status VmHWM "${SERVER_PIDS[@]}")
        stop_server 60
        return 0
      fi
    else
      say "  $tag: $L_WHY"
    fi
    stop_server 60
  done
  R[$who.$short.sustained]="< $tried"
}

# Total instructions (Ir) in callgrind output files.
cg_total() {
  local f total=0 v
  for f in "$@"; do
    [[ -f $f ]] || continue
    v=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Instructions per call (or REGISTER): a load run of N under callgrind
# minus an idle run as long, divided by N.
measure_callgrind() {
  local who=$1 kind=$2 n rate short
  short=$(short_of "$kind")
  if [[ $kind != register ]]; then n=$CG_CALLS; rate=$CG_RATE; else n=$CG_REGS; rate=$CG_REG_RATE; fi
  say "== $who: $kind under callgrind ($n at $rate/s, then an idle run as long)"
  # LD_BIND_NOW: symbol binding happens at startup, which the idle run
  # cancels, not in the first calls.
  local -a vg=(env LD_BIND_NOW=1 valgrind --tool=callgrind)
  [[ $who == kam ]] && vg+=(--trace-children=yes)
  local pfx="$LOGDIR/cg-$who-$kind" t0 t1 secs load idle
  rm -f "$pfx".load.*.out "$pfx".idle.*.out
  if ! start_server "$who" "$kind" "cg-$who-$kind-load" "${vg[@]}" \
      "--callgrind-out-file=$pfx.load.%p.out"; then
    R[$who.$short.ir]=failed; return 1
  fi
  t0=$(now)
  if ! run_load "$kind" "$rate" "$n" "cg-$who-$kind" "$CG_RECV_TIMEOUT_MS"; then
    say "  callgrind load: $L_WHY"; stop_server 120; R[$who.$short.ir]=failed; return 1
  fi
  nap "$CG_DRAIN_SECS"
  t1=$(now)
  R[$who.$short.ir.ok]="$L_OK/$n ok, $L_RETRANS retrans"
  stop_server 120
  secs=$(fcalc "$t1 - $t0")
  if ! start_server "$who" "$kind" "cg-$who-$kind-idle" "${vg[@]}" \
      "--callgrind-out-file=$pfx.idle.%p.out"; then
    R[$who.$short.ir]=failed; return 1
  fi
  nap "$secs"
  stop_server 120
  load=$(cg_total "$pfx".load.*.out)
  idle=$(cg_total "$pfx".idle.*.out)
  R[$who.$short.ir]=$(( (load - idle) / n ))
  R[$who.$short.ir.files]="$pfx.load.*.out"
  say "$(printf '  %-6s %-8s %d at %d/s (%s): load %d Ir, idle %d Ir (%.0f s) -> %d Ir each' \
    "$who" "$kind" "$n" "$rate" "${R[$who.$short.ir.ok]}" "$load" "$idle" "$secs" "${R[$who.$short.ir]}")"
}

# annotate_per_item LOAD IDLE N TOP [--inclusive=yes]: callgrind_annotate
# of the load run minus the idle run, function by function, divided by N
# (startup, shutdown and idle timers cancel out); the TOP first.
annotate_per_item() {
  local load=$1 idle=$2 n=$3 top=$4
  shift 4
  local a
  for a in "$load" "$idle"; do
    callgrind_annotate "$@" --threshold=100 --auto=no "$a" 2>/dev/null |
      awk '/^ *[0-9,]+ +\(/ { v = $1; gsub(",", "", v); sub(/^ *[0-9,]+ +\([^)]*\) +/, ""); print v "\t" $0 }'
    echo "--"
  done | awk -F'\t' -v n="$n" '
    $0 == "--" { part++; next }
    part == 0 { load[$2] = $1; next }
    { idle[$2] = $1 }
    END { for (f in load) { d = (load[f] - idle[f]) / n; if (d >= 1) printf "%12d  %s\n", d, f } }' |
    grep -v -E '\(below main\)|:main \[|libc_start|ld-linux-x86-64\.so\.2\]$|:example_run \[' |
    sort -rn | head -n "$top"
}

# Where our server's instructions go, per call or REGISTER.
hot_spots() {
  local kind=$1 n=$2 load idle out
  load=$(find "$LOGDIR" -maxdepth 1 -name "cg-ours-$kind.load.*.out" | head -n 1)
  idle=$(find "$LOGDIR" -maxdepth 1 -name "cg-ours-$kind.idle.*.out" | head -n 1)
  [[ -n $load && -n $idle ]] || return
  out="$LOGDIR/hotspots-ours-$kind.txt"
  {
    echo "Ir per item, inclusive: callgrind_annotate --inclusive=yes, (load - idle) / $n"
    annotate_per_item "$load" "$idle" "$n" 45 --inclusive=yes
    echo
    echo "Ir per item, exclusive (self): callgrind_annotate, (load - idle) / $n"
    annotate_per_item "$load" "$idle" "$n" 30
  } >"$out"
  echo "$out"
}

# ---- system calls (strace) --------------------------------------------------
# descendants PID: PID's children, their children, and so on.
descendants() {
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$c"
    descendants "$c"
  done
}

# sc_start WHO KIND TAG OUT: start_server under strace -c -f -o OUT (the
# summary of every process and thread of the server, written when strace
# exits). SERVER_PID is then strace; SC_SERVER is the server's main
# process (strace's child), and every process under strace is in
# SERVER_PIDS and tracked.
SC_SERVER=""
sc_start() {
  local who=$1 kind=$2 tag=$3 out=$4 pid known
  SC_SERVER=""
  start_server "$who" "$kind" "$tag" strace -c -f -o "$out" || return 1
  SC_SERVER=$(ps -o pid= --ppid "$SERVER_PID" 2>/dev/null | awk 'NR == 1 { print $1 }')
  for pid in $(descendants "$SERVER_PID"); do
    known=0
    [[ " ${SERVER_PIDS[*]} " == *" $pid "* ]] && known=1
    ((known)) || { SERVER_PIDS+=("$pid"); track "$pid"; }
  done
  note "  $tag: strace $SERVER_PID, server $SC_SERVER, pids ${SERVER_PIDS[*]}"
  if [[ -z $SC_SERVER ]]; then
    say "  $tag: no process under strace"
    stop_server 30
    return 1
  fi
}

# sc_stop: SIGTERM to the server itself (as callgrind's runs get it), so
# its shutdown is traced as in the idle run; strace writes its summary and
# exits when the last traced process has exited (at most 60 s, then
# stop_server: SIGTERM to strace detaches and still writes the summary).
sc_stop() {
  local i
  if [[ -n $SC_SERVER ]] && kill -0 "$SC_SERVER" 2>/dev/null; then
    kill -TERM "$SC_SERVER" 2>/dev/null
    for ((i = 0; i < 600; i++)); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
  fi
  stop_server 30
  SC_SERVER=""
}

# sc_calls FILE: the total number of system calls in strace -c's summary
# FILE (its "total" line); nothing when there is none.
sc_calls() {
  awk '$1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ && $NF == "total" { t += $4; found = 1 }
    END { if (found) print t }' "$1" 2>/dev/null
}

# sc_per_item LOAD IDLE N: "(load - idle) / N name" per system call of two
# strace -c summaries (columns % time, seconds, usecs/call, calls,
# [errors,] syscall; errors is blank when 0), "total" included, largest
# first, two decimals.
sc_per_item() {
  awk -v n="$3" -v lf="$1" '
    $1 ~ /^[0-9.]+$/ && $4 ~ /^[0-9]+$/ && NF >= 5 {
      if (FILENAME == lf) load[$NF] += $4; else idle[$NF] += $4
      seen[$NF] = 1
    }
    END { for (s in seen) printf "%.2f %s\n", (load[s] - idle[s]) / n, s }' "$1" "$2" |
    sort -k1,1gr -k2,2
}

# System calls per call (or REGISTER): the server under strace -c -f, a
# load of N at the callgrind count and rate (strace makes every system
# call slow), the callgrind drain, SIGTERM; then an idle run as long, on a
# fresh server; (load - idle) / N, in total (R[WHO.SHORT.sc]) and per
# system call (the 6 most frequent, R[WHO.SHORT.sc.top]).
measure_syscalls() {
  local who=$1 kind=$2 n rate short
  short=$(short_of "$kind")
  if [[ $kind != register ]]; then n=$CG_CALLS; rate=$CG_RATE; else n=$CG_REGS; rate=$CG_REG_RATE; fi
  say "== $who: $kind under strace -c -f ($n at $rate/s, then an idle run as long)"
  local pfx="$LOGDIR/sc-$who-$kind" t0 t1 secs load idle per
  rm -f "$pfx.load.txt" "$pfx.idle.txt"
  if ! sc_start "$who" "$kind" "sc-$who-$kind-load" "$pfx.load.txt"; then
    R[$who.$short.sc]=failed; return 1
  fi
  t0=$(now)
  # One try: a load that fails at this rate under strace is reported.
  if ! run_load "$kind" "$rate" "$n" "sc-$who-$kind" "$CG_RECV_TIMEOUT_MS"; then
    say "  strace load: $L_WHY"; sc_stop; R[$who.$short.sc]=failed; return 1
  fi
  nap "$CG_DRAIN_SECS"
  t1=$(now)
  R[$who.$short.sc.ok]="$L_OK/$n ok, $L_RETRANS retrans"
  R[$who.$short.sc.clean]=$L_PASS
  ((L_PASS)) || R[$who.$short.sc.ok]+=", not clean: $L_WHY"
  sc_stop
  secs=$(fcalc "$t1 - $t0")
  if ! sc_start "$who" "$kind" "sc-$who-$kind-idle" "$pfx.idle.txt"; then
    R[$who.$short.sc]=failed; return 1
  fi
  nap "$secs"
  sc_stop
  load=$(sc_calls "$pfx.load.txt")
  idle=$(sc_calls "$pfx.idle.txt")
  if [[ -z $load || -z $idle ]]; then
    say "  no strace summary in $pfx.load.txt or $pfx.idle.txt"
    R[$who.$short.sc]=failed; return 1
  fi
  per=$(sc_per_item "$pfx.load.txt" "$pfx.idle.txt" "$n")
  R[$who.$short.sc]=$(awk '$2 == "total" { print $1; exit }' <<<"$per")
  R[$who.$short.sc.top]=$(awk '$2 != "total" && $1 > 0' <<<"$per" | head -n 6 |
    awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }')
  say "$(printf '  %-6s %-8s %d at %d/s (%s): load %d system calls, idle %d (%.0f s) -> %s each' \
    "$who" "$kind" "$n" "$rate" "${R[$who.$short.sc.ok]}" "$load" "$idle" "$secs" "${R[$who.$short.sc]}")"
  say "         ${R[$who.$short.sc.top]}"
}

# ---- preflight ------------------------------------------------------------
TOOLS=(sipp kamailio valgrind callgrind_annotate taskset ss timeout awk)
[[ $ONLY == b2bua ]] && TOOLS=(sipp valgrind callgrind_annotate taskset ss timeout awk)
for tool in "${TOOLS[@]}"; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
(($(nproc) >= 2)) || die "needs two CPUs (server on CPU $SERVER_CPU, sipp on CPU $SIPP_CPU)"
# strace is optional: without it (or without ptrace) the system call
# figures are n/a.
HAVE_STRACE=0
if ((DO_STRACE)) && { wants calls || wants register; }; then
  if ! command -v strace >/dev/null; then
    say "warning: strace is not installed: system calls per call and per REGISTER are n/a"
  elif ! timeout 20 strace -f -c -o /dev/null true >"$LOGDIR/strace-check.log" 2>&1; then
    say "warning: strace cannot trace here (see $LOGDIR/strace-check.log): system calls per call and per REGISTER are n/a"
  else
    HAVE_STRACE=1
  fi
fi
for f in uac.xml uas.xml register.xml kamailio-proxy.cfg kamailio-registrar.cfg; do
  [[ -f $BENCH/$f ]] || die "missing bench/$f"
done
for sysctl in rmem_max wmem_max; do
  v=$(cat "/proc/sys/net/core/$sysctl" 2>/dev/null || echo 0)
  ((v >= SIPP_BUF)) || say "warning: net.core.$sysctl is $v < $SIPP_BUF: socket buffers will be smaller than asked"
done

# build-bench/ is built when a binary measured in this run comes from it
# (the proxy without --ours, the B2BUA without --b2bua).
NEED_BUILD=0
[[ -z $OURS_BIN ]] && { wants calls || wants register; } && NEED_BUILD=1
[[ -z $B2BUA_BIN ]] && wants b2bua && NEED_BUILD=1
BUILT_NOTE="not rebuilt (--no-build)"
if ((DO_BUILD && NEED_BUILD)); then
  say "== building $BUILD (release)"
  if [[ ! -d $BUILD ]]; then
    (cd "$ROOT" && meson setup build-bench --buildtype=release) >"$LOGDIR/build.log" 2>&1 ||
      die "meson setup failed (see $LOGDIR/build.log)"
  fi
  if ninja -C "$BUILD" >>"$LOGDIR/build.log" 2>&1; then
    BUILT_NOTE="rebuilt (release)"
  else
    BUILT_NOTE="BUILD FAILED, measured the previous binary"
    say "warning: ninja failed (see $LOGDIR/build.log); using the binary already there, if any"
  fi
fi
if [[ -z $OURS_BIN ]]; then
  OURS_BIN="$BUILD/examples/proxy/sipservlet-proxy"
  BUILD_NOTE=$BUILT_NOTE
else
  BUILD_NOTE="given with --ours"
fi
if [[ -z $B2BUA_BIN ]]; then
  B2BUA_BIN="$BUILD/examples/b2bua/sipservlet-b2bua"
  B2BUA_NOTE=$BUILT_NOTE
else
  B2BUA_NOTE="given with --b2bua"
fi
HAVE_OURS=1
if [[ ! -x $OURS_BIN ]]; then
  HAVE_OURS=0
  { wants calls || wants register; } && say "warning: $OURS_BIN does not exist: measuring Kamailio only"
fi
HAVE_B2BUA=0
if wants b2bua; then
  if [[ -x $B2BUA_BIN ]]; then
    HAVE_B2BUA=1
  else
    say "warning: $B2BUA_BIN does not exist: no B2BUA measurement"
  fi
fi

printf 'SEQUENTIAL\n' >"$LOGDIR/users.csv"
for ((i = 1; i <= NUSERS; i++)); do printf 'user%05d\n' "$i"; done >>"$LOGDIR/users.csv"

START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
START_S=$(date +%s)
GIT_REV=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
GIT_DIRTY=$(git -C "$ROOT" status --porcelain -- lib examples include subprojects 2>/dev/null | wc -l)
KAM_VER=$(kamailio -v 2>/dev/null | awk '/^version:/ { print $3; exit }')
SIPP_VER=$(sipp -v 2>/dev/null | awk '/SIPp v/ { print $2; exit }')
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
say "logs: $LOGDIR"
say "ours: $OURS_BIN ($BUILD_NOTE; tree at $GIT_REV, $GIT_DIRTY changed files under lib/ examples/ include/ subprojects/)"
((HAVE_B2BUA)) && say "b2bua: $B2BUA_BIN ($B2BUA_NOTE)"
say "kamailio $KAM_VER, sipp $SIPP_VER, $(nproc) x $CPU_MODEL, kernel $(uname -r)"

WHOS=(kam)
((HAVE_OURS)) && WHOS=(ours kam)

for who in "${WHOS[@]}"; do
  wants calls && measure_throughput "$who" calls
  wants register && measure_throughput "$who" register
done
# The B2BUA: ours only (Kamailio has no B2BUA here); the call load again.
((HAVE_B2BUA)) && measure_throughput ours b2bua
if ((DO_CALLGRIND)); then
  for who in "${WHOS[@]}"; do
    wants calls && measure_callgrind "$who" calls
    wants register && measure_callgrind "$who" register
  done
  ((HAVE_B2BUA)) && measure_callgrind ours b2bua
fi
# System calls: after every other figure, each run on a fresh server.
if ((HAVE_STRACE)); then
  for who in "${WHOS[@]}"; do
    wants calls && measure_syscalls "$who" calls
    wants register && measure_syscalls "$who" register
  done
fi

# ---- report ----------------------------------------------------------------
val() { echo "${R[$1]:-n/a}"; }
ratio() {   # ratio A B: A/B with two decimals, bounded ("≥ x", "< x") when
            # a cell is a bound, or n/a
  local a=$1 b=$2 an bn ra="" rb="" rel
  an=$(printf '%s' "$a" | tr -cd '0-9.'); bn=$(printf '%s' "$b" | tr -cd '0-9.')
  [[ $a == "≥"* ]] && ra=ge; [[ $a == "<"* ]] && ra=lt
  [[ $b == "≥"* ]] && rb=ge; [[ $b == "<"* ]] && rb=lt
  case "$ra/$rb" in
    /) rel="" ;;
    ge/|/lt|ge/lt) rel="> " ;;
    lt/|lt/ge) rel="< " ;;
    /ge) rel="≤ " ;;
    *) echo n/a; return ;;
  esac
  if [[ $an =~ ^[0-9]+(\.[0-9]+)?$ && $bn =~ ^[0-9]+(\.[0-9]+)?$ ]] &&
     awk -v b="$bn" 'BEGIN { exit !(b > 0) }'; then
    echo "$rel$(fcalc "sprintf(\"%.2f\", $an / $bn)")"
  else
    echo n/a
  fi
}
mib() { [[ ${1:-} =~ ^[0-9]+$ ]] && fcalc "sprintf(\"%.1f\", $1 / 1024)" || echo n/a; }
cpu_cell() {   # value with a mark when that run was not clean
  local k=$1 v
  v=${R[$k]:-}
  [[ -z $v ]] && { echo n/a; return; }
  v=$(fcalc "sprintf(\"%.3f\", $v)")
  [[ ${R[$k.clean]:-1} == 1 ]] && echo "$v" || echo "$v (overloaded)"
}
maxcell() {
  local who=$1 s=$2
  [[ -z ${R[$who.$s.max]:-} ]] && { echo n/a; return; }
  if [[ ${R[$who.$s.max]} == 0 ]]; then echo "< ${R[$who.$s.maxfail]}"
  elif [[ ${R[$who.$s.maxfail]} == none ]]; then echo "≥ ${R[$who.$s.max]} (sipp limit)"
  else echo "${R[$who.$s.max]}"; fi
}
sc_cell() {   # system calls per item, marked when that load was not clean
  local k=$1
  [[ -z ${R[$k.sc]:-} ]] && { echo n/a; return; }
  [[ ${R[$k.sc.clean]:-1} == 1 ]] && echo "${R[$k.sc]}" || echo "${R[$k.sc]} (not clean)"
}
cell_number() {   # "≥ 16000 (sipp limit)" -> "≥16000", "0.153 (overloaded)" -> "0.153"
  local c=${1%% (*}
  echo "${c// /}"
}
row() {   # row LABEL OURS KAM [ratio-override]
  local r=${4:-}
  [[ -z $r ]] && r=$(ratio "$(cell_number "$2")" "$(cell_number "$3")")
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$r"
}

TABLE=""
if wants calls || wants register; then
TABLE=$(
  echo "| figure | sipservlet-proxy | Kamailio $KAM_VER | ours/Kamailio |"
  echo "|---|---:|---:|---:|"
  if wants calls; then
    row "calls: highest clean rate, ${STEP_SECS} s steps (calls/s)" "$(maxcell ours call)" "$(maxcell kam call)"
    ((SUSTAIN_SECS)) && row "calls: highest clean rate held ${SUSTAIN_SECS} s (calls/s)" "$(val ours.call.sustained)" "$(val kam.call.sustained)"
    for rate in $FIXED_CALL_RATES; do
      row "calls: server CPU s per 1000 calls at $rate/s" "$(cpu_cell "ours.call.cpu.$rate")" "$(cpu_cell "kam.call.cpu.$rate")"
    done
    for rate in $FIXED_CALL_RATES; do
      row "calls: minor page faults per call at $rate/s" "$(val "ours.call.flt.$rate")" "$(val "kam.call.flt.$rate")"
    done
    row "calls: peak RSS after the fixed rates (VmHWM sum, MiB)" "$(mib "$(val ours.call.hwm.fixed)")" "$(mib "$(val kam.call.hwm.fixed)")"
    row "calls: PSS after the fixed rates (sum, MiB)" "$(mib "$(val ours.call.pss.fixed)")" "$(mib "$(val kam.call.pss.fixed)")"
    row "calls: peak RSS after the steps (VmHWM sum, MiB)" "$(mib "$(val ours.call.hwm.steps)")" "$(mib "$(val kam.call.hwm.steps)")"
    ((SUSTAIN_SECS)) && row "calls: peak RSS of the sustained run (VmHWM sum, MiB)" "$(mib "$(val ours.call.hwm.sustained)")" "$(mib "$(val kam.call.hwm.sustained)")"
    row "calls: PSS after the steps (sum, MiB)" "$(mib "$(val ours.call.pss.steps)")" "$(mib "$(val kam.call.pss.steps)")"
    row "calls: instructions per proxied call (callgrind)" "$(val ours.call.ir)" "$(val kam.call.ir)"
    row "calls: system calls per proxied call (strace -c -f)" "$(sc_cell ours.call)" "$(sc_cell kam.call)"
  fi
  if wants register; then
    row "REGISTER: highest clean rate, ${STEP_SECS} s steps (/s)" "$(maxcell ours reg)" "$(maxcell kam reg)"
    ((SUSTAIN_SECS)) && row "REGISTER: highest clean rate held ${SUSTAIN_SECS} s (/s)" "$(val ours.reg.sustained)" "$(val kam.reg.sustained)"
    for rate in $FIXED_REG_RATES; do
      row "REGISTER: server CPU s per 1000 at $rate/s" "$(cpu_cell "ours.reg.cpu.$rate")" "$(cpu_cell "kam.reg.cpu.$rate")"
    done
    row "REGISTER: peak RSS after the fixed rates (VmHWM sum, MiB)" "$(mib "$(val ours.reg.hwm.fixed)")" "$(mib "$(val kam.reg.hwm.fixed)")"
    row "REGISTER: PSS after the fixed rates (sum, MiB)" "$(mib "$(val ours.reg.pss.fixed)")" "$(mib "$(val kam.reg.pss.fixed)")"
    ((SUSTAIN_SECS)) && row "REGISTER: peak RSS of the sustained run (VmHWM sum, MiB)" "$(mib "$(val ours.reg.hwm.sustained)")" "$(mib "$(val kam.reg.hwm.sustained)")"
    row "REGISTER: instructions per REGISTER (callgrind)" "$(val ours.reg.ir)" "$(val kam.reg.ir)"
    row "REGISTER: system calls per REGISTER (strace -c -f)" "$(sc_cell ours.reg)" "$(sc_cell kam.reg)"
  fi
)
fi

# The B2BUA: no Kamailio peer here, so it stands beside our proxy's figures
# for the same call load in this run (n/a when the proxy was not measured).
TABLE_B2B=""
B2B_INTRO="B2BUA: the same call load (sipp UAC → sipservlet-b2bua --target sip:uas@127.0.0.1:UASPORT → sipp UAS; ACK and BYE to the B2BUA's Contact, the B2BUA's own BYE to the UAS). Kamailio is no B2BUA, so this stands beside our proxy on the call load in the same run: the same messages and transactions per call, but a user agent on both legs."
wants calls || B2B_INTRO+=" (n/a: the proxy was not measured in this run)"
if ((HAVE_B2BUA)); then
TABLE_B2B=$(
  echo "| figure (call load) | sipservlet-b2bua | sipservlet-proxy | B2BUA/proxy |"
  echo "|---|---:|---:|---:|"
  row "calls: highest clean rate, ${STEP_SECS} s steps (calls/s)" "$(maxcell ours b2b)" "$(maxcell ours call)"
  ((SUSTAIN_SECS)) && row "calls: highest clean rate held ${SUSTAIN_SECS} s (calls/s)" "$(val ours.b2b.sustained)" "$(val ours.call.sustained)"
  for rate in $FIXED_CALL_RATES; do
    row "calls: server CPU s per 1000 calls at $rate/s" "$(cpu_cell "ours.b2b.cpu.$rate")" "$(cpu_cell "ours.call.cpu.$rate")"
  done
  row "calls: peak RSS after the fixed rates (VmHWM, MiB)" "$(mib "$(val ours.b2b.hwm.fixed)")" "$(mib "$(val ours.call.hwm.fixed)")"
  row "calls: peak RSS after the steps (VmHWM, MiB)" "$(mib "$(val ours.b2b.hwm.steps)")" "$(mib "$(val ours.call.hwm.steps)")"
  ((SUSTAIN_SECS)) && row "calls: peak RSS of the sustained run (VmHWM, MiB)" "$(mib "$(val ours.b2b.hwm.sustained)")" "$(mib "$(val ours.call.hwm.sustained)")"
  row "calls: instructions per call (callgrind)" "$(val ours.b2b.ir)" "$(val ours.call.ir)"
)
fi
# Warnings and criticals the B2BUA logged (a critical is a programming
# error): counted over all its runs, the first ones shown.
B2B_LOG_NOTE=""
if ((HAVE_B2BUA)); then
  b2b_logs=$(find "$LOGDIR" -maxdepth 1 \( -name 'ours-b2bua*.server.log' -o -name 'cg-ours-b2bua*.server.log' \) | sort)
  if [[ -n $b2b_logs ]]; then
    # shellcheck disable=SC2086
    b2b_crit=$(cat $b2b_logs | grep -c -- 'CRITICAL \*\*')
    # shellcheck disable=SC2086
    b2b_warn=$(cat $b2b_logs | grep -c -- 'WARNING \*\*')
    if ((b2b_crit || b2b_warn)); then
      B2B_LOG_NOTE="the B2BUA logged $b2b_warn warnings and $b2b_crit criticals ($LOGDIR/*ours-b2bua*.server.log)"
      note "B2BUA warnings and criticals, first ones:"
      # shellcheck disable=SC2086
      grep -h -E -- '(WARNING|CRITICAL) \*\*' $b2b_logs | head -n 20 >>"$MAIN_LOG"
    fi
  fi
fi
ELAPSED=$(( $(date +%s) - START_S ))

HOT_CALLS=""; HOT_REG=""; HOT_B2B=""
if ((DO_CALLGRIND && HAVE_OURS)); then
  wants calls && HOT_CALLS=$(hot_spots calls "$CG_CALLS")
  wants register && HOT_REG=$(hot_spots register "$CG_REGS")
fi
((DO_CALLGRIND && HAVE_B2BUA)) && HOT_B2B=$(hot_spots b2bua "$CG_CALLS")

if [[ -n $TABLE ]]; then
say ""
say "$TABLE"
say ""
fi
# sc_breakdown: "system calls per proxied call, ours: poll 6.55, ..." lines
# (the 6 most frequent per item, load minus idle), one per server and load.
sc_breakdown() {
  local s who name label
  for s in call reg; do
    [[ $s == call ]] && label="proxied call" || label=REGISTER
    for who in "${WHOS[@]}"; do
      [[ $who == ours ]] && name=sipservlet-proxy || name=Kamailio
      [[ -n ${R[$who.$s.sc.top]:-} ]] && echo "system calls per $label, $name (strace run: ${R[$who.$s.sc.ok]}): ${R[$who.$s.sc.top]}"
    done
  done
}
SC_LINES=$(sc_breakdown)
for who in "${WHOS[@]}"; do
  for s in call reg; do
    [[ -n ${R[$who.$s.ir.ok]:-} ]] && say "callgrind run $who $s: ${R[$who.$s.ir.ok]}"
    [[ -n ${R[$who.$s.died]:-} ]] && say "WARNING: $who died during the $s measurements"
    [[ -n ${R[$who.$s.start]:-} ]] && say "WARNING: $who did not start for the $s measurements"
  done
done
[[ -n $SC_LINES ]] && say "$SC_LINES"
if [[ -n $TABLE_B2B ]]; then
  say ""
  say "$B2B_INTRO"
  say ""
  say "$TABLE_B2B"
  say ""
  [[ -n ${R[ours.b2b.ir.ok]:-} ]] && say "callgrind run b2bua: ${R[ours.b2b.ir.ok]}"
  [[ -n ${R[ours.b2b.died]:-} ]] && say "WARNING: the B2BUA died during its measurements"
  [[ -n ${R[ours.b2b.start]:-} ]] && say "WARNING: the B2BUA did not start for its measurements"
  [[ -n $B2B_LOG_NOTE ]] && say "WARNING: $B2B_LOG_NOTE; the first ones are in run.log"
fi
[[ -n $HOT_CALLS ]] && say "hot spots per call: $HOT_CALLS"
[[ -n $HOT_REG ]] && say "hot spots per REGISTER: $HOT_REG"
[[ -n $HOT_B2B ]] && say "hot spots per B2BUA call: $HOT_B2B"
say "took ${ELAPSED}s; logs in $LOGDIR"

# RESULTS.md: the generated part sits between two markers; notes written
# by hand around it are kept.
if [[ -z $RESULTS ]]; then
  if ((QUICK)); then RESULTS="$LOGDIR/RESULTS.md"; else RESULTS="$BENCH/RESULTS.md"; fi
fi
{
  echo "<!-- run.sh:begin (generated by bench/run.sh; edit outside these markers) -->"
  echo "## Latest run: $START_DATE"
  echo
  echo "Command: \`bench/run.sh${ARGS_GIVEN:+ $ARGS_GIVEN}\` ($( ((QUICK)) && echo quick || echo full) mode, ${ELAPSED} s)."
  echo
  echo "- Machine: $(nproc) x $CPU_MODEL, kernel $(uname -r), shared and noisy; loopback only."
  echo "- Server pinned to CPU $SERVER_CPU, both sipps (SIPp $SIPP_VER) to CPU $SIPP_CPU; UDP; socket buffers 4 MiB."
  if wants calls || wants register; then
  echo "- Ours: \`sipservlet-proxy --foreign allow --record-route on\` ($BUILD_NOTE; tree at $GIT_REV with $GIT_DIRTY uncommitted files under lib/ examples/ include/ subprojects/); \`--domain example.com --max-contacts 0\` for REGISTER (no limit of contacts per AOR, as Kamailio's registrar)."
  echo "- Kamailio $KAM_VER: \`kamailio -D -E -x tlsf -X tlsf -m 4096 -M 64\`, bench/kamailio-proxy.cfg and bench/kamailio-registrar.cfg; CPU and memory summed over all its processes."
  fi
  ((HAVE_B2BUA)) && echo "- B2BUA: \`sipservlet-b2bua --target sip:uas@127.0.0.1:UASPORT\` ($B2BUA_NOTE; tree at $GIT_REV with $GIT_DIRTY uncommitted files under lib/ examples/ include/ subprojects/), on the call load (steps, fixed rates, callgrind as for the proxy); the UAC sends ACK and BYE to the B2BUA's Contact (no Record-Route), the B2BUA places its own leg to the sipp UAS and hangs it up with its own BYE."
  echo "- Clean step: ≥ 99.9 % of calls succeed, retransmissions (both sipps) < 1 % of calls, sipp holds ≥ 95 % of the rate; steps of ${STEP_SECS} s: $CALL_STEPS calls/s."
  echo "- CPU: utime+stime from /proc/PID/stat over fixed-rate runs of ${FIXED_SECS} s plus ${FIXED_DRAIN} s of drain (the timers that free completed transactions), minus the server's idle consumption; minor page faults (fresh pages touched, minflt) from the same file over the same window.$( ((FIXED_DRAIN)) || echo " **Quick mode: no drain, so the deferred freeing of transactions is not counted.**") Sustained: the highest clean step again for ${SUSTAIN_SECS} s on a fresh server, else the steps below it (at most ${SUSTAIN_TRIES} rates; 0 s = not run). Instructions: callgrind, $CG_CALLS calls at $CG_RATE/s and $CG_REGS REGISTERs at $CG_REG_RATE/s, minus an idle run as long, divided by the count.$( ((HAVE_STRACE)) && echo " System calls: \`strace -c -f\` on a fresh server, the same counts and rates as callgrind and the same drain, minus an idle run as long, divided by the count; the 6 most frequent below the table.")"
  [[ $ONLY != b2bua ]] && echo "- REGISTER: $NUSERS distinct users (injection file, sequential, wrapping: the first pass adds bindings, later ones refresh them)."
  echo
  if [[ -n $TABLE ]]; then
  echo "$TABLE"
  echo
  fi
  for who in "${WHOS[@]}"; do
    for s in call reg; do
      [[ -n ${R[$who.$s.ir.ok]:-} ]] && echo "- callgrind run $who $s: ${R[$who.$s.ir.ok]}."
      [[ -n ${R[$who.$s.died]:-} ]] && echo "- **$who died during the $s measurements.**"
    done
  done
  [[ -n $SC_LINES ]] && sed 's/^/- /; s/$/./' <<<"$SC_LINES"
  if ((!HAVE_OURS)) && { wants calls || wants register; }; then
    echo "- **sipservlet-proxy was not built: Kamailio only.**"
  fi
  if [[ -n $TABLE_B2B ]]; then
    [[ -n $TABLE ]] && echo
    echo "### B2BUA beside the proxy"
    echo
    echo "$B2B_INTRO"
    echo
    echo "$TABLE_B2B"
    echo
    [[ -n ${R[ours.b2b.ir.ok]:-} ]] && echo "- callgrind run b2bua: ${R[ours.b2b.ir.ok]}."
    [[ -n ${R[ours.b2b.died]:-} ]] && echo "- **The B2BUA died during its measurements.**"
    [[ -n $B2B_LOG_NOTE ]] && echo "- **${B2B_LOG_NOTE^}.**"
  fi
  for f in $HOT_CALLS $HOT_REG $HOT_B2B; do
    echo
    echo "### Where the time goes: $(basename "$f" .txt)"
    echo
    echo '```'
    cat "$f"
    echo '```'
  done
  echo "<!-- run.sh:end -->"
} >"$LOGDIR/results-part.md"
if [[ -f $RESULTS ]] && grep -q '^<!-- run.sh:begin' "$RESULTS" && grep -q '^<!-- run.sh:end' "$RESULTS"; then
  awk -v part="$LOGDIR/results-part.md" '
    /^<!-- run.sh:begin/ { while ((getline l < part) > 0) print l; skip = 1; next }
    /^<!-- run.sh:end/ { skip = 0; next }
    !skip' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
else
  { echo "# bench results"; echo; cat "$LOGDIR/results-part.md"; } >"$RESULTS"
fi
say "results written to $RESULTS"
