#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small SIP client over UDP for tests/server/run-reload.sh and
run-shutdown.sh: one request, its final response on stdout.

    sip-client.py register PORT AOR [--user USER --password PASSWORD]
    sip-client.py invite PORT URI [--from URI] [--wait SECONDS]

register: REGISTER of <sip:USER@127.0.0.1:LOCALPORT> for AOR (Expires
60) with the server on 127.0.0.1:PORT. A 401 or 407 is answered once
with digest credentials (MD5, qop=auth when offered) when --user is
given; without it, or when the second REGISTER is challenged too, the
challenge is the final answer.
invite: an INVITE without a body for URI; provisional responses are
skipped, a final one of 300 or more is ACKed (a 2xx is not: this client
does not take calls).

Each request is retransmitted as RFC 3261 says for UDP (T1 = 500 ms,
doubling) until a response comes, and a final response is awaited up to
--wait seconds (default 30). Prints "final STATUS REASON" (and, for a
challenge answered, "challenged STATUS" first) and exits 0; exits 1 when
no final response came in time, 99 on bad usage.
"""
import argparse
import hashlib
import random
import re
import socket
import sys
import time

T1 = 0.5


class Client:
    def __init__(self, port):
        self.server = ("127.0.0.1", port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.tag = "t%d" % random.randrange(1 << 30)
        self.call_id = "sip-client-%d-%d@127.0.0.1" % (self.port, random.randrange(1 << 30))
        self.cseq = 0

    def request(self, method, uri, from_uri, to_uri, extra, wait):
        """Sends one request; returns the text of its final response, or
        None after wait seconds."""
        self.cseq += 1
        branch = "z9hG4bK-sc-%d-%d" % (self.port, self.cseq)
        head = ("%s %s SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
                "Max-Forwards: 70\r\n"
                "From: <%s>;tag=%s\r\n"
                "To: <%s>\r\n"
                "Call-ID: %s\r\n"
                "CSeq: %d %s\r\n") % (method, uri, self.port, branch, from_uri, self.tag,
                                      to_uri, self.call_id, self.cseq, method)
        msg = (head + "".join(h + "\r\n" for h in extra) + "Content-Length: 0\r\n\r\n").encode()
        deadline = time.monotonic() + wait
        next_send = time.monotonic()
        interval = T1
        answered = False
        while time.monotonic() < deadline:
            now = time.monotonic()
            if not answered and now >= next_send:
                self.sock.sendto(msg, self.server)
                next_send = now + interval
                interval = min(interval * 2, 4.0)
            self.sock.settimeout(max(0.01, min(next_send, deadline) - now) if not answered
                                 else max(0.01, deadline - now))
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                continue
            if branch not in data or not data.startswith("SIP/2.0 "):
                continue
            status = int(data.split(" ", 2)[1])
            if status < 200:
                answered = True
                continue
            if method == "INVITE" and status >= 300:
                self.ack(uri, from_uri, to_uri, branch, data)
            return data
        return None

    def ack(self, uri, from_uri, to_uri, branch, response):
        to = header(response, "To") or "<%s>" % to_uri
        msg = ("ACK %s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
               "Max-Forwards: 70\r\n"
               "From: <%s>;tag=%s\r\n"
               "To: %s\r\n"
               "Call-ID: %s\r\n"
               "CSeq: %d ACK\r\n"
               "Content-Length: 0\r\n\r\n") % (uri, self.port, branch, from_uri, self.tag, to,
                                               self.call_id, self.cseq)
        self.sock.sendto(msg.encode(), self.server)


def header(message, name):
    """The first value of header name (case-insensitive), or None."""
    for line in message.split("\r\n\r\n", 1)[0].split("\r\n")[1:]:
        field, _, value = line.partition(":")
        if field.strip().lower() == name.lower():
            return value.strip()
    return None


def headers(message, name):
    head = message.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
    return [line.partition(":")[2].strip() for line in head
            if line.partition(":")[0].strip().lower() == name.lower()]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def authorization(challenge, method, uri, user, password):
    """The credentials answering one MD5 Digest challenge."""
    params = dict((k.lower(), v.strip('"'))
                  for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', challenge))
    realm, nonce = params.get("realm", ""), params.get("nonce", "")
    ha1 = md5("%s:%s:%s" % (user, realm, password))
    ha2 = md5("%s:%s" % (method, uri))
    fields = ['username="%s"' % user, 'realm="%s"' % realm, 'nonce="%s"' % nonce,
              'uri="%s"' % uri, "algorithm=MD5"]
    qops = [q.strip() for q in params.get("qop", "").split(",") if q.strip()]
    if "auth" in qops:
        cnonce = "%08x" % random.randrange(1 << 32)
        response = md5("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2))
        fields += ["qop=auth", "nc=00000001", 'cnonce="%s"' % cnonce]
    else:
        response = md5("%s:%s:%s" % (ha1, nonce, ha2))
    fields.append('response="%s"' % response)
    if "opaque" in params:
        fields.append('opaque="%s"' % params["opaque"])
    return "Digest " + ", ".join(fields)


def status_line(response):
    return response.split("\r\n", 1)[0].split(" ", 1)[1]


def register(args):
    client = Client(args.port)
    user = args.aor.split(":", 1)[-1].split("@", 1)[0]
    domain = args.aor.split("@", 1)[1]
    uri = "sip:" + domain
    extra = ["Contact: <sip:%s@127.0.0.1:%d>" % (user, client.port), "Expires: 60"]
    response = client.request("REGISTER", uri, args.aor, args.aor, extra, args.wait)
    if response is None:
        return None
    status = int(response.split(" ", 2)[1])
    if status in (401, 407) and args.user is not None:
        name = "WWW-Authenticate" if status == 401 else "Proxy-Authenticate"
        challenges = [c for c in headers(response, name)
                      if "algorithm=" not in c.lower() or re.search(r"algorithm=\"?md5\"?(,|\s|$)",
                                                                   c, re.I)]
        if not challenges:
            print("no MD5 challenge in: " + response.split("\r\n", 1)[0])
            return None
        print("challenged %d" % status)
        credentials = authorization(challenges[0], "REGISTER", uri, args.user, args.password)
        extra.append("%s: %s" % ("Authorization" if status == 401 else "Proxy-Authorization",
                                 credentials))
        response = client.request("REGISTER", uri, args.aor, args.aor, extra, args.wait)
    return response


def invite(args):
    client = Client(args.port)
    extra = ["Contact: <%s>" % args.from_uri.replace("@example.com",
                                                     "@127.0.0.1:%d" % client.port)]
    return client.request("INVITE", args.uri, args.from_uri, args.uri, extra, args.wait)


def main():
    parser = argparse.ArgumentParser(description="One SIP request over UDP.")
    sub = parser.add_subparsers(dest="command", required=True)
    reg = sub.add_parser("register")
    reg.add_argument("port", type=int)
    reg.add_argument("aor")
    reg.add_argument("--user")
    reg.add_argument("--password", default="")
    reg.add_argument("--wait", type=float, default=30)
    inv = sub.add_parser("invite")
    inv.add_argument("port", type=int)
    inv.add_argument("uri")
    inv.add_argument("--from", dest="from_uri", default="sip:alice@example.com")
    inv.add_argument("--wait", type=float, default=30)
    try:
        args = parser.parse_args()
    except SystemExit as e:
        sys.exit(99 if e.code else 0)
    response = register(args) if args.command == "register" else invite(args)
    if response is None:
        print("no final response within %gs" % args.wait)
        sys.exit(1)
    print("final " + status_line(response))
    sys.exit(0)


if __name__ == "__main__":
    main()
