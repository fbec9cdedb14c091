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
            if k not in ("result", "client"):
                n = r.page.by_id(k)
                check(n is not None and n.attrs.get("value") == v,
                      "%s: the %s filter does not keep %r" % (path, k, v))
        return r, audit_table(r)

    r, rows = q(action="user.password.reset", result="failure", actor=m.upn,
                **{"from": today, "to": today})
    eq([(x["actor"], x["action"], x["target"], x["result"], x["reason"],
         x["client"], x["ip"]) for x in rows],
       [(m.upn, "user.password.reset", far.name, "failure", "out_of_scope",
         "My Staff", "127.0.0.1")], "failure rows of %s" % m.upn)
    sel = [o for o in r.page.all("option") if "selected" in o.attrs]
    eq([o.attrs.get("value") for o in sel], ["failure"], "selected result")
    _, rows = q(action="user.password.reset", result="success", actor=m.upn)
    eq([(x["target"], x["result"]) for x in rows], [(t.name, "success")],
       "success rows of %s" % m.upn)
    check("Initiated by: My Staff" in rows[0]["details"] and "{" not in
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
    for bad in ("result=maybe", "before=abc"):
        r = bg.get("/admin/audit?" + bad)
        eq(r.status, 400, "GET /admin/audit?%s" % bad)
    # a date typed wrong: the form again, as typed, with what to change
    for bad in ("2026-13-01", "26-01-01", "today", "1/12/2026"):
        r = bg.get("/admin/audit?actor=x&from=" + urllib.parse.quote(bad))
        eq(r.status, 422, "GET /admin/audit?from=%s" % bad)
        check("2026-12-01" in (r.id_text("error") or ""), "the sentence "
              "for from=%s: %r" % (bad, r.id_text("error")))
        eq((r.page.by_id("from").attrs.get("value"),
            r.page.by_id("actor").attrs.get("value")), (bad, "x"),
           "the form keeps what was typed")
        check(r.page.by_id("audit") is None and r.page.by_id("csv") is None,
              "a table or export link under a wrong date")
    # older rows: a full page links to them, a short one does not
    r = bg.expect("GET", "/admin/audit", 200)
    nxt = pager(r, "next")
    rows1 = audit_table(r)
    total = int(sql("SELECT COUNT(*) FROM audit_log")[0][0])
    eq((len(rows1), nxt is not None), (min(total, 100), total > 100),
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
    """/admin/audit pages by 100 under a filter: 10 matching rows are one
    page without a next link; 101 are 100 rows and a next link that
    keeps the filter and shows exactly the 101st; exactly 100 are one
    full page without a next link."""
    import concurrent.futures
    prefix = "Pgx %s %s" % (TAG, secrets.token_hex(2))
    names = ["%s %03d" % (prefix, i) for i in range(101)]
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda n: cli_ok("unit", "add", "--name", n), names))
    ids = [int(x[0]) for x in sql(
        "SELECT id FROM audit_log WHERE action = 'unit.create' AND "
        "target_name LIKE %s ORDER BY id DESC" % sqlq(prefix + " %"))]
    eq(len(ids), 101, "unit.create audit rows of the 101 locations")
    g = add_manager("global-administrator")
    bg = signed_in(g)

    def page(path):
        r = bg.expect("GET", path, 200)
        return r, [x["target"] for x in audit_table(r)], pager(r, "next")

    def q(**kw):
        return "/admin/audit?" + urllib.parse.urlencode(kw)

    # fewer than a page: all of them, no next link
    r, rows, nxt = page(q(target=prefix + " 00"))
    eq(sorted(rows), names[:10], "rows of target=%r" % (prefix + " 00"))
    eq(nxt, None, "a next link under 10 matching rows")
    check("No entries" not in r.body, "'No entries' above 10 rows")
    # a page and one more: 100, then the oldest one on the next page
    r, rows, nxt = page(q(target=prefix, action="unit"))
    eq(len(rows), 100, "rows on the first page of 101")
    check(nxt is not None, "no next link with 101 matching rows")
    r2, rows2, nxt2 = page(nxt)
    eq(len(rows2), 1, "rows on the second page of 101 (%s)" % nxt)
    eq(sorted(rows + rows2), names, "the two pages together")
    eq(nxt2, None, "a next link on the last page")
    for k, v in (("target", prefix), ("action", "unit")):
        n = r2.page.by_id(k)
        check(n is not None and n.attrs.get("value") == v,
              "the second page does not keep %s=%r" % (k, v))
    # exactly a page: the 100 older than the newest, no next link
    r, rows, nxt = page(q(target=prefix, before=str(ids[0])))
    eq(sorted(rows), sorted(set(names) - {sql(
        "SELECT target_name FROM audit_log WHERE id = %d" % ids[0])[0][0]}),
       "rows before the newest of the 101")
    eq(nxt, None, "a next link under exactly 100 matching rows")
    # a filter no row matches
    r, rows, nxt = page(q(target=prefix + " 9"))
    eq((rows, nxt), ([], None), "target=%r" % (prefix + " 9"))
    check("No entries" in r.body, "no 'No entries' for an empty result")


# -- the audit console of issue 10 -----------------------------------------

ENTRY_COLS = ("at", "actor_id", "actor_upn", "action", "target_id",
              "target_name", "result", "reason", "client", "ip",
              "user_agent", "details")
CSV_HEAD = ["id", "at", "actor_id", "actor_upn", "action", "target_id",
            "target_name", "result", "reason", "client", "ip", "user_agent",
            "details"]
READERS = ("global-administrator", "user-administrator", "reports-reader",
           "security-reader")


class Raw(str):
    """An SQL expression for add_entries, not a string literal."""


def add_entries(entries):
    """Inserts audit rows (dicts of ENTRY_COLS; at defaults to now, the
    rest to NULL, result to success, client to cli) in one statement."""
    vals = []
    for e in entries:
        e = dict({"result": "success", "client": "cli",
                  "at": Raw("UTC_TIMESTAMP(6)")}, **e)
        vals.append("(%s)" % ", ".join(
            "NULL" if e.get(c) is None else e[c] if isinstance(e[c], Raw)
            else sqlq(e[c]) for c in ENTRY_COLS))
    sql("INSERT INTO audit_log (%s) VALUES %s" % (", ".join(ENTRY_COLS),
                                                  ", ".join(vals)))


def ids_of(where):
    """audit_log ids matching an SQL condition, newest first."""
    return [int(x[0]) for x in sql("SELECT id FROM audit_log WHERE %s "
                                   "ORDER BY id DESC" % where)]


def q(path, **kw):
    return path + "?" + urllib.parse.urlencode(kw)


