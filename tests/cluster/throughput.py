"""Throughput: /units/{id} and /search requests per second with one app
host (A alone) and with both behind the upstream, by wrk from 8
connections. On two cores the point is that both hosts serve correctly
(no error, no answer but 200), not a speed-up: the figures say what
this machine gives."""

import shutil

from lib import *  # noqa: F401,F403
from people import add_unit, add_manager, TAG  # noqa: F401
from clib import base_of, figure, signed_in_at

SECONDS = 5
ROUNDS = 2


def wrk(base, path, cookie):
    """Requests per second of wrk on base + path, and its non-2xx count."""
    p = subprocess.run(["wrk", "-t2", "-c8", "-d%ds" % SECONDS, "--timeout",
                        "5s", "-H", "Cookie: staffdesk=%s" % cookie,
                        base + path], capture_output=True, text=True,
                       timeout=SECONDS + 60)
    check(p.returncode == 0, "wrk: %s" % p.stderr.strip())
    m = re.search(r"Requests/sec:\s+([0-9.]+)", p.stdout)
    check(m, "wrk said %r" % p.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", p.stdout)
    errs = re.search(r"Socket errors: (.*)", p.stdout)
    return float(m.group(1)), int(bad.group(1)) if bad else 0, \
        errs.group(1) if errs else None


@test
def pages_one_host_and_two():
    """wrk on a location of 60 people and a search (each page checked
    first), through host A alone and through both, ROUNDS rounds: every
    answer a 200, and the req/s written with the machine's cores."""
    check(shutil.which("wrk"), "wrk is not installed (apt-get install wrk)")
    unit, uid = add_unit("Cluster Bench")
    csv = os.path.join(VAR, "bench-%s.csv" % TAG)
    with open(csv, "w") as f:
        f.write("upn,display_name,email,mobile,source,units\n")
        for k in range(60):
            f.write("bench%d-%s@bb.example,Tess Bench%02d %s,,,cloud,%s\n"
                    % (k, TAG, k, TAG, unit))
    cli_ok("import", "--users", csv)
    m = add_manager("helpdesk-administrator")
    b = signed_in_at(m)
    pages = {"/units/{id}": "/units/%s" % uid, "/search": "/search?q=Tess"}
    for path in pages.values():
        b.expect("GET", path, 200)
    check(b.get(pages["/units/{id}"]).body.count("Tess Bench") >= 50,
          "the location's page does not list 50 people")
    cores = os.cpu_count()
    for name, path in pages.items():
        got = {}
        for rnd in range(ROUNDS):
            for host, label in ((None, "2 hosts"), ("A", "1 host")):
                rps, bad, errs = wrk(base_of(host), path, b.token())
                eq(bad, 0, "%s through %s: answers other than 2xx/3xx"
                   % (name, label))
                check(errs is None, "%s through %s: socket errors %s"
                      % (name, label, errs))
                got.setdefault(label, []).append(rps)
        figure("throughput %s on %d cores (wrk -c8, %d s x %d): 1 host "
               "%.0f req/s, 2 hosts %.0f req/s"
               % (name, cores, SECONDS, ROUNDS,
                  sum(got["1 host"]) / ROUNDS, sum(got["2 hosts"]) / ROUNDS))
        for label, v in got.items():
            check(min(v) > 20, "%s through %s: only %r req/s" % (name, label,
                                                                 v))
