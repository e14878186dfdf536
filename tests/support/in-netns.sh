#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a command in a network namespace of its own, with loopback up and
# extra addresses on it: a multi-homed host made by the test, from which
# nothing can leave the machine.
#
#   in-netns.sh ADDRESS... -- COMMAND [ARGS...]
#
# ADDRESS is an IPv4 or IPv6 address, added to lo as /32 or /128.
# Exit status: the command's; 77 (skip) when no namespace can be made
# (not root, or no unshare/ip).
set -u

if [ "${IN_NETNS_INSIDE:-0}" != 1 ]; then
  if ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1; then
    echo "in-netns.sh: SKIP: unshare or ip is missing"
    exit 77
  fi
  if ! unshare --net true 2>/dev/null; then
    echo "in-netns.sh: SKIP: cannot create a network namespace (not root?)"
    exit 77
  fi
  IN_NETNS_INSIDE=1 exec unshare --net "$0" "$@"
fi

ip link set lo up || exit 1
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  case $1 in
    *:*) ip -6 addr add "$1/128" dev lo || exit 1 ;;
    *) ip addr add "$1/32" dev lo || exit 1 ;;
  esac
  shift
done
[ $# -gt 1 ] || { echo "usage: in-netns.sh ADDRESS... -- COMMAND [ARGS...]" >&2; exit 99; }
shift
exec "$@"
