"""nginx: the production site as `make install` ships it (nginx -t, TLS, sign-in limits, restricted monitoring, its own pages) and the dev site the suite runs behind (error pages, a 503 for workers out of reach, content-hashed static names).

The production site's tests install the tree into a temporary PREFIX and
SYSCONFDIR under VAR (`make install`), make a throwaway self-signed
certificate with openssl where the site reads it, run `nginx -t` on the
installed site as shipped (wrapped in an nginx.conf that includes it
inside its http block, as Debian's includes sites-enabled), then serve
it. To serve, only its listen lines (80 and 443, and their IPv6 twins)
become free loopback ports and its upstream socket becomes the stack's
or the test's (served_site(); each change must hit exactly the lines it
names). The wrapper sets Debian's own http-level ssl_protocols (TLS 1.0
and 1.1 included): the site must win. The limits and the allow lists are
tried from random 127/8 source addresses, so each check is a client of
its own to nginx.
"""

import contextlib
import io
import signal
import socket
import ssl
import tempfile
import warnings

from lib import *  # noqa: F401,F403
from process import free_port, private_master, wait_until

NAME = "staff.example.com"
IE11_CIPHER = "ECDHE-RSA-AES128-GCM-SHA256"


# Answers ---------------------------------------------------------------------

def note(line):
    """A measurement: to VAR/log/nginx.txt and stderr."""
    with open(os.path.join(VAR, "log", "nginx.txt"), "a") as f:
        f.write(line + "\n")
    print(line, file=sys.stderr, flush=True)


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
    note("workers out of reach: three 503s in %.2f s" % secs)
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


# The production site ---------------------------------------------------------

def served_site(text, https_port, http_port, upstream):
    """The installed site as served here: its listen lines on loopback
    ports, its upstream on the socket upstream; nothing else changes."""
    for pat, rep in ((r"^    listen 80;$", "    listen 127.0.0.1:%d;"
                      % http_port),
                     (r"^    listen \[::\]:80;\n", ""),
                     (r"^    listen 443 ssl http2;$",
                      "    listen 127.0.0.1:%d ssl http2;" % https_port),
                     (r"^    listen \[::\]:443 ssl http2;\n", ""),
                     (r"server unix:/run/staffdesk/staffdesk\.sock;",
                      "server unix:%s;" % upstream)):
        text, n = re.subn(pat, rep, text, flags=re.M)
        eq(n, 1, "lines of the installed site matching %r" % pat)
    return text


def nginx_user(static):
    """The user line for an nginx serving the folder static (as
    tests/stack.sh and process.py choose it: nobody when it can read it)."""
    if os.geteuid() != 0:
        return ""
    p = subprocess.run(["runuser", "-u", "nobody", "--", "sh", "-c",
                        "test -r '%s/style.css'" % static],
                       capture_output=True)
    return "user nobody nogroup;" if p.returncode == 0 else "user root root;"


WRAPPER = """%(user)s
worker_processes 1;
daemon off;
pid %(tmp)s/run/nginx.pid;
error_log %(tmp)s/log/nginx-error.log warn;
events {
    worker_connections 1024;
}
http {
    # Debian's nginx.conf says these for every site: the site must win.
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    types {
        text/html html;
        text/css css;
        image/x-icon ico;
    }
    default_type application/octet-stream;
    access_log %(tmp)s/log/nginx-access.log;
    client_body_temp_path %(tmp)s/nginx/body;
    fastcgi_temp_path %(tmp)s/nginx/fastcgi;
    proxy_temp_path %(tmp)s/nginx/proxy;
    uwsgi_temp_path %(tmp)s/nginx/uwsgi;
    scgi_temp_path %(tmp)s/nginx/scgi;
    include %(site)s;
}
"""


