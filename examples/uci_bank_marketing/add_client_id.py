"""Give every client of the UCI bank marketing file an id: its position in the file.

bank-full.csv (and bank-additional-full.csv) have no client id, and every canonical table needs
one. This writes a copy with a first column `client` holding 1, 2, 3, ... for the data rows in
file order, and leaves every other byte of each line as it was.

    python add_client_id.py bank-full.csv bank-full-clients.csv
"""

from __future__ import annotations

import sys
from pathlib import Path


def add_client_id(source: Path, target: Path, delimiter: str = ";") -> int:
    """Copy `source` to `target` with a leading `client` column; returns the number of clients."""
    count = 0
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        dst.write(f'"client"{delimiter}{src.readline()}')
        for line in src:
            if line.strip():
                count += 1
                dst.write(f"{count}{delimiter}{line}")
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python add_client_id.py bank-full.csv bank-full-clients.csv")
    n = add_client_id(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{n} clients numbered in {sys.argv[2]}")
