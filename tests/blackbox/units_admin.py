"""The admin console's locations, members and roles: /admin/units,
/admin/units/{id}, /admin/roles; who may read and change them, the
rules of each change, its audit row, and what it does in My Staff."""

import concurrent.futures
import contextlib
import json

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403

READ_UNITS = ("global-administrator", "user-administrator",
              "privileged-role-administrator", "directory-reader",
              "security-reader")
CHANGE_UNITS = ("global-administrator", "user-administrator")
READ_ROLES = READ_UNITS
CHANGE_ROLES = ("global-administrator", "privileged-role-administrator")
NEITHER = ("helpdesk-administrator", "reports-reader",
           "conditional-access-administrator",
           "authentication-policy-administrator")

_admins = {}


def admin(role):
    """A signed-in browser of a person holding role for the whole
    organisation (one per role and run: signing in costs an argon2)."""
    if role not in _admins:
        m = add_manager(role)
        _admins[role] = (m, signed_in(m))
    return _admins[role][1]


def admin_user(role):
    admin(role)
    return _admins[role][0]


def change_forms(r):
    """The actions of the page's POST forms, sign-out left out."""
    return [f.attrs.get("action") for f in r.page.all("form")
            if f.attrs.get("method", "").lower() == "post" and
            f.attrs.get("action") != "/logout"]


def unit_id_of(name):
    rows = sql("SELECT id FROM units WHERE name = %s" % sqlq(name))
    check(len(rows) == 1, "no location %r in the DB" % name)
    return rows[0][0]


def field(r, name):
    """The value of the input named name (one of them)."""
    v = [i.attrs.get("value", "") for i in r.page.inputs(name)]
    check(len(v) == 1, "%s: %d inputs named %s" % (desc(r), len(v), name))
    return v[0]


def edit_post(b, path, fields):
    """POSTs the edit form with the version of the page b saw last."""
    return b.post(path, dict(fields, version=field(b.last, "version")))


def label(tag):
    return "Adm%s %s" % (TAG, tag)


def unit_h1(b, uid):
    """The <h1> of the location's page in My Staff."""
    r = b.expect("GET", "/units/%s" % uid, 200)
    return norm(r.page.all("h1")[0].text())


def member_upns(b, uid):
    return [x["upn"] for r in walk(b, "/units/%s" % uid)
            for x in people_rows(r)]


def unit_hits(b, q):
    """The location links /search shows for q."""
    r = b.expect("GET", "/search?" + urllib.parse.urlencode({"q": q}), 200)
    return [a.attrs.get("href") for a in r.page.all("a")
            if a.parent is not None and "hit-unit" in
            a.parent.attrs.get("class", "")]


def roles_db(uid):
    return sorted((role, unit) for role, unit in sql(
        "SELECT role, IFNULL(CAST(unit_id AS CHAR), '*') FROM "
        "role_assignments WHERE user_id = %s" % sqlq(uid)))


@test
def admin_pages_by_role():
    """Each role that may read a page gets it; those that may change it
    get its forms, the others none; everyone else gets 403."""
    name, uid = add_unit(label("Rights"))
    p = add_person("Rita Rights%s" % TAG, name)
    pid = user_id(p)
    cli_ok("role", "assign", "--user", p, "--role", "password-administrator",
           "--unit", name)
    u = "/admin/units/%s" % uid
    # the change forms of each page, by who may change which area
    forms_of = {
        "/admin/units": ({"/admin/units"}, set()),
        "/admin/units?q=Rights": ({"/admin/units"}, set()),
        u: ({u, u + "/delete", u + "/members/remove"},
            {"/admin/roles/revoke"}),
        "/admin/roles": (set(), set()),
        "/admin/roles?user=%s" % pid: (set(), {"/admin/roles",
                                               "/admin/roles/revoke"}),
        "/admin/roles?unit=%s" % uid: (set(), {"/admin/roles/revoke"}),
    }
    for role in READ_UNITS + NEITHER:
        b = admin(role)
        for path, (unit_forms, role_forms) in sorted(forms_of.items()):
            readers = READ_ROLES if path.startswith("/admin/roles") else \
                READ_UNITS
            r = b.get(path)
            if role not in readers:
                eq(r.status, 403, "%s: GET %s" % (role, path))
                continue
            eq(r.status, 200, "%s: GET %s" % (role, path))
            want = (unit_forms if role in CHANGE_UNITS else set()) | \
                (role_forms if role in CHANGE_ROLES else set())
            eq(set(change_forms(r)), want, "%s: the forms on %s"
               % (role, path))
            if not want:
                eq([norm(x.text()) for x in r.page.all("button")
                    if norm(x.text()) not in ("Find", "Sign out")], [],
                   "%s: buttons on %s" % (role, path))
        # what a page shows to each reader: the member, the form's fields
        if role in READ_UNITS:
            r = b.expect("GET", "/admin/units/%s" % uid, 200)
            eq([c[1] for _, c in table_rows(r, "members")][:1], [p],
               "%s: the members of %s" % (role, name))
            check((r.page.by_id("edit") is not None) ==
                  (role in CHANGE_UNITS), "%s: #edit form" % role)
            r = b.expect("GET", "/admin/roles?user=%s" % pid, 200)
            check((r.page.by_id("assign") is not None) ==
                  (role in CHANGE_ROLES), "%s: #assign form" % role)
    # the admin home links both pages for those who read them
    r = admin("directory-reader").expect("GET", "/admin", 200)
    hrefs = [a.attrs.get("href") for a in r.page.all("a")]
    check("/admin/units" in hrefs and "/admin/roles" in hrefs,
          "/admin lacks the locations or roles link: %r" % hrefs)
    # a role held at one location opens none of it
    ua = add_manager("user-administrator", name)
    bu = signed_in(ua)
    for path in ("/admin/units", "/admin/units/%s" % uid, "/admin/roles"):
        eq(bu.get(path).status, 403, "unit-scope user-administrator: GET "
           "%s" % path)


@test
def admin_refused_changes_audited():
    """A POST by a role that may not change the area is a 403 with an
    audit row of its action, and changes nothing."""
    name, uid = add_unit(label("Refused"))
    p = add_person("Rex Refused%s" % TAG, name)
    pid = user_id(p)
    other, oid = add_unit(label("Refused Other"))
    ua = add_manager("user-administrator", name)
    cases = [
        ("/admin/units", {"name": label("Never %s" % RUN)}, "unit.create"),
        ("/admin/units/%s" % uid, {"name": label("Renamed")}, "unit.update"),
        ("/admin/units/%s/delete" % oid, {}, "unit.delete"),
        ("/admin/units/%s/members" % oid, {"user": pid}, "unit.member.add"),
        ("/admin/units/%s/members/remove" % uid, {"user": pid},
         "unit.member.remove"),
        ("/admin/roles", {"user": pid, "role": "helpdesk-administrator",
                          "unit": uid}, "role.assign"),
        ("/admin/roles/revoke", {"user": pid, "role":
                                 "helpdesk-administrator", "unit": ""},
         "role.revoke"),
    ]
    cli_ok("role", "assign", "--user", p, "--role", "helpdesk-administrator")
    before = (sql("SELECT name FROM units WHERE id IN (%s, %s) ORDER BY "
                  "name" % (sqlq(uid), sqlq(oid))), roles_db(pid),
              member_units(pid))
    # one reader tries every change, the other two of them; a
    # user-administrator of one location, every change
    who = [("directory-reader", admin_user("directory-reader"),
            admin("directory-reader"), cases),
           ("security-reader", admin_user("security-reader"),
            admin("security-reader"), [cases[0], cases[5]]),
           ("unit-scope user-administrator", ua, signed_in(ua), cases)]
    for what, u, b, tries in who:
        for path, fields, action in tries:
            b.get("/account")
            mark = audit_mark()
            r = b.post(path, fields)
            eq(r.status, 403, "%s: POST %s" % (what, path))
            rows = audit_rows(mark, actor_id=u.id)
            eq([(x["action"], x["result"], x["reason"], x["client"])
                for x in rows], [(action, "failure", "no_role", "admin")],
               "%s: the audit rows of the refused POST %s" % (what, path))
            eq(json.loads(rows[0]["details"]).get("path"), path,
               "details of the refused %s" % action)
    after = (sql("SELECT name FROM units WHERE id IN (%s, %s) ORDER BY "
                 "name" % (sqlq(uid), sqlq(oid))), roles_db(pid),
             member_units(pid))
    eq(after, before, "locations, roles and memberships after the refused "
       "POSTs")
    eq(sql("SELECT COUNT(*) FROM units WHERE name = %s"
           % sqlq(label("Never %s" % RUN))), [["0"]], "a refused create")
    # a changer without the form's token: 403, nothing made
    g = admin("global-administrator")
    g.get("/admin/units")
    r = g.post("/admin/units", {"name": label("NoCsrf")}, csrf=None)
    eq(r.status, 403, "POST /admin/units without csrf")
    eq(sql("SELECT COUNT(*) FROM units WHERE name = %s"
           % sqlq(label("NoCsrf"))), [["0"]], "a create without csrf")


