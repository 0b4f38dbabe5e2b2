"""CRM sync on the server: connections stored encrypted, the settings page (administrators
only), "sync now" in the background, one sync per CRM at a time, and the schedule's decision."""

from __future__ import annotations

import html
import re
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salesperf.server.syncing import scheduled
from salesperf.store import Store
from salesperf.store.system_tables import SYNC_CONNECTIONS
from salesperf.sync.schedule import SyncSchedule, due
from salesperf.sync.secrets import (
    Connection,
    SecretRefused,
    connections,
    delete_connection,
    load_connection,
    save_connection,
)
from synctools import TOKEN, FakeCrm, Record, activities, install, services
from webtools import ADMIN, MANAGER, REP, app_for, build_web_store, client_for

KEY = Fernet.generate_key().decode()
PAGE = "/settings/sync"


@pytest.fixture
def crm(monkeypatch: pytest.MonkeyPatch) -> FakeCrm:
    fake = FakeCrm(
        "pipedrive",
        [
            Record("SYNC-1", "2026-09-20T10:00:00Z"),
            Record("SYNC-2", "2026-09-21T10:00:00Z"),
            Record("SYNC-3", "2026-09-22T10:00:00Z", owner="nobody"),  # no such rep: rejected
        ],
    )
    install(monkeypatch, fake)
    return fake


@pytest.fixture
def app(tmp_path: Path, crm: FakeCrm) -> FastAPI:
    return app_for(build_web_store(tmp_path / "store.duckdb"), sync_key=KEY)


def _connect(client: TestClient, csrf: str | None, **fields: str) -> object:
    data = {"csrf_token": csrf or "", "token": TOKEN, "domain": "acme", **fields}
    return client.post(f"{PAGE}/pipedrive/connect", data=data, follow_redirects=False)


# -- the credentials, encrypted ---------------------------------------------------------------


def test_a_connection_is_stored_encrypted_and_read_back(empty_store: Store) -> None:
    save_connection(empty_store, "hubspot", {"token": TOKEN}, KEY, secret_keys=["token"],
                    every_minutes=30, by="admin")  # fmt: skip
    stored = empty_store.select_rows(SYNC_CONNECTIONS, ["secret", "shown"])
    assert TOKEN not in str(stored)
    assert stored[0][1] == "…WXYZ"
    found = load_connection(empty_store, "hubspot", KEY)
    assert isinstance(found, Connection)
    assert dict(found.values) == {"token": TOKEN}
    assert found.info.every_minutes == 30
    assert TOKEN not in repr(found)
    assert connections(empty_store)["hubspot"].shown == "…WXYZ"
    assert delete_connection(empty_store, "hubspot") is True
    assert load_connection(empty_store, "hubspot", KEY) is None


def test_without_a_key_nothing_is_stored_and_the_message_says_how_to_make_one(
    empty_store: Store,
) -> None:
    with pytest.raises(SecretRefused) as no_key:
        save_connection(empty_store, "hubspot", {"token": TOKEN}, None, secret_keys=["token"])
    assert "SALESPERF_SECRET_KEY" in str(no_key.value)
    assert "Fernet.generate_key().decode()" in str(no_key.value)
    with pytest.raises(SecretRefused, match="not a Fernet key"):
        save_connection(empty_store, "hubspot", {"token": TOKEN}, "short", secret_keys=["token"])
    assert connections(empty_store) == {}


def test_a_rotated_key_is_refused_clearly(empty_store: Store) -> None:
    save_connection(empty_store, "pipedrive", {"token": TOKEN}, KEY, secret_keys=["token"])
    with pytest.raises(SecretRefused) as wrong:
        load_connection(empty_store, "pipedrive", Fernet.generate_key().decode())
    assert "stored under another SALESPERF_SECRET_KEY" in str(wrong.value)
    assert TOKEN not in str(wrong.value)
    assert wrong.value.text is not None and "opnieuw" in wrong.value.text.nl


# -- the schedule's decision --------------------------------------------------------------------


def test_which_crm_is_due() -> None:
    at = datetime(2026, 10, 1, 12, 0)
    plans = {"hubspot": 30, "pipedrive": None, "salesforce": 60}
    last = {"hubspot": at - timedelta(minutes=29), "salesforce": at - timedelta(minutes=60)}
    assert due(at, plans, last, SyncSchedule()) == ["salesforce"]
    assert due(at + timedelta(minutes=1), plans, last, SyncSchedule()) == ["hubspot", "salesforce"]
    # `on`: the connection without a schedule of its own is synced hourly; it never ran: due
    assert due(at, plans, last, SyncSchedule.parse("on")) == ["pipedrive", "salesforce"]
    assert due(at, plans, last, SyncSchedule.parse("off")) == []
    assert SyncSchedule.parse("15") == SyncSchedule(True, 15)


