#!/usr/bin/env python3
"""A stand-in Go service whose goroutine profiles follow connections it
really holds: serves /debug/pprof/goroutine?debug=1 as a profile with
--base goroutines of etcd's watch-stream stack plus --step more at each
request, and (with --grow-conns K) before answering each request opens K
more TCP connections to itself and keeps them, so that the target's
ESTABLISHED sockets rise with its connection goroutines, as a real
service's do while clients arrive.

    fake_conns.py --ready FILE --base N --step N [--grow-conns K] [--lifetime S]

Writes its port to FILE once listening on 127.0.0.1; ends by itself after
--lifetime seconds (default 60).
"""
import argparse
import os
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WATCH = ("go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*serverWatchStream).sendLoop",
         "/e/v3rpc/watch.go", 419)


def profile(n):
    return ("goroutine profile: total %d\n"
            "%d @ 0x1 0x2 0x3\n"
            "#\t0x1\t%s+0x1\t%s:%d\n"
            "#\t0x2\tgo.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.(*watchServer).Watch.func2+0x1\t/e/v3rpc/watch.go:182\n"
            "\n"
            "1 @ 0x1 0x4\n"
            "#\t0x4\tmain.main+0x1\t/e/main.go:10\n\n" % (n + 1, n, WATCH[0], WATCH[1], WATCH[2])).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--base", type=int, default=5)
    ap.add_argument("--step", type=int, default=15)
    ap.add_argument("--grow-conns", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=60)
    a = ap.parse_args()
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()
    state = {"n": 0}
    held = []
    lock = threading.Lock()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            # debug=1 only: the sampler's debug=2 dumps find none
            if not self.path.startswith("/debug/pprof/goroutine?debug=1"):
                body = b"404 page not found\n"
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            with lock:
                n = a.base + a.step * state["n"]
                state["n"] += 1
                # connected before the answer, so counted with it
                for _ in range(a.grow_conns):
                    held.append(socket.create_connection(srv.server_address, timeout=5))
            body = profile(n)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.ready)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
