"""nginx: the dev site the suite runs behind (nginx/dev.conf.in): its own error pages with the headers of DESIGN.md section 8, a 503 with Retry-After for workers out of reach, the content-hashed stylesheet.
"""

import io
import signal
import socket

from lib import *  # noqa: F401,F403
from process import private_master

SECTION8 = (("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", CSP),
            ("Referrer-Policy", "same-origin"),
            ("X-Frame-Options", "DENY"))
HSTS = "max-age=63072000"
NAME = "staff.example.com"


# Answers ---------------------------------------------------------------------

def parse(raw, method, path):
    """A Resp from the bytes of one HTTP/1.1 answer (read to its end)."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    check(sep, "%s %s: no end of headers in %r" % (method, path, raw[:200]))
    line, _, rest = head.partition(b"\r\n")
    parts = line.split(b" ", 2)
    check(len(parts) >= 2 and parts[0].startswith(b"HTTP/") and
          parts[1].isdigit(), "%s %s: status line %r" % (method, path, line))
    headers = http.client.parse_headers(io.BytesIO(rest + b"\r\n\r\n"))
    n = headers.get("Content-Length")
    if n is not None:
        body = body[:int(n)]
    return Resp(int(parts[1]), headers, body, method, path, False)


def raw_request(port, data, tls=None, timeout=TIMEOUT):
    """Sends data as it is (a request nginx may not be able to read) on a
    new connection, TLS when tls is a context, and reads until nginx
    closes it. A Resp; method and path are what the request line says."""
    words = data.split(b"\r\n", 1)[0].split(b" ")
    method = words[0].decode("latin-1")
    path = words[1].decode("latin-1") if len(words) > 1 else "?"
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if tls is not None:
            s = tls.wrap_socket(s, server_hostname=NAME)
        s.sendall(data)
        out = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    finally:
        s.close()
    return parse(out, method, path)


def own_page(r, status, words, hsts, retry_after=None):
    """r is nginx's own page for status: the section 8 headers (and HSTS
    over HTTPS), tidy-clean HTML in UTF-8 saying words, no-store, and
    Retry-After when one is due."""
    where = desc(r)
    eq(r.status, status, where + ": status")
    check_response(r)
    for k, v in SECTION8:
        eq(r.header(k), v, "%s: %s" % (where, k))
    eq(r.header("Strict-Transport-Security"), HSTS if hsts else None,
       where + ": Strict-Transport-Security")
    check("no-store" in (r.header("Cache-Control") or ""), "%s: "
          "Cache-Control %r" % (where, r.header("Cache-Control")))
    check(words in r.body and "nginx" not in r.body.lower(),
          "%s: not staffdesk's page saying %r: %r" % (where, words,
                                                      r.body[:300]))
    eq(r.header("Retry-After"), retry_after, where + ": Retry-After")


def static_headers(r, hsts, cache):
    """A static file's answer: 200, the section 8 headers, HSTS over
    HTTPS, and a Cache-Control holding cache."""
    where = desc(r)
    eq(r.status, 200, where)
    for k, v in SECTION8:
        eq(r.header(k), v, "%s: %s" % (where, k))
    eq(r.header("Strict-Transport-Security"), HSTS if hsts else None,
       where + ": Strict-Transport-Security")
    eq(r.header("Cache-Control"), cache, where + ": Cache-Control")


def stylesheet_link(body):
    """The href of the page's one stylesheet."""
    links = [n.attrs.get("href") for n in Page(body).all("link")
             if n.attrs.get("rel") == "stylesheet"]
    eq(len(links), 1, "stylesheet links")
    return links[0]


def hashed_name():
    """The name the build gives static/style.css: its SHA-256, 12 digits."""
    with open(os.path.join(ROOT, "static", "style.css"), "rb") as f:
        css = f.read()
    return "/static/style.%s.css" % hashlib.sha256(css).hexdigest()[:12], css


# Workers out of reach --------------------------------------------------------

def full_queue(path):
    """A unix socket at path that listens and never accepts, its queue
    filled by one connection: the next connect() fails with EAGAIN, as
    at the workers' socket under overload. Returns what to close."""
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    os.chmod(path, 0o666)
    srv.listen(0)
    held = []
    for _ in range(4):
        cl = socket.socket(socket.AF_UNIX)
        cl.setblocking(False)
        try:
            cl.connect(path)
        except BlockingIOError:
            cl.close()
            break
        held.append(cl)
    check(held, "could not fill the queue of " + path)
    return [srv] + held


def out_of_reach(get, errors, hsts, sock):
    """What nginx answers, with get(path), while nobody listens at sock,
    then while its queue is full: 503 with Retry-After, its page and the
    headers, at once; never 502."""
    if os.path.exists(sock):
        os.unlink(sock)
    t0 = time.time()
    r = get("/login")
    own_page(r, 503, "Try again in a few seconds", hsts, retry_after="5")
    stale = socket.socket(socket.AF_UNIX)     # a socket file, no listener
    stale.bind(sock)
    os.chmod(sock, 0o666)
    stale.close()
    own_page(get("/healthz"), 503, "Try again in a few seconds", hsts,
             retry_after="5")
    os.unlink(sock)
    held = full_queue(sock)
    try:
        own_page(get("/login"), 503, "Try again in a few seconds", hsts,
                 retry_after="5")
    finally:
        for s in held:
            s.close()
        os.unlink(sock)
    secs = time.time() - t0
    check(secs < 5, "three 503s took %.1f s" % secs)
    log = errors()
    for why in ("(2: No such file or directory)", "(111: Connection refused)",
                "(11: Resource temporarily unavailable)"):
        check(why in log, "the error log does not say %s: %s"
              % (why, log[-600:]))


# The dev site ----------------------------------------------------------------

@test
def dev_pages():
    """The dev site (nginx/dev.conf.in, the stack under test): a page
    links the stylesheet by the hash of its content, served with the
    headers for a year and immutable; an unknown hash, a request line
    nginx cannot read, headers too large, a POST to a file get nginx's
    page with the headers, and no HSTS over plain HTTP."""
    name, css = hashed_name()
    r = Browser().get("/login")
    eq(stylesheet_link(r.body), name, "the page's stylesheet")
    r = Browser().get(name, checked=False)
    static_headers(r, False, "public, max-age=31536000, immutable")
    eq(r.raw, css, "the content of " + name)
    static_headers(Browser().get("/static/style.css", checked=False), False,
                   "max-age=3600")
    r = Browser().get("/static/style.ffffffffffff.css", checked=False)
    own_page(r, 404, "There is nothing at this address", hsts=False)
    own_page(raw_request(PORT, b"GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n"),
             400, "could not be read", hsts=False)
    own_page(raw_request(PORT, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " +
                         b"a" * 20000 + b"\r\n\r\n"),
             400, "could not be read", hsts=False)
    own_page(raw_request(PORT, b"POST /static/style.css HTTP/1.1\r\nHost: "
                         b"x\r\nContent-Length: 3\r\nConnection: close\r\n"
                         b"\r\na=b"), 405, "cannot take what was sent",
             hsts=False)


@test
def dev_upstream_down():
    """The dev site in front of a master that stopped, of a socket left
    behind, of a full queue: 503 with Retry-After and the headers, at
    once, never 502."""
    with private_master({"workers": 1}) as st:
        eq(st.get("/healthz").status, 200, "GET /healthz")
        st.master.send_signal(signal.SIGTERM)
        st.master.wait(timeout=15)

        def errors():
            return st.read_log("nginx-error.log")
        out_of_reach(st.get, errors, False, st.sock)
