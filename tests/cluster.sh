#!/bin/sh
# tests/cluster.sh start|stop|status|test|node-start N|node-stop N|
#                  master-start A|B|master-stop A|B
# staffdesk scaled out on one machine, as it would run on three (README:
# Scaling out), everything under $VAR (default ./var-cluster):
#   - a 3-node MariaDB Galera cluster on loopback, node N (1-3) with its
#     own datadir, socket and ports: SQL PORT+10N, gcomm PORT+10N+1,
#     IST PORT+10N+2, SST (rsync) PORT+10N+3;
#   - two staffdesk masters, A and B, each with its own config, socket
#     and workers; A's db_host lists the nodes 1, 2, 3 and B's 2, 3, 1,
#     so each works on its own node and fails over to the next;
#   - one nginx serving the production site (nginx/staffdesk.conf.in as
#     `make install` fills it in, installed under VAR/usr) on
#     127.0.0.1:PORT with both masters in its upstream, and on PORT+1
#     (A alone) and PORT+2 (B alone) for the tests that must pick a
#     host; its plain-HTTP server (the redirect) on PORT+3.
# PORT defaults to 19450 (so 19450-19483). Every daemon runs under
# `nice -n $NICE` (default 5) and setsid. The database and its two
# accounts are made as in production, by `staffdesk-admin setup-db`
# run once through master A's config (an administrator account over
# TCP, its password in VAR/dbadmin.pw), the app's password copied to
# both masters' configs (VAR/db.pw) and `migrate` run as the migrating
# account (VAR/migrate.pw). VAR/my.cnf is node 1's client config (the
# administrator over the socket) and VAR/staffdesk.conf master A's,
# for the tests' SQL and staffdesk-admin. `test` (what `make
# cluster-test` runs) starts one under a temporary VAR (unless VAR is
# set), runs the suite tests/cluster against it, stops it, and removes
# the VAR it made unless a test failed (its logs are then kept).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MADE_VAR=0
if [ -z "${VAR:-}" ] && [ "${1:-}" = test ]; then
	VAR=$(mktemp -d "${TMPDIR:-/tmp}/staffdesk-cluster.XXXXXX")
	MADE_VAR=1
fi
VAR=${VAR:-$ROOT/var-cluster}
PORT=${PORT:-19450}
# More workers a master than the suite has connections (16): with fewer,
# the admission of password hashing (cgi/admit.h) answers some of the
# load's sign-ins and resets 429 by design (connections wait and every
# other worker hashes), which the fault tests would count as failures.
WORKERS=${WORKERS:-17}
NICE=${NICE:-5}
GALERA=${GALERA:-/usr/lib/galera/libgalera_smm.so}
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
NODES="1 2 3"

ME=cluster
. "$ROOT/tests/lib.sh"

sqlport() { echo $((PORT + 10 * $1)); }
gcomm() { echo $((PORT + 10 * $1 + 1)); }
ndir() { echo "$VAR/node$1"; }
# Under root the nodes run as mysql: an rsync SST's daemon, started by
# the joining node, would otherwise write its datadir as nobody.
if [ "$(id -u)" -eq 0 ]; then DBUSER=mysql; else DBUSER=$(id -un); fi
mycnf() { echo "$VAR/node$1/my.cnf"; }

