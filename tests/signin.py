# tests/signin.py BASE UPN PASSWORD [TOTP_SECRET]: signs in (password, then
# TOTP when asked) and prints the session cookie as "name=value", for
# tests/bench.sh and for trying pages with curl. tests/signin.py BASE
# --form: the sign-in form's visitor cookie and CSRF token, as
# "name=value<TAB>token" (bench.sh posts wrong passwords with them).
# Standard library only.
import sys, urllib.request, urllib.parse, http.cookiejar, re, hmac, hashlib, struct, time, base64
base = sys.argv[1]
upn, pw = sys.argv[2:4] if sys.argv[2] != '--form' else (None, None)
secret = sys.argv[4] if len(sys.argv) > 4 else None
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
cj = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj), NoRedirect)
def get(p):
    try: r = op.open(base + p)
    except urllib.error.HTTPError as e: r = e
    return r.status, r.read().decode(), r.headers
def post(p, d):
    try: r = op.open(base + p, urllib.parse.urlencode(d).encode())
    except urllib.error.HTTPError as e: r = e
    return r.status, r.read().decode(), r.headers
def csrf(html): return re.search(r'name="csrf" value="([^"]+)"', html).group(1)
def totp(sec):
    k = base64.b32decode(sec + '=' * (-len(sec) % 8)); c = int(time.time()) // 30
    h = hmac.new(k, struct.pack('>Q', c), hashlib.sha1).digest(); o = h[-1] & 15
    return '%06d' % ((struct.unpack('>I', h[o:o+4])[0] & 0x7fffffff) % 1000000)
s, h, _ = get('/login')
if upn is None:
    print('; '.join('%s=%s' % (c.name, c.value) for c in cj) + '\t' + csrf(h))
    sys.exit(0)
s, h, hd = post('/login', {'csrf': csrf(h), 'username': upn, 'password': pw})
assert s == 303, (s, h)
if hd['Location'] == '/login/mfa':
    s, h, _ = get('/login/mfa')
    s, h, hd = post('/login/mfa', {'csrf': csrf(h), 'code': totp(secret), 'method': 'totp'})
    if s == 422:  # this step's code was used already (RFC 6238 5.2): next one
        time.sleep(30 - time.time() % 30 + 1)
        s, h, hd = post('/login/mfa', {'csrf': csrf(h), 'code': totp(secret), 'method': 'totp'})
    assert s == 303, (s, h)
print('; '.join('%s=%s' % (c.name, c.value) for c in cj if c.name.startswith('staffdesk') and not c.name.endswith('_pre')))
