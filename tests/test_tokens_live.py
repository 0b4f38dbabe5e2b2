"""API tokens while the server runs: a Bearer read, a sign-in and a revocation finish while an
import holds the write lock; a token's last use is noted in memory and written at most once a
minute; a token is revoked through the API or the tokens page by its owner or an administrator,
and refused on its next request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.auth.tokens import create_token
from salesperf.server.services import Services
from salesperf.server.token_use import TokenUse
from salesperf.store import Store
from salesperf.store.system_tables import TOKENS
from webtools import ADMIN, MANAGER, PASSWORD, REP, app_for, build_web_store, csrf_from, sign_in

REFUSED = "the API token is unknown, revoked or malformed"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("tokens") / "store.duckdb")


@pytest.fixture(scope="module")
def store(store_path: Path) -> Iterator[Store]:
    with Store.open(store_path) as s:
        yield s


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store_path: Path, clock: Clock) -> Any:
    return app_for(store_path, clock=clock)


def _bearer(app: Any, secret: str) -> TestClient:
    return TestClient(app, headers={"authorization": f"Bearer {secret}"})


def _stored_use(store: Store, token_id: str) -> datetime | None:
    value: datetime | None = store._exec(
        f"SELECT last_used_at FROM {TOKENS} WHERE token_id = ?", [token_id]
    )[0][0]
    return value


# -- reads and sign-ins do not wait for an import ---------------------------------------------
@pytest.mark.slow
def test_a_bearer_read_a_sign_in_and_a_revocation_finish_while_an_import_writes(
    app: Any, store: Store, clock: Clock
) -> None:
    svc: Services = app.state.services
    token, secret = create_token(store, REP, "read", name="bi")
    held, release = threading.Event(), threading.Event()

    def import_in_progress() -> None:
        """What an import does: hold the write lock, in an open transaction that changes rows."""
        with svc.writes:
            s = svc.stores.take()
            try:
                with s.transaction():
                    s._exec("UPDATE reps SET name = name")
                    held.set()
                    assert release.wait(300), "the import was never released"
            finally:
                svc.stores.give(s)

    def requests() -> dict[str, Any]:
        bi = _bearer(app, secret)
        me = bi.get("/api/me")
        browser = TestClient(app)
        form = {"username": REP, "password": PASSWORD,
                "csrf_token": csrf_from(browser.get("/login").text)}  # fmt: skip
        signed_in = browser.post("/login", data=form, follow_redirects=False)
        listed = browser.get("/api/tokens").json()
        csrf = csrf_from(browser.get("/tokens").text)
        revoked = browser.delete(f"/api/tokens/{token.token_id}", headers={"x-csrf-token": csrf})
        after = bi.get("/api/me")
        lock_free = svc.writes.acquire(blocking=False)
        if lock_free:
            svc.writes.release()
        return {
            "me": me, "signed_in": signed_in, "listed": listed, "revoked": revoked,
            "after": after, "lock_free": lock_free,
            "released": release.is_set(),
        }  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        importing = pool.submit(import_in_progress)
        try:
            assert held.wait(300), "the import did not start"
            done = pool.submit(requests).result(timeout=240)
        finally:
            release.set()
        importing.result(120)
    assert not done["released"] and not done["lock_free"]  # all of it while the import held on
    assert done["me"].status_code == 200 and done["me"].json()["user"]["username"] == REP
    assert done["signed_in"].status_code == 303
    assert "salesperf_session=" in done["signed_in"].headers["set-cookie"]
    mine = [t for t in done["listed"]["tokens"] if t["token_id"] == token.token_id]
    assert mine[0]["last_used_at"] == "2026-11-02T09:00:00" and mine[0]["active"] is True
    assert done["revoked"].status_code == 200
    assert done["revoked"].json()["revoked_at"] == "2026-11-02T09:00:00"
    assert done["after"].status_code == 401 and done["after"].json()["error"] == REFUSED
    assert _stored_use(store, token.token_id) == clock.now  # written meanwhile, not queued


# -- a token's last use ------------------------------------------------------------------------
def test_a_tokens_last_use_is_written_at_most_once_a_minute(
    store_path: Path, store: Store, clock: Clock
) -> None:
    token, secret = create_token(store, REP, "read")
    start = clock.now
    with TestClient(app_for(store_path, clock=clock)) as owner:  # its close writes what is left
        sign_in(owner, REP)
        bi = _bearer(owner.app, secret)
        assert bi.get("/api/me").status_code == 200
        assert _stored_use(store, token.token_id) == start
        clock.now = start + timedelta(seconds=30)
        assert bi.get("/api/me").status_code == 200
        assert _stored_use(store, token.token_id) == start  # not yet: less than a minute
        listed = {t["token_id"]: t for t in owner.get("/api/tokens").json()["tokens"]}
        assert listed[token.token_id]["last_used_at"] == "2026-11-02T09:00:30"  # from memory
        clock.now = start + timedelta(seconds=61)
        assert bi.get("/api/me").status_code == 200
        assert _stored_use(store, token.token_id) == start + timedelta(seconds=61)
        clock.now = start + timedelta(seconds=90)
        assert bi.get("/api/me").status_code == 200
        assert _stored_use(store, token.token_id) == start + timedelta(seconds=61)
    assert _stored_use(store, token.token_id) == start + timedelta(seconds=90)


def test_a_use_noted_while_the_accounts_are_being_written_is_written_by_the_next() -> None:
    uses, lock, written = TokenUse(), threading.Lock(), []
    t0 = datetime(2026, 11, 2, 9, 0)

    def write(token_id: str, when: datetime) -> None:
        written.append((token_id, when))

    with lock:  # another account write in progress: the request does not wait for it
        assert uses.note("abc", t0, write, lock) is False
    assert written == [] and uses.latest("abc") == t0
    assert uses.note("abc", t0 + timedelta(seconds=1), write, lock) is True
    assert uses.note("abc", t0 + timedelta(seconds=2), write, lock) is False
    assert written == [("abc", t0 + timedelta(seconds=1))]
    assert uses.pending() == {"abc": t0 + timedelta(seconds=2)}


# -- revoking through the API ------------------------------------------------------------------
def test_owners_and_administrators_revoke_tokens_through_the_api(
    app: Any, store: Store, clock: Clock
) -> None:
    read, read_secret = create_token(store, REP, "read", name="bi")
    write, write_secret = create_token(store, REP, "write", name="crm")
    theirs, their_secret = create_token(store, MANAGER, "read", name="manager-bi")
    rep, admin = TestClient(app), TestClient(app)
    rep_csrf, admin_csrf = sign_in(rep, REP), sign_in(admin, ADMIN)

    listed = rep.get("/api/tokens").json()["tokens"]
    ids = [t["token_id"] for t in listed]
    assert read.token_id in ids and write.token_id in ids and theirs.token_id not in ids
    assert {t["username"] for t in listed} == {REP}
    mine = next(t for t in listed if t["token_id"] == write.token_id)
    assert mine["name"] == "crm" and mine["scope"] == "write" and mine["revoked_at"] is None
    assert "token_hash" not in mine and write_secret not in str(listed)
    r = rep.get("/api/tokens", params={"username": MANAGER})
    assert r.status_code == 403 and "your own API tokens" in r.json()["error"]

    # someone else's token is not theirs to revoke, nor to know of
    r = rep.delete(f"/api/tokens/{theirs.token_id}", headers={"x-csrf-token": rep_csrf})
    assert r.status_code == 404 and r.json()["error"] == (
        f"there is no API token {theirs.token_id} of yours"
    )
    assert _bearer(app, their_secret).get("/api/me").status_code == 200
    # a session needs its CSRF token; a read token may not revoke
    assert rep.delete(f"/api/tokens/{read.token_id}").status_code == 403
    r = _bearer(app, read_secret).delete(f"/api/tokens/{read.token_id}")
    assert r.status_code == 403 and "may only read" in r.json()["error"]

    clock.now += timedelta(minutes=5)
    r = rep.delete(f"/api/tokens/{read.token_id}", headers={"x-csrf-token": rep_csrf})
    assert r.status_code == 200
    assert r.json() | {"last_used_at": None} == {
        "token_id": read.token_id, "username": REP, "name": "bi", "scope": "read",
        "created_at": read.created_at.isoformat(), "last_used_at": None,
        "revoked_at": "2026-11-02T09:05:00", "active": False,
    }  # fmt: skip
    r = _bearer(app, read_secret).get("/api/me")
    assert r.status_code == 401 and r.json()["error"] == REFUSED
    clock.now += timedelta(minutes=1)  # revoking again changes nothing
    r = rep.delete(f"/api/tokens/{read.token_id}", headers={"x-csrf-token": rep_csrf})
    assert r.status_code == 200 and r.json()["revoked_at"] == "2026-11-02T09:05:00"

    # a write token may revoke itself (a script rotating its token)
    r = _bearer(app, write_secret).delete(f"/api/tokens/{write.token_id}")
    assert r.status_code == 200 and r.json()["active"] is False
    assert _bearer(app, write_secret).get("/api/me").status_code == 401

    # an administrator sees and revokes everyone's
    everyone = {t["token_id"]: t for t in admin.get("/api/tokens").json()["tokens"]}
    assert everyone[theirs.token_id]["username"] == MANAGER
    assert everyone[read.token_id]["active"] is False
    only = admin.get("/api/tokens", params={"username": MANAGER}).json()["tokens"]
    assert theirs.token_id in {t["token_id"] for t in only}
    assert {t["username"] for t in only} == {MANAGER}
    r = admin.delete(f"/api/tokens/{theirs.token_id}", headers={"x-csrf-token": admin_csrf})
    assert r.status_code == 200 and r.json()["username"] == MANAGER
    assert _bearer(app, their_secret).get("/api/me").status_code == 401
    r = admin.delete("/api/tokens/000000000000", headers={"x-csrf-token": admin_csrf})
    assert r.status_code == 404


# -- revoking on the tokens page -----------------------------------------------------------------
def test_the_tokens_page_lists_and_revokes(app: Any, store: Store, clock: Clock) -> None:
    token, secret = create_token(store, REP, "read", name="weekly-report")
    theirs, _ = create_token(store, MANAGER, "read", name="their-report")
    rep = TestClient(app)
    csrf = sign_in(rep, REP)
    assert _bearer(app, secret).get("/api/me").status_code == 200
    page = rep.get("/tokens").text
    row = page.split(f'data-token="{token.token_id}"')[1].split("</tr>")[0]
    assert "weekly-report" in row and ">active<" in row and "2026-11-02 09:00 UTC" in row
    assert f'action="/tokens/{token.token_id}/revoke"' in row
    assert theirs.token_id not in page and "their-report" not in page

    r = rep.post(f"/tokens/{token.token_id}/revoke", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert _bearer(app, secret).get("/api/me").status_code == 200
    r = rep.post(f"/tokens/{token.token_id}/revoke", data={"csrf_token": csrf},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == f"/tokens?revoked={token.token_id}"
    page = rep.get(r.headers["location"]).text
    assert f"Token {token.token_id} is revoked." in page
    row = page.split(f'data-token="{token.token_id}"')[1].split("</tr>")[0]
    assert "revoked 2026-11-02" in row and "/revoke" not in row
    r = _bearer(app, secret).get("/api/me")
    assert r.status_code == 401 and r.json()["error"] == REFUSED

    admin = TestClient(app)
    sign_in(admin, ADMIN)
    page = admin.get("/tokens").text
    row = page.split(f'data-token="{theirs.token_id}"')[1].split("</tr>")[0]
    assert f"<td>{MANAGER}</td>" in row and "their-report" in row
