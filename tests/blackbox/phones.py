"""Phone numbers on profiles: add, change, remove, masking, the list copies."""

import json

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


def phone_post(b, uid, typ, number, action="save"):
    """GETs the phone page, then POSTs one of its forms."""
    phone_page(b, uid)
    return b.post("/users/%s/phone" % uid, {"type": typ, "number": number,
                                            "action": action})


def phones_shown(b, uid):
    """{type name: number} of #phones on the profile, each checked to
    be grouped for reading (not E.164 run together) and given back as
    stored."""
    r = b.expect("GET", "/users/%s" % uid, 200)
    td = r.page.by_id("phones")
    check(td is not None, "no #phones on the profile")
    out, cur = {}, []
    for c in td.children + [None]:
        if isinstance(c, str):
            cur.append(c)
            continue
        if c is not None and c.tag != "br":
            cur.append(c.text())
            continue
        line = norm("".join(cur))
        cur = []
        if ":" in line:
            k, v = line.split(":", 1)
            out[k.strip()] = stored_form(v.strip())
    return out


def stored_form(shown):
    """A number as the profile groups it ("+1 425-555-0199 ext. 42") in
    the form it is stored ("+14255550199 x42"), to compare."""
    m = re.fullmatch(r"(\+[0-9 ()-]+?)(?: ext\. (\d+))?", shown)
    check(m is not None and " " in m.group(1), "a phone number shown as "
          "%r" % shown)
    return re.sub(r"[ ()-]", "", m.group(1)) + (" x" + m.group(2)
                                                 if m.group(2) else "")


def listed_mobile(b, unit_id, upn):
    """The Mobile column of upn's row on the location's list and search
    (they must agree)."""
    rows = [x for r in walk(b, "/units/%s" % unit_id)
            for x in people_rows(r) if x["upn"] == upn]
    eq(len(rows), 1, "rows of %s on its location's list" % upn)
    found = [x for x in search_rows(b, upn) if x["upn"] == upn]
    eq(len(found), 1, "search rows of %s" % upn)
    eq(found[0]["mobile"], rows[0]["mobile"], "Mobile of %s: search "
       "against the list" % upn)
    return rows[0]["mobile"]


