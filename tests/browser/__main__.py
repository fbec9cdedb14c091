"""Browser tests of a running staffdesk stack: the journeys in real browsers.

    python3 tests/browser --base http://127.0.0.1:PORT --var VAR --root ROOT
    python3 tests/browser --list

The same options, output and exit status as tests/blackbox (whose runner
and helpers this suite uses), against the same kind of stack. Headless
Chromium (Debian's chromium) is driven over the DevTools protocol through
a pipe (cdp.py), with JavaScript off; w3m and lynx are driven as a person
would, through their keys. Screenshots and the text the browsers showed go
to tests/browser/out/ (made anew each run).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "blackbox")]

import runner  # noqa: E402

AREAS = ("checks", "chromium", "textbrowsers")

if __name__ == "__main__":
    sys.exit(runner.main(AREAS, __doc__))
