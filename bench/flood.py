#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/flood.py - a call flood against sipservlet-proxy's guards.

    bench/flood.py [--proxy PATH] [--rate N] [--seconds S] [--sources K]
                   [--rate-limit RATE/BURST] [--max-transactions N]
                   [--held N] [--logs DIR]

A load script, not a test: it prints figures. On loopback, with the
proxy's flood guards on (--rate-limit, --max-transactions):
  1. before: 200 calls at 100/s from 127.0.0.20, all must complete;
  2. N calls (--held, default 20) from 127.0.0.21 are established and held
     through the flood, then hung up: none may be lost;
  3. the flood: K sipp callers (127.0.0.30 and up) together at --rate new
     calls per second (default 10,000, twice the highest clean rate in
     bench/RESULTS.md) for --seconds (default 20);
  4. meanwhile an OPTIONS probe from 127.0.0.22 every 100 ms: how many are
     answered within 1 s, and how fast;
  5. after: the 200 calls of step 1 again, all must complete.
The callees are sipp UASs (bench/uas.xml), one for the held calls and
one for the rest; the callers use bench/uac.xml (the held calls a copy
with a pause before the BYE). Every sipp is bounded
in count and time; every process is stopped by its pid.
Exit status: 0 when the proxy kept answering, lost no held call and was
back to normal afterwards; 1 otherwise.
"""
import argparse
import csv
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(ROOT, "tests", "support"))
import ports  # noqa: E402
import server as server_lib  # noqa: E402

processes = []


def start(args, log):
    proc = subprocess.Popen(args, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    processes.append(proc)
    return proc


def stop_all():
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def sipp_caller(work, name, source, proxy_port, uas_port, rate, count, seconds,
                scenario, extra=()):
    stats = os.path.join(work, name + ".csv")
    args = ["timeout", "-k", "5", str(seconds + 20), "sipp", "-sf", scenario,
            "-i", source, "-key", "uas_port", str(uas_port),
            "-r", str(rate), "-m", str(count), "-l", str(max(rate * 4, 100)),
            "-recv_timeout", "10000", "-timeout", "%ds" % (seconds + 15),
            "-trace_stat", "-stf", stats, "-fd", "1", "-nostdin", "-nd",
            "127.0.0.1:%d" % proxy_port] + list(extra)
    return start(args, os.path.join(work, name + ".out")), stats


def final_stats(path):
    """The last line of a sipp statistics file, as a dict."""
    try:
        with open(path) as f:
            rows = list(csv.reader(f, delimiter=";"))
    except OSError:
        return {}
    if len(rows) < 2:
        return {}
    return dict(zip(rows[0], rows[-1]))


def calls(stats):
    return (int(stats.get("SuccessfulCall(C)", 0) or 0),
            int(stats.get("FailedCall(C)", 0) or 0),
            int(stats.get("TotalCallCreated", 0) or 0))


class Probe(threading.Thread):
    """OPTIONS to the proxy every 100 ms; records answer delays (s) or None."""

    def __init__(self, source, port):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((source, 0))
        self.sock.settimeout(0.05)
        self.port = port
        self.results = []          # (sent_at, delay or None)
        self.running = True

    def run(self):
        n = 0
        local = self.sock.getsockname()
        while self.running:
            n += 1
            text = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-probe-%d;rport\r\n"
                    "Max-Forwards: 70\r\nFrom: <sip:probe@%s>;tag=p\r\n"
                    "To: <sip:127.0.0.1:%d>\r\nCall-ID: probe-%d\r\nCSeq: 1 OPTIONS\r\n"
                    "Content-Length: 0\r\n\r\n"
                    % (self.port, local[0], local[1], n, local[0], self.port, n))
            sent = time.monotonic()
            self.sock.sendto(text.encode(), ("127.0.0.1", self.port))
            delay = None
            while time.monotonic() - sent < 1.0:
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    continue
                if ("probe-%d\r\n" % n).encode() in data and data.startswith(b"SIP/2.0 "):
                    delay = time.monotonic() - sent
                    break
            self.results.append((sent, delay))
            time.sleep(max(0.0, 0.1 - (time.monotonic() - sent)))

    def window(self, start, end):
        return [d for t, d in self.results if start <= t < end]


def summary(delays):
    answered = [d for d in delays if d is not None]
    if not delays:
        return "no probes"
    text = "%d/%d answered within 1 s" % (len(answered), len(delays))
    if answered:
        text += ", median %.1f ms, max %.1f ms" % (statistics.median(answered) * 1000,
                                                  max(answered) * 1000)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proxy", default=os.path.join(ROOT, "build", "examples", "proxy",
                                                        "sipservlet-proxy"))
    parser.add_argument("--rate", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--rate-limit", default="200/400")
    parser.add_argument("--max-transactions", type=int, default=20000)
    parser.add_argument("--held", type=int, default=20)
    parser.add_argument("--logs")
    args = parser.parse_args()
    if shutil.which("sipp") is None:
        print("flood.py: sipp is not installed (Debian: sip-tester)")
        return 1
    work = args.logs or tempfile.mkdtemp(prefix="flood-")
    os.makedirs(work, exist_ok=True)
    uac = os.path.join(BENCH, "uac.xml")
    hold = os.path.join(work, "uac-hold.xml")
    with open(uac) as f:
        text = f.read()
    with open(hold, "w") as f:
        f.write(text.replace('  <send retrans="500" start_rtd="bye">',
                             '  <pause/>\n\n  <send retrans="500" start_rtd="bye">', 1))
    ok = True
    try:
        # The flood's callee, and the held calls' own (another phone).
        uas_port, held_uas_port = ports.free_ports(2)
        for name, port_ in (("uas", uas_port), ("held-uas", held_uas_port)):
            start(["timeout", "-k", "5", str(args.seconds + 180), "sipp", "-sf",
                   os.path.join(BENCH, "uas.xml"), "-i", "127.0.0.1", "-p", str(port_),
                   "-nd", "-nostdin", "-timeout", "%ds" % (args.seconds + 170)],
                  os.path.join(work, name + ".out"))
        proxy, port = server_lib.start(args.proxy, [
            "--listen", "127.0.0.1:0", "--rate-limit", args.rate_limit,
            "--max-transactions", str(args.max_transactions)], work)
        processes.append(proxy)
        time.sleep(0.5)

        def clean_run(name):
            proc, stats = sipp_caller(work, name, "127.0.0.20", port, uas_port, 100, 200, 10, uac)
            proc.wait()
            return calls(final_stats(stats))

        before = clean_run("before")
        probe = Probe("127.0.0.22", port)
        probe.start()
        held_proc, held_stats = sipp_caller(work, "held", "127.0.0.21", port, held_uas_port, 20,
                                            args.held, args.seconds + 15, hold,
                                            ["-d", str((args.seconds + 8) * 1000)])
        time.sleep(2)
        flood_start = time.monotonic()
        per_source = max(1, args.rate // args.sources)
        floods = [sipp_caller(work, "flood-%d" % i, "127.0.0.%d" % (30 + i), port, uas_port,
                              per_source, per_source * args.seconds, args.seconds, uac)
                  for i in range(args.sources)]
        for proc, _ in floods:
            proc.wait()
        flood_end = time.monotonic()
        held_proc.wait()
        time.sleep(3)
        after_start = time.monotonic()
        after = clean_run("after")
        time.sleep(1)
        probe.running = False
        probe.join()

        flood = [calls(final_stats(s)) for _, s in floods]
        served = sum(c[0] for c in flood)
        failed = sum(c[1] for c in flood)
        created = sum(c[2] for c in flood)
        held = calls(final_stats(held_stats))
        elapsed = flood_end - flood_start
        print("flood.py: sipservlet-proxy --rate-limit %s --max-transactions %d"
              % (args.rate_limit, args.max_transactions))
        print("  before the flood: %d/%d clean calls completed" % (before[0], before[2]))
        print("  flood: %d sources asked %d new calls/s for %d s; sipp created %d calls in "
              "%.1f s (%.0f/s)" % (args.sources, per_source * args.sources, args.seconds,
                                  created, elapsed, created / elapsed if elapsed else 0))
        print("  flood calls: %d completed (%.1f %%), %d failed (503 from the guards, or "
              "timed out)" % (served, 100.0 * served / created if created else 0, failed))
        print("  held calls through the flood: %d/%d completed, %d failed"
              % (held[0], args.held, held[1]))
        print("  OPTIONS during the flood: %s" % summary(probe.window(flood_start, flood_end)))
        print("  OPTIONS after the flood:  %s" % summary(probe.window(after_start,
                                                                      time.monotonic())))
        print("  after the flood: %d/%d clean calls completed" % (after[0], after[2]))
        ok = (before[0] == before[2] == 200 and held[0] == args.held and held[1] == 0
              and after[0] == after[2] == 200)
        during = probe.window(flood_start, flood_end)
        ok = ok and during and sum(d is not None for d in during) >= 0.5 * len(during)
        print("  verdict: %s (logs in %s)" % ("PASS" if ok else "FAIL", work))
    finally:
        stop_all()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
