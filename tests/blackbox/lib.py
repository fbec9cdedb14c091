"""The black-box suite's tools: an HTML tree, a browser (cookie jar, no
redirects) that checks every response against the rules every page keeps
(charset, security headers, no-store, tidy), the CLI and SQL against the
stack under test, and the users, TOTP codes and helpers every area uses.

The runner (__main__.py) sets BASE, VAR, ROOT, HOST and PORT before it
imports an area, so `from lib import *` brings the configured values.
"""

import base64
import functools
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


# Debian 12's tidy (5.6) predates inputmode, which gives a phone the digit
# keyboard for a code: the one warning let pass, and only it.
TIDY_BEHIND = ('<input> proprietary attribute "inputmode"',)


def tidy_errors(body):
    """What tidy says of an HTML document, errors and warnings alike."""
    check(TIDY is not None, "tidy is not installed: an HTML page cannot be "
          "checked (apt-get install tidy)")
    key = hashlib.sha256(body).hexdigest()
    if key not in _tidy_seen:
        p = subprocess.run([TIDY, "-q", "-e", "-utf8"], input=body,
                           capture_output=True, timeout=20)
        said = [l for l in p.stderr.decode("utf-8", "replace").splitlines()
                if l.strip() and not l.endswith(TIDY_BEHIND)]
        _tidy_seen[key] = said or (["tidy exit status %d" % p.returncode]
                                   if p.returncode >= 2 else [])
    return _tidy_seen[key]


def lynx_no_cache(cc):
    """Whether lynx fetches a page with this Cache-Control anew when a
    link leads back to it, instead of showing the copy in its history:
    as lynx's HTMIME.c reads it, "no-cache" followed by the end of the
    value or a ';' (so "no-cache, no-store" does not count), or
    max-age=0."""
    cc = cc.lower()
    return re.search(r"no-cache\s*(;|$)", cc) is not None or \
        re.search(r"max-age\s*=\s*0(?![0-9])", cc) is not None


def check_response(r):
    """The headers every response must carry, and tidy-clean HTML."""
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
        check("no-store" in cc and lynx_no_cache(cc), "%s: signed-in "
              "response without Cache-Control: no-store and a no-cache "
              "lynx reads (%r)" % (where, cc))
    if ct and ct.lower().startswith("text/html"):
        errs = tidy_errors(r.raw)
        check(not errs, "%s: tidy: %s" % (where, "; ".join(errs[:5])))
        # a list table scrolls in its own box, not the page (a phone)
        lists = r.body.count('<table class="list"')
        eq(r.body.count('<div class="scroll"><table class="list"'), lists,
           "%s: list tables in a scrolling box (of %d)" % (where, lists))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """A cookie jar and a user agent that never follows redirects."""
    _n = itertools.count(1)

    def __init__(self, ua=None, base=None):
        self.base = base        # another server than BASE (same host)
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
        req = urllib.request.Request((self.base or BASE) + path, data=data,
                                     method=method)
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


class _FromHandler(urllib.request.HTTPHandler):
    """Connects from a given loopback address, adding extra headers."""

    def __init__(self, addr, headers):
        super().__init__()
        self.addr = addr
        self.extra = headers

    def http_request(self, req):
        req = super().http_request(req)
        for k, v in self.extra.items():
            req.add_unredirected_header(k, v)
        return req

    def http_open(self, req):
        return self.do_open(functools.partial(
            http.client.HTTPConnection, source_address=(self.addr, 0)), req)


class From(Browser):
    """A browser whose connections come from addr (a 127/8 address, so
    nginx's $remote_addr, the app's REMOTE_ADDR, is addr)."""

    def __init__(self, addr, headers=None, ua=None, base=None):
        super().__init__(ua=ua, base=base)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect(),
            _FromHandler(addr, headers or {}))


def loopback_addr():
    """A random 127/8 address other than 127.0.0.1 (the suite's)."""
    return "127.%d.%d.%d" % (100 + secrets.randbelow(100),
                             secrets.randbelow(256),
                             2 + secrets.randbelow(250))


# nginx's own answers ----------------------------------------------------

