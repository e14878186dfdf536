#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A phone behind NAT, registered through sipservlet-proxy, receives calls.

    run-nat-phone.py PROXY udp|tcp CALLS [--nat-ping]

Runs in a network namespace of its own (unshare --net, loopback only), so
that nothing can leave the machine: the phone's Contact names a private
address, 10.255.0.1, which has no route there.

The "phone" (this script) registers phone@example.com from its own socket
on 127.0.0.1 (UDP, or a TCP connection it keeps open) with
Contact: <sip:phone@10.255.0.1:5060> (";transport=tcp" over TCP), as a
phone behind NAT does. A sipp UAC then calls phone@example.com CALLS times
through the proxy (proxy-uac-call.xml): every INVITE must reach the phone
at the address it registered from (over TCP: on its own connection), and
the phone answers it, takes the ACK and answers the BYE. Over TCP the
phone first sends a CRLFCRLF keepalive, which must get a CRLF pong (RFC
5626 3.5.1); after the calls it closes its connection, and one more INVITE must get 480 from the
proxy: the binding is kept, but it cannot be reached.
With --nat-ping (UDP) the proxy runs with --nat-ping-interval 1, and an
OPTIONS for the registered contact must reach the phone's socket within 5
seconds of the calls' end (the pings that keep a NAT mapping open).
Exit status: 0 pass, 1 fail, 77 skip (no sipp, or no network namespaces).
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import ports  # noqa: E402
import server as server_lib  # noqa: E402

fail = server_lib.fail

PRIVATE = "10.255.0.1"


