"""rules and calendar: effective-dated contact rules, stage ladders, plan rules and complaint
routes; the business calendar

Revision ID: 0013_rules_and_calendar
Revises: 0007_account_truth
Create Date: 2026-11-29 23:40:00

"""

import datetime

import sqlalchemy as sa
from alembic import op

revision = "0013_rules_and_calendar"
down_revision = "0010_contact_preferences"
branch_labels = None
depends_on = None

# The mainland-China calendar (snapshot at this revision). 2026: the State Council's schedule
# (国办发明电〔2025〕7号, 2025-11-04). 2027: the statutory holidays only (全国年节及纪念日放假办法,
# as amended in 2024); the State Council's 2027 schedule of bridge days and make-up working days
# was not known when this was written and is entered by an administrator when published.
HOLIDAYS = {
    "元旦": ["2026-01-01", "2026-01-02", "2026-01-03"],
    "春节": [f"2026-02-{d}" for d in range(15, 24)],
    "清明节": ["2026-04-04", "2026-04-05", "2026-04-06"],
    "劳动节": ["2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"],
    "端午节": ["2026-06-19", "2026-06-20", "2026-06-21"],
    "中秋节": ["2026-09-25", "2026-09-26", "2026-09-27"],
    "国庆节": [f"2026-10-0{d}" for d in range(1, 8)],
}
WORKDAYS = {
    "元旦": ["2026-01-04"],
    "春节": ["2026-02-14", "2026-02-28"],
    "劳动节": ["2026-05-09"],
    "国庆节": ["2026-09-20", "2026-10-10"],
}
HOLIDAYS_2027 = {
    "元旦": ["2027-01-01"],
    "春节": ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"],
    "清明节": ["2027-04-05"],
    "劳动节": ["2027-05-01", "2027-05-02"],
    "端午节": ["2027-06-09"],
    "中秋节": ["2027-09-15"],
    "国庆节": ["2027-10-01", "2027-10-02", "2027-10-03"],
}
BEGINNING = datetime.datetime(1970, 1, 1)


def _rows(days_by_name, kind):
    return [
        {
            "day": datetime.date.fromisoformat(day),
            "kind": kind,
            "name": name,
            "created_at": BEGINNING,
        }
        for name, days in days_by_name.items()
        for day in days
    ]


def _beginning():
    # The rule sets held so far have been in force since the beginning (UTC on PostgreSQL,
    # whatever the session's time zone; SQLite holds naive UTC).
    return (
        "1970-01-01 00:00:00+00"
        if op.get_bind().dialect.name == "postgresql"
        else "1970-01-01 00:00:00"
    )


def upgrade():
    calendar = op.create_table(
        "calendar_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'workday')", name=op.f("ck_calendar_days_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("day", name=op.f("uq_calendar_days_day")),
    )
    op.bulk_insert(
        calendar,
        _rows(HOLIDAYS, "holiday") + _rows(WORKDAYS, "workday") + _rows(HOLIDAYS_2027, "holiday"),
    )

    # The rule sets held so far have been in force since the beginning.
    with op.batch_alter_table("contact_rule_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "effective_from",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=_beginning(),
            )
        )
        batch_op.drop_constraint(op.f("uq_contact_rule_sets_name"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_contact_rule_sets_name_effective_from"), ["name", "effective_from"]
        )
    with op.batch_alter_table("contact_rule_sets", schema=None) as batch_op:
        batch_op.alter_column("effective_from", server_default=None)

    with op.batch_alter_table("collection_stages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "effective_from",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=_beginning(),
            )
        )
        for column in ("code", "position", "min_days_past_due"):
            batch_op.drop_constraint(f"uq_collection_stages_ladder_{column}", type_="unique")
            batch_op.create_unique_constraint(
                f"uq_collection_stages_ladder_effective_from_{column}",
                ["ladder", "effective_from", column],
            )
    with op.batch_alter_table("collection_stages", schema=None) as batch_op:
        batch_op.alter_column("effective_from", server_default=None)

    with op.batch_alter_table("complaint_routes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "effective_from",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=_beginning(),
            )
        )
        batch_op.drop_constraint("uq_complaint_routes_category", type_="unique")
        batch_op.create_unique_constraint(
            "uq_complaint_routes_category_effective_from", ["category", "effective_from"]
        )
    with op.batch_alter_table("complaint_routes", schema=None) as batch_op:
        batch_op.alter_column("effective_from", server_default=None)

    with op.batch_alter_table("plan_rule_sets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "effective_from",
                sa.DateTime(timezone=True),
                nullable=False,
                server_default=_beginning(),
            )
        )
        batch_op.drop_constraint("uq_plan_rule_sets_name", type_="unique")
        batch_op.create_unique_constraint(
            "uq_plan_rule_sets_name_effective_from", ["name", "effective_from"]
        )
    with op.batch_alter_table("plan_rule_sets", schema=None) as batch_op:
        batch_op.alter_column("effective_from", server_default=None)


def downgrade():
    with op.batch_alter_table("plan_rule_sets", schema=None) as batch_op:
        batch_op.drop_constraint("uq_plan_rule_sets_name_effective_from", type_="unique")
        batch_op.create_unique_constraint("uq_plan_rule_sets_name", ["name"])
        batch_op.drop_column("effective_from")
    with op.batch_alter_table("complaint_routes", schema=None) as batch_op:
        batch_op.drop_constraint("uq_complaint_routes_category_effective_from", type_="unique")
        batch_op.create_unique_constraint("uq_complaint_routes_category", ["category"])
        batch_op.drop_column("effective_from")
    with op.batch_alter_table("collection_stages", schema=None) as batch_op:
        for column in ("code", "position", "min_days_past_due"):
            batch_op.drop_constraint(
                f"uq_collection_stages_ladder_effective_from_{column}", type_="unique"
            )
            batch_op.create_unique_constraint(
                f"uq_collection_stages_ladder_{column}", ["ladder", column]
            )
        batch_op.drop_column("effective_from")
    with op.batch_alter_table("contact_rule_sets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_contact_rule_sets_name_effective_from"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_contact_rule_sets_name"), ["name"])
        batch_op.drop_column("effective_from")
    op.drop_table("calendar_days")
