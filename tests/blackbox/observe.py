"""Observable (issue 14): the log (one key=value line per request and per
event, control characters escaped, no secret), the request id (nginx's
when it passes one, answered as X-Request-Id, in the log line and the
audit row) and GET /metrics (Prometheus text, parsed strictly here;
counters shared by the workers; refused outside metrics_allow).

The tests that kill workers or change metrics_allow use a private master
(process.py), so the stack under test is left as it was. Its counters
count from the master's start, so those tests compare before and after.
"""

import contextlib
import json
import math
import select
import signal
import socket
import struct
import threading

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403
from limits import From, loopback_addr, own_address
from process import private_master, wait_until, children


HEX32 = re.compile(r"^[0-9a-f]{32}$")
UUIDISH = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


# The log ---------------------------------------------------------------------

# logfmt as log.h writes it: a bare value is printable ASCII but space,
# '"', '=' and '\'; a quoted one has no raw '"', '\' or control character
# (C0, DEL, C1, U+2028/9), only the escapes log.h names.
_BARE = r'[!#-<>-\[\]-~]+'
_QUOTED = (r'"(?:[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029]|\\["\\nrt]|'
           r'\\x[0-9a-f]{2}|\\u[0-9a-f]{4})*"')
_FIELD = re.compile(r'([a-z_]+)=(%s|%s)' % (_QUOTED, _BARE))
_UNESC = re.compile(r'\\(["\\nrt]|x[0-9a-f]{2}|u[0-9a-f]{4})')


def _unquote(v):
    if not v.startswith('"'):
        return v

    def one(m):
        e = m.group(1)
        return {'"': '"', "\\": "\\", "n": "\n", "r": "\r",
                "t": "\t"}.get(e) or chr(int(e[1:], 16))
    return _UNESC.sub(one, v[1:-1])


def parse_line(line):
    """The fields of one log line (a dict, values unescaped); fails on a
    line that is not key=value pairs separated by single spaces."""
    out, pos = {}, 0
    while True:
        m = _FIELD.match(line, pos)
        check(m is not None, "not a key=value log line at %d: %r"
              % (pos, line))
        check(m.group(1) not in out, "field %s twice in %r"
              % (m.group(1), line))
        out[m.group(1)] = _unquote(m.group(2))
        pos = m.end()
        if pos == len(line):
            break
        check(line[pos] == " ", "fields not separated by one space at "
              "%d: %r" % (pos, line))
        pos += 1
    for k in ("time", "level", "prog", "pid"):
        check(k in out, "no %s= in %r" % (k, line))
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$",
                   out["time"]), "time=%r" % out["time"])
    check(out["level"] in ("error", "warn", "info", "debug"),
          "level=%r" % out["level"])
    check(out["pid"].isdigit(), "pid=%r" % out["pid"])
    return out


def log_path(var=None):
    return os.path.join(var or VAR, "log", "staffdesk.log")


def log_mark(var=None):
    return os.path.getsize(log_path(var))


def log_since(mark, var=None):
    """The lines written after mark (raw text, strictly UTF-8)."""
    with open(log_path(var), "rb") as f:
        f.seek(mark)
        data = f.read()
    text = data.decode("utf-8")     # the log is always UTF-8
    check(text == "" or text.endswith("\n"), "the log ends in a half line")
    return text.splitlines()


def request_line(rid, mark, var=None, secs=10):
    """The one request line of request rid after mark (the worker writes
    it once the answer has gone: waited for)."""
    def found():
        got = [parse_line(l) for l in log_since(mark, var)
               if "request_id=" + rid in l]
        got = [f for f in got if "route" in f]
        return got or None
    got = wait_until(found, secs, "the log line of request %s" % rid)
    eq(len(got), 1, "request lines of %s" % rid)
    return got[0]


def rid_of(r):
    rid = r.header("X-Request-Id")
    check(rid is not None and HEX32.match(rid), "%s: X-Request-Id %r"
          % (desc(r), rid))
    return rid


# /metrics --------------------------------------------------------------------

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
_TYPES = ("counter", "gauge", "histogram")


