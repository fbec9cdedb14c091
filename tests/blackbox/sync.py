"""staffdesk-admin sync ldap against the stack's own slapd: people and
locations from the directory, nothing changed the second time, people
who left disabled (never deleted), phones only with ldap_sync_phones.
People added here go in the directory (and come out again) with ldapadd
/ ldapdelete as the service account."""

import json
import re

from lib import *  # noqa: F401,F403
from ldap import ldap_conf, service  # noqa: F401


def sync(*flags, conf=None):
    if conf is None:
        return cli("sync", "ldap", *flags)
    env = conf_env()
    env["STAFFDESK_CONF"] = conf
    return subprocess.run([os.path.join(ROOT, "bin", "staffdesk-admin"),
                           "sync", "ldap"] + list(flags),
                          capture_output=True, text=True, env=env,
                          timeout=120)


def counts(p):
    m = re.search(r"ldap: (\d+) people, (\d+) changed \((\d+) created, "
                  r"(\d+) updated, (\d+) disabled\), (\d+) unchanged, "
                  r"(\d+) bad, (\d+) locations created", p.stdout)
    check(m, "no summary: stdout %r, stderr %r" % (p.stdout, p.stderr))
    keys = ("people", "changed", "created", "updated", "disabled",
            "unchanged", "bad", "units")
    return dict(zip(keys, map(int, m.groups())))


def synced(*flags, conf=None):
    p = sync(*flags, conf=conf)
    eq(p.returncode, 0, "sync ldap %s: exit (%s)" % (" ".join(flags),
                                                   p.stderr.strip()))
    return counts(p)


def add_entry(ou="Store 004", more=""):
    """A new directory person under ou: (upn, dn)."""
    upn = uniq("sy")
    uid = upn.split("@")[0]
    dn = "uid=%s,ou=%s,%s" % (uid, ou, ldap_conf()["ldap_units_base"])
    p = service("ldapadd", stdin="dn: %s\nobjectClass: inetOrgPerson\n"
                "uid: %s\ncn: Sync %s\ndisplayName: Sync, %s (*)\nsn: Sync\n"
                "mail: %s\ntitle: Baker\n%s" % (dn, uid, uid, uid, upn, more))
    check(p.returncode == 0, "ldapadd: %s" % p.stderr.strip())
    return upn, dn


def delete_entry(dn):
    p = service("ldapdelete", dn)
    check(p.returncode == 0, "ldapdelete: %s" % p.stderr.strip())


def row(upn):
    r = sql("SELECT display_name, source, enabled, job_title FROM users "
            "WHERE upn = %s" % sqlq(upn))
    return r[0] if r else None


def units_of(upn):
    return sorted(r[0] for r in sql(
        "SELECT n.name FROM unit_members m JOIN units n ON n.id = m.unit_id "
        "JOIN users u ON u.id = m.user_id WHERE u.upn = %s" % sqlq(upn)))


@test
def ldap_sync_people():
    """The seeded directory (300 people in 5 store OUs) arrives as
    source=onprem people in locations named after the OUs; a second
    sync changes nothing."""
    synced()
    c = synced()
    eq(c["changed"], 0, "a second sync: changed (%r)" % c)
    check(c["people"] >= 300, "people read: %r" % c)
    eq(row("p0001@onprem.example")[1:3], ["onprem", "1"],
       "a seeded person: source, enabled")
    eq(units_of("p0001@onprem.example"), ["Store 001"], "p0001's location")
    eq(units_of("p0300@onprem.example"), ["Store 005"], "p0300's location")
    eq(row("p0007@onprem.example")[0], "Smith, J (*)",
       "a name with a comma and a filter's specials")
    eq(sql("SELECT COUNT(*) FROM unit_members m JOIN units n ON n.id = "
           "m.unit_id JOIN users u ON u.id = m.user_id WHERE n.name = "
           "'Store 002' AND u.upn LIKE 'p0%@onprem.example'"), [["60"]],
       "Store 002's seeded members")
    r = sql("SELECT result, client, details FROM audit_log WHERE action = "
            "'cli.sync.ldap' ORDER BY id DESC LIMIT 1")
    eq(r[0][:2], ["success", "cli"], "the sync's audit row")
    d = json.loads(r[0][2])
    eq((d["created"], d["updated"], d["disabled"]), (0, 0, 0),
       "the second sync's audit counts")


