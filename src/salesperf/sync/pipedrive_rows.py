"""Pipedrive's API records as the rows of Pipedrive's own export files.

A deal read from `GET /api/v2/deals` becomes the row a deals export (Deals > list view > Export)
holds for it, under the export's labels ("Deal - Owner", "Deal - Status", "Deal - Currency of
Value", ...), and an activity from `GET /api/v2/activities` the row of an activities export; so
the sync is imported by the very presets an export file is (`pipedrive-deals`,
`pipedrive-activities`), and the same records give the same numbers either way.

Two values differ from an export's, on purpose: the owner is the alias `pipedrive:<user id>`
(linked to a rep from the users API) rather than the user's name, and times keep the API's
explicit UTC offset (an export writes them in the user's time zone without one), which the
import reads as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from salesperf.sync.model import Row
from salesperf.sync.owners import owner_alias

CRM = "pipedrive"

#: A deal's status as the API writes it, and as the export does.
STATUS = {"open": "Open", "won": "Won", "lost": "Lost", "deleted": "Deleted"}


def text(value: Any) -> str | None:
    """A JSON value as an export file's cell: numbers without a needless ".0"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_deleted(record: Mapping[str, Any]) -> bool:
    """Whether Pipedrive marks the record as deleted (kept for 30 days, then gone)."""
    return bool(record.get("is_deleted")) or record.get("status") == "deleted"


def deal_row(deal: Mapping[str, Any], stages: Mapping[str, str]) -> Row:
    """A deal as a deals export's row. The status is the deal's own (Pipedrive keeps it apart
    from the stage); the stage is the current name of the deal's stage."""
    owner = deal.get("owner_id", deal.get("user_id"))
    stage = text(deal.get("stage_id"))
    return {
        "Deal - ID": text(deal.get("id")),
        "Deal - Title": text(deal.get("title")),
        "Deal - Owner": owner_alias(CRM, text(owner) or "") if owner is not None else None,
        "Deal - Value": text(deal.get("value")),
        "Deal - Currency of Value": text(deal.get("currency")),
        "Deal - Status": STATUS.get(str(deal.get("status")), text(deal.get("status"))),
        "Deal - Deal created": text(deal.get("add_time")),
        "Deal - Won time": text(deal.get("won_time")),
        "Deal - Lost time": text(deal.get("lost_time")),
        "Deal - Deal closed on": text(deal.get("close_time")),
        "Deal - Stage": stages.get(stage, stage) if stage else None,
        "Deal - Lost reason": text(deal.get("lost_reason")),
        # not in an export (it has the organization's name): the account a sync reads
        "account_id": text(deal.get("org_id")),
    }


def clock(value: Any) -> str | None:
    """A duration as the export writes it, HH:MM (the API gives HH:MM or HH:MM:SS)."""
    given = text(value)
    if given is None:
        return None
    parts = given.split(":")
    return ":".join(parts[:2]) if len(parts) >= 2 else given


def due(activity: Mapping[str, Any]) -> str | None:
    """When the activity is due: the API's due date and time are in UTC, so a timed one is an
    explicit UTC time (which the import puts on the organisation's day, as the export's local
    date is); one without a time of day is that calendar day."""
    day = text(activity.get("due_date"))
    time = text(activity.get("due_time"))
    if day is None or time is None:
        return day
    hh_mm = ":".join([*time.split(":"), "00"][:2])
    return f"{day}T{hh_mm}:00Z"


def activity_row(activity: Mapping[str, Any], types: Mapping[str, str]) -> Row:
    """An activity as an activities export's row: the type by its name in Pipedrive (the
    export's "Call", "Meeting", ...), done as Done or To do, and the deal's id."""
    owner = activity.get("owner_id", activity.get("user_id"))
    kind = text(activity.get("type"))
    return {
        "Activity - ID": text(activity.get("id")),
        "Activity - Subject": text(activity.get("subject")),
        "Activity - Type": types.get(kind, kind.capitalize()) if kind else None,
        "Activity - Assigned to user": owner_alias(CRM, text(owner) or "")
        if owner is not None
        else None,
        "Activity - Done": "Done" if activity.get("done") else "To do",
        "Activity - Due date": due(activity),
        "Activity - Duration": clock(activity.get("duration")),
        "Deal - ID": text(activity.get("deal_id")),
        "account_id": text(activity.get("org_id")),
    }


def organization_row(org: Mapping[str, Any]) -> Row:
    """An organization as an account (the `pipedrive-api-organizations` preset)."""
    return {"id": text(org.get("id")), "name": text(org.get("name")),
            "add_time": text(org.get("add_time"))}  # fmt: skip


def utc(v1_time: Any) -> str | None:
    """An API v1 time ("YYYY-MM-DD HH:MM:SS", UTC without saying so) with its offset."""
    given = text(v1_time)
    if given is None or given.endswith("Z") or "+" in given[10:]:
        return given
    return given.replace(" ", "T") + "Z"


def stage_rows(
    deal: Mapping[str, Any], changes: Sequence[Mapping[str, Any]], stages: Mapping[str, str]
) -> list[Row]:
    """The stages a deal entered and when, from its flow's stage changes (`dealChange` with
    `field_key` stage_id, in any order): the first stage at the deal's creation (the first
    change's old stage, else the deal's stage), then each new stage at its change's time."""
    moves = sorted(
        (str(c.get("log_time") or ""), text(c.get("old_value")), text(c.get("new_value")))
        for c in changes
        if c.get("field_key") == "stage_id"
    )
    first = moves[0][1] if moves else text(deal.get("stage_id"))
    entered: list[tuple[str | None, str | None]] = [(first, text(deal.get("add_time")))]
    entered += [(new, utc(at)) for at, _old, new in moves]
    deal_id = text(deal.get("id"))
    return [
        {"deal_id": deal_id, "stage": stages.get(stage, stage), "entered_at": at}
        for stage, at in dict.fromkeys(entered)
        if stage and at
    ]
