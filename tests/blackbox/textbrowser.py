"""The forms and manager pages as w3m renders them."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


@test
def w3m_renders_forms():
    u = make_user(name="Wanda Textbrowser")
    r = Browser().get("/login")
    out = w3m_dump(r.raw)
    for label in ("Username", "Password", "Sign in"):
        check(label in out, "w3m /login: %r not visible" % label)
    b2 = Browser()
    temp = "Temp-%s-Harbour" % secrets.token_hex(4)
    cli_ok("user", "set-password", "--upn", u.upn, "--password-stdin",
           "--temporary", stdin=temp + "\n")
    b2.login(u.upn, temp, 303, "/account/password")
    r = b2.expect("GET", "/account/password", 200)
    out = w3m_dump(r.raw)
    for label in ("Change your password", "New password",
                  "New password again", "Change password"):
        check(label in out, "w3m /account/password: %r not visible in:\n%s"
              % (label, out))
    check("Current password" not in out, "w3m: forced change asks for the "
          "current password")
    new = good_password()
    b2.post("/account/password", {"new_password": new,
                                  "confirm_password": new})
    eq(b2.last.status, 303, "forced change")
    r = b2.expect("GET", "/account", 200)
    out = w3m_dump(r.raw)
    for label in ("My account", "Name", u.name, "Username", u.upn,
                  "Sign out", "Change password"):
        check(label in out, "w3m /account: %r not visible in:\n%s"
              % (label, out))


@test
def w3m_manager_pages():
    unit, _, aa, b = manager_unit("Store Text")
    t = member(unit, name="Wendell Textmode", mobile=fresh_mobile())
    o = member(unit, name="Odessa Premline", source="onprem")
    out = w3m_dump(b.expect("GET", reset_path(t.id), 200).raw)
    for label in ("Reset password", t.name, "temporary password", "Cancel",
                  "Back to the profile"):
        check(label in out, "w3m reset page: %r not visible in:\n%s"
              % (label, out))
    out = w3m_dump(b.expect("GET", reset_path(o.id), 200).raw)
    for label in ("Reset password", "New password", "New password again",
                  "at least 8 characters"):
        check(label in out, "w3m on-prem reset page: %r not visible in:\n%s"
              % (label, out))
    r = reset(b, t.id)
    out = w3m_dump(r.raw)
    check(temp_of(r) in out, "w3m done page: the temporary password is not "
          "visible in:\n%s" % out)
    out = w3m_dump(phone_page(b, t.id).raw)
    for label in ("Phone numbers", "Mobile", "Alternate mobile", "Office",
                  "Save", "Remove", "x123"):
        check(label in out, "w3m phone page: %r not visible in:\n%s"
              % (label, out))
    eq(out.count("Save"), 3, "Save buttons in w3m")
    eq(out.count("Remove"), 1, "Remove buttons in w3m (one number)")


@test
def w3m_audit_pages():
    """The audit log, an entry and a location's recent activity read in
    w3m: the filters, the rows, the links between pages."""
    unit, uid, m, b = manager_unit("Store TextAudit")
    t = member(unit, name="Wilma Textaudit")
    temp_of(reset(b, t.id))
    out = w3m_dump(b.expect("GET", "/units/%s" % uid, 200).raw)
    check("Recent activity" in out, "w3m location page: no 'Recent "
          "activity' in:\n%s" % out)
    out = w3m_dump(b.expect("GET", "/units/%s/activity" % uid, 200).raw)
    # (a name may wrap in a table cell: its words)
    for label in ("Recent activity", "Wilma", "Textaudit",
                  "user.password.reset", m.upn, "last 30 days"):
        check(label in out, "w3m activity page: %r not visible in:\n%s"
              % (label, out))
    g = signed_in(add_manager("reports-reader"))
    r = g.expect("GET", "/admin/audit?" + urllib.parse.urlencode(
        {"target": t.id}), 200)
    out = w3m_dump(r.raw)
    for label in ("Audit log", "Who", "Action starts with", "Result", "From",
                  "Days from", "Filter", "Download these entries as CSV",
                  "user.password.reset", "Wilma", "Textaudit"):
        check(label in out, "w3m audit log: %r not visible in:\n%s"
              % (label, out))
    link = [a.attrs["href"] for a in r.page.all("a")
            if a.attrs.get("href", "").startswith("/admin/audit/")][0]
    out = w3m_dump(g.expect("GET", link, 200).raw)
    for label in ("Audit entry", "User agent", b.ua, "127.0.0.1",
                  "Details", "Initiated by:", "My Staff",
                  "Entries about this person"):
        check(label in out, "w3m audit entry: %r not visible in:\n%s"
              % (label, out))


@test
def lynx_fetches_pages_anew():
    """lynx keeps each page it showed and, when a link leads back to it,
    shows that copy unless Cache-Control ends in no-cache (or says
    max-age=0): with no-store alone, a manager back on a person's phone
    page after saving a number saw the form as it was before. Every
    answer, a visitor's, a signed-in one, an error and a redirect, says
    both."""
    for cc, want in (("no-store", False), ("no-cache, no-store", False),
                     ("no-store, no-cache", True), ("no-store, max-age=0",
                                                   True),
                     ("private, max-age=00", False)):
        eq(lynx_no_cache(cc), want, "lynx's reading of %r" % cc)
    m = make_user(role="authentication-administrator", totp=True)
    t = member(test_unit(), mobile=fresh_mobile())
    seen = [Browser().get("/login"), Browser().get("/no/such/page")]
    b = signed_in(m)
    seen += [b.get("/account"), b.get("/users/%s/phone" % t.id),
             b.get("/users/%s" % t.id)]
    b.get("/users/%s/phone" % t.id)
    seen.append(b.post("/users/%s/phone" % t.id, {
        "type": "office", "number": fresh_mobile(), "action": "save"}))
    eq(seen[-1].status, 303, "saving the office number")
    for r in seen:
        cc = r.header("Cache-Control") or ""
        check("no-store" in cc and lynx_no_cache(cc), "%s: Cache-Control "
              "%r keeps the page in lynx's history" % (desc(r), cc))
