#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a sipp caller through sipservlet-b2bua to a sipp callee.
#
#   run-b2bua-scenario.sh [-a 'UAC SIPP ARGS'] [-b 'UAS SIPP ARGS'] [-r URI]
#       B2BUA_BINARY 'B2BUA ARGS' UAC_SCENARIO UAS_SCENARIO CALLS RATE
#
# Steps: pick two free ports (caller and callee); start the callee sipp
# (UAS_SCENARIO, -m CALLS: it must end by itself once it has seen every
# call); start B2BUA_BINARY --listen 127.0.0.1:0 B2BUA ARGS, where the text
# @UAS_PORT@ in B2BUA ARGS is replaced by the callee's port (so
# "--target sip:callee@127.0.0.1:@UAS_PORT@" points the outgoing legs at
# it), wrapped by $SIPSERVLET_SERVER_WRAPPER when set (e.g. a valgrind
# command line), and wait for its "ready 127.0.0.1:PORT" line; run the
# caller sipp (UAC_SCENARIO, -m CALLS -r RATE) against the B2BUA; then
# require exit status 0 from both sipps and from the B2BUA after SIGTERM,
# no valgrind error and no GLib critical in the B2BUA's stderr.
#
# The caller scenario gets the keyword [ruri], the Request-URI of its
# INVITE: URI from -r (default sip:callee@example.com, which only a
# B2BUA with --target can place), @UAS_PORT@ replaced as above, so a test
# of the B2BUA without --target passes -r sip:callee@127.0.0.1:@UAS_PORT@.
# Both scenarios get [uas_port], the callee's port. The caller's Call-IDs
# are caller-marker-N-PID@IP (sipp -cid_str), so that the callee can check
# that nothing of the caller's leg ("caller-marker") reaches it.
#
# Under $SIPSERVLET_SERVER_WRAPPER the load shrinks to at most 100 calls at
# 20 calls/s. Set SIPP_B2BUA_TRACE=1 to keep sipp message traces
# (-trace_msg) of both sipps and run the B2BUA with --verbose; the work
# directory is then kept, as it is on failure.
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp or python3 missing), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports, and whether sipp listens yet.
support=$(cd "$(dirname "$0")/../support" && pwd)
# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
stop_deadline=60         # seconds to wait for the B2BUA to exit on SIGTERM
uas_deadline=30          # seconds the callee may take to end after the caller
sipp_global_timeout=${SIPP_GLOBAL_TIMEOUT:-120}  # seconds, sipp -timeout (long calls raise it)

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }
usage () {
  printf 'usage: %s [-a "UAC SIPP ARGS"] [-b "UAS SIPP ARGS"] [-r URI] B2BUA_BINARY "B2BUA ARGS" UAC_SCENARIO UAS_SCENARIO CALLS RATE\n' "$me" >&2
  exit 99
}

uac_args=()
uas_args=()
ruri_text=sip:callee@example.com
while getopts a:b:r: opt; do
  case $opt in
    a) read -r -a uac_args <<< "$OPTARG" ;;
    b) read -r -a uas_args <<< "$OPTARG" ;;
    r) ruri_text=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 6 ] || usage

for tool in sipp python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done

b2bua=$1
b2bua_args_text=$2
uac_scenario=$3
uas_scenario=$4
calls=$5
rate=$6
trace=0
[ "${SIPP_B2BUA_TRACE:-0}" = 1 ] && trace=1

[ -x "$b2bua" ] || die "B2BUA binary '$b2bua' is not executable"
[ -r "$uac_scenario" ] || die "UAC scenario '$uac_scenario' is not readable"
[ -r "$uas_scenario" ] || die "UAS scenario '$uas_scenario' is not readable"
case $calls$rate in *[!0-9]*) die "CALLS and RATE must be numbers, got '$calls' and '$rate'" ;; esac
use_wrapper

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sipp-b2bua-$(basename "$uac_scenario" .xml).XXXXXX") \
  || die "cannot create a work directory"
b2bua_out=$workdir/b2bua.out
b2bua_err=$workdir/b2bua.err
b2bua_pid=
uac_pid=
uas_pid=
keep_workdir=$trace

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $uac_pid $uas_pid; do
    stop_pid "$pid"
  done
  kill_now "$b2bua_pid"
  end_workdir
}
set_traps

fail () {
  keep_workdir=1
  printf '%s: FAIL: %s\n' "$me" "$*" >&2
  show_tail "$workdir/uac-errors.log" "caller sipp error log" 40
  show_tail "$workdir/uac-screen.log" "caller sipp statistics" 60
  show_tail "$workdir/uas-errors.log" "callee sipp error log" 30
  show_tail "$workdir/uas-screen.log" "callee sipp statistics" 40
  show_tail "$b2bua_err" "B2BUA stderr" 60
  exit 1
}

