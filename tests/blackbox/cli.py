"""staffdesk-admin: exit codes, role assignment, the demo organisation."""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


@test
def cli_exit_codes():
    p = cli("user", "add", "--name", "No Upn")
    eq(p.returncode, 2, "user add without --upn: exit status")
    check(p.stderr.startswith("usage:"), "user add without --upn: stderr "
          "%r" % p.stderr)
    eq(p.stdout, "", "user add without --upn: stdout")
    p = cli("frobnicate")
    eq(p.returncode, 2, "an unknown command: exit status")
    upn = uniq("dup")
    cli_ok("user", "add", "--upn", upn, "--name", "Dup One")
    p = cli("user", "add", "--upn", upn, "--name", "Dup Two")
    eq(p.returncode, 1, "a duplicate UPN: exit status")
    eq(len(p.stderr.strip().splitlines()), 1,
       "a duplicate UPN: stderr lines (%r)" % p.stderr)
    eq(p.stdout, "", "a duplicate UPN: stdout")
    p = cli("settings", "set", "mystaff.access", "bogus")
    eq(p.returncode, 1, "settings set mystaff.access bogus: exit status")
    check(p.stderr.strip(), "settings set bogus: no message")
    p = cli("settings", "get", "mystaff.access")
    eq((p.returncode, p.stdout.strip()), (0, "all"),
       "mystaff.access after the refused set")
    old = cli_ok("settings", "get", "sms.per_ip_per_hour").strip()
    eq(cli_ok("settings", "set", "sms.per_ip_per_hour", old).strip(),
       "sms.per_ip_per_hour = %s (unchanged)" % old, "settings set, the "
       "value it had")
    try:
        eq(cli_ok("settings", "set", "sms.per_ip_per_hour", " 77 ").strip(),
           "sms.per_ip_per_hour = 77", "settings set says what it stored")
    finally:
        cli_ok("settings", "set", "sms.per_ip_per_hour", old)
    p = cli("user", "add", "--upn", uniq("weak"), "--name", "Weak Pw",
            "--password-stdin", stdin="password123\n")
    eq(p.returncode, 1, "user add with a common password: exit status")
    p = cli("user", "add", "--upn", uniq("meas-staff"), "--name", "Meas Pw",
            "--password-stdin", stdin="Staffdesk-Demo-2026\n")
    check(p.returncode == 1 and 'contains "staff", from your user name'
          in p.stderr, "a refusal for the user name says which part: %r"
          % p.stderr)
    for i in range(2):
        p = cli("migrate")
        eq(p.returncode, 0, "migrate run %d: exit status (%s)"
           % (i + 1, p.stderr.strip()))
    rows = sql("SELECT COUNT(*), COUNT(DISTINCT version) FROM "
               "schema_migrations")
    eq(rows[0][0], rows[0][1], "schema_migrations holds a version twice")


@test
def cli_role_assign():
    """Org-scope and unit-scope assignments; a role holder owes MFA."""
    u = make_user()
    p = cli("role", "assign", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 0, "role assign at org scope: exit status (%s)"
       % p.stderr.strip())
    rows = sql("SELECT role, unit_id FROM role_assignments WHERE user_id = "
               "%s" % sqlq(u.id))
    eq(rows, [["helpdesk-administrator", None]], "role_assignments rows")
    p = cli("role", "assign", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 1, "the same org-scope role twice: exit status")
    p = cli("role", "assign", "--user", u.upn, "--role", "no-such-role")
    eq(p.returncode, 1, "an unknown role: exit status")
    Browser().login(u.upn, u.password, 303, "/account/mfa")
    p = cli("role", "revoke", "--user", u.upn, "--role",
            "helpdesk-administrator")
    eq(p.returncode, 0, "role revoke at org scope: exit status (%s)"
       % p.stderr.strip())
    eq(sql("SELECT COUNT(*) FROM role_assignments WHERE user_id = %s"
           % sqlq(u.id)), [["0"]], "role_assignments after revoke")
    Browser().login(u.upn, u.password, 303, "/")
    v = make_user(role="password-administrator")
    eq(sql("SELECT COUNT(*) FROM role_assignments WHERE user_id = %s AND "
           "unit_id IS NOT NULL" % sqlq(v.id)), [["1"]],
       "unit-scope role_assignments rows")
    Browser().login(v.upn, v.password, 303, "/account/mfa")