class Site:
    """The production site installed under a temporary directory, checked
    with nginx -t, and served by an nginx of its own."""

    def __init__(self, upstream):
        self.tmp = tempfile.mkdtemp(prefix="site-", dir=VAR)
        os.chmod(self.tmp, 0o755)
        for d in ("run", "log", "nginx"):
            os.makedirs(os.path.join(self.tmp, d))
        self.upstream = upstream
        self.prefix = os.path.join(self.tmp, "usr")
        self.etc = os.path.join(self.tmp, "etc")
        self.site = os.path.join(self.prefix, "share", "staffdesk", "nginx",
                                 "staffdesk.conf")
        self.cert = os.path.join(self.etc, "ssl", "staffdesk",
                                 "fullchain.pem")
        self.nginx = None
        self.log = None

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def install(self):
        make_install("PREFIX=" + self.prefix, "SYSCONFDIR=" + self.etc)
        key = os.path.join(os.path.dirname(self.cert), "privkey.pem")
        os.makedirs(os.path.dirname(self.cert))
        p = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "2", "-subj", "/CN=" + NAME, "-addext",
             "subjectAltName=DNS:%s,IP:127.0.0.1" % NAME, "-keyout", key,
             "-out", self.cert], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "openssl req: %s" % p.stderr.strip())
        os.chmod(key, 0o600)

    def nginx_t(self, conf):
        """nginx -t on conf; its output when it fails."""
        p = subprocess.run(["nginx", "-t", "-p", self.path("nginx") + "/",
                            "-e", self.path("log", "nginx-error.log"), "-c",
                            conf], capture_output=True, text=True, timeout=60)
        check(p.returncode == 0, "nginx -t -c %s: %s" % (
            conf, (p.stdout + p.stderr).strip()))

    def wrapper(self, name, site):
        path = self.path(name)
        with open(path, "w") as f:
            f.write(WRAPPER % {"user": nginx_user(os.path.join(
                self.prefix, "share", "staffdesk", "static")),
                "tmp": self.tmp, "site": site})
        return path

    def check_shipped(self):
        """nginx -t on the installed file as it is. It listens on 80 and
        443, which only root may bind (nginx -t tries): as another user
        the check is left to the served copy, saying so."""
        with open(self.site) as f:
            text = f.read()
        left = re.findall(r"@[A-Z]+@", text)
        check(not left, "placeholders left in the installed site: %s" % left)
        if os.geteuid() != 0:
            print("nginx: not root: nginx -t runs on the served copy only",
                  file=sys.stderr)
            return
        self.nginx_t(self.wrapper("check.conf", self.site))

    def start(self):
        with open(self.site) as f:
            text = f.read()
        for attempt in range(3):
            self.https_port, self.http_port = free_port(), free_port()
            served = self.path("served.conf")
            with open(served, "w") as f:
                f.write(served_site(text, self.https_port, self.http_port,
                                    self.upstream))
            conf = self.wrapper("nginx.conf", served)
            self.nginx_t(conf)
            self.log = open(self.path("log", "nginx.log"), "ab")
            self.nginx = subprocess.Popen(
                ["nginx", "-p", self.path("nginx") + "/", "-e",
                 self.path("log", "nginx-error.log"), "-c", conf],
                stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                start_new_session=True)

            def up():
                if self.nginx.poll() is not None:
                    return "exited"
                try:
                    return self.get("/static/style.css", timeout=5).status \
                        == 200 and "up"
                except (OSError, http.client.HTTPException):
                    return None
            if wait_until(up, 20, "the site's nginx") == "up":
                return
            self.nginx.wait()       # a port was taken meanwhile: again
            self.log.close()
        raise Fail("the site's nginx did not start: %s" % self.errors())

    def errors(self):
        try:
            with open(self.path("log", "nginx-error.log"),
                      errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def context(self, **kw):
        """A TLS client context that trusts the site's certificate only."""
        ctx = ssl.create_default_context(cafile=self.cert)
        for k, v in kw.items():
            setattr(ctx, k, v)
        return ctx

    def conn(self, source="127.0.0.1", timeout=TIMEOUT):
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, timeout=timeout,
            context=self.context(), source_address=(source, 0))

    def get(self, path, source="127.0.0.1", timeout=TIMEOUT):
        c = self.conn(source, timeout)
        try:
            return send(c, "GET", path)
        finally:
            c.close()

    def plain_get(self, path):
        """GET path over plain HTTP, for staff.example.com."""
        c = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                       timeout=TIMEOUT)
        try:
            return send(c, "GET", path, headers={"Host": NAME})
        finally:
            c.close()

    def stop(self):
        try:
            if self.nginx is not None and self.nginx.poll() is None:
                self.nginx.send_signal(signal.SIGTERM)
                try:
                    self.nginx.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(self.nginx.pid, signal.SIGKILL)
                    self.nginx.wait(timeout=10)
        finally:
            if self.log is not None:
                self.log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


def send(c, method, path, body=None, headers=None):
    """One request on connection c (http.client opens it again when nginx
    closed it); a Resp."""
    h = {"User-Agent": "blackbox/nginx"}
    h.update(headers or {})
    if body is not None:
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    return Resp(r.status, r.headers, r.read(), method, path,
                "staffdesk=" in h.get("Cookie", ""))


def h2_post(st, path, body):
    """POST body to path over HTTP/2 (curl: browsers speak it to this
    site, and nginx reads a request body its own way there); a Resp."""
    tmp = tempfile.mkdtemp(prefix="h2-")
    try:
        hf, bf = os.path.join(tmp, "head"), os.path.join(tmp, "body")
        p = subprocess.run(
            ["curl", "-sk", "--http2", "--resolve", "%s:%d:127.0.0.1"
             % (NAME, st.https_port), "-H", "Content-Type: application/"
             "x-www-form-urlencoded", "--data-binary", "@-", "-D", hf,
             "-o", bf, "-w", "%{http_version}",
             "https://%s:%d%s" % (NAME, st.https_port, path)],
            input=body.encode(), capture_output=True, timeout=TIMEOUT)
        eq(p.stdout.decode(), "2", "the HTTP version curl spoke")
        with open(hf, "rb") as f:
            lines = f.read().split(b"\r\n")
        status = int(lines[0].split()[1])
        hdrs = http.client.parse_headers(io.BytesIO(b"\r\n".join(
            lines[1:])))
        with open(bf, "rb") as f:
            return Resp(status, hdrs, f.read(), "POST", path, False)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def production_site(upstream=None):
    """The installed production site, nginx -t'd and served, its upstream
    the stack's socket unless upstream names another; removed after."""
    st = Site(upstream or os.path.join(VAR, "run", "staffdesk.sock"))
    try:
        st.install()
        st.check_shipped()
        st.start()
        yield st
    finally:
        st.stop()


def handshake(port, ctx):
    """(TLS version, cipher) of a handshake with ctx, or the SSLError."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname=NAME) as t:
                return t.version(), t.cipher()[0]
    except ssl.SSLError as e:
        return e


def old_client(version, ciphers="DEFAULT@SECLEVEL=0"):
    """A client context for one TLS version at security level 0, so that
    only the server can refuse it (Debian's OpenSSL refuses TLS 1.0 and
    1.1 itself at its default level)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    ctx.set_ciphers(ciphers)
    return ctx


