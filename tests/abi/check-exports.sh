#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-exports: every dynamic symbol the shared library defines must start
# with sipservlet_ (the version script and hidden visibility guarantee it;
# this test catches a regression in either).
#
# Usage: check-exports.sh path/to/libsipservlet-1.so
set -u

lib=${1:?usage: $0 LIBRARY}
NM=${NM:-nm}

if [ ! -f "$lib" ]; then
  echo "FAIL: $lib does not exist" >&2
  exit 1
fi

symbols=$("$NM" -D --defined-only "$lib") || {
  echo "FAIL: $NM -D --defined-only $lib failed" >&2
  exit 1
}

# Columns: value type name (name may carry @VERSION or @@VERSION).
bad=$(printf '%s\n' "$symbols" | awk '
  NF >= 2 {
    name = $NF; type = $(NF - 1)
    sub(/@.*/, "", name)
    if (type == "A") next                     # version nodes (SIPSERVLET_0.1)
    if (name ~ /^(_init|_fini|__bss_start|_edata|_end)$/) next
    if (name ~ /^sipservlet_/) next
    print "  " type " " name
  }')

count=$(printf '%s\n' "$symbols" | grep -c ' sipservlet_' || true)
if [ -n "$bad" ]; then
  echo "FAIL: $lib exports symbols outside the sipservlet_ namespace:" >&2
  printf '%s\n' "$bad" >&2
  exit 1
fi
if [ "$count" -eq 0 ]; then
  echo "FAIL: $lib exports no sipservlet_ symbol at all" >&2
  exit 1
fi
echo "ok: $count exported symbols, all sipservlet_*"
exit 0
