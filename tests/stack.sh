#!/bin/sh
# tests/stack.sh start|stop|run|status: a whole staffdesk stack under $VAR
# (default ./var): MariaDB (own datadir and socket, no networking), an
# OpenLDAP slapd on 127.0.0.1:$LDAP_PORT (default PORT + 1; own cn=config,
# database and ppolicy, seeded once: tests/ldap-seed.sh),
# bin/staffdesk.fcgi and nginx on 127.0.0.1:$PORT (default 8080).
# `make run` uses `run` (foreground; Ctrl-C stops it all); `make test`
# uses start/stop on a throwaway $VAR. Daemons run under setsid so the
# terminal's Ctrl-C reaches only this script, which stops them in order.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VAR=${VAR:-$ROOT/var}
PORT=${PORT:-8080}
WORKERS=${WORKERS:-4}
SEED=${SEED:-demo}           # demo: seed the small demo on first start
DURABLE=${DURABLE:-1}        # 0: skip fsync per commit (throwaway stacks)
LDAP_PORT=${LDAP_PORT:-$((PORT + 1))}
mkdir -p "$VAR"
VAR=$(cd "$VAR" && pwd)
CONF=$VAR/staffdesk.conf
MYCNF=$VAR/my.cnf

ME=stack
. "$ROOT/tests/lib.sh"

write_configs() {
	# tmp: the server's temporary tables, this stack's and not /tmp's
	mkdir -p "$VAR/db" "$VAR/run" "$VAR/log" "$VAR/nginx" "$VAR/tmp"
	chmod 755 "$VAR" "$VAR/run"
	if [ "$(id -u)" -eq 0 ]; then dbuser=root; else dbuser=$(id -un); fi
	flush=1
	[ "$DURABLE" = 0 ] && flush=2
	cat > "$MYCNF" <<EOC
[mysqld]
datadir = $VAR/db
socket = $VAR/run/mysqld.sock
pid-file = $VAR/run/mysqld.pid
log-error = $VAR/log/mariadb.log
tmpdir = $VAR/tmp
skip-networking
user = $(id -un)
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
innodb_buffer_pool_size = 512M
innodb_flush_log_at_trx_commit = $flush
max_connections = 200
thread_handling = pool-of-threads
innodb_adaptive_hash_index = ON
[client]
socket = $VAR/run/mysqld.sock
user = $dbuser
EOC
	if [ ! -f "$VAR/data.key" ]; then
		(umask 077 && head -c 32 /dev/urandom > "$VAR/data.key")
	fi
	cat > "$CONF" <<EOC
# written by tests/stack.sh for the stack under $VAR
db_socket = $VAR/run/mysqld.sock
db_user = $dbuser
db_name = staffdesk
listen = $VAR/run/staffdesk.sock
socket_mode = 0666
workers = $WORKERS
max_requests = ${MAX_REQUESTS:-10000}
templates = $ROOT/templates
base_url = http://127.0.0.1:$PORT
data_key_file = $VAR/data.key
sms_log = $VAR/sms.log
log_level = info
ldap_uri = ldap://127.0.0.1:$LDAP_PORT
ldap_starttls = off
ldap_bind_dn = $LDAP_BIND_DN
ldap_bind_password_file = $VAR/ldap/bind.pw
ldap_base_dn = ou=Stores,$LDAP_SUFFIX
ldap_people_filter = (objectClass=inetOrgPerson)
ldap_attr_upn = mail
ldap_units = ou
ldap_units_base = ou=Stores,$LDAP_SUFFIX
ldap_flavor = openldap
ldap_timeout = 5
EOC
	# nginx workers run as nobody when nobody can reach the files.
	userline="user nobody nogroup;"
	if [ "$(id -u)" -eq 0 ] && ! runuser -u nobody -- sh -c \
	    "test -r '$ROOT/static/style.css' && test -x '$VAR/run'" 2>/dev/null; then
		say "nobody cannot read $ROOT: nginx workers run as root (dev only)"
		userline="user root root;"
	fi
	[ "$(id -u)" -ne 0 ] && userline=""
	sed -e "s|@VAR@|$VAR|g" -e "s|@PORT@|$PORT|g" -e "s|@ROOT@|$ROOT|g" \
	    -e "s|@USER@|$userline|" "$ROOT/nginx/dev.conf.in" > "$VAR/nginx.conf"
}

start_db() {
	if alive "$VAR/run/mysqld.pid"; then return 0; fi
	if [ ! -d "$VAR/db/mysql" ]; then
		say "creating the database in $VAR/db"
		mariadb-install-db --defaults-file="$MYCNF" --skip-test-db \
		    --auth-root-authentication-method=socket \
		    --auth-root-socket-user="$(id -un)" >"$VAR/log/install-db.log" 2>&1 ||
		    { say "mariadb-install-db failed: see $VAR/log/install-db.log"; exit 1; }
	fi
	setsid mariadbd --defaults-file="$MYCNF" </dev/null >>"$VAR/log/mariadb.log" 2>&1 &
	wait_for "MariaDB" 60 mariadb-admin --defaults-file="$MYCNF" ping ||
	    { tail -20 "$VAR/log/mariadb.log" >&2; exit 1; }
	mariadb --defaults-file="$MYCNF" -e "CREATE DATABASE IF NOT EXISTS staffdesk \
	    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
}

