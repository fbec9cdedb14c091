"""Hostile text (names, job titles, locations, descriptions) is escaped on every page that shows it."""


from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403

# One payload per field, so a failure names the field that leaked. Each
# is checked two ways on every page that shows it: the page's text (the
# parsed HTML) holds the hostile string exactly as stored, and the body
# holds none of the raw markup (RAW) a missing escape would let through.
P_NAME = "<img src=x onerror=alert(1)>"
P_JOB = '<script>alert("job")</script>'
P_UNIT = '"><svg onload=alert(2)>'
P_DESC = "</td><b>desc</b> &lt;i&gt; 'q' & \"z\""
P_UNIT2 = '<a href="javascript:alert(3)">two</a>'
P_DESC2 = "<!-- hidden --> <u>d2</u>"
P_MGR = "<body onload=alert('mgr')>"
P_DEPT = "<iframe src=x></iframe>"
P_UPN = "<marquee>%s</marquee>@bb.example"
P_EMAIL = '"<blink>%s</blink>"@bb.example'
P_UA = "blackbox <video src=x onerror=alert('ua')>"
P_ECHO = '"><script>alert(7)</script>'

RAW = {"<img src=x onerror": "the display name", "<script": "a <script>",
       "<svg onload": "the location name", "<b>desc</b>": "the description",
       '<a href="javascript': "the second location's name",
       "<!-- hidden": "the second location's description",
       "<body onload": "the signed-in manager's name",
       "<iframe": "the department", "<marquee": "the username (UPN)",
       "<blink": "the email", "<video": "the browser (User-Agent)"}

_n = itertools.count(1)


class Scene:
    """Two hostile locations and a hostile person in both."""


def scene():
    s = Scene()
    s.word = "Xss%s%d%s" % (RUN, next(_n), secrets.token_hex(2))
    s.unit = "%s Store %s" % (P_UNIT, s.word)
    s.desc = P_DESC
    s.unit2 = "%s Depot %s" % (P_UNIT2, s.word)
    s.desc2 = P_DESC2
    s.unit_id = new_unit(s.unit, s.desc)
    s.unit2_id = new_unit(s.unit2, s.desc2)
    s.name = "%s Hostile %s" % (P_NAME, s.word)
    s.job = P_JOB
    s.dept = P_DEPT
    s.upn = P_UPN % s.word
    s.email = P_EMAIL % s.word
    s.password = good_password()
    args = ["user", "add", "--upn", s.upn, "--name", s.name, "--job-title",
            s.job, "--department", s.dept, "--email", s.email,
            "--password-stdin"]
    cli_ok(*args, stdin=s.password + "\n")
    for u in (s.unit, s.unit2):
        cli_ok("unit", "add-member", "--unit", u, "--user", s.upn)
    s.id = user_id(s.upn)
    return s


def new_unit(name, description):
    cli_ok("unit", "add", "--name", name, "--description", description)
    rows = sql("SELECT id FROM units WHERE name = %s" % sqlq(name))
    check(len(rows) == 1, "no unit %r in the DB" % name)
    return rows[0][0]


def person(s, label, unit=None, source=None, mobile=None):
    """Another hostile person (name with s.word) in unit: (name, id)."""
    name = "%s %s %s" % (P_NAME, label, s.word)
    upn = uniq("x")
    args = ["user", "add", "--upn", upn, "--name", name, "--password-stdin"]
    if source:
        args += ["--source", source]
    if mobile:
        args += ["--mobile", mobile]
    cli_ok(*args, stdin=good_password() + "\n")
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return name, user_id(upn)


def hostile_manager(role, units=()):
    """A signed-in browser of a manager with a hostile display name,
    holding role at each of units (none: organisation scope)."""
    name = "%s Boss %s" % (P_MGR, secrets.token_hex(3))
    m = add_manager(role, units[0] if units else None, name=name)
    for u in units[1:]:
        cli_ok("role", "assign", "--user", m.upn, "--role", role, "--unit",
               u)
    b = signed_in(m)
    b.who = name
    return b


def no_raw(r):
    low = r.body.lower()
    for mark, what in RAW.items():
        at = low.find(mark.lower())
        check(at < 0, "%s: %s is served unescaped: ...%s..." % (
            desc(r), what, r.body[max(0, at - 40):at + 60]))