def _labels(s, line):
    out, pos = {}, 0
    while pos < len(s):
        m = _LABEL.match(s, pos)
        check(m is not None, "bad labels in %r" % line)
        check(m.group(1) not in out, "label %s twice in %r"
              % (m.group(1), line))
        out[m.group(1)] = re.sub(r'\\(.)', lambda x: {"n": "\n"}.get(
            x.group(1), x.group(1)), m.group(2))
        pos = m.end()
        if pos < len(s):
            check(s[pos] == ",", "labels not separated by ',' in %r" % line)
            pos += 1
            check(pos < len(s), "a ',' after the last label in %r" % line)
    return out


def parse_metrics(text):
    """Parses the text exposition format strictly: every line is # HELP,
    # TYPE or a sample; each family has HELP and TYPE once, before its
    samples; no series twice; counters and buckets are whole and not
    negative; each histogram's buckets are cumulative in increasing le,
    end in +Inf, and +Inf equals _count. Returns {(name, ((label,
    value), ...)): value}."""
    check(text.endswith("\n"), "the exposition does not end in a newline")
    helped, typed, series = set(), {}, {}
    for line in text[:-1].split("\n"):
        check(line != "", "an empty line in the exposition")
        if line.startswith("# HELP "):
            name, _, help_ = line[7:].partition(" ")
            check(help_ and name not in helped and name not in typed,
                  "HELP %r (twice, after TYPE or empty)" % line)
            helped.add(name)
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            check(kind in _TYPES, "TYPE %r" % line)
            check(name in helped and name not in typed, "TYPE %r without "
                  "HELP before it, or twice" % line)
            typed[name] = kind
            continue
        check(not line.startswith("#"), "a comment line %r" % line)
        m = _SAMPLE.match(line)
        check(m is not None, "not an exposition line: %r" % line)
        name, labels = m.group(1), _labels(m.group(2) or "", line)
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and typed.get(name[:-len(suffix)]) \
                    == "histogram":
                fam = name[:-len(suffix)]
        check(fam in typed, "a sample of %s before its TYPE" % fam)
        check(typed[fam] != "histogram" or fam != name,
              "a histogram's sample without a suffix: %r" % line)
        check(("le" in labels) == name.endswith("_bucket") and
              typed[fam] == "histogram" or "le" not in labels,
              "le where it does not belong: %r" % line)
        try:
            v = float(m.group(3))
        except ValueError:
            raise Fail("not a number: %r" % line)
        check(not math.isnan(v) and v >= 0, "a value below 0: %r" % line)
        if typed[fam] == "counter" or name.endswith(("_bucket", "_count")):
            check(v == int(v), "a count that is not whole: %r" % line)
        key = (name, tuple(sorted(labels.items())))
        check(key not in series, "a series twice: %r" % line)
        series[key] = v
    for fam, kind in typed.items():
        if kind != "histogram":
            continue
        groups = {}
        for (name, labels), v in series.items():
            if name == fam + "_bucket":
                rest = tuple(l for l in labels if l[0] != "le")
                groups.setdefault(rest, []).append(
                    (float(dict(labels)["le"]), v))
        for rest, buckets in groups.items():
            les = [le for le, _ in buckets]
            check(les == sorted(les) and les[-1] == math.inf,
                  "%s%s: le %r" % (fam, rest, les))
            counts = [v for _, v in sorted(buckets)]
            check(counts == sorted(counts), "%s%s: buckets not cumulative: "
                  "%r" % (fam, rest, counts))
            eq(series.get((fam + "_count", rest)), counts[-1],
               "%s%s: _count against le=+Inf" % (fam, rest))
            check((fam + "_sum", rest) in series, "%s%s: no _sum"
                  % (fam, rest))
    return series


def scrape(base=None, browser=None):
    b = browser or Browser(base=base)
    r = b.get("/metrics", checked=False)
    eq(r.status, 200, "GET /metrics: %s" % desc(r))
    eq(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8",
       "the exposition's Content-Type")
    return parse_metrics(r.body)


def val(series, name, **labels):
    return series.get((name, tuple(sorted(labels.items()))), 0)


def requests_of(series, route, status):
    return val(series, "staffdesk_http_requests_total", route=route,
               status=str(status))


def stack_workers():
    with open(os.path.join(VAR, "staffdesk.conf")) as f:
        m = re.search(r"^workers = (\d+)$", f.read(), re.M)
    return int(m.group(1)) if m else 4


