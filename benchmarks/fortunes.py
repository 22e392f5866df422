"""The TechEmpower "Fortunes" test as a Flask app: the yardstick of benchmarks/pages.py.

Flask + Flask-SQLAlchemy ORM + Jinja, as the portal: every request loads all rows of the
`fortune` table, adds one in memory, sorts them by message and renders an escaped HTML table.
The template is compiled once, as TechEmpower's own Flask app has it (`render_template` of a
template file, which Jinja keeps compiled): compiling it on every request, as
`render_template_string` does, costs about as much as the rest of the request and made the
yardstick half as fast as it should be.
Serve it with `gunicorn benchmarks.fortunes:app` and DATABASE_URL (the table is created and
filled on start if missing).
"""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Mapped, mapped_column

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)

MESSAGES = [
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
]

TEMPLATE = """<!DOCTYPE html>
<html><head><title>Fortunes</title></head><body><table>
<tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>
{% endfor %}</table></body></html>"""
FORTUNES = app.jinja_env.from_string(TEMPLATE)


class Fortune(db.Model):
    __tablename__ = "fortune"
    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(db.String(2048))


with app.app_context():
    db.create_all()
    if db.session.query(Fortune).count() == 0:
        db.session.add_all(Fortune(message=message) for message in MESSAGES)
        db.session.commit()


@app.get("/fortunes")
def fortunes():
    rows = list(db.session.scalars(db.select(Fortune)))
    rows.append(Fortune(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda fortune: fortune.message)
    return render_template(FORTUNES, fortunes=rows)