def fetch(b, path, want=(), status=200, fields=None):
    """GET path (POST fields when given) without the usual checks; then:
    the status, no raw markup, every string of want in the page's text
    exactly, the signed-in name in the header; then the usual checks
    (headers, tidy)."""
    if fields is None:
        r = b.get(path, checked=False)
    else:
        r = b.post(path, fields, checked=False)
    check(r.status == status, "%s, want %d" % (desc(r), status))
    no_raw(r)
    text = norm(r.page.root.text())
    for w in want:
        check(norm(w) in text, "%s: the page's text lacks %r (escaped "
              "wrongly, or not shown)" % (desc(r), w))
    who = getattr(b, "who", None)
    if who is not None and r.sent_session:
        got = [norm(n.text()) for n in r.page.root.iter() if n.tag == "span"
               and "who" in n.attrs.get("class", "").split()]
        check(got and norm(who) in got[0], "%s: the header's 'Signed in "
              "as' %r lacks %r" % (desc(r), got, who))
    check_response(r)
    return r


def el_text(r, node, what):
    check(node is not None, "%s: no %s" % (desc(r), what))
    return norm(node.text())


def title_of(r):
    t = r.page.all("title")
    return el_text(r, t[0] if t else None, "<title>")


def h1_of(r):
    h = r.page.all("h1")
    return el_text(r, h[0] if h else None, "<h1>")


def rows_of(r, ident="people"):
    """[(href of the first cell's link, [cell texts])] of table #ident."""
    check(r.page.by_id(ident) is not None, "%s: no #%s table" % (desc(r),
                                                                ident))
    return table_rows(r, ident)


def person_row(r, pid, name, job, upn=None, units=None):
    """pid's row of #people shows name, upn and job as text, and on
    search its Location cell links to each of units ((name, id) pairs)
    by name."""
    want = "/users/%s" % pid
    rows_of(r)
    tr = [n for n in r.page.by_id("people").iter() if n.tag == "tr" and
          any(a.tag == "a" and a.attrs.get("href") == want
              for a in n.iter())]
    check(len(tr) == 1, "%s: %d rows link to %s" % (desc(r), len(tr), want))
    tds = [c for c in tr[0].children if isinstance(c, Node) and
           c.tag == "td"]
    c = dict(zip(table_head(r, "people"), tds))
    eq(norm(c["Name"].text()), norm(name), "%s: the Name cell" % desc(r))
    if upn is not None:
        eq(norm(c["Username"].text()), norm(upn), "%s: the Username cell"
           % desc(r))
    eq(norm(c["Job title"].text()), norm(job), "%s: the Job title cell"
       % desc(r))
    if units is not None:
        eq(sorted((norm(a.text()), a.attrs.get("href")) for a in
                  c["Location"].iter() if a.tag == "a"),
           sorted((norm(n), "/units/%s" % i) for n, i in units),
           "%s: the Location cell's links" % desc(r))


def find_page(b, path, found, what, max_pages=200):
    """Follows Next from path until found(r); every page is checked."""
    for _ in range(max_pages):
        r = fetch(b, path)
        if found(r):
            return r
        path = pager(r, "next")
        check(path is not None, "%s not found on %s and the pages after"
              % (what, r.path))
    raise Fail("%s not found in %d pages" % (what, max_pages))


def links_to(r, href):
    return [norm(a.text()) for a in r.page.all("a")
            if a.attrs.get("href") == href]


# ---------------------------------------------------------------------


