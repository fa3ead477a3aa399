"""Run a child process at its parent test's moment, time flowing from there.

    python -m tests.travelled -m celery --app ramq_portal worker ...
    python -m tests.travelled -c "import django; ..."

The moment comes from `tests.timetravel.child_env()` (MON_DOSSIER_TRAVEL_TO, seconds since the
epoch). Without it the child runs on the real clock.
"""
from __future__ import annotations

import os
import runpy
import sys

import time_machine

from tests.timetravel import CHILD_ENV


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[0] not in ("-m", "-c"):
        raise SystemExit("usage: python -m tests.travelled (-m module | -c code) [args...]")
    if os.environ.get(CHILD_ENV):
        time_machine.travel(float(os.environ[CHILD_ENV]), tick=True).start()
    if argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})


if __name__ == "__main__":
    main(sys.argv[1:])