# FastCGI by hand: parameters nginx would never send -------------------------

def fastcgi(sock, params, timeout=TIMEOUT):
    """One FastCGI request (responder, no body) on the unix socket sock
    with params (bytes values allowed); returns (headers dict, body)."""
    def record(kind, content):
        return struct.pack(">BBHHBB", 1, kind, 1, len(content), 0, 0) + \
            content

    def pair(k, v):
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        out = b""
        for n in (len(k), len(v)):
            out += bytes([n]) if n < 128 else struct.pack(">I", n | 1 << 31)
        return out + k + v
    body = b"".join(pair(k, v) for k, v in params.items())
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock)
        s.sendall(record(1, struct.pack(">HB5x", 1, 0)) + record(4, body) +
                  record(4, b"") + record(5, b""))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    out, pos = b"", 0
    while pos + 8 <= len(data):
        _, kind, _, n, pad, _ = struct.unpack(">BBHHBB", data[pos:pos + 8])
        if kind == 6:
            out += data[pos + 8:pos + 8 + n]
        pos += 8 + n + pad
    head, _, rest = out.partition(b"\r\n\r\n")
    headers = {}
    for l in head.decode("utf-8", "replace").split("\r\n"):
        k, _, v = l.partition(":")
        headers[k.strip().lower()] = v.strip()
    return headers, rest


def stack_sock():
    return os.path.join(VAR, "run", "staffdesk.sock")


@contextlib.contextmanager
def row_locked(upn, secs=8):
    """The user row of upn held FOR UPDATE by another session for secs
    (or until the block ends), as ops.db_lock_held holds one."""
    hold = subprocess.Popen(
        ["mariadb", "--defaults-file=" + mycnf(), "--unbuffered", "-N",
         "staffdesk", "-e",
         "START TRANSACTION; SELECT id FROM users WHERE upn = %s FOR "
         "UPDATE; SELECT 'locked'; SELECT SLEEP(%d); COMMIT;"
         % (sqlq(upn), secs)], stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
    try:
        check(select.select([hold.stdout], [], [], 30)[0],
              "the lock was not taken in 30 s")
        eq([hold.stdout.readline().strip() for _ in range(2)][1], "locked",
           "the holder's answer (its id, then locked)")
        yield
    finally:
        hold.kill()
        hold.wait()


def lock_waits():
    """UPDATEs of users waiting for their row, from the process list.
    (INNODB_TRX polled every 50 ms showed no LOCK WAIT in the 4 s the
    sign-in waited, on every run since the merges, while one look after
    1.5 s showed it: not understood, so not relied on.)"""
    return int(sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                   "WHERE command <> 'Sleep' AND state = 'Updating' AND "
                   "info LIKE 'UPDATE users %'")[0][0])


# Tests -----------------------------------------------------------------------

@test
def observe_metrics_exposition():
    """GET /metrics parses strictly; requests count under their route's
    pattern (never a raw id or path), per status; the latency histogram
    moves with them; workers alive is the configured number."""
    before = scrape()
    uid = sql("SELECT UUID()")[0][0]
    b = Browser()
    for _ in range(3):
        eq(b.get("/users/%s" % uid).status, 303, "GET /users/{id} signed out")
    probe = "zz%s" % secrets.token_hex(4)
    for path in ("/users/12345", "/%s" % probe, "/users/%s/nope" % uid):
        eq(b.get(path).status, 404, "GET %s" % path)
    after = scrape()
    eq(requests_of(after, "/users/{id}", 303) -
       requests_of(before, "/users/{id}", 303), 3, "/users/{id} 303s")
    check(requests_of(after, "other", 404) -
          requests_of(before, "other", 404) >= 3, "unknown paths as other")
    hist = "staffdesk_http_request_duration_seconds_count"
    eq(val(after, hist, route="/users/{id}") -
       val(before, hist, route="/users/{id}"), 3, "the histogram's count")
    routes = {dict(l).get("route") for (_, l) in after} - {None}
    for r in routes:
        check(r == "other" or (r.startswith("/") and not UUIDISH.search(r)
              and not re.search(r"/\d", r)), "a route label %r" % r)
    check(all(probe not in str(k) and "12345" not in str(k) for k in after),
          "a path asked for in the metrics")
    eq(val(after, "staffdesk_workers_alive"), stack_workers(),
       "staffdesk_workers_alive")
    for name in ("staffdesk_db_reconnects_total",
                 "staffdesk_db_transaction_retries_total",
                 "staffdesk_signin_lockouts_total",
                 "staffdesk_start_time_seconds"):
        check((name, ()) in after, "no %s" % name)
    for step in ("password", "mfa", "sms"):
        check(("staffdesk_signin_failures_total", (("step", step),))
              in after, "no sign-in failures of step %s" % step)
    # HEAD answers the same head without a body
    r = b.request("HEAD", "/metrics", checked=False)
    eq((r.status, r.raw), (200, b""), "HEAD /metrics")