@test
def escaping_locations_and_lists():
    """/units (one manager's and the organisation's), /units/{id}, /users."""
    s = scene()
    b = hostile_manager("helpdesk-administrator", (s.unit, s.unit2))
    # a manager of two locations: "My locations"
    r = fetch(b, "/units", [s.unit, s.desc, s.unit2, s.desc2])
    links = dict((h, n) for n, h in unit_links(r))
    eq(links.get("/units/%s" % s.unit_id), norm(s.unit),
       "/units: the link text of the hostile location")
    eq(links.get("/units/%s" % s.unit2_id), norm(s.unit2),
       "/units: the link text of the second hostile location")
    lis = [norm(li.text()) for li in r.page.by_id("units").iter()
           if li.tag == "li"]
    for u, d in ((s.unit, s.desc), (s.unit2, s.desc2)):
        check(any(x.startswith(norm(u)) and x.endswith(norm(d))
                  for x in lis), "/units: no item shows %r with its "
              "description %r: %r" % (u, d, lis))
    # each location's page: title, heading, description, the person
    for uid, u, d in ((s.unit_id, s.unit, s.desc),
                      (s.unit2_id, s.unit2, s.desc2)):
        path = "/units/%s" % uid
        r = fetch(b, path, [u, d, s.name, s.job, s.upn])
        eq(h1_of(r), norm(u), "%s: <h1>" % path)
        check(title_of(r).startswith(norm(u)), "%s: <title> %r does not "
              "start with %r" % (path, title_of(r), u))
        head = [norm(p.text()) for p in r.page.all("p")
                if norm(p.text()).startswith(norm(d))]
        check(head, "%s: no paragraph starts with the description %r"
              % (path, d))
        person_row(r, s.id, s.name, s.job, s.upn)
    # an organisation-scope actor: every location, paged; every user
    g = hostile_manager("global-administrator")
    href = "/units/%s" % s.unit_id
    r = find_page(g, "/units", lambda r: any(h == href for _, h in
                                             unit_links(r)),
                  "the hostile location")
    eq(links_to(r, href), [norm(s.unit)], "/units (organisation): the "
       "hostile location's link")
    check(any(norm(s.unit) in t and norm(s.desc) in t for t in
              [norm(li.text()) for li in r.page.by_id("units").iter()
               if li.tag == "li"]), "/units (organisation): the item of "
          "%r lacks its description %r" % (s.unit, s.desc))
    ref = "/users/%s" % s.id
    r = find_page(g, "/users", lambda r: any(h == ref for h, _ in
                                             rows_of(r)),
                  "the hostile person")
    person_row(r, s.id, s.name, s.job, s.upn)


@test
def escaping_profile_and_search():
    """/users/{id} and /search?q= (people, locations, the echoed q)."""
    s = scene()
    b = hostile_manager("helpdesk-administrator", (s.unit,))
    path = "/users/%s" % s.id
    r = fetch(b, path, [s.name, s.job, s.dept, s.upn, s.email, s.unit,
                        s.unit2])
    eq(r.id_text("name"), norm(s.name), "%s: #name" % path)
    check(title_of(r).startswith(norm(s.name)), "%s: <title> %r does not "
          "start with %r" % (path, title_of(r), s.name))
    eq(r.id_text("upn"), norm(s.upn), "%s: #upn" % path)
    facts = {}
    for tr in r.page.all("tr"):
        th = [c for c in tr.children if isinstance(c, Node) and
              c.tag == "th"]
        td = [c for c in tr.children if isinstance(c, Node) and
              c.tag == "td"]
        if th and td:
            facts[norm(th[0].text())] = norm(td[0].text())
    eq(facts.get("Job title"), norm(s.job), "%s: Job title" % path)
    eq(facts.get("Department"), norm(s.dept), "%s: Department" % path)
    eq(facts.get("Email"), norm(s.email), "%s: Email" % path)
    eq(links_to(r, "/units/%s" % s.unit_id), [norm(s.unit)],
       "%s: the link to the hostile location" % path)
    eq(links_to(r, "/units/%s" % s.unit2_id), [norm(s.unit2)],
       "%s: the link to the second hostile location" % path)
    # search: the unique word finds the person and both locations
    q = "/search?" + urllib.parse.urlencode({"q": s.word})
    r = fetch(b, q, [s.name, s.job, s.unit, s.unit2])
    units = ((s.unit, s.unit_id), (s.unit2, s.unit2_id))
    person_row(r, s.id, s.name, s.job, s.upn, units)
    # each location twice: its own hit, and the person's Location cell
    eq(links_to(r, "/units/%s" % s.unit_id), [norm(s.unit)] * 2,
       "%s: the links to the hostile location" % q)
    eq(links_to(r, "/units/%s" % s.unit2_id), [norm(s.unit2)] * 2,
       "%s: the links to the second hostile location" % q)
    # by the UPN, whole
    q = "/search?" + urllib.parse.urlencode({"q": s.upn})
    r = fetch(b, q, [s.name, s.upn, s.unit, s.unit2])
    person_row(r, s.id, s.name, s.job, s.upn, units)
    # the query itself comes back in the field and in "Nothing found"
    q = "/search?" + urllib.parse.urlencode({"q": P_ECHO + s.word})
    r = fetch(b, q, [P_ECHO + s.word])
    eq(r.page.by_id("q").attrs.get("value"), P_ECHO + s.word,
       "%s: the q field's value" % q)
    check(P_ECHO + s.word in (r.id_text("no-results") or ""),
          "%s: #no-results %r lacks the query" % (q, r.id_text("no-results")))


