"""Self-service password reset at /reset (sms.sspr): username, a code
texted to the mobile or alternate mobile picked, the code, the new
password; sessions end, lockout and a password owed clear, the number
on file is told. Unknown users, users without a mobile number and role
holders (sspr.admins off) get one neutral page; role holders with
sspr.admins on pass the texted code and the app's code. Steps out of
order, a code used twice and a sign-in code are refused."""

import re

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import settings_at
from sms import age_texts
from codes import code_holder, only_code, page_shape, sms_step1

NOTICE = ("Your staffdesk password was changed. If this was not you, tell "
          "your manager.")


def start(b, upn, status=200):
    b.expect("GET", "/reset", 200)
    r = b.post("/reset", {"username": upn})
    eq(r.status, status, "POST /reset username=%s: %s" % (upn, desc(r)))
    return r


def send(b, number, kind="mobile", status=200):
    """Picks kind; on 200 checks the page and returns the texted code."""
    before = len(sms_lines(number))
    r = b.post("/reset/send", {"type": kind})
    eq(r.status, status, "POST /reset/send type=%s: %s" % (kind, desc(r)))
    if status != 200:
        return r
    check(masked(number) in (r.id_text("sent") or ""), "the page says "
          "where the code went: %r" % r.id_text("sent"))
    lines = sms_lines(number)
    eq(len(lines), before + 1, "texts to %s after sending a code" % number)
    check("password reset code" in lines[-1], "the text %r" % lines[-1])
    return only_code(lines[-1])


def post(b, path, fields, status, what):
    r = b.post(path, fields)
    eq(r.status, status, "%s: %s" % (what, desc(r)))
    if status == 422:
        check(r.id_text("error"), "no sentence with 422 for %s" % what)
    elif status == 403:
        check("Start again" in r.body,
              "no sentence with 403 for %s" % what)
    return r


def refresh(b):
    """A page with a form token after an error page (the flow stays)."""
    b.expect("GET", "/reset", 200)


def reasons(mark, uid, action):
    return [(x["result"], x["reason"]) for x in
            audit_rows(mark, action=action, target_id=uid)]


@test
def sspr_off_is_404():
    """sms.sspr off (the default): no link on /login, every /reset page
    404; on: the link and the form."""
    r = Browser().expect("GET", "/login", 200)
    check(r.page.by_id("sspr") is None, "a Forgot password? link with "
          "sms.sspr off")
    b = Browser()
    b.expect("GET", "/reset", 404)
    b.get("/login")
    b.expect("POST", "/reset/password", 404,
             fields={"new_password": "x", "confirm_password": "x"})
    with settings_at({"sms.sspr": "on"}):
        r = Browser().expect("GET", "/login", 200)
        check(r.page.by_id("sspr") is not None, "no Forgot password? link")
        eq(r.page.by_id("sspr").attrs.get("href"), "/reset", "the link")
        r = Browser().expect("GET", "/reset", 200)
        dump = w3m_dump(r.raw)
        check("Username" in dump and "Next" in dump, "w3m shows %r" % dump)