def member_units(pid):
    return sorted(x[0] for x in sql("SELECT CAST(unit_id AS CHAR) FROM "
                                    "unit_members WHERE user_id = %s"
                                    % sqlq(pid)))


def taken_link(r):
    """(text, href) of the links in #name-error."""
    n = r.page.by_id("name-error")
    check(n is not None, "%s: no #name-error" % desc(r))
    links = [(norm(a.text()), a.attrs.get("href")) for a in n.iter()
             if a.tag == "a"]
    eq(len(links), 1, "%s: the links of #name-error" % desc(r))
    return links[0]


def create_form(b, fields, status, path="/admin/units"):
    b.expect("GET", path, 200)
    r = b.post(path, fields)
    eq(r.status, status, "POST %s %r" % (path, fields))
    return r


@test
def unit_create_rules():
    b = admin("user-administrator")
    u = admin_user("user-administrator")
    name = label("Create %s" % secrets.token_hex(2))
    mark = audit_mark()
    r = create_form(b, {"name": "  %s  " % name, "description": "Open 9-5"},
                    303)
    uid = unit_id_of(name)
    eq(r.location, "/admin/units/%s?done=created" % uid, "where a new "
       "location goes")
    eq(sql("SELECT description FROM units WHERE id = %s" % sqlq(uid)),
       [["Open 9-5"]], "the new location's description")
    row = one_audit(mark, "unit.create", action="unit.create")
    eq((row["actor_id"], row["target_id"], row["target_name"], row["result"],
        row["client"]), (u.id, uid, name, "success", "admin"),
       "the unit.create row")
    eq(details(row), {"name": name, "description": "Open 9-5"},
       "unit.create details")
    r = b.expect("GET", r.location, 200)
    eq(norm(r.page.all("h1")[0].text()), name, "the new location's page")
    # it is listed, found by a word of its name, and in My Staff's search
    r = b.expect("GET", "/admin/units?" + urllib.parse.urlencode(
        {"q": name.split()[-1]}), 200)
    eq(unit_links(r), [(name, "/admin/units/%s" % uid)], "the admin search")
    eq(unit_hits(b, name.split()[-1]), ["/units/%s" % uid], "/search hits")
    # refused: the same name (whatever its case), empty, too long; the
    # values typed are kept and the field is marked
    long101 = "L" * 101
    for fields, err, what in (
            ({"name": name.upper(), "description": "dup"}, "already",
             "a taken name in capitals"),
            ({"name": name, "description": "dup2"}, "already",
             "a taken name"),
            ({"name": "   ", "description": "blank"}, "name",
             "a name of spaces"),
            ({"name": "", "description": "empty"}, "name", "an empty name"),
            ({"name": long101, "description": "long"}, "100",
             "101 characters"),
            ({"name": "é" * 101, "description": "long é"}, "100",
             "101 two-byte characters")):
        mark = audit_mark()
        r = create_form(b, fields, 422)
        eq(field(r, "name"), fields["name"].strip(), "%s: the name kept"
           % what)
        eq(field(r, "description"), fields["description"],
           "%s: the description kept" % what)
        n = r.page.by_id("name")
        eq(n.attrs.get("aria-invalid"), "true", "%s: the name field is not "
           "marked" % what)
        check(err in (r.id_text("name-error") or ""), "%s: #name-error %r "
              "lacks %r" % (what, r.id_text("name-error"), err))
        eq(audit_rows(mark, action="unit.create"), [], "%s: an audit row"
           % what)
        if err == "already":
            eq(taken_link(r), (name, "/admin/units/%s" % uid),
               "%s: the location named, as stored, and linked" % what)
    eq(sql("SELECT COUNT(*) FROM units WHERE name IN (%s, %s)" % (
        sqlq(long101), sqlq("é" * 101))), [["0"]], "too long names stored")
    # what shows nothing is cut: a soft hyphen makes no new name, and a
    # name of nothing that shows is none; a ';' would split the name in
    # the CSV of people, so it is refused here and by the command line
    semi = "Semi;colon " + secrets.token_hex(2)
    for fields, err, what in (
            ({"name": name[:2] + "\u00ad" + name[2:]}, "already",
             "a taken name with a soft hyphen in it"),
            ({"name": "\u200b"}, "name", "a zero-width space"),
            ({"name": "\u00a0\u2003\ufeff"}, "name", "wide spaces"),
            ({"name": semi}, "semicolon", "a name with a ;")):
        mark = audit_mark()
        r = create_form(b, fields, 422)
        check(err in (r.id_text("name-error") or ""), "%s: #name-error %r "
              "lacks %r" % (what, r.id_text("name-error"), err))
        eq(audit_rows(mark, action="unit.create"), [], "%s: an audit row"
           % what)
    p = cli("unit", "add", "--name", semi)
    check(p.returncode != 0 and "semicolon" in p.stderr, "unit add --name "
          "%r: exit %d, %r" % (semi, p.returncode, p.stderr[-200:]))
    eq(sql("SELECT COUNT(*) FROM units WHERE name LIKE '%%;%%'"), [["0"]],
       "names with a ; stored")
    create_form(b, {"name": "\u200b" + name + " 2\u00ad "}, 303)
    eq(sql("SELECT COUNT(*) FROM units WHERE BINARY name = %s" % sqlq(name + " 2")),
       [["1"]], "a name stored without what shows nothing")
    r = create_form(b, {"name": label("Desc"), "description": "d" * 501},
                    422)
    check(r.page.by_id("description").attrs.get("aria-invalid") == "true"
          and "500" in (r.id_text("description-error") or ""),
          "a 501-character description: the field is not marked")
    # 100 characters is fine; past the field's bound is a 400
    hundred = (label("Max") + "x" * 100)[:100]
    create_form(b, {"name": hundred}, 303)
    unit_id_of(hundred)
    create_form(b, {"name": "x" * 301}, 400)
    create_form(b, {"name": "two\nlines"}, 400)


@test
def unit_rename_follows():
    """A rename shows in My Staff and /search on the next request; its
    audit row has the old and the new name."""
    g = admin("global-administrator")
    old_word, new_word = "Oldw%s%s" % (TAG, secrets.token_hex(2)), \
        "Neww%s%s" % (TAG, secrets.token_hex(2))
    name, uid = add_unit("Store " + old_word)
    add_person("Rona Rename%s" % TAG, name)
    taken, _ = add_unit(label("Taken"))
    eq(unit_h1(g, uid), name, "My Staff before the rename")
    eq(unit_hits(g, old_word), ["/units/%s" % uid], "/search before")
    path = "/admin/units/%s" % uid
    r = g.expect("GET", path, 200)
    eq((field(r, "name"), field(r, "description")), (name, ""),
       "the edit form")
    new = "Shop %s" % new_word
    mark = audit_mark()
    r = edit_post(g, path, {"name": new, "description": "Renamed"})
    eq((r.status, r.location), (303, path + "?done=saved"), "POST %s" % path)
    row = one_audit(mark, "unit.update", action="unit.update")
    eq((row["target_id"], row["target_name"], row["client"]),
       (uid, new, "admin"), "the unit.update row")
    eq(details(row), {"old": {"name": name, "description": None},
                      "new": {"name": new, "description": "Renamed"}},
       "unit.update details")
    eq(unit_h1(g, uid), new, "My Staff after the rename")
    eq(unit_hits(g, new_word), ["/units/%s" % uid], "/search for the new "
       "name")
    eq(unit_hits(g, old_word), [], "/search for the old name")
    r = g.expect("GET", "/admin/units?" + urllib.parse.urlencode(
        {"q": new_word}), 200)
    eq(unit_links(r), [(new, path)], "the admin search for the new name")
    # the same again changes nothing and writes nothing
    mark = audit_mark()
    g.get(path)
    eq(edit_post(g, path, {"name": new, "description": "Renamed"}).status,
       303, "an unchanged form")
    eq(audit_rows(mark, target_id=uid), [], "audit rows of no change")
    # another location's name: 422, what was typed kept
    g.get(path)
    r = edit_post(g, path, {"name": taken.lower(), "description": "x"})
    eq(r.status, 422, "a rename to a taken name")
    eq((field(r, "name"), field(r, "description")), (taken.lower(), "x"),
       "the refused rename's form")
    check("already" in (r.id_text("name-error") or ""), "#name-error: %r"
          % r.id_text("name-error"))
    eq(taken_link(r), (taken, "/admin/units/%s" % unit_id_of(taken)),
       "the refused rename names the location that has the name")
    check(taken.lower() not in (r.id_text("name-error") or ""),
          "#name-error echoes what was typed: %r" % r.id_text("name-error"))
    eq(unit_h1(g, uid), new, "My Staff after the refused rename")
    # a change of case is a change
    g.get(path)
    eq(edit_post(g, path, {"name": new.upper(),
                           "description": "Renamed"}).status,
       303, "a rename to capitals")
    eq(unit_h1(g, uid), new.upper(), "My Staff after the case change")
    # an unknown location
    g.get(path)
    r = edit_post(g, "/admin/units/%s"
                  % "0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3",
                  {"name": label("Ghost")})
    eq(r.status, 404, "a rename of an unknown location")
    eq(g.get("/admin/units/0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3").status,
       404, "GET an unknown location")


