"""The files the embedded engine keeps next to a store: where it spills, and what a killed
process left there.

DuckDB spills work beyond its memory budget into a folder it creates and removes again when the
store is closed; a process killed while spilling (kill -9, out of memory) leaves the folder and
its files behind, often hundreds of megabytes. Each process spills into a folder of its own,
`<store>.tmp-<pid>-<random>`, so that opening a store can tell its own spill files from a dead
process's.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
from pathlib import Path

#: DuckDB's own spill folder for a file (before salesperf chose one per process).
LEGACY_SUFFIX = ".tmp"
#: What follows a store's name in the name of a spill folder: DuckDB's own, or a process's.
_SPILL_NAME = re.compile(r"\.tmp(-\d+-[0-9a-f]{8})?")
#: The names DuckDB gives the files it spills (duckdb_temp_storage_*.tmp, duckdb_temp_block-*).
SPILL_PREFIX = "duckdb_temp_"


#: Each process's part of its spill folders' names, by process id (a forked child has its own).
_TAGS: dict[int, str] = {}


def _process_tag() -> str:
    """This process's part of a spill folder's name: its id, and a random part because ids are
    reused (a container's server is often process 1 every time it starts)."""
    pid = os.getpid()
    # setdefault keeps the first tag when threads open their first store at once: every
    # connection of the process must name the same folder
    return _TAGS.setdefault(pid, f"{pid}-{secrets.token_hex(4)}")


def spill_folder(store: Path) -> Path:
    """The folder this process's engine spills into for `store`.

    Every connection of a process to the same file must name the same folder: DuckDB shares one
    database between them and refuses a second connection with another configuration.
    """
    full = store.resolve()
    return full.with_name(f"{full.name}{LEGACY_SUFFIX}-{_process_tag()}")


def remove_stale_spills(store: Path, own: Path) -> list[Path]:
    """Remove the spill folders that processes which have died left next to `store`; returns
    the folders removed.

    Call it only with the store open for writing: DuckDB then holds the file's lock, so no other
    process has the store open and every spill folder but this process's own (`own`, which other
    connections of this process may be using) is a leftover. Only DuckDB's spill files are
    deleted; a folder holding anything else is left as it is.
    """
    full = store.resolve()
    removed = []
    for folder in full.parent.glob(glob.escape(full.name + LEGACY_SUFFIX) + "*"):
        if folder == own or not _SPILL_NAME.fullmatch(folder.name[len(full.name) :]):
            continue
        if folder.is_symlink() or not folder.is_dir():
            continue
        # a leftover that cannot be deleted only costs disk space: it must not stop the store
        # from opening
        with contextlib.suppress(OSError):
            for entry in folder.iterdir():
                if (
                    entry.name.startswith(SPILL_PREFIX)
                    and entry.is_file()
                    and not entry.is_symlink()
                ):
                    entry.unlink(missing_ok=True)
            folder.rmdir()
            removed.append(folder)
    return removed