@test
def ldap_sync_left_disabled():
    """A person added to the directory is created, a change in the
    directory is an update, a person deleted from it is disabled (the
    row stays), and back in the directory they are enabled again."""
    synced()
    upn, dn = add_entry()
    c = synced("--dry-run")
    eq(c["created"], 1, "dry run: created (%r)" % c)
    eq(row(upn), None, "the person after a dry run")
    c = synced()
    eq((c["created"], c["updated"]), (1, 0), "after ldapadd (%r)" % c)
    eq(row(upn)[:4], ["Sync, %s (*)" % upn.split("@")[0], "onprem", "1",
                      "Baker"], "the new person")
    eq(units_of(upn), ["Store 004"], "the new person's location")
    p = service("ldapmodify", stdin="dn: %s\nchangetype: modify\n"
                "replace: title\ntitle: Head Baker\n" % dn)
    check(p.returncode == 0, "ldapmodify: %s" % p.stderr.strip())
    c = synced()
    eq((c["created"], c["updated"], c["disabled"]), (0, 1, 0),
       "after ldapmodify (%r)" % c)
    eq(row(upn)[3], "Head Baker", "the job title after ldapmodify")
    # a session of theirs (inserted: their password is the directory's)
    sess = ("SELECT COUNT(*) FROM sessions WHERE user_id = %s"
            % sqlq(user_id(upn)))
    sql("INSERT INTO sessions (token_hash, user_id, csrf, created_at, "
        "last_seen_at) VALUES (%s, %s, REPEAT('c', 43), UTC_TIMESTAMP(6), "
        "UTC_TIMESTAMP(6))" % (sqlq(secrets.token_hex(32)),
                               sqlq(user_id(upn))))
    delete_entry(dn)
    p = sync("--dry-run")
    check("would disable %s: no longer in the directory" % upn in p.stdout,
          "the dry run does not name whom it would disable: %r" % p.stdout)
    c = counts(p)
    eq(c["disabled"], 1, "dry run after ldapdelete: disabled (%r)" % c)
    eq(row(upn)[2], "1", "enabled after the dry run")
    eq(sql(sess), [["1"]], "their session after the dry run")
    p = sync()
    check("disabled %s: no longer in the directory" % upn in p.stdout,
          "the sync does not name whom it disabled: %r" % p.stdout)
    c = counts(p)
    eq((c["disabled"], c["created"], c["updated"]), (1, 0, 0),
       "after ldapdelete (%r)" % c)
    eq(row(upn)[2], "0", "the person who left: enabled")
    eq(sql(sess), [["0"]], "the sessions of the person who left")
    eq(sql("SELECT COUNT(*) FROM audit_log a JOIN users u ON u.upn = %s "
           "WHERE a.target_id = u.id" % sqlq(upn)), [["0"]],
       "(their audit history, none here, stays with the row)")
    eq(synced()["changed"], 0, "a sync after the disable")
    upn2, dn2 = add_entry()
    p = service("ldapadd", stdin="dn: %s\nobjectClass: inetOrgPerson\n"
                "uid: %s\ncn: Back\nsn: Sync\nmail: %s\ntitle: Head Baker\n"
                % (dn, dn.split(",")[0][4:], upn))
    check(p.returncode == 0, "ldapadd again: %s" % p.stderr.strip())
    c = synced()
    eq(row(upn)[2], "1", "back in the directory: enabled")
    eq(row(upn)[0], "Back", "the name without displayName: cn")
    check(row(upn2) is not None, "the other new person")
    # an entry with a UPN another entry has is named by its DN, not a line
    twin, tdn = add_entry(more="")
    p = service("ldapmodify", stdin="dn: %s\nchangetype: modify\n"
                "replace: mail\nmail: %s\n" % (tdn, upn2))
    check(p.returncode == 0, "ldapmodify: %s" % p.stderr.strip())
    p = sync()
    check("is also at uid=" in p.stderr and "line" not in p.stderr,
          "the twin's report: %r" % p.stderr)
    delete_entry(tdn)
    delete_entry(dn)
    delete_entry(dn2)
    synced()
    eq((row(upn)[2], row(upn2)[2]), ("0", "0"), "both gone: disabled")


@test
def ldap_sync_phones():
    """Phones stay as My Staff edits them; with ldap_sync_phones = on the
    directory's (by the attribute map) replace them."""
    mobile = "+1556%07d" % secrets.randbelow(10 ** 7)
    upn, dn = add_entry(more="pager: %s\n" % mobile)
    synced()
    mine = "+1557%07d" % secrets.randbelow(10 ** 7)
    sql("INSERT INTO phones (user_id, type, number) VALUES (%s, 'mobile', "
        "%s)" % (sqlq(user_id(upn)), sqlq(mine)))
    eq(synced()["changed"], 0, "a sync with phones off")
    got = sql("SELECT p.number FROM phones p JOIN users u ON u.id = "
              "p.user_id WHERE u.upn = %s AND p.type = 'mobile'" % sqlq(upn))
    eq(got, [[mine]], "the mobile My Staff set, after a sync")
    conf = os.path.join(VAR, "sync-phones.conf")
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        text = [l for l in f if not l.startswith(("ldap_sync_phones",
                                                  "ldap_attr_mobile"))]
    with open(conf, "w") as f:
        f.writelines(text + ["ldap_sync_phones = on\n",
                             "ldap_attr_mobile = pager\n"])
    synced(conf=conf)
    got = sql("SELECT p.number FROM phones p JOIN users u ON u.id = "
              "p.user_id WHERE u.upn = %s AND p.type = 'mobile'" % sqlq(upn))
    eq(got, [[mobile]], "the mobile after a sync with ldap_sync_phones")
    eq(synced(conf=conf)["changed"], 0, "the same again")
    delete_entry(dn)
    synced()


@test
def ldap_sync_groups():
    """ldap_units = group: a person's locations are the groups under
    ldap_units_base that name them as a member; back to ou, the OUs."""
    c = ldap_conf()
    suffix = c["ldap_bind_dn"].split(",", 2)[2]
    base = "ou=Teams %s,%s" % (RUN, suffix)
    upn, dn = add_entry()
    p1 = "uid=p0001,ou=Store 001,%s" % c["ldap_units_base"]
    ldif = ("dn: %s\nobjectClass: organizationalUnit\nou: Teams %s\n\n"
            "dn: cn=Bakers %s,%s\nobjectClass: groupOfNames\ncn: Bakers %s\n"
            "member: %s\nmember: %s\n\n"
            "dn: cn=Night Shift %s,%s\nobjectClass: groupOfNames\n"
            "cn: Night Shift %s\nmember: %s\n"
            % (base, RUN, RUN, base, RUN, dn, p1, RUN, base, RUN, dn))
    p = service("ldapadd", stdin=ldif)
    check(p.returncode == 0, "ldapadd groups: %s" % p.stderr.strip())
    conf = os.path.join(VAR, "sync-groups.conf")
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        text = [l for l in f if not l.startswith(("ldap_units",))]
    with open(conf, "w") as f:
        f.writelines(text + ["ldap_units = group\n",
                             "ldap_units_base = %s\n" % base])
    try:
        synced()
        eq(units_of(upn), ["Store 004"], "by OU")
        synced(conf=conf)
        eq(units_of(upn), ["Bakers %s" % RUN, "Night Shift %s" % RUN],
           "by group: both groups")
        eq(units_of("p0001@onprem.example"), ["Bakers %s" % RUN],
           "by group: p0001")
        eq(units_of("p0002@onprem.example"), [], "by group: in none")
        eq(synced(conf=conf)["changed"], 0, "by group, again")
    finally:
        synced()
        service("ldapdelete", "-r", base)
        delete_entry(dn)
        synced()
    eq(units_of("p0001@onprem.example"), ["Store 001"], "by OU again")
