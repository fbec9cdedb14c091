"""The admin console: /admin, /admin/settings (each section readable and
changeable only by its roles, validation, audit, effect on the next
request of every worker), the selected list of My Staff access, and
what the settings do: blocked and trusted networks, password rules,
lockout."""

import contextlib

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import From, loopback_addr, settings_at


# Every setting, by section, as the page must name its fields.
SECTIONS = {
    "mystaff": ["mystaff.access"],
    "ca": ["ca.require_mfa", "ca.signin_frequency_hours",
           "ca.trusted_networks", "ca.blocked_networks", "ca.require_totp"],
    "methods": ["totp", "sms.signin", "sms.mfa", "sms.sspr", "sspr.admins",
                "sms.per_number_per_hour", "sms.per_ip_per_hour",
                "sms.allowed_country_codes", "phone.country"],
    "passwords": ["password.min_length", "password.banned_words",
                  "lockout.threshold", "lockout.seconds",
                  "signin.ip_failures_per_hour", "mfa.max_attempts",
                  "session.idle_minutes", "session.absolute_hours",
                  "reset.temp_password_ttl_hours", "reset.deliver",
                  "onprem.policy.min_length", "onprem.policy.complexity",
                  "onprem.policy.no_account_name", "onprem.writeback"],
}

# Who may read / change each section (the README's table), by role.
READ = {
    "mystaff": {"global-administrator", "user-administrator",
                "security-reader"},
    "ca": {"global-administrator", "conditional-access-administrator",
           "security-reader"},
    "methods": {"global-administrator",
                "authentication-policy-administrator", "security-reader"},
    "passwords": {"global-administrator", "security-reader"},
}
CHANGE = {
    "mystaff": {"global-administrator", "user-administrator"},
    "ca": {"global-administrator", "conditional-access-administrator"},
    "methods": {"global-administrator",
                "authentication-policy-administrator"},
    "passwords": {"global-administrator"},
}

_admins = {}


def admin(role="global-administrator"):
    """A person holding role at org scope and their signed-in browser
    (one of each per role for the whole run: a TOTP code is good once)."""
    if role not in _admins:
        u = add_manager(role)
        _admins[role] = (u, signed_in(u))
    return _admins[role]


def field_names(r):
    """The names of the fields of the settings forms of a page."""
    names = []
    for tag in ("input", "select", "textarea"):
        for n in r.page.all(tag):
            name = n.attrs.get("name")
            if name and name not in ("csrf", "q", "user"):
                names.append(name)
    return names


def section_form(r, sec):
    """The form that posts to /admin/settings/sec, or None."""
    for f in r.page.all("form"):
        if f.attrs.get("action") == "/admin/settings/" + sec:
            return f
    return None


def form_values(form):
    """{name: value} of a form as a browser would send it."""
    vals = {}
    for n in form.iter():
        name = n.attrs.get("name") if hasattr(n, "attrs") else None
        if not name or name == "csrf":
            continue
        if n.tag == "input":
            vals[name] = n.attrs.get("value", "")
        elif n.tag == "textarea":
            vals[name] = n.text()
        elif n.tag == "select":
            opts = [o for o in n.iter() if getattr(o, "tag", None) ==
                    "option"]
            chosen = [o for o in opts if "selected" in o.attrs] or opts[:1]
            vals[name] = chosen[0].attrs.get("value")
    return vals


def save(b, sec, changes, status=303):
    """GETs the settings page, POSTs section sec with every field as the
    page shows it and changes on top; checks the status."""
    r = b.get("/admin/settings")
    eq(r.status, 200, "GET /admin/settings")
    form = section_form(r, sec)
    check(form is not None, "no form for %s on the settings page" % sec)
    vals = form_values(form)
    vals.update(changes)
    r = b.post("/admin/settings/" + sec, vals)
    check(r.status == status, "POST /admin/settings/%s %r: %s, want %d"
          % (sec, changes, desc(r), status))
    return r


def setting(name):
    return cli_ok("settings", "get", name).strip()


@contextlib.contextmanager
def kept(*names):
    """Puts the named settings back as they were after the block."""
    with settings_at({n: setting(n) for n in names}):
        yield


# Tests -----------------------------------------------------------------

