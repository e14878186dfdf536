#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Calls through a chain of real SIP servers: our examples and Kamailio.

    run-topology.py [options] TOPOLOGY CASE

TOPOLOGY is one of
  edge        Kamailio (tests/interop/kamailio-edge.cfg) record-routing in
              front of sipservlet-proxy, which is the registrar: the
              callee registers through Kamailio (which adds its Path), the
              caller calls through Kamailio; the INVITE goes Kamailio ->
              our proxy -> Kamailio (the binding's Path) -> callee.
  behind      sipservlet-proxy in front of Kamailio
              (kamailio-registrar.cfg), the callee's registrar.
  b2bua       sipservlet-b2bua (--target) towards Kamailio, the callee's
              registrar.
  two-proxies two sipservlet-proxy in a row, both record-routing: the
              callee registers through the first (its Path) with the
              second, the call goes first -> second -> first -> callee.
CASE is one of call (INVITE/180/200/ACK/BYE; with b2bua a re-INVITE
too), cancel (the caller cancels while the callee rings), busy (486).

Every call must complete (both sipp exit 0), our servers and Kamailio
must stop cleanly on SIGTERM, and every request must take the recorded
path exactly once: the callee's sipp keeps a message trace, and the Via
list of each INVITE, ACK and BYE it received must name the expected hops
in order, no more; Kamailio logs every request it receives with its
source, and per call it must have seen each request once from each
expected neighbour, never twice.

Options:
  --proxy PATH, --b2bua PATH   our example binaries
  --scenarios DIR              tests/sipp (the proxy-*.xml scenarios)
  --calls N, --rate R          load (default 100 calls at 20/s)
Under $SIPSERVLET_SERVER_WRAPPER (the valgrind setup) our servers run
under that command and the load shrinks to 30 calls at 10/s.
SIPP_INTEROP_KEEP=1 keeps the work directory (it is kept on failure) and
runs our servers with --verbose.

Exit status: 0 pass, 1 fail, 77 skip (sipp or kamailio missing), 99 usage.
"""

import argparse
import collections
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from ports import free_ports, udp_bound  # noqa: E402  (tests/support/ports.py)
from register import Binding, RegisterError  # noqa: E402  (tests/support/register.py)

READY_DEADLINE = 60      # s for a server to be ready (valgrind is slow)
STOP_DEADLINE = 60       # s for a server to exit after SIGTERM
SIPP_TIMEOUT = 120       # s, sipp -timeout
UAS_DEADLINE = 30        # s a callee sipp may take to end after the caller


class Failure(Exception):
    pass


class Process:
    """A process this script started, its output in the work directory."""

    def __init__(self, name, argv, workdir):
        self.name = name
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".err")
        self.out = open(self.out_path, "w")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=self.err)

    def running(self):
        return self.proc.poll() is None

    def wait(self, deadline):
        try:
            return self.proc.wait(timeout=max(0, deadline))
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_DEADLINE; returns the status."""
        if self.running():
            self.proc.send_signal(signal.SIGTERM)
        status = self.wait(STOP_DEADLINE)
        if status is None:
            self.proc.kill()
            self.proc.wait()
            raise Failure("%s did not exit within %ds of SIGTERM" % (self.name, STOP_DEADLINE))
        return status

    def kill(self):
        """SIGTERM first: Kamailio's main process then ends its children,
        which a SIGKILL would leave running. SIGKILL after 5 s."""
        if self.running():
            self.proc.terminate()
            if self.wait(5) is None:
                self.proc.kill()
                self.proc.wait()

    def text(self, which="err"):
        for f in (self.out, self.err):
            f.flush()
        with open(self.err_path if which == "err" else self.out_path, errors="replace") as f:
            return f.read()


class Topology:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.processes = []
        self.ours = []            # our servers: (Process, role)
        self.kamailio = None
        self.wrapper = shlex.split(os.environ.get("SIPSERVLET_SERVER_WRAPPER", ""))

    # ---- starting things ---------------------------------------------------

    def start_ours(self, name, binary, extra):
        verbose = ["--verbose"] if os.environ.get("SIPP_INTEROP_KEEP") == "1" else []
        argv = self.wrapper + [binary, "--listen", "127.0.0.1:0"] + verbose + extra
        p = Process(name, argv, self.workdir)
        self.processes.append(p)
        self.ours.append(p)
        start = time.monotonic()
        while True:
            m = re.search(r"^ready 127\.0\.0\.1:(\d+)", p.text("out"), re.M)
            if m:
                return int(m.group(1))
            if not p.running():
                raise Failure("%s exited with status %s before it was ready:\n%s"
                              % (name, p.proc.returncode, p.text()[-2000:]))
            if time.monotonic() - start > READY_DEADLINE:
                raise Failure("%s printed no ready line within %ds" % (name, READY_DEADLINE))
            time.sleep(0.05)

    def start_kamailio(self, cfg, port, substitutions=None):
        with open(os.path.join(HERE, cfg)) as f:
            text = f.read()
        for key, value in (substitutions or {}).items():
            text = text.replace("@%s@" % key, value)
        path = os.path.join(self.workdir, cfg)
        with open(path, "w") as f:
            f.write(text)
        argv = [self.args.kamailio, "-f", path, "-l", "udp:127.0.0.1:%d" % port, "-DD", "-E",
                "-m", "32", "-M", "8", "-x", "tlsf", "-X", "tlsf",
                "-w", self.workdir, "-Y", self.workdir]
        p = Process("kamailio", argv, self.workdir)
        self.processes.append(p)
        self.kamailio = p
        start = time.monotonic()
        while not udp_bound(port):
            if not p.running():
                raise Failure("kamailio exited with status %s at start:\n%s"
                              % (p.proc.returncode, p.text()[-2000:]))
            if time.monotonic() - start > READY_DEADLINE:
                raise Failure("kamailio does not listen on %d" % port)
            time.sleep(0.05)
        return port

    def sipp(self, name, scenario, port, extra, keys, remote=None, calls=None, rate=None):
        argv = ["sipp", "-sf", scenario, "-i", "127.0.0.1", "-p", str(port), "-nostdin",
                "-m", str(calls), "-timeout", "%ds" % SIPP_TIMEOUT, "-timeout_error",
                "-trace_err", "-error_file", os.path.join(self.workdir, name + "-errors.log"),
                "-trace_screen", "-screen_file", os.path.join(self.workdir, name + "-screen.log"),
                "-trace_msg", "-message_file", os.path.join(self.workdir, name + "-messages.log"),
                "-buff_size", "4194304"]
        if rate is not None:
            argv += ["-r", str(rate)]
        for k, v in keys.items():
            argv += ["-key", k, str(v)]
        argv += extra
        if remote is not None:
            argv.append("127.0.0.1:%d" % remote)
        p = Process(name, ["timeout", "--kill-after=10", str(SIPP_TIMEOUT + 60)] + argv,
                    self.workdir)
        self.processes.append(p)
        return p

    def wait_listening(self, p, port):
        start = time.monotonic()
        while not udp_bound(port):
            if not p.running():
                raise Failure("%s exited at start: %s" % (p.name, p.text("out")[-400:]))
            if time.monotonic() - start > 10:
                raise Failure("%s does not listen on %d" % (p.name, port))
            time.sleep(0.05)

    # ---- stopping and judging ----------------------------------------------

    def stop_all(self):
        """Stops our servers and Kamailio; collects what went wrong."""
        problems = []
        for p in [q for q in self.processes if q in self.ours or q is self.kamailio]:
            try:
                status = p.stop()
            except Failure as e:
                problems.append(str(e))
                continue
            err = p.text()
            if status != 0:
                problems.append("%s exited with status %d" % (p.name, status))
            if p in self.ours:
                if re.search(r"ERROR SUMMARY: [1-9]", err):
                    problems.append("valgrind reported errors in %s" % p.name)
                if "-CRITICAL **" in err:
                    problems.append("%s logged a critical" % p.name)
                for line in err.splitlines():
                    if re.search(r"(ERROR SUMMARY|definitely lost|indirectly lost):", line):
                        print("%s: %s" % (p.name, line.split("==", 2)[-1].strip()))
            elif re.search(r"INSANE", err):
                problems.append("kamailio's sanity_check() refused requests:\n"
                                + "\n".join(l for l in err.splitlines() if "INSANE" in l)[:2000])
        return problems

    def cleanup(self):
        for p in self.processes:
            p.kill()


# ---- REGISTER --------------------------------------------------------------

def register(via_port, aor, contact, expected_path=None):
    """REGISTER aor -> contact through 127.0.0.1:via_port, with Supported:
    path; when given, the 200's Path must be exactly expected_path."""
    binding = Binding(via_port, aor, contact, supported_path=True)
    try:
        ok = binding.register(600)
    except RegisterError as e:
        raise Failure(str(e))
    finally:
        binding.close()
    if expected_path is not None:
        path = header_elements(ok, "Path")
        if path != expected_path:
            raise Failure("REGISTER %s: the 200 has Path %s, expected %s:\n%s"
                          % (contact, path, expected_path, ok))


def header_elements(text, name):
    """The comma-separated values of every header called name, in order."""
    head = text.split("\r\n\r\n", 1)[0]
    values = []
    for line in head.split("\r\n")[1:]:
        n, _, v = line.partition(":")
        if n.strip().lower() == name.lower():
            values += [x.strip() for x in re.split(r",(?![^<]*>)", v)]
    return values


# ---- traces ------------------------------------------------------------------

def received_requests(trace_path):
    """Requests in a sipp -trace_msg file that sipp received, as
    (method, call_id, cseq, [Via sent-by ports, top first])."""
    with open(trace_path, errors="replace") as f:
        text = f.read()
    out = []
    for block in re.split(r"^-{20,}.*$", text, flags=re.M):
        m = re.search(r"message received \[\d+\] bytes :\s*\n\n?(.*)", block, re.S)
        if not m:
            continue
        msg = m.group(1).replace("\r\n", "\n")
        first = msg.split("\n", 1)[0]
        if first.startswith("SIP/2.0"):
            continue
        method = first.split(" ", 1)[0]
        head = msg.split("\n\n", 1)[0]
        call_id = cseq = None
        ports = []
        for line in head.split("\n")[1:]:
            n, _, v = line.partition(":")
            n = n.strip().lower()
            if n in ("via", "v"):
                for value in re.split(r",(?![^<]*>)", v):
                    sm = re.search(r"SIP/2\.0/\w+\s+[^:;\s]+:(\d+)", value)
                    ports.append(int(sm.group(1)) if sm else 5060)
            elif n in ("call-id", "i"):
                call_id = v.strip()
            elif n == "cseq":
                cseq = v.strip()
        out.append((method, call_id, cseq, ports))
    return out


def check_callee_paths(trace_path, expected, calls, methods_per_call, ack_hop_by_hop):
    """Every request the callee received came along `expected` (a list of
    (hop name, port), nearest first), CANCEL (and the ACK of a non-2xx
    final response: ack_hop_by_hop) from the last hop only; each call
    brought exactly methods_per_call distinct requests."""
    want = [port for _, port in expected]
    names = {port: name for name, port in expected}
    per_call = collections.defaultdict(set)
    for method, call_id, cseq, ports in received_requests(trace_path):
        hop_by_hop = method == "CANCEL" or (method == "ACK" and ack_hop_by_hop)
        hops = want[:1] if hop_by_hop else want
        if ports != hops:
            raise Failure("%s (%s, CSeq %s) reached the callee through %s, expected %s"
                          % (method, call_id, cseq,
                             " -> ".join(names.get(p, str(p)) for p in reversed(ports)),
                             " -> ".join(names[p] for p in reversed(hops))))
        per_call[call_id].add((cseq, method))
    if len(per_call) != calls:
        raise Failure("the callee saw %d calls, expected %d" % (len(per_call), calls))
    counts = collections.Counter(len(v) for v in per_call.values())
    if set(counts) != {methods_per_call}:
        raise Failure("requests per call at the callee: %s, expected %d each"
                      % (dict(counts), methods_per_call))


def check_kamailio_hops(log, expected_sources, names):
    """Kamailio's HOP lines: per call, each request (method) came once from
    each neighbour in expected_sources[method] (ports), from no other, and
    never twice along different paths (a loop shows as the same source
    with more Via lines)."""
    seen = collections.defaultdict(set)    # (call-id, method) -> {(port, vias)}
    for m in re.finditer(r"HOP (\S+) (\S+) 127\.0\.0\.1:(\d+) (\d+)", log):
        method, call_id, port, vias = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        if method == "REGISTER" or call_id.startswith("interop-reg-"):
            continue
        seen[(call_id, method)].add((port, vias))
    if not seen:
        raise Failure("kamailio logged no request")
    for (call_id, method), hops in seen.items():
        ports = sorted(p for p, _ in hops)
        want = sorted(expected_sources.get(method, []))
        if ports != want:
            raise Failure("kamailio got %s of %s from %s, expected once from each of %s"
                          % (method, call_id, [names.get(p, p) for p in ports],
                             [names.get(p, p) for p in want]))


# ---- the topologies ------------------------------------------------------------

UAC_SCENARIOS = {"call": "proxy-uac-call.xml", "cancel": "proxy-uac-cancel.xml",
                 "busy": "proxy-uac-busy.xml"}
UAS_SCENARIOS = {"call": "proxy-uas-answer.xml", "cancel": "proxy-uas-ring-cancel.xml",
                 "busy": "proxy-uas-busy.xml"}
# Distinct requests the callee receives per call, and those whose path is
# checked against the whole chain.
CALLEE_REQUESTS = {"call": 3, "cancel": 3, "busy": 2}


def run(args, workdir):
    t = Topology(args, workdir)
    calls, rate = args.calls, args.rate
    if t.wrapper:
        calls, rate = min(calls, 30), min(rate, 10)
    uac_port, uas_port, k_port = free_ports(3)
    service = "callee"
    contact = "sip:%s@127.0.0.1:%d;uas=1" % (service, uas_port)
    sc = args.scenarios
    uac_scenario = os.path.join(sc, UAC_SCENARIOS[args.case])
    uas_scenario = os.path.join(sc, UAS_SCENARIOS[args.case])
    callee_requests = CALLEE_REQUESTS[args.case]
    kamailio_expect = None
    names = {uac_port: "caller", uas_port: "callee", k_port: "kamailio"}
    try:
        if args.topology == "edge":
            ours = t.start_ours("proxy", args.proxy, ["--domain", "example.com"])
            names[ours] = "proxy"
            t.start_kamailio("kamailio-edge.cfg", k_port, {"APP_PORT": str(ours)})
            domain, first_hop = "example.com", k_port
            register_via = k_port
            register_path = ["<sip:127.0.0.1:%d;lr>" % k_port]
            path = [("kamailio", k_port), ("proxy", ours), ("kamailio", k_port),
                    ("caller", uac_port)]
            kamailio_expect = {"INVITE": [uac_port, ours], "ACK": [uac_port, ours],
                               "BYE": [uac_port, ours], "CANCEL": [uac_port, ours]}
        elif args.topology == "behind":
            t.start_kamailio("kamailio-registrar.cfg", k_port)
            ours = t.start_ours("proxy", args.proxy, [])
            names[ours] = "proxy"
            domain, first_hop = "127.0.0.1:%d" % k_port, ours
            register_via, register_path = k_port, None
            path = [("kamailio", k_port), ("proxy", ours), ("caller", uac_port)]
            kamailio_expect = {m: [ours] for m in ("INVITE", "ACK", "BYE", "CANCEL")}
        elif args.topology == "b2bua":
            t.start_kamailio("kamailio-registrar.cfg", k_port)
            ours = t.start_ours("b2bua", args.b2bua,
                                ["--target", "sip:%s@127.0.0.1:%d" % (service, k_port)])
            names[ours] = "b2bua"
            domain, first_hop = "127.0.0.1:%d" % k_port, ours
            register_via, register_path = k_port, None
            path = [("kamailio", k_port), ("b2bua", ours)]
            kamailio_expect = {m: [ours] for m in ("INVITE", "ACK", "BYE", "CANCEL")}
            if args.case == "call":
                uac_scenario = os.path.join(HERE, "interop-uac-reinvite.xml")
                uas_scenario = os.path.join(HERE, "interop-uas-reinvite.xml")
                callee_requests = 5
        elif args.topology == "two-proxies":
            second = t.start_ours("proxy2", args.proxy, [])
            first = t.start_ours("proxy1", args.proxy, [])
            names[first], names[second] = "proxy1", "proxy2"
            domain, first_hop = "127.0.0.1:%d" % second, first
            register_via = first
            register_path = ["<sip:127.0.0.1:%d;lr>" % first]
            path = [("proxy1", first), ("proxy2", second), ("proxy1", first),
                    ("caller", uac_port)]
        else:
            raise Failure("unknown topology %s" % args.topology)

        keys = {"domain": domain, "callee": service, "uas": 1}
        uas = t.sipp("uas", uas_scenario, uas_port, ["-s", service], keys, calls=calls)
        t.wait_listening(uas, uas_port)
        register(register_via, "%s@%s" % (service, domain), contact, register_path)

        start = time.monotonic()
        uac = t.sipp("uac", uac_scenario, uac_port, ["-s", service], keys, remote=first_hop,
                     calls=calls, rate=rate)
        uac_status = uac.wait(SIPP_TIMEOUT + 90)
        problems = []
        if uac_status != 0:
            problems.append("caller sipp exited with status %s" % uac_status)
        uas_status = uas.wait(UAS_DEADLINE)
        if uas_status is None:
            problems.append("callee sipp had not ended %ds after the caller" % UAS_DEADLINE)
        elif uas_status != 0:
            problems.append("callee sipp exited with status %s" % uas_status)
        elapsed = time.monotonic() - start
        if not problems:
            check_callee_paths(os.path.join(workdir, "uas-messages.log"), path, calls,
                               callee_requests, args.case != "call")
        problems += t.stop_all()
        if not problems and kamailio_expect is not None:
            check_kamailio_hops(t.kamailio.text(), kamailio_expect, names)
        if problems:
            raise Failure("; ".join(problems))
        print("%s %s: %d of %d calls completed in %.1fs (%s), each request along %s"
              % (args.topology, args.case, calls, calls, elapsed,
                 "under " + t.wrapper[0] if t.wrapper else "%d/s" % rate,
                 " -> ".join(n for n, _ in reversed(path))))
    finally:
        t.cleanup()


# What a failure shows: the end of these files of the work directory.
LOG_TAILS = (("uac-errors.log", 30), ("uas-errors.log", 30), ("uac-screen.log", 40),
             ("proxy.err", 40), ("proxy1.err", 30), ("proxy2.err", 30),
             ("b2bua.err", 40), ("kamailio.err", 40))


def show_failure(workdir, message, log_tails):
    print("%s: FAIL: %s" % (os.path.basename(sys.argv[0]), message), file=sys.stderr)
    for name, lines in log_tails:
        path = os.path.join(workdir, name)
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
            print("--- %s (last %d lines) ---\n%s" % (name, lines, "\n".join(tail)),
                  file=sys.stderr)
    print("logs kept in %s" % workdir, file=sys.stderr)


def run_in_workdir(prefix, body, log_tails=LOG_TAILS):
    """body(workdir) in a new work directory, removed after a pass unless
    SIPP_INTEROP_KEEP=1; a Failure is shown with the log tails and keeps
    it. Returns the exit status."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    try:
        body(workdir)
    except Failure as e:
        show_failure(workdir, str(e), log_tails)
        return 1
    if os.environ.get("SIPP_INTEROP_KEEP") == "1":
        print("logs kept in %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("topology", choices=["edge", "behind", "b2bua", "two-proxies"])
    p.add_argument("case", choices=["call", "cancel", "busy"])
    p.add_argument("--proxy")
    p.add_argument("--b2bua")
    p.add_argument("--scenarios", default=os.path.join(HERE, "..", "sipp"))
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--rate", type=int, default=20)
    p.add_argument("--kamailio", default=shutil.which("kamailio")
                   or ("/usr/sbin/kamailio" if os.path.exists("/usr/sbin/kamailio") else None))
    args = p.parse_args()
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    if args.topology != "two-proxies" and args.kamailio is None:
        print("SKIP: kamailio is not installed")
        return 77
    needed = args.b2bua if args.topology == "b2bua" else args.proxy
    if not needed or not os.access(needed, os.X_OK):
        print("the %s binary is missing (--proxy/--b2bua)" % args.topology, file=sys.stderr)
        return 99
    return run_in_workdir("interop-%s-%s." % (args.topology, args.case),
                          lambda workdir: run(args, workdir))


if __name__ == "__main__":
    sys.exit(main())
