#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host names in messages never stall sipservlet-proxy (issue 14, floods).

    run-dns-names.py PROXY [--seed N] [--burst COUNT] [--sofia-gaps]

Runs in network and mount namespaces of its own (unshare --net --mount,
loopback only; root, skipped otherwise), where /etc/resolv.conf names
127.0.0.1 and two slow DNS responders (tests/support/dns-responder.py)
answer on 127.0.0.1, every answer SLOW_S late:
  - the "system" one on port 53, which glibc's getaddrinfo() asks: a
    blocking lookup in the proxy's thread. It must never be asked;
  - the proxy's own on a free port, named by SIPSERVLET_RESOLV_CONF
    (resolv.conf syntax with "port N"): sofia's asynchronous resolver,
    which NTA uses for a request's next hop (RFC 3263).
Nothing can reach a DNS server off the machine.

All along, a pinger sends OPTIONS to the proxy itself every PING_EVERY_S;
each must be answered within PING_LIMIT_S, however many lookups wait.
The cases, in order:
  1. names in Via sent-by (with and without rport) and in Via maddr: the
     200 comes back to the source address and port (RFC 3261 §18.2.2,
     RFC 3581) at once, and no name is looked up; a request with two
     Subject headers is proxied (sofia aborted on its copy);
  2. a Request-URI and a Route naming hosts that do not exist: 500 or 503
     (the proxy turns its branch's 503 into 500, RFC 3261 §16.7), and the
     pings meanwhile stay fast;
  3. a Request-URI naming a host that exists: forwarded to it, its 200
     comes back (the asynchronous lookup works);
  4. more requests to unknown names than SIPSERVLET_MAX_NAME_LOOKUPS
     (BOUND) lets wait: those past the bound are answered at once;
  5. a burst of BURST datagrams in about BURST_S, made from valid
     requests and torture-like messages full of host names by seeded
     random mutations (flipped bytes, cuts, inserted separators,
     duplicated headers); the proxy must stay responsive during it and
     afterwards.
Finally the proxy must exit 0 on SIGTERM, and the port-53 responder must
have had no query.

Mangled messages in the burst keep IP addresses in their Via headers:
sofia-sip 1.12.11 answers some mangled messages itself, before the
container sees them, and sends that answer to a name in Via with a
blocking getaddrinfo() (tport_resolve()): a 505 (request line not
SIP/2.0) to sent-by, a 400 to a Via maddr, a 400 for a Via with another
transport to sent-by (a maddr wins over received=, and these paths may
not have added received= yet). Nothing
above sofia can change that (doc/deployment.md, "Name resolution").
With --sofia-gaps the driver sends one of each instead of the cases and
prints how long each kept the proxy deaf.
Exit status: 0 pass, 1 fail, 77 skip.
"""
import importlib.util
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
sys.path.insert(0, SUPPORT)
import server as server_lib  # noqa: E402

_spec = importlib.util.spec_from_file_location("dns_responder",
                                               os.path.join(SUPPORT, "dns-responder.py"))
dns_responder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dns_responder)

VALGRIND = bool(server_lib.wrapper())
SLOW_S = 3.0 if VALGRIND else 2.0
PING_EVERY_S = 0.1
PING_LIMIT_S = 1.5 if VALGRIND else 0.3
ANSWER_WAIT_S = 60.0 if VALGRIND else 30.0
BOUND = 8
BURST_S = 5.0
BURST = 200 if VALGRIND else 2000
AFTER_BURST_S = 6.0


def in_sandbox(argv):
    """Re-runs this script with its own network and mount namespaces."""
    if os.environ.get("DNS_NAMES_SANDBOX") == "1":
        return None
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        print("SKIP: unshare or ip is missing")
        return 77
    probe = subprocess.run(["unshare", "--net", "--mount", "true"], stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print("SKIP: cannot create network and mount namespaces (not root?)")
        return 77
    env = dict(os.environ, DNS_NAMES_SANDBOX="1")
    return subprocess.run(["unshare", "--net", "--mount", sys.executable] + argv,
                          env=env).returncode


def set_up_sandbox(work):
    """Loopback up; /etc/resolv.conf (this namespace's view) names 127.0.0.1."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    system_conf = os.path.join(work, "system-resolv.conf")
    with open(system_conf, "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:%d attempts:1\n" % int(SLOW_S * 2))
    subprocess.run(["mount", "--bind", system_conf, "/etc/resolv.conf"], check=True)


def header(msg, name):
    m = re.search(r"^%s\s*:\s*(.*?)\r$" % re.escape(name), msg, re.M | re.I)
    return m.group(1) if m else None


class Peer:
    """A UDP socket on 127.0.0.1 that sends requests and collects answers
    by Call-ID."""

    def __init__(self, proxy_port):
        self.proxy = ("127.0.0.1", proxy_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.answers = {}           # Call-ID -> [(seconds, status)]
        self.stopped = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def request(self, call_id, ruri, via_host=None, via_params=";rport", route=None,
                method="OPTIONS", extra=""):
        via_host = via_host or "127.0.0.1:%d" % self.port
        text = ("%s %s SIP/2.0\r\n"
                "Via: SIP/2.0/UDP %s;branch=z9hG4bK-%s%s\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:tester@127.0.0.1>;tag=t-%s\r\n"
                "To: <%s>\r\n"
                "Call-ID: %s\r\n"
                "CSeq: 1 %s\r\n" % (method, ruri, via_host, call_id, via_params, call_id,
                                    ruri, call_id, method))
        if route:
            text += "Route: <%s>\r\n" % route
        text += extra + "Content-Length: 0\r\n\r\n"
        self.send(text.encode())
        return time.monotonic()

    def send(self, data):
        try:
            self.sock.sendto(data, self.proxy)
        except OSError:
            pass

    def final(self, call_id, wait):
        """(seconds since now, status) of the first final answer, or None."""
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                for at, status in self.answers.get(call_id, []):
                    if status >= 200:
                        return at, status
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def _read(self):
        self.sock.settimeout(0.2)
        while not self.stopped:
            try:
                data = self.sock.recv(65535)
            except socket.timeout:
                continue
            except OSError:
                break
            text = data.decode("utf-8", "replace")
            m = re.match(r"SIP/2\.0 (\d{3})", text)
            call_id = header(text, "Call-ID") or header(text, "i")
            if m is None or call_id is None:
                continue
            with self.lock:
                self.answers.setdefault(call_id, []).append((time.monotonic(), int(m.group(1))))

    def close(self):
        self.stopped = True
        self.thread.join(timeout=2)
        self.sock.close()


class Pinger(threading.Thread):
    """OPTIONS to the proxy itself every PING_EVERY_S; remembers every
    round trip (None: no answer within 4 * PING_LIMIT_S)."""

    def __init__(self, proxy_port):
        super().__init__(daemon=True)
        self.peer = Peer(proxy_port)
        self.proxy_port = proxy_port
        self.results = []           # (sent, seconds or None, phase)
        self.phase = "start"
        self.stopping = threading.Event()

    def run(self):
        n = 0
        pending = []
        while not self.stopping.is_set() or pending:
            now = time.monotonic()
            if not self.stopping.is_set():
                call_id = "ping-%d" % n
                n += 1
                pending.append((call_id, self.peer.request(
                    call_id, "sip:127.0.0.1:%d" % self.proxy_port), self.phase))
            still = []
            for call_id, sent, phase in pending:
                got = self.peer.final(call_id, 0)
                if got is not None:
                    self.results.append((sent, got[0] - sent, phase))
                elif time.monotonic() - sent > 4 * PING_LIMIT_S:
                    self.results.append((sent, None, phase))
                else:
                    still.append((call_id, sent, phase))
            pending = still
            time.sleep(max(0.0, PING_EVERY_S - (time.monotonic() - now)))
        self.peer.close()

    def slow(self):
        return [(phase, rtt) for _, rtt, phase in self.results
                if rtt is None or rtt > PING_LIMIT_S]


class Callee(threading.Thread):
    """A UAS on 127.0.0.1 that answers every request with 200."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.stopped = False

    def run(self):
        while not self.stopped:
            try:
                data, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                break
            text = data.decode("utf-8", "replace")
            if text.startswith("SIP/2.0") or text.startswith("ACK"):
                continue
            self.requests += 1
            head = text.split("\r\n\r\n", 1)[0].split("\r\n")
            copied = [h for h in head[1:] if re.match(r"(Via|From|Call-ID|CSeq)\s*:", h, re.I)]
            to = [h for h in head[1:] if re.match(r"To\s*:", h, re.I)]
            response = ["SIP/2.0 200 OK"] + copied + [t + ";tag=callee" for t in to]
            self.sock.sendto(("\r\n".join(response + ["Content-Length: 0", "", ""])).encode(),
                             peer)

    def stop(self):
        self.stopped = True
        self.join(timeout=2)
        self.sock.close()


# ---- the burst ---------------------------------------------------------------

def burst_bases(port, me):
    """Valid requests and torture-like messages, with host names in every
    place a message can carry them."""
    via = "SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-b%%d;rport" % me
    us = "127.0.0.1:%d" % port
    common = ("Max-Forwards: 70\r\nFrom: \"T\" <sip:t@caller.burst.test>;tag=b\r\n"
              "Call-ID: burst-%d@caller.burst.test\r\n")
    return [
        "OPTIONS sip:%s SIP/2.0\r\nVia: %s\r\n%sTo: <sip:%s>\r\nCSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n" % (us, via, common, us),
        "OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP sent-by-%%d.burst.test:%d;branch=z9hG4bK-n%%d"
        "\r\n%sTo: <sip:%s>\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (us, me, common, us),
        "INVITE sip:bob@ruri-%%d.burst.test SIP/2.0\r\nVia: %s\r\n%sTo: <sip:bob@b.test>\r\n"
        "CSeq: 1 INVITE\r\nContact: <sip:t@contact.burst.test>\r\n"
        "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n" % (via, common),
        "MESSAGE sip:bob@%s SIP/2.0\r\nVia: %s\r\n%sTo: <sip:bob@%s>\r\n"
        "Route: <sip:route-%%d.burst.test;lr>\r\nCSeq: 2 MESSAGE\r\n"
        "Content-Length: 2\r\n\r\nhi" % (us, via, common, us),
        "OPTIONS sip:carol@maddr-host.burst.test;maddr=m-%%d.burst.test SIP/2.0\r\n"
        "Via: %s;maddr=via-maddr-%%d.burst.test\r\nVia: SIP/2.0/UDP second.burst.test\r\n"
        "%sTo: <sip:carol@b.test>\r\nCSeq: 3 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        % (via, common),
        # RFC 4475 in spirit: escapes, folding, compact forms, odd spacing.
        "INVITE sip:%%62ob@esc-%%d.burst.test;transport=udp SIP/2.0\r\nv: %s\r\n"
        "m: <sip:t@[2001:db8::1]:5060>\r\nf: <sip:t@caller.burst.test>;tag=x\r\n"
        "t: sip:%%62ob@esc.burst.test\r\ni: burst-%%d-esc\r\nMax-Forwards: 68\r\n"
        "CSeq:\r\n 9 INVITE\r\nSubject: folded\r\n  across lines\r\nl: 0\r\n\r\n" % via,
        "REGISTER sip:%s SIP/2.0\r\nVia: %s\r\n%sTo: <sip:t@%s>\r\nCSeq: 4 REGISTER\r\n"
        "Contact: <sip:t@reg-%%d.burst.test:5070;transport=udp>;expires=60\r\n"
        "Content-Length: 0\r\n\r\n" % (us, via, common, us),
        "BYE sip:bob@bye-%%d.burst.test SIP/2.0\r\nVia: %s\r\n%sTo: <sip:bob@b.test>;tag=z\r\n"
        "Route: <sip:%s;lr>, <sip:next-%%d.burst.test;lr>\r\nCSeq: 5 BYE\r\n"
        "Content-Length: 0\r\n\r\n" % (via, common, us),
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-r%%d\r\n"
        "Via: SIP/2.0/UDP up-%%d.burst.test:5060;branch=z9hG4bK-u\r\n"
        "From: <sip:a@a.test>;tag=1\r\nTo: <sip:b@b.test>;tag=2\r\nCall-ID: burst-r%%d\r\n"
        "CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n" % us,
    ]


SEPARATORS = [b"\r\n", b"\r\n\r\n", b",", b";", b":", b" ", b"\t", b"<", b">", b"@", b"\x00"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(4)
        if kind == 0 and data:                      # flipped bytes
            for _ in range(rng.randint(1, 3)):
                i = rng.randrange(len(data))
                data[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and len(data) > 1:           # a cut
            data = data[:rng.randrange(1, len(data))]
        elif kind == 2:                             # an inserted separator
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice(SEPARATORS)
        else:                                       # a duplicated header
            lines = bytes(data).split(b"\r\n")
            if len(lines) > 2:
                i = rng.randrange(1, len(lines) - 1)
                lines.insert(i, lines[i])
                data = bytearray(b"\r\n".join(lines))
    return bytes(data)


def names_a_host_in_via(data):
    """Whether a Via line of data has a maddr or a sent-by that is not an
    IPv4 address: sofia answers some mangled messages itself, and sends
    such an answer there with a blocking lookup (see the docstring)."""
    for v in re.findall(rb"^[ \t]*(?:via|v)[ \t]*:(.*)$", data, re.M | re.I):
        m = re.match(rb"\s*\S+\s+([^;,]*)", v)
        if b"maddr" in v.lower() or m is None or re.search(rb"[^0-9.:\s]", m.group(1)):
            return True
    return False


# The messages sofia-sip 1.12.11 answers itself by sending to a name in
# Via with a blocking getaddrinfo() (--sofia-gaps): VIA is the top Via.
SOFIA_GAPS = {
    "505 to sent-by": "OPTIONS sip:{us} SIP/3.0\r\nVia: SIP/2.0/UDP gap-505.test:{me};branch=z9hG4bK-g1",
    "400 to maddr": "OPTIONS sip:{us} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-g2"
                    ";maddr=gap-maddr.test\r\nCSeq: nonsense",
    "400 to sent-by, bad transport": "OPTIONS sip:{us} SIP/2.0\r\n"
                                     "Via: SIP/2.0/UDT gap-udt.test:{me};branch=z9hG4bK-g3"
                                     "\r\nCSeq: nonsense",
}


def make_burst(seed, count, port, me):
    rng = random.Random(seed)
    bases = burst_bases(port, me)
    out = []
    for n in range(count):
        base = rng.choice(bases)
        text = base.replace("%d", str(n)).encode()
        data = text
        if rng.random() < 0.9:
            for _ in range(20):
                data = mutate(rng, text)
                if not names_a_host_in_via(data):
                    break
            else:
                data = text
        out.append(data)
    return out


# ---- the test ------------------------------------------------------------------

def sofia_gaps(port, peer, pinger, proc, work):
    """Sends each of SOFIA_GAPS and reports how long the pings went
    unanswered after it."""
    for name, text in SOFIA_GAPS.items():
        pinger.phase = name
        data = text.format(us="127.0.0.1:%d" % port, me=peer.port)
        data += ("\r\nMax-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=g\r\n"
                 "To: <sip:127.0.0.1>\r\nCall-ID: gap-%d\r\nCSeq: 1 OPTIONS\r\n"
                 "Content-Length: 0\r\n\r\n" % len(name))
        peer.send(data.encode())
        time.sleep(SLOW_S * 3)
    pinger.stopping.set()
    pinger.join(timeout=30)
    for name in SOFIA_GAPS:
        rtts = [rtt for _, rtt, phase in pinger.results if phase == name]
        lost = sum(1 for rtt in rtts if rtt is None)
        print("%s: %d pings, %d unanswered, slowest %.2f s"
              % (name, len(rtts), lost, max([r for r in rtts if r is not None] or [0])))
    return 0


def main(argv):
    code = in_sandbox([os.path.abspath(__file__)] + argv)
    if code is not None:
        return code
    proxy = argv[0]
    seed = 14
    burst = BURST
    if "--seed" in argv:
        seed = int(argv[argv.index("--seed") + 1])
    if "--burst" in argv:
        burst = int(argv[argv.index("--burst") + 1])
    problems = []
    work = tempfile.mkdtemp(prefix="dns-names-")
    set_up_sandbox(work)

    callee = Callee()
    callee.start()
    records = {("callee.test", "A"): ["127.0.0.1"]}
    system_dns = dns_responder.DnsResponder(records, SLOW_S, os.path.join(work, "system-dns.log"),
                                            port=53).start()
    sofia_dns = dns_responder.DnsResponder(records, SLOW_S,
                                           os.path.join(work, "sofia-dns.log")).start()
    sofia_conf = os.path.join(work, "sofia-resolv.conf")
    with open(sofia_conf, "w") as f:
        f.write("nameserver 127.0.0.1\nport %d\n" % sofia_dns.port)
    os.environ["SIPSERVLET_RESOLV_CONF"] = sofia_conf
    os.environ["SIPSERVLET_MAX_NAME_LOOKUPS"] = str(BOUND)

    proc, port = server_lib.start(proxy, ["--listen", "127.0.0.1:0"], work)
    pinger = Pinger(port)
    pinger.start()
    peer = Peer(port)
    try:
        time.sleep(1.0)
        if "--sofia-gaps" in argv:
            return sofia_gaps(port, peer, pinger, proc, work)

        # 1. Names in Via: answered at the source, nothing looked up.
        pinger.phase = "via"
        for call_id, host, params in [
                ("via-rport", "sent-by-a.test:%d" % peer.port, ";rport"),
                ("via-port", "sent-by-b.test:%d" % peer.port, ""),
                ("via-maddr", "sent-by-c.test:%d" % peer.port, ";maddr=maddr-c.test")]:
            sent = peer.request(call_id, "sip:127.0.0.1:%d" % port, host, params)
            got = peer.final(call_id, ANSWER_WAIT_S)
            if got is None or got[1] != 200:
                problems.append("%s: no 200 at the source address (%s)" % (call_id, got))
            elif got[0] - sent > PING_LIMIT_S:
                problems.append("%s: the 200 took %.2f s" % (call_id, got[0] - sent))

        # A single-valued header twice: proxied, not a crash when the proxy
        # copies the request for its branch (the burst found it too).
        peer.request("two-subjects", "sip:carol@127.0.0.1:%d" % callee.port,
                     extra="Subject: a\r\nSubject: b\r\n")
        got = peer.final("two-subjects", ANSWER_WAIT_S)
        if got is None or got[1] != 200:
            problems.append("two Subject headers: wanted the callee's 200, got %s" % (got,))

        # 2. and 3. Unknown names get an error, a known one is reached; all
        # at the same time, while the pings go on.
        pinger.phase = "lookups"
        started = {
            "nx-ruri": peer.request("nx-ruri", "sip:bob@nx-ruri.test"),
            "nx-route": peer.request("nx-route", "sip:bob@127.0.0.1:9", route="sip:nx-route.test;lr"),
            "known": peer.request("known", "sip:carol@callee.test:%d;transport=udp" % callee.port),
        }
        for call_id, want in [("nx-ruri", (500, 503)), ("nx-route", (500, 503)), ("known", (200,))]:
            got = peer.final(call_id, ANSWER_WAIT_S)
            if got is None or got[1] not in want:
                problems.append("%s: wanted %s, got %s" % (call_id, want, got))
            else:
                print("%s: %d after %.2f s" % (call_id, got[1], got[0] - started[call_id]))

        # 4. Past the bound, answered at once.
        pinger.phase = "bound"
        sent = {}
        for n in range(BOUND * 3):
            sent["bound-%d" % n] = peer.request("bound-%d" % n, "sip:bob@bound-%d.test" % n)
        quick = 0
        for call_id, at in sent.items():
            got = peer.final(call_id, ANSWER_WAIT_S)
            if got is None or got[1] not in (500, 503):
                problems.append("%s: wanted 500 or 503, got %s" % (call_id, got))
            elif got[0] - at < SLOW_S / 2:
                quick += 1
        print("bound: %d of %d answered at once" % (quick, len(sent)))
        if quick < len(sent) - BOUND:
            problems.append("bound: only %d of %d requests past the bound of %d answered at once"
                            % (quick, len(sent), BOUND))

        # 5. The burst, then quiet: the pings must stay fast throughout.
        pinger.phase = "burst"
        burst_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        burst_sock.bind(("127.0.0.1", 0))
        datagrams = make_burst(seed, burst, port, burst_sock.getsockname()[1])
        with open(os.path.join(work, "burst.log"), "w") as f:
            for n, data in enumerate(datagrams):
                f.write("%d %r\n" % (n, data))
        t0 = time.monotonic()
        for n, data in enumerate(datagrams):
            try:
                burst_sock.sendto(data[:65000], ("127.0.0.1", port))
            except OSError:
                pass
            pause = t0 + BURST_S * (n + 1) / len(datagrams) - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() - t0 > BURST_S * 3:
                break
        print("burst: %d datagrams in %.1f s (seed %d)" % (n + 1, time.monotonic() - t0, seed))
        pinger.phase = "after burst"
        time.sleep(AFTER_BURST_S)
        burst_sock.close()
    finally:
        pinger.stopping.set()
        pinger.join(timeout=30)
        peer.close()
        status = server_lib.stop(proc)
        callee.stop()
        system_dns.stop()
        sofia_dns.stop()

    rtts = [rtt for _, rtt, _ in pinger.results if rtt is not None]
    print("pings: %d, slowest %.3f s" % (len(pinger.results), max(rtts) if rtts else -1))
    slow = pinger.slow()
    if slow:
        problems.append("%d pings over %.1f s: %s" % (len(slow), PING_LIMIT_S, slow[:10]))
    asked = system_dns.queries()
    if asked:
        problems.append("the system resolver (glibc getaddrinfo) was asked %d times: %s"
                        % (len(asked), asked[:10]))
    looked_up = {name for _, name, _ in sofia_dns.queries()}
    for name in ("sent-by-a.test", "sent-by-b.test", "sent-by-c.test", "maddr-c.test"):
        if any(n == name or n.endswith("." + name) for n in looked_up):
            problems.append("%s was looked up: responses go to the source address" % name)
    if not any(n.endswith("callee.test") for n in looked_up):
        problems.append("callee.test was never looked up by the proxy's resolver")
    print("sofia's resolver: %d queries; the system's: %d"
          % (len(sofia_dns.queries()), len(asked)))
    if status != 0:
        problems.append("the proxy exited with %s" % status)
    if problems:
        server_lib.fail("; ".join(problems), work)
    shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