# The directory: tests/ldap-seed.sh writes cn=config and the people
# once (slapadd, offline), then slapd serves them on $LDAP_PORT.
LDAP_SUFFIX="dc=staffdesk,dc=test"
LDAP_BIND_DN="cn=staffdesk,ou=Services,$LDAP_SUFFIX"

start_ldap() {
	if alive "$VAR/run/slapd.pid"; then return 0; fi
	if [ ! -d "$VAR/ldap/slapd.d" ]; then
		say "creating the directory in $VAR/ldap"
		LDAP_SUFFIX=$LDAP_SUFFIX LDAP_BIND_DN=$LDAP_BIND_DN \
		    "$ROOT/tests/ldap-seed.sh" "$VAR" >"$VAR/log/ldap-seed.log" 2>&1 ||
		    { say "tests/ldap-seed.sh failed: see $VAR/log/ldap-seed.log"; exit 1; }
	fi
	setsid slapd -d 0 -F "$VAR/ldap/slapd.d" \
	    -h "ldap://127.0.0.1:$LDAP_PORT/" </dev/null >>"$VAR/log/slapd.log" 2>&1 &
	wait_for "slapd" 20 ldapwhoami -x -H "ldap://127.0.0.1:$LDAP_PORT" \
	    -D "$LDAP_BIND_DN" -y "$VAR/ldap/bind.pw" ||
	    { tail -20 "$VAR/log/slapd.log" >&2; exit 1; }
}

start_app() {
	if alive "$VAR/run/staffdesk.pid"; then return 0; fi
	"$ROOT/bin/staffdesk.fcgi" --check -c "$CONF" >/dev/null
	STAFFDESK_CONF=$CONF "$ROOT/bin/staffdesk-admin" migrate >/dev/null
	if [ "$SEED" = demo ] && [ ! -f "$VAR/.seeded" ]; then
		STAFFDESK_CONF=$CONF "$ROOT/bin/staffdesk-admin" demo > "$VAR/demo.txt"
		touch "$VAR/.seeded"
	fi
	setsid "$ROOT/bin/staffdesk.fcgi" -c "$CONF" </dev/null \
	    >>"$VAR/log/staffdesk.log" 2>&1 &
	echo $! > "$VAR/run/staffdesk.pid"
	wait_for "staffdesk.fcgi" 20 test -S "$VAR/run/staffdesk.sock"
}

start_nginx() {
	if alive "$VAR/run/nginx.pid"; then return 0; fi
	# Another stack on the port would answer the check below for us.
	if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
		say "port $PORT is in use by another server (PORT=...)"
		exit 1
	fi
	setsid nginx -p "$VAR/nginx/" -e "$VAR/log/nginx-error.log" \
	    -c "$VAR/nginx.conf" </dev/null >>"$VAR/log/nginx.log" 2>&1 &
	wait_for "nginx" 20 curl -sf "http://127.0.0.1:$PORT/healthz" ||
	    { tail -20 "$VAR/log/nginx-error.log" >&2; exit 1; }
}

stop() {
	stop_pid nginx "$VAR/run/nginx.pid"
	stop_pid staffdesk.fcgi "$VAR/run/staffdesk.pid"
	stop_pid slapd "$VAR/run/slapd.pid"
	stop_pid mariadbd "$VAR/run/mysqld.pid"
}

start() {
	if [ ! -x "$ROOT/bin/staffdesk.fcgi" ] || [ ! -x "$ROOT/bin/staffdesk-admin" ]; then
		say "no bin/staffdesk.fcgi or bin/staffdesk-admin: run make all first"
		exit 1
	fi
	write_configs
	start_db
	start_ldap
	start_app
	start_nginx
}

case "${1:-}" in
start)	start ;;
stop)	stop ;;
ldap-stop) stop_pid slapd "$VAR/run/slapd.pid" ;;
ldap-start) start_ldap ;;
status)	for p in mysqld slapd staffdesk nginx; do
		if alive "$VAR/run/$p.pid"; then echo "$p: running"; else echo "$p: stopped"; fi
	done ;;
run)
	t0=$(date +%s.%N)
	trap 'stop; exit 0' INT TERM
	start
	t1=$(date +%s.%N)
	cat <<EOM

staffdesk is running at http://127.0.0.1:$PORT/  (up in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s)
Config: $CONF   SMS messages: $VAR/sms.log   Logs: $VAR/log/
Directory: ldap://127.0.0.1:$LDAP_PORT ($LDAP_SUFFIX; people $VAR/ldap/people.txt)
$(cat "$VAR/demo.txt" 2>/dev/null)

Use the CLI against it:  STAFFDESK_CONF=$CONF bin/staffdesk-admin ...
Press Ctrl-C to stop.
EOM
	while alive "$VAR/run/nginx.pid" && alive "$VAR/run/staffdesk.pid"; do
		sleep 1
	done
	say "a daemon stopped; stopping the rest"
	stop
	exit 1 ;;
*)	echo "usage: tests/stack.sh start|stop|run|status|ldap-stop|ldap-start" >&2; exit 2 ;;
esac