@test
def escaping_reset_pages():
    """/users/{id}/reset-password and .../done: cloud (shown and by SMS,
    with and without a mobile) and on-premises (typed, refused, done)."""
    s = scene()
    b = hostile_manager("helpdesk-administrator", (s.unit,))

    def confirm(pid, name, status=200, fields=None):
        path = reset_path(pid)
        r = fetch(b, path, [name])
        bold = [norm(x.text()) for x in r.page.all("b")]
        check(norm(name) in bold, "%s: no <b> shows the name %r: %r"
              % (path, name, bold))
        if fields is None:
            return r
        f = [("version", version_of(r))] + list(fields.items())
        if status != 303:
            return fetch(b, path, [name], status, fields=f)
        r = b.post(path, f)
        eq(r.status, 303, "POST %s" % path)
        eq(r.location, path + "/done", "POST %s: Location" % path)
        r = fetch(b, path + "/done", [name])
        eq(links_to(r, "/users/%s" % pid), [norm("Back to " + name)],
           "%s/done: the link back" % path)
        return r

    # cloud, the temporary password shown
    r = confirm(s.id, s.name, 303, {})
    check(r.page.by_id("temp-password") is not None, "no #temp-password")
    check(norm("Give it to %s now" % s.name) in norm(r.page.root.text()),
          "%s: the notice does not name %r" % (desc(r), s.name))
    # on-premises: the typed password, refused then set
    name, pid = person(s, "Onprem", s.unit, source="onprem")
    pw = "Harbor!%s-Kite7" % secrets.token_hex(3)
    r = confirm(pid, name, 422, {"new_password": pw,
                                 "confirm_password": pw + "x"})
    check(errors_of(r), "%s: no error message for a mismatch" % desc(r))
    r = confirm(pid, name, 303, {"new_password": pw, "confirm_password": pw})
    eq(r.id_text("typed"), norm("%s's password was set. They must change "
                                "it when they next sign in." % name),
       "%s: #typed" % desc(r))
    # by SMS: with a mobile, and without one
    mobile = fresh_mobile()
    name, pid = person(s, "Texted", s.unit, mobile=mobile)
    nname, npid = person(s, "Nomobile", s.unit)
    old = cli_ok("settings", "get", "reset.deliver").strip()
    try:
        cli_ok("settings", "set", "reset.deliver", "sms")
        r = confirm(pid, name)
        check(norm("sent by text message to %s's mobile number" % name) in
              norm(r.page.root.text()), "%s: the SMS text does not name "
              "%r" % (desc(r), name))
        r = confirm(pid, name, 303, {})
        check(norm("sent to %s by text message" % name) in
              (r.id_text("sent") or ""), "%s: #sent %r does not name %r"
              % (desc(r), r.id_text("sent"), name))
        r = confirm(npid, nname)
        check(norm("%s has no mobile number" % nname) in
              norm(r.page.root.text()), "%s: no 'has no mobile number' "
              "line naming %r" % (desc(r), nname))
        confirm(npid, nname, 422, {})
    finally:
        cli("settings", "set", "reset.deliver", old)
    eq(cli_ok("settings", "get", "reset.deliver").strip(), old,
       "reset.deliver after the test")


@test
def escaping_phone_page():
    """/users/{id}/phone: the name, and a refused number sent back."""
    s = scene()
    b = hostile_manager("authentication-administrator", (s.unit,))
    path = "/users/%s/phone" % s.id
    r = fetch(b, path, [s.name])
    bold = [norm(x.text()) for x in r.page.all("b")]
    check(norm(s.name) in bold, "%s: no <b> shows the name %r: %r"
          % (path, s.name, bold))
    bad = P_ECHO + "1"
    r = fetch(b, path, [s.name], 422, fields={"type": "office",
                                              "number": bad,
                                              "action": "save"})
    n = r.page.by_id("number-office")
    check(n is not None and n.attrs.get("value") == bad, "%s: the refused "
          "number is not kept as typed: %r" % (desc(r), n and n.attrs))
    check(errors_of(r), "%s: no error message" % desc(r))


