"""Limits and policy settings at non-default values: per-address limit, lockout, session timeouts, MFA attempts, Conditional Access, the on-premises policy, audit of failures."""

import contextlib

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


# Helpers ---------------------------------------------------------------

@contextlib.contextmanager
def settings_at(values):
    """Sets the settings of values (name -> value) for the block and puts
    back what was there (the row, or no row) afterwards, also on failure.
    When the block passed, checks that each is back."""
    before = {}
    for k in values:
        rows = sql("SELECT value FROM settings WHERE name = %s" % sqlq(k))
        before[k] = rows[0][0] if rows else None
    try:
        for k, v in values.items():
            cli_ok("settings", "set", k, v)
        yield
    finally:
        for k, old in before.items():
            if old is None:
                sql("DELETE FROM settings WHERE name = %s" % sqlq(k))
            else:
                cli("settings", "set", k, old)
    for k, old in before.items():
        rows = sql("SELECT value FROM settings WHERE name = %s" % sqlq(k))
        eq(rows[0][0] if rows else None, old, "setting %s after the test"
           % k)


@contextlib.contextmanager
def own_address():
    """A loopback address of the block's own (its failed sign-ins do not
    add to 127.0.0.1's hourly count, which the whole suite shares); its
    rate_limits row is removed afterwards."""
    a = loopback_addr()
    key = sqlq("signin-fail:" + a)
    sql("DELETE FROM rate_limits WHERE `key` = %s" % key)
    try:
        yield a
    finally:
        sql("DELETE FROM rate_limits WHERE `key` = %s" % key)


def token_hash(tok):
    check(tok, "no session cookie")
    h = hashlib.sha256(tok.encode()).hexdigest()
    eq(sql("SELECT COUNT(*) FROM sessions WHERE token_hash = %s"
           % sqlq(h))[0][0], "1", "the session row of a cookie")
    return h


def wrong_pw():
    return "Wrong-%s-Password" % secrets.token_hex(4)


def lock_state(uid):
    """(failed_signins, seconds until locked_until or None)."""
    rows = sql("SELECT failed_signins, TIMESTAMPDIFF(MICROSECOND, "
               "UTC_TIMESTAMP(6), locked_until) FROM users WHERE id = %s"
               % sqlq(uid))
    check(len(rows) == 1, "no user %s" % uid)
    f, us = rows[0]
    return int(f), None if us is None else int(us) / 1e6


def expire_lock(uid):
    """Moves the account's lock one second into the past."""
    sql("UPDATE users SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 "
        "SECOND WHERE id = %s AND locked_until IS NOT NULL" % sqlq(uid))


# 1. The per-address limit ----------------------------------------------

