# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the click-to-call web tests share (click-to-call-api.py,
click-to-call-browser.py): sipp user agents on free ports, the server
started on port 0 (under $SIPSERVLET_SERVER_WRAPPER when asked), HTTP
requests and a small WebSocket client, all on loopback with the Python
standard library. Every process started here is ended by its pid."""
import base64
import json
import os
import select
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ME = os.path.basename(sys.argv[0])


class Failure(Exception):
    pass


def log(text):
    print(f"{ME}: {text}", flush=True)


def check(condition, text):
    if not condition:
        raise Failure(text)


def free_port(exclude=()):
    """A port free for UDP and TCP on 127.0.0.1."""
    while True:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
            if port not in exclude:
                return port
        finally:
            u.close()
            t.close()


def udp_bound(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


class Processes:
    """The processes a test started, ended by pid on the way out."""

    def __init__(self):
        self.workdir = tempfile.mkdtemp(prefix="sipservlet-c2c-http.")
        self.sipps = []
        self.server = None
        self.keep = False
        self.wrapped = bool(os.environ.get("SIPSERVLET_SERVER_WRAPPER"))

    def start_sipp(self, sipp, scenario, calls, name, exclude=()):
        """A sipp UAS on a free port playing scenario calls times; returns
        (process, port). Retries when another program took the port."""
        for attempt in range(5):
            port = free_port(exclude)
            base = os.path.join(self.workdir, f"sipp-{name}")
            proc = subprocess.Popen(
                [sipp, "-sf", scenario, "-i", "127.0.0.1", "-p", str(port), "-m", str(calls),
                 "-nostdin", "-timeout", "600s", "-timeout_error",
                 "-trace_err", "-error_file", base + "-errors.log",
                 "-trace_msg", "-message_file", base + "-messages.log"],
                stdin=subprocess.DEVNULL, stdout=open(base + ".out", "w"),
                stderr=subprocess.STDOUT)
            self.sipps.append((name, proc, base))
            deadline = time.monotonic() + 10
            while proc.poll() is None and time.monotonic() < deadline:
                if udp_bound(port):
                    return proc, port
                time.sleep(0.05)
            if proc.poll() is None:
                raise Failure(f"sipp {name} did not bind 127.0.0.1:{port}")
            log(f"sipp {name} exited with {proc.returncode} on port {port} (attempt {attempt + 1})")
        raise Failure(f"sipp {name} could not start")

    def wait_sipps(self, deadline_s):
        """Every sipp must end its calls (exit 0) in time."""
        end = time.monotonic() + deadline_s
        for name, proc, _ in self.sipps:
            try:
                proc.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise Failure(f"sipp {name} did not finish its calls within {deadline_s}s")
            check(proc.returncode == 0, f"sipp {name} exited with status {proc.returncode}")

    def start_server(self, program, args, wrapped=True, ready_s=60):
        """Starts program with args, optionally under
        $SIPSERVLET_SERVER_WRAPPER; returns (SIP port, HTTP base URL)."""
        wrapper = shlex.split(os.environ.get("SIPSERVLET_SERVER_WRAPPER", "")) if wrapped else []
        self.server_err = os.path.join(self.workdir, "server.err")
        self.server = subprocess.Popen(wrapper + [program] + args, stdin=subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=open(self.server_err, "w"))
        self.wrapped = bool(wrapper)
        sip_port = url = None
        pending = b""
        fd = self.server.stdout.fileno()
        end = time.monotonic() + ready_s
        while url is None:
            remaining = end - time.monotonic()
            check(remaining > 0, "the server printed no 'http' line in time")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if chunk == b"":
                raise Failure(f"the server exited early ({self.server.wait()})")
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode().split()
                if words[:1] == ["ready"]:
                    sip_port = int(words[1].rsplit(":", 1)[1])
                elif words[:1] == ["http"]:
                    url = words[1]
        return sip_port, url

    def stop_server(self, deadline_s):
        """SIGTERM; the server must exit 0, and valgrind find nothing."""
        self.server.send_signal(signal.SIGTERM)
        try:
            status = self.server.wait(deadline_s)
        except subprocess.TimeoutExpired:
            raise Failure(f"the server did not stop within {deadline_s}s of SIGTERM")
        with open(self.server_err) as f:
            err = f.read()
        check(status == 0, f"the server exited with status {status}")
        check("ERROR SUMMARY: " not in err or "ERROR SUMMARY: 0 " in err,
              "valgrind reported errors")
        check("-CRITICAL **" not in err and "-WARNING **" not in err,
              "the server logged a critical or a warning")
        for line in err.splitlines():
            if "ERROR SUMMARY" in line or "definitely lost" in line:
                log(line)

    def cleanup(self, failed):
        for proc in [p for _, p, _ in self.sipps] + [self.server]:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        if failed:
            for name in sorted(os.listdir(self.workdir)):
                path = os.path.join(self.workdir, name)
                with open(path, errors="replace") as f:
                    lines = f.readlines()[-60:]
                if lines:
                    print(f"--- {name} (last 60 lines) ---", file=sys.stderr)
                    sys.stderr.writelines(lines)
            print(f"{ME}: logs kept in {self.workdir}", file=sys.stderr)
        else:
            for name in os.listdir(self.workdir):
                os.unlink(os.path.join(self.workdir, name))
            os.rmdir(self.workdir)


def http(base, method, path, body=None, token=None, headers=None, raw=None, timeout=30):
    """One request; returns (status, headers, decoded JSON or text)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base.rstrip("/") + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token is not None:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, hdrs, text = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, hdrs, text = error.code, error.headers, error.read()
    ctype = hdrs.get("Content-Type", "")
    if ctype.startswith("application/json") and text:
        return status, hdrs, json.loads(text)
    return status, hdrs, text.decode("utf-8", "replace")


class WebSocket:
    """A minimal RFC 6455 client: text messages in, close frames noticed."""

    def __init__(self, base, path, headers=None, timeout=30):
        host_port = base.split("//", 1)[1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {host_port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                 "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else 0
        self.closed = None

    def _read(self, n, deadline):
        while len(self.buffer) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def receive(self, timeout):
        """The next text message, or None once closed (self.closed then
        holds the close code). Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            b0, b1 = self._read(2, deadline)
            opcode, length = b0 & 0x0F, b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2, deadline))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8, deadline))[0]
            mask = self._read(4, deadline) if b1 & 0x80 else None
            payload = self._read(length, deadline)
            if mask:
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            if opcode == 8:
                self.closed = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                return None
            if opcode == 1:
                return payload.decode()

    def close(self):
        try:
            payload = struct.pack("!H", 1000)
            mask = os.urandom(4)
            masked = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
            self.sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask + masked)
        except OSError:
            pass
        self.sock.close()