@test
def phones():
    unit, unit_id, aa, b = manager_unit("Store Phones")
    t = member(unit)
    tid = t.id
    eq(listed_mobile(b, unit_id, t.upn), "none", "Mobile before any number")
    r = phone_page(b, tid)
    for typ in ("mobile", "alternateMobile", "office"):
        check(r.page.by_id("phone-" + typ) is not None and
              r.page.by_id("number-" + typ) is not None,
              "the phone page lacks #phone-%s / #number-%s" % (typ, typ))
    mark = audit_mark()
    m1, m2 = fresh_mobile(), fresh_mobile()

    def saved(typ, number, want, what):
        r = phone_post(b, tid, typ, number)
        done = "/users/%s?done=saved&type=%s" % (tid, typ)
        check(r.status == 303 and r.location == done,
              "%s (%r): %s, want 303 to %s" % (what, number, desc(r), done))
        eq(phones_db(tid).get(typ), want, "%s: phones row" % what)
        r = b.expect("GET", done, 200)
        check("number saved" in (r.id_text("notice") or ""), "%s: the "
              "profile's notice %r" % (what, r.id_text("notice")))

    saved("mobile", typed(m1), m1, "add a mobile")
    eq(phones_shown(b, tid), {"Mobile": m1}, "phones on the profile")
    eq(listed_mobile(b, unit_id, t.upn), masked(m1), "Mobile with a mobile")
    saved("mobile", "+%s.%s.%s.%s" % (m2[1], m2[2:5], m2[5:8], m2[8:]), m2,
          "change the mobile")
    eq(listed_mobile(b, unit_id, t.upn), masked(m2), "Mobile after a change")
    saved("office", "+1 425 555 0199 x 42", "+14255550199 x42",
          "add an office number")
    eq(listed_mobile(b, unit_id, t.upn), masked(m2), "Mobile with an office "
       "number too")
    eq(phones_shown(b, tid), {"Mobile": m2, "Office": "+14255550199 x42"},
       "phones on the profile")
    # the office number is found by its digits, not with its extension's
    check(t.upn in [x["upn"] for x in search_rows(b, "+14255550199")],
          "/search?q=+14255550199 does not find %s" % t.upn)
    check(t.upn not in [x["upn"] for x in search_rows(b, "+1425555019942")],
          "/search?q=+1425555019942 (number and extension) finds %s"
          % t.upn)
    saved("office", "+1-425-555-0198 ext 42", "+14255550198 x42",
          "change the office number")
    r = phone_post(b, tid, "office", "+14255550198 x42", "remove")
    check(r.status == 303 and r.location == "/users/%s?done=removed&type="
          "office" % tid, "remove the office number: %s" % desc(r))
    r = b.expect("GET", r.location, 200)
    eq(r.id_text("notice"), "Office number removed.", "the notice")
    eq(phones_db(tid), {"mobile": m2}, "phones after the removal")
    eq(phones_shown(b, tid), {"Mobile": m2}, "phones on the profile")
    a1 = fresh_mobile()
    saved("alternateMobile", typed(a1), a1, "add an alternate mobile")
    eq(phones_shown(b, tid), {"Mobile": m2, "Alternate mobile": a1},
       "phones on the profile")
    r = phone_post(b, tid, "alternateMobile", a1, "remove")
    check(r.status == 303 and r.location == "/users/%s?done=removed&type="
          "alternateMobile" % tid, "remove the alternate mobile: %s"
          % desc(r))
    eq(phones_db(tid), {"mobile": m2}, "phones after the removal")
    # search finds the new number at once, and not the old one
    check(t.upn in [x["upn"] for x in search_rows(b, m2)],
          "/search?q=%s does not find %s" % (m2, t.upn))
    check(t.upn not in [x["upn"] for x in search_rows(b, m1)],
          "/search?q=%s (the old mobile) still finds %s" % (m1, t.upn))
    # audited, numbers masked
    rows = audit_rows(mark, target_id=tid)
    eq([(x["action"], x["result"]) for x in rows],
       [("user.phone.add", "success"), ("user.phone.update", "success"),
        ("user.phone.add", "success"), ("user.phone.update", "success"),
        ("user.phone.remove", "success"), ("user.phone.add", "success"),
        ("user.phone.remove", "success")], "phone audit rows")
    want = [(None, m1), (m1, m2), (None, "+14255550199"),
            ("+14255550199", "+14255550198"), ("+14255550198", None),
            (None, a1), (a1, None)]
    for row, (old, new) in zip(rows, want):
        eq(row["actor_id"], aa.id, "actor of %s" % row["action"])
        d = details(row)
        check(not re.search(r"\d{5,}", json.dumps(d, ensure_ascii=False)),
              "a full number in the audit details %r" % row["details"])
        for k, n in (("old", old), ("new", new)):
            if n is None:
                check(d.get(k) is None, "%s: %s %r, want none"
                      % (row["action"], k, d.get(k)))
            else:
                check(isinstance(d.get(k), str) and "•••" in d[k] and
                      d[k].endswith(n[-4:]), "%s: %s %r is not %s masked"
                      % (row["action"], k, d.get(k), n))
    # refused numbers: 422, the typed value kept, nothing changed
    other = member(unit, name="Quentin Holder%s" % TAG, mobile=fresh_mobile())
    t2 = member(unit)
    om = phones_db(other.id)["mobile"]
    for uid, typ, num, what in (
            (tid, "mobile", "425 555 0100", "no +"),
            (tid, "mobile", "+1234567", "7 digits"),
            (tid, "mobile", "+1234567890123456", "16 digits"),
            (tid, "mobile", "+1 425 CALL NOW", "letters"),
            (tid, "office", "+1 425 555 0199 y42", "letters on an office"),
            (tid, "mobile", "+1 425 555 0100 x12", "an extension on a mobile"),
            (tid, "alternateMobile", "+1 425 555 0111 x1",
             "an extension on an alternate mobile"),
            (t2.id, "alternateMobile", "+1 425 555 0111",
             "an alternate mobile without a mobile"),
            (tid, "mobile", typed(om), "another user's mobile")):
        before = phones_db(uid)
        r = phone_post(b, uid, typ, num)
        eq(r.status, 422, "%s: POST %r" % (what, num))
        check(errors_of(r), "%s: no error message" % what)
        inp = r.page.by_id("number-" + typ)
        check(inp is not None and inp.attrs.get("value") == num,
              "%s: the field holds %r, want the typed %r" % (
                  what, inp.attrs.get("value") if inp is not None else None,
                  num))
        eq(phones_db(uid), before, "%s: phones" % what)
        if what.startswith("another user's mobile"):
            for s in (other.name, other.upn, other.upn.split("@")[0],
                      "Quentin", "Holder" + TAG):
                check(s not in r.body, "the refusal names the owner: %r"
                      % s)
    eq(len(audit_rows(mark, target_id=tid, result="success")), 7,
       "success audit rows after the refused numbers")
    # the bounds: 8 and 15 digits, blanks around, a 6-digit extension
    for num, want in (("+12345678", "+12345678"),
                      ("+123 456 789 012 345", "+123456789012345"),
                      ("  +1 (425) 555-0199  ", "+14255550199"),
                      ("+1 425 555 0199 X 123456", "+14255550199 x123456"),
                      ("+1 425 555 0199 ext.7", "+14255550199 x7")):
        saved("office", num, want, "an office number %r" % num)
        eq(phones_shown(b, tid).get("Office"), want, "the office number "
           "on the profile")
    for num in ("+1 425 555 0199 x1234567", "+1 425 555 0199 x",
                "+0 425 555 0199", "++1 425 555 0199", "+1 425 555 0199 x1 2",
                "+１４２５５５５０１９９"):
        before = phones_db(tid)
        r = phone_post(b, tid, "office", num)
        eq(r.status, 422, "an office number %r" % num)
        eq(r.page.by_id("number-office").attrs.get("value"), num,
           "the office field after %r" % num)
        eq(phones_db(tid), before, "phones after %r" % num)
    r = phone_post(b, tid, "office", "", "remove")
    check(r.status == 303, "remove the office number: %s" % desc(r))
    # the form's own Save with the same number changes nothing
    r = phone_post(b, tid, "mobile", m2)
    check(r.status == 303, "saving the same mobile again: %s" % desc(r))
    # unknown type, unknown action: 400
    phone_page(b, tid)
    eq(b.post("/users/%s/phone" % tid, {"type": "pager", "number": m2,
                                        "action": "save"}).status, 400,
       "type=pager")
    phone_page(b, tid)
    eq(b.post("/users/%s/phone" % tid, {"type": "mobile", "number": m2,
                                        "action": "wipe"}).status, 400,
       "action=wipe")
    # no csrf: nothing changes
    b.expect("POST", "/users/%s/phone" % tid, 403,
             fields={"type": "mobile", "number": "", "action": "remove"},
             csrf=None)
    eq(phones_db(tid), {"mobile": m2}, "phones after a POST without csrf")
    # an authentication-administrator may not touch a helpdesk-administrator
    hd = add_manager("helpdesk-administrator", unit, member_of=[unit])
    phone_page(b, hd.id, 403)
    refused_post(b, "/users/%s/phone" % hd.id,
                 {"type": "mobile", "number": fresh_mobile(),
                  "action": "save"}, hd.id, "user.phone.add", "tier", aa)
    eq(phones_db(hd.id), {}, "phones of the helpdesk-administrator")
    # a helpdesk-administrator may not manage phones at all
    bh = signed_in(hd)
    _, btn, denied = profile(bh, "/users/%s" % tid)
    check(not btn, "a helpdesk-administrator gets #phones-edit")
    phone_page(bh, tid, 403)
    refused_post(bh, "/users/%s/phone" % tid,
                 {"type": "mobile", "number": "", "action": "remove"}, tid,
                 "user.phone.remove", "no_role", hd)
    refused_post(bh, "/users/%s/phone" % tid,
                 {"type": "office", "number": "+1 425 555 0197",
                  "action": "save"}, tid, "user.phone.add", "no_role", hd)
    eq(phones_db(tid), {"mobile": m2}, "phones after the refused POSTs")
    # the lists say "none" once the mobile is gone, an office number or not
    saved("office", "+1 425 555 0196", "+14255550196", "an office number")
    for typ in ("mobile", "office"):
        r = phone_post(b, tid, typ, "", "remove")
        check(r.status == 303, "remove the %s: %s" % (typ, desc(r)))
        eq(listed_mobile(b, unit_id, t.upn), "none", "Mobile after removing "
           "the %s" % typ)
    eq(phones_db(tid), {}, "phones after removing all")
    phone_counts_agree()


