"""The import wizard's data: how the kept upload is written (detected, or as chosen), which of
its columns fills each column of the table (proposed by the preset or by name, or as chosen),
and a dry run of the import itself (`import_file(check_only=True)`) on the whole file: its
first rows as they would be written and its problems counted by kind, before anything is.

A choice that cannot read the file, a column the file does not have or a required column left
out is said in the viewer's language, and nothing is imported (`Wizard.errors`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from salesperf.i18n import format as fmt
from salesperf.i18n.messages import t
from salesperf.i18n.words import word
from salesperf.ingest.columns import proposed_sources
from salesperf.ingest.importer import ImportResult, import_file
from salesperf.ingest.mapping import DATE_FORMATS, ImportMapping, MappingError
from salesperf.ingest.readers import detect_format, open_source
from salesperf.ingest.rules import rule_text
from salesperf.ingest.sniff import ENCODINGS, ChoiceProblem, choice_problems, sniff
from salesperf.ingest.source import FileRefused
from salesperf.ingest.vocab import UnmappedValues
from salesperf.metrics.periods import is_date_only, local_datetime
from salesperf.schema import TABLES
from salesperf.server.api.uploads import mapping_for, split_maps
from salesperf.server.deps import View

#: The delimiters by the names the form (and `--delimiter`) gives them.
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DECIMAL_NAMES = {".": "point", ",": "comma"}
READING = ("delimiter", "decimal", "date_format", "encoding")
SAMPLE_ROWS = 5
PROBLEMS_COUNTED = 10_000  # problems the dry run keeps to count by kind
EXAMPLES = 3
COLUMN_FIELD = "column."  # the form's field for a canonical column: column.<name>


@dataclass(frozen=True)
class Choices:
    """What the viewer chose on the wizard's pages (empty: not chosen, take the proposal)."""

    table: str
    preset: str = "generic"
    maps: str = ""  # SOURCE=COLUMN lines (the form before the wizard; kept for its clients)
    replace: bool = False
    system: str = ""
    reading: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] | None = None  # canonical column: the file's column ("": none)
    accept_suggested: bool = False

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Choices:
        """The choices of a submitted form (fields as the wizard's pages name them)."""
        columns = {
            k.removeprefix(COLUMN_FIELD): str(v)
            for k, v in form.items()
            if k.startswith(COLUMN_FIELD)
        }
        return cls(
            table=str(form.get("table", "")),
            preset=str(form.get("preset") or "generic"),
            maps=str(form.get("maps") or ""),
            replace=str(form.get("replace", "")).lower() in ("true", "on", "1"),
            system=str(form.get("system") or ""),
            reading={k: str(form[k]) for k in READING if form.get(k)},
            columns=columns or None,
            accept_suggested=str(form.get("accept_suggested", "")).lower() in ("true", "on", "1"),
        )

    @property
    def chosen(self) -> bool:
        """Whether the viewer chose how to read the file or its columns (a wizard's form)."""
        return bool(self.reading) or self.columns is not None

    def digest(self) -> str:
        """A fingerprint of the choices a preview was shown with."""
        said = json.dumps(
            [self.table, self.preset, self.maps, dict(self.reading), self.columns,
             self.accept_suggested], sort_keys=True,
        )  # fmt: skip
        return hashlib.sha256(said.encode()).hexdigest()[:16]


@dataclass
class Wizard:
    """The wizard's page: the choices made concrete, and the errors or the dry run's findings."""

    choices: Choices
    file: str
    format: str = "csv"
    reading: dict[str, str] = field(default_factory=dict)  # as the file is read
    detected: dict[str, str] = field(default_factory=dict)  # as detection found it
    file_columns: tuple[str, ...] = ()
    columns: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unreadable: bool = False  # no choice reads the file (its reader refused it)
    mapping: ImportMapping | None = None
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, int] | None = None
    kinds: list[dict[str, Any]] = field(default_factory=list)
    counted_all: bool = True
    sample: dict[str, Any] | None = None

    def page(self, lang: str) -> dict[str, Any]:
        """What the template shows (the choices' fingerprint included)."""
        options = {
            "delimiter": list(DELIMITER_NAMES.values()),
            "decimal": list(DECIMAL_NAMES.values()),
            "date_format": list(DATE_FORMATS),
            "encoding": list(ENCODINGS),
        }
        return {
            "file": self.file, "format": self.format, "reading": self.reading,
            "detected": self.detected, "options": options, "file_columns": self.file_columns,
            "columns": self.columns, "errors": self.errors, "unmapped": self.unmapped,
            "summary": self.summary, "kinds": self.kinds, "counted_all": self.counted_all,
            "sample": self.sample, "digest": self.settled().digest(),
        }  # fmt: skip

    def settled(self) -> Choices:
        """The choices as the page shows them (detected and proposed values filled in)."""
        named = {c["name"]: c["chosen"] for c in self.columns}
        return replace(self.choices, reading=dict(self.reading), columns=named or None)


