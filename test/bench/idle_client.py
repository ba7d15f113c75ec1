#!/usr/bin/env python3
"""Opens N TCP connections to 127.0.0.1:PORT, sends nothing, and holds them.

    idle_client.py PORT N

Prints "ready OPEN" once every connection is open (OPEN is how many are),
then holds them until stdin closes, and exits. It runs as its own process so
its descriptors do not count against the benchmark driver's limit."""

import resource
import socket
import struct
import sys
import time


def main():
    port, n = int(sys.argv[1]), int(sys.argv[2])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    deadline = time.monotonic() + 30
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect(("127.0.0.1", port))
        except OSError as e:
            print("connect failed after %d: %s" % (len(socks), e),
                  file=sys.stderr, flush=True)
            s.close()
            break
        socks.append(s)
    print("ready %d" % len(socks), flush=True)
    sys.stdin.read()  # until the driver closes our stdin
    for s in socks:
        # A reset, not a FIN: no TIME_WAIT left behind for 10,000 ports.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()


if __name__ == "__main__":
    main()
