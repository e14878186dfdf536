#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The library from Python, through GObject Introspection (SipServlet-1).

    test-python.py UAC_SCENARIO PHONE_SCENARIO

A servlet written in Python (a request callback) answers the OPTIONS of a
sipp client; a request sent from Python with the callback API gets its
200 from a sipp phone. Run with GI_TYPELIB_PATH and LD_LIBRARY_PATH
pointing at the build (meson does). Exit status: 0 pass, 1 fail, 77 skip
(no sipp).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("SipServlet", "1")
from gi.repository import GLib, SipServlet  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import ports  # noqa: E402


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def iterate_until(done, seconds):
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        context.iteration(False)
        time.sleep(0.002)
    return done()


def start_sipp(work, args):
    return subprocess.Popen(["sipp", "-i", "127.0.0.1", "-timeout", "60", "-timeout_error",
                             "-nostdin", "-trace_err"] + args,
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def main(argv):
    if shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    uac_scenario, phone_scenario = argv[1], argv[2]

    container = SipServlet.Container.new()
    container.listen("127.0.0.1", 0, SipServlet.TransportFlags.UDP)
    port = container.get_port(None)

    # A servlet in Python: answers OPTIONS with 200 and a header of its own.
    answered = []

    def on_request(request):
        message = request.get_message()
        if message.get_method() == "OPTIONS":
            request.respond_with(200, None, ["X-Answered-By: python"], None, None)
            answered.append(message.get_call_id())

    servlet = SipServlet.Servlet.new_with_callback("python", on_request)
    container.add_servlet(servlet, "OPTIONS")

    with tempfile.TemporaryDirectory() as work:
        # sipp sends OPTIONS to the Python servlet.
        prober = start_sipp(work, ["-sf", uac_scenario, "-m", "3", "-r", "10",
                                   "127.0.0.1:%d" % port])
        if not iterate_until(lambda: prober.poll() is not None, 60):
            prober.kill()
            fail("sipp's OPTIONS were not all answered")
        if prober.returncode != 0 or len(answered) != 3:
            fail("sipp exited %d, %d OPTIONS answered" % (prober.returncode, len(answered)))

        # Python sends OPTIONS through the callback API to a sipp phone.
        phone_port = ports.free_ports(1, {port})[0]
        phone = start_sipp(work, ["-sf", phone_scenario, "-p", str(phone_port), "-m", "1"])
        deadline = time.monotonic() + 10
        while not ports.udp_bound(phone_port):
            if time.monotonic() > deadline:
                fail("the sipp phone did not start")
            time.sleep(0.05)
        factory = container.get_factory()
        app = factory.create_application_session()
        sender = SipServlet.address_parse("<sip:python@127.0.0.1>")
        target = SipServlet.address_parse("<sip:phone@127.0.0.1:%d>" % phone_port)
        options = factory.create_request(app, "OPTIONS", sender, target)
        seen = {"statuses": [], "outcome": None, "done": False}

        def on_response(request, response, error):
            if response is not None:
                seen["statuses"].append(response.get_status())
            else:
                seen["outcome"] = error
                seen["done"] = True

        options.send_with_callback(SipServlet.SendFlags.DEFAULT, None, on_response)
        if not iterate_until(lambda: seen["done"], 30):
            fail("no outcome for the OPTIONS sent from Python")
        if seen["statuses"] != [200] or seen["outcome"] is not None:
            fail("OPTIONS from Python: statuses %s, outcome %s"
                 % (seen["statuses"], seen["outcome"]))
        if not iterate_until(lambda: phone.poll() is not None, 30) or phone.returncode != 0:
            phone.kill()
            fail("the sipp phone did not end well")

    print("PASS: %d OPTIONS answered from Python, one sent: %s"
          % (len(answered), seen["statuses"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
