#!/bin/sh
# tests/run.sh PART...: what `make test` runs. Each PART is a program that
# knows its own list of tests:
#   bin/test_NAME   a cmocka binary; its list is the cmocka_unit_test()
#                   entries of tests/unit/test_NAME.c
#   anything else   prints "N tests" as the last line of `PART --list`,
#                   and "N passed, M failed" when run
# then a throwaway stack (temporary $VAR, a free port) and, over HTTP
# against it, the black-box suite and the browser suite (tests/browser:
# Chromium, w3m and lynx), torn down even on failure.
#
# A part fails when it exits non-zero, prints no summary, or runs fewer
# tests than its list holds; the tests it did not run are counted and
# said. Ends with one line "N passed, M failed" (", K not run" after it
# when some did not run); exits 1 on any failure or any test not run.
#
# For the runner's own test (tests/run-test.sh) the stack and the suite
# can be replaced: RUN_STACK, RUN_BLACKBOX, RUN_BROWSER (empty: none),
# RUN_UNIT_SRC.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STACK=${RUN_STACK:-$ROOT/tests/stack.sh}
BLACKBOX=${RUN_BLACKBOX:-python3 $ROOT/tests/blackbox}
BROWSER=${RUN_BROWSER-python3 $ROOT/tests/browser}
UNIT_SRC=${RUN_UNIT_SRC:-$ROOT/tests/unit}
passed=0
failed=0
notrun=0

# tally NAME DECLARED RAN PASSED FAILED RC [WHY]: adds a part's counts
# and prints its line; a part that ran fewer than it declares (RAN -1: no
# summary, or WHY), or exited non-zero without a failed test, counts one
# failure.
tally() {
	name=$1 declared=$2 ran=$3 p=$4 f=$5 rc=$6 nosummary=${7:-no summary line}
	passed=$((passed + p))
	failed=$((failed + f))
	why=""
	if [ "$declared" -eq 0 ]; then
		why="its list of tests is empty"
	elif [ "$ran" -lt 0 ]; then
		why="$nosummary; $declared of $declared tests did not run"
		notrun=$((notrun + declared))
	elif [ "$ran" -lt "$declared" ]; then
		why="$((declared - ran)) of $declared tests did not run"
		notrun=$((notrun + declared - ran))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		why="exit status $rc"
	fi
	if [ -n "$why" ]; then
		failed=$((failed + 1))
		echo "$name: $p passed, $f failed; FAILED: $why"
	else
		echo "$name: $p passed, $f failed"
	fi
}

# summary_of TEXT: "PASSED FAILED" from a "N passed, M failed" line, or
# nothing.
summary_of() {
	printf '%s\n' "$1" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1 \2/p' | tail -1
}

unit_part() {
	t=$1
	name=$(basename "$t")
	declared=$(grep -c 'cmocka_unit_test[a-z_]*(' "$UNIT_SRC/$name.c" 2>/dev/null)
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) ' || true
	summary=$(printf '%s\n' "$out" | sed -n 's/^\[==========\] \([0-9]*\) test(s) run\.$/\1/p' | tail -1)
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	# cmocka counts a skipped test as run: only passed and failed ran.
	ran=-1
	[ -n "$summary" ] && ran=$((${p:-0} + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		printf '%s\n' "$out" | tail -20
	fi
	tally "unit: $name" "${declared:-0}" "$ran" "${p:-0}" "${f:-0}" "$rc"
}

# plain_part NAME COMMAND...: a part that speaks "--list" and "N passed,
# M failed".
plain_part() {
	name=$1
	shift
	declared=$("$@" --list 2>/dev/null | sed -n 's/^\([0-9][0-9]*\) tests$/\1/p' | tail -1)
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
	set -- $(summary_of "$out")
	if [ $# -eq 2 ]; then
		tally "$name" "${declared:-0}" $(($1 + $2)) "$1" "$2" "$rc"
	else
		tally "$name" "${declared:-0}" -1 0 0 "$rc"
	fi
}

for t in "$@"; do
	case $(basename "$t") in
	test_*)	unit_part "$t" ;;
	*)	plain_part "$(basename "$t")" "$t" ;;
	esac
done

VAR=$(mktemp -d "${TMPDIR:-/tmp}/staffdesk-test.XXXXXX")
chmod 755 "$VAR"
# Two free ports: the web's and the directory's (tests/stack.sh).
set -- $(python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
PORT=$1 LDAP_PORT=$2
export VAR PORT LDAP_PORT
cleanup() {
	trap - EXIT
	"$STACK" stop >/dev/null 2>&1
	if [ "$failed" -ne 0 ] || [ "$notrun" -ne 0 ] || [ "${KEEP_VAR:-0}" = 1 ]; then
		echo "test stack kept in $VAR (logs in $VAR/log; remove it when done)"
	else
		rm -rf "$VAR"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck disable=SC2086 # BLACKBOX, BROWSER: commands with arguments
if SEED=none DURABLE=0 WORKERS=2 "$STACK" start; then
	plain_part blackbox $BLACKBOX --base "http://127.0.0.1:$PORT" \
	    --var "$VAR" --root "$ROOT"
	[ -n "$BROWSER" ] && plain_part browser $BROWSER \
	    --base "http://127.0.0.1:$PORT" --var "$VAR" --root "$ROOT"
else
	for part in blackbox ${BROWSER:+browser}; do
		[ $part = blackbox ] && cmd=$BLACKBOX || cmd=$BROWSER
		declared=$($cmd --list 2>/dev/null | sed -n 's/^\([0-9][0-9]*\) tests$/\1/p' | tail -1)
		tally $part "${declared:-0}" -1 0 0 1 "the test stack did not start"
	done
fi

cleanup
if [ "$notrun" -ne 0 ]; then
	echo "$passed passed, $failed failed, $notrun not run"
	exit 1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
