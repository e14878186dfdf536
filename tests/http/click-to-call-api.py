#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The web API of sipservlet-click-to-call against real SIP peers.

    click-to-call-api.py PROGRAM SIPP SCENARIO_DIR

Starts PROGRAM --listen 127.0.0.1:0 --http 127.0.0.1:0 --http-token secret
--allow 127.0.0.1 (under $SIPSERVLET_SERVER_WRAPPER when set, e.g.
valgrind) and sipp user-agent servers on free ports playing the
click-to-call scenarios of SCENARIO_DIR (tests/sipp), then checks:
the refusals (no token or a wrong one 401, cross-origin 403, bad bodies
400, a body over 64 KiB 413, an unknown call 404, a wrong method 405
with Allow, a destination outside --allow 403, a WebSocket without the
token closed with 1008); a call both parties answer (201 with Location,
GET shows "answered", GET /calls lists it, DELETE sends both legs a BYE
and the call "ended", every change announced on /events); a busy B
("failed" with status 486); a DELETE while B rings (CANCEL, "ended").
Finally SIGTERM during an answered call: both legs get a BYE, the server
exits 0, and every sipp ends its calls.

Exit status: 0 pass, 1 fail, 77 skip (sipp missing), 99 bad usage.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from c2c_support import Failure, Processes, WebSocket, check, http, log  # noqa: E402

TOKEN = "secret"


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 99
    program, sipp, scenarios = sys.argv[1:]
    if not os.access(sipp, os.X_OK):
        log(f"SKIP: sipp is not installed ({sipp})")
        return 77
    slow = bool(os.environ.get("SIPSERVLET_SERVER_WRAPPER"))
    wait_s = 120 if slow else 20           # for a state to come
    procs = Processes()
    failed = True
    start = time.monotonic()
    try:
        run(procs, program, sipp, scenarios, wait_s)
        failed = False
    except Failure as e:
        log(f"FAIL: {e}")
    except Exception as e:  # an unexpected error is a failure too, with its logs
        log(f"FAIL: {type(e).__name__}: {e}")
    finally:
        procs.cleanup(failed)
    if failed:
        return 1
    log(f"PASS in {time.monotonic() - start:.1f}s")
    return 0


def wait_state(base, call_id, wanted, wait_s):
    end = time.monotonic() + wait_s
    while True:
        status, _, call = http(base, "GET", f"/calls/{call_id}", token=TOKEN)
        check(status == 200, f"GET /calls/{call_id}: {status}")
        if call["state"] == wanted:
            return call
        check(call["state"] not in ("ended", "failed") or wanted in ("ended", "failed"),
              f"call {call_id} is {call['state']}, waiting for {wanted}: {call}")
        check(time.monotonic() < end, f"call {call_id} still {call['state']}, not {wanted}")
        time.sleep(0.1)


def expect(result, status, what):
    got, headers, body = result
    check(got == status, f"{what}: {got} {body}, expected {status}")
    if status >= 400:
        check(isinstance(body, dict) and "error" in body, f"{what}: no JSON error: {body!r}")
    return headers, body