@pytest.mark.parametrize("text", ["sometimes", "2", "99999999"])
def test_a_bad_schedule_in_the_environment_says_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match="on \\(every hour\\), off, or a number of minutes"):
        SyncSchedule.parse(text)


# -- the settings page ------------------------------------------------------------------------


def _row(html: str, obj: str) -> dict[str, str]:
    m = re.search(rf'<tr data-object="{obj}">(.*?)</tr>', html, re.S)
    assert m, html[:2000]
    cells = re.findall(r'data-col="(\w+)">([^<]*)', m.group(1))
    return {k: v.strip() for k, v in cells}


@pytest.mark.slow
def test_an_administrator_connects_syncs_and_sees_the_counts(app: FastAPI, crm: FakeCrm) -> None:
    client, csrf = client_for(app, ADMIN)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Not connected" in page.text
    assert 'href="/settings/sync"' in client.get("/import").text  # linked from the import page
    r = _connect(client, csrf, every_minutes="30")
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "The connection of pipedrive is saved." in page.text
    assert "Connected: domain: acme (saved" in page.text
    assert "Synced every 30 minutes." in page.text
    assert re.search(r'type="password" name="token" value=""', page.text)

    r = client.post(f"{PAGE}/pipedrive/run", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert services(app).sync_jobs.wait("pipedrive", 300)
    assert crm.given == {"token": TOKEN, "domain": "acme"}  # decrypted for the connector
    assert activities(app) == {"SYNC-1": "R002", "SYNC-2": "R002"}
    page = client.get(PAGE)
    assert _row(page.text, "activities") == {
        "rows_in": "3", "inserted": "2", "updated": "0", "rejected": "1", "deleted": "0",
        "cursor": "2026-09-22T10:00:00Z/SYNC-3",
    }  # fmt: skip
    link = re.search(r'href="(/import/(\d+)/rejects\.csv)"', page.text)
    assert link, "no link to the rejected rows"
    rejects = client.get(link.group(1))
    assert rejects.status_code == 200
    assert "pipedrive:nobody" in rejects.text and "SYNC-3" in rejects.text
    for body in (page.text, rejects.text, client.get("/api/overview").text):
        assert TOKEN not in body


@pytest.mark.slow
def test_a_secret_left_blank_keeps_the_stored_one(app: FastAPI, crm: FakeCrm) -> None:
    client, csrf = client_for(app, ADMIN)
    _connect(client, csrf)
    r = _connect(client, csrf, token="", domain="other")
    assert r.status_code == 303
    page = client.get(PAGE)
    assert "Connected: domain: other" in page.text
    assert "stored; leave blank to keep" in page.text
    client.post(f"{PAGE}/pipedrive/run", data={"csrf_token": csrf})
    assert services(app).sync_jobs.wait("pipedrive", 300)
    assert crm.given == {"token": TOKEN, "domain": "other"}
    assert TOKEN not in page.text


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"token": ""}, "fill in API token"),
        ({"every_minutes": "often"}, "the schedule is a whole number of minutes, not 'often'"),
        ({"every_minutes": "2"}, "sync every 5 to 10080 minutes"),
        ({"token": "x" * 2001}, "API token: at most 2000 characters"),
    ],
)
def test_bad_input_is_said_on_the_page(app: FastAPI, fields: dict[str, str], says: str) -> None:
    client, csrf = client_for(app, ADMIN)
    r = client.post(f"{PAGE}/pipedrive/connect", data={"csrf_token": csrf, "token": TOKEN,
                                                       **fields})  # fmt: skip
    assert r.status_code == 422
    assert says in html.unescape(r.text)
    assert "Not connected" in r.text  # nothing stored
    assert TOKEN not in r.text


@pytest.mark.slow
def test_without_a_key_the_page_says_how_to_make_one(tmp_path: Path, crm: FakeCrm) -> None:
    app = app_for(build_web_store(tmp_path / "store.duckdb"), sync_key=None)
    client, csrf = client_for(app, ADMIN)
    assert "make one with python -c" in client.get(PAGE).text
    r = _connect(client, csrf)
    assert r.status_code == 422
    assert "Fernet.generate_key().decode()" in r.text
    assert TOKEN not in r.text