@test
def console_home():
    """/admin lists the sections a role may read, marks the read-only
    ones, and is a 403 for a role that opens none (and for a role held
    at one location only)."""
    _, b = admin()
    r = b.get("/admin")
    eq(r.status, 200, "GET /admin as a global administrator")
    links = [a.attrs.get("href") for a in r.page.by_id("sections").iter()
             if getattr(a, "tag", None) == "a"]
    for want in ("/admin/settings#mystaff", "/admin/settings#ca",
                 "/admin/settings#methods", "/admin/settings#passwords",
                 "/admin/units", "/admin/roles", "/admin/audit"):
        check(want in links, "/admin of a global administrator lacks %s: %r"
              % (want, links))
    check("read only" not in r.page.by_id("sections").text(),
          "a global administrator's /admin says read only")
    _, b = admin("conditional-access-administrator")
    r = b.get("/admin")
    links = [a.attrs.get("href") for a in r.page.by_id("sections").iter()
             if getattr(a, "tag", None) == "a"]
    eq(links, ["/admin/settings#ca"], "/admin of a CA administrator")
    _, b = admin("security-reader")
    r = b.get("/admin")
    check("read only" in r.page.by_id("sections").text(),
          "a security reader's /admin does not say read only")
    _, b = admin("helpdesk-administrator")
    b.expect("GET", "/admin", 403)
    b.expect("GET", "/admin/settings", 403)
    unit_admin = add_manager("user-administrator", unit=test_unit())
    signed_in(unit_admin).expect("GET", "/admin", 403)


@test
def settings_fields_named():
    """Every setting is a field of its section, named exactly after it;
    what the page saves is what `staffdesk-admin settings get` shows."""
    _, b = admin()
    r = b.get("/admin/settings")
    eq(r.status, 200, "GET /admin/settings")
    for sec, names in SECTIONS.items():
        form = section_form(r, sec)
        check(form is not None, "no form for section %s" % sec)
        got = [n for n in form_values(form) if n != "version"]
        eq(sorted(got), sorted(names), "the fields of section %s" % sec)
    with kept("ca.signin_frequency_hours", "sms.allowed_country_codes"):
        save(b, "ca", {"ca.signin_frequency_hours": "7"})
        eq(setting("ca.signin_frequency_hours"), "7", "saved by the page")
        save(b, "methods", {"sms.allowed_country_codes": " 44,\r\n1 "})
        eq(setting("sms.allowed_country_codes"), "44 1",
           "a list is stored with single spaces")
        r = b.get("/admin/settings?saved=ca")
        check("Saved" in (r.page.by_id("main") or r.page.root).text(),
              "no 'Saved' message after saving")


@test
def settings_rights():
    """Each section is a form only for the roles that may change it, a
    read-only table for the others that may read it, and absent for the
    rest; a POST without the right is a 403 with an audit row."""
    for role in ("global-administrator", "user-administrator",
                 "conditional-access-administrator",
                 "authentication-policy-administrator", "security-reader"):
        u, b = admin(role)
        r = b.get("/admin/settings")
        eq(r.status, 200, "GET /admin/settings as %s" % role)
        for sec in SECTIONS:
            has_form = section_form(r, sec) is not None
            shown = r.page.by_id(sec) is not None
            eq(has_form, role in CHANGE[sec], "%s: a form for %s"
               % (role, sec))
            eq(shown, role in READ[sec], "%s: section %s shown"
               % (role, sec))
            if role in READ[sec] and role not in CHANGE[sec]:
                text = r.page.root.text()
                check(SECTIONS[sec][0] in text, "%s: the read-only %s "
                      "section does not show %s" % (role, sec,
                                                    SECTIONS[sec][0]))
            if role not in CHANGE[sec]:
                mark = audit_mark()
                before = setting(SECTIONS[sec][0])
                r2 = b.post("/admin/settings/" + sec,
                            {SECTIONS[sec][0]: before})
                eq(r2.status, 403, "%s: POST /admin/settings/%s"
                   % (role, sec))
                row = one_audit(mark, "refused settings change",
                                actor_id=u.id)
                eq((row["action"], row["result"], row["reason"],
                    row["client"]),
                   ("settings.update", "failure", "no_role", "admin"),
                   "the audit row of a refused settings change")
                r = b.get("/admin/settings")