@test
def demo_organisation():
    """staffdesk-admin demo builds what it says, consistently, and a
    second run with more people adds only them."""
    def counts():
        return sql("SELECT (SELECT COUNT(*) FROM users WHERE upn LIKE "
                   "'user%@demo.example'), (SELECT COUNT(*) FROM users WHERE "
                   "upn LIKE 'manager%@demo.example'), (SELECT COUNT(*) FROM "
                   "phones p JOIN users u ON u.id = p.user_id WHERE u.upn "
                   "LIKE '%@demo.example'), (SELECT COUNT(*) FROM "
                   "role_assignments r JOIN users u ON u.id = r.user_id "
                   "WHERE u.upn LIKE '%@demo.example')")[0]

    def expect(staff, units, what):
        # every tenth person (i % 10 == 9) has no mobile; one manager per
        # location, plus 2 org-scope admins
        eq(counts(), [str(staff), str(units), str(staff - (staff + 1) // 10),
                      str(units + 2)], "staff, managers, mobiles, roles " +
           what)

    # The suite may run again on the same stack (or on `make run`'s, which
    # has a demo): start from what is there. 43 more: the last insert of
    # each kind is a short one.
    before, units = (int(x) for x in counts()[:2])
    units = max(units, 3)
    n = before + 43
    out = cli_ok("demo", "--units", "3", "--users", str(n))
    check("manager001@demo.example" in out, "demo output: %r" % out)
    expect(n, units, "after the first run")
    per = sql("SELECT COUNT(*) FROM unit_members m JOIN users u ON u.id = "
              "m.user_id WHERE u.upn LIKE 'user%@demo.example' GROUP BY "
              "u.id")
    eq(len(per), n, "staff in a location")
    check(all(1 <= int(x[0]) <= 3 for x in per), "locations per person: %r"
          % per)
    roles = sql("SELECT u.upn, r.role, un.name FROM role_assignments r "
                "JOIN users u ON u.id = r.user_id JOIN units un ON un.id = "
                "r.unit_id WHERE u.upn IN ('manager001@demo.example', "
                "'manager002@demo.example', 'manager003@demo.example') "
                "ORDER BY u.upn")
    eq(roles, [["manager%03d@demo.example" % i,
                "authentication-administrator", "Store %03d" % i]
               for i in (1, 2, 3)], "the managers' roles")
    phone_counts_agree()
    list_copies_agree()
    Browser().login("user00001@demo.example", "Staffdesk-Demo-2026")
    b = signed_in(add_manager("helpdesk-administrator"))
    rows = [x for x in search_rows(b, "user00017@demo")]
    eq([x["upn"] for x in rows], ["user00017@demo.example"],
       "search for a demo person's UPN")
    cli_ok("demo", "--units", "3", "--users", str(n + 7))
    expect(n + 7, units, "after a second run with 7 more")
    phone_counts_agree()
    list_copies_agree()


@test
def cli_links_no_fastcgi():
    """Layers point one way: staffdesk-admin is built without the request
    code, so it names no FastCGI symbol; the web binary does."""
    def fcgx(binary):
        p = subprocess.run(["nm", "-u", os.path.join(ROOT, "bin", binary)],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode == 0, "nm -u bin/%s: %s" % (binary, p.stderr))
        return [l.split()[-1] for l in p.stdout.splitlines()
                if "FCGX_" in l]
    eq(fcgx("staffdesk-admin"), [], "FastCGI symbols in staffdesk-admin")
    check(fcgx("staffdesk.fcgi"), "staffdesk.fcgi names no FCGX_ symbol "
          "(is nm looking at the right binary?)")


@test
def demo_refuses_a_foreign_store():
    """A location of the demo's name that is not the demo's (a sync's
    "Store 001") is refused by name, and nothing of the demo is left."""
    while True:
        k = 900 + secrets.randbelow(100)
        name = "Store %03d" % k
        if not sql("SELECT 1 FROM units WHERE name = %s" % sqlq(name)):
            break
    cli_ok("unit", "add", "--name", name)
    before = sql("SELECT COUNT(*) FROM units")
    p = cli("demo", "--units", str(k), "--users", "1")
    eq(p.returncode, 1, "demo's exit status")
    # (the name: this one, or an earlier foreign one, a sync's Store 001)
    check(re.search(r"a location named Store \d+ exists and is not the "
                    r"demo's", p.stderr), "demo said: %r" % p.stderr)
    eq(sql("SELECT COUNT(*) FROM units"), before, "locations after")
