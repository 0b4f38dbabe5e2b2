"""Checks on an .xlsx workbook before its sheet is loaded.

A workbook is a zip of XML parts. A few kilobytes can unpack to gigabytes, and one far cell
(XFD1048576) makes the reader allocate the whole grid up to it: half a terabyte. So before the
reader sees the file, every part is unpacked here as a stream, counting the bytes it really
expands to (the sizes a zip declares may lie), and the sheet to be read is scanned for the cells
it uses and for formulas that were never computed. Memory stays bounded by one piece of a part
(a row at most), whatever the file.

The limits come from environment variables (`ENV`), read at each check.
"""

from __future__ import annotations

import os
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

from salesperf.errors import InputError
from salesperf.ingest.xlsxsheet import SheetScan, SheetUnreadable, column_letters

EXCEL_ROWS = 1_048_576  # a worksheet's rows in every Excel version: more is no real sheet
EXCEL_COLUMNS = 16_384  # XFD
MAX_PARTS = 10_000  # a workbook of a few sheets has a few dozen parts
_MB = 1 << 20
_PIECE = 1 << 20  # unpacked bytes handed on at a time
_SMALL_PART = 16 * _MB  # the workbook's list of sheets and its relationships
_RATIO_FROM = _MB  # small parts may compress as well as they like
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader


@dataclass(frozen=True)
class XlsxLimits:
    """How much of a workbook is read; each can be changed with its variable in `ENV`."""

    expanded_mb: int = 200  # all parts together, unpacked
    ratio: int = 100  # unpacked size / packed size of one part (real sheets: about 5-15)
    cells: int = 10_000_000  # rows × columns of the sheet's used area, as the reader holds it
    columns: int = 2_000


ENV = {
    "expanded_mb": "SALESPERF_MAX_XLSX_MB",
    "ratio": "SALESPERF_MAX_XLSX_RATIO",
    "cells": "SALESPERF_MAX_XLSX_CELLS",
    "columns": "SALESPERF_MAX_XLSX_COLUMNS",
}


class _Refused(InputError):
    """Raised inside the checks; `xlsx_problem` returns its message."""


def limits_from_env(env: Mapping[str, str] | None = None) -> XlsxLimits:
    """The limits, from the environment where set; a bad value is refused with its name."""
    env = os.environ if env is None else env
    values: dict[str, int] = {}
    for f in fields(XlsxLimits):
        text = env.get(ENV[f.name], "").strip().replace("_", "")
        if not text:
            continue
        if not text.isdigit() or int(text) < 1:
            raise _Refused(f"{ENV[f.name]} must be a whole number above 0, not {text!r}")
        values[f.name] = int(text)
    return XlsxLimits(**values)


def xlsx_problem(
    path: Path, sheet: str | None = None, env: Mapping[str, str] | None = None
) -> str | None:
    """Why the workbook (its first sheet, or `sheet`) cannot be read safely, or None when it
    can. Messages name the file by its name only and say how to change a limit."""
    try:
        _check(path, sheet, limits_from_env(env))
    except _Refused as exc:
        return str(exc)
    return None


def _mb(n: int) -> str:
    return f"{-(-n // _MB):,} MB"


def _check(path: Path, sheet: str | None, limits: XlsxLimits) -> None:
    name = path.name
    try:
        zf = zipfile.ZipFile(path)
    except Exception:  # a damaged zip fails in many ways; each is this same answer
        raise _Refused(
            f"{name} is not a readable Excel workbook (an .xlsx file is a zip archive, and "
            "this is not one); save it as .xlsx or CSV"
        ) from None
    with zf, open(path, "rb") as f:
        infos = zf.infolist()
        if len(infos) > MAX_PARTS:
            raise _Refused(
                f"{name} holds {len(infos):,} parts, more than {MAX_PARTS:,}; it is no Excel workbook"
            )
        parts = {i.filename: i for i in infos}
        if "xl/workbook.xml" not in parts:
            kind = (
                " (it is an OpenDocument spreadsheet)" if "content.xml" in parts
                else " (it is a binary .xlsb workbook)" if "xl/workbook.bin" in parts
                else ""
            )  # fmt: skip
            raise _Refused(f"{name} is not an .xlsx workbook{kind}; save it as .xlsx or CSV")
        budget = limits.expanded_mb * _MB
        declared = sum(i.file_size for i in infos)
        if declared > budget:
            raise _Refused(_too_big(name, declared, limits))
        for info in infos:
            _check_ratio(name, info, info.file_size, limits)
        sheets = _sheet_parts(f, parts, sheet, name)
        total = 0
        for info in infos:
            label = sheets.get(info.filename)
            scan = SheetScan() if label is not None else None
            size = 0
            for piece in _unpacked(f, info, name):
                size += len(piece)
                total += len(piece)
                if total > budget:
                    raise _Refused(_too_big(name, None, limits))
                if size > info.file_size:
                    raise _Refused(
                        f"{name} is damaged: its part {info.filename} unpacks to more than the "
                        f"{info.file_size:,} bytes it declares; save it again in Excel"
                    )
                _check_ratio(name, info, size, limits)
                if scan is not None and label is not None:
                    _scanned(f"the sheet {label!r} of {name}", scan, piece, limits)
            if scan is not None and label is not None:
                _scanned(f"the sheet {label!r} of {name}", scan, None, limits)
                _check_computed(f"the sheet {label!r} of {name}", scan)


def _too_big(name: str, size: int | None, limits: XlsxLimits) -> str:
    unpacked = f"{_mb(size)}, more than" if size is not None else "more than"
    return (
        f"{name} unpacks to {unpacked} the {limits.expanded_mb:,} MB an Excel workbook may "
        f"unpack to (set {ENV['expanded_mb']} to change the limit), or export the sheet as CSV"
    )