@test
def ip_failures_per_hour():
    """signin.ip_failures_per_hour (10, not the default 500): after 10
    failed sign-ins from one address, POST /login from it answers 429,
    for a right password too; successful sign-ins are not counted; the
    address is nginx's peer address (forwarding headers change nothing);
    another address is not limited; the window is an hour."""
    a, c = loopback_addr(), loopback_addr()
    while c == a:
        c = loopback_addr()
    keys = ", ".join(sqlq("signin-fail:" + x) for x in (a, c))
    u = make_user()
    v = make_user()

    def count(addr):
        rows = sql("SELECT count FROM rate_limits WHERE `key` = %s"
                   % sqlq("signin-fail:" + addr))
        return int(rows[0][0]) if rows else 0

    sql("DELETE FROM rate_limits WHERE `key` IN (%s)" % keys)
    try:
        with settings_at({"signin.ip_failures_per_hour": "10"}):
            b = From(a)
            r = b.get("/login")
            eq(r.status, 200, "GET /login from %s" % a)
            # 9 failures: wrong passwords (3, below the account's
            # lockout) and unknown users
            for i in range(9):
                if i % 3 == 0:
                    b.login(v.upn, wrong_pw(), 422)
                else:
                    b.login(uniq("nobody"), wrong_pw(), 422)
            eq(count(a), 9, "the counter of %s after 9 failures" % a)
            # successful sign-ins are not counted
            for i in range(3):
                From(a).login(u.upn, u.password, 303, "/")
            eq(count(a), 9, "the counter of %s after 3 successes" % a)
            # the 10th failure is still answered as a failure
            b.login(uniq("nobody"), wrong_pw(), 422)
            eq(count(a), 10, "the counter of %s after 10 failures" % a)
            mark = audit_mark()
            # now the address is limited, the right password included
            r = From(a).login(u.upn, u.password, 429)
            check("Too many failed sign-ins" in (r.id_text("error") or ""),
                  "429 page #error %r" % r.id_text("error"))
            check(r.csrf() and r.page.by_id("username") is not None,
                  "the 429 page has no sign-in form")
            From(a).login(v.upn, wrong_pw(), 429)
            From(a).login(uniq("nobody"), wrong_pw(), 429)
            # a forwarding header does not make it another address
            spoof = {"X-Forwarded-For": c, "X-Real-IP": c,
                     "Forwarded": "for=%s" % c, "Client-IP": c}
            x = From(a, spoof)
            x.login(u.upn, u.password, 429)
            check(x.token() is None, "a session cookie with the 429")
            eq(session_rows(u.id), 3, "sessions of %s (the 3 successes)"
               % u.upn)
            # another address is not limited, nor limited by naming one
            From(c, {"X-Forwarded-For": a, "X-Real-IP": a,
                     "Forwarded": "for=%s" % a}).login(u.upn, u.password,
                                                      303, "/")
            rows = audit_rows(mark, action="signin.password",
                              result="failure", reason="rate_limited")
            eq([x["ip"] for x in rows], [a] * 4, "rate_limited audit rows "
               "(their ip)")
            eq([x["actor_upn"] for x in rows][0], u.upn,
               "the actor_upn of the first refusal")
            # the count is per hour: 59 minutes old still counts, 61 not
            sql("UPDATE rate_limits SET window_start = UTC_TIMESTAMP(6) - "
                "INTERVAL 59 MINUTE WHERE `key` = %s"
                % sqlq("signin-fail:" + a))
            From(a).login(u.upn, u.password, 429)
            sql("UPDATE rate_limits SET window_start = UTC_TIMESTAMP(6) - "
                "INTERVAL 61 MINUTE WHERE `key` = %s"
                % sqlq("signin-fail:" + a))
            From(a).login(u.upn, u.password, 303, "/")
            # the limit is the setting: at the default (500) 10 failures
            # are far from it
            sql("UPDATE rate_limits SET count = 10, window_start = "
                "UTC_TIMESTAMP(6) WHERE `key` = %s"
                % sqlq("signin-fail:" + a))
            From(a).login(u.upn, u.password, 429)
        From(a).login(u.upn, u.password, 303, "/")
    finally:
        sql("DELETE FROM rate_limits WHERE `key` IN (%s)" % keys)


# 2. and 3. Lockout: expiry and the growing delay ------------------------

@test
def lockout_expires():
    """An account locked after LOCKOUT_THRESHOLD (5) failures signs in
    again, with its password, once locked_until has passed; the success
    clears the count."""
    u = make_user()
    with own_address() as a:
        b = From(a)
        for i in range(5):
            b.login(u.upn, wrong_pw(), 422)
        f, left = lock_state(u.id)
        check(f == 5 and left is not None and left > 30,
              "after 5 failures: failed_signins=%s, locked for %s s"
              % (f, left))
        mark = audit_mark()
        b.login(u.upn, u.password, 422)
        eq([x["reason"] for x in audit_rows(mark, action="signin.password",
                                             target_id=u.id)],
           ["locked"], "audit reason of the locked attempt")
        # the delay has passed
        expire_lock(u.id)
        b.login(u.upn, u.password, 303, "/")
        b.expect("GET", "/account", 200)
        eq(lock_state(u.id), (0, None), "failed_signins, locked_until after "
           "the sign-in")
        # counting starts again from 0: one failure does not lock
        b2 = From(a)
        b2.login(u.upn, wrong_pw(), 422)
        b2.login(u.upn, u.password, 303, "/")


@test
def lockout_delay_grows():
    """The lock is 60 s at the 5th failure and doubles with each further
    one (each after the previous lock ran out) up to 3600 s
    (cgi/auth/codes.c lockout_delay); no lock below 5."""
    u = make_user()
    with own_address() as a:
        b = From(a)
        for i in range(4):
            b.login(u.upn, wrong_pw(), 422)
            f, left = lock_state(u.id)
            check(f == i + 1 and (left is None or left <= 0),
                  "after %d failures: failed_signins=%s, locked for %s s"
                  % (i + 1, f, left))
        want = [60, 120, 240, 480, 960, 1920, 3600, 3600]
        for n, w in enumerate(want, start=5):
            if n > 5:
                expire_lock(u.id)
            mark = audit_mark()
            b.login(u.upn, wrong_pw(), 422)
            f, left = lock_state(u.id)
            check(f == n and left is not None and w - 5 <= left <= w + 1,
                  "after %d failures: failed_signins=%s, locked for %s s, "
                  "want %d s" % (n, f, left, w))
            eq([x["reason"] for x in audit_rows(mark, action="signin.lockout",
                                                 target_id=u.id)],
               ["locked_%ds" % w], "signin.lockout audit row at failure %d"
               % n)
        # while locked, attempts are not counted and do not extend the lock
        b.login(u.upn, wrong_pw(), 422)
        f, left = lock_state(u.id)
        check(f == 12 and left <= 3600, "a failure while locked: "
              "failed_signins=%s, locked for %s s" % (f, left))


