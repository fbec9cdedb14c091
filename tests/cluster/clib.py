"""Helpers of the cluster suite: the hosts and nodes of tests/cluster.sh,
SQL on one node or on every node, a node or a host killed and started
again, the load the fault tests run, and the figures they write.

tests/cluster.sh puts node N's client config in VAR/nodeN/my.cnf, master
A's and B's configs in VAR/a and VAR/b; nginx serves both masters on
PORT, A alone on PORT + 1 and B alone on PORT + 2.
"""

import collections
import itertools
import os
import signal
import subprocess
import threading
import time

import lib
from lib import (Browser, Fail, check, eq, sqlq, totp_now)  # noqa: F401

NODES = (1, 2, 3)


def base_of(host):
    """The URL of host "A" or "B" alone, or of both (None)."""
    off = {None: 0, "A": 1, "B": 2}[host]
    return "http://%s:%d" % (lib.HOST, lib.PORT + off)


def figure(line):
    """Appends a measured figure to VAR/log/cluster.txt and prints it."""
    os.makedirs(os.path.join(lib.VAR, "log"), exist_ok=True)
    with open(os.path.join(lib.VAR, "log", "cluster.txt"), "a") as f:
        f.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                           time.gmtime()), line))
    print("  figure: %s" % line, flush=True)


def node_cnf(i):
    return os.path.join(lib.VAR, "node%d" % i, "my.cnf")


def node_sql(i, query, timeout=30):
    """Rows of a query on node i (lists of strings, NULL as None)."""
    p = subprocess.run(["mariadb", "--defaults-file=" + node_cnf(i),
                        "--batch", "--skip-column-names", "--raw",
                        "staffdesk", "-e", query], capture_output=True,
                       text=True, timeout=timeout)
    check(p.returncode == 0, "mariadb on node %d: %s" % (i,
                                                         p.stderr.strip()))
    return [[None if c == "NULL" else c for c in line.split("\t")]
            for line in p.stdout.splitlines()]