@test
def settings_validation():
    """A bad value is a 422 with its field marked and every typed value
    kept; nothing is saved and nothing is audited."""
    u, b = admin()
    cases = [
        ("ca", {"ca.blocked_networks": "10.0.0.1/8",
                "ca.signin_frequency_hours": "5"}, "ca.blocked_networks"),
        ("ca", {"ca.trusted_networks": "192.0.2.0/24 not-a-network"},
         "ca.trusted_networks"),
        ("ca", {"ca.trusted_networks": "0.0.0.0/0"}, "ca.trusted_networks"),
        ("ca", {"ca.signin_frequency_hours": "-3"},
         "ca.signin_frequency_hours"),
        ("passwords", {"password.min_length": "7",
                       "session.idle_minutes": "45"},
         "password.min_length"),
        ("passwords", {"reset.deliver": "email"}, "reset.deliver"),
        ("methods", {"sms.signin": "everyone"}, "sms.signin"),
        ("methods", {"sms.allowed_country_codes": "44 uk"},
         "sms.allowed_country_codes"),
        ("passwords", {"password.banned_words": "ok no"},
         "password.banned_words"),
        ("mystaff", {"mystaff.access": "some"}, "mystaff.access"),
        # the settings together: no second factor left; idle > absolute
        ("methods", {"totp": "off"}, "totp"),
        ("passwords", {"session.idle_minutes": "1000",
                       "session.absolute_hours": "12"},
         "session.idle_minutes"),
    ]
    for sec, changes, bad in cases:
        before = {n: setting(n) for n in SECTIONS[sec]}
        mark = audit_mark()
        r = save(b, sec, changes, 422)
        marked = r.page.by_id(bad)
        check(marked is not None and
              marked.attrs.get("aria-invalid") == "true",
              "%r: the field %s is not marked" % (changes, bad))
        check(r.page.by_id(bad + "-why") is not None and
              r.page.by_id(bad + "-why").text().strip(),
              "%r: no reason next to %s" % (changes, bad))
        form = form_values(section_form(r, sec))
        for k, v in changes.items():
            if r.page.by_id(k).tag != "select":     # a word not offered
                eq(form[k], v, "%r: the typed value of %s" % (changes, k))
        eq({n: setting(n) for n in SECTIONS[sec]}, before,
           "%r: settings after a refused form" % (changes,))
        eq(audit_rows(mark, action="settings.update"), [],
           "%r: audit rows of a refused form" % (changes,))
    # a field sent twice is a 400, not a guess; so is a form without
    # the version of the page it came from
    r = b.get("/admin/settings")
    version = form_values(section_form(r, "ca"))["version"]
    r = b.post("/admin/settings/ca", [("version", version),
                                      ("ca.require_mfa", "on"),
                                      ("ca.require_mfa", "off")])
    eq(r.status, 400, "a setting sent twice")
    b.get("/admin/settings")
    r = b.post("/admin/settings/ca", {"ca.require_mfa": "on"})
    eq(r.status, 400, "a settings form without its version")


@test
def settings_changed_meanwhile():
    """A save from a page whose section another admin has changed since
    is a 422 that shows the section as it is now; nothing is saved, and
    the other admin's change stands."""
    _, a = admin()
    _, b = admin("conditional-access-administrator")
    with kept("ca.signin_frequency_hours", "ca.blocked_networks"):
        old = setting("ca.signin_frequency_hours")
        mine = "9" if old != "9" else "10"
        page = a.get("/admin/settings")
        vals = form_values(section_form(page, "ca"))
        save(b, "ca", {"ca.blocked_networks": "198.51.100.0/24"})
        vals["ca.signin_frequency_hours"] = mine
        mark = audit_mark()
        r = a.post("/admin/settings/ca", vals)
        eq(r.status, 422, "a save from a page changed meanwhile")
        check("changed these settings while you were editing" in
              (r.id_text("ca-error") or ""), "no sentence says why: %r"
              % r.id_text("ca-error"))
        eq(form_values(section_form(r, "ca"))["ca.blocked_networks"],
           "198.51.100.0/24", "the page shows the other admin's change")
        eq((setting("ca.signin_frequency_hours"),
            setting("ca.blocked_networks")), (old, "198.51.100.0/24"),
           "settings after the refused save")
        eq(audit_rows(mark, action="settings.update"), [],
           "audit rows of the refused save")
        save(a, "ca", {"ca.signin_frequency_hours": mine})  # again: saved
        eq(setting("ca.signin_frequency_hours"), mine, "saved again")


