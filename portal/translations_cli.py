"""`flask portal translations ...`: keep the three message catalogs in step with the code."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from portal.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = Path(__file__).resolve().parent / "translations"
TEMPLATE = CATALOGS / "messages.pot"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def fill_english_catalog() -> int:
    """English is the source language: its catalog repeats each message id."""
    path = CATALOGS / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if message.pluralizable:
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string or message.fuzzy:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100)
    return filled


@click.group("translations")
def translations_cli():
    """Extract, update and compile the message catalogs."""


@translations_cli.command("update")
def update():
    """Extract every string and merge it into the three catalogs."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "-o",
        str(TEMPLATE),
        str(ROOT),
    )
    for language in LANGUAGES:
        po = CATALOGS / language / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel(
                "update",
                "-i",
                str(TEMPLATE),
                "-d",
                str(CATALOGS),
                "-l",
                language,
                "--no-fuzzy-matching",
                "-w",
                "100",
            )
        else:
            _pybabel("init", "-i", str(TEMPLATE), "-d", str(CATALOGS), "-l", language, "-w", "100")
    click.echo(f"English catalog: {fill_english_catalog()} messages filled in.")


@translations_cli.command("compile")
def compile_catalogs():
    """Compile the catalogs (.po to .mo)."""
    _pybabel("compile", "-d", str(CATALOGS), "-f")
