"""SMS delivery: the limits on every text (per number, per address), the country codes, the notice to a changed number, no message text in the logs. (A failing sms_command and `sms flush`: process.py.)"""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import settings_at
from phones import phone_post


NOTICE = ("Your staffdesk phone number was changed by your manager. If this "
          "was not expected, tell them.")


def outbox(number):
    """(purpose, status, tries, sealed dropped) of number's rows, oldest first."""
    return [tuple(r) for r in sql(
        "SELECT purpose, status, tries, sealed IS NULL FROM sms_outbox "
        "WHERE number = %s ORDER BY id" % sqlq(number))]


def age_texts(number=None, seconds=7200):
    """Moves texts back in time (all of them, or number's), so that a
    test starts with the windows it needs empty: the suite's texts all
    come from 127.0.0.1, whose hourly limit they would fill."""
    where = " WHERE number = %s" % sqlq(number) if number else ""
    sql("UPDATE sms_outbox SET created_at = created_at - INTERVAL %d SECOND%s"
        % (seconds, where))


def sms_reset_setup(label):
    unit, _, m, b = manager_unit(label, "helpdesk-administrator")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    return unit, b, t, mobile


def refused_reset(b, t, status, reason, mark):
    """POSTs the reset of t: refused with status, nothing changed, the
    refusal audited with reason; returns the page."""
    before = pw_state(t.id)
    r = b.expect("GET", reset_path(t.id), 200)
    r = b.post(reset_path(t.id), {"version": version_of(r)})
    eq(r.status, status, "a reset over an SMS limit (%s)" % reason)
    eq(pw_state(t.id), before, "the password after a refused reset")
    row = audit_rows(mark, action="user.password.reset", target_id=t.id,
                     result="failure")
    check(len(row) == 1 and row[-1]["reason"] == reason, "audit rows of "
          "the refused reset: %r, want one with reason %s" % (row, reason))
    check(r.page.by_id("temp-password") is None, "a temporary password "
          "shown on a refused reset")
    return r


@test
def sms_reset_burst_stops():
    """15 resets as fast as the manager can send them: one text, 14 times
    429 with Retry-After and when to retry, nothing reset, each refusal
    audited (sms_limit_minute)."""
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsBurst")
    with settings_at({"reset.deliver": "sms"}):
        mark = audit_mark()
        reset(b, t.id)
        eq(len(sms_lines(mobile)), 1, "texts after the first reset")
        first = pw_state(t.id)
        t0 = time.time()
        for i in range(14):
            r = b.expect("GET", reset_path(t.id), 200)
            r = b.post(reset_path(t.id), {"version": version_of(r)})
            eq(r.status, 429, "reset #%d within a minute" % (i + 2))
            ra = r.header("Retry-After") or ""
            check(ra.isdigit() and 1 <= int(ra) <= 60, "Retry-After %r on "
                  "reset #%d (want 1-60 s)" % (ra, i + 2))
            msg = " ".join(errors_of(r))
            check("Try again in" in msg and "not reset" in msg,
                  "the 429 page says %r" % msg)
        dt = time.time() - t0
        eq(len(sms_lines(mobile)), 1, "texts after 15 resets in %.1f s" % dt)
        eq(pw_state(t.id), first, "the password after the refused resets")
        eq(len(outbox(mobile)), 1, "outbox rows after 15 resets")
        rows = audit_rows(mark, action="user.password.reset",
                          target_id=t.id)
        eq([(x["result"], x["reason"]) for x in rows],
           [("success", None)] + [("failure", "sms_limit_minute")] * 14,
           "audit rows of the 15 resets")
        for x in rows[1:]:
            eq(details(x).get("to"), masked(mobile), "audited destination")
            check(mobile not in x["details"], "the full number audited")
        # The temporary password of the one text still works.
        text = sms_lines(mobile)[0]
        temp = re.search(r"password is (\S+)", text).group(1)
        Browser().login(t.upn, temp, 303, "/account/password")


