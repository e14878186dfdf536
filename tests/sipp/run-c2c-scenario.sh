#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs sipservlet-click-to-call between two sipp user-agent servers.
#
#   run-c2c-scenario.sh [-e STATUS] [-a 'ARGS'] [-k LINE] [-n RUNS] [-l]
#                       BINARY A_SCENARIO B_SCENARIO [CALLS]
#
# Starts one sipp UAS for A (A_SCENARIO) and one for B (B_SCENARIO, or
# "none": B gets no sipp and its port stays closed) on free ports, each
# expecting CALLS calls (default 1). Then runs, CALLS times in a row,
#   BINARY --listen 127.0.0.1:0 --from sip:a@127.0.0.1:PORTA
#          --to sip:b@127.0.0.1:PORTB ARGS
# (wrapped by $SIPSERVLET_SERVER_WRAPPER when set, e.g. a valgrind command
# line), and checks that each run exits with STATUS (default 0), printed
# "ready" (and "connected" when STATUS is 0) and "ended", that valgrind
# found nothing, and finally that both sipp exit 0.
#
#   -e STATUS  the exit status each run must have
#   -a 'ARGS'  more arguments for BINARY
#   -k LINE    send SIGTERM to BINARY once it has printed LINE ("connected")
#   -n RUNS    run the whole thing (sipp included) RUNS times (default 1)
#   -l         keep the logs (sipp -trace_msg, BINARY's output) even on success
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp not installed), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports, and whether sipp listens yet.
support=$(cd "$(dirname "$0")/../support" && pwd)
# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/driver-lib.sh"

me=${0##*/}
run_deadline=90          # seconds for one run of BINARY (valgrind is slow)
sipp_deadline=60         # seconds for sipp to finish once the last run ended
orphan_deadline=20       # seconds the binary may outlive a sipp that exited
sipp_global_timeout=600  # seconds, sipp -timeout (a backstop)

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }
usage () {
  printf 'usage: %s [-e STATUS] [-a ARGS] [-k LINE] [-n RUNS] [-l] BINARY A_SCENARIO B_SCENARIO [CALLS]\n' \
    "$me" >&2
  exit 99
}

expected=0
binary_extra=
kill_on=
runs=1
keep_workdir=0
while getopts e:a:k:n:l opt; do
  case $opt in
    l) keep_workdir=1 ;;
    e) expected=$OPTARG ;;
    a) binary_extra=$OPTARG ;;
    k) kill_on=$OPTARG ;;
    n) runs=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -lt 3 ] || [ $# -gt 4 ]; then usage; fi
if ! command -v sipp >/dev/null 2>&1; then
  printf '%s: SKIP: sipp is not installed\n' "$me"
  exit 77
fi
command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick free ports"

binary=$1
a_scenario=$2
b_scenario=$3
calls=${4:-1}
read -r -a binary_args <<< "$binary_extra"
wrapper=()
if [ -n "${SIPSERVLET_SERVER_WRAPPER:-}" ]; then
  read -r -a wrapper <<< "$SIPSERVLET_SERVER_WRAPPER"
fi

[ -x "$binary" ] || die "binary '$binary' is not executable"
[ -r "$a_scenario" ] || die "scenario '$a_scenario' is not readable"
[ "$b_scenario" = none ] || [ -r "$b_scenario" ] || die "scenario '$b_scenario' is not readable"
case $calls$runs$expected in *[!0-9]*) die "CALLS, RUNS and STATUS must be numbers" ;; esac

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sipp-c2c-$(basename "$a_scenario" .xml).XXXXXX") \
  || die "cannot create a work directory"
binary_pid=
sipp_a_pid=
sipp_b_pid=

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $binary_pid $sipp_a_pid $sipp_b_pid; do
    kill_now "$pid"
  done
  end_workdir
}
set_traps