# The nodes' config: Galera on loopback (networking on, 127.0.0.1
# only), row-based replication, interleaved auto-increment locks.
write_node() {
	i=$1 d=$(ndir "$1")
	mkdir -p "$d/db" "$d/run" "$d/log" "$d/tmp"
	[ "$DBUSER" = "$(id -un)" ] || chown -R "$DBUSER" "$d"
	peers=""
	for j in $NODES; do peers="$peers${peers:+,}127.0.0.1:$(gcomm "$j")"; done
	cat > "$(mycnf "$i")" <<EOC
[mysqld]
datadir = $d/db
socket = $d/run/mysqld.sock
pid-file = $d/run/mysqld.pid
log-error = $d/log/mariadb.log
tmpdir = $d/tmp
port = $(sqlport "$i")
bind-address = 127.0.0.1
user = $DBUSER
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 192M
innodb_flush_log_at_trx_commit = 2
max_connections = 200
thread_handling = pool-of-threads
default_storage_engine = InnoDB
binlog_format = ROW
innodb_autoinc_lock_mode = 2
# migrate creates triggers as the app account (Galera logs like a binlog)
log_bin_trust_function_creators = 1
wsrep_on = ON
wsrep_provider = $GALERA
wsrep_cluster_name = staffdesk-test
wsrep_cluster_address = gcomm://$peers
wsrep_node_name = node$i
wsrep_node_address = 127.0.0.1:$(gcomm "$i")
# A node that dies stalls every commit until the others evict it:
# evs.suspect_timeout (5 s by default; a write waited 6.0 s here) is
# 2 s (keepalives and checks every 0.5 s), so a request waits less
# than db_timeout.
wsrep_provider_options = "base_port=$(gcomm "$i"); gmcast.listen_addr=tcp://127.0.0.1:$(gcomm "$i"); ist.recv_addr=127.0.0.1:$((PORT + 10 * i + 2)); gcache.size=128M; evs.suspect_timeout=PT2S; evs.inactive_timeout=PT4S; evs.inactive_check_period=PT0.5S; evs.keepalive_period=PT0.5S"
wsrep_sst_method = rsync
wsrep_sst_receive_address = 127.0.0.1:$((PORT + 10 * i + 3))
wsrep_slave_threads = 2
wsrep_sync_wait = 1
[client]
socket = $d/run/mysqld.sock
user = $(id -un)
EOC
}

write_configs() {
	mkdir -p "$VAR/log" "$VAR/run" "$VAR/nginx" "$VAR/a/run" "$VAR/b/run"
	chmod 755 "$VAR" "$VAR/a" "$VAR/b" "$VAR/a/run" "$VAR/b/run"
	for i in $NODES; do write_node "$i"; done
	cp "$(mycnf 1)" "$VAR/my.cnf"
	[ -f "$VAR/data.key" ] || (umask 077 && head -c 32 /dev/urandom > "$VAR/data.key")
	write_apps
	write_nginx
}

# Both masters' configs, A's also as VAR/staffdesk.conf; the app's
# password once setup-db has given it (accounts).
write_apps() {
	n1=127.0.0.1:$(sqlport 1) n2=127.0.0.1:$(sqlport 2) n3=127.0.0.1:$(sqlport 3)
	write_app a "$n1, $n2, $n3"
	write_app b "$n2, $n3, $n1"
	cp "$VAR/a/staffdesk.conf" "$VAR/staffdesk.conf"
}

# write_app NAME HOSTS: a master's config; both share the data key, the
# app's password and the migrating account (production's, from
# nginx/staffdesk-app.conf.in).
write_app() {
	pw=""
	[ -f "$VAR/db.pw" ] && pw="db_password = $(cat "$VAR/db.pw")"
	cat > "$VAR/$1/staffdesk.conf" <<EOC
# written by tests/cluster.sh: master $1 of the cluster under $VAR
db_host = $2
db_user = staffdesk
$pw
db_name = staffdesk
db_migrate_user = staffdesk_migrate
db_migrate_password_file = $VAR/migrate.pw
listen = $VAR/$1/run/staffdesk.sock
socket_mode = 0666
workers = $WORKERS
max_requests = ${MAX_REQUESTS:-10000}
templates = $ROOT/templates
base_url = http://127.0.0.1:$PORT
data_key_file = $VAR/data.key
sms_log = $VAR/sms.log
log_level = info
# longer than the cluster takes to evict a dead node (evs.suspect_timeout
# and the new view: 3 s here), which every commit waits for
db_timeout = 5
EOC
}