@contextlib.contextmanager
def old_server(st):
    """openssl s_server speaking TLS 1.0 and 1.1 only, with the site's
    certificate: the proof that old_client() does speak them here."""
    port = free_port()
    key = os.path.join(os.path.dirname(st.cert), "privkey.pem")
    p = subprocess.Popen(["openssl", "s_server", "-accept",
                          "127.0.0.1:%d" % port, "-cert", st.cert, "-key",
                          key, "-min_protocol", "TLSv1", "-max_protocol",
                          "TLSv1.1", "-cipher", "DEFAULT@SECLEVEL=0", "-www",
                          "-quiet"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    try:
        def listening():
            if p.poll() is not None:
                raise Fail("openssl s_server exited: %s"
                           % p.stderr.read().decode(errors="replace"))
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0
        wait_until(listening, 20, "openssl s_server")
        yield port
    finally:
        p.kill()
        p.wait(timeout=10)


@test
def tls_site():
    """nginx -t passes on the installed site; served through it over TLS:
    TLS 1.0 and 1.1 refused (by the site: the same client speaks them to
    openssl s_server), TLS 1.2 with IE 11's ECDHE-RSA-AES128-GCM-SHA256
    accepted and a real page served through it, a cipher without forward
    secrecy refused, TLS 1.3 accepted, HSTS on the app's pages, and plain
    HTTP redirected to HTTPS with its path and query."""
    with production_site() as st:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            old = ((ssl.TLSVersion.TLSv1, "TLS 1.0"),
                   (ssl.TLSVersion.TLSv1_1, "TLS 1.1"))
        with old_server(st) as port:
            for v, name in old:
                got = handshake(port, old_client(v))
                check(isinstance(got, tuple), "this client cannot speak %s "
                      "even to openssl s_server: %s" % (name, got))
        for v, name in old:
            got = handshake(st.https_port, old_client(v))
            check(isinstance(got, ssl.SSLError), "the site accepted %s: %s"
                  % (name, got))
        got = handshake(st.https_port, old_client(ssl.TLSVersion.TLSv1_2,
                                                  "AES128-SHA"))
        check(isinstance(got, ssl.SSLError), "the site accepted TLS 1.2 "
              "with AES128-SHA (no forward secrecy): %s" % (got,))
        got = handshake(st.https_port, st.context(
            minimum_version=ssl.TLSVersion.TLSv1_3))
        check(isinstance(got, tuple) and got[0] == "TLSv1.3",
              "a TLS 1.3 handshake: %s" % (got,))

        # IE 11: TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, and a real page
        ctx = st.context(maximum_version=ssl.TLSVersion.TLSv1_2)
        ctx.set_ciphers(IE11_CIPHER)
        c = http.client.HTTPSConnection("127.0.0.1", st.https_port,
                                         timeout=TIMEOUT, context=ctx)
        try:
            c.connect()
            eq((c.sock.version(), c.sock.cipher()[0]),
               ("TLSv1.2", IE11_CIPHER), "IE 11's handshake")
            r = send(c, "GET", "/login")
        finally:
            c.close()
        eq(r.status, 200, "GET /login over TLS 1.2")
        check_response(r)
        check(r.csrf(), "GET /login over TLS: not the sign-in form")
        eq(r.header("Strict-Transport-Security"), HSTS, "HSTS on /login")
        eq(r.header("X-Frame-Options"), "DENY", "X-Frame-Options on /login")
        eq(st.get("/healthz").body.strip(), "ok", "GET /healthz over TLS")

        # plain HTTP: a redirect to the same address over HTTPS, whatever
        # it is
        for path in ("/units?after=x%20y", "/static/400.html"):
            r = st.plain_get(path)
            eq((r.status, r.location), (301, "https://%s%s" % (NAME, path)),
               "GET %s over plain HTTP" % path)
            eq(r.header("Strict-Transport-Security"), None,
               "HSTS over plain HTTP (RFC 6797 7.2: never)")
        # a request line nginx cannot read, on either port
        r = raw_request(st.http_port, b"GET /a b c HTTP/1.1\r\nHost: x\r\n"
                        b"\r\n")
        own_page(r, 400, "could not be read", hsts=False)
        r = raw_request(st.https_port, b"GARBAGE\r\n\r\n", tls=st.context())
        own_page(r, 400, "could not be read", hsts=True)


def form_post(c, path):
    """A POST without a token: the app refuses it at once (403, or 429
    when it comes in a flood of sign-ins: admit.h), so a flood of them
    costs the workers next to nothing."""
    return send(c, "POST", path, body="username=x")


def app_refused(r):
    return (r.status == 403 and "did not come from this site" in r.body) \
        or (r.status == 429 and "Too many sign-ins at once" in r.body)


def limited(r):
    return r.status == 429 and "Too many tries came from your network" \
        in r.body


def flood(st, path, burst, rate, addr):
    """POSTs to path from addr as fast as they go: the first burst all
    reach the app, then nginx refuses (429) while no more pass than the
    burst, one, and what the rate let through meanwhile (+2 for the
    clock). Returns one 429."""
    c = st.conn(addr)
    try:
        t0 = time.time()
        for i in range(burst):
            r = form_post(c, path)
            check(app_refused(r), "POST %s #%d of a burst of %d from one "
                  "address: %s, want the app's refusal" % (path, i + 1, burst,
                                                       desc(r)))
        passed, refused, sent = burst, [], burst
        while len(refused) < 10 and sent < burst + 2000:
            r = form_post(c, path)
            sent += 1
            if limited(r):
                refused.append(r)
            elif app_refused(r):
                passed += 1
            else:
                raise Fail("POST %s #%d: %s" % (path, sent, desc(r)))
        secs = time.time() - t0
    finally:
        c.close()
    note("POST %s from one address: %d in %.1f s, %d to the app, then "
         "429" % (path, sent, secs, passed))
    check(refused, "%d POSTs to %s from one address in %.1f s: none "
          "refused" % (sent, path, secs))
    most = burst + 1 + int(rate * secs) + 2
    check(passed <= most, "%d POSTs to %s from one address in %.1f s: %d "
          "reached the app, want at most %d (burst %d, %g a second)"
          % (sent, path, secs, passed, most, burst, rate))
    return refused[0]


@test
def sign_in_limits():
    """The site's limits per address, as for a store of 200 staff behind
    one address: 200 POSTs to /login at once reach the app, then 429
    with Retry-After and the headers (its page); /login/sms lets 400 and
    /reset 100 through, each zone its own; GETs never count; after two
    seconds a sign-in from the refused address passes; another address
    is not limited by the first one's flood."""
    u = make_user()
    with production_site() as st:
        a = loopback_addr()
        r = flood(st, "/login", 200, 1, a)
        own_page(r, 429, "Wait a minute", hsts=True, retry_after="60")
        c = st.conn(a)
        try:
            check(limited(form_post(c, "/login/mfa")), "POST /login/mfa "
                  "after the flood of /login: not limited (the same zone)")
            for i in range(20):
                r = send(c, "GET", "/login")
                eq(r.status, 200, "GET /login #%d after the flood" % i)
            check(app_refused(form_post(c, "/reset")), "POST /reset after "
                  "the flood of /login: limited (another zone)")
        finally:
            c.close()
        other = loopback_addr()
        c = st.conn(other)
        try:
            check(app_refused(form_post(c, "/login")), "POST /login from "
                  "another address: limited by the first one's flood")
        finally:
            c.close()
        time.sleep(2.5)
        # a real sign-in from the flooded address, at the steady rate
        c = st.conn(a)
        try:
            r = send(c, "GET", "/login")
            jar = "; ".join(h.split(";")[0] for h in
                            r.headers.get_all("Set-Cookie") or [])
            r = send(c, "POST", "/login", body=urllib.parse.urlencode({
                "csrf": r.csrf(), "username": u.upn,
                "password": u.password}), headers={"Cookie": jar})
        finally:
            c.close()
        eq((r.status, r.location), (303, "/"), "a sign-in from the flooded "
           "address 2.5 s later")
        r = flood(st, "/login/sms", 400, 2, loopback_addr())
        own_page(r, 429, "Wait a minute", hsts=True, retry_after="60")
        r = flood(st, "/reset", 100, 1, loopback_addr())
        own_page(r, 429, "Wait a minute", hsts=True, retry_after="60")
        check("limiting requests" in st.errors(), "the error log does not "
              "say nginx refused: %s" % st.errors()[-500:])


@test
def site_pages():
    """The production site's own answers: static files with the headers
    and HSTS (the content-hashed stylesheet a year and immutable, plain
    names an hour, the icon a day), a missing file, a POST to a file, a
    body too large and the monitoring addresses refused from elsewhere,
    each its page with the headers; /healthz and /metrics reach the app
    from this host."""
    with production_site() as st:
        r = st.get("/login")
        name, css = hashed_name()
        eq(stylesheet_link(r.body), name, "the page's stylesheet")
        r = st.get(name)
        static_headers(r, True, "public, max-age=31536000, immutable")
        eq(r.raw, css, "the content of " + name)
        eq(r.header("Content-Type"), "text/css; charset=utf-8", name)
        static_headers(st.get("/static/style.css"), True, "max-age=3600")
        static_headers(st.get("/favicon.ico"), True, "max-age=86400")
        own_page(st.get("/static/style.0123456789ab.css"), 404,
                 "There is nothing at this address", hsts=True)
        own_page(st.get("/static/503.html"), 404,
                 "There is nothing at this address", hsts=True)
        c = st.conn()
        try:
            own_page(send(c, "POST", "/static/style.css", body="a=b"), 405,
                     "cannot take what was sent", hsts=True)
            own_page(send(c, "POST", "/login", body="a" * 140000), 413,
                     "too large for this site", hsts=True)
        finally:
            c.close()
        own_page(h2_post(st, "/login", "a" * 140000), 413,
                 "too large for this site", hsts=True)
        away = loopback_addr()
        for path in ("/healthz", "/metrics"):
            own_page(st.get(path, source=away), 403,
                     "cannot be opened from where you are", hsts=True)
        r = st.get("/healthz")
        eq((r.status, r.body.strip()), (200, "ok"), "GET /healthz from "
           "this host")
        r = st.get("/metrics")
        check(r.status != 403 and "from where you are" not in r.body,
              "GET /metrics from this host: refused by nginx: %s" % desc(r))


@test
def site_upstream_down():
    """The production site with its workers' socket gone, left behind by
    a dead master, or with its queue full (EAGAIN, the attack run's
    502): a 503 page with Retry-After, the headers and HSTS, at once."""
    tmp = tempfile.mkdtemp(prefix="sock-", dir=VAR)
    os.chmod(tmp, 0o755)
    try:
        sock = os.path.join(tmp, "app.sock")
        with production_site(sock) as st:
            out_of_reach(st.get, st.errors, True, sock)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
