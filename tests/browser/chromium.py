"""The manager's and the staff member's journeys in headless Chromium with
JavaScript off, at a desktop, a small laptop and a phone's size; the
sign-in and MFA forms by keyboard alone; and, on every page the journeys
see, what any browser needs of it (pages.py)."""

import os
import re
import secrets
import shutil

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
import cdp
import pages

SIZES = ((1280, 800), (1024, 768), (360, 640))
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
_fresh = []


def out_dir():
    """tests/browser/out, emptied once a run."""
    if not _fresh:
        shutil.rmtree(OUT, ignore_errors=True)
        os.makedirs(OUT)
        _fresh.append(1)
    return OUT


# The audit log's page of 100 entries, an admin's tool: about 64 KB (each
# entry's details are lines); every journey page stays under 30 KB.
HEAVY = {"audit": 96 * 1024}


def look(c, name):
    """Checks the page c shows: the document is no wider than the
    viewport, and pages.check_page's rules; saves a screenshot
    out/NAME-WxH.png. Returns the page's HTML as served (lib.Page)."""
    url, status, mime, body = c.fetched[0]
    where = "%s at %dx%d (%s)" % (name, c.width, c.height, c.path())
    check(status < 500, "%s: status %d" % (where, status))
    c.screenshot(os.path.join(out_dir(), "%s-%dx%d.png"
                              % (name, c.width, c.height)))
    fits(c, where)
    pages.check_page(c, where, max_bytes=HEAVY.get(name))
    return Page(body.decode("utf-8"))


def fits(c, where):
    """The document is no wider than the window, and on a phone the
    header takes at most a fifth of the screen."""
    doc, view = c.layout()
    check(doc <= c.width and view == c.width,
          "%s: the page is %d px wide (layout viewport %d) in a %d px window"
          % (where, doc, view, c.width))
    # no list cell off the window's right edge, scrolled out of sight
    for n in c.nodes("table.list tr:nth-child(-n+12) > td"):
        try:
            q = c.call("DOM.getContentQuads", {"nodeId": n})["quads"]
        except Fail:
            continue            # not shown (an empty cell, say)
        if q and max(q[0][0::2]) > c.width + 0.5:
            t = " ".join(c.call("DOM.getOuterHTML", {"nodeId": n})
                         ["outerHTML"].split())[:120]
            check(False, "%s: a list cell ends at x=%d, past the %d px "
                  "window: %s" % (where, max(q[0][0::2]), c.width, t))
    top = c.nodes(".top")
    if top and c.width < 600:
        q = c.call("DOM.getBoxModel", {"nodeId": top[0]})["model"]
        check(q["height"] <= c.height / 5, "%s: the header is %d px tall of "
              "%d" % (where, q["height"], c.height))


def follow(c, selector):
    """Clicks the link or button and waits for the page it leads to."""
    c.load(lambda: c.click(selector))


def submit(c, fields, button=None):
    """Types each field (selector: text) and sends the form: Enter in the
    last field, or a click on button."""
    for sel, text in fields:
        c.type_into(sel, text)
    c.load(lambda: c.click(button) if button else c.key("Enter"))


def text_of(c):
    return " ".join(Page(c.html()).root.text().split())


def sees(c, what, where):
    t = text_of(c)
    check(what in t, "%s (%s): %r not on the page: %s"
          % (where, c.path(), what, t[:600]))


COLLEAGUES = (("Ana Lima", "Cashier", True),
              ("Bruno Costa", "Stock associate", False),
              ("Chloé Martin", "Shift lead", True),
              ("Dev Patel", "Cashier", True))


def colleague(unit, name, job, mobile):
    args = ["user", "add", "--upn", uniq("c"), "--name", name,
            "--job-title", job]
    if mobile:
        args += ["--mobile", fresh_mobile()]
    cli_ok(*args)
    cli_ok("unit", "add-member", "--unit", unit, "--user", args[3])


def on_first_screen(c, selector, what):
    """The element is wholly inside the window of a page not scrolled."""
    q = c.call("DOM.getBoxModel", {"nodeId": c.node(selector)})["model"]
    ys = q["border"][1::2]
    check(min(ys) >= 0 and max(ys) <= c.height, "%s at %dx%d: %s is at "
          "y %d-%d, outside the first %d px" % (c.path(), c.width, c.height,
                                                what, min(ys), max(ys),
                                                c.height))


def px(size):
    check(size.endswith("px"), "a computed font-size %r" % size)
    return float(size[:-2])


