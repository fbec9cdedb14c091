#!/bin/sh
# tests/run-test.sh [--list]: the test of tests/run.sh itself. It runs the
# runner against fake parts (cmocka binaries, a stack, a black-box suite)
# that pass, fail, stay silent or run too few, and checks that only a
# whole, green run is green and that what did not run is counted. Prints
# "ok NAME" / "FAIL NAME: reason", then "N passed, M failed".
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CASES="all_green unit_silent unit_partial unit_skipped unit_failed unit_empty_list \
blackbox_silent blackbox_partial blackbox_failed stack_down \
plain_part_silent blackbox_k_matches_nothing browser_counted browser_stack_down"
if [ "${1:-}" = --list ]; then
	n=0
	for c in $CASES; do echo "$c"; n=$((n + 1)); done
	echo "$n tests"
	exit 0
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/staffdesk-runtest.XXXXXX")
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src" "$T/bin"
printf 'cmocka_unit_test(a),\ncmocka_unit_test_setup_teardown(b, s, t),\n' \
    > "$T/src/test_fake.c"
: > "$T/src/test_none.c"

# fake_unit NAME MODE: a cmocka-like binary. MODE: good, silent, partial,
# failed.
fake_unit() {
	cat > "$T/bin/$1" <<EOS
#!/bin/sh
case $2 in
good)	printf '[==========] Running 2 test(s).\n[==========] 2 test(s) run.\n[  PASSED  ] 2 test(s).\n' ;;
partial) printf '[==========] Running 1 test(s).\n[==========] 1 test(s) run.\n[  PASSED  ] 1 test(s).\n' ;;
skipped) printf '[==========] Running 2 test(s).\n[==========] 2 test(s) run.\n[  PASSED  ] 1 test(s).\n[  SKIPPED ] 1 test(s), listed below:\n' ;;
failed)	printf '[==========] 2 test(s) run.\n[  PASSED  ] 1 test(s).\n[  FAILED  ] 1 test(s), listed below:\n'; exit 1 ;;
silent)	;;
esac
exit 0
EOS
	chmod +x "$T/bin/$1"
}

# fake_suite MODE: a black-box suite of 3 tests. MODE: good, silent,
# partial, failed.
fake_suite() {
	cat > "$T/bin/suite" <<EOS
#!/bin/sh
for a; do [ "\$a" = --list ] && { printf 'a\nb\nc\n3 tests\n'; exit 0; }; done
case $1 in
good)	echo "3 passed, 0 failed" ;;
partial) echo "2 passed, 0 failed" ;;
failed)	echo "2 passed, 1 failed"; exit 1 ;;
silent)	;;
esac
exit 0
EOS
	chmod +x "$T/bin/suite"
}

# fake_stack up|down
fake_stack() {
	cat > "$T/bin/stack" <<EOS
#!/bin/sh
[ "\$1" = start ] && [ $1 = down ] && { echo "MariaDB did not come up" >&2; exit 1; }
exit 0
EOS
	chmod +x "$T/bin/stack"
}

# runner PARTS...: runs tests/run.sh on the fakes; sets $out and $rc.
runner() {
	out=$(RUN_STACK="$T/bin/stack" RUN_BLACKBOX="$T/bin/suite" \
	    RUN_BROWSER="${browser:-}" RUN_UNIT_SRC="$T/src" TMPDIR="$T" "$ROOT/tests/run.sh" "$@" 2>&1)
	rc=$?
	last=$(printf '%s\n' "$out" | tail -1)
}

passed=0
failed=0
fail() { echo "FAIL $c: $*"; printf '%s\n' "$out" | sed 's/^/    /'; failed=$((failed + 1)); }
# expect RC LAST [TEXT]: the runner's exit status, last line, and a line
# it must contain.
expect() {
	if [ "$rc" -ne "$1" ]; then fail "exit status $rc, want $1"; return; fi
	if [ "$last" != "$2" ]; then fail "last line '$last', want '$2'"; return; fi
	if [ -n "${3:-}" ] && ! printf '%s\n' "$out" | grep -qF -- "$3"; then
		fail "no line with '$3'"; return
	fi
	echo "ok $c"
	passed=$((passed + 1))
}

for c in $CASES; do
	fake_unit test_fake good
	fake_suite good
	fake_stack up
	browser=""
	set -- "$T/bin/test_fake"
	case $c in
	all_green)	runner "$@"; expect 0 "5 passed, 0 failed" "unit: test_fake: 2 passed, 0 failed" ;;
	unit_silent)	fake_unit test_fake silent; runner "$@"
			expect 1 "3 passed, 1 failed, 2 not run" "no summary line; 2 of 2 tests did not run" ;;
	unit_partial)	fake_unit test_fake partial; runner "$@"
			expect 1 "4 passed, 1 failed, 1 not run" "1 of 2 tests did not run" ;;
	unit_skipped)	fake_unit test_fake skipped; runner "$@"
			expect 1 "4 passed, 1 failed, 1 not run" "1 of 2 tests did not run" ;;
	unit_failed)	fake_unit test_fake failed; runner "$@"
			expect 1 "4 passed, 1 failed" "unit: test_fake: 1 passed, 1 failed" ;;
	unit_empty_list) fake_unit test_none good; runner "$T/bin/test_none"
			expect 1 "5 passed, 1 failed" "its list of tests is empty" ;;
	blackbox_silent) fake_suite silent; runner "$@"
			expect 1 "2 passed, 1 failed, 3 not run" "no summary line; 3 of 3 tests did not run" ;;
	blackbox_partial) fake_suite partial; runner "$@"
			expect 1 "4 passed, 1 failed, 1 not run" "1 of 3 tests did not run" ;;
	blackbox_failed) fake_suite failed; runner "$@"
			expect 1 "4 passed, 1 failed" "blackbox: 2 passed, 1 failed" ;;
	stack_down)	fake_stack down; runner "$@"
			expect 1 "2 passed, 1 failed, 3 not run" "the test stack did not start" ;;
	plain_part_silent)
			# a part that lists 3 tests and exits 0 saying nothing
			fake_suite silent; cp "$T/bin/suite" "$T/bin/quiet"
			fake_suite good; runner "$T/bin/quiet"
			expect 1 "3 passed, 1 failed, 3 not run" "quiet: 0 passed, 0 failed; FAILED" ;;
	browser_counted) # the browser suite runs after the black-box one
			fake_suite failed; browser="$T/bin/suite"; runner "$@"
			expect 1 "6 passed, 2 failed" "browser: 2 passed, 1 failed" ;;
	browser_stack_down)
			fake_stack down; browser="$T/bin/suite"; runner "$@"
			expect 1 "2 passed, 2 failed, 6 not run" "browser: 0 passed, 0 failed; FAILED: the test stack did not start" ;;
	blackbox_k_matches_nothing)
			out=$(python3 "$ROOT/tests/blackbox" --base http://127.0.0.1:9 \
			    --var "$T" --root "$ROOT" -k no-test-has-this-name 2>&1)
			rc=$?; last=$(printf '%s\n' "$out" | tail -1)
			expect 2 "-k no-test-has-this-name matches no test (--list shows them)" ;;
	esac
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