@test
def unit_edit_refuses_stale_form():
    """A save from a form older than another admin's rename is refused
    (422, the location as it is now), not written over it; a form sent
    without its version is a 400."""
    g = admin("global-administrator")
    u = admin("user-administrator")
    name, uid = add_unit(label("Stale"))
    path = "/admin/units/%s" % uid
    r1 = g.expect("GET", path, 200)             # the older form
    v1 = field(r1, "version")
    r2 = u.expect("GET", path, 200)
    eq(field(r2, "version"), v1, "the version of two forms of one location")
    other = label("Renamed by the other %s" % secrets.token_hex(2))
    eq(edit_post(u, path, {"name": other, "description": "theirs"}).status,
       303, "the other admin's rename")
    mark = audit_mark()
    r = g.post(path, {"name": name, "description": "mine", "version": v1})
    eq(r.status, 422, "a save from the older form")
    check("changed meanwhile" in (r.id_text("error") or ""),
          "the refusal: %r" % r.id_text("error"))
    eq((field(r, "name"), field(r, "description")), (other, "theirs"),
       "the refused form shows the location as it is now")
    check(field(r, "version") != v1, "the refused form's version is new")
    eq(sql("SELECT name, description FROM units WHERE id = %s" % sqlq(uid)),
       [[other, "theirs"]], "the location after the refused save")
    eq(audit_rows(mark, action="unit.update"), [], "audit rows of the "
       "refused save")
    # the form it answered saves
    eq(edit_post(g, path, {"name": name, "description": "mine"}).status,
       303, "a save from the refreshed form")
    eq(sql("SELECT name, description FROM units WHERE id = %s" % sqlq(uid)),
       [[name, "mine"]], "the location after the save")
    # an older form asking for what is there already changes nothing
    eq(u.post(path, {"name": name, "description": "mine", "version":
                     field(r2, "version")}, csrf=r2.csrf()).status, 303,
       "an older form that asks for what is there")
    # a change of case or of the description alone changes the version
    r = g.expect("GET", path, 200)
    v2 = field(r, "version")
    eq(edit_post(g, path, {"name": name.upper(), "description": "mine"}
                 ).status, 303, "a rename to capitals")
    eq(g.post(path, {"name": name, "description": "mine", "version": v2},
              csrf=r.csrf()).status, 422, "a form from before the change "
       "of case")
    # refused for the name, the form keeps the version it showed
    r = g.post(path, {"name": "", "description": "x", "version": v2},
               csrf=r.csrf())
    eq((r.status, field(r, "version")), (422, v2), "an empty name from the "
       "old form")
    for fields, what in (({"name": name}, "no version"),
                         ({"name": name, "version": "x1"}, "a version that "
                          "is not a number"),
                         ({"name": name, "version": "4294967296"},
                          "a version over 32 bits")):
        g.get(path)
        eq(g.post(path, fields).status, 400, what)


@test
def unit_delete_refused_then_allowed():
    g = admin("global-administrator")
    word = "Delw%s%s" % (TAG, secrets.token_hex(2))
    name, uid = add_unit("Store " + word)
    p = add_person("Dora Delete%s" % TAG, name)
    pid = user_id(p)
    holder = add_person("Hal Holder%s" % TAG)
    cli_ok("role", "assign", "--user", holder, "--role",
           "password-administrator", "--unit", name)
    path = "/admin/units/%s" % uid

    def delete(status):
        g.expect("GET", path, 200)
        mark = audit_mark()
        r = g.post(path + "/delete", {})
        eq(r.status, status, "POST %s/delete" % path)
        return r, mark

    r, mark = delete(422)
    msg = r.id_text("error") or ""
    check("1 member" in msg and "1 role" in msg, "the refusal: %r" % msg)
    eq(audit_rows(mark, action="unit.delete"), [], "an audit row of a "
       "refused delete")
    # a location's member list and roles stay (the roles would cascade)
    eq(member_units(pid), [uid], "the member after the refused delete")
    eq(roles_db(user_id(holder)), [("password-administrator", uid)],
       "the role held there after the refused delete")
    # without the member, still the role
    g.expect("GET", path, 200)
    eq(g.post(path + "/members/remove", {"user": pid}).status, 303,
       "remove the member")
    r, _ = delete(422)
    msg = r.id_text("error") or ""
    check("0 members" in msg and "1 role" in msg, "the refusal: %r" % msg)
    eq(unit_h1(g, uid), name, "the location after the second refusal")
    # revoked from the location's page: back to it
    r = g.expect("GET", path, 200)
    rows = table_rows(r, "unit-roles")
    eq([c[:3] for _, c in rows], [["Hal Holder%s" % TAG, holder,
                                   "Password administrator"]],
       "the roles held at the location")
    g.post("/admin/roles/revoke", {"user": user_id(holder), "role":
                                   "password-administrator", "unit": uid,
                                   "back": "unit"})
    eq((g.last.status, g.last.location),
       (303, path + "?done=revoked&who=%s&role=password-administrator"
        % user_id(holder)), "revoke from the location's page")
    r, mark = delete(303)
    eq(r.location, "/admin/units?done=deleted", "after a delete")
    eq(sql("SELECT COUNT(*) FROM units WHERE id = %s" % sqlq(uid)), [["0"]],
       "the deleted location")
    eq(sql("SELECT COUNT(*) FROM search_words WHERE ref_id = %s"
           % sqlq(uid)), [["0"]], "the deleted location's search words")
    row = one_audit(mark, "unit.delete", action="unit.delete")
    eq((row["target_id"], row["target_name"], row["result"]),
       (uid, name, "success"), "the unit.delete row")
    eq(details(row)["name"], name, "unit.delete details")
    eq(unit_hits(g, word), [], "/search after the delete")
    eq(g.get(path).status, 404, "GET the deleted location")
    eq(g.get("/units/%s" % uid).status, 404, "My Staff: the deleted "
       "location")
    g.get("/admin/units")
    eq(g.post(path + "/delete", {}).status, 404, "delete it again")


