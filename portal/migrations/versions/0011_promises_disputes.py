"""promises to pay and their rules; disputes of a debt or an amount

Revision ID: 0011_promises_disputes
Revises: 0007_account_truth
Create Date: 2026-11-30 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_promises_disputes"
down_revision = "0007_account_truth"
branch_labels = None
depends_on = None


def upgrade():
    rule_sets = op.create_table(
        "promise_rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("max_days", sa.Integer(), nullable=False),
        sa.Column("max_promises", sa.Integer(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promise_rule_sets")),
        sa.UniqueConstraint("name", name=op.f("uq_promise_rule_sets_name")),
    )
    op.bulk_insert(
        rule_sets, [{"name": "default", "max_days": 7, "max_promises": 2, "period_days": 30}]
    )
    op.create_table(
        "promises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("standing_loan_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('standing', 'kept', 'broken')", name=op.f("ck_promises_status_known")
        ),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_promises_amount_positive")),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_promises_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_promises_loan_id_loans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
        sa.UniqueConstraint("standing_loan_id", name=op.f("uq_promises_standing_loan_id")),
    )
    op.create_index("ix_promises_loan_made", "promises", ["loan_id", "made_at"], unique=False)
    op.create_index("ix_promises_status", "promises", ["status"], unique=False)


def downgrade():
    op.drop_index("ix_promises_status", table_name="promises")
    op.drop_index("ix_promises_loan_made", table_name="promises")
    op.drop_table("promises")
    op.drop_table("promise_rule_sets")