@test
def list_follows_changes():
    """A location's list shows each change to a person at once, in every
    location of theirs, whichever way it was made."""
    unit, unit_id, aa, b = manager_unit("Store Follow")
    unit2, unit2_id = add_unit("Store Follow Two")
    cli_ok("role", "assign", "--user", aa.upn, "--role",
           "authentication-administrator", "--unit", unit2)
    t = member(unit)

    def row(uid=unit_id):
        rows = [x for r in walk(b, "/units/%s" % uid)
                for x in people_rows(r) if x["upn"] == t.upn]
        eq(len(rows), 1, "rows of %s on /units/%s" % (t.upn, uid))
        return rows[0]["mobile"], rows[0]["status"]

    eq(row(), ("none", ""), "a new member")
    mobile = fresh_mobile()
    r = phone_post(b, t.id, "mobile", mobile)
    check(r.status == 303, "add a mobile: %s" % desc(r))
    yes = masked(mobile)
    eq(row(), (yes, ""), "with a mobile")
    for i in range(6):
        Browser().login(t.upn, "Wrong-%d-%s" % (i, secrets.token_hex(4)),
                        422)
    eq(row(), (yes, "locked"), "after wrong passwords")
    cli_ok("unit", "add-member", "--unit", unit2, "--user", t.upn)
    eq(row(unit2_id), (yes, "locked"), "a new location's list")
    reset(b, t.id)
    want = (yes, "must change password")
    eq(row(), want, "after a reset")
    eq(row(unit2_id), want, "after a reset, the other location")
    cli_ok("user", "disable", "--upn", t.upn)
    want = (yes, "must change password disabled")
    eq(row(), want, "disabled")
    eq(row(unit2_id), want, "disabled, the other location")
    cli_ok("user", "enable", "--upn", t.upn)
    r = phone_post(b, t.id, "mobile", "", "remove")
    check(r.status == 303, "remove the mobile: %s" % desc(r))
    eq(row(unit2_id), ("none", "must change password"), "enabled, no phone")
    list_copies_agree()


