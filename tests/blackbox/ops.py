"""Processes: a killed worker is replaced, the site survives a MariaDB restart (runs last)."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403

import signal


def workers():
    with open(os.path.join(VAR, "run", "staffdesk.pid")) as f:
        master = f.read().strip()
    p = subprocess.run(["pgrep", "-P", master], capture_output=True,
                       text=True)
    return master, {int(x) for x in p.stdout.split()}


@test
def worker_restart():
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    master, before = workers()
    check(before, "no workers under master %s" % master)
    victim = sorted(before)[0]
    os.kill(victim, 9)
    # "After" the kill means once it has landed: until then the victim
    # may still accept the next request and take it down with it (that
    # request's 502 is what any crash costs, not what this checks).
    deadline = time.time() + 5
    while True:
        if gone(victim):
            break
        check(time.time() < deadline, "worker %d still alive 5 s after "
              "kill -9" % victim)
        time.sleep(0.01)
    for i in range(12):
        r = b.get("/account")
        eq(r.status, 200, "GET /account #%d after kill -9 of a worker" % i)
        eq(Browser().get("/healthz").status, 200, "GET /healthz #%d" % i)
    deadline = time.time() + 5
    while True:
        _, now = workers()
        if victim not in now and len(now) == len(before) and now - before:
            break
        check(time.time() < deadline, "workers 5 s after kill -9 of %d: "
              "%s (before %s)" % (victim, sorted(now), sorted(before)))
        time.sleep(0.1)


def db_ping():
    return subprocess.run(["mariadb-admin", "--defaults-file=" + mycnf(),
                           "ping"], capture_output=True,
                          timeout=10).returncode == 0


def note(line):
    """A measurement: to VAR/log/ops.txt and stderr."""
    with open(os.path.join(VAR, "log", "ops.txt"), "a") as f:
        f.write(line + "\n")
    print(line, file=sys.stderr, flush=True)


def mariadbd_pid():
    with open(os.path.join(VAR, "run", "mysqld.pid")) as f:
        return int(f.read().strip())


def timed(b, path, timeout=15):
    """(status, seconds) of GET path; a timeout or reset is a failure."""
    t0 = time.time()
    try:
        st = b.get(path, timeout=timeout).status
    except Exception as e:
        st = repr(e)
    return st, time.time() - t0


STALL_BOUND = 5.0    # seconds: db_timeout (3) and the slack of a busy host


@test
def db_stalled():
    """A server that accepts but never answers (SIGSTOP of mariadbd): every
    request answers 503 within STALL_BOUND (db_timeout), /healthz without
    a cookie too, and all is well again within seconds of SIGCONT, with
    the same workers (no restart). Each page is asked more times than
    there are workers, so every worker meets the stall."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    b.expect("GET", "/account", 200)
    _, before = workers()
    n = len(before) + 1
    pid = mariadbd_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        worst = 0.0
        for i in range(n):
            for what, br, path in (("/healthz", Browser(), "/healthz"),
                                   ("/account signed in", b, "/account")):
                st, dt = timed(br, path)
                eq(st, 503, "GET %s #%d with the DB stalled" % (what, i))
                check(dt < STALL_BOUND, "GET %s #%d with the DB stalled "
                      "took %.2f s, want under %.1f" % (what, i, dt,
                                                       STALL_BOUND))
                worst = max(worst, dt)
        note("db_stalled: slowest 503 %.2f s" % worst)
    finally:
        os.kill(pid, signal.SIGCONT)
    t0 = time.time()
    deadline = t0 + 10
    while True:
        st, _ = timed(Browser(), "/healthz")
        if st == 200:
            break
        check(time.time() < deadline, "GET /healthz 10 s after SIGCONT: %s"
              % st)
        time.sleep(0.1)
    for i in range(n):
        st, dt = timed(b, "/account")
        eq(st, 200, "GET /account #%d after SIGCONT" % i)
        eq(timed(Browser(), "/healthz")[0], 200, "GET /healthz #%d after "
           "SIGCONT" % i)
    note("db_stalled: back %.2f s after SIGCONT" % (time.time() - t0))
    _, after = workers()
    eq(after, before, "workers after the stall (none restarted)")


