#!/bin/sh
# tests/bench.sh: what `make bench` runs (issues 3 and 16). Brings up a
# stack with 2 workers that are never recycled (max_requests 0) on the
# demo organisation of issue 3 (2,000 locations, 100,000 people; built
# once into $BENCH_VAR and kept), signs a manager in, and measures with
# wrk over loopback through nginx, $CONNS connections:
#   - /healthz anonymous (how a load balancer asks: the floor), /healthz
#     with the manager's cookie (the session's cost), a static file;
#   - the pages a manager opens: /units/{id} (50 people), /users/{id}
#     and /search?q= (3 letters, thousands of matches). A page view is
#     one request: no script asks for more, and the stylesheet is
#     cached for good (its name holds its hash);
#   - sign-in: POST /login with wrong passwords for unknown names (a
#     wrong password costs what a right one does), against the bound:
#     argon2id hashes a second on as many processes as there are
#     workers (bin/hashrate, the same parameters, in a loop).
# Each page runs between two anonymous and two signed-in /healthz runs
# and is divided by their means (this machine's speed drifts within a
# run); medians of $ROUNDS rounds. Each run also counts the CPU that
# MariaDB, the workers and nginx used a request (their /proc/PID/stat
# before and after): where a page's time goes. Then each worker's RSS
# (after a sign-in and every request above), and EXPLAIN for the
# queries.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_VAR=${BENCH_VAR:-$ROOT/var-bench}
PORT=${PORT:-8099}
UNITS=${UNITS:-2000}
USERS=${USERS:-100000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}
WORKERS=2
export VAR=$BENCH_VAR PORT WORKERS
export STAFFDESK_CONF=$BENCH_VAR/staffdesk.conf

command -v wrk >/dev/null || { echo "bench: wrk is missing (make deps)"; exit 1; }
trap '"$ROOT/tests/stack.sh" stop >/dev/null 2>&1' EXIT INT TERM
MAX_REQUESTS=0 SEED=none "$ROOT/tests/stack.sh" start
if [ ! -f "$BENCH_VAR/.bench-seeded-$USERS" ]; then
	echo "bench: building the demo organisation ($UNITS locations, $USERS people)"
	t0=$(date +%s.%N)
	"$ROOT/bin/staffdesk-admin" demo --units "$UNITS" --users "$USERS" >/dev/null
	t1=$(date +%s.%N)
	awk "BEGIN { printf \"bench: demo --units $UNITS --users $USERS took %.1f s\\n\", $t1 - $t0 }"
	touch "$BENCH_VAR/.bench-seeded-$USERS"
fi
# Many wrong passwords from one address: the limit is not measured here.
"$ROOT/bin/staffdesk-admin" settings set signin.ip_failures_per_hour \
    1000000 >/dev/null

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

# The processes a request goes through, for their CPU a request: the
# workers are never recycled, so these stay the same all run long.
DB_PID=$(cat "$BENCH_VAR/run/mysqld.pid")
APP_PIDS=$(pgrep -P "$(cat "$BENCH_VAR/run/staffdesk.pid")" | tr '\n' ' ')
WEB_PIDS=$(pgrep -P "$(cat "$BENCH_VAR/run/nginx.pid")" | tr '\n' ' ')
HZ=$(getconf CLK_TCK)
# ticks PID...: the user and system CPU those processes have used, in
# clock ticks (the 14th and 15th fields of /proc/PID/stat, counted
# after the command's name, which may hold spaces).
ticks() {
	for p in "$@"; do sed 's/.*) //' "/proc/$p/stat" 2>/dev/null; done |
	    awk '{ t += $12 + $13 } END { print t + 0 }'
}
cpu_now() { echo "$(ticks $DB_PID) $(ticks $APP_PIDS) $(ticks $WEB_PIDS)"; }

