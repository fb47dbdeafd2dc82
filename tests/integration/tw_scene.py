#!/usr/bin/env python3
"""TIME_WAIT sockets of known owners on 127.0.0.1, for t0215-timewait-owners.

Three roles, each its own process, so the census can tell them apart by
/proc/PID/fd:

  backend READY            listens on B (waits for EOF, then closes),
                           B2 (closes first) and B3 (waits for EOF);
                           writes "B B2 B3" to READY (a FIFO) when listening
  target READY B M         listens on T1 (closes accepted connections first)
                           and T2 (waits for EOF); keeps one connection to B
                           open and makes M short ones to B that it closes
                           first; writes "T1 T2" to READY when all M are done
  client T1 T2 B2 B3 N K L U
                           N connections to T1 and L to B2, each closed after
                           the server's EOF (the servers close first); K to
                           T2 and U to B3, closed first by the client

So the TIME_WAIT sockets are: N on the target's side with local port T1,
M on the target's side towards B, K on the client's side towards T2, L on
the backend's side with local port B2, U on the client's side towards B3.
Only 127.0.0.1 is used. Every process ends by itself after LIFETIME s.
"""
import signal
import socket
import sys
import threading

LIFETIME = 300
HOST = "127.0.0.1"


def listener():
    s = socket.socket()
    s.bind((HOST, 0))
    s.listen(512)
    return s


def serve(s, close_first):
    def handle(c):
        if not close_first:
            while c.recv(4096):
                pass
        c.close()

    while True:
        c, _ = s.accept()
        if close_first:
            c.close()
        else:
            threading.Thread(target=handle, args=(c,), daemon=True).start()


def start(s, close_first):
    threading.Thread(target=serve, args=(s, close_first), daemon=True).start()


def dial(port, close_first):
    c = socket.create_connection((HOST, port), timeout=10)
    if not close_first:
        while c.recv(4096):
            pass
    c.close()


def dial_many(port, n, close_first):
    for _ in range(n):
        dial(port, close_first)


def announce(path, *ports):
    with open(path, "w") as f:
        f.write(" ".join(str(p) for p in ports) + "\n")


def main():
    signal.alarm(LIFETIME)
    role = sys.argv[1]
    if role == "backend":
        b, b2, b3 = listener(), listener(), listener()
        start(b, False)
        start(b2, True)
        start(b3, False)
        announce(sys.argv[2], *(x.getsockname()[1] for x in (b, b2, b3)))
        signal.pause()
    elif role == "target":
        port_b, m = int(sys.argv[3]), int(sys.argv[4])
        t1, t2 = listener(), listener()
        start(t1, True)
        start(t2, False)
        keep = socket.create_connection((HOST, port_b), timeout=10)
        dial_many(port_b, m, True)
        announce(sys.argv[2], t1.getsockname()[1], t2.getsockname()[1])
        signal.pause()
        keep.close()
    elif role == "client":
        t1, t2, b2, b3, n, k, l, u = (int(a) for a in sys.argv[2:10])
        dial_many(t1, n, False)
        dial_many(t2, k, True)
        dial_many(b2, l, False)
        dial_many(b3, u, True)
    else:
        sys.exit("tw_scene.py: unknown role " + role)


if __name__ == "__main__":
    main()
