"""HubSpot's export files written from the same JSON fixtures the stand-in API answers with, as
HubSpot's own exports hold them (its column labels, its labels for values, owners by name), built
here without the connector's code: the scorecard of a sync is checked against theirs."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from hubspot_fake import load

#: HubSpot's export labels for the internal values the API gives (as its export files show them).
EXPORT_LABELS = {
    "dealtype": {"newbusiness": "New Business", "existingbusiness": "Existing Business"},
    "hs_meeting_outcome": {"COMPLETED": "Completed", "NO_SHOW": "No show",
                           "SCHEDULED": "Scheduled"},
    "hs_task_type": {"CALL": "Call", "EMAIL": "Email", "TODO": "To-do"},
    "hs_task_status": {"COMPLETED": "Completed", "NOT_STARTED": "Not started",
                       "IN_PROGRESS": "In progress"},
}  # fmt: skip


def shown(iso: str | None) -> str:
    """A time as HubSpot's export writes it (the account's zone, UTC here): 2024-03-28 17:05."""
    return "" if not iso else datetime.fromisoformat(iso.replace("Z", "+00:00")).strftime(
        "%Y-%m-%d %H:%M")  # fmt: skip


def owner_names() -> dict[str, str]:
    found = {}
    for name, suffix in (("owners-1.json", ""), ("owners-2.json", ""),
                         ("owners-archived.json", " (Deactivated User)")):  # fmt: skip
        for o in load(name)["results"]:
            found[o["id"]] = f"{o['firstName']} {o['lastName']}{suffix}"
    return found


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def export_files(folder: Path) -> dict[str, Path]:
    """The fixtures' records as HubSpot's export files: deals (chosen columns, with the closed
    flags HubSpot exports) and the calls, meetings, e-mails and tasks index pages' exports."""
    owners = owner_names()
    pipelines = {p["id"]: p for p in load("pipelines.json")["results"]}
    stage = {s["id"]: (p["label"], s) for p in pipelines.values() for s in p["stages"]}
    files = {}
    rows = []
    for r in load("deals-search.json")["results"]:
        p = r["properties"]
        pipeline, s = stage[p["dealstage"]]
        closed = s["metadata"]["isClosed"] == "true"
        rows.append({
            "Record ID": r["id"], "Deal Name": p["dealname"], "Deal Stage": s["label"],
            "Pipeline": pipeline, "Amount": p["amount"], "Currency": p["deal_currency_code"],
            "Close Date": shown(p["closedate"]), "Create Date": shown(p["createdate"]),
            "Deal owner": owners[p["hubspot_owner_id"]],
            "Deal Type": EXPORT_LABELS["dealtype"][p["dealtype"]],
            "Deal probability": s["metadata"]["probability"],
            "Is Closed Won": str(closed and float(s["metadata"]["probability"]) == 1.0).lower(),
            "Is Deal Closed?": str(closed).lower(),
            "Closed Lost Reason": p["closed_lost_reason"] or "",
        })  # fmt: skip
    files["hubspot-deals"] = write_csv(folder / "deals.csv", rows)
    companies = [
        {"Record ID": r["id"], "Company name": r["properties"]["name"],
         "Company Domain Name": r["properties"]["domain"],
         "Create Date": shown(r["properties"]["createdate"])}
        for r in load("companies-search.json")["results"]
    ]  # fmt: skip
    files["hubspot-companies"] = write_csv(folder / "companies.csv", companies)
    outcome = {d["id"]: d["label"] for d in load("dispositions.json")}
    for kind in ("calls", "meetings", "emails", "tasks"):
        rows = []
        for r in load(f"{kind}-search.json")["results"]:
            p = r["properties"]
            row = {"Record ID": r["id"], "Activity date": shown(p["hs_timestamp"]),
                   "Activity assigned to": owners[p["hubspot_owner_id"]]}  # fmt: skip
            if kind == "calls":
                row["Call outcome"] = outcome[p["hs_call_disposition"]]
                row["Call duration"] = p["hs_call_duration"]
            if kind == "meetings":
                row["Meeting outcome"] = EXPORT_LABELS["hs_meeting_outcome"][
                    p["hs_meeting_outcome"]
                ]
            if kind == "tasks":
                row["Task type"] = EXPORT_LABELS["hs_task_type"][p["hs_task_type"]]
                row["Task status"] = EXPORT_LABELS["hs_task_status"][p["hs_task_status"]]
            rows.append(row)
        files[f"hubspot-{kind}"] = write_csv(folder / f"{kind}.csv", rows)
    return files
