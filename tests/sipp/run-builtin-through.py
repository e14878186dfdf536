#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sipp's built-in UAC and UAS, talking through one of our servers.

    run-builtin-through.py SERVER 'SERVER ARGS' CALLS RATE

Starts SERVER --listen $SERVER_LISTEN SERVER ARGS (default 127.0.0.1:0;
under $SIPSERVLET_SERVER_WRAPPER when set) and reads its "ready HOST:PORT"
line; everything is sent to 127.0.0.1:PORT;
starts `sipp -sn uas` on a free port; runs `sipp -sn uac` with the server
as its outbound proxy (-rsa): every request of the call, ACK and BYE
included, goes to the server with the UAS in its Request-URI and no Route.
Both sipps must exit 0, and the server must exit 0 on SIGTERM.
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
import server as server_lib  # noqa: E402

fail = server_lib.fail


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 99
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    server, server_args, calls, rate = argv[1], shlex.split(argv[2]), argv[3], argv[4]
    if server_lib.wrapper():
        calls = str(min(int(calls), 20))
    with tempfile.TemporaryDirectory() as work:
        listen = os.environ.get("SERVER_LISTEN", "127.0.0.1:0")
        proc, port = server_lib.start(server, ["--listen", listen] + server_args, work)
        try:
            deadline = time.monotonic() + 60
            uas_port = ports.free_ports(1, {port})[0]
            common = ["-i", "127.0.0.1", "-m", calls, "-nostdin", "-timeout", "120",
                      "-timeout_error", "-trace_err"]
            uas = subprocess.Popen(["sipp", "-sn", "uas", "-p", str(uas_port)] + common,
                                   cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            while not ports.udp_bound(uas_port):
                if time.monotonic() > deadline or uas.poll() is not None:
                    fail("the sipp UAS did not start", work)
                time.sleep(0.05)
            uac = subprocess.run(["sipp", "-sn", "uac", "-rsa", "127.0.0.1:%d" % port,
                                  "-r", rate, "127.0.0.1:%d" % uas_port] + common,
                                 cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            if uac.returncode != 0:
                uas.kill()
                fail("the sipp UAC exited %d" % uac.returncode, work)
            if uas.wait(timeout=60) != 0:
                fail("the sipp UAS exited %d" % uas.returncode, work)
        finally:
            status = server_lib.stop(proc)
        if status != 0:
            fail("the server exited %d" % status, work)
    print("PASS: %s calls of sipp's built-in UAC and UAS through %s %s"
          % (calls, os.path.basename(server), argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
