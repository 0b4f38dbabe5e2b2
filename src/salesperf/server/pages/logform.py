"""The log-an-activity form: its values read as the viewer typed them, what is wrong with them
said in the viewer's language and named by each field's label as the form shows it, and the
warnings an unlikely activity gets before it is saved.

The rules are the batch's (`salesperf.server.api.batch.write_rows`, the importer's checks); the
form only reads a number in the viewer's convention (`salesperf.i18n.reading`) and turns each
rule a row breaks into a sentence about its field. An activity in the future, an outcome that
does not belong to its type (`salesperf.schema.OUTCOMES_OF_TYPE`) or a deal the viewer cannot
see is not refused: the form comes back with a warning, and the viewer saves it anyway by
confirming. The confirmation is a digest of the very row it confirms, so a changed value is
looked at again.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from salesperf.auth.access import scoped_table
from salesperf.i18n import format as fmt
from salesperf.i18n.messages import MESSAGES, t
from salesperf.i18n.reading import NumberUnread, read_number
from salesperf.i18n.words import word
from salesperf.schema import OUTCOMES_OF_TYPE, TABLES, ActivityOutcome
from salesperf.server.api.batch import CONTROL, write_rows
from salesperf.server.deps import View
from salesperf.server.errors import BadRequest

#: The form's fields, each with the catalogue key of its label as the form shows it.
LABELS = {
    "rep_id": "rep",
    "type": "log.type",
    "occurred_at": "log.when",
    "outcome": "log.outcome",
    "duration_min": "log.duration",
    "deal_id": "log.deal",
    "account_id": "log.account",
}
#: The fields that hold a number, typed in the viewer's convention.
NUMBERS = ("duration_min",)


@dataclass(frozen=True)
class Note:
    """What is wrong with, or unlikely about, one field (empty: the whole form), in words."""

    field: str
    text: str


@dataclass(frozen=True)
class Reading:
    """The form as the batch takes it (`row`), what stops it being saved (`errors`), what the
    viewer is asked to confirm (`warnings`), and the value that confirms them (`confirm`)."""

    row: dict[str, Any]
    errors: tuple[Note, ...]
    warnings: tuple[Note, ...]
    confirm: str

    def ready(self, confirmed: str) -> bool:
        """Whether the row is to be saved: nothing wrong, and no warning or these confirmed."""
        return not self.errors and (not self.warnings or confirmed == self.confirm)

    def with_errors(self, errors: list[Note]) -> Reading:
        """The reading with the batch's errors added (a field's first error only) and no
        warning about a field that is wrong."""
        wrong = {e.field for e in self.errors}
        more = []
        for e in errors:
            if not e.field or e.field not in wrong:
                more.append(e)
                wrong.add(e.field)
        return replace(
            self,
            errors=(*self.errors, *more),
            warnings=tuple(w for w in self.warnings if w.field not in wrong),
        )


def _say(view: View, key: str, field: str, **values: Any) -> Note:
    return Note(field, t(key, view.lang, field=t(LABELS[field], view.lang), **values))


def _moment(text: str | None, view: View) -> datetime | None:
    """The time typed, in the organisation's time zone without one; None when it is not one."""
    try:
        when = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(ZoneInfo(view.store.settings.timezone)).replace(tzinfo=None)
    return when


def _shown(text: str, view: View) -> str:
    """A typed time as the viewer reads dates, with its time of day; other text as it is."""
    when = _moment(text, view)
    return f"{fmt.date(when, view.lang)} {when:%H:%M}" if when else text


