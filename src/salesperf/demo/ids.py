"""Ids as the tables spell them (R001, T01, A0000001, ...), written straight into Arrow string
buffers: at ten million rows, formatting them one by one would take longer than drawing them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from salesperf.demo.codes import Bools, Ints

_DIGITS4 = np.frombuffer(b"".join(f"{i:04d}".encode() for i in range(10000)), dtype="<u4")
_DIGITS1 = np.frombuffer(b"0123456789", dtype=np.uint8)


@dataclass(frozen=True)
class IdKind:
    """How the ids of one table are spelled: a prefix and zero-padded numbers from 1."""

    prefix: str
    width: int

    @classmethod
    def of(cls, prefix: str, count: int, minimum: int) -> IdKind:
        """Ids for `count` rows, at least `minimum` digits wide."""
        return cls(prefix, max(minimum, len(str(count))))

    def _layout(self) -> np.dtype[np.void]:
        # Packed records: the prefix, single leading digits, then groups of four digits written
        # as one uint32 each (a record needs no alignment).
        layout = [("p", f"S{len(self.prefix)}")]
        layout += [(f"d{j}", "u1") for j in range(self.width % 4)]
        layout += [(f"g{j}", "<u4") for j in range(self.width // 4)]
        return np.dtype(layout)

    def _fill(
        self, rows: npt.NDArray[np.void], numbers: npt.NDArray[np.uint32], shift: int
    ) -> None:
        """Write `numbers` as the digits of `rows`, leaving out the lowest `shift` groups."""
        rest = numbers
        for j in reversed(range(self.width // 4 - shift)):
            rows[f"g{j}"] = _DIGITS4[rest % 10000]
            rest = rest // 10000
        for j in reversed(range(self.width % 4)):
            rows[f"d{j}"] = _DIGITS1[rest % 10]
            rest = rest // 10

    def _array(self, rows: npt.NDArray[np.void], valid: Bools | None) -> pa.StringArray:
        n, size = len(rows), len(self.prefix) + self.width
        offsets = pa.py_buffer(np.arange(0, (n + 1) * size, size, dtype=np.int32))
        bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
        data = pa.py_buffer(np.ascontiguousarray(rows).view(np.uint8))
        return pa.StringArray.from_buffers(n, offsets, data, bitmap)

    def all(self, count: int) -> pa.StringArray:
        """The ids of rows 0..count-1 (numbers 1..count).

        In blocks of ten thousand the lowest four digits repeat and the rest is constant, so
        the numbers are written per block rather than per row.
        """
        if self.width < 4:
            return self.at(np.arange(count))
        blocks = (count + 1 + 9999) // 10000
        rows = np.zeros((blocks, 10000), dtype=self._layout())
        rows["p"] = self.prefix.encode()
        rows[f"g{self.width // 4 - 1}"] = _DIGITS4[None, :]
        block_rows = np.zeros(blocks, dtype=self._layout())
        self._fill(block_rows, np.arange(blocks, dtype=np.uint32), 1)
        for name in block_rows.dtype.names or ():
            if name != "p" and name != f"g{self.width // 4 - 1}":
                rows[name] = block_rows[name][:, None]
        return self._array(rows.reshape(-1)[1 : count + 1], None)

    def at(self, index: Ints) -> pa.StringArray:
        """The ids of the rows at `index`, null where index < 0.

        Built straight into Arrow buffers, several times quicker than looking the strings up
        (a random gather from a large string array); only the valid rows are spelled out.
        """
        valid = index >= 0
        rows = np.zeros(len(index), dtype=self._layout())
        rows["p"] = self.prefix.encode()
        if valid.mean() > 0.5:  # mostly set: spell out every row (nulls as number 0)
            self._fill(rows, (index + 1).astype(np.uint32), 0)  # 32-bit division is quicker
        else:  # mostly null: spell out the set rows only, then scatter them
            part = np.zeros(int(valid.sum()), dtype=self._layout())
            self._fill(part, (index[valid] + 1).astype(np.uint32), 0)
            for name in part.dtype.names or ():
                if name != "p":
                    rows[name][valid] = part[name]
        return self._array(rows, None if valid.all() else valid)


def rep_labels(n: int) -> list[str]:
    """The ids of n reps."""
    return [f"R{i:0{max(3, len(str(n)))}d}" for i in range(1, n + 1)]


def team_labels(n: int) -> list[str]:
    """The ids of n teams, the org root first."""
    return [f"T{i:0{max(2, len(str(n - 1)))}d}" for i in range(n)]
