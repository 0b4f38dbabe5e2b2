"""Imports over the web: uploads kept until imported, the column mapping's preview, the import
itself (the command line's importer, unchanged) and its rejected rows for download."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from salesperf.access import NotFound
from salesperf.api.deps import View
from salesperf.ingest.importer import ImportResult, import_file, resolve_mapping
from salesperf.ingest.mapping import ROW_SOURCE, ImportMapping, parse_mapping
from salesperf.ingest.readers import open_source
from salesperf.ingest.rejects import rejects_text
from salesperf.ingest.sql import ident
from salesperf.ingest.validate import plan_columns
from salesperf.migrations import REJECTS
from salesperf.schema import TABLES
from salesperf.store import Store

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
OPTION_NAMES = ("delimiter", "encoding", "decimal", "date_format", "sheet")
SAMPLE_ROWS = 5


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


async def save_upload(work_dir: Path, upload: UploadFile) -> tuple[str, Path]:
    """Keep an uploaded file under a fresh random token; returns the token and the path."""
    token = secrets.token_urlsafe(18)
    folder = work_dir / "uploads" / token
    folder.mkdir(parents=True)
    raw = Path(upload.filename or "upload.csv").name
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "upload.csv"
    path = folder / name
    with open(path, "wb") as f:
        while chunk := await upload.read(1 << 20):
            f.write(chunk)
    return token, path


def upload_path(work_dir: Path, token: str) -> Path:
    """The file kept under `token`, or a ValueError when there is none."""
    folder = work_dir / "uploads" / token
    files = sorted(folder.iterdir()) if _TOKEN.match(token) and folder.is_dir() else []
    if not files:
        raise ValueError("the uploaded file is no longer here; upload it again")
    return files[0]


def discard_upload(path: Path) -> None:
    """Remove an upload once imported."""
    path.unlink(missing_ok=True)
    if path.parent.is_dir() and not any(path.parent.iterdir()):
        path.parent.rmdir()


def preview(store: Store, table: str, path: Path, mapping: ImportMapping) -> dict[str, Any]:
    """Where each column of the table would come from, and the file's first rows; raises
    FileRefused (with the reason) when the file cannot be imported at all."""
    spec = TABLES[table]
    con = store.staging()
    name = f"_preview_{secrets.token_hex(4)}"
    source = open_source(
        con, path, format=mapping.option("format"), delimiter=mapping.option("delimiter"),
        encoding=mapping.option("encoding"), decimal=mapping.option("decimal"),
        sheet=mapping.option("sheet"), name=name,
    )  # fmt: skip
    try:
        columns = source.columns
        if ROW_SOURCE in mapping.rename:
            columns = (*columns, ROW_SOURCE)
        plan = plan_columns(spec, columns, mapping)
        cols = ", ".join(ident(c) for c in source.columns)
        rows = con.execute(f"SELECT {cols} FROM {source.relation} LIMIT {SAMPLE_ROWS}").fetchall()
    finally:
        for suffix in ("", "_csv_rejects", "_csv_scan"):
            con.execute(f"DROP TABLE IF EXISTS {ident(name + suffix)}")
        source.close()
    return {
        "table": table,
        "file": path.name,
        "columns": [
            {
                "column": p.column.name,
                "required": p.column.required,
                "sources": list(p.sources),
                "constant": p.constant,
            }
            for p in plan.columns
        ],
        "ignored": list(plan.ignored),
        "sample": {
            "columns": list(source.columns),
            "rows": [[None if v is None else str(v) for v in r] for r in rows],
        },
    }


def run_import(view: View, table: str, path: Path, mapping: ImportMapping) -> ImportResult:
    """Import through the command line's importer; rejected rows are kept for download."""
    folder = view.work_dir / "rejects"
    folder.mkdir(parents=True, exist_ok=True)
    pending = folder / f"pending-{secrets.token_hex(8)}.csv"  # the store keeps the rejects
    with view.writes:
        try:
            result = import_file(view.store, table, path, mapping=mapping, rejects_path=pending)
        finally:
            view.cache.clear()
            pending.unlink(missing_ok=True)
    return result


def result_json(result: ImportResult) -> dict[str, Any]:
    """An import's summary and rejected rows, JSON-ready."""
    data = asdict(result)
    data.pop("rejects_path")
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
