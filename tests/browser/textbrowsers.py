"""A manager's journey in w3m and in lynx, driven through their keys as a
person would: sign in, the app's code, the location, the person, a reset,
a phone number added, edited and removed, a search, sign out.

Each browser runs in a pseudo-terminal of its own tmux server (a private
socket, COLS x ROWS, TERM=screen), with a temporary HOME, so its cookie
jar is its own and lasts as long as the browser. The test sends keys
(Tab to move, Enter to follow or press, text typed into the fields) and
reads the screen back with capture-pane: every step waits for the text
it expects, for at most WAIT seconds, then fails with the screen in the
message. Each step's screen is written to tests/browser/out/BROWSER/ (a
directory made anew by each run of the test), so a person can read what
the browser showed.
"""

import select
import shlex
import tempfile

from lib import *  # noqa: F401,F403
from people import *  # noqa: F401,F403

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
TMUX = shutil.which("tmux")
LYNX = shutil.which("lynx")
COLS, ROWS = 120, 45
WAIT = 15           # seconds for an expected screen (a slow CI machine)
MOVE_WAIT = 5       # seconds for the cursor to move after a key


class Snap:
    """What the terminal shows: its lines (padded to ROWS) and the
    cursor; status: the program's exit status once it has exited, else
    None."""

    def __init__(self, lines, x, y, status):
        self.lines = (lines + [""] * ROWS)[:ROWS]
        self.x, self.y = x, y
        self.status = status

    def text(self):
        return "\n".join(l.rstrip() for l in self.lines).rstrip() + "\n"

    def key(self):
        return (self.lines, self.x, self.y)

    def at_cursor(self):
        """The text of the cursor's line from the cursor on."""
        return self.lines[self.y][self.x:]

    def left_of_cursor(self):
        return self.lines[self.y][:self.x]

    def has(self, *texts):
        t = self.text()
        return all(s in t for s in texts)


