"""The `flask portal` command group: staff accounts, the outbox, imports, time, demo data.

This is the command layer: services flush, and the commands here commit (per item or per batch
for the batch commands), just as the request edge does for pages.
"""

from __future__ import annotations

import zlib

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.extensions import db
from portal.translations_cli import translations_cli

portal_cli = AppGroup("portal", help="Borrower portal administration.")
portal_cli.add_command(translations_cli)


@portal_cli.command("create-staff")
@click.option("--email", required=True, help="The staff member's e-mail; they log in with it.")
@click.option("--name", "display_name", default="", help="Name shown to colleagues.")
@click.option(
    "--role",
    type=click.Choice(["support", "approver", "admin"]),
    required=True,
    help="What the account may do.",
)
@click.password_option(help="Asked for when not given.")
def create_staff(email, display_name, role, password):
    """Create a staff account with a role."""
    from portal.auth.labels import STAFF_ACCOUNT_MESSAGES
    from portal.auth.service import StaffAccountError, create_staff_user
    from portal.errors import message_for

    try:
        user = create_staff_user(email, display_name, role, password)
    except StaffAccountError as error:
        db.session.rollback()
        raise click.ClickException(message_for(error, STAFF_ACCOUNT_MESSAGES)) from error
    db.session.commit()
    click.echo(f"Created {user.role} account {user.email} (id {user.id}).")


@portal_cli.command("reencrypt-totp-secrets")
def reencrypt_totp_secrets():
    """Encrypt every staff TOTP secret again with the first key of TOTP_ENCRYPTION_KEY."""
    from portal.auth.second_factor import reencrypt_secrets
    from portal.auth.secret_box import TotpKeyError

    try:
        count = reencrypt_secrets()
    except TotpKeyError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Encrypted {count} TOTP secret(s) with the first key.")


@portal_cli.command("seed")
def seed():
    """Add the reference data a new database needs (the default stage ladder)."""
    from portal.reference import ensure_reference_data

    ensure_reference_data()
    db.session.commit()
    click.echo("Reference data is in place.")


@portal_cli.group("outbox")
def outbox_cli():
    """Read and deliver the outbox of e-mails and text messages."""


@outbox_cli.command("list")
@click.option("--pending", is_flag=True, help="Only messages not yet sent.")
@click.option("--limit", default=20, show_default=True)
def outbox_list(pending, limit):
    """List the newest messages."""
    from portal.outbox.service import recent_messages

    for message in recent_messages(limit, pending_only=pending):
        click.echo(
            f"#{message.id} {message.created_at:%Y-%m-%d %H:%M:%S}Z {message.status:<7} "
            f"{message.channel:<5} {message.recipient} | {message.subject}"
        )


@outbox_cli.command("show")
@click.argument("message_id", type=int)
def outbox_show(message_id):
    """Print one message in full."""
    from portal.outbox.models import OutboxMessage

    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise click.ClickException(f"no message #{message_id}")
    click.echo(
        f"To: {message.recipient} ({message.channel})\nSubject: {message.subject}\n"
        f"Status: {message.status}, attempts {message.attempts}\n\n{message.body}"
    )


@outbox_cli.command("send")
@click.option("--limit", default=100, show_default=True)
def outbox_send(limit):
    """Deliver due messages through the configured transports (cron this).

    Messages are claimed a few at a time in a short transaction of their own, so two runs at
    once (or on two machines) never send the same one; each outcome is committed as soon as it
    is known, so a crash loses none and sends none twice.
    """
    from portal.outbox.service import CLAIM_BATCH, claim, send_claimed

    counts = {"sent": 0, "waiting": 0, "failed": 0}
    tried: set[int] = set()
    while len(tried) < limit:
        db.session.commit()  # the claim is the first statement of its own transaction
        token, held = claim(min(CLAIM_BATCH, limit - len(tried)), skip=frozenset(tried))
        db.session.commit()
        if not held:
            break
        for message in held:
            tried.add(message.id)
            outcome = send_claimed(message, token)
            db.session.commit()
            if outcome:
                counts[outcome] += 1
    click.echo(f"sent {counts['sent']}, waiting {counts['waiting']}, failed {counts['failed']}")


