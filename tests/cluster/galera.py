"""What staffdesk must hold on a Galera cluster, through two app hosts: a
schema Galera can replicate, a session made through one host good on the
other, the manager's journey through both with each audit row once (on
every node), one winner of two resets from two hosts, counters two hosts
count at once, and the locks that must span nodes."""

import concurrent.futures
import glob
import re
import threading

from lib import *  # noqa: F401,F403
from people import (add_unit, add_manager, member, reset_path, version_of,
                    errors_of, temp_of, fresh_mobile, TAG)  # noqa: F401
from clib import (NODES, base_of, figure, node_cnf, node_sql, on_every_node,
                  wsrep, cli_at, signed_in_at)


def same_everywhere(query, what):
    """The query's rows, which every node must give alike."""
    rows = on_every_node(query)
    eq(len(rows), len(NODES), "%s: nodes that answered" % what)
    first = rows[NODES[0]]
    for i in NODES[1:]:
        eq(rows[i], first, "%s on node %d (node %d: %r)" % (what, i,
                                                            NODES[0], first))
    return first


@test
def schema_fits_galera():
    """Three synced nodes with row-based replication; every table InnoDB
    with a primary key (Galera replicates rows by key: a table without
    one is refused or copied wrongly), the same tables, triggers and
    migrations on every node; no GET_LOCK, RELEASE_LOCK or LOCK TABLES
    in the program or its migrations (they hold on one node only)."""
    for i in NODES:
        eq(wsrep(i, "wsrep_cluster_size"), "3", "node %d: cluster size" % i)
        eq(wsrep(i, "wsrep_local_state_comment"), "Synced",
           "node %d: state" % i)
        eq(node_sql(i, "SELECT @@binlog_format, @@innodb_autoinc_lock_mode,"
                    " @@wsrep_on"), [["ROW", "2", "1"]],
           "node %d: binlog_format, innodb_autoinc_lock_mode, wsrep_on" % i)
    eq(sql("SELECT t.table_name FROM information_schema.tables t WHERE "
           "t.table_schema = 'staffdesk' AND (t.engine <> 'InnoDB' OR NOT "
           "EXISTS (SELECT 1 FROM information_schema.table_constraints c "
           "WHERE c.table_schema = t.table_schema AND c.table_name = "
           "t.table_name AND c.constraint_type = 'PRIMARY KEY'))"), [],
       "tables that are not InnoDB or have no primary key")
    tables = same_everywhere("SELECT table_name FROM information_schema."
                             "tables WHERE table_schema = 'staffdesk' "
                             "ORDER BY 1", "tables")
    check(["cluster_locks"] in tables, "no cluster_locks table (sql/016)")
    same_everywhere("SELECT trigger_name, action_statement FROM "
                    "information_schema.triggers WHERE trigger_schema = "
                    "'staffdesk' ORDER BY 1", "triggers")
    same_everywhere("SELECT version FROM schema_migrations ORDER BY 1",
                    "migrations")
    bad = re.compile(r"GET_LOCK|RELEASE_LOCK|IS_USED_LOCK|LOCK\s+TABLES",
                     re.I)
    found = []
    for path in glob.glob(os.path.join(ROOT, "cgi", "**", "*.[ch]"),
                          recursive=True) + \
            glob.glob(os.path.join(ROOT, "sql", "*.sql")):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if bad.search(line) and not line.lstrip().startswith(
                        ("--", "*", "/*")):
                    found.append("%s:%d" % (os.path.relpath(path, ROOT), n))
    eq(found, [], "lines that take a lock Galera does not replicate")