@test
def settings_clash_elsewhere():
    """A clash stored among one section's settings (written before the
    rule, straight to the table) does not stop another section's save,
    and is refused when its own section is saved."""
    u, b = admin()
    with kept("session.idle_minutes", "session.absolute_hours",
              "mystaff.access"):
        sql("REPLACE INTO settings (name, value) VALUES "
            "('session.idle_minutes', '600'), "
            "('session.absolute_hours', '8')")
        save(b, "mystaff", {"mystaff.access": "all"})
        r = save(b, "passwords", {}, 422)
        check(r.page.by_id("session.idle_minutes").attrs.get(
              "aria-invalid") == "true", "the clashing field is not marked")
        sql("REPLACE INTO settings (name, value) VALUES "
            "('session.idle_minutes', '30'), "
            "('session.absolute_hours', '12')")


@test
def settings_audit():
    """A saved change writes one settings.update row (client admin) with
    the old and the new value of each changed key; saving what is there
    writes none."""
    u, b = admin()
    with kept("lockout.seconds", "reset.temp_password_ttl_hours"):
        old_s = setting("lockout.seconds")
        old_t = setting("reset.temp_password_ttl_hours")
        new_s = "90" if old_s != "90" else "75"
        new_t = "36" if old_t != "36" else "30"
        mark = audit_mark()
        save(b, "passwords", {"lockout.seconds": new_s,
                              "reset.temp_password_ttl_hours": new_t})
        row = one_audit(mark, "settings change", action="settings.update")
        eq((row["result"], row["client"], row["actor_id"]),
           ("success", "admin", u.id), "the settings.update row")
        changes = {c["name"]: (c["old"], c["new"])
                   for c in details(row)["changes"]}
        eq(changes, {"lockout.seconds": (old_s, new_s),
                     "reset.temp_password_ttl_hours": (old_t, new_t)},
           "the changes in the audit row's details")
        mark = audit_mark()
        save(b, "passwords", {})
        eq(audit_rows(mark, action="settings.update"), [],
           "audit rows of a save that changed nothing")


@test
def settings_next_request():
    """mystaff.access and ca.blocked_networks saved on the page count on
    the next request, whichever worker serves it (20 requests: both of
    the stack's workers serve some)."""
    _, b = admin()
    name, _ = add_unit("Console")
    mgr = add_manager("helpdesk-administrator", unit=name)
    m = signed_in(mgr)
    m.expect("GET", "/search", 200)
    with kept("mystaff.access"):
        save(b, "mystaff", {"mystaff.access": "none"})
        for i in range(20):
            forbidden(m, "/units")
        save(b, "mystaff", {"mystaff.access": "all"})
        for i in range(20):
            m.expect("GET", "/search", 200)
    addr = loopback_addr()
    far = From(addr)
    far.set_cookie(SESSION_COOKIE, m.token())
    far.expect("GET", "/search", 200)
    with kept("ca.blocked_networks"):
        net = ".".join(addr.split(".")[:3]) + ".0/24"
        save(b, "ca", {"ca.blocked_networks": net})
        mark = audit_mark()
        for i in range(20):
            r = far.expect("GET", "/units", 403)
            check(addr in r.id_text("error") and "blocked" in
                  r.id_text("error"), "the blocked page does not say why: "
                  "%r" % r.id_text("error"))
        m.expect("GET", "/search", 200)      # 127.0.0.1 is not blocked
        far.post("/users/%s/phone" % mgr.id, {"type": "mobile"})
        row = one_audit(mark, "a blocked POST", action="mystaff.access")
        eq((row["result"], row["reason"]), ("failure", "blocked_network"),
           "the audit row of a POST from a blocked network")
        save(b, "ca", {"ca.blocked_networks": ""})
        far.expect("GET", "/search", 200)