@portal_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Also write every rejected line, with its reason, to this file.",
)
def import_command(path, report_path):
    """Import borrowers, loans, due dates, journal entries and contacts (CSV or JSON Lines).

    The format is described in docs/import-format.md. Exits with status 1 when any row was
    rejected; the good rows are imported all the same.
    """
    import os
    import sys

    from portal.imports.reader import FileProblem
    from portal.imports.service import (
        ImportReport,
        finish_import_run,
        import_batches,
        start_import_run,
    )

    report = ImportReport()
    run_id = start_import_run(path)
    db.session.commit()
    with click.progressbar(length=os.path.getsize(path), label="Importing", file=sys.stderr) as bar:
        try:
            # Every row lands whole or not at all; commit the rows so far after each batch.
            for _batch in import_batches(path, report, progress=bar.update):
                db.session.commit()
        except FileProblem as error:
            db.session.rollback()
            finish_import_run(run_id, report, outcome="failed")
            db.session.commit()
            raise click.ClickException(f"{path}: {error}; nothing was imported") from error
    finish_import_run(run_id, report)
    db.session.commit()
    for line in report.summary_lines():
        click.echo(line)
    for number, reason in sorted(report.errors)[:50]:
        click.echo(f"line {number}: {reason}", err=True)
    if len(report.errors) > 50:
        click.echo(f"... and {len(report.errors) - 50} more rejected lines", err=True)
    if report_path:
        with open(report_path, "w", encoding="utf-8") as handle:
            for number, reason in sorted(report.errors):
                handle.write(f"line {number}: {reason}\n")
    if report.errors:
        raise SystemExit(1)


def _hold_job_lock(job: str) -> bool:
    """Take the database-wide lock of a job until this transaction ends; False when another
    run of it, on any machine, holds it now.

    On PostgreSQL an advisory transaction lock, so it is released by the job's commit, or by
    its connection closing if the process dies. SQLite serialises whole transactions (each
    begins IMMEDIATE, portal/extensions.py): a second run waits for the first to commit, then
    finds its work done.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"portal job {job}".encode())
    return bool(db.session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(key))))


@portal_cli.command("tick")
def tick():
    """Apply what time decides (cron this, e.g. every 15 minutes); running it twice is safe,
    also at once on several machines (one runs, the others find nothing left to do).

    Flags requests past their decision deadline, lapses offers not accepted in time, and
    ends plans whose installment is unpaid past the grace period (or that are fully paid).
    Flags and escalates complaints past their deadlines, and closes resolutions that can no
    longer be disputed. Keeps promises to pay that are paid and breaks those past their date
    unpaid. Forgets failed login and activation attempts older than the lockout
    window. Flags correction requests of personal data past their deadline.
    """
    from portal.account.service import settle_plans
    from portal.auth.throttle import purge_old
    from portal.complaints.service import apply_time as complaints_time
    from portal.corrections.service import apply_time as corrections_time
    from portal.notices.reminders import produce as notices_time
    from portal.plans.service import apply_time as plans_time
    from portal.promises.service import settle_promises

    if not _hold_job_lock("tick"):
        click.echo("another tick is running; this one did nothing")
        return
    counts = {
        **plans_time(),
        **settle_plans(),
        **settle_promises(),
        **complaints_time(),
        **corrections_time(),
        **notices_time(),
    }
    counts["login_failures_purged"] = purge_old()
    db.session.commit()
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))


@portal_cli.command("export")
@click.option(
    "--since", "cursor", default=0, show_default=True, help="The cursor a previous export returned."
)
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.argument("out", type=click.File("w", encoding="utf-8", lazy=False))
def export(cursor, fmt, out):
    """Write every change for the lending system since a cursor (docs/export-format.md) and
    print the cursor to give next time; exporting from the same cursor again is safe."""
    from portal.feed.service import changes_since, write_csv, write_jsonl

    found = changes_since(cursor)
    (write_csv if fmt == "csv" else write_jsonl)(found.records, out)
    click.echo(f"{len(found.records)} records; next cursor {found.cursor}", err=True)


@portal_cli.command("reconcile-payments")
@click.option(
    "--older-than-minutes",
    default=2,
    show_default=True,
    help="Only payments started at least this long ago.",
)
def reconcile_payments(older_than_minutes):
    """Ask Stripe about every payment the portal started and has not settled (cron this)."""
    from datetime import timedelta

    from portal.payments.service import (
        RECONCILE_OUTCOMES,
        payments_to_reconcile,
        reconcile_payment,
    )

    counts = dict.fromkeys(RECONCILE_OUTCOMES, 0)
    for payment_id in payments_to_reconcile(older_than=timedelta(minutes=older_than_minutes)):
        counts[reconcile_payment(payment_id)] += 1
        db.session.commit()  # one payment at a time: each one settled stays settled
    click.echo(", ".join(f"{name} {count}" for name, count in counts.items()))


@portal_cli.command("demo")
def demo():
    """Load demo accounts (development databases only) and print their logins."""
    from flask import current_app

    from portal.demo import load_demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException("demo data is never loaded in production")
    logins = load_demo()
    db.session.commit()
    click.echo("Demo logins (password for all: see each line):")
    for line in logins:
        click.echo("  " + line)
