"""contact preferences (the borrower's own limits on collection contact, one row per change)
and when a person chose their language

Revision ID: 0010_contact_preferences
Revises: 0007_account_truth
Create Date: 2026-11-30 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_contact_preferences"
down_revision = "0012_staff_second_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("borrower_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("channels", sa.String(length=64), nullable=False),
        sa.Column("barred_parties", sa.String(length=64), nullable=False),
        sa.Column("earliest", sa.Time(), nullable=True),
        sa.Column("latest", sa.Time(), nullable=True),
        sa.Column("representative_name", sa.String(length=200), nullable=True),
        sa.Column("representative_phone", sa.String(length=32), nullable=True),
        sa.CheckConstraint("channels <> ''", name=op.f("ck_contact_preferences_some_channel_open")),
        sa.ForeignKeyConstraint(
            ["borrower_id"],
            ["borrowers.id"],
            name=op.f("fk_contact_preferences_borrower_id_borrowers"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"],
            ["users.id"],
            name=op.f("fk_contact_preferences_set_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_preferences")),
    )
    # When a person chose their language in the portal: imports no longer change it after that.
    for table in ("borrowers", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("language_chosen_at", sa.DateTime(timezone=True), nullable=True)
            )
    op.create_index(
        "ix_contact_preferences_borrower_set",
        "contact_preferences",
        ["borrower_id", "set_at", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_contact_preferences_borrower_set", table_name="contact_preferences")
    op.drop_table("contact_preferences")
    for table in ("borrowers", "users"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("language_chosen_at")
