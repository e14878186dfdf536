#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-installed-pkgconfig: install libsipservlet into a temporary prefix
# (a separate meson build dir, so the build under test is not touched),
# then build and run a host program with nothing but
# `pkg-config --cflags --libs sipservlet-1`.
#
# Usage: installed-pkgconfig.sh MESON SOURCE_ROOT HOST_SOURCE [VERSION]
set -u

MESON=${1:?usage: $0 MESON SOURCE_ROOT HOST_SOURCE [VERSION]}
SRC=${2:?}
HOST_SRC=${3:?}
VERSION=${4:-}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipservlet-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

run_logged () {
  log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    echo "command failed: $*" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

echo "# installing into $prefix"
run_logged "$tmp/setup.log" "$MESON" setup "$tmp/build" "$SRC" --prefix "$prefix" \
  --libdir lib --buildtype debugoptimized --wrap-mode nodownload
run_logged "$tmp/install.log" "$MESON" install -C "$tmp/build"

pcdir=$prefix/lib/pkgconfig
[ -f "$pcdir/sipservlet-1.pc" ] || fail "no sipservlet-1.pc installed in $pcdir"
incdir=$prefix/include/sipservlet-1/sipservlet
[ -f "$incdir/sipservlet.h" ] || fail "no sipservlet.h installed in $incdir"
[ -f "$incdir/sipservlet-version.h" ] || fail "generated sipservlet-version.h not installed"

# The public headers must not pull in sofia-sip.
if grep -rnE '#[[:space:]]*include[[:space:]]*[<"]sofia' "$prefix/include"; then
  fail "an installed header includes a sofia-sip header"
fi
if find "$prefix/include" -path '*sofia*' | grep -q .; then
  fail "sofia-sip headers were installed"
fi
# ...nor any private header.
if find "$prefix/include" -name '*-private.h' | grep -q .; then
  fail "private headers were installed"
fi

export PKG_CONFIG_PATH="$pcdir"
modversion=$("$PKG_CONFIG" --modversion sipservlet-1) || fail "pkg-config cannot find sipservlet-1"
if [ -n "$VERSION" ] && [ "$modversion" != "$VERSION" ]; then
  fail "pkg-config reports version $modversion, expected $VERSION"
fi
cflags=$("$PKG_CONFIG" --cflags sipservlet-1) || fail "pkg-config --cflags failed"
libs=$("$PKG_CONFIG" --libs sipservlet-1) || fail "pkg-config --libs failed"
echo "# cflags: $cflags"
echo "# libs:   $libs"
case " $libs " in
  *" -L$prefix/lib "*) ;;
  *) fail "pkg-config --libs does not point into the temporary prefix: $libs" ;;
esac

# shellcheck disable=SC2086 # word splitting of the flags is intended
$CC -o "$tmp/host" "$HOST_SRC" $cflags $libs || fail "the host program does not build"

export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if command -v ldd >/dev/null 2>&1; then
  resolved=$(ldd "$tmp/host" | grep 'libsipservlet-1\.so') || fail "host does not link libsipservlet-1"
  case "$resolved" in
    *"$prefix/lib/"*) ;;
    *) fail "libsipservlet-1 resolves outside the prefix: $resolved" ;;
  esac
fi
# Under `meson test --setup valgrind` the wrapper asks for memcheck.
# shellcheck disable=SC2086 # the wrapper is a command line
${SIPSERVLET_SERVER_WRAPPER:-} "$tmp/host" || fail "the host program failed (exit $?)"
echo "ok: installed library, headers and pkg-config file work"
exit 0