def read_form(view: View, form: dict[str, str]) -> Reading:
    """The form's values read (`form`: field to text as posted), with what is wrong with them
    before any rule of the batch is applied, and the warnings they get."""
    row: dict[str, Any] = {name: form[name] or None for name in LABELS}
    errors = []
    for name in LABELS:
        if "\n" in form[name] or "\r" in form[name] or CONTROL.search(form[name]):
            errors.append(_say(view, "log.problem.control_character", name))
            row[name] = None
    for name in NUMBERS:
        if row[name] is None or not row[name].strip():
            row[name] = None
            continue
        try:
            row[name] = repr(read_number(row[name], view.lang))
        except NumberUnread as exc:
            row[name] = None
            first, second = (fmt.plain(r, view.lang) for r in exc.readings or (0, 0))
            errors.append(
                _say(
                    view,
                    f"log.problem.{exc.reason}",
                    name,
                    value=form[name].strip(),
                    first=first,
                    second=second,
                    example=fmt.plain(12.5, view.lang),
                )
            )
    digest = hashlib.sha256(json.dumps(row, sort_keys=True).encode()).hexdigest()[:16]
    wrong = {e.field for e in errors}
    warnings = tuple(w for w in _warnings(view, row) if w.field not in wrong)
    return Reading(row, tuple(errors), warnings, digest)


def _warnings(view: View, row: dict[str, Any]) -> list[Note]:
    """What looks unlikely: a time in the future, an outcome of another type, an unseen deal."""
    out = []
    when = _moment(row["occurred_at"], view)
    now = datetime.now(ZoneInfo(view.store.settings.timezone)).replace(tzinfo=None)
    if when is not None and when > now:
        out.append(
            _say(view, "log.warn.future", "occurred_at", value=_shown(row["occurred_at"], view))
        )
    kind, outcome = row["type"], row["outcome"]
    fitting = OUTCOMES_OF_TYPE.get(kind or "", ())
    if fitting and outcome in ActivityOutcome.words() and outcome not in fitting:
        out.append(
            _say(
                view,
                "log.warn.outcome",
                "outcome",
                outcome=word(outcome, view.lang),
                type=word(kind, view.lang),
                fitting=", ".join(word(o, view.lang) for o in fitting),
            )
        )
    if row["deal_id"]:
        deal = unicodedata.normalize("NFC", row["deal_id"].strip())
        deals = scoped_table(view.store, view.scope, "deals")
        if not deals.filter(deals.deal_id == deal).count().execute():
            out.append(_say(view, "log.warn.deal", "deal_id", value=deal))
    return out


def batch_errors(view: View, form: dict[str, str], exc: BadRequest) -> list[Note]:
    """The rules of the batch that the row breaks, each said about its field."""
    problems = exc.details.get("problems") or []
    if not problems:
        return [Note("", str(exc))]
    first, last = (fmt.date(d, view.lang) for d in view.store.settings.date_range())
    out = []
    for p in problems:
        name, rule = p.get("column"), p.get("rule")
        if name not in LABELS:
            said = p.get("message_nl") if view.lang == "nl" else None
            out.append(Note("", said or p["message"]))
            continue
        key = f"log.problem.{rule}" if f"log.problem.{rule}" in MESSAGES else "log.problem.other"
        message = (p.get("message_nl") if view.lang == "nl" else None) or p["message"]
        value = form[name].strip()
        out.append(
            _say(
                view,
                key,
                name,
                message=message,
                first=first,
                last=last,
                value=_shown(value, view) if name == "occurred_at" else value,
                chars=TABLES["activities"].column(name).max_chars,
                example=fmt.plain(12.5, view.lang),
            )
        )
    return out


def new_id() -> str:
    """A new activity's id."""
    return "web-" + secrets.token_hex(8)


def checked(view: View, form: dict[str, str], reading: Reading) -> Reading:
    """The reading with the rules of the batch applied to its row, without saving it."""
    try:
        write_rows(view, "activities", [{"activity_id": new_id(), **reading.row}], check_only=True)
    except BadRequest as exc:
        return reading.with_errors(batch_errors(view, form, exc))
    return reading


def save(view: View, form: dict[str, str], reading: Reading) -> tuple[str | None, Reading]:
    """Save the row; its id, or None and the reading with the rules it breaks."""
    activity_id = new_id()
    try:
        write_rows(view, "activities", [{"activity_id": activity_id, **reading.row}])
    except BadRequest as exc:
        return None, reading.with_errors(batch_errors(view, form, exc))
    return activity_id, reading