def node_pid(i):
    try:
        with open(os.path.join(lib.VAR, "node%d" % i, "run",
                               "mariadbd.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def node_up(i):
    pid = node_pid(i)
    return pid is not None and not lib.gone(pid)


def sql_up(query):
    """Rows of a query on the first node that runs."""
    for i in NODES:
        if node_up(i):
            return node_sql(i, query)
    raise Fail("no node of the cluster runs")


def on_every_node(query):
    """{node: rows} of a query on every running node."""
    return {i: node_sql(i, query) for i in NODES if node_up(i)}


def wsrep(i, name):
    rows = node_sql(i, "SHOW STATUS LIKE %s" % sqlq(name))
    return rows[0][1] if rows else None


def cluster_sh(*args, timeout=600):
    env = dict(os.environ, VAR=lib.VAR, PORT=str(lib.PORT))
    p = subprocess.run([os.path.join(lib.ROOT, "tests", "cluster.sh")] +
                       list(args), capture_output=True, text=True, env=env,
                       timeout=timeout)
    check(p.returncode == 0, "tests/cluster.sh %s: exit %d: %s" % (
        " ".join(args), p.returncode, p.stderr.strip()[-2000:]))
    return p


def cli_at(host, *args, stdin=None):
    """staffdesk-admin with master A's or B's config (so on its node
    first)."""
    env = dict(os.environ, STAFFDESK_CONF=os.path.join(
        lib.VAR, host.lower(), "staffdesk.conf"))
    return subprocess.run([os.path.join(lib.ROOT, "bin", "staffdesk-admin")]
                          + list(args), input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def master_pid(host):
    with open(os.path.join(lib.VAR, host.lower(), "run",
                           "staffdesk.pid")) as f:
        return int(f.read().strip())


def reload_host(host):
    """SIGHUP to a master: new workers, which connect to the first node
    of its db_host (as `systemctl reload staffdesk` after a node's
    return). Waits for its /healthz."""
    os.kill(master_pid(host), signal.SIGHUP)
    time.sleep(0.5)
    end = time.time() + 20
    while time.time() < end:
        try:
            if Browser(base=base_of(host)).get("/healthz",
                                               checked=False).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise Fail("host %s did not answer after SIGHUP" % host)


def app_links(i):
    """The app's connections to node i (its MariaDB account's)."""
    return int(node_sql(i, "SELECT COUNT(*) FROM information_schema."
                        "PROCESSLIST WHERE USER = 'staffdesk'")[0][0])


def kill_host(host):
    """SIGKILL to a master and its workers at once (its process group,
    tests/cluster.sh starts each under setsid): the host is gone, as a
    machine that stops. Returns the time of the kill."""
    pid = master_pid(host)
    t = time.time()
    os.killpg(pid, signal.SIGKILL)
    return t


def kill_node(i):
    """SIGKILL to node i's mariadbd. Returns the time of the kill."""
    pid = node_pid(i)
    check(pid is not None, "node %d has no pid" % i)
    t = time.time()
    os.kill(pid, signal.SIGKILL)
    end = time.time() + 10
    while not lib.gone(pid) and time.time() < end:
        time.sleep(0.05)
    return t


def signed_in_at(u, host=None):
    """A browser of u (a role holder with a TOTP secret) through host
    after the password and the TOTP step."""
    b = Browser(base=base_of(host))
    b.login(u.upn, u.password, 303, "/login/mfa")
    b.mfa(totp_now(u.secret), "totp", 303, "/")
    return b


Op = collections.namedtuple("Op", "t0 t1 kind ua status")


class Load:
    """conns threads through base (both hosts unless told), each with its
    own manager (signed in), two people to reset and a staff member to
    sign in, looping: the location's page, a search, a staff sign-in, a
    profile, a reset. Every request has a user agent of its own, so its
    audit row (sign-ins, resets) can be found: a failure is an op whose
    answer is not the one wanted, or no answer. Each thread signs its
    staff member in from a loopback address of its own, as a store
    would: nginx limits sign-in POSTs per address (the production
    site's burst of 200), which 16 threads from one would pass."""

    KINDS = ("units", "search", "signin", "user", "reset")
    _runs = itertools.count(1)

    def __init__(self, crew, unit_id, base=None):
        self.tag = "%s.%d" % (lib.RUN, next(Load._runs))
        self.crew = crew            # [(browser, targets, staff)]
        self.unit_id = unit_id
        self.base = base or base_of(None)
        self.addrs = [lib.loopback_addr() for _ in crew]
        self.ops = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []

    def record(self, t0, kind, ua, status):
        with self.lock:
            self.ops.append(Op(t0, time.time(), kind, ua, status))

    def one(self, n, i, b, targets, staff):
        kind = self.KINDS[i % len(self.KINDS)]
        ua = "load-%s-%d-%d-%s" % (self.tag, n, i, kind)
        t0 = time.time()
        status = None
        try:
            if kind == "units":
                b.ua = ua
                status = b.get("/units/%s" % self.unit_id,
                               checked=False).status
                status = "ok" if status == 200 else status
            elif kind == "search":
                b.ua = ua
                status = b.get("/search?q=tess", checked=False).status
                status = "ok" if status == 200 else status
            elif kind == "user":
                b.ua = ua
                status = b.get("/users/%s" % targets[i % 2],
                               checked=False).status
                status = "ok" if status == 200 else status
            elif kind == "signin":
                s = lib.From(self.addrs[n], ua=ua, base=self.base)
                s.get("/login", checked=False)
                r = s.post("/login", {"username": staff.upn,
                                      "password": staff.password},
                           checked=False)
                status = "ok" if r.status == 303 else r.status
            else:
                path = "/users/%s/reset-password" % targets[i % 2]
                b.ua = ua + "-form"
                r = b.get(path, checked=False)
                if r.status != 200:
                    status = "form-%s" % r.status
                else:
                    v = [x.attrs.get("value")
                         for x in r.page.inputs("version")]
                    b.ua = ua
                    r = b.post(path, {"version": v[0]}, checked=False)
                    status = "ok" if r.status == 303 else r.status
        except Exception as e:      # no answer: the link broke
            status = "%s" % type(e).__name__
        self.record(t0, kind, ua, status)

    def run(self, n, b, targets, staff):
        b.base = self.base
        i = 0
        while not self.stop.is_set():
            self.one(n, i, b, targets, staff)
            i += 1

    def start(self):
        for n, (b, targets, staff) in enumerate(self.crew):
            th = threading.Thread(target=self.run, args=(n, b, targets,
                                                         staff))
            th.daemon = True
            th.start()
            self.threads.append(th)

    def finish(self):
        self.stop.set()
        for th in self.threads:
            th.join(60)
        return list(self.ops)


def failures(ops):
    return [o for o in ops if o.status != "ok"]


def audited(kind, uas):
    """{ua: rows} of the audit rows that sign-in or reset ops (by their
    user agents) left, on the first node that runs."""
    action = {"signin": "signin.password", "reset": "user.password.reset"}
    out = collections.Counter()
    uas = list(uas)
    for k in range(0, len(uas), 500):
        part = uas[k:k + 500]
        rows = sql_up("SELECT user_agent, COUNT(*) FROM audit_log WHERE "
                      "action = %s AND result = 'success' AND user_agent "
                      "IN (%s) GROUP BY user_agent"
                      % (sqlq(action[kind]),
                         ", ".join(sqlq(u) for u in part)))
        for ua, n in rows:
            out[ua] = int(n)
    return out


def reconcile(ops):
    """Each sign-in and reset answered as done left exactly one audit
    row, none left two, and one without an answer at most one. Returns
    (rows of ops that failed yet committed, their number)."""
    lost, doubled, in_doubt = [], [], 0
    for kind in ("signin", "reset"):
        mine = [o for o in ops if o.kind == kind]
        rows = audited(kind, (o.ua for o in mine))
        for o in mine:
            n = rows.get(o.ua, 0)
            if n > 1:
                doubled.append((o.ua, n))
            elif o.status == "ok" and n != 1:
                lost.append(o.ua)
            elif o.status != "ok" and n == 1:
                in_doubt += 1
    check(not doubled, "audit rows doubled: %r" % doubled[:10])
    check(not lost, "requests answered as done without their audit row: "
          "%r" % lost[:10])
    return in_doubt


def rate(ops, t0, t1):
    """Ops finished per second between t0 and t1."""
    n = sum(1 for o in ops if t0 <= o.t1 < t1)
    return n / max(t1 - t0, 1e-9)