class Term:
    """One program in a tmux pane: keys in, screens out. Commands go to
    the tmux server through one control-mode client (tmux -C), a pipe
    that answers in well under a millisecond where a tmux command costs
    some 40 ms to start."""

    def __init__(self, name, argv, home):
        check(TMUX is not None, "tmux is not installed: a text browser "
              "cannot be driven (apt-get install tmux)")
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="staffdesk-%s." % name)
        self.sock = os.path.join(self.dir, "tmux.sock")
        self.out = os.path.join(OUT, name)
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(self.out)
        self.step = 0
        self.t0 = time.monotonic()
        self.ctl = None
        self.buf = b""
        conf = os.path.join(self.dir, "tmux.conf")
        with open(conf, "w") as f:
            # no status line: the pane is the whole terminal, and it
            # stays when the program exits, with the last screen
            f.write("set -g status off\nset -g remain-on-exit on\n"
                    "set -g default-terminal screen\n")
        # The exit status through a shell, which waits for the program:
        # tmux 3.3 leaves a lynx that quit unreaped, its status unknown.
        self.exit_file = os.path.join(self.dir, "exit-status")
        argv = ["sh", "-c", '"$@"; echo $? > "$0.tmp" && mv "$0.tmp" "$0"',
                self.exit_file] + list(argv)
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                    "TZ": "UTC", "TMUX_TMPDIR": self.dir}
        try:
            p = subprocess.run([TMUX, "-S", self.sock, "-f", conf,
                                "new-session", "-d", "-x", str(COLS), "-y",
                                str(ROWS), shlex.join(argv)],
                               capture_output=True, text=True, env=self.env,
                               timeout=10)
            check(p.returncode == 0, "tmux new-session: exit %d: %s"
                  % (p.returncode, p.stderr.strip()))
            # (no-output: no copy of what the program writes; the screen
            # is read when needed)
            self.ctl = subprocess.Popen(
                [TMUX, "-S", self.sock, "-C", "attach-session", "-f",
                 "no-output"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env=self.env)
            eq(self.cmd("display-message -p staffdesk-ready"),
               ["staffdesk-ready"], "%s: tmux's first answer" % name)
        except BaseException:
            self.close()
            raise

    def line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            r = select.select([self.ctl.stdout], [], [], max(left, 0))[0]
            check(r, "%s: tmux did not answer within 10 s" % self.name)
            chunk = os.read(self.ctl.stdout.fileno(), 65536)
            check(chunk, "%s: tmux's control client ended" % self.name)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, line):
        self.ctl.stdin.write(line.encode("utf-8") + b"\n")
        self.ctl.stdin.flush()

    def block(self):
        """The output lines of the answer to the next command this client
        sent. Notifications between answers are skipped, and so are the
        answers to commands of others (the attach itself, which may come
        after the first of ours): their %begin's flags are 0."""
        deadline = time.monotonic() + 10
        while True:
            l = self.line(deadline)
            if not l.startswith("%begin "):
                continue
            tag = l[len("%begin "):]
            out = []
            while True:
                l = self.line(deadline)
                if l in ("%end " + tag, "%error " + tag):
                    break
                out.append(l)
            if tag.split()[-1] != "1":
                continue
            if l.startswith("%error"):
                raise Fail("%s: tmux: %s" % (self.name, " ".join(out)))
            return out

    def cmd(self, line):
        self.send(line)
        return self.block()

    def snap(self):
        lines = self.cmd("capture-pane -p")
        x, y = self.cmd("display-message -p '#{cursor_x} #{cursor_y}'"
                        )[0].split()
        status = None
        if os.path.exists(self.exit_file):
            with open(self.exit_file) as f:
                status = f.read().strip()
        return Snap(lines, int(x), int(y), status)

    def keys(self, *names):
        """Keys by tmux's names (Tab, Enter, C-u)."""
        self.cmd("send-keys " + " ".join(names))

    def type(self, text):
        check("'" not in text and "\n" not in text and ";" not in text,
              "%r cannot be typed through tmux's control mode" % text)
        self.cmd("send-keys -l -- '%s'" % text)

    def wait(self, what, cond, timeout=WAIT, settle=0.06):
        """The screen once cond(snap) holds and the screen has settled
        (the same for `settle` seconds); fails after timeout seconds with
        the screen in the message."""
        deadline = time.monotonic() + timeout
        since = None
        while True:
            s = self.snap()
            if s.status is not None and not cond(s):
                self.fail("%s: %s exited (status %s) before %s"
                          % (self.name, self.name, s.status, what), s)
            now = time.monotonic()
            if not cond(s):
                since = None
            elif since is None or since[1].key() != s.key():
                since = (now, s)
            elif now - since[0] >= settle:
                return s
            if now > deadline:
                self.fail("%s: no %s within %g s" % (self.name, what,
                                                      timeout), s)
            time.sleep(0.01)

    def save(self, label, s=None):
        """Writes the screen to out/NAME/NN-label.txt; returns it."""
        s = s or self.snap()
        self.step += 1
        with open(os.path.join(self.out, "%02d-%s.txt" % (self.step, label)),
                  "w", encoding="utf-8") as f:
            f.write(s.text())
        with open(os.path.join(self.out, "steps.txt"), "a") as f:
            f.write("%02d-%s\t%.1f s\n" % (self.step, label,
                                           time.monotonic() - self.t0))
        return s

    def fail(self, msg, s):
        self.save("FAILED", s)
        raise Fail("%s; the screen (%d,%d):\n%s" % (msg, s.x, s.y, s.text()))

    def close(self):
        subprocess.run([TMUX, "-S", self.sock, "kill-server"],
                       capture_output=True, env=self.env, timeout=10)
        if self.ctl is not None:
            try:
                self.ctl.stdin.close()
            except OSError:
                pass
            try:
                self.ctl.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.ctl.kill()
                self.ctl.wait()
            self.ctl.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def norm_at(s):
    """The text at the cursor without what marks a button: lynx writes
    "(BUTTON) Sign in", or the value of a named one ("(save) Save"); w3m
    "[Save]" for an input."""
    t = s.at_cursor().lstrip()
    t = re.sub(r"^\([^()]*\)\s*", "", t)
    return t.lstrip("[")


def labels_of(s):
    """What may be a field's label: the text left of the cursor on its
    line, and the two nearest lines above with text. (lynx puts the
    cursor after what the field holds, so the text on its left may be
    that; an error message may stand between a label and its field.)"""
    out = [s.left_of_cursor().rstrip().rstrip("[").strip()]
    for y in range(s.y - 1, -1, -1):
        if s.lines[y].strip():
            out.append(s.lines[y].strip())
            if len(out) == 3:
                break
    return out


