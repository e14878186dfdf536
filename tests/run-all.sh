#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite, as the README's test command runs it once the
# packages are installed:
#   1. build (-Werror) and every suite but the slow one;
#   2. the slow suite (calls held for minutes; they mostly sleep) in the
#      background, all at once, while everything else runs again under
#      valgrind memcheck (tests/valgrind-wrapper.sh; the valgrind setup
#      leaves out the slow, ABI, lint and browser suites; the programs
#      link mimalloc, which memcheck replaces as it does libc's malloc);
#   3. the unit and in-process suites built with AddressSanitizer,
#      LeakSanitizer and UBSan;
#   4. the unit suite built against the system's sofia-sip, unpatched
#      (-Dsofia=system, build-system), which distributions may choose;
#   5. every libFuzzer target (tests/fuzz/) for FUZZ_SECONDS (default 12)
#      each, built with clang in build-fuzz (the bundled sofia-sip, its
#      parser included, instrumented with them).
# The builds 1, 3 and 5 each compile the bundled sofia-sip with their own
# flags (subprojects/sofia-sip; its source is fetched once, by the first).
# Each step's failure stops the run with a non-zero status; the slow
# suite's log is printed when it fails.
set -eu
cd "$(dirname "$0")/.."

subprojects/sofia-sip/fetch-source.sh
test -d build || meson setup build -Dwerror=true
ninja -C build
meson test -C build --print-errorlogs --no-suite slow

# The slow suite, beside the valgrind run: its own log file, no rebuild,
# its own process group (set -m) so that a failure stops all of it.
set -m
meson test -C build --no-rebuild --suite slow --num-processes 4 --logbase slow \
  --print-errorlogs > build/slow-suite.out 2>&1 &
slow=$!
set +m
if ! meson test -C build --setup valgrind --print-errorlogs; then
  kill -- "-$slow" 2>/dev/null || true
  exit 1
fi
if ! wait "$slow"; then
  cat build/slow-suite.out
  exit 1
fi
tail -n 12 build/slow-suite.out

test -d build-asan || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dintrospection=disabled -Dmimalloc=disabled -Dwerror=true
ninja -C build-asan
CK_FORK=no UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --suite unit --suite integration --print-errorlogs

test -d build-system || meson setup build-system -Dsofia=system -Dintrospection=disabled \
  -Dmimalloc=disabled -Dwerror=true
ninja -C build-system
meson test -C build-system --suite unit --print-errorlogs

test -d build-fuzz || meson setup build-fuzz --native-file tests/fuzz/fuzz.ini
ninja -C build-fuzz fuzz-targets
tests/fuzz/run.sh "${FUZZ_SECONDS:-12}"
