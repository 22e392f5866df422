"""Reading an import file line by line: CSV with a header, or JSON Lines.

One record per physical line in both formats, so that every problem has a line number.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass

from portal.imports.rows import COLUMNS

MAX_LINE_BYTES = 64 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be read (unknown format, bad header)."""


@dataclass
class Line:
    number: int
    size: int  # bytes, for the progress bar
    data: dict | None = None
    problem: str | None = None


def detect_format(path: str, first_line: bytes) -> str:
    lower = path.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "jsonl" if first_line.lstrip(b"\xef\xbb\xbf \t").startswith(b"{") else "csv"


def _decode(raw: bytes, number: int) -> str:
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.decode("utf-8").rstrip("\r\n")


def read_lines(path: str) -> Iterator[Line]:
    """Yield every non-empty line of the file as a dict of values or a problem."""
    with open(path, "rb") as handle:
        first = handle.readline()
        handle.seek(0)
        kind = detect_format(path, first)
        header = None
        for number, raw in enumerate(handle, start=1):
            line = Line(number, len(raw))
            if len(raw) > MAX_LINE_BYTES:
                line.problem = f"the line is longer than {MAX_LINE_BYTES} bytes"
                yield line
                continue
            try:
                content = _decode(raw, number)
            except UnicodeDecodeError:
                if header is None and kind == "csv":
                    raise FileProblem("the header line is not UTF-8 text") from None
                line.problem = "the line is not valid UTF-8 text (save the file as UTF-8)"
                yield line
                continue
            if not content.strip():
                continue
            if kind == "jsonl":
                try:
                    value = json.loads(content)
                except json.JSONDecodeError as error:
                    line.problem = f"not valid JSON ({error.msg} at column {error.colno})"
                else:
                    if isinstance(value, dict):
                        line.data = value
                    else:
                        line.problem = "each line must be a JSON object"
                yield line
                continue
            try:
                cells = next(csv.reader([content], strict=True))
            except csv.Error as error:
                line.problem = f"not valid CSV ({error}); values may not contain line breaks"
                yield line
                continue
            if header is None:
                header = [cell.strip() for cell in cells]
                unknown = sorted(set(header) - COLUMNS)
                if "record" not in header:
                    raise FileProblem("the CSV header has no 'record' column")
                if unknown:
                    raise FileProblem(f"unknown columns in the CSV header: {', '.join(unknown)}")
                if len(set(header)) != len(header):
                    raise FileProblem("the CSV header names a column twice")
                continue
            if len(cells) != len(header):
                line.problem = f"{len(cells)} values where the header has {len(header)} columns"
            else:
                line.data = {name: value for name, value in zip(header, cells, strict=True)}
            yield line
