#!/bin/sh
# Sets everything up and runs holdfast (examples/holdfast.ini, on
# 127.0.0.1:8080)
# in front of the example legacy app (examples/legacy_app.py, port 8000).
# Ctrl-C stops both.
set -eu

cd "$(dirname "$0")/.."
sh examples/setup.sh

# Wait until a URL answers, rather than sleep a guess.
wait_for() {
    i=0
    until curl -s -o /dev/null "$1" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 100 ]; then
            echo "demo: nothing answers at $1" >&2
            exit 1
        fi
        sleep 0.1
    done
}

python3 examples/legacy_app.py 8000 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null; exit 0' INT TERM EXIT
wait_for http://127.0.0.1:8000/
# The example configuration listens on every address, for a load balancer
# on another host; the demo needs only this machine.
conf=$(mktemp)
sed 's/^listen = 0\.0\.0\.0:8080/listen = 127.0.0.1:8080/' examples/holdfast.ini > "$conf"
./build/holdfast -c "$conf" &
proxy=$!
trap 'kill $proxy $app 2>/dev/null; wait $proxy $app 2>/dev/null; rm -f "$conf"; exit 0' INT TERM EXIT
wait_for http://127.0.0.1:8080/healthz

cat <<'MSG'

holdfast is running on http://127.0.0.1:8080/ in front of the legacy app on :8000.
Try, in another terminal:

  curl http://127.0.0.1:8080/            # through holdfast
  curl http://127.0.0.1:8080/healthz     # answered by holdfast itself

  # 1. The problem: ONE idle connection straight to the app, as a load
  #    balancer pre-opens them, and the app answers nobody. Hold it 5 s:
  python3 -c 'import socket,time; s=socket.create_connection(("127.0.0.1",8000)); time.sleep(5)' &
  curl -m 3 http://127.0.0.1:8000/       # times out: the app is stuck on it
  wait                                   # until that idle connection is gone

  # 2. The fix: the idle connections go to holdfast, which holds them
  #    itself. Hold 20 of them for 30 s, and holdfast still answers at once:
  python3 -c 'import socket,time; s=[socket.create_connection(("127.0.0.1",8080)) for _ in range(20)]; time.sleep(30)' &
  curl http://127.0.0.1:8080/

Ctrl-C stops both.
MSG
wait $proxy