@test
def sspr_cloud_end_to_end():
    """A cloud user, locked out and owing a password change, signed in
    elsewhere: username, the masked mobile, the code, a password the
    policy refuses (422), a good one (200). Every session ends, lockout
    and must-change clear, the new password signs in, the number is told
    by text, and every step is audited without the code or password. The
    used code, and the password step again, are refused."""
    age_texts()
    unit, _ = add_unit("Store Sspr")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    other = Browser()
    other.login(u.upn, u.password, 303, "/")
    other.expect("GET", "/account", 200)
    sql("UPDATE users SET failed_signins = 7, locked_until = "
        "UTC_TIMESTAMP() + INTERVAL 1 HOUR, must_change_password = 1 "
        "WHERE id = %s" % sqlq(u.id))
    with settings_at({"sms.sspr": "on"}):
        mark = audit_mark()
        b = Browser()
        r = start(b, u.upn)
        check(r.page.by_id("type-mobile") is not None, "no mobile to pick")
        check(r.page.by_id("type-office") is None, "an office number")
        check(masked(number) in norm(r.page.root.text()), "the masked "
              "number on the page")
        check(number not in r.body, "the number in clear")
        code = send(b, number)
        r = post(b, "/reset/code", {"code": code}, 200, "the right code")
        check(r.page.by_id("set-password") is not None, "no password form")
        r = post(b, "/reset/password", {"new_password": "short",
                 "confirm_password": "short"}, 422, "a short password")
        new = good_password()
        r = post(b, "/reset/password", {"new_password": new,
                 "confirm_password": new + "x"}, 422, "a mismatch")
        r = post(b, "/reset/password", {"new_password": new,
                 "confirm_password": new}, 200, "the new password")
        check(r.page.by_id("done") is not None, "no result")
        eq(sms_lines(number)[-1], NOTICE, "the last text to the number")
        other.expect("GET", "/account", 303)
        eq(session_rows(u.id), 0, "sessions of the user after the reset")
        eq(sql("SELECT failed_signins, locked_until IS NULL, "
               "must_change_password FROM users WHERE id = %s"
               % sqlq(u.id)), [["0", "1", "0"]], "lockout and must-change")
        Browser().login(u.upn, new, 303, "/")
        Browser().login(u.upn, u.password, 422)
        eq(reasons(mark, u.id, "sms.code.send"), [("success", None)],
           "sms.code.send rows")
        eq(details(audit_rows(mark, action="sms.code.send",
                              target_id=u.id)[0])["purpose"], "reset",
           "the code's purpose")
        eq(reasons(mark, u.id, "sspr.verify"), [("success", None)],
           "sspr.verify rows")
        row = one_audit(mark, "the reset", action="user.password.reset",
                        target_id=u.id)
        eq((row["result"], row["client"]), ("success", "account"),
           "the reset row")
        d = details(row)
        eq((d["initiatedBy"], d["source"], d["methods"], d["notice"]),
           ("self-service", "cloud", "sms", "queued"), "its details")
        for x in audit_rows(mark):
            check(code not in (x["details"] or ""), "the code in audit row "
                  "%s" % x["id"])
        no_secret_stored(new, "the new password")
        # the same code again, and the password step again: refused
        refresh(b)
        post(b, "/reset/code", {"code": code}, 403, "the used code")
        refresh(b)
        post(b, "/reset/password", {"new_password": good_password(),
             "confirm_password": "x"}, 403, "the password step again")
        Browser().login(u.upn, new, 303, "/")


@test
def sspr_neutral_page():
    """An unknown username, a user without a phone, one with only an
    office number and a disabled one get the same 200 page (ask your
    manager) and no text; each is audited as sspr.start with why."""
    age_texts()
    unit, _ = add_unit("Store SsprNeutral")
    nophone = member(unit)
    office = member(unit)
    onum = fresh_mobile()
    sql("INSERT INTO phones (user_id, type, number) VALUES (%s, 'office', "
        "%s)" % (sqlq(office.id), sqlq(onum)))
    dnum = fresh_mobile()
    disabled = member(unit, mobile=dnum)
    cli_ok("user", "disable", "--upn", disabled.upn)
    with settings_at({"sms.sspr": "on"}):
        mark = audit_mark()
        pages = []
        for upn in (uniq("nobody") + "@example.com", nophone.upn,
                    office.upn, disabled.upn):
            r = start(Browser(), upn)
            check(r.page.by_id("neutral") is not None, "no neutral "
                  "message for %s" % upn)
            check(r.page.by_id("send-code") is None, "a number to pick "
                  "for %s" % upn)
            pages.append(page_shape(r))
        for p in pages[1:]:
            eq(p, pages[0], "the page for an unknown username")
        eq(sms_lines(onum) + sms_lines(dnum), [], "texts sent")
        eq(reasons(mark, nophone.id, "sspr.start"),
           [("failure", "no_phone")], "sspr.start of the user without "
           "a phone")
        eq(reasons(mark, office.id, "sspr.start"),
           [("failure", "no_phone")], "sspr.start of the office number")
        eq(reasons(mark, disabled.id, "sspr.start"),
           [("failure", "disabled")], "sspr.start of the disabled user")
        b = Browser()
        start(b, office.upn)
        refresh(b)
        post(b, "/reset/send", {"type": "office"}, 403, "texting an "
             "office number without a flow")
    phone_counts_agree()


