"""staffdesk-admin import / export: people from an HR export in CSV."""

import json
import os
import re
import tempfile

from lib import *  # noqa: F401,F403

HEAD = "upn,display_name,email,mobile,source,units"


def csv_file(text, name="people.csv", raw=None):
    """A file holding text (UTF-8) or the bytes raw; its path."""
    d = tempfile.mkdtemp(prefix="bb-csv-", dir=VAR)
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(raw if raw is not None else text.encode("utf-8"))
    return path


def imp(path, *flags):
    return cli("import", path, *flags)


def summary(p):
    """The counts of an import's summary line on stdout."""
    m = re.search(r"(\d+) rows, (\d+) changed \((\d+) created, (\d+) "
                  r"updated\), (\d+) unchanged, (\d+) bad, (\d+) locations "
                  r"created", p.stdout)
    check(m, "no summary line: stdout %r, stderr %r" % (p.stdout, p.stderr))
    keys = ("rows", "changed", "created", "updated", "unchanged", "bad",
            "units")
    return dict(zip(keys, map(int, m.groups())))


def person(upn):
    rows = sql("SELECT display_name, email, job_title, source, given_name "
               "FROM users WHERE upn = %s" % sqlq(upn))
    return rows[0] if rows else None


def phones(upn):
    return dict(sql("SELECT p.type, p.number FROM phones p JOIN users u ON "
                    "u.id = p.user_id WHERE u.upn = %s" % sqlq(upn)))


def units_of(upn):
    return sorted(r[0] for r in sql(
        "SELECT n.name FROM unit_members m JOIN units n ON n.id = m.unit_id "
        "JOIN users u ON u.id = m.user_id WHERE u.upn = %s" % sqlq(upn)))


def mobile():
    """A mobile number no one has."""
    return "+1555%07d" % (secrets.randbelow(10 ** 7))


@test
def import_csv_quoting():
    """A BOM, CRLF, quoted commas, doubled quotes and a line break in a
    field; then the same file again changes nothing."""
    a, b, c = uniq("imp"), uniq("imp"), uniq("imp")
    ma, mc = mobile(), mobile()
    store = "Import Store, %s" % RUN
    text = (HEAD + ",job_title,given_name\r\n"
            '%s,"Lee, Ann",%s,"%s",cloud,"%s; Import Annex %s",'
            '"Line one\r\nline two",Ann\r\n'
            '%s,"Bob ""Bobby"" Smith",,,onprem,"%s",,\r\n'
            '%s,Cat Jones,,%s,,,"=1+2",\r\n') % (
        a, a, ma[:2] + " " + ma[2:5] + "-" + ma[5:], store, RUN,
        b, store, c, mc)
    path = csv_file(None, raw=b"\xef\xbb\xbf" + text.encode("utf-8"))
    p = imp(path)
    eq(p.returncode, 0, "import: exit status (%s)" % p.stderr.strip())
    s = summary(p)
    eq((s["rows"], s["created"], s["bad"]), (3, 3, 0), "import counts")
    eq(person(a), ["Lee, Ann", a, "Line one line two", "cloud", "Ann"],
       "the first person (quoted comma, line break folded)")
    eq(person(b)[0], 'Bob "Bobby" Smith', "doubled quotes")
    eq(person(b)[3], "onprem", "source")
    p = imp(csv_file("%s\n%s,Bob Smith,,,,\n" % (HEAD, b)))
    eq(summary(p)["updated"], 1, "a change of name")
    eq(person(b)[3], "onprem", "no source: as it was")
    eq(imp(path).returncode, 0, "the first file again")
    eq(person(c)[2], "=1+2", "a formula-looking job title is kept as text")
    eq(person(c)[3], "cloud", "no source: cloud for someone new")
    eq(phones(a), {"mobile": ma}, "the mobile, normalised to E.164")
    eq(units_of(a), sorted([store, "Import Annex %s" % RUN]),
       "memberships of the first person")
    eq(units_of(b), [store], "memberships of the second")
    eq(units_of(c), [], "no units: no memberships")
    p = imp(path)
    eq(p.returncode, 0, "second import: exit (%s)" % p.stderr.strip())
    check(" 0 changed " in p.stdout, "second import: %r" % p.stdout)
    eq(summary(p)["unchanged"], 3, "second import: unchanged")