@test
def phone_mobile_taken():
    """A mobile registered to someone else is refused also for a person
    who has no mobile yet, and when two people get it at once; a
    person's alternate mobile cannot be their mobile number again."""
    from concurrent.futures import ThreadPoolExecutor
    unit, _, aa, b = manager_unit("Store Taken")
    om = fresh_mobile()
    owner = member(unit, name="Priya Ownerly%s" % TAG, mobile=om)
    t = member(unit)
    for num in (om, typed(om)):
        mark = audit_mark()
        r = phone_post(b, t.id, "mobile", num)
        check(r.status == 422, "a person without a mobile given %s's mobile "
              "%r: %s, want 422" % (owner.upn, num, desc(r)))
        check(errors_of(r), "no error message")
        eq(r.page.by_id("number-mobile").attrs.get("value"), num,
           "the mobile field")
        for w in (owner.name, owner.upn, "Priya", "Ownerly" + TAG):
            check(w not in r.body, "the refusal names the owner: %r" % w)
        eq(phones_db(t.id), {}, "phones of the refused person")
        eq(phones_db(owner.id), {"mobile": om}, "phones of the owner")
        eq(audit_rows(mark, target_id=t.id, result="success"), [],
           "success audit rows of the refused number")
        check(t.upn not in [x["upn"] for x in search_rows(b, om)],
              "/search?q=%s finds %s, who does not have it" % (om, t.upn))
    # one new mobile for two people at the same moment: one gets it
    x1, x2 = member(unit), member(unit)
    mx = fresh_mobile()
    tok = phone_page(b, x1.id).csrf()
    cookie = b.token()
    mark = audit_mark()
    with ThreadPoolExecutor(2) as ex:
        rs = list(ex.map(lambda uid: with_token(cookie).post(
            "/users/%s/phone" % uid, {"type": "mobile", "number": mx,
                                      "action": "save"}, csrf=tok),
            (x1.id, x2.id)))
    eq(sorted(x.status for x in rs), [303, 422], "the same new mobile for "
       "two people at once: %r" % [desc(x) for x in rs])
    got = [x for x in (x1.id, x2.id) if phones_db(x).get("mobile") == mx]
    eq(len(got), 1, "people holding the mobile")
    eq([x["target_id"] for x in audit_rows(mark, action="user.phone.add",
                                           result="success")], got,
       "user.phone.add success rows")
    # a person's mobile and alternate mobile are two numbers, not one
    own = fresh_mobile()
    y = member(unit, mobile=own)
    alt = fresh_mobile()
    for typ, num, have in (
            ("alternateMobile", own, {"mobile": own}),
            ("alternateMobile", typed(own), {"mobile": own}),
            ("mobile", alt, {"mobile": own, "alternateMobile": alt})):
        if typ == "mobile":
            eq(phone_post(b, y.id, "alternateMobile", alt).status, 303,
               "another number as the alternate mobile")
        mark = audit_mark()
        r = phone_post(b, y.id, typ, num)
        check(r.status == 422 and "already" in " ".join(errors_of(r)),
              "%s %r, the other mobile number: %s, %r" % (
                  typ, num, desc(r), errors_of(r)))
        eq(phones_db(y.id), have, "phones after %s %r" % (typ, num))
        eq(audit_rows(mark, target_id=y.id, result="success"), [],
           "success audit rows of the refused %s" % typ)