SECTION8 = (("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", CSP),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"))
HSTS = "max-age=63072000"


def own_page(r, status, words, hsts, retry_after=None):
    """r is nginx's own page for status: the section 8 headers (and HSTS
    over HTTPS), tidy-clean HTML in UTF-8 saying words, no-store, and
    Retry-After when one is due."""
    where = desc(r)
    eq(r.status, status, where + ": status")
    check_response(r)
    for k, v in SECTION8:
        eq(r.header(k), v, "%s: %s" % (where, k))
    eq(r.header("Strict-Transport-Security"), HSTS if hsts else None,
       where + ": Strict-Transport-Security")
    check("no-store" in (r.header("Cache-Control") or ""), "%s: "
          "Cache-Control %r" % (where, r.header("Cache-Control")))
    check(words in r.body and "nginx" not in r.body.lower(),
          "%s: not staffdesk's page saying %r: %r" % (where, words,
                                                      r.body[:300]))
    eq(r.header("Retry-After"), retry_after, where + ": Retry-After")
    check(re.fullmatch("[0-9a-f]{32}", r.header("X-Request-Id") or ""),
          "%s: X-Request-Id %r (nginx's $request_id)" % (
              where, r.header("X-Request-Id")))



def stylesheet_link(body):
    """The href of the page's one stylesheet."""
    links = [n.attrs.get("href") for n in Page(body).all("link")
             if n.attrs.get("rel") == "stylesheet"]
    eq(len(links), 1, "stylesheet links")
    return links[0]


def hashed_name():
    """The name the build gives static/style.css: its SHA-256, 12 digits."""
    with open(os.path.join(ROOT, "static", "style.css"), "rb") as f:
        css = f.read()
    return "/static/style.%s.css" % hashlib.sha256(css).hexdigest()[:12], css


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


_seq = itertools.count(1)
RUN = secrets.token_hex(3)


def uniq(prefix="u"):
    return "%s%d-%s-%s@bb.example" % (prefix, next(_seq), RUN,
                                      secrets.token_hex(2))


def conf_env():
    env = dict(os.environ)
    env["STAFFDESK_CONF"] = os.path.join(VAR, "staffdesk.conf")
    return env


def make_install(*assignments):
    """make install with the assignments (PREFIX=..., DESTDIR=...) from
    ROOT, with the SANITIZE the binaries were built with (another would
    rebuild them under the running suite); its output."""
    try:
        with open(os.path.join(ROOT, "build", ".sanitize")) as f:
            sanitize = f.read().strip()
    except OSError:
        sanitize = ""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-C", ROOT, "install"] + list(assignments) +
                       ["SANITIZE=" + sanitize], capture_output=True,
                       text=True, env=env, timeout=600)
    check(p.returncode == 0, "make install: exit %d: %s" % (
        p.returncode, (p.stdout + p.stderr)[-2000:]))
    return p.stdout


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
    # Digits only where it is random: a run of hex letters could match a
    # word of the (hex-tagged) name or username, which the policy refuses;
    # and no digit twice in a row, nor two steps of 1 in a row, so that
    # no draw holds a run pwquality refuses (0000, 12345).
    while True:
        d = "%06d" % secrets.randbelow(10 ** 6)
        if all(d[i] != d[i + 1] for i in range(5)) and not any(
                abs(int(d[i + 1]) - int(d[i])) == 1 and
                int(d[i + 2]) - int(d[i + 1]) == int(d[i + 1]) - int(d[i])
                for i in range(4)):
            return "Tangerine-Bicycle-%s-Orbit" % d


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
    check(W3M is not None, "w3m is not installed: a page cannot be rendered "
          "as text (apt-get install w3m)")
    p = subprocess.run([W3M, "-dump", "-T", "text/html", "-cols", "100",
                        "-O", "UTF-8"], input=body, capture_output=True,
                       timeout=20)
    check(p.returncode == 0, "w3m exit status %d" % p.returncode)
    return p.stdout.decode("utf-8", "replace")


def gone(pid):
    """pid has exited (a zombie counts). Reading /proc of a process being
    reaped can fail with ESRCH (ProcessLookupError): gone too."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[-1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def session_rows(uid):
    return int(sql("SELECT COUNT(*) FROM sessions WHERE user_id = %s"
                   % sqlq(uid))[0][0])


TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn
