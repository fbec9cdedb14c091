"""What every page must be for any browser, checked on the page a
cdp.Chrome shows (check_page), each rule a function that raises lib.Fail
with what is wrong:

- tidy finds nothing to warn of in the HTML as served;
- the HTML and its stylesheets weigh under 30 KB;
- nothing is fetched from another origin;
- <html lang> is set, and every form field has a label;
- every piece of text meets WCAG AA contrast against what is behind it
  (4.5:1, 3:1 for large text), computed from the styles Chromium applied.

pages_test.py proves each rule fails on a page that breaks it.
"""

import re
import urllib.parse

import lib
from lib import Fail, Page

MAX_BYTES = 30 * 1024
_contrast_seen = set()


def check_page(c, where, origin=None, max_bytes=None):
    url, status, mime, body = c.fetched[0]
    text = body.decode("utf-8")
    tidy_clean(body, where)
    weight(c.fetched, where, max_bytes or MAX_BYTES)
    same_origin(c.requested, origin or lib.BASE, where)
    lang_and_labels(Page(text), where)
    # once per page and width: the colours do not change with the data
    key = where.split(" (")[0]
    if key not in _contrast_seen:
        contrast(c, where)
        _contrast_seen.add(key)


def tidy_clean(body, where):
    said = lib.tidy_errors(body)
    if said:
        raise Fail("%s: tidy: %s" % (where, "; ".join(said[:5])))


def weight(fetched, where, most):
    n = sum(len(b) for u, s, mime, b in fetched
            if mime in ("text/html", "text/css"))
    if n >= most:
        raise Fail("%s: HTML and CSS weigh %d bytes (under %d wanted)"
                   % (where, n, most))


def same_origin(requested, origin, where):
    want = urllib.parse.urlsplit(origin)[:2]
    for u in requested:
        if urllib.parse.urlsplit(u)[:2] != want:
            raise Fail("%s: fetched %s, of another origin" % (where, u))


def lang_and_labels(page, where):
    html = page.all("html")
    if not html or not html[0].attrs.get("lang"):
        raise Fail("%s: <html> has no lang" % where)
    labelled = {n.attrs.get("for") for n in page.all("label")}
    for n in page.root.iter():
        if n.tag not in ("input", "select", "textarea") or \
                n.attrs.get("type") in ("hidden", "submit", "button"):
            continue
        up, inside = n.parent, False
        while up is not None and not inside:
            inside = up.tag == "label"
            up = up.parent
        if not (inside or n.attrs.get("id") in labelled or
                n.attrs.get("aria-label") or n.attrs.get("aria-labelledby")):
            raise Fail("%s: the field %s has no label"
                       % (where, n.attrs.get("name") or n.attrs.get("id")))


def rgba(s):
    """(r, g, b, a) of a computed colour 'rgb(...)' or 'rgba(...)'."""
    m = re.fullmatch(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)",
                     s.strip())
    if not m:
        raise Fail("a colour the test cannot read: %r" % s)
    return tuple(float(x) for x in m.groups()[:3]) + (
        float(m.group(4)) if m.group(4) is not None else 1.0,)


def over(top, below):
    """top (r, g, b, a) painted over the opaque colour below."""
    a = top[3]
    return tuple(top[i] * a + below[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(c):
    def lin(v):
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])


def ratio(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def contrast(c, where):
    """Every element with text of its own (or a field's typed text) against
    the first background behind it, blended down to the page's white."""
    parents, texts, info = {}, [], {}

    def walk(n, parent):
        parents[n["nodeId"]] = parent
        info[n["nodeId"]] = n
        kids = n.get("children", [])
        if n.get("nodeType") == 1 and n["nodeName"] not in (
                "HEAD", "SCRIPT", "STYLE", "TITLE", "svg"):
            if n["nodeName"] in ("INPUT", "TEXTAREA", "SELECT") or any(
                    k.get("nodeType") == 3 and k["nodeValue"].strip()
                    for k in kids):
                texts.append(n["nodeId"])
        for k in kids:
            walk(k, n["nodeId"])

    walk(c.doc, None)
    styles = {}

    def style(i):
        if i not in styles:
            styles[i] = c.style(i)
        return styles[i]

    for i in texts:
        st = style(i)
        if st.get("display") == "none" or st.get("visibility") == "hidden":
            continue
        if st.get("type") == "hidden":
            continue
        layers, up = [], i
        while up is not None and info[up].get("nodeType") == 1:
            bg = rgba(style(up)["background-color"])
            if bg[3] > 0:
                layers.append(bg)
                if bg[3] >= 1:
                    break
            up = parents[up]
        back = (255.0, 255.0, 255.0, 1.0)
        for layer in reversed(layers):
            back = over(layer, back)
        fg = over(rgba(st["color"]), back)
        size = float(st["font-size"].rstrip("px"))
        bold = int(st.get("font-weight", "400")) >= 700
        need = 3.0 if size >= 24 or (bold and size >= 18.66) else 4.5
        r = ratio(fg, back)
        if r < need:
            node = info[i]
            raise Fail("%s: text in <%s class=%r> is %s on %s, contrast "
                       "%.2f:1 (WCAG AA wants %.1f:1)"
                       % (where, node["localName"],
                          dict(zip(node.get("attributes", [])[0::2],
                                   node.get("attributes", [])[1::2]))
                          .get("class", ""), st["color"],
                          "rgb(%d, %d, %d)" % back[:3], r, need))
