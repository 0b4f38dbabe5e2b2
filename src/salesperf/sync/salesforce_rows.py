"""Salesforce records as the rows a Data Loader export of them holds, so that the export's own
presets (`salesforce-api-opportunities`, `-tasks`, `-events`) import a sync exactly as a file.

The REST API and Data Loader write the same fields differently: JSON booleans (`true`) are the
text `true`/`false`; dates (`2026-03-31`) stay as they are; times (`2026-01-05T10:00:00.000+0000`)
are written in UTC as Data Loader does (`2026-01-05T10:00:00.000Z`); numbers are written without
a needless `.0`. The owner is the alias `salesforce:<user id>` (`owner_alias`), which the import
resolves to the rep linked to that user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from salesperf.sync.model import Cursor, Row
from salesperf.sync.owners import owner_alias

CRM = "salesforce"

#: A time as the REST API writes it: `2026-01-05T10:00:00.000+0000`.
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")


@dataclass(frozen=True)
class SObject:
    """A Salesforce object read by a sync: its API name, the canonical table and preset, the
    fields the preset reads, and whether its deletions remove rows (the table's key is the
    record's Id)."""

    name: str
    table: str
    preset: str
    fields: tuple[str, ...]
    deletions: bool = True


OPPORTUNITY = (
    "Id", "OwnerId", "StageName", "Amount", "CreatedDate", "CloseDate", "AccountId", "Type",
    "LeadSource", "IsWon", "IsClosed",
)  # fmt: skip

#: What a sync reads, in order (accounts and deals before what refers to them).
OBJECTS = (
    SObject("Account", "accounts", "salesforce-api-accounts", ("Id", "Name", "CreatedDate")),
    SObject("Opportunity", "deals", "salesforce-api-opportunities", OPPORTUNITY),
    SObject(
        "OpportunityHistory",
        "deal_stages",
        "salesforce-api-opportunity-history",
        ("OpportunityId", "StageName", "CreatedDate"),
        deletions=False,
    ),
    SObject(
        "Task",
        "activities",
        "salesforce-api-tasks",
        (
            "Id",
            "OwnerId",
            "Type",
            "TaskSubtype",
            "ActivityDate",
            "CompletedDateTime",
            "CreatedDate",
            "Status",
            "CallDurationInSeconds",
            "AccountId",
        ),
    ),
    SObject(
        "Event",
        "activities",
        "salesforce-api-events",
        (
            "Id",
            "OwnerId",
            "ActivityDateTime",
            "StartDateTime",
            "ActivityDate",
            "DurationInMinutes",
            "AccountId",
        ),
    ),
)


def utc(text: str) -> datetime:
    """A Salesforce time (or a cursor's) as an aware UTC datetime."""
    t = text.strip()
    if re.search(r"[+-]\d{4}$", t):
        t = f"{t[:-2]}:{t[-2:]}"
    return datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(UTC)


def value(v: Any) -> str | None:
    """One field's value as Data Loader writes it."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    text = str(v)
    if _TIME.match(text):
        at = utc(text)
        return f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z"
    return text


@dataclass(frozen=True)
class Stage:
    """What an opportunity stage means (OpportunityStage), whatever it is called."""

    closed: bool
    won: bool


def stages(records: Sequence[Mapping[str, Any]]) -> dict[str, Stage]:
    """The stages' meaning by the value an opportunity's StageName holds: the stage's API name
    (the picklist value, which a renamed label leaves alone), else its label."""
    found: dict[str, Stage] = {}
    for r in records:
        meaning = Stage(bool(r.get("IsClosed")), bool(r.get("IsWon")))
        found.setdefault(str(r.get("MasterLabel")), meaning)
    for r in records:
        if r.get("ApiName"):
            found[str(r["ApiName"])] = Stage(bool(r.get("IsClosed")), bool(r.get("IsWon")))
    return found


def row(
    obj: SObject,
    record: Mapping[str, Any],
    meaning: Mapping[str, Stage],
    currency: str | None,
) -> Row:
    """A record as its Data Loader export row. For an opportunity, IsWon and IsClosed are the
    stage's meaning (the record's own when the stage is not listed), and CurrencyIsoCode is the
    org's currency (`currency`) when the org has a single currency."""
    out: dict[str, str | None] = {f: value(record.get(f)) for f in obj.fields}
    if out.get("OwnerId"):
        out["OwnerId"] = owner_alias(CRM, str(out["OwnerId"]))
    if obj.name == "Opportunity":
        stage = meaning.get(str(record.get("StageName")))
        if stage is not None:
            out["IsWon"], out["IsClosed"] = value(stage.won), value(stage.closed)
        out["CurrencyIsoCode"] = value(record.get("CurrencyIsoCode")) or currency
    return out


def cursor(record: Mapping[str, Any]) -> Cursor:
    """Where a record leaves the sync: its SystemModstamp (UTC, to the second) and Id."""
    at = utc(str(record["SystemModstamp"]))
    return Cursor(f"{at:%Y-%m-%dT%H:%M:%S}Z", str(record.get("Id") or ""))


def soql(obj: SObject, fields: tuple[str, ...], since: Cursor | None) -> str:
    """The query for the records changed at or after `since` (every live record when None),
    oldest change first. At or after, not after: records changed in the same second as the
    last committed one may have been on the next page, so they are read again (an upsert
    leaves them as they are) and none is lost."""
    names = ", ".join(dict.fromkeys((*fields, "SystemModstamp", "IsDeleted")))
    if since is None or not obj.deletions:
        where = "IsDeleted = false"
        if since is not None:
            where += f" AND SystemModstamp >= {literal(since)}"
    else:
        where = f"SystemModstamp >= {literal(since)}"
    return f"SELECT {names} FROM {obj.name} WHERE {where} ORDER BY SystemModstamp, Id"


def literal(since: Cursor) -> str:
    """A cursor's time as a SOQL dateTime literal (UTC, to the second)."""
    return f"{utc(since.modified):%Y-%m-%dT%H:%M:%S}Z"
