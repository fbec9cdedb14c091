#!/bin/sh
# tests/mutants.sh [NAME...]: `make mutants`, a check of the tests. Each
# tests/mutants/NAME.patch is a small realistic bug in security or policy
# code; it is put into a scratch copy of the tree ONE AT A TIME, the tree
# is rebuilt and the tests the patch names run against it. A mutant some
# named test fails on is "caught"; one they all pass on SURVIVED. Prints a
# table "mutant -> caught by (failing tests)" and a total; exits 1 when a
# mutant survived, or did not apply or build (a stale patch is an error of
# its own), 2 on a usage error. With NAMEs, runs just those. Slow: not part
# of `make test`.
#
# A patch is a unified diff against the repository root (patch -p1). The
# lines before its first "--- " are its header, which patch skips:
#   # bug:   what the realistic bug is (any number of "#" lines)
#   # tests: the tests that should catch it, separated by spaces:
#            unit:test_authz        a cmocka binary (bin/test_authz), every test in it
#            blackbox:csrf          a black-box test, by name
#            blackbox:basics.csrf   the same, with its area
#            blackbox:limits.*      every test of an area (tests/blackbox/limits.py)
# A name the suite does not have (yet) is reported with the result; a
# mutant none of whose tests exist counts as survived. Make one with
# `diff -u a/FILE b/FILE` (a realistic change of a line or two that
# compiles cleanly under -Werror), then the header on top.
#
# How: one scratch copy (rsync of the work tree without .git, var*, build,
# bin) under $TMPDIR, built once (make all + the unit binaries named); a
# baseline run of every named test on the unchanged copy (a test that
# fails there is not counted as catching anything); then per mutant:
# patch, incremental make, the unit binaries, and for black-box tests
# staffdesk.fcgi restarted on one throwaway stack (the copy's own
# tests/stack.sh: temporary VAR, free port, SEED=none DURABLE=0
# WORKERS=2; MariaDB and nginx stay up between mutants, the per-address
# sign-in counters are cleared) and `python3 tests/blackbox --test ...`;
# then patch -R. Everything is stopped and removed on exit.
#
# Environment: JOBS (make -j, default 2), KEEP=1 (keep the scratch dir
# and its logs), BASELINE=0 (skip the baseline run), MUTANT_TIMEOUT
# (seconds for one mutant's black-box run, default 900).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MDIR=$ROOT/tests/mutants
JOBS=${JOBS:-2}
TIMEOUT=${MUTANT_TIMEOUT:-900}
T0=$(date +%s)

say() { printf '%s\n' "$*"; }
die() { say "mutants: $*" >&2; exit 2; }

for tool in rsync patch timeout make python3; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing"
done

if [ $# -eq 0 ]; then
	for p in "$MDIR"/*.patch; do
		[ -f "$p" ] || die "no mutants in $MDIR"
		n=${p##*/}
		set -- "$@" "${n%.patch}"
	done
fi
for n in "$@"; do
	[ -f "$MDIR/$n.patch" ] || die "no mutant $n ($MDIR/$n.patch)"
done
TOTAL=$#

WORK=$(mktemp -d "${TMPDIR:-/tmp}/staffdesk-mutants.XXXXXX")
chmod 755 "$WORK"
TREE=$WORK/tree
VAR=$WORK/var
LOGS=$WORK/logs
mkdir -p "$TREE" "$LOGS" "$WORK/orig"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
STACK_UP=0

stack() {
	VAR=$VAR PORT=$PORT SEED=none DURABLE=0 WORKERS=2 "$TREE/tests/stack.sh" "$@"
}

# Stops staffdesk.fcgi (its process group, if TERM is not enough).
stop_app() {
	pidf=$VAR/run/staffdesk.pid
	if [ -f "$pidf" ]; then
		pid=$(cat "$pidf")
		kill -TERM "$pid" 2>/dev/null
		w=0
		while kill -0 "$pid" 2>/dev/null && [ $w -lt 100 ]; do
			sleep 0.1
			w=$((w + 1))
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
		rm -f "$pidf"
	fi
	rm -f "$VAR/run/staffdesk.sock"
}