@test
def escaping_audit_log():
    """/admin/audit: whom (the name), who (the UPN), details (the
    location in JSON) and the filters sent back."""
    s = scene()
    Browser().login(s.upn, s.password, 303, "/")      # audits the UPN
    g = hostile_manager("global-administrator")
    path = "/admin/audit?" + urllib.parse.urlencode({"target": s.id})
    r = fetch(g, path, [s.name])
    rows = [c for _, c in rows_of(r, "audit")]
    check(rows, "%s: no rows" % path)
    check(all(c[3] == norm(s.name) for c in rows), "%s: the Whom cells "
          "%r are not %r" % (path, [c[3] for c in rows], s.name))
    for u in (s.unit, s.unit2):
        line = "Unit: %s" % norm(u)
        check(any(line in c[8] for c in rows if c[2] ==
                  "unit.member.add"), "%s: no add-member row's "
              "details hold %r: %r" % (path, line, [c[8] for c in rows]))
    # the name as a prefix filter
    path = "/admin/audit?" + urllib.parse.urlencode({"target": s.name})
    r = fetch(g, path, [s.name])
    eq(r.page.by_id("target").attrs.get("value"), s.name,
       "%s: the target filter's value" % path)
    check(rows_of(r, "audit"), "%s: no rows" % path)
    # the person's sign-in: the UPN in the Who cell
    path = "/admin/audit?" + urllib.parse.urlencode(
        {"actor": s.upn, "action": "signin.password"})
    r = fetch(g, path, [s.upn])
    rows = [c for _, c in rows_of(r, "audit")]
    check(rows and all(c[1] == norm(s.upn) for c in rows), "%s: the Who "
          "cells %r are not %r" % (path, [c[1] for c in rows], s.upn))
    eq(r.page.by_id("actor").attrs.get("value"), s.upn,
       "%s: the actor filter's value" % path)
    # hostile filters come back as typed
    f = {"actor": P_ECHO + "a", "target": P_ECHO + "t",
         "action": P_ECHO + "x"}
    path = "/admin/audit?" + urllib.parse.urlencode(f)
    r = fetch(g, path)
    for k, v in f.items():
        eq(r.page.by_id(k).attrs.get("value"), v,
           "%s: the %s filter's value" % (path, k))


@test
def escaping_audit_entry_and_activity():
    """/admin/audit/N (whom, who, details, the browser) and a location's
    recent activity (its name, whom, details) with hostile text."""
    s = scene()
    Browser(ua=P_UA).login(s.upn, s.password, 303, "/")   # audits the UPN
    g = hostile_manager("global-administrator")
    n = int(sql("SELECT MAX(id) FROM audit_log WHERE action = "
                "'signin.password' AND actor_id = %s" % sqlq(s.id))[0][0])
    r = fetch(g, "/admin/audit/%d" % n, [s.upn, s.name, P_UA])
    eq(r.id_text("entry-user_agent"), norm(P_UA), "the entry's browser")
    [n] = [int(x[0]) for x in sql(
        "SELECT id FROM audit_log WHERE action = 'unit.member.add' AND "
        "target_id = %s ORDER BY id LIMIT 1" % sqlq(s.id))]
    r = fetch(g, "/admin/audit/%d" % n, [s.name, "Unit: " + s.unit])
    path = "/units/%s/activity" % s.unit_id
    r = fetch(g, path, [s.unit, s.name, "Unit: " + s.unit])
    whom = [c[3] for _, c in rows_of(r, "activity")]
    check(whom and all(w == norm(s.name) for w in whom), "%s: the Whom "
          "cells %r are not %r" % (path, whom, s.name))


@test
def escaping_own_account():
    """/account of the hostile person: name, UPN, email, job title,
    locations, the browser of the session; the header."""
    s = scene()
    b = Browser(ua=P_UA)
    b.login(s.upn, s.password, 303, "/")
    r = fetch(b, "/account", [s.name, s.upn, s.email, s.job, s.unit,
                              s.unit2])
    eq(r.id_text("name"), norm(s.name), "/account: #name")
    eq(r.id_text("upn"), norm(s.upn), "/account: #upn")
    who = [norm(n.text()) for n in r.page.root.iter() if n.tag == "span"
           and "who" in n.attrs.get("class", "").split()]
    eq(who, [norm("Signed in as %s (%s)" % (s.name, s.upn))],
       "/account: the header's 'Signed in as'")
    # the browser as people name it; nothing of the header is echoed
    rows = [c for _, c in rows_of(r, "sessions")]
    check(any(c[-1] == "Unknown browser" for c in rows) and
          "video" not in r.body, "/account: the session of the browser "
          "%r shows %r" % (P_UA, rows))