def entry_ids(r):
    """The ids of the rows of #audit, as their links to /admin/audit/N
    say."""
    out = []
    for href, _ in table_rows(r, "audit"):
        m = re.match(r"^/admin/audit/([0-9]+)$", href or "")
        check(m, "%s: a row links to %r, not /admin/audit/N" % (desc(r),
                                                                href))
        out.append(int(m.group(1)))
    return out


def reader(role="security-reader"):
    return signed_in(add_manager(role))


def refused(b, path, what):
    r = b.get(path)
    eq(r.status, 403, "%s: %s" % (what, desc(r)))
    check(r.page.by_id("audit") is None and r.page.by_id("entry") is None
          and "text/csv" not in (r.header("Content-Type") or ""),
          "%s: %s shows audit entries" % (what, path))
    check(r.id_text("error"), "%s: %s has no sentence" % (what, path))


@test
def audit_readers():
    """The audit log (list, entry, CSV) opens to the four roles that
    read it, at organisation scope; every other role, the same four held
    at one location, and a person without a role get a 403."""
    unit, _ = add_unit("Store AuditRd")
    n = audit_mark()
    paths = ("/admin/audit", "/admin/audit/%d" % n, "/admin/audit.csv")
    for role in READERS:
        b = reader(role)
        for p in paths:
            r = b.expect("GET", p, 200)
        r = b.expect("GET", "/admin", 200)
        check(any(a.attrs.get("href") == "/admin/audit"
                  for a in r.page.all("a")), "/admin of a %s has no link "
              "to the audit log" % role)
    others = ("privileged-authentication-administrator",
              "authentication-administrator", "helpdesk-administrator",
              "password-administrator",
              "authentication-policy-administrator",
              "conditional-access-administrator", "directory-reader",
              "privileged-role-administrator")
    for role in others:
        b = reader(role)
        for p in paths:
            refused(b, p, "a %s (organisation)" % role)
    # Only user-administrator may be given at one location now; the
    # others are written as older data may hold them, straight to the
    # table: one location's role must open nothing here either.
    uid = sql("SELECT id FROM units WHERE name = %s" % sqlq(unit))[0][0]
    for role in READERS:
        if role == "user-administrator":
            m = add_manager(role, unit)
        else:
            m = make_user(totp=True, prefix="mgr")
            sql("INSERT INTO role_assignments (user_id, role, unit_id) "
                "VALUES (%s, %s, %s)" % (sqlq(m.id), sqlq(role), sqlq(uid)))
        b = signed_in(m)
        for p in paths:
            refused(b, p, "a %s of one location" % role)
    u = make_user()
    pb = Browser()
    pb.login(u.upn, u.password, 303, "/")
    for p in paths:
        refused(pb, p, "a person without a role")
    r = Browser().get("/admin/audit.csv")
    eq((r.status, r.location), (303, "/login?next=%2Fadmin%2Faudit.csv"),
       "/admin/audit.csv signed out")