@test
def trusted_networks():
    """From a trusted network a sign-in within ca.signin_frequency_hours
    of the last second factor is not asked again (and the audit row says
    so); elsewhere it is, and a remembered session used from elsewhere
    is asked then."""
    _, b = admin()
    addr = loopback_addr()
    other = loopback_addr()
    mgr = add_manager("helpdesk-administrator", unit=test_unit())
    with kept("ca.trusted_networks"):
        save(b, "ca", {"ca.trusted_networks": addr + " 2001:db8::/32"})
        # never passed MFA: asked, even on the trusted network
        t = From(addr)
        t.login(mgr.upn, mgr.password, 303, "/login/mfa")
        t.mfa(totp_now(mgr.secret), "totp", 303, "/")
        t.get("/account")
        t.post("/logout", {})
        # passed a moment ago, same network: not asked
        mark = audit_mark()
        t = From(addr)
        t.login(mgr.upn, mgr.password, 303, "/")
        t.expect("GET", "/search", 200)
        row = one_audit(mark, "remembered sign-in",
                        action="signin.password", result="success")
        check("remembered" in (row["details"] or ""),
              "the sign-in row does not say the MFA was remembered: %r"
              % row["details"])
        # the same session from another network: asked again, on every
        # page that wants the second factor (not only My Staff's)
        o = From(other)
        o.set_cookie(SESSION_COOKIE, t.token())
        for path in ("/units", "/account", "/admin"):
            r = o.expect("GET", path, 303)
            check(r.location.startswith("/login/mfa"),
                  "%s of a remembered session elsewhere goes to %s"
                  % (path, r.location))
        t.expect("GET", "/account", 200)    # and still not on A
        # a sign-in from another network: asked
        From(other).login(mgr.upn, mgr.password, 303, "/login/mfa")
        # too long ago: asked on the trusted network too
        sql("UPDATE users SET last_mfa_at = UTC_TIMESTAMP(6) - INTERVAL "
            "13 HOUR WHERE id = %s" % sqlq(mgr.id))
        From(addr).login(mgr.upn, mgr.password, 303, "/login/mfa")
    # no trusted networks: asked
    sql("UPDATE users SET last_mfa_at = UTC_TIMESTAMP(6) WHERE id = %s"
        % sqlq(mgr.id))
    From(addr).login(mgr.upn, mgr.password, 303, "/login/mfa")


@test
def selected_people():
    """With mystaff.access = selected, the page adds a person found by
    search and removes one by a button, audited; only they get in."""
    u, b = admin()
    name, _ = add_unit("Selected")
    mgr = add_manager("helpdesk-administrator", unit=name,
                      name="Selma Selectable %s" % secrets.token_hex(2))
    m = signed_in(mgr)
    with kept("mystaff.access"):
        save(b, "mystaff", {"mystaff.access": "selected"})
        forbidden(m, "/units")
        r = b.get("/admin/settings?q=" + urllib.parse.quote(mgr.name))
        eq(r.status, 200, "search on the settings page")
        hits = r.page.by_id("hits")
        check(hits is not None and mgr.upn in hits.text(),
              "the search does not find %s" % mgr.upn)
        mark = audit_mark()
        r = b.post("/admin/mystaff/select", {"user": mgr.id})
        eq(r.status, 303, "POST /admin/mystaff/select")
        row = one_audit(mark, "select", action="mystaff.select")
        eq((row["target_id"], row["client"], row["result"]),
           (mgr.id, "admin", "success"), "the mystaff.select row")
        m.expect("GET", "/search", 200)
        r = b.get("/admin/settings")
        check(mgr.upn in r.page.by_id("selected-people").text(),
              "the selected list lacks %s" % mgr.upn)
        mark = audit_mark()
        b.post("/admin/mystaff/select", {"user": mgr.id})
        eq(audit_rows(mark, action="mystaff.select"), [],
           "selecting someone selected already is not audited again")
        b.get("/admin/settings")
        r = b.post("/admin/mystaff/unselect", {"user": mgr.id})
        eq(r.status, 303, "POST /admin/mystaff/unselect")
        one_audit(mark, "unselect", action="mystaff.unselect")
        forbidden(m, "/units")
        b.get("/admin/settings")
        r = b.post("/admin/mystaff/select",
                   {"user": "00000000-0000-4000-8000-000000000000"})
        eq(r.status, 404, "selecting nobody")
        b.get("/admin/settings")
        r = b.post("/admin/mystaff/select", {"user": "not-an-id"})
        eq(r.status, 400, "a malformed id")
    cli("mystaff", "unselect", "--user", mgr.upn)