@test
def db_lock_held():
    """A row another session holds locked (here: the person's, for 8 s)
    costs a request its db_timeout, not InnoDB's 50 s lock wait: the
    sign-in that must write that row answers 503 within STALL_BOUND (a
    lock-wait error and a retry, no dropped link), and signs in once the
    lock is gone."""
    u = make_user()
    hold = subprocess.Popen(
        ["mariadb", "--defaults-file=" + mycnf(), "staffdesk", "-e",
         "START TRANSACTION; SELECT id FROM users WHERE upn = %s FOR "
         "UPDATE; SELECT SLEEP(8); COMMIT;" % sqlq(u.upn)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 5
        while sql("SELECT COUNT(*) FROM information_schema.innodb_trx "
                  "WHERE trx_rows_locked > 0")[0][0] == "0":
            check(time.time() < deadline, "the lock was not taken in 5 s")
            time.sleep(0.05)
        log = os.path.join(VAR, "log", "staffdesk.log")
        logged = os.path.getsize(log)
        b = Browser()
        b.get("/login")
        t0 = time.time()
        r = b.post("/login", {"username": u.upn, "password": u.password},
                   timeout=30)
        dt = time.time() - t0
        eq(r.status, 503, "sign-in while the person's row is locked")
        check(dt < STALL_BOUND + 1, "sign-in with the row locked took "
              "%.2f s, want under %.1f" % (dt, STALL_BOUND + 1))
        with open(log, encoding="utf-8", errors="replace") as f:
            f.seek(logged)
            check("error 2013" not in f.read(), "the link was dropped (a "
                  "read timeout) instead of the lock wait ending")
        note("db_lock_held: 503 in %.2f s" % dt)
    finally:
        hold.kill()
        hold.wait()
    deadline = time.time() + 15
    while True:
        b = Browser()
        b.get("/login")
        r = b.post("/login", {"username": u.upn, "password": u.password})
        if r.status == 303:
            break
        check(time.time() < deadline, "sign-in after the lock: %d" %
              r.status)
        time.sleep(0.5)


@test
def db_restart():
    """Runs last: stops mariadbd, expects 503 (not a hang, not 500), starts
    it as tests/stack.sh does and expects the site back."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    b.expect("GET", "/account", 200)
    p = subprocess.run(["mariadb-admin", "--defaults-file=" + mycnf(),
                        "shutdown"], capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, "mariadb-admin shutdown: %s" % p.stderr)
    try:
        deadline = time.time() + 15
        while True:
            try:
                st = Browser().get("/healthz", timeout=5).status
            except Exception as e:   # a timeout or a reset is a failure
                st = repr(e)
            if st == 503:
                break
            check(time.time() < deadline, "GET /healthz with the DB down: "
                  "%s after 15 s, want 503" % st)
            time.sleep(0.2)
        r = b.get("/account", timeout=10)
        eq(r.status, 503, "GET /account with the DB down")
        r = Browser().get("/login", timeout=10)
        check(r.status in (200, 503), "GET /login with the DB down: %d"
              % r.status)
    finally:
        log = open(os.path.join(VAR, "log", "mariadb.log"), "ab")
        subprocess.Popen(["mariadbd", "--defaults-file=" + mycnf()],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
        log.close()
        deadline = time.time() + 60
        while not db_ping():
            check(time.time() < deadline, "mariadbd did not come back")
            time.sleep(0.1)
    deadline = time.time() + 15
    while True:
        st = Browser().get("/healthz", timeout=5).status
        if st == 200:
            break
        check(time.time() < deadline, "GET /healthz after the DB came back:"
              " %d after 15 s" % st)
        time.sleep(0.2)
    # every worker reconnects: more requests than workers
    for i in range(10):
        r = b.get("/account")
        eq(r.status, 200, "GET /account #%d after the DB restart" % i)
    Browser().login(u.upn, u.password, 303, "/")
