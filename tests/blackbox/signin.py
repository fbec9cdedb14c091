"""Signing in: passwords, lockout, TOTP, recovery codes, forced password change, sessions."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


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
    nobody = uniq("nobody")
    r2 = b2.login(nobody, "Whatever-Password-99", 422)
    eq(r2.id_text("error"), msg_wrong, "unknown-user message vs "
       "wrong-password message")
    # both attempts are audited as failures
    rows = sql("SELECT reason, actor_upn FROM audit_log WHERE action="
               "'signin.password' AND result='failure' AND target_id = %s"
               % sqlq(u.id))
    eq(rows, [["bad_password", u.upn]],
       "failure audit rows (reason, actor_upn) for the wrong password")
    rows = sql("SELECT reason, target_id FROM audit_log WHERE action="
               "'signin.password' AND result='failure' AND actor_upn = %s"
               % sqlq(nobody))
    eq(rows, [["unknown_user", None]],
       "failure audit rows (reason, target_id) for the unknown user")


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
    b.expect("GET", "/account", 303, "/login/mfa?next=%2Faccount")
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
    b2.expect("GET", "/account", 303, "/login/mfa?next=%2Faccount")
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
    grouped = r.id_text("totp-grouped") or ""
    eq(grouped.replace(" ", ""), secret, "the grouped key is the key")
    check(all(len(g) <= 4 for g in grouped.split()), "groups of four: %r"
          % grouped)
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
def enrol_on_the_phone():
    """The enrolment page on the phone that has the app: a link hands the
    key to the app (the otpauth:// URI the QR code holds, which
    ctemplate's URL escaping would make "#"), and the grouped key to type
    is not smaller than the text around it. Issue 13."""
    u = make_user(role="helpdesk-administrator")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")
    r = b.expect("GET", "/account/mfa", 200)
    secret = r.id_text("totp-secret")
    a = r.page.by_id("otpauth")
    check(a is not None and a.tag == "a", "no a#otpauth on /account/mfa")
    eq(norm(a.text()), "Open in my authenticator app", "the link's text")
    href = a.attrs.get("href") or ""
    want = ("otpauth://totp/staffdesk:%s?secret=%s&issuer=staffdesk&"
            "algorithm=SHA1&digits=6&period=30"
            % (urllib.parse.quote(u.upn, safe=""), secret))
    eq(href, want, "the link's URI")
    # as served: one attribute, its & escaped, nothing else in it
    check(('href="%s"' % want.replace("&", "&amp;")) in r.body,
          "the URI is not served HTML-escaped in its attribute")
    u2 = urllib.parse.urlsplit(href)
    q = urllib.parse.parse_qs(u2.query)
    eq((u2.scheme, u2.netloc), ("otpauth", "totp"), "the URI's scheme and "
       "type")
    eq(urllib.parse.unquote(u2.path), "/staffdesk:%s" % u.upn, "the URI's "
       "label")
    eq({k: v[0] for k, v in q.items()},
       {"secret": secret, "issuer": "staffdesk", "algorithm": "SHA1",
        "digits": "6", "period": "30"}, "the URI's parameters")
    # the key the link gives an app is the one enrolment takes
    r = b.post("/account/mfa", {"code": totp_now(q["secret"][0])})
    check(r.status == 303 and r.location == "/account/mfa",
          "enrolment with a code from the link's key: %s" % desc(r))
    # the key to type at least as large as the text: not a lone generic
    # monospace (drawn at 13 px where the body is 16), not under 1em
    css = b.expect("GET", "/static/style.css", 200).body
    rules = [(sel, body) for sel, body in
             re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "",
                                                     css, flags=re.S))
             if "#totp-grouped" in [x.strip() for x in sel.split(",")]]
    check(rules, "style.css has no rule for #totp-grouped")
    decl = dict((k.strip(), v.strip()) for k, v in
                (d.split(":", 1) for d in ";".join(x[1] for x in rules)
                 .split(";") if ":" in d))
    fam = [f.strip() for f in decl.get("font-family", "").split(",")]
    check(fam != [""] and fam != ["monospace"], "#totp-grouped's "
          "font-family %r: a lone monospace (<code>'s own) is drawn "
          "smaller" % decl.get("font-family"))
    size = re.fullmatch(r"([0-9.]+)em", decl.get("font-size", ""))
    check(size and float(size.group(1)) >= 1, "#totp-grouped's font-size "
          "%r" % decl.get("font-size"))


@test
def totp_enrolment():
    u = make_user(role="helpdesk-administrator")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")
    tok_pw = b.token()
    b.expect("GET", "/account", 303, "/account/mfa?next=%2Faccount")
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
    rows = sql("SELECT result, reason FROM audit_log WHERE action="
               "'account.mfa.enroll' AND target_id = %s ORDER BY id"
               % sqlq(u.id))
    eq(rows, [["failure", "bad_code"], ["success", None]],
       "account.mfa.enroll audit rows (the wrong code, then the right one)")
    # set up during the first sign-in: that sign-in counts as the last one
    r = b.expect("GET", "/account", 200)
    check("never" not in (r.id_text("last-signin") or "never"),
          "Last sign-in after a first sign-in that set up the app: %r"
          % r.id_text("last-signin"))
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
    # the one code box may take a recovery code: a keyboard with letters
    r = b3.expect("GET", "/login/mfa", 200)
    eq(r.page.by_id("code").attrs.get("inputmode"), None, "the code box's "
       "inputmode when a recovery code may go in it")
    eq([i.attrs.get("value") for i in r.page.inputs("method")
        if "checked" in i.attrs], ["totp"], "the method chosen first")
    r = b3.mfa(codes[3], "recovery", 422)
    check("recovery code" in (r.id_text("error") or "") and "next code" not
          in (r.id_text("error") or ""), "a spent recovery code: %r"
          % r.id_text("error"))
    # the choice stays where the person put it, to type the code again
    eq([i.attrs.get("value") for i in r.page.inputs("method")
        if "checked" in i.attrs], ["recovery"], "the method chosen after a "
       "wrong recovery code")
    b3.expect("GET", "/account", 303, "/login/mfa?next=%2Faccount")
    # a made-up code is refused as well
    b3.mfa("NOTACODE99", "recovery", 422)


@test
def recovery_code_as_app_code():
    """A recovery code typed while "Code from my authenticator app" is
    chosen is refused as any wrong app code is (a try counted, a failure
    audited, the code not spent), with a sentence that says it looks
    like a recovery code and which choice takes it; a wrong 6-digit code
    keeps the sentence it had. Issue 13."""
    u = make_user(role="helpdesk-administrator")
    b = Browser()
    b.login(u.upn, u.password, 303, "/account/mfa")
    secret, codes = enrol(b, u)
    b2 = Browser()
    b2.login(u.upn, u.password, 303, "/login/mfa")
    mark = audit_mark()
    hint = ("That looks like one of your recovery codes, not a code from "
            "your authenticator app. Choose \"One of my recovery codes\" "
            "and enter it again.")
    # as shown, then as it may be typed: capitals, spaces for dashes
    for typed_code in (codes[0], codes[0].upper().replace("-", " ")):
        r = b2.mfa(typed_code, "totp", 422)
        eq(r.id_text("error"), hint, "the sentence for %r as an app code"
           % typed_code)
        check(typed_code not in r.body, "the refused code is echoed")
    r = b2.mfa(wrong_code(secret), "totp", 422)
    msg = r.id_text("error") or ""
    check(msg.startswith("That code is not right") and "recovery" not in
          msg, "the sentence for a wrong app code: %r" % msg)
    eq(sql("SELECT COUNT(*) FROM recovery_codes WHERE user_id = %s AND "
           "used_at IS NOT NULL" % sqlq(u.id)), [["0"]],
       "recovery codes spent by the app-code tries")
    rows = audit_rows(mark, target_id=u.id, action="signin.mfa")
    eq([(x["result"], x["reason"], details(x).get("method")) for x in rows],
       [("failure", "bad_code", "totp")] * 3, "signin.mfa audit rows")
    for x in rows:
        for c in codes:
            for form in (c, c.replace("-", ""), c.upper()):
                check(form not in (x["details"] or ""), "a recovery code "
                      "in the audit row %r" % x)
    eq(sql("SELECT failed_signins FROM users WHERE id = %s" % sqlq(u.id)),
       [["3"]], "failed sign-ins after three wrong codes")
    # the code chosen as what it is still works
    b2.mfa(codes[0], "recovery", 303, "/")


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
    with_token(tok).expect("GET", "/account", 303, "/login?next=%2Faccount")
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
           "'account.mfa.enroll' AND target_id = %s AND result = 'success'"
           % sqlq(u.id))[0][0], "1", "enrolment audit rows")


@test
def totp_without_role():
    """Someone with no role who enrolled an authenticator owes the code
    too: the password alone reaches no signed-in page."""
    u = make_user(totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    for path in ("/", "/account", "/account/password"):
        r = b.get(path)
        check(r.status == 303 and urllib.parse.urlsplit(
              r.location or "").path == "/login/mfa",
              "%s with the password only, want 303 to /login/mfa"
              % desc(r))
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    eq(b.expect("GET", "/account", 200).id_text("name"), u.name,
       "#name on /account after the code")


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
    b.expect("GET", "/account", 303, "/account/password?next=%2Faccount")
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
    eq(r.location, "/account?done=saved", "after a password change")
    r = b.expect("GET", r.location, 200)
    eq(r.id_text("notice"), "Your password was changed.", "the notice")
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
    mark = audit_mark()
    r = b.post("/account/password", {"current_password": "Not-It-123456",
                                     "new_password": new,
                                     "confirm_password": new})
    eq(r.status, 422, "password change with a wrong current password")
    eq([(x["result"], x["reason"]) for x in audit_rows(
        mark, action="account.password.change", target_id=u.id)],
       [("failure", "bad_current_password")], "the refusal's audit row")
    # a form without the field at all is refused the same way
    before = sql("SELECT password_hash FROM users WHERE id = %s"
                 % sqlq(u.id))
    r = b.post("/account/password", {"new_password": new,
                                     "confirm_password": new})
    eq(r.status, 422, "password change without current_password")
    eq(sql("SELECT password_hash FROM users WHERE id = %s" % sqlq(u.id)),
       before, "the password after a change without current_password")
    r = b.post("/account/password", {"current_password": "",
                                     "new_password": new,
                                     "confirm_password": new})
    eq(r.status, 422, "password change with an empty current_password")
    r = b.post("/account/password", {"current_password": u.password,
                                     "new_password": new,
                                     "confirm_password": new})
    eq(r.status, 303, "password change with the current password")
    Browser().login(u.upn, new, 303, "/")


@test
def logout():
    u = make_user()
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/account", 200)
    tok = b.token()
    good = r.csrf()
    check(good, "no csrf token on /account")
    # a forged token, or another session's, is refused and ends nothing
    other = Browser()
    other.login(u.upn, u.password, 303, "/")
    theirs = other.expect("GET", "/account", 200).csrf()
    check(theirs and theirs != good, "two sessions share a csrf token")
    for forged in (None, "A" * 43, good[::-1], theirs, good[:-1]):
        r = b.post("/logout", {}, csrf=forged)
        eq(r.status, 403, "POST /logout with csrf %r" % forged)
        eq(b.token(), tok, "session cookie after the refused logout")
        b.expect("GET", "/account", 200)
    eq(session_rows(u.id), 2, "sessions after the refused logouts")
    eq(sql("SELECT COUNT(*) FROM audit_log WHERE action='signout' AND "
           "target_id = %s" % sqlq(u.id))[0][0], "0",
       "signout audit rows after the refused logouts")
    other.expect("POST", "/logout", 303, "/login")
    b.expect("GET", "/account", 200)
    b.expect("POST", "/logout", 303, "/login")
    check(b.token() is None, "session cookie not cleared at logout")
    with_token(tok).expect("GET", "/account", 303, "/login?next=%2Faccount")
    eq(session_rows(u.id), 0, "sessions left after logout")
    rows = sql("SELECT COUNT(*) FROM audit_log WHERE action='signout' AND "
               "target_id = %s" % sqlq(u.id))
    eq(rows[0][0], "2", "signout audit rows")


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
    with_token(tok1).expect("GET", "/account", 303, "/login?next=%2Faccount")
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
    with_token(tok_a).expect("GET", "/account", 303, "/login?next=%2Faccount")
    b.expect("GET", "/account", 200)


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
    a.expect("POST", "/account/sessions/revoke", 303,
             "/account?done=revoked")
    c.expect("GET", "/account", 303, "/login?next=%2Faccount")
    r = a.expect("GET", "/account?done=revoked", 200)
    check("signed out everywhere else" in (r.id_text("notice") or ""),
          "the notice after signing out elsewhere: %r" % r.id_text("notice"))
    eq(session_rows(u.id), 1, "sessions after revoke")
    forms = [f for f in r.page.all("form")
             if f.attrs.get("action") == "/account/sessions/revoke"]
    check(not forms, "the revoke form shown with one session")


@test
def signin_comes_back_to_the_page():
    """A page opened without a session sends to /login?next= with it;
    after the password and the second step the person lands on it, not
    at home. Home and the sign-in pages carry nothing; a forced password
    change or an app to set up comes first, then the page; next never
    leads off the site."""
    u = make_user(role="helpdesk-administrator", totp=True)
    page = "/units?after=M"
    b = Browser()
    r = b.get(page)
    want = "/login?" + urllib.parse.urlencode({"next": page})
    eq((r.status, r.location), (303, want), "GET %s signed out" % page)
    r = b.expect("GET", want, 200)
    eq([i.attrs.get("value") for i in r.page.inputs("next")], [page],
       "the sign-in form's next")
    r = b.post(want, {"username": u.upn, "password": u.password,
                      "next": page})
    mfa = "/login/mfa?" + urllib.parse.urlencode({"next": page})
    eq((r.status, r.location), (303, mfa), "the password step's way on")
    b.get(mfa)
    r = b.post("/login/mfa", {"method": "totp", "code": totp_now(u.secret),
                              "next": page})
    eq((r.status, r.location), (303, page), "the second step's way on")
    # without a second step owed: straight there; once signed in, /login
    # with next goes there too
    s = make_user()
    b = Browser()
    b.get("/login?next=%2Faccount")
    r = b.post("/login", {"username": s.upn, "password": s.password,
                          "next": "/account"})
    eq((r.status, r.location), (303, "/account"), "a staff member's next")
    eq(b.get("/login?next=%2Faccount").location, "/account",
       "GET /login?next= signed in")
    # home and the sign-in steps carry nothing
    for path in ("/", "/login/mfa"):
        eq(Browser().get(path).location, "/login", "GET %s signed out"
           % path)
    # never off the site: the key refuses other sites and schemes
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil"):
        r = Browser().get("/login?" + urllib.parse.urlencode({"next": bad}))
        eq(r.status, 400, "GET /login?next=%s" % bad)
    # a password owed: the change comes first, then the page
    t = make_user()
    sql("UPDATE users SET must_change_password = 1 WHERE id = %s"
        % sqlq(user_id(t.upn)))
    b = Browser()
    b.get("/login?next=%2Faccount")
    r = b.post("/login", {"username": t.upn, "password": t.password,
                          "next": "/account"})
    eq((r.status, r.location), (303, "/account/password?next=%2Faccount"),
       "next with a password owed")
    r = b.expect("GET", r.location, 200)
    eq([i.attrs.get("value") for i in r.page.inputs("next")], ["/account"],
       "the password form's next")
    pw = good_password()
    r = b.post("/account/password", {"new_password": "short",
                                     "confirm_password": "short",
                                     "next": "/account"})
    eq([i.attrs.get("value") for i in r.page.inputs("next")], ["/account"],
       "the refused password form's next")
    r = b.post("/account/password", {"new_password": pw,
                                     "confirm_password": pw,
                                     "next": "/account"})
    eq((r.status, r.location), (303, "/account"), "the password changed")
    # an app to set up first: then the recovery codes, whose Continue
    # goes to the page
    v = make_user(role="helpdesk-administrator")
    page = "/search?q=Tess"
    b = Browser()
    r = b.expect("GET", b.get(page).location, 200)
    r = b.post(r.path, {"username": v.upn, "password": v.password,
                        "next": page})
    setup = "/account/mfa?" + urllib.parse.urlencode({"next": page})
    eq((r.status, r.location), (303, setup), "next with an app to set up")
    r = b.expect("GET", setup, 200)
    eq([i.attrs.get("value") for i in r.page.inputs("next")], [page],
       "the set-up form's next")
    r = b.post("/account/mfa", {"code": totp_now(r.id_text("totp-secret")),
                                "next": page})
    eq((r.status, r.location), (303, setup), "the app set up")
    r = b.expect("GET", setup, 200)
    check(r.page.by_id("recovery-codes") is not None, "no recovery codes")
    eq([a.attrs.get("href") for a in r.page.all("a")
        if a.text().strip() == "Continue"], [page], "Continue")
    b.expect("GET", page, 200)


@test
def disabled_user():
    """A disabled user cannot sign in, and a session of theirs stops
    working: checked by every request (the user's row is read with the
    session), not only by the disable ending their sessions, which a
    write to the row from elsewhere (a restore, an edit) would not."""
    u = make_user()
    a = Browser()
    a.login(u.upn, u.password, 303, "/")
    a.expect("GET", "/account", 200)
    sql("UPDATE users SET enabled = 0 WHERE id = %s" % sqlq(u.id))
    a.expect("GET", "/account", 303, "/login?next=%2Faccount")
    sql("UPDATE users SET enabled = 1 WHERE id = %s" % sqlq(u.id))
    a.expect("GET", "/account", 200)
    cli_ok("user", "disable", "--upn", u.upn)
    b = Browser()
    r = b.login(u.upn, u.password, 422)
    check((r.id_text("error") or "").startswith(GENERIC),
          "disabled user message %r" % r.id_text("error"))
    check(b.token() is None, "a disabled user got a session cookie")
    a.expect("GET", "/account", 303, "/login?next=%2Faccount")
    r = a.post("/logout", {}, csrf="C" * 43)
    check(r.status == 403, "POST /logout of a disabled user with a forged "
          "csrf: %s, want 403" % desc(r))
    cli_ok("user", "enable", "--upn", u.upn)
    Browser().login(u.upn, u.password, 303, "/")


@test
def disabled_user_sessions_end():
    """Disabling someone ends their sessions (the rows go, in the same
    transaction): enabled again, the old cookies still send them to sign
    in; a new sign-in works."""
    u = make_user()
    a, b = Browser(), Browser()
    a.login(u.upn, u.password, 303, "/")
    b.login(u.upn, u.password, 303, "/")
    a.expect("GET", "/account", 200)
    count = ("SELECT COUNT(*) FROM sessions WHERE user_id = %s"
             % sqlq(u.id))
    eq(sql(count), [["2"]], "sessions before the disable")
    cli_ok("user", "disable", "--upn", u.upn)
    eq(sql(count), [["0"]], "sessions after user disable")
    a.expect("GET", "/account", 303, "/login?next=%2Faccount")
    cli_ok("user", "enable", "--upn", u.upn)
    a.expect("GET", "/account", 303, "/login?next=%2Faccount")
    b.expect("GET", "/account", 303, "/login?next=%2Faccount")
    eq(sql(count), [["0"]], "sessions after user enable")
    eq(sql("SELECT COUNT(*) FROM audit_log WHERE target_id = %s AND "
           "action = 'user.disable' AND client = 'cli'" % sqlq(u.id)),
       [["1"]],
       "the disable's audit row")
    c = Browser()
    c.login(u.upn, u.password, 303, "/")
    c.expect("GET", "/account", 200)


@test
def half_signed_in_sessions_apart():
    """My account lists a session that passed the password but never the
    second step apart from where the person is signed in, as someone who
    knows the password; browsers are named, not quoted."""
    u = make_user(role="helpdesk-administrator", totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    half = Browser()
    half.login(u.upn, u.password, 303, "/login/mfa")
    r = b.expect("GET", "/account", 200)
    full = [c for _, c in table_rows(r, "sessions")]
    part = [c for _, c in table_rows(r, "half-sessions")]
    eq((len(full), len(part)), (1, 1), "sessions listed as signed in, and "
       "half signed in")
    check("Python-urllib" not in r.body, "the raw User-Agent on /account")


@test
def onprem_own_change_follows_onprem_policy():
    """A synced person changing their own password meets the on-premises
    policy (three kinds of character), as a manager's reset and the
    self-service reset do; the form says so, and a refusal is audited."""
    u = make_user()
    sql("UPDATE users SET source = 'onprem' WHERE id = %s" % sqlq(u.id))
    b = Browser()
    b.login(u.upn, u.password, 303, "/")
    r = b.expect("GET", "/account/password", 200)
    check("three of" in norm(r.page.root.text()), "the hint of an "
          "on-premises person's form: %r" % norm(r.page.root.text())[-300:])
    mark = audit_mark()
    weak = "correct horse battery staple"
    r = b.post("/account/password", {"current_password": u.password,
                                     "new_password": weak,
                                     "confirm_password": weak})
    eq(r.status, 422, "an on-premises password without three kinds")
    check("three of these four" in (r.id_text("error") or ""), "the "
          "sentence %r" % r.id_text("error"))
    eq([(x["result"], x["reason"]) for x in audit_rows(
        mark, action="account.password.change", target_id=u.id)],
       [("failure", "policy")], "the refusal's audit row")
    good = "Harbor!%s-Kite7" % secrets.token_hex(3)
    r = b.post("/account/password", {"current_password": u.password,
                                     "new_password": good,
                                     "confirm_password": good})
    eq(r.status, 303, "a password that meets it: %s" % desc(r))


@test
def signin_username_spaces_trimmed():
    """A phone keyboard's space after the username (or one before it)
    is not part of it; inside it, and in the password, spaces count."""
    u = make_user()
    Browser().login("  %s " % u.upn, u.password, 303, "/")
    b = Browser()
    b.login(u.upn, " " + u.password, 422)
    b = Browser()
    b.login(u.upn.replace("@", " @"), u.password, 422)


@test
def account_shows_phones_as_profiles_do():
    """My account names a phone's type and groups its number the way a
    manager's profile does ("Mobile: +1 425-..."), not its stored form."""
    unit, _ = add_unit("Store Account Phones")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    b = Browser()
    b.login(t.upn, t.password, 303, "/")
    r = b.expect("GET", "/account", 200)
    text = " ".join(r.page.root.text().split())
    want = "Mobile: +1 %s-%s-%s" % (mobile[2:5], mobile[5:8], mobile[8:])
    check(want in text, "/account: %r not in %r" % (want, text[:800]))
    check(mobile not in text, "/account shows the stored form %s" % mobile)


# A worker serving pages holds some 8 MB; argon2id's buffer is 19 MiB.
WORKER_RSS_MAX_KB = 16 * 1024
HASH_MIB_KB = 19 * 1024


@test
def signin_memory_given_back():
    """Issue 16: a worker that checked a password gives argon2id's 19 MiB
    back to the system once it serves a request that checks none, or
    has been idle: after wrong passwords, one at a time, and then page
    views for at most 10 s (each worker takes some), every worker is
    under 16 MB resident, where one's peak shows it held the buffer
    (VmHWM over 19 MiB). Not under AddressSanitizer, whose quarantine
    keeps freed memory."""
    from audit import worker_pids, proc_status, sanitized
    pids = worker_pids()
    if any(sanitized(p) for p in pids):
        return
    for pid in pids:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")        # the peak starts again from now
    b = Browser()
    for i in range(4):
        b.login(uniq("nobody") + "@bb.example", "Wrong-Password-%d" % i, 422)
    hwm = {p: proc_status(p, "VmHWM") for p in pids}
    check(max(hwm.values()) > HASH_MIB_KB, "no worker's peak shows a hash: "
          "VmHWM %r kB" % hwm)
    deadline = time.time() + 10
    while True:
        rss = {p: proc_status(p, "VmRSS") for p in pids}
        if max(rss.values()) < WORKER_RSS_MAX_KB or time.time() > deadline:
            break
        b.get("/healthz")
        time.sleep(0.05)
    for p in pids:
        check(rss[p] < WORKER_RSS_MAX_KB, "worker %d holds %d kB after its "
              "sign-ins and 10 s of page views (peak %d kB): argon2's "
              "buffer was kept" % (p, rss[p], hwm[p]))
