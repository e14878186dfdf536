#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Malformed-input suite for libsipservlet (stdlib only).

Usage: malformed.py PATH/TO/sipservlet-uas [--verbose]

Starts the UAS example on 127.0.0.1 port 0, then sends raw SIP over UDP
and TCP: truncated and oversized messages, bad Content-Length, garbage,
missing mandatory headers, bad versions, protocol errors the container
must answer itself, and torture messages written in the spirit of
RFC 4475 (escapes, LWS, folding, long values, unknown schemes); every
protocol-error and torture case runs over UDP and again over TCP, with the
same expected answer. Every case has the exact answer it expects; after each one an OPTIONS over UDP and one
over TCP must still get 200. Two TCP connections are left with an
incomplete message for the whole run: the server must keep serving others
meanwhile, and must not keep them open forever (it has until
STALL_LIMIT_S to answer or close them).

Prints a table of case -> answer and exits non-zero on any mismatch, if the
server died, or if it does not exit 0 on SIGTERM.
"""

import os
import random
import select
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

DROP = None                 # "no answer" in an expectation
ANSWER_WAIT_S = 3.0         # for an expected answer
DROP_WAIT_S = 1.0           # to be sure nothing comes
STALL_LIMIT_S = 40.0        # 64*T1 plus margin, for an incomplete TCP message
READY_WAIT_S = 20.0
STOP_WAIT_S = 45.0

# `meson test --setup valgrind` (tests/valgrind-wrapper.sh) asks script
# tests to start their server under this command; memcheck is slow, so
# every wait grows. The server's exit status then carries memcheck's
# verdict (--error-exitcode), which the SIGTERM check requires to be 0.
SERVER_WRAPPER = shlex.split(os.environ.get('SIPSERVLET_SERVER_WRAPPER', ''))
if SERVER_WRAPPER:
    ANSWER_WAIT_S *= 5
    DROP_WAIT_S *= 3
    STALL_LIMIT_S += 20
    READY_WAIT_S *= 6
    STOP_WAIT_S *= 3


class Server:
    def __init__(self, binary):
        self.proc = subprocess.Popen(
            SERVER_WRAPPER + [binary, '--listen', '127.0.0.1:0'],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.stderr_lines = []
        self.port = self._read_ready()
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()

    def _read_ready(self):
        """Reads stdout up to the "ready HOST:PORT" line (GLib may print
        debug lines to stdout before it)."""
        deadline = time.monotonic() + READY_WAIT_S
        line = b''
        seen = []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1)
            if not chunk:
                break
            line += chunk
            if line.endswith(b'\n'):
                text = line.decode(errors='replace').strip()
                line = b''
                if text.startswith('ready '):
                    address = text.split()[1]
                    host, port = address.rsplit(':', 1)
                    if host != '127.0.0.1':
                        raise RuntimeError('unexpected listen address %s' % address)
                    # Keep stdout drained so the server never blocks on it.
                    threading.Thread(target=self._drain_stdout, daemon=True).start()
                    return int(port)
                seen.append(text)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read()
        raise RuntimeError('server did not print its ready line (stdout %r) %s'
                           % (seen[-5:], err.decode(errors='replace')))

    def _drain_stdout(self):
        for _ in self.proc.stdout:
            pass

    def _drain_stderr(self):
        for raw in self.proc.stderr:
            self.stderr_lines.append(raw.decode(errors='replace').rstrip())

    def alive(self):
        return self.proc.poll() is None


COMPACT_NAMES = {
    'i': 'call-id', 'm': 'contact', 'e': 'content-encoding', 'l': 'content-length',
    'c': 'content-type', 'f': 'from', 's': 'subject', 'k': 'supported', 't': 'to',
    'v': 'via', 'o': 'event', 'r': 'refer-to', 'b': 'referred-by', 'u': 'allow-events',
    'x': 'session-expires',
}


def parse_response(data):
    """Returns (status, reason, headers{lower name: [values]}, raw text)."""
    text = data.decode(errors='replace')
    head = text.split('\r\n\r\n', 1)[0]
    lines = head.split('\r\n')
    parts = lines[0].split(' ', 2)
    status = None
    reason = ''
    if len(parts) >= 2 and parts[0].startswith('SIP/') and parts[1].isdigit():
        status = int(parts[1])
        reason = parts[2] if len(parts) > 2 else ''
    # RFC 3261 7.3.1: a line starting with white space continues the
    # previous header (a server may echo a folded header as it came), and
    # compact names stand for their long forms.
    unfolded = []
    for line in lines[1:]:
        if line[:1] in (' ', '\t') and unfolded:
            unfolded[-1] += ' ' + line.strip()
        else:
            unfolded.append(line)
    headers = {}
    for line in unfolded:
        if ':' in line:
            name, value = line.split(':', 1)
            name = name.strip().lower()
            name = COMPACT_NAMES.get(name, name)
            headers.setdefault(name, []).append(value.strip())
    return status, reason, headers, text


class Peer:
    """Builds requests; every case gets its own sockets (stray or late
    answers of one case never reach another)."""

    def __init__(self, port):
        self.port = port
        self.seq = 0

    def request(self, method='OPTIONS', transport='UDP', lport=0, ruri=None,
                omit=(), extra=(), body='', content_length=None, version='SIP/2.0',
                cseq_method=None, to_tag=None, call_id=None, max_forwards='70',
                contact=False, cseq_number=None):
        """Text of a request. omit: header names to leave out ('Via',
        'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length')."""
        self.seq += 1
        ruri = ruri or 'sip:uas@127.0.0.1:%d' % self.port
        call_id = call_id or 'malformed-%d-%08x@127.0.0.1' % (self.seq, random.getrandbits(32))
        lines = ['%s %s %s' % (method, ruri, version)]
        headers = [
            ('Via', 'SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK-mf-%d-%08x;rport'
             % (transport, lport, self.seq, random.getrandbits(32))),
            ('Max-Forwards', max_forwards),
            ('From', '<sip:tester@127.0.0.1>;tag=mf%d' % self.seq),
            ('To', '<sip:uas@127.0.0.1>' + (';tag=%s' % to_tag if to_tag else '')),
            ('Call-ID', call_id),
            ('CSeq', '%s %s' % (cseq_number or self.seq, cseq_method or method)),
        ]
        if contact:
            headers.append(('Contact', '<sip:tester@127.0.0.1:%d%s>'
                            % (lport, ';transport=tcp' if transport == 'TCP' else '')))
        for name, value in headers:
            if name not in omit:
                lines.append('%s: %s' % (name, value))
        lines.extend(extra)
        if 'Content-Length' not in omit:
            cl = len(body.encode()) if content_length is None else content_length
            lines.append('Content-Length: %s' % cl)
        return ('\r\n'.join(lines) + '\r\n\r\n' + body).encode()


# ---- transports -------------------------------------------------------------

def udp_socket():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    return s


def first_answer_udp(sock, wait):
    """The first answer that is not 100 Trying, or None."""
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(70000)
        except socket.timeout:
            return None
        parsed = parse_response(data)
        if parsed[0] != 100:
            return parsed


class StreamReader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b''
        self.closed = False

    def next_message(self, wait):
        deadline = time.monotonic() + wait
        while True:
            message = self._cut()
            if message is not None:
                return message
            if self.closed:
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(70000)
            except socket.timeout:
                return None
            except OSError:
                data = b''
            if not data:
                self.closed = True
            self.buffer += data

    def _cut(self):
        self.buffer = self.buffer.lstrip(b'\r\n')
        end = self.buffer.find(b'\r\n\r\n')
        if end < 0:
            return None
        head = self.buffer[:end].decode(errors='replace')
        length = 0
        for line in head.split('\r\n')[1:]:
            name, _, value = line.partition(':')
            if name.strip().lower() in ('content-length', 'l'):
                try:
                    length = int(value.strip())
                except ValueError:
                    length = 0
        total = end + 4 + length
        if len(self.buffer) < total:
            return None
        message, self.buffer = self.buffer[:total], self.buffer[total:]
        return message


def first_answer_tcp(reader, wait):
    while True:
        message = reader.next_message(wait)
        if message is None:
            return None
        parsed = parse_response(message)
        if parsed[0] != 100:
            return parsed


def tcp_connect(port):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    return s


# ---- cases --------------------------------------------------------------------

class Case:
    def __init__(self, name, transport, build, expect, reason_has=None, headers=None,
                 check=None, note=''):
        self.name = name
        self.transport = transport      # 'UDP' or 'TCP'
        self.build = build              # f(peer, lport) -> bytes or list of bytes
        self.expect = expect            # list of statuses, DROP allowed
        self.reason_has = reason_has    # substring the reason phrase must contain
        self.headers = headers or {}    # header -> substring its value must contain
        self.check = check              # f(parsed, sent) -> error text or None
        self.note = note


def long_call_id():
    return 'long-' + 'x' * 4000 + '@127.0.0.1'


def make_cases():
    rng = random.Random(4475)
    garbage = bytes(rng.getrandbits(8) for _ in range(512))
    cases = []

    def add(*args, **kwargs):
        cases.append(Case(*args, **kwargs))

    # Baseline.
    add('baseline OPTIONS', 'UDP', lambda p, l: p.request(lport=l), [200])
    add('baseline OPTIONS', 'TCP', lambda p, l: p.request(transport='TCP', lport=l), [200])

    # Truncation.
    def cut_mid_line(p, l):
        text = p.request(lport=l)
        return text[:text.index(b'From: ') + 14]          # "From: <sip:tes"
    add('truncated: header cut mid-line', 'UDP', cut_mid_line, [400])

    def cut_in_via(p, l):
        text = p.request(lport=l)
        return text[:text.index(b'Via: ') + 20]
    add('truncated: cut inside Via', 'UDP', cut_in_via, [DROP],
        note='no complete Via to answer to')
    add('truncated: start line only', 'UDP',
        lambda p, l: b'OPTIONS sip:uas@127.0.0.1 SIP/2.0\r\n', [DROP])

    # Content-Length.
    add('Content-Length > body', 'UDP',
        lambda p, l: p.request(method='MESSAGE', lport=l, body='short',
                               extra=['Content-Type: text/plain'], content_length=500),
        [400], note='RFC 3261 18.3: datagram shorter than Content-Length')
    add('Content-Length negative', 'UDP',
        lambda p, l: p.request(lport=l, content_length='-5'), [400],
        reason_has='Content-Length')
    add('Content-Length non-numeric', 'UDP',
        lambda p, l: p.request(lport=l, content_length='abc'), [400],
        reason_has='Content-Length')
    add('Content-Length negative', 'TCP',
        lambda p, l: p.request(transport='TCP', lport=l, content_length='-5'), [400],
        reason_has='Content-Length')
    add('Content-Length non-numeric', 'TCP',
        lambda p, l: p.request(transport='TCP', lport=l, content_length='abc'), [400],
        reason_has='Content-Length')
    add('Content-Length < body (UDP, extra ignored)', 'UDP',
        lambda p, l: p.request(lport=l, body='0123456789', content_length=0), [200],
        note='RFC 3261 18.3: bytes beyond Content-Length are discarded')

    # Garbage and oversize.
    add('garbage bytes', 'UDP', lambda p, l: garbage, [DROP])
    add('garbage bytes', 'TCP', lambda p, l: garbage, [DROP, 400])
    add('100 kB header', 'TCP',
        lambda p, l: p.request(transport='TCP', lport=l,
                               extra=['X-Big: ' + 'a' * 100 * 1024]),
        [413, 400, DROP])
    add('70 kB message', 'TCP',
        lambda p, l: p.request(method='MESSAGE', transport='TCP', lport=l,
                               extra=['Content-Type: text/plain'], body='b' * 70 * 1024),
        [413, 400, DROP])
    add('60 kB datagram', 'UDP',
        lambda p, l: p.request(method='MESSAGE', lport=l,
                               extra=['Content-Type: text/plain'], body='c' * 60 * 1024),
        [200, 413], note='below the 64 KB UDP limit: may be served')

    # Missing mandatory headers (RFC 3261 8.1.1). sofia-sip 1.12.11 rejects
    # these in its sanity check before the container sees the request, and
    # its phrase is the generic "Bad Request" (a known limit, see
    # doc/architecture.md); a present-but-broken header is named.
    for header in ('Call-ID', 'From', 'To', 'CSeq'):
        add('missing ' + header, 'UDP',
            lambda p, l, h=header: p.request(lport=l, omit=(h,)), [400],
            note='answered by sofia-sip before dispatch')
    add('unparseable CSeq', 'UDP',
        lambda p, l: p.request(lport=l, omit=('CSeq',), extra=['CSeq: lots OPTIONS']), [400],
        reason_has='CSeq', note='a broken header is named in the reason phrase')
    add('unparseable Max-Forwards', 'UDP',
        lambda p, l: p.request(lport=l, max_forwards='many'), [400],
        reason_has='Max-Forwards')
    add('missing Via', 'UDP', lambda p, l: p.request(lport=l, omit=('Via',)), [DROP],
        note='nowhere to send a response')
    add('missing Call-ID', 'TCP',
        lambda p, l: p.request(transport='TCP', lport=l, omit=('Call-ID',)), [400])

    # Protocol checks.
    add('SIP/3.0 version', 'UDP', lambda p, l: p.request(lport=l, version='SIP/3.0'), [505])
    add('CSeq method mismatch', 'UDP',
        lambda p, l: p.request(lport=l, cseq_method='INVITE'), [400])
    add('Max-Forwards: 0 INVITE', 'UDP',
        lambda p, l: p.request(method='INVITE', lport=l, max_forwards='0', contact=True),
        [483])
    add('Max-Forwards: 0 OPTIONS', 'UDP',
        lambda p, l: p.request(lport=l, max_forwards='0'), [200],
        note='the UAS answers an OPTIONS addressed to it')
    add('Require: foo', 'UDP', lambda p, l: p.request(lport=l, extra=['Require: foo']), [420],
        headers={'Unsupported': 'foo'})
    add('INVITE without Contact', 'UDP',
        lambda p, l: p.request(method='INVITE', lport=l), [400], reason_has='Contact')
    add('BYE with unknown To-tag', 'UDP',
        lambda p, l: p.request(method='BYE', lport=l, to_tag='no-such-dialog'), [481])
    add('BYE without To-tag', 'UDP', lambda p, l: p.request(method='BYE', lport=l), [481])
    add('stray CANCEL', 'UDP', lambda p, l: p.request(method='CANCEL', lport=l), [481])
    add('unknown method FOO', 'UDP', lambda p, l: p.request(method='FOO', lport=l), [501])
    add('unknown method FOO', 'TCP',
        lambda p, l: p.request(method='FOO', transport='TCP', lport=l), [501])

    # Torture messages in the spirit of RFC 4475 (written for this suite).
    def lws_folding(p, l):
        text = (
            'OPTIONS sip:uas@127.0.0.1:%d SIP/2.0\r\n'
            'v:  SIP/2.0/UDP 127.0.0.1:%d\r\n'
            '   ;branch=z9hG4bK-lws-%08x ; rport\r\n'
            'TO :\r\n'
            ' "Ua\\"s  name"    <sip:uas@127.0.0.1>\r\n'
            'fROm: "\\\\Tester\\""\r\n'
            '\t<sip:tester@127.0.0.1>\r\n'
            '  ;tag = lws-tag\r\n'
            'max-FORWARDS:   70\r\n'
            'i: lws-%08x@127.0.0.1\r\n'
            'cseq:   8\r\n'
            '  OPTIONS\r\n'
            'X-Empty:\r\n'
            'Subject:\r\n'
            'X-Weird: !#$%%&\'*+-.^_`|~ "quoted\\" text" (comment)\r\n'
            'l: 0\r\n\r\n'
        ) % (p.port, l, random.getrandbits(32), random.getrandbits(32))
        return text.encode()

    def check_lws(parsed, sent):
        status, reason, headers, raw = parsed
        if 'lws-tag' not in ' '.join(headers.get('from', [])):
            return 'From tag not echoed'
        return None
    add('torture: LWS, folding, compact and mixed-case names', 'UDP', lws_folding, [200],
        check=check_lws)

    add('torture: escaped Request-URI user and params', 'UDP',
        lambda p, l: p.request(
            lport=l,
            ruri='sip:%%75%%61s;x-%%3B=a%%40b@127.0.0.1:%d;x-param=%%22v%%22;lr' % p.port),
        [200])
    add('torture: %00 escape in From user', 'UDP',
        lambda p, l: p.request(lport=l, extra=[]).replace(
            b'From: <sip:tester@127.0.0.1>', b'From: <sip:null-%00-null@127.0.0.1>'),
        [200], note='escaped = "%" HEXDIG HEXDIG: %00 is well-formed (RFC 3261 25.1)')
    add('torture: 4 kB Call-ID', 'UDP',
        lambda p, l: p.request(lport=l, call_id=long_call_id()), [200],
        check=lambda parsed, sent: None if long_call_id() in parsed[3]
        else 'the long Call-ID is not echoed')
    add('torture: 2 kB unknown header, 200-item Accept', 'UDP',
        lambda p, l: p.request(lport=l, extra=[
            'X-Long: ' + 'v' * 2048,
            'Accept: ' + ', '.join('application/x-%d' % i for i in range(200))]),
        [200])
    add('torture: 50 Via parameters', 'UDP',
        lambda p, l: p.request(lport=l).replace(
            b';rport', b';rport' + b''.join(b';p%d=v%d' % (i, i) for i in range(50))),
        [200])
    add('torture: 150-char From tag', 'UDP',
        lambda p, l: p.request(lport=l).replace(b';tag=mf', b';tag=' + b't' * 150 + b'mf'),
        [200], check=lambda parsed, sent: None if 't' * 150 in ' '.join(parsed[2].get('from', []))
        else 'the From tag is not echoed')
    add('torture: From display name over 128 chars', 'UDP',
        lambda p, l: p.request(lport=l).replace(
            b'From: <sip:', b'From: "' + b'Long Name ' * 15 + b'" <sip:'),
        [200])
    add('torture: two Via headers, both echoed', 'UDP',
        lambda p, l: p.request(lport=l).replace(
            b'Max-Forwards:', b'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-second\r\n'
                              b'Max-Forwards:'),
        [200], check=lambda parsed, sent:
        None if len([v for v in parsed[2].get('via', [])]) == 2 else 'Via not echoed twice')
    # Two Vias on one line, the top one naming another host: the answer must
    # carry both, the top one with received= (RFC 3261 18.2.1). sofia keeps
    # the received text of the line once; the edit must not be lost in it.
    add('torture: two Vias on one line, received= added', 'UDP',
        lambda p, l: p.request(lport=l).replace(
            b'Via: SIP/2.0/UDP 127.0.0.1:', b'Via: SIP/2.0/UDP 192.0.2.7:', 1).replace(
            b';rport\r\n', b';rport, SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-second\r\n', 1),
        [200], check=lambda parsed, sent:
        None if 'z9hG4bK-second' in ' '.join(parsed[2].get('via', []))
        and 'received=127.0.0.1' in ' '.join(parsed[2].get('via', []))
        else 'Vias not echoed with received=: %r' % parsed[2].get('via'))
    add('torture: unknown Request-URI scheme', 'UDP',
        lambda p, l: p.request(lport=l, ruri='nobodyknows:peculiar-thing'), [416],
        note='RFC 3261 8.2.2.1: SHOULD 416 Unsupported URI Scheme')
    add('torture: unknown scheme in To', 'UDP',
        lambda p, l: p.request(lport=l).replace(b'To: <sip:uas@127.0.0.1>',
                                                b'To: <nobodyknows:peculiar-thing>'),
        [200])
    add('torture: tel URI in From', 'UDP',
        lambda p, l: p.request(lport=l).replace(b'From: <sip:tester@127.0.0.1>',
                                                b'From: <tel:+1-201-555-0123>'),
        [200])
    add('torture: <> around Request-URI', 'UDP',
        lambda p, l: p.request(lport=l, ruri='<sip:uas@127.0.0.1:%d>' % p.port), [400])
    add('torture: unbalanced quote in To', 'UDP',
        lambda p, l: p.request(lport=l).replace(b'To: <sip:uas@127.0.0.1>',
                                                b'To: "Unbalanced <sip:uas@127.0.0.1>'),
        [400])
    add('torture: CSeq number too large', 'UDP',
        lambda p, l: p.request(lport=l, cseq_number='36893488147419103232'), [400],
        note='CSeq is a 32-bit number (RFC 3261 8.1.1.5)')
    add('torture: negative CSeq', 'UDP',
        lambda p, l: p.request(lport=l, cseq_number='-1'), [400])
    add('torture: Content-Length with leading zeros', 'UDP',
        lambda p, l: p.request(method='MESSAGE', lport=l, body='hello', content_length='0005',
                               extra=['Content-Type: text/plain']),
        [200])
    add('torture: unknown method with body', 'UDP',
        lambda p, l: p.request(method='NEWMETHOD', lport=l, body='body text',
                               extra=['Content-Type: text/plain']),
        [501])

    # TCP framing.
    def pipelined(p, l):
        return p.request(transport='TCP', lport=l) + p.request(transport='TCP', lport=l)
    add('TCP: two requests in one segment', 'TCP', pipelined, [200],
        check='second-answer')

    def dribbled(p, l):
        text = p.request(transport='TCP', lport=l)
        return [text[i:i + 7] for i in range(0, len(text), 7)]
    add('TCP: one request in 7-byte pieces', 'TCP', dribbled, [200])
    add('TCP: no Content-Length', 'TCP',
        lambda p, l: p.request(transport='TCP', lport=l, omit=('Content-Length',)),
        [400, DROP], note='RFC 3261 18.3: Content-Length MUST be used on streams')

    # The same answer over TCP as over UDP (issue 12 section 3): every
    # protocol-error and torture case whose message is complete and framed
    # by its Content-Length runs again over TCP, its top Via saying TCP.
    twins = []
    for case in cases:
        if case.transport != 'UDP' or not (case.name.startswith('torture:')
                                           or case.name in SAME_OVER_TCP):
            continue
        twins.append(Case(case.name, 'TCP', over_tcp(case.build), case.expect,
                          reason_has=case.reason_has, headers=case.headers, check=case.check,
                          note=case.note))
    return cases + twins


# Protocol errors (not torture: cases) that must be answered alike on both
# transports.
SAME_OVER_TCP = {
    'Max-Forwards: 0 INVITE', 'Max-Forwards: 0 OPTIONS', 'Require: foo',
    'INVITE without Contact', 'BYE with unknown To-tag', 'BYE without To-tag', 'stray CANCEL',
}


def over_tcp(build):
    """A builder for the TCP twin of a UDP case: the same text, with its
    top Via's transport (the first "SIP/2.0/UDP ") made TCP."""
    def tcp_build(peer, lport):
        return build(peer, lport).replace(b'SIP/2.0/UDP ', b'SIP/2.0/TCP ', 1)
    return tcp_build


# ---- running ------------------------------------------------------------------

def fmt(expect):
    return '/'.join('drop' if e is DROP else str(e) for e in expect)


def run_case(server, peer, case, verbose):
    """Returns (answer text, error or None)."""
    if case.transport == 'UDP':
        sock = udp_socket()
        lport = sock.getsockname()[1]
        payload = case.build(peer, lport)
        sock.sendto(payload, ('127.0.0.1', server.port))
        wait = DROP_WAIT_S if case.expect == [DROP] else ANSWER_WAIT_S
        parsed = first_answer_udp(sock, wait)
        extra = None
        sock.close()
    else:
        sock = tcp_connect(server.port)
        lport = sock.getsockname()[1]
        reader = StreamReader(sock)
        payload = case.build(peer, lport)
        pieces = payload if isinstance(payload, list) else [payload]
        for piece in pieces:
            sock.sendall(piece)
            if len(pieces) > 1:
                time.sleep(0.005)
        wait = DROP_WAIT_S if case.expect == [DROP] else ANSWER_WAIT_S
        if DROP in case.expect and len(case.expect) > 1:
            wait = ANSWER_WAIT_S
        parsed = first_answer_tcp(reader, wait)
        extra = first_answer_tcp(reader, ANSWER_WAIT_S) if case.check == 'second-answer' else None
        sock.close()

    if parsed is None:
        got = 'drop'
    elif parsed[0] is None:
        got = 'unparseable answer'
    else:
        got = '%d %s' % (parsed[0], parsed[1])
    if verbose and parsed is not None:
        print('--- %s (%s) answer:\n%s' % (case.name, case.transport, parsed[3]))

    status = None if parsed is None else parsed[0]
    if status not in case.expect:
        return got, 'expected %s' % fmt(case.expect)
    if parsed is not None:
        if case.reason_has and case.reason_has.lower() not in parsed[1].lower():
            return got, 'reason phrase does not name %s' % case.reason_has
        for name, value in case.headers.items():
            values = parsed[2].get(name.lower(), [])
            if not any(value in v for v in values):
                return got, 'no %s: %s header' % (name, value)
        if callable(case.check):
            problem = case.check(parsed, payload)
            if problem:
                return got, problem
        if case.check == 'second-answer':
            if extra is None or extra[0] != 200:
                return got, 'the second pipelined request got %s' % (
                    'no answer' if extra is None else '%s %s' % (extra[0], extra[1]))
    return got, None


def health_check(server, peer):
    """An OPTIONS over UDP and one over a new TCP connection must get 200."""
    problems = []
    sock = udp_socket()
    sock.sendto(peer.request(lport=sock.getsockname()[1]), ('127.0.0.1', server.port))
    parsed = first_answer_udp(sock, ANSWER_WAIT_S)
    sock.close()
    if parsed is None or parsed[0] != 200:
        problems.append('UDP OPTIONS got %s' % ('nothing' if parsed is None else parsed[0]))
    try:
        sock = tcp_connect(server.port)
        sock.sendall(peer.request(transport='TCP', lport=sock.getsockname()[1]))
        parsed = first_answer_tcp(StreamReader(sock), ANSWER_WAIT_S)
        sock.close()
        if parsed is None or parsed[0] != 200:
            problems.append('TCP OPTIONS got %s' % ('nothing' if parsed is None else parsed[0]))
    except OSError as error:
        problems.append('TCP connect failed: %s' % error)
    return problems


class Stall:
    """A TCP connection left holding an incomplete message."""

    def __init__(self, name, server, payload):
        self.name = name
        self.sock = tcp_connect(server.port)
        self.sock.sendall(payload)
        self.started = time.monotonic()
        self.reader = StreamReader(self.sock)
        self.outcome = None     # 'closed after N s' or 'answered N'
        self.elapsed = None

    def poll(self, wait):
        if self.outcome is not None:
            return
        parsed = first_answer_tcp(self.reader, wait)
        if parsed is not None:
            self.elapsed = time.monotonic() - self.started
            self.outcome = 'answered %s %s' % (parsed[0], parsed[1])
        elif self.reader.closed:
            self.elapsed = time.monotonic() - self.started
            self.outcome = 'closed'


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    verbose = '--verbose' in sys.argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    server = Server(args[0])
    try:
        return run(server, verbose)
    finally:
        # Only on an unexpected error: run() stops the server itself.
        if server.alive():
            server.proc.kill()
            server.proc.wait()


