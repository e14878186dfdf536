#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sipservlet-server's HTTP operations endpoints, /metrics and /health,
# while real SIP goes through it.
#
#   run-metrics.sh SERVER CONFIG SIPP_DIR
#
# CONFIG is the configuration the build makes, with --set
# server.http=127.0.0.1:0 (the [server] key of --http) and call-forwarding
# pointed at a callee sipp; SIPP_DIR holds composition-uac-call.xml and
# composition-uas-call.xml (tests/sipp). The other scenarios are the
# shutdown-*.xml next to this script.
#
# a. metrics: /health is 200 {"status": "ready"}; /metrics is scraped
#    before, after REGISTERs (tests/support/register.py: three
#    addresses-of-record registered, a fourth registered then removed)
#    and after CALLS calls (caller sipp -> call-blocking, call-forwarding,
#    location -> callee sipp, the caller hangs up). Every scrape passes
#    `promtool check metrics`; between them the counters moved by what was
#    sent: requests received by method (REGISTER, INVITE, ACK, BYE), the
#    2xx sent and received, the proxy branches, the proxy's call set-up
#    histogram (one observation per call), the registrations gauges; the
#    transaction gauges are there. Then a call the caller cancels while
#    it rings: the CANCEL, its 200 and the 487 are counted, no set-up.
# b. shutdown: a call rings at the callee (answered after some seconds);
#    SIGTERM; meanwhile /health is 503 {"status": "shutting-down"}; the
#    call is answered and the daemon exits with status 0.
# c. operations: with server.http-operations=127.0.0.1:0 too, /metrics
#    and /health are served there (valid text) and not on server.http
#    (404), and the daemon stops cleanly.
# Each time: no valgrind error, no GLib critical, no warning.
#
# promtool (Debian package prometheus) is required: without it the test
# fails rather than skipping, since judging the text is its point.
# SERVER runs under $SIPSERVLET_SERVER_WRAPPER when set (a valgrind
# command line), with longer waits. Set SIPP_METRICS_TRACE=1 to keep the
# work directory (scrapes, logs, sipp traces).
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp or python3 missing), 99 bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
support=$here/../support
# shellcheck source=tests/sipp/driver-lib.sh
. "$here/../sipp/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
log_deadline=30          # seconds to wait for a line in a log, or a /health
sipp_deadline=60         # seconds a sipp may take to end
sipp_global_timeout=60   # seconds, sipp -timeout
http_timeout=30          # seconds, one HTTP request

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }

if [ $# -ne 3 ]; then
  printf 'usage: %s SERVER CONFIG SIPP_DIR\n' "$me" >&2
  exit 99
fi
for tool in sipp python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done
command -v promtool >/dev/null 2>&1 \
  || die "promtool is not installed (Debian package prometheus): it judges the /metrics text"

server=$1
config=$2
sipp_dir=$3
[ -x "$server" ] || die "server binary '$server' is not executable"
[ -r "$config" ] || die "'$config' is not readable"
for f in "$sipp_dir/composition-uac-call.xml" "$sipp_dir/composition-uas-call.xml" \
         "$here/shutdown-uac-call.xml" "$here/shutdown-uas-slow-answer.xml"; do
  [ -r "$f" ] || die "'$f' is not readable"
done
calls=3
use_wrapper
if [ ${#wrapper[@]} -gt 0 ]; then
  ready_deadline=180
  log_deadline=90
  sipp_deadline=120
  sipp_global_timeout=120
  http_timeout=90
  pause_ms=10000         # how long the callee of (b) rings
  stop_limit=60          # seconds from SIGTERM to the exit
else
  pause_ms=3000
  stop_limit=15
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/server-metrics.XXXXXX") || die "cannot create a work directory"
keep_workdir=0
[ "${SIPP_METRICS_TRACE:-0}" = 1 ] && keep_workdir=1
server_err=
server_pid=
uac_pid=
uas_pid=
part=
failures=()

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $uac_pid $uas_pid; do
    stop_pid "$pid"
  done
  kill_now "$server_pid"
  end_workdir
}
set_traps

# shellcheck source=tests/server/daemon-lib.sh
. "$here/daemon-lib.sh"

# start_daemon ARGS...: the daemon with CONFIG on 127.0.0.1:0 and ARGS;
# sets $port (SIP) and the array http_urls (the "http ..." line: the
# --http listeners first, then the --http-operations ones).
start_daemon () {
  local out=$workdir/$part-server.out begin line
  server_err=$workdir/$part-server.err
  (exec "${wrapper[@]}" "$server" --config "$config" --listen 127.0.0.1:0 "$@" \
    < /dev/null > "$out" 2> "$server_err") &
  server_pid=$!
  wait_ready server "$server_pid" "$out" "$ready_deadline"
  port=$ready_port
  begin=$SECONDS
  until line=$(grep -m 1 '^http ' "$out"); do
    [ $((SECONDS - begin)) -lt "$log_deadline" ] || fail "no 'http URL...' line after 'ready'"
    sleep 0.05
  done
  read -r -a http_urls <<< "${line#http }"
  note "daemon ready on 127.0.0.1:$port, HTTP ${http_urls[*]}"
}

# http_get URL BODY_FILE: GETs URL, its body into BODY_FILE; prints the
# status code (000 when there was no answer).
http_get () {
  python3 - "$1" "$2" "$http_timeout" <<'EOF'
import sys
import urllib.error
import urllib.request

url, out, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
except Exception as e:  # refused, timed out: no answer
    code, body = 0, str(e).encode()
with open(out, "wb") as f:
    f.write(body)
print("%03d" % code)
EOF
}

# expect_get URL CODE BODY_REGEX NAME: GET URL must answer CODE with a
# body matching BODY_REGEX (grep -E); the body is kept in PART-NAME.
expect_get () {
  local body=$workdir/$part-$4 code
  code=$(http_get "$1" "$body")
  [ "$code" = "$2" ] || fail "GET $1: $code, not $2: $(head -c 300 "$body")"
  grep -qE -- "$3" "$body" || fail "GET $1: $code but the body is not /$3/: $(head -c 300 "$body")"
}

# scrape URL NAME: GETs URL/metrics into PART-NAME.txt, which must pass
# promtool check metrics; sets $scraped to that file.
scrape () {
  scraped=$workdir/$part-$2.txt
  expect_get "${1}metrics" 200 '^# TYPE ' "$2.txt"
  promtool check metrics < "$scraped" > "$workdir/$part-$2.promtool" 2>&1 \
    || fail "promtool check metrics: $2 scrape: $(cat "$workdir/$part-$2.promtool")"
}

# value FILE SERIES: the value of SERIES (name{labels} as printed) in a
# scrape; "missing" when there is no such line.
value () {
  awk -v s="$2" '$1 == s { print $2; found = 1; exit } END { if (!found) print "missing" }' "$1"
}

# check SERIES OP N: the scrape $after has SERIES OP N (-eq or -ge),
# where N may be "+D": D more than in the scrape $before.
check () {
  local series=$1 op=$2 want=$3 got was=0 what ok
  got=$(value "$after" "$series")
  case $got in
    missing) failures+=("$series is missing"); return ;;
    *[!0-9]*) failures+=("$series is '$got', not an integer"); return ;;
  esac
  if [ "${want#+}" != "$want" ]; then
    was=$(value "$before" "$series")
    case $was in *[!0-9]*|'') failures+=("$series before: '$was'"); return ;; esac
    what="grew by $((got - was)) ($was -> $got)"
    got=$((got - was))
    want=${want#+}
  else
    what="is $got"
  fi
  case $op in
    -eq) ok=$((got == want)) ;;
    -ge) ok=$((got >= want)) ;;
    *) die "check: unknown operator '$op'" ;;
  esac
  if [ "$ok" = 1 ]; then
    note "$series $what"
  else
    failures+=("$series $what, expected $op $want")
  fi
}

read -r uas_port ring_port <<< "$(python3 "$support/ports.py" free 2)"
[ -n "${ring_port:-}" ] || die "cannot find two free ports"
forward=(--set "call-forwarding.forward=bob=sip:callee@127.0.0.1:$uas_port")