@test
def sms_reset_per_number_hour():
    """sms.per_number_per_hour (here 3): a fourth text within the hour is
    429 for about an hour (sms_limit_number); a text older than an hour
    no longer counts."""
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsHour")
    with settings_at({"reset.deliver": "sms", "sms.per_number_per_hour":
                      "3"}):
        for i in range(3):
            reset(b, t.id)
            age_texts(mobile, 61)      # past the 1-per-minute rule
        eq(len(sms_lines(mobile)), 3, "texts after 3 resets")
        r = refused_reset(b, t, 429, "sms_limit_number", audit_mark())
        ra = int(r.header("Retry-After") or "0")
        # the oldest of the three went 3 x 61 s ago
        check(3600 - 3 * 61 - 5 <= ra <= 3600 - 3 * 61 + 5,
              "Retry-After %d, want about %d" % (ra, 3600 - 3 * 61))
        check("minutes" in " ".join(errors_of(r)), "the page does not say "
              "in how many minutes: %r" % errors_of(r))
        eq(len(sms_lines(mobile)), 3, "texts after the refused reset")
        age_texts(mobile, 3600)
        reset(b, t.id)
        eq(len(sms_lines(mobile)), 4, "texts once the hour has passed")


@test
def sms_flood_by_number_spares_proven_texts():
    """Anyone who knows a number can ask /login/sms for codes until the
    number's hourly limit stops them (429 is not shown: the page looks
    the same). That uses up only texts anyone may ask for: the
    manager's reset still texts the temporary password at once."""
    from codes import sms_step1, texts
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsFlood")
    with settings_at({"sms.signin": "all", "reset.deliver": "sms",
                      "sms.per_number_per_hour": "2"}):
        for i in range(3):
            sms_step1(Browser(), mobile)
            texts(mobile, min(i + 1, 2), wait=2.0)
            age_texts(mobile, 61)      # past the 1-per-minute rule
        eq(len(texts(mobile, 0)), 2, "sign-in codes sent within the limit")
        r = reset(b, t.id)
        check(r.page.by_id("sms-sent") is not None or
              r.page.by_id("sent") is not None, "the manager's reset after "
              "a flood of sign-in codes: %s" % norm(r.page.root.text())[:300])
        lines = sms_lines(mobile)
        eq(len(lines), 3, "texts after the reset")
        check("password" in lines[-1], "the last text %r" % lines[-1])


@test
def sms_reset_per_ip():
    """sms.per_ip_per_hour (here 1): the second text from this address
    within the hour, to another number, is refused (sms_limit_ip)."""
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsIp")
    t2 = member(unit, mobile=fresh_mobile())
    m2 = phones_db(t2.id)["mobile"]
    with settings_at({"reset.deliver": "sms", "sms.per_ip_per_hour": "1"}):
        reset(b, t.id)
        refused_reset(b, t2, 429, "sms_limit_ip", audit_mark())
        eq(sms_lines(m2), [], "texts to the second number")
        eq(sql("SELECT DISTINCT ip FROM sms_outbox WHERE number = %s"
               % sqlq(mobile)), [["127.0.0.1"]], "the address of the text")
        # sign-in by text from the same address says so, for a known
        # number and an unknown one alike (it says nothing of either)
        from codes import sms_step1
        with settings_at({"sms.signin": "all"}):
            pages = [sms_step1(Browser(), n, 429) for n in (m2,
                                                            fresh_mobile())]
            for r in pages:
                check("from this network" in (r.id_text("error") or "")
                      and r.page.by_id("sent") is None, "the 429 page of "
                      "sign-in by text: %r" % r.id_text("error"))
                check(r.header("Retry-After"), "no Retry-After")
            eq(sms_lines(m2), [], "texts to the second number")
    age_texts()


@test
def sms_notices_spare_the_address_limit():
    """A manager changing numbers from the store sends notices; they do
    not use up the address's hourly texts, which codes need."""
    age_texts()
    unit, _, _, b = manager_unit("Store SmsNoticeIp")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    with settings_at({"reset.deliver": "sms", "sms.per_ip_per_hour": "1"}):
        r = phone_post(b, t.id, "mobile", fresh_mobile())
        eq(r.status, 303, "changing the number: %s" % desc(r))
        eq(len(sms_lines(mobile)), 1, "the notice to the old number")
        reset(b, t.id)
    age_texts()


@test
def sms_country_codes():
    """sms.allowed_country_codes: a reset that would text +1 when only 44
    is allowed is refused (422, a sentence that names the country codes,
    nothing reset, no text); with 1 allowed it goes."""
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsCountry")
    with settings_at({"reset.deliver": "sms",
                      "sms.allowed_country_codes": "44 353"}):
        r = refused_reset(b, t, 422, "sms_country", audit_mark())
        msg = " ".join(errors_of(r))
        check("country" in msg and "not reset" in msg, "the refusal says "
              "%r" % msg)
        check(r.header("Retry-After") is None, "Retry-After on a refusal "
              "that waiting does not lift")
        eq(sms_lines(mobile), [], "texts to a country not allowed")
        eq(outbox(mobile), [], "outbox rows to a country not allowed")
    with settings_at({"reset.deliver": "sms",
                      "sms.allowed_country_codes": "44 1"}):
        reset(b, t.id)
        eq(len(sms_lines(mobile)), 1, "texts once +1 is allowed")


