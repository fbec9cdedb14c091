"""onprem.writeback = ldap against the stack's own slapd (tests/stack.sh,
tests/ldap-seed.sh): a reset lands in the directory once, with its
must-change flag; the directory's policy refuses with its reason; a
directory that is down is a 503 and changes nothing; on-premises people
sign in by a bind; staffdesk keeps no copy of their password.

Each test takes seeded directory people (pNNNN@onprem.example) and gives
them a random password first, so the suite can run again on the same
stack; the settings it changes are put back in a finally.
"""

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403


def ldap_conf():
    conf = {}
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        for line in f:
            k, _, v = line.partition("=")
            if k.strip().startswith("ldap_"):
                conf[k.strip()] = v.strip()
    check("ldap_uri" in conf, "staffdesk.conf has no ldap_uri")
    return conf


def ldap_tool(tool, *args, stdin=None):
    c = ldap_conf()
    return subprocess.run([tool, "-x", "-H", c["ldap_uri"], "-o", "nettimeout=5"]
                          + list(args), input=stdin, capture_output=True,
                          text=True, timeout=30)


def service(tool, *args, stdin=None):
    """An ldap-utils tool bound as the service account."""
    c = ldap_conf()
    return ldap_tool(tool, "-D", c["ldap_bind_dn"], "-y",
                     c["ldap_bind_password_file"], *args, stdin=stdin)


def dn_of(upn):
    c = ldap_conf()
    p = service("ldapsearch", "-LLL", "-b", c["ldap_base_dn"],
                "(mail=%s)" % upn, "1.1")
    check(p.returncode == 0, "ldapsearch: %s" % p.stderr.strip())
    dns = [l[4:] for l in p.stdout.splitlines() if l.startswith("dn: ")]
    check(len(dns) == 1, "%s: %d entries in the directory" % (upn, len(dns)))
    return dns[0]


def attr(dn, name):
    p = service("ldapsearch", "-LLL", "-b", dn, "-s", "base",
                "(objectClass=*)", name)
    check(p.returncode == 0, "ldapsearch: %s" % p.stderr.strip())
    return [l.split(": ", 1)[1] for l in p.stdout.splitlines()
            if l.lower().startswith(name.lower() + ": ")]


def binds(dn, password):
    """True when the directory takes password for dn (ldapwhoami)."""
    p = ldap_tool("ldapwhoami", "-D", dn, "-w", password)
    if p.returncode not in (0, 49):
        raise Fail("ldapwhoami: exit %d: %s" % (p.returncode,
                                                p.stderr.strip()))
    return p.returncode == 0


def set_in_directory(dn, password):
    """Sets a password as an administrator would, in the directory."""
    p = service("ldappasswd", "-s", password, dn)
    check(p.returncode == 0, "ldappasswd: %s" % p.stderr.strip())


def dir_password():
    return "Granite-Heron-%06d-Ledge" % secrets.randbelow(10 ** 6)


_taken = set()


def dir_person(unit=None):
    """A seeded directory person, in staffdesk as source=onprem (made by
    the CLI, or left by an earlier run), with a fresh random directory
    password: (User, dn)."""
    while True:
        n = 11 + secrets.randbelow(280)
        if n not in _taken:
            _taken.add(n)
            break
    upn = "p%04d@onprem.example" % n
    if not sql("SELECT 1 FROM users WHERE upn = %s" % sqlq(upn)):
        cli_ok("user", "add", "--upn", upn, "--name", "Dir Person %04d" % n,
               "--source", "onprem")
    sql("UPDATE users SET enabled = 1, failed_signins = 0, locked_until = "
        "NULL, must_change_password = 0 WHERE upn = %s" % sqlq(upn))
    if unit:
        cli("unit", "add-member", "--unit", unit, "--user", upn)
    dn = dn_of(upn)
    pw = dir_password()
    set_in_directory(dn, pw)
    return User(upn, "Dir Person %04d" % n, pw), dn


class writeback_ldap:
    """onprem.writeback = ldap (and more settings) for a with block."""

    def __init__(self, **more):
        self.want = {"onprem.writeback": "ldap"}
        self.want.update({k.replace("__", "."): v for k, v in more.items()})

    def __enter__(self):
        self.old = {k: cli_ok("settings", "get", k).strip()
                    for k in self.want}
        for k, v in self.want.items():
            cli_ok("settings", "set", k, v)

    def __exit__(self, *exc):
        for k, v in self.old.items():
            cli("settings", "set", k, v)
        return False


def post_reset(b, uid, pw):
    path = reset_path(uid)
    r = b.expect("GET", path, 200)
    return b.post(path, {"version": version_of(r), "new_password": pw,
                         "confirm_password": pw})