cleanup() {
	trap - EXIT INT TERM
	if [ "$STACK_UP" = 1 ]; then
		stop_app
		stack stop >/dev/null 2>&1
	fi
	if [ "${KEEP:-0}" = 1 ]; then
		say "mutants: scratch copy and logs kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the scratch copy, built once ----------------------------------------

rsync -a --exclude=/.git --exclude='/var*' --exclude=/build --exclude=/bin \
    --exclude=__pycache__ "$ROOT/" "$TREE/" || die "rsync to $TREE failed"

# tests_of NAME: the words of its "# tests:" line.
tests_of() {
	sed -n '/^--- /q; s/^# tests:[[:space:]]*//p' "$MDIR/$1.patch"
}

# bug_of NAME: its "# bug:" text on one line.
bug_of() {
	awk '/^--- / || /^# tests:/ { exit }
	    /^# bug:/ { b = 1; sub(/^# bug:[ \t]*/, ""); printf "%s", $0; next }
	    b && /^#/ { sub(/^#[ \t]*/, " "); printf "%s", $0 }
	    END { print "" }' "$MDIR/$1.patch"
}

UNITS=""
for n in "$@"; do
	for t in $(tests_of "$n"); do
		case $t in
		unit:*)	b=bin/${t#unit:}
			case " $UNITS " in *" $b "*) ;; *) UNITS="$UNITS $b" ;; esac ;;
		blackbox:*) ;;
		*)	die "$n: unknown test kind '$t' (unit:NAME or blackbox:NAME)" ;;
		esac
	done
done

# build TARGET...: make in the copy, quietly; 1 and the log's tail on failure.
build() {
	log=$1
	shift
	if ! make --no-print-directory -C "$TREE" -j"$JOBS" all "$@" >"$log" 2>&1; then
		tail -15 "$log" | sed 's/^/        | /'
		return 1
	fi
}

say "mutants: $TOTAL, scratch copy $TREE"
t=$(date +%s)
# shellcheck disable=SC2086 # UNITS is a list of targets
build "$LOGS/build.log" $UNITS || die "the unchanged copy does not build"
say "mutants: built in $(($(date +%s) - t))s"

# The suite's names ("area.name" a line), from the copy's own runner.
python3 "$TREE/tests/blackbox" --list > "$WORK/suite.out" 2>&1 || {
	cat "$WORK/suite.out"
	die "tests/blackbox --list failed"
}
sed '$d' "$WORK/suite.out" > "$WORK/suite"

# resolve SPEC: the suite's "area.name" lines it means (none: not there).
resolve() {
	case $1 in
	*.\*)	grep "^${1%.\*}\." "$WORK/suite" ;;
	*.*)	grep -x -F "$1" "$WORK/suite" ;;
	*)	grep "\.$1\$" "$WORK/suite" ;;
	esac
}

# plan NAME: sets BB (black-box test names), BINS (unit binaries) and
# MISSING (specs that name nothing).
plan() {
	BB="" BINS="" MISSING=""
	for spec in $(tests_of "$1"); do
		case $spec in
		unit:*)	BINS="$BINS bin/${spec#unit:}" ;;
		blackbox:*)
			found=$(resolve "${spec#blackbox:}")
			if [ -z "$found" ]; then
				MISSING="$MISSING $spec"
			else
				BB="$BB $found"
			fi ;;
		esac
	done
}