@test
def observe_metrics_counted_once_shared():
    """The counters are the master's, not a worker's: while one worker of
    a private master waits on a row held locked (a sign-in, answered
    503), the other serves /healthz (the log's pid= says who served
    each); every scrape, whichever worker answers it, counts both."""
    u = make_user()
    with private_master({"workers": 2}) as st, own_address() as addr:
        mark = log_mark(st.tmp)
        got = []
        with row_locked(u.upn):
            b = From(addr)
            b.base = st.base
            b.get("/login")
            t = threading.Thread(target=lambda: got.append(b.post(
                "/login", {"username": u.upn, "password": u.password},
                timeout=30)))
            t.start()
            wait_until(lambda: lock_waits() > 0, 10, "the sign-in waiting "
                       "on the row")
            for _ in range(9):
                eq(st.get("/healthz").status, 200, "GET /healthz")
            t.join(30)
        eq([r.status for r in got], [503], "the sign-in with the row held")
        lines = wait_until(lambda: (lambda ls: ls if len(ls) == 10 else
                                    None)(
            [f for f in map(parse_line, log_since(mark, st.tmp))
             if f.get("route") == "/healthz" or (f.get("route") ==
                                                 "/login" and
                                                 f["method"] == "POST")]),
            10, "10 request lines")
        login = {f["pid"] for f in lines if f["route"] == "/login"}
        health = {f["pid"] for f in lines if f["route"] == "/healthz"}
        eq(len(login), 1, "workers of the sign-in")
        check(not login & health, "the worker held by the sign-in served "
              "/healthz too: %s, %s" % (login, health))
        for i in range(4):
            s = scrape(st.base)
            eq((requests_of(s, "/healthz", 200), requests_of(s, "/login",
                                                             503)),
               (9, 1), "/healthz 200s and the /login 503, scrape %d" % i)
            eq(val(s, "staffdesk_workers_alive"), 2, "workers alive")


@test
def observe_worker_restart_counted():
    """kill -9 of a worker: the master replaces it, restarted{signal}
    goes up by one and workers alive is back to the configured count."""
    with private_master({"workers": 2}) as st:
        s = scrape(st.base)
        eq(val(s, "staffdesk_workers_restarted_total", reason="signal"), 0,
           "restarts of a new master")
        eq(val(s, "staffdesk_workers_alive"), 2, "workers alive")
        ws = st.workers()
        victim = sorted(ws)[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: victim not in children(st.master.pid) and
                   len(children(st.master.pid)) == 2, 15,
                   "a new worker in place of %d" % victim)
        s = scrape(st.base)
        eq(val(s, "staffdesk_workers_restarted_total", reason="signal"), 1,
           "restarts after a kill -9")
        eq(val(s, "staffdesk_workers_restarted_total", reason="exit"), 0,
           "restarts for an exit")
        eq(val(s, "staffdesk_workers_alive"), 2, "workers alive after")
        check("died of signal 9" in st.read_log(), "the master's log: %s"
              % st.tail())