def at_once(b, uid, forms):
    """POSTs forms to uid's phone page at the same moment, each with the
    was and token of one page read before (as two tabs would): the
    responses, in forms' order. Whether the two overlap or one ends
    before the other starts, the second is refused."""
    from concurrent.futures import ThreadPoolExecutor
    page = phone_page(b, uid)
    cookie = b.token()
    forms = [dict(phone_form_fields(page, f["type"]), **f) for f in forms]
    with ThreadPoolExecutor(len(forms)) as ex:
        return list(ex.map(lambda f: with_token(cookie).post(
            "/users/%s/phone" % uid, f, csrf=None), forms))


@test
def phone_changes_at_once():
    """Two changes to one person's phones at the same moment: the second
    waits for the first, finds the numbers it was checked against
    changed and changes nothing (422), so no rule breaks between them
    (an alternate mobile without a mobile), and the audit row, search
    words and phones are those of the change that was made."""
    unit, _, m, b = manager_unit("Store AtOnce")
    for i in range(3):
        mob, alt = fresh_mobile(), fresh_mobile()
        t = member(unit, mobile=mob)
        rs = at_once(b, t.id, (
            {"type": "mobile", "number": "", "action": "remove"},
            {"type": "alternateMobile", "number": alt, "action": "save"}))
        eq(sorted(x.status for x in rs), [303, 422], "remove the mobile and "
           "add an alternate at once (%d): %r" % (i, [desc(x) for x in rs]))
        eq(phones_db(t.id), {} if rs[0].status == 303 else
           {"mobile": mob, "alternateMobile": alt}, "phones after (%d)" % i)
    for i in range(3):
        mob, n1, n2 = fresh_mobile(), fresh_mobile(), fresh_mobile()
        t = member(unit, mobile=mob)
        mark = audit_mark()
        rs = at_once(b, t.id, ({"type": "mobile", "number": n1},
                               {"type": "mobile", "number": n2}))
        eq(sorted(x.status for x in rs), [303, 422], "two new mobiles at "
           "once (%d): %r" % (i, [desc(x) for x in rs]))
        won, lost = (n1, n2) if rs[0].status == 303 else (n2, n1)
        eq(phones_db(t.id), {"mobile": won}, "phones after (%d)" % i)
        rows = audit_rows(mark, target_id=t.id, result="success")
        eq([(x["action"], details(x).get("old"), details(x).get("new"))
            for x in rows], [("user.phone.update", masked(mob), masked(won))],
           "the audit of two mobiles at once (%d)" % i)
        found = lambda n: t.upn in [x["upn"] for x in search_rows(b, n)]
        check(found(won) and not found(lost), "/search finds %s by the "
              "number kept %s, by the one refused %s" % (t.upn, found(won),
                                                        found(lost)))


