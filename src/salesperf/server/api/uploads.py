"""Imports over the web: uploads kept until imported (between the import wizard's steps,
`salesperf.server.pages.import_wizard`), the import itself (the command line's importer,
unchanged) and its rejected rows for download.

An upload waits for its import for a while only: uploads older than that, and the oldest beyond
a number and a total size, are deleted whenever an upload is saved or claimed (`UploadLimits`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from salesperf.auth.access import NotFound, check_replace
from salesperf.errors import InputError
from salesperf.ingest.importer import ImportResult, import_file
from salesperf.ingest.mapping import ImportMapping, parse_mapping
from salesperf.ingest.rejects_file import rejects_text
from salesperf.ingest.resolve import resolve_mapping
from salesperf.ingest.source import FileRefused
from salesperf.ingest.vocab import UnmappedValues
from salesperf.server.deps import View
from salesperf.store import Store
from salesperf.store.system_tables import REJECTS

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OPTION_NAMES = ("delimiter", "encoding", "decimal", "date_format", "sheet")
_NAME_BYTES = 150  # of an uploaded file's name before its suffix (file systems allow 255)


@dataclass(frozen=True)
class UploadLimits:
    """How long and how many uploads wait for their import; each can be changed with its
    variable in `UPLOAD_ENV`."""

    minutes: int = 60  # an upload older than this is deleted
    count: int = 50  # beyond this many, the oldest are deleted
    total_mb: int = 2048  # beyond this many MB together, the oldest are deleted

    @classmethod
    def from_env(cls) -> UploadLimits:
        """The limits, from the environment where set."""
        values: dict[str, int] = {}
        for f in fields(cls):
            text = os.environ.get(UPLOAD_ENV[f.name], "").strip()
            if text and not (text.isdigit() and int(text) > 0):
                raise InputError(
                    f"{UPLOAD_ENV[f.name]} must be a whole number above 0, not {text!r}"
                )
            if text:
                values[f.name] = int(text)
        return cls(**values)


UPLOAD_ENV = {
    "minutes": "SALESPERF_UPLOAD_MINUTES",
    "count": "SALESPERF_MAX_UPLOADS",
    "total_mb": "SALESPERF_MAX_UPLOADS_MB",
}


class UploadGone(HTTPException):
    """The upload is no longer kept (it expired, or was imported): answered with a 410."""

    def __init__(self, limits: UploadLimits) -> None:
        super().__init__(
            status_code=410,
            detail=(
                "the uploaded file is no longer here: an upload waits at most "
                f"{limits.minutes} minutes for its import (and only the latest {limits.count} "
                "are kept), and an imported one is deleted; upload the file again"
            ),
        )


def mapping_for(
    table: str,
    *,
    preset: str | None = None,
    maps: list[str] | tuple[str, ...] = (),
    options: dict[str, str | None] | None = None,
) -> tuple[str, ImportMapping]:
    """The table and mapping, as the import command builds them from its options."""
    name, mapping = resolve_mapping(table, preset_name=preset or None, maps=tuple(maps))
    given = {k: v for k, v in (options or {}).items() if v}
    if given:
        mapping = mapping.merged(parse_mapping({"table": name, "options": given}, "options"))
    return name, mapping


def split_maps(text: str | None) -> list[str]:
    """SOURCE=COLUMN lines from a text box (blank lines ignored)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def kept_name(filename: str | None) -> str:
    """The name an upload is kept under: the user's, without folders or odd characters."""
    raw = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w .()-]+", "_", raw).strip("._ ") or "upload.csv"
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    return stem.encode()[:_NAME_BYTES].decode(errors="ignore") + dot + suffix[:16]


async def save_upload(work_dir: Path, upload: UploadFile) -> tuple[str, Path]:
    """Keep an uploaded file under a fresh random token; returns the token and the path.
    Expired uploads, and the oldest beyond the limits, are deleted once it is kept."""
    token = secrets.token_urlsafe(18)
    folder = work_dir / "uploads" / token
    folder.mkdir(parents=True)
    path = folder / kept_name(upload.filename)
    with open(path, "wb") as f:
        while chunk := await upload.read(1 << 20):
            f.write(chunk)
    expire_uploads(work_dir, keep=folder)
    return token, path


def upload_path(work_dir: Path, token: str) -> Path:
    """The file kept under `token`, claimed for its import (its wait starts again); a 410
    (`UploadGone`) when it expired or was imported."""
    if not _TOKEN.match(token):
        raise InputError(f"{token[:80]!r} is not an upload's token; upload the file again")
    limits = UploadLimits.from_env()
    expire_uploads(work_dir, limits=limits)
    folder = work_dir / "uploads" / token
    try:
        files = sorted(folder.iterdir())
        os.utime(folder)  # claimed: not expired while it is imported
    except FileNotFoundError:  # expired, imported, or never there
        files = []
    if not files:
        raise UploadGone(limits)
    return files[0]


