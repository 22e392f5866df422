"""corrections of personal data: requests, their forms sent once, the borrower's address

Revision ID: 0015_corrections
Revises: 0022_calendar_years
Create Date: 2026-11-30 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015_corrections"
down_revision = "0022_calendar_years"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("borrowers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
    op.create_table(
        "correction_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("open_key", sa.String(length=40), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("current_value", sa.String(length=500), nullable=True),
        sa.Column("requested_value", sa.String(length=500), nullable=False),
        sa.Column("explanation", sa.String(length=2000), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("breached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=2000), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'refused')",
            name=op.f("ck_correction_requests_status_known"),
        ),
        sa.CheckConstraint(
            "field IN ('name', 'phone', 'email', 'address')",
            name=op.f("ck_correction_requests_field_known"),
        ),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.id"],
            name=op.f("fk_correction_requests_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_correction_requests_answered_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_requests")),
        sa.UniqueConstraint("open_key", name=op.f("uq_correction_requests_open_key")),
    )
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_correction_requests_status_due", ["status", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_correction_requests_borrower_opened", ["borrower_id", "opened_at"], unique=False
        )
    op.create_table(
        "correction_sent_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('request', 'accept', 'refuse')",
            name=op.f("ck_correction_sent_forms_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["correction_requests.id"],
            name=op.f("fk_correction_sent_forms_correction_id_correction_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_correction_sent_forms_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_sent_forms")),
        sa.UniqueConstraint("token", name=op.f("uq_correction_sent_forms_token")),
    )
    with op.batch_alter_table("correction_sent_forms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_correction_sent_forms_correction_id"), ["correction_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("correction_sent_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_sent_forms_correction_id"))
    op.drop_table("correction_sent_forms")
    with op.batch_alter_table("correction_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_requests_borrower_opened")
        batch_op.drop_index("ix_correction_requests_status_due")
    op.drop_table("correction_requests")
    with op.batch_alter_table("borrowers", schema=None) as batch_op:
        batch_op.drop_column("address")
