#!/usr/bin/env python3
"""Black-box tests of a running staffdesk stack (real nginx, workers, MariaDB).

    python3 tests/blackbox.py --base http://127.0.0.1:PORT --var VAR --root ROOT

VAR is the directory tests/stack.sh runs the stack under (staffdesk.conf,
my.cnf, run/, log/); ROOT is the repository (bin/staffdesk-admin). Every
test makes its own users, so the suite can run again and again against the
same stack. Python 3 standard library only; tidy and w3m are used when they
are installed. Prints "ok NAME" or "FAIL NAME: reason" per test, then
"N passed, M failed"; exit status 1 when a test failed.

The DB restart test stops and restarts mariadbd the way tests/stack.sh
does; it runs last. reset_atomic briefly adds a trigger t_fail on audit_log
that refuses every insert (dropped again in a finally); the settings some
tests change (reset.deliver, onprem.writeback, the temporary password TTL)
are set back the same way.
"""

import argparse
import base64
import hashlib
import hmac
import html.parser
import http.client
import http.cookiejar
import itertools
import os
import re
import secrets
import shutil
import struct
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

BASE = None          # http://127.0.0.1:PORT
VAR = None
ROOT = None
HOST = None
PORT = None

CSP = ("default-src 'self'; frame-ancestors 'none'; object-src 'none'; "
       "base-uri 'none'")
GENERIC = ("The username or password is incorrect, or the account is "
           "locked for a while.")
SESSION_COOKIE = "staffdesk"
PRE_COOKIE = "staffdesk_pre"
TIMEOUT = 20


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def eq(got, want, what):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


# ---------------------------------------------------------------- HTML

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = dict(attrs)
        self.parent = parent
        self.children = []      # Node or str

    def text(self):
        out = []
        for c in self.children:
            out.append(c if isinstance(c, str) else c.text())
        return "".join(out)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()


class TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


class Page:
    def __init__(self, body):
        b = TreeBuilder()
        b.feed(body)
        b.close()
        self.root = b.root

    def by_id(self, ident):
        for n in self.root.iter():
            if n.attrs.get("id") == ident:
                return n
        return None

    def all(self, tag):
        return [n for n in self.root.iter() if n.tag == tag]

    def inputs(self, name):
        return [n for n in self.all("input") if n.attrs.get("name") == name]


# ---------------------------------------------------------------- HTTP


class Resp:
    def __init__(self, status, headers, body, method, path, sent_session):
        self.status = status
        self.headers = headers          # http.client.HTTPMessage
        self.raw = body
        self.body = body.decode("utf-8", "replace")
        self.method = method
        self.path = path
        self.sent_session = sent_session
        self._page = None

    def header(self, name):
        return self.headers.get(name)

    @property
    def location(self):
        return self.headers.get("Location")

    @property
    def page(self):
        if self._page is None:
            self._page = Page(self.body)
        return self._page

    def id_text(self, ident):
        n = self.page.by_id(ident)
        return None if n is None else " ".join(n.text().split())

    def csrf(self):
        v = [i.attrs.get("value") for i in self.page.inputs("csrf")]
        v = [x for x in v if x]
        return v[0] if v else None

    def __repr__(self):
        return "%s %s -> %d" % (self.method, self.path, self.status)


def desc(r):
    return "%s %s -> %d%s" % (r.method, r.path, r.status,
                               " Location: %s" % r.location
                               if r.location else "")


TIDY = shutil.which("tidy")
W3M = shutil.which("w3m")
_tidy_seen = {}


def tidy_errors(body):
    """Tidy's error lines for an HTML document (warnings are ignored)."""
    if TIDY is None:
        return []
    key = hashlib.sha256(body).hexdigest()
    if key not in _tidy_seen:
        p = subprocess.run([TIDY, "-q", "-e", "-utf8"], input=body,
                           capture_output=True, timeout=20)
        err = p.stderr.decode("utf-8", "replace").splitlines()
        _tidy_seen[key] = [l for l in err if "Error:" in l] + (
            ["tidy exit status %d" % p.returncode] if p.returncode >= 2
            and not any("Error:" in l for l in err) else [])
    return _tidy_seen[key]


def check_response(r):
    """The rules of DESIGN.md section 8 that every response must keep."""
    where = desc(r)
    ct = r.header("Content-Type")
    check(ct is not None and re.search(r";\s*charset=utf-8", ct, re.I),
          "%s: Content-Type %r has no charset" % (where, ct))
    eq(r.header("X-Content-Type-Options"), "nosniff",
       "%s: X-Content-Type-Options" % where)
    eq(r.header("Content-Security-Policy"), CSP,
       "%s: Content-Security-Policy" % where)
    eq(r.header("Referrer-Policy"), "same-origin",
       "%s: Referrer-Policy" % where)
    if r.sent_session and not r.path.startswith("/static/"):
        cc = r.header("Cache-Control") or ""
        check("no-store" in cc, "%s: signed-in response without "
              "Cache-Control: no-store (%r)" % (where, cc))
    if ct and ct.lower().startswith("text/html"):
        errs = tidy_errors(r.raw)
        check(not errs, "%s: tidy errors: %s" % (where, "; ".join(errs[:5])))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A cookie jar and a user agent that never follows redirects."""
    _n = itertools.count(1)

    def __init__(self, ua=None):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.ua = ua or "blackbox/%d" % next(Browser._n)
        self.last = None

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def set_cookie(self, name, value):
        c = http.cookiejar.Cookie(
            0, name, value, None, False, HOST, False, False, "/", True,
            False, None, False, None, None, {"HttpOnly": None})
        self.jar.set_cookie(c)

    def drop_cookie(self, name):
        try:
            self.jar.clear(HOST, "/", name)
        except KeyError:
            pass

    def request(self, method, path, data=None, ctype=None, checked=True,
                timeout=TIMEOUT):
        req = urllib.request.Request(BASE + path, data=data, method=method)
        req.add_header("User-Agent", self.ua)
        if ctype is not None:
            req.add_header("Content-Type", ctype)
        sent_session = self.cookie(SESSION_COOKIE) is not None
        try:
            with self.opener.open(req, timeout=timeout) as f:
                r = Resp(f.status, f.headers, f.read(), method, path,
                         sent_session)
        except urllib.error.HTTPError as e:
            r = Resp(e.code, e.headers, e.read(), method, path,
                     sent_session)
        self.last = r
        if checked:
            check_response(r)
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, csrf=True, **kw):
        """fields: dict or list of pairs; csrf=True adds the token of the
        last page this browser saw, a string sends that one, None none."""
        pairs = list(fields.items()) if isinstance(fields, dict) else \
            list(fields)
        if csrf is True:
            tok = self.last.csrf() if self.last is not None else None
            check(tok is not None, "no csrf token on the page before "
                  "POST %s (last: %s)" % (path, self.last))
            pairs.insert(0, ("csrf", tok))
        elif isinstance(csrf, str):
            pairs.insert(0, ("csrf", csrf))
        data = urllib.parse.urlencode(pairs).encode()
        return self.request("POST", path, data=data,
                            ctype="application/x-www-form-urlencoded", **kw)

    def expect(self, method, path, status, location=None, fields=None,
               csrf=True):
        r = self.get(path) if method == "GET" else \
            self.post(path, fields or {}, csrf=csrf)
        check(r.status == status and (location is None or
              r.location == location),
              "%s, want %d%s" % (desc(r), status,
                                 " to %s" % location if location else ""))
        return r

    # Flows ------------------------------------------------------------

    def login(self, upn, password, status=303, location=None):
        """GET /login, POST it; checks the status (and Location)."""
        r = self.get("/login")
        if r.status == 303:      # already signed in: post with the session's
            r = self.get("/account")     # token from a signed-in page
        r = self.post("/login", {"username": upn, "password": password})
        check(r.status == status and (location is None or
              r.location == location),
              "sign-in of %s: %s, want %d%s" % (upn, desc(r), status,
                                                " to " + location
                                                if location else ""))
        return r

    def mfa(self, code, method="totp", status=303, location=None):
        r = self.get("/login/mfa")
        eq(r.status, 200, "GET /login/mfa")
        r = self.post("/login/mfa", {"method": method, "code": code})
        check(r.status == status and (location is None or
              r.location == location),
              "MFA with %s: %s, want %d%s" % (method, desc(r), status,
                                              " to " + location
                                              if location else ""))
        return r

    def token(self):
        return self.cookie(SESSION_COOKIE)


def with_token(token):
    """A fresh browser holding only the given session cookie."""
    b = Browser()
    if token is not None:
        b.set_cookie(SESSION_COOKIE, token)
    return b


def raw_post(path, body, headers, timeout=TIMEOUT):
    """POST with http.client, tolerating a server that answers before it
    has read the whole body. Returns (status, headers, body bytes)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        c.putrequest("POST", path)
        for k, v in headers.items():
            c.putheader(k, v)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders()
        try:
            for i in range(0, len(body), 65536):
                c.send(body[i:i + 65536])
        except (BrokenPipeError, ConnectionResetError):
            pass
        resp = c.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        c.close()


# ---------------------------------------------------------------- tools

_seq = itertools.count(1)
RUN = secrets.token_hex(3)


def uniq(prefix="u"):
    return "%s%d-%s-%s@bb.example" % (prefix, next(_seq), RUN,
                                      secrets.token_hex(2))


def conf_env():
    env = dict(os.environ)
    env["STAFFDESK_CONF"] = os.path.join(VAR, "staffdesk.conf")
    return env


def cli(*args, stdin=None):
    p = subprocess.run([os.path.join(ROOT, "bin", "staffdesk-admin")] +
                       list(args), input=stdin, capture_output=True,
                       text=True, env=conf_env(), timeout=60)
    return p


def cli_ok(*args, stdin=None):
    p = cli(*args, stdin=stdin)
    check(p.returncode == 0, "staffdesk-admin %s: exit %d: %s" % (
        " ".join(args), p.returncode, p.stderr.strip()))
    return p.stdout


def mycnf():
    return os.path.join(VAR, "my.cnf")


def sql(query):
    """Rows (lists of strings, NULL as None) of a query on the app's DB."""
    p = subprocess.run(["mariadb", "--defaults-file=" + mycnf(), "--batch",
                        "--skip-column-names", "--raw", "staffdesk", "-e",
                        query], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0, "mariadb: %s" % p.stderr.strip())
    rows = []
    for line in p.stdout.splitlines():
        rows.append([None if c == "NULL" else c for c in line.split("\t")])
    return rows


def sqlq(s):
    """A string literal for SQL (the values used here are plain)."""
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def user_id(upn):
    rows = sql("SELECT id FROM users WHERE upn = %s" % sqlq(upn))
    check(len(rows) == 1, "no user %s in the DB" % upn)
    return rows[0][0]


def good_password():
    return "Tangerine-Bicycle-%s-Orbit" % secrets.token_hex(3)


class User:
    def __init__(self, upn, name, password, secret=None):
        self.upn = upn
        self.name = name
        self.password = password
        self.secret = secret

    @property
    def id(self):
        return user_id(self.upn)


_unit = []


def test_unit():
    """A location of this run, for unit-scoped role assignments."""
    if not _unit:
        name = "Blackbox Store %s" % RUN
        cli_ok("unit", "add", "--name", name)
        _unit.append(name)
    return _unit[0]


def make_user(name=None, role=None, totp=False, password=None, prefix="u",
              org=False):
    """A user with a password; role: one role, at unit scope (a store
    manager) unless org; totp: a TOTP secret provisioned by the CLI."""
    upn = uniq(prefix)
    name = name or "Test %s Person" % secrets.token_hex(2)
    password = password or good_password()
    cli_ok("user", "add", "--upn", upn, "--name", name, "--password-stdin",
           stdin=password + "\n")
    if role and org:
        cli_ok("role", "assign", "--user", upn, "--role", role)
    elif role:
        unit = test_unit()
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
        cli_ok("role", "assign", "--user", upn, "--role", role, "--unit",
               unit)
    secret = None
    if totp:
        out = cli_ok("mfa", "add-totp", "--upn", upn).strip()
        m = re.search(r"[?&]secret=([A-Z2-7]+)", out)
        check(out.startswith("otpauth://totp/") and m,
              "mfa add-totp printed %r" % out)
        secret = m.group(1)
    return User(upn, name, password, secret)