@test
def audit_filters():
    """Each filter alone and together: actor and target (prefixes, or
    the target's id), action (a prefix: user.phone finds every phone
    change), result, client (mystaff, account, admin, cli), from and to
    (days, both inclusive). A value the form does not offer, a date that
    is not one and page links both ways are a 400 with a sentence."""
    tag = "flt%s%s" % (RUN, secrets.token_hex(2))
    actor = tag + "@bb.example"
    tid = sql("SELECT UUID()")[0][0]
    spec = [  # action, result, client, target name, days ago
        ("user.phone.add", "success", "mystaff", "Ann " + tag, 0),
        ("user.phone.update", "success", "mystaff", "Ann " + tag, 0),
        ("user.phone.remove", "failure", "mystaff", "Bob " + tag, 0),
        ("user.phonebook", "success", "cli", "Bob " + tag, 0),
        ("user.password.reset", "failure", "mystaff", "Ann " + tag, 0),
        ("account.password.change", "success", "account", "Cy " + tag, 0),
        ("settings.update", "success", "admin", None, 0),
        ("unit.create", "success", "cli", "Store " + tag, 0),
        ("user.phone.add", "success", "cli", "Ann " + tag, 3),
        ("user.phone.add", "success", "cli", "Ann " + tag, 4),
        ("user.phone.add", "failure", "admin", "Ann " + tag, 5),
    ]
    add_entries([{"actor_upn": actor, "action": a, "result": res,
                  "client": cl, "target_name": tn,
                  "target_id": tid if tn and tn.startswith("Ann") else None,
                  "at": Raw("UTC_TIMESTAMP(6) - INTERVAL %d DAY" % d),
                  "reason": "no_role" if res == "failure" else None}
                 for a, res, cl, tn, d in spec])
    ids = ids_of("actor_upn = %s" % sqlq(actor))
    eq(len(ids), len(spec), "the rows added")
    by = dict(zip(reversed(ids), spec))     # id -> spec, oldest id first
    b = reader()

    def day(n):
        return time.strftime("%Y-%m-%d", time.gmtime(time.time() - n * 86400))

    def got(**kw):
        kw.setdefault("actor", tag)
        r = b.expect("GET", q("/admin/audit", **kw), 200)
        return entry_ids(r)

    def want(pred):
        return [i for i in ids if pred(*by[i])]

    cases = [
        ({}, lambda a, res, cl, tn, d: True),
        ({"action": "user.phone"}, lambda a, res, cl, tn, d:
         a.startswith("user.phone")),
        ({"action": "user.phone."}, lambda a, res, cl, tn, d:
         a.startswith("user.phone.")),
        ({"action": "user.phone.add"}, lambda a, res, cl, tn, d:
         a == "user.phone.add"),
        ({"action": "user"}, lambda a, res, cl, tn, d: a.startswith("user")),
        ({"result": "failure"}, lambda a, res, cl, tn, d: res == "failure"),
        ({"result": "success"}, lambda a, res, cl, tn, d: res == "success"),
        ({"client": "mystaff"}, lambda a, res, cl, tn, d: cl == "mystaff"),
        ({"client": "account"}, lambda a, res, cl, tn, d: cl == "account"),
        ({"client": "admin"}, lambda a, res, cl, tn, d: cl == "admin"),
        ({"client": "cli"}, lambda a, res, cl, tn, d: cl == "cli"),
        ({"target": "Bob"}, lambda a, res, cl, tn, d:
         (tn or "").startswith("Bob")),
        ({"target": tid}, lambda a, res, cl, tn, d:
         (tn or "").startswith("Ann")),
        ({"from": day(4), "to": day(3)}, lambda a, res, cl, tn, d:
         d in (3, 4)),
        ({"from": day(4)}, lambda a, res, cl, tn, d: d <= 4),
        ({"to": day(4)}, lambda a, res, cl, tn, d: d >= 4),
        ({"from": day(5), "to": day(5)}, lambda a, res, cl, tn, d: d == 5),
        ({"from": day(2), "to": day(1)}, lambda a, res, cl, tn, d: False),
        ({"action": "user.phone", "client": "cli", "result": "success",
          "from": day(3)}, lambda a, res, cl, tn, d:
         a.startswith("user.phone") and cl == "cli" and res == "success" and
         d <= 3),
    ]
    for kw, pred in cases:
        eq(got(**kw), want(pred), "actor=%s&%s" % (tag,
                                                     urllib.parse.urlencode(kw)))
    # the actor filter is a prefix of the username, and alone
    eq(got(actor=actor), ids, "actor=%s" % actor)
    eq(got(actor=tag + "x"), [], "actor=%sx" % tag)
    # the form keeps the client chosen
    r = b.expect("GET", q("/admin/audit", actor=tag, client="account"), 200)
    sel = [o.attrs.get("value") for o in r.page.all("option")
           if "selected" in o.attrs]
    eq(sel, ["account"], "the options selected for client=account")
    # days the wrong way round: 422 on the page, 400 for the export
    r = b.get(q("/admin/audit", **{"from": day(1), "to": day(2)}))
    eq(r.status, 422, "from after to")
    check("comes after" in (r.id_text("error") or ""), "from after to: %r"
          % r.id_text("error"))
    # malformed filters: 400 and a sentence, never the table (the
    # export's dates too: the page's form never links there with them)
    for k, v, why in (("from", "2026-02-30", "no day 2026-02-30 in the "
                       "calendar"),
                      ("to", "2026-13-01", "no day 2026-13-01"),
                      ("from", "2026-1-01", "year-month-day"),
                      ("from", "yesterday", "year-month-day"),
                      ("to", "1.1.2026", "year-month-day"),
                      ("client", "phone", "does not offer"),
                      ("client", "CLI", "does not offer"),
                      ("result", "maybe", "does not offer"),
                      ("action", "a" * 65, "longer than"),
                      ("before", "abc", "expected format"),
                      ("after", "0", "whole number"),
                      ("before", "-5", "expected format"),
                      ("after", "9" * 20, "longer than")):
        for path in ("/admin/audit", "/admin/audit.csv"):
            if k in ("before", "after") and path.endswith(".csv"):
                continue        # the export has no pages
            r = b.get(q(path, **{k: v}))
            eq(r.status, 422 if k in ("from", "to") and path ==
               "/admin/audit" else 400, "GET %s?%s=%s" % (path, k, v))
            check(why in (r.id_text("error") or ""), "GET %s?%s=%s: the "
                  "sentence %r lacks %r" % (path, k, v, r.id_text("error"),
                                            why))
            check(r.page.by_id("audit") is None, "GET %s?%s=%s shows the "
                  "table" % (path, k, v))
    # an action is ASCII, as logged: other text is told, not a 503
    for v in ("é", "user.\u202e", "\U0001f600", "\ufeffuser"):
        for path, status in (("/admin/audit", 422), ("/admin/audit.csv", 400)):
            r = b.get(q(path, action=v))
            check(r.status == status and "plain letters" in
                  (r.id_text("error") or ""), "GET %s?action=%r: %s, %r"
                  % (path, v, desc(r), r.id_text("error")))
    # the form comes back as sent with either error, every filter kept
    # (the choices were read before the check that refused them)
    for bad in ({"action": "é"}, {"from": "yesterday"}):
        for client, result in (("cli", ""), ("", "failure"), ("", "")):
            args = dict(bad, client=client, result=result)
            r = b.get(q("/admin/audit", **args))
            eq(r.status, 422, "GET /admin/audit %r" % args)
            sel = [o.attrs.get("value") for o in r.page.all("option")
                   if "selected" in o.attrs]
            eq(sel, [v for v in (result, client) if v],
               "the options selected for %r" % args)
    r = b.get(q("/admin/audit", before="5", after="3"))
    eq(r.status, 400, "before= and after= together")
    check("both ways" in (r.id_text("error") or ""), "before= and after=: "
          "%r" % r.id_text("error"))


def walk_pages(b, path, rel, inserted=None, max_pages=20):
    """Follows rel links from path; returns the pages' id lists (each as
    shown) and their paths. inserted() runs between page loads."""
    pages, paths = [], []
    while path is not None:
        r = b.expect("GET", path, 200)
        pages.append(entry_ids(r))
        paths.append(path)
        check(len(pages) <= max_pages, "more than %d pages" % max_pages)
        path = pager(r, rel)
        if path is not None and inserted is not None:
            inserted()
    return pages, paths


@test
def audit_paging_both_ways():
    """260 matching entries page by 100 forwards (Older) and backwards
    (Newer) with no entry twice and none left out, also while entries
    keep arriving between page loads: what arrives shows above the first
    page, never shifting the pages below it."""
    tag = "pg%s%s" % (RUN, secrets.token_hex(2))
    seq = itertools.count()

    def add(n):
        add_entries([{"actor_upn": tag + "@bb.example",
                      "action": "bb.page.%d" % next(seq)}
                     for _ in range(n)])

    add(260)
    b = reader("reports-reader")
    first = q("/admin/audit", actor=tag)
    base = ids_of("actor_upn LIKE %s" % sqlq(tag + "%"))
    eq(len(base), 260, "entries added")
    # forwards, 5 more arriving before each next page
    fwd, paths = walk_pages(b, first, "next", inserted=lambda: add(5))
    eq([len(p) for p in fwd], [100, 100, 60], "rows on the pages forwards")
    flat = [i for p in fwd for i in p]
    eq(flat, base, "the pages forwards, in order, are the 260 entries "
       "there at the first page, newest first")
    # backwards from the last page, more arriving between page loads
    back, _ = walk_pages(b, paths[-1], "prev", inserted=lambda: add(3))
    now = ids_of("actor_upn LIKE %s" % sqlq(tag + "%"))
    flat = [i for p in reversed(back) for i in p]
    eq(len(flat), len(set(flat)), "entries shown twice going backwards")
    eq(flat, now, "the pages backwards, put together newest first, are "
       "every entry there now, none missing")
    eq(back[0], fwd[2], "the last page, backwards")
    eq(back[1], fwd[1], "the second page, reached backwards: the same as "
       "forwards")
    eq(back[2], fwd[0], "the first page, reached backwards: the same as "
       "forwards")
    for p in back[3:]:
        check(p and min(p) > max(base), "a page above the first holds "
              "entries older than the newest at the start: %r" % p)
    for p in back + fwd:
        eq(p, sorted(p, reverse=True), "a page is newest first")
    # the newest page again: what arrived is on top
    r = b.expect("GET", first, 200)
    eq(entry_ids(r), now[:100], "the first page after the arrivals")
    eq(pager(r, "prev"), None, "a Newer link on the first page")
    r = b.expect("GET", pager(r, "next"), 200)
    n = r.page.by_id("actor")
    eq(n is not None and n.attrs.get("value"), tag, "the second page keeps "
       "the actor filter")
    check(pager(r, "first") is not None, "no Newest link on the second page")


