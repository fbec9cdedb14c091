"""The runner a suite's __main__ calls: picks tests by -k/--test, runs
them against a stack, prints one line each and "N passed, M failed".
tests/blackbox and tests/browser share it (see tests/blackbox/__main__.py
for the options)."""

import argparse
import importlib
import os
import sys
import time
import traceback
import urllib.parse

import lib


def run_one(fn, verbose):
    """Runs one test; returns True when it passed. Prints one line."""
    t0 = time.time()
    try:
        fn()
    except Exception as e:
        why = str(e) if isinstance(e, lib.Fail) else \
            "%s: %s" % (type(e).__name__, e)
        why = " | ".join(l.strip() for l in why.splitlines() if l.strip())
        print("FAIL %s: %s" % (fn.__name__, why), flush=True)
        if verbose:
            traceback.print_exc()
        return False
    print("ok %s" % fn.__name__ + (" (%.1fs)" % (time.time() - t0)
                                   if verbose else ""), flush=True)
    return True


def main(areas, doc):
    """Runs the suite whose test files are the modules `areas`."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--base")
    ap.add_argument("--var")
    ap.add_argument("--root")
    ap.add_argument("-k", dest="only", action="append",
                    help="run only the tests whose area.name contains this "
                    "(an area, a name or a part of one)")
    ap.add_argument("--test", dest="exact", action="append",
                    help="run this test (name or area.name, exactly)")
    ap.add_argument("-v", action="store_true",
                    help="tracebacks on failure, and each test's time")
    ap.add_argument("--list", action="store_true",
                    help="print the tests' names and how many, run none")
    args = ap.parse_args()
    if not args.list and not (args.base and args.var and args.root):
        ap.error("--base, --var and --root are required to run tests")
    if args.base:
        lib.BASE = args.base.rstrip("/")
        u = urllib.parse.urlsplit(lib.BASE)
        lib.HOST, lib.PORT = u.hostname, u.port or 80
    lib.VAR = args.var and os.path.abspath(args.var)
    lib.ROOT = args.root and os.path.abspath(args.root)

    for a in areas:
        importlib.import_module(a)
    tests = lib.TESTS
    names = [fn.__name__ for fn in tests]
    if len(set(names)) != len(names):
        print("two tests share a name", file=sys.stderr)
        return 2
    def full(fn):
        return "%s.%s" % (fn.__module__, fn.__name__)

    for name in args.exact or ():
        if not any(name in (fn.__name__, full(fn)) for fn in tests):
            print("--test %s: no such test (--list shows them)" % name,
                  file=sys.stderr)
            return 2
    chosen = [fn for fn in tests
              if (not args.only and not args.exact) or
              any(k in full(fn) for k in args.only or ()) or
              any(k in (fn.__name__, full(fn)) for k in args.exact or ())]
    if not chosen:
        print("-k %s matches no test (--list shows them)"
              % " -k ".join(args.only), file=sys.stderr)
        return 2
    if args.list:
        for fn in chosen:
            print(full(fn))
        print("%d tests" % len(chosen))
        return 0

    # The suite fails sign-ins from 127.0.0.1 on purpose, a few hundred a
    # run; a run again within the hour must not meet the last one's count.
    lib.sql("DELETE FROM rate_limits WHERE `key` = 'signin-fail:127.0.0.1'")
    passed = failed = 0
    for fn in chosen:
        if run_one(fn, args.v):
            passed += 1
        else:
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed + failed != len(chosen) else 0