# run NAME PATH: one wrk run; prints "rps p50_ms p99_ms non2xx requests",
# and appends "NAME db_ms app_ms web_ms" to $CPU: MariaDB's, the workers'
# and nginx's CPU a request over the run. Every request carries the
# manager's session cookie (and so costs a session lookup), but for
# "healthz_anon".
run() {
	cookie="Cookie: $COOKIE"
	[ "$1" = healthz_anon ] && cookie="X-No-Cookie: 1"
	c0=$(cpu_now)
	r=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "$cookie" \
	    "http://127.0.0.1:$PORT$2" 2>&1 | awk '
	    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	    /Requests\/sec/ { rps = $2 }
	    / 50%/ { p50 = ms($2) }
	    / 99%/ { p99 = ms($2) }
	    /Non-2xx/ { bad = $5 }
	    / requests in / { n = $1 }
	    END { printf "%s %.2f %.2f %d %d\n", rps, p50, p99, bad + 0, n }')
	echo "$1 $c0 $(cpu_now) ${r##* }" | awk -v hz="$HZ" '$8 > 0 {
	    k = 1000 / hz / $8
	    printf "%s %.3f %.3f %.3f\n", $1, ($5 - $2) * k, ($6 - $3) * k, ($7 - $4) * k }' >> "$CPU"
	echo "$r"
}

NAMES="healthz_anon healthz static units_id users_id search"
path() {
	case $1 in
	healthz|healthz_anon) echo /healthz ;;
	static) echo "/static/$(cd "$ROOT/build/static" && ls style.*.css | head -1)" ;;
	units_id) echo "/units/$UNIT" ;;
	users_id) echo "/users/$USER" ;;
	search) echo "/search?q=smi" ;;
	esac
}
for n in $NAMES; do
	s=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$(path "$n")")
	[ "$s" = 200 ] || { echo "bench: $(path "$n") answers $s, not 200"; exit 1; }
done

# Lines "name rps p50 p99 non2xx requests ratio ratio_anon": each page
# against the mean of the /healthz runs (signed in; anonymous) just
# before and just after it.
OUT=$BENCH_VAR/bench.txt
CPU=$BENCH_VAR/bench-cpu.txt
: > "$OUT"
: > "$CPU"
floor() {
	a=$(run healthz_anon /healthz)
	h=$(run healthz /healthz)
	echo "healthz_anon $a 0 1" >> "$OUT"
	echo "healthz $h 1 0" >> "$OUT"
	echo "$a $h"
}
r=1
while [ "$r" -le "$ROUNDS" ]; do
	before=$(floor)
	for n in $NAMES; do
		case $n in healthz|healthz_anon) continue ;; esac
		x=$(run "$n" "$(path "$n")")
		after=$(floor)
		echo "$n $x $(echo "$x $before $after" | awk '{
		    printf "%.3f %.3f", $1 / (($11 + $21) / 2), $1 / (($6 + $16) / 2) }')" >> "$OUT"
		before=$after
	done
	r=$((r + 1))
done

# Sign-in: the bound, then wrong passwords from $CONNS connections (a
# 429 is a sign-in the admission refused without hashing: not counted).
BOUND=$("$ROOT/bin/hashrate" "$WORKERS" 5 | awk '{ print $2 }')
FORM=$(python3 "$ROOT/tests/signin.py" "http://127.0.0.1:$PORT" --form)
sleep 1.5	# that GET is a page: admission counts pages for a second
LUA=$BENCH_VAR/signin.lua
cat > "$LUA" <<EOL
local threads = {}
function setup(t) table.insert(threads, t) end
function init(args) answered = 0; refused = 0; other = 0 end
function response(status, headers, body)
	if status == 422 then answered = answered + 1
	elseif status == 429 then refused = refused + 1
	else other = other + 1 end
