#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sipservlet-server and SIGHUP: the DAR file, the credentials and the TLS
# files are read again; one that does not load is reported (file and
# line) and the one in use stays.
#
#   run-reload.sh SERVER CONFIG EXAMPLE_DAR BLOCKED_SCENARIO NOT_FOUND_SCENARIO
#
# CONFIG is the configuration the build makes (call-blocking denies
# mallory; the registrar; domain example.com); EXAMPLE_DAR the example DAR
# (INVITE: call-blocking, call-forwarding, location); the scenarios are
# mallory calling bob: BLOCKED_SCENARIO expects 403 (call-blocking saw
# the call), NOT_FOUND_SCENARIO 404 (location alone saw it).
#
# dar: [server] dar is a file of the work directory.
#   1. it sends INVITE to location alone: mallory gets 404;
#   2. the example DAR copied over it, SIGHUP: "DAR reloaded", 403;
#   3. a broken file over it, SIGHUP: the warning names file:line, 403.
# credentials and TLS: [server] auth-file (alice), realm example.com,
# listen 127.0.0.1:0 and tls:127.0.0.1:0 with certificate A (authority A).
#   1. REGISTER without credentials: 401; alice with hers: 200; bob: 401
#      (unknown user); a TLS client trusting authority A gets A;
#   2. bob added to the file, SIGHUP: "credentials reloaded", bob: 200;
#   3. a broken file (bob gone, a bad line), SIGHUP: the warning names
#      file:line and bob still gets 200: the previous users stay;
#   4. the files of certificate B (authority B) over A's, SIGHUP: "TLS
#      files reloaded", a client trusting authority B gets B;
#   5. certificate C with a key that is not its own, SIGHUP: "TLS files
#      not reloaded", B is still served.
# Each server ends with SIGTERM: exit status 0, no valgrind error, no GLib
# critical, and no warning but the ones the steps caused. SERVER runs
# under $SIPSERVLET_SERVER_WRAPPER when set (a valgrind command line).
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp, python3 or openssl
# missing), 99 bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
support=$here/../support
# shellcheck source=tests/sipp/driver-lib.sh
. "$here/../sipp/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
log_deadline=30          # seconds to wait for a line in the server's log
stop_deadline=60         # seconds to wait for the server to exit on SIGTERM
request_wait=20          # seconds sip-client.py waits for a final response
sipp_global_timeout=60   # seconds, sipp -timeout

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }

if [ $# -ne 5 ]; then
  printf 'usage: %s SERVER CONFIG EXAMPLE_DAR BLOCKED_SCENARIO NOT_FOUND_SCENARIO\n' "$me" >&2
  exit 99
fi
for tool in sipp python3 openssl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done

server=$1
config=$2
example_dar=$3
blocked=$4
not_found=$5
[ -x "$server" ] || die "server binary '$server' is not executable"
for f in "$config" "$example_dar" "$blocked" "$not_found"; do
  [ -r "$f" ] || die "'$f' is not readable"
done
calls=5
rate=10
use_wrapper

workdir=$(mktemp -d "${TMPDIR:-/tmp}/server-reload.XXXXXX") || die "cannot create a work directory"
server_out=
server_err=
server_pid=
sipp_pid=
keep_workdir=0
step=
failures=()

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
  printf '%s: FAIL: %s: %s\n' "$me" "$step" "$*" >&2
  show_tail "$workdir/sipp-errors.log" "sipp error log" 30
  [ -n "$server_err" ] && show_tail "$server_err" "server stderr" 40
  exit 1
}

note () { printf '%s: %s: %s\n' "$me" "$step" "$*"; }

# start_server NAME ARGS...: the server with CONFIG and ARGS, its output
# in NAME.out and NAME.err; waits for its ready line (kept in $ready_line).
start_server () {
  local name=$1
  shift
  server_out=$workdir/$name.out
  server_err=$workdir/$name.err
  # exec: $! must be the server itself (or valgrind running it).
  (exec "${wrapper[@]}" "$server" --config "$config" "$@" \
    < /dev/null > "$server_out" 2> "$server_err") &
  server_pid=$!
  wait_ready server "$server_pid" "$server_out" "$ready_deadline"
  port=$ready_port
  ready_line=$(grep -m 1 '^ready ' "$server_out")
}