def as_app(i, query):
    """(exit status, stderr) of query on node i over TCP as the masters'
    account, its password from A's config in a client file of mode 0600
    (not on a command line)."""
    conf = open(os.path.join(VAR, "a", "staffdesk.conf")).read()
    pw = re.search(r"^db_password = (.*)$", conf, re.M)
    check(pw, "no db_password in host A's config")
    port = re.search(r"^port = (\d+)$", open(node_cnf(i)).read(), re.M)
    cnf = os.path.join(VAR, "app-client.cnf")
    fd = os.open(cnf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client]\nhost = 127.0.0.1\nport = %s\nuser = staffdesk\n"
                "password = %s\n" % (port.group(1), pw.group(1)))
    try:
        p = subprocess.run(["mariadb", "--defaults-file=" + cnf,
                            "staffdesk", "-e", query], capture_output=True,
                           text=True, timeout=30)
    finally:
        os.unlink(cnf)
    return p.returncode, p.stderr.strip()


def privileges(grant):
    """The set of privileges a GRANT ... ON `db`.* line names."""
    m = re.match(r"GRANT (.*) ON `staffdesk`\.\* TO ", grant)
    check(m, "not a grant on the database: %r" % grant)
    return set(x.strip() for x in m.group(1).split(","))


@test
def accounts_as_production():
    """The masters work with the accounts `staffdesk-admin setup-db`
    makes, run once through host A (tests/cluster.sh), and Galera gave
    them to every node with the privileges setup-db said it granted (its
    log), those of the app's account short of any DDL: a CREATE TABLE as
    it is refused on every node. Every trigger and procedure was created
    by the migrating account (`migrate` ran as it). The other tests then
    show these grants are enough under Galera."""
    with open(os.path.join(VAR, "log", "setup-db.log")) as f:
        said = {who: set(x.strip() for x in privs.split(","))
                for who, privs in re.findall(
                    r"account (\w+)@127\.0\.0\.1 \(([A-Z ,]+)\)", f.read())}
    eq(sorted(said), ["staffdesk", "staffdesk_migrate"], "the accounts "
       "setup-db made")
    check(not said["staffdesk"] & {"ALL PRIVILEGES", "CREATE", "ALTER",
                                   "DROP", "INDEX", "TRIGGER"},
          "setup-db gave the app's account DDL: %r" % said["staffdesk"])
    for i in NODES:
        for who, want in said.items():
            got = [r[0] for r in node_sql(i, "SHOW GRANTS FOR '%s'@"
                                          "'127.0.0.1'" % who)]
            check(len(got) == 2 and got[0].startswith("GRANT USAGE ON *.* "
                  "TO `%s`@`127.0.0.1`" % who), "node %d: %s's grants: %r"
                  % (i, who, got))
            eq(privileges(got[1]), want, "node %d: %s's privileges on the "
               "database" % (i, who))
        rc, err = as_app(i, "CREATE TABLE t_app_may_not (id INT PRIMARY "
                         "KEY) ENGINE=InnoDB")
        check(rc != 0 and "CREATE command denied" in err, "node %d: CREATE "
              "TABLE as the app's account: exit %d, %r" % (i, rc, err))
        rc, err = as_app(i, "SELECT COUNT(*) FROM users")
        eq((rc, err), (0, ""), "node %d: a SELECT as the app's account" % i)
    definers = same_everywhere(
        "SELECT definer FROM information_schema.triggers WHERE "
        "trigger_schema = 'staffdesk' UNION SELECT definer FROM "
        "information_schema.routines WHERE routine_schema = 'staffdesk'",
        "definers")
    eq(definers, [["staffdesk_migrate@127.0.0.1"]], "the definer of the "
       "triggers and procedures")