class Text:
    """What w3m and lynx share: moving to a link, button or field with
    Tab, pressing it, and what a page is (its title)."""

    name = None

    def __init__(self, url):
        self.tmp = tempfile.mkdtemp(prefix="staffdesk-%s-home." % self.name)
        try:
            self.t = Term(self.name, self.argv(url), self.tmp)
        except BaseException:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise

    def close(self):
        self.t.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # what the browser shows --------------------------------------------

    def title(self, s):
        raise NotImplementedError

    def in_field(self, s):
        raise NotImplementedError

    def page(self, title, *texts, timeout=WAIT):
        """Waits for the page titled title showing texts; its screen."""
        return self.t.wait("page %r showing %r" % (title, texts),
                           lambda s: self.title(s) == title and
                           s.has(*texts), timeout)

    # moving -------------------------------------------------------------

    def focus(self, what, ok, limit=60):
        """Tab until ok(snap): the cursor on what."""
        s = self.t.snap()
        for _ in range(limit):
            if ok(s):
                return s
            before = s.key()
            self.t.keys("Tab")
            s = self.t.wait("cursor moving on towards %s" % what,
                            lambda n: n.key() != before, MOVE_WAIT,
                            settle=0.03)
        self.t.fail("%s: %d Tabs did not reach %s" % (self.name, limit, what),
                    s)

    def to_link(self, text):
        """The cursor on the link or button whose text starts with text."""
        return self.focus("the link or button %r" % text,
                          lambda s: not self.in_field(s) and
                          norm_at(s).startswith(text))

    def to_field(self, label):
        return self.focus("the field %r" % label,
                          lambda s: self.in_field(s) and
                          any(l.startswith(label) for l in labels_of(s)))

    def press(self, text):
        """Moves to the link or button text and follows or presses it."""
        self.to_link(text)
        self.t.keys("Enter")

    def fill(self, label, value, secret=False):
        """Moves to the field label and types value in it, replacing what
        it held."""
        self.to_field(label)
        self.enter_text(value, secret)

    def quit(self):
        """Quits (without the question) and checks the exit status."""
        self.t.keys("Q")
        s = self.t.wait("%s's exit" % self.name,
                        lambda s: s.status is not None)
        eq(s.status, "0", "%s's exit status" % self.name)