@test
def unit_members_add_remove():
    """Members added and removed on the admin page show in My Staff on the
    next request."""
    g = admin("user-administrator")
    name, uid = add_unit(label("Members"))
    m = add_manager("helpdesk-administrator", name)
    bm = signed_in(m)               # My Staff, as the location's manager
    who = "Mona Memberadd%s" % TAG
    p = add_person(who)
    pid = user_id(p)
    path = "/admin/units/%s" % uid
    eq(member_upns(bm, uid), [], "My Staff before")
    # the add form finds people as /search does, and adds by a button
    r = g.expect("GET", path + "?" + urllib.parse.urlencode(
        {"q": "memberadd" + TAG}), 200)
    forms = [f for f in r.page.all("form")
             if f.attrs.get("action") == path + "/members"]
    eq(len(forms), 1, "the forms of the people found for memberadd%s" % TAG)
    eq([(x.attrs.get("name"), x.attrs.get("value"), norm(x.text()))
        for x in forms[0].iter() if x.tag == "button"],
       [("user", pid, "Add " + who)], "the Add buttons of the people found")
    check(who in norm(forms[0].text()), "the found person's name")
    mark = audit_mark()
    r = g.post(path + "/members", {"user": pid})
    eq((r.status, r.location), (303, path + "?done=added&who=%s" % pid),
       "POST %s/members" % path)
    row = one_audit(mark, "unit.member.add", action="unit.member.add")
    eq((row["target_id"], row["target_name"], row["client"]),
       (pid, who, "admin"), "the unit.member.add row")
    eq(details(row), {"location": name, "locationId": uid},
       "unit.member.add details")
    eq(member_upns(bm, uid), [p], "My Staff after the add")
    r = g.expect("GET", path, 200)
    eq([c[1] for _, c in table_rows(r, "members")], [p], "the admin list")
    eq([(x.attrs.get("name"), x.attrs.get("value")) for x in
        r.page.by_id("remove").iter() if x.tag == "button"], [("user", pid)],
       "the Remove buttons")
    list_copies_agree()
    # again: 422 that says so, nothing written
    mark = audit_mark()
    r = g.post(path + "/members", {"user": pid})
    eq(r.status, 422, "adding a member twice")
    check("already a member" in (r.id_text("error") or ""), "the refusal: "
          "%r" % r.id_text("error"))
    eq(audit_rows(mark, action="unit.member.add"), [], "audit rows of the "
       "second add")
    # remove: gone from My Staff on the next request
    mark = audit_mark()
    r = g.post(path + "/members/remove", {"user": pid})
    eq((r.status, r.location), (303, path + "?done=removed&who=%s" % pid),
       "POST .../members/remove")
    row = one_audit(mark, "unit.member.remove", action="unit.member.remove")
    eq((row["target_id"], details(row)), (pid, {"location": name,
                                                "locationId": uid}),
       "the unit.member.remove row")
    eq(member_upns(bm, uid), [], "My Staff after the remove")
    g.get(path)
    r = g.post(path + "/members/remove", {"user": pid})
    eq(r.status, 422, "removing a non-member")
    check("not a member" in (r.id_text("error") or ""), "the refusal: %r"
          % r.id_text("error"))
    # unknown people and locations
    g.get(path)
    eq(g.post(path + "/members", {"user":
                                  "0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3"}
              ).status, 404, "adding an unknown person")
    eq(g.post("/admin/units/0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3/members",
              {"user": pid}).status, 404, "adding to an unknown location")
    eq(g.post(path + "/members", {}).status, 400, "adding nobody")


def notice(r):
    """The text of the page's notice (role=status), or None."""
    n = r.page.by_id("notice")
    if n is None:
        return None
    eq(n.attrs.get("role"), "status", "%s: the notice's role" % desc(r))
    return norm(n.text())


def add_form(r):
    """The #add form of a location's page: ([the text of each person
    found], {the ids with an Add button}, the value of its hidden q)."""
    f = r.page.by_id("add")
    check(f is not None, "%s: no #add form" % desc(r))
    items = [norm(li.text()) for li in f.iter() if li.tag == "li"]
    buttons = {x.attrs.get("value") for x in f.iter() if x.tag == "button"}
    q = [x.attrs.get("value") for x in f.iter() if x.tag == "input" and
         x.attrs.get("name") == "q"]
    eq(len(q), 1, "%s: hidden q inputs of #add" % desc(r))
    return items, buttons, q[0]


@test
def admin_notices_after_changes():
    """Each change of the locations and roles pages says what it did on
    the page its 303 goes to, again on a reload, and no longer once it is
    not so; the words are a fixed set and the names are read by id,
    never from the address."""
    g = admin("global-administrator")
    word = "Ntc%s%s" % (TAG, secrets.token_hex(2))
    name = "Harbour %s" % word
    r = create_form(g, {"name": name}, 303)
    created = r.location
    path = created.split("?")[0]
    uid = path.rsplit("/", 1)[1]
    for n in range(2):
        eq(notice(g.expect("GET", created, 200)), "Location created.",
           "the notice of a create (load %d)" % n)
    eq(notice(g.expect("GET", path, 200)), None, "the page without done=")
    r = edit_post(g, path, {"name": name, "description": "Quay side"})
    eq(notice(g.expect("GET", r.location, 200)), "Location saved.",
       "the notice of a save")
    r = edit_post(g, path, {"name": name, "description": "Quay side"})
    eq(r.location, path + "?done=unchanged", "a save that changes nothing")
    check((notice(g.expect("GET", r.location, 200)) or "").startswith(
        "Nothing to save"), "the notice of a save that changed nothing")
    # a member, added and removed
    who = "Ada Ntcadmin%s" % TAG
    pid = user_id(add_person(who))
    q = "ntcadmin" + TAG
    r = g.expect("GET", path + "?" + urllib.parse.urlencode({"q": q}), 200)
    r = g.post(path + "/members", {"user": pid, "q": add_form(r)[2]})
    added = r.location
    eq(r.status, 303, "POST %s/members" % path)
    eq(notice(g.expect("GET", added, 200)), "Added %s to %s." % (who, name),
       "the notice of an add")
    r = g.post(path + "/members/remove", {"user": pid})
    eq(notice(g.expect("GET", r.location, 200)), "Removed %s from %s."
       % (who, name), "the notice of a remove")
    eq(notice(g.expect("GET", added, 200)), None, "the add's notice once "
       "the person is removed")
    # a role at the location, revoked on the location's page
    g.expect("GET", "/admin/roles?user=%s&unit=%s" % (pid, uid), 200)
    r = g.post("/admin/roles", {"user": pid, "role": "helpdesk-administrator",
                                "unit": uid})
    assigned = r.location
    eq(notice(g.expect("GET", assigned, 200)), "%s now holds Helpdesk "
       "administrator at %s." % (who, name), "the notice of an assign")
    g.expect("GET", path, 200)
    r = g.post("/admin/roles/revoke", {"user": pid, "role":
                                       "helpdesk-administrator", "unit": uid,
                                       "back": "unit"})
    eq(notice(g.expect("GET", r.location, 200)), "%s no longer holds "
       "Helpdesk administrator at %s." % (who, name), "the notice of a "
       "revoke on the location's page")
    eq(notice(g.expect("GET", assigned, 200)), None, "the assign's notice "
       "once the role is revoked")
    # for the whole organisation, revoked from the person's roles
    g.expect("GET", "/admin/roles?user=%s" % pid, 200)
    r = g.post("/admin/roles", {"user": pid, "role": "directory-reader",
                                "unit": ""})
    eq(notice(g.expect("GET", r.location, 200)), "%s now holds Directory "
       "reader for the whole organisation." % who, "the notice of an "
       "organisation-wide assign")
    r = g.post("/admin/roles/revoke", {"user": pid, "role":
                                       "directory-reader", "unit": ""})
    eq(notice(g.expect("GET", r.location, 200)), "%s no longer holds "
       "Directory reader for the whole organisation." % who, "the notice "
       "of an organisation-wide revoke")
    # nothing typed into the address is shown: a word not of the set is a
    # 400, one of another page or about someone unknown says nothing
    for bad in ("<b>hacked</b>", "Location deleted."):
        eq(g.get(path + "?" + urllib.parse.urlencode({"done": bad})).status,
           400, "done=%r" % bad)
    for url in (path + "?done=deleted",
                "/admin/units?done=created",
                path + "?done=added&who=0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3",
                path + "?done=added",
                "/admin/roles?done=revoked&who=%s" % pid):
        eq(notice(g.expect("GET", url, 200)), None, "the notice of %s" % url)
    # delete: the list says so
    g.expect("GET", path, 200)
    r = g.post(path + "/delete", {})
    eq(r.location, "/admin/units?done=deleted", "where a delete goes")
    eq(notice(g.expect("GET", r.location, 200)), "Location deleted.",
       "the notice of a delete")


@test
def member_add_keeps_search():
    """Add keeps the search, so several people found can be added one
    after another; people who are members already are not offered Add."""
    g = admin("user-administrator")
    name, uid = add_unit(label("Several"))
    path = "/admin/units/%s" % uid
    word = "Sev%s%s" % (TAG, secrets.token_hex(2))
    names = ["%s %s" % (first, word) for first in ("Ann", "Bob", "Cid")]
    pids = [user_id(add_person(n)) for n in names]
    cli_ok("unit", "add-member", "--unit", uid, "--user", pids[2])
    r = g.expect("GET", path + "?" + urllib.parse.urlencode({"q": word}), 200)
    for i, pid in enumerate(pids[:2]):
        items, buttons, q = add_form(r)
        eq(q, word, "the search the add form carries")
        eq(buttons, set(pids[i:2]), "add %d: the Add buttons" % i)
        for n, text in zip(names, items):
            check(text.startswith(n), "add %d: the people found: %r"
                  % (i, items))
            check(text.endswith("already a member") == (n in names[:i] +
                                                        names[2:]),
                  "add %d: %r" % (i, text))
        r = g.post(path + "/members", {"user": pid, "q": q})
        eq(r.status, 303, "add %d" % i)
        loc = urllib.parse.urlsplit(r.location)
        eq((loc.path, urllib.parse.parse_qs(loc.query)),
           (path, {"q": [word], "done": ["added"], "who": [pid]}),
           "add %d: where it goes" % i)
        r = g.expect("GET", r.location, 200)
        eq(r.page.by_id("q").attrs.get("value"), word, "add %d: the search "
           "box" % i)
    items, buttons, _ = add_form(r)
    eq(buttons, set(), "the Add buttons once all are members")
    eq(sorted(member_units(p) for p in pids), [[uid]] * 3, "the members")


