#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# abi-installed-pkgconfig: install libsipservlet into a temporary prefix
# (a separate meson build dir, so the build under test is not touched;
# without the test suite, which an install does not need),
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
  --libdir lib --buildtype debugoptimized --wrap-mode nodownload -Dtests=false
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

# The bundled sofia-sip is inside the library, its symbols hidden: the
# library neither exports nor imports any of them, so a host that also
# links the system's sofia-sip gets no clash. Such a host runs too.
lib=$(ls "$prefix"/lib/libsipservlet-1.so.*.*.*)
sofia_symbols='^(su|sip|msg|nta|tport|url|sres|host|bnf|auth|stun|su_glib)_'
if "$PKG_CONFIG" --variable=sofia sipservlet-1 | grep -qx bundled; then
  imported=$(nm -D --undefined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | grep -E "$sofia_symbols")
  [ -z "$imported" ] || fail "the library imports sofia-sip symbols: $imported"
  exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | grep -E "$sofia_symbols")
  [ -z "$exported" ] || fail "the library exports sofia-sip symbols: $exported"
  if "$PKG_CONFIG" --exists sofia-sip-ua; then
    # shellcheck disable=SC2046,SC2086 # word splitting of the flags is intended
    $CC -D_GNU_SOURCE -DHOST_USES_SYSTEM_SOFIA -o "$tmp/host-system-sofia" "$HOST_SRC" $cflags \
      $("$PKG_CONFIG" --cflags sofia-sip-ua) $libs $("$PKG_CONFIG" --libs sofia-sip-ua) -ldl \
      || fail "the host program that also links the system's sofia-sip does not build"
    ldd "$tmp/host-system-sofia" | grep -q 'libsofia-sip-ua\.so' \
      || fail "the second host does not link the system's sofia-sip"
    # shellcheck disable=SC2086 # the wrapper is a command line
    ${SIPSERVLET_SERVER_WRAPPER:-} "$tmp/host-system-sofia" \
      || fail "the host that also uses the system's sofia-sip failed (exit $?)"
    echo "ok: a host using the system's sofia-sip beside the bundled one works"
  else
    echo "# the system's sofia-sip (libsofia-sip-ua-dev) is not installed: no mixed host"
  fi
fi

# The daemon, its configuration, DAR file, man page, systemd unit and the
# example modules, where the configuration and pkg-config say.
server=$prefix/sbin/sipservlet-server
conf=$prefix/etc/sipservlet/sipservlet-server.conf
moduledir=$("$PKG_CONFIG" --variable=moduledir sipservlet-1)
[ "$moduledir" = "$prefix/lib/sipservlet/modules" ] || fail "pkg-config moduledir is '$moduledir'"
for f in "$server" "$conf" "$prefix/etc/sipservlet/dar.properties" \
         "$prefix/share/man/man8/sipservlet-server.8" \
         "$prefix/lib/systemd/system/sipservlet-server.service" \
         "$moduledir/registrar.so" "$moduledir/call-blocking.so" "$moduledir/call-forwarding.so" \
         "$moduledir/proxy.so" "$moduledir/b2bua.so" "$moduledir/uas.so" \
         "$moduledir/click-to-call.so"; do
  [ -f "$f" ] || fail "$f was not installed"
done
grep -qxF "ExecStart=$server --config $conf" "$prefix/lib/systemd/system/sipservlet-server.service" \
  || fail "the systemd unit does not run $server --config $conf"
grep -qxF "directory = $moduledir" "$conf" || fail "$conf does not name $moduledir"
# The installed daemon starts on its installed configuration (its port
# replaced by a free one) and stops on SIGTERM with status 0.
"$server" --config "$conf" --listen 127.0.0.1:0 > "$tmp/server.out" 2> "$tmp/server.err" &
pid=$!
waited=0
until grep -q '^ready ' "$tmp/server.out"; do
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/server.err" >&2; fail "the installed daemon exited"; }
  [ "$waited" -lt 200 ] || { kill -KILL "$pid"; fail "the installed daemon is not ready"; }
  sleep 0.1
  waited=$((waited + 1))
done
grep -qF "module registrar loaded from $moduledir/registrar.so" "$tmp/server.err" \
  || fail "the installed daemon did not load the installed registrar module"
kill -TERM "$pid"
wait "$pid" || fail "the installed daemon exited with status $? on SIGTERM"
echo "ok: installed library, headers, pkg-config file, daemon and modules work"
exit 0
