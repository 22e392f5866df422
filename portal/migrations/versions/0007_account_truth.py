"""one account truth: days held by broken plans, partial refunds

Revision ID: 0007_account_truth
Revises: 0006_payment_checkout_params
Create Date: 2026-11-29 23:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_account_truth"
down_revision = "0006_payment_checkout_params"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_days", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refunded_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("balance_after_minor", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("overdue_after_minor", sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(op.f("ck_payments_purpose_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_payments_purpose_known"), "purpose IN ('overdue', 'installment', 'full_balance', 'other_amount')"
        )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_journal_entries_reverses_entry_id", type_="unique")
        batch_op.create_index(
            "ix_journal_entries_reverses_entry_id", ["reverses_entry_id"], unique=False
        )

    connection = op.get_bind()
    # Days spent in plans that later broke, which the pages used to add up on every request.
    plans = sa.table(
        "payment_plans",
        sa.column("loan_id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("accepted_at", sa.DateTime(timezone=True)),
        sa.column("ended_at", sa.DateTime(timezone=True)),
    )
    held: dict[int, int] = {}
    for loan_id, accepted_at, ended_at in connection.execute(
        sa.select(plans.c.loan_id, plans.c.accepted_at, plans.c.ended_at).where(
            plans.c.status == "broken", plans.c.ended_at.is_not(None)
        )
    ):
        days = max((_moment(ended_at) - _moment(accepted_at)).days, 0)
        held[loan_id] = held.get(loan_id, 0) + days
    loans = sa.table("loans", sa.column("id", sa.Integer), sa.column("held_days", sa.Integer))
    for loan_id, days in held.items():
        connection.execute(sa.update(loans).where(loans.c.id == loan_id).values(held_days=days))
    # Refunds so far were always whole.
    payments = sa.table(
        "payments",
        sa.column("amount_minor", sa.BigInteger),
        sa.column("refunded_minor", sa.BigInteger),
        sa.column("refunded_at", sa.DateTime(timezone=True)),
    )
    connection.execute(
        sa.update(payments)
        .where(payments.c.refunded_at.is_not(None))
        .values(refunded_minor=payments.c.amount_minor)
    )


def _moment(value):
    # SQLite hands back text or naive datetimes; only the day difference matters here.
    from datetime import datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None)


def downgrade():
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entries_reverses_entry_id")
        batch_op.create_unique_constraint(
            "uq_journal_entries_reverses_entry_id", ["reverses_entry_id"]
        )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_payments_purpose_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_payments_purpose_known"), "purpose IN ('overdue', 'installment', 'other_amount')"
        )
        batch_op.drop_column("overdue_after_minor")
        batch_op.drop_column("balance_after_minor")
        batch_op.drop_column("refunded_minor")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_column("held_days")
