"""`python -m bench web --after-write`: the dashboard's routes asked right after a write.

A CRM posts batches all day, so a manager's page is nearly always asked just after some write.
On the 10M demo store (and, with `--large`, the 50M one), served as `bench web` serves it:

- *after one write*: for each JSON route of a page and the scorecard, as an administrator and as
  a region's manager, the route asked once (its first answer, cold: nothing remembered yet, as
  when the server has just started), then three rounds of: post one new activity through the
  batch API (a rep of the manager's region, on the store's last day), then ask the route once;
- *under writes*: ten users at once, half administrators and half managers, each going through
  every route in an order of their own, for a fixed time, while a batch of 100 activities
  arrives every second; each route's p95.

The bar (issue "Live speed"): p95 under 300 ms at 10M and under 1 s at 50M for every route.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from datetime import time as dtime

import httpx

from bench.common import OUT, machine, now, record
from bench.web_bench import (
    COLD_TIMEOUT,
    USERS,
    Setup,
    data_routes,
    fresh_copy,
    sign_in,
    start_server,
    web_store,
)

ROUNDS = 3  # writes and asks per route and viewer
UNDER_WRITES_S = 60.0  # seconds of the run under writes
BATCH = 100  # activities per batch in the run under writes
BARS_MS = {"10M": 300.0, "50M": 1000.0}


@dataclass(frozen=True)
class AfterWrite:
    """One route for one viewer: latencies (ms) of the requests right after a write."""

    route: str
    viewer: str
    after_ms: tuple[float, ...]
    first_ms: float | None = None  # the route's first answer, before any write (cold)
    under_ms: tuple[float, ...] = ()  # the same route in the run under writes
    note: str = ""


def _pct(xs: tuple[float, ...], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s)) - 1))]


def _token(setup: Setup) -> str:
    """A write token of the administrator, made in the store before the server starts."""
    from salesperf.auth.tokens import TokenScope, create_token
    from salesperf.store import Store

    with Store.open(setup.path) as s:
        _, secret = create_token(s, "admin", TokenScope.WRITE, name="bench after write")
    return secret


class Writer:
    """Posts new activities through the batch API, each with an id of its own."""

    def __init__(self, base: str, token: str, setup: Setup) -> None:
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=COLD_TIMEOUT
        )
        self.setup = setup
        self.n = 0
        self.lock = threading.Lock()
        self.seconds: list[float] = []

    def post(self, rows: int = 1) -> None:
        with self.lock:
            first, self.n = self.n, self.n + rows
        day = datetime.combine(self.setup.today, dtime(10, 0))
        batch = [
            {
                "activity_id": f"BENCH-{os.getpid()}-{first + i}",
                "rep_id": self.setup.rep,
                "type": "call",
                "occurred_at": (day + timedelta(seconds=first + i)).isoformat(),
                "outcome": "connected",
            }
            for i in range(rows)
        ]
        t = time.perf_counter()
        r = self.client.post("/api/activities", json=batch)
        self.seconds.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text[:300]


def after_one_write(
    base: str, writer: Writer, cookies: dict[str, str], viewer: str, path: str
) -> AfterWrite:
    """The route once (cold), then ROUNDS times: one new activity, then the route once."""
    out: list[float] = []
    with httpx.Client(base_url=base, cookies=cookies, timeout=COLD_TIMEOUT) as c:
        t = time.perf_counter()
        try:
            first = c.get(path)
        except httpx.TimeoutException:
            return AfterWrite(path, viewer, (), note=f"no answer in {COLD_TIMEOUT:.0f} s")
        if first.status_code != 200:
            return AfterWrite(path, viewer, (), note=f"refused ({first.status_code})")
        cold = (time.perf_counter() - t) * 1000
        for _ in range(ROUNDS):
            writer.post(1)
            t = time.perf_counter()
            try:
                r = c.get(path)
            except httpx.TimeoutException:
                return AfterWrite(
                    path, viewer, tuple(out), note=f"no answer in {COLD_TIMEOUT:.0f} s"
                )
            ms = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                return AfterWrite(path, viewer, (), note=f"refused ({r.status_code})")
            out.append(ms)
    return AfterWrite(path, viewer, tuple(out), first_ms=cold)


def under_writes(
    base: str, writer: Writer, sessions: dict[str, dict[str, str]], routes: dict[str, list[str]]
) -> dict[tuple[str, str], list[float]]:
    """Ten users through every route for UNDER_WRITES_S seconds while BATCH activities arrive
    every second; the latencies of each (viewer, route)."""
    stop = time.monotonic() + UNDER_WRITES_S
    seen: dict[tuple[str, str], list[float]] = {}
    lock = threading.Lock()

    def writes() -> None:
        while time.monotonic() < stop:
            t = time.monotonic()
            writer.post(BATCH)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - t)))

    def user(i: int) -> None:
        viewer = list(sessions)[i % len(sessions)]
        rnd = random.Random(i)
        with httpx.Client(base_url=base, cookies=sessions[viewer], timeout=COLD_TIMEOUT) as c:
            while time.monotonic() < stop:
                order = list(routes[viewer])
                rnd.shuffle(order)
                for p in order:
                    t = time.perf_counter()
                    c.get(p).read()
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        seen.setdefault((viewer, p), []).append(ms)
                    if time.monotonic() >= stop:
                        return

    w = threading.Thread(target=writes)
    w.start()
    with ThreadPoolExecutor(USERS) as pool:
        list(pool.map(user, range(USERS)))
    w.join()
    return seen


def _large(setup: Setup) -> Setup:
    """The 50M store (the 10M one five times over; `inflate` rebuilds its roll-ups) with the
    same viewers."""
    from bench.scorecard_bench import inflate
    from salesperf.store import Store

    big = OUT / "demo_50m.duckdb"
    inflate(OUT / "demo_10m.duckdb", big, copies=5)
    path = OUT / "web_50m.duckdb"
    fresh_copy(big, path)
    from bench.web_bench import PASSWORD
    from salesperf.auth.users import add_demo_users, password_hasher

    with Store.open(path) as s:
        add_demo_users(s, PASSWORD, hasher=password_hasher(cheap=True))
        n = s.count("activities")
    return replace(setup, path=path, activities=n)


def _rows(label: str, results: list[AfterWrite], bar: float) -> list[str]:
    out = []
    for m in results:
        if not m.after_ms:
            out.append(f"| {label} | `{m.route}` | {m.viewer} | — | — | — | — | — | {m.note} |")
            continue
        after = ", ".join(f"{x:,.0f}" for x in m.after_ms)
        p95 = _pct(m.under_ms, 95) if m.under_ms else None
        p95s = f"{p95:,.0f}" if p95 is not None else "—"
        worst = max([*m.after_ms, *([p95] if p95 is not None else [])])
        verdict = "met" if worst < bar else "**not met**"
        first = f"{m.first_ms:,.0f}" if m.first_ms is not None else "—"
        out.append(
            f"| {label} | `{m.route}` | {m.viewer} | {first} | {after} | {len(m.under_ms)} | "
            f"{p95s} | {verdict} | {m.note} |"
        )
    return out


def run(large: bool = False) -> list[AfterWrite]:
    """Measure the 10M store (and the 50M one with `large`) and record the table."""
    OUT.mkdir(parents=True, exist_ok=True)
    started, load = time.perf_counter(), os.getloadavg()
    base_setup = web_store()
    sizes = [("10M", base_setup)] + ([("50M", _large(base_setup))] if large else [])
    table: list[str] = []
    everything: list[AfterWrite] = []
    write_s: list[float] = []
    for label, setup in sizes:
        token = _token(setup)
        routes = data_routes(setup)
        proc, base = start_server(setup)
        try:
            sessions = {"admin": sign_in(base, "admin"), "manager": sign_in(base, setup.manager)}
            writer = Writer(base, token, setup)
            results = []
            for viewer, cookies in sessions.items():
                for path in routes:
                    m = after_one_write(base, writer, cookies, viewer, path)
                    print(f"  {label} {viewer} {path}: {m.after_ms} {m.note}")
                    results.append(m)
            allowed = {
                v: [m.route for m in results if m.viewer == v and m.after_ms] for v in sessions
            }
            seen = under_writes(base, writer, sessions, allowed)
            results = [
                replace(m, under_ms=tuple(seen.get((m.viewer, m.route), ()))) for m in results
            ]
            write_s += writer.seconds
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        table += _rows(f"{label} ({setup.activities:,})", results, BARS_MS[label])
        everything += results
    lines = [
        f"Measured {now()} on {machine()}.",
        "",
        "Each route right after a write, as `bench web` serves the demo store (one uvicorn "
        "process): *first* is the route's first answer after the server started (ms, cold: "
        "nothing remembered); *after one write* is each of the three rounds that follow, of one "
        "new activity posted through the batch API and then one request of the route (ms); "
        "*under writes* is the same route's "
        f"p95 while {USERS} users (half administrators, half a region's manager) go through every "
        f"route for {UNDER_WRITES_S:.0f} s and a batch of {BATCH} activities arrives every second "
        "(n: requests of that route in the run). Bar: p95 under 300 ms at 10M and under 1 s at "
        "50M for every route.",
        "",
        "| store (activities) | route | viewer | first (ms) | after one write (ms) | n "
        "| under writes p95 (ms) | bar | |",
        "|---|---|---|---:|---|---:|---:|---|---|",
        *table,
        "",
        f"Batch posts: {len(write_s)}, median {1000 * sorted(write_s)[len(write_s) // 2]:,.0f} ms "
        f"each (one row, or {BATCH} under writes)."
        if write_s
        else "",
        "",
        f"The whole benchmark took {time.perf_counter() - started:,.0f} s; the machine's load "
        f"average (1 minute) was {load[0]:.1f} at its start and {os.getloadavg()[0]:.1f} at its "
        "end.",
    ]
    record("web-after-write", "\n".join(lines))
    return everything
