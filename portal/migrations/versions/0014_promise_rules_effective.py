"""promise rules effective-dated: a change is a new version with the time it takes effect

Revision ID: 0014_promise_rules_effective
Revises: 0008_sent_once
Create Date: 2026-11-30 00:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014_promise_rules_effective"
down_revision = "0008_sent_once"
branch_labels = None
depends_on = None


def _beginning():
    # The rule sets held so far have been in force since the beginning (UTC on PostgreSQL,
    # whatever the session's time zone; SQLite holds naive UTC).
    return (
        "1970-01-01 00:00:00+00"
        if op.get_bind().dialect.name == "postgresql"
        else "1970-01-01 00:00:00"
    )


def upgrade():
    with op.batch_alter_table("promise_rule_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "effective_from",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=_beginning(),
            )
        )
        batch_op.drop_constraint("uq_promise_rule_sets_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_promise_rule_sets_name_effective_from", ["name", "effective_from"]
        )
    with op.batch_alter_table("promise_rule_sets", schema=None) as batch_op:
        batch_op.alter_column("effective_from", server_default=None)


def downgrade():
    with op.batch_alter_table("promise_rule_sets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_promise_rule_sets_name_effective_from", type_="unique")
        batch_op.create_unique_constraint("uq_promise_rule_sets_name", ["name"])
        batch_op.drop_column("effective_from")