# run_tests OUTFILE TAG: runs $BINS and $BB; writes the failing tests'
# names ("unit:test_x.test_y", "blackbox:name") to OUTFILE.
run_tests() {
	out=$1 tag=$2
	: > "$out"
	for b in $BINS; do
		name=${b#bin/}
		CMOCKA_MESSAGE_OUTPUT=stdout timeout --foreground "$TIMEOUT" "$TREE/$b" \
		    >"$LOGS/$tag.$name.log" 2>&1
		rc=$?
		f=$(sed -n 's/^\[  FAILED  \] \(test_[A-Za-z0-9_]*\)$/\1/p' \
		    "$LOGS/$tag.$name.log" | sort -u)
		if [ -n "$f" ]; then
			printf '%s\n' "$f" | sed "s/^/unit:$name./" >> "$out"
		elif [ "$rc" -ne 0 ]; then
			echo "unit:$name(exit-$rc)" >> "$out"
		fi
	done
	[ -n "$BB" ] || return 0
	set -- $BB
	ks=""
	for k in "$@"; do ks="$ks --test $k"; done
	# shellcheck disable=SC2086 # ks is a list of arguments
	timeout --foreground "$TIMEOUT" python3 "$TREE/tests/blackbox" \
	    --base "http://127.0.0.1:$PORT" --var "$VAR" --root "$TREE" $ks \
	    >"$LOGS/$tag.blackbox.log" 2>&1
	rc=$?
	f=$(sed -n 's/^FAIL \([A-Za-z0-9_]*\):.*/\1/p' "$LOGS/$tag.blackbox.log")
	if [ -n "$f" ]; then
		printf '%s\n' "$f" | sed 's/^/blackbox:/' >> "$out"
	elif [ "$rc" -eq 124 ]; then
		echo "blackbox(timed-out)" >> "$out"
	elif [ "$rc" -ne 0 ]; then
		echo "blackbox(exit-$rc)" >> "$out"
	fi
}

# app_fresh: staffdesk.fcgi restarted from the copy's bin (and MariaDB
# and nginx started if a test left them down); per-address counters
# cleared. 1 when the stack does not come up.
app_fresh() {
	if [ "$STACK_UP" = 1 ]; then
		stop_app
	fi
	STACK_UP=1
	if ! stack start >>"$LOGS/stack.log" 2>&1; then
		# Once more (a busy machine can be slow); a database that was
		# never up is made again.
		stop_app
		stack stop >>"$LOGS/stack.log" 2>&1
		[ -f "$WORK/db-was-up" ] || rm -rf "$VAR/db"
		sleep 2
		stack start >>"$LOGS/stack.log" 2>&1 || return 1
	fi
	: > "$WORK/db-was-up"
	mariadb --defaults-file="$VAR/my.cnf" staffdesk \
	    -e "DELETE FROM rate_limits" >>"$LOGS/stack.log" 2>&1
	return 0
}

# ---- the baseline: every named test on the unchanged copy ----------------

ALLBB="" ALLBINS=""
for n in "$@"; do
	plan "$n"
	for b in $BB; do
		case " $ALLBB " in *" $b "*) ;; *) ALLBB="$ALLBB $b" ;; esac
	done
	for b in $BINS; do
		case " $ALLBINS " in *" $b "*) ;; *) ALLBINS="$ALLBINS $b" ;; esac
	done
done
: > "$WORK/basefail"
if [ -n "$ALLBB" ]; then
	if ! app_fresh; then
		tail -20 "$LOGS/stack.log" "$VAR"/log/install-db.log \
		    "$VAR"/log/mariadb.log "$VAR"/log/staffdesk.log 2>/dev/null
		die "the test stack did not start"
	fi
