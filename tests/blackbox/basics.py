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
    # the form's media type is the whole type, with parameters or not
    for ctype, status in (("application/x-www-form-urlencodedXYZ", 415),
                          ("application/x-www-form-urlencoded-x", 415),
                          ("application/x-www-form-urlencoded; charset=UTF-8",
                           422),
                          ("Application/X-WWW-Form-Urlencoded", 422)):
        b.get("/login")
        r = b.request("POST", "/login", data=("csrf=%s&username=nobody%%40"
                                              "b.example&password=b"
                                              % b.last.csrf()).encode(),
                      ctype=ctype)
        eq(r.status, status, "POST /login as %s" % ctype)
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


def css_rules(css):
    """The rules of a stylesheet: [(media or None, [selectors],
    {property: value})], comments dropped, in order."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, media, i = [], None, 0
    for m in re.finditer(r"([^{}]*)([{}])", css):
        head = " ".join(m.group(1).split())
        if m.group(2) == "}":
            if not head and media is not None:
                media = None
            continue
        if head.startswith("@media"):
            media = head[len("@media"):].strip()
            continue
        end = css.index("}", m.end())
        decls = {}
        for d in css[m.end():end].split(";"):
            if ":" in d:
                k, v = d.split(":", 1)
                decls[k.strip()] = " ".join(v.split())
        rules.append((media, [s.strip() for s in head.split(",")], decls))
    return rules


def stylesheet():
    r = Browser().get("/static/style.css", checked=False)
    eq(r.status, 200, "GET /static/style.css")
    return r.raw


def rule_for(rules, selector, prop, media=None):
    """The value of prop in the last rule (of media) naming selector."""
    got = None
    for m, sels, decls in rules:
        if m == media and selector in sels and prop in decls:
            got = decls[prop]
    return got


@test
def stylesheet_buttons():
    """Buttons and form fields take the page's font, and a link drawn as
    a button keeps its colour once visited (not the browser's purple)."""
    rules = css_rules(stylesheet().decode())
    for s in ("button", "input", "select", "textarea"):
        eq(rule_for(rules, s, "font-family"), "inherit", "%s's font" % s)
    eq(rule_for(rules, "a.button:visited", "color"), "#123a5a",
       "a visited button link's colour")


def luminance(hexcolour):
    h = hexcolour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    out = 0
    for k, i in zip((0.2126, 0.7152, 0.0722), (0, 2, 4)):
        c = int(h[i:i + 2], 16) / 255
        c = c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        out += k * c
    return out


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


@test
def stylesheet_narrow_and_readable():
    """The one stylesheet stays small (6 KB, of a page's 30 KB), keeps form
    fields inside the page at any width, makes a list scroll in its own box (a visually
    hidden part of a button in it too), has a phone layout whose header
    drops what is long, and every text colour it sets reads at 4.5:1 or
    more (WCAG AA) on every background it sets (the header's on its own)."""
    raw = stylesheet()
    check(len(raw) <= 6144, "style.css is %d bytes (over 6 KB)" % len(raw))
    rules = css_rules(raw.decode())
    for s in ("input", "select", "textarea"):
        eq((rule_for(rules, s, "max-width"), rule_for(rules, s, "box-sizing")),
           ("100%", "border-box"), "%s fits the page" % s)
    eq((rule_for(rules, ".scroll", "overflow-x"),
        rule_for(rules, ".scroll", "position")), ("auto", "relative"),
       ".scroll")
    narrow = [m for m, _, _ in rules if m and "max-width" in m]
    check(narrow, "no @media (max-width: ...) for phones")
    eq(rule_for(rules, ".long-only", "display", narrow[0]), "none",
       "the phone layout hides .long-only")
    check(rule_for(rules, ".top", "padding", narrow[0]) is not None and
          rule_for(rules, ".main", "margin", narrow[0]) == "0",
          "the phone layout's header padding and edge-to-edge page")
    # the header's name stays, its "Signed in as" and UPN are long-only
    m = make_user()
    b = Browser()
    b.login(m.upn, m.password, 303, "/")
    r = b.expect("GET", "/account", 200)
    who = [n for n in r.page.root.iter() if "who" in
           n.attrs.get("class", "").split()]
    check(len(who) == 1, "/account: no .who in the header")
    hidden = " ".join(n.text() for n in who[0].iter()
                      if "long-only" in n.attrs.get("class", "").split())
    check(m.upn in hidden and "Signed in as" in hidden and m.name not in
          hidden, "the header's long-only parts: %r" % hidden)
    # contrast: the header's text on its background; any other text
    # colour on every other background (and the page's, and white)
    top = [(d.get("color"), d.get("background")) for m_, s, d in rules
           if any(x.startswith(".top") for x in s)]
    top_bg = [bg for _, bg in top if bg][0]
    for fg, _ in top:
        if fg:
            check(contrast(fg, top_bg) >= 4.5, "header text %s on %s: %.2f"
                  % (fg, top_bg, contrast(fg, top_bg)))
    hexc = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")
    fgs, bgs = set(), {"#fff"}
    for m_, sels, d in rules:
        if any(x.startswith(".top") for x in sels):
            continue
        if "color" in d:
            fgs.add(d["color"])
        for k in ("background", "background-color"):
            bgs.update(hexc.findall(d.get(k, "")))
    for fg in fgs:
        for bg in bgs:
            check(contrast(fg, bg) >= 4.5, "text %s on %s: %.2f:1 (under "
                  "4.5)" % (fg, bg, contrast(fg, bg)))