@test
def role_assign_revoke_takes_effect():
    """A role given at a location lets the person act there on their
    next request; revoked, it stops on the next request."""
    pra = admin("privileged-role-administrator")
    name, uid = add_unit(label("Roles"))
    t = member(name, name="Tara Target%s" % TAG)
    m = make_user(name="Max Maybe%s" % TAG, totp=True)
    bm = Browser()                  # signed in without a role, with MFA
    bm.login(m.upn, m.password, 303, "/login/mfa")
    bm.mfa(totp_now(m.secret), "totp", 303, "/")
    eq(bm.get(reset_path(t.id)).status, 403, "reset before the role")
    # the assign form: every role, the organisation and the location
    r = pra.expect("GET", "/admin/roles?user=%s&unit=%s" % (m.id, uid), 200)
    opts = [o.attrs.get("value") for o in r.page.by_id("role").iter()
            if o.tag == "option"]
    eq(opts[0], "", "the role list's first line (none chosen)")
    eq(sorted(opts[1:]), sorted(
        ["global-administrator", "privileged-authentication-administrator",
         "authentication-administrator", "user-administrator",
         "helpdesk-administrator", "password-administrator",
         "authentication-policy-administrator",
         "conditional-access-administrator", "directory-reader",
         "reports-reader", "privileged-role-administrator",
         "security-reader"]), "the roles offered")
    scope = [(o.attrs.get("value"), "selected" in o.attrs)
             for o in r.page.by_id("scope").iter() if o.tag == "option"]
    eq(scope, [("", False), (uid, True)], "the scopes offered")
    mark = audit_mark()
    r = pra.post("/admin/roles", {"user": m.id, "role":
                                  "helpdesk-administrator", "unit": uid})
    eq((r.status, r.location), (303, "/admin/roles?user=%s&done=assigned&"
                                     "who=%s&role=helpdesk-administrator&"
                                     "at=%s" % (m.id, m.id, uid)),
       "POST /admin/roles")
    row = one_audit(mark, "role.assign", action="role.assign")
    eq((row["actor_id"], row["target_id"], row["target_name"],
        row["client"]), (admin_user("privileged-role-administrator").id,
                         m.id, m.name, "admin"), "the role.assign row")
    eq(details(row), {"role": "helpdesk-administrator", "roleName":
                      "Helpdesk administrator", "scope": "location",
                      "location": name, "locationId": uid},
       "role.assign details")
    # the next request of the person: the role counts
    reset(bm, t.id)
    r = pra.expect("GET", "/admin/roles?user=%s" % m.id, 200)
    eq([c[:2] for _, c in table_rows(r, "roles")],
       [["Helpdesk administrator", name]], "the person's roles")
    r = pra.expect("GET", "/admin/roles?unit=%s" % uid, 200)
    eq([c[:3] for _, c in table_rows(r, "unit-roles")],
       [[m.name, m.upn, "Helpdesk administrator"]], "the location's roles")
    # revoke from the location's list
    mark = audit_mark()
    r = pra.post("/admin/roles/revoke", {"user": m.id, "role":
                                         "helpdesk-administrator",
                                         "unit": uid, "back": "location"})
    eq((r.status, r.location), (303, "/admin/roles?unit=%s&done=revoked&"
                                     "who=%s&role=helpdesk-administrator&"
                                     "at=%s" % (uid, m.id, uid)),
       "POST /admin/roles/revoke")
    row = one_audit(mark, "role.revoke", action="role.revoke")
    eq((row["target_id"], row["result"], details(row)["location"]),
       (m.id, "success", name), "the role.revoke row")
    eq(roles_db(m.id), [], "the person's roles after the revoke")
    r = bm.get(reset_path(t.id))
    eq(r.status, 403, "reset after the revoke")
    r = bm.post(reset_path(t.id), {"version": "1"})
    eq(r.status, 403, "a reset POST after the revoke")
    # an organisation-wide role counts at once too
    pra.get("/admin/roles?user=%s" % m.id)
    pra.post("/admin/roles", {"user": m.id, "role": "directory-reader",
                              "unit": ""})
    eq(pra.last.status, 303, "assign directory-reader")
    eq(bm.get("/admin/units").status, 200, "/admin/units of a new reader")
    pra.get("/admin/roles?user=%s" % m.id)
    pra.post("/admin/roles/revoke", {"user": m.id, "role":
                                     "directory-reader", "unit": ""})
    eq(pra.last.status, 303, "revoke directory-reader")
    eq(bm.get("/admin/units").status, 403, "/admin/units after the revoke")


@test
def role_assign_rules():
    g = admin("global-administrator")
    name, uid = add_unit(label("Scope"))
    p = add_person("Sid Scope%s" % TAG)
    pid = user_id(p)
    path = "/admin/roles?user=%s&unit=%s" % (pid, uid)
    for role in ("privileged-role-administrator", "global-administrator",
                 "security-reader"):
        g.expect("GET", path, 200)
        mark = audit_mark()
        r = g.post("/admin/roles", {"user": pid, "role": role, "unit": uid})
        eq(r.status, 422, "%s at a location" % role)
        check("whole organisation" in (r.id_text("error") or ""),
              "the refusal: %r" % r.id_text("error"))
        sel = [o.attrs.get("value") for o in r.page.all("option")
               if "selected" in o.attrs]
        eq(sel, [role, uid], "the role and scope kept")
        eq(audit_rows(mark, action="role.assign"), [], "an audit row")
    eq(roles_db(pid), [], "roles after the refusals")
    # at the organisation: fine, once
    g.get(path)
    eq(g.post("/admin/roles", {"user": pid, "role":
                               "privileged-role-administrator", "unit": ""}
              ).status, 303, "privileged-role-administrator for the "
       "organisation")
    g.get(path)
    r = g.post("/admin/roles", {"user": pid, "role":
                                "privileged-role-administrator", "unit": ""})
    eq(r.status, 422, "the same role twice")
    check("already holds" in (r.id_text("error") or ""), "the refusal: %r"
          % r.id_text("error"))
    # the same role at a location and for the organisation are two
    for unit in (uid, ""):
        g.get(path)
        g.post("/admin/roles", {"user": pid, "role":
                                "helpdesk-administrator", "unit": unit})
        eq(g.last.status, 303, "helpdesk-administrator at %r" % unit)
    eq(roles_db(pid), sorted([("privileged-role-administrator", "*"),
                              ("helpdesk-administrator", uid),
                              ("helpdesk-administrator", "*")]),
       "the roles given")
    g.get(path)
    r = g.post("/admin/roles/revoke", {"user": pid, "role": "user-"
                                       "administrator", "unit": ""})
    eq(r.status, 422, "revoking a role not held")
    for fields, status, what in (
            ({"user": pid, "role": "no-such-role"}, 400, "an unknown role"),
            ({"user": pid}, 422, "no role"),
            ({"user": pid, "role": ""}, 422, "the list's first line"),
            ({"role": "helpdesk-administrator"}, 400, "no person"),
            ({"user": "0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3", "role":
              "helpdesk-administrator"}, 404, "an unknown person"),
            ({"user": pid, "role": "password-administrator", "unit":
              "0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3"}, 404,
             "an unknown location")):
        g.get(path)
        eq(g.post("/admin/roles", fields).status, status, what)
    eq(g.get("/admin/roles?user=0b7c1a4e-2f3d-4c5b-8a69-7e8f90a1b2c3"
             ).status, 404, "GET the roles of an unknown person")
    # the role list starts at none: one click of Assign gives nothing
    r = g.expect("GET", path, 200)
    first = [n for n in r.page.by_id("role").iter() if n.tag == "option"][0]
    eq((first.attrs.get("value"), norm(first.text())), ("", "Choose a role"),
       "the role list's first line")
    before = roles_db(pid)
    r = g.post("/admin/roles", {"user": pid, "role": "", "unit": ""})
    check(r.status == 422 and "Choose" in (r.id_text("error") or ""),
          "Assign with no role chosen: %s, %r" % (desc(r),
                                                 r.id_text("error")))
    eq(roles_db(pid), before, "roles after Assign with no role chosen")
    g.get(path)
    eq(g.post("/admin/roles/revoke", {"user": pid, "unit": ""}).status, 400,
       "a revoke form without its role")