@test
def sspr_admins():
    """A role holder (with the app and a mobile) gets the neutral page
    by default. With sspr.admins on: the alternate mobile can be picked,
    the texted code leads to the app's code (the password step before it
    is 403), a wrong app code is 422, the right one leads to the
    password; the reset is audited with both methods."""
    age_texts()
    u, number = code_holder("Store SsprAdmin", totp=True)
    alt = fresh_mobile()
    sql("INSERT INTO phones (user_id, type, number) VALUES (%s, "
        "'alternateMobile', %s)" % (sqlq(u.id), sqlq(alt)))
    with settings_at({"sms.sspr": "on"}):
        r = start(Browser(), u.upn)
        check(r.page.by_id("neutral") is not None, "an admin offered SSPR "
              "with sspr.admins off")
        eq(page_shape(r), page_shape(start(Browser(), uniq("nobody") +
           "@example.com")), "the admin's page and an unknown username's")
        eq(sms_lines(number) + sms_lines(alt), [], "texts to the admin")
    with settings_at({"sms.sspr": "on", "sspr.admins": "on"}):
        mark = audit_mark()
        b = Browser()
        r = start(b, u.upn)
        check(r.page.by_id("type-alternateMobile") is not None, "no "
              "alternate mobile to pick")
        code = send(b, alt, "alternateMobile")
        eq(sms_lines(number), [], "texts to the mobile not picked")
        r = post(b, "/reset/code", {"code": code}, 200, "the texted code")
        check(r.page.by_id("second") is not None and
              r.page.by_id("set-password") is None, "no app code asked")
        new = good_password()
        post(b, "/reset/password", {"new_password": new,
             "confirm_password": new}, 403, "the password before the app")
        refresh(b)
        post(b, "/reset/totp", {"code": wrong_code(u.secret)}, 422,
             "a wrong app code")
        r = post(b, "/reset/totp", {"code": totp_now(u.secret)}, 200,
                 "the app's code")
        check(r.page.by_id("set-password") is not None, "no password form")
        post(b, "/reset/password", {"new_password": new,
             "confirm_password": new}, 200, "the new password")
        eq(sms_lines(number)[-1], NOTICE, "the notice to the mobile")
        eq(reasons(mark, u.id, "sspr.verify"), [("success", None),
           ("failure", "bad_code"), ("success", None)], "sspr.verify rows")
        row = one_audit(mark, "the reset", action="user.password.reset",
                        target_id=u.id)
        eq(details(row)["methods"], "sms+totp", "the methods")
        Browser().login(u.upn, new, 303, "/login/mfa")
    phone_counts_agree()


