"""Faults under load: 16 connections through nginx (both hosts) signing
in, viewing pages and resetting passwords while a Galera node is killed
(and rejoins by IST), then while one app host is killed. What failed is
counted; the service must be back within 5 s; every sign-in and reset
answered as done has exactly one audit row, and none has two. Then a
node cut off from the others (running, out of the primary component)."""

from lib import *  # noqa: F401,F403
from people import add_unit, member, TAG  # noqa: F401
from clib import (NODES, Load, app_links, base_of, cluster_sh, failures,
                  figure, kill_host, kill_node, node_sql, node_up,
                  on_every_node, rate, reconcile, reload_host, signed_in_at,
                  wsrep)

CONNS = 16
STEADY = 8          # seconds of load before the fault
AFTER = 15          # and after it
RECOVERY = 5.0      # seconds within which the service must be back

_crew = {}


def crew():
    """16 managers (helpdesk administrators of one location) signed in,
    two people each to reset, a staff member each to sign in: made once,
    for both fault tests."""
    if not _crew:
        unit, uid = add_unit("Cluster Load")
        out = []
        for n in range(CONNS):
            u = make_user(totp=True, prefix="load")
            cli_ok("role", "assign", "--user", u.upn, "--role",
                   "helpdesk-administrator", "--unit", unit)
            targets = [member(unit, name="Tess Load%d%s%s" % (n, k, TAG)).id
                       for k in "ab"]
            staff = make_user(prefix="staff")
            out.append((signed_in_at(u), targets, staff))
        _crew["unit"] = uid
        _crew["crew"] = out
    return _crew["crew"], _crew["unit"]


def under_load(fault, what):
    """Runs the load, fault() after STEADY seconds (it returns the time
    of the fault), AFTER seconds more; checks and writes the figures.
    Returns the ops."""
    people, uid = crew()
    load = Load(people, uid)
    load.start()
    try:
        time.sleep(STEADY)
        t_fault = fault()
        time.sleep(AFTER)
    finally:
        ops = load.finish()
    t_end = max(o.t1 for o in ops)
    failed = failures(ops)
    after = [o for o in failed if o.t1 >= t_fault]
    before = [o for o in failed if o.t1 < t_fault]
    last = max((o.t1 for o in after), default=t_fault)
    kinds = {}
    for o in failed:
        kinds["%s:%s" % (o.kind, o.status)] = kinds.get(
            "%s:%s" % (o.kind, o.status), 0) + 1
    in_doubt = reconcile(ops)
    figure("%s: %d requests in %.0f s from %d connections; %.0f req/s "
           "before, %.0f in the 5 s after, %.0f after that; %d failed "
           "(%s), the last %.2f s after the fault; %d failed yet "
           "committed (in doubt, answered 503/502, audited once)"
           % (what, len(ops), t_end - ops[0].t0, CONNS,
              rate(ops, t_fault - STEADY + 1, t_fault),
              rate(ops, t_fault, t_fault + RECOVERY),
              rate(ops, t_fault + RECOVERY, t_end), len(failed),
              ", ".join("%s %d" % kv for kv in sorted(kinds.items()))
              or "none", last - t_fault, in_doubt))
    eq(before, [], "%s: requests that failed before the fault" % what)
    check(last - t_fault <= RECOVERY, "%s: requests still failed %.2f s "
          "after the fault: %r" % (what, last - t_fault, after[-5:]))
    late = [o for o in ops if o.t0 >= t_fault + RECOVERY]
    check(len(late) > 50, "%s: only %d requests after the recovery"
          % (what, len(late)))
    return ops


def nodes_agree(what):
    """Every node holds the same rows in the tables the load wrote."""
    q = ("SELECT (SELECT COUNT(*) FROM audit_log), (SELECT MAX(id) FROM "
         "audit_log), (SELECT COUNT(*) FROM sessions), (SELECT "
         "SUM(CRC32(CONCAT_WS('|', id, password_version, failed_signins)))"
         " FROM users)")
    rows = on_every_node(q)
    eq(len(rows), len(NODES), "%s: nodes that answered" % what)
    for i in NODES[1:]:
        eq(rows[i], rows[NODES[0]], "%s: node %d against node %d (audit "
           "rows, last id, sessions, users' checksum)" % (what, i,
                                                         NODES[0]))


