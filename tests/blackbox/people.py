"""Helpers of the My Staff areas: locations, people, managers, resets,
audit rows and the SMS log."""

from lib import *  # noqa: F401,F403


NO_MYSTAFF = "not authorised to see My Staff"
TAG = "q" + RUN


def norm(s):
    return " ".join(s.split())


def signed_in(u):
    """A browser of u (a role holder with a TOTP secret) after the
    password and the TOTP step."""
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    return b


def add_unit(label):
    """A new location of this run: (name, id)."""
    name = "%s %s %s" % (label, TAG, secrets.token_hex(2))
    cli_ok("unit", "add", "--name", name)
    rows = sql("SELECT id FROM units WHERE name = %s" % sqlq(name))
    check(len(rows) == 1, "no unit %s in the DB" % name)
    return name, rows[0][0]


def add_person(name, unit=None, upn=None, mobile=None):
    """A user without a password (a list member); returns the UPN."""
    upn = upn or uniq("p")
    args = ["user", "add", "--upn", upn, "--name", name]
    if mobile:
        args += ["--mobile", mobile]
    cli_ok(*args)
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return upn


def add_manager(role, unit=None, member_of=(), name=None):
    """A user with a password and TOTP holding role at unit (None: org
    scope), a member of the units in member_of."""
    u = make_user(name=name, totp=True, prefix="mgr")
    for m in member_of:
        cli_ok("unit", "add-member", "--unit", m, "--user", u.upn)
    if unit:
        cli_ok("role", "assign", "--user", u.upn, "--role", role, "--unit",
               unit)
    else:
        cli_ok("role", "assign", "--user", u.upn, "--role", role)
    return u


def table_rows(r, ident):
    """[(href of the first cell's link or None, [cell texts])] of the body
    rows of table #ident ([] when there is no such table)."""
    t = r.page.by_id(ident)
    if t is None:
        return []
    rows = []
    for tr in t.iter():
        if tr.tag != "tr":
            continue
        tds = [c for c in tr.children if isinstance(c, Node) and
               c.tag == "td"]
        if not tds:
            continue
        a = [n for n in tds[0].iter() if n.tag == "a"]
        rows.append((a[0].attrs.get("href") if a else None,
                     [norm(td.text()) for td in tds]))
    return rows


def table_head(r, ident):
    """The column headers' texts of table #ident ([] when none)."""
    t = r.page.by_id(ident)
    if t is None:
        return []
    return [norm(th.text()) for th in t.iter() if th.tag == "th" and
            th.attrs.get("scope") == "col"]


# The columns of #people by header (the lists, search), as keys.
PEOPLE_COLS = {"Name": "name", "Username": "upn", "Location": "location",
               "Job title": "job", "Mobile": "mobile", "Status": "status",
               "You can": "can"}


def people_rows(r):
    """The rows of #people, found by their column headers: dicts name,
    upn, job, mobile (masked, or "none"), status, href; on search also
    location ("A, B" or "none") and can ("You can"); "" for a column
    the table does not have."""
    head = table_head(r, "people")
    check(set(head) <= set(PEOPLE_COLS), "%s: #people's columns %r"
          % (desc(r), head))
    rows = []
    for href, c in table_rows(r, "people"):
        row = dict.fromkeys(PEOPLE_COLS.values(), "")
        row.update({PEOPLE_COLS[h]: v for h, v in zip(head, c)})
        row["href"] = href
        rows.append(row)
    return rows


def unit_links(r):
    """(name, href) of the links in #units."""
    ul = r.page.by_id("units")
    if ul is None:
        return []
    return [(norm(a.text()), a.attrs.get("href")) for a in ul.iter()
            if a.tag == "a"]


def pager(r, rel):
    """The path of the rel=next / rel=prev link, resolved against the
    page's own path, or None."""
    for a in r.page.all("a"):
        if a.attrs.get("rel") == rel:
            return urllib.parse.urljoin(r.path, a.attrs.get("href", ""))
    return None


def walk(b, path, max_pages=60):
    """Follows the Next links from path; returns the responses."""
    out = []
    while path is not None:
        r = b.expect("GET", path, 200)
        out.append(r)
        check(len(out) <= max_pages, "more than %d pages from %s"
              % (max_pages, out[0].path))
        path = pager(r, "next")
    return out


def search_rows(b, q):
    """Every person row of /search?q= over all its pages."""
    rows = []
    for r in walk(b, "/search?" + urllib.parse.urlencode({"q": q})):
        rows += people_rows(r)
    return rows


