#!/usr/bin/env python3
"""sse_fanout: how long one event takes to reach many live streams.

Opens N connections to GET /api/v1/stream of a `preflight serve` (bearer
token), waits until every one has its response head, then runs the
trigger command (a `preflight item confirm` in another process) and
times, per stream, the arrival of the first frame whose event line is
WANT. Prints one line:

  streams N received K trigger_ms T first_ms A p50_ms B max_ms C

(times from the trigger's start; trigger_ms is how long the command
itself took, so "max_ms - trigger_ms" bounds what the server added).
Every wait is bounded (TIMEOUT s). Only 127.0.0.1 is connected to.

usage: sse_fanout.py HOST:PORT TOKEN N WANT TIMEOUT -- TRIGGER...
"""
import selectors
import socket
import subprocess
import sys
import time


def main():
    if "--" not in sys.argv or len(sys.argv) < 8:
        print(__doc__, file=sys.stderr)
        return 2
    cut = sys.argv.index("--")
    addr, token, n, want, timeout = sys.argv[1:cut]
    trigger = sys.argv[cut + 1:]
    host, port = addr.rsplit(":", 1)
    if host != "127.0.0.1":
        print("sse_fanout: loopback only", file=sys.stderr)
        return 2
    n, timeout = int(n), float(timeout)
    marker = ("event: %s\n" % want).encode()
    request = ("GET /api/v1/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
               "Accept: text/event-stream\r\n\r\n" % (addr, token)).encode()

    sel = selectors.DefaultSelector()
    bufs, headed, got = {}, set(), {}
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=timeout)
        s.sendall(request)
        s.setblocking(False)
        bufs[s] = b""
        sel.register(s, selectors.EVENT_READ)

    def pump(until, done):
        while not done() and time.monotonic() < until:
            for key, _ in sel.select(timeout=max(0.0, min(0.5, until - time.monotonic()))):
                s = key.fileobj
                try:
                    data = s.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(s)
                    continue
                bufs[s] += data
                if s not in headed and b"\r\n\r\n" in bufs[s]:
                    if not bufs[s].startswith(b"HTTP/1.1 200"):
                        print("sse_fanout: " + bufs[s].split(b"\r\n", 1)[0].decode(), file=sys.stderr)
                        sys.exit(1)
                    headed.add(s)
                if started and s not in got and marker in bufs[s]:
                    got[s] = time.monotonic()

    started = None
    pump(time.monotonic() + timeout, lambda: len(headed) == n)
    if len(headed) != n:
        print("sse_fanout: only %d of %d streams opened" % (len(headed), n), file=sys.stderr)
        return 1
    for s in bufs:
        bufs[s] = b""
    started = time.monotonic()
    proc = subprocess.Popen(trigger, stdout=subprocess.DEVNULL)
    trigger_end = None
    until = started + timeout
    while time.monotonic() < until and (len(got) < n or trigger_end is None):
        pump(min(until, time.monotonic() + 0.05), lambda: len(got) == n)
        if trigger_end is None and proc.poll() is not None:
            trigger_end = time.monotonic()
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for s in bufs:
        s.close()
    lat = sorted((t - started) * 1000 for t in got.values())
    trig = (trigger_end - started) * 1000 if trigger_end else float("nan")
    if not lat:
        print("streams %d received 0 trigger_ms %.1f" % (n, trig))
        return 1
    print("streams %d received %d trigger_ms %.1f first_ms %.1f p50_ms %.1f max_ms %.1f"
          % (n, len(lat), trig, lat[0], lat[len(lat) // 2], lat[-1]))
    return 0 if len(lat) == n and proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