@test
def import_csv_bad_rows():
    """Bad rows are reported as FILE:LINE (the line the record starts
    on) and nothing is imported; --skip-bad imports the others."""
    m_held = mobile()
    cli_ok("user", "add", "--upn", uniq("holder"), "--name", "Holder",
           "--mobile", m_held)
    good1, good2, dup, dup2 = uniq("ok"), uniq("ok"), uniq("dup"), uniq("d2")
    m_twice = mobile()
    lines = [
        HEAD,                                                   # 1
        '%s,"Multi\nline name",,,,' % good1,                    # 2-3
        'not-an-upn,Nobody,,,,',                                # 4
        '%s,Bad Phone,,12345,,' % uniq("bp"),                   # 5
        '%s,Dup One,,,,' % dup,                                 # 6
        '%s,Dup Two,,,,' % dup.upper(),                         # 7
        '%s,Takes Held,,%s,,' % (uniq("th"), m_held),           # 8
        '%s,Twice One,,%s,,' % (good2, m_twice),                # 9
        '%s,Twice Two,,%s,,' % (uniq("tw"), m_twice),           # 10
        '%s,Short,,' % uniq("sh"),                              # 11
        '%s,Bad Source,,,ldap,' % uniq("bs"),                   # 12
        '%s,Bad First,,123,,' % dup2,                           # 13
        '%s,Dup After Bad,,,,' % dup2,                          # 14
    ]
    path = csv_file("\n".join(lines) + "\n")
    before = sql("SELECT COUNT(*) FROM users")
    p = imp(path)
    eq(p.returncode, 1, "import with bad rows: exit status")
    got = sorted(int(m.group(1)) for m in
                 re.finditer(re.escape(path) + r":(\d+): ", p.stderr))
    eq(got, [4, 5, 7, 8, 10, 11, 12, 13, 14], "the lines reported (%s)"
       % p.stderr)
    check("line 6" in p.stderr, "the duplicate names line 6: %r" % p.stderr)
    check("line 13" in p.stderr, "a UPN repeated after a bad row is not "
          "reported: %r" % p.stderr)
    check("belongs to" in p.stderr, "held mobile: %r"
          % p.stderr)
    eq(sql("SELECT COUNT(*) FROM users"), before, "users after a refusal")
    eq(person(good1), None, "a good row of a refused file")
    rows = sql("SELECT result, reason, client FROM audit_log WHERE action = "
               "'cli.import' AND target_name = %s" % sqlq(path))
    eq(rows, [["failure", "bad_rows", "cli"]], "the refusal's audit row")
    p = imp(path, "--skip-bad")
    eq(p.returncode, 0, "--skip-bad: exit (%s)" % p.stderr.strip())
    s = summary(p)
    eq((s["rows"], s["created"], s["bad"]), (12, 3, 9), "--skip-bad counts")
    eq(person(dup2), None, "a UPN whose first row was bad")
    eq(person(good1)[0], "Multi line name", "a good row with --skip-bad")
    eq(person(dup)[0], "Dup One", "the first of two rows with one UPN")
    eq(phones(good2), {"mobile": m_twice}, "the first row with a mobile")


@test
def import_csv_dry_run():
    """--dry-run says what would change and changes nothing."""
    u = uniq("dry")
    store = "Dry Store %s" % RUN
    path = csv_file("%s\n%s,Dry Run,,%s,,%s\n" % (HEAD, u, mobile(), store))
    p = imp(path, "--dry-run")
    eq(p.returncode, 0, "dry run: exit (%s)" % p.stderr.strip())
    check(p.stdout.startswith("dry run"), "dry run says so: %r" % p.stdout)
    s = summary(p)
    eq((s["created"], s["units"]), (1, 1), "dry run counts")
    eq(person(u), None, "the person after a dry run")
    eq(sql("SELECT COUNT(*) FROM units WHERE name = %s" % sqlq(store)),
       [["0"]], "the location after a dry run")
    eq(sql("SELECT COUNT(*) FROM audit_log WHERE action = 'cli.import' AND "
           "target_name = %s" % sqlq(path)), [["0"]], "audit of a dry run")
    p = imp(path)
    eq(summary(p)["created"], 1, "the real run after the dry run")
    rows = sql("SELECT result, client, actor_upn, details FROM audit_log "
               "WHERE action = 'cli.import' AND target_name = %s"
               % sqlq(path))
    eq(len(rows), 1, "one audit row for the import")
    eq(rows[0][:2], ["success", "cli"], "the audit row")
    d = json.loads(rows[0][3])
    eq((d["rows"], d["created"], d["locationsCreated"]), (1, 1, 1),
       "the audit row's counts")
    p = imp(path, "--dry-run")
    check(" 0 changed " in p.stdout, "dry run of a done file: %r" % p.stdout)


@test
def import_csv_memberships_exact():
    """The units column sets memberships to exactly its list; a column
    not in the file leaves its field as it is."""
    u = uniq("mem")
    a, b, c = ("Mem %s %s" % (x, RUN) for x in "ABC")
    cli_ok("unit", "add", "--name", a)
    path = csv_file("%s,job_title\n%s,Mem Ber,,,,%s;%s,Clerk\n"
                    % (HEAD, u, a, b))
    eq(imp(path).returncode, 0, "first import")
    eq(units_of(u), sorted([a, b]), "memberships after the first")
    path = csv_file("%s\n%s,Mem Ber,,,,%s;%s\n" % (HEAD, u, b.upper(), c))
    p = imp(path)
    eq(p.returncode, 0, "second import (%s)" % p.stderr.strip())
    eq(summary(p)["updated"], 1, "second import: updated")
    eq(units_of(u), sorted([b, c]), "memberships: exactly the list, a name "
       "in another case is the same location")
    eq(person(u)[2], "Clerk", "job_title not in the file: kept")
    path = csv_file("%s\n%s,Mem Ber,,,,\n" % (HEAD, u))
    eq(imp(path).returncode, 0, "third import")
    eq(units_of(u), [], "an empty units field: no memberships")