@test
def audit_entry_page():
    """/admin/audit/N shows every field of the entry (address, browser
    and details included) exactly, and the list links each row to it;
    an unknown or malformed number is a 404."""
    tag = "ent%s%s" % (RUN, secrets.token_hex(2))
    tid = sql("SELECT UUID()")[0][0]
    aid = sql("SELECT UUID()")[0][0]
    e = {"actor_id": aid, "actor_upn": tag + "@bb.example",
         "action": "user.phone.update", "target_id": tid,
         "target_name": "Dana <b>%s</b> & co" % tag, "result": "failure",
         "reason": "out_of_scope", "client": "mystaff",
         "ip": "2001:db8::17", "user_agent": "Mozilla/5.0 (X11) <i>ua</i>",
         "details": '{"old": "+1 ••• ••• 0100",'
                    ' "new": null, "note": "<script>x</script>"}'}
    add_entries([e])
    [n] = ids_of("actor_upn = %s" % sqlq(e["actor_upn"]))
    at = sql("SELECT DATE_FORMAT(at, '%%Y-%%m-%%d %%H:%%i:%%s'), details "
             "FROM audit_log WHERE id = %d" % n)[0]
    u = add_manager("user-administrator")
    b = signed_in(u)
    r = b.expect("GET", q("/admin/audit", actor=tag), 200)
    eq(entry_ids(r), [n], "the list's link to the entry")
    r = b.expect("GET", "/admin/audit/%d" % n, 200)
    # the details as lines for people, the markup in them as text
    want = dict(e, id=str(n), at=at[0], client="My Staff",
                details="Before: +1 ••• ••• 0100 After: none Note: "
                "<script>x</script>")
    for k, v in want.items():
        eq(r.id_text("entry-" + k), norm(v), "/admin/audit/%d: #entry-%s"
           % (n, k))
    check("<script>x" not in r.body and "<b>" + tag not in r.body,
          "/admin/audit/%d serves markup unescaped" % n)
    links = [a.attrs.get("href") for a in r.page.all("a")]
    check(q("/admin/audit", target=tid) in links, "no link to the entries "
          "about the person: %r" % links)
    # a real one: the reader's own sign-in, with the browser's address
    # and user agent
    n2 = ids_of("actor_upn = %s AND action = 'signin.mfa'" % sqlq(u.upn))[0]
    r = b.expect("GET", "/admin/audit/%d" % n2, 200)
    eq((r.id_text("entry-ip"), r.id_text("entry-user_agent"),
        r.id_text("entry-action")), ("127.0.0.1", b.ua, "signin.mfa"),
       "/admin/audit/%d: a sign-in's address, browser, action" % n2)
    top = audit_mark()
    for bad in ("%d" % (top + 1000), "0", "00%d" % n, "%dx" % n, "-1",
                "1" * 19, "9" * 30, "1e3", " %d" % n, "%d/" % n):
        r = b.get("/admin/audit/" + urllib.parse.quote(bad))
        eq(r.status, 404, "GET /admin/audit/%s" % bad)
        check(r.page.by_id("entry") is None, "/admin/audit/%s shows an "
              "entry" % bad)
    r = b.get("/admin/audit/%d" % (top + 1000))
    check("no audit entry" in (r.id_text("error") or ""), "the 404's "
          "sentence: %r" % r.id_text("error"))


def details_lines(cell):
    """The (label, value) lines of a details cell's <dl>, the colon cut
    from the label; None when it has no <dl>."""
    dls = [n for n in cell.iter() if n.tag == "dl"]
    if not dls:
        return None
    out, label = [], None
    for n in dls[0].children:
        if isinstance(n, Node) and n.tag == "dt":
            label = norm(n.text())
            check(label.endswith(":"), "a label without its colon: %r"
                  % label)
            label = label[:-1]
        elif isinstance(n, Node) and n.tag == "dd":
            out.append((label, norm(n.text())))
    return out


def time_cells(r, ident):
    """The <td>s of table #ident's first column (the time), and the text
    of that column's header."""
    t = r.page.by_id(ident)
    check(t is not None, "%s: no #%s" % (desc(r), ident))
    head = [n for n in t.iter() if n.tag == "th"]
    cells = []
    for tr in t.iter():
        tds = [c for c in tr.children if isinstance(c, Node) and
               c.tag == "td"]
        if tr.tag == "tr" and tds:
            cells.append(tds)
    return cells, norm(head[0].text()) if head else ""


def when_ok(r, td, want):
    """A time cell: want ("2026-12-01 22:10:05", UTC) as text, no
    microseconds, and a <time> with its ISO 8601 form."""
    eq(norm(td.text()), want, "%s: a time" % desc(r))
    tm = [n for n in td.iter() if n.tag == "time"]
    eq(tm and tm[0].attrs.get("datetime"), want.replace(" ", "T") + "Z",
       "%s: the <time> of %s" % (desc(r), want))


