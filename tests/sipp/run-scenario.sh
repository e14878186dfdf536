#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs one sipp scenario against a libsipservlet example server.
#
#   run-scenario.sh SERVER_BINARY 'SERVER ARGS' SCENARIO.xml CALLS RATE [sipp args...]
#
# Starts SERVER_BINARY --listen 127.0.0.1:0 SERVER ARGS (wrapped by
# $SIPSERVLET_SERVER_WRAPPER when set, e.g. a valgrind command line), waits
# for its "ready 127.0.0.1:PORT" line, runs sipp against it, then stops the
# server with SIGTERM and checks that it exits with status 0.
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp not installed), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports, and whether sipp listens yet.
support=$(cd "$(dirname "$0")/../support" && pwd)

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
stop_deadline=60         # seconds to wait for the server to exit on SIGTERM
sipp_global_timeout=120  # seconds, sipp -timeout

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }

if [ $# -lt 5 ]; then
  printf 'usage: %s SERVER_BINARY "SERVER ARGS" SCENARIO.xml CALLS RATE [sipp args...]\n' "$me" >&2
  exit 99
fi
if ! command -v sipp >/dev/null 2>&1; then
  printf '%s: SKIP: sipp is not installed\n' "$me"
  exit 77
fi

server=$1
read -r -a server_args <<< "$2"
scenario=$3
calls=$4
rate=$5
shift 5
extra_args=("$@")
wrapper=()
if [ -n "${SIPSERVLET_SERVER_WRAPPER:-}" ]; then
  read -r -a wrapper <<< "$SIPSERVLET_SERVER_WRAPPER"
fi

[ -x "$server" ] || die "server binary '$server' is not executable"
[ -r "$scenario" ] || die "scenario '$scenario' is not readable"
case $calls$rate in *[!0-9]*) die "CALLS and RATE must be numbers, got '$calls' and '$rate'" ;; esac
# Under a wrapper (memcheck runs ~30x slower) the same scenario runs as a
# shorter, slower load: what matters there is every code path, not volume.
if [ ${#wrapper[@]} -gt 0 ]; then
  [ "$calls" -gt 100 ] && calls=100
  [ "$rate" -gt 20 ] && rate=20
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sipp-$(basename "$scenario" .xml).XXXXXX") \
  || die "cannot create a work directory"
server_out=$workdir/server.out
server_err=$workdir/server.err
sipp_out=$workdir/sipp.out
sipp_errors=$workdir/sipp-errors.log
sipp_screen=$workdir/sipp-screen.log
server_pid=
sipp_pid=
keep_workdir=0

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $sipp_pid $server_pid; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [ "$keep_workdir" = 1 ]; then
    printf '%s: logs kept in %s\n' "$me" "$workdir" >&2
  else
    rm -rf "$workdir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

fail () {
  keep_workdir=1
  printf '%s: FAIL: %s\n' "$me" "$*" >&2
  if [ -s "$sipp_errors" ]; then
    printf -- '--- sipp error log (last 40 lines) ---\n' >&2
    tail -n 40 "$sipp_errors" >&2
  fi
  if [ -s "$sipp_screen" ]; then
    printf -- '--- sipp statistics (last 60 lines) ---\n' >&2
    tail -n 60 "$sipp_screen" >&2
  fi
  if [ -s "$server_err" ]; then
    printf -- '--- server stderr (last 60 lines) ---\n' >&2
    tail -n 60 "$server_err" >&2
  fi
  exit 1
}

# sipp's own port. This sipp takes -p 0 but then scans up from 5060, which
# other servers on this host may use: ask the kernel for a free port
# instead (free for UDP and TCP), falling back on -p 0 without python3.
local_port=0
if command -v python3 >/dev/null 2>&1; then
  local_port=$(python3 "$support/ports.py" free 1) || local_port=0
  [ -n "$local_port" ] || local_port=0
fi

# ---- start the server --------------------------------------------------------
start=$SECONDS
"${wrapper[@]}" "$server" --listen 127.0.0.1:0 "${server_args[@]}" \
  < /dev/null > "$server_out" 2> "$server_err" &
server_pid=$!

port=
while [ -z "$port" ]; do
  port=$(sed -n 's/^ready 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$server_out" | head -n 1)
  [ -n "$port" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid"
    fail "server exited with status $? before it was ready"
  fi
  if [ $((SECONDS - start)) -ge "$ready_deadline" ]; then
    fail "server printed no 'ready 127.0.0.1:PORT' line within ${ready_deadline}s"
  fi
  sleep 0.05
done
printf '%s: server %s (pid %s) ready on 127.0.0.1:%s after %ss\n' \
  "$me" "$(basename "$server")" "$server_pid" "$port" $((SECONDS - start))

# ---- run sipp ----------------------------------------------------------------
sipp_start=$SECONDS
timeout --kill-after=10 $((sipp_global_timeout + 30)) \
  sipp -sf "$scenario" "127.0.0.1:$port" -m "$calls" -r "$rate" \
    -i 127.0.0.1 -p "$local_port" -nostdin \
    -timeout "${sipp_global_timeout}s" -timeout_error \
    -trace_err -error_file "$sipp_errors" \
    -trace_screen -screen_file "$sipp_screen" \
    -buff_size 4194304 "${extra_args[@]}" \
    < /dev/null > "$sipp_out" 2>&1 &
sipp_pid=$!
wait "$sipp_pid"
sipp_status=$?
sipp_pid=
sipp_time=$((SECONDS - sipp_start))

case $sipp_status in
  0)   sipp_result="all $calls calls succeeded" ;;
  1)   sipp_result="at least one call failed" ;;
  97)  sipp_result="sipp stopped on an internal command (exit 97)" ;;
  99)  sipp_result="sipp exited without processing any call (exit 99)" ;;
  98)  sipp_result="sipp internal error (exit 98)" ;;
  124) sipp_result="sipp did not finish within $((sipp_global_timeout + 30))s and was killed" ;;
  137) sipp_result="sipp was killed (SIGKILL)" ;;
  255) sipp_result="sipp fatal error (exit -1)" ;;
  254) sipp_result="sipp could not bind its socket (exit -2)" ;;
  252|253) sipp_result="sipp fatal error (exit $sipp_status)" ;;
  *)   sipp_result="sipp exited with unexpected status $sipp_status" ;;