def b32decode(s):
    s = s.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def totp_at(secret, step):
    """RFC 6238: HOTP(K, T) with SHA-1, 6 digits."""
    mac = hmac.new(b32decode(secret), struct.pack(">Q", step),
                   hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    n = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (n % 1000000)


def fresh_step(margin=3):
    """The current 30 s step, after waiting out a step boundary that is
    less than `margin` seconds away."""
    left = 30 - time.time() % 30
    if left < margin:
        time.sleep(left + 0.2)
    return int(time.time() // 30)


def totp_now(secret):
    return totp_at(secret, fresh_step())


def wrong_code(secret):
    step = int(time.time() // 30)
    near = {totp_at(secret, s) for s in range(step - 2, step + 3)}
    while True:
        c = "%06d" % secrets.randbelow(1000000)
        if c not in near:
            return c


def w3m_dump(body):
    p = subprocess.run([W3M, "-dump", "-T", "text/html", "-cols", "100",
                        "-O", "UTF-8"], input=body, capture_output=True,
                       timeout=20)
    return p.stdout.decode("utf-8", "replace")


def session_rows(uid):
    return int(sql("SELECT COUNT(*) FROM sessions WHERE user_id = %s"
                   % sqlq(uid))[0][0])


# ---------------------------------------------------------------- tests

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def healthz():
    b = Browser()
    r = b.get("/healthz")
    eq(r.status, 200, "GET /healthz status")
    eq(r.body.strip(), "ok", "GET /healthz body")
    check(r.header("Content-Type").startswith("text/plain"),
          "GET /healthz Content-Type %r" % r.header("Content-Type"))


@test
def unknown_url_404():
    b = Browser()
    for path in ("/no-such-page", "/account/nope", "/users/not-a-uuid"):
        r = b.get(path)
        eq(r.status, 404, "GET %s status" % path)


@test
def wrong_method_405():
    b = Browser()
    r = b.get("/logout")
    eq(r.status, 405, "GET /logout status")
    allow = r.header("Allow")
    check(allow is not None and "POST" in allow and "GET" not in allow,
          "GET /logout Allow header %r" % allow)
    r = b.post("/healthz", {}, csrf=None)
    eq(r.status, 405, "POST /healthz status")
    check(r.header("Allow") is not None and "GET" in r.header("Allow"),
          "POST /healthz Allow header %r" % r.header("Allow"))


@test
def signin_plain_user():
    u = make_user(name="Olive Plainfield")
    b = Browser()
    r = b.get("/login")
    eq(r.status, 200, "GET /login")
    check(b.cookie(SESSION_COOKIE) is None, "a session cookie before "
          "sign-in")
    check(r.page.by_id("username") is not None and
          r.page.by_id("password") is not None,
          "the sign-in form lacks #username / #password")
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/", 303, "/account")
    r = b.expect("GET", "/account", 200)
    eq(r.id_text("name"), u.name, "#name on /account")
    eq(r.id_text("upn"), u.upn, "#upn on /account")
    rows = sql("SELECT result FROM audit_log WHERE action='signin.password'"
               " AND target_id = %s" % sqlq(u.id))
    eq([x[0] for x in rows], ["success"], "signin.password audit rows")
    check(sql("SELECT last_signin_at IS NOT NULL FROM users WHERE id = %s"
              % sqlq(u.id))[0][0] == "1", "last_signin_at not set")


@test
def signin_wrong_password_and_unknown_user():
    u = make_user()
    b = Browser()
    r = b.login(u.upn, u.password + "x", 422)
    msg_wrong = r.id_text("error")
    check(msg_wrong and msg_wrong.startswith(GENERIC),
          "wrong password message %r" % msg_wrong)
    check(b.token() is None, "a session cookie after a failed sign-in")
    # the username is kept, the password is not
    eq(r.page.by_id("username").attrs.get("value"), u.upn,
       "username kept in the form")
    check(not r.page.by_id("password").attrs.get("value"),
          "the password was sent back in the form")
    check(u.password not in r.body, "the password appears in the page")
    b2 = Browser()
    r2 = b2.login(uniq("nobody"), "Whatever-Password-99", 422)
    eq(r2.id_text("error"), msg_wrong, "unknown-user message vs "
       "wrong-password message")
    # both attempts are audited as failures
    rows = sql("SELECT reason FROM audit_log WHERE action='signin.password'"
               " AND result='failure' AND target_id = %s" % sqlq(u.id))
    eq(len(rows), 1, "failure audit rows for the wrong password")


@test
def lockout():
    u = make_user()
    wrong = ["Wrong-%d-%s" % (i, secrets.token_hex(4)) for i in range(5)]
    b = Browser()
    for i, pw in enumerate(wrong):
        r = b.login(u.upn, pw, 422)
        check((r.id_text("error") or "").startswith(GENERIC),
              "attempt %d message %r" % (i + 1, r.id_text("error")))
    # locked now: the right password is refused with the same message
    r = b.login(u.upn, u.password, 422)
    check((r.id_text("error") or "").startswith(GENERIC),
          "locked account message %r" % r.id_text("error"))
    check(b.token() is None, "a locked account got a session cookie")
    uid = u.id
    eq(session_rows(uid), 0, "sessions of a locked account")
    rows = sql("SELECT result, reason FROM audit_log WHERE action="
               "'signin.password' AND target_id = %s ORDER BY id" % sqlq(uid))
    check(len(rows) == 6 and all(x[0] == "failure" for x in rows),
          "signin.password audit rows: %r" % rows)
    lock = sql("SELECT COUNT(*) FROM audit_log WHERE action="
               "'signin.lockout' AND target_id = %s" % sqlq(uid))
    check(int(lock[0][0]) >= 1, "no signin.lockout audit row")
    lu = sql("SELECT locked_until > UTC_TIMESTAMP(6) FROM users WHERE id = %s"
             % sqlq(uid))
    eq(lu[0][0], "1", "users.locked_until in the future")
    # no column of any audit row, nor any log file, holds a typed password
    for pw in wrong + [u.password]:
        no_secret_stored(pw, "a typed password")


@test
def totp_signin_and_replay():
    u = make_user(role="helpdesk-administrator", totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    tok_pw = b.token()
    check(tok_pw, "no session cookie after the password step")
    b.expect("GET", "/account", 303, "/login/mfa")
    b.expect("GET", "/", 303, "/login/mfa")
    step = fresh_step()
    code = totp_at(u.secret, step)
    b.mfa(code, "totp", 303, "/")
    tok_mfa = b.token()
    check(tok_mfa and tok_mfa != tok_pw, "session token not renewed at MFA")
    r = b.expect("GET", "/account", 200)
    eq(r.id_text("name"), u.name, "#name on /account after MFA")
    last = sql("SELECT last_step FROM totp WHERE user_id = %s" % sqlq(u.id))
    eq(int(last[0][0]), step, "totp.last_step")
    # RFC 6238 5.2: the same code is refused in a new sign-in
    b2 = Browser()
    b2.login(u.upn, u.password, 303, "/login/mfa")
    r = b2.mfa(code, "totp", 422)
    check(r.id_text("error"), "no #error on the refused replay")
    b2.expect("GET", "/account", 303, "/login/mfa")
    rows = sql("SELECT result FROM audit_log WHERE action='signin.mfa' AND "
               "target_id = %s ORDER BY id" % sqlq(u.id))
    eq([x[0] for x in rows], ["success", "failure"], "signin.mfa audit rows")


def enrol(b, u):
    """Enrols TOTP through /account/mfa in a browser that signed in with a
    password; returns (secret, recovery codes)."""
    r = b.expect("GET", "/account/mfa", 200)
    secret = r.id_text("totp-secret")
    check(secret and re.fullmatch(r"[A-Z2-7]{16,}", secret),
          "#totp-secret %r is not base32" % secret)
    svg = r.page.all("svg")
    check(svg, "no inline <svg> QR code on /account/mfa")
    check(any(n.tag == "path" and len(n.attrs.get("d", "")) > 50
              for n in svg[0].iter()),
          "the inline <svg> has no QR path")
    check(not r.page.all("script") and not r.page.all("img"),
          "the enrolment page needs script or an image for the QR code")
    # the pending secret is stable across reloads
    r = b.expect("GET", "/account/mfa", 200)
    eq(r.id_text("totp-secret"), secret, "#totp-secret after reload")
    r = b.post("/account/mfa", {"code": wrong_code(secret)})
    eq(r.status, 422, "POST /account/mfa with a wrong code")
    check(r.id_text("error"), "no #error after a wrong code")
    eq(r.id_text("totp-secret"), secret, "#totp-secret on the 422 page")
    r = b.post("/account/mfa", {"code": totp_now(secret)})
    check(r.status == 303 and r.location == "/account/mfa",
          "%s, want 303 to /account/mfa" % desc(r))
    r = b.expect("GET", "/account/mfa", 200)
    ul = r.page.by_id("recovery-codes")
    check(ul is not None, "no #recovery-codes after enrolment")
    codes = [" ".join(li.text().split()) for li in ul.iter()
             if li.tag == "li"]
    eq(len(codes), 10, "number of recovery codes")
    eq(len(set(codes)), 10, "distinct recovery codes")
    check(all(len(c) >= 8 for c in codes), "short recovery codes %r" % codes)
    return secret, codes


@test
def totp_enrolment():
    u = make_user(role="helpdesk-administrator")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")
    tok_pw = b.token()
    b.expect("GET", "/account", 303, "/account/mfa")
    secret, codes = enrol(b, u)
    check(b.token() != tok_pw, "session token not renewed when enrolment "
          "completed the MFA step")
    r = b.expect("GET", "/account/mfa", 200)
    check(r.page.by_id("recovery-codes") is None,
          "#recovery-codes shown again on reload")
    for c in codes:
        check(c not in r.body, "a recovery code shown again on reload")
    check(r.page.by_id("totp-secret") is None,
          "the secret is still shown after enrolment")
    r = b.expect("GET", "/account", 200)
    eq(r.id_text("name"), u.name, "#name on /account after enrolment")
    rows = sql("SELECT confirmed FROM totp WHERE user_id = %s" % sqlq(u.id))
    eq(rows, [["1"]], "totp row confirmed")
    rows = sql("SELECT COUNT(*) FROM recovery_codes WHERE user_id = %s AND "
               "used_at IS NULL" % sqlq(u.id))
    eq(rows[0][0], "10", "unused recovery codes in the DB")
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action="
               "'account.mfa.enroll' AND target_id = %s" % sqlq(u.id))
    eq(rows[0][0], "1", "account.mfa.enroll audit rows")
    # stored hashed: no code appears in the table
    stored = sql("SELECT code_hash FROM recovery_codes WHERE user_id = %s"
                 % sqlq(u.id))
    for c in codes:
        check(all(c not in row[0] for row in stored),
              "a recovery code stored in clear")


@test
def recovery_code():
    u = make_user(role="helpdesk-administrator")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")
    secret, codes = enrol(b, u)
    b2 = Browser()
    b2.login(u.upn, u.password, 303, "/login/mfa")
    b2.mfa(codes[3], "recovery", 303, "/")
    b2.expect("GET", "/account", 200)
    used = sql("SELECT COUNT(*) FROM recovery_codes WHERE user_id = %s AND "
               "used_at IS NOT NULL" % sqlq(u.id))
    eq(used[0][0], "1", "used recovery codes in the DB")
    b3 = Browser()
    b3.login(u.upn, u.password, 303, "/login/mfa")
    b3.mfa(codes[3], "recovery", 422)
    b3.expect("GET", "/account", 303, "/login/mfa")
    # a made-up code is refused as well
    b3.mfa("NOTACODE99", "recovery", 422)


@test
def mfa_too_many_wrong_codes():
    u = make_user(role="helpdesk-administrator", totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    tok = b.token()
    for i in range(4):
        b.mfa(wrong_code(u.secret), "totp", 422)
        eq(b.token(), tok, "session cookie after wrong code %d" % (i + 1))
    r = b.get("/login/mfa")
    eq(r.status, 200, "GET /login/mfa before the 5th code")
    r = b.post("/login/mfa", {"method": "totp",
                              "code": wrong_code(u.secret)})
    eq(r.status, 429, "POST /login/mfa with the 5th wrong code")
    check(b.token() is None, "the session cookie was not cleared")
    # the server-side session is gone: the old cookie reaches nothing
    with_token(tok).expect("GET", "/account", 303, "/login")
    with_token(tok).expect("GET", "/login/mfa", 303, "/login")
    eq(session_rows(u.id), 0, "sessions left in the DB")
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action='signin.mfa' AND"
               " result='failure' AND target_id = %s" % sqlq(u.id))
    eq(rows[0][0], "5", "signin.mfa failure audit rows")


@test
def mfa_guessing_locks_the_account():
    """Wrong codes count toward the account's lockout across sign-ins: a
    known password does not reset the count while MFA is owed."""
    u = make_user(role="helpdesk-administrator", totp=True)
    for _ in range(2):          # 2 sign-ins x 3 wrong codes = 6 failures
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        for _ in range(3):
            b.mfa(wrong_code(u.secret), "totp", 422)
    rows = sql("SELECT failed_signins, locked_until > UTC_TIMESTAMP(6) FROM "
               "users WHERE id = %s" % sqlq(u.id))
    check(int(rows[0][0]) >= 5 and rows[0][1] == "1",
          "after 6 wrong codes: failed_signins=%s locked=%s, want >= 5 and "
          "locked" % tuple(rows[0]))
    # Locked: the right password and the right code get nowhere.
    b = Browser()
    b.login(u.upn, u.password, 422)
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action = "
               "'signin.lockout' AND target_id = %s" % sqlq(u.id))
    check(int(rows[0][0]) >= 1, "no signin.lockout audit row")


@test
def enrol_secret_is_per_session():
    """Two password-only sessions of a role holder without TOTP get
    different secrets; one cannot confirm the other's."""
    u = make_user(role="helpdesk-administrator")
    a, b = Browser(), Browser()
    a.login(u.upn, u.password, 303, "/account/mfa")
    b.login(u.upn, u.password, 303, "/account/mfa")
    sa = a.expect("GET", "/account/mfa", 200).id_text("totp-secret")
    sb = b.expect("GET", "/account/mfa", 200).id_text("totp-secret")
    check(sa and sb and sa != sb, "both sessions were shown secret %r" % sa)
    r = b.post("/account/mfa", {"code": totp_now(sa)})
    eq(r.status, 422, "session b confirming session a's secret")
    r = a.post("/account/mfa", {"code": totp_now(sa)})
    check(r.status == 303, "session a confirming its own: %s" % desc(r))
    # b's half-done enrolment is void now that one is set up.
    r = b.post("/account/mfa", {"code": totp_now(sb)})
    check(r.status == 303 and r.location == "/account/mfa",
          "a second enrolment: %s" % desc(r))
    b.expect("GET", "/account/mfa", 303, "/login/mfa")
    eq(sql("SELECT COUNT(*) FROM audit_log WHERE action = "
           "'account.mfa.enroll' AND target_id = %s" % sqlq(u.id))[0][0],
       "1", "enrolment audit rows")


@test
def password_only_session_is_not_mfa():
    """A session that signed in with a password only is not taken as
    MFA-fresh when a role is given to its user later."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    cli_ok("role", "assign", "--user", u.upn, "--role",
           "helpdesk-administrator")
    r = b.get("/units")
    check(r.status == 303 and urllib.parse.urlsplit(
          r.location or "").path == "/account/mfa",
          "%s, want 303 to /account/mfa" % desc(r))


@test
def forced_password_change():
    u = make_user(name="Mira Quillfeather")
    temp = "Temp-%s-Lantern" % secrets.token_hex(4)
    cli_ok("user", "set-password", "--upn", u.upn, "--password-stdin",
           "--temporary", stdin=temp + "\n")
    b = Browser()
    # the old password no longer signs in
    b.login(u.upn, u.password, 422)
    b.login(u.upn, temp, 303, "/account/password")
    b.expect("GET", "/account", 303, "/account/password")
    b.expect("GET", "/", 303, "/account/password")
    r = b.expect("GET", "/account/password", 200)
    check(not r.page.inputs("current_password"),
          "the forced-change form asks for the current password")
    check(r.page.inputs("new_password") and
          r.page.inputs("confirm_password"),
          "the form lacks new_password / confirm_password")
    for pw, what in (("password123", "a common password"),
                     ("Quillfeather-%s" % secrets.token_hex(3),
                      "a password with the surname"),
                     ("short", "a 5-character password")):
        r = b.post("/account/password", {"new_password": pw,
                                         "confirm_password": pw})
        eq(r.status, 422, "POST /account/password with %s" % what)
        check(r.id_text("error"), "no #error for %s" % what)
        check(pw not in r.body, "%s sent back in the page" % what)
    new = good_password()
    r = b.post("/account/password", {"new_password": new,
                                     "confirm_password": new + "x"})
    eq(r.status, 422, "POST /account/password with a mismatch")
    r = b.post("/account/password", {"new_password": new,
                                     "confirm_password": new})
    eq(r.status, 303, "POST /account/password with a good password")
    check(r.location in ("/", "/account"), "Location %r" % r.location)
    r = b.expect("GET", "/account", 200)
    eq(r.id_text("name"), u.name, "#name on /account")
    rows = sql("SELECT must_change_password FROM users WHERE id = %s"
               % sqlq(u.id))
    eq(rows[0][0], "0", "users.must_change_password")
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action="
               "'account.password.change' AND result='success' AND "
               "target_id = %s" % sqlq(u.id))
    eq(rows[0][0], "1", "account.password.change audit rows")
    Browser().login(u.upn, temp, 422)
    Browser().login(u.upn, new, 303, "/")


@test
def password_change_asks_current():
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/account/password", 200)
    check(r.page.inputs("current_password"), "a voluntary change does not "
          "ask for the current password")
    new = good_password()
    r = b.post("/account/password", {"current_password": "Not-It-123456",
                                     "new_password": new,
                                     "confirm_password": new})
    eq(r.status, 422, "password change with a wrong current password")
    r = b.post("/account/password", {"current_password": u.password,
                                     "new_password": new,
                                     "confirm_password": new})
    eq(r.status, 303, "password change with the current password")
    Browser().login(u.upn, new, 303, "/")


@test
def w3m_renders_forms():
    if W3M is None:
        return
    u = make_user(name="Wanda Textbrowser")
    r = Browser().get("/login")
    out = w3m_dump(r.raw)
    for label in ("Username", "Password", "Sign in"):
        check(label in out, "w3m /login: %r not visible" % label)
    b2 = Browser()
    temp = "Temp-%s-Harbour" % secrets.token_hex(4)
    cli_ok("user", "set-password", "--upn", u.upn, "--password-stdin",
           "--temporary", stdin=temp + "\n")
    b2.login(u.upn, temp, 303, "/account/password")
    r = b2.expect("GET", "/account/password", 200)
    out = w3m_dump(r.raw)
    for label in ("Change your password", "New password",
                  "New password again", "Change password"):
        check(label in out, "w3m /account/password: %r not visible in:\n%s"
              % (label, out))
    check("Current password" not in out, "w3m: forced change asks for the "
          "current password")
    new = good_password()
    b2.post("/account/password", {"new_password": new,
                                  "confirm_password": new})
    eq(b2.last.status, 303, "forced change")
    r = b2.expect("GET", "/account", 200)
    out = w3m_dump(r.raw)
    for label in ("My account", "Name", u.name, "Username", u.upn,
                  "Sign out", "Change password"):
        check(label in out, "w3m /account: %r not visible in:\n%s"
              % (label, out))


@test
def logout():
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    b.expect("GET", "/account", 200)
    tok = b.token()
    b.expect("POST", "/logout", 303, "/login")
    check(b.token() is None, "session cookie not cleared at logout")
    with_token(tok).expect("GET", "/account", 303, "/login")
    eq(session_rows(u.id), 0, "sessions left after logout")
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action='signout' AND "
               "target_id = %s" % sqlq(u.id))
    eq(rows[0][0], "1", "signout audit rows")


@test
def session_cookie_renewed():
    u = make_user()
    b = Browser()
    b.get("/login")
    pre = b.cookie(PRE_COOKIE)
    check(pre, "no visitor cookie %s before sign-in" % PRE_COOKIE)
    check(b.token() is None, "a session cookie before sign-in")
    # a token planted before sign-in (fixation) is not adopted
    planted = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode() \
        .rstrip("=")
    b.set_cookie(SESSION_COOKIE, planted)
    b.login(u.upn, u.password, 303, "/")
    tok1 = b.token()
    check(tok1 and tok1 != planted and tok1 != pre,
          "session token %r after sign-in (planted %r, visitor %r)"
          % (tok1, planted, pre))
    check(len(tok1) >= 43, "session token shorter than 256 bits: %r" % tok1)
    sc = [v for k, v in b.last.headers.items() if k.lower() == "set-cookie"
          and v.startswith(SESSION_COOKIE + "=")]
    check(sc, "no Set-Cookie for %s at sign-in" % SESSION_COOKIE)
    attrs = [a.strip().lower() for a in sc[0].split(";")[1:]]
    for a in ("httponly", "samesite=lax", "path=/"):
        check(a in attrs, "session cookie lacks %s: %r" % (a, sc[0]))
    # a second sign-in in the same browser gives a new token and ends
    # the old session
    b.login(u.upn, u.password, 303, "/")
    tok2 = b.token()
    check(tok2 and tok2 != tok1, "same token at the second sign-in")
    with_token(tok1).expect("GET", "/account", 303, "/login")
    # another browser gets yet another token
    b3 = Browser()
    b3.login(u.upn, u.password, 303, "/")
    check(b3.token() not in (tok1, tok2), "two sign-ins share a token")
    b.expect("GET", "/account", 200)
    b3.expect("GET", "/account", 200)
    # the DB holds only hashes
    rows = sql("SELECT token_hash FROM sessions WHERE user_id = %s"
               % sqlq(u.id))
    for row in rows:
        check(row[0] not in (tok2, b3.token()), "session token stored in "
              "clear")


@test
def session_cookie_renewed_at_mfa():
    u = make_user(role="helpdesk-administrator", totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    tok_a = b.token()
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    tok_b = b.token()
    check(tok_a and tok_b and tok_a != tok_b,
          "cookie after /login/mfa equals the one after /login")
    with_token(tok_a).expect("GET", "/account", 303, "/login")
    b.expect("GET", "/account", 200)


@test
def csrf():
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/account", 200)
    good = r.csrf()
    check(good, "no csrf token on /account")
    b.expect("POST", "/logout", 403, csrf=None)
    b.expect("POST", "/logout", 403, csrf="A" * 43)
    b.expect("POST", "/account/sessions/revoke", 403, csrf=None)
    b.expect("POST", "/account/sessions/revoke", 403, csrf=good[::-1])
    b.expect("POST", "/account/password", 403,
             fields={"current_password": u.password,
                     "new_password": good_password(),
                     "confirm_password": "x"}, csrf=None)
    # nothing happened: still signed in
    b.expect("GET", "/account", 200)
    eq(session_rows(u.id), 1, "sessions after refused POSTs")
    # the sign-in form needs its token too
    b2 = Browser()
    b2.get("/login")
    r = b2.post("/login", {"username": u.upn, "password": u.password},
                csrf=None)
    eq(r.status, 403, "POST /login without csrf")
    check(b2.token() is None, "a session from a POST /login without csrf")
    r = b2.post("/login", {"username": u.upn, "password": u.password},
                csrf="B" * 43)
    eq(r.status, 403, "POST /login with a wrong csrf")
    # a token from another visitor does not fit this one
    b3 = Browser()
    other = b3.get("/login").csrf()
    r = b2.post("/login", {"username": u.upn, "password": u.password},
                csrf=other)
    eq(r.status, 403, "POST /login with another visitor's csrf")
    # a POST /login with no visitor cookie at all
    b4 = Browser()
    r = b4.post("/login", {"username": u.upn, "password": u.password},
                csrf=other)
    eq(r.status, 403, "POST /login without a visitor cookie")


@test
def body_limits():
    b = Browser()
    r = b.get("/login")
    tok = r.csrf()
    cookie = "%s=%s" % (PRE_COOKIE, b.cookie(PRE_COOKIE))
    hdr = {"Content-Type": "application/x-www-form-urlencoded",
           "Cookie": cookie}
    # 2 MB: refused (by nginx or the app) with 413, never hangs
    body = ("csrf=%s&username=a%%40b.example&password=" % tok).encode() + \
        b"x" * (2 * 1024 * 1024)
    st, h, _ = raw_post("/login", body, hdr)
    eq(st, 413, "a 2 MB POST /login")
    # 100 KB: over the app's 64 KB limit
    body = ("csrf=%s&username=a%%40b.example&password=" % tok).encode() + \
        b"x" * (100 * 1024)
    st, h, _ = raw_post("/login", body, hdr)
    eq(st, 413, "a 100 KB POST /login")

    def form(raw, status, what):
        r = b.request("POST", "/login", data=raw.encode(),
                      ctype="application/x-www-form-urlencoded")
        eq(r.status, status, what)
        return r

    form("csrf=%s&username=a%%zzb&password=x" % tok, 400, "%zz in a field")
    form("csrf=%s&username=a%%4&password=x" % tok, 400,
         "a cut percent escape")
    form("csrf=%s&username=a%%40b.example&username=c%%40d.example&"
         "password=x" % tok, 400, "username sent twice")
    form("csrf=%s&username=%s%%40b.example&password=x" % (tok, "a" * 300),
         400, "a 300-byte username")
    form("csrf=%s&username=a%%00b&password=x" % tok, 400,
         "a NUL byte in the username")
    form("csrf=%s&username=%%ff%%fe&password=x" % tok, 400,
         "invalid UTF-8 in the username")
    r = b.request("POST", "/login", data=("csrf=%s&username=a&password=b"
                                          % tok).encode(),
                  ctype="text/plain")
    check(r.status in (400, 415), "POST /login as text/plain: %d" %
          r.status)
    # the site still answers normally
    eq(b.get("/login").status, 200, "GET /login after the limits")


@test
def escaping():
    u = make_user(name="<script>alert(1)</script> Evil")
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/account", 200)
    check("&lt;script&gt;" in r.body, "/account does not show the escaped "
          "name")
    check("<script>alert" not in r.body.lower(),
          "/account contains the raw <script> of the display name")
    eq(r.id_text("name"), u.name, "#name as text")
    # the username field of the sign-in form is escaped too
    b2 = Browser()
    r = b2.login('"><script>alert(2)</script>@x.example', "Some-Password-1",
                 422)
    check("<script>alert" not in r.body.lower(),
          "the sign-in form echoes a raw <script>")
    eq(r.page.by_id("username").attrs.get("value"),
       '"><script>alert(2)</script>@x.example', "username value kept")


@test
def sign_out_everywhere_else():
    u = make_user()
    a = Browser()
    a.login(u.upn, u.password, 303, "/")
    c = Browser()
    c.login(u.upn, u.password, 303, "/")
    r = a.expect("GET", "/account", 200)
    forms = [f for f in r.page.all("form")
             if f.attrs.get("action") == "/account/sessions/revoke"]
    check(forms, "no 'sign out everywhere else' form with two sessions")
    eq(session_rows(u.id), 2, "sessions before revoke")
    a.expect("POST", "/account/sessions/revoke", 303, "/account")
    c.expect("GET", "/account", 303, "/login")
    r = a.expect("GET", "/account", 200)
    eq(session_rows(u.id), 1, "sessions after revoke")
    forms = [f for f in r.page.all("form")
             if f.attrs.get("action") == "/account/sessions/revoke"]
    check(not forms, "the revoke form shown with one session")


@test
def disabled_user():
    u = make_user()
    a = Browser()
    a.login(u.upn, u.password, 303, "/")
    a.expect("GET", "/account", 200)
    cli_ok("user", "disable", "--upn", u.upn)
    b = Browser()
    r = b.login(u.upn, u.password, 422)
    check((r.id_text("error") or "").startswith(GENERIC),
          "disabled user message %r" % r.id_text("error"))
    check(b.token() is None, "a disabled user got a session cookie")
    a.expect("GET", "/account", 303, "/login")
    r = a.post("/logout", {}, csrf="C" * 43)
    check(r.status in (303, 403), "POST /logout of a disabled user: %s"
          % desc(r))
    cli_ok("user", "enable", "--upn", u.upn)
    Browser().login(u.upn, u.password, 303, "/")


@test
def cli_exit_codes():
    p = cli("user", "add", "--name", "No Upn")
    eq(p.returncode, 2, "user add without --upn: exit status")
    check(p.stderr.startswith("usage:"), "user add without --upn: stderr "
          "%r" % p.stderr)
    eq(p.stdout, "", "user add without --upn: stdout")
    p = cli("frobnicate")
    eq(p.returncode, 2, "an unknown command: exit status")
    upn = uniq("dup")
    cli_ok("user", "add", "--upn", upn, "--name", "Dup One")
    p = cli("user", "add", "--upn", upn, "--name", "Dup Two")
    eq(p.returncode, 1, "a duplicate UPN: exit status")
    eq(len(p.stderr.strip().splitlines()), 1,
       "a duplicate UPN: stderr lines (%r)" % p.stderr)
    eq(p.stdout, "", "a duplicate UPN: stdout")
    p = cli("settings", "set", "mystaff.access", "bogus")
    eq(p.returncode, 1, "settings set mystaff.access bogus: exit status")
    check(p.stderr.strip(), "settings set bogus: no message")
    p = cli("settings", "get", "mystaff.access")
    eq((p.returncode, p.stdout.strip()), (0, "all"),
       "mystaff.access after the refused set")
    p = cli("user", "add", "--upn", uniq("weak"), "--name", "Weak Pw",
            "--password-stdin", stdin="password123\n")
    eq(p.returncode, 1, "user add with a common password: exit status")
    for i in range(2):
        p = cli("migrate")
        eq(p.returncode, 0, "migrate run %d: exit status (%s)"
           % (i + 1, p.stderr.strip()))
    rows = sql("SELECT COUNT(*), COUNT(DISTINCT version) FROM "
               "schema_migrations")
    eq(rows[0][0], rows[0][1], "schema_migrations holds a version twice")


@test
def cli_role_assign():
    """Org-scope and unit-scope assignments; a role holder owes MFA."""
    u = make_user()
    p = cli("role", "assign", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 0, "role assign at org scope: exit status (%s)"
       % p.stderr.strip())
    rows = sql("SELECT role, unit_id FROM role_assignments WHERE user_id = "
               "%s" % sqlq(u.id))
    eq(rows, [["helpdesk-administrator", None]], "role_assignments rows")
    p = cli("role", "assign", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 1, "the same org-scope role twice: exit status")
    p = cli("role", "assign", "--user", u.upn, "--role", "no-such-role")
    eq(p.returncode, 1, "an unknown role: exit status")
    Browser().login(u.upn, u.password, 303, "/account/mfa")
    p = cli("role", "revoke", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 0, "role revoke at org scope: exit status (%s)"
       % p.stderr.strip())
    eq(sql("SELECT COUNT(*) FROM role_assignments WHERE user_id = %s"
           % sqlq(u.id)), [["0"]], "role_assignments after revoke")
    Browser().login(u.upn, u.password, 303, "/")
    v = make_user(role="password-administrator")
    eq(sql("SELECT COUNT(*) FROM role_assignments WHERE user_id = %s AND "
           "unit_id IS NOT NULL" % sqlq(v.id)), [["1"]],
       "unit-scope role_assignments rows")
    Browser().login(v.upn, v.password, 303, "/account/mfa")


# ---------------------------------------------------------------- My Staff

NO_MYSTAFF = "not authorised to see My Staff"
TAG = "q" + RUN


def norm(s):
    return " ".join(s.split())


def signed_in(u):
    """A browser of u (a role holder with a TOTP secret) after the
    password and the TOTP step."""
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    return b


def add_unit(label):
    """A new location of this run: (name, id)."""
    name = "%s %s %s" % (label, TAG, secrets.token_hex(2))
    cli_ok("unit", "add", "--name", name)
    rows = sql("SELECT id FROM units WHERE name = %s" % sqlq(name))
    check(len(rows) == 1, "no unit %s in the DB" % name)
    return name, rows[0][0]


def add_person(name, unit=None, upn=None, mobile=None):
    """A user without a password (a list member); returns the UPN."""
    upn = upn or uniq("p")
    args = ["user", "add", "--upn", upn, "--name", name]
    if mobile:
        args += ["--mobile", mobile]
    cli_ok(*args)
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return upn


def add_manager(role, unit=None, member_of=(), name=None):
    """A user with a password and TOTP holding role at unit (None: org
    scope), a member of the units in member_of."""
    u = make_user(name=name, totp=True, prefix="mgr")
    for m in member_of:
        cli_ok("unit", "add-member", "--unit", m, "--user", u.upn)
    if unit:
        cli_ok("role", "assign", "--user", u.upn, "--role", role, "--unit",
               unit)
    else:
        cli_ok("role", "assign", "--user", u.upn, "--role", role)
    return u


def people_rows(r):
    """The rows of #people: dicts name, upn, phone ("yes"/"no"), status,
    can ("You can"), href."""
    t = r.page.by_id("people")
    if t is None:
        return []
    rows = []
    for tr in t.iter():
        if tr.tag != "tr":
            continue
        tds = [c for c in tr.children if isinstance(c, Node) and
               c.tag == "td"]
        if not tds:
            continue
        a = [n for n in tds[0].iter() if n.tag == "a"]
        rows.append({"name": norm(tds[0].text()),
                     "upn": norm(tds[1].text()) if len(tds) > 1 else "",
                     "phone": norm(tds[3].text()) if len(tds) > 3 else "",
                     "status": norm(tds[4].text()) if len(tds) > 4 else "",
                     "can": norm(tds[-1].text()),
                     "href": a[0].attrs.get("href") if a else None})
    return rows


def unit_links(r):
    """(name, href) of the links in #units."""
    ul = r.page.by_id("units")
    if ul is None:
        return []
    return [(norm(a.text()), a.attrs.get("href")) for a in ul.iter()
            if a.tag == "a"]


def pager(r, rel):
    """The path of the rel=next / rel=prev link, resolved against the
    page's own path, or None."""
    for a in r.page.all("a"):
        if a.attrs.get("rel") == rel:
            return urllib.parse.urljoin(r.path, a.attrs.get("href", ""))
    return None


def walk(b, path, max_pages=60):
    """Follows the Next links from path; returns the responses."""
    out = []
    while path is not None:
        r = b.expect("GET", path, 200)
        out.append(r)
        check(len(out) <= max_pages, "more than %d pages from %s"
              % (max_pages, out[0].path))
        path = pager(r, "next")
    return out


def search_rows(b, q):
    """Every person row of /search?q= over all its pages."""
    rows = []
    for r in walk(b, "/search?" + urllib.parse.urlencode({"q": q})):
        rows += people_rows(r)
    return rows


def profile(b, path):
    """(has #reset-password, has #phones-edit, denial lines) of a
    /users/{id} page."""
    r = b.expect("GET", path, 200)
    ul = r.page.by_id("actions")
    denied = [] if ul is None else [
        norm(li.text()) for li in ul.iter() if li.tag == "li" and
        "denied" in li.attrs.get("class", "").split()]
    reset = r.page.by_id("reset-password")
    phones = r.page.by_id("phones-edit")
    if reset is not None:
        eq(reset.attrs.get("href"), path + "/reset-password",
           "%s: #reset-password href" % path)
    if phones is not None:
        eq(phones.attrs.get("href"), path + "/phone",
           "%s: #phones-edit href" % path)
    return reset is not None, phones is not None, denied


def denial(denied, what, text=None):
    """The denial line for what ("Reset password", "Phone numbers")."""
    lines = [d for d in denied if d.startswith(what)]
    check(len(lines) == 1, "denial lines for %r: %r" % (what, denied))
    if text is not None:
        check(text in lines[0], "denial line %r lacks %r" % (lines[0], text))


def no_denial(denied, what):
    check(not [d for d in denied if d.startswith(what)],
          "a denial line for %r next to its button: %r" % (what, denied))


def forbidden(b, path):
    r = b.get(path)
    check(r.status == 403, "%s, want 403" % desc(r))
    check(NO_MYSTAFF in (r.id_text("error") or ""),
          "%s: #error %r lacks %r" % (desc(r), r.id_text("error"),
                                      NO_MYSTAFF))
    return r


@test
def units_manager_sees_own():
    ua, ida = add_unit("Store A")
    ub, idb = add_unit("Store B")
    uc, idc = add_unit("Store C")
    a_names = ["Alma Aster%s" % TAG, "Abel Birch%s" % TAG]
    b_names = ["Bert Cedar%s" % TAG]
    for n in a_names:
        add_person(n, ua)
    for n in b_names:
        add_person(n, ub)
    c_name = "Cleo Dune%s" % TAG
    add_person(c_name, uc)
    m = add_manager("helpdesk-administrator", ua)
    b = signed_in(m)
    b.expect("GET", "/", 303, "/units")
    b.expect("GET", "/units", 303, "/units/%s" % ida)
    r = b.expect("GET", "/units/%s" % ida, 200)
    names = [x["name"] for x in people_rows(r)]
    eq(sorted(names), sorted(a_names), "people of %s" % ua)
    for n in b_names + [c_name]:
        check(n not in r.body, "%s lists %s of another unit" % (ua, n))
    check(r.page.all("h1") and ua in norm(r.page.all("h1")[0].text()),
          "the unit page's <h1> lacks %s" % ua)
    # roles in two units: /units lists both and not the third
    cli_ok("role", "assign", "--user", m.upn, "--role",
           "password-administrator", "--unit", uc)
    r = b.expect("GET", "/units", 200)
    links = unit_links(r)
    eq(sorted(links), sorted([(ua, "/units/%s" % ida),
                              (uc, "/units/%s" % idc)]),
       "the locations on /units")
    check(ub not in r.body, "/units shows %s" % ub)
    check(not [a for a in r.page.all("a") if a.attrs.get("href") ==
               "/users"], "a unit-scope manager gets an All users link")
    r = b.expect("GET", "/units/%s" % idc, 200)
    eq([x["name"] for x in people_rows(r)], [c_name], "people of %s" % uc)


def search_agrees(b, upn, reset, phones):
    """The "You can" of upn's search hit says what the profile's buttons
    do."""
    rows = [x for x in search_rows(b, upn) if x["upn"] == upn]
    eq(len(rows), 1, "search rows of %s" % upn)
    want = ", ".join(w for w, ok in (("reset password", reset),
                                     ("phones", phones)) if ok)
    eq(rows[0]["can"], want or "view only", "'You can' of %s in search "
       "(the profile: reset %s, phones %s)" % (upn, reset, phones))


@test
def profile_actions_by_scope():
    ua, ida = add_unit("Store A")
    ub, idb = add_unit("Store B")
    a1 = add_person("Ada Plain%s" % TAG, ua)
    b1_name = "Bea Farley%s" % TAG
    b1 = add_person(b1_name, ub)
    aorg = add_person("Otto Orgwide%s" % TAG, ua)
    cli_ok("role", "assign", "--user", aorg, "--role", "user-administrator")
    m = add_manager("helpdesk-administrator", ua, member_of=[ua])
    aa = add_manager("authentication-administrator", ua, member_of=[ua])
    b = signed_in(m)
    p_a1 = "/users/%s" % user_id(a1)
    reset, phones, denied = profile(b, p_a1)
    check(reset, "helpdesk manager: no #reset-password on %s's profile "
          "in their unit" % a1)
    no_denial(denied, "Reset password")
    check(not phones, "helpdesk manager: #phones-edit on %s" % a1)
    denial(denied, "Phone numbers")
    search_agrees(b, a1, reset, phones)
    # a member of another unit, reached through search
    rows = [x for x in search_rows(b, "Farley%s" % TAG) if x["upn"] == b1]
    eq(len(rows), 1, "search rows for %s" % b1)
    eq(rows[0]["name"], b1_name, "name of the search hit")
    reset, phones, denied = profile(b, rows[0]["href"])
    check(not reset and not phones, "buttons on %s outside the manager's "
          "locations (reset %s, phones %s)" % (b1, reset, phones))
    denial(denied, "Reset password", "outside your locations")
    denial(denied, "Phone numbers")
    search_agrees(b, b1, reset, phones)
    # a member of the unit who holds an org-scope role
    reset, phones, denied = profile(b, "/users/%s" % user_id(aorg))
    check(not reset and not phones, "buttons on a unit member with an "
          "org-scope role (reset %s, phones %s)" % (reset, phones))
    denial(denied, "Reset password")
    search_agrees(b, aorg, reset, phones)
    # own profile
    reset, phones, denied = profile(b, "/users/%s" % m.id)
    check(not reset and not phones, "buttons on the manager's own profile")
    denial(denied, "Reset password", "own account")
    denial(denied, "Phone numbers", "own account")
    search_agrees(b, m.upn, reset, phones)
    # authentication-administrator on the same unit
    b2 = signed_in(aa)
    reset, phones, denied = profile(b2, p_a1)
    check(reset and phones, "authentication-administrator on %s: reset "
          "%s, phones %s" % (a1, reset, phones))
    eq(denied, [], "denial lines next to both buttons")
    search_agrees(b2, a1, reset, phones)
    reset, phones, denied = profile(b2, "/users/%s" % m.id)
    check(not phones, "authentication-administrator gets #phones-edit on "
          "a helpdesk-administrator")
    check(not reset, "authentication-administrator gets #reset-password "
          "on a helpdesk-administrator")
    denial(denied, "Phone numbers")
    search_agrees(b2, m.upn, reset, phones)
    reset, phones, denied = profile(b2, "/users/%s" % aa.id)
    check(not reset and not phones, "buttons on the authentication-"
          "administrator's own profile")
    denial(denied, "Phone numbers", "own account")


@test
def org_admin_sees_all():
    add_unit("Store Org")
    g = add_manager("global-administrator")
    b = signed_in(g)
    b.expect("GET", "/", 303, "/units")
    pages = walk(b, "/units")
    eq(pages[0].status, 200, "GET /units of a global-administrator")
    seen = []
    for r in pages:
        seen += [n for n, _ in unit_links(r)]
    want = sorted(x[0] for x in sql("SELECT name FROM units"))
    eq(len(seen), len(set(seen)), "units listed twice on /units")
    eq(sorted(seen), want, "the units on /units")
    links = [a for a in pages[0].page.all("a")
             if a.attrs.get("href") == "/users"]
    check(links and norm(links[0].text()) == "All users",
          "no All users link on /units")
    r = b.expect("GET", "/users", 200)
    rows = people_rows(r)
    total = int(sql("SELECT COUNT(*) FROM users")[0][0])
    eq(len(rows), min(50, total), "rows on /users")
    check(all(x["name"] and x["href"] and x["href"].startswith("/users/")
              for x in rows), "a /users row without a name or link")
    # the global administrator may act on anyone else
    other = [x["href"] for x in rows if x["href"] != "/users/%s" % g.id]
    reset, phones, denied = profile(b, other[0])
    check(reset and phones and not denied, "global-administrator on %s: "
          "reset %s, phones %s, denied %r" % (other[0], reset, phones,
                                              denied))


@test
def paging_120():
    from concurrent.futures import ThreadPoolExecutor
    unit, uid = add_unit("Store Big")
    words = set()
    while len(words) < 120:
        words.add("".join(secrets.choice("abcdefghijklmnopqrstuvwxyz")
                          for _ in range(7)).capitalize())
    names = ["Pager %s %s" % (TAG, w) for w in words]   # set order
    with ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda n: add_person(n, unit), names))
    m = add_manager("helpdesk-administrator", unit)
    b = signed_in(m)
    pages = walk(b, "/units/%s" % uid, max_pages=5)
    got = [[x["name"] for x in people_rows(r)] for r in pages]
    eq([len(p) for p in got], [50, 50, 20], "rows per page")
    flat = [n for p in got for n in p]
    eq(len(set(flat)), 120, "distinct names over the pages")
    eq(flat, sorted(names, key=str.lower), "the names over the pages")
    ids = [x["href"] for r in pages for x in people_rows(r)]
    eq(len(set(ids)), 120, "distinct profile links over the pages")
    check(pager(pages[0], "prev") is None, "a Previous link on page 1")
    check(pager(pages[-1], "next") is None, "a Next link on the last page")
    # back from the last page
    r = pages[-1]
    back = []
    while True:
        prev = pager(r, "prev")
        if prev is None:
            break
        r = b.expect("GET", prev, 200)
        back.insert(0, [x["name"] for x in people_rows(r)])
        check(len(back) <= 3, "more than 2 pages before the last one")
    eq(back, got[:2], "the pages walked back with Previous")
    # damaged cursors: 400, not 500
    nxt = pager(pages[0], "next")
    cur = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["after"][0]
    check(re.search(r"\.[0-9a-fA-F-]{36}$", cur), "cursor %r does not end "
          "in .UUID" % cur)
    bad = cur[:-1] + ("z" if cur[-1] != "z" else "y")
    for q in ("after=abc", "after=" + urllib.parse.quote(bad),
              "after=" + urllib.parse.quote("!!!!" + cur[cur.rfind("."):]),
              "before=abc", "after=&before=",
              "after=%s&before=%s" % (cur, cur)):
        r = b.get("/units/%s?%s" % (uid, q))
        eq(r.status, 400, "GET /units/{id}?%s" % q)