fi
if [ "${BASELINE:-1}" != 0 ]; then
	t=$(date +%s)
	BB=$ALLBB BINS=$ALLBINS
	run_tests "$WORK/basefail" baseline
	nb=$(set -- $ALLBB; echo $#)
	say "mutants: baseline ($nb black-box tests,$ALLBINS) in $(($(date +%s) - t))s"
	if [ -s "$WORK/basefail" ]; then
		say "mutants: WARNING: these fail on the unchanged copy and count for no mutant:"
		sed 's/^/        /' "$WORK/basefail"
		grep '^FAIL' "$LOGS/baseline.blackbox.log" 2>/dev/null |
		    cut -c1-200 | sed 's/^/        /'
	fi
fi

# ---- the mutants ----------------------------------------------------------

RESULTS=$WORK/results
: > "$RESULTS"
caught=0 survived=0 errors=0 idx=0
for n in "$@"; do
	idx=$((idx + 1))
	p=$MDIR/$n.patch
	tstart=$(date +%s)
	printf '[%2d/%d] %s: %s\n' "$idx" "$TOTAL" "$n" "$(bug_of "$n")"
	plan "$n"
	note=""
	[ -n "$MISSING" ] && note=" (no such test yet:$MISSING)"
	if [ -z "$BB" ] && [ -z "$BINS" ]; then
		say "        SURVIVED: none of its tests exists$note"
		printf '%s\tSURVIVED%s\n' "$n" "$note" >> "$RESULTS"
		survived=$((survived + 1))
		continue
	fi
	# Keep the files it changes, to check that patch -R restores them.
	files=$(sed -n 's/^+++ b\/\([^[:space:]]*\).*/\1/p' "$p")
	for f in $files; do
		mkdir -p "$WORK/orig/$(dirname "$f")"
		cp -p "$TREE/$f" "$WORK/orig/$f" 2>/dev/null
	done
	if ! (cd "$TREE" && patch -p1 -N -s --dry-run -r - -i "$p") \
	    >"$LOGS/$n.patch.log" 2>&1 ||
	    ! (cd "$TREE" && patch -p1 -N -s -r - -i "$p") \
	    >>"$LOGS/$n.patch.log" 2>&1; then
		sed 's/^/        | /' "$LOGS/$n.patch.log"
		say "        ERROR: the patch does not apply"
		printf '%s\tERROR: the patch does not apply\n' "$n" >> "$RESULTS"
		errors=$((errors + 1))
		continue
	fi
	res=""
	# shellcheck disable=SC2086 # BINS is a list of targets
	if ! build "$LOGS/$n.build.log" $BINS; then
		res="ERROR: does not build"
	elif [ -n "$BB" ] && ! app_fresh; then
		res="caught by stack.sh start"
	else
		run_tests "$WORK/fail" "$n"
		f=$(grep -v -x -F -f "$WORK/basefail" "$WORK/fail" | sort -u |
		    tr '\n' ' ' | sed 's/ $//; s/ /, /g')
		if [ -n "$f" ]; then
			res="caught by $f"
			grep '^FAIL' "$LOGS/$n.blackbox.log" 2>/dev/null |
			    cut -c1-160 | sed 's/^/        /'
		else
			res="SURVIVED"
		fi
		res="$res$note"
	fi
	if ! (cd "$TREE" && patch -p1 -R -s -r - -i "$p") >>"$LOGS/$n.patch.log" 2>&1; then
		cat "$LOGS/$n.patch.log"
		say "mutants: patch -R of $n failed: the copy is no longer clean; stopping" >&2
		exit 1
	fi
	for f in $files; do
		cmp -s "$TREE/$f" "$WORK/orig/$f" || {
			say "mutants: patch -R of $n left $f changed; stopping" >&2
			exit 1
		}
	done
	case $res in
	caught*)	caught=$((caught + 1)) ;;
	SURVIVED*)	survived=$((survived + 1)) ;;
	*)		errors=$((errors + 1)) ;;
	esac
	say "        $res ($(($(date +%s) - tstart))s)"
	printf '%s\t%s\n' "$n" "$res" >> "$RESULTS"
done

# ---- the table -------------------------------------------------------------

el=$(($(date +%s) - T0))
say ""
awk -F '\t' '
	{ n[NR] = $1; r[NR] = $2; if (length($1) > w) w = length($1) }
	END {
		printf "%-*s  %s\n", w, "mutant", "result"
		for (i = 1; i <= NR; i++)
			printf "%-*s  %s\n", w, n[i], r[i]
	}' "$RESULTS"
say ""
say "$TOTAL mutants: $caught caught, $survived survived, $errors errors ($((el / 60))m$(printf %02d $((el % 60)))s)"
[ "$survived" -eq 0 ] && [ "$errors" -eq 0 ]
