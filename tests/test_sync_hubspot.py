"""`salesperf sync hubspot` against a stand-in for HubSpot's CRM v3 API (tests/hubspot_fake.py,
answering from the documented response shapes in tests/fixtures/sync/hubspot/): paging, limits,
refusals, deletions, renamed stages, deactivated owners, a sync stopped and resumed, --full and
--dry-run; and the scorecard after a sync equals the scorecard after importing the same records
as HubSpot's export files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from hubspot_fake import FIXTURES, TOKEN, FakeHubSpot, Fault, load
from salesperf.cli import app
from salesperf.ingest.importer import import_file
from salesperf.scorecard import scorecard
from salesperf.store import Store
from salesperf.sync.http import Retries, SyncFailed
from salesperf.sync.hubspot import VENDOR, HubSpot
from salesperf.sync.model import Cursor, SyncRefused
from salesperf.sync.run import sync

QUICK = Retries(attempts=4, backoff=0.01, max_wait=2)


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Store]:
    """A store with the four reps the HubSpot owners are (by e-mail)."""
    store = Store.open(tmp_path / "s.duckdb")
    for table in ("teams", "reps"):
        assert import_file(store, table, FIXTURES / f"{table}.csv").rejected == 0
    yield store
    store.close()


@pytest.fixture
def hub(httpserver: HTTPServer) -> FakeHubSpot:
    return FakeHubSpot(httpserver)


def connector(hub: FakeHubSpot, token: str = TOKEN) -> HubSpot:
    """Small pages, so that eight deals take three searches and owners two pages."""
    return HubSpot(token, hub.url, QUICK, search_limit=3, list_limit=2)


def deals(store: Store) -> dict[str, dict[str, Any]]:
    d = store.table("deals").execute()
    return {str(r["deal_id"]): r for r in d.to_dict("records")}


def searches(hub: FakeHubSpot, kind: str) -> list[dict[str, Any]]:
    return [b for m, p, b in hub.requests if p == f"/crm/v3/objects/{kind}/search"]


# -- reading ------------------------------------------------------------------------------------


def test_deals_paged_with_their_stages_meaning_owners_and_currencies(
    crm: Store, hub: FakeHubSpot, tmp_path: Path
) -> None:
    report = sync(crm, connector(hub), rejects_dir=tmp_path)
    assert report.owners_linked == 4 and report.owners_unmatched == ()
    done = report.by_object()["deals"]
    assert (done.rows_in, done.inserted, done.rejected, done.pages) == (8, 8, 0, 3)
    assert done.cursor == Cursor("2024-04-05T14:00:00.000Z", "2008")
    # three searches, each from the last modification time read on
    bodies = searches(hub, "deals")
    assert [b["after"] for b in bodies] == ["0", "1", "1"]  # 2003, then 2006 read at that time
    assert [b["filterGroups"][0]["filters"][0]["value"] if b["filterGroups"] else None
            for b in bodies] == [None, "1712048400000", "1712145600000"]  # fmt: skip
    d = deals(crm)
    assert {k: (v["status"], v["stage"]) for k, v in d.items()} == {
        "2001": ("won", "Closed Won"), "2002": ("lost", "Closed Lost"),
        "2003": ("won", "Signed"), "2004": ("open", "Qualified To Buy"),
        "2005": ("won", "Closed Won"), "2006": ("lost", "Gone quiet"),
        "2007": ("won", "Closed Won"), "2008": ("open", "Contract Sent"),
    }  # fmt: skip
    assert {k: (v["amount"], v["currency"]) for k, v in d.items() if k in ("2002", "2003")} == {
        "2002": (4500.5, "EUR"), "2003": (9000.0, "USD"),
    }  # fmt: skip
    # the deactivated owner's deal stays with his rep
    assert d["2005"]["rep_id"] == "R4" and d["2003"]["rep_id"] == "R1"
    assert d["2002"]["lost_reason"] == "Competitor" and d["2002"]["kind"] == "existing_business"
    aliases = crm.table("rep_aliases").execute().set_index("alias")["rep_id"].to_dict()
    assert aliases == {"hubspot:101": "R1", "hubspot:102": "R2", "hubspot:103": "R3",
                       "hubspot:104": "R4"}  # fmt: skip
    acts = crm.table("activities").execute().set_index("activity_id")
    assert len(acts) == 12
    assert acts.loc["48210001", ["type", "outcome", "rep_id"]].tolist() == ["call", "connected", "R1"]
    assert acts.loc["48210001", "duration_min"] == pytest.approx(3.05)
    assert acts.loc["48210004", "rep_id"] == "R4"
    assert acts.loc["48210003", "outcome"] == "voicemail"
    assert acts.loc["51000002", ["type", "outcome"]].tolist() == ["meeting", "no_show"]
    assert acts.loc["53000001", ["type", "outcome"]].tolist() == ["call", "completed"]
    assert acts.loc["53000003", ["type", "outcome"]].tolist() == ["follow_up", "scheduled"]
