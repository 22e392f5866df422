"""complaint forms sent once: a unique token per form shown

Revision ID: 0008_sent_once
Revises: 0007_account_truth
Create Date: 2026-11-30 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008_sent_once"
down_revision = "0011_promises_disputes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "complaint_sent_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('complaint', 'borrower_reply', 'staff_action')",
            name=op.f("ck_complaint_sent_forms_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_sent_forms_complaint_id_complaints"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_complaint_sent_forms_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_sent_forms")),
        sa.UniqueConstraint("token", name=op.f("uq_complaint_sent_forms_token")),
    )
    with op.batch_alter_table("complaint_sent_forms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_sent_forms_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("complaint_sent_forms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaint_sent_forms_complaint_id"))
    op.drop_table("complaint_sent_forms")