@test
def node_killed_under_load():
    """kill -9 of node 1 (host A's own node) under load: A's workers move
    to node 2 (the next of its db_host), the cluster goes on with two;
    only requests in flight fail, none after 5 s; node 1 restarted
    rejoins by IST (the writesets it missed, no full copy) and every
    node agrees."""
    log = os.path.join(VAR, "node1", "log", "mariadb.log")
    crew()
    # each host on its own node, as after a reload: A's workers on node 1
    for h in ("A", "B"):
        reload_host(h)
    end = time.time() + 10
    while app_links(1) < 2 and time.time() < end:
        time.sleep(0.2)
    check(app_links(1) >= 2, "host A's workers are not on node 1 (%d "
          "links)" % app_links(1))
    try:
        under_load(lambda: kill_node(1), "node 1 killed")
    except Exception:
        cluster_sh("node-start", "1")   # the next tests want 3 nodes
        raise
    for i in (2, 3):
        eq(wsrep(i, "wsrep_cluster_size"), "2", "node %d: cluster size "
           "with node 1 gone" % i)
    # host A alone still answers, from node 2
    r = Browser(base=base_of("A")).get("/healthz", checked=False)
    eq((r.status, r.body), (200, "ok\n"), "host A's /healthz without its "
       "node")
    with open(os.path.join(VAR, "log", "staffdesk-a.log")) as f:
        check(re.search(r"db: connected to 127\.0\.0\.1:\d+, server 2 of "
                        r"db_host", f.read()), "host A's log does not say "
                        "it moved to the second server of db_host")
    size = os.path.getsize(log)
    t0 = time.time()
    cluster_sh("node-start", "1")
    took = time.time() - t0
    with open(log, errors="replace") as f:
        f.seek(size)
        text = f.read()
    # an IST still runs the SST script, which says which it did
    ist = re.search(r"Receiving IST: (\d+) writesets", text)
    sst = "SST completed on joiner" in text
    figure("node 1 restarted and rejoined in %.1f s by %s%s" % (
        took, "IST" if ist and not sst else "SST",
        " (%s writesets)" % ist.group(1) if ist else ""))
    check(ist and not sst, "node 1 did not rejoin by IST (log since the "
          "restart: %r)" % text[-1500:])
    for i in NODES:
        eq(wsrep(i, "wsrep_cluster_size"), "3", "node %d: cluster size "
           "after the rejoin" % i)
    nodes_agree("after node 1's rejoin")


@test
def host_killed_under_load():
    """kill -9 of host A (its master and workers at once) under load:
    nginx sends what A refuses to B; only requests A had taken fail, none
    after 5 s; A started again serves on its own port and through the
    upstream."""
    check(all(node_up(i) for i in NODES), "a node is down before the test")
    try:
        under_load(lambda: kill_host("A"), "host A killed")
    except Exception:
        cluster_sh("master-start", "A")
        raise
    own_page(Browser(base=base_of("A")).get("/healthz", checked=False), 503,
             "Try again in a few seconds", hsts=False, retry_after="5")
    cluster_sh("master-start", "A")
    r = Browser(base=base_of("A")).get("/healthz", checked=False)
    eq((r.status, r.body), (200, "ok\n"), "host A's /healthz once started")
    people, uid = crew()
    b = people[0][0]
    b.base = base_of("A")
    b.expect("GET", "/units/%s" % uid, 200)
    nodes_agree("after host A's restart")


def wait_for(what, cond, secs):
    end = time.time() + secs
    while not cond():
        check(time.time() < end, "%s: not within %d s" % (what, secs))
        time.sleep(0.2)


@test
def node_cut_off():
    """Node 1 cut off from the others (gmcast.isolate, as a network split
    leaves a node: running, but out of the primary component, answering
    1047, or a lock wait timeout at once for a prepared statement): host
    A, whose workers were on it, goes on from node 2, so sign-ins and a
    manager's pages through A alone are all answered as they should be;
    node 1 let back in is synced again."""
    people, uid = crew()
    b, targets, staff = people[1]
    reload_host("A")
    wait_for("host A's workers on node 1", lambda: app_links(1) >= 2, 10)
    log = os.path.join(VAR, "log", "staffdesk-a.log")
    size = os.path.getsize(log)
    node_sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
    try:
        wait_for("node 1 out of the primary component",
                 lambda: wsrep(1, "wsrep_cluster_status") != "Primary", 15)
        t0 = time.time()
        b.base = base_of("A")
        got = []
        for k in range(10):
            s = Browser(base=base_of("A"))
            s.get("/login")
            got.append(("wrong", s.post("/login", {
                "username": staff.upn, "password": "Wrong-" +
                staff.password}).status))
            s = Browser(base=base_of("A"))
            s.get("/login")
            got.append(("right", s.post("/login", {
                "username": staff.upn, "password": staff.password}).status))
            got.append(("page", b.get("/units/%s" % uid).status))
        figure("node 1 cut off: 30 requests through host A alone in %.1f "
               "s, %d answered otherwise than wanted"
               % (time.time() - t0, sum(1 for w, st in got if st !=
                                        {"wrong": 422, "right": 303,
                                         "page": 200}[w])))
        eq([x for x in got if x[1] != {"wrong": 422, "right": 303,
                                        "page": 200}[x[0]]], [],
           "answers through host A with its node cut off")
        with open(log) as f:
            f.seek(size)
            text = f.read()
        check(re.search(r"server 2 of db_host", text), "host A's log does "
              "not say it moved to node 2: %r" % text[-1000:])
    finally:
        node_sql(1, "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
        wait_for("node 1 synced again",
                 lambda: wsrep(1, "wsrep_local_state") == "4", 120)
    for i in NODES:
        eq(wsrep(i, "wsrep_cluster_size"), "3", "node %d: cluster size "
           "after node 1 is let back" % i)
