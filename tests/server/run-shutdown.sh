#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sipservlet-server and SIGTERM: new calls are refused with 503, the
# calls in progress finish, and the daemon exits with status 0 once they
# have, or when [server] shutdown-deadline has passed.
#
#   run-shutdown.sh SERVER CONFIG
#
# CONFIG is the configuration the build makes; call-forwarding is pointed
# (--set call-forwarding.forward=bob=...) at a callee sipp, so that a
# call for bob@example.com goes through call-blocking, call-forwarding
# and location to it. The scenarios are the shutdown-*.xml files next to
# this script.
#
# a. graceful (shutdown-deadline 20): the callee rings at once and
#    answers PAUSE later (3 s; 8 s under the wrapper). Once the INVITE has
#    reached it, SIGTERM: the daemon logs "stopping", a new caller (carol)
#    gets 503 with a Retry-After and her INVITE goes no further; the call
#    in progress gets its 180 and 200, the callee its ACK (sent 400 ms
#    after the 200: the daemon waits for the ACK of a 2xx it relayed); the daemon
#    exits with status 0 within 15 s of the SIGTERM (30 s under the
#    wrapper). The caller's BYE, 100 ms after the ACK, may find the
#    daemon gone: the container's shutdown waits for transactions, not for
#    dialogs (lib/container/container.c, transactions_pending ()), and
#    the daemon exits as soon as the INVITE transaction is over. Whether
#    the BYE got through is printed, not judged.
# b. deadline (shutdown-deadline 1): the callee rings and never answers.
#    SIGTERM once it rings: the daemon exits with status 0 within 8 s
#    (30 s under the wrapper) and the caller (tests/server/sip-client.py)
#    has a final response of 400 or more (which one is printed), and the
#    callee a CANCEL for its ringing branch.
# Each time: no valgrind error, no GLib critical, no warning.
#
# SERVER runs under $SIPSERVLET_SERVER_WRAPPER when set (a valgrind
# command line). Set SIPP_SHUTDOWN_TRACE=1 to keep the work directory.
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp or python3 missing), 99 bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
support=$here/../support
# shellcheck source=tests/sipp/driver-lib.sh
. "$here/../sipp/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
log_deadline=30          # seconds to wait for a line in a log
sipp_deadline=60         # seconds a sipp may take to end
sipp_global_timeout=60   # seconds, sipp -timeout

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }

