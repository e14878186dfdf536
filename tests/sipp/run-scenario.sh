#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs one sipp scenario against a libsipservlet example server.
#
#   run-scenario.sh SERVER_BINARY 'SERVER ARGS' SCENARIO.xml CALLS RATE [sipp args...]
#
# Starts SERVER_BINARY --listen $SERVER_LISTEN SERVER ARGS (default
# 127.0.0.1:0; wrapped by $SIPSERVLET_SERVER_WRAPPER when set, e.g. a
# valgrind command line), waits for its "ready HOST:PORT" line, runs sipp
# from $CLIENT_IP (default 127.0.0.1; ::1 for IPv6) against CLIENT_IP:PORT,
# then stops the server with SIGTERM and checks that it exits with status 0.
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp not installed), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports, and whether sipp listens yet.
support=$(cd "$(dirname "$0")/../support" && pwd)
# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
stop_deadline=60         # seconds to wait for the server to exit on SIGTERM
sipp_global_timeout=${SIPP_GLOBAL_TIMEOUT:-120}  # seconds, sipp -timeout (long calls raise it)

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
[ -x "$server" ] || die "server binary '$server' is not executable"
[ -r "$scenario" ] || die "scenario '$scenario' is not readable"
case $calls$rate in *[!0-9]*) die "CALLS and RATE must be numbers, got '$calls' and '$rate'" ;; esac
use_wrapper

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
    kill_now "$pid"
  done
  end_workdir
}
set_traps

fail () {
  keep_workdir=1
  printf '%s: FAIL: %s\n' "$me" "$*" >&2
  show_tail "$sipp_errors" "sipp error log" 40
  show_tail "$sipp_screen" "sipp statistics" 60
  show_tail "$server_err" "server stderr" 60
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
listen=${SERVER_LISTEN:-127.0.0.1:0}
client_ip=${CLIENT_IP:-127.0.0.1}
case $client_ip in *:*) client_host="[$client_ip]" ;; *) client_host=$client_ip ;; esac
"${wrapper[@]}" "$server" --listen "$listen" "${server_args[@]}" \
  < /dev/null > "$server_out" 2> "$server_err" &
server_pid=$!

wait_ready server "$server_pid" "$server_out" "$ready_deadline"
port=$ready_port
printf '%s: server %s (pid %s) ready on %s, reached at %s:%s after %ss\n' \
  "$me" "$(basename "$server")" "$server_pid" "$listen" "$client_host" "$port" \
  $((SECONDS - start))

# ---- run sipp ----------------------------------------------------------------
sipp_start=$SECONDS
timeout --kill-after=10 $((sipp_global_timeout + 30)) \
  sipp -sf "$scenario" "$client_host:$port" -m "$calls" -r "$rate" \
    -i "$client_ip" -p "$local_port" -nostdin \
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

sipp_result="sipp: $(sipp_status_text "$sipp_status")"
printf '%s: %s in %ss (%s calls at %s/s, %s)\n' \
  "$me" "$sipp_result" "$sipp_time" "$calls" "$rate" "$(basename "$scenario")"

# ---- stop the server ---------------------------------------------------------
failures=()
[ "$sipp_status" = 0 ] || failures+=("$sipp_result")
stop_server server "$server_pid" "$server_err" "$stop_deadline"
server_pid=
fail_on_failures
printf '%s: PASS: %s calls, server stopped cleanly, %ss in all\n' "$me" "$calls" $((SECONDS - start))
exit 0