@test
def journey_across_hosts():
    """A manager signs in (password, authenticator) through host A and
    goes on through host B with the same cookie: the locations, a
    location, a person, a search, a reset (form on one host, POST on the
    other), a phone number added; signs out through A and the cookie is
    refused on B. The temporary password signs in through B. Each action
    leaves one audit row, the same on every node."""
    unit, uid = add_unit("Cluster Journey")
    m = add_manager("authentication-administrator", unit)
    t = member(unit, name="Tess Journey%s" % TAG)
    b = signed_in_at(m, "A")
    b.base = base_of("B")
    r = b.expect("GET", "/units", 303, "/units/%s" % uid)
    r = b.expect("GET", "/units/%s" % uid, 200)
    check(t.name in r.body, "B's list of the location lacks %s" % t.name)
    b.expect("GET", "/users/%s" % t.id, 200)
    b.base = base_of("A")
    r = b.expect("GET", "/search?q=Journey%s" % TAG, 200)
    check(t.name in r.body, "A's search does not find %s" % t.name)
    path = reset_path(t.id)
    r = b.expect("GET", path, 200)
    f = {"version": version_of(r)}
    b.base = base_of("B")
    b.expect("POST", path, 303, path + "/done", fields=f)
    b.base = base_of("A")
    temp = temp_of(b.expect("GET", path + "/done", 200))
    number = fresh_mobile()
    b.expect("GET", "/users/%s/phone" % t.id, 200)
    b.base = base_of("B")
    b.expect("POST", "/users/%s/phone" % t.id, 303, fields={
        "type": "mobile", "number": number, "action": "save"})
    b.base = base_of("A")
    b.expect("GET", "/account", 200)
    token = b.token()
    b.expect("POST", "/logout", 303)
    gone_b = with_token(token)
    gone_b.base = base_of("B")
    r = gone_b.get("/units/%s" % uid)
    check(r.status == 303 and r.location.startswith("/login"),
          "the signed-out cookie on host B: %s" % desc(r))
    s = Browser(base=base_of("B"))
    s.login(t.upn, temp, 303, "/account/password")
    want = [("signin.password", "success"), ("signin.mfa", "success"),
            ("user.password.reset", "success"), ("user.phone.add",
                                                  "success"),
            ("signout", "success")]
    rows = same_everywhere("SELECT action, result FROM audit_log WHERE "
                           "actor_id = %s ORDER BY action" % sqlq(m.id),
                           "the manager's audit rows")
    eq(sorted(tuple(x) for x in rows), sorted(want),
       "the manager's audit rows (one each)")
    eq(same_everywhere("SELECT number FROM phones WHERE user_id = %s"
                       % sqlq(t.id), "the phone"), [[number]],
       "the number saved through B")


@test
def resets_race_across_hosts():
    """Two managers, one on each host, reset the same person at the same
    moment, six times: one wins, the other is told the password changed
    meanwhile (422), and both are audited (success, and failure
    changed_meanwhile), as on one host. The winner's temporary password
    is the one that signs in."""
    unit, _ = add_unit("Cluster Race")
    m1 = add_manager("helpdesk-administrator", unit)
    m2 = add_manager("helpdesk-administrator", unit)
    b1, b2 = signed_in_at(m1, "A"), signed_in_at(m2, "B")
    for rnd in range(6):
        t = member(unit)
        path = reset_path(t.id)
        forms = []
        for b in (b1, b2):
            r = b.expect("GET", path, 200)
            forms.append(({"version": version_of(r)}, r.csrf()))
        go = threading.Barrier(2)

        def post(k):
            go.wait()
            b = (b1, b2)[k]
            return b.post(path, forms[k][0], csrf=forms[k][1])

        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(post, range(2)))
        won = [k for k in range(2) if rs[k].status == 303]
        eq(len(won), 1, "round %d: the resets that won (%s)" % (
            rnd, [desc(x) for x in rs]))
        lost = 1 - won[0]
        eq(rs[lost].status, 422, "round %d: the other reset" % rnd)
        check(any("changed" in e for e in errors_of(rs[lost])),
              "round %d: the other page does not say it changed meanwhile:"
              " %r" % (rnd, errors_of(rs[lost])))
        winner, loser = (m1, m2)[won[0]], (m1, m2)[lost]
        eq(sorted(tuple(x) for x in same_everywhere(
            "SELECT CAST(actor_id AS CHAR), result, reason FROM audit_log "
            "WHERE action = 'user.password.reset' AND target_id = %s"
            % sqlq(t.id), "round %d: reset rows" % rnd)),
           sorted([(winner.id, "success", None),
                   (loser.id, "failure", "changed_meanwhile")]),
           "round %d: the audit rows of both" % rnd)
        temp = temp_of((b1, b2)[won[0]].expect("GET", path + "/done", 200))
        Browser(base=base_of(("B", "A")[won[0]])).login(
            t.upn, temp, 303, "/account/password")