@test
def sspr_steps_in_order():
    """A crafted POST cannot skip a step: the password or the code
    without a flow, the code before one was sent, the password after the
    code was sent but not passed, another browser's flow: all 403, the
    password unchanged."""
    age_texts()
    unit, _ = add_unit("Store SsprOrder")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    before = pw_state(u.id)
    pw = good_password()
    fields = {"new_password": pw, "confirm_password": pw}
    with settings_at({"sms.sspr": "on"}):
        b = Browser()
        refresh(b)
        post(b, "/reset/password", fields, 403, "the password first")
        refresh(b)
        post(b, "/reset/code", {"code": "123456"}, 403, "a code first")
        start(b, u.upn)
        post(b, "/reset/password", fields, 403, "the password after the "
             "username")
        refresh(b)
        post(b, "/reset/code", {"code": "123456"}, 403, "a code before "
             "one was sent")
        refresh(b)
        start(b, u.upn)
        code = send(b, number)
        post(b, "/reset/password", fields, 403, "the password after the "
             "code was sent")
        thief = Browser()
        refresh(thief)
        post(thief, "/reset/code", {"code": code}, 403, "the code from "
             "another browser")
        eq(pw_state(u.id), before, "the password after refused steps")
        refresh(b)
        post(b, "/reset/code", {"code": code}, 200, "the code in order")


@test
def sspr_codes_refused():
    """A sign-in code is not a reset code (422, audited bad_code); the
    reset code still works after it; five wrong codes kill it, after
    which even the right one is refused."""
    age_texts()
    unit, _ = add_unit("Store SsprCodes")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    with settings_at({"sms.sspr": "on", "sms.signin": "all"}):
        mark = audit_mark()
        b = Browser()
        start(b, u.upn)
        code = send(b, number)
        age_texts(number, 61)
        sms_step1(Browser(), number)
        signin = only_code(sms_lines(number)[-1])
        check("sign-in code" in sms_lines(number)[-1], "not a sign-in code")
        if signin != code:
            post(b, "/reset/code", {"code": signin}, 422, "a sign-in code")
        post(b, "/reset/code", {"code": code}, 200, "the reset code after")
        rows = reasons(mark, u.id, "sspr.verify")
        eq(rows[-1], ("success", None), "the last sspr.verify row")
        if signin != code:
            eq(rows[0], ("failure", "bad_code"), "the sign-in code's row")
        # five wrong tries kill a code
        age_texts(number, 61)
        b = Browser()
        start(b, u.upn)
        code = send(b, number)
        wrong = "%06d" % ((int(code) + 1) % 10 ** 6)
        for i in range(5):
            post(b, "/reset/code", {"code": wrong}, 422, "wrong code %d"
                 % (i + 1))
        r = post(b, "/reset/code", {"code": code, "type": "mobile"}, 422,
                 "the right code after five wrong ones")
        check(masked(number) in norm(r.page.root.text()), "the error page "
              "names the number the code went to")
        check(r.page.by_id("sent") is None, "an error page that says a "
              "code was sent")
        check(r.page.by_id("resend") is not None, "no way to a new code "
              "from a dead one")
        # a new code at once is held by the per-minute rule: the code
        # form stays (for the code in hand), with when to try again
        before = len(sms_lines(number))
        r = post(b, "/reset/send", {"type": "mobile"}, 429, "a new code "
                 "within the minute")
        check(r.page.by_id("code") is not None and "Try again in" in
              (r.id_text("error") or ""), "the 429 page: %r"
              % r.id_text("error"))
        eq(len(re.findall(r"(?i)(nothing|no code) was sent",
                          r.id_text("error"))), 1, "the 429 sentence says once "
           "that nothing was sent: %r" % r.id_text("error"))
        eq(len(sms_lines(number)), before, "texts after the 429")
        age_texts(number, 61)
        fresh = send(b, number)
        # started again from the username within the minute: no code
        # form, so the 429 must not promise the code in hand works
        nb = Browser()
        start(nb, u.upn)
        r = post(nb, "/reset/send", {"type": "mobile"}, 429, "a code "
                 "within the minute, from a new start")
        said = r.id_text("error") or ""
        check(r.page.by_id("code") is None and "Try again in" in said and
              "still works" not in said, "the 429 of a new start offers no "
              "code field and says %r" % said)
        post(b, "/reset/code", {"code": fresh}, 200, "the new code")


