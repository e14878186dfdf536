#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real phones with passwords through sipservlet-proxy --auth-file.

    run-baresip-auth.py --proxy PATH CASE

Starts sipservlet-proxy on a free loopback port with a credential file
(realm "sipservlet.test", domain 127.0.0.1) and baresip phones
(tests/support/baresip.py) that use it as registrar and outbound proxy.
CASE is one of
  call            alice and bob register with their passwords (401, then
                  200) and alice calls bob (407, then through): both see
                  the call established, alice hangs up, bob sees it end.
  wrong-password  carol's password is wrong: her registration fails, her
                  call to bob (registered) never reaches him, and the proxy
                  logs both attempts with carol's user name and source.
  reload          dave is not in the file: his registration fails; he is
                  added, the proxy gets SIGHUP, and a new registration of
                  his succeeds.
The proxy must stop cleanly on SIGTERM (under the valgrind setup, without
a memcheck error). Exit status: 0 pass, 1 fail, 77 skip (no baresip),
99 usage.
"""
import argparse
import hashlib
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import baresip  # noqa: E402
import server as server_lib  # noqa: E402

REALM = "sipservlet.test"
PASSWORDS = {"alice": "secret", "bob": "hunter2", "carol": "right"}
# Under memcheck the proxy answers ~30x slower.
WAIT_S = 60 if server_lib.wrapper() else 20


def credential_line(user, password):
    ha1 = hashlib.md5(("%s:%s:%s" % (user, REALM, password)).encode()).hexdigest()
    return "%s:%s:%s\n" % (user, REALM, ha1)


def write_users(path, users):
    with open(path, "w") as f:
        f.write("# test users (htdigest)\n")
        for user in users:
            f.write(credential_line(user, PASSWORDS[user]))


class Run:
    def __init__(self, proxy_binary, work):
        self.work = work
        self.users = os.path.join(work, "users")
        self.phones = []
        write_users(self.users, ["alice", "bob", "carol"])
        self.proxy, self.port = server_lib.start(
            proxy_binary, ["--listen", "127.0.0.1:0", "--domain", "127.0.0.1",
                           "--auth-file", self.users, "--realm", REALM], work)

    def phone(self, name, password):
        aor = "sip:%s@127.0.0.1:%d;transport=udp" % (name, self.port)
        outbound = "sip:127.0.0.1:%d;transport=udp" % self.port
        phone = baresip.Phone(self.work, name, aor, password, outbound)
        self.phones.append(phone)
        phone.start()
        return phone

    def check(self, condition, message):
        if not condition:
            self.fail(message)

    def fail(self, message):
        self.close()
        server_lib.fail(message, self.work)

    def proxy_log(self):
        with open(os.path.join(self.work, "server.out"), errors="replace") as f:
            return f.read()

    def close(self):
        for phone in self.phones:
            phone.stop()
        self.phones = []
        if self.proxy is not None:
            status = server_lib.stop(self.proxy)
            self.proxy = None
            return status
        return 0

    def registered(self, phone):
        self.check(phone.registration(WAIT_S) == "OK", "%s did not register" % phone.name)

    def refused(self, phone):
        self.check(phone.registration(WAIT_S) == "ERR",
                   "%s registered with a wrong or unknown password" % phone.name)


def case_call(run):
    alice = run.phone("alice", PASSWORDS["alice"])
    bob = run.phone("bob", PASSWORDS["bob"])
    run.registered(alice)
    run.registered(bob)
    alice.command("dial", "sip:bob@127.0.0.1:%d" % run.port)
    run.check(bob.wait_event("CALL_ESTABLISHED", WAIT_S) is not None, "bob: no call established")
    run.check(alice.wait_event("CALL_ESTABLISHED", WAIT_S) is not None,
              "alice: no call established")
    time.sleep(1)
    alice.command("hangup")
    run.check(bob.wait_event("CALL_CLOSED", WAIT_S) is not None, "bob: the call did not end")
    run.check("refused" not in run.proxy_log(), "the proxy refused something")


def case_wrong_password(run):
    bob = run.phone("bob", PASSWORDS["bob"])
    run.registered(bob)
    carol = run.phone("carol", "wrong")
    run.refused(carol)
    carol.command("dial", "sip:bob@127.0.0.1:%d" % run.port)
    run.check(carol.wait_event("CALL_CLOSED", WAIT_S) is not None, "carol's call did not fail")
    time.sleep(1)
    run.check(not bob.seen("CALL_INCOMING"), "carol's call reached bob")
    log = run.proxy_log()
    source = "127.0.0.1:%d" % carol.sip_port
    for method in ("REGISTER", "INVITE"):
        run.check(any(method in line and 'user "carol"' in line and source in line
                      for line in log.splitlines()),
                  "no log line for carol's failed %s from %s" % (method, source))


def case_reload(run):
    dave = run.phone("dave", "letmein")
    run.refused(dave)
    dave.stop()
    run.phones.remove(dave)
    PASSWORDS["dave"] = "letmein"
    write_users(run.users, ["alice", "bob", "carol", "dave"])
    run.proxy.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + WAIT_S
    while "credentials reloaded" not in run.proxy_log() and time.monotonic() < deadline:
        time.sleep(0.1)
    run.check("credentials reloaded" in run.proxy_log(), "no reload after SIGHUP")
    # A new phone for the same user (baresip waits long before retrying).
    dave = baresip.Phone(run.work, "dave-again",
                         "sip:dave@127.0.0.1:%d;transport=udp" % run.port, "letmein",
                         "sip:127.0.0.1:%d;transport=udp" % run.port)
    run.phones.append(dave)
    dave.start()
    run.registered(dave)


CASES = {"call": case_call, "wrong-password": case_wrong_password, "reload": case_reload}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--proxy", required=True)
    parser.add_argument("case", choices=sorted(CASES))
    try:
        args = parser.parse_args()
    except SystemExit:
        return 99
    if not baresip.available():
        print("SKIP: baresip is not installed (Debian: baresip-core)")
        return 77
    work = tempfile.mkdtemp(prefix="baresip-auth-")
    run = Run(args.proxy, work)
    CASES[args.case](run)
    status = run.close()
    if status != 0:
        server_lib.fail("the proxy exited with status %d" % status, work)
    shutil.rmtree(work)
    print("PASS %s" % args.case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