class W3m(Text):
    name = "w3m"

    def argv(self, url):
        return [W3M, "-no-mouse", "-o", "accept_cookie=1", "-o",
                "use_cookie=1", url]

    def title(self, s):
        m = re.match(r".*Viewing <(.*)>\s*$", s.lines[-1])
        return m.group(1).rsplit(" - staffdesk", 1)[0] if m else None

    def in_field(self, s):
        # a text field is [____] with the cursor just inside it
        return s.x > 0 and s.lines[s.y][s.x - 1:s.x] == "[" and \
            re.match(r"[^\]]*\]", s.at_cursor()) is not None and \
            not re.match(r"[ *]\]", s.at_cursor())

    def enter_text(self, value, secret):
        # Enter opens the line editor on the last line ("TEXT:" or
        # "Password:") holding the field's value; C-a C-k empties it
        self.t.keys("Enter")
        self.t.wait("w3m's line editor", lambda s: s.y == ROWS - 1 and
                    re.match(r"(TEXT|Password):", s.lines[-1]))
        self.t.keys("C-a", "C-k")
        self.t.type(value)
        self.t.wait("%r typed" % ("*" * len(value) if secret else value),
                    lambda s: s.lines[-1].endswith(
                        "*" * len(value) if secret else value))
        self.t.keys("Enter")
        shown = "*" * len(value) if secret else value[:COLS // 4]
        self.t.wait("the field holding %r" % shown, lambda s: s.y < ROWS - 1
                    and s.at_cursor().startswith(shown))


class Lynx(Text):
    name = "lynx"

    def argv(self, url):
        # -nopause: no seconds-long pause for each status message
        return [LYNX, "-nopause", "-accept_all_cookies", "-show_cursor=on",
                "-nocolor", "-display_charset=utf-8", url]

    def status(self, s):
        return "\n".join(s.lines[-3:])

    def title(self, s):
        # the top line: the title on the right ("(p1 of 2)" after it on
        # a long page), and "<-<-<-" on the left once there is a page to
        # go back to
        m = re.match(r"(?:\u2190+)?\s*(.*?) - staffdesk(?: \(p\d+ of \d+\))?$",
                     s.lines[0].strip())
        return m.group(1) if m else None

    def in_field(self, s):
        return re.search(r"\((Textfield|Password entry field)\b",
                         self.status(s)) is not None

    def enter_text(self, value, secret):
        # typing goes into the field (C-u empties it first), the cursor
        # after it; a password shows as * while the cursor is in it
        self.t.keys("C-u")
        self.t.type(value)
        shown = "*" * len(value) if secret else value
        self.t.wait("the field holding %r" % shown,
                    lambda s: s.left_of_cursor().endswith(shown))


def sessions_of(uid):
    return sql("SELECT user_agent, mfa_at IS NOT NULL FROM sessions "
               "WHERE user_id = %s" % sqlq(uid))


def audited(mark, action, ua, result="success", **where):
    """The one audit row of action with result after mark, made by this
    browser."""
    row = one_audit(mark, action, action=action, result=result, **where)
    uas = sql("SELECT user_agent FROM audit_log WHERE id = %s" % row["id"])
    check(uas and (uas[0][0] or "").startswith(ua), "%s: audit row's user "
          "agent %r, want %s..." % (action, uas[0][0] if uas else None, ua))
    return row


def journey(cls, ua):
    """The manager's journey in browser class cls (whose requests carry a
    user agent starting with ua)."""
    unit, _ = add_unit("Store %s" % cls.name.capitalize())
    m = add_manager("authentication-administrator", unit)
    word = "Wx" + secrets.token_hex(3)
    t = member(unit, name="Wren %s Textwalk" % word, mobile=fresh_mobile())
    office = fresh_mobile().replace("+1425", "+1206")
    office2 = fresh_mobile().replace("+1425", "+1360")
    b = cls(BASE + "/login")
    try:
        drive(b, m, t, unit, word, office, office2, ua)
    finally:
        b.close()


def drive(b, m, t, unit, word, office, office2, ua):
    term = b.t
    mark = audit_mark()

    # sign in: a wrong password, then the right one ...
    term.save("login", b.page("Sign in", "Username", "Password"))
    b.fill("Username", m.upn)
    b.fill("Password", m.password[::-1], secret=True)
    b.press("Sign in")
    term.save("login-refused", b.page("Sign in", GENERIC, m.upn))
    eq(sessions_of(m.id), [], "%s: sessions after a wrong password"
       % b.name)
    audited(mark, "signin.password", ua, result="failure", target_id=m.id)
    b.fill("Password", m.password, secret=True)
    b.press("Sign in")
    s = b.page("Verify your identity", "Code from my authenticator app",
               "Signed in as")
    term.save("mfa", s)
    check(m.upn in s.text(), "%s: the MFA page does not name %s"
          % (b.name, m.upn))
    got = sessions_of(m.id)
    check(len(got) == 1 and got[0][0].startswith(ua) and got[0][1] == "0",
          "%s: after the password, sessions (user agent, MFA done) %r"
          % (b.name, got))
    audited(mark, "signin.password", ua, actor_id=m.id)

    # ... and the app's code: a wrong one, then the right one; My Staff
    # opens at the one location
    b.fill("Code", wrong_code(m.secret))
    b.press("Verify")
    term.save("mfa-refused", b.page("Verify your identity",
                                    "That code is not right"))
    eq([r[1] for r in sessions_of(m.id)], ["0"],
       "%s: the session's MFA done after a wrong code" % b.name)
    audited(mark, "signin.mfa", ua, result="failure", actor_id=m.id)
    b.fill("Code", totp_now(m.secret))
    b.press("Verify")
    s = b.page(unit, t.name, "Locations", "Search", "Sign out")
    term.save("location", s)
    eq([r[1] for r in sessions_of(m.id)], ["1"],
       "%s: the session's MFA done after the code" % b.name)
    audited(mark, "signin.mfa", ua, actor_id=m.id)

    # the location through its link, then the person
    b.press("Locations")
    term.save("location-again", b.page(unit, t.name, "1 person"))
    b.press(t.name)
    s = b.page(t.name, t.upn, "Reset password", "Add / Edit / Remove phone")
    term.save("person", s)
    check(unit in s.text(), "%s: the profile does not name the location"
          % b.name)

    # reset the password: the confirm page, then the temporary password
    before = pw_state(t.id)
    b.press("Reset password")
    term.save("reset-confirm", b.page("Reset password",
                                      "temporary password", t.name))
    b.press("Reset password")
    s = b.page("Password reset", "The temporary password for")
    term.save("reset-done", s)
    lines = [l.strip() for l in s.lines]
    i = next(i for i, l in enumerate(lines) if "temporary password for" in l)
    temp = next(l for l in lines[i + 1:] if l)
    check(re.fullmatch(r"[A-Za-z2-9]{14}", temp), "%s: %r after 'The "
          "temporary password for' is no temporary password" % (b.name, temp))
    after = pw_state(t.id)
    check(after[1] != before[1] and after[2] == "1", "%s: the reset left "
          "the password (version, must change) at %r" % (b.name, after[1:]))
    row = audited(mark, "user.password.reset", ua, actor_id=m.id,
                  target_id=t.id)
    check(temp not in (row["details"] or ""), "the audit row holds the "
          "temporary password")
    Browser().login(t.upn, temp, 303, "/account/password")

    # a phone number: added, changed, removed
    b.press("Back to %s" % t.name)
    term.save("person-after-reset", b.page(
        t.name, t.upn, "Must change password at next sign-in"))
    b.press("Add / Edit / Remove phone")
    term.save("phones", b.page("Phone numbers", "Office", t.name))
    b.fill("Office", typed(office)[3:])       # no country code
    b.press("Save")
    term.save("phone-refused", b.page(
        "Phone numbers: not saved", "Not saved. Office number:",
        "Start the number with + and the country code"))
    check("office" not in phones_db(t.id), "%s: an office number stored "
          "without its country code" % b.name)
    b.fill("Office", typed(office))
    b.press("Save")
    s = b.page(t.name, "Office number saved.")
    term.save("phone-added", s)
    eq(phones_db(t.id).get("office"), office, "%s: the office number "
       "stored" % b.name)
    audited(mark, "user.phone.add", ua, actor_id=m.id, target_id=t.id)

    b.press("Add / Edit / Remove phone")
    # (the page anew, not the copy from before the number was saved)
    term.save("phones-again", b.page("Phone numbers", "Office", office))
    b.fill("Office", office2)
    b.press("Save")
    s = b.page(t.name, "Office number saved.", office2[-4:])
    term.save("phone-changed", s)
    eq(phones_db(t.id).get("office"), office2, "%s: the office number "
       "changed" % b.name)
    audited(mark, "user.phone.update", ua, actor_id=m.id,
            target_id=t.id)

    b.press("Add / Edit / Remove phone")
    b.page("Phone numbers", "Office", office2)
    b.to_field("Office")
    b.press("Remove")
    s = b.page(t.name, "Office number removed.")
    term.save("phone-removed", s)
    check("Office:" not in s.text(), "%s: the profile still shows an office "
          "number" % b.name)
    check("office" not in phones_db(t.id) and "mobile" in phones_db(t.id),
          "%s: after the removal, phones %r" % (b.name, phones_db(t.id)))
    audited(mark, "user.phone.remove", ua, actor_id=m.id,
            target_id=t.id)

    # search for the person by a word of the name
    b.press("Search")
    b.page("Search", "the start of a word is enough")
    b.fill("A person's name", word.lower())
    b.press("Search")
    # (a name and the list of rights may wrap in the table's cells)
    term.save("search", b.page("Search", t.upn, "reset password"))

    # sign out: the sign-in page, and no session left
    b.press("Sign out")
    s = b.page("Sign in", "Username", "Password")
    term.save("signed-out", s)
    check("Signed in as" not in s.text(), "%s: still signed in after Sign "
          "out" % b.name)
    eq(sessions_of(m.id), [], "%s: the manager's sessions after sign-out"
       % b.name)
    audited(mark, "signout", ua, actor_id=m.id)
    b.quit()


@test
def w3m_journey():
    check(W3M is not None, "w3m is not installed (apt-get install w3m)")
    journey(W3m, "w3m/")


@test
def lynx_journey():
    check(LYNX is not None, "lynx is not installed (apt-get install lynx)")
    journey(Lynx, "Lynx/")
