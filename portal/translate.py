"""gettext for the portal's code and templates, through the viewer's catalog of the request.

Flask-Babel's gettext finds the catalog again for every string (the locale, the domain, a
cache keyed by the locale's name, each through Flask's context proxies), and a page translates
some three hundred strings. These look the catalog up once per request, where Flask-Babel's
refresh() and force_locale() reset it, so a change of language within a request is still seen.
Same signatures and results as Flask-Babel's functions of the same names.
"""

from __future__ import annotations

from flask import g
from flask_babel import LazyString, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup


def page_translations():
    """The viewer's catalog, looked up once per request rather than once per string."""
    try:
        holder = g._flask_babel
    except (AttributeError, RuntimeError):  # first look-up of the request; no app context
        return get_translations()
    translations = getattr(holder, "babel_translations", None)
    if translations is None:
        translations = holder.babel_translations = get_translations()
    return translations


def gettext(string: str, **variables) -> str:
    text = page_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return page_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    return LazyString(gettext, string, **variables)


# The templates' `_`, gettext and ngettext: Jinja's "newstyle" gettext (a translation is
# markup when the template escapes, and always a format string), called directly rather than
# through the i18n extension's three nested context calls.


def _formatted(eval_context, text: str, variables: dict) -> str:
    if eval_context.autoescape:
        # The catalogs are ours, as the templates are: Jinja's i18n extension trusts them too.
        # The values put into them are escaped by Markup's % operator.
        text = Markup(text)  # noqa: S704
    return text % variables


@pass_eval_context
def template_gettext(eval_context, string, **variables):
    return _formatted(eval_context, page_translations().ugettext(string), variables)


@pass_eval_context
def template_ngettext(eval_context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    text = page_translations().ungettext(singular, plural, num)
    return _formatted(eval_context, text, variables)


@pass_eval_context
def template_pgettext(eval_context, context, string, **variables):
    return _formatted(eval_context, page_translations().upgettext(context, string), variables)


@pass_eval_context
def template_npgettext(eval_context, context, singular, plural, num, **variables):
    variables.setdefault("num", num)
    text = page_translations().unpgettext(context, singular, plural, num)
    return _formatted(eval_context, text, variables)


def install_template_gettext(env) -> None:
    """Templates translate through page_translations(): a page has about a hundred strings."""
    # The i18n extension's settings first ({% trans %} blocks are newstyle), then ours.
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)
    env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )
