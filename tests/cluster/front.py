"""nginx in front of the two hosts, serving the production site as
`make install` writes it (tests/cluster.sh): the stylesheet a page links
served on every port; nginx's own pages (a missing file, a body too
large, the sign-in limit) with the headers of DESIGN.md section 8 and
X-Request-Id; with a master gone its own port, and with both gone the
shared one, answering the 503 page with Retry-After, never a 502; and
the first master back serving the next request, not a 503 while nginx
still counts both as down."""

from lib import *  # noqa: F401,F403
from clib import base_of, cluster_sh, figure, kill_host

BUSY = "Try again in a few seconds"
HOSTS = (None, "A", "B")        # both (PORT), A alone, B alone


def port_name(host):
    return "both hosts" if host is None else "host %s alone" % host


@test
def stylesheet_on_every_port():
    """Through both hosts and through each alone, the sign-in page links
    the build's hashed stylesheet, which is served 200 as text/css with
    the content of static/style.css, kept a year, and the section 8
    headers: without it pages come out unstyled."""
    name, css = hashed_name()
    for host in HOSTS:
        b = Browser(base=base_of(host))
        r = b.expect("GET", "/login", 200)
        href = stylesheet_link(r.body)
        eq(href, name, "%s: the stylesheet the page links" % port_name(host))
        r = b.get(href)
        eq(r.status, 200, "%s: %s" % (port_name(host), desc(r)))
        check((r.header("Content-Type") or "").startswith("text/css"),
              "%s: %s: Content-Type %r" % (port_name(host), href,
                                           r.header("Content-Type")))
        eq(r.raw, css, "%s: %s is static/style.css" % (port_name(host),
                                                        href))
        check("immutable" in (r.header("Cache-Control") or ""),
              "%s: %s: Cache-Control %r" % (port_name(host), href,
                                            r.header("Cache-Control")))
        eq(r.header("X-Frame-Options"), "DENY", "%s: %s: X-Frame-Options"
           % (port_name(host), href))


@test
def own_pages_and_limit():
    """nginx's own answers through the hosts: an unknown hashed name is
    its 404 page, a body over client_max_body_size its 413 page, each
    with the section 8 headers and nginx's X-Request-Id; and the
    production sign-in limit holds: POSTs to /login from one address
    past the burst of 200 get the 429 page with Retry-After 60."""
    for host in HOSTS:
        own_page(Browser(base=base_of(host)).get(
            "/static/style.0123456789ab.css", checked=False), 404,
            "There is nothing at this address", hsts=False)
    st, hdrs, body = raw_post("/login", b"a=" + b"x" * 140000, {
        "Content-Type": "application/x-www-form-urlencoded"})
    own_page(Resp(st, hdrs, body, "POST", "/login (140 KB)", False), 413,
             "too large", hsts=False)
    # Tokenless POSTs: the app refuses each at once (403, or its own 429
    # in a flood of sign-ins, admit.h), until nginx's limit answers.
    b = From(loopback_addr(), base=base_of(None))
    t0 = time.time()
    for sent in range(1, 401):
        r = b.post("/login", {"username": "x"}, csrf=None, checked=False)
        if r.status == 429 and "from your network" in r.body:
            break
        check((r.status == 403 and "did not come from this site" in r.body)
              or (r.status == 429 and "Too many sign-ins at once" in
                  r.body), "POST /login without a token, number %d: %s, "
              "want the app's refusal" % (sent, desc(r)))
    secs = time.time() - t0
    figure("front: POSTs to /login from one address: nginx's first 429 "
           "was number %d, after %.1f s" % (sent, secs))
    own_page(r, 429, "Wait a minute", hsts=False, retry_after="60")
    # burst=200 nodelay: 201 at once, then one a second
    check(200 <= sent <= 202 + secs, "nginx's first 429 was POST number "
          "%d after %.1f s, not past the burst of 200" % (sent, secs))


def busy(host, path="/healthz"):
    """The answer through host (None: both) while its masters are gone:
    the 503 page with Retry-After, the headers and a request id."""
    r = Browser(base=base_of(host)).get(path, checked=False)
    own_page(r, 503, BUSY, hsts=False, retry_after="5")
    return r


@test
def masters_gone_then_back():
    """Master A stopped (its socket gone): A's own port answers the 503
    page with Retry-After, both hosts' port is served by B. Master B
    killed as well (kill -9: its socket stays, refusing): every port
    answers the 503 page, never a 502. Then A started again: the first
    request through both hosts' port, sent as soon as A's socket is
    there, is served 200, though nginx had just counted both masters as
    down (without the backup servers of cluster_upstream it answered
    "no live upstreams" for 5 s)."""
    try:
        cluster_sh("master-stop", "A")
        busy("A")
        busy("A", "/login")
        r = Browser().get("/healthz", checked=False)
        eq((r.status, r.body), (200, "ok\n"), "both hosts' port with A "
           "stopped")
        kill_host("B")
        for host in HOSTS:
            busy(host)
        busy(None, "/login")
        cluster_sh("master-start", "A")     # back once its socket is there
        ready = time.time()
        r = Browser().get("/healthz", checked=False)
        took = time.time() - ready
        # The request waits at the socket for a worker of the new
        # master (they connect and load their templates first): its
        # answer's time is theirs, its status nginx's choice.
        figure("front: A started after both were down: the first request, "
               "sent at once, answered %d after %.2f s (A's workers "
               "starting)" % (r.status, took))
        eq((r.status, r.body), (200, "ok\n"), "the first request through "
           "both hosts' port once A is back")
        Browser().expect("GET", "/login", 200)
        busy("B")
    finally:
        cluster_sh("master-start", "A")
        cluster_sh("master-start", "B")
    for host in HOSTS:
        r = Browser(base=base_of(host)).get("/healthz", checked=False)
        eq((r.status, r.body), (200, "ok\n"), "%s once both are back"
           % port_name(host))
