"""Failed sign-ins slow the guesser down, never lock the account: per address and per (user,
address), with delays that double up to a ceiling, answered with 429 and Retry-After; the right
password from an address that has not failed always gets in; failures expire; and the client's
address comes from X-Forwarded-For only when a configured proxy sent it."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesperf.server.addresses import client_address, proxy_networks
from salesperf.server.throttle import SignInThrottle, Throttled, ThrottleRules
from webtools import ADMIN, PASSWORD, REP, app_for, build_web_store, csrf_from

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
PROXY = "10.0.0.2"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("throttle") / "store.duckdb")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(app: Any, address: str) -> TestClient:
    return TestClient(app, client=(address, 50000))


def _login(client: TestClient, username: str, password: str, **headers: str) -> Any:
    token = csrf_from(client.get("/login").text)
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=form, headers=headers, follow_redirects=False)


def _throttle(app: Any) -> SignInThrottle:
    throttle: SignInThrottle = app.state.services.throttle
    return throttle


# -- through HTTP --------------------------------------------------------------------------
@pytest.mark.slow
def test_fifty_failures_from_an_attacker_do_not_stop_the_user_elsewhere(
    store_path: Path, clock: Clock
) -> None:
    app = app_for(store_path, clock=clock)
    attacker, office = _client(app, ATTACKER), _client(app, OFFICE)
    failures, waits = 0, []
    while failures < 50:  # each a real password check: the attacker waits out every delay
        r = _login(attacker, REP, "wrong-password")
        if r.status_code == 429:
            waits.append(int(r.headers["retry-after"]))
            clock.tick(waits[-1])
            continue
        assert r.status_code == 401, r.text[:300]
        failures += 1
    assert _throttle(app).failures(REP, ATTACKER) == 50
    assert waits[:6] == [1, 2, 4, 8, 16, 32] and waits[-1] == 300  # doubling, then the ceiling
    assert len(waits) == 50 - 5  # the 5 free failures, then a wait before each further one
    r = _login(office, REP, PASSWORD)  # the real user, from their own address, at once
    assert r.status_code == 303 and "salesperf_session=" in r.headers["set-cookie"]
    assert office.get("/api/me").json()["user"]["username"] == REP
    r = _login(attacker, REP, PASSWORD)  # the attacker's address still waits, right or wrong
    assert r.status_code == 429 and r.headers["retry-after"] == "300"


def test_after_the_free_failures_the_pair_gets_429_with_retry_after(
    store_path: Path, clock: Clock
) -> None:
    app = app_for(store_path, clock=clock)
    client = _client(app, ATTACKER)
    for n in range(5):
        r = _login(client, REP, f"wrong-{n}-password")
        assert r.status_code == 401 and "The username or password is wrong." in r.text
    r = _login(client, REP, PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert "Too many failed sign-ins from here. Wait 1 s and try again." in r.text
    assert "salesperf_session" not in r.headers.get("set-cookie", "")
    assert _throttle(app).failures(REP, ATTACKER) == 5  # a turned-away attempt is not counted
    clock.tick(1)
    assert _login(client, REP, "wrong-password").status_code == 401  # the 6th failure
    r = _login(client, REP, PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "2"
    clock.tick(1)
    assert _login(client, REP, PASSWORD).headers["retry-after"] == "1"
    clock.tick(1)  # waited out: the right password gets in, and the pair starts afresh
    assert _login(client, REP, PASSWORD).status_code == 303
    assert _throttle(app).failures(REP, ATTACKER) == 0
    # other users from the same address were never held up (5 < the address's 20 free)
    assert _login(_client(app, ATTACKER), ADMIN, PASSWORD).status_code == 303


@pytest.mark.slow
def test_an_address_guessing_many_users_is_slowed_down_for_all_of_them(
    store_path: Path, clock: Clock
) -> None:
    app = app_for(store_path, clock=clock)
    sprayer = _client(app, ATTACKER)
    for n in range(20):  # one guess each for 20 users: no pair reaches its 5
        assert _login(sprayer, f"user{n}", "wrong-password").status_code == 401
    r = _login(sprayer, ADMIN, PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert _throttle(app).failures(None, ATTACKER) == 20
    assert _login(_client(app, OFFICE), ADMIN, PASSWORD).status_code == 303


def test_failures_expire(store_path: Path, clock: Clock) -> None:
    app = app_for(store_path, clock=clock)
    client = _client(app, ATTACKER)
    for _ in range(5):
        assert _login(client, REP, "wrong-password").status_code == 401
    clock.tick(60)
    assert _throttle(app).failures(REP, ATTACKER) == 5  # delay over, failures still counted
    assert _login(client, REP, "wrong-password").status_code == 401
    assert _login(client, REP, "wrong-password").headers["retry-after"] == "2"
    clock.tick(15 * 60 - 1)
    assert _throttle(app).failures(REP, ATTACKER) == 6
    clock.tick(1)  # 15 minutes after the last failure: forgotten
    assert _throttle(app).failures(REP, ATTACKER) == 0
    assert _throttle(app).failures(None, ATTACKER) == 0
    assert _throttle(app).size() == (0, 0)
    for _ in range(5):  # five free failures again
        assert _login(client, REP, "wrong-password").status_code == 401


def test_the_thresholds_are_settings(store_path: Path, clock: Clock) -> None:
    rules = ThrottleRules(free_per_pair=2, first_delay=timedelta(seconds=30))
    app = app_for(store_path, clock=clock, throttle=rules)
    client = _client(app, ATTACKER)
    for _ in range(2):
        assert _login(client, REP, "wrong-password").status_code == 401
    r = _login(client, REP, PASSWORD)
    assert r.status_code == 429 and r.headers["retry-after"] == "30"
    with pytest.raises(ValueError, match="max_delay <= forget_after"):
        ThrottleRules(max_delay=timedelta(hours=1))


# -- X-Forwarded-For -----------------------------------------------------------------------
def test_x_forwarded_for_from_an_unconfigured_peer_is_ignored(
    store_path: Path, clock: Clock
) -> None:
    app = app_for(store_path, clock=clock)  # no trusted proxies (the default)
    local = _client(app, "127.0.0.1")  # even a local peer is not believed
    for n in range(5):  # a fresh made-up address on every guess
        r = _login(local, REP, "wrong-password", **{"x-forwarded-for": f"192.0.2.{n}"})
        assert r.status_code == 401
    r = _login(local, REP, PASSWORD, **{"x-forwarded-for": "192.0.2.99"})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert _throttle(app).failures(REP, "127.0.0.1") == 5
    assert _throttle(app).failures(REP, "192.0.2.0") == 0


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(
    store_path: Path, clock: Clock
) -> None:
    app = app_for(store_path, clock=clock, trusted_proxies=("10.0.0.0/8",))
    proxy = _client(app, PROXY)
    for _ in range(5):
        r = _login(proxy, REP, "wrong-password", **{"x-forwarded-for": f"6.6.6.6, {ATTACKER}"})
        assert r.status_code == 401
    # the attacker's address (what the proxy saw; "6.6.6.6" is theirs to make up) waits ...
    assert _throttle(app).failures(REP, ATTACKER) == 5
    assert _throttle(app).failures(REP, PROXY) == 0
    r = _login(proxy, REP, PASSWORD, **{"x-forwarded-for": ATTACKER})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    # ... and the user, behind the same proxy from another address, signs in
    r = _login(_client(app, PROXY), REP, PASSWORD, **{"x-forwarded-for": OFFICE})
    assert r.status_code == 303
    # a peer that is not a configured proxy is the client itself, whatever it sends
    outsider = _client(app, "192.0.2.50")
    _login(outsider, REP, "wrong-password", **{"x-forwarded-for": OFFICE})
    assert _throttle(app).failures(REP, "192.0.2.50") == 1
    assert _throttle(app).failures(REP, OFFICE) == 0


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("10.0.0.2", [], "10.0.0.2"),  # a proxy's own request
        ("10.0.0.2", ["203.0.113.5"], "203.0.113.5"),
        ("10.0.0.2", ["1.1.1.1, 203.0.113.5"], "203.0.113.5"),  # the left is the client's say
        ("10.0.0.2", ["203.0.113.5, 10.0.0.9"], "203.0.113.5"),  # two trusted proxies
        ("10.0.0.2", ["203.0.113.5", "10.0.0.9"], "203.0.113.5"),  # the header twice
        ("10.0.0.2", ["10.0.0.8, 10.0.0.9"], "10.0.0.8"),  # proxies all the way
        ("10.0.0.2", ["[2001:db8::7]:443"], "2001:db8::7"),
        ("10.0.0.2", ["203.0.113.5:5123"], "203.0.113.5"),
        ("10.0.0.2", ["unknown"], "10.0.0.2"),  # no address: the proxy is all we know
        ("192.0.2.1", ["203.0.113.5"], "192.0.2.1"),  # not a proxy: the header says nothing
        ("testclient", ["203.0.113.5"], "testclient"),
    ],
)
def test_client_address(peer: str, forwarded: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, proxy_networks(["10.0.0.0/8", "::1"])) == expected
    assert client_address(peer, forwarded, ()) == peer  # no proxies configured


def test_a_proxy_setting_that_is_no_address_is_refused(store_path: Path) -> None:
    with pytest.raises(ValueError, match=re.escape("'10.0.0.300' in trusted_proxies is not an IP")):
        app_for(store_path, trusted_proxies=("10.0.0.0/8", "10.0.0.300"))


# -- the throttle itself ---------------------------------------------------------------------
def test_parallel_guesses_cannot_slip_past_the_count(clock: Clock) -> None:
    throttle = SignInThrottle(ThrottleRules(), clock)
    barrier = threading.Barrier(12)
    outcomes: list[str] = []
    guard = threading.Lock()

    def guess() -> None:
        barrier.wait()
        try:
            throttle.attempt(REP, ATTACKER)
            result = "checked"
        except Throttled as exc:
            result = f"429 {exc.seconds}"
        with guard:
            outcomes.append(result)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes) == ["429 1"] * 7 + ["checked"] * 5


def test_a_success_clears_the_pair_but_not_the_addresss_other_failures(clock: Clock) -> None:
    throttle = SignInThrottle(ThrottleRules(), clock)
    for n in range(4):
        throttle.attempt(f"user{n}", ATTACKER)  # failed
    throttle.attempt(REP, ATTACKER)
    throttle.attempt(REP, ATTACKER)
    throttle.succeeded(throttle.attempt(REP, ATTACKER))
    assert throttle.failures(REP, ATTACKER) == 0
    assert throttle.failures(None, ATTACKER) == 6  # not 0: an account of one's own wipes nothing


def test_the_tables_stay_bounded(clock: Clock) -> None:
    throttle = SignInThrottle(ThrottleRules(max_keys=100), clock)
    for n in range(1000):
        throttle.attempt(f"user{n}", f"192.0.2.{n % 250}")
        clock.tick(0.001)
    assert throttle.size() == (100, 100)
    assert throttle.failures("user999", "192.0.2.249") == 1  # the latest are kept
    assert throttle.failures("user0", "192.0.2.0") == 0


def test_the_server_leaves_forwarded_addresses_to_the_app(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn would rewrite the client address from X-Forwarded-For for local peers before the
    app sees it; `salesperf serve` turns that off so that only trusted_proxies decide."""
    import uvicorn

    from salesperf.cli.serve import run_server

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    run_server(str(store_path))
    assert len(calls) == 1 and calls[0]["proxy_headers"] is False
