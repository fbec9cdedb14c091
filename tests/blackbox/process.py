"""The master process: SIGHUP reload, max_requests recycling, SIGTERM, --check, cookie_secure, sms_command failures.

These tests leave the stack under test alone: each starts a private
bin/staffdesk.fcgi (a copy of VAR/staffdesk.conf with its own socket and
the values under test) behind a private nginx on a free port, both under a
temporary directory inside VAR, and stops and removes them at the end.
The database is the shared one.
"""

import contextlib
import signal
import socket
import stat
import tempfile
import threading

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import settings_at


# Polling ------------------------------------------------------------------

def wait_until(cond, secs, what, step=0.05):
    """cond()'s first true value, polled every step for up to secs."""
    deadline = time.time() + secs
    while True:
        v = cond()
        if v:
            return v
        check(time.time() < deadline, "%s: not within %g s" % (what, secs))
        time.sleep(step)


def children(pid):
    p = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                       text=True)
    return {int(x) for x in p.stdout.split() if not gone(int(x))}


def group_members(pgid):
    p = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True,
                       text=True)
    return {int(x) for x in p.stdout.split()}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# HTTP with cookies by hand (a __Host- cookie is Secure: a cookie jar
# would not send it back over plain HTTP) ----------------------------------

def fetch(port, method, path, cookie=None, fields=None, timeout=TIMEOUT):
    """One request on a new connection to 127.0.0.1:port; a Resp whose
    body was read whole (a short body raises IncompleteRead)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"User-Agent": "blackbox/process"}
        body = None
        if cookie:
            headers["Cookie"] = cookie
        if fields is not None:
            body = urllib.parse.urlencode(list(fields.items())).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        return Resp(r.status, r.headers, data, method, path,
                    bool(cookie) and "staffdesk=" in cookie)
    finally:
        c.close()


def set_cookies(r):
    """{name: (value, [attributes])} of a response's Set-Cookie headers."""
    out = {}
    for h in r.headers.get_all("Set-Cookie") or []:
        parts = [p.strip() for p in h.split(";")]
        name, _, value = parts[0].partition("=")
        out[name] = (value, parts[1:])
    return out


def full_page(r, status, what):
    """r has the status and a whole HTML page."""
    check(r.status == status, "%s: %s, want %d" % (what, desc(r), status))
    check(r.body.rstrip().endswith("</html>"), "%s: %s: the page is cut "
          "short (%d bytes, ends %r)" % (what, desc(r), len(r.raw),
                                         r.body[-40:]))


# A private master (+ nginx) -------------------------------------------------