# Prints the tail of every log of run $1.
show_logs () {
  local f
  for f in "$workdir/$1"/*; do
    [ -s "$f" ] || continue
    printf -- '--- %s (last 60 lines) ---\n' "${f#"$workdir"/}" >&2
    tail -n 60 "$f" >&2
  done
}

fail () {
  keep_workdir=1
  printf '%s: FAIL: %s\n' "$me" "$*" >&2
  show_logs "$run_dir_name"
  exit 1
}

# A port free for UDP and TCP, other than $1.
free_port () {
  python3 "$support/ports.py" free 1 "${1:-0}"
}

# True once a socket is bound to UDP port $1 (sipp is listening).
udp_bound () {
  python3 "$support/ports.py" bound "$1"
}

# start_sipp NAME SCENARIO [OTHER_PORT]: starts a sipp UAS on a free port
# (not OTHER_PORT), sets sipp_pid and sipp_port. Another program may take
# the port between the choice and sipp's bind: then it tries another one.
start_sipp () {
  local name=$1 scenario=$2 other=${3:-0} attempt start
  for attempt in 1 2 3 4 5; do
    sipp_port=$(free_port "$other") || fail "cannot pick a free port"
    sipp -sf "$scenario" -i 127.0.0.1 -p "$sipp_port" -m "$calls" -nostdin \
      -timeout "${sipp_global_timeout}s" -timeout_error \
      -trace_err -error_file "$run_dir/sipp-$name-errors.log" \
      -trace_msg -message_file "$run_dir/sipp-$name-messages.log" \
      -trace_screen -screen_file "$run_dir/sipp-$name-screen.log" \
      < /dev/null > "$run_dir/sipp-$name.out" 2>&1 &
    sipp_pid=$!
    start=$SECONDS
    while kill -0 "$sipp_pid" 2>/dev/null; do
      udp_bound "$sipp_port" && return 0
      [ $((SECONDS - start)) -lt 10 ] || fail "sipp $name did not bind 127.0.0.1:$sipp_port"
      sleep 0.05
    done
    wait "$sipp_pid"
    printf '%s: sipp %s exited with status %s on 127.0.0.1:%s (attempt %s)\n' \
      "$me" "$name" "$?" "$sipp_port" "$attempt" >&2
    sipp_pid=
    grep -q 'Address already in use' "$run_dir/sipp-$name-errors.log" 2>/dev/null \
      || fail "sipp $name could not start"
  done
  fail "sipp $name found no free port"
}

# wait_sipp NAME PID SCENARIO: a sipp UAS must end its calls in time.
wait_sipp () {
  failures=()
  wait_ended "sipp $1 ($(basename "$3"))" "$2" "$sipp_deadline"
  fail_on_failures
}

start=$SECONDS
for ((run = 1; run <= runs; run++)); do
  run_dir_name=run-$run
  run_dir=$workdir/$run_dir_name
  mkdir -p "$run_dir"
  start_sipp a "$a_scenario"
  sipp_a_pid=$sipp_pid
  port_a=$sipp_port
  if [ "$b_scenario" != none ]; then
    start_sipp b "$b_scenario" "$port_a"
    sipp_b_pid=$sipp_pid
    port_b=$sipp_port
  else
    port_b=$(free_port "$port_a") || fail "cannot pick a free port"
  fi

  for ((call = 1; call <= calls; call++)); do
    out=$run_dir/c2c-$call.out
    err=$run_dir/c2c-$call.err
    call_start=$SECONDS
    "${wrapper[@]}" "$binary" --listen 127.0.0.1:0 --from "sip:a@127.0.0.1:$port_a" \
      --to "sip:b@127.0.0.1:$port_b" "${binary_args[@]}" < /dev/null > "$out" 2> "$err" &
    binary_pid=$!
    killed=0
    sipp_gone_at=0
    while kill -0 "$binary_pid" 2>/dev/null; do
      if [ -n "$kill_on" ] && [ "$killed" = 0 ] && grep -qx -- "$kill_on" "$out"; then
        kill -TERM "$binary_pid"
        killed=1
      fi
      # A sipp that gave up (a failed check) leaves the binary waiting.
      if [ "$sipp_gone_at" = 0 ] && { ! kill -0 "$sipp_a_pid" 2>/dev/null \
           || { [ -n "$sipp_b_pid" ] && ! kill -0 "$sipp_b_pid" 2>/dev/null; }; }; then
        sipp_gone_at=$SECONDS
      fi
      if [ "$sipp_gone_at" != 0 ] && [ $((SECONDS - sipp_gone_at)) -ge "$orphan_deadline" ]; then
        kill -KILL "$binary_pid" 2>/dev/null
        wait "$binary_pid" 2>/dev/null
        binary_pid=
        fail "run $run, call $call: $(basename "$binary") still running ${orphan_deadline}s after a sipp exited"
      fi
      if [ $((SECONDS - call_start)) -ge "$run_deadline" ]; then
        kill -KILL "$binary_pid" 2>/dev/null
        wait "$binary_pid" 2>/dev/null
        binary_pid=
        fail "run $run, call $call: $(basename "$binary") did not exit within ${run_deadline}s"
      fi
      sleep 0.02
    done
    wait "$binary_pid"
    status=$?
    binary_pid=
    what="run $run, call $call"
    [ "$status" = "$expected" ] \
      || fail "$what: $(basename "$binary") exited with status $status, expected $expected"
    if [ -n "$kill_on" ] && [ "$killed" = 0 ]; then
      fail "$what: $(basename "$binary") never printed '$kill_on'"
    fi
    grep -q '^ready 127\.0\.0\.1:[0-9]' "$out" || fail "$what: no 'ready' line"
    if [ "$expected" = 0 ]; then
      grep -qx connected "$out" || fail "$what: no 'connected' line"
    else
      grep -qx connected "$out" && fail "$what: 'connected' although the call failed"
    fi
    grep -qx ended "$out" || fail "$what: no 'ended' line"
    if grep -q 'ERROR SUMMARY: [1-9]' "$err"; then
      fail "$what: valgrind reported errors"
    fi
    if grep -q -- '-\(CRITICAL\|WARNING\) \*\*' "$err"; then
      fail "$what: $(basename "$binary") logged a critical or a warning"
    fi
    if [ ${#wrapper[@]} -gt 0 ]; then
      grep -E '(ERROR SUMMARY|definitely lost|indirectly lost):' "$err" \
        | sed "s/^/$me: $what: /"
    fi
  done

  wait_sipp a "$sipp_a_pid" "$a_scenario"
  sipp_a_pid=
  if [ -n "$sipp_b_pid" ]; then
    wait_sipp b "$sipp_b_pid" "$b_scenario"
    sipp_b_pid=
  fi
done

printf '%s: PASS: %s run(s) of %s call(s), %s then %s, exit status %s, %ss in all\n' \
  "$me" "$runs" "$calls" "$(basename "$a_scenario")" "$(basename "$b_scenario")" \
  "$expected" $((SECONDS - start))
exit 0
