"""The `flask portal` commands."""

import pytest
import sqlalchemy as sa

from portal.auth.models import User
from portal.extensions import db
from tests.helpers import log_in

GOOD = "a long staff passphrase"


def test_create_staff_makes_an_account_that_can_log_in(app, runner, client):
    result = runner.invoke(
        args=[
            "portal",
            "create-staff",
            "--email",
            "Ann@Lender.example",
            "--name",
            "Ann",
            "--role",
            "approver",
        ],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ann@lender.example"))
        assert user.role == "approver" and user.is_active
    assert log_in(client, "ann@lender.example", GOOD).status_code == 302
    # The account's first login goes to setting up the second factor.
    assert client.get("/staff/").location == "/staff/second-factor"


def test_create_staff_refuses_duplicates_bad_roles_and_weak_passwords(runner):
    args = ["portal", "create-staff", "--email", "bob@lender.example", "--role", "support"]
    assert runner.invoke(args=args, input=f"{GOOD}\n{GOOD}\n").exit_code == 0
    again = runner.invoke(args=args, input=f"{GOOD}\n{GOOD}\n")
    assert again.exit_code != 0 and "already exists" in again.output
    weak = runner.invoke(
        args=["portal", "create-staff", "--email", "c@lender.example", "--role", "admin"],
        input="password\npassword\n",
    )
    assert weak.exit_code != 0 and "not acceptable" in weak.output
    role = runner.invoke(
        args=["portal", "create-staff", "--email", "d@lender.example", "--role", "borrower"],
        input=f"{GOOD}\n{GOOD}\n",
    )
    assert role.exit_code != 0


def test_demo_loads_once_and_prints_logins(app, runner, client):
    first = runner.invoke(args=["portal", "demo"])
    assert first.exit_code == 0, first.output
    for role in ("support", "approver", "admin", "borrower"):
        assert role in first.output
    second = runner.invoke(args=["portal", "demo"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id))) == 3 + 7
    assert log_in(client, "13800000001", "borrow-portal-demo").status_code == 302


def test_demo_refuses_production(app, runner):
    app.config["PRODUCTION"] = True
    result = runner.invoke(args=["portal", "demo"])
    assert result.exit_code != 0 and "never" in result.output


def test_seed_is_idempotent(runner):
    assert runner.invoke(args=["portal", "seed"]).exit_code == 0
    assert runner.invoke(args=["portal", "seed"]).exit_code == 0


@pytest.mark.postgres
def test_a_tick_while_another_one_runs_does_nothing(app, runner):
    from portal.cli import _hold_job_lock
    from tests.helpers import while_another_machine

    with while_another_machine(app, lambda: _hold_job_lock("tick")):
        result = runner.invoke(args=["portal", "tick"])
    assert result.exit_code == 0 and "another tick is running" in result.output
    result = runner.invoke(args=["portal", "tick"])
    assert result.exit_code == 0 and "flagged 0" in result.output