@test
def sspr_country_codes():
    """A number whose country sms.allowed_country_codes leaves out is not
    offered: with only such a number the person gets the neutral page."""
    age_texts()
    unit, _ = add_unit("Store SsprCountry")
    number = "+447700" + fresh_mobile()[-6:]
    while sql("SELECT 1 FROM phones WHERE number = %s" % sqlq(number)):
        number = "+447700" + fresh_mobile()[-6:]
    u = member(unit, mobile=number)
    with settings_at({"sms.sspr": "on"}):
        r = start(Browser(), u.upn)
        check(r.page.by_id("type-mobile") is not None, "the mobile not "
              "offered with every country allowed")
        check("+44 ••• ••• " + number[-4:] in norm(r.page.root.text()),
              "the masked number keeps its whole country code")
    with settings_at({"sms.sspr": "on", "sms.allowed_country_codes": "1"}):
        r = start(Browser(), u.upn)
        check(r.page.by_id("neutral") is not None and
              r.page.by_id("type-mobile") is None, "a +44 number offered "
              "when only +1 may be texted")
    eq(sms_lines(number), [], "texts to the number")


@test
def sspr_onprem():
    """A synced user's new password meets the on-premises policy (422
    with its rules otherwise) and goes through writeback: with
    onprem.writeback none it is a 503 and nothing changes (the flow
    stays); with local it is set and audited as onprem."""
    age_texts()
    unit, _ = add_unit("Store SsprOnprem")
    number = fresh_mobile()
    u = member(unit, name="Ophelia Westbrook", mobile=number,
               source="onprem")
    before = pw_state(u.id)
    with settings_at({"sms.sspr": "on"}):
        mark = audit_mark()
        b = Browser()
        start(b, u.upn)
        code = send(b, number)
        post(b, "/reset/code", {"code": code}, 200, "the code")
        r = post(b, "/reset/password", {"new_password": "abcdefghijkl",
                 "confirm_password": "abcdefghijkl"}, 422, "no complexity")
        check("three of these four" in (r.id_text("error") or ""),
              "the on-premises rule: %r" % r.id_text("error"))
        good = "Harbor!%s-Kite7" % secrets.token_hex(3)
        with settings_at({"onprem.writeback": "none"}):
            refresh(b)
            r = b.post("/reset/password", {"new_password": good,
                       "confirm_password": good})
            eq(r.status, 503, "SSPR with onprem.writeback none: %s"
               % desc(r))
            eq(pw_state(u.id), before, "the password after writeback "
               "failed")
        refresh(b)
        post(b, "/reset/password", {"new_password": good,
             "confirm_password": good}, 200, "a good on-premises password")
        row = one_audit(mark, "the reset", action="user.password.reset",
                        target_id=u.id)
        eq(details(row)["source"], "onprem", "the reset's source")
        Browser().login(u.upn, good, 303, "/")
        no_secret_stored(good, "the on-premises password")


@test
def sspr_reload_and_hints():
    """Reloading a step's address (a GET where only the form posts, as a
    phone does after the Messages app) goes back to the flow, not to a
    405; the sign-in page gives one hint for a forgotten password."""
    with settings_at({"sms.sspr": "on"}):
        for step in ("send", "code", "totp", "password"):
            r = Browser().expect("GET", "/reset/" + step, 303)
            eq(r.location, "/reset", "GET /reset/%s" % step)
        r = Browser().expect("GET", "/login", 200)
        check(r.page.by_id("sspr") is not None and
              "Ask your manager to reset it" not in r.body,
              "the sign-in page's hints with sms.sspr on")
    with settings_at({"sms.sspr": "off"}):
        r = Browser().expect("GET", "/login", 200)
        check(r.page.by_id("sspr") is None and
              "Ask your manager to reset it" in r.body,
              "the sign-in page's hints with sms.sspr off")
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/login/mfa/sms", 303)
    eq(r.location, "/login/mfa", "GET /login/mfa/sms")
