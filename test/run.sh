#!/bin/sh
# Sets everything up (Debian packages, build) and runs the whole test suite:
# C unit tests and end-to-end tests against the real binary. Ends with a
# line "N passed, N failed"; exits non-zero if anything failed.
#   HOLDFAST_BUILD_DIR=build-asan HOLDFAST_MESON_ARGS=-Db_sanitize=address,undefined sh test/run.sh
set -eu

cd "$(dirname "$0")/.."
sh examples/setup.sh

build=${HOLDFAST_BUILD_DIR:-build}
status=0
meson test -C "$build" --print-errorlogs --num-processes 2 ${HOLDFAST_TEST_ARGS:-} || status=$?

python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print("%d passed, %d failed" % (passed, failed) + (", %d skipped" % skipped if skipped else ""))
PY
exit $status
