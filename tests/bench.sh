#!/bin/sh
# tests/bench.sh: what `make bench` runs. Brings up a stack with 2
# workers on the demo organisation of issue 3 (2,000 locations, 100,000
# people; built once into $BENCH_VAR and kept), signs a manager in, and
# measures with wrk over loopback through nginx: /healthz, a static
# file, /units/{id}, /users/{id} and /search?q= (3 letters). Prints
# requests/s (median of $ROUNDS rounds), p50/p99 latency, and each
# page's ratio to /healthz: every page is measured between two
# /healthz runs and divided by their mean, as this machine's speed
# drifts within a run; the median of those ratios is printed. Then
# EXPLAIN for the queries behind those pages.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_VAR=${BENCH_VAR:-$ROOT/var-bench}
PORT=${PORT:-8099}
UNITS=${UNITS:-2000}
USERS=${USERS:-100000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-6s}
CONNS=${CONNS:-8}
export VAR=$BENCH_VAR PORT
export STAFFDESK_CONF=$BENCH_VAR/staffdesk.conf

command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)"; exit 1; }
trap '"$ROOT/tests/stack.sh" stop >/dev/null 2>&1' EXIT INT TERM
WORKERS=2 SEED=none "$ROOT/tests/stack.sh" start
if [ ! -f "$BENCH_VAR/.bench-seeded-$USERS" ]; then
	echo "bench: building the demo organisation ($UNITS locations, $USERS people)"
	t0=$(date +%s.%N)
	"$ROOT/bin/staffdesk-admin" demo --units "$UNITS" --users "$USERS" >/dev/null
	t1=$(date +%s.%N)
	awk "BEGIN { printf \"bench: demo --units $UNITS --users $USERS took %.1f s\\n\", $t1 - $t0 }"
	touch "$BENCH_VAR/.bench-seeded-$USERS"
fi

db() { mariadb --defaults-file="$BENCH_VAR/my.cnf" staffdesk -N -B -e "$1"; }
MANAGER=manager001@demo.example
if [ ! -f "$BENCH_VAR/manager.totp" ]; then
	"$ROOT/bin/staffdesk-admin" mfa add-totp --upn "$MANAGER" |
	    sed 's/.*secret=\([A-Z2-7]*\).*/\1/' > "$BENCH_VAR/manager.totp"
fi
COOKIE=$(python3 "$ROOT/tests/signin.py" "http://127.0.0.1:$PORT" "$MANAGER" \
    Staffdesk-Demo-2026 "$(cat "$BENCH_VAR/manager.totp")")
UNIT=$(db "SELECT id FROM units WHERE name = 'Store 001'")
USER=$(db "SELECT user_id FROM unit_members WHERE unit_id = '$UNIT' AND user_id <> (SELECT id FROM users WHERE upn = '$MANAGER') ORDER BY sort_name LIMIT 1")

# run NAME PATH: one wrk run; prints "rps p50_ms p99_ms non2xx". Every
# request carries the manager's session cookie (and so costs a session
# lookup), but for "healthz_anon", which is how a load balancer asks.
run() {
	cookie="Cookie: $COOKIE"
	[ "$1" = healthz_anon ] && cookie="X-No-Cookie: 1"
	wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "$cookie" \
	    "http://127.0.0.1:$PORT$2" 2>&1 | awk '
	    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	    /Requests\/sec/ { rps = $2 }
	    / 50%/ { p50 = ms($2) }
	    / 99%/ { p99 = ms($2) }
	    /Non-2xx/ { bad = $5 }
	    END { printf "%s %.2f %.2f %d\n", rps, p50, p99, bad + 0 }'
}

NAMES="healthz healthz_anon static units_id users_id search"
path() {
	case $1 in
	healthz|healthz_anon) echo /healthz ;;
	static) echo /static/style.css ;;
	units_id) echo "/units/$UNIT" ;;
	users_id) echo "/users/$USER" ;;
	search) echo "/search?q=smi" ;;
	esac
}
for n in $NAMES; do
	s=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$(path "$n")")
	[ "$s" = 200 ] || { echo "bench: $(path "$n") answers $s, not 200"; exit 1; }
done

# Lines "name rps p50 p99 non2xx ratio" (ratio: to the mean of the
# /healthz runs just before and just after).
OUT=$BENCH_VAR/bench.txt
: > "$OUT"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	before=$(run healthz /healthz)
	echo "healthz $before 1" >> "$OUT"
	for n in $NAMES; do
		[ "$n" = healthz ] && continue
		x=$(run "$n" "$(path "$n")")
		after=$(run healthz /healthz)
		echo "healthz $after 1" >> "$OUT"
		echo "$n $x $(echo "$x $before $after" |
		    awk '{ printf "%.3f", $1 / (($5 + $9) / 2) }')" >> "$OUT"
		before=$after
	done
	r=$((r + 1))
done

echo
echo "wrk -t2 -c$CONNS -d$DURATION through nginx, 2 workers, medians of $ROUNDS rounds"
echo "($USERS people, $UNITS locations; signed in as $MANAGER)"
printf '%-13s %10s %9s %9s %8s %7s\n' page req/s p50_ms p99_ms vs_healthz non2xx
sort -k1,1 -k2,2n "$OUT" | awk -v names="$NAMES" -v rounds="$ROUNDS" '
    { n = $1; c[n]++; rps[n, c[n]] = $2; p50[n, c[n]] = $3; p99[n, c[n]] = $4; bad[n] += $5; ratio[n, c[n]] = $6 }
    function med(a, n,   k, i, j, t, v) {
        for (i = 1; i <= c[n]; i++) v[i] = a[n, i]
        for (i = 1; i <= c[n]; i++) for (j = i + 1; j <= c[n]; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        return v[int((c[n] + 1) / 2)]
    }
    END {
        split(names, order, " ")
        for (i = 1; i <= length(order); i++) {
            n = order[i]
            printf "%-13s %10.0f %9.2f %9.2f %8.2f %7d\n", n, med(rps, n), med(p50, n), med(p99, n), med(ratio, n), bad[n]
        }
    }'

echo
echo "EXPLAIN of the statements behind these pages (staffdesk-admin explain):"
"$ROOT/bin/staffdesk-admin" explain
