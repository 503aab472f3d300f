#!/usr/bin/env python3
"""The protected service. Any language works: it only reads the X-CallerId-* headers nginx sets, and
must be reachable only through nginx. This one (Python's standard library) answers every request with
the headers it received, as JSON.

    python3 upstream.py [port]     # default 8081; prints the port it listens on
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class EchoHeaders(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        caller = {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-callerid-")}
        body = json.dumps({"path": self.path, "caller": caller, "headers": sorted(k.lower() for k in self.headers.keys())}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8081), EchoHeaders)
    print(server.server_address[1], flush=True)
    server.serve_forever()