def run(server, verbose):
    peer = Peer(server.port)
    print('# server pid %d on 127.0.0.1:%d' % (server.proc.pid, server.port))

    rows = []
    failures = 0

    stalls = [
        Stall('TCP: Content-Length > body, connection held', server,
              peer.request(method='MESSAGE', transport='TCP', lport=1, body='short',
                           extra=['Content-Type: text/plain'], content_length=500)),
        Stall('TCP: header cut mid-line, connection held', server,
              b'OPTIONS sip:uas@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKst\r\nFrom: <sip:te'),
    ]

    for case in make_cases():
        if not server.alive():
            rows.append((case.name, case.transport, fmt(case.expect), 'server dead', 'FAIL'))
            failures += 1
            continue
        try:
            got, problem = run_case(server, peer, case, verbose)
        except OSError as error:
            got, problem = 'socket error', str(error)
        for stall in stalls:
            stall.poll(0)
        health = health_check(server, peer) if server.alive() else ['server died']
        if problem is None and health:
            problem = 'afterwards: ' + '; '.join(health)
        verdict = 'ok' if problem is None else 'FAIL: ' + problem
        if problem is not None:
            failures += 1
        rows.append((case.name, case.transport, fmt(case.expect), got, verdict))

    # The held connections: others were served meanwhile (the health checks
    # above); now the server must answer or close them within STALL_LIMIT_S.
    for stall in stalls:
        left = STALL_LIMIT_S - (time.monotonic() - stall.started)
        stall.poll(max(left, 0))
        if stall.outcome is None:
            rows.append((stall.name, 'TCP', 'close/4xx <= %ds' % STALL_LIMIT_S,
                         'still open after %.0f s' % (time.monotonic() - stall.started),
                         'FAIL: the connection is held forever'))
            failures += 1
        else:
            rows.append((stall.name, 'TCP', 'close/4xx <= %ds' % STALL_LIMIT_S,
                         '%s after %.1f s' % (stall.outcome, stall.elapsed), 'ok'))
        stall.sock.close()

    health = health_check(server, peer) if server.alive() else ['server died']
    rows.append(('final OPTIONS', 'UDP+TCP', '200', 'ok' if not health else '; '.join(health),
                 'ok' if not health else 'FAIL'))
    if health:
        failures += 1

    # Clean stop.
    exit_code = None
    if server.alive():
        server.proc.send_signal(signal.SIGTERM)
        try:
            exit_code = server.proc.wait(timeout=STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    else:
        exit_code = server.proc.returncode
    server._stderr_thread.join(5)
    ok_exit = exit_code == 0
    rows.append(('SIGTERM', '-', 'exit 0', 'exit %s' % exit_code, 'ok' if ok_exit else 'FAIL'))
    if not ok_exit:
        failures += 1

    widths = [max(len(str(r[i])) for r in rows + [('case', 'tr', 'expect', 'got', 'result')])
              for i in range(5)]
    widths[0] = min(widths[0], 58)
    widths[3] = min(widths[3], 44)
    line = '  '.join('%-*s' % (widths[i], h)
                     for i, h in enumerate(('case', 'tr', 'expect', 'got', 'result')))
    print(line)
    print('-' * len(line))
    for row in rows:
        print('  '.join('%-*s' % (widths[i], str(row[i])[:widths[i]] if i in (0, 3) else row[i])
                        for i in range(5)).rstrip())
    if server.stderr_lines:
        print('# server stderr (last lines):')
        for text in server.stderr_lines[-(60 if not ok_exit else 20):]:
            print('#   ' + text)
    print('# %d case(s) failed' % failures if failures else '# all cases passed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