@test
def paging_same_names():
    """60 people of one name page by id, forward and back, none lost."""
    from concurrent.futures import ThreadPoolExecutor
    unit, uid = add_unit("Store Twins")
    name = "Sam Same%s" % TAG
    with ThreadPoolExecutor(6) as ex:
        upns = set(ex.map(lambda _: add_person(name, unit), range(60)))
    b = signed_in(add_manager("helpdesk-administrator", unit))
    pages = walk(b, "/units/%s" % uid, max_pages=3)
    got = [[x["upn"] for x in people_rows(r)] for r in pages]
    eq([len(p) for p in got], [50, 10], "rows per page")
    eq(set(got[0] + got[1]), upns, "the people over the pages")
    r = b.expect("GET", pager(pages[1], "prev"), 200)
    eq([x["upn"] for x in people_rows(r)], got[0], "page 1 again, "
       "through Previous")
    rows = search_rows(b, "Same" + TAG)
    eq(sorted(x["upn"] for x in rows), sorted(upns), "search for the name")


@test
def search():
    ua, ida = add_unit("Store Search%s" % TAG)
    ub, idb = add_unit("Store Far")
    mobile = "+1425555%04d" % secrets.randbelow(10000)
    anna = add_person("Anna Smith", ua, upn="asmith%s@bb.example" % TAG,
                      mobile=mobile)
    zoe_name = "Zoë Quist%s" % TAG
    zoe = add_person(zoe_name, ua, upn="zq.%s@bb.example" % TAG)
    bo_name = "Bo Smithers%s" % TAG
    bo = add_person(bo_name, ub)
    m = add_manager("helpdesk-administrator", ua)
    b = signed_in(m)

    def finds(q, upn, name=None):
        rows = [x for x in search_rows(b, q) if x["upn"] == upn]
        check(len(rows) == 1, "/search?q=%s: %d rows of %s" % (q, len(rows),
                                                                upn))
        if name is not None:
            eq(rows[0]["name"], name, "/search?q=%s: name" % q)
        return rows[0]

    for q in ("Smi", "smi", "SMITH", "Ann", "anna smi", "Smith Anna"):
        row = finds(q, anna, "Anna Smith")
    eq(row["can"], "reset password", "'You can' of Anna Smith")
    for q in ("zoe", "Zoë", "ZOE", "zoë quist", "quist" + TAG):
        finds(q, zoe, zoe_name)
    for q in (mobile[:8], mobile[1:8], mobile, mobile[1:],
              "+1 425 555", "+1 (425) 555-" + mobile[8:]):
        finds(q, anna)
    for q in ("asmith", "asmith" + TAG, "ASMITH" + TAG.upper(),
              "asmith%s@" % TAG, "asmith%s@bb.exa" % TAG, "zq.%s@" % TAG):
        finds(q, anna if q.lower().startswith("asmith") else zoe)
    # outside the manager's locations: view only
    row = finds("Smithers" + TAG, bo, bo_name)
    eq(row["can"], "view only", "'You can' of %s" % bo_name)
    check(bo in [x["upn"] for x in search_rows(b, "Smi")],
          "Smi does not find %s" % bo_name)
    # a location is found by a word of its name
    r = b.expect("GET", "/search?q=Search" + TAG, 200)
    hits = [a.attrs.get("href") for a in r.page.all("a")
            if a.parent is not None and "hit-unit" in
            a.parent.attrs.get("class", "")]
    eq(hits, ["/units/%s" % ida], "location hits for Search%s" % TAG)
    for q, st in (("a" * 100, 200), ("a" * 101, 400), ("é" * 100, 200),
                  ("é" * 101, 400)):
        r = b.get("/search?" + urllib.parse.urlencode({"q": q}))
        eq(r.status, st, "GET /search with %d x %r" % (len(q), q[0]))
    for path in ("/search", "/search?q="):
        r = b.expect("GET", path, 200)
        check(r.page.inputs("q"), "%s: no q field" % path)
        check(r.page.by_id("people") is None, "%s: a results table" % path)
        check(r.page.by_id("no-results") is None, "%s: a no-results text"
              % path)
    r = b.expect("GET", "/search?q=Nobodyzz" + TAG, 200)
    check(r.page.by_id("no-results") is not None, "no #no-results when "
          "nothing is found")
    eq(people_rows(r), [], "rows for a name nobody has")
    # % and _ are literal: they match nobody without them
    for q in ("%", "_", "%%", "_%", "%_%"):
        rows = search_rows(b, q)
        lit = [c for c in "%_" if c in q]
        for x in rows:
            check(any(c in x["name"] or c in x["upn"] for c in lit),
                  "/search?q=%s finds %s (%s)" % (q, x["name"], x["upn"]))
    # punctuation only (no word to search for) is an empty result, not
    # a crash: asked a few times, as a crash may come and go
    for q in ("'", "\"", "' OR 1=1 -- ", "\\", "!", "a!%", "(", "?") * 3:
        r = b.get("/search?" + urllib.parse.urlencode({"q": q}))
        eq(r.status, 200, "GET /search?q=%s" % q)
        eq(r.page.inputs("q")[0].attrs.get("value"), q, "q kept in the "
           "form for %s" % q)
    # the start of a UPN with a dot in it, without the @ part
    finds("zq." + TAG, zoe, zoe_name)


