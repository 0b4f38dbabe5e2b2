"""HubSpot's API records as the rows of HubSpot's own export files.

A synced deal, call, meeting, e-mail or task becomes the row its export (hubspot-deals,
hubspot-calls, -meetings, -emails, -tasks presets) would hold, with the export's column labels and
values: the stage's label, the closed flags HubSpot exports ("Is Closed Won", "Is Deal Closed?"),
the call outcome's label instead of its disposition id, the meeting outcome's and the task's
labels. The owner column holds the owner's alias (`hubspot:<owner id>`), which the import resolves
to a rep through `rep_aliases`. Times are kept as the API gives them (ISO 8601 in UTC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from salesperf.sync.model import Row
from salesperf.sync.owners import owner_alias

#: What is read of a deal (search API property names).
DEAL_PROPERTIES = (
    "dealstage", "amount", "deal_currency_code", "closedate", "createdate", "hubspot_owner_id",
    "dealtype", "pipeline", "closed_lost_reason", "hs_lastmodifieddate", "hs_merged_object_ids",
)  # fmt: skip

#: What is read of a company.
COMPANY_PROPERTIES = ("name", "createdate", "hs_lastmodifieddate", "hs_merged_object_ids")

#: What is read of each kind of engagement, besides the owner and the last modification.
ENGAGEMENT_PROPERTIES = {
    "calls": ("hs_timestamp", "hs_call_disposition", "hs_call_duration"),
    "meetings": ("hs_timestamp", "hs_meeting_start_time", "hs_meeting_outcome"),
    "emails": ("hs_timestamp",),
    "tasks": ("hs_timestamp", "hs_task_type", "hs_task_status"),
}

#: HubSpot's meeting outcomes (internal value: the label the export shows).
MEETING_OUTCOMES = {
    "SCHEDULED": "Scheduled", "RESCHEDULED": "Rescheduled", "COMPLETED": "Completed",
    "NO_SHOW": "No show", "CANCELED": "Canceled",
}  # fmt: skip

#: HubSpot's task types and statuses (internal value: the export's label).
TASK_TYPES = {"CALL": "Call", "EMAIL": "Email", "TODO": "To-do", "LINKED_IN": "LinkedIn"}
TASK_STATUSES = {
    "NOT_STARTED": "Not started", "IN_PROGRESS": "In progress", "WAITING": "Waiting",
    "COMPLETED": "Completed", "DEFERRED": "Deferred",
}  # fmt: skip


@dataclass(frozen=True)
class Stage:
    """A deal stage as the pipelines API describes it: its current label and its meaning."""

    id: str
    label: str
    closed: bool
    probability: float | None

    @property
    def won(self) -> bool:
        """HubSpot's own rule: a closed stage at probability 1.0 is won; at 0, lost."""
        return self.closed and self.probability is not None and self.probability >= 1


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def _probability(value: Any) -> float | None:
    try:
        return None if value is None or value == "" else float(value)
    except ValueError:
        return None


def stages(pipelines: Sequence[Mapping[str, Any]]) -> dict[str, Stage]:
    """Each stage of every deal pipeline by id (ids are unique across a portal's pipelines)."""
    found: dict[str, Stage] = {}
    for pipeline in pipelines:
        for s in pipeline.get("stages") or ():
            meta = s.get("metadata") or {}
            found[str(s["id"])] = Stage(
                id=str(s["id"]),
                label=str(s.get("label") or s["id"]),
                closed=_flag(meta.get("isClosed")),
                probability=_probability(meta.get("probability")),
            )
    return found


def _owner(props: Mapping[str, Any]) -> str | None:
    owner = props.get("hubspot_owner_id")
    return owner_alias("hubspot", str(owner)) if owner not in (None, "") else None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def deal_row(record: Mapping[str, Any], known: Mapping[str, Stage]) -> Row:
    """A deal as the deals export's row: the stage's current label, and the closed flags from
    the stage's meaning (a stage the pipelines no longer list keeps its id and no flags, so
    the import names it instead of guessing)."""
    props = record.get("properties") or {}
    stage_id = _text(props.get("dealstage"))
    stage = known.get(stage_id or "")
    return {
        "Record ID": str(record["id"]),
        "Deal owner": _owner(props),
        "Deal Stage": stage.label if stage else stage_id,
        "Is Deal Closed?": None if stage is None else str(stage.closed).lower(),
        "Is Closed Won": None if stage is None else str(stage.won).lower(),
        "Amount": _text(props.get("amount")),
        "Currency": _text(props.get("deal_currency_code")),
        "Create Date": _text(props.get("createdate")),
        "Close Date": _text(props.get("closedate")),
        "Deal Type": _text(props.get("dealtype")),
        "Closed Lost Reason": _text(props.get("closed_lost_reason")),
    }


def company_row(record: Mapping[str, Any]) -> Row:
    """A company as the companies export's row (an account)."""
    props = record.get("properties") or {}
    return {
        "Record ID": str(record["id"]),
        "Company name": _text(props.get("name")),
        "Create Date": _text(props.get("createdate")),
    }


def merged_away(record: Mapping[str, Any]) -> list[str]:
    """The ids of the records merged into this one (HubSpot keeps only the merged record)."""
    ids = _text((record.get("properties") or {}).get("hs_merged_object_ids")) or ""
    return [i.strip() for i in ids.split(";") if i.strip() and i.strip() != str(record["id"])]


def engagement_row(kind: str, record: Mapping[str, Any], dispositions: Mapping[str, str]) -> Row:
    """A call, meeting, e-mail or task as its export's row."""
    props = record.get("properties") or {}
    row: dict[str, str | None] = {
        "Record ID": str(record["id"]),
        "Activity assigned to": _owner(props),
        "Activity date": _text(props.get("hs_timestamp")),
    }
    if kind == "calls":
        outcome = _text(props.get("hs_call_disposition"))
        row["Call outcome"] = dispositions.get(outcome, outcome) if outcome else None
        row["Call duration"] = _text(props.get("hs_call_duration"))
    elif kind == "meetings":
        row["Activity date"] = row["Activity date"] or _text(props.get("hs_meeting_start_time"))
        outcome = _text(props.get("hs_meeting_outcome"))
        row["Meeting outcome"] = MEETING_OUTCOMES.get(outcome or "", outcome)
    elif kind == "tasks":
        kind_ = _text(props.get("hs_task_type"))
        row["Task type"] = TASK_TYPES.get(kind_ or "", kind_)
        status = _text(props.get("hs_task_status"))
        row["Task status"] = TASK_STATUSES.get(status or "", status)
    return row


def stage_rows(record: Mapping[str, Any]) -> list[Row]:
    """Each stage a deal entered (its `dealstage` history), by the stage's id: an id stays
    when the stage is renamed, so a stage's history never splits in two."""
    history = (record.get("propertiesWithHistory") or {}).get("dealstage") or ()
    return [
        {"Deal ID": str(record["id"]), "Stage ID": str(h["value"]), "Entered at": h["timestamp"]}
        for h in history
        if h.get("value") and h.get("timestamp")
    ]
