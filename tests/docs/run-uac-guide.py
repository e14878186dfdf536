#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the uac-call program of doc/uac-guide.md against a sipp phone.

    run-uac-guide.py UAC_BINARY PHONE_SCENARIO

sipp plays the phone on a free loopback port for two calls (the OPTIONS
and the INVITE); uac-call must print "OPTIONS: 200", "connected" and
"ended" and exit 0, and sipp must exit 0. Under the valgrind setup
(SIPSERVLET_SERVER_WRAPPER) uac-call runs under memcheck.
Exit status: 0 pass, 1 fail, 77 skip (no sipp).
"""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import ports  # noqa: E402


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 99
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    uac, scenario = argv[1], argv[2]
    wrapper = shlex.split(os.environ.get("SIPSERVLET_SERVER_WRAPPER", ""))
    port = ports.free_ports(1)[0]
    with tempfile.TemporaryDirectory() as work:
        phone = subprocess.Popen(
            ["sipp", "-sf", scenario, "-i", "127.0.0.1", "-p", str(port), "-m", "2",
             "-timeout", "120", "-timeout_error", "-nostdin", "-trace_err"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 10
            while not ports.udp_bound(port):
                if time.monotonic() > deadline or phone.poll() is not None:
                    print("FAIL: sipp did not start")
                    return 1
                time.sleep(0.05)
            run = subprocess.run(
                wrapper + [uac, "sip:alice@127.0.0.1", "sip:bob@127.0.0.1:%d" % port],
                capture_output=True, text=True, timeout=120)
            print(run.stdout, end="")
            print(run.stderr, end="", file=sys.stderr)
            for line in ("OPTIONS: 200", "connected", "ended"):
                if line not in run.stdout:
                    print("FAIL: uac-call did not print %r" % line)
                    return 1
            if run.returncode != 0:
                print("FAIL: uac-call exited %d" % run.returncode)
                return 1
            if phone.wait(timeout=60) != 0:
                print("FAIL: sipp exited %d" % phone.returncode)
                for name in os.listdir(work):
                    with open(os.path.join(work, name), errors="replace") as f:
                        print(f.read())
                return 1
        finally:
            if phone.poll() is None:
                phone.kill()
                phone.wait()
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