ORG_ROLES_SHOWN = 200      # ORG_ROLES_MAX of cgi/pages/locations.c


def org_roles_db(limit):
    """(role id, display name, username, enabled) of the org-scope
    assignments in the overview's order, at most limit."""
    return [tuple(x) for x in sql(
        "SELECT r.role, u.display_name, u.upn, u.enabled FROM "
        "role_assignments r JOIN users u ON u.id = r.user_id WHERE "
        "r.unit_id IS NULL ORDER BY r.role, u.display_name, u.id LIMIT %d"
        % limit)]


@test
def roles_overview():
    """/admin/roles, before anything is picked, lists who holds which role
    for the whole organisation (disabled accounts flagged; roles at one
    location left to that location), the first 200 and says so past
    them; a person or location picked replaces it."""
    off = make_user(name="Olga Overview%s" % TAG)
    cli_ok("role", "assign", "--user", off.upn, "--role", "reports-reader")
    cli_ok("user", "disable", "--upn", off.upn)
    name, uid = add_unit(label("Overview"))
    local = add_person("Lou Overlocal%s" % TAG, name)
    cli_ok("role", "assign", "--user", local, "--role",
           "helpdesk-administrator", "--unit", name)
    g = admin("global-administrator")
    # the role names, as the assign form offers them
    r = g.expect("GET", "/admin/roles?user=%s" % off.id, 200)
    names = {o.attrs.get("value"): norm(o.text()).split(" (")[0]
             for o in r.page.by_id("role").iter() if o.tag == "option" and
             o.attrs.get("value")}
    eq(len(names), 12, "the roles of the assign form")
    bulk = "bulk%s-%s" % (secrets.token_hex(2), RUN)
    try:
        for role in ("directory-reader", "global-administrator"):
            b = admin(role)
            r = b.expect("GET", "/admin/roles", 200)
            check(r.page.by_id("org-roles-heading") is not None,
                  "%s: no overview on /admin/roles" % role)
            rows = [c for _, c in table_rows(r, "org-roles")]
            want = org_roles_db(ORG_ROLES_SHOWN + 1)
            eq([(c[0], c[1], c[2], c[3]) for c in rows],
               [(names[ro], n, u, "" if e == "1" else "disabled")
                for ro, n, u, e in want[:ORG_ROLES_SHOWN]],
               "%s: the overview" % role)
            check(not any(local == c[2] for c in rows), "a role at one "
                  "location in the overview")
            # (a stack the suite ran on before may hold more than 200)
            eq(r.page.by_id("more-org-roles") is not None,
               len(want) > ORG_ROLES_SHOWN, "'first 200 shown'")
        if len(want) <= ORG_ROLES_SHOWN:
            check(("Global administrator", admin_user(
                "global-administrator").name, "") in
                [(c[0], c[1], c[3]) for c in rows] and
                ("Reports reader", off.name, "disabled") in
                [(c[0], c[1], c[3]) for c in rows],
                "the global administrator or the disabled reader is not "
                "listed")
        # the overview goes when a person or a location is picked
        for path in ("/admin/roles?user=%s" % off.id,
                     "/admin/roles?unit=%s" % uid):
            r = g.expect("GET", path, 200)
            eq(table_rows(r, "org-roles"), [], "the overview on %s" % path)
        # past the bound: the first 200, and a sentence
        n = ORG_ROLES_SHOWN + 1 - len(org_roles_db(ORG_ROLES_SHOWN + 1))
        if n > 0:
            sql("INSERT INTO users (id, upn, display_name) SELECT UUID(), "
                "CONCAT('%s-', seq, '@bb.example'), CONCAT('Zz Bulk ', "
                "seq) FROM seq_1_to_%d" % (bulk, n))
            # by their ids: a statement that reads users cannot insert
            # role assignments, whose trigger counts them there (sql/019)
            ids = [i for i, in sql("SELECT id FROM users WHERE upn LIKE "
                                   "'%s-%%'" % bulk)]
            sql("INSERT INTO role_assignments (user_id, role, unit_id) "
                "VALUES " + ", ".join("(%s, 'reports-reader', NULL)"
                                      % sqlq(i) for i in ids))
        r = g.expect("GET", "/admin/roles", 200)
        eq([c[2] for _, c in table_rows(r, "org-roles")],
           [u for _, _, u, _ in org_roles_db(ORG_ROLES_SHOWN)],
           "the overview past its bound")
        check("first 200" in (r.id_text("more-org-roles") or ""),
              "past the bound: %r" % r.id_text("more-org-roles"))
    finally:
        sql("DELETE FROM users WHERE upn LIKE '%s-%%'" % bulk)


def global_admins():
    return [x[0] for x in sql("SELECT CAST(user_id AS CHAR) FROM "
                              "role_assignments WHERE role = "
                              "'global-administrator' AND unit_id IS NULL")]


@test
def last_global_admin_stays():
    """The last global administrator (of those enabled) cannot be revoked
    for the organisation, not even by two revokes at once. The suite's
    other global administrators are set aside meanwhile and put back;
    a trigger t_slow_revoke slows revokes down meanwhile."""
    pra = admin("privileged-role-administrator")
    g1 = make_user(name="Gus First%s" % TAG)
    g2 = make_user(name="Gia Second%s" % TAG)
    saved = global_admins()
    try:
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL")
        for u in (g1, g2):
            cli_ok("role", "assign", "--user", u.upn, "--role",
                   "global-administrator")

        def revoke(b, u, status):
            b.get("/admin/roles?user=%s" % u.id)
            mark = audit_mark()
            r = b.post("/admin/roles/revoke", {"user": u.id, "role":
                                               "global-administrator",
                                               "unit": ""})
            eq(r.status, status, "revoke global-administrator of %s" % u.name)
            return r, mark

        # of two, one can go
        revoke(pra, g2, 303)
        eq(global_admins(), [g1.id], "global administrators after one went")
        # the last one stays, audited as a refusal
        r, mark = revoke(pra, g1, 422)
        check("last global administrator" in (r.id_text("error") or ""),
              "the refusal: %r" % r.id_text("error"))
        row = one_audit(mark, "the refused revoke", action="role.revoke")
        eq((row["result"], row["reason"], row["target_id"]),
           ("failure", "last_global_administrator", g1.id),
           "the refused revoke's row")
        eq(global_admins(), [g1.id], "global administrators after the refusal")
        # a disabled one does not count, and the refusal says so
        cli_ok("role", "assign", "--user", g2.upn, "--role",
               "global-administrator")
        cli_ok("user", "disable", "--upn", g2.upn)
        r, _ = revoke(pra, g1, 422)
        msg = r.id_text("error") or ""
        check("%s also holds it, but the account is disabled" % g2.name
              in msg, "the refusal with a disabled holder: %r" % msg)
        cli_ok("user", "enable", "--upn", g2.upn)
        # two revokes at once: one wins, one is refused, one stays. A
        # trigger (dropped below) makes each revoke of the role last half
        # a second, so the second comes while the first is under way.
        b2 = signed_in(add_manager("privileged-role-administrator"))
        sql("CREATE TRIGGER t_slow_revoke BEFORE DELETE ON role_assignments "
            "FOR EACH ROW DO IF(OLD.role = 'global-administrator', "
            "SLEEP(0.5), 0)")
        for rnd in range(3):
            if len(global_admins()) < 2:
                cli_ok("role", "assign", "--user", (g2 if g1.id in
                                                    global_admins() else
                                                    g1).upn, "--role",
                       "global-administrator")
            eq(sorted(global_admins()), sorted([g1.id, g2.id]),
               "round %d: two global administrators" % rnd)
            for b, u in ((pra, g1), (b2, g2)):
                b.get("/admin/roles?user=%s" % u.id)
            toks = [pra.last.csrf(), b2.last.csrf()]
            with concurrent.futures.ThreadPoolExecutor(2) as ex:
                got = list(ex.map(
                    lambda x: x[0].post("/admin/roles/revoke", {
                        "user": x[1].id, "role": "global-administrator",
                        "unit": ""}, csrf=x[2]),
                    ((pra, g1, toks[0]), (b2, g2, toks[1]))))
            eq(sorted(r.status for r in got), [303, 422],
               "round %d: the statuses of two revokes at once" % rnd)
            eq(len(global_admins()), 1, "round %d: global administrators "
               "left" % rnd)
    finally:
        sql("DROP TRIGGER IF EXISTS t_slow_revoke")
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL AND user_id IN "
            "(%s, %s)" % (sqlq(g1.id), sqlq(g2.id)))
        for uid in saved:
            sql("INSERT IGNORE INTO role_assignments (user_id, role, "
                "unit_id) VALUES (%s, 'global-administrator', NULL)"
                % sqlq(uid))
        eq(sorted(global_admins()), sorted(saved), "the global "
           "administrators put back")