def _named(reading: Mapping[str, str]) -> dict[str, str]:
    """The reading options as the form names them (a delimiter by its name)."""
    out = dict(reading)
    if "delimiter" in out:
        out["delimiter"] = DELIMITER_NAMES.get(out["delimiter"], out["delimiter"])
    if "decimal" in out:
        out["decimal"] = DECIMAL_NAMES.get(out["decimal"], out["decimal"])
    return out


def _option(name: str, value: str) -> str:
    """A reading option's value as the reader takes it (the form's name for it undone)."""
    names = DELIMITER_NAMES if name == "delimiter" else DECIMAL_NAMES if name == "decimal" else {}
    return next((k for k, v in names.items() if v == value), value)


def reason(exc: FileRefused, path: Path, lang: str) -> str:
    """A refusal's reason, naming the upload by its name, never by the server's folders."""
    said = exc.text.get(lang) if exc.text is not None else str(exc)
    return said.replace(str(path), path.name).replace(str(path.parent), "")


def _label(view: View, column: str) -> str:
    return t(f"wizard.column.{column}", view.lang)


def _choice_error(view: View, p: Any) -> str:
    """A choice that cannot read the file, in words."""
    if p.kind == "encoding":
        shown = t(f"wizard.encoding.{p.value}", view.lang)
        return t("wizard.error.encoding", view.lang, encoding=shown, offset=p.offset)
    if p.kind == "one_column":
        shown = t(f"wizard.delimiter.{DELIMITER_NAMES[p.value]}", view.lang)
        return t("wizard.error.one_column", view.lang, delimiter=shown, column=p.column)
    return t(
        "wizard.error.option",
        view.lang,
        value=p.value[:40],
        option=t(f"wizard.{p.option}", view.lang),
    )


def _read_settings(view: View, w: Wizard, path: Path) -> None:
    """How the file is read: detected, then the viewer's choices over it; their problems."""
    chosen = {k: v for k, v in w.choices.reading.items() if k in READING}
    if w.format != "csv":  # a workbook or Parquet file: its text dates only
        w.detected = {"date_format": "ISO"}
        w.reading = {"date_format": chosen.get("date_format", "ISO")}
    else:
        found = sniff(path)
        w.detected = _named(
            {"delimiter": found.delimiter, "decimal": found.decimal,
             "date_format": found.date_format, "encoding": found.encoding}
        )  # fmt: skip
        w.reading = {**w.detected, **chosen}
    given = {k: _option(k, v) for k, v in w.reading.items()}
    if w.format == "csv":
        problems = choice_problems(
            path, encoding=given["encoding"], delimiter=given["delimiter"],
            decimal=given["decimal"], date_format=given["date_format"],
        )  # fmt: skip
    elif given["date_format"] not in DATE_FORMATS:
        problems = [ChoiceProblem("option", option="date_format", value=given["date_format"])]
    else:
        problems = []
    w.errors += [_choice_error(view, p) for p in problems]


