"""The audit log page."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


def audit_table(r):
    """The rows of #audit as dicts."""
    t = r.page.by_id("audit")
    check(t is not None, "%s: no #audit table" % desc(r))
    keys = ("at", "actor", "action", "target", "result", "reason", "client",
            "ip", "details")
    rows = []
    for tr in t.iter():
        tds = [c for c in tr.children if isinstance(c, Node) and
               c.tag == "td"]
        if tr.tag == "tr" and tds:
            rows.append(dict(zip(keys, [norm(x.text()) for x in tds])))
    return rows


@test
def audit_page():
    ua, _ = add_unit("Store AuditA")
    ub, _ = add_unit("Store AuditB")
    m = add_manager("helpdesk-administrator", ua)
    b = signed_in(m)
    t = member(ua, name="Audra Target%s" % TAG)
    far = member(ub, name="Farah Away%s" % TAG)
    temp_of(reset(b, t.id))
    b.get("/users/%s" % far.id)
    eq(b.post(reset_path(far.id), {"version": "0"}).status, 403,
       "reset outside the manager's locations")
    g = add_manager("global-administrator")
    bg = signed_in(g)
    r = bg.expect("GET", "/admin/audit", 200)
    rows = audit_table(r)
    check(len(rows) >= 4, "only %d rows on /admin/audit" % len(rows))
    check(any(x["actor"] == g.upn and x["action"] == "signin.mfa"
              for x in rows), "the newest rows lack the administrator's "
          "own sign-in")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    yday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))

    def q(**kw):
        path = "/admin/audit?" + urllib.parse.urlencode(kw)
        r = bg.expect("GET", path, 200)
        for k, v in kw.items():
            if k != "result":
                n = r.page.by_id(k)
                check(n is not None and n.attrs.get("value") == v,
                      "%s: the %s filter does not keep %r" % (path, k, v))
        return r, audit_table(r)

    r, rows = q(action="user.password.reset", result="failure", actor=m.upn,
                **{"from": today, "to": today})
    eq([(x["actor"], x["action"], x["target"], x["result"], x["reason"],
         x["client"], x["ip"]) for x in rows],
       [(m.upn, "user.password.reset", far.name, "failure", "out_of_scope",
         "mystaff", "127.0.0.1")], "failure rows of %s" % m.upn)
    sel = [o for o in r.page.all("option") if "selected" in o.attrs]
    eq([o.attrs.get("value") for o in sel], ["failure"], "selected result")
    _, rows = q(action="user.password.reset", result="success", actor=m.upn)
    eq([(x["target"], x["result"]) for x in rows], [(t.name, "success")],
       "success rows of %s" % m.upn)
    check('"initiatedBy"' in rows[0]["details"] and "My Staff" in
          rows[0]["details"], "details %r" % rows[0]["details"])
    _, rows = q(actor=m.upn)
    check(len(rows) >= 4 and all(x["actor"] == m.upn for x in rows),
          "actor=%s gives %r" % (m.upn, [x["actor"] for x in rows]))
    _, rows = q(target=t.name)
    check(rows and all(x["target"] == t.name for x in rows) and
          any(x["action"] == "user.password.reset" for x in rows),
          "target=%s gives %r" % (t.name, rows))
    _, rows = q(target="Audra")
    check(any(x["target"] == t.name for x in rows), "target=Audra (a name "
          "prefix) lacks %s" % t.name)
    _, rows = q(target=t.id, action="user.password")
    eq([x["action"] for x in rows], ["user.password.reset"],
       "target=<id>&action=user.password")
    _, rows = q(actor=m.upn, **{"from": yday, "to": yday})
    eq(rows, [], "rows of %s yesterday" % m.upn)
    check("No entries" in bg.last.body, "no 'No entries' for an empty result")
    _, rows = q(actor="%")
    eq(rows, [], "actor=% (a literal %)")
    for bad in ("from=2026-13-01", "to=2026-02-30", "from=26-01-01",
                "from=today", "result=maybe", "before=abc"):
        r = bg.get("/admin/audit?" + bad)
        eq(r.status, 400, "GET /admin/audit?%s" % bad)
    # older rows: a full page links to them, a short one does not
    r = bg.expect("GET", "/admin/audit", 200)
    nxt = pager(r, "next")
    rows1 = audit_table(r)
    total = int(sql("SELECT COUNT(*) FROM audit_log")[0][0])
    eq((len(rows1), nxt is not None), (min(total, 50), total > 50),
       "/admin/audit: rows on the first page and a next link (of %d rows)"
       % total)
    if nxt:
        r2 = bg.expect("GET", nxt, 200)
        rows2 = audit_table(r2)
        check(rows2 and rows2[0]["at"] <= rows1[-1]["at"],
              "the next page of /admin/audit is not older")
    # a unit-scope manager, a user without a role: 403
    r = b.get("/admin/audit")
    eq(r.status, 403, "GET /admin/audit of a unit-scope manager")
    check(not r.page.by_id("audit"), "a unit-scope manager sees the table")
    u = make_user()
    pb = Browser()
    pb.login(u.upn, u.password, 303, "/")
    eq(pb.get("/admin/audit").status, 403, "GET /admin/audit without a role")