@contextlib.contextmanager
def only_global_admins(*users):
    """Meanwhile the global administrators for the organisation are
    users; the suite's own are put back after (and t_slow_revoke
    dropped)."""
    saved = global_admins()
    try:
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL")
        for u in users:
            cli_ok("role", "assign", "--user", u.upn, "--role",
                   "global-administrator")
        yield
    finally:
        sql("DROP TRIGGER IF EXISTS t_slow_revoke")
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL")
        for uid in saved:
            sql("INSERT IGNORE INTO role_assignments (user_id, role, "
                "unit_id) VALUES (%s, 'global-administrator', NULL)"
                % sqlq(uid))
        eq(sorted(global_admins()), sorted(saved), "the global "
           "administrators put back")


@test
def cli_revoke_keeps_last_global_admin():
    """staffdesk-admin role revoke refuses the last global administrator
    as the console does (exit 1, a sentence, a failure row), names the
    disabled holders, and takes the same locks: a revoke on the command
    line and one in the console at once leave one."""
    g1 = make_user(name="Cal Lastcli%s" % TAG)
    g2 = make_user(name="Cora Othercli%s" % TAG)
    pra = admin("privileged-role-administrator")

    def revoke(u):
        return cli("role", "revoke", "--user", u.upn, "--role",
                   "global-administrator")

    with only_global_admins(g1):
        mark = audit_mark()
        p = revoke(g1)
        eq(p.returncode, 1, "role revoke of the last global administrator")
        check("assign another global administrator first" in p.stderr,
              "its message: %r" % p.stderr)
        eq(global_admins(), [g1.id], "global administrators after the "
           "refusal")
        row = one_audit(mark, "the refused revoke", action="role.revoke")
        eq((row["result"], row["reason"], row["client"], row["target_id"]),
           ("failure", "last_global_administrator", "cli", g1.id),
           "the refused revoke's row")
        # a disabled holder does not count, and is named
        cli_ok("role", "assign", "--user", g2.upn, "--role",
               "global-administrator")
        cli_ok("user", "disable", "--upn", g2.upn)
        p = revoke(g1)
        eq(p.returncode, 1, "role revoke with only a disabled other")
        check("%s also holds it, but the account is disabled" % g2.name
              in p.stderr, "its message: %r" % p.stderr)
        cli_ok("user", "enable", "--upn", g2.upn)
        # with another one enabled, it goes (and is audited)
        mark = audit_mark()
        p = revoke(g1)
        eq(p.returncode, 0, "role revoke with another enabled: %s"
           % p.stderr)
        eq(global_admins(), [g2.id], "global administrators after it")
        row = one_audit(mark, "the revoke", action="role.revoke")
        eq((row["result"], row["client"]), ("success", "cli"),
           "the revoke's row")
        # one on the command line and one in the console at once: a
        # trigger makes each revoke of the role last half a second
        sql("CREATE TRIGGER t_slow_revoke BEFORE DELETE ON role_assignments "
            "FOR EACH ROW DO IF(OLD.role = 'global-administrator', "
            "SLEEP(0.5), 0)")
        for rnd in range(3):
            for u in (g1, g2):
                if u.id not in global_admins():
                    cli_ok("role", "assign", "--user", u.upn, "--role",
                           "global-administrator")
            pra.expect("GET", "/admin/roles?user=%s" % g2.id, 200)
            tok = pra.last.csrf()
            with concurrent.futures.ThreadPoolExecutor(2) as ex:
                fc = ex.submit(revoke, g1)
                fw = ex.submit(lambda: pra.post("/admin/roles/revoke", {
                    "user": g2.id, "role": "global-administrator",
                    "unit": ""}, csrf=tok))
                p, r = fc.result(), fw.result()
            check((p.returncode, r.status) in ((0, 422), (1, 303)),
                  "round %d: the command line exited %d (%s), the console "
                  "answered %d" % (rnd, p.returncode, p.stderr.strip(),
                                   r.status))
            eq(len(global_admins()), 1, "round %d: global administrators "
               "left" % rnd)


def unit_items(r):
    """{name: the text of its item} of the list #units."""
    ul = r.page.by_id("units")
    check(ul is not None, "%s: no #units" % desc(r))
    return {norm(li.children[0].text()): norm(li.text()) for li in ul.iter()
            if li.tag == "li"}


@test
def head_counts_singular_and_plural():
    """1 person, 2 people, 0 people: on /admin/units, a location's admin
    page, and My Staff's /units and /units/{id}."""
    word = "Cnt%s%s" % (TAG, secrets.token_hex(2))
    names = {}
    for n in (0, 1, 2):
        names[n], _ = add_unit("%s %d" % (word, n))
        for i in range(n):
            add_person("Cody Count%d%s" % (i, TAG), names[n])
    want = {names[0]: "(0 people)", names[1]: "(1 person)",
            names[2]: "(2 people)"}
    g = admin("global-administrator")
    items = unit_items(g.expect("GET", "/admin/units?" +
                                urllib.parse.urlencode({"q": word}), 200))
    for name, text in want.items():
        check(text in items.get(name, ""), "/admin/units: %r lacks %r"
              % (items.get(name), text))
    for n, text in ((0, "0 people"), (1, "1 person"), (2, "2 people")):
        about = g.expect("GET", "/admin/units/%s" % unit_id_of(names[n]),
                         200).id_text("about") or ""
        check(about.endswith(text), "/admin/units/{id} #about: %r, want %r"
              % (about, text))
    # a manager of two of them: My locations, and each location's page
    m = add_manager("helpdesk-administrator", names[1])
    cli_ok("role", "assign", "--user", m.upn, "--role",
           "helpdesk-administrator", "--unit", names[2])
    bm = signed_in(m)
    items = unit_items(bm.expect("GET", "/units", 200))
    for name in (names[1], names[2]):
        check(want[name] in items.get(name, ""), "/units: %r lacks %r"
              % (items.get(name), want[name]))
    for n, text in ((1, "1 person"), (2, "2 people")):
        r = bm.expect("GET", "/units/%s" % unit_id_of(names[n]), 200)
        heads = [norm(p.text()) for p in r.page.all("p")
                 if "people" in p.text() or "person" in p.text()]
        check(any(h.endswith(text) for h in heads), "/units/{id}: %r, "
              "want %r" % (heads, text))


@test
def head_counts_follow_changes():
    """The head count (kept on the location by triggers, sql/018) follows
    members added, one removed and added back twice over, and a person in
    two locations deleted from the database (the foreign key's cascade
    fires no trigger): what each page shows is what COUNT(*) gives."""
    word = "Cnf%s%s" % (TAG, secrets.token_hex(2))
    a, aid = add_unit(word + " A")
    b, bid = add_unit(word + " B")
    people = [add_person("Cora Follow%d%s" % (i, TAG), a) for i in range(3)]
    cli_ok("unit", "add-member", "--unit", b, "--user", people[0])
    g = admin("global-administrator")

    def shown(uid):
        about = g.expect("GET", "/admin/units/%s" % uid, 200).id_text(
            "about") or ""
        return about.rsplit(" ", 2)[-2]

    def counted(uid):
        return sql("SELECT COUNT(*) FROM unit_members WHERE unit_id = %s"
                   % sqlq(uid))[0][0]

    eq((shown(aid), shown(bid)), ("3", "1"), "after adding")
    for _ in range(2):
        cli_ok("unit", "remove-member", "--unit", a, "--user", people[2])
        eq(shown(aid), "2", "after a removal")
        cli_ok("unit", "add-member", "--unit", a, "--user", people[2])
        eq(shown(aid), "3", "after adding back")
    sql("DELETE FROM users WHERE upn = %s" % sqlq(people[0]))
    eq((shown(aid), shown(bid)), ("2", "0"), "after a person was deleted")
    eq((shown(aid), shown(bid)), (counted(aid), counted(bid)),
       "shown vs COUNT(*)")


