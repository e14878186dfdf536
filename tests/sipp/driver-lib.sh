# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2154
# (SC2154: me, wrapper, failures and the variables run_sipp reads are the
# driver's.)
# The helpers the sipp drivers (tests/sipp/run-*.sh) share; sourced, not
# run. A driver sets $me (its name) and the array wrapper (the command
# its servers run under, empty or a valgrind command line), keeps its
# problems in the array failures, and defines fail () (print, show its
# logs, exit 1), which these helpers call.

# stop_pid PID: stops one process the driver started (sipp runs under
# timeout(1), which passes SIGTERM on); SIGKILL after 2 s.
stop_pid () {
  local waited=0
  [ -n "$1" ] || return 0
  kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null
  while kill -0 "$1" 2>/dev/null && [ "$waited" -lt 40 ]; do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

# show_tail FILE TITLE LINES: the end of a log, when it has anything.
show_tail () {
  if [ -s "$1" ]; then
    printf -- '--- %s (last %s lines) ---\n' "$2" "$3" >&2
    tail -n "$3" "$1" >&2
  fi
}

# sipp_status_text STATUS: what a sipp exit status means.
sipp_status_text () {
  case $1 in
    0)   echo "all calls succeeded" ;;
    1)   echo "at least one call failed" ;;
    97)  echo "stopped on an internal command (exit 97)" ;;
    99)  echo "exited without processing any call (exit 99)" ;;
    98)  echo "internal error (exit 98)" ;;
    124) echo "did not finish in time and was killed" ;;
    137) echo "was killed (SIGKILL)" ;;
    255) echo "fatal error (exit -1)" ;;
    254) echo "could not bind its socket (exit -2)" ;;
    252|253) echo "fatal error (exit $1)" ;;
    *)   echo "exited with unexpected status $1" ;;
  esac
}

# wait_ready NAME PID OUT DEADLINE: waits until the server NAME (PID)
# printed "ready HOST:PORT ..." to OUT and sets ready_port (the first
# address's port); fail()s when it exits first or DEADLINE seconds pass.
wait_ready () {
  local name=$1 pid=$2 out=$3 deadline=$4 begin=$SECONDS status
  ready_port=
  while :; do
    ready_port=$(sed -n 's/^ready [^ ]*:\([0-9][0-9]*\)\( .*\)\{0,1\}$/\1/p' "$out" | head -n 1)
    [ -n "$ready_port" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      status=$?
      fail "$name exited with status $status before it was ready"
    fi
    [ $((SECONDS - begin)) -lt "$deadline" ] \
      || fail "$name printed no 'ready HOST:PORT' line within ${deadline}s"
    sleep 0.05
  done
}

# wait_ended NAME PID DEADLINE: waits up to DEADLINE seconds for a sipp
# that ends by itself once it saw every call; adds to failures when it
# had to be stopped or did not exit 0. Prints its verdict.
wait_ended () {
  local name=$1 pid=$2 deadline=$3 begin=$SECONDS status
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - begin)) -lt "$deadline" ]; do
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    stop_pid "$pid"
    failures+=("$name had not ended ${deadline}s after the caller")
    return 1
  fi
  wait "$pid"
  status=$?
  printf '%s: %s: %s\n' "$me" "$name" "$(sipp_status_text "$status")"
  [ "$status" = 0 ] || failures+=("$name: $(sipp_status_text "$status")")
  return 0
}

