"""A stand-in for HubSpot's CRM v3 API on pytest-httpserver, answering from the JSON fixtures in
tests/fixtures/sync/hubspot/ (the documented response shapes): owners paged with `after`, the
deal pipelines, the call dispositions, the search API (filter GTE on hs_lastmodifieddate, sorted
ascending, `limit` and `after`, paging.next while more) and the archived lists. Faults (a 429, a
500, a refused token) are queued in front of the requests they answer."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "sync" / "hubspot"
KINDS = ("companies", "deals", "calls", "meetings", "emails", "tasks")
TOKEN = "pat-eu1-11111111-2222-3333-4444-555555555555"


def load(name: str) -> Any:
    """A fixture file, read afresh (each test changes its own copy)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def ms(iso: str) -> int:
    """An ISO time as HubSpot's search filters take it: milliseconds since 1970."""
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status, headers, content_type="application/json")


class Fault:
    """An answer given instead of the real one to the next `times` requests `when` matches."""

    def __init__(self, when: Callable[[Request], bool], status: int, body: Any,
                 headers: dict[str, str] | None = None, times: int = 1) -> None:  # fmt: skip
        self.when, self.status, self.body, self.headers, self.times = (
            when, status, body, headers, times)  # fmt: skip


class FakeHubSpot:
    """HubSpot's API as the fixtures describe it; tests change `records`, `archived`,
    `pipelines` between syncs and queue `faults`."""

    def __init__(self, server: HTTPServer) -> None:
        self.records: dict[str, list[dict[str, Any]]] = {
            k: load(f"{k}-search.json")["results"] for k in KINDS
        }
        self.archived: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
        self.pipelines = load("pipelines.json")
        self.history = {r["id"]: r for r in load("deals-history.json")["results"]}
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, str, Any]] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        self.url = server.url_for("")

    def records_of(self, kind: str) -> list[dict[str, Any]]:
        return copy.deepcopy(self.records[kind])

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.method == "POST" else None
        self.requests.append((request.method, request.path, body or dict(request.args)))
        for fault in self.faults:
            if fault.times > 0 and fault.when(request):
                fault.times -= 1
                return answer(fault.body, fault.status, fault.headers)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return answer(load("error-401.json"), 401)
        path = request.path
        if path == "/crm/v3/owners":
            if request.args.get("archived") == "true":
                return answer(load("owners-archived.json"))
            return answer(load("owners-2.json" if request.args.get("after") else "owners-1.json"))
        if path == "/crm/v3/pipelines/deals":
            return answer(self.pipelines)
        if path == "/calling/v1/dispositions":
            return answer(load("dispositions.json"))
        parts = path.strip("/").split("/")
        if path == "/crm/v3/objects/deals/batch/read":
            assert (body or {})["propertiesWithHistory"] == ["dealstage"]
            asked = [i["id"] for i in (body or {})["inputs"]]
            assert len(asked) <= 50
            return answer({"status": "COMPLETE",
                           "results": [self.history[i] for i in asked if i in self.history]})  # fmt: skip
        if parts[:3] == ["crm", "v3", "objects"] and parts[-1] == "search":
            return self.search(parts[3], body or {})
        if parts[:3] == ["crm", "v3", "objects"] and len(parts) == 4:
            return self.listed(parts[3], request)
        return answer({"status": "error", "message": f"no {path}"}, 404)

    def search(self, kind: str, body: dict[str, Any]) -> Response:
        found = sorted(
            self.records[kind],
            key=lambda r: (ms(r["properties"]["hs_lastmodifieddate"]), int(r["id"])),
        )
        for group in body.get("filterGroups") or []:
            for f in group["filters"]:
                assert (f["propertyName"], f["operator"]) == ("hs_lastmodifieddate", "GTE")
                found = [r for r in found
                         if ms(r["properties"]["hs_lastmodifieddate"]) >= int(f["value"])]  # fmt: skip
        assert body["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]
        after, limit = int(body.get("after") or 0), int(body["limit"])
        if after + limit > 10_000:
            return answer({"status": "error", "category": "VALIDATION_ERROR",
                           "message": "after + limit must be at most 10000"}, 400)  # fmt: skip
        page = found[after : after + limit]
        out: dict[str, Any] = {"total": len(found), "results": page}
        if after + limit < len(found):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return answer(out)

    def listed(self, kind: str, request: Request) -> Response:
        assert request.args.get("archived") == "true"
        after, limit = int(request.args.get("after") or 0), int(request.args["limit"])
        items = self.archived[kind]
        out: dict[str, Any] = {"results": items[after : after + limit]}
        if after + limit < len(items):
            out["paging"] = {"next": {"after": str(after + limit), "link": "..."}}
        return answer(out)