def in_own_namespace(argv):
    """Re-runs this script in a new network namespace with loopback up."""
    if os.environ.get("NAT_PHONE_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return None
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        print("SKIP: unshare or ip is missing")
        return 77
    env = dict(os.environ, NAT_PHONE_NETNS="1")
    probe = subprocess.run(["unshare", "--net", "true"], stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print("SKIP: cannot create a network namespace (not root?)")
        return 77
    return subprocess.run(["unshare", "--net", sys.executable] + argv, env=env).returncode


class Phone:
    """Registers with a private Contact and answers what reaches it."""

    def __init__(self, proxy_port, transport):
        self.transport = transport
        self.proxy_port = proxy_port
        if transport == "udp":
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind(("127.0.0.1", 0))
        else:
            self.sock = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
        self.port = self.sock.getsockname()[1]
        self.buffer = b""
        self.invites = 0
        self.pings = 0
        self.problems = []
        self.stopped = False

    def send(self, text):
        data = text.encode()
        if self.transport == "udp":
            self.sock.sendto(data, ("127.0.0.1", self.proxy_port))
        else:
            self.sock.sendall(data)

    def receive(self, timeout):
        """The next message's text, or None."""
        self.sock.settimeout(timeout)
        try:
            if self.transport == "udp":
                return self.sock.recv(65535).decode(errors="replace")
            while True:
                head, sep, rest = self.buffer.partition(b"\r\n\r\n")
                if sep:
                    m = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)", head)
                    length = int(m.group(1)) if m else 0
                    if len(rest) >= length:
                        self.buffer = rest[length:]
                        return (head + sep + rest[:length]).decode(errors="replace")
                chunk = self.sock.recv(65535)
                if not chunk:
                    return None
                self.buffer += chunk
        except (socket.timeout, OSError):
            return None

    def register(self):
        tp = self.transport.upper()
        self.send("REGISTER sip:example.com SIP/2.0\r\n"
                  "Via: SIP/2.0/%s %s:5060;branch=z9hG4bK-natreg-%d;rport\r\n"
                  "Max-Forwards: 70\r\n"
                  "From: <sip:phone@example.com>;tag=natreg\r\n"
                  "To: <sip:phone@example.com>\r\n"
                  "Call-ID: natreg-%d@%s\r\n"
                  "CSeq: 1 REGISTER\r\n"
                  "Contact: <sip:phone@%s:5060%s>\r\n"
                  "Expires: 600\r\n"
                  "Content-Length: 0\r\n\r\n"
                  % (tp, PRIVATE, self.port, self.port, PRIVATE, PRIVATE,
                     ";transport=tcp" if self.transport == "tcp" else ""))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            text = self.receive(1)
            if text and text.startswith("SIP/2.0 200"):
                return
            if text and text.startswith("SIP/2.0 ") and not text.startswith("SIP/2.0 1"):
                raise RuntimeError("REGISTER got " + text.split("\r\n", 1)[0])
        raise RuntimeError("REGISTER got no 200")

    def ping(self):
        """RFC 5626 3.5.1 keepalive on the connection: CRLFCRLF must get a
        CRLF pong. Returns an error text or None."""
        self.sock.sendall(b"\r\n\r\n")
        self.sock.settimeout(3)
        try:
            while len(self.buffer) < 2:
                chunk = self.sock.recv(2 - len(self.buffer))
                if not chunk:
                    return "the connection closed after a CRLFCRLF ping"
                self.buffer += chunk
        except socket.timeout:
            return "no CRLF pong to a CRLFCRLF ping"
        if not self.buffer.startswith(b"\r\n"):
            return "the ping got %r, not a CRLF pong" % self.buffer[:20]
        self.buffer = self.buffer[2:]
        return None

    @staticmethod
    def response(request, status, extra=""):
        """A response to request (text) that copies Via, From, To, Call-ID,
        CSeq and Record-Route."""
        lines = request.split("\r\n")
        keep = [ln for ln in lines[1:] if re.match(
            r"(?i)(via|v|from|f|to|t|call-id|i|cseq|record-route)[ \t]*:", ln)]
        to_tag = "" if status == 100 else ";tag=natphone"
        out = []
        for ln in keep:
            if re.match(r"(?i)(to|t)[ \t]*:", ln) and ";tag=" not in ln:
                ln += to_tag
            out.append(ln)
        reason = {100: "Trying", 200: "OK"}[status]
        return "SIP/2.0 %d %s\r\n%s\r\n%sContent-Length: 0\r\n\r\n" % (
            status, reason, "\r\n".join(out), extra)

    def serve(self):
        """Answers INVITE (200), ACK (nothing) and BYE (200) until stopped."""
        contact = "Contact: <sip:phone@127.0.0.1:%d;uas=1%s>\r\n" % (
            self.port, ";transport=tcp" if self.transport == "tcp" else "")
        while not self.stopped:
            text = self.receive(0.2)
            if not text:
                continue
            first = text.split("\r\n", 1)[0]
            if first.startswith("INVITE "):
                self.invites += 1
                if not first.startswith("INVITE sip:phone@%s:5060" % PRIVATE):
                    self.problems.append("INVITE not for the registered contact: " + first)
                self.send(self.response(text, 200, contact))
            elif first.startswith("BYE "):
                self.send(self.response(text, 200))
            elif first.startswith("OPTIONS "):
                if first.startswith("OPTIONS sip:phone@%s:5060" % PRIVATE):
                    self.pings += 1
                else:
                    self.problems.append("OPTIONS not for the registered contact: " + first)
                self.send(self.response(text, 200))


def run(proxy, transport, calls, nat_ping):
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    if server_lib.wrapper():
        calls = min(calls, 20)
    with tempfile.TemporaryDirectory() as work:
        args = ["--listen", "127.0.0.1:0", "--domain", "example.com"]
        if nat_ping:
            args += ["--nat-ping-interval", "1"]
        proc, port = server_lib.start(proxy, args, work)
        phone = None
        try:
            phone = Phone(port, transport)
            try:
                phone.register()
            except RuntimeError as e:
                fail(str(e), work)
            if transport == "tcp":
                problem = phone.ping()
                if problem:
                    fail(problem, work)
            server = threading.Thread(target=phone.serve, daemon=True)
            server.start()
            uac_port = ports.free_ports(1, {port, phone.port})[0]
            uac = subprocess.run(
                ["sipp", "-sf", os.path.join(HERE, "proxy-uac-call.xml"),
                 "127.0.0.1:%d" % port, "-i", "127.0.0.1", "-p", str(uac_port),
                 "-m", str(calls), "-r", "10", "-nostdin", "-timeout", "60",
                 "-timeout_error", "-key", "domain", "example.com", "-key", "callee", "phone",
                 "-trace_err", "-error_file", os.path.join(work, "uac-errors.log")],
                cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            if nat_ping:
                deadline = time.monotonic() + 5
                while phone.pings == 0 and time.monotonic() < deadline:
                    time.sleep(0.1)
            phone.stopped = True
            server.join(5)
            if nat_ping and phone.pings == 0:
                fail("no OPTIONS ping reached the phone", work)
            if uac.returncode != 0:
                fail("the sipp UAC exited %d (%d INVITEs reached the phone)"
                     % (uac.returncode, phone.invites), work)
            if phone.invites != calls or phone.problems:
                fail("%d INVITEs for %d calls reached the phone: %s"
                     % (phone.invites, calls, "; ".join(phone.problems)), work)
            if transport == "tcp":
                check_closed_connection(phone, port, work)
        finally:
            if phone is not None:
                phone.sock.close()
            status = server_lib.stop(proc)
        if status != 0:
            fail("the proxy exited %d" % status, work)
    print("PASS: %d calls to a phone behind NAT registered over %s%s%s"
          % (calls, transport.upper(),
             "; CRLF keepalive answered; 480 once its connection closed"
             if transport == "tcp" else "",
             "; %d OPTIONS pings" % phone.pings if nat_ping else ""))
    return 0


def check_closed_connection(phone, port, work):
    """The phone closes its connection: the next call gets 480."""
    phone.sock.close()
    time.sleep(0.5)
    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind(("127.0.0.1", 0))
    cport = caller.getsockname()[1]
    caller.sendto(("INVITE sip:phone@example.com SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-natgone;rport\r\n"
                   "Max-Forwards: 70\r\n"
                   "From: <sip:caller@example.com>;tag=natgone\r\n"
                   "To: <sip:phone@example.com>\r\n"
                   "Call-ID: natgone-%d@127.0.0.1\r\n"
                   "CSeq: 1 INVITE\r\n"
                   "Contact: <sip:caller@127.0.0.1:%d>\r\n"
                   "Content-Length: 0\r\n\r\n" % (cport, cport, cport)).encode(),
                  ("127.0.0.1", port))
    caller.settimeout(1)
    deadline = time.monotonic() + 20
    final = None
    while final is None and time.monotonic() < deadline:
        try:
            text = caller.recv(65535).decode(errors="replace")
        except socket.timeout:
            continue
        status = text.split(" ", 2)[1]
        if not status.startswith("1"):
            final = text.split("\r\n", 1)[0]
    caller.close()
    if final is None or not final.startswith("SIP/2.0 480"):
        fail("a call after the phone's connection closed got %s, not 480" % final, work)


def main(argv):
    if len(argv) not in (4, 5) or argv[2] not in ("udp", "tcp") \
            or (len(argv) == 5 and argv[4] != "--nat-ping"):
        print(__doc__, file=sys.stderr)
        return 99
    status = in_own_namespace(argv)
    if status is not None:
        return status
    return run(argv[1], argv[2], int(argv[3]), len(argv) == 5)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
