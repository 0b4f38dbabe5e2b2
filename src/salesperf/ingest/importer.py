"""Import: read a file, map it, check every row, keep the rejects, upsert the rest at once.

A file that cannot be read at all is refused with one message and nothing is written. Otherwise
every row that breaks a rule is rejected with its line, column, value and the rule, kept in the
store's `salesperf_rejects` table and in a rejects CSV file; the accepted rows are written in
one transaction with the import's log entry, so a failed or killed import changes nothing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as changed
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from salesperf.ingest.columns import plan_columns
from salesperf.ingest.csvfile import structural_rejects
from salesperf.ingest.mapping import ROW_SOURCE, ImportMapping
from salesperf.ingest.owners import owners_map, unknown_owners
from salesperf.ingest.parse import id_sql, text_sql
from salesperf.ingest.readers import open_source
from salesperf.ingest.rejects import collect_rejects, drop_rejects, find_duplicates
from salesperf.ingest.resolve import resolve_mapping
from salesperf.ingest.snapshot import snapshot_keys
from salesperf.ingest.source import FileRefused
from salesperf.ingest.sql import ident
from salesperf.ingest.validate import stage_sql
from salesperf.ingest.vocab import UnmappedValues, find_unmapped, with_suggestions
from salesperf.metrics.registry import metric_names
from salesperf.schema import TABLES
from salesperf.store import IMPORT_MEMORY, MEMORY_ENV, Store, StoreError
from salesperf.store.reads import Footprint
from salesperf.text import Lang, Text

_counter = itertools.count()

#: Sees the staged rows' keys and owners (an Arrow table) and raises to stop an import.
Guard = Callable[[pa.Table], None]


@dataclass(frozen=True)
class Problem:
    """One broken rule in one row, said in English (`message`) and in Dutch (`message_nl`)."""

    line: int
    column: str
    value: str | None
    rule: str
    message: str
    message_nl: str = ""

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"

    def text(self, lang: Lang | str = Lang.EN) -> str:
        """The message in `lang` (English when there is no Dutch one)."""
        return Text(self.message, self.message_nl or self.message).get(lang)


@dataclass(frozen=True)
class ImportResult:
    """What an import did: counts, the problems found, where the rejected rows went."""

    import_id: int
    table: str
    source: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    problems: tuple[Problem, ...]
    rejects_path: Path | None
    ignored_columns: tuple[str, ...]
    seconds: float
    settings: dict[str, str] = field(default_factory=dict)
    #: suggestions taken with `accept_suggested`: (column, value as given, word, rows)
    suggested: tuple[tuple[str, str, str, int], ...] = ()
    #: owners that are no known rep (their rows are rejected): (owner as given, rows)
    unknown_owners: tuple[tuple[str, int], ...] = ()
    deleted: int = 0  # stored rows a snapshot import (`replace`) deleted
    #: a check's first rows as they would be written (`sample`): the table's columns and `_bad`
    sample: tuple[tuple[object, ...], ...] = ()
    #: what a write of activities touched (its days, links), when the store could tell
    footprint: Footprint | None = None

    @property
    def accepted(self) -> int:
        """Rows that passed every check (inserted, updated or unchanged)."""
        return self.inserted + self.updated + self.unchanged


def import_file(
    store: Store,
    table: str | None,
    path: str | os.PathLike[str],
    *,
    mapping: ImportMapping | None = None,
    mapping_file: str | os.PathLike[str] | None = None,
    preset_name: str | None = None,
    maps: Sequence[str] = (),
    rejects_path: str | os.PathLike[str] | None = None,
    on_phase: Callable[[str], None] | None = None,
    keep_problems: int = 1000,
    check_only: bool = False,
    sample: int = 0,
    lang: Lang | str = Lang.EN,
    guard: Guard | None = None,
    accept_suggested: bool = False,
    replace: bool = False,
    system: str | None = None,
    label: str | None = None,
    cursor: str | None = None,
) -> ImportResult:
    """Import one file into one canonical table; see the module docstring for the guarantees.

    With `replace`, a snapshot import: the table, or with `system` the rows that imports of
    that source system wrote, is made equal to the file (see `salesperf.ingest.snapshot`);
    `system` alone records that system as the origin of the rows written.

    `label` names the source in the import log instead of the file's path, and `cursor` is
    written in the log entry, in the import's transaction (a CRM sync's page commits where the
    sync stands with its rows: `salesperf.sync`).

    `guard`, when given, sees each row's key and owner (`rep_id`) exactly as they would be
    written (ids normalised) before anything is written, and raises to stop the import: the
    place where a writer's scope is decided.

    With `check_only`, every row is read and checked but nothing is written anywhere (no rows,
    no log entry, no rejects file): the result's problems say what an import would reject, and
    its `sample` holds the first `sample` rows as they would be written (with their `_bad` flag).
    `lang` is the language of the rejects file (the store keeps every problem in both).

    A status (or a mapped type, outcome, source) that no rule maps stops the import before
    anything is written (`UnmappedValues`, listing each value with its count and a suggestion);
    with `accept_suggested` the suggestions are taken and listed in the result's `suggested`."""
    chosen = os.environ.get(MEMORY_ENV)  # a budget the user chose is kept as it is
    with contextlib.nullcontext() if chosen else store.memory_budget(IMPORT_MEMORY):
        return _import_file(
            store, table, path, mapping=mapping, mapping_file=mapping_file,
            preset_name=preset_name, maps=maps, rejects_path=rejects_path,
            on_phase=on_phase, keep_problems=keep_problems, check_only=check_only, sample=sample,
            lang=lang, guard=guard, accept_suggested=accept_suggested, replace=replace, system=system,
            label=label, cursor=cursor,
        )  # fmt: skip