@test
def ldap_reset_writes_directory():
    unit, _, m, b = manager_unit("Store Ldap", "helpdesk-administrator")
    with writeback_ldap():
        t, dn = dir_person(unit)
        tb = Browser()
        tb.login(t.upn, t.password, 303, "/")
        check(attr(dn, "pwdReset") == [], "pwdReset before the reset")
        mark = audit_mark()
        new = dir_password()
        r = post_reset(b, t.id, new)
        eq(r.status, 303, "an on-prem reset with writeback ldap")
        check(binds(dn, new), "ldapwhoami with the new password fails")
        check(not binds(dn, t.password), "the old password still binds")
        eq(attr(dn, "pwdReset"), ["TRUE"], "pwdReset after the reset")
        hash_, _, must = pw_state(t.id)
        eq(hash_, None, "staffdesk's password_hash of an on-prem person")
        eq(must, "1", "must_change_password after the reset")
        row = one_audit(mark, "the reset", action="user.password.reset",
                        target_id=t.id)
        eq(row["result"], "success", "result of the reset")
        eq(details(row).get("writeback"), "directory", "details.writeback")
        tb.expect("GET", "/account", 303, "/login?next=%2Faccount")
        # the person signs in with it, and must change it
        nb = Browser()
        nb.login(t.upn, new, 303, "/account/password")
        mine = dir_password()
        nb.expect("GET", "/account/password", 200)
        nb.expect("POST", "/account/password", 303, "/account?done=saved",
                  fields={"new_password": mine, "confirm_password": mine})
        check(binds(dn, mine), "the own change did not reach the directory")
        eq(attr(dn, "pwdReset"), [], "pwdReset after the own change")
        eq(pw_state(t.id)[0], None, "password_hash after the own change")
        # and once more, with the current password asked
        nb.expect("GET", "/account/password", 200)
        r = nb.post("/account/password", {"current_password": "Wrong-Pass-1x",
                                           "new_password": new,
                                           "confirm_password": new})
        eq(r.status, 422, "own change with a wrong current password")
        check(binds(dn, mine), "a refused own change changed the directory")
        no_secret_stored(new, "the reset password")
        no_secret_stored(mine, "the own new password")


@test
def ldap_reset_refused_by_directory():
    unit, _, m, b = manager_unit("Store LdapPolicy", "helpdesk-administrator")
    with writeback_ldap(onprem__policy__min_length="4",
                        onprem__policy__complexity="off"):
        t, dn = dir_person(unit)
        old = t.password
        cur = dir_password()
        set_in_directory(dn, cur)
        before = pw_state(t.id)
        for pw, want, reason in ((old, "used recently", "in history"),
                                 ("Ab1!x", "too short", "too short")):
            mark = audit_mark()
            r = post_reset(b, t.id, pw)
            eq(r.status, 422, "a reset to a password %s" % reason)
            errs = errors_of(r)
            check(any(want in e for e in errs), "%s: the page says %r"
                  % (reason, errs))
            check(pw not in r.body, "%s: the password is sent back" % reason)
            eq(pw_state(t.id), before, "staffdesk after a refusal (%s)"
               % reason)
            check(binds(dn, cur), "the directory's password changed (%s)"
                  % reason)
            check(not binds(dn, pw), "the refused password binds (%s)"
                  % reason)
            eq(attr(dn, "pwdReset"), [], "pwdReset after a refusal")
            row = one_audit(mark, "the refusal", action="user.password.reset",
                            target_id=t.id)
            eq((row["result"], row["reason"]), ("failure",
                                                "writeback_refused"),
               "audit of the refusal")
            check(want in details(row).get("why", ""), "details.why %r"
                  % row["details"])


def stop_slapd():
    pidfile = os.path.join(VAR, "run", "slapd.pid")
    with open(pidfile) as f:
        pid = int(f.read().strip())
    os.kill(pid, 15)
    for _ in range(300):
        if gone(pid):
            return
        time.sleep(0.1)
    raise Fail("slapd did not stop")


def start_slapd():
    port = urllib.parse.urlsplit(ldap_conf()["ldap_uri"]).port
    env = dict(os.environ, VAR=VAR, LDAP_PORT=str(port))
    p = subprocess.run([os.path.join(ROOT, "tests", "stack.sh"),
                        "ldap-start"], env=env, capture_output=True,
                       text=True, timeout=60)
    check(p.returncode == 0, "stack.sh ldap-start: %s" % p.stderr[-300:])


