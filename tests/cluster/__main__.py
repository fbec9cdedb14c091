"""Black-box tests of staffdesk scaled out: two app hosts behind one nginx
on a 3-node MariaDB Galera cluster (tests/cluster.sh; `make cluster-test`).

    python3 tests/cluster --base http://127.0.0.1:PORT --var VAR --root ROOT
    python3 tests/cluster --list

The same options, output and exit status as tests/blackbox, whose runner
and helpers this suite uses; VAR is the directory tests/cluster.sh runs
the cluster under. The areas: galera (what the cluster must hold: the
schema's rules, sessions and the manager's journey through either host,
one winner of two resets, counters two hosts count at once, the locks
that span nodes), faults (a node, then a host, killed under load; the
node rejoins) and throughput (pages per second through one host and
through both). Figures go to VAR/log/cluster.txt.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "blackbox")]

import runner  # noqa: E402

AREAS = ("front", "galera", "faults", "throughput")

if __name__ == "__main__":
    sys.exit(runner.main(AREAS, __doc__))
