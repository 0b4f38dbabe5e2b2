"""Pipedrive's API as its documentation describes it, holding the records of the JSON fixtures
(tests/fixtures/sync/pipedrive/, in the API's documented shapes), and the export files Pipedrive
writes for the same records, built here from the fixtures on their own (Pipedrive's labels,
the users' names, the stages' names, times in the company's time zone)."""

from __future__ import annotations

import copy
import csv
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "sync" / "pipedrive"
#: Records per page the fake answers with (fewer than asked for, as an API may).
PAGE = 3
#: Items per page of a deal's flow.
FLOW_PAGE = 2


def load(name: str) -> Any:
    """A fixture's JSON."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers, content_type="application/json")


class FakePipedrive:
    """A company's Pipedrive: v2 lists filtered on `updated_since` (at or after), sorted by
    `update_time` then id, cut into pages of PAGE with an opaque `next_cursor`; v1 lists whole.
    `fail[(name, page)]` is a queue of answers given instead of that page."""

    def __init__(self, server: HTTPServer) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {
            name: load(f"{name}.json")["data"]
            for name in ("deals", "activities", "stages", "organizations")
        }
        self.v1 = {"users": load("users.json"), "activityTypes": load("activity-types.json")}
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.urls: list[str] = []
        self.fail: dict[tuple[str, int], list[Response]] = {}
        server.expect_request("/api/v1/users").respond_with_handler(self.handle)
        server.expect_request("/api/v1/activityTypes").respond_with_handler(self.handle)
        for name in self.records:
            server.expect_request(f"/api/v2/{name}").respond_with_handler(self.handle)
        #: each deal's flow (v1, offset paging; one page here), by deal id
        self.flows: dict[str, Any] = load("flows.json")
        server.expect_request(re.compile(r"^/api/v1/deals/\d+/flow$")).respond_with_handler(
            self.flow
        )

    def change(self, kind: str, record_id: int, /, **changes: Any) -> None:
        """Change a record as a user would in Pipedrive (its update time is in `changes`)."""
        for r in self.records[kind]:
            if r["id"] == record_id:
                r.update(changes)

    def purge(self, name: str, record_id: int) -> None:
        """A record gone for good (deleted over 30 days ago)."""
        self.records[name] = [r for r in self.records[name] if r["id"] != record_id]

    def asked(self, name: str) -> list[dict[str, str]]:
        """The query parameters of each request for `name`."""
        return [args for path, args, _ in self.requests if path.endswith(f"/{name}")]

    def flow(self, request: Request) -> Response:
        """A deal's flow, FLOW_PAGE items a page (v1 offset paging: start, next_start)."""
        self.requests.append((request.path, dict(request.args), dict(request.headers)))
        body = copy.deepcopy(self.flows.get(request.path.split("/")[-2]))
        items = (body or {}).get("data") or []
        start = int(request.args.get("start", 0))
        more = start + FLOW_PAGE < len(items)
        paging: dict[str, Any] = {"start": start, "limit": FLOW_PAGE,
                                  "more_items_in_collection": more}  # fmt: skip
        if more:
            paging["next_start"] = start + FLOW_PAGE
        return answer({"success": True, "data": items[start : start + FLOW_PAGE] or None,
                       "additional_data": {"pagination": paging}})  # fmt: skip

    def handle(self, request: Request) -> Response:
        self.requests.append((request.path, dict(request.args), dict(request.headers)))
        self.urls.append(request.url)
        name = request.path.rsplit("/", 1)[-1]
        cursor = request.args.get("cursor")
        start = int(cursor) if cursor else 0
        queue = self.fail.get((name, start // PAGE + 1))
        if queue:
            return queue.pop(0)
        if request.path.startswith("/api/v1/"):
            return answer(self.v1[name])
        records = sorted(self.records[name], key=lambda r: (r["update_time"], r["id"]))
        if since := request.args.get("updated_since"):
            records = [r for r in records if r["update_time"] >= since]
        if name == "deals":  # without a status, Pipedrive leaves deleted deals out
            statuses = request.args.get("status", "open,won,lost").split(",")
            records = [r for r in records if r["status"] in statuses]
        end = start + PAGE
        nxt = str(end) if end < len(records) else None
        body = {"success": True, "data": copy.deepcopy(records[start:end]),
                "additional_data": {"next_cursor": nxt}}  # fmt: skip
        return answer(body)


# -- the export files Pipedrive writes for the same records -------------------------------------


def _local(ts: str | None, zone: str) -> str:
    """An API time (UTC) as an export writes it: in the company's zone, without an offset."""
    if not ts:
        return ""
    moment = datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _number(v: Any) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def export_deals(records: list[dict[str, Any]], path: Path, zone: str) -> Path:
    """A deals export (Deals > list view > Export): owners by name, the status as Open, Won,
    Lost or Deleted, the stage's name, times local."""
    users = {u["id"]: u["name"] for u in load("users.json")["data"]}
    stages = {s["id"]: s["name"] for s in load("stages.json")["data"]}
    header = ["Deal - ID", "Deal - Title", "Deal - Creator", "Deal - Owner", "Deal - Value",
              "Deal - Currency of Value", "Deal - Pipeline", "Deal - Stage", "Deal - Status",
              "Deal - Deal created", "Deal - Update time", "Deal - Won time", "Deal - Lost time",
              "Deal - Deal closed on", "Deal - Lost reason"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for d in records:
            w.writerow([
                d["id"], d["title"], users[d["creator_user_id"]], users[d["owner_id"]],
                _number(d["value"]), d["currency"], "Pipeline", stages[d["stage_id"]],
                d["status"].capitalize(), _local(d["add_time"], zone),
                _local(d["update_time"], zone), _local(d["won_time"], zone),
                _local(d["lost_time"], zone), _local(d["close_time"], zone),
                d["lost_reason"] or "",
            ])  # fmt: skip
    return path


def export_activities(records: list[dict[str, Any]], path: Path, zone: str) -> Path:
    """An activities export: the type's name, the user's name, Done or To do, the due date
    and time in the company's zone (the API's are UTC), the duration as HH:MM."""
    users = {u["id"]: u["name"] for u in load("users.json")["data"]}
    types = {t["key_string"]: t["name"] for t in load("activity-types.json")["data"]}
    header = ["Activity - ID", "Activity - Subject", "Activity - Type",
              "Activity - Assigned to user", "Activity - Done", "Activity - Due date",
              "Activity - Due time", "Activity - Duration", "Deal - ID"]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for a in records:
            if a["due_time"]:
                local = _local(f"{a['due_date']}T{a['due_time']}:00Z", zone)
                day, time = local[:10], local[11:16]
            else:
                day, time = a["due_date"], ""
            w.writerow([
                a["id"], a["subject"], types[a["type"]], users[a["owner_id"]],
                "Done" if a["done"] else "To do", day, time, a["duration"] or "",
                a["deal_id"] or "",
            ])  # fmt: skip
    return path