@test
def ldap_directory_down():
    unit, _, m, b = manager_unit("Store LdapDown", "helpdesk-administrator")
    with writeback_ldap():
        t, dn = dir_person(unit)
        cloud = member(unit)
        before = pw_state(t.id)
        r = b.expect("GET", reset_path(t.id), 200)
        v = version_of(r)
        stop_slapd()
        try:
            mark = audit_mark()
            new = dir_password()
            r = b.post(reset_path(t.id), {"version": v, "new_password": new,
                                          "confirm_password": new})
            eq(r.status, 503, "a reset while the directory is down")
            check("directory" in norm(r.body), "the 503 page does not name "
                  "the directory: %r" % norm(r.body)[:300])
            eq(pw_state(t.id), before, "staffdesk after the failed reset")
            row = one_audit(mark, "the failed reset",
                            action="user.password.reset", target_id=t.id)
            eq((row["result"], row["reason"]), ("failure",
                                                "writeback_unavailable"),
               "audit of the failed reset")
            # on-prem sign-in: 503 and not counted; cloud: unaffected
            ob = Browser()
            ob.get("/login")
            r = ob.post("/login", {"username": t.upn,
                                   "password": t.password})
            eq(r.status, 503, "an on-prem sign-in while the directory is "
               "down")
            check("directory" in norm(r.body), "the sign-in 503 does not "
                  "name the directory")
            eq(sql("SELECT failed_signins FROM users WHERE id = %s"
                   % sqlq(t.id))[0][0], "0", "failures counted while down")
            eq([x["reason"] for x in audit_rows(mark, action="signin.password",
                                                actor_upn=t.upn)],
               ["directory_unavailable"], "the sign-in's audit row")
            Browser().login(cloud.upn, cloud.password, 303, "/")
        finally:
            start_slapd()
        check(binds(dn, t.password), "the directory's password changed "
              "while it was down")
        Browser().login(t.upn, t.password, 303, "/")


@test
def ldap_signin_by_bind():
    with writeback_ldap():
        t, dn = dir_person()
        # a hash kept from before the directory held the password goes
        sql("UPDATE users SET password_hash = 'left-from-local' WHERE "
            "upn = %s" % sqlq(t.upn))
        Browser().login(t.upn, "left-from-local", 422)
        Browser().login(t.upn, t.password, 303, "/")
        eq(pw_state(t.id)[0], None, "password_hash after a sign-in by bind")
        fails = int(sql("SELECT failed_signins FROM users WHERE upn = %s"
                        % sqlq(t.upn))[0][0])
        Browser().login(t.upn, "Not-The-Password-1", 422)
        eq(int(sql("SELECT failed_signins FROM users WHERE upn = %s"
                   % sqlq(t.upn))[0][0]), fails + 1,
           "a wrong directory password is counted")
        # changed in the directory: works at once, the old one does not
        new = dir_password()
        set_in_directory(dn, new)
        Browser().login(t.upn, new, 303, "/")
        Browser().login(t.upn, t.password, 422)
        # a disabled account does not sign in, whatever the directory says
        cli_ok("user", "disable", "--upn", t.upn)
        try:
            Browser().login(t.upn, new, 422)
        finally:
            cli_ok("user", "enable", "--upn", t.upn)
        # no copy kept: the CLI refuses one for an on-prem person
        p = cli("user", "set-password", "--upn", t.upn, "--password-stdin",
                stdin=new + "\n")
        eq(p.returncode, 1, "user set-password of an on-prem person")
        check("directory" in p.stderr, "set-password refusal: %r" % p.stderr)
        p = cli("user", "add", "--upn", uniq("op"), "--name", "Op Person",
                "--source", "onprem", "--password-stdin", stdin=new + "\n")
        eq(p.returncode, 1, "user add --source onprem with a password")


@test
def ldap_upn_cannot_widen_filter():
    """A staffdesk UPN holding filter syntax is one value: p030* would
    match only p0300 as a wildcard, so an unescaped filter would sign
    its holder in with p0300's directory password."""
    with writeback_ldap():
        t, dn = dir_person()
        target = "p0300@onprem.example"
        tdn = dn_of(target)
        pw = dir_password()
        set_in_directory(tdn, pw)
        upn = "p030*@onprem.example"
        if not sql("SELECT 1 FROM users WHERE upn = %s" % sqlq(upn)):
            cli_ok("user", "add", "--upn", upn, "--name", "Wild Card",
                   "--source", "onprem")
        sql("UPDATE users SET failed_signins = 0, locked_until = NULL "
            "WHERE upn = %s" % sqlq(upn))
        Browser().login(upn, pw, 422)
        for name in ("p0300)(mail=*", "*"):
            u = "%s@onprem.example" % name
            Browser().login(u, pw, 422)


