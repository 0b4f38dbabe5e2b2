"""Signing in: Argon2 hashes, wrong passwords (their throttling: test_throttle.py), sessions
and their cookie, CSRF on every form, API tokens (scope, revocation, never stored in clear) and
the users command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from salesperf.auth.tokens import create_token, revoke_token
from salesperf.auth.users import Role, SignInFailed, add_user, get_user, password_hasher
from salesperf.auth.users import (
    verify_password as check_password,
)
from salesperf.cli.app import app as cli
from salesperf.store import Store
from salesperf.store.system_tables import SESSIONS, TOKENS, USERS
from webtools import ADMIN, PASSWORD, REP, REP_ID, app_for, build_web_store, csrf_from, sign_in


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("auth") / "store.duckdb")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(store_path: Path, clock: Clock) -> Any:
    return app_for(store_path, clock=clock)


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    s = Store.open(store_path)
    yield s
    s.close()


def _login(client: TestClient, username: str, password: str, **extra: str) -> Any:
    token = csrf_from(client.get("/login").text)
    form = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/login", data=form, follow_redirects=False)


@pytest.mark.slow
def test_passwords_are_kept_as_argon2id_hashes_only(store: Store) -> None:
    hasher = password_hasher(cheap=True)
    add_user(store, "Dana", "correct horse", Role.REP, rep_id="R003", hasher=hasher)
    digest = store._exec(f"SELECT password_hash FROM {USERS} WHERE username = 'dana'")[0][0]
    assert digest.startswith("$argon2id$") and "correct horse" not in digest
    assert check_password(store, "DANA", "correct horse", hasher=hasher).username == "dana"
    with pytest.raises(SignInFailed):
        check_password(store, "dana", "correct hors", hasher=hasher)
    with pytest.raises(ValueError, match="at least 8"):
        add_user(store, "eve", "short", Role.ADMIN)
    with pytest.raises(ValueError, match="already a user"):
        add_user(store, "dana", "another password", Role.ADMIN, hasher=hasher)
    with pytest.raises(ValueError, match="must be linked to a rep"):
        add_user(store, "fay", "long enough", Role.REP, hasher=hasher)
    with pytest.raises(ValueError, match="no rep 'R999'"):
        add_user(store, "fay", "long enough", Role.REP, rep_id="R999", hasher=hasher)


def test_a_wrong_password_or_unknown_user_gets_the_same_answer_and_no_session(
    app: Any, store: Store
) -> None:
    client = TestClient(app)
    for username, password in ((ADMIN, "wrong-password"), ("nobody", PASSWORD)):
        r = _login(client, username, password)
        assert r.status_code == 401
        assert "The username or password is wrong." in r.text
        assert "salesperf_session" not in r.headers.get("set-cookie", "")
    assert client.get("/api/me").status_code == 401


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(store_path: Path) -> None:
    r = _login(TestClient(app_for(store_path)), ADMIN, PASSWORD)
    cookie = r.headers["set-cookie"]
    assert "salesperf_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    https = TestClient(app_for(store_path), base_url="https://testserver")
    cookie = _login(https, ADMIN, PASSWORD).headers["set-cookie"]
    assert "Secure" in cookie
    forced = TestClient(app_for(store_path, secure_cookies=True))
    assert "Secure" in _login(forced, ADMIN, PASSWORD).headers["set-cookie"]


def test_sessions_are_stored_hashed_expire_and_end_at_sign_out(
    app: Any, clock: Clock, store: Store
) -> None:
    client = TestClient(app)
    csrf = sign_in(client, ADMIN)
    secret = client.cookies.get("salesperf_session")
    assert secret and not store._exec(f"SELECT 1 FROM {SESSIONS} WHERE session_hash = ?", [secret])
    assert client.get("/api/me").json()["user"]["username"] == ADMIN
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    replay = TestClient(app, cookies={"salesperf_session": secret})
    assert replay.get("/api/me").status_code == 401
    sign_in(client, ADMIN)
    clock.now += timedelta(hours=12, seconds=1)
    assert client.get("/api/me").status_code == 401
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


@pytest.mark.slow
def test_every_form_post_needs_the_sessions_csrf_token(app: Any) -> None:
    client = TestClient(app)
    csrf = sign_in(client, REP)
    row = {"activity_id": "C1", "rep_id": REP_ID, "type": "call", "occurred_at": "2026-09-01"}
    posts = [
        ("/logout", {}),
        ("/lang", {"lang": "nl"}),
        ("/activities/new", {"rep_id": REP_ID, "type": "call", "occurred_at": "2026-09-01T10:00"}),
    ]
    for path, form in posts:
        for token in (None, "forged", csrf_from(TestClient(app).get("/login").text)):
            data = {**form, **({"csrf_token": token} if token else {})}
            r = client.post(path, data=data, follow_redirects=False)
            assert r.status_code == 403, (path, token)
            assert "security token" in r.text or "expired" in r.text
    assert client.post("/api/activities", json=[row]).status_code == 403
    ok = client.post("/api/activities", json=[row], headers={"x-csrf-token": csrf})
    assert ok.status_code == 200, ok.text
    assert client.get("/api/me").status_code == 200  # still signed in: no forged post got through


def test_the_sign_in_form_needs_its_token_and_goes_only_to_local_pages(app: Any) -> None:
    client = TestClient(app)
    client.get("/login")
    r = client.post(
        "/login", data={"username": ADMIN, "password": PASSWORD, "csrf_token": "x"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 403 and "salesperf_session" not in r.headers.get("set-cookie", "")
    r = _login(client, ADMIN, PASSWORD, next="//evil.example/steal")
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = _login(TestClient(app), ADMIN, PASSWORD, next="/teams/T02?period=2026-Q2")
    assert r.headers["location"] == "/teams/T02?period=2026-Q2"


def test_api_tokens_are_scoped_revocable_and_stored_hashed(app: Any, store: Store) -> None:
    read, read_secret = create_token(store, REP, "read", name="dashboard")
    _, write_secret = create_token(store, REP, "write")
    assert not store._exec(f"SELECT 1 FROM {TOKENS} WHERE token_hash = ?", [read_secret])
    reader = TestClient(app, headers={"authorization": f"Bearer {read_secret}"})
    writer = TestClient(app, headers={"authorization": f"Bearer {write_secret}"})
    me = reader.get("/api/me").json()
    assert me["user"]["username"] == REP and me["via"] == "token"
    assert me["scope"]["reps"] == [REP_ID]
    row = {"activity_id": "T1", "rep_id": REP_ID, "type": "email", "occurred_at": "2026-09-01"}
    r = reader.post("/api/activities", json=[row])
    assert r.status_code == 403 and "may only read" in r.json()["error"]
    assert writer.post("/api/activities", json=[row]).status_code == 200  # no CSRF for tokens
    revoke_token(store, read.token_id)
    assert reader.get("/api/me").status_code == 401
    assert writer.get("/api/me").status_code == 200
    for bad in ("spt_nothing", write_secret[:-2] + "xx", "Basic abc"):
        assert (
            TestClient(app, headers={"authorization": f"Bearer {bad}"}).get("/api/me").status_code
            == 401
        )


def test_the_language_choice_is_kept_for_the_user(app: Any, store: Store) -> None:
    client = TestClient(app)
    csrf = sign_in(client, REP)
    r = client.post("/lang", data={"csrf_token": csrf, "lang": "nl", "next": "/exports"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/exports"
    user = get_user(store, REP)
    assert user is not None and user.lang == "nl"
    fresh = TestClient(app)  # no language cookie, an English browser: the user's choice wins
    sign_in(fresh, REP)
    fresh.cookies.delete("salesperf_lang")
    page = fresh.get("/exports", headers={"accept-language": "en"}).text
    assert "Exporteren" in page and "Afmelden" in page
    store._exec(f"UPDATE {USERS} SET lang = NULL WHERE username = ?", [REP])


@pytest.mark.slow
def test_the_users_command(store_path: Path) -> None:
    path = store_path
    run = CliRunner(env={"COLUMNS": "200"}).invoke
    r = run(cli, ["users", "add", "mona", "--role", "manager", "--team", "T02",
                  "--password", "long-password", "--store", str(path)])  # fmt: skip
    assert r.exit_code == 0, r.output
    r = run(cli, ["users", "add", "nico", "--role", "rep", "--password", "long-password",
                  "--store", str(path)])  # fmt: skip
    assert r.exit_code == 2 and "must be linked to a rep" in r.output
    r = run(cli, ["users", "set-role", "mona", "admin", "--store", str(path)])
    assert r.exit_code == 0 and "mona is now admin" in r.output
    r = run(cli, ["users", "list", "--store", str(path)])
    assert "mona" in r.output and "admin" in r.output
    r = run(cli, ["users", "token", "create", "mona", "--scope", "write", "--store", str(path)])
    assert r.exit_code == 0
    secret = r.output.strip().splitlines()[-1]
    token_id = secret.split("_")[1]
    assert secret.startswith("spt_")
    r = run(cli, ["users", "token", "list", "--store", str(path)])
    assert token_id in r.output and secret not in r.output and "active" in r.output
    r = run(cli, ["users", "token", "revoke", token_id, "--store", str(path)])
    assert r.exit_code == 0 and "revoked" in r.output
    r = run(cli, ["users", "token", "revoke", "nope", "--store", str(path)])
    assert r.exit_code == 2 and "no token" in r.output