@test
def search_pages_show_each_once():
    """People matching through several words are listed once, on the
    right page, in name order."""
    from concurrent.futures import ThreadPoolExecutor
    unit, _ = add_unit("Store Hyphen")
    w = "Dd" + TAG
    # "Kim Dd-Ddx Abc" is indexed as "Dd-Ddx", "Dd" and "Ddx": q=Dd
    # matches three words of each of 60 people, 180 index rows
    names = set()
    while len(names) < 60:
        names.add("Kim %s-%sx %s" % (w, w, "".join(
            secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))))
    with ThreadPoolExecutor(6) as ex:
        upns = dict(zip(ex.map(lambda n: add_person(n, unit), names), names))
    m = add_manager("helpdesk-administrator", unit)
    b = signed_in(m)
    for q in (w, w.lower(), w + "-" + w.lower(), w + "x"):
        pages = walk(b, "/search?" + urllib.parse.urlencode({"q": q}), 5)
        got = [[x["upn"] for x in people_rows(r)] for r in pages]
        eq([len(p) for p in got], [50, 10], "q=%s: rows per page" % q)
        flat = [u for p in got for u in p]
        eq(sorted(flat), sorted(upns), "q=%s: the people over the pages" % q)
        eq([upns[u] for u in flat], sorted(names, key=str.lower),
           "q=%s: the order of the names" % q)


