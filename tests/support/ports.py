#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Loopback ports for the test drivers (tests/sipp/*.sh, tests/interop/).

    ports.py free N [EXCLUDE...]
        prints N ports free for UDP and TCP on 127.0.0.1, different from
        each other and from EXCLUDE, on one line
    ports.py bound PORT
        exits 0 when a UDP socket (IPv4 or IPv6) is bound to PORT

A port picked here may still be taken by another program before the test
binds it: drivers that can retry do.
"""
import socket
import sys


def free_ports(n, exclude=()):
    """n ports free for UDP and TCP alike. Every socket stays open until
    all are chosen, so the ports differ."""
    held, ports = [], []
    try:
        while len(ports) < n:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held += [u, t]
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port not in exclude:
                ports.append(port)
    finally:
        for s in held:
            s.close()
    return ports


def udp_bound(port):
    """Whether a UDP socket is bound to port. Read from /proc/net/udp:
    probing with bind() would race with the program about to bind it."""
    suffix = ":%04X" % port
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as f:
                next(f)
                if any(line.split()[1].endswith(suffix) for line in f):
                    return True
        except OSError:
            continue
    return False


def main(argv):
    if len(argv) >= 3 and argv[1] == "free":
        print(" ".join(str(p) for p in free_ports(int(argv[2]), {int(x) for x in argv[3:]})))
        return 0
    if len(argv) == 3 and argv[1] == "bound":
        return 0 if udp_bound(int(argv[2])) else 1
    print(__doc__, file=sys.stderr)
    return 99


if __name__ == "__main__":
    sys.exit(main(sys.argv))