if [ $# -ne 2 ]; then
  printf 'usage: %s SERVER CONFIG\n' "$me" >&2
  exit 99
fi
for tool in sipp python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done

server=$1
config=$2
[ -x "$server" ] || die "server binary '$server' is not executable"
[ -r "$config" ] || die "'$config' is not readable"
for f in shutdown-uac-call.xml shutdown-uac-refused.xml shutdown-uas-slow-answer.xml \
         shutdown-uas-ring.xml sip-client.py; do
  [ -r "$here/$f" ] || die "'$here/$f' is not readable"
done
calls=1
use_wrapper
if [ ${#wrapper[@]} -gt 0 ]; then
  pause_ms=8000          # how long the callee of (a) rings
  graceful_limit=30      # seconds from SIGTERM to the exit, (a)
  deadline_limit=30      # the same, (b)
else
  pause_ms=3000
  graceful_limit=15
  deadline_limit=8
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/server-shutdown.XXXXXX") || die "cannot create a work directory"
keep_workdir=0
[ "${SIPP_SHUTDOWN_TRACE:-0}" = 1 ] && keep_workdir=1
server_err=
server_pid=
uac_pid=
uas_pid=
client_pid=
part=
failures=()

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $uac_pid $uas_pid $client_pid; do
    stop_pid "$pid"
  done
  kill_now "$server_pid"
  end_workdir
}
set_traps

# shellcheck source=tests/server/daemon-lib.sh
. "$here/daemon-lib.sh"

# start_daemon UAS_PORT DEADLINE: the daemon with CONFIG, bob forwarded to
# the callee on UAS_PORT, shutdown-deadline DEADLINE; sets $port.
start_daemon () {
  server_err=$workdir/$part-server.err
  (exec "${wrapper[@]}" "$server" --config "$config" --listen 127.0.0.1:0 \
    --set "call-forwarding.forward=bob=sip:callee@127.0.0.1:$1" \
    --set "server.shutdown-deadline=$2" \
    < /dev/null > "$workdir/$part-server.out" 2> "$server_err") &
  server_pid=$!
  wait_ready server "$server_pid" "$workdir/$part-server.out" "$ready_deadline"
  port=$ready_port
}

# sigterm_when_ringing CALLEE_TRACE: once the INVITE has reached the
# callee, SIGTERM to the daemon; $sigterm_ms is when.
sigterm_when_ringing () {
  wait_text "$1" "INVITE sip:callee@127.0.0.1:"
  kill -TERM "$server_pid"
  sigterm_ms=$(now_ms)
}

# daemon_exits LIMIT: the daemon must exit within LIMIT seconds of the
# SIGTERM with status 0, without valgrind error, critical or warning.
daemon_exits () {
  local limit_ms=$(($1 * 1000)) elapsed_ms warnings
  while kill -0 "$server_pid" 2>/dev/null && [ $(($(now_ms) - sigterm_ms)) -lt "$limit_ms" ]; do
    sleep 0.05
  done
  elapsed_ms=$(($(now_ms) - sigterm_ms))
  kill -0 "$server_pid" 2>/dev/null && failures+=("still running ${1}s after SIGTERM")
  # Kills it when still running, else collects its status and judges its log.
  stop_server server "$server_pid" "$server_err" 1
  server_pid=
  warnings=$(grep -c -- '-WARNING \*\*' "$server_err")
  [ "$warnings" = 0 ] || failures+=("$warnings warning(s) in the server's log")
  fail_on_failures
  daemon_exit_s=$(printf '%d.%03d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)))
  note "the daemon exited with status 0 ${daemon_exit_s}s after SIGTERM (limit ${1}s)"
}

# received FILE FIRST_LINE_REGEX CSEQ: how many messages FILE (a sipp
# message trace) received that start with FIRST_LINE_REGEX and carry
# "CSeq: CSEQ".
received () {
  awk -v first="$2" -v cseq="CSeq: $3" '
    /message received/ { inside = 1; line = 0; match_first = 0; next }
    /message sent/ || /^-+ *[0-9-]* *[0-9:.]*$/ { inside = 0; next }
    inside && NF > 0 && line == 0 { line = 1; match_first = ($0 ~ first); next }
    inside && match_first && index($0, cseq) == 1 { n++; match_first = 0 }
    END { print n + 0 }' "$1"
}

read -r uac_port uas_port refused_port <<< "$(python3 "$support/ports.py" free 3)"
[ -n "${refused_port:-}" ] || die "cannot find three free ports"

# ---- a. graceful: the call in progress finishes, new ones get 503 ---------------------
part=graceful
sipp_bg callee "$here/shutdown-uas-slow-answer.xml" -m 1 -p "$uas_port" -d "$pause_ms"
uas_pid=$sipp_bg_pid
wait_bound "$uas_port" "$uas_pid"
start_daemon "$uas_port" 20
sipp_bg caller "$here/shutdown-uac-call.xml" "127.0.0.1:$port" -m 1 -p "$uac_port"
uac_pid=$sipp_bg_pid
sigterm_when_ringing "$workdir/$part-callee-messages.log"
wait_text "$server_err" "stopping: finishing live transactions"
kill -0 "$server_pid" 2>/dev/null || fail "the daemon exited before the call was answered"
# A new caller, now: 503.
sipp_bg refused "$here/shutdown-uac-refused.xml" "127.0.0.1:$port" -m 1 -p "$refused_port"
wait_sipp "refused caller" "$sipp_bg_pid"
refused_ms=$(($(now_ms) - sigterm_ms))
note "a new INVITE $((refused_ms))ms after SIGTERM: 503 with Retry-After"
daemon_exits "$graceful_limit"
graceful_exit_s=$daemon_exit_s
wait_sipp caller "$uac_pid"
uac_pid=
wait_sipp callee "$uas_pid"
uas_pid=
callee_trace=$workdir/$part-callee-messages.log
caller_trace=$workdir/$part-caller-messages.log
invites=$(received "$callee_trace" '^INVITE ' '1 INVITE')
[ "$invites" = 1 ] || fail "the callee received $invites INVITEs, not 1 (carol's got through?)"
[ "$(received "$callee_trace" '^ACK ' '1 ACK')" = 1 ] || fail "the callee got no ACK"
note "the call in progress: 180, 200 and ACK through the daemon"
byes=$(received "$callee_trace" '^BYE ' '2 BYE')
bye_ok=$(received "$caller_trace" '^SIP/2.0 200 ' '2 BYE')
if [ "$bye_ok" -ge 1 ] && [ "$byes" -ge 1 ]; then
  note "NOTE: the caller's BYE went through and was answered 200"
elif [ "$bye_ok" = 0 ] && [ "$byes" = 0 ]; then
  note "NOTE: the caller's BYE, 100 ms after the ACK, went unanswered: the daemon had exited" \
    "once the INVITE transaction ended (its shutdown waits for transactions, not dialogs)"
else
  fail "the BYE reached the callee $byes time(s) and the caller got $bye_ok 200(s) for it"
fi

# ---- b. the deadline: what still rings is ended -------------------------------------------
part=deadline
sipp_bg callee "$here/shutdown-uas-ring.xml" -m 1 -p "$uas_port"
uas_pid=$sipp_bg_pid
wait_bound "$uas_port" "$uas_pid"
start_daemon "$uas_port" 1
python3 "$here/sip-client.py" invite --wait 60 "$port" sip:bob@example.com \
  > "$workdir/$part-client.out" 2>&1 &
client_pid=$!
sigterm_when_ringing "$workdir/$part-callee-messages.log"
daemon_exits "$deadline_limit"
begin=$SECONDS
while kill -0 "$client_pid" 2>/dev/null && [ $((SECONDS - begin)) -lt 10 ]; do
  sleep 0.05
done
kill -0 "$client_pid" 2>/dev/null && fail "the caller was still waiting 10 s after the daemon exited"
wait "$client_pid"
client_status=$?
client_pid=
final=$(sed -n 's/^final //p' "$workdir/$part-client.out")
if [ "$client_status" != 0 ] || [ -z "$final" ]; then
  fail "the caller got no final response: $(cat "$workdir/$part-client.out")"
fi
[ "${final%% *}" -ge 400 ] || fail "the caller got '$final', not a final response >= 400"
note "the unanswered caller got '$final'"
# RFC 3261 §16.10: the branch still ringing is cancelled, not left to ring.
[ "$(received "$workdir/$part-callee-messages.log" '^CANCEL ' '1 CANCEL')" -ge 1 ] \
  || fail "the callee's ringing branch was not cancelled (no CANCEL came)"
note "the callee's ringing branch was cancelled"
grep -qF "shutdown: the deadline (1000 ms) passed with transactions in progress" "$server_err" \
  || fail "the daemon did not log that the deadline cut the call off"
stop_pid "$uas_pid"
uas_pid=

printf '%s: PASS: new calls refused, the call in progress answered, exit 0 in %ss;' \
  "$me" "$graceful_exit_s"
printf ' past the deadline the daemon exited in %ss\n' "$daemon_exit_s"
exit 0
