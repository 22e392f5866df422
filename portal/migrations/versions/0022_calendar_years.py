"""calendar years: which years of the business calendar are the published schedule

Revision ID: 0022_calendar_years
Revises: 0020_records
Create Date: 2026-11-30 02:10:00

A year without a row is provisional (2027 as shipped: statutory holidays by rule, without the
State Council's bridge days and make-up working days). 2026 as shipped is the published one.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0022_calendar_years"
down_revision = "0020_records"
branch_labels = None
depends_on = None


def upgrade():
    years = op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("marked_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["marked_by_user_id"], ["users.id"], name=op.f("fk_calendar_years_marked_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    # The 2026 days shipped by 0013 are the State Council's schedule (when they are there).
    shipped = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM calendar_days WHERE day = :day"), {"day": "2026-10-10"}
    ).scalar()
    if shipped:
        op.bulk_insert(
            years,
            [
                {
                    "year": 2026,
                    "source": "国办发明电〔2025〕7号",
                    # The day the State Council published it.
                    "marked_at": datetime(2025, 11, 4, tzinfo=UTC),
                }
            ],
        )


def downgrade():
    op.drop_table("calendar_years")