@pytest.mark.slow
@pytest.mark.parametrize("user", [MANAGER, REP])
def test_managers_and_reps_may_not(app: FastAPI, user: str) -> None:
    client, csrf = client_for(app, user)
    assert client.get("/import").status_code == 403  # where an administrator finds the link
    r = client.get(PAGE)
    assert r.status_code == 403
    assert "only an administrator may connect and sync crms" in r.text.lower()
    for action in ("connect", "run", "disconnect", "schedule"):
        r = client.post(f"{PAGE}/pipedrive/{action}", data={"csrf_token": csrf, "token": TOKEN})
        assert r.status_code == 403, action
    assert connections_of(app) == {}


def connections_of(app: FastAPI) -> dict[str, object]:
    svc = services(app)
    store = svc.stores.take()
    try:
        return dict(connections(store))
    finally:
        svc.stores.give(store)


def test_a_form_without_its_csrf_token_is_refused(app: FastAPI) -> None:
    client, _csrf = client_for(app, ADMIN)
    r = client.post(f"{PAGE}/pipedrive/connect", data={"token": TOKEN})
    assert r.status_code == 403
    assert connections_of(app) == {}


def test_an_unknown_crm_is_not_found(app: FastAPI) -> None:
    client, csrf = client_for(app, ADMIN)
    r = client.post(f"{PAGE}/zoho/run", data={"csrf_token": csrf})
    assert r.status_code == 404


@pytest.mark.slow
def test_one_sync_per_crm_at_a_time(app: FastAPI, crm: FakeCrm) -> None:
    crm.gate = threading.Event()
    client, csrf = client_for(app, ADMIN)
    _connect(client, csrf)
    try:
        first = client.post(f"{PAGE}/pipedrive/run", data={"csrf_token": csrf},
                            follow_redirects=False)  # fmt: skip
        assert first.status_code == 303  # answered while the sync still waits at its gate
        assert crm.reading.wait(30)
        second = client.post(f"{PAGE}/pipedrive/run", data={"csrf_token": csrf})
        assert second.status_code == 409
        assert "a sync of pipedrive is running already (started by admin)" in second.text
        assert "Syncing since" in client.get(PAGE).text
        # the connection's own lock, not the sync's: the schedule is saved while it runs
        data = {"csrf_token": csrf, "every_minutes": "45"}
        saved = client.post(f"{PAGE}/pipedrive/schedule", data=data, follow_redirects=False)
        assert saved.status_code == 303
        assert crm.gate.is_set() is False  # still running
    finally:
        crm.gate.set()
    assert services(app).sync_jobs.wait("pipedrive", 300)
    assert len(activities(app)) == 2


@pytest.mark.slow
def test_the_page_speaks_dutch(app: FastAPI) -> None:
    client, _csrf = client_for(app, ADMIN)
    client.cookies.set("salesperf_lang", "nl")
    page = client.get(PAGE, headers={"accept-language": "nl"})
    assert "Niet verbonden" in page.text
    assert "Nu synchroniseren" in page.text
    assert "Bedrijfsdomein" in page.text  # the CRM's own help for its field, in Dutch
    assert "company domain" not in page.text


@pytest.mark.slow
def test_a_rotated_key_shows_on_the_page_and_fails_the_sync_clearly(
    tmp_path: Path, crm: FakeCrm
) -> None:
    path = build_web_store(tmp_path / "store.duckdb")
    first, csrf = client_for(app_for(path, sync_key=KEY), ADMIN)
    _connect(first, csrf)
    first.close()
    app = app_for(path, sync_key=Fernet.generate_key().decode())
    client, csrf = client_for(app, ADMIN)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "were stored under another SALESPERF_SECRET_KEY" in page.text
    client.post(f"{PAGE}/pipedrive/run", data={"csrf_token": csrf})
    assert services(app).sync_jobs.wait("pipedrive", 300)
    page = client.get(PAGE)
    assert "The last sync failed: the credentials of pipedrive were stored under another" in (
        page.text
    )
    assert activities(app) == {}


@pytest.mark.slow
def test_the_scheduler_starts_what_is_due(app: FastAPI, crm: FakeCrm) -> None:
    client, csrf = client_for(app, ADMIN)
    _connect(client, csrf, every_minutes="15")
    svc = services(app)
    at = datetime(2026, 10, 1, 12, 0)
    assert scheduled(svc, at) == ["pipedrive"]  # never synced
    assert svc.sync_jobs.wait("pipedrive", 300)
    began = svc.sync_jobs.last("pipedrive")
    assert began is not None
    assert scheduled(svc, began.started + timedelta(minutes=14)) == []
    assert scheduled(svc, began.started + timedelta(minutes=16)) == ["pipedrive"]
    assert svc.sync_jobs.wait("pipedrive", 300)
    assert len(activities(app)) == 2