def _import_file(
    store: Store,
    table: str | None,
    path: str | os.PathLike[str],
    *,
    mapping: ImportMapping | None = None,
    mapping_file: str | os.PathLike[str] | None = None,
    preset_name: str | None = None,
    maps: Sequence[str] = (),
    rejects_path: str | os.PathLike[str] | None = None,
    on_phase: Callable[[str], None] | None = None,
    keep_problems: int = 1000,
    check_only: bool = False,
    sample: int = 0,
    lang: Lang | str = Lang.EN,
    guard: Guard | None = None,
    accept_suggested: bool = False,
    replace: bool = False,
    system: str | None = None,
    label: str | None = None,
    cursor: str | None = None,
) -> ImportResult:
    """The import itself (`import_file` sets the engine's memory budget around it)."""
    started = time.monotonic()
    started_at = datetime.now(UTC).replace(tzinfo=None)
    if mapping is None:
        table, mapping = resolve_mapping(
            table, mapping_file=mapping_file, preset_name=preset_name, maps=maps
        )
    else:
        table = table or mapping.table
        if table is None or table not in TABLES:
            raise FileRefused(f"there is no table {table!r}; the tables are: {', '.join(TABLES)}")
    spec = TABLES[table]
    try:
        store.check_writable(table)
    except StoreError as exc:
        raise FileRefused(str(exc)) from None
    settings = store.settings
    con = store.staging()
    name = f"_import_{os.getpid()}_{next(_counter)}"
    phase = on_phase or (lambda _p: None)
    phase("read")
    source = open_source(
        con,
        path,
        format=mapping.option("format"),
        delimiter=mapping.option("delimiter"),
        encoding=mapping.option("encoding"),
        decimal=mapping.option("decimal"),
        sheet=mapping.option("sheet"),
        name=name,
    )
    try:
        relation = source.relation
        line_column = source.line_column
        columns = source.columns
        if ROW_SOURCE in mapping.rename:
            # the record's number (1 = first data row) as a source, for files without ids
            relation = f"(SELECT CAST(row_number() OVER () AS VARCHAR) AS {ident(ROW_SOURCE)}, * FROM {relation})"
            columns = (*columns, ROW_SOURCE)
        plan = plan_columns(spec, columns, mapping)
        words = {"type": settings.activity_types} if spec.name == "activities" else {}
        suggested: tuple[tuple[str, str, str, int], ...] = ()
        if found := find_unmapped(con, relation, plan.columns, spec.name, words):
            if not accept_suggested or any(u.suggestion is None for u in found):
                raise UnmappedValues(
                    source.path.name,
                    [u for u in found if not accept_suggested or u.suggestion is None],
                    spec.name,
                )
            mapping = changed(mapping, values=with_suggestions(mapping.values, found))
            plan = plan_columns(spec, columns, mapping)
            suggested = tuple((u.column, u.value, str(u.suggestion), u.rows) for u in found)
        if source.format == "csv" and plan.dedupe:
            relation = f"(SELECT row_number() OVER () - 1 AS _rec, * FROM {relation})"
            line_column = "_rec"
        known = {ref: store.staging_relation(*ref.split(".")) for ref in _references(spec.name)}
        if "rep_id" in spec.column_names and spec.name not in ("reps", "rep_aliases"):
            owner = plan.get("rep_id")
            # an owner's text depends on its source columns alone: their distinct values are
            # read (one column of the file), not every row's normalised text
            given = ", ".join(ident(s) for s in owner.sources)
            owners_from = f"(SELECT DISTINCT {given} FROM {relation})" if given else relation
            known["owners"] = owners_map(store, con, name, text_sql(owner), owners_from)
        if spec.name == "teams":  # a team may name a parent given in the same file
            key = plan.get("team_id")
            known["teams.team_id"] = (
                f"(SELECT id FROM {known['teams.team_id']} UNION "
                f"SELECT {id_sql(ident(key.sources[0]))} FROM {source.relation})"
                if key.sources
                else known["teams.team_id"]
            )
        rates_from = None
        if spec.name == "deals" and plan.get("currency").sources:
            from salesperf.fx import ensure_rates

            # the currencies the file names (after its value map: "US Dollar" = "USD"), each
            # with its first day with a rate (the ECB's rates are loaded for those without)
            named = con.execute(
                f"SELECT DISTINCT upper(c) FROM (SELECT {text_sql(plan.get('currency'))} AS c "
                f"FROM {relation}) WHERE c IS NOT NULL"
            ).fetchall()
            codes = [str(r[0]) for r in named if len(str(r[0])) == 3 and str(r[0]).isalpha()]
            rates_from = ensure_rates(store, codes) if codes else {}
        # the rejected rows as given ride along (a file whose identical rows collapse into one
        # is read again for them instead)
        carried = () if plan.dedupe else source.columns
        sql = stage_sql(
            plan,
            relation,
            line_column=line_column,
            decimal=source.decimal,
            timezone=mapping.option("timezone") or settings.timezone,
            currency=settings.currency,
            activity_types=settings.activity_types,
            metric_names=metric_names(),
            known=known,
            name=name,
            dates=settings.date_range(),
            rates_from=rates_from,
            given=carried,
            control_free=source.control_free,
        )
        phase("check")
        try:
            con.execute(sql)
        except Exception as exc:
            if "not utf-8 encoded" in str(exc) or "Invalid unicode" in str(exc):
                raise FileRefused(
                    f"{source.path.name} is not UTF-8 text; give --encoding cp1252 or save it as UTF-8"
                ) from None
            if "CSV" in str(exc) or "csv" in str(exc):
                raise FileRefused(
                    f"{source.path.name} cannot be read as CSV: {_first_line(exc)}"
                ) from None
            raise
        structural = structural_rejects(con, name) if source.format == "csv" else []
        if any(r["kind"] == "INVALID ENCODING" for r in structural):
            raise FileRefused(
                f"{source.path.name} is not UTF-8 text; give --encoding cp1252 or save it as UTF-8"
            )
        if guard is not None:
            owned = [*spec.key, *(["rep_id"] if "rep_id" in spec.column_names else [])]
            guard(
                con.execute(
                    f"SELECT DISTINCT {', '.join(ident(c) for c in owned)} FROM {ident(name)}"
                ).to_arrow_table()
            )
        strangers = tuple(unknown_owners(con, name)) if "owners" in known else ()
        pos = "_line" if line_column else "rowid"
        dups = find_duplicates(con, name, spec.key, pos)
        rows_staged = int(con.execute(f"SELECT count(*) FROM {ident(name)}").fetchall()[0][0])
        key_label = " / ".join(spec.key)
        rejects = collect_rejects(
            con, name, source, pos, structural, dups, key_label, str(lang), bool(carried)
        )
        problems = tuple(Problem(*p) for p in rejects.first(keep_problems))
        rows_read = rows_staged + len(structural)
        keys = snapshot_keys(con, name, spec, pos, rejects, rows_read) if replace else None
        if check_only:
            cols = ", ".join(ident(c) for c in (*spec.column_names, "_bad"))
            first = f"SELECT {cols} FROM {ident(name)} ORDER BY {pos} LIMIT {int(sample)}"
            return ImportResult(
                import_id=0, table=spec.name, source=str(path), rows_read=rows_read,
                inserted=0, updated=0, unchanged=0, rejected=rejects.rows, problems=problems,
                rejects_path=None, ignored_columns=plan.ignored,
                seconds=time.monotonic() - started, suggested=suggested,
                unknown_owners=strangers,
                sample=tuple(con.execute(first).fetchall()) if sample else (),
            )  # fmt: skip
        import_id = store.next_import_id()
        rejects_table = None
        out_path = None
        if rejects.rows:
            rejects_table = rejects.relation(import_id)
            out_path = (
                Path(rejects_path)
                if rejects_path
                else Path.cwd() / f"{source.path.stem}.{spec.name}.rejects.csv"
            )
            try:  # never over an earlier file: a free numbered name beside it (rejects-2.csv)
                out_path = rejects.write_file(out_path)
            except OSError as exc:  # nothing is written to the store when rejects cannot be kept
                raise FileRefused(
                    f"cannot write the rejected rows to {out_path} ({exc.strerror}); "
                    "choose another place with --rejects PATH. Nothing was imported."
                ) from None
        accepted = f"{name}_ok"
        cols = ", ".join(ident(c) for c in spec.column_names)
        # (the repeated ids are left out by a join, which every row would pass through)
        repeated = con.execute(f"SELECT count(*) FROM {ident(dups)}").fetchall()[0][0]
        skip = f" AND {pos} NOT IN (SELECT _pos FROM {ident(dups)})" if repeated else ""
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW {ident(accepted)} AS "
            f"SELECT {cols} FROM {ident(name)} WHERE NOT _bad{skip}"
        )
        rejected_rows = rejects.rows
        log = {
            "import_id": import_id,
            "table_name": spec.name,
            "source": label or str(Path(path)),
            "started_at": started_at,
            "cursor": cursor,
            "rows_read": rows_read,
            "rejected": rejected_rows,
        }
        counts = store.merge(
            spec, accepted, log=log, rejects=rejects_table, on_phase=phase, system=system,
            snapshot=keys,
        )  # fmt: skip
    finally:
        con.execute(f"DROP VIEW IF EXISTS {ident(name + '_ok')}")
        drop_rejects(con, name)
        for suffix in ("", "_keys", "_csv_rejects", "_csv_scan"):
            con.execute(f"DROP TABLE IF EXISTS {ident(name + suffix)}")
        source.close()
    return ImportResult(
        import_id=import_id,
        table=spec.name,
        source=str(path),
        rows_read=rows_read,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        rejected=rejected_rows,
        problems=problems,
        rejects_path=out_path,
        ignored_columns=plan.ignored,
        seconds=time.monotonic() - started,
        suggested=suggested,
        unknown_owners=strangers,
        deleted=counts.deleted,
        footprint=counts.footprint,
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _references(table: str) -> set[str]:
    refs = {c.references for c in TABLES[table].columns if c.references}
    if table == "targets":
        refs |= {"reps.rep_id", "teams.team_id"}
    return {r for r in refs if r}