@test
def observe_metrics_refused_elsewhere():
    """With metrics_allow = 127.0.0.1, /metrics answers 127.0.0.1 and
    refuses another address (403, a sentence, no counters), and the
    refusal is logged as an answer (level info), not an error."""
    with private_master({"workers": 1, "metrics_allow": "127.0.0.1"}) as st:
        scrape(st.base)
        mark = log_mark(st.tmp)
        b = From(loopback_addr())
        b.base = st.base
        r = b.get("/metrics", checked=False)
        eq(r.status, 403, "GET /metrics from another address")
        check("metrics_allow" in r.body and "staffdesk_" not in r.body,
              "the refusal's body %r" % r.body[:200])
        f = request_line(rid_of(r), mark, st.tmp)
        eq((f["route"], f["status"], f["level"]), ("/metrics", "403", "info"),
           "the refusal's log line")
        check(all(parse_line(l)["level"] == "info"
                  for l in log_since(mark, st.tmp)), "a refusal logged "
              "above info: %r" % log_since(mark, st.tmp))
    with private_master({"workers": 1, "metrics_allow": ""}) as st:
        r = Browser(base=st.base).get("/metrics", checked=False)
        eq(r.status, 403, "GET /metrics with an empty metrics_allow")


@test
def observe_request_lines():
    """One key=value line per request: time, level, prog, pid,
    request_id (the X-Request-Id answered), method, the route's pattern
    (never the id asked for), status, duration_us, ip; errors too."""
    uid = sql("SELECT UUID()")[0][0]
    u = make_user()
    with own_address() as addr:
        request_lines(uid, u, From(addr), addr)


def request_lines(uid, u, b, addr):
    mark = log_mark()
    seen = set()
    # (method, path, form, csrf as Browser.post takes it, status, route)
    cases = [("GET", "/users/%s" % uid, None, None, 303, "/users/{id}"),
             ("GET", "/users/%s/phone" % uid, None, None, 303,
              "/users/{id}/phone"),
             ("GET", "/admin/audit/12345", None, None, 303,
              "/admin/audit/{n}"),
             ("GET", "/nope/%s" % uid, None, None, 404, "other"),
             ("POST", "/healthz", {}, None, 405, "/healthz"),
             ("GET", "/login", None, None, 200, "/login"),
             ("POST", "/login", {"username": u.upn, "password": "wrong"},
              True, 422, "/login"),
             ("POST", "/login", {"username": u.upn, "password": u.password},
              "forged", 403, "/login")]
    for method, path, fields, csrf, status, route in cases:
        if method == "GET":
            r = b.get(path)
        else:
            r = b.post(path, fields, csrf=csrf)
        eq(r.status, status, "%s %s" % (method, path))
        rid = rid_of(r)
        check(rid not in seen, "X-Request-Id %s twice" % rid)
        seen.add(rid)
        f = request_line(rid, mark)
        eq((f["method"], f["route"], f["status"], f["ip"], f["prog"]),
           (method, route, str(status), addr, "staffdesk.fcgi"),
           "the line of %s %s" % (method, path))
        check(f["duration_us"].isdigit() and int(f["duration_us"]) <
              60 * 10 ** 6, "duration_us=%r" % f["duration_us"])
        eq(f["level"], "info", "the level of a %d" % status)
        check(uid not in str(f) and "12345" not in f["route"],
              "the id asked for in the line %r" % f)
    for l in log_since(mark):
        parse_line(l)
        check(uid not in l, "a line holds the id asked for: %r" % l)


@test
def observe_request_id_from_front_end():
    """A front end's REQUEST_ID of 32 lower-case hex digits (nginx's
    $request_id) is the request's id; anything else (wrong length, upper
    case, a newline) is replaced by a new random one. Talks FastCGI to
    the stack's socket, as nginx does."""
    mine = secrets.token_hex(16)
    base = {"REQUEST_METHOD": "GET", "DOCUMENT_URI": "/healthz",
            "SCRIPT_NAME": "/healthz", "REMOTE_ADDR": "192.0.2.7",
            "QUERY_STRING": ""}
    h, body = fastcgi(stack_sock(), dict(base, REQUEST_ID=mine))
    eq((h.get("status"), h.get("x-request-id")), ("200 OK", mine),
       "the front end's id")
    seen = set()
    for bad in (mine.upper(), mine[:31], mine + "0", mine[:31] + "\n",
                "x" * 32, ""):
        h, _ = fastcgi(stack_sock(), dict(base, REQUEST_ID=bad))
        got = h.get("x-request-id", "")
        check(HEX32.match(got) and got != bad and got != mine and
              got not in seen, "REQUEST_ID %r answered as %r" % (bad, got))
        seen.add(got)
    h, _ = fastcgi(stack_sock(), base)
    check(HEX32.match(h.get("x-request-id", "")), "no REQUEST_ID: %r" % h)


