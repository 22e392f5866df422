"""promises to pay and their rules; disputes of a debt or an amount

Revision ID: 0011_promises_disputes
Revises: 0007_account_truth
Create Date: 2026-11-30 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011_promises_disputes"
down_revision = "0013_rules_and_calendar"
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
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("journal_entry_id", sa.Integer(), nullable=True),
        sa.Column("open_loan_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("statement", sa.String(length=4000), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=4000), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("held_days", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('not_my_loan', 'wrong_amount', 'already_paid')",
            name=op.f("ck_disputes_kind_known"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'answered')", name=op.f("ck_disputes_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_disputes_answered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"], ["borrowers.id"], name=op.f("fk_disputes_borrower_id_borrowers")
        ),
        sa.ForeignKeyConstraint(
            ["journal_entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_disputes_journal_entry_id_journal_entries"),
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name=op.f("fk_disputes_loan_id_loans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("open_loan_id", name=op.f("uq_disputes_open_loan_id")),
    )
    op.create_index(
        "ix_disputes_borrower_opened", "disputes", ["borrower_id", "opened_at"], unique=False
    )
    op.create_index("ix_disputes_loan", "disputes", ["loan_id"], unique=False)
    op.create_index("ix_disputes_status_due", "disputes", ["status", "due_at"], unique=False)


def downgrade():
    op.drop_index("ix_disputes_status_due", table_name="disputes")
    op.drop_index("ix_disputes_loan", table_name="disputes")
    op.drop_index("ix_disputes_borrower_opened", table_name="disputes")
    op.drop_table("disputes")
    op.drop_index("ix_promises_status", table_name="promises")
    op.drop_index("ix_promises_loan_made", table_name="promises")
    op.drop_table("promises")
    op.drop_table("promise_rule_sets")
