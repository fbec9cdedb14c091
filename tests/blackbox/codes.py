"""One-time codes by SMS (issue 11): the second factor at /login/mfa by a
texted code, for a role holder without an authenticator app; ca.require_totp;
a code used once, dead after 5 wrong tries, expired after 10 minutes,
superseded by a new one; the SMS limits on codes; the audit rows."""

import hashlib

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import From, own_address, settings_at
from sms import age_texts


SIX = re.compile(r"(?<!\d)\d{6}(?!\d)")


def code_holder(label, totp=False, mobile=True, role="helpdesk-administrator"):
    """A person holding role at a new location, with a mobile number
    (unless not mobile) and an authenticator app when totp: (User, number)."""
    unit, _ = add_unit(label)
    number = fresh_mobile() if mobile else None
    u = member(unit, mobile=number)
    cli_ok("role", "assign", "--user", u.upn, "--role", role, "--unit", unit)
    if totp:
        out = cli_ok("mfa", "add-totp", "--upn", u.upn).strip()
        u.secret = re.search(r"[?&]secret=([A-Z2-7]+)", out).group(1)
    return u, number


def only_code(text):
    """The code of a text: its only run of six digits."""
    runs = SIX.findall(text)
    eq(len(runs), 1, "runs of six digits in %r" % text)
    check(len(re.findall(r"\d{6,}", text)) == 1, "a longer run of digits "
          "in %r" % text)
    return runs[0]


def with_form(b):
    """Loads the sign-in or MFA page when the last one had no form."""
    if b.last is None or b.last.csrf() is None:
        r = b.get("/login/mfa")
        if r.status != 200:
            b.get("/login")


def send_code(b, number, status=200, next_path=None):
    """POSTs "Text me a code"; on 200, checks the page and the text and
    returns the code; else the response."""
    before = len(sms_lines(number))
    fields = {"next": next_path} if next_path else {}
    with_form(b)
    r = b.post("/login/mfa/sms", fields)
    eq(r.status, status, "POST /login/mfa/sms: %s" % desc(r))
    if status != 200:
        return r
    sent = r.id_text("sent") or ""
    check(masked(number) in sent, "the page says where the code went: %r"
          % sent)
    lines = sms_lines(number)
    eq(len(lines), before + 1, "texts to %s after sending a code" % number)
    text = lines[-1]
    check(text.startswith("staffdesk") and "Never share this code" in text,
          "the text %r" % text)
    return only_code(text)


def mfa_sms(b, code, status=303, location=None, next_path=None):
    fields = {"method": "sms", "code": code}
    if next_path:
        fields["next"] = next_path
    with_form(b)
    r = b.post("/login/mfa", fields)
    check(r.status == status and (location is None or r.location ==
          location), "MFA with a texted code: %s, want %d %s"
          % (desc(r), status, location or ""))
    return r


def other_code(code):
    return "%06d" % ((int(code) + 1) % 10 ** 6)


def mfa_reasons(mark, uid):
    return [(x["result"], x["reason"]) for x in
            audit_rows(mark, action="signin.mfa", target_id=uid)]


@test
def codes_mfa_by_sms_end_to_end():
    """sms.mfa on: a role holder without an authenticator app is sent to
    /login/mfa, which offers only a texted code; "Text me a code" texts
    a code (site name, the code as its only six digits, never share),
    stored only hashed, audited without the code; the code passes MFA
    and opens My Staff. With sms.mfa off the same person is sent to set
    up the app, as before."""
    age_texts()
    u, number = code_holder("Store CodesMfa")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")     # sms.mfa off
    with settings_at({"sms.mfa": "on"}):
        mark = audit_mark()
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        r = b.expect("GET", "/login/mfa", 200)
        check(r.page.by_id("send-sms") is not None, "no Text me a code")
        check(r.page.by_id("m-totp") is None, "the app offered to a person "
              "who has none")
        check(r.body.index('id="send-sms"') < r.body.index('id="code"'),
              "Text me a code comes after the code box for a person "
              "without the app")
        check("autofocus" not in str(r.page.by_id("code").attrs),
              "the code box takes the focus (a phone's keyboard) before a "
              "code was sent")
        check(r.page.by_id("m-sms") is not None, "no texted-code choice")
        code = send_code(b, number)
        row = sql("SELECT code_hash, salt FROM otp_codes WHERE user_id = %s "
                  "AND purpose = 'mfa'" % sqlq(u.id))
        eq(len(row), 1, "otp_codes rows of the user")
        check(code not in row[0][0] and len(row[0][0]) == 64,
              "the stored code %r" % row[0][0])
        sent = audit_rows(mark, action="sms.code.send", target_id=u.id)
        eq([(x["result"], x["reason"]) for x in sent], [("success", None)],
           "sms.code.send rows")
        eq(details(sent[0]), {"purpose": "mfa", "to": masked(number)},
           "sms.code.send details")
        mfa_sms(b, code, 303, "/")
        b.expect("GET", "/users", 200)
        rows = audit_rows(mark, action="signin.mfa", target_id=u.id)
        eq([(x["result"], details(x).get("method")) for x in rows],
           [("success", "sms")], "signin.mfa rows")
        for x in audit_rows(mark):
            check(code not in (x["details"] or ""), "the code in audit row "
                  "%s" % x["id"])
        th = hashlib.sha256(b.token().encode()).hexdigest()
        eq(sql("SELECT mfa_sms FROM sessions WHERE token_hash = %s"
               % sqlq(th)), [["1"]], "the session's mfa_sms")


