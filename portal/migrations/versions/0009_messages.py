"""messages: one notice per event, quiet hours, delivery claims

Revision ID: 0009_messages
Revises: 0007_account_truth
Create Date: 2026-11-30 00:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_messages"
down_revision = "0007_account_truth"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_outbox_messages_dedupe_key", ["dedupe_key"])


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint("uq_outbox_messages_dedupe_key", type_="unique")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("not_before")
        batch_op.drop_column("dedupe_key")
