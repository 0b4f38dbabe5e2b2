"""How a CSV file is written, read from a sample of its start: the encoding, the delimiter
(Python's `csv.Sniffer`), the decimal separator and the date format; and the checks that a
person's choice of them reads the file at all (`choice_problems`).

The detection only proposes: an import reads the file with the options it is given
(`ImportMapping.options`), which the import page and `salesperf import` take alike.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from salesperf.ingest.csvfile import DELIMITERS, detect_delimiter, looks_binary, text_encoding
from salesperf.ingest.mapping import DATE_FORMATS

#: The encodings offered (a file in another one is read with `--encoding` or saved as UTF-8).
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
DECIMALS = (".", ",")
SAMPLE_BYTES = 1 << 16
SAMPLE_ROWS = 50  # rows of the sample whose values decide the decimal and the date format

_DAY_MONTH = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d{2}.*)?$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}.*)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+$")
_POINT_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)\.\d+$")
_GROUPED_ONLY = re.compile(r"^[+-]?\d{1,3}[.,]\d{3}$")  # 1.234 or 1,234: either reading


@dataclass(frozen=True)
class Sniffed:
    """What the start of a CSV file says about how it is written, and its first rows."""

    encoding: str  # one of ENCODINGS
    delimiter: str  # one of csvfile.DELIMITERS
    decimal: str  # one of DECIMALS
    date_format: str  # one of mapping.DATE_FORMATS
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def sniff_encoding(head: bytes) -> str:
    """UTF-8 with a byte-order mark, UTF-8, else Windows-1252 (which reads any byte but five:
    a file it cannot read either is Latin-1)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(enc)().decode(head)  # a character cut at the end waits
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter `csv.Sniffer` finds among `csvfile.DELIMITERS`; when it finds none (a file
    of one line, or rows of uneven length), the one that splits the header most often."""
    try:
        found = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    if found in DELIMITERS:
        return found
    return detect_delimiter(text.splitlines()[0] if text else "", None)


def sniff_decimal(values: Iterable[str], delimiter: str) -> str:
    """The decimal separator most numbers of the sample use; a file that shows none has ','
    when it is separated by ';' (as `csvfile` reads it), else '.'."""
    votes: Counter[str] = Counter()
    for v in values:
        v = v.strip()
        if _GROUPED_ONLY.match(v):
            continue
        if _COMMA_NUMBER.match(v):
            votes[","] += 1
        elif _POINT_NUMBER.match(v):
            votes["."] += 1
    if votes:
        return votes.most_common(1)[0][0]
    return "," if delimiter == ";" else "."


def sniff_date_format(values: Iterable[str], decimal: str = ".") -> str:
    """ISO, day first or month first, from the sample's dates: a first part above 12 can only
    be a day, a second part above 12 only a day too. Dates that fit both (03-04-2026) are read
    day first, except written with '/' in a file with decimal points (an American export)."""
    day_first = month_first = iso = 0
    seps: Counter[str] = Counter()
    for v in values:
        v = v.strip()
        if _ISO.match(v):
            iso += 1
        elif m := _DAY_MONTH.match(v):
            seps[m.group(2)] += 1
            first, second = int(m.group(1)), int(m.group(3))
            day_first += first > 12
            month_first += second > 12
    if day_first or month_first:
        return "DD-MM-YYYY" if day_first >= month_first else "MM/DD/YYYY"
    if seps and sum(seps.values()) >= iso:
        american = seps.most_common(1)[0][0] == "/" and decimal == "."
        return "MM/DD/YYYY" if american else "DD-MM-YYYY"
    return "ISO"


def _sample_text(path: Path, encoding: str) -> str:
    """The start of the file as text, cut after its last whole line."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head)
    if len(head) == SAMPLE_BYTES and "\n" in text:
        text = text[: text.rindex("\n")]
    return text.lstrip("\ufeff")


def sniff(path: Path) -> Sniffed:
    """How a CSV file is written, from its start; its header and first rows as read with it."""
    with open(path, "rb") as f:
        head = f.read(SAMPLE_BYTES)
    encoding = sniff_encoding(head)
    text = _sample_text(path, encoding)
    delimiter = sniff_delimiter(text)
    columns, rows = split_rows(text, delimiter)
    values = [v for r in rows[:SAMPLE_ROWS] for v in r]
    decimal = sniff_decimal(values, delimiter)
    return Sniffed(
        encoding=encoding, delimiter=delimiter, decimal=decimal,
        date_format=sniff_date_format(values, decimal), columns=columns, rows=rows,
    )  # fmt: skip


def split_rows(text: str, delimiter: str) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The header and the rows of a sample, split by `delimiter`."""
    lines = list(csv.reader(text.splitlines(), delimiter=delimiter))
    lines = [r for r in lines if any(v.strip() for v in r)]
    if not lines:
        return (), ()
    return tuple(h.strip() for h in lines[0]), tuple(tuple(r) for r in lines[1:])


@dataclass(frozen=True)
class ChoiceProblem:
    """A choice that cannot read the file: `kind` is "encoding" (the byte at `offset` is no
    character in it), "one_column" (the delimiter leaves the header whole: `column`) or
    "option" (a value that is none of the choices: `option`, `value`)."""

    kind: str
    option: str = ""
    value: str = ""
    offset: int = 0
    column: str = ""


def choice_problems(
    path: Path, *, encoding: str, delimiter: str, decimal: str, date_format: str
) -> list[ChoiceProblem]:
    """What is wrong with reading the CSV file with these choices (empty when nothing is)."""
    offered = (
        ("encoding", encoding, ENCODINGS), ("delimiter", delimiter, DELIMITERS),
        ("decimal", decimal, DECIMALS), ("date_format", date_format, DATE_FORMATS),
    )  # fmt: skip
    problems = [
        ChoiceProblem("option", option=name, value=value)
        for name, value, allowed in offered
        if value not in allowed
    ]
    if problems:
        return problems
    text_encoding(encoding)  # every offered encoding is one (a refusal here is a bug)
    with open(path, "rb") as f:
        if looks_binary(f.read(SAMPLE_BYTES)):
            return []  # the reader refuses it, in its own words
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with open(path, "rb") as f:
        try:
            while chunk := f.read(1 << 22):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return [ChoiceProblem("encoding", value=encoding, offset=offset + exc.start)]
    columns, _rows = split_rows(_sample_text(path, encoding), delimiter)
    # one column is a choice's fault only when another delimiter would split the header
    if len(columns) == 1 and any(d in columns[0] for d in DELIMITERS if d != delimiter):
        return [ChoiceProblem("one_column", value=delimiter, column=columns[0])]
    return []