@test
def ids():
    m = add_manager("helpdesk-administrator", test_unit())
    b = signed_in(m)
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(test_unit()))
    for path in ("/units/%s" % uuid4(), "/users/%s" % uuid4(),
                 "/users/not-a-uuid", "/units/123", "/units/%s/" % uid[0][0],
                 "/users/%sx" % m.id, "/users/%s" % m.id[:-1],
                 "/units/%s" % m.id, "/users/%s" % uid[0][0],
                 "/users/" + m.id.replace("-", "")):
        b.expect("GET", path, 404)
    b.expect("GET", "/units/%s" % uid[0][0], 200)
    b.expect("GET", "/users/%s" % m.id, 200)


def uuid4():
    h = secrets.token_hex(16)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])


@test
def no_role_403():
    u = make_user()
    other = add_person("Nora Target%s" % TAG, test_unit())
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    b.expect("GET", "/", 303, "/account")
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(test_unit()))
    for path in ("/units", "/search?q=a", "/users/%s" % user_id(other),
                 "/units/%s" % uid[0][0], "/users", "/search"):
        r = forbidden(b, path)
        check("Nora Target" not in r.body, "%s shows a name" % path)
    b.expect("GET", "/account", 200)


@test
def access_setting():
    g = add_manager("global-administrator")
    unit = test_unit()
    s = add_manager("helpdesk-administrator", unit)
    n = add_manager("helpdesk-administrator", unit)
    bg, bs, bn = signed_in(g), signed_in(s), signed_in(n)
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(unit))[0][0]
    try:
        bg.expect("GET", "/units", 200)
        cli_ok("settings", "set", "mystaff.access", "none")
        forbidden(bg, "/units")
        forbidden(bs, "/units")
        forbidden(bs, "/search?q=a")
        cli_ok("settings", "set", "mystaff.access", "all")
        bg.expect("GET", "/units", 200)
        cli_ok("mystaff", "select", "--user", s.upn)
        cli_ok("settings", "set", "mystaff.access", "selected")
        bs.expect("GET", "/units", 303, "/units/%s" % uid)
        bs.expect("GET", "/search?q=a", 200)
        forbidden(bn, "/units")
        forbidden(bn, "/search?q=a")
        cli_ok("mystaff", "unselect", "--user", s.upn)
        forbidden(bs, "/search?q=a")
        cli_ok("mystaff", "select", "--user", s.upn)
        bs.expect("GET", "/search?q=a", 200)
        cli_ok("settings", "set", "mystaff.access", "all")
        bn.expect("GET", "/search?q=a", 200)
        cli_ok("role", "revoke", "--user", s.upn, "--role",
               "helpdesk-administrator", "--unit", unit)
        forbidden(bs, "/units")
        forbidden(bs, "/search?q=a")
        bs.expect("GET", "/account", 200)
    finally:
        cli("settings", "set", "mystaff.access", "all")
        cli("mystaff", "unselect", "--user", s.upn)
    eq(cli_ok("settings", "get", "mystaff.access").strip(), "all",
       "mystaff.access after the test")


@test
def mfa_required():
    unit = test_unit()
    m = add_manager("helpdesk-administrator", unit)
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(unit))[0][0]
    b = Browser()
    b.login(m.upn, m.password, 303, "/login/mfa")
    for path in ("/units", "/units/%s" % uid, "/users/%s" % m.id,
                 "/search?q=a", "/users", "/"):
        r = b.get(path)
        check(r.status == 303 and urllib.parse.urlsplit(
              r.location or "").path == "/login/mfa",
              "%s, want 303 to /login/mfa" % desc(r))
    b.mfa(totp_now(m.secret), "totp")
    b.expect("GET", "/units", 303, "/units/%s" % uid)


@test
def ca_step_up():
    """Conditional Access: a session whose MFA is older than
    ca.signin_frequency_hours is sent through /login/mfa?next= and back
    (not into a loop), and its old cookie is replaced."""
    unit = test_unit()
    m = add_manager("helpdesk-administrator", unit)
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(unit))[0][0]
    b = signed_in(m)
    b.expect("GET", "/units/%s" % uid, 200)
    sql("UPDATE sessions SET mfa_at = UTC_TIMESTAMP(6) - INTERVAL 13 HOUR "
        "WHERE user_id = %s" % sqlq(m.id))
    r = b.get("/units/%s" % uid)
    want = "/login/mfa?next=%%2Funits%%2F%s" % uid
    check(r.status == 303 and r.location == want,
          "%s, want 303 to %s" % (desc(r), want))
    old = b.cookie("staffdesk")
    r = b.get(want)
    eq(r.status, 200, "GET " + want)
    check('name="next"' in r.body, "the MFA form does not keep next")
    time.sleep(31 - time.time() % 30)   # the sign-in's code is spent
    r = b.post("/login/mfa", {"method": "totp", "code": totp_now(m.secret),
                              "next": "/units/%s" % uid})
    check(r.status == 303 and r.location == "/units/%s" % uid,
          "step-up MFA: %s, want 303 back to the location" % desc(r))
    check(b.cookie("staffdesk") not in (None, old),
          "the session cookie was not renewed at the step-up")
    b.expect("GET", "/units/%s" % uid, 200)
    # Without next, a verified session is not asked again.
    b.expect("GET", "/login/mfa", 303, "/")
    # next must be a local path: another site is a 400.
    r = b.get("/login/mfa?next=//evil.example/")
    eq(r.status, 400, "next=//evil.example/")


@test
def refused_post_is_audited():
    """A POST refused by My Staff access itself (mystaff.access=none) is
    a 403 and an audit row, and changes nothing."""
    unit = test_unit()
    m = add_manager("authentication-administrator", unit)
    who = add_person("Refused Post Target", unit=unit)
    tid = user_id(who)
    b = signed_in(m)
    b.expect("GET", "/users/%s/phone" % tid, 200)
    try:
        cli_ok("settings", "set", "mystaff.access", "none")
        r = b.post("/users/%s/phone" % tid, {"type": "office",
                                               "number": "+14255550111",
                                               "action": "save"})
        eq(r.status, 403, "POST /users/{id}/phone with mystaff.access=none")
    finally:
        cli_ok("settings", "set", "mystaff.access", "all")
    rows = sql("SELECT result, reason FROM audit_log WHERE action = "
               "'mystaff.access' AND actor_id = %s" % sqlq(m.id))
    check(rows and rows[-1] == ["failure", "mystaff_off"],
          "audit rows for the refused POST: %r" % rows)
    eq(sql("SELECT COUNT(*) FROM phones WHERE user_id = %s" % sqlq(tid))[0][0],
       "0", "phones of the target")


@test
def empty_location():
    """A location with nobody in it is a page of its own (200, its name,
    "Nobody here"), not a 404; a page past its last person is too."""
    name, uid = add_unit("Empty")
    m = add_manager("global-administrator")
    b = signed_in(m)
    r = b.expect("GET", "/units/%s" % uid, 200)
    check(name in r.body and "Nobody here" in r.body,
          "the empty location's page lacks its name or 'Nobody here'")
    eq(people_rows(r), [], "rows of an empty location")


@test
def home_redirect():
    m = add_manager("password-administrator", test_unit())
    b = signed_in(m)
    b.expect("GET", "/", 303, "/units")
    u = make_user()
    b2 = Browser()
    b2.login(u.upn, u.password, 303, "/")
    b2.expect("GET", "/", 303, "/account")


# ---------------------------------------------------------------- actions

NO_CONFUSABLE = set("0Oo1lI")
AUDIT_COLS = ("id", "actor_id", "actor_upn", "action", "target_id",
              "target_name", "result", "reason", "client", "ip", "details")


def member(unit, name=None, mobile=None, source=None, password=None):
    """A user of unit (name or id) with a password (a User)."""
    upn = uniq("t")
    name = name or "Tess %s Member" % secrets.token_hex(2)
    password = password or good_password()
    args = ["user", "add", "--upn", upn, "--name", name, "--password-stdin"]
    if mobile:
        args += ["--mobile", mobile]
    if source:
        args += ["--source", source]
    cli_ok(*args, stdin=password + "\n")
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return User(upn, name, password)


def fresh_mobile():
    """An E.164 +1425 number nobody has."""
    while True:
        n = "+1425%07d" % secrets.randbelow(10 ** 7)
        if n[5] != "0" and not sql("SELECT 1 FROM phones WHERE number = %s"
                                   % sqlq(n)):
            return n


def typed(e164):
    """+14255550100 as a person types it: +1 (425) 555-0100."""
    d = e164[1:]
    return "+%s (%s) %s-%s" % (d[0], d[1:4], d[4:7], d[7:])


def masked(e164):
    d = re.match(r"\+(\d+)", e164).group(1)
    return "+%s ••• ••• %s" % (d[0], d[-4:])


def pw_state(uid):
    """(password_hash, password_version, must_change_password)."""
    rows = sql("SELECT password_hash, password_version, must_change_password"
               " FROM users WHERE id = %s" % sqlq(uid))
    check(len(rows) == 1, "no user %s" % uid)
    return tuple(rows[0])


def phones_db(uid):
    return {t: n for t, n in sql("SELECT type, number FROM phones WHERE "
                                 "user_id = %s" % sqlq(uid))}


def audit_mark():
    return int(sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0])


def audit_rows(mark=0, **where):
    """audit_log rows (dicts of AUDIT_COLS) after id mark, matching where."""
    q = "SELECT %s FROM audit_log WHERE id > %d" % (", ".join(AUDIT_COLS),
                                                    mark)
    for k, v in sorted(where.items()):
        q += " AND %s = %s" % (k, sqlq(v))
    return [dict(zip(AUDIT_COLS, row)) for row in sql(q + " ORDER BY id")]


def details(row):
    import json
    check(row["details"], "audit row %s has no details" % row["id"])
    try:
        return json.loads(row["details"])
    except ValueError:
        raise Fail("audit row %s: details %r is not JSON" % (row["id"],
                                                             row["details"]))


def one_audit(mark, what, **where):
    rows = audit_rows(mark, **where)
    check(len(rows) == 1, "%s: %d audit rows %r (want 1): %r"
          % (what, len(rows), where, rows))
    return rows[0]


def errors_of(r):
    """The texts of the class=error messages of a page."""
    return [norm(n.text()) for n in r.page.root.iter()
            if "error" in n.attrs.get("class", "").split()]


def version_of(r):
    v = [i.attrs.get("value") for i in r.page.inputs("version")]
    check(len(v) == 1 and v[0] and v[0].isdigit(), "%s: the version field "
          "%r" % (desc(r), v))
    return v[0]


def reset_path(uid):
    return "/users/%s/reset-password" % uid


def reset(b, uid, fields=None):
    """Loads the confirm page and POSTs it: 303 to the done page, which
    is returned."""
    path = reset_path(uid)
    r = b.expect("GET", path, 200)
    check(r.page.by_id("confirm-reset") is not None, "%s: no "
          "#confirm-reset button" % path)
    f = [("version", version_of(r))] + list((fields or {}).items())
    b.expect("POST", path, 303, path + "/done", fields=f)
    return b.expect("GET", path + "/done", 200)


def temp_of(r):
    t = r.id_text("temp-password")
    check(t, "%s: no #temp-password" % desc(r))
    return t


def no_secret_stored(secret, what):
    """secret is in no column of any audit row, nor in a file of log/."""
    allrows = sql("SELECT CONCAT_WS('|', id, at, actor_id, actor_upn, action,"
                  " target_id, target_name, result, reason, client, ip,"
                  " user_agent, details) FROM audit_log")
    for row in allrows:
        check(secret not in (row[0] or ""), "audit_log row holds %s: %r"
              % (what, row[0]))
    logdir = os.path.join(VAR, "log")
    for f in os.listdir(logdir):
        p = os.path.join(logdir, f)
        if os.path.isfile(p):
            with open(p, "rb") as fh:
                check(secret.encode() not in fh.read(), "log/%s holds %s"
                      % (f, what))


def sms_lines(number):
    path = os.path.join(VAR, "sms.log")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\n").split("\t", 1)[1] for l in f
                if l.startswith(number + "\t")]


def manager_unit(label, role="authentication-administrator", **kw):
    """(unit name, unit id, a manager holding role there, signed in)."""
    unit, uid = add_unit(label)
    m = add_manager(role, unit, **kw)
    return unit, uid, m, signed_in(m)