def profile(b, path):
    """(has #reset-password, has #phones-edit, denial lines) of a
    /users/{id} page."""
    r = b.expect("GET", path, 200)
    ul = r.page.by_id("actions")
    denied = [] if ul is None else [
        norm(li.text()) for li in ul.iter() if li.tag == "li" and
        "denied" in li.attrs.get("class", "").split()]
    reset = r.page.by_id("reset-password")
    phones = r.page.by_id("phones-edit")
    if reset is not None:
        eq(reset.attrs.get("href"), path + "/reset-password",
           "%s: #reset-password href" % path)
    if phones is not None:
        eq(phones.attrs.get("href"), path + "/phone",
           "%s: #phones-edit href" % path)
    return reset is not None, phones is not None, denied


def denial(denied, what, text=None):
    """The denial line for what ("Reset password", "Phone numbers")."""
    lines = [d for d in denied if d.startswith(what)]
    check(len(lines) == 1, "denial lines for %r: %r" % (what, denied))
    if text is not None:
        check(text in lines[0], "denial line %r lacks %r" % (lines[0], text))


def no_denial(denied, what):
    check(not [d for d in denied if d.startswith(what)],
          "a denial line for %r next to its button: %r" % (what, denied))


def forbidden(b, path):
    r = b.get(path)
    check(r.status == 403, "%s, want 403" % desc(r))
    check(NO_MYSTAFF in (r.id_text("error") or ""),
          "%s: #error %r lacks %r" % (desc(r), r.id_text("error"),
                                      NO_MYSTAFF))
    return r


NO_CONFUSABLE = set("0Oo1lI")
AUDIT_COLS = ("id", "actor_id", "actor_upn", "action", "target_id",
              "target_name", "result", "reason", "client", "ip", "details")


def member(unit, name=None, mobile=None, source=None, password=None,
           job=None):
    """A user of unit (name or id) with a password (a User)."""
    upn = uniq("t")
    name = name or "Tess %s Member" % secrets.token_hex(2)
    password = password or good_password()
    args = ["user", "add", "--upn", upn, "--name", name, "--password-stdin"]
    if mobile:
        args += ["--mobile", mobile]
    if source:
        args += ["--source", source]
    if job:
        args += ["--job-title", job]
    cli_ok(*args, stdin=password + "\n")
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return User(upn, name, password)


def fresh_mobile():
    """An E.164 +1425 number nobody has."""
    while True:
        n = "+1425%07d" % secrets.randbelow(10 ** 7)
        if n[5] != "0" and not sql("SELECT 1 FROM phones WHERE number = %s"
                                   % sqlq(n)):
            return n


def typed(e164):
    """+14255550100 as a person types it: +1 (425) 555-0100."""
    d = e164[1:]
    return "+%s (%s) %s-%s" % (d[0], d[1:4], d[4:7], d[7:])


# ITU-T E.164's two-digit country calling codes (1 and 7 have one digit,
# the rest three): the oracle for the masked numbers pages show.
CC2 = set("20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 "
          "54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 "
          "95 98".split())


def masked(e164):
    d = re.match(r"\+(\d+)", e164).group(1)
    cc = 1 if d[0] in "17" else 2 if d[:2] in CC2 else 3
    return "+%s ••• ••• %s" % (d[:cc], d[-4:])


def pw_state(uid):
    """(password_hash, password_version, must_change_password)."""
    rows = sql("SELECT password_hash, password_version, must_change_password"
               " FROM users WHERE id = %s" % sqlq(uid))
    check(len(rows) == 1, "no user %s" % uid)
    return tuple(rows[0])


def phones_db(uid):
    return {t: n for t, n in sql("SELECT type, number FROM phones WHERE "
                                 "user_id = %s" % sqlq(uid))}


def audit_mark():
    return int(sql("SELECT COALESCE(MAX(id), 0) FROM audit_log")[0][0])


def audit_rows(mark=0, **where):
    """audit_log rows (dicts of AUDIT_COLS) after id mark, matching where."""
    q = "SELECT %s FROM audit_log WHERE id > %d" % (", ".join(AUDIT_COLS),
                                                    mark)
    for k, v in sorted(where.items()):
        q += " AND %s = %s" % (k, sqlq(v))
    return [dict(zip(AUDIT_COLS, row)) for row in sql(q + " ORDER BY id")]


def details(row):
    """The details of an audit row as a dict, without the requestId
    every row of a web request carries (observe.py follows it)."""
    import json
    check(row["details"], "audit row %s has no details" % row["id"])
    try:
        d = json.loads(row["details"])
    except ValueError:
        raise Fail("audit row %s: details %r is not JSON" % (row["id"],
                                                             row["details"]))
    rid = d.pop("requestId", None)
    check(rid is None or re.match(r"^[0-9a-f]{32}$", rid), "audit row %s: "
          "requestId %r" % (row["id"], rid))
    return d


