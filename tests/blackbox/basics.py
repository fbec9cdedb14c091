"""What every request meets: /healthz, 404, 405, CSRF, body limits, escaping."""

import re

from lib import *  # noqa: F401,F403


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
def not_found_signed_in():
    """A wrong address while signed in is a 404 that still shows who is
    signed in and the way back (not the signed-out header); the browser's
    /favicon.ico is a small icon, not an error page."""
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/no/such/page", 404)
    check(u.upn in r.body and "Sign out" in r.body, "the 404 page "
          "while signed in lacks the signed-in header")
    # a refused form's error page leads back to the form, in words
    b.get("/account/password")
    r = b.post("/account/password", [("new_password", "a"),
                                     ("new_password", "b")])
    eq(r.status, 400, "a field sent twice")
    check(r.page.by_id("back") is not None and r.page.by_id("back").attrs
          .get("href") == "/account/password" and "Bad Request" not in
          r.body, "the 400 page of a form: %r" % r.page.root.text())
    r = Browser().get("/favicon.ico", checked=False)
    check(r.status == 200 and
          (r.header("Content-Type") or "").startswith("image/") and
          0 < len(r.raw) < 4096, "/favicon.ico: %d %s, %d bytes"
          % (r.status, r.header("Content-Type"), len(r.raw)))


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
def stylesheet_buttons():
    """Buttons and form fields take the page's font, and a link drawn as
    a button keeps its colour once visited (not the browser's purple)."""
    r = Browser().get("/static/style.css", checked=False)
    css = r.raw.decode()
    check(re.search(r"button, input, select, textarea \{ font-family: "
                    r"inherit; \}", css), "form controls keep their own "
          "font")
    check(re.search(r"a\.button:visited[^{]*\{[^}]*color: #123a5a", css),
          "a visited button link turns the browser's colour")