@test
def reset_cloud_end_to_end():
    unit, _, m, b = manager_unit("Store Reset")
    t = member(unit)
    tid = t.id
    tb = Browser()
    tb.login(t.upn, t.password, 303, "/")
    tb.expect("GET", "/account", 200)
    eq(session_rows(tid), 1, "sessions of the target before the reset")
    reset_btn, _, _ = profile(b, "/users/%s" % tid)
    check(reset_btn, "authentication-administrator: no #reset-password on "
          "a member of the unit")
    mark = audit_mark()
    before = pw_state(tid)
    path = reset_path(tid)
    r = b.expect("GET", path, 200)
    b.expect("POST", path, 303, path + "/done",
             fields={"version": version_of(r)})
    # what waits for the done page is not in the DB in clear
    p = subprocess.run(["mariadb-dump", "--defaults-file=" + mycnf(),
                        "--skip-extended-insert", "staffdesk"],
                       capture_output=True, timeout=120)
    check(p.returncode == 0, "mariadb-dump: %s" % p.stderr[-300:])
    r = b.expect("GET", path + "/done", 200)
    temp = temp_of(r)
    check(temp.encode() not in p.stdout, "the temporary password is in the "
          "database in clear while it waits for the done page")
    check(len(temp) >= 12, "temporary password %r shorter than 12" % temp)
    check(not set(temp) & NO_CONFUSABLE, "temporary password %r holds one "
          "of 0 O o 1 l I" % temp)
    check(t.name in r.body, "the done page does not name %s" % t.name)
    # shown once
    r = b.expect("GET", reset_path(tid) + "/done", 200)
    check(r.page.by_id("temp-password") is None and temp not in r.body,
          "the temporary password is shown again on reload")
    after = pw_state(tid)
    check(after[0] != before[0], "password_hash unchanged by the reset")
    eq(int(after[1]), int(before[1]) + 1, "password_version after a reset")
    eq(after[2], "1", "must_change_password after a reset")
    left = sql("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(6), "
               "temp_password_expires_at) FROM users WHERE id = %s"
               % sqlq(tid))[0][0]
    ttl = int(cli_ok("settings", "get",
                     "reset.temp_password_ttl_hours").strip())
    check(left is not None and ttl * 60 - 3 <= int(left) <= ttl * 60,
          "temp_password_expires_at is %s min away, want %d h" % (left, ttl))
    # the target's sessions ended
    tb.expect("GET", "/account", 303, "/login")
    eq(session_rows(tid), 0, "sessions of the target after the reset")
    Browser().login(t.upn, t.password, 422)
    # the temporary password signs in to a forced change only
    nb = Browser()
    nb.login(t.upn, temp, 303, "/account/password")
    nb.expect("GET", "/account", 303, "/account/password")
    r = nb.expect("GET", "/account/password", 200)
    check(not r.page.inputs("current_password"), "the change after a reset "
          "asks for the current password")
    new = good_password()
    r = nb.post("/account/password", {"new_password": new,
                                      "confirm_password": new})
    eq(r.status, 303, "POST /account/password after the reset")
    nb.expect("GET", "/account", 200)
    Browser().login(t.upn, temp, 422)
    Browser().login(t.upn, new, 303, "/")
    # the password the user chose does not expire with the temporary one
    sql("UPDATE users SET temp_password_expires_at = temp_password_expires_at"
        " - INTERVAL 30 DAY WHERE id = %s" % sqlq(tid))
    Browser().login(t.upn, new, 303, "/")
    # audited once, with who, whom, where from
    row = one_audit(mark, "the reset", action="user.password.reset",
                    target_id=tid)
    eq((row["result"], row["reason"]), ("success", None), "result, reason")
    eq(row["actor_id"], m.id, "actor_id")
    eq(row["actor_upn"], m.upn, "actor_upn")
    eq(row["target_name"], t.name, "target_name")
    eq(row["client"], "mystaff", "client")
    eq(row["ip"], "127.0.0.1", "ip")
    d = details(row)
    eq(d.get("initiatedBy"), "My Staff", "details initiatedBy")
    no_secret_stored(temp, "the temporary password")
    no_secret_stored(new, "the new password")


@test
def reset_clears_lockout():
    unit, _, m, b = manager_unit("Store Lock", "helpdesk-administrator")
    t = member(unit)
    for i in range(5):
        Browser().login(t.upn, "Wrong-%d-%s" % (i, secrets.token_hex(4)),
                        422)
    Browser().login(t.upn, t.password, 422)
    eq(sql("SELECT locked_until > UTC_TIMESTAMP(6) FROM users WHERE id = %s"
           % sqlq(t.id))[0][0], "1", "locked_until before the reset")
    temp = temp_of(reset(b, t.id))
    eq(sql("SELECT failed_signins, locked_until FROM users WHERE id = %s"
           % sqlq(t.id)), [["0", None]], "failed_signins, locked_until "
       "after the reset")
    Browser().login(t.upn, temp, 303, "/account/password")


@test
def reset_temp_expired():
    unit, _, m, b = manager_unit("Store Expire", "password-administrator")
    t = member(unit)
    old = cli_ok("settings", "get", "reset.temp_password_ttl_hours").strip()
    try:
        cli_ok("settings", "set", "reset.temp_password_ttl_hours", "2")
        temp = temp_of(reset(b, t.id))
        left = int(sql("SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(6), "
                       "temp_password_expires_at) FROM users WHERE id = %s"
                       % sqlq(t.id))[0][0])
        check(117 <= left <= 120, "temp_password_expires_at %d min away "
              "with reset.temp_password_ttl_hours 2" % left)
    finally:
        cli("settings", "set", "reset.temp_password_ttl_hours", old)
    sql("UPDATE users SET temp_password_expires_at = UTC_TIMESTAMP(6) - "
        "INTERVAL 1 SECOND WHERE id = %s" % sqlq(t.id))
    nb = Browser()
    r = nb.login(t.upn, temp, 422)
    msg = r.id_text("error") or ""
    check("expired" in msg.lower() and "manager" in msg.lower(),
          "expired temporary password: #error %r does not say it expired "
          "and to ask the manager" % msg)
    check(nb.token() is None, "a session from an expired temporary password")
    eq(session_rows(t.id), 0, "sessions after the refused sign-in")
    # a wrong password is still the generic message, not "expired"
    r = Browser().login(t.upn, temp + "x", 422)
    check((r.id_text("error") or "").startswith(GENERIC),
          "wrong password after expiry: %r" % r.id_text("error"))
    # a new reset works again
    temp2 = temp_of(reset(b, t.id))
    Browser().login(t.upn, temp2, 303, "/account/password")


@test
def reset_sms():
    unit, _, m, b = manager_unit("Store Sms", "helpdesk-administrator")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    n = member(unit)
    try:
        cli_ok("settings", "set", "reset.deliver", "sms")
        r = b.expect("GET", reset_path(t.id), 200)
        check(masked(mobile) in norm(r.body), "the confirm page does not "
              "name the masked mobile %s" % masked(mobile))
        check(mobile not in r.body, "the confirm page shows the full mobile")
        mark = audit_mark()
        r = reset(b, t.id)
        check(r.page.by_id("temp-password") is None,
              "#temp-password shown with reset.deliver=sms")
        sent = r.id_text("sent") or ""
        check(masked(mobile) in sent, "the done page says %r, not sent to "
              "%s" % (sent, masked(mobile)))
        check(mobile not in r.body, "the done page shows the full mobile")
        lines = sms_lines(mobile)
        eq(len(lines), 1, "sms.log lines for %s" % mobile)
        found = re.search(r"password is (\S+)", lines[0]) or \
            re.search(r"(\S{12,})", lines[0])
        check(found, "no password in the SMS %r" % lines[0])
        temp = found.group(1)
        body = sql("SELECT body, status FROM sms_outbox WHERE number = %s"
                   % sqlq(mobile))
        eq(len(body), 1, "sms_outbox rows for %s" % mobile)
        check(temp not in body[0][0], "sms_outbox.body holds the password")
        eq(body[0][1], "sent", "sms_outbox.status")
        row = one_audit(mark, "the SMS reset", action="user.password.reset",
                        target_id=t.id)
        eq(row["result"], "success", "result of the SMS reset")
        eq(details(row).get("initiatedBy"), "My Staff", "details initiatedBy")
        check(mobile not in row["details"] and mobile[2:] not in
              row["details"], "the audit details hold the full mobile: %r"
              % row["details"])
        no_secret_stored(temp, "the SMS'd password")
        Browser().login(t.upn, temp, 303, "/account/password")
        # nobody to send it to
        before = pw_state(n.id)
        r = b.expect("GET", reset_path(n.id), 200)
        r = b.post(reset_path(n.id), {"version": version_of(r)})
        eq(r.status, 422, "an SMS reset of a user without a mobile")
        check(errors_of(r), "no error message for a user without a mobile")
        eq(pw_state(n.id), before, "password of the user without a mobile")
        Browser().login(n.upn, n.password, 303, "/")
    finally:
        cli("settings", "set", "reset.deliver", "show")
    eq(cli_ok("settings", "get", "reset.deliver").strip(), "show",
       "reset.deliver after the test")


@test
def reset_onprem():
    unit, _, m, b = manager_unit("Store Onprem", "helpdesk-administrator")
    t = member(unit, name="Ophelia Westbrook", source="onprem")
    path = reset_path(t.id)
    local = t.upn.split("@")[0]
    r = b.expect("GET", path, 200)
    check(r.page.inputs("new_password") and r.page.inputs("confirm_password"),
          "the on-premises confirm page lacks the password fields")
    before = pw_state(t.id)

    def refused(pw, confirm, what, want):
        r = b.expect("GET", path, 200)
        r = b.post(path, {"version": version_of(r), "new_password": pw,
                          "confirm_password": confirm})
        eq(r.status, 422, "on-prem reset with %s" % what)
        errs = errors_of(r)
        for w in want:
            check(any(w in e for e in errs), "%s: no message with %r in %r"
                  % (what, w, errs))
        check(not pw or pw not in r.body, "%s: the password is sent back"
              % what)
        for f in ("new_password", "confirm_password"):
            check(not r.page.inputs(f)[0].attrs.get("value"),
                  "%s: %s kept in the form" % (what, f))
        eq(pw_state(t.id), before, "password after %s" % what)
        return errs

    errs = refused("abc", "abc", "'abc'", ["at least 8 characters",
                                           "three of these four"])
    check(len(errs) >= 2, "'abc' breaks only %r" % errs)
    refused("X!9" + local.upper(), "X!9" + local.upper(), "the username",
            ["username"])
    refused("Westbrook#2024", "Westbrook#2024", "the surname",
            ["part of their name"])
    good = "Harbor!%s-Kite7" % secrets.token_hex(3)
    refused(good, good + "x", "a mismatch", ["do not match"])
    refused("", "", "no password", [""])
    Browser().login(t.upn, t.password, 303, "/")
    mark = audit_mark()
    r = reset(b, t.id, {"new_password": good, "confirm_password": good})
    check(r.page.by_id("typed") is not None and "set" in
          (r.id_text("typed") or ""), "the done page does not say the "
          "password was set: %r" % norm(r.body))
    check(r.page.by_id("temp-password") is None, "#temp-password for an "
          "on-premises user")
    check(good not in r.body, "the done page shows the typed password")
    row = one_audit(mark, "the on-prem reset", action="user.password.reset",
                    target_id=t.id)
    eq(row["result"], "success", "on-prem reset result")
    Browser().login(t.upn, t.password, 422)
    Browser().login(t.upn, good, 303, "/account/password")
    no_secret_stored(good, "the typed on-premises password")
    # no directory to write it to: 503, nothing changes
    good2 = "Meadow!%s-Lamp8" % secrets.token_hex(3)
    try:
        cli_ok("settings", "set", "onprem.writeback", "none")
        before = pw_state(t.id)
        mark = audit_mark()
        r = b.expect("GET", path, 200)
        r = b.post(path, {"version": version_of(r), "new_password": good2,
                          "confirm_password": good2})
        eq(r.status, 503, "on-prem reset with onprem.writeback=none")
        eq(pw_state(t.id), before, "password after the refused writeback")
        rows = audit_rows(mark, action="user.password.reset", target_id=t.id)
        eq([(x["result"], x["reason"]) for x in rows],
           [("failure", "writeback_unavailable")], "audit rows of the "
           "refused writeback")
        eq(rows[0]["actor_id"], m.id, "actor of the refused writeback")
    finally:
        cli("settings", "set", "onprem.writeback", "local")
    eq(cli_ok("settings", "get", "onprem.writeback").strip(), "local",
       "onprem.writeback after the test")
    Browser().login(t.upn, good2, 422)
    Browser().login(t.upn, good, 303, "/account/password")


@test
def reset_double_submit():
    from concurrent.futures import ThreadPoolExecutor
    unit, _, m, b = manager_unit("Store Twice", "helpdesk-administrator")
    done_of = {}

    def second_ok(r, path, what):
        check((r.status == 303 and r.location == path + "/done") or
              (r.status == 422 and any("changed" in e for e in
                                       errors_of(r))),
              "%s: %s, want 303 to the done page or 422 'changed'"
              % (what, desc(r)))

    # the same form sent twice, one after the other
    for order in ("post-post-done", "post-done-post"):
        t = member(unit)
        path = reset_path(t.id)
        r = b.expect("GET", path, 200)
        f = {"version": version_of(r)}
        tok = r.csrf()
        mark = audit_mark()
        b.expect("POST", path, 303, path + "/done", fields=f, csrf=tok)
        first = pw_state(t.id)
        if order == "post-done-post":
            temp = temp_of(b.expect("GET", path + "/done", 200))
        r = b.post(path, f, csrf=tok)
        second_ok(r, path, "%s: the second POST" % order)
        if order == "post-post-done":
            temp = temp_of(b.expect("GET", path + "/done", 200))
        else:
            r = b.expect("GET", path + "/done", 200)
            check(r.page.by_id("temp-password") is None, "%s: a second "
                  "temporary password shown" % order)
        eq(pw_state(t.id), first, "%s: password after the second POST"
           % order)
        rows = audit_rows(mark, action="user.password.reset", target_id=t.id,
                          result="success")
        eq(len(rows), 1, "%s: success rows" % order)
        Browser().login(t.upn, temp, 303, "/account/password")
    # ... and at the same moment (a double click)
    t = member(unit)
    path = reset_path(t.id)
    r = b.expect("GET", path, 200)
    f = {"version": version_of(r)}
    tok, cookie = r.csrf(), b.token()
    mark = audit_mark()
    with ThreadPoolExecutor(2) as ex:
        rs = list(ex.map(lambda _: with_token(cookie).post(path, f, csrf=tok),
                         range(2)))
    ok = [x for x in rs if x.status == 303 and x.location == path + "/done"]
    check(ok, "two POSTs at once: none 303s to the done page: %r"
          % [desc(x) for x in rs])
    for x in rs:
        second_ok(x, path, "two POSTs at once")
    eq(len(audit_rows(mark, action="user.password.reset", target_id=t.id,
                      result="success")), 1, "success rows of two POSTs at "
       "once")
    temp = temp_of(b.expect("GET", path + "/done", 200))
    Browser().login(t.upn, temp, 303, "/account/password")
    # two managers, each with the form open
    m2 = add_manager("helpdesk-administrator", unit)
    b2 = signed_in(m2)
    t = member(unit)
    path = reset_path(t.id)
    r1 = b.expect("GET", path, 200)
    f1, tok1 = {"version": version_of(r1)}, r1.csrf()
    r2 = b2.expect("GET", path, 200)
    f2 = {"version": version_of(r2)}
    mark = audit_mark()
    b.expect("POST", path, 303, path + "/done", fields=f1, csrf=tok1)
    first = pw_state(t.id)
    r = b2.post(path, f2)
    eq(r.status, 422, "the second manager's reset")
    check(any("changed" in e for e in errors_of(r)), "the second manager's "
          "page does not say it was changed meanwhile: %r" % errors_of(r))
    eq(pw_state(t.id), first, "password after the second manager's POST")
    rows = audit_rows(mark, action="user.password.reset", target_id=t.id)
    eq(sorted((x["actor_id"], x["result"], x["reason"]) for x in rows),
       sorted([(m.id, "success", None),
               (m2.id, "failure", "changed_meanwhile")]),
       "audit rows of the two managers")
    b2.expect("GET", path + "/done", 200)
    check(b2.last.page.by_id("temp-password") is None, "the second manager "
          "sees a temporary password")
    temp = temp_of(b.expect("GET", path + "/done", 200))
    Browser().login(t.upn, temp, 303, "/account/password")


@test
def reset_atomic():
    unit, _, m, b = manager_unit("Store Atomic")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    tb = Browser()
    tb.login(t.upn, t.password, 303, "/")
    path = reset_path(t.id)
    r = b.expect("GET", path, 200)
    v = version_of(r)
    before = pw_state(t.id)
    mark = audit_mark()
    sql("DROP TRIGGER IF EXISTS t_fail")
    try:
        sql("CREATE TRIGGER t_fail BEFORE INSERT ON audit_log FOR EACH ROW "
            "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test'")
        r = b.post(path, {"version": v})
        eq(r.status, 503, "a reset whose audit row cannot be written")
        eq(pw_state(t.id), before, "password after the failed reset")
        eq(session_rows(t.id), 1, "sessions of the target after the failed "
           "reset")
        r = b.expect("GET", "/users/%s/phone" % t.id, 200)
        new = fresh_mobile()
        r = b.post("/users/%s/phone" % t.id, {"type": "mobile",
                                              "number": new,
                                              "action": "save"})
        eq(r.status, 503, "a phone change whose audit row cannot be written")
        eq(phones_db(t.id), {"mobile": mobile}, "phones after the failed "
           "change")
        r = b.expect("GET", "/users/%s/phone" % t.id, 200)
        r = b.post("/users/%s/phone" % t.id, {"type": "mobile",
                                              "number": mobile,
                                              "action": "remove"})
        eq(r.status, 503, "a phone removal whose audit row cannot be "
           "written")
        eq(phones_db(t.id), {"mobile": mobile}, "phones after the failed "
           "removal")
    finally:
        sql("DROP TRIGGER IF EXISTS t_fail")
    eq(audit_rows(mark, target_id=t.id), [], "audit rows of the failed "
       "changes")
    tb.expect("GET", "/account", 200)
    r = b.expect("GET", path + "/done", 200)
    check(r.page.by_id("temp-password") is None, "a temporary password "
          "shown after the failed reset")
    # the same form works once the database takes the audit row again
    b.expect("GET", path, 200)
    b.expect("POST", path, 303, path + "/done", fields={"version": v})
    temp = temp_of(b.expect("GET", path + "/done", 200))
    Browser().login(t.upn, temp, 303, "/account/password")


def refused_post(b, path, fields, uid, action, reason, actor, csrf=True):
    """POST that must be 403 and audited as a failure with reason."""
    mark = audit_mark()
    b.get("/users/%s" % uid)
    r = b.post(path, fields, csrf=csrf)
    check(r.status == 403, "%s, want 403" % desc(r))
    rows = audit_rows(mark, target_id=uid)
    eq([(x["action"], x["result"], x["reason"], x["actor_id"])
        for x in rows], [(action, "failure", reason, actor.id)],
       "audit rows of the refused POST %s" % path)
    return r


@test
def reset_denials():
    ua, _ = add_unit("Store DenyA")
    ub, _ = add_unit("Store DenyB")
    m = add_manager("helpdesk-administrator", ua, member_of=[ua])
    b = signed_in(m)
    cases = []
    far = member(ub)
    cases.append((far, "out_of_scope", "outside a manager's locations"))
    ua_admin = member(ua)
    cli_ok("role", "assign", "--user", ua_admin.upn, "--role",
           "user-administrator", "--unit", ua)
    cases.append((ua_admin, "tier", "a user-administrator"))
    org = member(ua)
    cli_ok("role", "assign", "--user", org.upn, "--role", "directory-reader")
    cases.append((org, "target_org_role", "an org-scope role holder"))
    me = User(m.upn, m.name, m.password)
    cases.append((me, "self", "one's own account"))
    for u, reason, what in cases:
        uid = u.id
        path = reset_path(uid)
        before = pw_state(uid)
        r = b.get(path)
        check(r.status == 403, "GET confirm page of %s: %s, want 403"
              % (what, desc(r)))
        check(r.page.by_id("confirm-reset") is None, "a reset button for %s"
              % what)
        refused_post(b, path, {"version": before[1]}, uid,
                     "user.password.reset", reason, m)
        eq(pw_state(uid), before, "password of %s after the refusal" % what)
    Browser().login(far.upn, far.password, 303, "/")
    b.expect("GET", "/account", 200)
    # no csrf, a wrong csrf: nothing happens, nothing is audited
    t = member(ua)
    tb = Browser()
    tb.login(t.upn, t.password, 303, "/")
    path = reset_path(t.id)
    r = b.expect("GET", path, 200)
    v = version_of(r)
    before = pw_state(t.id)
    mark = audit_mark()
    b.expect("POST", path, 403, fields={"version": v}, csrf=None)
    b.expect("POST", path, 403, fields={"version": v}, csrf="A" * 43)
    eq(pw_state(t.id), before, "password after POSTs without csrf")
    # no version: a malformed form, nothing happens
    b.get(path)
    eq(b.post(path, {}).status, 400, "POST %s without version" % path)
    b.get(path)
    eq(b.post(path, {"version": "x1"}).status, 400, "POST %s with version=x1"
       % path)
    eq(pw_state(t.id), before, "password after POSTs without a version")
    eq(audit_rows(mark, action="user.password.reset", result="success"), [],
       "a reset done without csrf")
    tb.expect("GET", "/account", 200)
    Browser().login(t.upn, t.password, 303, "/")


def phone_page(b, uid, status=200):
    return b.expect("GET", "/users/%s/phone" % uid, status)


def phone_post(b, uid, typ, number, action="save"):
    """GETs the phone page, then POSTs one of its forms."""
    phone_page(b, uid)
    return b.post("/users/%s/phone" % uid, {"type": typ, "number": number,
                                            "action": action})


def phones_shown(b, uid):
    """{type name: number} of #phones on the profile."""
    r = b.expect("GET", "/users/%s" % uid, 200)
    td = r.page.by_id("phones")
    check(td is not None, "no #phones on the profile")
    out, cur = {}, []
    for c in td.children + [None]:
        if isinstance(c, str):
            cur.append(c)
            continue
        if c is not None and c.tag != "br":
            cur.append(c.text())
            continue
        line = norm("".join(cur))
        cur = []
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def listed_phone(b, unit_id, upn):
    """The Phone column of upn's row on the location's list and search."""
    rows = [x for r in walk(b, "/units/%s" % unit_id)
            for x in people_rows(r) if x["upn"] == upn]
    eq(len(rows), 1, "rows of %s on its location's list" % upn)
    found = [x for x in search_rows(b, upn) if x["upn"] == upn]
    eq(len(found), 1, "search rows of %s" % upn)
    eq(found[0]["phone"], rows[0]["phone"], "Phone of %s: search against "
       "the list" % upn)
    return rows[0]["phone"]


def list_copies_agree():
    """Every membership's copy of its user's list columns is current."""
    eq(sql("SELECT COUNT(*) FROM unit_members m JOIN users u ON u.id = "
           "m.user_id WHERE NOT (BINARY m.sort_name <=> BINARY "
           "u.display_name AND BINARY m.upn <=> BINARY u.upn AND "
           "BINARY m.job_title <=> BINARY u.job_title AND m.phone_count "
           "<=> u.phone_count AND m.locked_until <=> u.locked_until AND "
           "m.must_change_password <=> u.must_change_password AND "
           "m.enabled <=> u.enabled)"), [["0"]],
       "memberships whose list columns differ from their user")


def phone_counts_agree():
    """users.phone_count, which the lists show, is every user's count."""
    eq(sql("SELECT COUNT(*) FROM users u WHERE phone_count <> (SELECT "
           "COUNT(*) FROM phones p WHERE p.user_id = u.id)"), [["0"]],
       "users whose phone_count is not their number of phones")


@test
def phones():
    unit, unit_id, aa, b = manager_unit("Store Phones")
    t = member(unit)
    tid = t.id
    eq(listed_phone(b, unit_id, t.upn), "no", "Phone before any number")
    r = phone_page(b, tid)
    for typ in ("mobile", "alternateMobile", "office"):
        check(r.page.by_id("phone-" + typ) is not None and
              r.page.by_id("number-" + typ) is not None,
              "the phone page lacks #phone-%s / #number-%s" % (typ, typ))
    mark = audit_mark()
    m1, m2 = fresh_mobile(), fresh_mobile()

    def saved(typ, number, want, what):
        r = phone_post(b, tid, typ, number)
        check(r.status == 303 and r.location == "/users/%s" % tid,
              "%s (%r): %s, want 303 to the profile" % (what, number,
                                                        desc(r)))
        eq(phones_db(tid).get(typ), want, "%s: phones row" % what)

    saved("mobile", typed(m1), m1, "add a mobile")
    eq(phones_shown(b, tid), {"Mobile": m1}, "phones on the profile")
    eq(listed_phone(b, unit_id, t.upn), "yes", "Phone with a mobile")
    saved("mobile", "+%s.%s.%s.%s" % (m2[1], m2[2:5], m2[5:8], m2[8:]), m2,
          "change the mobile")
    saved("office", "+1 425 555 0199 x 42", "+14255550199 x42",
          "add an office number")
    eq(phones_shown(b, tid), {"Mobile": m2, "Office": "+14255550199 x42"},
       "phones on the profile")
    # the office number is found by its digits, not with its extension's
    check(t.upn in [x["upn"] for x in search_rows(b, "+14255550199")],
          "/search?q=+14255550199 does not find %s" % t.upn)
    check(t.upn not in [x["upn"] for x in search_rows(b, "+1425555019942")],
          "/search?q=+1425555019942 (number and extension) finds %s"
          % t.upn)
    saved("office", "+1-425-555-0198 ext 42", "+14255550198 x42",
          "change the office number")
    r = phone_post(b, tid, "office", "+14255550198 x42", "remove")
    check(r.status == 303 and r.location == "/users/%s" % tid,
          "remove the office number: %s" % desc(r))
    eq(phones_db(tid), {"mobile": m2}, "phones after the removal")
    eq(phones_shown(b, tid), {"Mobile": m2}, "phones on the profile")
    a1 = fresh_mobile()
    saved("alternateMobile", typed(a1), a1, "add an alternate mobile")
    eq(phones_shown(b, tid), {"Mobile": m2, "Alternate mobile": a1},
       "phones on the profile")
    r = phone_post(b, tid, "alternateMobile", a1, "remove")
    check(r.status == 303 and r.location == "/users/%s" % tid,
          "remove the alternate mobile: %s" % desc(r))
    eq(phones_db(tid), {"mobile": m2}, "phones after the removal")
    # search finds the new number at once, and not the old one
    check(t.upn in [x["upn"] for x in search_rows(b, m2)],
          "/search?q=%s does not find %s" % (m2, t.upn))
    check(t.upn not in [x["upn"] for x in search_rows(b, m1)],
          "/search?q=%s (the old mobile) still finds %s" % (m1, t.upn))
    # audited, numbers masked
    rows = audit_rows(mark, target_id=tid)
    eq([(x["action"], x["result"]) for x in rows],
       [("user.phone.add", "success"), ("user.phone.update", "success"),
        ("user.phone.add", "success"), ("user.phone.update", "success"),
        ("user.phone.remove", "success"), ("user.phone.add", "success"),
        ("user.phone.remove", "success")], "phone audit rows")
    want = [(None, m1), (m1, m2), (None, "+14255550199"),
            ("+14255550199", "+14255550198"), ("+14255550198", None),
            (None, a1), (a1, None)]
    for row, (old, new) in zip(rows, want):
        eq(row["actor_id"], aa.id, "actor of %s" % row["action"])
        d = details(row)
        check(not re.search(r"\d{5,}", row["details"]),
              "a full number in the audit details %r" % row["details"])
        for k, n in (("old", old), ("new", new)):
            if n is None:
                check(d.get(k) is None, "%s: %s %r, want none"
                      % (row["action"], k, d.get(k)))
            else:
                check(isinstance(d.get(k), str) and "•••" in d[k] and
                      d[k].endswith(n[-4:]), "%s: %s %r is not %s masked"
                      % (row["action"], k, d.get(k), n))
    # refused numbers: 422, the typed value kept, nothing changed
    other = member(unit, name="Quentin Holder%s" % TAG, mobile=fresh_mobile())
    t2 = member(unit)
    om = phones_db(other.id)["mobile"]
    for uid, typ, num, what in (
            (tid, "mobile", "425 555 0100", "no +"),
            (tid, "mobile", "+1234567", "7 digits"),
            (tid, "mobile", "+1234567890123456", "16 digits"),
            (tid, "mobile", "+1 425 CALL NOW", "letters"),
            (tid, "office", "+1 425 555 0199 y42", "letters on an office"),
            (tid, "mobile", "+1 425 555 0100 x12", "an extension on a mobile"),
            (tid, "alternateMobile", "+1 425 555 0111 x1",
             "an extension on an alternate mobile"),
            (t2.id, "alternateMobile", "+1 425 555 0111",
             "an alternate mobile without a mobile"),
            (tid, "mobile", typed(om), "another user's mobile")):
        before = phones_db(uid)
        r = phone_post(b, uid, typ, num)
        eq(r.status, 422, "%s: POST %r" % (what, num))
        check(errors_of(r), "%s: no error message" % what)
        inp = r.page.by_id("number-" + typ)
        check(inp is not None and inp.attrs.get("value") == num,
              "%s: the field holds %r, want the typed %r" % (
                  what, inp.attrs.get("value") if inp is not None else None,
                  num))
        eq(phones_db(uid), before, "%s: phones" % what)
        if what.startswith("another user's mobile"):
            for s in (other.name, other.upn, other.upn.split("@")[0],
                      "Quentin", "Holder" + TAG):
                check(s not in r.body, "the refusal names the owner: %r"
                      % s)
    eq(len(audit_rows(mark, target_id=tid, result="success")), 7,
       "success audit rows after the refused numbers")
    # the bounds: 8 and 15 digits, blanks around, a 6-digit extension
    for num, want in (("+12345678", "+12345678"),
                      ("+123 456 789 012 345", "+123456789012345"),
                      ("  +1 (425) 555-0199  ", "+14255550199"),
                      ("+1 425 555 0199 X 123456", "+14255550199 x123456"),
                      ("+1 425 555 0199 ext.7", "+14255550199 x7")):
        saved("office", num, want, "an office number %r" % num)
        eq(phones_shown(b, tid).get("Office"), want, "the office number "
           "on the profile")
    for num in ("+1 425 555 0199 x1234567", "+1 425 555 0199 x",
                "+0 425 555 0199", "++1 425 555 0199", "+1 425 555 0199 x1 2",
                "+１４２５５５５０１９９"):
        before = phones_db(tid)
        r = phone_post(b, tid, "office", num)
        eq(r.status, 422, "an office number %r" % num)
        eq(r.page.by_id("number-office").attrs.get("value"), num,
           "the office field after %r" % num)
        eq(phones_db(tid), before, "phones after %r" % num)
    r = phone_post(b, tid, "office", "", "remove")
    check(r.status == 303, "remove the office number: %s" % desc(r))
    # the form's own Save with the same number changes nothing
    r = phone_post(b, tid, "mobile", m2)
    check(r.status == 303, "saving the same mobile again: %s" % desc(r))
    # unknown type, unknown action: 400
    phone_page(b, tid)
    eq(b.post("/users/%s/phone" % tid, {"type": "pager", "number": m2,
                                        "action": "save"}).status, 400,
       "type=pager")
    phone_page(b, tid)
    eq(b.post("/users/%s/phone" % tid, {"type": "mobile", "number": m2,
                                        "action": "wipe"}).status, 400,
       "action=wipe")
    # no csrf: nothing changes
    b.expect("POST", "/users/%s/phone" % tid, 403,
             fields={"type": "mobile", "number": "", "action": "remove"},
             csrf=None)
    eq(phones_db(tid), {"mobile": m2}, "phones after a POST without csrf")
    # an authentication-administrator may not touch a helpdesk-administrator
    hd = add_manager("helpdesk-administrator", unit, member_of=[unit])
    phone_page(b, hd.id, 403)
    refused_post(b, "/users/%s/phone" % hd.id,
                 {"type": "mobile", "number": fresh_mobile(),
                  "action": "save"}, hd.id, "user.phone.add", "tier", aa)
    eq(phones_db(hd.id), {}, "phones of the helpdesk-administrator")
    # a helpdesk-administrator may not manage phones at all
    bh = signed_in(hd)
    _, btn, denied = profile(bh, "/users/%s" % tid)
    check(not btn, "a helpdesk-administrator gets #phones-edit")
    phone_page(bh, tid, 403)
    refused_post(bh, "/users/%s/phone" % tid,
                 {"type": "mobile", "number": "", "action": "remove"}, tid,
                 "user.phone.remove", "no_role", hd)
    refused_post(bh, "/users/%s/phone" % tid,
                 {"type": "office", "number": "+1 425 555 0197",
                  "action": "save"}, tid, "user.phone.add", "no_role", hd)
    eq(phones_db(tid), {"mobile": m2}, "phones after the refused POSTs")
    # the lists say "no" once the last number is gone
    saved("office", "+1 425 555 0196", "+14255550196", "an office number")
    for typ in ("mobile", "office"):
        r = phone_post(b, tid, typ, "", "remove")
        check(r.status == 303, "remove the %s: %s" % (typ, desc(r)))
        eq(listed_phone(b, unit_id, t.upn), "yes" if typ == "mobile" else
           "no", "Phone after removing the %s" % typ)
    eq(phones_db(tid), {}, "phones after removing all")
    phone_counts_agree()