# The site as production has it: `make install` into VAR/usr (the
# static files with the build's hashed stylesheet, headers.conf,
# fastcgi.conf and nginx/staffdesk.conf.in filled in), then that file
# served on loopback (cluster_site) inside an http block that holds
# what Debian's nginx.conf would.
write_nginx() {
	share=$VAR/usr/share/staffdesk
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$ROOT" install \
	    PREFIX="$VAR/usr" SYSCONFDIR="$VAR/etc" \
	    SANITIZE="$(cat "$ROOT/build/.sanitize" 2>/dev/null)" \
	    >"$VAR/log/install.log" 2>&1 ||
	    { say "make install failed: see $VAR/log/install.log"; exit 1; }
	cluster_site "$share/nginx/staffdesk.conf" > "$VAR/nginx-site.conf"
	userline=""
	if [ "$(id -u)" -eq 0 ]; then
		userline="user nobody nogroup;"
		runuser -u nobody -- sh -c "test -r '$share/static/style.css' && \
		    test -x '$VAR/a/run'" 2>/dev/null || userline="user root root;"
	fi
	cat > "$VAR/nginx.conf" <<EOC
# written by tests/cluster.sh: the installed production site
# ($VAR/nginx-site.conf) on $PORT (both masters), $((PORT + 1)) (A) and
# $((PORT + 2)) (B).
$userline
worker_processes 2;
daemon off;
pid $VAR/run/nginx.pid;
error_log $VAR/log/nginx-error.log warn;
events { worker_connections 1024; }
http {
    types {
        text/html html;
        text/css css;
        image/png png;
        image/svg+xml svg;
        image/x-icon ico;
    }
    default_type application/octet-stream;
    access_log $VAR/log/nginx-access.log;
    client_body_temp_path $VAR/nginx/body;
    fastcgi_temp_path $VAR/nginx/fastcgi;
    proxy_temp_path $VAR/nginx/proxy;
    uwsgi_temp_path $VAR/nginx/uwsgi;
    scgi_temp_path $VAR/nginx/scgi;
    include $VAR/nginx-site.conf;
}
EOC
}