def _check_ratio(name: str, info: zipfile.ZipInfo, size: int, limits: XlsxLimits) -> None:
    if size > _RATIO_FROM and size > limits.ratio * max(info.compress_size, 1):
        raise _Refused(
            f"{name} looks like a zip bomb: its part {info.filename} unpacks to more than "
            f"{limits.ratio} times its packed size ({_mb(size)} from {info.compress_size:,} "
            f"bytes); set {ENV['ratio']} to allow more, or export the sheet as CSV"
        )


def _unpacked(f: BinaryIO, info: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """A part's bytes as unpacked, in pieces of at most 1 MB, from its packed bytes (not from
    its declared size, which a crafted file may understate)."""
    damaged = f"{name} is damaged (its part {info.filename} cannot be read); save it again in Excel"
    if info.flag_bits & 0x1:
        raise _Refused(f"{name} is encrypted; save it without a password, or export it as CSV")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _Refused(f"{name} is packed with a method Excel does not use; save it again in Excel")
    f.seek(info.header_offset)
    head = f.read(_LOCAL_HEADER.size)
    if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        raise _Refused(damaged)
    fields_ = _LOCAL_HEADER.unpack(head)
    f.seek(info.header_offset + _LOCAL_HEADER.size + fields_[10] + fields_[11])
    left = info.compress_size
    inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        while left > 0:
            raw = f.read(min(left, 1 << 16))
            if not raw:
                raise _Refused(damaged)
            left -= len(raw)
            if inflate is None:
                yield raw
                continue
            data = inflate.decompress(raw, _PIECE)
            while data:
                yield data
                data = inflate.decompress(inflate.unconsumed_tail, _PIECE)
        if inflate is not None and (rest := inflate.flush()):
            yield rest
    except zlib.error:
        raise _Refused(damaged) from None


def _read_small(f: BinaryIO, info: zipfile.ZipInfo | None, name: str) -> ElementTree.Element | None:
    """A small XML part parsed, refusing entity declarations (which could expand at will)."""
    if info is None:
        return None
    data = bytearray()
    for piece in _unpacked(f, info, name):
        data += piece
        if len(data) > _SMALL_PART:
            raise _Refused(f"{name} is damaged (its part {info.filename} is far too large)")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _Refused(
            f"{name} is not a plain Excel workbook (its {info.filename} declares XML entities)"
        )
    try:
        return ElementTree.fromstring(bytes(data))
    except ElementTree.ParseError:
        raise _Refused(f"{name} is damaged (its part {info.filename} is not XML)") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(
    f: BinaryIO, parts: Mapping[str, zipfile.ZipInfo], sheet: str | None, name: str
) -> dict[str, str]:
    """The part holding the sheet to be read, with the sheet's name; every worksheet when the
    part cannot be told, so that nothing the reader may load goes unchecked."""
    workbook = _read_small(f, parts["xl/workbook.xml"], name)
    rels = _read_small(f, parts.get("xl/_rels/workbook.xml.rels"), name)
    sheets = [
        (e.get("name", ""), next((v for k, v in e.attrib.items() if _local(k) == "id"), ""))
        for e in (workbook.iter() if workbook is not None else ())
        if _local(e.tag) == "sheet"
    ]
    chosen = next((s for s in sheets if s[0] == sheet or sheet is None), None)
    targets = {
        e.get("Id"): e.get("Target", "")
        for e in (rels.iter() if rels is not None else ())
        if _local(e.tag) == "Relationship"
    }
    if chosen is not None and chosen[1] in targets:
        target = targets[chosen[1]]
        part = target[1:] if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        if part in parts:
            return {part: chosen[0]}
    return {
        p: posixpath.basename(p)
        for p in parts
        if p.startswith("xl/worksheets/") and p.endswith(".xml")
    }


def _scanned(sheet: str, scan: SheetScan, piece: bytes | None, limits: XlsxLimits) -> None:
    # `sheet` is what messages call it: "the sheet 'Deals' of deals.xlsx"
    """The sheet's scan fed a piece (None: its end), then its extent judged by the limits."""
    try:
        scan.feed(piece) if piece is not None else scan.close()
    except SheetUnreadable as exc:
        raise _Refused(f"{sheet} has {exc}; the file is damaged or crafted") from None
    rows, cols = scan.rows, scan.columns
    where = (
        f"{sheet} uses cells up to {column_letters(min(cols, 10**6))}{rows} "
        f"({rows:,} rows × {cols:,} columns)"
    )
    stray = (
        "If cells far from the data are stray, delete the rows and columns after the data in "
        "Excel and save it, or export the sheet as CSV"
    )
    if rows > EXCEL_ROWS or cols > EXCEL_COLUMNS:
        raise _Refused(
            f"{where}, beyond the {EXCEL_ROWS:,} rows × {EXCEL_COLUMNS:,} columns of any Excel "
            "sheet; the file is damaged or crafted"
        )
    if rows * cols > limits.cells:
        raise _Refused(
            f"{where}: {rows * cols:,} cells, more than {limits.cells:,} (set {ENV['cells']} to "
            f"change the limit). {stray}"
        )
    if cols > limits.columns:
        raise _Refused(
            f"{where}: more than {limits.columns:,} columns (set {ENV['columns']} to change the "
            f"limit). {stray}"
        )


def _check_computed(sheet: str, scan: SheetScan) -> None:
    if scan.uncomputed_count:
        more = scan.uncomputed_count - len(scan.uncomputed)
        cells = ", ".join(scan.uncomputed) + (f" and {more:,} more" if more else "")
        raise _Refused(
            f"{sheet} has formulas without computed values ({cells}); they would "
            "be imported as empty. Open the file in Excel and save it (so the values are "
            "computed), or export the sheet as CSV"
        )