@test
def audit_paging():
    """/admin/audit pages by 50 under a filter: 10 matching rows are one
    page without a next link; 51 are 50 rows and a next link that keeps
    the filter and shows exactly the 51st; exactly 50 are one full page
    without a next link."""
    import concurrent.futures
    prefix = "Pgx %s %s" % (TAG, secrets.token_hex(2))
    names = ["%s %02d" % (prefix, i) for i in range(51)]
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda n: cli_ok("unit", "add", "--name", n), names))
    ids = [int(x[0]) for x in sql(
        "SELECT id FROM audit_log WHERE action = 'cli.unit.add' AND "
        "target_name LIKE %s ORDER BY id DESC" % sqlq(prefix + " %"))]
    eq(len(ids), 51, "cli.unit.add audit rows of the 51 locations")
    g = add_manager("global-administrator")
    bg = signed_in(g)

    def page(path):
        r = bg.expect("GET", path, 200)
        return r, [x["target"] for x in audit_table(r)], pager(r, "next")

    def q(**kw):
        return "/admin/audit?" + urllib.parse.urlencode(kw)

    # fewer than a page: all of them, no next link
    r, rows, nxt = page(q(target=prefix + " 0"))
    eq(sorted(rows), names[:10], "rows of target=%r" % (prefix + " 0"))
    eq(nxt, None, "a next link under 10 matching rows")
    check("No entries" not in r.body, "'No entries' above 10 rows")
    # a page and one more: 50, then the oldest one on the next page
    r, rows, nxt = page(q(target=prefix, action="cli.unit"))
    eq(len(rows), 50, "rows on the first page of 51")
    check(nxt is not None, "no next link with 51 matching rows")
    r2, rows2, nxt2 = page(nxt)
    eq(len(rows2), 1, "rows on the second page of 51 (%s)" % nxt)
    eq(sorted(rows + rows2), names, "the two pages together")
    eq(nxt2, None, "a next link on the last page")
    for k, v in (("target", prefix), ("action", "cli.unit")):
        n = r2.page.by_id(k)
        check(n is not None and n.attrs.get("value") == v,
              "the second page does not keep %s=%r" % (k, v))
    # exactly a page: the 50 older than the newest, no next link
    r, rows, nxt = page(q(target=prefix, before=str(ids[0])))
    eq(sorted(rows), sorted(set(names) - {sql(
        "SELECT target_name FROM audit_log WHERE id = %d" % ids[0])[0][0]}),
       "rows before the newest of the 51")
    eq(nxt, None, "a next link under exactly 50 matching rows")
    # a filter no row matches
    r, rows, nxt = page(q(target=prefix + " 9"))
    eq((rows, nxt), ([], None), "target=%r" % (prefix + " 9"))
    check("No entries" in r.body, "no 'No entries' for an empty result")