# cluster_site FILE: the installed site with only what must differ here,
# each change checked to hit exactly the lines it names (a change to
# nginx/staffdesk.conf.in that moves them stops start, rather than
# leaving the cluster on another site): its HTTPS server on the three
# loopback ports over plain HTTP (its certificate lines go; no other
# TLS line takes effect without `ssl` on a listen), its HTTP server on
# PORT+3, and its upstream replaced by the masters' (cluster_upstream)
# with every fastcgi_pass choosing by the port asked.
cluster_site() {
	awk -v port="$PORT" -v up="$(cluster_upstream)" '
	/^    listen 80;$/ { print "    listen 127.0.0.1:" port + 3 ";"; n80++; next }
	/^    listen \[::\]:(80|443 ssl http2);$/ { v6++; next }
	/^    listen 443 ssl http2;$/ {
		for (p = 0; p < 3; p++) print "    listen 127.0.0.1:" port + p ";"
		n443++
		next
	}
	/^    ssl_certificate(_key)? / { cert++; next }
	/^upstream staffdesk \{$/ { print up; inup = 1; ups++; next }
	inup { if ($0 == "}") inup = 0; next }
	/fastcgi_pass staffdesk;/ {
		sub(/fastcgi_pass staffdesk;/, "fastcgi_pass $staffdesk_upstream;")
		pass++
	}
	{ print }
	END {
		if (n80 != 1 || v6 != 2 || n443 != 1 || cert != 2 || ups != 1 ||
		    inup || pass < 1) {
			printf "cluster.sh: %s no longer has the lines cluster_site " \
			    "changes (listen 80: %d, [::]: %d, listen 443: %d, " \
			    "certificates: %d, upstream: %d, fastcgi_pass: %d)\n",
			    FILENAME, n80, v6, n443, cert, ups, pass > "/dev/stderr"
			exit 1
		}
	}' "$1"
}

# The masters in the site's upstream, and one upstream for each alone
# (PORT+1, PORT+2).
# A master that refuses (its socket gone, or its queue full) is left
# out for 5 s, so requests go straight to the other one meanwhile. The
# same two are listed again as backups that are never left out: when
# both were left out (both were down a moment ago) nginx still tries
# them, so the first master that is back serves the next request,
# instead of nginx answering "no live upstreams" (a 502, which the
# site shows as its 503 page) until the 5 s have passed. A POST is never
# sent twice: nginx passes a request on to the next server when the
# first refused it or timed out, a POST only when it was not sent
# (fastcgi_next_upstream error timeout, without non_idempotent), and
# the app's own answers pass through.
cluster_upstream() {
	a=unix:$VAR/a/run/staffdesk.sock b=unix:$VAR/b/run/staffdesk.sock
	cat <<EOC
upstream staffdesk {
    server $a max_fails=1 fail_timeout=5s;
    server $b max_fails=1 fail_timeout=5s;
    server $a backup max_fails=0;
    server $b backup max_fails=0;
}
upstream staffdesk_a { server $a; }
upstream staffdesk_b { server $b; }
map \$server_port \$staffdesk_upstream {
    $((PORT + 1)) staffdesk_a;
    $((PORT + 2)) staffdesk_b;
    default staffdesk;
}
EOC
}

# The node's state: 4 is Synced.
synced() {
	[ "$(mariadb --defaults-file="$(mycnf "$1")" -N -B -e \
	    "SHOW STATUS LIKE 'wsrep_local_state'" 2>/dev/null | cut -f2)" = 4 ]
}

# The last position a node's data holds, after a crash (seqno -1 in
# grastate.dat): what systemd's galera_recovery does, so the node
# rejoins by IST (the writesets it missed) instead of a full SST.
recover_position() {
	d=$(ndir "$1")
	grep -q '^seqno: *-1' "$d/db/grastate.dat" 2>/dev/null || return 0
	nice -n "$NICE" mariadbd --defaults-file="$(mycnf "$1")" --wsrep-recover \
	    --log-error="$d/log/recover.log" >/dev/null 2>&1 || true
	pos=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' \
	    "$d/log/recover.log" | tail -1)
	[ -n "$pos" ] && echo "--wsrep-start-position=$pos"
}

# node_start N [--wsrep-new-cluster]
node_start() {
	i=$1
	shift
	d=$(ndir "$i")
	if alive "$d/run/mariadbd.pid"; then return 0; fi
	if [ ! -d "$d/db/mysql" ]; then
		say "creating node $i's datadir"
		mariadb-install-db --defaults-file="$(mycnf "$i")" --skip-test-db \
		    --user="$DBUSER" --wsrep-on=OFF --auth-root-authentication-method=socket \
		    --auth-root-socket-user="$(id -un)" >"$d/log/install-db.log" 2>&1 ||
		    { say "mariadb-install-db failed: see $d/log/install-db.log"; exit 1; }
	fi
	pos=$(recover_position "$i")
	# shellcheck disable=SC2086 # pos: one option or none
	setsid nice -n "$NICE" mariadbd --defaults-file="$(mycnf "$i")" $pos "$@" \
	    </dev/null >>"$d/log/mariadb.log" 2>&1 &
	# The pid this script knows from the start: the server writes its
	# pid-file only once it is synced, so after a kill -9 mysqld.pid
	# would name the dead one while the new one joins.
	echo $! > "$d/run/mariadbd.pid"
	# An SST can take a while; a node that stopped has failed.
	n=0
	while ! synced "$i"; do
		n=$((n + 1))
		if [ $n -ge 900 ] || ! alive "$d/run/mariadbd.pid"; then
			say "node $i did not join the cluster"
			tail -30 "$d/log/mariadb.log" >&2
			exit 1
		fi
		sleep 0.2
	done
}

node_stop() {
	stop_pid "node $1" "$(ndir "$1")/run/mariadbd.pid" 120
}

start_cluster() {
	running=0
	for i in $NODES; do alive "$(ndir "$i")/run/mariadbd.pid" && running=1; done
	if [ $running = 0 ]; then
		# Node 1 starts a new cluster (a fresh one, or after `stop`,
		# which stops it last so it holds everything).
		g=$(ndir 1)/db/grastate.dat
		[ -f "$g" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$g"
		node_start 1 --wsrep-new-cluster
	fi
	for i in $NODES; do node_start "$i"; done
}

# The database and its accounts, once (VAR/db.pw then holds the app's
# password): setup-db through master A's config, so over TCP to the
# first node of its db_host, as an administrator of MariaDB allowed
# from the app hosts (here 127.0.0.1), made for it. The accounts are
# for 127.0.0.1, where the masters connect from; Galera replicates
# them, and the database, to the other nodes.
accounts() {
	[ -f "$VAR/db.pw" ] && return 0
	[ -f "$VAR/dbadmin.pw" ] ||
	    (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' > "$VAR/dbadmin.pw")
	mariadb --defaults-file="$(mycnf 1)" -e "
	    CREATE USER IF NOT EXISTS 'cluster_admin'@'127.0.0.1'
	        IDENTIFIED BY '$(cat "$VAR/dbadmin.pw")';
	    GRANT ALL PRIVILEGES ON *.* TO 'cluster_admin'@'127.0.0.1'
	        WITH GRANT OPTION"
	(umask 077 && STAFFDESK_CONF=$VAR/a/staffdesk.conf \
	    "$ROOT/bin/staffdesk-admin" setup-db --host 127.0.0.1 \
	    --admin-user cluster_admin --admin-password-stdin \
	    <"$VAR/dbadmin.pw" >"$VAR/setup-db.out" 2>"$VAR/log/setup-db.log") ||
	    { say "setup-db failed: see $VAR/log/setup-db.log"; exit 1; }
	(umask 077 && sed -n 's/^db_password = //p' "$VAR/setup-db.out" > "$VAR/db.pw.tmp")
	rm -f "$VAR/setup-db.out"
	[ -s "$VAR/db.pw.tmp" ] || { say "setup-db printed no db_password"; exit 1; }
	mv "$VAR/db.pw.tmp" "$VAR/db.pw"
	write_apps
}

# master_start A|B
master_start() {
	m=$(echo "$1" | tr AB ab)
	if alive "$VAR/$m/run/staffdesk.pid"; then return 0; fi
	"$ROOT/bin/staffdesk.fcgi" --check -c "$VAR/$m/staffdesk.conf" >/dev/null
	rm -f "$VAR/$m/run/staffdesk.sock"
	setsid nice -n "$NICE" "$ROOT/bin/staffdesk.fcgi" -c "$VAR/$m/staffdesk.conf" \
	    </dev/null >>"$VAR/log/staffdesk-$m.log" 2>&1 &
	echo $! > "$VAR/$m/run/staffdesk.pid"
	wait_for "master $1" 20 test -S "$VAR/$m/run/staffdesk.sock"
}

master_stop() {
	m=$(echo "$1" | tr AB ab)
	stop_pid "master $1" "$VAR/$m/run/staffdesk.pid" 30
}

start_nginx() {
	if alive "$VAR/run/nginx.pid"; then return 0; fi
	for p in $PORT $((PORT + 1)) $((PORT + 2)); do
		if curl -s -o /dev/null "http://127.0.0.1:$p/"; then
			say "port $p is in use by another server (PORT=...)"
			exit 1
		fi
	done
	setsid nice -n "$NICE" nginx -p "$VAR/nginx/" -e "$VAR/log/nginx-error.log" \
	    -c "$VAR/nginx.conf" </dev/null >>"$VAR/log/nginx.log" 2>&1 &
	wait_for "nginx" 20 curl -sf "http://127.0.0.1:$PORT/healthz" ||
	    { tail -20 "$VAR/log/nginx-error.log" >&2; exit 1; }
}

start() {
	write_configs
	start_cluster
	accounts
	STAFFDESK_CONF=$VAR/a/staffdesk.conf "$ROOT/bin/staffdesk-admin" migrate >/dev/null
	master_start A
	master_start B
	start_nginx
}

stop() {
	stop_pid nginx "$VAR/run/nginx.pid" 30
	master_stop A
	master_stop B
	# node 1 last: it holds every change, and starts the next cluster
	for i in 3 2 1; do node_stop "$i"; done
}

# test: the suite against a cluster started for it.
run_tests() {
	rc=0
	trap 'stop >/dev/null 2>&1; exit 1' INT TERM
	if (start); then
		python3 "$ROOT/tests/cluster" --base "http://127.0.0.1:$PORT" \
		    --var "$VAR" --root "$ROOT" || rc=1
	else
		rc=1
	fi
	stop
	if [ $rc = 0 ] && [ "$MADE_VAR" = 1 ]; then
		rm -rf "$VAR"
	else
		say "cluster kept in $VAR (logs in $VAR/log, $VAR/node*/log)"
	fi
	return $rc
}

case "${1:-}" in
start)	start ;;
test)	run_tests ;;
stop)	stop ;;
status)	for i in $NODES; do
		if alive "$(ndir "$i")/run/mariadbd.pid"; then
			echo "node $i: running, $(mariadb --defaults-file="$(mycnf "$i")" -N -B -e \
			    "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_state_comment')" \
			    2>/dev/null | tr '\t\n' '= ' || true)"
		else
			echo "node $i: stopped"
		fi
	done
	for m in a b; do
		if alive "$VAR/$m/run/staffdesk.pid"; then echo "master $m: running"; else echo "master $m: stopped"; fi
	done
	if alive "$VAR/run/nginx.pid"; then echo "nginx: running"; else echo "nginx: stopped"; fi ;;
node-start) node_start "$2" ;;
node-stop) node_stop "$2" ;;
master-start) master_start "$2" ;;
master-stop) master_stop "$2" ;;
*)	echo "usage: tests/cluster.sh start|stop|status|test|node-start N|node-stop N|master-start A|B|master-stop A|B" >&2
	exit 2 ;;
esac