@test
def observe_log_escapes_controls():
    """What a client or a front end sends cannot start a log line or
    reach a terminal: a method and an address with a newline, ESC,
    CSI (U+009B), U+2028 and a byte that is not UTF-8 (sent raw over
    FastCGI), a User-Agent with ESC through nginx: every line written
    stays one key=value line, with no raw control character."""
    mark = log_mark()
    method = b"G\n\x1b[2J\xc2\x9b\xe2\x80\xa8\xff"
    addr = b"192.0.2.7\nlevel=error forged=1 \x1b[1m"
    rid = secrets.token_hex(16)
    h, _ = fastcgi(stack_sock(), {
        "REQUEST_METHOD": method, "DOCUMENT_URI": "/healthz",
        "SCRIPT_NAME": "/healthz", "REMOTE_ADDR": addr,
        "QUERY_STRING": "", "REQUEST_ID": rid})
    check(h.get("status", "").startswith("405"), "an odd method: %r" % h)
    f = request_line(rid, mark)
    # read back: \u009b and \u2028 as such, the stray byte as \xff
    eq(f["method"], "G\n\x1b[2J\x9b\u2028\xff", "the method, unescaped")
    eq(f["ip"], addr.decode(), "the address, unescaped")
    check("forged" not in f, "a field forged through the address: %r" % f)
    b = Browser(ua="blackbox\x1b[31m\xc2\x9bred")
    b.get("/login")
    raw = open(log_path(), "rb").read()[mark:]
    check(all(c not in raw for c in (b"\x1b", b"\xc2\x9b", b"\xe2\x80\xa8",
                                     b"\r")), "a raw control character in "
          "the log: %r" % raw[-600:])
    lines = log_since(mark)
    for l in lines:
        parse_line(l)
    check(not any(l.startswith("level=") for l in lines), "a line forged")


@test
def observe_request_id_traced():
    """A manager's reset through the site: the X-Request-Id of the POST
    is the requestId of its audit row, the request_id of its log line,
    and the Request ID of its audit entry page (the lists show no such
    line); an error answer carries an id too."""
    unit, _, m, b = manager_unit("Trace")
    t = member(unit)
    tid = t.id
    mark, lmark = audit_mark(), log_mark()
    path = reset_path(tid)
    r = b.expect("GET", path, 200)
    f = [("version", version_of(r))]
    r = b.expect("POST", path, 303, path + "/done", fields=f)
    rid = rid_of(r)
    row = one_audit(mark, "the reset", action="user.password.reset",
                    target_id=tid)
    eq(json.loads(row["details"]).get("requestId"), rid,
       "the audit row's requestId")
    line = request_line(rid, lmark)
    eq((line["method"], line["route"], line["status"]),
       ("POST", "/users/{id}/reset-password", "303"), "the reset's line")
    temp = temp_of(b.expect("GET", path + "/done", 200))
    reader = signed_in(add_manager("security-reader"))
    r = reader.expect("GET", "/admin/audit/%s" % row["id"], 200)
    eq(r.id_text("entry-request_id"), rid, "the entry page's Request ID")
    check("Request" not in (r.id_text("entry-details") or ""),
          "the request id among the details' lines")
    r = reader.expect("GET", "/admin/audit?target=%s" % tid, 200)
    check(rid not in r.body, "the request id on the list")
    r = b.get("/users/%s/reset-password" % sql("SELECT UUID()")[0][0])
    eq(r.status, 404, "an unknown person")
    check(rid_of(r) != rid, "a second request with the same id")
    no_secret_stored(temp, "the temporary password")


