"""A Salesforce org on pytest-httpserver, for tests/test_sync_salesforce.py.

It answers as the REST API documents: the OAuth token endpoint, the Opportunity describe, and
the `query` / `queryAll` resources with their page shape ({"totalSize", "done",
"nextRecordsUrl", "records": [{"attributes": {...}, ...}]}). The records are those of the JSON
files in tests/fixtures/sync/salesforce/; a query is answered as Salesforce would: `query` leaves
out deleted records, `IsDeleted = false` and `SystemModstamp >= <time>` (or `>`) filter, and the records
come ordered by SystemModstamp and Id, two per page. Every answer carries `Sforce-Limit-Info`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FIXTURES = Path(__file__).parent / "fixtures" / "sync" / "salesforce"
DATA = "/services/data/v61.0"
PAGE = 2


def load(name: str) -> Any:
    """A fixture file's JSON."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def records(*names: str) -> list[dict[str, Any]]:
    """The records of fixture answers, in order."""
    return [r for n in names for r in load(n)["records"]]


def when(text: str) -> datetime:
    """A Salesforce time or a SOQL time literal, as UTC."""
    text = text.replace("Z", "+0000")
    fmt = "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text else "%Y-%m-%dT%H:%M:%S%z"
    return datetime.strptime(text, fmt).astimezone(UTC)


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer."""
    return Response(json.dumps(body), status, headers, content_type="application/json")


class Org:
    """The org's records per object, the queries it was sent, and the answers to give first
    (a 429, a 500, a refusal) to the n-th page of an object's query."""

    def __init__(self, server: HTTPServer) -> None:
        self.data: dict[str, list[dict[str, Any]]] = {
            "Account": records("accounts.json"),
            "Opportunity": records(
                "opportunities_1.json", "opportunities_2.json", "opportunities_3.json"
            ),
            "OpportunityHistory": records("opportunity_history.json"),
            "Task": records("tasks.json"),
            "Event": records("events.json"),
        }
        #: The answers to the queries of objects read whole (users, stages, the organization).
        self.whole: dict[str, Any] = {
            "User": load("users.json"), "OpportunityStage": load("stages.json"),
            "Organization": load("organization.json"),
        }  # fmt: skip
        self.describe = load("describe_opportunity.json")
        self.queries: list[str] = []
        self.requests: list[str] = []
        self.tokens: list[dict[str, str]] = []
        self.first: dict[tuple[str, int], list[Response]] = {}
        self.limit = "api-usage=25/15000"
        self._results: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        server.expect_request("/services/oauth2/token", method="POST").respond_with_handler(
            self._token
        )
        server.expect_request(f"{DATA}/sobjects/Opportunity/describe").respond_with_handler(
            lambda _r: self._json(self.describe)
        )
        server.expect_request(
            re.compile(rf"{re.escape(DATA)}/query(All)?(/.*)?$")
        ).respond_with_handler(self._query)

    def change(self, obj: str, record: dict[str, Any]) -> None:
        """A record changed (or deleted, with IsDeleted) in the org."""
        self.data[obj] = [r for r in self.data[obj] if r["Id"] != record["Id"]] + [record]

    def purge(self, obj: str, ident: str) -> None:
        """A record gone for good (emptied from the recycle bin)."""
        self.data[obj] = [r for r in self.data[obj] if r["Id"] != ident]

    def soql(self, obj: str) -> list[str]:
        """The queries sent for an object."""
        return [q for q in self.queries if re.search(rf"FROM {obj}\b", q)]

    def _json(self, body: Any, status: int = 200) -> Response:
        return answer(body, status, {"Sforce-Limit-Info": self.limit})

    def _token(self, request: Request) -> Response:
        self.tokens.append(dict(request.form))
        return self._json(load("token.json"))

    def _query(self, request: Request) -> Response:
        self.requests.append(request.path)
        locator = re.search(r"/query(?:All)?/(\w+)-(\d+)$", request.path)
        if locator:
            obj, found = self._results[locator[1]]
            return self._page(obj, locator[1], found, int(locator[2]))
        q = request.args["q"]
        self.queries.append(q)
        obj = re.search(r"FROM (\w+)", q)[1]  # type: ignore[index]
        if obj in self.whole:
            return self._json(self.whole[obj])
        found = self.data[obj]
        if request.path.endswith("/query") or "IsDeleted = false" in q:
            found = [r for r in found if not r["IsDeleted"]]
        if since := re.search(r"SystemModstamp (>=?) (\S+)", q):
            at, equal = when(since[2]), since[1] == ">="
            found = [r for r in found if when(r["SystemModstamp"]) > at
                     or (equal and when(r["SystemModstamp"]) == at)]  # fmt: skip
        found = sorted(found, key=lambda r: (when(r["SystemModstamp"]), r["Id"]))
        name = f"01gQry{len(self.queries)}"
        self._results[name] = (obj, found)
        return self._page(obj, name, found, 0)

    def _page(self, obj: str, name: str, found: list[dict[str, Any]], at: int) -> Response:
        waiting = self.first.get((obj, at // PAGE + 1))
        if waiting:
            return waiting.pop(0)
        body: dict[str, Any] = {"totalSize": len(found), "done": at + PAGE >= len(found),
                                "records": found[at : at + PAGE]}  # fmt: skip
        if not body["done"]:
            body["nextRecordsUrl"] = f"{DATA}/queryAll/{name}-{at + PAGE}"
        return self._json(body)
