"""CRM webhooks: HubSpot's signatures (v3 with its timestamp, v2) and Pipedrive's Basic
credentials checked; a trusted webhook feeds the sync path (its change lands in the store), a
replay changes nothing, anything unsigned or wrongly signed is refused with nothing done."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi import FastAPI
from fastapi.testclient import TestClient

from salesperf.sync.webhooks import (
    WebhookMalformed,
    WebhookRefused,
    hubspot_events,
    pipedrive_event,
    verify_hubspot,
    verify_pipedrive,
)
from synctools import TOKEN, FakeCrm, Record, activities, counts, install, services
from webtools import ADMIN, app_for, build_web_store, client_for

KEY = Fernet.generate_key().decode()
SECRET = "hubspot-client-secret-5f2a"
URL = "http://testserver/api/webhooks/hubspot"
EVENTS = [{"eventId": 1, "subscriptionId": 2, "portalId": 3, "occurredAt": 1790000000000,
           "subscriptionType": "deal.propertyChange", "objectId": 4242}]  # fmt: skip


def v3(body: bytes, stamp: int, secret: str = SECRET, uri: str = URL) -> dict[str, str]:
    """The headers HubSpot sends with a v3 signature (written here from its documentation)."""
    message = b"POST" + uri.encode() + body + str(stamp).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": str(stamp),
        "Content-Type": "application/json",
    }


def now_ms() -> int:
    return int(time.time() * 1000)


# -- the checks, as pure functions ------------------------------------------------------------


def test_hubspot_v3_is_checked_with_its_timestamp() -> None:
    body = json.dumps(EVENTS).encode()
    at = 1_790_000_000_000
    headers = {k.lower(): v for k, v in v3(body, at).items()}
    check = {"secret": SECRET, "method": "POST", "uris": [URL], "body": body}
    verify_hubspot(**check, headers=headers, now_ms=at + 299_000)  # type: ignore[arg-type]
    with pytest.raises(WebhookRefused, match="more than five minutes"):
        verify_hubspot(**check, headers=headers, now_ms=at + 301_000)  # type: ignore[arg-type]
    with pytest.raises(WebhookRefused, match="does not match"):
        verify_hubspot(**{**check, "body": body + b" "}, headers=headers, now_ms=at)  # type: ignore[arg-type]
    with pytest.raises(WebhookRefused, match="does not match"):
        verify_hubspot(**{**check, "secret": "other"}, headers=headers, now_ms=at)  # type: ignore[arg-type]
    with pytest.raises(WebhookRefused, match="not signed"):
        verify_hubspot(**check, headers={}, now_ms=at)  # type: ignore[arg-type]
    with pytest.raises(WebhookRefused, match="no webhook secret"):
        verify_hubspot(**{**check, "secret": None}, headers=headers, now_ms=at)  # type: ignore[arg-type]


def test_hubspot_v2_is_checked() -> None:
    body = json.dumps(EVENTS).encode()
    signature = hashlib.sha256(f"{SECRET}POST{URL}{body.decode()}".encode()).hexdigest()
    headers = {"x-hubspot-signature": signature, "x-hubspot-signature-version": "v2"}
    verify_hubspot(secret=SECRET, method="POST", uris=[URL], body=body, headers=headers, now_ms=0)
    with pytest.raises(WebhookRefused):
        verify_hubspot(secret=SECRET, method="POST", uris=["http://elsewhere/"], body=body,
                       headers=headers, now_ms=0)  # fmt: skip


def test_pipedrive_basic_credentials_are_checked() -> None:
    good = "Basic " + base64.b64encode(b"hook:pass word").decode()
    verify_pipedrive(user="hook", password="pass word", authorization=good)
    for given in (None, "Bearer x", "Basic !!!", "Basic " + base64.b64encode(b"hook:no").decode()):
        with pytest.raises(WebhookRefused):
            verify_pipedrive(user="hook", password="pass word", authorization=given)
    with pytest.raises(WebhookRefused, match="no webhook user"):
        verify_pipedrive(user=None, password=None, authorization=good)


@pytest.mark.parametrize("body", [b"", b"{not json", b"[]", b'[{"objectId": 1}]', b"\xff"])
def test_a_hubspot_body_that_is_not_events_is_malformed(body: bytes) -> None:
    with pytest.raises(WebhookMalformed):
        hubspot_events(body)


def test_what_the_webhooks_are_about() -> None:
    assert hubspot_events(json.dumps(EVENTS).encode()) == ["deal.propertyChange"]
    assert pipedrive_event(b'{"meta": {"entity": "activity", "action": "change"}}') == "activity"
    assert pipedrive_event(b'{"meta": {"object": "deal", "action": "updated"}}') == "deal"
    with pytest.raises(WebhookMalformed):
        pipedrive_event(b'{"data": {}}')


# -- through the server -----------------------------------------------------------------------


@pytest.fixture
def hubspot(monkeypatch: pytest.MonkeyPatch) -> FakeCrm:
    fake = FakeCrm("hubspot", [Record("SYNC-1", "2026-09-20T10:00:00Z")])
    install(monkeypatch, fake, FakeCrm("pipedrive", [Record("SYNC-P1", "2026-09-20T10:00:00Z")]))
    return fake


@pytest.fixture
def app(tmp_path: Path, hubspot: FakeCrm) -> FastAPI:
    """A server with HubSpot connected on the settings page, its webhook secret included."""
    app = app_for(build_web_store(tmp_path / "store.duckdb"), sync_key=KEY)
    client, csrf = client_for(app, ADMIN)
    r = client.post(
        "/settings/sync/hubspot/connect",
        data={"csrf_token": csrf, "token": TOKEN, "webhook_secret": SECRET},
        follow_redirects=False,
    )
    assert r.status_code == 303
    return app


def _post(client: TestClient, body: bytes, headers: dict[str, str]) -> object:
    return client.post("/api/webhooks/hubspot", content=body, headers=headers)


@pytest.mark.slow
def test_a_signed_hubspot_webhook_lands_and_its_replay_changes_nothing(
    app: FastAPI, hubspot: FakeCrm
) -> None:
    client = TestClient(app)  # no session: the signature is all
    svc = services(app)
    hubspot.records.append(Record("SYNC-2", "2026-09-21T10:00:00Z"))
    body = json.dumps(EVENTS).encode()
    headers = v3(body, now_ms())
    r = client.post("/api/webhooks/hubspot", content=body, headers=headers)
    assert r.status_code == 202
    assert r.json()["about"] == ["deal.propertyChange"]
    assert svc.sync_jobs.wait("hubspot", 300)
    assert activities(app) == {"SYNC-1": "R002", "SYNC-2": "R002"}
    before = counts(app)

    again = client.post("/api/webhooks/hubspot", content=body, headers=headers)
    assert again.status_code == 202
    assert svc.sync_jobs.wait("hubspot", 300)
    job = svc.sync_jobs.last("hubspot")
    assert job is not None and job.state == "done" and job.rows_in == 0
    assert counts(app) == before
    assert SECRET not in r.text + again.text


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-HubSpot-Signature-v3": "bm90IGl0", "X-HubSpot-Request-Timestamp": "now"},
        "wrong secret",
        "old",
    ],
)
def test_an_unsigned_or_wrongly_signed_hubspot_webhook_is_refused(
    app: FastAPI, headers: dict[str, str] | str
) -> None:
    client = TestClient(app)
    body = json.dumps(EVENTS).encode()
    if headers == "wrong secret":
        headers = v3(body, now_ms(), secret="not-the-secret")
    elif headers == "old":
        headers = v3(body, now_ms() - 6 * 60 * 1000)
    before = counts(app)
    r = client.post("/api/webhooks/hubspot", content=body, headers=headers)  # type: ignore[arg-type]
    assert r.status_code == 401
    assert services(app).sync_jobs.last("hubspot") is None  # nothing started
    assert counts(app) == before
    assert SECRET not in r.text


def test_a_signed_malformed_body_is_a_400(app: FastAPI) -> None:
    client = TestClient(app)
    body = b'{"not": "a list"}'
    r = client.post("/api/webhooks/hubspot", content=body, headers=v3(body, now_ms()))
    assert r.status_code == 400
    assert r.json()["error"] == "a HubSpot webhook sends a list of events"
    assert services(app).sync_jobs.last("hubspot") is None


@pytest.mark.slow
def test_pipedrive_webhook_with_credentials_from_the_environment(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESPERF_PIPEDRIVE_WEBHOOK_USER", "hook")
    monkeypatch.setenv("SALESPERF_PIPEDRIVE_WEBHOOK_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("TEST_PIPEDRIVE_TOKEN", "env-token-abcdef")
    client = TestClient(app)
    body = b'{"meta": {"entity": "activity", "action": "change"}, "data": {"id": 1}}'
    svc = services(app)
    wrong = client.post("/api/webhooks/pipedrive", content=body, auth=("hook", "guess"))
    assert wrong.status_code == 401
    assert client.post("/api/webhooks/pipedrive", content=body).status_code == 401
    assert svc.sync_jobs.last("pipedrive") is None
    bad = client.post("/api/webhooks/pipedrive", content=b"[1]", auth=("hook", "s3cret-pass"))
    assert bad.status_code == 400
    r = client.post("/api/webhooks/pipedrive", content=body, auth=("hook", "s3cret-pass"))
    assert r.status_code == 202
    assert r.json()["about"] == ["activity"]
    assert svc.sync_jobs.wait("pipedrive", 300)
    assert activities(app, "SYNC-P") == {"SYNC-P1": "R002"}


@pytest.mark.slow
def test_a_webhook_during_a_sync_asks_for_one_more_run(app: FastAPI, hubspot: FakeCrm) -> None:
    """A change may come after the running sync read its object: the webhook is not refused as
    busy but queues one more run, which reads it."""
    hubspot.gate = threading.Event()
    client = TestClient(app)
    svc = services(app)
    body = json.dumps(EVENTS).encode()
    try:
        first = client.post("/api/webhooks/hubspot", content=body, headers=v3(body, now_ms()))
        assert first.json()["sync"] == "started"
        assert hubspot.reading.wait(30)
        second = client.post("/api/webhooks/hubspot", content=body, headers=v3(body, now_ms()))
        assert second.status_code == 202
        assert second.json()["sync"] == "queued"
    finally:
        hubspot.gate.set()
    assert svc.sync_jobs.wait("hubspot", 300)
    job = svc.sync_jobs.last("hubspot")
    assert job is not None and job.runs == 2 and job.state == "done"
    assert activities(app) == {"SYNC-1": "R002"}
