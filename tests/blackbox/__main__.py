"""Black-box tests of a running staffdesk stack (real nginx, workers, MariaDB).

    python3 tests/blackbox --base http://127.0.0.1:PORT --var VAR --root ROOT
    python3 tests/blackbox --list
    python3 tests/blackbox ... -k mystaff -k csrf --test reset.reset_sms

VAR is the directory tests/stack.sh runs the stack under (staffdesk.conf,
my.cnf, run/, log/); ROOT is the repository (bin/staffdesk-admin). Every
test makes its own users and locations, so the suite can run again against
the same stack. Python 3 standard library, tidy and w3m (a check that needs
a missing tool fails). Prints "ok NAME" or "FAIL NAME: reason" per test,
then "N passed, M failed"; exit status 1 when a test failed or fewer ran
than were chosen, 2 when -k chose none or --test names no test. -k
matches a part of "area.name"; --test a name or "area.name" exactly. --list prints the suite's names and
needs no stack: tests/run.sh compares its count with what ran.

The tests live in one file per area (AREAS, in the order they run). The
process and DB-restart tests run last: they stop and start parts of the
stack. reset_atomic briefly adds a trigger t_fail on audit_log that refuses
every insert (dropped again in a finally); settings a test changes are set
back the same way. last_global_admin_stays and
cli_revoke_keeps_last_global_admin set the global administrators aside
(and a trigger t_slow_revoke that slows their revokes) and put them back
in a finally; roles_overview adds up to 201 users holding reports-reader
for the whole organisation and deletes them in a finally.
"""

import sys

import runner

AREAS = ("basics", "signin", "cli", "roster", "mystaff", "reset", "phones",
         "audit", "units_admin", "textbrowser", "escaping", "limits", "sms",
         "codes", "sspr", "ldap", "sync", "console", "nginx", "observe",
         "process", "faults", "ops")

if __name__ == "__main__":
    sys.exit(runner.main(AREAS, __doc__))
