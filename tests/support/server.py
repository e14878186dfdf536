# SPDX-License-Identifier: LGPL-2.1-or-later
"""Starting and stopping one of our servers for the Python test drivers
(tests/sipp/run-builtin-through.py, tests/sipp/run-nat-phone.py).

start(binary, args, work) runs BINARY ARGS (under $SIPSERVLET_SERVER_WRAPPER
when set) with its output in WORK/server.out, waits up to 60 s for its
"ready HOST:PORT" line and returns (process, port); stop(process) sends
SIGTERM and returns the exit status; fail(message, work) prints FAIL with
the end of every file in WORK and exits 1.
"""
import os
import shlex
import signal
import subprocess
import sys
import time

READY_WAIT_S = 60


def wrapper():
    """The command the server runs under (valgrind, in that setup), or []."""
    return shlex.split(os.environ.get("SIPSERVLET_SERVER_WRAPPER", ""))


def fail(message, work=None):
    print("FAIL: " + message)
    for name in sorted(os.listdir(work)) if work else []:
        if not os.path.isfile(os.path.join(work, name)):
            continue
        with open(os.path.join(work, name), errors="replace") as f:
            print("--- %s ---\n%s" % (name, f.read()[-4000:]))
    sys.exit(1)


def start(binary, args, work):
    out = open(os.path.join(work, "server.out"), "w+")
    proc = subprocess.Popen(wrapper() + [binary] + args, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + READY_WAIT_S
    while time.monotonic() < deadline and proc.poll() is None:
        out.seek(0)
        for line in out:
            if line.startswith("ready "):
                return proc, int(line.split()[1].rsplit(":", 1)[1])
        time.sleep(0.05)
    stop(proc)
    fail("%s did not print its ready line" % os.path.basename(binary), work)
    return None, 0      # not reached


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=90)