@test
def ldap_reset_recorded_when_db_fails():
    """The directory takes the password once; when the database then
    fails, the audit row is still written and the page says the
    directory has it."""
    unit, _, m, b = manager_unit("Store LdapOnce", "helpdesk-administrator")
    with writeback_ldap():
        t, dn = dir_person(unit)
        r = b.expect("GET", reset_path(t.id), 200)
        v = version_of(r)
        new = dir_password()
        mark = audit_mark()
        sql("DROP TRIGGER IF EXISTS t_fail_reset")
        try:
            sql("DELIMITER //\nCREATE TRIGGER t_fail_reset BEFORE UPDATE ON "
                "users FOR EACH ROW BEGIN IF NEW.id = %s AND "
                "NEW.password_version <> OLD.password_version THEN SIGNAL "
                "SQLSTATE '45000' SET MESSAGE_TEXT = 'test'; END IF; END//"
                % sqlq(t.id))
            r = b.post(reset_path(t.id), {"version": v, "new_password": new,
                                          "confirm_password": new})
        finally:
            sql("DROP TRIGGER IF EXISTS t_fail_reset")
        eq(r.status, 503, "a reset whose database update fails")
        check("directory has the new password" in norm(r.body),
              "the page does not say the directory has it: %r"
              % norm(r.body)[:400])
        check(binds(dn, new), "the directory lacks the new password")
        row = one_audit(mark, "the half-recorded reset",
                        action="user.password.reset", target_id=t.id)
        eq(row["result"], "success", "result of the half-recorded reset")
        eq(details(row).get("recorded"), False, "details.recorded")
        eq(row["actor_id"], m.id, "actor of the half-recorded reset")


def new_dir_person(unit=None, mobile=None):
    """A person added to the directory now (as the service account) and
    to staffdesk as source=onprem, with a directory password: (User, dn)."""
    upn = uniq("dir")
    uid = upn.split("@")[0]
    dn = "uid=%s,ou=Store 005,%s" % (uid, ldap_conf()["ldap_base_dn"])
    pw = dir_password()
    p = service("ldapadd", stdin="dn: %s\nobjectClass: inetOrgPerson\n"
                "uid: %s\ncn: New %s\nsn: %s\nmail: %s\nuserPassword: %s\n"
                % (dn, uid, uid, uid, upn, pw))
    check(p.returncode == 0, "ldapadd: %s" % p.stderr.strip())
    args = ["user", "add", "--upn", upn, "--name", "New Dir Person",
            "--source", "onprem"]
    if mobile:
        args += ["--mobile", mobile]
    cli_ok(*args)
    if unit:
        cli_ok("unit", "add-member", "--unit", unit, "--user", upn)
    return User(upn, "New Dir Person", pw), dn


@test
def ldap_sspr_writes_directory():
    """Self-service reset of an on-prem person with writeback ldap: the
    directory takes the new password (no must-change flag), staffdesk
    keeps no hash; the directory's history refuses with its reason."""
    from sspr import start, send, post, refresh
    from sms import age_texts
    age_texts()
    number = fresh_mobile()
    t, dn = new_dir_person(mobile=number)
    old = t.password
    cur = dir_password()
    set_in_directory(dn, cur)
    with writeback_ldap(sms__sspr="on"):
        b = Browser()
        start(b, t.upn)
        code = send(b, number)
        post(b, "/reset/code", {"code": code}, 200, "the code")
        r = post(b, "/reset/password", {"new_password": old,
                 "confirm_password": old}, 422, "a password in history")
        check("used recently" in (r.id_text("error") or ""),
              "the directory's reason: %r" % r.id_text("error"))
        check(binds(dn, cur), "a refused SSPR changed the directory")
        new = dir_password()
        r = refresh(b) or b.last
        tok = b.last.csrf()
        # the same form sent twice at once: the flow is claimed before
        # the directory is written, so one goes and the other is 403
        from concurrent.futures import ThreadPoolExecutor
        mark = audit_mark()
        with ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(lambda _: b.post("/reset/password", {
                "new_password": new, "confirm_password": new}, csrf=tok,
                checked=False), range(2)))
        eq(sorted(x.status for x in rs), [200, 403], "two submits at once")
        eq(len(audit_rows(mark, action="user.password.reset",
                          target_id=t.id, result="success")), 1,
           "successful reset rows")
        check(binds(dn, new), "the directory lacks the SSPR password")
        eq(attr(dn, "pwdReset"), [], "pwdReset after a self-service reset")
        eq(pw_state(t.id)[0], None, "password_hash after SSPR")
        Browser().login(t.upn, new, 303, "/")
        no_secret_stored(new, "the SSPR password")