@test
def audit_readable():
    """The audit log, an entry and a location's recent activity show
    times to the second, in UTC and saying so, and details as lines for
    people (Label: value; a setting changed as "old → new"), not JSON;
    details that are not an object of JSON show as they are, escaped."""
    unit, uid, m, bm = manager_unit("Store Readable")
    t = member(unit, name="Rhea Readable %s" % TAG)
    tag = "rd%s%s" % (RUN, secrets.token_hex(2))
    at = Raw("UTC_TIMESTAMP() + INTERVAL 123456 MICROSECOND")
    base = {"actor_upn": tag + "@bb.example", "target_id": t.id,
            "target_name": t.name, "client": "mystaff", "at": at}
    settings = '{"changes":[{"name":"mystaff.access","old":"all",' \
        '"new":"selected"},{"name":"ca.trusted_networks","old":"",' \
        '"new":"10.0.0.0/8"}]}'
    phone = '{"initiatedBy":"My Staff","type":"mobile",' \
        '"old":"+1 \u2022\u2022\u2022 \u2022\u2022\u2022 0100","new":null,' \
        '"noticeRetryAfter":60}'
    want = {
        "bb.settings": [("mystaff.access", "all → selected"),
                        ("ca.trusted_networks", "(empty) → 10.0.0.0/8")],
        "bb.phone": [("Initiated by", "My Staff"), ("Type", "mobile"),
                     ("Before", "+1 ••• ••• 0100"), ("After", "none"),
                     ("Notice retry after (seconds)", "60")],
        "bb.raw": '["not an object", "<b>bold</b>"]',  # no object
        "bb.none": None,
    }
    add_entries([dict(base, action="bb.settings", details=settings),
                 dict(base, action="bb.phone", details=phone),
                 dict(base, action="bb.raw", details=want["bb.raw"]),
                 dict(base, action="bb.none", details=None)])
    secs = {a: s for a, s, f in sql(
        "SELECT action, DATE_FORMAT(at, '%%Y-%%m-%%d %%H:%%i:%%s'), "
        "DATE_FORMAT(at, '%%f') FROM audit_log WHERE actor_upn = %s"
        % sqlq(base["actor_upn"])) if f != "000000"}
    eq(sorted(secs), sorted(want), "entries with microseconds")

    def details_ok(r, action, cell):
        w = want[action]
        if isinstance(w, list):
            eq(details_lines(cell), w, "%s: the details of %s" % (desc(r),
                                                                  action))
        elif w is None:
            eq(norm(cell.text()), "", "%s: no details" % desc(r))
        else:
            eq((details_lines(cell), norm(cell.text())), (None, norm(w)),
               "%s: details that are not an object" % desc(r))

    def page_ok(r, ident, action_col, details_col):
        rows, head = time_cells(r, ident)
        check("UTC" in head, "%s: the time column %r does not say UTC"
              % (desc(r), head))
        mine = [c for c in rows if norm(c[action_col].text()) in want]
        eq(sorted(norm(c[action_col].text()) for c in mine), sorted(want),
           "%s: the rows" % desc(r))
        for c in mine:
            action = norm(c[action_col].text())
            when_ok(r, c[0], secs[action])
            details_ok(r, action, c[details_col])
        table = r.page.by_id(ident)
        check('{"' not in table.text() and "123456" not in table.text(),
              "%s: JSON or microseconds in the table" % desc(r))
        check("<b>bold" not in r.body, "%s: details unescaped" % desc(r))

    g = reader("reports-reader")
    r = g.expect("GET", q("/admin/audit", actor=tag), 200)
    page_ok(r, "audit", 2, 8)
    for n in entry_ids(r):
        r = g.expect("GET", "/admin/audit/%d" % n, 200)
        action = r.id_text("entry-action")
        check("UTC" in norm(r.page.by_id("entry-at").parent.text()),
              "/admin/audit/%d: the time's row does not say UTC" % n)
        when_ok(r, r.page.by_id("entry-at"), secs[action])
        details_ok(r, action, r.page.by_id("entry-details"))
    r = bm.expect("GET", "/units/%s/activity" % uid, 200)
    page_ok(r, "activity", 2, 6)


def csv_get(b, path, **kw):
    """GET path with b's cookie; returns the response (checked), its
    body without the UTF-8 byte order mark the file must start with."""
    r = b.expect("GET", q(path, **kw) if kw else path, 200)
    check(r.raw.startswith(b"\xef\xbb\xbf"), "the CSV does not start "
          "with a UTF-8 byte order mark: %r" % r.raw[:20])
    r.body = r.body[1:] if r.body.startswith("\ufeff") else r.body
    return r


@test
def audit_csv():
    """/admin/audit.csv: RFC 4180 with a header record, the same entries
    as the filters show on the pages, newest first; a cell a spreadsheet
    would run gets a ' first (a display name =HYPERLINK("x") comes out
    as "'=HYPERLINK(""x"")"); text/csv in UTF-8, named
    staffdesk-audit-YYYYMMDD.csv (today, UTC)."""
    import csv
    import io
    unit, _ = add_unit("Store AuditCsv")
    m = add_manager("helpdesk-administrator", unit)
    bm = signed_in(m)
    t = member(unit, name='=HYPERLINK("x")')
    temp_of(reset(bm, t.id))
    tag = "csv%s%s" % (RUN, secrets.token_hex(2))
    odd = [
        {"target_name": "+1 (425) 555-0100, \"home\"",
         "details": '{"a": "x,y",\r\n "b": "say \\"hi\\""}'},
        {"target_name": "-minus", "user_agent": "@at\tsign"},
        {"target_name": "\tTabbed", "reason": "r"},
        {"target_name": "plain", "details": None, "ip": "192.0.2.9"},
    ]
    add_entries([dict(e, actor_upn=tag + "@bb.example", action="bb.csv")
                 for e in odd])
    b = reader("global-administrator")
    days = {time.strftime("%Y%m%d", time.gmtime())}
    r = csv_get(b, "/admin/audit.csv", target=t.id)
    days.add(time.strftime("%Y%m%d", time.gmtime()))
    eq(r.header("Content-Type"), "text/csv; charset=utf-8", "Content-Type")
    disp = r.header("Content-Disposition") or ""
    check(disp in ['attachment; filename="staffdesk-audit-%s.csv"' % d
                   for d in days], "Content-Disposition %r" % disp)
    check(r.raw.startswith(b"\xef\xbb\xbf" + ",".join(CSV_HEAD).encode() +
                           b"\r\n"),
          "the header record: %r" % r.raw[:120])
    check(b",\"'=HYPERLINK(\"\"x\"\")\"," in r.raw, "the name "
          "=HYPERLINK(\"x\") is not \"'=HYPERLINK(\"\"x\"\")\": %r"
          % r.raw[:600])
    recs = list(csv.reader(io.StringIO(r.body, newline="")))
    eq(recs[0], CSV_HEAD, "the header")
    rows = [dict(zip(CSV_HEAD, x)) for x in recs[1:]]
    check(all(len(x) == len(CSV_HEAD) for x in recs), "a record without "
          "13 fields")
    eq([int(x["id"]) for x in rows], ids_of("target_id = %s" % sqlq(t.id)),
       "the entries about %s, newest first" % t.upn)
    reset_rows = [x for x in rows if x["action"] == "user.password.reset"]
    eq([(x["target_name"], x["actor_upn"], x["client"], x["ip"],
         x["user_agent"]) for x in reset_rows],
       [("'=HYPERLINK(\"x\")", m.upn, "mystaff", "127.0.0.1", bm.ua)],
       "the reset's record")
    check('"initiatedBy"' in reset_rows[0]["details"], "the reset's details "
          "%r" % reset_rows[0]["details"])
    # odd text round-trips; formulas get their '
    r = csv_get(b, "/admin/audit.csv", actor=tag)
    check(b"\r\n\r\n" not in r.raw and r.raw.endswith(b"\r\n"),
          "records end with CRLF")
    rows = [dict(zip(CSV_HEAD, x)) for x in
            csv.reader(io.StringIO(r.body, newline=""))][1:]
    ids = ids_of("actor_upn = %s" % sqlq(tag + "@bb.example"))
    eq([int(x["id"]) for x in rows], ids, "actor=%s: ids" % tag)
    want = list(reversed(odd))

    def cell(v):
        v = v or ""
        return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v

    for x, e in zip(rows, want):
        for k in ("target_name", "details", "user_agent", "reason", "ip"):
            eq(x[k], cell(e.get(k)), "actor=%s: %s of entry %s" % (tag, k,
                                                                  x["id"]))
    check(b'"+1' not in r.raw and b"\"'+1 (425) 555-0100, \"\"home\"\"\""
          in r.raw, "a number with a comma and quotes: %r" % r.raw)
    # the same filters as the pages
    for kw in ({"actor": tag, "action": "bb.c"}, {"actor": tag,
                                                  "result": "failure"},
               {"actor": tag, "client": "cli", "to": "2020-01-01"}):
        page = b.expect("GET", q("/admin/audit", **kw), 200)
        r = csv_get(b, "/admin/audit.csv", **kw)
        got = [int(x[0]) for x in
               list(csv.reader(io.StringIO(r.body, newline="")))[1:]]
        eq(got, entry_ids(page), "the CSV and the page of %r" % kw)
        check(r.body.startswith(",".join(CSV_HEAD) + "\r\n"), "no header "
              "on an export of %r" % kw)
    # the page links to the export with its filters
    page = b.expect("GET", q("/admin/audit", actor=tag, result="success"),
                    200)
    a = page.page.by_id("csv")
    eq(a is not None and a.attrs.get("href"),
       q("/admin/audit.csv", actor=tag, result="success"),
       "the page's link to its CSV")
    # HEAD: the head alone
    r = b.request("HEAD", q("/admin/audit.csv", actor=tag))
    eq((r.status, r.raw, r.header("Content-Type")),
       (200, b"", "text/csv; charset=utf-8"), "HEAD /admin/audit.csv")