def conflicts():
    """Transactions the nodes failed in certification or aborted for
    another node's change, so far."""
    return sum(int(wsrep(i, v) or 0) for i in NODES for v in
               ("wsrep_local_cert_failures", "wsrep_local_bf_aborts"))


ADDRS = 8                   # counters_two_hosts: client addresses


@test
def counters_two_hosts():
    """1,000 wrong passwords at once, half through each host (16
    connections), for 25 people 40 each, from 8 addresses, each used by
    one connection through A and one through B: every one is answered
    422, and the counters read exactly 1,000 on every node: each
    address's hourly failures (rate_limits: 124 or 126, what its two
    connections sent), the people's failed_signins
    (40 each; the lockout threshold is raised to 50 meanwhile so none
    locks, and the address limit to 1,000,000) and their audit rows. An
    increment lost to two nodes writing at once would show as less.
    (Eight addresses, not one: nginx lets 201 sign-in POSTs from one
    address through at once, as the production site does.)"""
    people = [make_user(prefix="cnt") for _ in range(25)]
    saved = {k: cli_ok("settings", "get", k).strip() for k in
             ("lockout.threshold", "signin.ip_failures_per_hour")}
    addrs = [loopback_addr() for _ in range(ADDRS)]
    keys = ", ".join(sqlq("signin-fail:" + a) for a in addrs)
    try:
        cli_ok("settings", "set", "lockout.threshold", "50")
        cli_ok("settings", "set", "signin.ip_failures_per_hour", "1000000")
        sql("DELETE FROM rate_limits WHERE `key` IN (%s)" % keys)
        tries = [people[k % 25] for k in range(1000)]
        results = []
        lock = threading.Lock()

        def run(n):
            host = ("A", "B")[n % 2]
            for u in tries[n::16]:
                b = From(addrs[n // 2], ua="cnt-%d" % n, base=base_of(host))
                try:
                    b.get("/login", checked=False)
                    r = b.post("/login", {"username": u.upn,
                                          "password": "Wrong-" +
                                          u.password}, checked=False)
                    st = r.status
                except Exception as e:
                    st = type(e).__name__
                with lock:
                    results.append((host, st))

        t0 = time.time()
        c0 = conflicts()
        with concurrent.futures.ThreadPoolExecutor(16) as ex:
            list(ex.map(run, range(16)))
        took = time.time() - t0
        bad = [x for x in results if x[1] != 422]
        figure("counters: 1000 wrong passwords through 2 hosts, 16 "
               "connections, %d addresses, in %.1f s; %d transactions "
               "failed certification or were aborted by another node's "
               "change, and were retried; %d not answered 422: %r"
               % (ADDRS, took, conflicts() - c0, len(bad), bad[:5]))
        eq(len(results), 1000, "answers")
        eq(bad, [], "answers other than 422")
        eq(sorted(same_everywhere("SELECT `key`, count FROM rate_limits "
                                  "WHERE `key` IN (%s) ORDER BY 1" % keys,
                                  "the addresses' failures")),
           sorted([["signin-fail:" + a, str(sum(
               len(tries[n::16]) for n in (2 * k, 2 * k + 1)))]
               for k, a in enumerate(addrs)]),
           "the addresses' failures counted (those of its two connections)")
        ids = ", ".join(sqlq(u.id) for u in people)
        eq(same_everywhere("SELECT failed_signins, COUNT(*) FROM users "
                           "WHERE id IN (%s) GROUP BY failed_signins"
                           % ids, "failed_signins"), [["40", "25"]],
           "failed_signins of the 25 (40 each)")
        eq(same_everywhere("SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'signin.password' AND reason = 'bad_password' "
                           "AND target_id IN (%s)" % ids, "audit rows"),
           [["1000"]], "audit rows of the failures")
    finally:
        for k, v in saved.items():
            cli_ok("settings", "set", k, v)
        sql("DELETE FROM rate_limits WHERE `key` IN (%s)" % keys)


def global_admins():
    return sorted(x[0] for x in sql(
        "SELECT CAST(user_id AS CHAR) FROM role_assignments WHERE role = "
        "'global-administrator' AND unit_id IS NULL"))


@test
def locks_span_nodes():
    """The locks that must hold across nodes do: `sms flush` through node
    1 finds the lease taken on node 3 and does nothing; two revokes of
    the last two global administrators, one through each host's node,
    committing at the same moment (a trigger holds each until then),
    leave one, three times: FOR UPDATE locks on one node only, and the
    two write different rows, so without the turnstile both would
    go."""
    node_sql(3, "UPDATE cluster_locks SET holder = 'node3-flush', "
             "held_until = UTC_TIMESTAMP(6) + INTERVAL 30 SECOND WHERE "
             "name = 'sms.flush'")
    try:
        p = cli_at("A", "sms", "flush")
        eq(p.returncode, 1, "sms flush through node 1 while node 3's runs")
        check("another sms flush is running" in p.stderr, "it said %r"
              % p.stderr)
    finally:
        node_sql(2, "UPDATE cluster_locks SET holder = NULL, held_until = "
                 "UTC_TIMESTAMP(6) WHERE name = 'sms.flush'")
    p = cli_at("A", "sms", "flush")
    check("another sms flush" not in p.stderr, "sms flush once the lease "
          "was given back said %r" % p.stderr)
    g = [make_user(name="Gil Galera%d%s" % (k, TAG)) for k in range(2)]
    saved = global_admins()
    try:
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL")
        # each revoke, having counted the others, waits for one moment
        # the test sets, so both commit at once: Galera certifies
        # against rows written, and these two write different rows
        sql("CREATE TABLE t_revoke_at (id INT PRIMARY KEY, at DATETIME(6))"
            " ENGINE=InnoDB")
        sql("CREATE TRIGGER t_slow_revoke BEFORE DELETE ON role_assignments "
            "FOR EACH ROW DO IF(OLD.role = 'global-administrator', "
            "SLEEP(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, "
            "UTC_TIMESTAMP(6), (SELECT at FROM t_revoke_at)) / 1e6)), 0)")
        for rnd in range(3):
            for u in g:
                if u.id not in global_admins():
                    cli_ok("role", "assign", "--user", u.upn, "--role",
                           "global-administrator")
            eq(global_admins(), sorted(u.id for u in g), "round %d: "
               "the global administrators before" % rnd)
            sql("REPLACE INTO t_revoke_at VALUES (1, UTC_TIMESTAMP(6) + "
                "INTERVAL 1500000 MICROSECOND)")
            with concurrent.futures.ThreadPoolExecutor(2) as ex:
                ps = list(ex.map(lambda k: cli_at(
                    ("A", "B")[k], "role", "revoke", "--user", g[k].upn,
                    "--role", "global-administrator"), range(2)))
            codes = sorted(p.returncode for p in ps)
            left = same_everywhere(
                "SELECT CAST(user_id AS CHAR) FROM role_assignments WHERE "
                "role = 'global-administrator' AND unit_id IS NULL",
                "round %d: global administrators" % rnd)
            eq(len(left), 1, "round %d: global administrators left (exits "
               "%r: %r)" % (rnd, codes, [p.stderr.strip() for p in ps]))
            eq(codes, [0, 1], "round %d: exit statuses" % rnd)
    finally:
        sql("DROP TRIGGER IF EXISTS t_slow_revoke")
        sql("DROP TABLE IF EXISTS t_revoke_at")
        sql("DELETE FROM role_assignments WHERE role = "
            "'global-administrator' AND unit_id IS NULL")
        for uid in saved:
            sql("INSERT IGNORE INTO role_assignments (user_id, role, "
                "unit_id) VALUES (%s, 'global-administrator', NULL)"
                % sqlq(uid))


@test
def sms_limit_across_hosts():
    """Two people sign in by text at the same moment from one address,
    one through each host, with one text left for the address this hour
    (sms.per_ip_per_hour): one text goes, the other is refused
    (audited sms_limit_ip). A trigger holds each text's row until that
    moment, and the limits' lock rows already exist. The checks of an
    address lock its row, and a lock alone reaches no other node: the
    lock row is written (count + 1), so the two collide as on one
    server."""
    unit, _ = add_unit("Cluster Texts")
    people = [member(unit, mobile=fresh_mobile()) for _ in range(2)]
    numbers = [sql("SELECT number FROM phones WHERE user_id = %s"
                   % sqlq(u.id))[0][0] for u in people]
    saved = {k: cli_ok("settings", "get", k).strip() for k in
             ("sms.signin", "sms.per_ip_per_hour")}
    try:
        keys = ["ip:127.0.0.1"] + ["n:" + n for n in numbers] + \
            ["u:" + u.id for u in people]
        for k in keys:
            sql("INSERT IGNORE INTO rate_limits (`key`, window_start, "
                "count) VALUES (%s, UTC_TIMESTAMP(6), 0)" % sqlq("sms:" + k))
        sent = int(sql("SELECT COUNT(*) FROM sms_outbox WHERE ip = "
                       "'127.0.0.1' AND created_at > UTC_TIMESTAMP(6) - "
                       "INTERVAL 50 MINUTE")[0][0])
        cli_ok("settings", "set", "sms.signin", "all")
        cli_ok("settings", "set", "sms.per_ip_per_hour", str(sent + 1))
        sql("CREATE TABLE t_text_at (id INT PRIMARY KEY, at DATETIME(6)) "
            "ENGINE=InnoDB")
        sql("CREATE TRIGGER t_slow_text BEFORE INSERT ON sms_outbox FOR "
            "EACH ROW DO SLEEP(GREATEST(0, TIMESTAMPDIFF(MICROSECOND, "
            "UTC_TIMESTAMP(6), (SELECT at FROM t_text_at)) / 1e6))")
        sql("INSERT INTO t_text_at VALUES (1, UTC_TIMESTAMP(6) + INTERVAL "
            "1500000 MICROSECOND)")
        bs = [Browser(base=base_of(h)) for h in ("A", "B")]
        for b in bs:
            b.expect("GET", "/login/sms", 200)
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            rs = list(ex.map(lambda k: bs[k].post("/login/sms", {
                "phone": numbers[k]}), range(2)))
        eq([r.status for r in rs], [200, 200], "step 1 through A and B")
        eq(same_everywhere("SELECT COUNT(*) FROM sms_outbox WHERE number "
                           "IN (%s)" % ", ".join(sqlq(n) for n in numbers),
                           "texts"), [["1"]], "texts queued for the two")
        eq(sorted(tuple(x) for x in same_everywhere(
            "SELECT result, IFNULL(reason, '') FROM audit_log WHERE action "
            "= 'sms.code.send' AND target_id IN (%s)"
            % ", ".join(sqlq(u.id) for u in people), "sms.code.send rows")),
           [("failure", "sms_limit_ip"), ("success", "")],
           "the two attempts' audit rows")
    finally:
        sql("DROP TRIGGER IF EXISTS t_slow_text")
        sql("DROP TABLE IF EXISTS t_text_at")
        for k, v in saved.items():
            cli_ok("settings", "set", k, v)
