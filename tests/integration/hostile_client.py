#!/usr/bin/env python3
"""hostile_client.py PORT CASE: one misbehaving HTTP client against
preflight serve on 127.0.0.1 (t1101). Prints one line: the status line the
server answered (or "closed" when it closed without one), then facts of the
case as "key=value" lines. Every wait is bounded."""
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
CASE = sys.argv[2]


def conn(timeout=15):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    return s


def read_response(s):
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def status(data):
    return data.split(b"\r\n")[0].decode(errors="replace") if data else "closed"


def healthz():
    s = conn(5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    return status(read_response(s))


def trickle(s, data, delay, stop):
    try:
        for b in data:
            if stop.is_set():
                return
            s.send(bytes([b]))
            time.sleep(delay)
    except OSError:
        pass


if CASE == "slowloris":
    # headers one byte every 0.3 s: never complete within the deadline
    s = conn()
    stop = threading.Event()
    t0 = time.time()
    th = threading.Thread(target=trickle, args=(s, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200, 0.3, stop))
    th.start()
    time.sleep(0.5)
    t1 = time.time()
    other = healthz()
    other_s = time.time() - t1
    data = read_response(s)
    took = time.time() - t0
    stop.set()
    th.join()
    print(status(data))
    print("body=%s" % data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace").strip())
    print("took=%d" % int(took))
    print("other=%s" % other)
    print("other_fast=%s" % ("yes" if other_s < 2 else "no:%.1f" % other_s))
elif CASE == "slowbody":
    s = conn()
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n")
    stop = threading.Event()
    t0 = time.time()
    th = threading.Thread(target=trickle, args=(s, b"token=" + b"a" * 494, 0.3, stop))
    th.start()
    data = read_response(s)
    stop.set()
    th.join()
    print(status(data))
    print("took=%d" % int(time.time() - t0))
elif CASE == "bigbody":
    # only the head: the answer must come without the body being sent
    s = conn(5)
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000000\r\n\r\n")
    data = read_response(s)
    print(status(data))
    print("body=%s" % data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace").strip())
elif CASE == "bigchunked":
    s = conn(5)
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    sent = 0
    try:
        for _ in range(64):
            s.sendall(b"1000\r\n" + b"a" * 4096 + b"\r\n")
            sent += 4096
    except OSError:
        pass
    data = read_response(s)
    print(status(data))
    print("body=%s" % data.split(b"\r\n\r\n", 1)[-1].decode(errors="replace").strip())
elif CASE == "cl-long":
    # a body longer than its Content-Length: the rest is a malformed next request
    s = conn(5)
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\ntoken=xxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n\r\n")
    data = read_response(s)
    print(status(data))
    print("answers=%d" % data.count(b"HTTP/1.1 "))
elif CASE == "cl-short":
    s = conn(15)
    t0 = time.time()
    s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntoken=x")
    data = read_response(s)
    print(status(data))
    print("took=%d" % int(time.time() - t0))
elif CASE == "malformed":
    for line in (b"GARBAGE\r\n\r\n", b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
                 b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n", b"\x00\x01\x02\xff\r\n\r\n"):
        s = conn(5)
        s.sendall(line)
        print(status(read_response(s)))
elif CASE == "bigheader":
    s = conn(5)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
    print(status(read_response(s)))
elif CASE.startswith("per-ip:"):
    n = int(CASE.split(":")[1])
    socks = [conn(3) for _ in range(n)]
    time.sleep(0.5)
    for s in socks:
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        except OSError:
            pass
    answers = [status(read_response(s)) for s in socks]
    print("answered=%d" % sum(1 for a in answers if a.startswith("HTTP/1.1 200")))
    print("refused=%d" % sum(1 for a in answers if a == "closed"))
elif CASE == "healthz":
    print(healthz())
else:
    sys.exit("unknown case " + CASE)
