#!/bin/sh
# tests/valgrind.sh [--list]: the unit binaries (one a tests/unit/test_*.c)
# and bin/fuzz_replay, each run under valgrind; one fails on any memory
# error or any definite leak (libphonenumber's metadata lives as long as
# the process, held through interior pointers valgrind calls "possibly
# lost"), but for what tests/valgrind.supp names. A part of `make test`
# (tests/run.sh): prints "N tests" for --list, "N passed, M failed" run.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROGS="$(cd "$ROOT" && ls tests/unit/test_*.c | sed 's|tests/unit/|bin/|; s|\.c$||') bin/fuzz_replay"
if [ "${1:-}" = --list ]; then
	echo "$(echo $PROGS | wc -w) tests"
	exit 0
fi
command -v valgrind >/dev/null || { echo "valgrind is missing (make deps)"; exit 1; }

passed=0 failed=0
for t in $PROGS; do
	if valgrind --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite --show-possibly-lost=no \
	    --suppressions="$ROOT/tests/valgrind.supp" -q "$ROOT/$t" \
	    >/dev/null 2>"${TMPDIR:-/tmp}/valgrind.$$"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL valgrind $t:"
		grep '^==' "${TMPDIR:-/tmp}/valgrind.$$" | head -40
	fi
done
rm -f "${TMPDIR:-/tmp}/valgrind.$$"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
