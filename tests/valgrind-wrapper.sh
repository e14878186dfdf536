#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# exe_wrapper of `meson test --setup valgrind`.
#
# Compiled tests run under memcheck directly. Script tests (the sipp driver,
# the malformed-input suite) start a server themselves: they run as they
# are, and SIPSERVLET_SERVER_WRAPPER tells them to start that server under
# memcheck (and to shorten their loads, which memcheck slows ~30x). The
# lint tools run as they are too.
supp="$(dirname "$0")/sipservlet.supp"
vg="valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect"
vg="$vg --errors-for-leak-kinds=definite,indirect --num-callers=30"
# The programs may link mimalloc (meson option mimalloc): memcheck must
# replace its malloc and free as it does libc's. Valgrind 3.19 does so
# unasked (a leak in a mimalloc-linked program is reported); the synonym
# says it for any version.
vg="$vg --soname-synonyms=somalloc=libmimalloc.so*"
[ -f "$supp" ] && vg="$vg --suppressions=$supp"

case "$(basename "$1")" in
  python3*|bash|sh|dash|shellcheck)
    SIPSERVLET_SERVER_WRAPPER="$vg" exec "$@" ;;
esac
if [ "$(head -c 2 "$1" 2>/dev/null)" = "#!" ]; then
  SIPSERVLET_SERVER_WRAPPER="$vg" exec "$@"
fi
# shellcheck disable=SC2086
exec $vg "$@"
