#!/usr/bin/env python3
"""A webhook receiver for Headway's tests, a process of its own that the tests start, stop and
kill: python3 receiver.py PORT LOG [CERT KEY]. With CERT and KEY (PEM files) it speaks HTTPS. It appends each request it gets to LOG as one JSON line
(path, headers, body, when it arrived, what it answered), and writes LOG.ready once listening.

The path says how to answer:
  /ok        204
  /fail      500, always
  /fail-N    500 to the first N requests on this path, then 204
  /slow-S    204 after S seconds
  /hang      nothing, ever (until the receiver stops)
"""
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, log_path = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
seen = {}


def record(entry):
    with lock:
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
        path = self.path
        with lock:
            seen[path] = seen.get(path, 0) + 1
            count = seen[path]
        status = 204
        if path == "/fail" or (path.startswith("/fail-") and count <= int(path[6:])):
            status = 500
        entry = {"path": path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                 "received": time.time(), "status": status}
        if path == "/hang":
            entry["status"] = None
            record(entry)
            while True:
                time.sleep(3600)
        record(entry)
        if path.startswith("/slow-"):
            time.sleep(float(path[6:]))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", port), Handler)
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    server.socket = context.wrap_socket(server.socket, server_side=True)
open(log_path + ".ready", "w").close()
server.serve_forever()