def build(view: View, choices: Choices, path: Path) -> Wizard:
    """The wizard for the kept upload at `path` with `choices`: its errors, else its mapping.
    A file no choice can read (not a text file, empty, a workbook that cannot be read) is
    marked `unreadable`; a format that is not offered at all (an old .xls) raises FileRefused."""
    w = Wizard(choices=choices, file=path.name)
    if choices.table not in TABLES:
        w.errors.append(t("wizard.error.table", view.lang, table=choices.table[:40]))
        return w
    spec = TABLES[choices.table]
    w.format = detect_format(path)
    _read_settings(view, w, path)
    if w.errors:
        return w
    try:
        _name, base = mapping_for(
            choices.table, preset=choices.preset, maps=split_maps(choices.maps)
        )
    except MappingError as exc:
        w.errors.append(t("wizard.error.refused", view.lang, reason=str(exc)))
        return w
    options = {k: _option(k, v) for k, v in w.reading.items()}
    base = replace(base, options={**base.options, **options})
    con, name = view.store.staging(), f"_wizard_{secrets.token_hex(4)}"
    try:
        source = open_source(
            con, path, format=w.format, delimiter=base.option("delimiter"),
            encoding=base.option("encoding"), decimal=base.option("decimal"),
            sheet=base.option("sheet"), name=name,
        )  # fmt: skip
    except FileRefused as exc:  # no choice reads it: said alone, under the page's heading
        w.unreadable = True
        w.errors.append(reason(exc, path, view.lang))
        return w
    source.close()
    if source.format == "xlsx":  # a workbook's rows are registered as a view
        con.unregister(f"{name}_xlsx")
    w.file_columns = source.columns
    proposal = proposed_sources(spec, source.columns, base)
    rename: dict[str, tuple[str, ...]] = {}
    for col in spec.columns:
        proposed = proposal.get(col.name, ())
        pick = (choices.columns or {}).get(col.name)
        chosen = pick if pick is not None else (proposed[0] if proposed else "")
        fixed = base.constants.get(col.name) is not None or (
            col.name == "status" and base.status is not None and bool(base.status.sources())
        )
        also = list(proposed[1:]) if proposed and chosen == proposed[0] else []
        w.columns.append(
            {"name": col.name, "label": _label(view, col.name), "required": col.required,
             "chosen": chosen, "also": also, "fixed": fixed}
        )  # fmt: skip
        if chosen and chosen not in source.columns:
            w.errors.append(
                t("wizard.error.unknown_column", view.lang, column=chosen[:80],
                  canonical=_label(view, col.name))
            )  # fmt: skip
        elif col.required and not chosen and not fixed:
            w.errors.append(t("wizard.error.required", view.lang, canonical=_label(view, col.name)))
        for src in (chosen, *also) if chosen else ():
            rename[src] = (*rename.get(src, ()), col.name)
    if not w.errors:
        w.mapping = replace(base, rename=rename, auto=False)
    return w


def dry_run(view: View, w: Wizard, path: Path) -> None:
    """Check every row of the file as the import will, writing nothing; the findings go into
    the wizard (the values no rule maps stop it, as they stop the import)."""
    assert w.mapping is not None
    try:
        result = import_file(
            view.store, w.choices.table, path, mapping=w.mapping, check_only=True,
            sample=SAMPLE_ROWS, keep_problems=PROBLEMS_COUNTED, lang=view.lang,
            accept_suggested=w.choices.accept_suggested,
        )  # fmt: skip
    except UnmappedValues as exc:
        w.unmapped = [
            {"column": u.column, "value": u.value, "rows": u.rows, "suggestion": u.suggestion}
            for u in exc.found
        ]
        return
    except FileRefused as exc:
        w.errors.append(t("wizard.error.refused", view.lang, reason=reason(exc, path, view.lang)))
        return
    _findings(view, w, result)


def _findings(view: View, w: Wizard, result: ImportResult) -> None:
    """The dry run's counts, its problems by kind with examples, and its first rows."""
    w.summary = {"rows": result.rows_read, "accepted": result.rows_read - result.rejected,
                 "rejected": result.rejected}  # fmt: skip
    kinds: dict[tuple[str, str], dict[str, Any]] = {}
    for p in result.problems:
        kind = kinds.setdefault(
            (p.column, p.rule),
            {"column": _label(view, p.column) if p.column in TABLES[result.table].column_names
             else p.column, "rule": p.rule, "text": rule_text(p.rule).get(view.lang),
             "count": 0, "examples": []},
        )  # fmt: skip
        kind["count"] += 1
        if len(kind["examples"]) < EXAMPLES:
            kind["examples"].append({"line": p.line, "value": p.value})
    w.kinds = sorted(kinds.values(), key=lambda k: -int(k["count"]))
    w.counted_all = len(result.problems) < PROBLEMS_COUNTED
    spec = TABLES[result.table]
    tz = view.store.settings.timezone
    # a vocabulary's word (won, follow_up) and a stage are shown as the language names them
    words = [c.vocabulary is not None or c.name in ("type", "stage") for c in spec.columns]
    w.sample = {
        "columns": [_label(view, c.name) for c in spec.columns],
        "rows": [
            {"cells": [word(v, view.lang) if isinstance(v, str) and named else _cell(v, view.lang, tz)
                       for v, named in zip(row[:-1], words, strict=True)],
             "bad": bool(row[-1])}
            for row in result.sample
        ],
    }  # fmt: skip


def _cell(value: Any, lang: str, tz: str) -> str:
    """A value as it would be stored, written in the viewer's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if is_date_only(value):
            return fmt.date(value.date(), lang)
        local = local_datetime(value, tz)
        return f"{fmt.date(local.date(), lang)} {local:%H:%M}"
    if isinstance(value, date):
        return fmt.date(value, lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return fmt.number(value, lang, 0 if float(value).is_integer() else 2)
    return str(value)