end
function done(summary, latency, requests)
	local a, r, o = 0, 0, 0
	for _, t in ipairs(threads) do
		a = a + t:get("answered"); r = r + t:get("refused"); o = o + t:get("other")
	end
	io.write(string.format("signin %d %d %d %.2f %.2f\\n", a, r, o,
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$(echo "$FORM" | cut -f1)"
wrk.body = "csrf=$(echo "$FORM" | cut -f2)&username=nobody-bench%40demo.example&password=not-the-password-2026"
EOL
SIGNIN_SECONDS=10
SIGNIN=$(wrk -t2 -c"$CONNS" -d"${SIGNIN_SECONDS}s" -s "$LUA" \
    "http://127.0.0.1:$PORT/login" 2>&1 | awk '/^signin / { print }')

# The workers' resident memory after all of it (a worker that hashed
# included: idle for HASH_IDLE_MS, it gives argon2's buffer back), and
# how many requests they served.
sleep 1
MASTER=$(cat "$BENCH_VAR/run/staffdesk.pid")
RSS=$(for w in $(pgrep -P "$MASTER"); do
	awk '/^VmRSS/ { printf "%.1f ", $2 / 1024 }' "/proc/$w/status"
done)
SERVED=$(awk '{ s += $6 } END { print s }' "$OUT")

echo
echo "wrk -t2 -c$CONNS -d$DURATION through nginx, $WORKERS workers, medians of $ROUNDS rounds, $(nproc) cores"
echo "($USERS people, $UNITS locations; signed in as $MANAGER; a view is one request)"
printf '%-13s %9s %9s %8s %8s %9s %8s %7s\n' page req/s views/s p50_ms p99_ms vs_signed vs_anon non2xx
awk -v names="$NAMES" '
    function med(a, n, k,   i, j, t, v) {
        for (i = 1; i <= k; i++) v[i] = a[n, i]
        for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        return v[int((k + 1) / 2)]
    }
    FNR == NR { n = $1; c[n]++; rps[n, c[n]] = $2; p50[n, c[n]] = $3; p99[n, c[n]] = $4; bad[n] += $5; ratio[n, c[n]] = $7; anon[n, c[n]] = $8; next }
    { n = $1; d[n]++; db[n, d[n]] = $2; app[n, d[n]] = $3; web[n, d[n]] = $4; all[n, d[n]] = $2 + $3 + $4 }
    END {
        split(names, order, " ")
        for (i = 1; i <= length(order); i++) {
            n = order[i]; k = c[n]
            views = n ~ /_id$|^search$/ ? sprintf("%9.0f", med(rps, n, k)) : sprintf("%9s", "-")
            printf "%-13s %9.0f %s %8.2f %8.2f %9.2f %8.2f %7d\n", n, med(rps, n, k), views, med(p50, n, k), med(p99, n, k), med(ratio, n, k), med(anon, n, k), bad[n]
        }
        print ""
        print "CPU a request, ms (/proc/PID/stat before and after each run; medians):"
        printf "%-13s %8s %8s %8s %8s\n", "page", "MariaDB", "workers", "nginx", "in_all"
        for (i = 1; i <= length(order); i++) {
            n = order[i]; k = d[n]
            printf "%-13s %8.3f %8.3f %8.3f %8.3f\n", n, med(db, n, k), med(app, n, k), med(web, n, k), med(all, n, k)
        }
    }' "$OUT" "$CPU"
echo
echo "$SIGNIN" | awk -v bound="$BOUND" -v secs="$SIGNIN_SECONDS" '{
    printf "sign-in (wrong passwords, POST /login): %.1f/s checked, %.1f/s refused (429), %d other; p50 %.0f ms, p99 %.0f ms\n", $2 / secs, $3 / secs, $4, $5, $6
    printf "bound (bin/hashrate, argon2id m=19456 t=2 p=1 in a loop on the workers'"'"' count of processes): %.1f/s; sign-in at %.2f of it\n", bound, $2 / secs / bound }'
echo "worker RSS (MB, each): $RSS after $SERVED requests through wrk and a burst of sign-ins"

echo
echo "EXPLAIN of the statements behind these pages (staffdesk-admin explain):"
"$ROOT/bin/staffdesk-admin" explain
