#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every libFuzzer target of tests/fuzz/ for a bounded time, each on a
# fresh working corpus in a temporary folder, seeded from the checked-in
# one (tests/fuzz/corpus/TARGET/, only read), so the tree is not modified.
#
#   run.sh [SECONDS [TARGET_DIR [TARGET...]]]
#
# SECONDS: per target (default $FUZZ_SECONDS, else 60). The random seed
# is $FUZZ_SEED, else 1: the test command's bounded runs repeat the same
# exploration, so a red run means a change and not luck; exploratory runs
# set FUZZ_SEED=0 (libFuzzer then picks one). TARGET_DIR: where
# the built targets are (default $FUZZ_TARGET_DIR, else
# build-fuzz/tests/fuzz). TARGET: the targets to run (default all).
# Exit status: 0 when no target found anything; 1 when one crashed, leaked,
# hung or ran out of memory (its input and log are kept and named);
# 77 when no target could run; 99 usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-${FUZZ_SECONDS:-60}}
seed=${FUZZ_SEED:-1}
target_dir=${2:-${FUZZ_TARGET_DIR:-$here/../../build-fuzz/tests/fuzz}}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz-receive fuzz-uri fuzz-address fuzz-parameterable
    fuzz-digest-credentials fuzz-digest-challenge fuzz-application)
fi
case $seconds in
  '' | *[!0-9]*) echo "run.sh: SECONDS must be a number, not '$seconds'" >&2; exit 99 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/sipservlet-fuzz.XXXXXX") || exit 99
failed=0
ran=0
for target in "${targets[@]}"; do
  exe=$target_dir/$target
  if [ ! -x "$exe" ]; then
    echo "run.sh: $exe is not built (see tests/fuzz/README.md)" >&2
    exit 99
  fi
  mkdir -p "$work/$target"
  # The receive target keeps a container across inputs, so memory that a
  # transaction holds after an input is not lost: its leaks are looked for
  # at exit, after the container is gone, not after every input.
  extra=()
  [ "$target" = fuzz-receive ] && extra=(-detect_leaks=0)
  log=$work/$target.log
  start=$(date +%s)
  # A hang (-timeout) or more than -rss_limit_mb is a finding too.
  # libFuzzer's own exit codes are made 1: 77 is the target's "cannot run".
  "$exe" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
    -error_exitcode=1 -timeout_exitcode=1 "${extra[@]}" \
    -print_final_stats=1 -artifact_prefix="$work/$target-" \
    "$work/$target" "$here/corpus/$target" >"$log" 2>&1
  status=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  if [ "$status" -eq 77 ]; then
    echo "SKIP $target: $(tail -n 1 "$log")"
    continue
  fi
  ran=$((ran + 1))
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "FAIL $target (exit $status after ${elapsed}s); log: $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*failed$)' "$log" | head -n 5
    for artifact in "$work/$target"-*; do
      [ -e "$artifact" ] && echo "  input: $artifact"
    done
  else
    echo "ok   $target: ${runs:-?} runs in ${elapsed}s, ${cov:-cov: ?}"
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "run.sh: findings kept in $work"
  exit 1
fi
rm -rf "$work"
[ "$ran" -gt 0 ] || exit 77
exit 0