def phone_form_fields(r, typ):
    """{name: value} of the inputs of the page's form for typ, as a
    browser sends them (the save button's action added)."""
    f = r.page.by_id("phone-%s" % typ)
    check(f is not None, "no form #phone-%s on %s" % (typ, desc(r)))
    return dict([(i.attrs["name"], i.attrs.get("value", ""))
                 for i in f.iter() if i.tag == "input"] +
                [("action", "save")])


@test
def phone_change_from_an_older_page():
    """A phone page left open while the number is changed elsewhere (a
    second tab, another manager): its save or remove is refused (422)
    and says what the number is now, instead of silently undoing the
    newer change; saving again from that answer goes through. Saving
    the number that is there now is no change, from any page."""
    unit, _, m, b = manager_unit("Store OldTab")
    mob, newer, older = fresh_mobile(), fresh_mobile(), fresh_mobile()
    t = member(unit, mobile=mob)
    tab1 = phone_page(b, t.id)
    eq(phone_form_fields(tab1, "mobile").get("was"), mob,
       "the mobile form's was")
    eq(phone_form_fields(tab1, "alternateMobile").get("was"), "",
       "the alternate mobile form's was (none)")
    mark = audit_mark()

    def from_tab1(typ, action, number, now):
        f = dict(phone_form_fields(tab1, typ), number=number, action=action)
        r = b.post("/users/%s/phone" % t.id, f, csrf=None)
        eq(r.status, 422, "%s %s from the older page" % (action, typ))
        err = r.id_text("number-%s-error" % typ) or ""
        said = re.search(r"changed since this page was opened.*: this one "
                         r"is now (.+?)\. ", err)
        check(said is not None and stored_form(said.group(1)) == now,
              "%s %s: the sentence %r does not say %s" % (action, typ, err,
                                                          now))
        eq(phone_form_fields(r, typ).get("was"), now, "%s %s: the answer's "
           "was" % (action, typ))
        eq(r.page.by_id("number-%s" % typ).attrs.get("value"),
           number if action == "save" else now, "%s %s: the number box"
           % (action, typ))
        return r

    # tab 2 changes the mobile: tab 1 may neither change nor remove it
    eq(phone_post(b, t.id, "mobile", newer).status, 303, "tab 2's mobile")
    from_tab1("mobile", "save", older, newer)
    from_tab1("mobile", "remove", mob, newer)
    # ... and saving what is there now is no change
    f = dict(phone_form_fields(tab1, "mobile"), number=newer)
    r = b.post("/users/%s/phone" % t.id, f, csrf=None)
    check(r.status == 303 and "done=unchanged" in (r.location or ""),
          "the number there now, from the older page: %s" % desc(r))
    # tab 2 adds an alternate where tab 1 showed none
    alt = fresh_mobile()
    eq(phone_post(b, t.id, "alternateMobile", alt).status, 303,
       "tab 2's alternate")
    r = from_tab1("alternateMobile", "save", fresh_mobile(), alt)
    eq(phones_db(t.id), {"mobile": newer, "alternateMobile": alt},
       "phones after the older page's changes")
    eq([x["action"] for x in audit_rows(mark, target_id=t.id,
                                        result="success")],
       ["user.phone.update", "user.phone.add"], "audit rows: tab 2's only")
    # from the answer, saving again replaces the newer number on purpose
    f = dict(phone_form_fields(r, "alternateMobile"), number=older)
    eq(b.post("/users/%s/phone" % t.id, f, csrf=None).status, 303,
       "saving again from the answer")
    eq(phones_db(t.id), {"mobile": newer, "alternateMobile": older},
       "phones after saving again")