@test
def sms_selected_people():
    """With sms.signin = selected, Authentication methods keeps the list:
    a warning while nobody is on it, a person found by its own search
    (not the My Staff one) and added is the one a code is texted to, and
    `sms selected` lists them; removed, they get no code."""
    from sms import age_texts
    from codes import sms_step1, texts
    age_texts()
    u, b = admin()
    name, _ = add_unit("SmsSelected")
    number = fresh_mobile()
    p = member(name, mobile=number,
               name="Sasha Textable %s" % secrets.token_hex(2))
    for upn in cli_ok("sms", "selected").split():
        cli_ok("sms", "unselect", "--user", upn)
    with kept("sms.signin"):
        save(b, "methods", {"sms.signin": "selected"})
        r = b.get("/admin/settings")
        check("nobody can sign in by text" in
              (r.id_text("methods-warning") or ""), "no warning with an "
              "empty list: %r" % r.id_text("methods-warning"))
        r = b.get("/admin/settings?sms_q=" + urllib.parse.quote(p.name))
        check(p.upn in (r.page.by_id("sms-hits").text() if
              r.page.by_id("sms-hits") else ""), "the SMS list's search "
              "does not find %s" % p.upn)
        check(r.page.by_id("hits") is None or p.upn not in
              r.page.by_id("hits").text(), "the My Staff list's search "
              "answered the SMS list's")
        mark = audit_mark()
        r = b.post("/admin/sms/select", {"user": p.id, "sms_q": p.name})
        want = ("/admin/settings?saved=methods&done=added&who=%s&sms_q=%s"
                "#sms-selected" % (p.id, urllib.parse.quote(p.name)))
        eq((r.status, r.location), (303, want), "POST /admin/sms/select")
        r = b.get(r.location.split("#")[0])
        eq(r.id_text("sms-list-notice"), "%s added." % p.name, "the notice")
        eq(r.page.by_id("sms_q").attrs.get("value"), p.name, "the search "
           "kept for the next person")
        check(r.page.by_id("list-notice") is None, "the My Staff list "
              "says it too")
        row = one_audit(mark, "select", action="sms.select")
        eq((row["target_id"], row["client"]), (p.id, "admin"),
           "the sms.select row")
        eq(cli_ok("sms", "selected").split(), [p.upn], "sms selected")
        r = b.get("/admin/settings")
        check(p.upn in r.page.by_id("sms-selected-people").text(),
              "the page's list lacks %s" % p.upn)
        check(r.page.by_id("methods-warning") is None, "the warning with "
              "someone on the list")
        r = b.get("/admin/settings?sms_q=" + urllib.parse.quote(p.name))
        hits = r.page.by_id("sms-hits").text()
        check("on the list already" in hits and "Add " + p.name not in
              hits, "the search offers to add %s again: %r" % (p.upn, hits))
        nophone = member(name, name="Nadia Phoneless %s"
                         % secrets.token_hex(2))
        r = b.get("/admin/settings?sms_q=" + urllib.parse.quote(nophone.name))
        check("no phone number on file" in r.page.by_id("sms-hits").text(),
              "a person without a phone is not marked so")
        sms_step1(Browser(), number)
        eq(len(texts(number, 1)), 1, "texts to a selected person")
        b.get("/admin/settings")
        r = b.post("/admin/sms/unselect", {"user": p.id})
        eq(r.status, 303, "POST /admin/sms/unselect")
        one_audit(mark, "unselect", action="sms.unselect")
        eq(cli_ok("sms", "selected").split(), [], "sms selected after")
        age_texts(number, 61)
        sms_step1(Browser(), number)
        eq(len(texts(number, 1, wait=1.0)), 1, "texts after removal")