# ---- a. the counters move with REGISTERs and calls ---------------------------------------
part=metrics
sipp_bg callee "$sipp_dir/composition-uas-call.xml" -p "$uas_port" -m "$calls"
uas_pid=$sipp_bg_pid
wait_bound "$uas_port" "$uas_pid"
start_daemon "${forward[@]}" --set server.http=127.0.0.1:0
url=${http_urls[0]}
expect_get "${url}health" 200 '^\{"status": "ready"\}$' health
note "/health: 200 {\"status\": \"ready\"}"
scrape "$url" before
first=$scraped

# Three addresses-of-record registered (a contact each, where nobody
# listens), a fourth registered and removed: five REGISTERs.
registers=0
for user in alice carol dave erin; do
  reg_args=()
  [ "$user" = erin ] && reg_args=(--unregister)
  out=$(python3 "$support/register.py" "$port" "$user@example.com" \
          "sip:$user@127.0.0.1:$ring_port" "${reg_args[@]}" 2>&1) \
    || fail "REGISTER $user@example.com: $out"
  registers=$((registers + 1 + ${#reg_args[@]}))
done
scrape "$url" registered
before=$first
after=$scraped
check 'sipservlet_sip_requests_received_total{method="REGISTER"}' -eq "+$registers"
check 'sipservlet_sip_responses_sent_total{class="2xx"}' -eq "+$registers"
check sipservlet_registrations_aors -eq 3
check sipservlet_registrations_bindings -eq 3
fail_on_failures

# The caller's port, chosen now that the daemon has its own.
uac_port=$(python3 "$support/ports.py" free 1 "$uas_port" "$ring_port")
[ -n "$uac_port" ] || die "cannot find a free port"
sipp_bg caller "$sipp_dir/composition-uac-call.xml" "127.0.0.1:$port" -p "$uac_port" \
  -m "$calls" -r 10
uac_pid=$sipp_bg_pid
wait_sipp caller "$uac_pid"
uac_pid=
wait_sipp callee "$uas_pid"
uas_pid=
note "$calls calls through the daemon, the caller hanging up"
scrape "$url" after
before=$workdir/$part-registered.txt
after=$scraped
# Each call: INVITE, ACK and BYE from the caller, relayed to the callee
# (two branches at least: the INVITE's and the BYE's); 200 INVITE and
# 200 BYE from the callee, relayed to the caller.
check 'sipservlet_sip_requests_received_total{method="INVITE"}' -eq "+$calls"
check 'sipservlet_sip_requests_received_total{method="ACK"}' -eq "+$calls"
check 'sipservlet_sip_requests_received_total{method="BYE"}' -eq "+$calls"
check 'sipservlet_sip_requests_received_total{method="REGISTER"}' -eq +0
check 'sipservlet_sip_responses_received_total{class="2xx"}' -eq "+$((2 * calls))"
check 'sipservlet_sip_responses_sent_total{class="2xx"}' -eq "+$((2 * calls))"
check 'sipservlet_sip_responses_sent_total{class="4xx"}' -eq +0
check 'sipservlet_sip_responses_received_total{class="4xx"}' -eq +0
check sipservlet_proxy_branches_total -ge "+$((2 * calls))"
check 'sipservlet_call_setup_seconds_count{role="proxy"}' -eq "+$calls"
check 'sipservlet_call_setup_seconds_bucket{role="proxy",le="+Inf"}' -eq "+$calls"
check 'sipservlet_call_setup_seconds_count{role="b2bua"}' -eq +0
check sipservlet_registrations_aors -ge 1
check sipservlet_registrations_bindings -ge 1
check 'sipservlet_sip_transactions{side="server"}' -ge 0
check 'sipservlet_sip_transactions{side="client"}' -ge 0
check sipservlet_sip_parse_errors_total -eq 0
fail_on_failures
expect_get "${url}health" 200 '"ready"' health-after
note "/health still 200 after the calls"

# One more call, cancelled by the caller while it rings: the CANCEL in,
# and out its 200 (which NTA sends by itself) and the INVITE's 487.
sipp_bg cancel-callee "$sipp_dir/composition-uas-ring-cancel.xml" -p "$uas_port" -m 1
uas_pid=$sipp_bg_pid
wait_bound "$uas_port" "$uas_pid"
sipp_bg cancel-caller "$sipp_dir/composition-uac-cancel.xml" "127.0.0.1:$port" -p "$uac_port" -m 1
uac_pid=$sipp_bg_pid
wait_sipp "cancelling caller" "$uac_pid"
uac_pid=
wait_sipp "ringing callee" "$uas_pid"
uas_pid=
scrape "$url" cancelled
before=$after
after=$scraped
check 'sipservlet_sip_requests_received_total{method="CANCEL"}' -eq +1
check 'sipservlet_sip_responses_sent_total{class="2xx"}' -eq +1
check 'sipservlet_sip_responses_sent_total{class="4xx"}' -eq +1
check 'sipservlet_sip_responses_received_total{class="4xx"}' -eq +1
check 'sipservlet_call_setup_seconds_count{role="proxy"}' -eq +0
fail_on_failures

# ---- b. SIGTERM with a call ringing: /health 503 until the exit ----------------------------
part=shutdown
sipp_bg callee "$here/shutdown-uas-slow-answer.xml" -p "$uas_port" -m 1 -d "$pause_ms"
uas_pid=$sipp_bg_pid
wait_bound "$uas_port" "$uas_pid"
sipp_bg caller "$here/shutdown-uac-call.xml" "127.0.0.1:$port" -p "$uac_port" -m 1
uac_pid=$sipp_bg_pid
wait_text "$workdir/$part-callee-messages.log" "INVITE sip:callee@127.0.0.1:"
kill -TERM "$server_pid"
sigterm_ms=$(now_ms)
wait_text "$server_err" "stopping: finishing live transactions"
kill -0 "$server_pid" 2>/dev/null || fail "the daemon exited before the call was answered"
expect_get "${url}health" 503 '^\{"status": "shutting-down"\}$' health
note "/health during the shutdown: 503 {\"status\": \"shutting-down\"} $(($(now_ms) - sigterm_ms))ms after SIGTERM"
while kill -0 "$server_pid" 2>/dev/null && [ $(($(now_ms) - sigterm_ms)) -lt $((stop_limit * 1000)) ]; do
  sleep 0.05
done
elapsed_ms=$(($(now_ms) - sigterm_ms))
kill -0 "$server_pid" 2>/dev/null && failures+=("still running ${stop_limit}s after SIGTERM")
# Kills it when still running, else collects its status and judges its log.
stop_server server "$server_pid" "$server_err" 1
server_pid=
warnings=$(grep -c -- '-WARNING \*\*' "$server_err")
[ "$warnings" = 0 ] || failures+=("$warnings warning(s) in the server's log")
fail_on_failures
note "the daemon exited with status 0 ${elapsed_ms}ms after SIGTERM"
# The caller got its 200 (its BYE may find the daemon gone: run-shutdown.sh).
wait_sipp caller "$uac_pid"
uac_pid=
stop_pid "$uas_pid"
uas_pid=

# ---- c. --http-operations: /metrics there, not on --http ------------------------------------
part=operations
start_daemon --set server.http=127.0.0.1:0 --set server.http-operations=127.0.0.1:0
[ ${#http_urls[@]} = 2 ] || fail "two HTTP URLs expected, got: ${http_urls[*]}"
scrape "${http_urls[1]}" operations
expect_get "${http_urls[1]}health" 200 '"ready"' operations-health
expect_get "${http_urls[0]}metrics" 404 '' applications-metrics
note "/metrics and /health on ${http_urls[1]} (valid), 404 on ${http_urls[0]}"
stop_server server "$server_pid" "$server_err" "$stop_limit"
server_pid=
warnings=$(grep -c -- '-WARNING \*\*' "$server_err")
[ "$warnings" = 0 ] || failures+=("$warnings warning(s) in the server's log")
fail_on_failures

printf '%s: PASS: /metrics valid and moving with %s REGISTERs and %s calls,' "$me" \
  "$registers" "$calls"
printf ' /health 503 during the shutdown, /metrics on the operations listener\n'
exit 0
