"""Faults and overload (issue 14): a worker killed under load, MariaDB stopped under load, a database that takes no writes, slow clients, a burst of sign-ins, the socket's queue. Each test notes its figures with ops.note (VAR/log/ops.txt) and leaves the stack as it found it.

The load comes from one asyncio client of our own (keep-alive
connections, each request timed, a connection that ends without an
answer counted as dropped); /healthz is timed from a process of its
own, so that the load's interpreter does not slow the measure.
"""

import asyncio
import contextlib
import multiprocessing
import resource
import signal
import socket
import tempfile
import threading

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from process import free_port, group_members, private_master


# ops is imported when called: at load, its tests would be listed before
# these, and its db_restart is to run last.

def note(line):
    import ops
    ops.note(line)


def workers():
    import ops
    return ops.workers()


# The load ---------------------------------------------------------------

class Answer:
    """One request of the load: when it went and came back (monotonic
    seconds), the status (None: no answer, `error` says why), the
    headers (lower-case names) and the body."""
    __slots__ = ("t0", "t1", "path", "status", "headers", "body", "error")

    def __init__(self, t0, path):
        self.t0, self.path = t0, path
        self.t1 = self.status = self.error = None
        self.headers, self.body = {}, b""


def raw_request(method, path, cookie=None, form=None, port=None):
    """The bytes of an HTTP/1.1 request to the stack under test (or
    another server on port)."""
    body = urllib.parse.urlencode(form).encode() if form else b""
    head = ["%s %s HTTP/1.1" % (method, path),
            "Host: %s:%d" % (HOST, port or PORT),
            "User-Agent: blackbox/faults"]
    if cookie:
        head.append("Cookie: " + cookie)
    if form is not None:
        head += ["Content-Type: application/x-www-form-urlencoded",
                 "Content-Length: %d" % len(body)]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_answer(reader):
    """(status, headers, body) of one response on a keep-alive link."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, sep, v = line.partition(":")
        if sep:
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            n = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            body += await reader.readexactly(n + 2)
            if n == 0:
                break
    else:
        body = await reader.read()
    return status, headers, body


async def one_link(requests, out, timeout, port):
    """Sends requests ((path, bytes) pairs, an iterable) one after the
    other on one keep-alive connection, opening another after a failure;
    appends an Answer each to out."""
    reader = writer = None
    for path, raw in requests:
        a = Answer(time.monotonic(), path)
        out.append(a)
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), timeout)
            writer.write(raw)
            await writer.drain()
            a.status, a.headers, a.body = await asyncio.wait_for(
                read_answer(reader), timeout)
            if a.headers.get("connection", "").lower() == "close":
                writer.close()
                writer = None
        except (OSError, EOFError, ValueError, IndexError,
                asyncio.IncompleteReadError, asyncio.TimeoutError) as e:
            a.error = "%s: %s" % (type(e).__name__, e)
            if writer is not None:
                writer.close()
            writer = None
        a.t1 = time.monotonic()
    if writer is not None:
        writer.close()


def load(links, timeout=30, port=None):
    """Runs each iterable of requests in links on a connection of its
    own, all at once; returns every Answer, in no particular order."""
    out = []

    async def main():
        await asyncio.gather(*(one_link(l, out, timeout, port or PORT)
                               for l in links))
    asyncio.run(main())
    return out


def views(cookie, done):
    """Page views until done() is true: a signed-in /account, the
    sign-in form, /healthz."""
    pages = [("/account", raw_request("GET", "/account", cookie)),
             ("/login", raw_request("GET", "/login")),
             ("/healthz", raw_request("GET", "/healthz"))]
    i = 0
    while not done():
        yield pages[i % len(pages)]
        i += 1


def tally(answers):
    """{status or 'dropped': count} of answers."""
    out = {}
    for a in answers:
        k = a.status if a.status is not None else "dropped"
        out[k] = out.get(k, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: str(kv[0])))


def pct(xs, p):
    """The p-th percentile of xs (nearest rank), or None."""
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs))) - 1))]


# /healthz timed from a process of its own ---------------------------------

def healthz_probe(host, port, stop, pace, conn):
    """In a child: GET /healthz on a new connection (a monitor's way)
    every `pace` seconds until `stop` is set; sends [(start, seconds,
    status or error)] back on conn. Start is time.monotonic()."""
    got = []
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                          b"Connection: close\r\n\r\n")
                data = b""
                while True:
                    d = s.recv(4096)
                    if not d:
                        break
                    data += d
            st = int(data.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError) as e:
            st = repr(e)
        got.append((t0, time.monotonic() - t0, st))
        time.sleep(pace)
    conn.send(got)
    conn.close()


class Probe:
    """with Probe() as p: ... ; then p.samples: /healthz timed all along."""

    def __init__(self, pace=0.005, port=None):
        self.pace, self.port = pace, port or PORT
        self.samples = []

    def __enter__(self):
        ctx = multiprocessing.get_context("fork")
        self.stop = ctx.Event()
        self.rx, tx = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=healthz_probe, args=(
            HOST, self.port, self.stop, self.pace, tx), daemon=True)
        self.proc.start()
        tx.close()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.rx.poll(30):
            self.samples = self.rx.recv()
        self.proc.join(10)
        if self.proc.is_alive():
            self.proc.kill()
        return False

    def between(self, t0, t1):
        """Samples that started within [t0, t1]."""
        return [s for s in self.samples if t0 <= s[0] <= t1]


# 1. A worker killed under load --------------------------------------------

def children_of(pid):
    """The live children of pid, read from /proc (pgrep is too slow to
    time a respawn)."""
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if st[1] == str(pid) and st[0] not in ("Z", "X"):
            out.add(int(d))
    return out


def db_linked(pid):
    """1 when worker pid has its MariaDB connection (its second socket:
    the first is the listening one it was born with), which it opens
    last before taking requests."""
    try:
        fds = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return 0
    n = 0
    for fd in fds:
        try:
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(
                    "socket:"):
                n += 1
        except OSError:
            pass
    return n >= 2


KILL_LOAD = 16       # connections of page views
KILL_AT = 1.5        # seconds into the load
KILL_SPAN = 4.0      # seconds of load


@test
def worker_killed_under_load():
    """kill -9 of a worker while 16 connections view pages: at most the
    one request it was serving fails (nginx's 503 with Retry-After, an
    answer, not a dropped connection), every other request of the load is answered
    200, and the master has a new worker, connected to the database,
    within a second."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    cookie = "staffdesk=" + b.token()
    master, before = workers()
    check(len(before) >= 2, "want 2 workers or more, have %s" % before)
    victim = sorted(before)[0]
    seen = {}

    def killer():
        time.sleep(KILL_AT)
        seen["kill"] = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        deadline = seen["kill"] + 5
        while time.monotonic() < deadline:
            new = children_of(int(master)) - before
            if new and "forked" not in seen:
                seen["forked"] = time.monotonic()
                seen["pid"] = min(new)
            if "pid" in seen and db_linked(seen["pid"]):
                seen["ready"] = time.monotonic()
                return
            time.sleep(0.002)

    t = threading.Thread(target=killer, daemon=True)
    t.start()
    until = time.monotonic() + KILL_SPAN
    answers = load([views(cookie, lambda: time.monotonic() >= until)
                    for _ in range(KILL_LOAD)])
    t.join(10)
    check("kill" in seen, "the worker was not killed")
    bad = [a for a in answers if a.status != 200]
    inflight = [a for a in bad if a.t0 <= seen["kill"] <= a.t1]
    note("worker_killed_under_load: %d requests in %.1f s over %d "
         "connections, %d failed %s; new worker forked %s, serving %s "
         "after the kill" % (
             len(answers), KILL_SPAN, KILL_LOAD, len(bad), tally(bad),
             "%.0f ms" % ((seen["forked"] - seen["kill"]) * 1000)
             if "forked" in seen else "never",
             "%.0f ms" % ((seen["ready"] - seen["kill"]) * 1000)
             if "ready" in seen else "never"))
    check(len(bad) <= 1 and inflight == bad, "failed requests: %s, want "
          "at most the one in flight at the kill" % [
              (a.path, a.status, a.error, round(a.t0 - seen["kill"], 3))
              for a in bad[:5]])
    for a in bad:
        eq(a.status, 503, "the request in flight on the killed worker "
           "(nginx answers it, its 502 mapped to a 503)")
        check(a.headers.get("retry-after"), "the in-flight request's 503 "
              "has no Retry-After")
    after = [a for a in answers if a.t0 > seen["kill"]]
    check(len(after) > 100, "only %d requests after the kill" % len(after))
    check("ready" in seen and seen["ready"] - seen["kill"] < 1.0,
          "the new worker: forked %s, connected %s (want within 1 s)" % (
              seen.get("forked"), seen.get("ready")))
    _, now = workers()
    eq(len(now), len(before), "workers after the kill")
    check(victim not in now, "the killed worker is still there")


# 2. MariaDB stopped under load ---------------------------------------------

DB_DOWN = 5.0        # seconds MariaDB stays stopped
DB_BACK = 2.0        # seconds the site may take to recover after it
DB_503 = 5.0         # seconds: db_timeout (3) and the slack of a busy host


def db_answers():
    return subprocess.run(["mariadb-admin", "--defaults-file=" + mycnf(),
                           "ping"], capture_output=True,
                          timeout=10).returncode == 0


def start_mariadbd():
    """As tests/stack.sh starts it: its own session, the stack's
    options, its log appended."""
    with open(os.path.join(VAR, "log", "mariadb.log"), "ab") as log:
        subprocess.Popen(["mariadbd", "--defaults-file=" + mycnf()],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)


@test
def db_stopped_under_load():
    """MariaDB shut down for 5 s while 16 connections view pages: every
    request is answered, and fast (the database pages 503 with
    Retry-After within db_timeout, /healthz 503, the sign-in form that
    needs no database 200), none dropped; once the server answers
    again, /healthz and a signed-in page are 200 within 2 s, with the same
    workers (none crashed or exited for it). MariaDB is started again as
    tests/stack.sh starts it, also when the test fails."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    cookie = "staffdesk=" + b.token()
    log = os.path.join(VAR, "log", "staffdesk.log")
    logged = os.path.getsize(log)
    marks = {}
    stop = threading.Event()
    box = {}

    def run():
        box["answers"] = load([views(cookie, stop.is_set)
                               for _ in range(16)])
    lt = threading.Thread(target=run, daemon=True)
    lt.start()
    try:
        try:
            time.sleep(1.0)
            p = subprocess.run(["mariadb-admin", "--defaults-file=" +
                                mycnf(), "shutdown"], capture_output=True,
                               text=True, timeout=60)
            check(p.returncode == 0, "mariadb-admin shutdown: %s"
                  % p.stderr)
            marks["down"] = time.monotonic()
            time.sleep(DB_DOWN)
        finally:
            marks["start"] = time.monotonic()
            if not db_answers():
                start_mariadbd()
            deadline = time.monotonic() + 60
            while not db_answers():
                check(time.monotonic() < deadline, "mariadbd did not come "
                      "back in 60 s")
                time.sleep(0.05)
            marks["back"] = time.monotonic()
        # the load goes on past the time allowed for the recovery
        time.sleep(DB_BACK + 1.5)
    finally:
        stop.set()
        lt.join(60)
    answers = box.get("answers")
    check(answers is not None, "the load did not end")
    # down: from the shutdown's end to the start (while it starts, a
    # page may be either)
    down = [a for a in answers if marks["down"] <= a.t0 and
            a.t1 <= marks["start"]]
    dropped = [a for a in answers if a.status is None]
    check(not dropped, "%d requests had no answer: %s" % (
        len(dropped), [(a.path, a.error) for a in dropped[:3]]))
    check(len(down) > 50, "only %d requests while MariaDB was down"
          % len(down))
    slowest = max(a.t1 - a.t0 for a in answers if a.t0 >= marks["down"])
    for a in down:
        want = 200 if a.path == "/login" else 503
        check(a.status == want, "%s while MariaDB was down: %s, want %d"
              % (a.path, a.status, want))
        if a.status == 503 and a.path != "/healthz":
            ra = a.headers.get("retry-after", "")
            check(ra.isdigit() and int(ra) > 0, "a 503 page without "
                  "Retry-After: %r" % a.headers)
    check(slowest < DB_503, "the slowest answer while MariaDB was down "
          "took %.2f s, want under %.1f" % (slowest, DB_503))
    page = [a for a in down if a.path == "/account"][0]
    check(b"database did not answer" in page.body, "the 503 page does not "
          "say why: %r" % page.body[:300])
    # recovery: the first request sent after the server answered again
    # that was 200, for each page, and nothing but 200 after it
    back = {}
    for path in ("/healthz", "/account"):
        ok = [a for a in answers if a.path == path and a.t0 >= marks["back"]
              and a.status == 200]
        check(ok, "%s never 200 again after MariaDB came back" % path)
        back[path] = min(a.t1 for a in ok) - marks["back"]
        late = [a for a in answers if a.path == path and
                a.t0 > marks["back"] + back[path] and a.status != 200]
        check(not late, "%s after it was 200 again: %s" % (
            path, tally(late)))
    worst = max(back.values())
    lat = [a.t1 - a.t0 for a in down]
    note("db_stopped_under_load: %d requests in the %.1f s MariaDB was "
         "stopped %s, none dropped, p50 %.1f ms, slowest %.0f ms (until "
         "it answered again, %.1f s after the shutdown); /healthz 200 "
         "again %.0f ms and /account %.0f ms after it answered" % (
             len(down), marks["start"] - marks["down"], tally(down),
             pct(lat, 50) * 1000, slowest * 1000,
             marks["back"] - marks["down"], back["/healthz"] * 1000,
             back["/account"] * 1000))
    check(worst < DB_BACK, "the site took %.2f s to recover, want under "
          "%.1f" % (worst, DB_BACK))
    # max_requests may recycle a worker under this load (exit 0, not
    # logged); a worker that crashed or gave up would be
    with open(log, encoding="utf-8", errors="replace") as f:
        f.seek(logged)
        ended = [l for l in f.read().splitlines()
                 if re.search(r"worker \d+ (died|exited)", l)]
    check(not ended, "workers ended: %s" % ended[:3])


# 3. A database that takes no writes ----------------------------------------

READONLY_SAYS = b"not taking changes"


def app_account():
    """(name, password) of a new MariaDB account with setup-db's grants
    for the app (SELECT, INSERT, UPDATE, DELETE, EXECUTE on the stack's
    database):
    read_only binds it, as it binds a deployment's db_user. The stack's
    own account is the server's administrator, which read_only does not
    bind."""
    name = "sd_ro_" + secrets.token_hex(3)
    pw = secrets.token_hex(16)
    sql("CREATE USER '%s'@'localhost' IDENTIFIED BY '%s'" % (name, pw))
    sql("GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON staffdesk.* TO "
        "'%s'@'localhost'" % name)
    return name, pw


def refused_write(r, what):
    """r is the page of a database that takes no writes."""
    eq(r.status, 503, what)
    check(READONLY_SAYS in r.raw, "%s: the page does not say the "
          "database takes no changes: %r" % (what, r.body[:400]))
    ra = r.header("Retry-After") or ""
    check(ra.isdigit() and int(ra) > 0, "%s: Retry-After %r" % (what, ra))


@test
def db_read_only():
    """SET GLOBAL read_only = 1 (a read-only server, or as a full disk
    refuses writes) under a master that connects as an account like
    setup-db's: a sign-in, a manager's password reset and a phone number
    saved each answer 503 with a page saying the database takes no
    changes and Retry-After, and nothing is half-done: no session, no
    audit row, the password and the phones as they were. Pages that
    only read still show (a session whose last_seen_at is due is not
    kept alive meanwhile). With read_only off again the same three go
    through, with the same workers."""
    from phones import phone_post
    acct, pw = app_account()
    user = make_user()
    mgr = add_manager("global-administrator")
    target = make_user()
    tid, uid, mid = user_id(target.upn), user_id(user.upn), user_id(mgr.upn)
    number = fresh_mobile()
    try:
        with private_master({"workers": 2, "db_user": acct,
                             "db_password": pw}) as st:
            m = Browser(base=st.base)
            m.login(mgr.upn, mgr.password, 303, "/login/mfa")
            m.mfa(totp_now(mgr.secret), "totp", 303, "/")
            form = m.expect("GET", reset_path(tid), 200)
            version, tok = version_of(form), form.csrf()
            u = Browser(base=st.base)
            u.expect("GET", "/login", 200)
            # due for a touch on its next request
            sql("UPDATE sessions SET last_seen_at = last_seen_at - "
                "INTERVAL 5 MINUTE WHERE user_id = %s" % sqlq(mid))
            seen = sql("SELECT last_seen_at FROM sessions WHERE user_id = "
                       "%s" % sqlq(mid))
            pw_before, phones_before = pw_state(tid), phones_db(tid)
            before = st.workers()
            mark = audit_mark()
            sql("SET GLOBAL read_only = 1")
            try:
                r = u.post("/login", {"username": user.upn,
                                      "password": user.password})
                refused_write(r, "a sign-in with read_only on")
                r = m.post(reset_path(tid), {"version": version}, csrf=tok)
                refused_write(r, "a reset with read_only on")
                r = phone_post(m, tid, "mobile", number)
                refused_write(r, "a phone number saved with read_only on")
                m.expect("GET", "/users/%s" % tid, 200)
            finally:
                sql("SET GLOBAL read_only = 0")
            eq(audit_rows(mark), [], "audit rows written with read_only on")
            eq(sql("SELECT COUNT(sessions.token_hash), MAX(last_signin_at)"
                   " FROM users LEFT JOIN sessions ON sessions.user_id = "
                   "users.id WHERE users.id = %s" % sqlq(uid)),
               [["0", None]], "the person's sessions and last sign-in")
            eq(pw_state(tid), pw_before, "the password after a refused "
               "reset")
            eq(phones_db(tid), phones_before, "the phones after a refused "
               "save")
            eq(sql("SELECT last_seen_at FROM sessions WHERE user_id = %s"
                   % sqlq(mid)), seen, "the manager's session, read only")
            # the same three, now that it takes writes again
            u.expect("GET", "/login", 200)
            u.expect("POST", "/login", 303, "/", fields={
                "username": user.upn, "password": user.password})
            r = phone_post(m, tid, "mobile", number)
            eq(r.status, 303, "a phone number saved after read_only")
            eq(phones_db(tid).get("mobile"), number, "the mobile saved")
            m.expect("POST", reset_path(tid), 303, reset_path(tid) +
                     "/done", fields={"version": version}, csrf=tok)
            check(pw_state(tid) != pw_before, "the reset after read_only "
                  "changed nothing")
            eq(st.workers(), before, "workers (none restarted)")
            note("db_read_only: sign-in, reset and phone save each 503 "
                 "with Retry-After, 0 audit rows, nothing changed; all "
                 "three through once read_only was off")
    finally:
        sql("SET GLOBAL read_only = 0")
        sql("DROP USER IF EXISTS '%s'@'localhost'" % acct)


# 4. Slow clients ------------------------------------------------------------

SLOW_CLIENTS = 200
SLOW_SPAN = 10.0     # seconds the slow clients are measured
SLOW_BYTE = 2.0      # seconds between a slow client's header bytes
SLOW_P99 = 0.050     # seconds: /healthz's 99th percentile meanwhile
OCCUPIED = 0.5       # seconds: /healthz with every worker held is slower;
                     # none may take this long with the slow clients


def stack_workers():
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        return int(re.search(r"^workers = (\d+)$", f.read(), re.M).group(1))


def healthz_seconds(timeout=5):
    t0 = time.monotonic()
    try:
        st = fetch_status("/healthz", timeout)
    except OSError as e:
        st = repr(e)
    return st, time.monotonic() - t0


def fetch_status(path, timeout):
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


@test
def slow_clients():
    """200 clients that send a header byte every 2 s to nginx hold no
    worker: /healthz, asked every 50 ms for 10 s meanwhile, answers 200,
    99% of the time within 50 ms and never in 0.5 s, and the slow
    clients are still connected at the end. First the measure is shown
    to see held workers: with each worker held by a client of the
    FastCGI socket that sent one byte of a request, /healthz takes over
    0.5 s (a held worker costs seconds; a busy machine, a few ms)."""
    sock = os.path.join(VAR, "run", "staffdesk.sock")
    held = []
    try:
        for _ in range(stack_workers()):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock)
            s.sendall(b"\x01")       # a FastCGI header's first byte
            held.append(s)
        time.sleep(0.3)
        st, held_dt = healthz_seconds(timeout=OCCUPIED * 4)
        check(held_dt > OCCUPIED, "/healthz with every worker held: %s "
              "in %.3f s, want over %.1f s: the measure cannot see held "
              "workers" % (st, held_dt, OCCUPIED))
    finally:
        for s in held:
            s.close()
    st, _ = healthz_seconds()
    eq(st, 200, "/healthz once the workers are let go")
    slow = []
    try:
        for _ in range(SLOW_CLIENTS):
            s = socket.create_connection((HOST, PORT), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(s)
        stop = threading.Event()

        def trickle():
            while not stop.wait(SLOW_BYTE):
                for s in slow:
                    s.sendall(b"a")
        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        lat, bad = [], []
        end = time.monotonic() + SLOW_SPAN
        while time.monotonic() < end:
            st, dt = healthz_seconds()
            lat.append(dt)
            if st != 200:
                bad.append(st)
            time.sleep(0.05)
        stop.set()
        t.join(10)
        open_ = 0
        for s in slow:
            try:
                s.sendall(b"a")
                open_ += 1
            except OSError:
                pass
        note("slow_clients: %d clients sending a header byte every %.0f s;"
             " /healthz %d times in %.0f s: p50 %.1f ms, p99 %.1f ms, max "
             "%.1f ms; %d "
             "clients still connected; with every worker held: over %.0f "
             "ms" % (
                 SLOW_CLIENTS, SLOW_BYTE, len(lat), SLOW_SPAN,
                 pct(lat, 50) * 1000, pct(lat, 99) * 1000, max(lat) * 1000,
                 open_, held_dt * 1000))
        check(not bad, "/healthz answered %s" % bad[:5])
        check(pct(lat, 99) < SLOW_P99 and max(lat) < OCCUPIED, "/healthz "
              "with the slow clients: p99 %.1f ms, max %.1f ms, want under "
              "%.0f and %.0f ms" % (pct(lat, 99) * 1000, max(lat) * 1000,
                                    SLOW_P99 * 1000, OCCUPIED * 1000))
        eq(open_, SLOW_CLIENTS, "slow clients still connected")
    finally:
        for s in slow:
            s.close()


# 5. A burst of sign-ins ------------------------------------------------------

BURST = 2000
BURST_LINKS = 200
BURST_P99 = 0.100    # seconds: /healthz's 99th percentile during the burst
# ... and with workers built with AddressSanitizer, each request two to
# three times slower (make SANITIZE=address,undefined test: 133-223 ms
# measured, a plain build's 22-26 ms in the same runs). Without the
# admission it is over 10 s either way.
BURST_P99_SANITIZED = 0.300
# Bursts in a row: one is answered in half a second now, about 30
# samples of /healthz, whose 99th percentile is then their slowest; three
# give one slow sample on a busy machine the weight it has.
BURST_ROUNDS = 3


@test
def signin_burst():
    """2,000 sign-ins (a wrong password; one visitor cookie and token
    fetched first) from 200 connections at once, three times over: each is answered 422
    (judged, audited) or 429 with Retry-After and a page that says why
    (refused before any hash, not audited), none is a 5xx or a
    dropped connection; /healthz, timed all along from another process,
    keeps its 99th percentile under 100 ms (300 ms when the workers run
    under AddressSanitizer); a second after the burst the
    person signs in. The address's failure count and the person's
    lockout are put back after."""
    u = make_user()
    b = Browser()
    r = b.expect("GET", "/login", 200)
    tok, pre = r.csrf(), b.cookie(PRE_COOKIE)
    post = raw_request("POST", "/login", cookie="%s=%s" % (PRE_COOKIE, pre),
                       form=[("csrf", tok), ("username", u.upn),
                             ("password", "not-" + u.password)])
    # the address's failures start from none (its limit is not what
    # is tested) and are put back after
    key = "signin-fail:127.0.0.1"
    saved = sql("SELECT window_start, count FROM rate_limits WHERE `key` = "
                "%s" % sqlq(key))
    mark = audit_mark()
    try:
        sql("DELETE FROM rate_limits WHERE `key` = %s" % sqlq(key))
        answers, spans = [], []
        with Probe() as probe:
            for _ in range(BURST_ROUNDS):
                time.sleep(0.3)
                t0 = time.monotonic()
                answers += load([[("/login", post)] * (BURST // BURST_LINKS)
                                 for _ in range(BURST_LINKS)])
                spans.append((t0, time.monotonic()))
            time.sleep(0.3)
        # the person may sign in again once the second has passed
        time.sleep(1.0)
        sql("UPDATE users SET failed_signins = 0, locked_until = NULL "
            "WHERE upn = %s" % sqlq(u.upn))
        again = Browser()
        again.expect("GET", "/login", 200)
        again = again.post("/login", {"username": u.upn,
                                      "password": u.password})
    finally:
        sql("DELETE FROM rate_limits WHERE `key` = %s" % sqlq(key))
        if saved:
            sql("INSERT INTO rate_limits (`key`, window_start, count) "
                "VALUES (%s, %s, %s)" % (sqlq(key), sqlq(saved[0][0]),
                                         saved[0][1]))
    counts = tally(answers)
    during = [x for t0, t1 in spans for x in probe.between(t0, t1)]
    lat = [s[1] for s in during]
    judged = len(audit_rows(mark, action="signin.password",
                            actor_upn=u.upn, result="failure"))
    note("signin_burst: %d bursts of %d POST /login from %d connections, "
         "%s s: %s; "
         "/healthz %d times meanwhile: p50 %.1f ms, p99 %.1f ms, max %.1f "
         "ms; %d audit rows" % (
             BURST_ROUNDS, BURST, BURST_LINKS, "/".join(
                 "%.2f" % (t1 - t0) for t0, t1 in spans), counts, len(lat),
             (pct(lat, 50) or 0) * 1000, (pct(lat, 99) or 0) * 1000,
             max(lat or [0]) * 1000, judged))
    eq(len(answers), BURST * BURST_ROUNDS, "answers")
    check(set(counts) <= {422, 429}, "statuses of the burst: %s, want 422 "
          "and 429 only" % counts)
    for a in answers:
        if a.status == 429:
            ra = a.headers.get("retry-after", "")
            check(ra.isdigit() and int(ra) > 0, "a 429 without "
                  "Retry-After: %r" % a.headers)
    sample = next((a for a in answers if a.status == 429), None)
    check(sample is not None, "no sign-in was refused: the burst did not "
          "meet the admission")
    check(b"Too many sign-ins at once" in sample.body, "the 429 page: %r"
          % sample.body[:400])
    check(not tidy_errors(sample.body), "the 429 page: tidy: %s"
          % tidy_errors(sample.body)[:3])
    eq(sample.headers.get("content-security-policy"), CSP, "the 429 page's "
       "Content-Security-Policy")
    eq(judged, counts.get(422, 0), "audit rows (one per judged sign-in)")
    bad = [s for s in during if s[2] != 200]
    check(not bad, "/healthz during the burst: %s" % bad[:5])
    check(len(lat) >= 10, "only %d /healthz during the burst" % len(lat))
    from audit import worker_pids, sanitized
    bound = (BURST_P99_SANITIZED if any(sanitized(p) for p in worker_pids())
             else BURST_P99)
    check(pct(lat, 99) < bound, "/healthz's p99 during the burst: "
          "%.1f ms, want under %.0f ms" % (pct(lat, 99) * 1000, bound * 1000))
    check(again.status == 303, "the sign-in a second after the burst: %s"
          % desc(again))


# 6. The socket's queue -------------------------------------------------------

BACKLOG_WANT = 1000  # connections the app's socket must queue at once


@test
def listen_queue_takes_a_burst():
    """1,000 connections to the app's socket at once, none taken yet (as
    nginx makes them in a burst): none is refused (EAGAIN, which nginx
    turns into a 502). Fewer where net.core.somaxconn caps the queue
    lower, saying so."""
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            cap = int(f.read())
    except OSError:
        cap = BACKLOG_WANT
    n = min(BACKLOG_WANT, cap - 16)
    if n < BACKLOG_WANT:
        print("listen_queue_takes_a_burst: net.core.somaxconn is %d: %d "
              "connections" % (cap, n), file=sys.stderr)
    sock = os.path.join(VAR, "run", "staffdesk.sock")
    links, refused = [], 0
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(sock)
                links.append(s)
            except BlockingIOError:
                refused += 1
                s.close()
    finally:
        for s in links:
            s.close()
    note("listen_queue_takes_a_burst: %d connections at once, %d refused"
         % (n, refused))
    eq(refused, 0, "connections refused by the app's socket")
    st, _ = healthz_seconds()
    eq(st, 200, "/healthz after the burst of connections")


# 7. 2,000 sign-ins at the same moment ----------------------------------------

AT_ONCE = 2000
NGINX_CONNECTIONS = 8192     # worker_connections of the nginx in front
AT_ONCE_P99 = 1.0            # seconds: /healthz's 99th percentile meanwhile
                             # (it waits behind up to 2,000 refusals, 0.1-0.3
                             # s; behind their hashes it was 3 s and more)


def nginx_user(tmp):
    """The user line tests/stack.sh and process.py give nginx."""
    if os.geteuid() != 0:
        return ""
    if subprocess.run(["runuser", "-u", "nobody", "--", "sh", "-c",
                       "test -r '%s/static/style.css' && test -x '%s/run'"
                       % (ROOT, tmp)], capture_output=True).returncode == 0:
        return "user nobody nogroup;"
    return "user root root;"


def start_nginx(tmp, conf, log):
    """nginx with config text conf, its prefix and logs under tmp, on
    the port conf names: the process once it serves a static file, or
    None when it exited (its port taken meanwhile)."""
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as f:
        f.write(conf)
    p = subprocess.Popen(["nginx", "-p", os.path.join(tmp, "nginx") + "/",
                          "-e", os.path.join(tmp, "log", "nginx-error.log"),
                          "-c", path], stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, start_new_session=True)
    port = int(re.search(r"listen 127\.0\.0\.1:(\d+);", conf).group(1))
    deadline = time.time() + 20
    while p.poll() is None:
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=2)
            c.request("GET", "/static/style.css")
            if c.getresponse().status == 200:
                return p
        except OSError:
            pass
        if time.time() > deadline:
            stop_nginx(p)
            raise Fail("the wide nginx did not start in 20 s")
        time.sleep(0.05)
    return None


def stop_nginx(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    if group_members(p.pid):
        os.killpg(p.pid, signal.SIGKILL)
    if p.poll() is None:
        p.wait(timeout=10)


@contextlib.contextmanager
def wide_nginx():
    """nginx/dev.conf.in with worker_connections NGINX_CONNECTIONS (and
    the files for them) in front of the stack's own socket, on a free
    port: the room production's nginx must have, as each proxied request
    holds two connections and the dev config's 2 x 1,024 drop what does
    not fit. Yields its port; stopped and removed after."""
    tmp = tempfile.mkdtemp(prefix="wide-", dir=VAR)
    os.chmod(tmp, 0o755)
    for d in ("run", "log", "nginx"):
        os.makedirs(os.path.join(tmp, d), mode=0o755)
    os.symlink(os.path.join(VAR, "run", "staffdesk.sock"),
               os.path.join(tmp, "run", "staffdesk.sock"))
    with open(os.path.join(ROOT, "nginx", "dev.conf.in")) as f:
        tmpl = f.read()
    check("worker_connections 1024;" in tmpl, "dev.conf.in's "
          "worker_connections changed: %s" % re.findall(
              r"worker_connections[^;]*;", tmpl))
    tmpl = tmpl.replace("worker_connections 1024;", "worker_connections "
                        "%d;" % NGINX_CONNECTIONS).replace(
        "@USER@", nginx_user(tmp) + "\nworker_rlimit_nofile %d;"
        % (2 * NGINX_CONNECTIONS + 64)).replace("@VAR@", tmp).replace(
        "@ROOT@", ROOT)
    log = open(os.path.join(tmp, "log", "nginx.log"), "ab")
    p = None
    try:
        for _ in range(3):
            port = free_port()
            p = start_nginx(tmp, tmpl.replace("@PORT@", str(port)), log)
            if p is not None:
                break
        if p is None:
            log.flush()
            with open(os.path.join(tmp, "log", "nginx.log"),
                      errors="replace") as f:
                raise Fail("the wide nginx did not start: %s"
                           % f.read()[-500:])
        yield port
    finally:
        if p is not None:
            stop_nginx(p)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@test
def signin_burst_at_once():
    """The attack run's burst: 2,000 POST /login at the same moment (one
    visitor cookie and token fetched first, the right password), through
    an nginx with room for them (wide_nginx). Each is answered: signed
    in (303), or 429 with Retry-After; never a 502 (the socket's queue
    holds them all) nor a dropped connection; /healthz's p99 meanwhile
    under 1 s. (The attack run: 261 signed in, 1,356 502s, 383
    dropped, /healthz 3.1-3.5 s.)"""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = AT_ONCE + 256
    if soft < want and hard >= want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    n = AT_ONCE if hard >= want else hard - 256
    if n < AT_ONCE:
        print("signin_burst_at_once: %d open files at most: %d at once"
              % (hard, n), file=sys.stderr)
    u = make_user()
    with wide_nginx() as port:
        b = Browser(base="http://%s:%d" % (HOST, port))
        r = b.expect("GET", "/login", 200)
        post = raw_request("POST", "/login", cookie="%s=%s" % (
            PRE_COOKIE, b.cookie(PRE_COOKIE)), form=[
            ("csrf", r.csrf()), ("username", u.upn),
            ("password", u.password)], port=port)
        with Probe(port=port) as probe:
            time.sleep(0.3)
            t0 = time.monotonic()
            answers = load([[("/login", post)] for _ in range(n)],
                           timeout=60, port=port)
            t1 = time.monotonic()
            time.sleep(0.3)
    counts = tally(answers)
    lat = [s[1] for s in probe.between(t0, t1)]
    note("signin_burst_at_once: %d POST /login at once in %.2f s: %s; "
         "/healthz %d times meanwhile: p50 %.1f ms, p99 %.1f ms, max %.1f "
         "ms" % (len(answers), t1 - t0, counts, len(lat),
                 (pct(lat, 50) or 0) * 1000, (pct(lat, 99) or 0) * 1000,
                 max(lat or [0]) * 1000))
    eq(len(answers), n, "answers")
    check(set(counts) <= {303, 429}, "statuses: %s, want 303 and 429 "
          "only" % counts)
    check(counts.get(429), "none refused: the burst did not meet the "
          "admission")
    for a in answers:
        if a.status == 429:
            ra = a.headers.get("retry-after", "")
            check(ra.isdigit() and int(ra) > 0, "a 429 without "
                  "Retry-After: %r" % a.headers)
    check(len(lat) >= 10, "only %d /healthz during the burst" % len(lat))
    check(pct(lat, 99) < AT_ONCE_P99, "/healthz's p99 during the burst: "
          "%.1f ms, want under %.0f ms" % (pct(lat, 99) * 1000,
                                           AT_ONCE_P99 * 1000))