# 4. Session timeouts ---------------------------------------------------

@test
def session_timeouts_setting():
    """session.idle_minutes and session.absolute_hours are read: at 45
    min / 14 h a session idle 40 min or 13 h old works (the defaults, 30
    min / 12 h, would end it), one idle 50 min or 15 h old is signed out;
    at 10 min / 2 h one idle 12 min or 3 h old is signed out (the
    defaults would keep it), one idle 8 min or 1.5 h old works."""
    u = make_user()
    cases = [  # (idle, absolute, column, minutes ago, alive)
        ("45", "14", "last_seen_at", 40, True),
        ("45", "14", "last_seen_at", 50, False),
        ("45", "14", "created_at", 13 * 60, True),
        ("45", "14", "created_at", 15 * 60, False),
        ("10", "2", "last_seen_at", 8, True),
        ("10", "2", "last_seen_at", 12, False),
        ("10", "2", "created_at", 90, True),
        ("10", "2", "created_at", 3 * 60, False),
    ]
    # every session is made first: a sign-in purges expired sessions
    browsers = []
    for _ in cases:
        b = Browser()
        b.login(u.upn, u.password, 303, "/")
        b.expect("GET", "/account", 200)
        browsers.append((b, token_hash(b.token())))
    for idle, absolute in (("45", "14"), ("10", "2")):
        with settings_at({"session.idle_minutes": idle,
                          "session.absolute_hours": absolute}):
            for (i, a, col, ago, alive), (b, h) in zip(cases, browsers):
                if (i, a) != (idle, absolute):
                    continue
                sql("UPDATE sessions SET %s = UTC_TIMESTAMP(6) - INTERVAL "
                    "%d MINUTE WHERE token_hash = %s" % (col, ago, sqlq(h)))
                what = "idle=%s min, absolute=%s h, %s %d min ago" % (
                    idle, absolute, col, ago)
                if alive:
                    r = b.get("/account")
                    check(r.status == 200, "%s: %s, want 200"
                          % (what, desc(r)))
                    eq(sql("SELECT COUNT(*) FROM sessions WHERE token_hash "
                           "= %s" % sqlq(h))[0][0], "1", "session row, " +
                       what)
                else:
                    r = b.get("/account")
                    check(r.status == 303 and r.location == "/login?next=%2Faccount",
                          "%s: %s, want 303 to /login" % (what, desc(r)))
                    eq(sql("SELECT COUNT(*) FROM sessions WHERE token_hash "
                           "= %s" % sqlq(h))[0][0], "0", "session row, " +
                       what)


# 5. mfa.max_attempts ---------------------------------------------------

@test
def mfa_max_attempts_setting():
    """mfa.max_attempts=2: the 2nd wrong code ends the half-signed-in
    session (429; the default, 5, would answer 422); at 3 the 2nd is a
    422 and the 3rd ends it."""
    u = make_user(role="helpdesk-administrator", totp=True)
    with own_address() as a:
        with settings_at({"mfa.max_attempts": "2"}):
            b = From(a)
            b.login(u.upn, u.password, 303, "/login/mfa")
            tok = b.token()
            b.mfa(wrong_code(u.secret), "totp", 422)
            eq(b.token(), tok, "session cookie after wrong code 1")
            b.expect("GET", "/login/mfa", 200)
            r = b.post("/login/mfa", {"method": "totp",
                                      "code": wrong_code(u.secret)})
            eq(r.status, 429, "POST /login/mfa with the 2nd wrong code "
               "(mfa.max_attempts=2)")
            check(b.token() is None, "the session cookie was not cleared")
            with_token(tok).expect("GET", "/login/mfa", 303, "/login")
            eq(session_rows(u.id), 0, "sessions left in the DB")
        with settings_at({"mfa.max_attempts": "3"}):
            b = From(a)
            b.login(u.upn, u.password, 303, "/login/mfa")
            b.mfa(wrong_code(u.secret), "totp", 422)
            b.mfa(wrong_code(u.secret), "totp", 422)
            r = b.get("/login/mfa")
            eq(r.status, 200, "GET /login/mfa before the 3rd code")
            r = b.post("/login/mfa", {"method": "totp",
                                      "code": wrong_code(u.secret)})
            eq(r.status, 429, "POST /login/mfa with the 3rd wrong code "
               "(mfa.max_attempts=3)")
            eq(session_rows(u.id), 0, "sessions left in the DB")
        rows = sql("SELECT COUNT(*) FROM audit_log WHERE action = "
                   "'signin.mfa' AND result = 'failure' AND target_id = %s"
                   % sqlq(u.id))
        eq(rows[0][0], "5", "signin.mfa failure audit rows")
        # 5 wrong codes lock the account (they count like passwords): let the
        # lock run out, then a right code still signs in
        expire_lock(u.id)
        b = From(a)
        b.login(u.upn, u.password, 303, "/login/mfa")
        b.mfa(totp_now(u.secret), "totp", 303, "/")


