"""Migrations and models describe the same schema."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.columns import render_column_type
from portal.extensions import db


def test_autogenerate_finds_nothing_to_change(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_item": render_column_type},
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migration_seeds_the_default_stage_ladder(app):
    with app.app_context():
        rows = db.session.execute(
            sa.text(
                "SELECT code, min_days_past_due FROM collection_stages "
                "WHERE ladder = 'default' ORDER BY position"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("due_reminder", 0),
        ("early_warning", 1),
        ("phone_contact", 4),
        ("agency", 31),
        ("lawyer_letter", 91),
        ("litigation", 121),
    ]


def test_every_table_has_a_migration(app):
    with app.app_context():
        existing = set(sa.inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= existing
