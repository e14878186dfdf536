#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# SIPSERVLET_MESSAGE() is a checked cast: a request or response compiles,
# a pointer of another type (a SipURI) does not, in C11 and in C++.
# Usage: check-casts.sh INCLUDE_DIR BUILT_INCLUDE_DIR CC [CXX]
set -eu
include=$1
built=$2
cc=$3
cxx=${4:-}
glib=$(pkg-config --cflags glib-2.0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

snippet() {
  cat <<SNIPPET
#include <sipservlet/sipservlet.h>
const char *method_of (SipServletRequest *request, SipURI *uri);
const char *
method_of (SipServletRequest *request, SipURI *uri)
{
  (void) uri;
  return sipservlet_message_get_method (SIPSERVLET_MESSAGE ($1));
}
SNIPPET
}

# compile LANGUAGE_COMPILER EXTENSION FLAGS ARGUMENT EXPECTED(ok|error)
compile() {
  snippet "$4" > "$work/cast.$2"
  # shellcheck disable=SC2086 # flags are word lists
  if $1 $3 $glib -I"$include" -I"$built" -c "$work/cast.$2" -o "$work/cast.o" 2> "$work/log"; then
    got=ok
  else
    got=error
  fi
  if [ "$got" != "$5" ]; then
    echo "FAIL: $1 ($3) with SIPSERVLET_MESSAGE ($4): expected $5, got $got" >&2
    cat "$work/log" >&2
    exit 1
  fi
  echo "ok: $1 ($3) SIPSERVLET_MESSAGE ($4): $got"
}

compile "$cc" c "-std=c11 -Wall -Werror" request ok
compile "$cc" c "-std=c11 -Wall -Werror" uri error
compile "$cc" c "-std=c99 -Wall -Werror" request ok
if [ -n "$cxx" ]; then
  compile "$cxx" cc "-std=c++11 -Wall -Werror" request ok
  compile "$cxx" cc "-std=c++11 -Wall -Werror" uri error
fi