def worker_pids():
    with open(os.path.join(VAR, "run", "staffdesk.pid")) as f:
        master = f.read().strip()
    p = subprocess.run(["pgrep", "-P", master], capture_output=True,
                       text=True)
    pids = [int(x) for x in p.stdout.split()]
    check(pids, "no workers under the master %s" % master)
    return pids


def proc_status(pid, key):
    """A kB field of /proc/PID/status (VmRSS, VmHWM)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise Fail("no %s in /proc/%d/status" % (key, pid))


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])     # utime + stime


def sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


# The bound on a worker's peak memory growth while it streams the export.
# A batch is AUDIT_CSV_BATCH (1000) entries, some 0.5 MB with the
# fetch's cell copies and CSV lines; 100,000 entries held at once would
# be about 100 times that (over 50 MB). 20 MB leaves room for the
# allocator and the client library, and none for holding the export.
CSV_RSS_BOUND_KB = 20 * 1024
CSV_ROWS = 100000


@test
def audit_csv_memory():
    """A 100,000-entry export streams: every record arrives, exactly, and
    the worker's peak memory (VmHWM) grows by less than 20 MB."""
    import csv
    import io
    tag = "big%s%s" % (RUN, secrets.token_hex(2))
    actor = tag + "@bb.example"
    b = reader("security-reader")
    try:
        sql("INSERT INTO audit_log (at, actor_upn, action, target_name, "
            "result, client, ip, user_agent, details) SELECT "
            "UTC_TIMESTAMP(6), %s, 'bb.bulk', CONCAT('Person ', seq), "
            "'success', 'cli', '192.0.2.1', 'bulk/1.0', "
            "CONCAT('{\"n\":', seq, ',\"pad\":\"', REPEAT('x', 100), "
            "'\"}') FROM seq_1_to_%d" % (sqlq(actor), CSV_ROWS))
        pids = worker_pids()
        for pid in pids:
            # 5: reset the peak RSS to the current one (proc(5))
            try:
                with open("/proc/%d/clear_refs" % pid, "w") as f:
                    f.write("5")
            except OSError as e:
                raise Fail("cannot reset the peak RSS of worker %d: %s"
                           % (pid, e))
        rss = {pid: proc_status(pid, "VmRSS") for pid in pids}
        cpu = {pid: cpu_ticks(pid) for pid in pids}
        t0 = time.time()
        c = http.client.HTTPConnection(HOST, PORT, timeout=120)
        c.request("GET", q("/admin/audit.csv", actor=actor),
                  headers={"Cookie": "%s=%s" % (SESSION_COOKIE, b.token())})
        resp = c.getresponse()
        eq(resp.status, 200, "GET /admin/audit.csv of %d entries" % CSV_ROWS)
        n = 0
        first = last = None
        for rec in csv.reader(io.TextIOWrapper(resp, encoding="utf-8",
                                               newline="")):
            n += 1
            if n == 2:
                first = rec
            last = rec
        c.close()
        secs = time.time() - t0
        eq(n, CSV_ROWS + 1, "records in the export (with the header)")
        eq((first[6], last[6]), ("Person %d" % CSV_ROWS, "Person 1"),
           "the first and last records")
        hwm = {pid: proc_status(pid, "VmHWM") for pid in pids}
        grew = {pid: hwm[pid] - rss[pid] for pid in pids}
        served = max(pids, key=lambda p: cpu_ticks(p) - cpu[p])
        note = ("audit_csv_memory: %d entries in %.1f s; worker %d (the "
                "busiest): VmHWM %d kB, %d kB over its VmRSS before; the "
                "others grew %r kB" % (CSV_ROWS, secs, served, hwm[served],
                                       grew[served], [
                                           g for p, g in grew.items()
                                           if p != served]))
        with open(os.path.join(VAR, "log", "audit_csv_memory.txt"),
                  "a") as f:
            f.write(note + "\n")
        if sanitized(served):
            return      # ASan keeps freed memory in quarantine on purpose
        for pid, g in grew.items():
            check(g < CSV_RSS_BOUND_KB, "worker %d's peak memory grew %d kB "
                  "(bound %d kB) over the export: %s" % (pid, g,
                                                         CSV_RSS_BOUND_KB,
                                                         note))
    finally:
        sql("DELETE FROM audit_log WHERE actor_upn = %s" % sqlq(actor))