def run(procs, program, sipp, scenarios, wait_s):
    sc = lambda name: os.path.join(scenarios, name)  # noqa: E731
    _, port_a = procs.start_sipp(sipp, sc("c2c-a-answer.xml"), 2, "a")
    _, port_b = procs.start_sipp(sipp, sc("c2c-b-answer.xml"), 2, "b", [port_a])
    _, port_a2 = procs.start_sipp(sipp, sc("c2c-a-answer-abandoned.xml"), 2, "a-abandoned",
                                  [port_a, port_b])
    _, port_busy = procs.start_sipp(sipp, sc("c2c-b-busy.xml"), 1, "b-busy",
                                    [port_a, port_b, port_a2])
    _, port_ring = procs.start_sipp(sipp, sc("c2c-b-ring-cancel.xml"), 1, "b-ring",
                                    [port_a, port_b, port_a2, port_busy])
    a, b = f"sip:a@127.0.0.1:{port_a}", f"sip:b@127.0.0.1:{port_b}"

    _, base = procs.start_server(program, ["--listen", "127.0.0.1:0", "--http", "127.0.0.1:0",
                                           "--http-token", TOKEN, "--allow", "127.0.0.1"],
                                 ready_s=120 if procs.wrapped else 20)
    log(f"server at {base}")
    origin = base.rstrip("/")

    # Refusals.
    expect(http(base, "GET", "/calls"), 401, "GET /calls without a token")
    expect(http(base, "GET", "/calls", token="wrong"), 401, "GET /calls with a wrong token")
    expect(http(base, "POST", "/calls", {"from": a, "to": b}), 401, "POST without a token")
    expect(http(base, "POST", "/calls", {"from": a, "to": b}, token="Secret"), 401,
           "POST with a wrong token")
    expect(http(base, "DELETE", "/calls/x"), 401, "DELETE without a token")
    expect(http(base, "POST", "/calls", {"from": a, "to": b}, token=TOKEN,
                headers={"Origin": "http://evil.example"}), 403, "cross-origin POST")
    for raw, what in [(b"not json", "not JSON"), (b"{}", "no field"),
                      (b"[]", "an array"), (b'{"from": "' + a.encode() + b'"}', "no to"),
                      (json.dumps({"to": b}).encode(), "no from"),
                      (json.dumps({"from": 1, "to": b}).encode(), "a number"),
                      (json.dumps({"from": "tel:+123", "to": b}).encode(), "a tel: URI"),
                      (json.dumps({"from": a, "to": "http://x/"}).encode(), "an http: URI"),
                      (json.dumps({"from": a, "to": "nonsense <"}).encode(), "not a URI"),
                      (b'{"from": "' + a.encode() + b'", "to": ', "truncated"),
                      (b"\xff\xfe", "not UTF-8"), (b"", "empty")]:
        expect(http(base, "POST", "/calls", raw=raw, token=TOKEN), 400, f"POST {what}")
    expect(http(base, "POST", "/calls", raw=b"{" + b" " * (70 * 1024) + b"}", token=TOKEN), 413,
           "POST of 70 KiB")
    expect(http(base, "POST", "/calls", {"from": "sip:a@example.com", "to": b}, token=TOKEN), 403,
           "from outside --allow")
    expect(http(base, "POST", "/calls", {"from": a, "to": "sips:b@evil.example"}, token=TOKEN),
           403, "to outside --allow")
    expect(http(base, "GET", "/calls/as-nothing", token=TOKEN), 404, "GET of an unknown call")
    expect(http(base, "DELETE", "/calls/as-nothing", token=TOKEN), 404,
           "DELETE of an unknown call")
    headers, _ = expect(http(base, "PUT", "/calls", {"from": a, "to": b}, token=TOKEN), 405,
                        "PUT /calls")
    check("POST" in headers.get("Allow", ""), f"PUT /calls: Allow is {headers.get('Allow')}")
    for path in ("/", "/index.html"):
        status, _, page = http(base, "GET", path)
        check(status == 200 and 'id="hangup"' in page, f"GET {path}: {status}")
    expect(http(base, "GET", "/nothing-here"), 404, "GET of a path nobody serves")
    status, _, health = http(base, "GET", "/health")
    check(status == 200 and health == {"status": "ready"}, f"GET /health beside the page: {health}")

    # /events: refused without the token, then one open for the calls.
    ws = WebSocket(base, "/events")
    check(ws.status == 101, f"WebSocket without a token: {ws.status}")
    check(ws.receive(wait_s) is None and ws.closed == 1008,
          f"WebSocket without a token not closed with 1008 ({ws.closed})")
    ws.close()
    ws = WebSocket(base, "/events?token=wrong")
    check(ws.receive(wait_s) is None and ws.closed == 1008, "WebSocket with a wrong token")
    ws.close()
    ws = WebSocket(base, "/events", headers={"Origin": "http://evil.example"})
    check(ws.status == 403, f"cross-origin WebSocket: {ws.status}")
    ws.close()
    events = WebSocket(base, f"/events?token={TOKEN}", headers={"Origin": origin})
    check(events.status == 101, f"WebSocket with the token: {events.status}")

    # A call both answer, hung up with DELETE.
    headers, call = expect(http(base, "POST", "/calls", {"from": a, "to": b}, token=TOKEN,
                                headers={"Origin": origin}), 201, "POST /calls")
    call_id = call["id"]
    check(headers.get("Location") == f"/calls/{call_id}", f"Location: {headers.get('Location')}")
    check(call["from"] == a and call["to"] == b, f"the call: {call}")
    call = wait_state(base, call_id, "answered", wait_s)
    check(call["legs"]["a"]["state"] == "confirmed" and call["legs"]["b"]["state"] == "confirmed",
          f"legs of the answered call: {call}")
    _, listed = expect(http(base, "GET", "/calls", token=TOKEN), 200, "GET /calls")
    check(call_id in [c["id"] for c in listed["calls"]], f"GET /calls: {listed}")
    _, call = expect(http(base, "DELETE", f"/calls/{call_id}", token=TOKEN), 200, "DELETE")
    check(call["state"] in ("ending", "ended"), f"DELETE answered {call}")
    call = wait_state(base, call_id, "ended", wait_s)
    check(call["status"] is None, f"ended call: {call}")
    headers, _ = expect(http(base, "PATCH", f"/calls/{call_id}", {}, token=TOKEN), 405, "PATCH")
    check("DELETE" in headers.get("Allow", ""), f"PATCH: Allow is {headers.get('Allow')}")
    seen = []
    while "ended" not in seen:
        event = json.loads(events.receive(wait_s) or "null")
        check(event is not None, f"/events closed; saw {seen}")
        if event["id"] == call_id:
            seen.append(event["state"])
    check(seen[0] == "calling-a" and "answered" in seen and seen.index("answered") <
          seen.index("ended"), f"events of the call: {seen}")
    log(f"events of the answered call: {seen}")

    # B busy: failed, 486.
    a2 = f"sip:a@127.0.0.1:{port_a2}"
    _, call = expect(http(base, "POST", "/calls", {"from": a2, "to": f"sip:b@127.0.0.1:{port_busy}"},
                          token=TOKEN), 201, "POST (B busy)")
    call = wait_state(base, call["id"], "failed", wait_s)
    check(call["status"] == 486 and call["legs"]["b"]["status"] == 486, f"busy call: {call}")
    busy_events = []
    while "failed" not in busy_events:
        event = json.loads(events.receive(wait_s) or "null")
        check(event is not None, "/events closed")
        if event["id"] == call["id"]:
            busy_events.append(event["state"])
            if event["state"] == "failed":
                check(event["status"] == 486, f"failed event: {event}")

    # DELETE while B rings: CANCEL to B, BYE to A.
    _, call = expect(http(base, "POST", "/calls", {"from": a2, "to": f"sip:b@127.0.0.1:{port_ring}"},
                          token=TOKEN), 201, "POST (B rings)")
    wait_state(base, call["id"], "ringing-b", wait_s)
    expect(http(base, "DELETE", f"/calls/{call['id']}", token=TOKEN), 200, "DELETE while ringing")
    call = wait_state(base, call["id"], "ended", wait_s)
    check(call["status"] is None, f"cancelled call: {call}")
    events.close()

    # SIGTERM during an answered call: both legs get a BYE, then it exits 0.
    _, call = expect(http(base, "POST", "/calls", {"from": a, "to": b}, token=TOKEN), 201,
                     "POST (stopped)")
    wait_state(base, call["id"], "answered", wait_s)
    procs.stop_server(120 if procs.wrapped else 30)
    procs.wait_sipps(120 if procs.wrapped else 30)


if __name__ == "__main__":
    sys.exit(main())
