"""A CRM held in memory, for the server's sync tests: its connector reads activity records
shaped like Pipedrive's activities export (so that the export's preset imports them), changed
after the cursor, two per page, and remembers the credentials it was given."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI

from salesperf.server.services import Services
from salesperf.sync import vendors
from salesperf.sync.http import Retries
from salesperf.sync.model import Cursor, Owner, Page, SyncObject
from salesperf.sync.owners import owner_alias
from salesperf.sync.vendors import Credential, Vendor

#: A token no response body may ever hold.
TOKEN = "pd-secret-token-0123456789-WXYZ"
OBJECT = SyncObject("activities", "activities", "pipedrive-activities")


@dataclass
class Record:
    """An activity in the CRM: its id, when it last changed, its owner and its day."""

    id: str
    modified: str
    owner: str = "u7"
    day: str = "2026-09-15"
    type: str = "Call"


@dataclass
class FakeCrm:
    """What the CRM holds, the credentials its connector was last given, and a gate that holds
    its pages until opened (for a sync that must still be running)."""

    name: str
    records: list[Record] = field(default_factory=list)
    given: dict[str, str] = field(default_factory=dict)
    gate: threading.Event | None = None
    reading: threading.Event = field(default_factory=threading.Event)


class FakeConnector:
    """The connector of a `FakeCrm`."""

    def __init__(self, crm: FakeCrm) -> None:
        self.crm = crm
        self.name = crm.name

    def objects(self) -> list[SyncObject]:
        return [OBJECT]

    def owners(self) -> list[Owner]:
        return [Owner("u7", name="R002")]  # matched by the rep's id, as an import matches

    def prepare(self) -> None:
        return None

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        self.crm.reading.set()
        if self.crm.gate is not None:
            assert self.crm.gate.wait(30)
        after = (since.modified, since.id) if since else ("", "")
        found = sorted(
            (r for r in self.crm.records if (r.modified, r.id) > after),
            key=lambda r: (r.modified, r.id),
        )
        for i in range(0, len(found), 2):
            chunk = found[i : i + 2]
            rows = [
                {
                    "Activity - ID": r.id,
                    "Activity - Assigned to user": owner_alias(self.name, r.owner),
                    "Activity - Type": r.type,
                    "Activity - Due date": r.day,
                    "Activity - Done": "Done",
                }
                for r in chunk
            ]
            yield Page(rows, Cursor(chunk[-1].modified, chunk[-1].id))


def fake_vendor(crm: FakeCrm) -> Vendor:
    """A vendor whose connector reads `crm`: a secret token and a plain domain."""
    upper = crm.name.upper()

    def connect(creds: Mapping[str, str], base_url: str | None, retries: Retries) -> FakeConnector:
        crm.given = dict(creds)
        return FakeConnector(crm)

    return Vendor(
        crm.name,
        crm.name.title(),
        (
            Credential("token", f"TEST_{upper}_TOKEN", True, True, "API token", "API-token"),
            Credential(
                "domain", f"TEST_{upper}_DOMAIN", False, False, "company domain", "bedrijfsdomein"
            ),
        ),
        connect,
        ("activities:read",),
    )


def install(monkeypatch: pytest.MonkeyPatch, *crms: FakeCrm) -> None:
    """Make `salesperf.sync.vendors.vendor` answer with the fakes (any other CRM: none)."""
    found = {c.name: fake_vendor(c) for c in crms}

    def vendor(name: str) -> Vendor:
        if name not in found:
            raise ModuleNotFoundError(name=f"salesperf.sync.{name}")
        return found[name]

    monkeypatch.setattr(vendors, "vendor", vendor)


def services(app: FastAPI) -> Services:
    """The app's services."""
    svc: Services = app.state.services
    return svc


def activities(app: FastAPI, prefix: str = "SYNC-") -> dict[str, str]:
    """The app's store's activities whose id starts with `prefix`, with their rep."""
    svc = services(app)
    store = svc.stores.take()
    try:
        t = store.table("activities")
        found = t.filter(t.activity_id.startswith(prefix)).select("activity_id", "rep_id")
        rows = found.to_pyarrow().to_pylist()
    finally:
        svc.stores.give(store)
    return {r["activity_id"]: r["rep_id"] for r in rows}


def counts(app: FastAPI) -> dict[str, int]:
    """The app's store's row counts, table by table."""
    svc = services(app)
    store = svc.stores.take()
    try:
        return store.counts()
    finally:
        svc.stores.give(store)
