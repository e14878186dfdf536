#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""sipservlet-uas --register-to against Kamailio asking for a password.

    run-upstream-registration.py [options] CASE

Kamailio (tests/interop/kamailio-upstream-auth.cfg) is a provider's
registrar: every REGISTER must answer its digest challenge, checked
against a static password, and bindings last at most a few seconds so
refreshes come quickly. sipservlet-uas registers sip:alice@upstream.test
there with --register-to, its password in a file.

CASE is one of
  md5, sha256     Kamailio's auth "algorithm" is MD5 or SHA-256. The
                  registration must succeed and be refreshed at least
                  twice; every REGISTER carries the same Call-ID and a
                  higher CSeq, each authenticated one (credentials of
                  alice, realm upstream.test, that algorithm) follows a
                  challenged one without credentials (each refresh
                  authenticates again), consecutive authenticated ones
                  come no later than the binding expires, and SIGTERM
                  sends an authenticated un-REGISTER (Expires: 0) before
                  the UAS exits 0.
  wrong-password  the file holds another password: our log must say the
                  credentials were refused (401), Kamailio must have
                  seen credentials and saved no binding.
  call            after the registration, sipp calls alice@upstream.test
                  through Kamailio: each call must reach our UAS (its
                  registered Contact answers) and complete.

Options:
  --uas PATH          the sipservlet-uas binary
  --password-file-says TEXT
                      put TEXT in the UAS's password file instead of the
                      right password (to see a case fail)
Under $SIPSERVLET_SERVER_WRAPPER (the valgrind setup) the UAS runs under
that command; Kamailio never does. SIPP_INTEROP_KEEP=1 keeps the work
directory (it is kept on failure) and runs the UAS with --verbose.

Exit status: 0 pass, 1 fail, 77 skip (kamailio, or sipp for call,
missing), 99 usage.
"""

import argparse
import importlib.util
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
from ports import free_ports  # noqa: E402  (tests/support/ports.py)

# The process handling of run-topology.py (start, readiness, stop by pid,
# valgrind's verdict), shared rather than copied.
_spec = importlib.util.spec_from_file_location("run_topology",
                                               os.path.join(HERE, "run-topology.py"))
topology = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(topology)
Failure = topology.Failure

PASSWORD = "upstream-s3cret"
REALM = "upstream.test"
AOR = "sip:alice@%s" % REALM
MAX_EXPIRES = 6           # s, Kamailio's max_expires: a refresh every 3 s
REFRESHES = 2             # refreshes wanted after the first registration
DEADLINE = 60             # s to see them (valgrind is slow to start)
CALLS = 3

ALGORITHMS = {"md5": "MD5", "sha256": "SHA-256", "wrong-password": "MD5", "call": "SHA-256"}
REG = re.compile(r"REG (\S+) (\d+) expires=(\S*) auth=(-?\d+) at=([\d.]+) "
                 r"authorization=(.*)$", re.M)
SAVED = re.compile(r"SAVED (\S+) (\d+) expires=(\S*)$", re.M)


def registers(log):
    """Kamailio's REG lines as dicts, in order."""
    return [{"call_id": m.group(1), "cseq": int(m.group(2)), "expires": m.group(3),
             "auth": int(m.group(4)), "at": float(m.group(5)),
             "authorization": m.group(6).strip()}
            for m in REG.finditer(log)]


def saved(log):
    """CSeq -> Expires of every REGISTER Kamailio saved."""
    return {int(m.group(2)): m.group(3) for m in SAVED.finditer(log)}


def has_credentials(reg):
    return reg["authorization"] not in ("", "<null>")


def wait_for(what, test, process, deadline=DEADLINE):
    start = time.monotonic()
    while not test():
        if not process.running():
            raise Failure("the UAS exited (status %s) while waiting for %s"
                          % (process.proc.returncode, what))
        if time.monotonic() - start > deadline:
            raise Failure("no %s within %ds" % (what, deadline))
        time.sleep(0.1)


def check_refreshes(log, algorithm, stopped_at, wanted):
    """The verdict on Kamailio's log: wanted refreshes at least."""
    regs = registers(log)
    stored = saved(log)
    if not regs:
        raise Failure("kamailio saw no REGISTER")
    if len({r["call_id"] for r in regs}) != 1:
        raise Failure("the REGISTERs used several Call-IDs: %s"
                      % sorted({r["call_id"] for r in regs}))
    cseqs = [r["cseq"] for r in regs]
    if any(b <= a for a, b in zip(cseqs, cseqs[1:])):
        raise Failure("the CSeq did not always grow: %s" % cseqs)
    authenticated = []
    for i, r in enumerate(regs):
        if r["auth"] < 0:
            if has_credentials(r):
                raise Failure("REGISTER CSeq %d: its credentials were refused (auth %d): %s"
                              % (r["cseq"], r["auth"], r["authorization"]))
            continue
        want = ('username="alice"', 'realm="%s"' % REALM, "algorithm=%s" % algorithm)
        if not all(w in r["authorization"] for w in want):
            raise Failure("REGISTER CSeq %d: Authorization %s lacks one of %s"
                          % (r["cseq"], r["authorization"], want))
        if i == 0 or regs[i - 1]["auth"] >= 0 or has_credentials(regs[i - 1]):
            raise Failure("REGISTER CSeq %d was authenticated without a challenge "
                          "just before it" % r["cseq"])
        if r["cseq"] not in stored:
            raise Failure("the authenticated REGISTER CSeq %d was not saved" % r["cseq"])
        authenticated.append(r)
    refreshes = [r for r in authenticated if r["expires"] != "0"]
    if len(refreshes) < wanted + 1:
        raise Failure("%d authenticated registrations, expected the first and %d refreshes"
                      % (len(refreshes), wanted))
    gaps = [b["at"] - a["at"] for a, b in zip(refreshes, refreshes[1:])]
    if any(g >= MAX_EXPIRES or g < 1 for g in gaps):
        raise Failure("refresh intervals %s s, expected between 1 and the %d s granted"
                      % (["%.1f" % g for g in gaps], MAX_EXPIRES))
    last = authenticated[-1]
    if last["expires"] != "0" or last["at"] < stopped_at - 1:
        raise Failure("no authenticated un-REGISTER (Expires: 0) after SIGTERM; last "
                      "authenticated REGISTER: CSeq %d Expires %s"
                      % (last["cseq"], last["expires"]))
    return len(refreshes) - 1, gaps