def one_audit(mark, what, **where):
    rows = audit_rows(mark, **where)
    check(len(rows) == 1, "%s: %d audit rows %r (want 1): %r"
          % (what, len(rows), where, rows))
    return rows[0]


def errors_of(r):
    """The texts of the class=error messages of a page: each paragraph
    of a box of several (the reset form's, one id for all)."""
    out = []
    for n in r.page.root.iter():
        if "error" in n.attrs.get("class", "").split():
            ps = [k for k in n.children if getattr(k, "tag", "") == "p"]
            out += [norm(k.text()) for k in ps] or [norm(n.text())]
    return out


def version_of(r):
    v = [i.attrs.get("value") for i in r.page.inputs("version")]
    check(len(v) == 1 and v[0] and v[0].isdigit(), "%s: the version field "
          "%r" % (desc(r), v))
    return v[0]


def reset_path(uid):
    return "/users/%s/reset-password" % uid


def reset(b, uid, fields=None):
    """Loads the confirm page and POSTs it: 303 to the done page, which
    is returned."""
    path = reset_path(uid)
    r = b.expect("GET", path, 200)
    check(r.page.by_id("confirm-reset") is not None, "%s: no "
          "#confirm-reset button" % path)
    f = [("version", version_of(r))] + list((fields or {}).items())
    b.expect("POST", path, 303, path + "/done", fields=f)
    return b.expect("GET", path + "/done", 200)


def temp_of(r):
    t = r.id_text("temp-password")
    check(t, "%s: no #temp-password" % desc(r))
    return t


def no_secret_stored(secret, what):
    """secret is in no column of any audit row, nor in a file of log/."""
    allrows = sql("SELECT CONCAT_WS('|', id, at, actor_id, actor_upn, action,"
                  " target_id, target_name, result, reason, client, ip,"
                  " user_agent, details) FROM audit_log")
    for row in allrows:
        check(secret not in (row[0] or ""), "audit_log row holds %s: %r"
              % (what, row[0]))
    logdir = os.path.join(VAR, "log")
    for f in os.listdir(logdir):
        p = os.path.join(logdir, f)
        if os.path.isfile(p):
            with open(p, "rb") as fh:
                check(secret.encode() not in fh.read(), "log/%s holds %s"
                      % (f, what))


def sms_lines(number):
    path = os.path.join(VAR, "sms.log")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [l.rstrip("\n").split("\t", 1)[1] for l in f
                if l.startswith(number + "\t")]


def manager_unit(label, role="authentication-administrator", **kw):
    """(unit name, unit id, a manager holding role there, signed in)."""
    unit, uid = add_unit(label)
    m = add_manager(role, unit, **kw)
    return unit, uid, m, signed_in(m)


def phone_page(b, uid, status=200):
    return b.expect("GET", "/users/%s/phone" % uid, status)


def list_copies_agree():
    """Every membership's copy of its user's list columns is current."""
    eq(sql("SELECT COUNT(*) FROM unit_members m JOIN users u ON u.id = "
           "m.user_id WHERE NOT (BINARY m.sort_name <=> BINARY "
           "u.display_name AND BINARY m.upn <=> BINARY u.upn AND "
           "BINARY m.job_title <=> BINARY u.job_title AND m.phone_count "
           "<=> u.phone_count AND m.mobile <=> u.mobile AND "
           "m.locked_until <=> u.locked_until AND "
           "m.must_change_password <=> u.must_change_password AND "
           "m.enabled <=> u.enabled)"), [["0"]],
       "memberships whose list columns differ from their user")


def phone_counts_agree():
    """users.phone_count and users.mobile, which the lists show, are every
    user's count of phones and mobile number."""
    eq(sql("SELECT COUNT(*) FROM users u WHERE phone_count <> (SELECT "
           "COUNT(*) FROM phones p WHERE p.user_id = u.id)"), [["0"]],
       "users whose phone_count is not their number of phones")
    eq(sql("SELECT COUNT(*) FROM users u WHERE NOT mobile <=> (SELECT "
           "p.number FROM phones p WHERE p.user_id = u.id AND p.type = "
           "'mobile')"), [["0"]],
       "users whose mobile is not their mobile phone's number")


def refused_post(b, path, fields, uid, action, reason, actor, csrf=True):
    """POST that must be 403 and audited as a failure with reason."""
    mark = audit_mark()
    b.get("/users/%s" % uid)
    r = b.post(path, fields, csrf=csrf)
    check(r.status == 403, "%s, want 403" % desc(r))
    rows = audit_rows(mark, target_id=uid)
    eq([(x["action"], x["result"], x["reason"], x["actor_id"])
        for x in rows], [(action, "failure", reason, actor.id)],
       "audit rows of the refused POST %s" % path)
    return r
