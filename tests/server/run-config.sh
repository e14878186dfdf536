#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sipservlet-server and bad configurations: each is refused at start with
# the exit status and the message that say what and where; warnings for
# what is only suspicious, and the server starts.
#
#   run-config.sh SERVER TEST_MODULES_DIR
#
# TEST_MODULES_DIR holds the modules of tests/modules (sipservlet-test-echo,
# -failing). SERVER runs under $SIPSERVLET_SERVER_WRAPPER when set (a
# valgrind command line); every run must be free of valgrind errors and
# GLib criticals.
#
# Exit status: 0 pass, 1 fail, 77 skip (python3 missing), 99 bad usage.
set -u

# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/../sipp/driver-lib.sh"

me=${0##*/}
ready_deadline=60
stop_deadline=60

if [ $# -ne 2 ]; then
  printf 'usage: %s SERVER TEST_MODULES_DIR\n' "$me" >&2
  exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
  printf '%s: SKIP: python3 is not installed\n' "$me"
  exit 77
fi
server=$1
modules=$2
[ -x "$server" ] || { printf '%s: FAIL: %s is not executable\n' "$me" "$server" >&2; exit 1; }
calls=1    # use_wrapper's
use_wrapper

workdir=$(mktemp -d "${TMPDIR:-/tmp}/server-config.XXXXXX") || exit 1
out=$workdir/server.out
err=$workdir/server.err
server_pid=
keep_workdir=0
failures=()
case_name=

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  kill_now "$server_pid"
  end_workdir
}
set_traps

fail () {
  keep_workdir=1
  printf '%s: FAIL: %s: %s\n' "$me" "$case_name" "$*" >&2
  show_tail "$err" "server stderr" 30
  exit 1
}

# no_memory_errors: what valgrind and GLib must not have said.
no_memory_errors () {
  if grep -q 'ERROR SUMMARY: [1-9]' "$err"; then
    fail "valgrind reported errors"
  fi
  if grep -q -- '-CRITICAL \*\*' "$err"; then
    fail "a GLib critical"
  fi
}

# refused NAME STATUS TEXT CONFIG [ARGS...]: the server, given CONFIG
# (text written to NAME.conf; "-" for no --config) and ARGS, exits with
# STATUS and its stderr holds TEXT (a fixed string, in which @CONF@ stands
# for the configuration's path).
refused () {
  local status
  case_name=$1
  local expect_status=$2 text=$3 config=$4
  shift 4
  local conf=$workdir/$case_name.conf
  local args=()
  if [ "$config" != - ]; then
    printf '%s' "$config" > "$conf"
    args=(--config "$conf")
  fi
  "${wrapper[@]}" "$server" "${args[@]}" "$@" < /dev/null > "$out" 2> "$err"
  status=$?
  [ "$status" = "$expect_status" ] || fail "exit status $status, not $expect_status"
  text=${text//@CONF@/$conf}
  grep -qF -- "$text" "$err" || fail "no '$text' in its stderr"
  no_memory_errors
  printf '%s: %s: exit status %s, %s\n' "$me" "$case_name" "$status" \
    "$(grep -F -- "$text" "$err" | head -n 1)"
}

refused no-config 2 "--config FILE is required" -
refused bad-set 2 "--set expects GROUP.KEY=VALUE, got 'nodot=1'" \
  $'[server]\nlisten = 127.0.0.1:0\n' --set nodot=1
refused missing-file 1 "$workdir/nowhere.conf" - --config "$workdir/nowhere.conf"
refused bad-line 1 "@CONF@:3: expected KEY = VALUE" \
  $'# a comment\n[server]\nlisten 127.0.0.1:0\n'
refused key-before-group 1 "@CONF@:1: key 'listen' before the first [group]" \
  $'listen = 127.0.0.1:0\n[server]\n'
refused bad-integer 1 "@CONF@:4: [server] session-expires: 'abc' is not an integer" \
  $'[server]\nlisten = 127.0.0.1:0\n\nsession-expires = abc\n'
refused bad-boolean 1 "@CONF@:2: [server] verbose: 'maybe' is not true or false" \
  $'[server]\nverbose = maybe\n'
refused bad-log-level 1 "@CONF@:2: [server] log-level: 'loud' is not error" \
  $'[server]\nlog-level = loud\n'
refused bad-deadline 1 "@CONF@:2: [server] shutdown-deadline: expected 0 to 3600 seconds" \
  $'[server]\nshutdown-deadline = 99999\n'
refused bad-listen 1 "@CONF@:2: [server] listen 999.1.1.1:5060: '999.1.1.1' is not an IPv4" \
  $'[server]\nlisten = 999.1.1.1:5060\n'
refused bad-domain 1 "@CONF@:3: [server] domain: exa mple.com" \
  $'[server]\nlisten = 127.0.0.1:0\ndomain = exa mple.com\n'
refused missing-tls-cert 1 "@CONF@:3: [server] tls-cert $workdir/none.pem" \
  $'[server]\nlisten = 127.0.0.1:0\ntls-cert = none.pem\n'
refused bad-http 1 "@CONF@:3: [server] http bogus: HTTP address \"bogus\" is not" \
  $'[server]\nlisten = 127.0.0.1:0\nhttp = bogus\n'
refused https-without-tls-cert 1 "@CONF@:3: [server] http https:127.0.0.1:0: https needs" \
  $'[server]\nlisten = 127.0.0.1:0\nhttp = https:127.0.0.1:0\n'
refused bad-http-operations 1 "@CONF@:2: [server] http-operations 127.0.0.1:99999: " \
  $'[server]\nhttp-operations = 127.0.0.1:99999\nlisten = 127.0.0.1:0\n'
# Given with --set, the key is named all the same.
refused bad-http-set 1 "[server] http 127.0.0.1:: HTTP address" \
  $'[server]\nlisten = 127.0.0.1:0\n' --set server.http=127.0.0.1:
refused missing-required 1 "@CONF@:4: [modules] required: module nothere:" \
  "$(printf '[server]\nlisten = 127.0.0.1:0\n[modules]\nrequired = nothere\ndirectory = %s\n' "$modules")"
refused failing-required 1 "module sipservlet-test-failing: " \
  "$(printf '[server]\nlisten = 127.0.0.1:0\n[modules]\nrequired = sipservlet-test-failing\ndirectory = %s\n' "$modules")"
grep -qF "no database" "$err" || fail "the module's own error is not shown"
printf 'INVITE: ("echo", "DAR:To")\n' > "$workdir/broken.dar"
refused broken-dar 1 "$workdir/broken.dar:1" \
  "$(printf '[server]\nlisten = 127.0.0.1:0\ndar = broken.dar\n[modules]\nload = sipservlet-test-echo\ndirectory = %s\n' "$modules")"

# ---- what only warns: the server starts -------------------------------------------
case_name=warnings
conf=$workdir/warnings.conf
printf '[server]\nlisten = 127.0.0.1:0\nbogus = 1\n[modules]\ndirectory = %s\nload = nothere;%s/sipservlet-test-echo.so\n[typo]\nx = 1\n[server]\nlog-level = info\n[sipservlet-test-echo]\nreason = Hi\n' \
  "$modules" "$modules" > "$conf"
"${wrapper[@]}" "$server" --config "$conf" < /dev/null > "$out" 2> "$err" &
server_pid=$!
wait_ready server "$server_pid" "$out" "$ready_deadline"
for text in "$conf:3: [server] bogus: unknown key, ignored" \
            "$conf:6: [modules] load: module nothere not loaded, the others start" \
            "$conf:7: [typo]: no module of that name is loaded, ignored" \
            "$conf:9: group [server] given again (first on line 1)" \
            "module echo loaded from $modules/sipservlet-test-echo.so"; do
  grep -qF -- "$text" "$err" || fail "no '$text' in its stderr"
done
# A module named by its path has the group of its file name.
if grep -qF -- "[sipservlet-test-echo]" "$err"; then
  fail "the group of a module named by its path was not recognised"
fi
stop_server server "$server_pid" "$err" "$stop_deadline"
server_pid=
fail_on_failures
no_memory_errors
printf '%s: warnings: started with the four warnings, stopped with status 0\n' "$me"
printf '%s: PASS\n' "$me"
exit 0
