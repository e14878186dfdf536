#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""REGISTER over UDP for the test drivers (tests/sipp/run-proxy-scenario.sh,
tests/interop/run-topology.py).

    register.py PORT AOR CONTACT [--q Q] [--path ROUTE] [--unregister]
                [--host IP]

Registers CONTACT for AOR with the registrar (or a proxy in front of it)
on IP:PORT (default 127.0.0.1; ::1 for IPv6) for 3600 s; with --unregister, removes it again
(Expires: 0). --path adds a Path header (and Supported: path). Each
REGISTER is retransmitted every 500 ms for up to 30 s. Exit status 0 when
every REGISTER got a 200, 1 otherwise (the reason on stdout).
"""
import argparse
import random
import socket
import sys
import time


class RegisterError(Exception):
    pass


class Binding:
    """One contact of one address-of-record, registered and refreshed
    from its own socket under one Call-ID."""

    def __init__(self, server_port, aor, contact, q=None, path=None, supported_path=False,
                 host="127.0.0.1"):
        self.server_port = server_port
        self.host = host
        v6 = ":" in host
        self.sent_by = "[%s]" % host if v6 else host
        self.aor = aor
        self.contact = contact
        self.q = q
        self.path = path
        self.supported_path = supported_path or path is not None
        self.sock = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.port = self.sock.getsockname()[1]
        self.call_id = "reg-%d-%d@test" % (self.port, random.randrange(1 << 30))
        self.cseq = 0

    def register(self, expires):
        """Sends one REGISTER; returns the text of its 200, raises
        RegisterError for any other final response or none in 30 s."""
        self.cseq += 1
        domain = self.aor.split("@", 1)[1]
        branch = "z9hG4bK-reg-%d-%d" % (self.port, self.cseq)
        msg = ("REGISTER sip:%s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP %s:%d;branch=%s;rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:%s>;tag=reg%d\r\n"
               "To: <sip:%s>\r\n"
               "Call-ID: %s\r\n"
               "CSeq: %d REGISTER\r\n"
               "%s%s"
               "Contact: <%s>%s\r\n"
               "Expires: %d\r\n"
               "Content-Length: 0\r\n\r\n") % (
                   domain, self.sent_by, self.port, branch, self.aor, self.port, self.aor, self.call_id,
                   self.cseq, "Path: %s\r\n" % self.path if self.path else "",
                   "Supported: path\r\n" if self.supported_path else "",
                   self.contact, ";q=" + self.q if self.q else "", expires)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.sock.sendto(msg.encode(), (self.host, self.server_port))
            self.sock.settimeout(0.5)
            try:
                while True:
                    data = self.sock.recv(65535).decode(errors="replace")
                    status = data.split(" ", 2)[1]
                    if branch not in data or status.startswith("1"):
                        continue
                    if status != "200":
                        raise RegisterError("REGISTER %s (Expires %d): %s"
                                            % (self.contact, expires, data.split("\r\n", 1)[0]))
                    return data
            except socket.timeout:
                continue
        raise RegisterError("REGISTER %s: no final response within 30 s" % self.contact)

    def close(self):
        self.sock.close()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("port", type=int)
    p.add_argument("aor")
    p.add_argument("contact")
    p.add_argument("--q")
    p.add_argument("--path")
    p.add_argument("--unregister", action="store_true")
    p.add_argument("--host", default="127.0.0.1")
    args = p.parse_args(argv[1:])
    binding = Binding(args.port, args.aor, args.contact, q=args.q, path=args.path,
                      host=args.host)
    try:
        binding.register(3600)
        if args.unregister:
            binding.register(0)
    except RegisterError as e:
        print(e)
        return 1
    finally:
        binding.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
