"""Operations: make install and its systemd units, the database accounts of setup-db; a killed worker is replaced, the site survives a MariaDB restart (runs last)."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403

import glob
import select
import signal
import stat
import tempfile

UNITS = ("staffdesk.service", "staffdesk-sms-flush.service",
         "staffdesk-sms-flush.timer")
SECURITY_OK = ("PERFECT", "SAFE", "OK")   # below 5.0; MEDIUM and worse fail


def install_to(dest):
    """make install DESTDIR=dest PREFIX=/usr/local; its output."""
    return make_install("DESTDIR=" + dest, "PREFIX=/usr/local")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@test
def install_files():
    """make install into a DESTDIR: binaries 0755, sql/ and the units 0644
    with PREFIX's paths, the example config 0640 (group staffdesk when
    that group exists) that a second install leaves as it was."""
    with tempfile.TemporaryDirectory(dir=VAR) as dest:
        install_to(dest)
        usr = os.path.join(dest, "usr", "local")
        for b in ("staffdesk.fcgi", "staffdesk-admin"):
            eq(oct(mode(os.path.join(usr, "bin", b))), "0o755", b)
        sqls = sorted(os.path.basename(p) for p in glob.glob(
            os.path.join(usr, "share", "staffdesk", "sql", "*.sql")))
        eq(sqls, sorted(os.path.basename(p) for p in glob.glob(
            os.path.join(ROOT, "sql", "*.sql"))), "share/staffdesk/sql")
        for u in UNITS:
            path = os.path.join(usr, "lib", "systemd", "system", u)
            eq(oct(mode(path)), "0o644", u)
            text = open(path).read()
            check("@PREFIX@" not in text and "@SYSCONFDIR@" not in text,
                  "%s: a placeholder left" % u)
        svc = open(os.path.join(usr, "lib", "systemd", "system",
                                "staffdesk.service")).read()
        for line in ("ExecStart=/usr/local/bin/staffdesk.fcgi",
                     "User=staffdesk", "RuntimeDirectory=staffdesk",
                     "ExecReload=/bin/kill -HUP $MAINPID",
                     "Environment=STAFFDESK_CONF=/etc/staffdesk/"
                     "staffdesk.conf"):
            check(line in svc.splitlines(), "staffdesk.service lacks " + line)
        conf = os.path.join(dest, "etc", "staffdesk", "staffdesk.conf")
        eq(oct(mode(conf)), "0o640", "staffdesk.conf's mode")
        try:
            import grp
            gid = grp.getgrnam("staffdesk").gr_gid
        except KeyError:
            gid = None
        if gid is not None and os.geteuid() == 0:
            eq(os.stat(conf).st_gid, gid, "staffdesk.conf's group")
        text = open(conf).read()
        check("templates = /usr/local/share/staffdesk/templates" in text,
              "the example config names PREFIX's templates")
        with open(conf, "a") as f:
            f.write("# changed by the operator\n")
        out = install_to(dest)
        check("kept " in out, "second install says it kept the config: "
              + out[-500:])
        eq(open(conf).read(), text + "# changed by the operator\n",
           "staffdesk.conf after a second install")
        eq(oct(mode(conf)), "0o640", "staffdesk.conf's mode after a "
           "second install")


def systemd_analyze():
    sa = shutil.which("systemd-analyze")
    if sa is None:
        print("install_units: systemd-analyze is absent: units not "
              "verified", file=sys.stderr)
    return sa


@test
def install_units():
    """systemd-analyze verify has nothing to say about the installed
    units (in a root holding the DESTDIR and the host's own units, so
    ExecStart's binaries and the targets are found), and security
    --offline rates both services OK or better. Skipped, saying so,
    where systemd-analyze is absent."""
    sa = systemd_analyze()
    if sa is None:
        return
    with tempfile.TemporaryDirectory(dir=VAR) as dest:
        install_to(dest)
        host = "/usr/lib/systemd/system"
        check(os.path.isdir(host), "no %s to verify against" % host)
        shutil.copytree(host, os.path.join(dest, "usr", "lib", "systemd",
                                           "system"), symlinks=True)
        unitdir = "/usr/local/lib/systemd/system"
        p = subprocess.run([sa, "verify", "--root=" + dest] +
                           [unitdir + "/" + u for u in UNITS],
                           capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and (p.stdout + p.stderr).strip() == "",
              "systemd-analyze verify: exit %d: %s" % (
                  p.returncode, (p.stdout + p.stderr).strip()))
        for u in UNITS[:2]:
            p = subprocess.run([sa, "security", "--offline=yes",
                                "--no-pager", dest + unitdir + "/" + u],
                               capture_output=True, text=True, timeout=120)
            m = re.search(r"Overall exposure level for \S+: ([0-9.]+) "
                          r"([A-Z]+)", p.stdout)
            check(m is not None, "systemd-analyze security %s: %s" % (
                u, (p.stdout + p.stderr)[-500:]))
            line = "systemd-analyze security %s: %s %s" % (
                u, m.group(1), m.group(2))
            print(line, file=sys.stderr)
            with open(os.path.join(VAR, "log", "install.txt"), "a") as f:
                f.write(line + "\n")
            check(m.group(2) in SECURITY_OK and float(m.group(1)) < 5.0,
                  line + ", want OK or better")


@test
def service_sandbox():
    """The program tolerates staffdesk.service's system call filters:
    a private master run under them (sandbox.py: the unit's
    SystemCallFilter, RestrictAddressFamilies, MemoryDenyWriteExecute
    and no_new_privs, as systemd applies them) serves a global
    administrator's sign-in with an authenticator code, the location
    list, a search, a phone number saved, a password reset and a SIGHUP
    reload, and no worker dies. Skipped, saying so, without
    systemd-analyze or libseccomp."""
    import ctypes.util
    from phones import phone_post
    from process import private_master
    if systemd_analyze() is None:
        return
    if ctypes.util.find_library("seccomp") is None:
        print("service_sandbox: libseccomp is absent: not run",
              file=sys.stderr)
        return
    unit = os.path.join(ROOT, "nginx", "systemd", "staffdesk.service.in")
    wrap = [sys.executable, os.path.join(ROOT, "tests", "blackbox",
                                         "sandbox.py"), unit]
    admin = make_user(role="global-administrator", org=True, totp=True)
    target = make_user()
    tid = user_id(target.upn)
    with private_master({"workers": 2}, wrap=wrap) as st:
        b = Browser(base=st.base)
        b.login(admin.upn, admin.password, 303, "/login/mfa")
        b.mfa(totp_now(admin.secret), location="/")
        b.expect("GET", "/units", 200)
        b.expect("GET", "/search?q=" + urllib.parse.quote(
            target.name.split()[0]), 200)
        r = phone_post(b, tid, "mobile", fresh_mobile())
        eq(r.status, 303, "saving a mobile number under the filters")
        done = reset(b, tid)            # people.py: confirm, 303, done
        check(temp_of(done), "no temporary password after a reset under "
              "the filters")
        before = st.workers()
        os.kill(st.master.pid, signal.SIGHUP)
        deadline = time.time() + 10
        while not (st.workers() and not st.workers() & before):
            check(time.time() < deadline, "workers 10 s after SIGHUP: %s"
                  % st.tail())
            time.sleep(0.05)
        b.expect("GET", "/account", 200)
        log = st.read_log()
        check("died" not in log and "exited" not in log and
              "Operation not permitted" not in log,
              "the master's log under the filters: %s" % st.tail(n=20))


def stack_db_user():
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        m = re.search(r"^db_user = (\S+)$", f.read(), re.M)
    check(m is not None, "no db_user in the stack's staffdesk.conf")
    return m.group(1)


def as_account(cnf, db, query):
    """(exit status, stderr) of query run by the mariadb client with the
    account of the option file cnf (its password never on a command
    line)."""
    p = subprocess.run(["mariadb", "--defaults-file=" + cnf, "--batch",
                        "--skip-column-names", db, "-e", query],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, (p.stdout + p.stderr).strip()


def restore_and_sign_in(tag, db, admin, admin_cli, write_conf, rest, upn,
                        pw, secret):
    """README "Backups, and a restore", step by step, from db into rest."""
    from process import private_master
    dump = os.path.join(VAR, "restore-%s.sql" % tag)
    try:
        with open(dump, "w") as f:
            p = subprocess.run(["mariadb-dump", "--defaults-file=" + mycnf(),
                                "--single-transaction", "--triggers", db],
                               stdout=f, stderr=subprocess.PIPE, text=True,
                               timeout=120)
        check(p.returncode == 0, "mariadb-dump: %s" % p.stderr.strip())
        write_conf(name=rest)
        p = admin_cli("setup-db", "--admin-user", admin)
        check(p.returncode == 0, "setup-db for the restore: %s"
              % p.stderr.strip())
        new_pw = re.fullmatch(r"db_password = (\S+)\n", p.stdout).group(1)
        with open(dump) as f:
            p = subprocess.run(["mariadb", "--defaults-file=" + mycnf(),
                                rest], stdin=f, capture_output=True,
                               text=True, timeout=120)
        check(p.returncode == 0, "loading the dump: %s" % p.stderr.strip())
    finally:
        if os.path.exists(dump):
            os.unlink(dump)
    write_conf("db_password = %s\n" % new_pw, name=rest)
    p = admin_cli("migrate")
    check(p.returncode == 0 and p.stdout == "", "migrate after the "
          "restore: exit %d: %r %s" % (p.returncode, p.stdout,
                                       p.stderr.strip()))
    with private_master({"db_name": rest, "db_user": "sd_app_" + tag,
                         "db_password": new_pw}) as st:
        b = Browser(base=st.base)
        b.login(upn, pw, 303, "/login/mfa")
        b.mfa(totp_now(secret), location="/")
        eq(b.get("/account").status, 200, "GET /account from the restored "
           "database")


@test
def db_accounts():
    """setup-db on a database of its own: the app's account may only
    SELECT, INSERT, UPDATE, DELETE and EXECUTE (the views' procedures;
    DROP TABLE, ALTER, CREATE refused),
    the migrating one applies every migration and migrate uses it; the
    app's account then adds a person (DML, triggers). The password goes
    out once on stdout, the migrating one's into a 0600 file, neither
    on a command line. Then README's backup and restore: mariadb-dump
    --single-transaction, setup-db on a new database, the dump loaded,
    migrate with nothing to do, and the person signs in with their
    password and authenticator code (the data key opens the secret)
    through a private master on the restored database. Databases and
    accounts are dropped in a finally."""
    tag = secrets.token_hex(3)
    db, app, mig = "sd_acct_" + tag, "sd_app_" + tag, "sd_mig_" + tag
    rest = "sd_rest_" + tag
    admin = stack_db_user()
    tmp = tempfile.mkdtemp(dir=VAR)
    base = open(os.path.join(VAR, "staffdesk.conf")).read()
    base = re.sub(r"^(db_user|db_name|db_password) = .*\n", "", base,
                  flags=re.M)
    pwfile = os.path.join(tmp, "migrate.password")
    conf = os.path.join(tmp, "staffdesk.conf")

    def write_conf(extra="", name=db):
        with open(conf, "w") as f:
            f.write(base + "db_name = %s\ndb_user = %s\n"
                    "db_migrate_user = %s\ndb_migrate_password_file = %s\n"
                    % (name, app, mig, pwfile) + extra)

    def admin_cli(*args, stdin=None):
        env = dict(os.environ, STAFFDESK_CONF=conf)
        return subprocess.run([os.path.join(ROOT, "bin", "staffdesk-admin")]
                              + list(args), input=stdin, capture_output=True,
                              text=True, env=env, timeout=300)
    try:
        write_conf()
        p = admin_cli("setup-db", "--admin-user", admin)
        check(p.returncode == 0, "setup-db: exit %d: %s" % (
            p.returncode, p.stderr.strip()))
        m = re.fullmatch(r"db_password = ([A-Za-z0-9_-]{32})\n", p.stdout)
        check(m is not None, "setup-db's stdout: %r" % p.stdout)
        app_pw = m.group(1)
        eq(oct(mode(pwfile)), "0o600", "the migrating password's file")
        mig_pw = open(pwfile).read().strip()
        check(len(mig_pw) == 32 and mig_pw != app_pw, "migrate password")
        check(app_pw not in p.stderr and mig_pw not in p.stderr,
              "a password on stderr")
        grants = [r[0] for r in sql("SHOW GRANTS FOR '%s'@'localhost'"
                                    % app)]
        eq(len(grants), 2, "the app's grants: %s" % grants)
        check(grants[0].startswith("GRANT USAGE ON *.* TO `%s`@`localhost`"
                                   % app), "the app's global grant: %s"
              % grants[0])
        eq(grants[1], "GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON "
           "`sd\\_acct\\_%s`.* TO `%s`@`localhost`" % (tag, app),
           "the app's grant on its database")
        write_conf("db_password = %s\n" % app_pw)
        p = admin_cli("migrate")
        check(p.returncode == 0, "migrate as %s: exit %d: %s" % (
            mig, p.returncode, p.stderr.strip()))
        check("012_list_mobile.sql" in p.stdout, "migrate applied: %r"
              % p.stdout)
        rows = sql("SELECT DEFINER FROM information_schema.TRIGGERS "
                   "WHERE TRIGGER_SCHEMA = '%s'" % db)
        check(rows and all(r[0] == mig + "@localhost" for r in rows),
              "triggers' definer: %s" % rows)
        cnf = os.path.join(tmp, "app.cnf")
        fd = os.open(cnf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write("[client]\nuser = %s\npassword = %s\nsocket = %s\n"
                    % (app, app_pw, os.path.join(VAR, "run", "mysqld.sock")))
        for q in ("DROP TABLE audit_log", "ALTER TABLE users ADD COLUMN "
                  "x INT", "CREATE TABLE t (i INT)", "DROP TRIGGER "
                  "users_listed", "CREATE USER 'x'@'localhost'",
                  "TRUNCATE TABLE sessions"):
            rc, out = as_account(cnf, db, q)
            check(rc != 0 and ("denied" in out or "ERROR 1142" in out
                               or "ERROR 1227" in out),
                  "the app's account ran %r: exit %d %s" % (q, rc, out))
        rc, out = as_account(cnf, db, "START TRANSACTION; "
                             "INSERT INTO settings (name, value) VALUES "
                             "('bb.acct', 'x'); UPDATE settings SET value "
                             "= 'y' WHERE name = 'bb.acct'; SELECT value "
                             "FROM settings WHERE name = 'bb.acct'; DELETE "
                             "FROM settings WHERE name = 'bb.acct'; "
                             "ROLLBACK")
        eq((rc, out), (0, "y"), "SELECT/INSERT/UPDATE/DELETE as the app")
        # A person as the app's account (DML, the triggers), with a
        # password, a role and an authenticator sealed with the data key.
        upn = "acct-%s@bb.example" % tag
        pw = good_password()
        for args, stdin in ((("user", "add", "--upn", upn, "--name",
                              "Acct Test", "--mobile", "+14255550199",
                              "--password-stdin"), pw + "\n"),
                            (("role", "assign", "--user", upn, "--role",
                              "global-administrator"), None),
                            (("mfa", "add-totp", "--upn", upn), None)):
            p = admin_cli(*args, stdin=stdin)
            check(p.returncode == 0, "%s as the app: %s" % (
                " ".join(args[:2]), p.stderr.strip()))
        secret = re.search(r"[?&]secret=([A-Z2-7]+)", p.stdout).group(1)
        restore_and_sign_in(tag, db, admin, admin_cli, write_conf, rest,
                            upn, pw, secret)
        # Without the migrating account's file, migrate says so.
        os.unlink(pwfile)
        p = admin_cli("migrate")
        check(p.returncode == 1 and pwfile in p.stderr,
              "migrate without its password file: %d %s" % (
                  p.returncode, p.stderr.strip()))
    finally:
        sql("DROP DATABASE IF EXISTS `%s`" % db)
        sql("DROP DATABASE IF EXISTS `%s`" % rest)
        sql("DROP USER IF EXISTS '%s'@'localhost', '%s'@'localhost'"
            % (app, mig))
        shutil.rmtree(tmp, ignore_errors=True)


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
    # The holder says "locked" once it has the row (unbuffered), and only
    # then sleeps: on a loaded machine its start may take seconds.
    hold = subprocess.Popen(
        ["mariadb", "--defaults-file=" + mycnf(), "--unbuffered", "-N",
         "staffdesk", "-e",
         "START TRANSACTION; SELECT id FROM users WHERE upn = %s FOR "
         "UPDATE; SELECT 'locked'; SELECT SLEEP(8); COMMIT;" % sqlq(u.upn)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = select.select([hold.stdout], [], [], 30)[0]
        check(ready, "the lock was not taken in 30 s")
        lines = [hold.stdout.readline().strip() for _ in range(2)]
        eq(lines[1], "locked", "the holder's answer (its id, then locked)")
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