@test
def unit_activity():
    """A manager's location page links to its recent activity: the
    audit entries of the last 30 days about the people who are its
    members now, newest first, phone numbers masked. Another location's
    activity is a 403 for them (an org-scope role holder sees any); an
    unknown location is a 404."""
    unit, uid = add_unit("Store Activity")
    other, oid = add_unit("Store Elsewhere")
    m = add_manager("authentication-administrator", unit)
    bm = signed_in(m)
    mobile = fresh_mobile()
    t1 = member(unit, name="Act One %s" % TAG)
    t2 = member(unit, name="Act Two %s" % TAG)
    gone_ = member(unit, name="Act Gone %s" % TAG)
    far = member(other, name="Act Far %s" % TAG)
    # a phone added for t1 (masked in the entry), t2's password reset
    phone_page(bm, t1.id)
    bm.expect("POST", "/users/%s/phone" % t1.id, 303, fields={
        "type": "mobile", "number": mobile, "action": "save"})
    temp_of(reset(bm, t2.id))
    # an attempt on someone elsewhere, entries about the one who leaves
    bm.get("/users/%s" % far.id)
    eq(bm.post(reset_path(far.id), {"version": "0"}).status, 403,
       "reset outside the manager's location")
    add_entries([
        {"actor_upn": m.upn, "action": "bb.old", "target_id": t1.id,
         "target_name": t1.name,
         "at": Raw("UTC_TIMESTAMP(6) - INTERVAL 31 DAY")},
        {"actor_upn": m.upn, "action": "bb.recent", "target_id": t1.id,
         "target_name": t1.name,
         "at": Raw("UTC_TIMESTAMP(6) - INTERVAL 29 DAY")},
        {"actor_upn": m.upn, "action": "bb.left", "target_id": gone_.id,
         "target_name": gone_.name},
    ])
    cli_ok("unit", "remove-member", "--unit", unit, "--user", gone_.upn)
    # the link, on the manager's own location only
    r = bm.expect("GET", "/units/%s" % uid, 200)
    a = r.page.by_id("activity-link")
    eq(a is not None and a.attrs.get("href"), "/units/%s/activity" % uid,
       "the link on the manager's location")
    r = bm.expect("GET", "/units/%s" % oid, 200)
    eq(r.page.by_id("activity-link"), None, "an activity link on another "
       "location")
    r = bm.expect("GET", "/units/%s/activity" % uid, 200)
    rows = table_rows(r, "activity")
    members = {t1.name, t2.name}
    whom = [c[3] for _, c in rows]
    check(rows and set(whom) <= members, "rows about others than the "
          "members: %r" % whom)
    want = ids_of("target_id IN (%s, %s) AND at > UTC_TIMESTAMP(6) - "
                  "INTERVAL 30 DAY" % (sqlq(t1.id), sqlq(t2.id)))
    eq(len(rows), min(len(want), 50), "rows on the page (of %d)" % len(want))
    got = [(c[2], c[3]) for _, c in rows]
    eq(got, [(x[0], x[1]) for x in sql(
        "SELECT action, target_name FROM audit_log WHERE id IN (%s) ORDER "
        "BY id DESC" % ",".join(map(str, want)))][:50],
       "the rows, newest first")
    acts = [c[2] for _, c in rows]
    check("user.phone.add" in acts and "user.password.reset" in acts and
          "bb.recent" in acts, "the phone added, the reset and the entry "
          "of 29 days ago: %r" % acts)
    check("bb.old" not in acts and "bb.left" not in acts, "an entry of 31 "
          "days ago, or about someone who left: %r" % acts)
    ph = [c for _, c in rows if c[2] == "user.phone.add"][0]
    check(masked(mobile) in ph[6] and mobile not in r.body and
          mobile[-7:] not in r.body, "the phone entry's details %r "
          "(want %s masked)" % (ph[6], mobile))
    links = [a.attrs.get("href") for a in r.page.all("a")]
    check("/users/%s" % t1.id in links, "the whom cell links to the person")
    # another location: 403 with a sentence; unknown: 404
    r = bm.get("/units/%s/activity" % oid)
    eq(r.status, 403, "another location's activity")
    check("only of the locations where you hold a role" in
          (r.id_text("error") or ""), "the 403's sentence %r"
          % r.id_text("error"))
    check(r.page.by_id("activity") is None, "the 403 shows rows")
    r = bm.get("/units/%s/activity" % sql("SELECT UUID()")[0][0])
    eq(r.status, 404, "an unknown location's activity")
    eq(bm.get("/units/not-a-uuid/activity").status, 404, "a malformed id")
    # a manager of the other location sees it, not this one
    m2 = add_manager("password-administrator", other)
    b2 = signed_in(m2)
    r = b2.expect("GET", "/units/%s/activity" % oid, 200)
    whom = [c[3] for _, c in table_rows(r, "activity")]
    check(far.name in whom and set(whom) == {far.name}, "the other "
          "location's activity: %r" % whom)
    eq(b2.get("/units/%s/activity" % uid).status, 403, "the first location "
       "for the other's manager")
    # an org-scope role holder sees both, with the link
    bo = signed_in(add_manager("helpdesk-administrator"))
    for u in (uid, oid):
        r = bo.expect("GET", "/units/%s" % u, 200)
        check(r.page.by_id("activity-link") is not None, "no activity link "
              "for an org-scope holder")
        bo.expect("GET", "/units/%s/activity" % u, 200)
    # a person without a role: My Staff's 403
    u = make_user()
    pb = Browser()
    pb.login(u.upn, u.password, 303, "/")
    forbidden(pb, "/units/%s/activity" % uid)


@test
def unit_activity_paging():
    """Recent activity pages by 50 both ways with no row twice or
    missing, while entries arrive."""
    unit, uid = add_unit("Store ActPage")
    m = add_manager("helpdesk-administrator", unit)
    t = member(unit, name="Act Paged %s" % TAG)
    add_entries([{"action": "bb.act.%d" % i, "target_id": t.id,
                  "target_name": t.name} for i in range(120)])
    b = signed_in(m)

    def ids_on(r):
        return [int(re.match(r"bb\.act\.([0-9]+)$", c[2]).group(1))
                for _, c in table_rows(r, "activity") if
                c[2].startswith("bb.act.")]

    pages, path = [], "/units/%s/activity" % uid
    while path:
        r = b.expect("GET", path, 200)
        pages.append(ids_on(r))
        path = pager(r, "next")
        if path:
            add_entries([{"action": "bb.new", "target_id": t.id,
                          "target_name": t.name}])
    eq([len(p) for p in pages], [50, 50, 20], "rows on the pages")
    eq([i for p in pages for i in p], list(range(119, -1, -1)),
       "the pages forwards")
    back = []
    path = pager(r, "prev")
    while path:
        r = b.expect("GET", path, 200)
        back.append([c[2] for _, c in table_rows(r, "activity")])
        path = pager(r, "prev")
    flat = [a for p in reversed(back) for a in p]
    eq(flat.count("bb.new"), 2, "the entries that arrived, going back")
    eq([a for a in flat if a != "bb.new"], ["bb.act.%d" % i for i in
                                            range(119, 19, -1)],
       "the pages backwards")