@test
def observe_no_secret_in_log():
    """After a sign-in with password and app code, a wrong password, a
    reset and a sign-in with the temporary password, the log holds no
    password, code, session cookie or CSRF token, and every line of it
    is a key=value line."""
    mark = log_mark()
    u = make_user(role="helpdesk-administrator", totp=True)
    b = Browser()
    b.login(u.upn, u.password, 303, "/login/mfa")
    code = totp_now(u.secret)
    b.mfa(code, "totp", 303, "/")
    token, csrf = b.token(), b.get("/account").csrf()
    with own_address() as addr:
        From(addr).login(u.upn, "Wrong-" + u.password, 422)
    unit, _, m, mb = manager_unit("Secrets")
    t = member(unit)
    temp = temp_of(reset(mb, t.id))
    tb = Browser()
    tb.login(t.upn, temp, 303, "/account/password")
    text = "\n".join(log_since(mark))
    for secret, what in ((u.password, "a password"), (code, "an app code"),
                         (token, "a session token"), (csrf, "a CSRF token"),
                         ("Wrong-" + u.password, "a wrong password"),
                         (temp, "a temporary password"),
                         (tb.token(), "a session token")):
        check(secret and secret not in text, "the log holds %s" % what)
    for l in text.splitlines():
        parse_line(l)
    check("route=/login/mfa" in text and "route=/users/{id}/reset-password"
          in text, "the sign-in and the reset are not in the log")


@test
def observe_signin_counters():
    """Failed sign-in steps count by step once their audit row commits
    (a wrong password, a wrong app code), a lockout once, and a good
    sign-in not at all."""
    fails = "staffdesk_signin_failures_total"
    locks = "staffdesk_signin_lockouts_total"
    with own_address() as addr:
        u = make_user(role="helpdesk-administrator", totp=True)
        s0 = scrape()
        b = From(addr)
        b.login(u.upn, u.password, 303, "/login/mfa")
        b.mfa(wrong_code(u.secret), "totp", 422)
        s1 = scrape()
        eq((val(s1, fails, step="password") - val(s0, fails, step="password"),
            val(s1, fails, step="mfa") - val(s0, fails, step="mfa")),
           (0, 1), "failures (password, mfa) after a good password and a "
           "wrong code")
        v = make_user()
        thr = int((sql("SELECT value FROM settings WHERE name = "
                       "'lockout.threshold'") or [["5"]])[0][0])
        for i in range(thr):
            From(addr).login(v.upn, "Not-" + v.password, 422)
        s2 = scrape()
        eq(val(s2, fails, step="password") - val(s1, fails, step="password"),
           thr, "password failures")
        eq(val(s2, locks) - val(s1, locks), 1, "lockouts after %d wrong "
           "passwords" % thr)
        eq(val(s2, fails, step="sms"), val(s0, fails, step="sms"),
           "sms failures")


@test
def observe_db_counters():
    """A worker's database link killed under it is connected again
    (db_reconnects_total + 1), and a sign-in whose row is held locked
    retries its transaction and gives up (retries and give-ups move),
    on a private master with one worker."""
    u = make_user()
    with private_master({"workers": 1}) as st:
        eq(st.get("/healthz").status, 200, "GET /healthz")
        s0 = scrape(st.base)
        user = re.search(r"^db_user = (\S+)$", open(st.conf_path).read(),
                         re.M)
        pid = next(iter(st.workers()))
        # which connection is this worker's cannot be told from here:
        # every one of the app's user goes (the stack's idle workers
        # connect again when next used, as this one must)
        ids = [r[0] for r in sql(
            "SELECT id FROM information_schema.PROCESSLIST WHERE user = %s "
            "AND id <> CONNECTION_ID()" % sqlq(user.group(1) if user
                                              else "staffdesk"))]
        check(ids, "no connection of the app's user")
        for i in ids:
            sql("KILL CONNECTION %s" % i)
        eq(st.get("/healthz").status, 200, "GET /healthz after the kill")
        s1 = scrape(st.base)
        eq(val(s1, "staffdesk_db_reconnects_total") -
           val(s0, "staffdesk_db_reconnects_total"), 1, "reconnects of "
           "worker %d" % pid)
        with row_locked(u.upn), own_address() as addr:
            b = From(addr)
            b.base = st.base
            b.get("/login")
            r = b.post("/login", {"username": u.upn, "password": u.password},
                       timeout=30)
            eq(r.status, 503, "sign-in with the row held")
        s2 = scrape(st.base)
        check(val(s2, "staffdesk_db_transaction_retries_total") -
              val(s1, "staffdesk_db_transaction_retries_total") >= 1,
              "no retried transaction counted")
        eq(val(s2, "staffdesk_db_transactions_given_up_total") -
           val(s1, "staffdesk_db_transactions_given_up_total"), 1,
           "transactions given up")
        eq(requests_of(s2, "/login", 503), 1, "the 503 counted")