def _waiting(work_dir: Path) -> Iterator[tuple[float, int, Path]]:
    """Each kept upload: when it was saved (or claimed), its size and its folder."""
    root = work_dir / "uploads"
    for folder in root.iterdir() if root.is_dir() else ():
        if not _TOKEN.match(folder.name):
            continue
        with contextlib.suppress(FileNotFoundError):  # deleted meanwhile by another request
            saved = folder.stat().st_mtime
            yield saved, sum(p.stat().st_size for p in folder.iterdir()), folder


def _delete(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):  # another request may delete it at once
        for p in folder.iterdir():
            p.unlink(missing_ok=True)
        folder.rmdir()


def expire_uploads(
    work_dir: Path, *, keep: Path | None = None, limits: UploadLimits | None = None
) -> list[str]:
    """Delete the uploads that waited too long for their import, then the oldest beyond the
    limits on their number and total size (never `keep`); returns the deleted tokens."""
    limits = limits or UploadLimits.from_env()
    cutoff = time.time() - limits.minutes * 60
    waiting = sorted(_waiting(work_dir))  # oldest first
    deleted = [f for saved, _, f in waiting if saved < cutoff and f != keep]
    left = [(size, f) for saved, size, f in waiting if f not in deleted]
    count, total = len(left), sum(size for size, _ in left)
    for size, folder in left:
        if count <= limits.count and total <= limits.total_mb << 20:
            break
        if folder != keep:
            deleted.append(folder)
            count, total = count - 1, total - size
    for folder in deleted:
        _delete(folder)
    return [f.name for f in deleted]


def discard_upload(path: Path) -> None:
    """Remove an upload once imported."""
    path.unlink(missing_ok=True)
    if path.parent.is_dir() and not any(path.parent.iterdir()):
        path.parent.rmdir()


def _without_paths(exc: FileRefused, path: Path, *folders: Path) -> FileRefused:
    """The refusal as the user may read it: the uploaded file by its name, no server folder."""
    text = str(exc).replace(str(path), path.name)
    for folder in (path.parent, *folders, Path(tempfile.gettempdir())):
        pattern = re.escape(str(folder)) + r"[/\\]?([^\s'\"]*)"
        text = re.sub(pattern, lambda m: Path(m.group(1)).name or "the server", text)
    return FileRefused(text)


def run_import(
    view: View,
    table: str,
    path: Path,
    mapping: ImportMapping,
    *,
    accept_suggested: bool = False,
    replace: bool = False,
    system: str | None = None,
) -> ImportResult:
    """Import through the command line's importer; rejected rows are kept for download. A
    snapshot import (`replace`) only for a viewer who sees everything (`check_replace`)."""
    if replace:
        check_replace(view.scope, table)
    folder = view.work_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    pending = folder / f"pending-{secrets.token_hex(8)}.csv"  # the store keeps the rejects
    with view.writes:
        try:
            result = import_file(
                view.store, table, path, mapping=mapping, rejects_path=pending,
                accept_suggested=accept_suggested, replace=replace, system=system,
            )  # fmt: skip
        except UnmappedValues:  # its message names the file only; its values are wanted whole
            raise
        except FileRefused as exc:
            raise _without_paths(exc, path, view.work_dir) from None
        finally:
            view.cache.clear()
            pending.unlink(missing_ok=True)
    return result


def result_json(result: ImportResult) -> dict[str, Any]:
    """An import's summary and rejected rows, JSON-ready."""
    data = asdict(result)
    data.pop("rejects_path")
    data.pop("footprint")  # (what the result cache is told, not the user)
    data["source"] = Path(result.source).name
    data["accepted"] = result.accepted
    data["rejects_url"] = f"/import/{result.import_id}/rejects.csv" if result.rejected else None
    return data


def rejects_csv(store: Store, import_id: int, lang: str = "en") -> bytes:
    """The rejected rows of an import, from the store's record of them, as the importer's
    rejects file has them (line, problems, the row as given), in the reader's language."""
    t = store.table(REJECTS)
    rows = t.filter(t.import_id == import_id).order_by(["line", "column_name"]).to_pyarrow()
    if rows.num_rows == 0:
        raise NotFound(f"import {import_id} has no rejected rows")
    rejects = [
        {"line": r["line"], "column": r["column_name"], "message": r["message"],
         "message_nl": r["message_nl"], "raw": json.loads(r["raw_row"] or "{}")}
        for r in rows.to_pylist()
    ]  # fmt: skip
    given = next((r["raw"] for r in rejects if "line_text" not in r["raw"]), None)
    columns = tuple(given) if given is not None else ("row",)
    return rejects_text(columns, rejects, lang).encode()