def run(args, workdir):
    t = topology.Topology(args, workdir)
    k_port, = free_ports(1)
    algorithm = ALGORITHMS[args.case]
    wrong = args.case == "wrong-password"
    told = args.password_file_says or ("not-" + PASSWORD if wrong else PASSWORD)
    password_file = os.path.join(workdir, "password")
    fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(told + "\n")
    try:
        t.start_kamailio("kamailio-upstream-auth.cfg", k_port,
                         {"PASSWORD": PASSWORD, "ALGORITHM": algorithm,
                          "MAX_EXPIRES": str(MAX_EXPIRES)})
        # --verbose: the UAS logs each call it answers.
        verbose = ["--verbose"] if args.case == "call" else []
        uas_port = t.start_ours("uas", args.uas, verbose + [
            "--register-to", "sip:127.0.0.1:%d" % k_port, "--aor", AOR,
            "--password-file", password_file])
        uas = t.ours[-1]
        klog = t.kamailio.text
        summary = ""
        if wrong:
            wait_for("refusal in the UAS's log",
                     lambda: "were refused" in uas.text(), uas)
        elif args.case == "call":
            wait_for("registration", lambda: saved(klog()), uas)
            sipp = t.sipp("uac", os.path.join(HERE, "upstream-uac-call.xml"),
                          free_ports(1, {k_port, uas_port})[0], [],
                          {"domain": REALM, "callee": "alice"},
                          remote=k_port, calls=CALLS, rate=10)
            status = sipp.wait(topology.SIPP_TIMEOUT + 90)
            if status != 0:
                raise Failure("the caller's sipp exited with status %s" % status)
            answered = len(re.findall(r"call \S+ answered", uas.text("out")))
            if answered != CALLS:
                raise Failure("the UAS answered %d calls, expected %d" % (answered, CALLS))
            summary = "%d calls to %s reached the UAS through kamailio" % (CALLS, AOR)
        else:
            wait_for("%d refreshes" % REFRESHES,
                     lambda: len([e for e in saved(klog()).values() if e != "0"])
                     > REFRESHES, uas)
        # Ours first: its un-REGISTER needs Kamailio.
        stopped_at = time.time()
        uas.stop()
        problems = t.stop_all()
        if problems:
            raise Failure("; ".join(problems))
        ours = uas.text()
        log = klog()
        if wrong:
            if saved(log):
                raise Failure("kamailio saved a binding despite the wrong password")
            if not any(has_credentials(r) and r["auth"] < 0 for r in registers(log)):
                raise Failure("kamailio saw no refused credentials")
            if not re.search(r"WARNING.*registration of %s at \S+ failed: 401 .*wrong user "
                             r"or password" % re.escape(AOR), ours):
                raise Failure("the UAS's log does not report the refused password")
            summary = "the wrong password is reported and nothing was registered"
        else:
            if "-WARNING **" in ours:
                raise Failure("the UAS logged a warning:\n%s" % ours[-2000:])
            if not re.search(r"^sipservlet-Message: .*unregistered %s" % re.escape(AOR), ours,
                             re.M):
                raise Failure("the UAS did not log its un-registration")
            refreshes, gaps = check_refreshes(log, algorithm, stopped_at,
                                              REFRESHES if not summary else 0)
            if not summary:
                summary = ("registered with %s, refreshed %d times every %s s, each "
                           "authenticated again, unregistered on SIGTERM"
                           % (algorithm, refreshes, "/".join("%.1f" % g for g in gaps)))
        print("%s: %s%s" % (args.case, summary,
                            " (under %s)" % t.wrapper[0] if t.wrapper else ""))
    finally:
        t.cleanup()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    p.add_argument("case", choices=sorted(ALGORITHMS))
    p.add_argument("--uas")
    p.add_argument("--password-file-says")
    p.add_argument("--kamailio", default=shutil.which("kamailio")
                   or ("/usr/sbin/kamailio" if os.path.exists("/usr/sbin/kamailio") else None))
    args = p.parse_args()
    if args.kamailio is None:
        print("SKIP: kamailio is not installed")
        return 77
    if args.case == "call" and shutil.which("sipp") is None:
        print("SKIP: sipp is not installed")
        return 77
    if not args.uas or not os.access(args.uas, os.X_OK):
        print("the sipservlet-uas binary is missing (--uas)", file=sys.stderr)
        return 99
    return topology.run_in_workdir("interop-upstream-%s." % args.case,
                                   lambda workdir: run(args, workdir),
                                   (("uas.err", 40), ("kamailio.err", 40),
                                    ("uac-errors.log", 30), ("uac-screen.log", 40)))


if __name__ == "__main__":
    sys.exit(main())
