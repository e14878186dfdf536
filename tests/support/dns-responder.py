#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small DNS responder on loopback for the tests: nothing they resolve
may reach a DNS server off the machine.

As a module (tests/sipp/run-dns-flood.py):
    responder = DnsResponder(records, delay=2.0, log=path)
    responder.start()           # binds 127.0.0.1, a free UDP port
    responder.port, responder.queries(), responder.stop()
As a program:
    dns-responder.py [--port N] [--delay S] [--log FILE]
                     [--record NAME TYPE VALUE]...
    prints "ready 127.0.0.1:PORT" and answers until SIGTERM or SIGINT.

records maps (name, type) to a list of values; names compare without
case and without a trailing dot. Values: A "192.0.2.1", AAAA "2001:db8::1",
SRV "PRIORITY WEIGHT PORT TARGET", NAPTR "ORDER PREF FLAGS SERVICE REGEXP
REPLACEMENT" (REGEXP may be "" written as -). A name with records of
another type only gets an empty answer (NOERROR); an unknown name gets
NXDOMAIN. Every answer waits `delay` seconds (each query on its own,
so a slow responder is slow for everyone but serves them all), and every
query is counted and logged as "TIME NAME TYPE" with the time in seconds
since start. Datagrams that are not DNS queries are counted apart
(garbage) and not answered.
"""
import argparse
import ipaddress
import signal
import socket
import struct
import sys
import threading
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "AAAA": 28, "SRV": 33,
         "NAPTR": 35, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
NXDOMAIN = 3
FORMERR = 1
TTL = 60


def _name(name):
    return name.lower().rstrip(".")


def _encode_name(name):
    out = b""
    for label in _name(name).split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def _character_string(text):
    data = text.encode("ascii")
    return bytes([len(data)]) + data


def _rdata(rtype, value):
    if rtype == TYPES["A"]:
        return ipaddress.IPv4Address(value).packed
    if rtype == TYPES["AAAA"]:
        return ipaddress.IPv6Address(value).packed
    if rtype == TYPES["SRV"]:
        prio, weight, port, target = value.split()
        return struct.pack("!HHH", int(prio), int(weight), int(port)) + _encode_name(target)
    if rtype == TYPES["NAPTR"]:
        order, pref, flags, service, regexp, replacement = value.split()
        return (struct.pack("!HH", int(order), int(pref)) + _character_string(flags)
                + _character_string(service)
                + _character_string("" if regexp == "-" else regexp)
                + _encode_name(replacement))
    raise ValueError("unsupported record type %d" % rtype)


def _parse_question(packet):
    """(id, flags, name, qtype, end of the question) or None."""
    if len(packet) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if qdcount != 1 or flags & 0x8000:
        return None
    labels, pos = [], 12
    while pos < len(packet):
        n = packet[pos]
        pos += 1
        if n == 0:
            break
        if n & 0xC0 or pos + n > len(packet):
            return None
        labels.append(packet[pos:pos + n].decode("ascii", "replace"))
        pos += n
    else:
        return None
    if pos + 4 > len(packet):
        return None
    qtype, _qclass = struct.unpack("!HH", packet[pos:pos + 4])
    return qid, flags, ".".join(labels), qtype, pos + 4


class DnsResponder:
    def __init__(self, records=None, delay=0.0, log=None, address="127.0.0.1", port=0):
        self.records = {}
        for (name, rtype), values in (records or {}).items():
            self.records[(_name(name), TYPES[rtype.upper()])] = list(values)
        self.delay = delay
        self.log_path = log
        self.address = address
        self.requested_port = port
        self.port = 0
        self._sock = None
        self._thread = None
        self._lock = threading.Lock()
        self._queries = []
        self.garbage = 0            # datagrams that were not DNS queries
        self._timers = []
        self._stopping = False
        self._started = time.monotonic()

    def start(self):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((self.address, self.requested_port))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            timers, self._timers = self._timers, []
        for timer in timers:
            timer.cancel()
        if self._sock is not None:
            self._sock.close()

    def queries(self):
        """[(seconds since start, name, type name)] of every query so far."""
        with self._lock:
            return list(self._queries)

    def answer(self, packet):
        """The response to one query packet, or None to stay silent."""
        parsed = _parse_question(packet)
        if parsed is None:
            return None
        qid, flags, name, qtype, end = parsed
        known = [key for key in self.records if key[0] == _name(name)]
        values = self.records.get((_name(name), qtype), [])
        rcode = 0 if known else NXDOMAIN
        # QR, AA, RD as asked, RA.
        rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080 | rcode
        answers = b""
        for value in values:
            rdata = _rdata(qtype, value)
            answers += struct.pack("!HHHIH", 0xC00C, qtype, 1, TTL, len(rdata)) + rdata
        header = struct.pack("!HHHHHH", qid, rflags, 1, len(values), 0, 0)
        return header + packet[12:end] + answers

    def _record(self, packet):
        parsed = _parse_question(packet)
        if parsed is None:
            # Not a DNS query (a test's own traffic that strayed here).
            with self._lock:
                self.garbage += 1
            if self.log_path:
                with open(self.log_path, "a") as f:
                    f.write("%.3f not a query: %r\n" % (time.monotonic() - self._started,
                                                          packet[:60]))
            return
        entry = (round(time.monotonic() - self._started, 3), parsed[2],
                 TYPE_NAMES.get(parsed[3], str(parsed[3])))
        with self._lock:
            self._queries.append(entry)
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write("%.3f %s %s\n" % entry)

    def _send(self, response, peer):
        try:
            if not self._stopping:
                self._sock.sendto(response, peer)
        except OSError:
            pass

    def _serve(self):
        while not self._stopping:
            try:
                packet, peer = self._sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            self._record(packet)
            response = self.answer(packet)
            if response is None:
                continue
            if self.delay <= 0:
                self._send(response, peer)
                continue
            timer = threading.Timer(self.delay, self._send, (response, peer))
            timer.daemon = True
            with self._lock:
                self._timers = [t for t in self._timers if t.is_alive()] + [timer]
            timer.start()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--log")
    parser.add_argument("--record", nargs=3, action="append", default=[],
                        metavar=("NAME", "TYPE", "VALUE"))
    args = parser.parse_args()
    records = {}
    for name, rtype, value in args.record:
        records.setdefault((name, rtype), []).append(value)
    responder = DnsResponder(records, args.delay, args.log, port=args.port).start()
    print("ready 127.0.0.1:%d" % responder.port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    responder.stop()
    print("queries %d" % len(responder.queries()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
