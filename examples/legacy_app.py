#!/usr/bin/env python3
"""A stand-in for the legacy application that cannot be changed.

It is Python's plain http.server.HTTPServer, which is NOT threaded: it
accept()s one connection, serves it to the end, and only then accepts the
next. A client that connects and sends nothing (a load balancer's pre-opened
connection, a browser's speculative preconnect) therefore blocks every other
client until it goes away:

    python3 examples/legacy_app.py 8000 &
    nc 127.0.0.1 8000 &               # an idle connection, nothing sent
    curl http://127.0.0.1:8000/       # hangs

Put holdfast in front and the same curl through holdfast answers at once:

    holdfast --listen 127.0.0.1:8080 --backend 127.0.0.1:8000

Usage: legacy_app.py [PORT]   (default 8000, on 127.0.0.1)
Routes: /        a small page
        /slow?s=N  answers after N seconds (a long request)
"""

import http.server
import sys
import time
from urllib.parse import parse_qs, urlsplit

PAGE = b"""<!doctype html>
<title>Legacy app</title>
<h1>Hello from the legacy app</h1>
<p>One connection at a time, please.</p>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/slow":
            seconds = float(parse_qs(url.query).get("s", ["1"])[0])
            time.sleep(seconds)  # the whole server waits with it
            body = b"slow answer after %gs\n" % seconds
            ctype = "text/plain"
        elif url.path == "/":
            body, ctype = PAGE, "text/html; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    # HTTPServer, not ThreadingHTTPServer: single-threaded on purpose.
    server = http.server.HTTPServer(("127.0.0.1", port), Handler)
    print("legacy app on http://127.0.0.1:%d/ (one connection at a time)" % port,
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