class Private:
    """bin/staffdesk.fcgi -c TMP/staffdesk.conf (+ nginx on a free port)."""

    def __init__(self, conf, templates, nginx, wrap=None):
        self.wrap = list(wrap or [])
        self.tmp = tempfile.mkdtemp(prefix="proc-", dir=VAR)
        os.chmod(self.tmp, 0o755)
        for d in ("run", "log", "nginx"):
            os.makedirs(os.path.join(self.tmp, d))
        os.chmod(os.path.join(self.tmp, "run"), 0o755)
        self.sock = os.path.join(self.tmp, "run", "staffdesk.sock")
        self.conf_path = os.path.join(self.tmp, "staffdesk.conf")
        self.templates = os.path.join(ROOT, "templates")
        if templates:
            self.templates = os.path.join(self.tmp, "templates")
            shutil.copytree(os.path.join(ROOT, "templates"), self.templates)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.values = {"listen": self.sock, "templates": self.templates,
                       "base_url": self.base}
        self.values.update({k: str(v).replace("@TMP@", self.tmp)
                            for k, v in (conf or {}).items()})
        self.want_nginx = nginx
        self.master = self.nginx = None
        self.logs = []

    def log(self, name):
        f = open(os.path.join(self.tmp, "log", name), "ab")
        self.logs.append(f)
        return f

    def read_log(self, name="staffdesk.log"):
        try:
            with open(os.path.join(self.tmp, "log", name),
                      encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def cli(self, *args):
        """staffdesk-admin with this master's config (its sms_command)."""
        env = dict(os.environ)
        env["STAFFDESK_CONF"] = self.conf_path
        return subprocess.run([os.path.join(ROOT, "bin", "staffdesk-admin")]
                              + list(args), capture_output=True, text=True,
                              env=env, timeout=120)

    def tail(self, name="staffdesk.log", n=8):
        return " | ".join(self.read_log(name).splitlines()[-n:])

    def write_conf(self, **values):
        """The config: VAR/staffdesk.conf without the keys set here (and
        without sms_log when sms_command is set), then these values."""
        self.values.update({k: str(v) for k, v in values.items()})
        drop = set(self.values)
        if "sms_command" in self.values:
            drop.add("sms_log")
        out = ["# a private master of tests/blackbox/process.py"]
        with open(os.path.join(VAR, "staffdesk.conf")) as f:
            for line in f.read().splitlines():
                k = line.split("=", 1)[0].strip()
                if "=" in line and not k.startswith("#") and k in drop:
                    continue
                out.append(line)
        for k, v in self.values.items():
            if v != "None":
                out.append("%s = %s" % (k, v))
        tmp = self.conf_path + ".new"
        with open(tmp, "w") as f:
            f.write("\n".join(out) + "\n")
        os.replace(tmp, self.conf_path)

    def start(self):
        self.write_conf()
        log = self.log("staffdesk.log")
        self.master = subprocess.Popen(
            self.wrap + [os.path.join(ROOT, "bin", "staffdesk.fcgi"), "-c",
             self.conf_path], stdin=subprocess.DEVNULL, stdout=log,
            stderr=log, start_new_session=True)
        wait_until(lambda: os.path.exists(self.sock) or
                   self.master.poll() is not None, 20,
                   "the private master's socket")
        check(self.master.poll() is None, "the private master exited %s: %s"
              % (self.master.returncode, self.tail()))
        if "workers" in self.values:
            wait_until(lambda: len(self.workers()) == int(
                self.values["workers"]), 20, "the private master's workers")
        if self.want_nginx:
            self.start_nginx()

    def start_nginx(self):
        if os.geteuid() != 0:
            userline = ""
        elif subprocess.run(
                ["runuser", "-u", "nobody", "--", "sh", "-c",
                 "test -r '%s/static/style.css' && test -x '%s/run'"
                 % (ROOT, self.tmp)], capture_output=True).returncode == 0:
            userline = "user nobody nogroup;"
        else:
            userline = "user root root;"
        with open(os.path.join(ROOT, "nginx", "dev.conf.in")) as f:
            tmpl = f.read()
        pidfile = os.path.join(self.tmp, "run", "nginx.pid")
        for attempt in range(3):
            if attempt:
                self.port = free_port()
                self.base = "http://127.0.0.1:%d" % self.port
            conf = tmpl.replace("@VAR@", self.tmp).replace(
                "@PORT@", str(self.port)).replace("@ROOT@", ROOT).replace(
                "@USER@", userline)
            path = os.path.join(self.tmp, "nginx.conf")
            with open(path, "w") as f:
                f.write(conf)
            log = self.log("nginx.log")
            self.nginx = subprocess.Popen(
                ["nginx", "-p", os.path.join(self.tmp, "nginx") + "/", "-e",
                 os.path.join(self.tmp, "log", "nginx-error.log"), "-c",
                 path], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)

            def up():
                if self.nginx.poll() is not None:
                    return "exited"
                try:
                    with open(pidfile) as f:
                        if f.read().strip() != str(self.nginx.pid):
                            return None
                    # nginx alone: no request reaches a worker yet
                    return fetch(self.port, "GET", "/static/style.css",
                                 timeout=5).status == 200 and "up"
                except (OSError, http.client.HTTPException):
                    return None
            if wait_until(up, 20, "the private nginx") == "up":
                return
            self.nginx.wait()       # the port was taken meanwhile: again
        raise Fail("the private nginx did not start: %s"
                   % self.tail("nginx-error.log"))

    def workers(self):
        return children(self.master.pid) if self.master else set()

    def hup(self):
        self.master.send_signal(signal.SIGHUP)

    def browser(self):
        return Browser(base=self.base)

    def get(self, path, cookie=None):
        return fetch(self.port, "GET", path, cookie=cookie)

    @staticmethod
    def _stop(p):
        if p is None:
            return
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        # whatever is left of its process group (our setsid) is ours
        left = group_members(p.pid)
        if left:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if p.poll() is None:
            p.wait(timeout=10)

    def stop(self):
        try:
            self._stop(self.nginx)
        finally:
            try:
                self._stop(self.master)
            finally:
                for f in self.logs:
                    f.close()
                shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def private_master(conf=None, templates=False, nginx=True, wrap=None):
    """A private master (+ nginx), always stopped and removed after.
    conf: config values (@TMP@ stands for its directory, None drops a
    key); templates: a copy of ROOT/templates under it, which it serves.
    The start sends no request to a worker (nginx is probed with a
    static file), so a worker's count of requests starts at 0. wrap: a
    command the master runs under (ops.py: sandbox.py)."""
    st = Private(conf, templates, nginx, wrap)
    try:
        st.start()
        yield st
    finally:
        st.stop()


# 1. SIGHUP ------------------------------------------------------------------

def login_cookies(port, user, pre):
    """Signs user in through port with visitor cookie pre (sent under both
    of its names); returns the session token."""
    jar = "staffdesk_pre=%s; __Host-staffdesk_pre=%s" % (pre, pre)
    r = fetch(port, "GET", "/login", cookie=jar)
    full_page(r, 200, "GET /login")
    tok = r.csrf()
    check(tok, "no csrf token on /login")
    r = fetch(port, "POST", "/login", cookie=jar, fields={
        "csrf": tok, "username": user.upn, "password": user.password})
    check(r.status == 303 and r.location == "/", "sign-in of %s: %s, "
          "want 303 to /" % (user.upn, desc(r)))
    sc = set_cookies(r)
    for name in ("staffdesk", "__Host-staffdesk"):
        if name in sc:
            return sc[name][0]
    raise Fail("no session cookie after the sign-in: %r" % list(sc))


@test
def sighup_reload():
    """A changed template and a changed config value (workers, cookie
    names) are served after SIGHUP; requests sent all along, sign-ins
    (argon2, slow) among them, all get their whole answer. As many
    workers as clients: with fewer, a sign-in while the others hash and
    a request waits is answered 429 (admit.h), which is not this test's
    business."""
    u = make_user()
    mark = "reloaded-%s" % secrets.token_hex(4)
    with private_master({"workers": 4, "cookie_secure": "off"},
                        templates=True) as st:
        r = st.get("/login")
        full_page(r, 200, "GET /login before the reload")
        check(mark not in r.body, "the mark before the template changed")
        check("staffdesk_pre" in set_cookies(r), "cookie_secure off: Set-"
              "Cookie %r" % list(set_cookies(r)))
        before = st.workers()
        eq(len(before), 4, "workers before the reload")
        pre = base64.urlsafe_b64encode(secrets.token_bytes(16)).decode() \
            .rstrip("=")
        tok = login_cookies(st.port, u, pre)
        # valid under both generations' cookie names
        jar = ("staffdesk=%s; __Host-staffdesk=%s; staffdesk_pre=%s; "
               "__Host-staffdesk_pre=%s" % (tok, tok, pre, pre))

        # the new template and config, in place before the SIGHUP
        lt = os.path.join(st.templates, "login.tpl")
        with open(lt) as f:
            text = f.read()
        check("<h1>Sign in</h1>" in text, "login.tpl has no <h1>Sign in")
        with open(lt, "w") as f:
            f.write(text.replace("<h1>Sign in</h1>", "<h1>Sign in</h1>\n"
                                 "<p id=\"reload-mark\">%s</p>" % mark, 1))
        st.write_conf(workers=5, cookie_secure="on")

        stop = threading.Event()
        lock = threading.Lock()
        seen = []           # (time, "old"/"new") of each GET /login
        spans = []          # (start, end) of each sign-in (argon2: slow)
        errors = []
        done = [0]
        inflight = [0]      # sign-ins sent and not yet answered

        def client(i):
            for n in range(300):
                if stop.is_set():
                    return
                try:
                    r = fetch(st.port, "GET", "/login", cookie=jar)
                    # signed in: /login sends it home
                    check(r.status == 303, "GET /login signed in: %s"
                          % desc(r))
                    r = fetch(st.port, "GET", "/login",
                              cookie="staffdesk_pre=%s; __Host-staffdesk_"
                              "pre=%s" % (pre, pre))
                    full_page(r, 200, "GET /login")
                    csrf = r.csrf()
                    gen = "new" if mark in r.body else "old"
                    with lock:
                        inflight[0] += 1
                    t0 = time.time()
                    try:
                        r2 = fetch(st.port, "POST", "/login", cookie=(
                            "staffdesk_pre=%s; __Host-staffdesk_pre=%s"
                            % (pre, pre)), fields={
                            "csrf": csrf, "username": u.upn,
                            "password": u.password})
                    finally:
                        with lock:
                            inflight[0] -= 1
                            spans.append((t0, time.time()))
                    check(r2.status == 303 and r2.location == "/",
                          "POST /login: %s, want 303 to /" % desc(r2))
                    r3 = fetch(st.port, "GET", "/account", cookie=jar)
                    full_page(r3, 200, "GET /account")
                    check(u.upn in r3.body, "GET /account: not %s's page"
                          % u.upn)
                    with lock:
                        seen.append((time.time(), gen))
                        done[0] += 1
                except Exception as e:
                    with lock:
                        errors.append("client %d, round %d: %s: %s"
                                      % (i, n, type(e).__name__, e))
                    return

        threads = [threading.Thread(target=client, args=(i,), daemon=True)
                   for i in range(4)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: done[0] >= 4 or errors, 15,
                       "4 rounds of requests before the SIGHUP")
            # the signal goes while a sign-in (argon2: tens of ms) is
            # being served, so the test shows one is not dropped
            wait_until(lambda: inflight[0] > 0 or errors, 15,
                       "a sign-in in flight", step=0.001)
            hup_at = time.time()
            st.hup()
            # the threads keep going until the new template is served,
            # then for 8 more rounds
            wait_until(lambda: errors or any(g == "new" for _, g in seen),
                       15, "a GET /login with the new template")
            n = done[0]
            wait_until(lambda: done[0] >= n + 8 or errors, 15,
                       "8 rounds after the reload")
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        check(not errors, "requests around the SIGHUP failed: %s"
              % "; ".join(errors[:4]))
        check(any(g == "old" and at < hup_at for at, g in seen),
              "no request served before the SIGHUP")
        check(any(a < hup_at < b for a, b in spans), "no sign-in was in "
              "flight at the SIGHUP (%d sign-ins)" % len(spans))
        last = max(at for at, g in seen if g == "old")
        check(not any(g == "new" and at < hup_at for at, g in seen),
              "the new template served before the SIGHUP")
        check(seen[-1][1] == "new", "the last GET /login (of %d, the last "
              "old one %.2f s after the SIGHUP) had the old template"
              % (len(seen), last - hup_at))
        # the new generation: 5 workers, none of the old ones
        after = wait_until(lambda: (lambda w: w if len(w) == 5 and
                                    not w & before else None)(st.workers()),
                           10, "5 new workers (before: %s)" % sorted(before))
        r = st.get("/login")
        full_page(r, 200, "GET /login after the reload")
        check_response(r)
        eq(r.id_text("reload-mark"), mark, "#reload-mark after the reload")
        sc = set_cookies(r)
        check("__Host-staffdesk_pre" in sc and "staffdesk_pre" not in sc,
              "cookie_secure on after the reload: Set-Cookie %r" % list(sc))
        check("reloaded: 5 workers" in st.read_log(), "the master's log "
              "does not say it reloaded: %s" % st.tail())
        eq(st.workers(), after, "workers a moment later")


@test
def sighup_bad_config():
    """A config that does not load is refused at SIGHUP: the workers, the
    template and the socket stay, and the log says why."""
    with private_master({"workers": 2}) as st:
        before = st.workers()
        eq(len(before), 2, "workers before")
        with open(st.conf_path, "a") as f:
            f.write("workers = lots\n")
        line = len(open(st.conf_path).read().splitlines())
        st.hup()
        want = "reload refused: %s:%d: workers must be a whole number" % (
            st.conf_path, line)
        wait_until(lambda: want in st.read_log(), 10,
                   "%r in the master's log (%s)" % (want, st.tail()))
        for i in range(6):
            r = st.get("/healthz")
            eq((r.status, r.body), (200, "ok\n"), "GET /healthz #%d after "
               "a refused reload" % i)
        full_page(st.get("/login"), 200, "GET /login after a refused reload")
        eq(st.workers(), before, "workers after a refused reload")
        check(st.master.poll() is None, "the master exited: %s" % st.tail())


@test
def sighup_broken_templates():
    """Templates that do not load are refused at SIGHUP (and by --check):
    the working workers stay and the site keeps answering, instead of
    new workers failing to start while nothing serves."""
    with private_master({"workers": 2}, templates=True) as st:
        before = st.workers()
        eq(len(before), 2, "workers before")
        os.rename(os.path.join(st.templates, "login.tpl"),
                  os.path.join(st.templates, "login.tpl.away"))
        p = fcgi("--check", "-c", st.conf_path)
        check(p.returncode != 0 and "templates in %s do not load"
              % st.templates in p.stderr, "--check with login.tpl "
              "missing: exit %d, %r" % (p.returncode, p.stderr.strip()))
        st.hup()
        want = "reload refused: the templates in %s do not load" \
            % st.templates
        wait_until(lambda: want in st.read_log(), 10,
                   "%r in the master's log (%s)" % (want, st.tail()))
        for i in range(6):
            full_page(st.get("/login"), 200, "GET /login #%d after a "
                      "refused reload" % i)
        eq(st.workers(), before, "workers after a refused reload")
        os.rename(os.path.join(st.templates, "login.tpl.away"),
                  os.path.join(st.templates, "login.tpl"))
        st.hup()
        wait_until(lambda: st.workers() and not st.workers() & before, 10,
                   "new workers after the templates are back")
        full_page(st.get("/login"), 200, "GET /login after the reload")


# 2. max_requests -------------------------------------------------------------

@test
def max_requests_recycle():
    """With max_requests = 3 a worker serves 3 requests, then another
    takes its place; no request is lost."""
    n = 3
    with private_master({"workers": 1, "max_requests": n}) as st:
        def the_worker():
            w = st.workers()
            return next(iter(w)) if len(w) == 1 else None

        def replaced(old):
            return wait_until(lambda: (lambda w: w if w and w != old
                                       else None)(the_worker()), 10,
                              "a new worker after %s's %d requests (%s)"
                              % (old, n, st.tail()))

        # the fixture's start sent nothing to the worker: it has served 0
        w = wait_until(the_worker, 10, "one worker")
        for rnd in range(3):
            for i in range(1, n + 1):
                r = st.get("/healthz")
                eq((r.status, r.body), (200, "ok\n"), "GET /healthz #%d of "
                   "worker %d" % (i, w))
                if i < n:
                    eq(the_worker(), w, "the worker after %d of %d requests"
                       % (i, n))
            w2 = replaced(w)
            check(gone(w), "worker %d still running after %d requests"
                  % (w, n))
            w = w2
        # a burst from threads: each worker takes 3, every request answered
        results, lock = [], threading.Lock()

        def burst():
            for _ in range(6):
                try:
                    r = st.get("/login")
                    ok = r.status == 200 and r.body.rstrip().endswith(
                        "</html>")
                    what = desc(r)
                except Exception as e:
                    ok, what = False, "%s: %s" % (type(e).__name__, e)
                with lock:
                    results.append((ok, what))
        threads = [threading.Thread(target=burst, daemon=True)
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        bad = [w for ok, w in results if not ok]
        eq(len(results), 24, "requests of the burst answered")
        check(not bad, "requests of the burst failed: %s" % bad[:4])
        check(gone(w), "worker %d survived 24 more requests" % w)
        check(st.master.poll() is None, "the master exited: %s" % st.tail())


# 3. SIGTERM ------------------------------------------------------------------

@test
def sigterm_stops():
    """SIGTERM: the master exits 0 with its workers, the socket is removed,
    nginx finds nobody behind it (its 503 page, not a 502)."""
    with private_master({"workers": 2}) as st:
        ws = st.workers()
        eq(len(ws), 2, "workers")
        check(stat.S_ISSOCK(os.stat(st.sock).st_mode), "%s is not a socket"
              % st.sock)
        eq(st.get("/healthz").status, 200, "GET /healthz before SIGTERM")
        st.master.send_signal(signal.SIGTERM)
        try:
            rc = st.master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise Fail("the master still runs 15 s after SIGTERM: %s"
                       % st.tail())
        eq(rc, 0, "the master's exit status after SIGTERM")
        # it waits for its workers before it exits
        left = [w for w in ws if not gone(w)]
        check(not left, "workers %s still running after the master exited"
              % left)
        check(not os.path.exists(st.sock), "the socket %s is still there "
              "after SIGTERM" % st.sock)
        eq(st.get("/healthz").status, 503, "GET /healthz through nginx "
           "once the master is gone")
        check("stopped" in st.read_log(), "the log does not say stopped: %s"
              % st.tail())


# 4. --check ------------------------------------------------------------------

def fcgi(*args, timeout=20):
    """bin/staffdesk.fcgi ARGS in its own process group, killed (with any
    workers) if it runs longer than timeout; a CompletedProcess."""
    p = subprocess.Popen([os.path.join(ROOT, "bin", "staffdesk.fcgi")] +
                         list(args), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise Fail("staffdesk.fcgi %s still runs after %d s: %s %s"
                   % (" ".join(args), timeout, out, err))
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


@test
def check_config():
    """--check: 0 and "FILE: ok" for a good config; non-zero and
    FILE:LINE: reason for an unknown key or a bad value (line numbers
    count comments and blank lines). Start-up refuses the same."""
    tmp = tempfile.mkdtemp(prefix="proc-check-", dir=VAR)
    try:
        with open(os.path.join(VAR, "staffdesk.conf")) as f:
            good = [l for l in f.read().splitlines()
                    if not l.startswith("listen")]
        sock = os.path.join(tmp, "staffdesk.sock")
        good += ["", "# the socket of this test", "listen = %s" % sock]
        path = os.path.join(tmp, "good.conf")
        with open(path, "w") as f:
            f.write("\n".join(good) + "\n")
        p = fcgi("--check", "-c", path)
        eq(p.returncode, 0, "--check of a good config: exit status (%s)"
           % p.stderr.strip())
        eq(p.stdout.strip(), "%s: ok" % path, "--check of a good config")
        check(not os.path.exists(sock), "--check made the socket")
        cases = [
            ("colour = blue", "unknown key 'colour'"),
            ("workers = 0", "workers must be a whole number in range"),
            ("max_requests = ten", "max_requests must be a whole number"),
            ("cookie_secure = maybe", "cookie_secure must be on or off"),
            ("socket_mode = 0999", "socket_mode must be an octal mode"),
            ("templates = templates", "templates must be an absolute path"),
            ("log_level = loud", "log_level must be error, warn, info or "
             "debug"),
            ("workers 2", "expected key = value"),
        ]
        at = 2          # after the config's first comment and line
        for bad, reason in cases:
            lines = good[:at] + ["", "# next: a bad line", bad] + good[at:]
            lineno = at + 3
            path = os.path.join(tmp, "bad.conf")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            p = fcgi("--check", "-c", path)
            out = p.stdout + p.stderr
            check(p.returncode != 0, "--check of a config with %r: exit "
                  "status 0 (%r)" % (bad, out.strip()))
            want = "%s:%d: %s" % (path, lineno, reason)
            check(want in out, "--check of a config with %r: %r, want %r"
                  % (bad, out.strip(), want))
            check(": ok" not in p.stdout, "--check said ok to %r" % bad)
        # without --check: start-up stops there, no socket, no workers
        p = fcgi("-c", path)        # the last case: "workers 2"
        check(p.returncode != 0, "start-up with %r: exit status 0" % bad)
        check("%s:%d: expected key = value" % (path, at + 3) in p.stderr,
              "start-up with %r: %r" % (bad, p.stderr.strip()))
        check(not os.path.exists(sock), "a socket from a refused start-up")
        # a missing file
        p = fcgi("--check", "-c", os.path.join(tmp, "none.conf"))
        check(p.returncode != 0 and "none.conf" in p.stderr,
              "--check of a missing file: %d %r" % (p.returncode, p.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# 5. cookie_secure ------------------------------------------------------------

def cookie_attrs(sc, name, what):
    check(name in sc, "%s: no %s cookie in %r" % (what, name, list(sc)))
    value, attrs = sc[name]
    for a in ("Path=/", "HttpOnly", "SameSite=Lax", "Secure"):
        check(a in attrs, "%s: %s cookie without %s: %r" % (what, name, a,
                                                            attrs))
    check(not any(a.lower().startswith("domain") for a in attrs),
          "%s: a __Host- cookie with a Domain: %r" % (what, attrs))
    return value, attrs


@test
def cookie_secure_on():
    """cookie_secure = on: the visitor and session cookies are
    __Host-staffdesk_pre and __Host-staffdesk, Secure, HttpOnly,
    SameSite=Lax, Path=/; the plain names are not read."""
    u = make_user()
    for conf in ({"cookie_secure": "on"},
                 {"base_url": "https://staffdesk.example"}):
        what = " ".join("%s=%s" % kv for kv in conf.items())
        with private_master(conf) as st:
            r = st.get("/login")
            full_page(r, 200, "GET /login (%s)" % what)
            check_response(r)
            sc = set_cookies(r)
            check("staffdesk_pre" not in sc, "%s: a plain staffdesk_pre "
                  "cookie" % what)
            pre, _ = cookie_attrs(sc, "__Host-staffdesk_pre", what)
            csrf = r.csrf()
            # the visitor cookie under its plain name does not count
            r = fetch(st.port, "POST", "/login", cookie="staffdesk_pre=" +
                      pre, fields={"csrf": csrf, "username": u.upn,
                                   "password": u.password})
            eq(r.status, 403, "%s: POST /login with the visitor cookie "
               "under its plain name" % what)
            r = fetch(st.port, "POST", "/login", cookie="__Host-staffdesk_"
                      "pre=" + pre, fields={"csrf": csrf, "username": u.upn,
                                            "password": u.password})
            check(r.status == 303 and r.location == "/", "%s: sign-in: %s"
                  % (what, desc(r)))
            sc = set_cookies(r)
            check("staffdesk" not in sc, "%s: a plain staffdesk cookie"
                  % what)
            tok, _ = cookie_attrs(sc, "__Host-staffdesk", what)
            r = fetch(st.port, "GET", "/account", cookie="__Host-staffdesk="
                      + tok)
            full_page(r, 200, "%s: GET /account" % what)
            check_response(r)
            check(u.upn in r.body, "%s: /account is not %s's" % (what,
                                                               u.upn))
            r2 = fetch(st.port, "GET", "/account", cookie="staffdesk=" + tok)
            check(r2.status == 303 and r2.location == "/login?next=%2Faccount", "%s: GET "
                  "/account with the token under the plain name: %s"
                  % (what, desc(r2)))
            r = fetch(st.port, "POST", "/logout", cookie="__Host-staffdesk="
                      + tok, fields={"csrf": r.csrf()})
            eq(r.status, 303, "%s: POST /logout" % what)
            v, attrs = cookie_attrs(set_cookies(r), "__Host-staffdesk",
                                    "%s: logout" % what)
            check(v == "" and "Max-Age=0" in attrs, "%s: the logout's "
                  "cookie: %r %r" % (what, v, attrs))
    # and off, even with an https base_url
    with private_master({"base_url": "https://staffdesk.example",
                         "cookie_secure": "off"}) as st:
        sc = set_cookies(st.get("/login"))
        check("staffdesk_pre" in sc and "Secure" not in sc["staffdesk_pre"][1]
              and "__Host-staffdesk_pre" not in sc, "cookie_secure off: "
              "Set-Cookie %r" % sc)


# 6. sms_command --------------------------------------------------------------

def no_pending_texts():
    """Gives up texts left waiting by an earlier run, so that `sms flush`
    here tries only this test's."""
    sql("UPDATE sms_outbox SET status = 'cancelled', sealed = NULL WHERE "
        "status IN ('queued', 'failed')")


def row_id(number):
    rows = sql("SELECT id FROM sms_outbox WHERE number = %s" % sqlq(number))
    check(len(rows) == 1, "sms_outbox rows of %s: %r" % (number, rows))
    return rows[0][0]


SMS_SCRIPT = """#!/bin/sh
# sms_command of tests/blackbox/process.py: exits 1 until @TMP@/sms-ok exists
echo "$1" >> @TMP@/sms-called
if [ -f @TMP@/sms-ok ]; then
    cat > @TMP@/sms-message
    exit 0
fi
cat > /dev/null
exit 1
"""


@test
def sms_command_fails():
    """An sms_command that exits 1: the manager's result page says the
    text message could not be sent (not a 500, not "sent"), the
    sms_outbox row is failed with the exit status; `sms flush` retries
    it (failed again, exit 1), and once the command exits 0 marks it
    sent, and the password it carries works."""
    unit, _ = add_unit("Store SmsCmd")
    m = add_manager("helpdesk-administrator", unit)
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    old = cli_ok("settings", "get", "reset.deliver").strip()
    no_pending_texts()
    with private_master({"sms_command": "@TMP@/sms"}) as st:
        script = os.path.join(st.tmp, "sms")
        with open(script, "w") as f:
            f.write(SMS_SCRIPT.replace("@TMP@", st.tmp))
        os.chmod(script, 0o755)
        b = st.browser()
        b.login(m.upn, m.password, 303, "/login/mfa")
        b.mfa(totp_now(m.secret), "totp", 303, "/")
        try:
            cli_ok("settings", "set", "reset.deliver", "sms")
            path = reset_path(t.id)
            r = b.expect("GET", path, 200)
            before = pw_state(t.id)
            r = b.post(path, {"version": version_of(r)})
            check(r.status == 303 and r.location == path + "/done",
                  "POST %s with a failing sms_command: %s, want 303 to the "
                  "result page" % (path, desc(r)))
            r = b.get(path + "/done")
            eq(r.status, 200, "GET %s/done after a failed SMS" % path)
            msg = r.id_text("sms-failed") or ""
            check("could not be sent" in msg and masked(mobile) in msg,
                  "the result page after a failed SMS: #sms-failed %r" % msg)
            check(r.page.by_id("sent") is None, "the result page says sent"
                  " when sms_command exited 1")
            check(r.page.by_id("temp-password") is None, "the temporary "
                  "password shown with reset.deliver = sms")
            with open(os.path.join(st.tmp, "sms-called")) as f:
                eq(f.read().split(), [mobile], "sms_command's arguments")
            eq(sql("SELECT status FROM sms_outbox WHERE number = %s"
                   % sqlq(mobile)), [["failed"]], "sms_outbox after the "
               "failed SMS")
            check(pw_state(t.id)[1] != before[1], "the page says the "
                  "password was reset, but it was not")
            eq(sql("SELECT status, tries, exit_status, sealed IS NULL FROM "
                   "sms_outbox WHERE number = %s" % sqlq(mobile)),
               [["failed", "1", "1", "0"]], "sms_outbox after the failed "
               "SMS (status, tries, exit status, sealed copy dropped)")
            # sms flush while the command still fails: tried, failed again
            p = st.cli("sms", "flush")
            eq(p.returncode, 1, "sms flush exit status while sms_command "
               "fails: %s" % p.stderr)
            rid = row_id(mobile)
            check("%s\tfailed\n" % rid in p.stdout and "0 sent, 1 failed"
                  in p.stdout and "at most 5 times" in p.stdout,
                  "sms flush said %r" % p.stdout)
            eq(sql("SELECT status, tries FROM sms_outbox WHERE number = %s"
                   % sqlq(mobile)), [["failed", "2"]], "sms_outbox after a "
               "failed retry")
            with open(os.path.join(st.tmp, "sms-called")) as f:
                eq(f.read().split(), [mobile, mobile], "sms_command runs")
            # the same command, now exiting 0: flush sends it
            open(os.path.join(st.tmp, "sms-ok"), "w").close()
            p = st.cli("sms", "flush")
            eq(p.returncode, 0, "sms flush once sms_command works: %s"
               % p.stderr)
            check("%s\tsent\n" % rid in p.stdout and "1 sent, 0 failed"
                  in p.stdout, "sms flush said %r" % p.stdout)
            eq(sql("SELECT status, tries, exit_status, sealed IS NULL, "
                   "sent_at IS NOT NULL FROM sms_outbox WHERE number = %s"
                   % sqlq(mobile)), [["sent", "3", "0", "1", "1"]],
               "sms_outbox after the retry that worked")
            with open(os.path.join(st.tmp, "sms-message")) as f:
                text = f.read()
            found = re.search(r"password is (\S+)", text)
            check(found, "no password in the message %r" % text)
            Browser().login(t.upn, found.group(1), 303, "/account/password")
            # nothing left: a second flush sends nothing again
            p = st.cli("sms", "flush")
            check(p.returncode == 0 and "0 sent, 0 failed, 0 skipped" in
                  p.stdout, "a second sms flush: %r" % p.stdout)
            with open(os.path.join(st.tmp, "sms-called")) as f:
                eq(len(f.read().split()), 3, "sms_command runs in all")
        finally:
            cli("settings", "set", "reset.deliver", old)
    eq(cli_ok("settings", "get", "reset.deliver").strip(), old,
       "reset.deliver after the test")


@test
def sms_flush_bound():
    """A text whose sms_command keeps failing is tried at most 5 times
    (the worker's try and four by sms flush); then its sealed copy is
    dropped and flush leaves it alone."""
    unit, _ = add_unit("Store SmsBound")
    m = add_manager("helpdesk-administrator", unit)
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    old = cli_ok("settings", "get", "reset.deliver").strip()
    no_pending_texts()
    with private_master({"sms_command": "@TMP@/sms"}) as st:
        script = os.path.join(st.tmp, "sms")
        with open(script, "w") as f:
            f.write(SMS_SCRIPT.replace("@TMP@", st.tmp))
        os.chmod(script, 0o755)
        b = st.browser()
        b.login(m.upn, m.password, 303, "/login/mfa")
        b.mfa(totp_now(m.secret), "totp", 303, "/")
        try:
            cli_ok("settings", "set", "reset.deliver", "sms")
            path = reset_path(t.id)
            r = b.expect("GET", path, 200)
            b.expect("POST", path, 303, path + "/done",
                     fields={"version": version_of(r)})
            for i in range(4):
                p = st.cli("sms", "flush")
                eq(p.returncode, 1, "flush #%d: %s" % (i + 1, p.stdout))
            eq(sql("SELECT status, tries, sealed IS NULL FROM sms_outbox "
                   "WHERE number = %s" % sqlq(mobile)), [["failed", "5", "1"]],
               "the row after 5 tries")
            open(os.path.join(st.tmp, "sms-ok"), "w").close()
            p = st.cli("sms", "flush")
            check(p.returncode == 0 and mobile not in p.stdout and
                  "0 sent, 0 failed" in p.stdout, "flush after the bound: %r"
                  % p.stdout)
            with open(os.path.join(st.tmp, "sms-called")) as f:
                eq(f.read().split(), [mobile] * 5, "sms_command runs")
        finally:
            cli("settings", "set", "reset.deliver", old)


SLOW_SMS = """#!/bin/sh
# sms_command of sms_signin_answers_first: takes 2 s, then delivers
sleep 2
cat > @TMP@/sms-$1
"""


@test
def sms_signin_answers_first():
    """/login/sms step 1 answers before its text goes: with an
    sms_command that takes 2 s, a registered number answers about as
    fast as an unknown one (no telling which numbers exist by timing),
    and the code still arrives."""
    unit, _ = add_unit("Store SlowSms")
    number = fresh_mobile()
    member(unit, mobile=number)
    with private_master({"sms_command": "@TMP@/sms"}) as st:
        script = os.path.join(st.tmp, "sms")
        with open(script, "w") as f:
            f.write(SLOW_SMS.replace("@TMP@", st.tmp))
        os.chmod(script, 0o755)
        with settings_at({"sms.signin": "all"}):
            times = {}
            for n in (number, fresh_mobile()):
                b = st.browser()
                b.expect("GET", "/login/sms", 200)
                t0 = time.time()
                r = b.post("/login/sms", {"phone": n})
                times[n] = time.time() - t0
                eq(r.status, 200, "step 1 for %s" % n)
            check(times[number] < 1.0, "a registered number waited for "
                  "the text: %.2f s" % times[number])
            out = os.path.join(st.tmp, "sms-" + number)
            end = time.time() + 10
            while not os.path.exists(out) and time.time() < end:
                time.sleep(0.1)
            check(os.path.exists(out), "the code never reached sms_command")
            with open(out) as f:
                check(re.search(r"\b\d{6}\b", f.read()), "no code in the "
                      "text")


@test
def sms_flush_one_at_a_time():
    """While one `sms flush` holds its lease (a cluster_locks row, sql/016:
    GET_LOCK would hold on one Galera node only), another does nothing
    and says so (two could deliver a text twice); a flush gives the lease
    back when done, and a lease whose holder died is taken once it has
    run out."""
    lease = "SELECT holder IS NULL, held_until <= UTC_TIMESTAMP(6) " \
        "FROM cluster_locks WHERE name = 'sms.flush'"
    p = cli("sms", "flush")
    check("another sms flush" not in p.stderr and "sms flush:" in p.stdout,
          "sms flush with no other running: %r" % p.stderr)
    eq(sql(lease), [["1", "1"]], "the lease after a flush (given back)")
    sql("UPDATE cluster_locks SET holder = 'another-flush', held_until = "
        "UTC_TIMESTAMP(6) + INTERVAL 30 SECOND WHERE name = 'sms.flush'")
    try:
        p = cli("sms", "flush")
        eq(p.returncode, 1, "sms flush while another runs: exit status")
        check("another sms flush is running" in p.stderr, "sms flush "
              "while another runs said %r" % p.stderr)
        eq(sql("SELECT holder FROM cluster_locks WHERE name = "
               "'sms.flush'"), [["another-flush"]], "the other's lease")
        # its holder died a second ago: the lease has run out
        sql("UPDATE cluster_locks SET held_until = UTC_TIMESTAMP(6) - "
            "INTERVAL 1 SECOND WHERE name = 'sms.flush'")
        p = cli("sms", "flush")
        check("another sms flush" not in p.stderr and "sms flush:" in
              p.stdout, "sms flush after the other's lease ran out said "
              "%r" % p.stderr)
        eq(sql(lease), [["1", "1"]], "the lease after that flush")
    finally:
        sql("UPDATE cluster_locks SET holder = NULL, held_until = "
            "UTC_TIMESTAMP(6) WHERE name = 'sms.flush'")


@test
def sms_flush_purges_limits():
    """`sms flush` drops rate_limits rows (limit windows and the locks of
    SMS limit checks) no limit has looked at for two hours, and keeps the
    recent ones: the table does not grow with every number ever texted."""
    old, new = uniq("sms:n:+1999"), uniq("sms:n:+1998")
    sql("INSERT INTO rate_limits (`key`, window_start, count) VALUES "
        "(%s, UTC_TIMESTAMP(6) - INTERVAL 3 HOUR, 0), "
        "(%s, UTC_TIMESTAMP(6) - INTERVAL 90 MINUTE, 0)"
        % (sqlq(old), sqlq(new)))
    cli_ok("sms", "flush")
    eq(sql("SELECT `key` FROM rate_limits WHERE `key` IN (%s, %s)"
           % (sqlq(old), sqlq(new))), [[new]], "rate_limits rows after "
       "sms flush")