@test
def list_follows_changes():
    """A location's list shows each change to a person at once, in every
    location of theirs, whichever way it was made."""
    unit, unit_id, aa, b = manager_unit("Store Follow")
    unit2, unit2_id = add_unit("Store Follow Two")
    cli_ok("role", "assign", "--user", aa.upn, "--role",
           "authentication-administrator", "--unit", unit2)
    t = member(unit)

    def row(uid=unit_id):
        rows = [x for r in walk(b, "/units/%s" % uid)
                for x in people_rows(r) if x["upn"] == t.upn]
        eq(len(rows), 1, "rows of %s on /units/%s" % (t.upn, uid))
        return rows[0]["phone"], rows[0]["status"]

    eq(row(), ("no", ""), "a new member")
    r = phone_post(b, t.id, "mobile", fresh_mobile())
    check(r.status == 303, "add a mobile: %s" % desc(r))
    eq(row(), ("yes", ""), "with a mobile")
    for i in range(6):
        Browser().login(t.upn, "Wrong-%d-%s" % (i, secrets.token_hex(4)),
                        422)
    eq(row(), ("yes", "locked"), "after wrong passwords")
    cli_ok("unit", "add-member", "--unit", unit2, "--user", t.upn)
    eq(row(unit2_id), ("yes", "locked"), "a new location's list")
    reset(b, t.id)
    want = ("yes", "must change password")
    eq(row(), want, "after a reset")
    eq(row(unit2_id), want, "after a reset, the other location")
    cli_ok("user", "disable", "--upn", t.upn)
    want = ("yes", "must change password disabled")
    eq(row(), want, "disabled")
    eq(row(unit2_id), want, "disabled, the other location")
    cli_ok("user", "enable", "--upn", t.upn)
    r = phone_post(b, t.id, "mobile", "", "remove")
    check(r.status == 303, "remove the mobile: %s" % desc(r))
    eq(row(unit2_id), ("no", "must change password"), "enabled, no phone")
    list_copies_agree()


@test
def demo_organisation():
    """staffdesk-admin demo builds what it says, consistently, and a
    second run with more people adds only them."""
    def counts():
        return sql("SELECT (SELECT COUNT(*) FROM users WHERE upn LIKE "
                   "'user%@demo.example'), (SELECT COUNT(*) FROM users WHERE "
                   "upn LIKE 'manager%@demo.example'), (SELECT COUNT(*) FROM "
                   "phones p JOIN users u ON u.id = p.user_id WHERE u.upn "
                   "LIKE '%@demo.example'), (SELECT COUNT(*) FROM "
                   "role_assignments r JOIN users u ON u.id = r.user_id "
                   "WHERE u.upn LIKE '%@demo.example')")[0]

    # 43: the last insert of each kind is a short one
    out = cli_ok("demo", "--units", "3", "--users", "43")
    check("manager001@demo.example" in out, "demo output: %r" % out)
    # 43 staff, 3 managers, 39 mobiles (every tenth has none), 3 unit
    # roles and 2 org-scope ones
    eq(counts(), ["43", "3", "39", "5"], "staff, managers, mobiles, roles")
    per = sql("SELECT COUNT(*) FROM unit_members m JOIN users u ON u.id = "
              "m.user_id WHERE u.upn LIKE 'user%@demo.example' GROUP BY "
              "u.id")
    eq(len(per), 43, "staff in a location")
    check(all(1 <= int(x[0]) <= 3 for x in per), "locations per person: %r"
          % per)
    roles = sql("SELECT u.upn, r.role, un.name FROM role_assignments r "
                "JOIN users u ON u.id = r.user_id JOIN units un ON un.id = "
                "r.unit_id WHERE u.upn LIKE 'manager%@demo.example' ORDER "
                "BY u.upn")
    eq(roles, [["manager%03d@demo.example" % i,
                "authentication-administrator", "Store %03d" % i]
               for i in (1, 2, 3)], "the managers' roles")
    phone_counts_agree()
    list_copies_agree()
    Browser().login("user00001@demo.example", "Staffdesk-Demo-2026")
    b = signed_in(add_manager("helpdesk-administrator"))
    rows = [x for x in search_rows(b, "user00017@demo")]
    eq([x["upn"] for x in rows], ["user00017@demo.example"],
       "search for a demo person's UPN")
    cli_ok("demo", "--units", "3", "--users", "50")
    eq(counts(), ["50", "3", "45", "5"], "after a second run with 50")
    phone_counts_agree()
    list_copies_agree()


@test
def phone_mobile_taken():
    """A mobile registered to someone else is refused also for a person
    who has no mobile yet, and when two people get it at once."""
    from concurrent.futures import ThreadPoolExecutor
    unit, _, aa, b = manager_unit("Store Taken")
    om = fresh_mobile()
    owner = member(unit, name="Priya Ownerly%s" % TAG, mobile=om)
    t = member(unit)
    for num in (om, typed(om)):
        mark = audit_mark()
        r = phone_post(b, t.id, "mobile", num)
        check(r.status == 422, "a person without a mobile given %s's mobile "
              "%r: %s, want 422" % (owner.upn, num, desc(r)))
        check(errors_of(r), "no error message")
        eq(r.page.by_id("number-mobile").attrs.get("value"), num,
           "the mobile field")
        for w in (owner.name, owner.upn, "Priya", "Ownerly" + TAG):
            check(w not in r.body, "the refusal names the owner: %r" % w)
        eq(phones_db(t.id), {}, "phones of the refused person")
        eq(phones_db(owner.id), {"mobile": om}, "phones of the owner")
        eq(audit_rows(mark, target_id=t.id, result="success"), [],
           "success audit rows of the refused number")
        check(t.upn not in [x["upn"] for x in search_rows(b, om)],
              "/search?q=%s finds %s, who does not have it" % (om, t.upn))
    # one new mobile for two people at the same moment: one gets it
    x1, x2 = member(unit), member(unit)
    mx = fresh_mobile()
    tok = phone_page(b, x1.id).csrf()
    cookie = b.token()
    mark = audit_mark()
    with ThreadPoolExecutor(2) as ex:
        rs = list(ex.map(lambda uid: with_token(cookie).post(
            "/users/%s/phone" % uid, {"type": "mobile", "number": mx,
                                      "action": "save"}, csrf=tok),
            (x1.id, x2.id)))
    eq(sorted(x.status for x in rs), [303, 422], "the same new mobile for "
       "two people at once: %r" % [desc(x) for x in rs])
    got = [x for x in (x1.id, x2.id) if phones_db(x).get("mobile") == mx]
    eq(len(got), 1, "people holding the mobile")
    eq([x["target_id"] for x in audit_rows(mark, action="user.phone.add",
                                           result="success")], got,
       "user.phone.add success rows")


def audit_table(r):
    """The rows of #audit as dicts."""
    t = r.page.by_id("audit")
    check(t is not None, "%s: no #audit table" % desc(r))
    keys = ("at", "actor", "action", "target", "result", "reason", "client",
            "ip", "details")
    rows = []
    for tr in t.iter():
        tds = [c for c in tr.children if isinstance(c, Node) and
               c.tag == "td"]
        if tr.tag == "tr" and tds:
            rows.append(dict(zip(keys, [norm(x.text()) for x in tds])))
    return rows


@test
def audit_page():
    ua, _ = add_unit("Store AuditA")
    ub, _ = add_unit("Store AuditB")
    m = add_manager("helpdesk-administrator", ua)
    b = signed_in(m)
    t = member(ua, name="Audra Target%s" % TAG)
    far = member(ub, name="Farah Away%s" % TAG)
    temp_of(reset(b, t.id))
    b.get("/users/%s" % far.id)
    eq(b.post(reset_path(far.id), {"version": "0"}).status, 403,
       "reset outside the manager's locations")
    g = add_manager("global-administrator")
    bg = signed_in(g)
    r = bg.expect("GET", "/admin/audit", 200)
    rows = audit_table(r)
    check(len(rows) >= 4, "only %d rows on /admin/audit" % len(rows))
    check(any(x["actor"] == g.upn and x["action"] == "signin.mfa"
              for x in rows), "the newest rows lack the administrator's "
          "own sign-in")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    yday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))

    def q(**kw):
        path = "/admin/audit?" + urllib.parse.urlencode(kw)
        r = bg.expect("GET", path, 200)
        for k, v in kw.items():
            if k != "result":
                n = r.page.by_id(k)
                check(n is not None and n.attrs.get("value") == v,
                      "%s: the %s filter does not keep %r" % (path, k, v))
        return r, audit_table(r)

    r, rows = q(action="user.password.reset", result="failure", actor=m.upn,
                **{"from": today, "to": today})
    eq([(x["actor"], x["action"], x["target"], x["result"], x["reason"],
         x["client"], x["ip"]) for x in rows],
       [(m.upn, "user.password.reset", far.name, "failure", "out_of_scope",
         "mystaff", "127.0.0.1")], "failure rows of %s" % m.upn)
    sel = [o for o in r.page.all("option") if "selected" in o.attrs]
    eq([o.attrs.get("value") for o in sel], ["failure"], "selected result")
    _, rows = q(action="user.password.reset", result="success", actor=m.upn)
    eq([(x["target"], x["result"]) for x in rows], [(t.name, "success")],
       "success rows of %s" % m.upn)
    check('"initiatedBy"' in rows[0]["details"] and "My Staff" in
          rows[0]["details"], "details %r" % rows[0]["details"])
    _, rows = q(actor=m.upn)
    check(len(rows) >= 4 and all(x["actor"] == m.upn for x in rows),
          "actor=%s gives %r" % (m.upn, [x["actor"] for x in rows]))
    _, rows = q(target=t.name)
    check(rows and all(x["target"] == t.name for x in rows) and
          any(x["action"] == "user.password.reset" for x in rows),
          "target=%s gives %r" % (t.name, rows))
    _, rows = q(target="Audra")
    check(any(x["target"] == t.name for x in rows), "target=Audra (a name "
          "prefix) lacks %s" % t.name)
    _, rows = q(target=t.id, action="user.password")
    eq([x["action"] for x in rows], ["user.password.reset"],
       "target=<id>&action=user.password")
    _, rows = q(actor=m.upn, **{"from": yday, "to": yday})
    eq(rows, [], "rows of %s yesterday" % m.upn)
    check("No entries" in bg.last.body, "no 'No entries' for an empty result")
    _, rows = q(actor="%")
    eq(rows, [], "actor=% (a literal %)")
    for bad in ("from=2026-13-01", "to=2026-02-30", "from=26-01-01",
                "from=today", "result=maybe", "before=abc"):
        r = bg.get("/admin/audit?" + bad)
        eq(r.status, 400, "GET /admin/audit?%s" % bad)
    # older rows
    r = bg.expect("GET", "/admin/audit", 200)
    nxt = pager(r, "next")
    if len(audit_table(r)) == 50 and nxt:
        r2 = bg.expect("GET", nxt, 200)
        rows2 = audit_table(r2)
        check(rows2 and rows2[0]["at"] <= audit_table(r)[-1]["at"],
              "the next page of /admin/audit is not older")
    # a unit-scope manager, a user without a role: 403
    r = b.get("/admin/audit")
    eq(r.status, 403, "GET /admin/audit of a unit-scope manager")
    check(not r.page.by_id("audit"), "a unit-scope manager sees the table")
    u = make_user()
    pb = Browser()
    pb.login(u.upn, u.password, 303, "/")
    eq(pb.get("/admin/audit").status, 403, "GET /admin/audit without a role")


@test
def w3m_manager_pages():
    if W3M is None:
        return
    unit, _, aa, b = manager_unit("Store Text")
    t = member(unit, name="Wendell Textmode", mobile=fresh_mobile())
    o = member(unit, name="Odessa Premline", source="onprem")
    out = w3m_dump(b.expect("GET", reset_path(t.id), 200).raw)
    for label in ("Reset password", t.name, "temporary password", "Cancel",
                  "Back to the profile"):
        check(label in out, "w3m reset page: %r not visible in:\n%s"
              % (label, out))
    out = w3m_dump(b.expect("GET", reset_path(o.id), 200).raw)
    for label in ("Reset password", "New password", "New password again",
                  "at least 8 characters"):
        check(label in out, "w3m on-prem reset page: %r not visible in:\n%s"
              % (label, out))
    r = reset(b, t.id)
    out = w3m_dump(r.raw)
    check(temp_of(r) in out, "w3m done page: the temporary password is not "
          "visible in:\n%s" % out)
    out = w3m_dump(phone_page(b, t.id).raw)
    for label in ("Phone numbers", "Mobile", "Alternate mobile", "Office",
                  "Save", "Remove", "x123"):
        check(label in out, "w3m phone page: %r not visible in:\n%s"
              % (label, out))
    eq(out.count("Save"), 3, "Save buttons in w3m")
    eq(out.count("Remove"), 1, "Remove buttons in w3m (one number)")


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
        try:
            with open("/proc/%d/stat" % victim) as f:
                gone = f.read().split(")")[-1].split()[0] in ("Z", "X")
        except FileNotFoundError:
            gone = True
        if gone:
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


# ---------------------------------------------------------------- runner


def main():
    global BASE, VAR, ROOT, HOST, PORT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--var", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("-k", dest="only", action="append",
                    help="run only the tests whose name contains this")
    ap.add_argument("-v", action="store_true", help="tracebacks on failure")
    args = ap.parse_args()
    BASE = args.base.rstrip("/")
    VAR = os.path.abspath(args.var)
    ROOT = os.path.abspath(args.root)
    u = urllib.parse.urlsplit(BASE)
    HOST, PORT = u.hostname, u.port or 80

    passed = failed = 0
    for fn in TESTS:
        name = fn.__name__
        if args.only and not any(k in name for k in args.only):
            continue
        t0 = time.time()
        try:
            fn()
        except Exception as e:
            failed += 1
            if isinstance(e, Fail):
                why = str(e)
            else:
                why = "%s: %s" % (type(e).__name__, e)
            why = " | ".join(l.strip() for l in why.splitlines()
                             if l.strip())
            print("FAIL %s: %s" % (name, why), flush=True)
            if args.v:
                traceback.print_exc()
        else:
            passed += 1
            print("ok %s" % name + (" (%.1fs)" % (time.time() - t0)
                                    if args.v else ""), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
