"""The CSV reader: a text file's encoding, its delimiter and its header line, read as text
columns in the staging engine, and the lines the CSV parser itself refused.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from pathlib import Path
from typing import Any

from salesperf.ingest.source import FileRefused, Source, check_header, refused
from salesperf.ingest.sql import ident, lit

DELIMITERS = (",", ";", "\t", "|")
COMMON_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
HEADER_KB = 1024  # a longer first line is refused, never cut (the CSV reader's own limit is 10 MB)
_SNIFF_BYTES = 1 << 16
# text codecs that are no character set of a file: they rewrite escapes, markup or domain names
_NOT_FILE_ENCODINGS = frozenset(
    ("undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "charmap")
)


def text_encoding(given: str) -> str:
    """The codec's name for `given`, when it is the character set of a text file."""
    common = ", ".join(COMMON_ENCODINGS)
    try:
        info = codecs.lookup(given)
    except (LookupError, ValueError):
        raise FileRefused(f"unknown encoding {given[:40]!r}; use one of: {common}") from None
    # binary and text-to-text codecs (base64, zlib, rot13) are registered alongside encodings
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        raise FileRefused(
            f"{given[:40]!r} is not a character encoding of text files; use one of: {common}"
        )
    return info.name


#: How binary formats begin: images, archives (xlsx, zip), PDF, old Office, executables.
_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"PK\x05\x06", b"%PDF",
    b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ", b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"PAR1",
)  # fmt: skip


def looks_binary(head: bytes) -> bool:
    """Whether the start of a file is a binary format rather than text. A few NUL bytes do not
    make a file binary: exports from CRMs carry them inside rich-text fields, and each is then
    a problem of its row (rule `control_character`), not of the file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if head.startswith(_MAGIC):
        return True
    return head.count(b"\x00") > max(8, len(head) // 10)


def detect_encoding(head: bytes, given: str | None) -> str:
    """utf-8 (with or without BOM) unless the start of the file says Windows-1252."""
    if given:
        return text_encoding(given)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        cut_at_end = len(head) == _SNIFF_BYTES and exc.start >= len(head) - 4
        if not cut_at_end:  # not merely a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def detect_delimiter(header: str, given: str | None) -> str:
    """The delimiter: the option, else the candidate that splits the header line most often."""
    if given:
        d = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}.get(
            given, given
        )
        if len(d) != 1:
            raise FileRefused(f"a delimiter is one character; {given!r} is not")
        return d
    best, count = ",", 0
    for d in DELIMITERS:
        n = len(next(csv.reader([header], delimiter=d), []))
        if n > count:
            best, count = d, n
    return best


def _transcode(path: Path, encoding: str) -> Path:
    """Copy a non-UTF-8 file to a temporary UTF-8 file, in chunks, refusing undecodable bytes."""
    fd, tmp = tempfile.mkstemp(suffix=".csv", prefix="salesperf-")
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            offset = 0
            try:
                while chunk := src.read(1 << 22):
                    dst.write(decoder.decode(chunk))
                    offset += len(chunk)
                dst.write(decoder.decode(b"", final=True))  # a character cut by the end
            except UnicodeDecodeError as exc:
                raise FileRefused(
                    f"{path.name} is neither UTF-8 nor {encoding} text (byte "
                    f"{offset + exc.start} cannot be read); save it as UTF-8 and import again"
                ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


#: The control characters a value may not hold (`validate.CONTROL`), as bytes: in UTF-8 a byte
#: below 0x80 is always that ASCII character itself, never part of another character.
_CONTROL_BYTES = bytes((*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


def control_free(path: Path) -> bool:
    """Whether a UTF-8 file holds no control character at all (`_CONTROL_BYTES`): a pass over
    its bytes in large blocks, much cheaper than looking for one in every value of every row."""
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            if len(block.translate(None, _CONTROL_BYTES)) != len(block):
                return False
    return True


def _header_line(path: Path, name: str) -> str:
    """The file's first line, whole (a sample of the file's start may end inside it)."""
    line = bytearray()
    with open(path, "rb") as f:
        while chunk := f.read(_SNIFF_BYTES):
            ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
            line += chunk[: min(ends)] if ends else chunk
            if len(line) > HEADER_KB * 1024:
                raise FileRefused(
                    f"the header line of {name} is longer than {HEADER_KB:,} KB; the first line "
                    "must name the columns (is the file CSV, with one line per row?)"
                )
            if ends:
                break
    return line.decode("utf-8", errors="replace").lstrip("\ufeff")


def _csv_layout(
    read_path: Path, path: Path, delimiter: str | None, decimal: str | None
) -> tuple[str, tuple[str, ...], str]:
    """The delimiter, the columns named by the header line, and the decimal separator."""
    header_line = _header_line(read_path, path.name)
    if not header_line.strip():
        raise refused(
            f"{path.name} has no header line; the first line must name the columns",
            f"{path.name} heeft geen kopregel; de eerste regel moet de kolommen noemen",
        )
    delim = detect_delimiter(header_line, delimiter)
    header = next(csv.reader([header_line], delimiter=delim))
    columns = check_header(path, tuple(h.strip() for h in header))
    dec = decimal if decimal else ("," if delim == ";" else ".")
    if dec not in (",", "."):
        raise FileRefused(f"the decimal separator is ',' or '.', not {dec!r}")
    return delim, columns, dec


def read_csv(
    con: Any,
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    name: str,
) -> Source:
    """Make a CSV file readable as text columns; refuse a file that is not CSV text."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if looks_binary(head):
        raise refused(
            f"{path.name} is not a text file (it looks binary); expected CSV text",
            f"{path.name} is geen tekstbestand (het lijkt binair); verwacht werd CSV-tekst",
        )
    enc = detect_encoding(head, encoding)
    cleanup: list[Path] = []
    read_path = path
    if enc not in ("utf-8", "utf-8-sig"):
        read_path = _transcode(path, enc)
        cleanup.append(read_path)
    try:
        delim, columns, dec = _csv_layout(read_path, path, delimiter, decimal)
    except BaseException:  # the transcoded copy goes with the refusal
        for p in cleanup:
            p.unlink(missing_ok=True)
        raise
    rejects = f"{name}_csv_rejects"
    scan = f"{name}_csv_scan"
    types = "{" + ", ".join(f"{lit(c)}: 'VARCHAR'" for c in columns) + "}"
    relation = (
        f"read_csv({lit(str(read_path))}, header = true, auto_detect = false, "
        f"delim = {lit(delim)}, quote = '\"', escape = '\"', columns = {types}, "
        f"store_rejects = true, rejects_table = {lit(rejects)}, "
        f"rejects_scan = {lit(scan)}, max_line_size = 10000000)"
    )
    return Source(
        path=path, format="csv", columns=columns, relation=relation, delimiter=delim,
        decimal=dec, encoding=enc, cleanup=cleanup, control_free=control_free(read_path),
    )  # fmt: skip


def structural_rejects(con: Any, name: str) -> list[dict[str, Any]]:
    """The lines the CSV parser itself refused (wrong number of fields, broken quotes)."""
    rejects = f"{name}_csv_rejects"
    try:
        rows = con.execute(
            f"SELECT line, error_type, csv_line, error_message FROM {ident(rejects)} ORDER BY line"
        ).fetchall()
    except Exception:  # the table exists only when the parser refused something
        return []
    seen: dict[int, dict[str, Any]] = {}
    for line, kind, raw, message in rows:
        if int(line) not in seen:
            seen[int(line)] = {"line": int(line), "kind": kind, "raw": raw, "message": message}
    return list(seen.values())
