# tests/lib.sh: what tests/stack.sh and tests/cluster.sh share; sourced
# after they set ME (the word their messages start with).

say() { printf '%s: %s\n' "$ME" "$*" >&2; }

# wait_for WHAT SECONDS COMMAND...: polls every 0.1 s.
wait_for() {
	what=$1 secs=$2
	shift 2
	n=0
	while ! "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		if [ "$n" -ge $((secs * 10)) ]; then
			say "$what did not come up in ${secs}s"
			return 1
		fi
		sleep 0.1
	done
}

# alive PIDFILE: its process runs. One killed stays a zombie until its
# parent reaps it (init, for these setsid daemons: here up to 1.5 s),
# and kill -0 succeeds on a zombie, so its state is read too: a master
# killed with -9 and started again at once was taken as running.
alive() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null || return 1
	case $(sed 's/.*) //' "/proc/$(cat "$1")/stat" 2>/dev/null) in
	Z*|X*|"") return 1 ;;
	esac
}

# stop_pid NAME PIDFILE [SECONDS]: SIGTERM, then SIGKILL after SECONDS
# (default 30).
stop_pid() {
	if alive "$2"; then
		pid=$(cat "$2")
		kill -TERM "$pid" 2>/dev/null || true
		n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt $((${3:-30} * 10)) ]; do
			sleep 0.1
			n=$((n + 1))
		done
		kill -0 "$pid" 2>/dev/null && { say "$1 did not stop; killing"; kill -KILL "$pid"; }
	fi
	rm -f "$2"
}