@test
def password_rules():
    """password.min_length and password.banned_words saved on the page
    hold on the next password change; lockout.threshold locks sooner."""
    _, b = admin()
    p = make_user(prefix="pw")
    with kept("password.min_length", "password.banned_words",
              "lockout.threshold"):
        save(b, "passwords", {"password.min_length": "14",
                              "password.banned_words": "Contoso, fabrikam"})
        s = Browser()
        s.login(p.upn, p.password, 303, "/")
        r = s.get("/account/password")
        check("At least 14 characters" in r.page.root.text(),
              "the password page does not say the minimum")
        for pw, why in (("Qx7-plum-rain", "at least 14"),
                        ("my-CONTOSO-garden-gate", "does not allow")):
            r = s.post("/account/password", {
                "current_password": p.password, "new_password": pw,
                "confirm_password": pw})
            eq(r.status, 422, "the new password %r" % pw)
            check(any(why in e for e in errors_of(r)),
                  "%r: the error %r lacks %r" % (pw, errors_of(r), why))
        pw = "Quiet-harbour-lamp-42"
        r = s.post("/account/password", {
            "current_password": p.password, "new_password": pw,
            "confirm_password": pw})
        eq(r.status, 303, "a password that meets the rules")
        save(b, "passwords", {"lockout.threshold": "3"})
        v = make_user(prefix="lk")
        for i in range(3):
            Browser().login(v.upn, "wrong-" + secrets.token_hex(4), 422)
        Browser().login(v.upn, v.password, 422)     # locked after 3
        locked = sql("SELECT locked_until > UTC_TIMESTAMP(6) FROM users "
                     "WHERE id = %s" % sqlq(v.id))
        eq(locked, [["1"]], "locked after lockout.threshold failures")


@test
def settings_page_says_where():
    """A refused save says so at the top of the page and links to the
    section; a saved one says so in its section; reloading a refused
    form's address goes back to the section; a 400 keeps the signed-in
    bar; the page warns when the settings lock out the admin."""
    u, b = admin()
    r = save(b, "passwords", {"password.min_length": "7"}, 422)
    top = r.page.by_id("summary")
    check(top is not None and "Nothing was saved" in top.text(),
          "no summary at the top of a refused save")
    check(any(a.attrs.get("href") == "#passwords-error"
              for a in top.iter() if getattr(a, "tag", None) == "a"),
          "the summary does not link to the section's error")
    check(r.page.all("title")[0].text().startswith("Settings: not saved"),
          "the title of a refused save: %r" % r.page.all("title")[0].text())
    r = b.expect("GET", "/admin/settings/passwords", 303)
    eq(r.location, "/admin/settings#passwords", "GET of a section's form")
    with kept("lockout.seconds"):
        save(b, "passwords", {"lockout.seconds": "61"})
        r = b.get("/admin/settings?saved=passwords")
        check(r.page.by_id("passwords-saved") is not None,
              "no 'Saved' notice in the saved section")
        check(r.page.by_id("ca-saved") is None, "a 'Saved' notice in a "
              "section that was not saved")
    with kept("ca.blocked_networks", "mystaff.access"):
        save(b, "ca", {"ca.blocked_networks": "127.0.0.1"})
        r = b.get("/admin/settings")
        check("127.0.0.1" in (r.id_text("ca-warning") or ""),
              "no warning that the admin's own address is blocked")
        save(b, "ca", {"ca.blocked_networks": ""})
        check(b.get("/admin/settings").page.by_id("ca-warning") is None,
              "the warning stays after unblocking")
        # nobody selected (the list as it was is put back after)
        kept_ids = [x[0] for x in sql("SELECT user_id FROM "
                                      "mystaff_selected")]
        sql("DELETE FROM mystaff_selected")
        try:
            save(b, "mystaff", {"mystaff.access": "selected"})
            check("Nobody is selected" in
                  (b.get("/admin/settings").id_text("mystaff-warning") or
                   ""), "no warning that nobody is selected")
        finally:
            for i in kept_ids:
                sql("INSERT IGNORE INTO mystaff_selected (user_id) VALUES "
                    "(%s)" % sqlq(i))
    r = b.get("/admin/audit?result=maybe")
    eq(r.status, 400, "a bad result filter")
    check(u.upn in r.body, "the 400 page lost the signed-in bar")
