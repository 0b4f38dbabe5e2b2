"""What a worksheet's XML uses, measured as it streams past: how far its cells reach and which
formulas have no computed value. `xlsxguard` feeds it the unpacked sheet and judges the result.

The reader places a cell at its `r` reference, or, without one, just after the cell before it
(and a row without `r` just after the row before it), so the extent measured here is an upper
bound of the grid the reader allocates for the sheet.
"""

from __future__ import annotations

import re

from salesperf.errors import InputError

SHOWN = 5  # uncomputed cells named in a message
_MAX_ROW_BYTES = 64 << 20  # one row's XML; a real row is kilobytes

# Excel, LibreOffice and the usual libraries write every cell as <c r="B7" ...>: the exact
# patterns read those at the speed of a literal search. Any other form (a prefix, other quotes
# or spacing, a cell without its reference) sends the rows to the patterns for any form.
_EXACT_COL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]{1,7}"')
_EXACT_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_INEXACT_CELL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="[A-Z]{1,3}[0-9]{1,7}"))')
_EXACT_FORMULA = re.compile(rb"<f[\s/>]")
_EXACT_COMPUTED = re.compile(rb"<f(?:>[^<]*</f>|\s[^>]*(?:/>|>[^<]*</f>))<v>[^<]")
_PREFIXED = re.compile(rb":(?:c|f|v|row|sheetData)[\s/>]")
_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # a namespace prefix
_CELL = re.compile(rb"<" + _P + rb"c[\s/>]")
_CELL_COL = re.compile(rb"<" + _P + rb"c\s[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,12})[0-9]")
_CELL_ROW = re.compile(rb"<" + _P + rb"c\s[^>]*?\br\s*=\s*[\"'][A-Za-z]{1,12}([0-9]{1,12})[\"']")
_HUGE_REF = re.compile(rb"\br\s*=\s*[\"'][A-Za-z]*(?:[A-Za-z]{13}|[0-9]{13})")
_ROW = re.compile(rb"<" + _P + rb"row[\s/>]")
_ROW_REF = re.compile(rb"<" + _P + rb"row\s[^>]*?\br\s*=\s*[\"']([0-9]{1,12})[\"']")
_ROW_END = re.compile(rb"</" + _P + rb"row\s*>")
_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>")
_FORMULA = re.compile(rb"<" + _P + rb"f[\s/>]")
_CELL_END = re.compile(rb"</" + _P + rb"c\s*>")
_VALUE = re.compile(rb"<" + _P + rb"v(?:\s[^>]*)?>[^<]")
_EMPTY_VALUE = re.compile(rb"<" + _P + rb"v[\s/>]")
_REF = re.compile(rb"\br\s*=\s*[\"']([A-Za-z]+[0-9]+)")
_TYPE = re.compile(rb"\bt\s*=\s*[\"'](\w+)")


class SheetUnreadable(InputError):
    """The sheet's XML cannot be a real sheet (damaged or crafted); the message says why."""


def column_letters(n: int) -> str:
    """A column's letters (1 is A, 16384 is XFD)."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _tag_end(buffer: bytearray, start: int, name: bytes, tag: re.Pattern[bytes], last: bool) -> int:
    """Where the first (or last) closing tag `name` at or after `start` ends, or -1."""
    at = len(buffer) if last else start - 1
    while (at := buffer.rfind(name, start, at) if last else buffer.find(name, at + 1)) >= 0:
        lt = buffer.rfind(b"<", max(start, at - 64), at)
        if lt >= 0 and (m := tag.match(buffer, lt)):
            return m.end()
    return -1


class SheetScan:
    """A sheet's XML fed in pieces, looked at row by row; memory is one row at most."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.done = False  # past </sheetData>: nothing after it is a cell
        self.max_row = self.max_col = 0
        self.rows_without_ref = 0
        self.cells_without_ref = 0  # the most in one row
        self.uncomputed: list[str] = []  # the first few formula cells without a value
        self.uncomputed_count = 0

    @property
    def rows(self) -> int:
        """The rows the reader may allocate (an upper bound)."""
        return self.max_row + self.rows_without_ref

    @property
    def columns(self) -> int:
        """The columns the reader may allocate (an upper bound)."""
        return self.max_col + self.cells_without_ref

    def feed(self, piece: bytes) -> None:
        """Take the next piece of the sheet's XML; look at the rows it completes."""
        if self.done:
            return
        start = max(0, len(self.buffer) - 64)  # a closing tag may straddle two pieces
        self.buffer += piece
        end = _tag_end(self.buffer, start, b"sheetData", _DATA_END, last=False)
        self.done = end >= 0
        cut = end if self.done else _tag_end(self.buffer, start, b"row>", _ROW_END, last=True)
        if cut < 0:
            if len(self.buffer) > _MAX_ROW_BYTES:
                raise SheetUnreadable(f"a row of more than {_MAX_ROW_BYTES >> 20} MB")
            return
        self._rows(bytes(self.buffer[:cut]))
        del self.buffer[: len(self.buffer) if self.done else cut]

    def close(self) -> None:
        """The end of the sheet's XML: look at what is left."""
        if not self.done:
            self._rows(bytes(self.buffer))
            self.buffer.clear()

    def _rows(self, part: bytes) -> None:
        """Complete rows (or the sheet's last bytes)."""
        exact = not _PREFIXED.search(part) and not _INEXACT_CELL.search(part)
        if exact:
            cols = _EXACT_COL.findall(part)
            if cols:
                self.max_row = max(self.max_row, max(map(int, _EXACT_ROW.findall(part))))
                self.max_col = max(self.max_col, max(map(_column_number, set(cols))))
        else:
            self._rows_of_any_form(part)
        formulas = len(_EXACT_FORMULA.findall(part)) if exact else 1
        if formulas and (not exact or formulas > len(_EXACT_COMPUTED.findall(part))):
            self._uncomputed(part)

    def _rows_of_any_form(self, part: bytes) -> None:
        if _HUGE_REF.search(part):
            raise SheetUnreadable("a cell reference beyond any Excel sheet")
        rows = _ROW_REF.findall(part)
        cells = _CELL_ROW.findall(part)
        for numbers in (rows, cells):
            if numbers:
                self.max_row = max(self.max_row, max(map(int, numbers)))
        cols = set(_CELL_COL.findall(part))  # a sheet has few distinct columns
        if cols:
            self.max_col = max(self.max_col, max(map(_column_number, cols)))
        self.rows_without_ref += len(_ROW.findall(part)) - len(rows)
        if len(_CELL.findall(part)) > len(cells):  # cells placed after the one before them
            for row in _ROW_END.split(part):
                loose = len(_CELL.findall(row)) - len(_CELL_ROW.findall(row))
                self.cells_without_ref = max(self.cells_without_ref, loose)

    def _uncomputed(self, part: bytes) -> None:
        for m in _FORMULA.finditer(part):
            end = _CELL_END.search(part, m.start())
            inside = part[m.start() : end.start() if end else len(part)]
            if _VALUE.search(inside):
                continue
            tag = part[part.rfind(b"<", 0, m.start()) : m.start()]
            kind = _TYPE.search(tag)
            if kind and kind.group(1) in (b"str", b"inlineStr") and _EMPTY_VALUE.search(inside):
                continue  # a formula whose value is the empty text
            self.uncomputed_count += 1
            if len(self.uncomputed) < SHOWN:
                ref = _REF.search(tag)
                self.uncomputed.append(ref.group(1).decode() if ref else "a cell")