@test
def codes_require_totp():
    """ca.require_totp on: MFA by SMS signs in, but My Staff asks for the
    authenticator app (/login/mfa?next=, where no texted code is offered
    and one is refused); the app's code opens it. A person without the
    app is sent to set it up."""
    age_texts()
    u, number = code_holder("Store CodesTotp", totp=True)
    with settings_at({"sms.mfa": "on", "ca.require_totp": "on"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        r = b.expect("GET", "/login/mfa", 200)
        check(r.page.by_id("m-totp") is not None and
              r.page.by_id("m-sms") is not None, "both methods offered")
        code = send_code(b, number)
        mfa_sms(b, code, 303, "/")
        r = b.expect("GET", "/users", 303, "/login/mfa?next=%2Fusers")
        r = b.expect("GET", "/login/mfa?next=%2Fusers", 200)
        check(r.page.by_id("m-sms") is None and r.page.by_id("send-sms") is
              None, "a texted code offered where only the app will do")
        mfa_sms(b, "123456", 422, next_path="/users")
        r = b.post("/login/mfa", {"method": "totp", "code":
                                  totp_now(u.secret), "next": "/users"})
        check(r.status == 303 and r.location == "/users", "TOTP with next: "
              "%s" % desc(r))
        b.expect("GET", "/users", 200)
        # without the app
        v, vnumber = code_holder("Store CodesTotpNone")
        b = Browser()
        b.login(v.upn, v.password, 303, "/login/mfa")
        mfa_sms(b, send_code(b, vnumber), 303, "/")
        b.expect("GET", "/users", 303, "/account/mfa?next=%2Fusers")
    # with ca.require_totp off, the SMS session opens My Staff
    with settings_at({"sms.mfa": "on"}):
        b.expect("GET", "/users", 200)


@test
def codes_used_once():
    """A code that passed MFA is spent: the same code in a new sign-in is
    refused (422, no_code)."""
    age_texts()
    u, number = code_holder("Store CodesOnce")
    with settings_at({"sms.mfa": "on"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        code = send_code(b, number)
        mfa_sms(b, code, 303, "/")
        b.get("/account")
        b.expect("POST", "/logout", 303)
        mark = audit_mark()
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        r = mfa_sms(b, code, 422)
        check("already used" in " ".join(errors_of(r)), "the page says %r"
              % errors_of(r))
        eq(mfa_reasons(mark, u.id), [("failure", "no_code")],
           "signin.mfa rows of the reused code")


@test
def codes_dead_after_five_tries():
    """Five wrong codes kill the code (the fifth is audited code_killed);
    the sixth try is refused even with the right code (code_dead); a new
    code works. Wrong codes count toward the account's failures."""
    age_texts()
    u, number = code_holder("Store CodesTries")
    with settings_at({"sms.mfa": "on", "mfa.max_attempts": "20",
                      "lockout.threshold": "20"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        code = send_code(b, number)
        mark = audit_mark()
        for i in range(5):
            mfa_sms(b, other_code(code), 422)
        r = mfa_sms(b, code, 422)
        check("too many times" in " ".join(errors_of(r)), "the page says %r"
              % errors_of(r))
        eq(mfa_reasons(mark, u.id), [("failure", "bad_code")] * 4 +
           [("failure", "code_killed"), ("failure", "code_dead")],
           "signin.mfa rows of six tries")
        check(int(sql("SELECT failed_signins FROM users WHERE id = %s"
                      % sqlq(u.id))[0][0]) == 6, "failures counted")
        age_texts(number, 61)
        code = send_code(b, number)
        mfa_sms(b, code, 303, "/")


@test
def codes_expire():
    """A code past its 10 minutes (its expiry moved back in SQL) is
    refused even though right (code_expired)."""
    age_texts()
    u, number = code_holder("Store CodesExpiry")
    with settings_at({"sms.mfa": "on"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        code = send_code(b, number)
        left = int(sql("SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), "
                       "expires_at) FROM otp_codes WHERE user_id = %s"
                       % sqlq(u.id))[0][0])
        check(595 <= left <= 600, "a code valid for %d s, want 600" % left)
        sql("UPDATE otp_codes SET expires_at = UTC_TIMESTAMP(6) - INTERVAL "
            "1 SECOND WHERE user_id = %s" % sqlq(u.id))
        mark = audit_mark()
        r = mfa_sms(b, code, 422)
        check("expired" in " ".join(errors_of(r)), "the page says %r"
              % errors_of(r))
        eq(mfa_reasons(mark, u.id), [("failure", "code_expired")],
           "signin.mfa rows of the expired code")


@test
def codes_superseded_and_limited():
    """A second "Text me a code" within the minute is 429 with
    Retry-After, sends nothing and is audited (sms_limit_minute); the
    first code still works. A new code after the minute supersedes the
    old one."""
    age_texts()
    u, number = code_holder("Store CodesLimit")
    with settings_at({"sms.mfa": "on"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        first = send_code(b, number)
        mark = audit_mark()
        r = send_code(b, number, 429)
        ra = r.header("Retry-After") or ""
        check(ra.isdigit() and 1 <= int(ra) <= 60, "Retry-After %r" % ra)
        check("Try again in" in " ".join(errors_of(r)), "the 429 page says "
              "%r" % errors_of(r))
        eq(len(sms_lines(number)), 1, "texts after the refused code")
        rows = audit_rows(mark, action="sms.code.send", target_id=u.id)
        eq([(x["result"], x["reason"]) for x in rows],
           [("failure", "sms_limit_minute")], "audit of the refused code")
        age_texts(number, 61)
        second = send_code(b, number)
        if second != first:
            mfa_sms(b, first, 422)
        mfa_sms(b, second, 303, "/")


@test
def codes_no_way_to_verify():
    """sms.mfa on, a role holder with neither an app nor a mobile number:
    /login/mfa sends them to set up the app, whose page tells them to ask
    their admin for a number; "Text me a code" texts nothing."""
    u, _ = code_holder("Store CodesNone", mobile=False)
    with settings_at({"sms.mfa": "on"}):
        b = Browser()
        b.login(u.upn, u.password, 303, "/login/mfa")
        b.expect("GET", "/login/mfa", 303, "/account/mfa")
        r = b.expect("GET", "/account/mfa", 200)
        note = r.id_text("no-phone") or ""
        check("ask your admin" in note, "the enrol page says %r" % note)
        b.get("/account/mfa")
        b.expect("POST", "/login/mfa/sms", 303, "/login/mfa")
        mfa_sms(b, "123456", 422)
    # with texted codes off, a number would not help: the page says
    # nothing of one, to this person or to one who has a number
    g, _ = code_holder("Store CodesOff")
    for who in (u, g):
        b = Browser()
        b.login(who.upn, who.password, 303)
        r = b.expect("GET", "/account/mfa", 200)
        check(r.page.by_id("otpauth") is not None, "/account/mfa is not "
              "the set-up page: %s" % desc(r))
        check(r.page.by_id("no-phone") is None, "sms.mfa off: the enrol "
              "page says %r" % r.id_text("no-phone"))


def texts(number, n, wait=3.0):
    """The texts to number once there are at least n: step 1 of /login/sms
    answers first and sends after, so a text may land a moment later.
    With n = 0, waits a second so that a late text would show."""
    end = time.time() + (1.0 if n == 0 else wait)
    while True:
        lines = sms_lines(number)
        if (n > 0 and len(lines) >= n) or time.time() >= end:
            return lines
        time.sleep(0.05)


def sms_step1(b, typed, status=200):
    """GET /login/sms and POST the number; checks the status."""
    b.expect("GET", "/login/sms", 200)
    r = b.post("/login/sms", {"phone": typed})
    eq(r.status, status, "POST /login/sms phone=%s: %s" % (typed, desc(r)))
    return r


def page_shape(r):
    """What a visitor can see of a page: its text, without the token."""
    return norm(r.page.root.text()) if hasattr(r.page.root, "text") \
        else r.body


def sms_step2(b, number, code, status=303, location=None):
    r = b.post("/login/sms", {"phone": number, "code": code})
    check(r.status == status and (location is None or r.location ==
          location), "SMS sign-in with a code: %s, want %d %s"
          % (desc(r), status, location or ""))
    return r


@test
def codes_sms_signin_end_to_end():
    """sms.signin all: a person without a role types their mobile number
    in any format the phone form takes, gets a code, and the code signs
    them in (303 /, then their account); the same code again is refused.
    An unknown number gets the same status and page and no text. With
    sms.signin none the page does not exist."""
    age_texts()
    unit, _ = add_unit("Store CodesSignin")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    Browser().expect("GET", "/login/sms", 404)
    with settings_at({"sms.signin": "all"}):
        r = Browser().expect("GET", "/login", 200)
        check(r.page.by_id("sms-signin") is not None, "no link to SMS "
              "sign-in on /login")
        mark = audit_mark()
        b = Browser()
        t0 = time.time()
        known = sms_step1(b, typed(number))
        t_known = time.time() - t0
        lines = texts(number, 1)
        eq(len(lines), 1, "texts after step 1")
        code = only_code(lines[0])
        check("sign-in code" in lines[0], "the text %r" % lines[0])
        other = fresh_mobile()
        t0 = time.time()
        unknown = sms_step1(Browser(), typed(other))
        t_unknown = time.time() - t0
        eq(texts(other, 0), [], "texts to an unknown number")
        check("if this number (%s) is registered" % number in
              (known.id_text("sent") or "").lower(), "the notice %r"
              % known.id_text("sent"))
        eq(known.id_text("sent").replace(number, "N"),
           unknown.id_text("sent").replace(other, "N"),
           "the notice for a known and an unknown number")
        dump = w3m_dump(known.raw)
        check("Code" in dump and "Sign in" in dump, "w3m shows %r" % dump)
        eq(page_shape(known).replace(number, "N"),
           page_shape(unknown).replace(other, "N"),
           "the page for a known and an unknown number")
        check(abs(t_known - t_unknown) < 0.5, "step 1 took %.3f s for a "
              "known number, %.3f s for an unknown one" % (t_known,
                                                           t_unknown))
        sms_step2(b, number, code, 303, "/")
        b.expect("GET", "/account", 200)
        rows = audit_rows(mark, action="signin.sms", target_id=u.id)
        eq([(x["result"], x["reason"]) for x in rows], [("success", None)],
           "signin.sms rows")
        sent = audit_rows(mark, action="sms.code.send", target_id=u.id)
        eq([details(x)["purpose"] for x in sent], ["signin"],
           "sms.code.send rows")
        b2 = Browser()
        b2.expect("GET", "/login/sms", 200)
        mark = audit_mark()
        r = sms_step2(b2, number, code, 422)
        check(r.id_text("error"), "no sentence on the refused code")
        eq([(x["result"], x["reason"]) for x in audit_rows(
            mark, action="signin.sms", target_id=u.id)],
           [("failure", "no_code")], "signin.sms rows of the reused code")
        r = sms_step2(b2, other, "123456", 422)
        b2.expect("GET", "/login/sms", 200)
        sms_step1(b2, "not a number", 422)
        # the code form's "Text me a new code" texts a new one; it signs in
        check(r.page.by_id("resend") is not None, "no way to a new code "
              "from the code form")
        age_texts(number, 61)
        b3 = Browser()
        r = sms_step1(b3, typed(number))
        first = only_code(texts(number, 2)[1])
        age_texts(number, 61)
        r = b3.post("/login/sms", {"phone": number})
        eq(r.status, 200, "Text me a new code: %s" % desc(r))
        lines = texts(number, 3)
        eq(len(lines), 3, "texts after asking for a new code")
        if only_code(lines[2]) != first:
            sms_step2(b3, number, first, 422)
        sms_step2(b3, number, only_code(lines[2]), 303, "/")


@test
def codes_sms_signin_selected_and_roles():
    """sms.signin selected: only people on the list (`sms select`) get a
    code; a role holder signed in by text still passes MFA, where no
    second text is offered (the app is); must-change goes to
    /account/password."""
    age_texts()
    unit, _ = add_unit("Store CodesSelected")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    cli_ok("role", "assign", "--user", u.upn, "--role",
           "helpdesk-administrator", "--unit", unit)
    out = cli_ok("mfa", "add-totp", "--upn", u.upn).strip()
    secret = re.search(r"[?&]secret=([A-Z2-7]+)", out).group(1)
    with settings_at({"sms.signin": "selected", "sms.mfa": "on"}):
        b = Browser()
        sms_step1(b, number)
        eq(texts(number, 0), [], "texts to someone not on the list")
        cli_ok("sms", "select", "--user", u.upn)
        sms_step1(b, number)
        code = only_code(texts(number, 1)[-1])
        sms_step2(b, number, code, 303, "/login/mfa")
        r = b.expect("GET", "/login/mfa", 200)
        check(r.page.by_id("send-sms") is None and r.page.by_id("m-sms") is
              None, "a second text offered after a sign-in by text")
        b.expect("GET", "/users", 303, "/login/mfa?next=%2Fusers")
        b.mfa(totp_now(secret), "totp", 303, "/")
        b.expect("GET", "/users", 200)
        cli_ok("sms", "unselect", "--user", u.upn)
        age_texts(number, 61)
        sms_step1(Browser(), number)
        eq(len(texts(number, 0)), 1, "texts after unselect")
        # must change
        n2 = fresh_mobile()
        v = member(unit, mobile=n2)
        cli_ok("user", "set-password", "--upn", v.upn, "--password-stdin",
               "--temporary", stdin=good_password() + "\n")
        cli_ok("sms", "select", "--user", v.upn)
        b = Browser()
        sms_step1(b, n2)
        sms_step2(b, n2, only_code(texts(n2, 1)[-1]), 303,
                  "/account/password")


@test
def codes_sms_signin_needs_more_for_roles():
    """A texted code is one factor: someone holding a role without an
    authenticator app gets no code (the same page as anyone), and a
    session signed in by text alone cannot add an authenticator app
    (which would make the phone count twice)."""
    age_texts()
    u, number = code_holder("Store CodesRoleNoApp")
    with settings_at({"sms.signin": "all"}):
        b = Browser()
        sms_step1(b, number)
        eq(texts(number, 0), [], "a code texted to a role holder without "
           "an app")
        sms_step2(b, number, "123456", 422)
        # someone without a role, signed in by text, may not enrol
        unit, _ = add_unit("Store CodesNoEnrol")
        n2 = fresh_mobile()
        v = member(unit, mobile=n2)
        b = Browser()
        sms_step1(b, n2)
        sms_step2(b, n2, only_code(texts(n2, 1)[-1]), 303, "/")
        r = b.expect("GET", "/account/mfa", 403)
        check("sign in with your password" in r.body, "the refusal does not "
              "say how: %r" % r.id_text("error"))
        eq(sql("SELECT COUNT(*) FROM totp WHERE user_id = %s"
               % sqlq(v.id)), [["0"]], "an app added by a texted sign-in")


@test
def codes_guess_without_code_locks_nobody():
    """Codes typed for a number that was sent none count against the
    address only: knowing someone's mobile number is not enough to lock
    their account."""
    age_texts()
    unit, _ = add_unit("Store CodesNoLock")
    number = fresh_mobile()
    u = member(unit, mobile=number)
    with settings_at({"sms.signin": "all"}):
        with own_address() as addr:
            b = From(addr)
            for i in range(6):
                b.get("/login/sms")
                sms_step2(b, number, "%06d" % (100000 + i), 422)
    eq(sql("SELECT failed_signins, locked_until IS NULL FROM users "
           "WHERE id = %s" % sqlq(u.id)), [["0", "1"]],
       "the account after six guesses with no code out")
    Browser().login(u.upn, u.password, 303, "/")


@test
def codes_die_with_their_number():
    """When a manager changes someone's mobile number, a code texted to
    the old number no longer works, and nothing waiting in the outbox
    for the old number is sent."""
    age_texts()
    unit, _, m, mb = manager_unit("Store CodesNumberChange")
    old, new = fresh_mobile(), fresh_mobile()
    u = member(unit, mobile=old)
    with settings_at({"sms.signin": "all"}):
        b = Browser()
        sms_step1(b, old)
        code = only_code(texts(old, 1)[-1])
        sql("INSERT INTO sms_outbox (number, purpose, user_id, status, "
            "sealed, created_at) VALUES (%s, 'reset_temp', %s, 'failed', "
            "'x', UTC_TIMESTAMP(6))" % (sqlq(old), sqlq(u.id)))
        phone_page(mb, u.id)
        r = mb.post("/users/%s/phone" % u.id, {"type": "mobile",
                                                "number": typed(new),
                                                "action": "save"})
        eq(r.status, 303, "the manager's change of number")
        b.get("/login/sms")
        sms_step2(b, new, code, 422)
        eq(sql("SELECT status, sealed IS NULL FROM sms_outbox WHERE "
               "number = %s AND purpose = 'reset_temp'" % sqlq(old)),
           [["cancelled", "1"]], "the text that waited for the old number")
