#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sipservlet-composed and its DAR file: refused at start when broken,
# re-read on SIGHUP, kept when a new one is broken.
#
#   run-composition-reload.sh BINARY DAR BLOCKED_SCENARIO NOT_FOUND_SCENARIO
#
# DAR is the example DAR (INVITE: call-blocking, call-forwarding,
# location); the scenarios are a caller, mallory, that BINARY runs with
# --deny: BLOCKED_SCENARIO expects 403 (call-blocking saw the call),
# NOT_FOUND_SCENARIO 404 (location alone saw it: bob never registered).
# Steps, each in a work directory of its own:
#   1. BINARY with a DAR file whose line 3 is wrong: exit status 1, the
#      error names the file and line;
#   2. BINARY with a DAR that sends INVITE to location alone: 404;
#   3. DAR copied over it, SIGHUP: "DAR reloaded", then 403;
#   4. a broken file over it, SIGHUP: the warning names file and line,
#      and the rules of step 3 stay: 403;
#   5. SIGTERM: exit status 0, no valgrind error, no GLib critical, and
#      no warning but the one of step 4.
# BINARY runs under $SIPSERVLET_SERVER_WRAPPER when set (a valgrind
# command line).
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp or python3 missing), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports.
support=$(cd "$(dirname "$0")/../support" && pwd)
# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
log_deadline=30          # seconds to wait for a line in the server's log
stop_deadline=60         # seconds to wait for the server to exit on SIGTERM
sipp_global_timeout=60   # seconds, sipp -timeout
calls=5

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }

if [ $# -ne 4 ]; then
  printf 'usage: %s BINARY DAR BLOCKED_SCENARIO NOT_FOUND_SCENARIO\n' "$me" >&2
  exit 99
fi
for tool in sipp python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done

server=$1
example_dar=$2
blocked=$3
not_found=$4
[ -x "$server" ] || die "server binary '$server' is not executable"
for f in "$example_dar" "$blocked" "$not_found"; do
  [ -r "$f" ] || die "'$f' is not readable"
done
rate=10
use_wrapper

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sipp-composition-reload.XXXXXX") \
  || die "cannot create a work directory"
dar=$workdir/dar.properties
server_out=$workdir/server.out
server_err=$workdir/server.err
server_pid=
sipp_pid=
keep_workdir=0
step=0

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  kill_now "$sipp_pid"
  kill_now "$server_pid"
  end_workdir
}
set_traps

fail () {
  keep_workdir=1
  printf '%s: FAIL: step %s: %s\n' "$me" "$step" "$*" >&2
  show_tail "$workdir/sipp-errors.log" "sipp error log" 30
  show_tail "$workdir/sipp-screen.log" "sipp statistics" 40
  show_tail "$server_err" "server stderr" 40
  exit 1
}


# wait_log TEXT: waits until the server's stderr has a line containing
# TEXT (fixed string); fail()s after log_deadline seconds.
wait_log () {
  local begin=$SECONDS
  until grep -qF -- "$1" "$server_err"; do
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited waiting for '$1'"
    [ $((SECONDS - begin)) -lt "$log_deadline" ] || fail "no '$1' in the server's log"
    sleep 0.05
  done
}

sipp_port=$(python3 "$support/ports.py" free 1)
[ -n "$sipp_port" ] || die "cannot find a free port"

# ---- 1. a broken DAR at start --------------------------------------------------
step=1
bad=$workdir/bad.properties
printf '# a comment\nREGISTER: ("registrar", "DAR:To", "TERMINATING", "", "NO_ROUTE", "0")\nINVITE: ("location", "DAR:To")\n' \
  > "$bad"
"${wrapper[@]}" "$server" --listen 127.0.0.1:0 --dar "$bad" \
  < /dev/null > "$server_out" 2> "$server_err" &
server_pid=$!
wait "$server_pid"
status=$?
server_pid=
[ "$status" = 1 ] || fail "a broken DAR file: exit status $status, not 1"
grep -qF -- "$bad:3:" "$server_err" || fail "the error does not name '$bad:3:'"
if grep -q 'ERROR SUMMARY: [1-9]' "$server_err"; then
  fail "valgrind reported errors"
fi
printf '%s: step 1: a broken DAR file: exit status 1, %s\n' "$me" \
  "$(grep -F -- "$bad:3:" "$server_err" | head -n 1)"

# ---- 2. INVITE to location alone -------------------------------------------------
step=2
printf 'INVITE: ("location", "DAR:To", "TERMINATING", "", "NO_ROUTE", "0")\n' > "$dar"
(exec "${wrapper[@]}" "$server" --listen 127.0.0.1:0 --domain example.com --dar "$dar" \
  --deny sip:mallory@example.com < /dev/null > "$server_out" 2> "$server_err") &
server_pid=$!
wait_ready server "$server_pid" "$server_out" "$ready_deadline"
port=$ready_port
run_sipp "$not_found"

# ---- 3. the example DAR, SIGHUP ----------------------------------------------------
step=3
cp "$example_dar" "$dar" || fail "cannot copy $example_dar"
kill -HUP "$server_pid"
wait_log "SIGHUP: DAR reloaded"
run_sipp "$blocked"

# ---- 4. a broken DAR, SIGHUP: the rules of step 3 stay -----------------------------
step=4
printf 'INVITE: ("location", "DAR:To", "TERMINATING", "", "NO_ROUTE", "0")\nBYE: ("location")\n' \
  > "$dar"
kill -HUP "$server_pid"
wait_log "SIGHUP: DAR not reloaded, the previous rules stay: $dar:2:"
run_sipp "$blocked"

# ---- 5. stop ------------------------------------------------------------------------
step=5
failures=()
stop_server server "$server_pid" "$server_err" "$stop_deadline"
server_pid=
warnings=$(grep -c -- '-WARNING \*\*' "$server_err")
[ "$warnings" = 1 ] || failures+=("$warnings warnings, not the one of step 4")
fail_on_failures
printf '%s: PASS: DAR refused at start, reloaded, kept when broken; server stopped cleanly\n' "$me"
exit 0