@test
def admin_units_paged_and_searched():
    """The list pages by 50 in name order; a search pages forward."""
    word = "Pgu%s%s" % (TAG, secrets.token_hex(2))
    names = ["%s %02d" % (word, i) for i in range(52)]
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        list(ex.map(lambda n: cli_ok("unit", "add", "--name", n), names))
    b = admin("security-reader")
    pages = walk(b, "/admin/units?" + urllib.parse.urlencode({"q": word}),
                 max_pages=3)
    got = [[n for n, _ in unit_links(r)] for r in pages]
    eq([len(x) for x in got], [50, 2], "locations per search page")
    eq(got[0] + got[1], names, "the search pages, in order")
    check(any("First page" in a.text() for a in pages[1].page.all("a")),
          "no link back to the first search page")
    r = b.expect("GET", "/admin/units?" + urllib.parse.urlencode(
        {"q": "%s 07" % word}), 200)
    eq([n for n, _ in unit_links(r)], [names[7]], "a two-word search")
    r = b.expect("GET", "/admin/units?q=Nolocation" + TAG, 200)
    check(r.page.by_id("no-units") is not None and not unit_links(r),
          "a search that finds nothing")
    # the whole list: every location once, in name order
    seen = []
    for r in walk(b, "/admin/units", max_pages=400):
        seen += [n for n, _ in unit_links(r)]
    eq(len(seen), len(set(seen)), "a location listed twice")
    eq(sorted(seen), sorted(x[0] for x in sql("SELECT name FROM units")),
       "the locations listed")
    at = seen.index(names[0])
    eq(seen[at:at + 52], names, "the run's locations, in order")
    nxt = pager(pages[0], "next")
    cur = urllib.parse.parse_qs(urllib.parse.urlsplit(nxt).query)["after"][0]
    for q in ("after=abc", "before=abc", "q=%s&after=abc" % word,
              # search pages go forward only
              "q=%s&before=%s" % (word, urllib.parse.quote(cur))):
        eq(b.get("/admin/units?" + q).status, 400, "GET /admin/units?%s" % q)


@test
def admin_location_pages_escape():
    """Hostile location names and descriptions typed into the admin forms
    are shown as text on every page that shows them."""
    g = admin("global-administrator")
    word = "Esc%s%s" % (TAG, secrets.token_hex(2))
    name = '<img src=x onerror=alert(1)> "Depot" %s' % word
    descr = "</td><script>alert('d')</script>"
    r = create_form(g, {"name": name, "description": descr}, 303)
    path = r.location.split("?")[0]
    uid = path.rsplit("/", 1)[1]
    p = add_person("Esme Escape%s" % TAG, uid)
    cli_ok("role", "assign", "--user", p, "--role", "helpdesk-administrator",
           "--unit", uid)
    for page in (path, "/admin/units?" + urllib.parse.urlencode(
            {"q": word}), "/admin/roles?unit=%s" % uid,
            "/admin/roles?user=%s" % user_id(p), "/units/%s" % uid):
        r = g.expect("GET", page, 200)
        low = r.body.lower()
        check("<img src=x" not in low and "<script>alert" not in low,
              "%s: served unescaped" % page)
        check(name in r.page.root.text(), "%s: the name is not shown as "
              "text" % page)
    r = g.expect("GET", path, 200)
    eq((field(r, "name"), field(r, "description")), (name, descr),
       "the edit form's values")


def title(r):
    t = r.page.all("title")
    check(len(t) == 1, "%s: %d titles" % (desc(r), len(t)))
    return norm(t[0].text())


def position(r, node):
    """The place of node in the page's document order."""
    for i, n in enumerate(r.page.root.iter()):
        if n is node:
            return i
    raise Fail("%s: node not in the page" % desc(r))


@test
def admin_location_pages_accessible():
    """Buttons are named after what they act on (a visually hidden part),
    a refused form's title says so and its sentences are alerts, and
    Delete stands apart from Save, with what it needs."""
    g = admin("global-administrator")
    name, uid = add_unit(label("Access"))
    path = "/admin/units/%s" % uid
    ada = "Ada Accessmember%s" % TAG
    add_person(ada, name)
    bo = "Bo Accesscandidate%s" % TAG
    add_person(bo)
    hal = "Hal Accessholder%s" % TAG
    hal_upn = add_person(hal)
    cli_ok("role", "assign", "--user", hal_upn, "--role",
           "password-administrator", "--unit", name)
    cli_ok("role", "assign", "--user", hal_upn, "--role",
           "helpdesk-administrator")
    r = g.expect("GET", path + "?" + urllib.parse.urlencode(
        {"q": "accesscandidate" + TAG}), 200)
    names = [norm(b.text()) for b in r.page.all("button")]
    for want in ("Remove " + ada, "Add " + bo,
                 "Revoke Password administrator from " + hal):
        check(want in names, "%r not among the buttons %r" % (want, names))
    for b in r.page.all("button"):
        if norm(b.text()).split()[0] in ("Remove", "Add", "Revoke"):
            hidden = [s for s in b.iter() if s.tag == "span" and
                      "visually-hidden" in s.attrs.get("class", "")]
            eq(len(hidden), 1, "the hidden part of %r" % norm(b.text()))
    css = g.expect("GET", "/static/style.css", 200).body
    check(".visually-hidden" in css, "style.css has no .visually-hidden")
    r = g.expect("GET", "/admin/roles?user=%s" % user_id(hal_upn), 200)
    names = [norm(b.text()) for b in r.page.all("button")]
    for want in ("Revoke Password administrator at %s from %s" % (name, hal),
                 "Revoke Helpdesk administrator for the whole organisation "
                 "from %s" % hal):
        check(want in names, "%r not among the buttons %r" % (want, names))
    # Delete: its own section after the roles, saying what it needs
    r = g.expect("GET", path, 200)
    check(not title(r).endswith("not saved - staffdesk"), "the title of a "
          "page: %r" % title(r))
    h2 = {norm(h.text()): h for h in r.page.all("h2")}
    check("Delete this location" in h2, "no Delete heading: %r" % list(h2))
    dele, edit = r.page.by_id("delete"), r.page.by_id("edit")
    check(position(r, edit) < position(r, h2["Roles held at this location"])
          < position(r, h2["Delete this location"]) < position(r, dele),
          "Delete is not in its own section after the roles")
    check("empty" in (r.id_text("delete-hint") or ""), "the delete hint: %r"
          % r.id_text("delete-hint"))
    # refused forms: the title says so, the sentences are alerts
    refusals = [
        (path, lambda: edit_post(g, path, {"name": ""}), "name-error",
         "%s: not saved - staffdesk" % name),
        (path, lambda: g.post(path + "/delete", {}), "error",
         "%s: not saved - staffdesk" % name),
        ("/admin/units", lambda: g.post("/admin/units", {"name": ""}),
         "name-error", "Locations: not saved - staffdesk"),
        ("/admin/roles?user=%s" % user_id(hal_upn),
         lambda: g.post("/admin/roles", {"user": user_id(hal_upn), "role":
                                         "helpdesk-administrator",
                                         "unit": ""}),
         "error", "Roles: not saved - staffdesk"),
    ]
    for before, send, ident, want in refusals:
        g.expect("GET", before, 200)
        r = send()
        eq(r.status, 422, "the refusal of %s" % ident)
        eq(title(r), want, "the title of a refused form")
        eq(r.page.by_id(ident).attrs.get("role"), "alert", "#%s's role"
           % ident)


@test
def admin_location_pages_in_w3m():
    g = admin("global-administrator")
    name, uid = add_unit(label("Text"))
    p = add_person("Walt Wthree%s" % TAG, name)
    out = w3m_dump(g.expect("GET", "/admin/units/%s?q=Wthree%s"
                            % (uid, TAG), 200).raw)
    for text in ("Name and description", "Save", "Delete this location",
                 "Members", "Remove", "Add a member", "Add", p,
                 "Roles held at this location"):
        check(text in out, "w3m /admin/units/{id}: %r not visible in:\n%s"
              % (text, out))
    out = w3m_dump(g.expect("GET", "/admin/roles?user=%s&unit=%s"
                            % (user_id(p), uid), 200).raw)
    for text in ("Role", "Choose a role", "For", name, "Assign"):
        check(text in out, "w3m /admin/roles: %r not visible in:\n%s"
              % (text, out))


@test
def cli_keeps_location_rules():
    """staffdesk-admin refuses what the admin console refuses."""
    p = cli("unit", "add", "--name", "x" * 101)
    eq(p.returncode, 1, "unit add with 101 characters")
    check("100" in p.stderr, "its message: %r" % p.stderr)
    p = cli("unit", "add", "--name", "   ")
    eq(p.returncode, 1, "unit add with a name of spaces")
    name = label("Cli %s" % secrets.token_hex(2))
    cli_ok("unit", "add", "--name", "  %s " % name)
    unit_id_of(name)
    u = add_person("Cleo Cli%s" % TAG)
    p = cli("role", "assign", "--user", u, "--role",
            "privileged-role-administrator", "--unit", name)
    eq(p.returncode, 1, "role assign privileged-role-administrator --unit")
    eq(roles_db(user_id(u)), [], "roles after the refusal")
    cli_ok("role", "assign", "--user", u, "--role", "helpdesk-administrator",
           "--unit", name)