def key_readable(c):
    """The enrolment key, to type and to copy, is at least as large as
    the text around it as Chromium draws it (a monospace font is drawn
    smaller at the same size: issue 13), and the link that hands the key
    to an app on the same phone is there."""
    body = px(c.style(c.node("body"))["font-size"])
    for sel in ("#totp-grouped", "#totp-secret"):
        got = px(c.style(c.node(sel))["font-size"])
        check(got >= body, "%s at %dx%d: %s is %.1f px, the body text %.1f "
              "px" % (c.path(), c.width, c.height, sel, got, body))
    c.node('a#otpauth[href^="otpauth://totp/"]')


def browser(w, h):
    return cdp.Chrome(w, h, mobile=w < 600)


def manager_journey(w, h):
    """A new manager signs in, enrols an authenticator app, opens the
    location and a person, resets their password, adds, edits and
    removes a mobile number, searches and signs out. Returns the member
    reset and the temporary password."""
    unit, unit_id = add_unit("Harbour Street")
    m = make_user(name="Mona Browser", prefix="mgr")
    for u in (unit, add_unit("Browser Depot")[0]):    # a list to choose
        cli_ok("role", "assign", "--user", m.upn, "--role",
               "authentication-administrator", "--unit", u)
    t = member(unit, name="Theo Chromewright %s" % secrets.token_hex(2),
               job="Sales associate")
    for name, job, mobile in COLLEAGUES:     # a list as a store has one
        colleague(unit, name, job, mobile)
    base = BASE
    with browser(w, h) as c:
        c.open(base + "/login")
        look(c, "signin")
        submit(c, (("#username", m.upn), ("#password", m.password)))
        look(c, "enrol")
        sees(c, "Set up an authenticator app", "enrolment")
        key_readable(c)
        key = Page(c.html()).by_id("totp-secret").text().strip()
        check(re.fullmatch(r"[A-Z2-7]{16,}", key), "enrol key %r" % key)
        submit(c, (("#code", totp_now(key)),))
        check(c.path() in ("/", "/units", "/account/mfa"),
              "after enrolment: %s" % c.path())
        if c.path() == "/account/mfa":     # "set up" page: go on
            follow(c, 'a[href="/"]')
        follow(c, '.nav a[href="/units"]')
        look(c, "locations")
        sees(c, unit, "locations")
        follow(c, 'a[href="/units/%s"]' % unit_id)
        look(c, "location")
        sees(c, t.name, "the location's list")
        follow(c, 'a[href="/users/%s"]' % t.id)
        look(c, "profile")
        sees(c, t.upn, "profile")
        follow(c, "#reset-password")
        look(c, "reset")
        follow(c, "#confirm-reset")
        p = look(c, "reset-done")
        temp = temp_password(p)
        sees(c, temp, "reset result")
        eq(sql("SELECT must_change_password FROM users WHERE id = %s"
               % sqlq(t.id)), [["1"]], "must change after the reset")
        follow(c, 'a[href="/users/%s"]' % t.id)
        follow(c, "#phones-edit")
        look(c, "phone")
        # refused: said on the screen the page opens at (issue 13)
        submit(c, (("#number-office", "425 555 0100"),),
               '#phone-office button[value="save"]')
        look(c, "phone-refused")
        on_first_screen(c, "#summary", "the refused number's summary")
        check(c.nodes('#summary a[href="#number-office"]'), "the summary "
              "does not link to #number-office")
        number = fresh_mobile()
        submit(c, (("#number-mobile", number),),
               '#phone-mobile button[value="save"]')
        look(c, "profile-saved")
        sees(c, "Mobile number saved", "after saving a number")
        eq(sql("SELECT number FROM phones WHERE user_id = %s AND type = "
               "'mobile'" % sqlq(t.id)), [[number]], "the number saved")
        follow(c, "#phones-edit")
        other = fresh_mobile()
        c.call("DOM.setAttributeValue", {
            "nodeId": c.node("#number-mobile"), "name": "value",
            "value": ""})
        submit(c, (("#number-mobile", other),),
               '#phone-mobile button[value="save"]')
        eq(sql("SELECT number FROM phones WHERE user_id = %s AND type = "
               "'mobile'" % sqlq(t.id)), [[other]], "the number edited")
        follow(c, "#phones-edit")
        follow(c, '#phone-mobile button[value="remove"]')
        sees(c, "Mobile number removed", "after removing a number")
        eq(sql("SELECT COUNT(*) FROM phones WHERE user_id = %s"
               % sqlq(t.id)),
           [["0"]], "the number removed")
        c.open(BASE + "/units/%s/activity" % unit_id)
        look(c, "activity")
        sees(c, "user.phone.remove", "the location's recent activity")
        follow(c, '.nav a[href="/search"]')
        submit(c, (("#q", t.name.split()[1]),))
        look(c, "search")
        sees(c, t.upn, "search results")
        follow(c, '.nav button[type="submit"]')
        check(c.path().startswith("/login"), "after sign-out: %s"
              % c.path())
        eq(sql("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = "
               "s.user_id WHERE u.upn = %s" % sqlq(m.upn)), [["0"]],
           "sessions left after sign-out")
    return t, temp


