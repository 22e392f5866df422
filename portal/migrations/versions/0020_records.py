"""payments remember how they were paid (card, Alipay, WeChat Pay), for the receipt

Revision ID: 0020_records
Revises: 0021_totp_encrypted
Create Date: 2026-11-30 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0020_records"
down_revision = "0021_totp_encrypted"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("method", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("method")