# end_server EXPECTED_WARNINGS: SIGTERM; exit status 0, no valgrind error,
# no critical, and exactly EXPECTED_WARNINGS warnings.
end_server () {
  local warnings
  stop_server server "$server_pid" "$server_err" "$stop_deadline"
  server_pid=
  warnings=$(grep -c -- '-WARNING \*\*' "$server_err")
  [ "$warnings" = "$1" ] || failures+=("$warnings warnings, not $1")
  fail_on_failures
  note "stopped with status 0, $warnings warning(s) as expected"
}

# wait_count TEXT N: waits until the server's stderr has N lines holding
# TEXT (fixed string); fail()s after log_deadline seconds.
wait_count () {
  local begin=$SECONDS
  until [ "$(grep -cF -- "$1" "$server_err")" -ge "$2" ]; do
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited waiting for '$1'"
    [ $((SECONDS - begin)) -lt "$log_deadline" ] || fail "no '$1' (x$2) in the server's log"
    sleep 0.05
  done
}

# expect_count TEXT N: the server's stderr has exactly N lines holding TEXT.
expect_count () {
  local n
  n=$(grep -cF -- "$1" "$server_err")
  [ "$n" = "$2" ] || fail "$n lines with '$1' in the server's log, not $2"
}


# register EXPECTED AOR [USER PASSWORD]: one REGISTER (answering a
# challenge when USER is given); its final status must be EXPECTED.
register () {
  local expected=$1 aor=$2 out status
  shift 2
  local args=()
  [ $# -eq 2 ] && args=(--user "$1" --password "$2")
  out=$(python3 "$here/sip-client.py" register --wait "$request_wait" "$port" "$aor" \
          "${args[@]}" 2>&1) || fail "REGISTER $aor: $out"
  status=$(sed -n 's/^final \([0-9]*\) .*/\1/p' <<< "$out")
  [ "$status" = "$expected" ] || fail "REGISTER $aor${1:+ as $1}: $out; expected $expected"
  note "REGISTER $aor${1:+ as $1}: $(tail -n 1 <<< "$out")"
}

# ha1 USER PASSWORD: a credentials line for realm example.com.
ha1 () {
  printf '%s:example.com:%s\n' "$1" \
    "$(printf '%s:example.com:%s' "$1" "$2" | openssl dgst -md5 -r | cut -d' ' -f1)"
}

# make_cert NAME: authority ca-NAME.pem and a certificate NAME.pem (key
# NAME.key) it signed for 127.0.0.1, subject CN=NAME.
make_cert () {
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  (cd "$workdir" \
    && openssl req -x509 "${ec[@]}" -keyout "ca-$1.key" -out "ca-$1.pem" -days 2 \
         -subj "/CN=reload-test-authority-$1" \
    && openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" \
    && openssl x509 -req -in "$1.csr" -CA "ca-$1.pem" -CAkey "ca-$1.key" -CAcreateserial \
         -out "$1.pem" -days 2 -extfile ext.cnf) > "$workdir/openssl.log" 2>&1 \
    || fail "openssl cannot make certificate $1: $(tail -n 3 "$workdir/openssl.log")"
}

# use_cert CERT KEY CA: the files the server reads (server.pem,
# server.key, ca.pem) become CERT.pem, KEY.key and CA.pem.
use_cert () {
  if ! { cp "$workdir/$1.pem" "$workdir/server.pem" && cp "$workdir/$2.key" "$workdir/server.key" \
           && cp "$workdir/$3.pem" "$workdir/ca.pem"; }; then
    fail "cannot copy the files of certificate $1"
  fi
}

fingerprint () {  # FILE: the SHA-256 fingerprint of a PEM certificate
  openssl x509 -in "$1" -noout -fingerprint -sha256
}

# served_is NAME CA: a TLS client trusting authority CA (and checking
# it) gets certificate NAME from the server's TLS port.
served_is () {
  local got
  timeout 30 openssl s_client -connect "127.0.0.1:$tls_port" -CAfile "$2" \
    -verify_return_error < /dev/null > "$workdir/s_client.out" 2> "$workdir/s_client.err" \
    || fail "openssl s_client trusting $(basename "$2"): $(tail -n 3 "$workdir/s_client.err")"
  got=$(openssl x509 -in "$workdir/s_client.out" -noout -fingerprint -sha256 2>&1) \
    || fail "no certificate in the output of openssl s_client"
  [ "$got" = "$(fingerprint "$workdir/$1.pem")" ] \
    || fail "the server serves $(openssl x509 -in "$workdir/s_client.out" -noout -subject), not $1"
  note "TLS: certificate $1 served, verified with $(basename "$2")"
}

read -r sipp_port <<< "$(python3 "$support/ports.py" free 1)"
[ -n "${sipp_port:-}" ] || die "cannot find a free port"

# ---- the DAR file ---------------------------------------------------------------
step="dar 1"
dar=$workdir/dar.properties
printf 'INVITE: ("location", "DAR:To", "TERMINATING", "", "NO_ROUTE", "0")\n' > "$dar"
start_server dar --listen 127.0.0.1:0 --set "server.dar=$dar"
run_sipp "$not_found"

step="dar 2"
cp "$example_dar" "$dar" || fail "cannot copy $example_dar"
kill -HUP "$server_pid"
wait_count "SIGHUP: DAR reloaded from $dar" 1
run_sipp "$blocked"

step="dar 3"
printf 'INVITE: ("location", "DAR:To", "TERMINATING", "", "NO_ROUTE", "0")\nBYE: ("location")\n' \
  > "$dar"
kill -HUP "$server_pid"
wait_count "SIGHUP: DAR not reloaded, the previous rules stay: $dar:2:" 1
expect_count "SIGHUP: DAR reloaded" 1
run_sipp "$blocked"

step="dar stop"
end_server 1

# ---- credentials and TLS files -----------------------------------------------------
step="credentials 1"
users=$workdir/users
ha1 alice alice-secret > "$users"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$workdir/ext.cnf"
for name in A B C; do
  make_cert "$name"
done
use_cert A A ca-A
start_server auth --listen 127.0.0.1:0 --listen tls:127.0.0.1:0 \
  --set "server.auth-file=$users" --set server.realm=example.com \
  --set "server.tls-cert=$workdir/server.pem" --set "server.tls-key=$workdir/server.key" \
  --set "server.tls-ca=$workdir/ca.pem"
tls_port=$(sed -n 's/.* tls:127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' <<< "$ready_line")
[ -n "$tls_port" ] || fail "no tls:127.0.0.1:PORT in '$ready_line'"
register 401 sip:alice@example.com
register 200 sip:alice@example.com alice alice-secret
register 401 sip:bob@example.com bob bob-secret
served_is A "$workdir/ca-A.pem"

step="credentials 2"
ha1 bob bob-secret >> "$users"
kill -HUP "$server_pid"
# The credentials first, then the TLS files (the same ones, again).
wait_count "SIGHUP: TLS files reloaded from $workdir/server.pem" 1
expect_count "SIGHUP: credentials reloaded" 1
register 200 sip:bob@example.com bob bob-secret

step="credentials 3"
{ ha1 alice alice-secret; printf 'carol:example.com:not-a-hash\n'; } > "$users"
kill -HUP "$server_pid"
wait_count "SIGHUP: TLS files reloaded from" 2
expect_count "SIGHUP: credentials not reloaded, the previous ones stay: $users:2" 1
register 200 sip:bob@example.com bob bob-secret

step="tls 4"
{ ha1 alice alice-secret; ha1 bob bob-secret; } > "$users"
use_cert B B ca-B
kill -HUP "$server_pid"
wait_count "SIGHUP: TLS files reloaded from" 3
expect_count "SIGHUP: credentials reloaded" 2
served_is B "$workdir/ca-B.pem"

step="tls 5"
use_cert C A ca-B
kill -HUP "$server_pid"
wait_count "SIGHUP: TLS files not reloaded, the previous ones stay: " 1
expect_count "SIGHUP: TLS files reloaded from" 3
note "$(grep -F "SIGHUP: TLS files not reloaded" "$server_err" | sed 's/^.*SIGHUP: //')"
served_is B "$workdir/ca-B.pem"
register 200 sip:bob@example.com bob bob-secret

step="auth stop"
end_server 2
printf '%s: PASS: DAR, credentials and TLS files reloaded on SIGHUP, kept when broken\n' "$me"
exit 0