# 6. Conditional Access ---------------------------------------------------

@test
def ca_settings():
    """ca.require_mfa=off lets a session whose MFA is 13 h old into My
    Staff (on, the default, asks again); ca.signin_frequency_hours=1 asks
    again after 61 minutes (the default, 12, would not), 14 does not ask
    after 13 h (the default would)."""
    unit, uid = add_unit("Store CA")
    m = add_manager("helpdesk-administrator", unit)
    b = signed_in(m)
    path = "/units/%s" % uid
    step_up = "/login/mfa?next=%%2Funits%%2F%s" % uid
    b.expect("GET", path, 200)
    h = token_hash(b.token())

    def mfa_ago(minutes):
        sql("UPDATE sessions SET mfa_at = UTC_TIMESTAMP(6) - INTERVAL %d "
            "MINUTE WHERE token_hash = %s" % (minutes, sqlq(h)))

    mfa_ago(13 * 60)
    b.expect("GET", path, 303, step_up)
    with settings_at({"ca.require_mfa": "off"}):
        b.expect("GET", path, 200)
        b.expect("GET", "/search?q=a", 200)
    b.expect("GET", path, 303, step_up)
    mfa_ago(61)
    b.expect("GET", path, 200)
    with settings_at({"ca.signin_frequency_hours": "1"}):
        b.expect("GET", path, 303, step_up)
        b.expect("GET", "/users/%s" % m.id, 303,
                 "/login/mfa?next=%%2Fusers%%2F%s" % m.id)
        mfa_ago(58)
        b.expect("GET", path, 200)
    mfa_ago(13 * 60)
    with settings_at({"ca.signin_frequency_hours": "14"}):
        b.expect("GET", path, 200)
        mfa_ago(15 * 60)
        b.expect("GET", path, 303, step_up)
    # the session itself lives on: the step-up is what is asked
    b.expect("GET", "/account", 200)


# 7. The on-premises password policy --------------------------------------

@test
def onprem_policy_settings():
    """onprem.policy.min_length=14 refuses a 12-character password the
    default (8) accepts; complexity=off accepts all small letters (the
    default refuses); no_account_name=off accepts the person's surname,
    =on refuses it (also with complexity off)."""
    unit, _, m, b = manager_unit("Store Policy", "helpdesk-administrator")
    t = member(unit, name="Perpetua Hollowmere", source="onprem")
    path = reset_path(t.id)

    def refused(pw, want):
        before = pw_state(t.id)
        r = b.expect("GET", path, 200)
        r = b.post(path, {"version": version_of(r), "new_password": pw,
                          "confirm_password": pw})
        eq(r.status, 422, "on-prem reset with %r" % pw)
        errs = errors_of(r)
        check(any(want in e for e in errs), "%r: no message with %r in %r"
              % (pw, want, errs))
        eq(pw_state(t.id), before, "password after the refused %r" % pw)
        return r

    def accepted(pw):
        before = pw_state(t.id)
        reset(b, t.id, {"new_password": pw, "confirm_password": pw})
        check(pw_state(t.id)[0] != before[0], "%r: the hash did not "
              "change" % pw)
        Browser().login(t.upn, pw, 303, "/account/password")

    twelve = "Kx7!" + secrets.token_hex(4)            # 12 characters
    with settings_at({"onprem.policy.min_length": "14"}):
        r = b.expect("GET", path, 200)
        check("at least 14 characters" in norm(r.body),
              "the confirm page does not say 14 characters")
        refused(twelve, "at least 14 characters")
        accepted("Kx7!" + secrets.token_hex(5))       # 14 characters
    accepted(twelve)
    small = "lanternmoss" + "".join(secrets.choice("abcdefghjk")
                                    for _ in range(5))
    refused(small, "three of these four")
    with settings_at({"onprem.policy.complexity": "off"}):
        accepted(small)
    named = "Hollowmere!%s" % secrets.token_hex(2)
    hint = "not their username or a part of their name"
    check(hint in norm(b.expect("GET", path, 200).body),
          "the confirm page does not give the name rule")
    refused(named, "part of their name")
    with settings_at({"onprem.policy.no_account_name": "off"}):
        check(hint not in norm(b.expect("GET", path, 200).body),
              "the confirm page gives the name rule with it off")
        accepted(named)
    with settings_at({"onprem.policy.no_account_name": "on",
                      "onprem.policy.complexity": "off"}):
        refused("hollowmere" + secrets.token_hex(3), "part of their name")
