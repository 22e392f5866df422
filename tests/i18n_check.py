"""Finding English words that leaked onto a Chinese page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

READABLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


class _VisibleText(HTMLParser):
    """Collects what a reader sees or hears, skipping parts marked as another language."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = "lang" in attrs and attrs["lang"] != self.page_lang and tag != "html"
        skip = tag in ("script", "style")
        if not self._hidden() and not other_language:
            for name in READABLE_ATTRIBUTES:
                if attrs.get(name):
                    self.chunks.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skip or other_language))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.chunks.append(data)


def english_words(html: str, page_lang: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """English words on a page, after removing the data values the test put there."""
    parser = _VisibleText(page_lang)
    parser.feed(html)
    # Addresses are not prose: links in messages look the same in every language.
    text = re.sub(r"https?://\S+", " ", " ".join(parser.chunks))
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, " ")
    return ENGLISH_WORD.findall(text)
