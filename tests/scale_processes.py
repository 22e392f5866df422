"""The processes of the scale test (tests/test_scale.py), each on the test's clock.

An app server: `gunicorn -c python:tests.scale_processes wsgi:app` (the hook below sets the
clock in gunicorn's master, before it forks its workers; the portal reads the clock only when
it runs, never at import).
A job runner: `python -m tests.scale_processes ROUNDS`, which runs `flask portal outbox send`,
`tick` and `reconcile-payments` in turn, ROUNDS times, as cron would on one machine.

The clock (PORTAL_SCALE_CLOCK, a POSIX timestamp) is the test's frozen clock: the data the test
made is judged at the test's "now", never at the machine's.
"""

from __future__ import annotations

import os
import sys

JOBS = (
    ["portal", "outbox", "send"],
    ["portal", "tick"],
    ["portal", "reconcile-payments", "--older-than-minutes", "0"],
)


def _travel() -> None:
    import time_machine

    time_machine.travel(float(os.environ["PORTAL_SCALE_CLOCK"]), tick=True).start()


def on_starting(server) -> None:
    """gunicorn's hook in its master process: the workers it forks keep the clock."""
    _travel()


def run_jobs(rounds: int) -> int:
    _travel()
    from portal import create_app

    app = create_app()
    runner = app.test_cli_runner()
    for number in range(rounds):
        for args in JOBS:
            result = runner.invoke(args=args)
            print(f"round {number} {' '.join(args[1:])}: {result.output.strip()}", flush=True)
            if result.exit_code != 0:
                print(result.exc_info and repr(result.exc_info[1]), file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(run_jobs(int(sys.argv[1])))
