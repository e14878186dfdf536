#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A registration and a call over TLS between two real phones (baresip)
through sipservlet-proxy, the registrar and record-routing proxy.

    run-baresip-tls.py --proxy PATH

A throw-away CA and a certificate for 127.0.0.1 are made with the openssl
command. The proxy listens on UDP and on TLS (--listen tls:127.0.0.1:0
with --tls-cert, --tls-key, --tls-ca); the phones trust the CA
(sip_cafile) and use transport=tls. bob registers and answers
automatically; alice calls him, talks for a few seconds and hangs up.

Checked, from the phones' SIP traces (baresip -s): bob's REGISTER got 200
over TLS; the INVITE reached bob over TLS from the proxy's TLS port, with
the proxy's Via saying TLS and its Record-Route saying transport=tls;
both phones saw the call established; alice's ACK and BYE followed that
Record-Route to the proxy over TLS, and the BYE reached bob over TLS and
was answered 200; nothing went over UDP. The proxy must stop cleanly on
SIGTERM (under the valgrind setup, $SIPSERVLET_SERVER_WRAPPER runs it
under memcheck, which then fails on an error or leak).

Exit status: 0 pass, 1 fail, 77 skip (baresip or openssl missing).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from server import stop, wrapper  # noqa: E402  (tests/support/server.py)

READY_S = 60            # the proxy's ready line (valgrind is slow)
REGISTER_S = 30         # bob's registration
CALL_S = 6              # alice's call lasts this long (baresip -t)
ALICE_S = 60            # alice's whole run
MODULES = "/usr/lib/baresip/modules"


def fail(message, work):
    """Prints FAIL and the end of the logs (the work directory is kept)."""
    print("FAIL: " + message)
    for name in ("proxy.out", "bob.out", "alice.out"):
        path = os.path.join(work, name)
        if os.path.isfile(path):
            with open(path, errors="replace") as f:
                print("--- %s ---\n%s" % (name, f.read()[-6000:]))
    print("(kept: %s)" % work)
    sys.exit(1)


