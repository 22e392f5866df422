"""Build hook: compile the message catalogs into the package while it is built.

The `.po` catalogs live in portal/translations/; the compiled `.mo` files are build output
(never committed). Building the package (`pip install .`, `pip wheel .`) compiles every
catalog into the build directory, so an installed portal serves every language from
wherever it runs. All other metadata is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_catalogs(build_py):  # noqa: N801 (setuptools command naming)
    def run(self):
        super().run()
        if not getattr(self, "editable_mode", False):
            compile_catalogs(Path(self.build_lib) / "portal" / "translations")


def compile_catalogs(target: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = Path(__file__).resolve().parent / "portal" / "translations"
    catalogs = sorted(source.glob("*/LC_MESSAGES/messages.po"))
    if not catalogs:
        raise SystemExit(f"no message catalogs in {source}")
    for po in catalogs:
        language = po.parent.parent.name
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        mo = target / language / "LC_MESSAGES" / "messages.mo"
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)


setup(cmdclass={"build_py": build_py_with_catalogs})
