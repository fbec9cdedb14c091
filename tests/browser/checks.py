"""The browser suite's own rules fail on pages that break them: a check
that cannot fail proves nothing. Each page here is a data: URL with one
fault; a clean one passes them all."""

from lib import *  # noqa: F401,F403
import cdp
import chromium
import pages

CLEAN = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width">'
         '<title>t</title></head><body><form><p><label for="a">A</label>'
         '<input id="a" name="a"></p></form><p>%s</p></body></html>')


def page_of(c, html):
    c.open("data:text/html;charset=utf-8," + urllib.parse.quote(html))


def fails(fn, want):
    try:
        fn()
    except Fail as e:
        check(want in str(e), "failed for another reason: %s" % e)
        return
    check(False, "passed a page that breaks it (%r wanted)" % want)


@test
def browser_checks_fail_on_faults():
    origin = "data:"
    with cdp.Chrome(360, 640, mobile=True) as c:
        page_of(c, CLEAN % "fine")
        pages.check_page(c, "clean", origin)
        chromium.fits(c, "clean")
        faults = (
            (CLEAN.replace(' lang="en"', "") % "x", "has no lang"),
            (CLEAN.replace('<label for="a">A</label>', "") % "x",
             "has no label"),
            (CLEAN % "<span></span>", "tidy"),
            (CLEAN % ("x" * 31000), "weigh"),
            (CLEAN % '<img src="http://127.0.0.1:9/x.png" alt="">',
             "of another origin"),
            (CLEAN % '<span style="color:#999">grey</span>', "contrast"),
            (CLEAN % '<b style="color:#fff;background:#ff0">y</b>',
             "contrast"),
        )
        for i, (html, want) in enumerate(faults):
            page_of(c, html)
            fails(lambda: pages.check_page(c, "fault %d" % i, origin), want)
        page_of(c, CLEAN % '<span style="display:block;width:900px">w</span>')
        fails(lambda: chromium.fits(c, "wide"), "px wide")
        page_of(c, CLEAN.replace("<body>", '<body><div class="top" '
                                 'style="height:300px">h</div>') % "x")
        fails(lambda: chromium.fits(c, "tall header"), "header is")
        page_of(c, CLEAN.replace('<input id="a"', '<input id="a" autofocus '
                                 'style="outline:none"') % "x")
        c.call("DOM.focus", {"nodeId": c.node("#a")})
        fails(lambda: chromium.focus_shown(c, "no ring"), "not visible")