def temp_password(p):
    n = p.by_id("temp-password")
    check(n is not None, "no #temp-password on the reset result")
    return n.text().strip()


def staff_journey(w, h, t, temp):
    """The member signs in with the temporary password and must choose
    their own."""
    with browser(w, h) as c:
        c.open(BASE + "/login")
        submit(c, (("#username", t.upn), ("#password", temp)))
        eq(c.path(), "/account/password", "a temporary password's sign-in")
        look(c, "forced-change")
        new = good_password()
        submit(c, (("#new_password", new), ("#confirm_password", new)))
        look(c, "account")
        sees(c, "Your password was changed", "after the change")
        eq(sql("SELECT must_change_password FROM users WHERE id = %s"
               % sqlq(t.id)), [["0"]], "must change after the change")


def journeys(w, h):
    t, temp = manager_journey(w, h)
    staff_journey(w, h, t, temp)


@test
def chromium_journeys_1280x800():
    journeys(1280, 800)


@test
def chromium_journeys_1024x768():
    journeys(1024, 768)


@test
def chromium_journeys_360x640():
    journeys(360, 640)


@test
def chromium_has_javascript_off():
    """The journeys prove no page needs JavaScript only if it is off."""
    with browser(1024, 768) as c:
        c.open("data:text/html,<title>before</title>"
               "<script>document.title='ran'</script>")
        eq(c.call("Page.getNavigationHistory")["entries"][-1]["title"],
           "before", "the page title (a script ran)")


def focus_shown(c, where):
    """The focused element's name; fails unless the focus is drawn (an
    outline or a shadow: a keyboard user must see where they are)."""
    backend, name = c.focused()
    check(backend is not None, "%s: nothing has the focus" % where)
    st = c.style(c.front_id(backend))
    drawn = (st.get("outline-style") not in (None, "none") and
             st.get("outline-width") not in (None, "0px")) or \
        st.get("box-shadow") not in (None, "none")
    check(drawn, "%s: the focus on %r is not visible (outline %s %s, "
          "box-shadow %s)" % (where, name, st.get("outline-style"),
                             st.get("outline-width"), st.get("box-shadow")))
    return name


def tab_to(c, label, where, tries=12):
    """Presses Tab until the field labelled `label` has the focus, each
    stop's focus visible."""
    for _ in range(tries):
        name = focus_shown(c, where) if c.focused()[0] else ""
        if name.startswith(label):
            return
        c.key("Tab")
    check(False, "%s: %d Tabs never reached %r" % (where, tries, label))


@test
def chromium_keyboard_signin_and_mfa():
    """Sign-in and the MFA step with Tab, typing and Enter alone."""
    unit, _ = add_unit("Keyboard Store")
    m = add_manager("authentication-administrator", unit)
    with browser(1024, 768) as c:
        c.open(BASE + "/login")
        tab_to(c, "Username", "sign-in")
        c.call("Input.insertText", {"text": m.upn})
        c.key("Tab")
        tab_to(c, "Password", "sign-in")
        c.call("Input.insertText", {"text": m.password})
        c.load(lambda: c.key("Enter"))
        eq(c.path(), "/login/mfa", "after the password, by keyboard")
        tab_to(c, "Code", "MFA")
        c.call("Input.insertText", {"text": totp_now(m.secret)})
        c.load(lambda: c.key("Enter"))
        check(c.path() == "/" or c.path().startswith("/units"),
              "after the code, by keyboard: %s" % c.path())
        sees(c, "Signed in as", "signed in by keyboard")


def sign_in(c, u):
    """Password and the app's code, typed into the forms."""
    c.open(BASE + "/login")
    submit(c, (("#username", u.upn), ("#password", u.password)))
    eq(c.path(), "/login/mfa", "after the password")
    submit(c, (("#code", totp_now(u.secret)),))


@test
def chromium_audit_log():
    """The audit log, with entries of every kind of detail, at each size:
    no column out of sight."""
    for w, h in SIZES:
        with browser(w, h) as c:
            sign_in(c, add_manager("reports-reader"))
            c.open(BASE + "/admin/audit")
            look(c, "audit")
            sees(c, "When (UTC)", "the audit log")