def openssl(work, *args):
    subprocess.run(["openssl"] + list(args), cwd=work, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(work):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(work, "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=sipservlet-test-CA")
    openssl(work, "req", *ec, "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
    with open(os.path.join(work, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl(work, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")


def start_proxy(binary, work):
    """Returns (process, tls_port)."""
    out = open(os.path.join(work, "proxy.out"), "w+")
    argv = wrapper() + [binary, "--listen", "127.0.0.1:0", "--listen", "tls:127.0.0.1:0",
                        "--tls-cert", os.path.join(work, "server.pem"),
                        "--tls-key", os.path.join(work, "server.key"),
                        "--tls-ca", os.path.join(work, "ca.pem")]
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + READY_S
    while time.monotonic() < deadline and proc.poll() is None:
        out.seek(0)
        for line in out:
            m = re.match(r"ready .*\btls:127\.0\.0\.1:(\d+)", line)
            if m:
                return proc, int(m.group(1))
        time.sleep(0.05)
    stop(proc)
    fail("the proxy did not print a ready line with its TLS port", work)
    return None, 0


def phone(work, name, tls_port, extra):
    """Writes baresip's config and accounts for name; returns its folder."""
    folder = os.path.join(work, name)
    os.mkdir(folder)
    with open(os.path.join(folder, "config"), "w") as f:
        f.write("poll_method epoll\n"
                "sip_listen 127.0.0.1:0\n"
                "sip_cafile %s\n"
                "net_interface 127.0.0.1\n"
                # No sound card: aubridge plays into a source of the same name.
                "audio_player aubridge,%s\n"
                "audio_source aubridge,%s\n"
                "audio_alert aubridge,%s\n"
                "module_path %s\n"
                "module g711.so\n"
                "module aubridge.so\n"
                "module_tmp account.so\n"
                "module_app menu.so\n" % (os.path.join(work, "ca.pem"), name, name, name,
                                          MODULES))
    with open(os.path.join(folder, "accounts"), "w") as f:
        f.write("<sip:%s@127.0.0.1:%d;transport=tls>;audio_codecs=PCMU;%s\n"
                % (name, tls_port, extra))
    return folder


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def messages(trace):
    """The SIP messages of a baresip -s trace: (direction line, text)."""
    found = []
    for m in re.finditer(r"^(UDP|TCP|TLS) (\S+) -> (\S+)\r?\n(.*?)(?=\x1b\[;m|\Z)", trace,
                         re.M | re.S):
        found.append((m.group(1), m.group(2), m.group(3), m.group(4)))
    return found


def first(found, start, what):
    for transport, src, dst, text in found:
        if text.startswith(start):
            return transport, src, dst, text
    raise AssertionError("no %s in the trace" % what)


def check(work, tls_port):
    bob = read(os.path.join(work, "bob.out"))
    alice = read(os.path.join(work, "alice.out"))
    us = "127.0.0.1:%d" % tls_port
    for who, trace in (("bob", bob), ("alice", alice)):
        if "Call established" not in trace:
            raise AssertionError("%s never saw the call established" % who)
        for transport, _, _, text in messages(trace):
            if transport != "TLS":
                raise AssertionError("%s sent or got a message over %s: %s"
                                     % (who, transport, text.splitlines()[0]))
    if not re.search(r"bob@127\.0\.0\.1: \{0/TLS/v4\} 200 OK", bob):
        raise AssertionError("bob's REGISTER did not get 200 over TLS")

    got = messages(bob)
    transport, src, _, invite = first(got, "INVITE ", "INVITE at bob")
    if src != us:
        raise AssertionError("the INVITE reached bob from %s, not from %s" % (src, us))
    via = re.search(r"^Via: (.*)$", invite, re.M).group(1)
    if not via.startswith("SIP/2.0/TLS %s;" % us):
        raise AssertionError("the proxy's Via is '%s'" % via)
    rr = re.search(r"^Record-Route: (.*?)\r?$", invite, re.M)
    if rr is None or rr.group(1) != "<sip:%s;transport=tls;lr>" % us:
        raise AssertionError("the proxy's Record-Route is '%s'" % (rr and rr.group(1)))
    _, src, _, bye = first(got, "BYE ", "BYE at bob")
    if src != us:
        raise AssertionError("the BYE reached bob from %s, not from %s" % (src, us))

    sent = messages(alice)
    for method in ("ACK", "BYE"):
        _, _, dst, _ = first(sent, method + " ", method + " from alice")
        if dst != us:
            raise AssertionError("alice's %s went to %s, not to the proxy's TLS port %s"
                                 % (method, dst, us))
    if not any(t.startswith("SIP/2.0 200") and "BYE" in t.split("CSeq:", 1)[-1][:40]
               for _, _, _, t in sent):
        raise AssertionError("alice's BYE got no 200")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", required=True)
    args = parser.parse_args()
    for program in ("baresip", "openssl"):
        if shutil.which(program) is None:
            print("SKIP: %s is not installed" % program)
            return 77
    if not os.path.isdir(MODULES):
        print("SKIP: no baresip modules in %s" % MODULES)
        return 77

    work = tempfile.mkdtemp(prefix="tls-baresip-")
    proxy = bob = None
    try:
        make_certificates(work)
        proxy, tls_port = start_proxy(args.proxy, work)
        bob_dir = phone(work, "bob", tls_port, "regint=600;answermode=auto")
        alice_dir = phone(work, "alice", tls_port, "regint=0")

        bob_out = open(os.path.join(work, "bob.out"), "w")
        bob = subprocess.Popen(["baresip", "-f", bob_dir, "-s"], stdin=subprocess.DEVNULL,
                               stdout=bob_out, stderr=subprocess.STDOUT, cwd=work)
        deadline = time.monotonic() + REGISTER_S
        while "200 OK () [1 binding]" not in read(bob_out.name):
            if time.monotonic() > deadline or bob.poll() is not None:
                raise AssertionError("bob did not register over TLS")
            time.sleep(0.1)

        with open(os.path.join(work, "alice.out"), "w") as alice_out:
            alice = subprocess.run(["baresip", "-f", alice_dir, "-s", "-t", str(CALL_S),
                                    "-e", "/dial sip:bob@127.0.0.1:%d" % tls_port],
                                   stdin=subprocess.DEVNULL, stdout=alice_out,
                                   stderr=subprocess.STDOUT, cwd=work, timeout=ALICE_S)
        if alice.returncode != 0:
            raise AssertionError("alice's baresip exited with %d" % alice.returncode)
        deadline = time.monotonic() + 10
        while "terminated" not in read(bob_out.name) and time.monotonic() < deadline:
            time.sleep(0.1)
        check(work, tls_port)
    except (AssertionError, subprocess.TimeoutExpired, subprocess.CalledProcessError) as e:
        if bob is not None:
            bob.kill()
            bob.wait()
        if proxy is not None:
            stop(proxy)
        fail(str(e), work)
    bob.terminate()
    bob.wait(timeout=30)
    status = stop(proxy)
    if status != 0:
        fail("the proxy exited with status %d" % status, work)
    shutil.rmtree(work)
    print("PASS: REGISTER and a call (INVITE, ACK, BYE) over TLS through the proxy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