@test
def phone_local_numbers():
    """With phone.country set, a number typed as dialled there is stored
    in E.164, on the phone page and at sign-in by text; a number that is
    not one there is a 422 that says how to type it; without the
    setting a number without + is refused as before."""
    from limits import settings_at
    from sms import age_texts
    from codes import sms_step1, texts
    unit, _, _, b = manager_unit("Store Local")
    t = member(unit)
    e164 = fresh_mobile()
    local = "(%s) %s-%s" % (e164[2:5], e164[5:8], e164[8:])
    r = phone_post(b, t.id, "mobile", local)
    eq(r.status, 422, "a number without + and no phone.country")
    with settings_at({"phone.country": "us"}):
        eq(cli_ok("settings", "get", "phone.country").strip(), "US",
           "phone.country as stored")
        r = phone_page(b, t.id)
        check("Type a US number as it is dialled there" in
              norm(r.page.root.text()), "the phone page does not say US "
              "numbers may be typed as dialled there")
        r = phone_post(b, t.id, "mobile", local)
        eq(r.status, 303, "POST %r with phone.country US: %s" % (local,
                                                                desc(r)))
        eq(phones_db(t.id), {"mobile": e164}, "the number stored")
        # search finds the number as dialled there too
        check(t.upn in [x["upn"] for x in search_rows(b, local)],
              "/search?q=%s does not find %s" % (local, t.upn))
        # the profile's notice is said only while it is so
        r = b.expect("GET", "/users/%s?done=removed&type=mobile" % t.id,
                     200)
        eq(r.id_text("notice"), None, "a notice the profile contradicts")
        r = phone_post(b, t.id, "alternateMobile", "12")
        eq(r.status, 422, "a number too short to be one")
        check("+ and the country code" in " ".join(errors_of(r)), "the "
              "sentence: %r" % errors_of(r))
        age_texts()
        with settings_at({"sms.signin": "all"}):
            sms_step1(Browser(), "%s %s %s" % (e164[2:5], e164[5:8],
                                               e164[8:]))
            eq(len(texts(e164, 1)), 1, "texts after sign-in by text with "
               "the number as dialled")


def title_of(r):
    t = r.page.all("title")
    return norm(t[0].text()) if t else None


def before_in_page(r, first, second):
    """Whether node first comes before node second in r's page."""
    for n in r.page.root.iter():
        if n is first:
            return True
        if n is second:
            return False
    return False


