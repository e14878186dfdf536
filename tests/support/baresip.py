# SPDX-License-Identifier: LGPL-2.1-or-later
"""A baresip phone for the Python test drivers (Debian's baresip-core 1.0).

    phone = Phone(work, "alice", aor, password, outbound)
    phone.start()
    phone.registration()              # "OK"
    phone.command("dial", "sip:bob@127.0.0.1:5060")
    phone.wait_event("CALL_ESTABLISHED")
    phone.stop()

Each phone gets a configuration directory of its own under WORK (its
output goes to WORK/NAME.out): SIP on 127.0.0.1 (baresip also binds the
next port, for TLS, so both are chosen free), the ctrl_tcp module for
commands and events (JSON in netstrings), G.711, and the aubridge module
as both audio source and player, so no sound device or file is needed.
The account answers calls by itself (answermode=auto). DNS goes to a
closed loopback port: tests use IP literals and must never reach the
system's resolver.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time

import ports

BINARY = "baresip"


def available():
    return any(os.access(os.path.join(d, BINARY), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep))


def module_path():
    for d in ("/usr/lib/baresip/modules", "/usr/lib/x86_64-linux-gnu/baresip/modules"):
        if os.path.isdir(d):
            return d
    return "/usr/lib/baresip/modules"


def free_port_pair():
    """A port free for UDP and TCP whose next port is free for TCP too."""
    for _ in range(200):
        port = ports.free_ports(1)[0]
        if port >= 65535:
            continue
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            probe.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
        finally:
            probe.close()
    raise RuntimeError("no pair of free ports")


class Phone:
    def __init__(self, work, name, aor, password, outbound, account_params=""):
        self.work = work
        self.name = name
        self.dir = os.path.join(work, name)
        self.aor = aor
        self.password = password
        self.outbound = outbound
        self.account_params = account_params
        self.proc = None
        self.sock = None
        self.buffer = b""
        self.events = []          # every event seen, as dicts, in order
        self.responses = []       # the data of every command response, in order

    def _write_config(self):
        os.makedirs(self.dir, exist_ok=True)
        self.sip_port = free_port_pair()
        self.ctrl_port = ports.free_ports(1, exclude=(self.sip_port, self.sip_port + 1))[0]
        rtp = 20000 + (self.sip_port % 400) * 20
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("\n".join([
                "poll_method epoll",
                "sip_listen 127.0.0.1:%d" % self.sip_port,
                "audio_source aubridge,%s" % self.name,
                "audio_player aubridge,%s" % self.name,
                "audio_alert aubridge,%s" % self.name,
                "module_path %s" % module_path(),
                "module g711.so",
                "module aubridge.so",
                "module_app account.so",
                "module_app menu.so",
                "module_app ctrl_tcp.so",
                "ctrl_tcp_listen 127.0.0.1:%d" % self.ctrl_port,
                "rtp_ports %d-%d" % (rtp, rtp + 19),
                "dns_server 127.0.0.1:9",
                ""]))
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write('<%s>;auth_pass=%s;outbound="%s";regint=60;answermode=auto;'
                    'audio_codecs=PCMU%s\n'
                    % (self.aor, self.password, self.outbound, self.account_params))

    def start(self, timeout=20):
        self._write_config()
        out = open(os.path.join(self.work, self.name + ".out"), "w")
        self.proc = subprocess.Popen([BINARY, "-f", self.dir], stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                self.sock.settimeout(0.2)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("%s: baresip did not open its control port" % self.name)

    def command(self, name, params=""):
        data = json.dumps({"command": name, "params": params, "token": name}).encode()
        self.sock.sendall(b"%d:%s," % (len(data), data))

    def _read(self):
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return
        except OSError:
            chunk = b""
        if not chunk:
            time.sleep(0.05)
            return
        self.buffer += chunk
        while True:
            colon = self.buffer.find(b":")
            if colon < 0:
                return
            length = int(self.buffer[:colon])
            end = colon + 1 + length
            if len(self.buffer) < end + 1:
                return
            message = json.loads(self.buffer[colon + 1:end])
            self.buffer = self.buffer[end + 1:]
            if message.get("event"):
                self.events.append(message)
            elif message.get("response"):
                self.responses.append(message.get("data") or "")

    def wait_event(self, kind, timeout=30):
        """The first event of type kind not yet returned, or None after
        timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("type") == kind and not event.get("_taken"):
                    event["_taken"] = True
                    return event
            if time.monotonic() >= deadline:
                return None
            self._read()

    def registration(self, timeout=30):
        """"OK" once the account is registered, "ERR" once its registration
        failed, None when neither after timeout seconds. Asked with the
        reginfo command: the registration events may come before the
        control connection is up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.responses = []
            self.command("reginfo")
            answer_by = time.monotonic() + 2
            while not self.responses and time.monotonic() < answer_by:
                self._read()
            text = self.responses[0] if self.responses else ""
            state = re.search(r"\x1b\[\d+m(OK|ERR)\b", text)
            if state:
                return state.group(1)
            time.sleep(0.2)
        return None

    def seen(self, kind):
        self._read()
        return [e for e in self.events if e.get("type") == kind]

    def stop(self):
        if self.sock is not None:
            self.sock.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