# stop_server NAME PID ERR DEADLINE: SIGTERM to a server the driver
# started, SIGKILL after DEADLINE seconds; adds to failures what went
# wrong: no exit in time, a status other than 0, valgrind errors, a GLib
# critical in ERR (its stderr), and a GLib warning too when
# $SIPP_SERVER_NO_WARNINGS is 1 (for tests in which nothing may go
# wrong). Shows valgrind's verdict when there is one.
stop_server () {
  local name=$1 pid=$2 err=$3 deadline=$4 begin status
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    begin=$SECONDS
    while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - begin)) -lt "$deadline" ]; do
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      failures+=("$name did not exit within ${deadline}s of SIGTERM")
      return 1
    fi
  fi
  wait "$pid"
  status=$?
  if [ "$status" != 0 ]; then
    if [ ${#wrapper[@]} -gt 0 ]; then
      failures+=("$name exited with status $status under '${wrapper[*]}'")
    else
      failures+=("$name exited with status $status")
    fi
  fi
  if grep -q 'ERROR SUMMARY: [1-9]' "$err"; then
    failures+=("valgrind reported errors in the $name")
  fi
  if grep -q -- '-CRITICAL \*\*' "$err"; then
    failures+=("the $name logged a critical (a programming error)")
  fi
  if [ "${SIPP_SERVER_NO_WARNINGS:-0}" = 1 ] && grep -q -- '-WARNING \*\*' "$err"; then
    failures+=("the $name logged $(grep -c -- '-WARNING \*\*' "$err") warning(s)")
  fi
  grep -E '(ERROR SUMMARY|definitely lost|indirectly lost):' "$err" | sed "s/^/$me: $name: /"
  return 0
}

# fail_on_failures: fail() with every problem collected, if any.
fail_on_failures () {
  local joined
  if [ ${#failures[@]} -gt 0 ]; then
    joined=$(printf '%s; ' "${failures[@]}")
    fail "${joined%; }"
  fi
}

# kill_now PID: SIGKILL to a process the driver started, if it runs.
kill_now () {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -KILL "$1" 2>/dev/null
    wait "$1" 2>/dev/null
  fi
  return 0
}

# end_workdir: keeps the work directory $workdir when $keep_workdir is 1
# (a failure, or traces asked for) and says where; removes it otherwise.
end_workdir () {
  if [ "$keep_workdir" = 1 ]; then
    printf '%s: logs kept in %s\n' "$me" "$workdir" >&2
  else
    rm -rf "$workdir"
  fi
}

# set_traps: the driver's cleanup () on exit, and an exit on signals.
set_traps () {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
}

# use_wrapper: sets the array wrapper from $SIPSERVLET_SERVER_WRAPPER.
# Under it (memcheck runs ~30x slower) the load in $calls and $rate
# shrinks to at most 100 calls at 20 calls/s: what matters there is every
# code path, not volume.
use_wrapper () {
  wrapper=()
  if [ -n "${SIPSERVLET_SERVER_WRAPPER:-}" ]; then
    read -r -a wrapper <<< "$SIPSERVLET_SERVER_WRAPPER"
  fi
  if [ ${#wrapper[@]} -gt 0 ]; then
    [ "$calls" -gt 100 ] && calls=100
    [ "${rate:-0}" -gt 20 ] && rate=20
  fi
  return 0
}

# run_sipp SCENARIO: the caller SCENARIO, $calls calls at $rate per
# second, against the server on 127.0.0.1:$port from $sipp_port (its pid
# in $sipp_pid meanwhile, for the driver's cleanup); fail()s unless every
# call succeeds. Its logs go to $workdir/sipp-*.
run_sipp () {
  local status
  rm -f "$workdir/sipp-errors.log" "$workdir/sipp-screen.log"
  timeout --kill-after=10 $((sipp_global_timeout + 30)) \
    sipp -sf "$1" "127.0.0.1:$port" -m "$calls" -r "$rate" \
      -i 127.0.0.1 -p "$sipp_port" -nostdin \
      -timeout "${sipp_global_timeout}s" -timeout_error \
      -trace_err -error_file "$workdir/sipp-errors.log" \
      -trace_screen -screen_file "$workdir/sipp-screen.log" \
      < /dev/null > "$workdir/sipp.out" 2>&1 &
  sipp_pid=$!
  wait "$sipp_pid"
  status=$?
  sipp_pid=
  [ "$status" = 0 ] || fail "sipp $(basename "$1"): $(sipp_status_text "$status")"
  printf '%s: %s: %s: %s calls, %s\n' "$me" "$step" "$(basename "$1")" "$calls" \
    "$(sipp_status_text "$status")"
}