esac
printf '%s: sipp: %s in %ss (%s calls at %s/s, %s)\n' \
  "$me" "$sipp_result" "$sipp_time" "$calls" "$rate" "$(basename "$scenario")"

# ---- stop the server ---------------------------------------------------------
server_status=
if kill -0 "$server_pid" 2>/dev/null; then
  kill -TERM "$server_pid"
  stop_start=$SECONDS
  while kill -0 "$server_pid" 2>/dev/null \
        && [ $((SECONDS - stop_start)) -lt "$stop_deadline" ]; do
    sleep 0.05
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    server_pid=
    [ "$sipp_status" = 0 ] || fail "$sipp_result"
    fail "server did not exit within ${stop_deadline}s of SIGTERM"
  fi
fi
wait "$server_pid"
server_status=$?
server_pid=

if [ "$sipp_status" != 0 ]; then
  fail "$sipp_result"
fi
if [ "$server_status" != 0 ]; then
  if [ ${#wrapper[@]} -gt 0 ]; then
    fail "server exited with status $server_status under '${wrapper[*]}'"
  fi
  fail "server exited with status $server_status"
fi
if grep -q 'ERROR SUMMARY: [1-9]' "$server_err"; then
  fail "valgrind reported errors"
fi
# Under valgrind, show its verdict even on success.
grep -E '(ERROR SUMMARY|definitely lost|indirectly lost):' "$server_err" | sed "s/^/$me: server: /"
if grep -q -- '-CRITICAL \*\*' "$server_err"; then
  fail "the server logged a critical (a programming error)"
fi
printf '%s: PASS: %s, server stopped cleanly, %ss in all\n' "$me" "$sipp_result" $((SECONDS - start))
exit 0
