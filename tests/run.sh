#!/bin/sh
# tests/run.sh UNIT_TEST_BINARIES...: what `make test` runs. The cmocka
# unit tests first, then a throwaway stack (temporary $VAR, a free port)
# and the black-box tests over HTTP against it. The stack is torn down
# even on failure. Ends with one line "N passed, M failed"; exits 1 on
# any failure.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0

for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|PASSED|ERROR) |^\[  FAILED  \] ' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		printf '%s\n' "$out" | tail -20
		failed=$((failed + 1))
	fi
	echo "unit: $(basename "$t"): ${p:-0} passed, ${f:-0} failed"
done

VAR=$(mktemp -d "${TMPDIR:-/tmp}/staffdesk-test.XXXXXX")
chmod 755 "$VAR"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export VAR PORT
cleanup() {
	"$ROOT/tests/stack.sh" stop >/dev/null 2>&1
	if [ "$failed" -ne 0 ] || [ "${KEEP_VAR:-0}" = 1 ]; then
		echo "test stack logs kept in $VAR/log"
	else
		rm -rf "$VAR"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if SEED=none DURABLE=0 WORKERS=2 "$ROOT/tests/stack.sh" start; then
	out=$(python3 "$ROOT/tests/blackbox.py" --base "http://127.0.0.1:$PORT" \
	    --var "$VAR" --root "$ROOT" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
	echo "blackbox: ${p:-0} passed, ${f:-0} failed"
else
	echo "blackbox: the test stack did not start"
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
