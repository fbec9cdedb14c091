"""A small client of the Chrome DevTools protocol over a pipe.

Chromium started with --remote-debugging-pipe reads commands on its fd 3
and writes answers and events on its fd 4, one JSON object each, ended by
a NUL byte. Chrome(width, height) starts a headless Chromium with a fresh
profile, attaches to its one tab with JavaScript turned off, and offers
what a person does (open a page, type into a field, press a key, click)
and what a test looks at (the page's HTML as served, its layout width,
the focused element, computed colours, a screenshot). Every wait has a
deadline; a missed one raises lib.Fail with what was awaited.
"""

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from lib import Fail

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WAIT = 20.0     # seconds for one command or one page load


class Chrome:
    def __init__(self, width, height, mobile=False):
        if CHROMIUM is None:
            raise Fail("chromium is not installed (apt-get install chromium)")
        self.tmp = tempfile.mkdtemp(prefix="staffdesk-chromium.")
        to_chrome = os.pipe()
        from_chrome = os.pipe()

        def fds():
            # fds 3 and 4 of the child, wherever the pipes landed here
            a, b = os.dup(to_chrome[0]), os.dup(from_chrome[1])
            os.dup2(a, 3)
            os.dup2(b, 4)

        env = dict(os.environ, HOME=self.tmp)
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--disable-extensions",
             "--disable-default-apps", "--hide-scrollbars",
             "--remote-debugging-pipe", "--user-data-dir=" + self.tmp,
             "--window-size=%d,%d" % (width, height), "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.tmp, "stderr"), "wb"))
        os.close(to_chrome[0])
        os.close(from_chrome[1])
        self.wfd, self.rfd = to_chrome[1], from_chrome[0]
        self.buf = b""
        self.next_id = 0
        self.events = []
        self.log = []       # every event since the last load()
        self.width, self.height = width, height
        try:
            self._attach(width, height, mobile)
        except BaseException:
            self.close()
            raise

    def _attach(self, width, height, mobile):
        targets = self.call("Target.getTargets", session=None)["targetInfos"]
        page = [t for t in targets if t["type"] == "page"]
        if not page:
            raise Fail("chromium opened no tab")
        self.session = self.call("Target.attachToTarget", {
            "targetId": page[0]["targetId"], "flatten": True},
            session=None)["sessionId"]
        for domain in ("Page", "DOM", "CSS", "Network", "Accessibility"):
            self.call(domain + ".enable")
        self.call("Emulation.setScriptExecutionDisabled", {"value": True})
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": mobile})
        self.call("Emulation.setFocusEmulationEnabled", {"enabled": True})

    def close(self):
        for fd in (getattr(self, "wfd", None), getattr(self, "rfd", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        if getattr(self, "proc", None) is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the protocol

    def _read(self, deadline):
        """The next message, or Fail at the deadline."""
        while b"\0" not in self.buf:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.rfd], [], [], left)[0]:
                raise Fail("chromium did not answer in %.0f s" % WAIT)
            chunk = os.read(self.rfd, 1 << 16)
            if not chunk:
                raise Fail("chromium exited (status %s)" % self.proc.poll())
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=True):
        """Sends a command and returns its result; events that arrive
        before it are kept for wait_event()."""
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + WAIT
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise Fail("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)
                self.log.append(m)

    def wait_event(self, method, pred=lambda p: True):
        """The params of the first event `method` (kept or to come) for
        which pred holds; earlier events of other kinds stay kept."""
        deadline = time.time() + WAIT
        while True:
            for i, m in enumerate(self.events):
                if m["method"] == method and pred(m.get("params", {})):
                    del self.events[:i + 1]
                    return m.get("params", {})
            m = self._read(deadline)
            if "method" in m:
                self.events.append(m)
                self.log.append(m)

    # -- pages

    def load(self, action):
        """Runs action (a navigation, a key, a click) and waits for the
        page it leads to; returns what it fetched: [(url, status,
        mime, body bytes)] in order, the document first."""
        self.events, self.log = [], []
        action()
        self.wait_event("Page.loadEventFired")
        # Only this load's requests (a late event of the page before may
        # still arrive), each waited for until it ends.
        mine = {m["params"]["requestId"] for m in self.log
                if m["method"] == "Network.requestWillBeSent"}
        got, ids, ends, sizes = [], [], {}, {}
        for m in self.log:
            p = m.get("params", {})
            if m["method"] == "Network.responseReceived" and \
                    p["requestId"] in mine:
                ids.append((p["requestId"], p["response"], p["type"]))
            elif m["method"] in ("Network.loadingFinished",
                                 "Network.loadingFailed"):
                ends[p["requestId"]] = m["method"]
                sizes[p["requestId"]] = p.get("encodedDataLength", 0)
        for rid, resp, kind in ids:
            if rid not in ends:
                p = self.wait_event("Network.loadingFinished",
                                    lambda p, rid=rid: p["requestId"] == rid)
                ends[rid] = "Network.loadingFinished"
                sizes[rid] = p.get("encodedDataLength", 0)
            body = b""
            if ends[rid] != "Network.loadingFailed":
                try:
                    r = self.call("Network.getResponseBody",
                                  {"requestId": rid})
                    body = (base64.b64decode(r["body"]) if r["base64Encoded"]
                            else r["body"].encode())
                except Fail:
                    # a subresource Chromium no longer holds: its size as
                    # it came, for the weight; the document must be there
                    if kind == "Document":
                        raise
                    body = b"\0" * int(sizes[rid])
            got.append((resp["url"], resp["status"], resp["mimeType"], body))
        if not got or urllib.parse.urlsplit(got[0][0]).scheme not in (
                "http", "https", "data"):
            raise Fail("the page loaded nothing (%s)" % self.url())
        self.fetched = got
        self.requested = [m["params"]["request"]["url"] for m in self.log
                          if m["method"] == "Network.requestWillBeSent"]
        self.doc = self.call("DOM.getDocument", {"depth": -1})["root"]
        return got

    def open(self, url):
        return self.load(lambda: self.call("Page.navigate", {"url": url}))

    def url(self):
        return self.call("Page.getNavigationHistory")["entries"][-1]["url"]

    def path(self):
        u = urllib.parse.urlsplit(self.url())
        return u.path + ("?" + u.query if u.query else "")

    def node(self, selector):
        """The nodeId of the first element matching selector, or Fail."""
        n = self.call("DOM.querySelector", {
            "nodeId": self.doc["nodeId"], "selector": selector})["nodeId"]
        if not n:
            raise Fail("%s: no element matches %r" % (self.path(), selector))
        return n

    def nodes(self, selector):
        return self.call("DOM.querySelectorAll", {
            "nodeId": self.doc["nodeId"], "selector": selector})["nodeIds"]

    def html(self):
        return self.call("DOM.getOuterHTML",
                         {"nodeId": self.doc["nodeId"]})["outerHTML"]

    def type_into(self, selector, text):
        """Focuses the field and types text into it, as a keyboard does."""
        self.call("DOM.focus", {"nodeId": self.node(selector)})
        self.call("Input.insertText", {"text": text})

    def key(self, name):
        """Presses and releases Tab, Enter or another named key."""
        codes = {"Tab": (9, "\t"), "Enter": (13, "\r"), "Space": (32, " ")}
        code, text = codes[name]
        down = {"type": "keyDown", "key": " " if name == "Space" else name,
                "code": name, "windowsVirtualKeyCode": code,
                "nativeVirtualKeyCode": code}
        if name != "Tab":
            down["text"] = text
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent", dict(down, type="keyUp",
                                                 text=""))

    def click(self, selector):
        """Clicks the middle of the element, scrolled into view first."""
        n = self.node(selector)
        self.call("DOM.scrollIntoViewIfNeeded", {"nodeId": n})
        q = self.call("DOM.getContentQuads", {"nodeId": n})["quads"]
        if not q:
            raise Fail("%s: %r is not on screen" % (self.path(), selector))
        x = sum(q[0][0::2]) / 4
        y = sum(q[0][1::2]) / 4
        for t in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {
                "type": t, "x": x, "y": y, "button": "left",
                "clickCount": 1})

    def focused(self):
        """The focused element's backend node id and its AX name, or
        (None, None)."""
        for n in self.call("Accessibility.getFullAXTree")["nodes"]:
            for p in n.get("properties", ()):
                if p["name"] == "focused" and p["value"].get("value") and \
                        n.get("role", {}).get("value") != "RootWebArea":
                    return n.get("backendDOMNodeId"), \
                        n.get("name", {}).get("value", "")
        return None, None

    def style(self, node_id):
        """The computed style of a node: {property: value}."""
        cs = self.call("CSS.getComputedStyleForNode", {"nodeId": node_id})
        return {p["name"]: p["value"] for p in cs["computedStyle"]}

    def front_id(self, backend_id):
        return self.call("DOM.pushNodesByBackendIdsToFrontend", {
            "backendNodeIds": [backend_id]})["nodeIds"][0]

    def layout(self):
        """(document width, viewport width), in CSS pixels."""
        m = self.call("Page.getLayoutMetrics")
        return (m["cssContentSize"]["width"],
                m["cssLayoutViewport"]["clientWidth"])

    def screenshot(self, path):
        """The whole page (up to 3000 px tall) as a PNG file."""
        m = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "scale": 1,
                "width": max(self.width, m["width"]),
                "height": min(max(self.height, m["height"]), 3000)}
        r = self.call("Page.captureScreenshot", {
            "format": "png", "clip": clip, "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))