@test
def sms_notice_on_phone_change():
    """Changing or removing a mobile (or alternate mobile) number texts
    the previous number the notice, never the new one; an office number
    is not texted. A notice is never stopped by a limit (or texts that
    fill a person's quota first could change their number unnoticed)."""
    age_texts()
    unit, _, m, b = manager_unit("Store SmsNotice")
    m1, m2, m3, alt = (fresh_mobile() for _ in range(4))
    t = member(unit, mobile=m1)

    def post(typ, number, action="save"):
        phone_page(b, t.id)
        r = b.post("/users/%s/phone" % t.id, {"type": typ, "number": number,
                                              "action": action})
        eq(r.status, 303, "POST phone %s %s %s" % (typ, number, action))

    mark = audit_mark()
    post("mobile", typed(m2))
    eq(phones_db(t.id).get("mobile"), m2, "mobile after the change")
    eq(sms_lines(m1), [NOTICE], "texts to the previous mobile")
    eq(sms_lines(m2), [], "texts to the new mobile")
    eq(outbox(m1), [("notify", "sent", "1", "1")], "outbox row of the notice")
    row = one_audit(mark, "the change", action="user.phone.update",
                    target_id=t.id)
    eq(details(row).get("notice"), "queued", "audit details notice")
    # an alternate mobile added: no previous number, no text
    post("alternateMobile", typed(alt))
    eq(sms_lines(alt), [], "texts to a new alternate mobile")
    # an office number: never texted
    office = fresh_mobile()
    post("office", typed(office))
    post("office", "", "remove")
    eq(sms_lines(office), [], "texts to a removed office number")
    # the alternate removed: it is told
    post("alternateMobile", "", "remove")
    eq(sms_lines(alt), [NOTICE], "texts to the removed alternate mobile")
    # over the limits: m2 was texted a minute ago by a reset, and the
    # person's hourly quota is used up; the notice goes all the same
    age_texts()
    with settings_at({"reset.deliver": "sms"}):
        reset(b, t.id)
    eq(len(sms_lines(m2)), 1, "the reset's text to m2")
    sql("INSERT INTO sms_outbox (number, purpose, user_id, status, "
        "created_at) SELECT %s, 'reset_temp', %s, 'sent', "
        "UTC_TIMESTAMP(6) FROM seq_1_to_10" % (sqlq(alt), sqlq(t.id)))
    mark = audit_mark()
    post("mobile", typed(m3))
    eq(phones_db(t.id).get("mobile"), m3, "the change over the limit "
       "happened")
    eq(len(sms_lines(m2)), 2, "the notice to m2 within a minute of a text "
       "and past the person's hourly quota")
    eq(sms_lines(m2)[-1], NOTICE, "the last text to m2")
    row = one_audit(mark, "the change over the limit",
                    action="user.phone.update", target_id=t.id)
    eq(details(row).get("notice"), "queued", "audit details notice")
    eq(sms_lines(m3), [], "texts to the new mobile")


@test
def sms_text_not_logged():
    """The text of a message (a temporary password, the notice) is in no
    audit row, no log file and not in clear in the database."""
    age_texts()
    unit, b, t, mobile = sms_reset_setup("Store SmsSecret")
    with settings_at({"reset.deliver": "sms"}):
        reset(b, t.id)
    text = sms_lines(mobile)[0]
    temp = re.search(r"password is (\S+)", text).group(1)
    no_secret_stored(temp, "the texted temporary password")
    no_secret_stored("temporary staffdesk password is", "the text of an SMS")
    no_secret_stored("If this was not expected", "the notice text")
    p = subprocess.run(["mariadb-dump", "--defaults-file=" + mycnf(),
                        "--skip-extended-insert", "staffdesk"],
                       capture_output=True, timeout=120)
    check(p.returncode == 0, "mariadb-dump: %s" % p.stderr[-300:])
    check(temp.encode() not in p.stdout and b"If this was not expected"
          not in p.stdout, "a text in clear in the database")
    out = cli_ok("sms", "outbox", "--limit", "1000")
    check(masked(mobile) in out and "reset_temp" in out, "sms outbox does "
          "not list the text to %s: %r" % (masked(mobile), out[:300]))
    check(temp not in out and mobile not in out, "sms outbox shows the text "
          "or the full number")