@test
def phone_refused_said_at_top():
    """A refused number is said where a phone shows the page first: the
    title's note, a summary above the forms naming the field and linking
    to it, and the field marked invalid; the numbers are type=tel (the
    digit keyboard on a phone). Issue 13: an office number without its
    country code was refused below the fold, the title unchanged."""
    unit, _, _, b = manager_unit("Store Refused Top")
    t = member(unit)
    r = phone_page(b, t.id)
    eq(title_of(r), "Phone numbers - staffdesk", "the title of the page")
    check(r.page.by_id("summary") is None, "a summary on a page with "
          "nothing refused")
    for typ in ("mobile", "alternateMobile", "office"):
        inp = r.page.by_id("number-" + typ)
        eq(inp.attrs.get("type"), "tel", "#number-%s's type" % typ)
        check("aria-invalid" not in inp.attrs, "#number-%s is marked "
              "invalid before any refusal" % typ)
    for typ, num, field in (("office", "425 555 0100", "Office number"),
                            ("mobile", "+1 425 CALL NOW", "Mobile number"),
                            ("alternateMobile", "+1 425 555 0111",
                             "Alternate mobile number")):
        before = phones_db(t.id)
        r = phone_post(b, t.id, typ, num)
        eq(r.status, 422, "POST %s %r" % (typ, num))
        eq(phones_db(t.id), before, "phones after %s %r" % (typ, num))
        eq(title_of(r), "Phone numbers: not saved - staffdesk",
           "the title of the refused %s" % typ)
        summary = r.page.by_id("summary")
        check(summary is not None, "%s %r: no #summary" % (typ, num))
        check("error" in summary.attrs.get("class", "").split() and
              summary.attrs.get("role") == "alert", "#summary's class and "
              "role: %r" % summary.attrs)
        check(before_in_page(r, summary, r.page.by_id("phone-mobile")),
              "%s: the summary is not above the forms" % typ)
        links = [a for a in summary.iter() if a.tag == "a"]
        eq([(a.attrs.get("href"), norm(a.text())) for a in links],
           [("#number-" + typ, field)], "the summary's link")
        inp = r.page.by_id("number-" + typ)
        eq(inp.attrs.get("value"), num, "the refused field's value")
        eq(inp.attrs.get("type"), "tel", "the refused field's type")
        eq(inp.attrs.get("aria-invalid"), "true", "#number-%s's "
           "aria-invalid" % typ)
        check("invalid" in inp.attrs.get("class", "").split(),
              "#number-%s's class %r" % (typ, inp.attrs.get("class")))
        err = r.page.by_id(inp.attrs.get("aria-describedby") or "-")
        check(err is not None and "error" in err.attrs.get("class", ""),
              "#number-%s is not described by its error: %r"
              % (typ, inp.attrs.get("aria-describedby")))
        # the summary says what the error under the field says
        check(norm(err.text()) and norm(err.text()) in norm(summary.text()),
              "the summary %r does not say %r" % (norm(summary.text()),
                                                  norm(err.text())))
        for other in ("mobile", "alternateMobile", "office"):
            if other != typ:
                check("aria-invalid" not in
                      r.page.by_id("number-" + other).attrs,
                      "%s refused, #number-%s marked invalid" % (typ, other))
    r = phone_page(b, t.id)
    eq(title_of(r), "Phone numbers - staffdesk", "the title after a "
       "refusal, loaded anew")


@test
def phones_masked_for_who_may_not_change_them():
    """A profile shows a number whole only to who may change it: a
    helpdesk administrator (resets only) and a reader see it masked, as
    the lists do; an authentication administrator sees it whole."""
    unit, _ = add_unit("Store Masked Phones")
    mobile = fresh_mobile()
    t = member(unit, mobile=mobile)
    whole = "+1 %s-%s-%s" % (mobile[2:5], mobile[5:8], mobile[8:])
    masked = "+1 ••• ••• %s" % mobile[-4:]
    for role, unit_of, shown in (
            ("helpdesk-administrator", unit, masked),
            ("directory-reader", None, masked),
            ("authentication-administrator", unit, whole)):
        b = signed_in(add_manager(role, unit_of))
        text = " ".join(b.expect("GET", "/users/%s" % t.id, 200).page.root
                        .text().split())
        check(shown in text, "%s sees %r, not %r" % (role, text[:500], shown))
        hidden = masked if shown == whole else whole
        check(hidden not in text and mobile not in text,
              "%s sees %r" % (role, hidden))
