# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash disable=SC2154
# (SC2154: the variables below are the sourcing script's.)
# Shell helpers of the daemon's sipp-driven tests (run-shutdown.sh,
# run-metrics.sh), sourced after tests/sipp/driver-lib.sh. They use the
# sourcing script's $me, $workdir, $part (the step, in file names),
# $server_err (the daemon's stderr, or empty), $support (tests/support),
# $sipp_global_timeout, $log_deadline and $sipp_deadline (seconds).

# fail WHY: prints it with the step's sipp errors and the daemon's
# stderr, keeps the work folder, exits 1.
# shellcheck disable=SC2034  # keep_workdir is read by end_workdir
fail () {
  keep_workdir=1
  printf '%s: FAIL: %s: %s\n' "$me" "$part" "$*" >&2
  for f in "$workdir/$part"-*errors.log; do
    [ -e "$f" ] && show_tail "$f" "$(basename "$f")" 30
  done
  [ -n "$server_err" ] && show_tail "$server_err" "server stderr" 40
  exit 1
}

note () { printf '%s: %s: %s\n' "$me" "$part" "$*"; }


now_ms () { date +%s%3N; }

# sipp_bg NAME SCENARIO ARGS...: a sipp in the background running the
# SCENARIO file, its pid in $sipp_bg_pid; its message trace in
# PART-NAME-messages.log.
sipp_bg () {
  local name=$1 scenario=$2
  shift 2
  timeout --kill-after=10 $((sipp_global_timeout + 30)) \
    sipp -sf "$scenario" -i 127.0.0.1 -nostdin \
      -timeout "${sipp_global_timeout}s" -timeout_error \
      -trace_err -error_file "$workdir/$part-$name-errors.log" \
      -trace_msg -message_file "$workdir/$part-$name-messages.log" "$@" \
      < /dev/null > "$workdir/$part-$name.out" 2>&1 &
  # shellcheck disable=SC2034  # read by the sourcing script
  sipp_bg_pid=$!
}

# wait_bound PORT PID: waits until the sipp PID listens on PORT.
wait_bound () {
  local begin=$SECONDS
  until python3 "$support/ports.py" bound "$1"; do
    kill -0 "$2" 2>/dev/null || fail "a sipp exited at start"
    [ $((SECONDS - begin)) -lt "$log_deadline" ] || fail "no sipp listens on port $1"
    sleep 0.05
  done
}

# wait_text FILE TEXT: waits until FILE has a line holding TEXT (fixed).
wait_text () {
  local begin=$SECONDS
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    [ $((SECONDS - begin)) -lt "$log_deadline" ] || fail "no '$2' in $(basename "$1")"
    sleep 0.05
  done
}

# wait_sipp NAME PID: the sipp must end by itself with status 0.
wait_sipp () {
  local begin=$SECONDS status
  while kill -0 "$2" 2>/dev/null && [ $((SECONDS - begin)) -lt "$sipp_deadline" ]; do
    sleep 0.05
  done
  kill -0 "$2" 2>/dev/null && fail "the $1 sipp had not ended after ${sipp_deadline}s"
  wait "$2"
  status=$?
  [ "$status" = 0 ] || fail "the $1 sipp: $(sipp_status_text "$status")"
}