@test
def import_csv_mobile_moves():
    """A mobile number may move to another person when the holder's own
    row gives it up, in either order."""
    x, y = uniq("mv"), uniq("mv")
    m1, m2 = mobile(), mobile()
    path = csv_file("%s\n%s,Mo Ver,,%s,,\n%s,Why Not,,%s,,\n"
                    % (HEAD, x, m1, y, m2))
    eq(imp(path).returncode, 0, "first import")
    path = csv_file("%s\n%s,Mo Ver,,%s,,\n%s,Why Not,,%s,,\n"
                    % (HEAD, x, m2, y, m1))
    p = imp(path)
    eq(p.returncode, 0, "the swap (%s)" % p.stderr.strip())
    eq((phones(x), phones(y)), ({"mobile": m2}, {"mobile": m1}),
       "mobiles after the swap")


@test
def import_csv_header():
    """An unknown or missing column refuses the file, naming it."""
    path = csv_file("%s,shoe_size\n%s,A,,,,,42\n" % (HEAD, uniq("hd")))
    p = imp(path)
    eq(p.returncode, 1, "unknown column: exit")
    check(("%s:1: unknown column 'shoe_size'" % path) in p.stderr,
          "unknown column: %r" % p.stderr)
    eq(len(p.stderr.strip().splitlines()), 1, "unknown column: one line "
       "(%r)" % p.stderr)
    p = imp(csv_file(None, raw=b"\xef\xbb\xbf\r\n"))
    eq(p.returncode, 1, "an empty file: exit")
    check("no header" in p.stderr, "an empty file: %r" % p.stderr)
    path = csv_file("upn,display_name\n%s,A\n" % uniq("hd"))
    p = imp(path)
    eq(p.returncode, 1, "missing columns: exit")
    check("no column email" in p.stderr, "missing column: %r" % p.stderr)
    path = csv_file('%s\n%s,"open\n' % (HEAD, uniq("hd")))
    p = imp(path)
    eq(p.returncode, 1, "not CSV: exit")
    check(("%s:2: " % path) in p.stderr, "not CSV: %r" % p.stderr)
    path = csv_file('%s\n%s,=HYPERLINK("x"),,,,\n' % (HEAD, uniq("hd")))
    p = imp(path)
    check(p.returncode == 1 and "a quote inside a field" in p.stderr and
          "strict" not in p.stderr, "a stray quote: %r" % p.stderr)
    eq(cli("import").returncode, 2, "import without a file: usage")


@test
def export_import_round_trip():
    """export --users writes the import's format; importing it back
    changes nothing."""
    u = uniq("rt")
    path = csv_file("%s,office,alternate_mobile,department\n"
                    '%s,"=Round, ""Trip""",%s,%s,onprem,Trip %s,'
                    '+1 425 555 0100 x12,%s,-Dept\n'
                    % (HEAD, u, u, mobile(), RUN, mobile()))
    eq(imp(path).returncode, 0, "the import")
    out = csv_file("", name="export.csv")
    p = cli("export", "--users", out)
    eq(p.returncode, 0, "export: exit (%s)" % p.stderr.strip())
    fresh = out + ".new"
    p = cli("export", "--users", fresh)
    eq((p.returncode, os.stat(fresh).st_mode & 0o777), (0, 0o600),
       "a new export file: exit and mode (everyone's personal data)")
    os.unlink(fresh)
    with open(out, "rb") as f:
        data = f.read()
    check(data.startswith(b"\xef\xbb\xbf" + b"upn,display_name,email,mobile,"
                          b"source,units,"), "export header: %r" % data[:80])
    line = [l for l in data.decode().split("\r\n") if l.startswith(u + ",")]
    eq(len(line), 1, "the person's line in the export")
    check("\"'=Round, \"\"Trip\"\"\"" in line[0] and ",'+1" in line[0] and
          ",'-Dept" in line[0], "formula cells defused: %r" % line[0])
    p = imp(out)
    eq(p.returncode, 0, "re-import of the export (%s)" % p.stderr.strip())
    check(" 0 changed " in p.stdout, "round trip: %r" % p.stdout)
    eq(person(u)[0], '=Round, "Trip"', "the name after the round trip")
    p = cli("export", "--users")
    check(p.returncode == 0 and u in p.stdout, "export to stdout")