sipp_trace () {  # NAME: message trace options for one sipp
  if [ "$trace" = 1 ]; then
    printf '%s\n' -trace_msg -message_file "$workdir/$1-messages.log"
  fi
}

# ---- two free ports, free for UDP and TCP alike -------------------------------
read -r uac_port uas_port <<< "$(python3 "$support/ports.py" free 2)"
[ -n "${uas_port:-}" ] || die "cannot find two free ports"

# ---- the callee --------------------------------------------------------------
start=$SECONDS
mapfile -t uas_trace < <(sipp_trace uas)
timeout --kill-after=10 $((sipp_global_timeout + 60)) \
  sipp -sf "$uas_scenario" -i 127.0.0.1 -p "$uas_port" -m "$calls" -nostdin \
    -timeout "$((sipp_global_timeout + 30))s" -timeout_error \
    -trace_err -error_file "$workdir/uas-errors.log" \
    -trace_screen -screen_file "$workdir/uas-screen.log" \
    -buff_size 4194304 -key uas_port "$uas_port" \
    "${uas_trace[@]}" "${uas_args[@]}" \
    < /dev/null > "$workdir/uas.out" 2>&1 &
uas_pid=$!

waited=0
until python3 "$support/ports.py" bound "$uas_port"
do
  kill -0 "$uas_pid" 2>/dev/null || fail "callee sipp exited at start: $(head -c 400 "$workdir/uas.out")"
  waited=$((waited + 1))
  [ "$waited" -lt 200 ] || fail "callee sipp does not listen on port $uas_port"
  sleep 0.05
done

# ---- the B2BUA -------------------------------------------------------------------
read -r -a b2bua_args <<< "${b2bua_args_text//@UAS_PORT@/$uas_port}"
[ "$trace" = 1 ] && b2bua_args+=(--verbose)
# exec: $! must be the B2BUA itself (or valgrind running it), which gets
# the SIGTERM.
(exec "${wrapper[@]}" "$b2bua" --listen 127.0.0.1:0 "${b2bua_args[@]}" \
  < /dev/null > "$b2bua_out" 2> "$b2bua_err") &
b2bua_pid=$!

wait_ready B2BUA "$b2bua_pid" "$b2bua_out" "$ready_deadline"
b2bua_port=$ready_port
printf '%s: B2BUA %s (pid %s) on 127.0.0.1:%s (%s), callee sipp on 127.0.0.1:%s\n' \
  "$me" "$(basename "$b2bua")" "$b2bua_pid" "$b2bua_port" "${b2bua_args[*]}" "$uas_port"

# ---- the caller --------------------------------------------------------------
sipp_start=$SECONDS
mapfile -t uac_trace < <(sipp_trace uac)
timeout --kill-after=10 $((sipp_global_timeout + 30)) \
  sipp -sf "$uac_scenario" "127.0.0.1:$b2bua_port" -m "$calls" -r "$rate" \
    -i 127.0.0.1 -p "$uac_port" -nostdin \
    -timeout "${sipp_global_timeout}s" -timeout_error \
    -trace_err -error_file "$workdir/uac-errors.log" \
    -trace_screen -screen_file "$workdir/uac-screen.log" \
    -cid_str 'caller-marker-%u-%p@%s' \
    -buff_size 4194304 -key uas_port "$uas_port" -key ruri "${ruri_text//@UAS_PORT@/$uas_port}" \
    "${uac_trace[@]}" "${uac_args[@]}" \
    < /dev/null > "$workdir/uac.out" 2>&1 &
uac_pid=$!
wait "$uac_pid"
uac_status=$?
uac_pid=
printf '%s: caller sipp: %s in %ss (%s calls at %s/s, %s)\n' "$me" \
  "$(sipp_status_text "$uac_status")" $((SECONDS - sipp_start)) "$calls" "$rate" \
  "$(basename "$uac_scenario")"

failures=()
[ "$uac_status" = 0 ] || failures+=("caller sipp: $(sipp_status_text "$uac_status")")

# ---- the callee ends by itself once it saw every call ---------------------------
wait_ended "callee sipp ($(basename "$uas_scenario"))" "$uas_pid" "$uas_deadline"
uas_pid=

# ---- stop the B2BUA -----------------------------------------------------------
stop_server B2BUA "$b2bua_pid" "$b2bua_err" "$stop_deadline"
b2bua_pid=
fail_on_failures
# Warnings are shown even on success.
grep -c -- '-WARNING \*\*' "$b2bua_err" | sed "s/^/$me: B2BUA warnings: /"
printf '%s: PASS: %s calls through the B2BUA, B2BUA stopped cleanly, %ss in all\n' \
  "$me" "$calls" $((SECONDS - start))
exit 0
