#!/usr/bin/env python3
"""A stand-in for a Go service's debug listener, serving fixed files, for
scenarios that need a target answering exactly so: a goroutine dump with
escape sequences in its function names, the same dump every time (a
progress line to watch), or a listener that accepts and never answers.

    fake_pprof.py --ready FILE [--hang] [--debug1 F]... [--debug2 F]
                  [--vars F] [--gc-per-vars] [--heap F] [--lifetime S]

Writes its port to FILE (atomically) once listening on 127.0.0.1. Serves
/debug/pprof/goroutine?debug=1 (the --debug1 files in turn, the last one
repeated), ?debug=2, /debug/pprof/ (an index page whose goroutine count
is the first dump's header), /debug/vars and /debug/pprof/heap. With
--gc-per-vars, each /debug/vars answer shows one more completed GC cycle
(memstats NumGC and LastGC move on), as a service that allocates. With
--hang it accepts connections and never answers. It ends by itself after
--lifetime seconds (default 120), whatever the test does.
"""
import argparse
import json
import os
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--hang", action="store_true")
    ap.add_argument("--debug1", action="append", default=[])
    ap.add_argument("--debug2")
    ap.add_argument("--vars")
    ap.add_argument("--gc-per-vars", action="store_true")
    ap.add_argument("--heap")
    ap.add_argument("--lifetime", type=float, default=120)
    a = ap.parse_args()

    def ready(port):
        tmp = a.ready + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, a.ready)

    # Bounded whatever happens to the test.
    threading.Timer(a.lifetime, lambda: os._exit(0)).start()

    if a.hang:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        s.listen(128)
        ready(s.getsockname()[1])
        held = []
        while True:
            c, _ = s.accept()
            held.append(c)  # accepted, never answered

    debug1 = [read(p) for p in a.debug1]
    served = {"n": 0}
    gcs = {"n": 0}
    lock = threading.Lock()
    count = 0
    if debug1:
        m = re.match(rb"goroutine profile: total (\d+)", debug1[0])
        count = int(m.group(1)) if m else 0

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, body, ctype="text/plain; charset=utf-8"):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            p = self.path
            if p.startswith("/debug/pprof/goroutine") and "debug=2" in p and a.debug2:
                return self.send(read(a.debug2))
            if p.startswith("/debug/pprof/goroutine") and debug1:
                i = min(served["n"], len(debug1) - 1)
                served["n"] += 1
                return self.send(debug1[i])
            if p == "/debug/pprof/" and debug1:
                page = ("<html><body><table><tr><td>%d</td><td><a href='goroutine?debug=1'>goroutine</a></td></tr>"
                        "</table></body></html>" % count).encode()
                return self.send(page, "text/html; charset=utf-8")
            if p == "/debug/vars" and a.vars:
                body = read(a.vars)
                if a.gc_per_vars:
                    with lock:
                        gcs["n"] += 1
                        n = gcs["n"]
                    doc = json.loads(body)
                    ms = doc["memstats"]
                    ms["NumGC"] = ms.get("NumGC", 0) + n
                    ms["LastGC"] = time.time_ns()
                    body = json.dumps(doc).encode()
                return self.send(body, "application/json; charset=utf-8")
            if p.startswith("/debug/pprof/heap") and a.heap:
                return self.send(read(a.heap), "application/octet-stream")
            body = b"404 page not found\n"
            self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    ready(srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