@test
def audit_csv_cut():
    """An export the database fails in the middle of is broken off, never
    ended as if it were whole: the client sees the transfer fail (the
    database is paused with SIGSTOP while the worker streams)."""
    import signal
    tag = "cut%s%s" % (RUN, secrets.token_hex(2))
    actor = tag + "@bb.example"
    b = reader("security-reader")
    with open(os.path.join(VAR, "run", "mysqld.pid")) as f:
        dbpid = int(f.read().strip())
    log = os.path.join(VAR, "log", "staffdesk.log")
    logged = os.path.getsize(log)
    stopped = False
    try:
        sql("INSERT INTO audit_log (at, actor_upn, action, result, client, "
            "details) SELECT UTC_TIMESTAMP(6), %s, 'bb.cut', 'success', "
            "'cli', CONCAT('{\"pad\":\"', REPEAT('x', 200), '\"}') FROM "
            "seq_1_to_300000" % sqlq(actor))
        c = http.client.HTTPConnection(HOST, PORT, timeout=90)
        c.request("GET", q("/admin/audit.csv", actor=actor),
                  headers={"Cookie": "%s=%s" % (SESSION_COOKIE, b.token())})
        resp = c.getresponse()
        eq(resp.status, 200, "the export's status")
        got = resp.read(4096)
        os.kill(dbpid, signal.SIGSTOP)
        stopped = True
        broken = None
        try:
            while True:
                chunk = resp.read(65536)
                if not chunk:
                    break
                got += chunk
        except (http.client.IncompleteRead, ConnectionError) as e:
            broken = e
        c.close()
        lines = got.count(b"\r\n")
        check(lines < 300001, "the whole export arrived before the "
              "database was paused: make it longer")
        check(broken is not None, "an export cut after %d records ended as "
              "if it were whole" % (lines - 1))
        with open(log, encoding="utf-8", errors="replace") as f:
            f.seek(logged)
            check("transfer cut" in f.read(), "the worker did not log the "
                  "cut")
    finally:
        if stopped:
            os.kill(dbpid, signal.SIGCONT)
        sql("DELETE FROM audit_log WHERE actor_upn = %s" % sqlq(actor))


DENY_AUDIT_MAX = 10     # cgi/pages/pages.h: rows a session in 10 minutes


def denial(mark, what, actor, reason, method, path, target=None):
    """The one access.denied row after mark of actor, checked."""
    row = one_audit(mark, what, action="access.denied", actor_id=actor.id)
    eq((row["result"], row["reason"], row["target_id"]),
       ("failure", reason, target), "%s: result, reason, target" % what)
    eq(details(row), {"method": method, "path": path}, "%s: details" % what)
    return row


@test
def denials_audited():
    """A refused page (a staff member opening /search, a manager opening
    another location's reset form or activity, My Staff turned off) and
    a form refused for its token each leave an access.denied row naming
    the person, the reason and the address; without a session nothing
    is written."""
    ua, uid_a = add_unit("Store DenyA")
    ub, uid_b = add_unit("Store DenyB")
    m = add_manager("helpdesk-administrator", ua)
    far = member(ub, name="Farley Denied%s" % TAG)
    b = signed_in(m)

    staff = member(ua)
    sb = Browser()
    sb.login(staff.upn, staff.password, 303, "/")
    mark = audit_mark()
    forbidden(sb, "/search")
    row = denial(mark, "a staff member's GET /search", staff, "no_role",
                 "GET", "/search")
    eq((row["client"], row["actor_upn"]), ("mystaff", staff.upn),
       "the refusal's client and actor")

    mark = audit_mark()
    eq(b.get(reset_path(far.id)).status, 403, "GET of another location's "
       "reset form")
    denial(mark, "the out-of-scope reset form", m, "out_of_scope", "GET",
           reset_path(far.id), target=far.id)

    mark = audit_mark()
    path = "/units/%s/activity" % uid_b
    eq(b.get(path).status, 403, "GET of another location's activity")
    denial(mark, "another location's activity", m, "out_of_scope", "GET",
           path, target=uid_b)

    mark = audit_mark()
    b.get("/account")
    eq(b.post("/account/sessions/revoke", {}, csrf="x" * 43).status, 403,
       "POST with a wrong token")
    row = denial(mark, "a form with a wrong token", m, "csrf", "POST",
                 "/account/sessions/revoke")
    eq(row["client"], "account", "the token refusal's client")

    before = cli_ok("settings", "get", "mystaff.access").strip()
    cli_ok("settings", "set", "mystaff.access", "none")
    try:
        mark = audit_mark()
        forbidden(b, "/units")
        denial(mark, "My Staff turned off", m, "mystaff_off", "GET",
               "/units")
    finally:
        cli_ok("settings", "set", "mystaff.access", before or "all")

    mark = audit_mark()
    anon = Browser()
    anon.get("/login")
    eq(anon.post("/login", {"username": m.upn, "password": "x"},
                 csrf="y" * 43).status, 403, "a sign-in with a wrong token")
    eq(anon.get("/search").status, 303, "GET /search signed out")
    eq(audit_rows(mark, action="access.denied"), [], "rows of refusals "
       "without a session")


@test
def denials_rate_limited():
    """A refresh loop on a refused page writes DENY_AUDIT_MAX rows a
    session, not one a refresh, and still answers each with the 403; a
    new session has rows of its own again."""
    staff = member(test_unit())
    mark = audit_mark()
    sb = Browser()
    sb.login(staff.upn, staff.password, 303, "/")
    for i in range(DENY_AUDIT_MAX + 5):
        forbidden(sb, "/search")
    eq(len(audit_rows(mark, action="access.denied", actor_id=staff.id)),
       DENY_AUDIT_MAX, "rows of %d refusals in one session"
       % (DENY_AUDIT_MAX + 5))
    other = Browser()
    other.login(staff.upn, staff.password, 303, "/")
    forbidden(other, "/users")
    eq(len(audit_rows(mark, action="access.denied", actor_id=staff.id)),
       DENY_AUDIT_MAX + 1, "rows after a refusal in a second session")
