"""The dashboard in a real browser (Debian's Chromium driven by Playwright) against a live server:
a manager sees their team's numbers, in English and in Dutch; an administrator imports a file
with a bad row; a rep cannot open another rep's page; charts draw; and no page asks anything of
any other server (every such request is aborted and counted). Each page is saved as a
screenshot in test-artifacts/browser/."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from salesperf.i18n import format as fmt
from salesperf.scorecard import scorecard
from salesperf.store import Store
from webtools import MANAGER, PASSWORD, PERIOD, REP, REP_ID, app_for, build_web_store

CHROMIUM = Path("/usr/bin/chromium")
#: The longest any wait lasts (the server's start, a page, a chart, a request): a deadline that
#: fails a hung run on a busy machine, never a condition of success.
DEADLINE = 120.0
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "browser"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (Playwright cannot download a browser here)."""
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"],
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("browser") / "store.duckdb")


@pytest.fixture(scope="module")
def live(store_path: Path) -> Iterator[str]:
    """The app served by uvicorn on a free port, in a thread; yields its base URL."""
    port = _free_port()
    up = threading.Event()  # the server started, or gave up

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            up.set()

    server = Server(
        uvicorn.Config(app_for(store_path), host="127.0.0.1", port=port, log_level="warning")
    )

    def serve() -> None:
        try:
            server.run()
        finally:
            up.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert up.wait(DEADLINE) and server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(DEADLINE)
    assert not thread.is_alive(), "the server did not stop"


@pytest.fixture
def offline(page: Any, live: str) -> Iterator[Any]:
    """The page, with every request to anywhere but the live server aborted and recorded; the
    test fails if there was any."""
    outside: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(live + "/"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.set_default_timeout(DEADLINE * 1000)  # for every wait, navigation and request
    page.set_default_navigation_timeout(DEADLINE * 1000)
    yield page
    assert outside == [], f"pages asked other servers for {outside}"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, live: str, username: str, next_path: str) -> None:
    page.goto(f"{live}/login?next={next_path}")
    _shot(page, "sign-in")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live}{next_path}")


def _charts_drawn(page: Any, at_least: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('.chart[data-drawn] svg').length >= {at_least}"
    )
    assert page.locator(".chart[data-error]").count() == 0


def test_a_manager_sees_the_team_scorecard_in_english_and_dutch(
    offline: Any, live: str, store_path: Path
) -> None:
    page = offline
    _sign_in(page, live, MANAGER, "/teams/T04")
    with Store.open(store_path) as s:
        reps = s.table("reps").to_pandas()
        members = frozenset(reps.rep_id[reps.team_id == "T04"])
        card = scorecard(s, by="rep", period=PERIOD, reps=members)
    row = next(r for r in card.rows if r.cells["revenue_won"].value)
    cell = page.locator(f'tr[data-key="{row.key}"] td[data-metric="revenue_won"] .v')
    won = row.cells["revenue_won"].value
    assert cell.inner_text() == fmt.metric(won, "money", "en")
    rate = page.locator(f'tr[data-key="{row.key}"] td[data-metric="win_rate"] .v')
    assert rate.inner_text() == fmt.metric(row.cells["win_rate"].value, "ratio", "en")
    assert page.locator("tr[data-key]").count() >= len(card.rows)
    assert "Revenue won" in page.locator("table.scorecard thead").first.inner_text()
    _charts_drawn(page, 2)
    _shot(page, "team-en")

    page.click("button.lang[value=nl]")
    page.wait_for_selector("html[lang=nl]")
    assert "Gewonnen omzet" in page.locator("table.scorecard thead").first.inner_text()
    dutch = fmt.metric(won, "money", "nl")
    assert cell.inner_text() == dutch and "." in dutch.replace("€", "")  # € 123.456
    assert rate.inner_text() == fmt.metric(row.cells["win_rate"].value, "ratio", "nl")
    assert "Afmelden" in page.inner_text("header")
    _charts_drawn(page, 2)
    axis = " ".join(page.locator(".chart svg text").all_text_contents())
    assert re.search(r"\b(okt|mrt|mei)\b", axis), axis  # Dutch month names on the time axis
    _shot(page, "team-nl")
    page.goto(f"{live}/")
    _charts_drawn(page, 2)
    assert "Kerncijfers" in page.inner_text("main")
    _shot(page, "overview-nl")
    page.click("button.lang[value=en]")
    page.wait_for_selector("html[lang=en]")
    page.goto(f"{live}/teams")
    assert page.locator('tr[data-key="T02"]').count() == 1
    assert page.locator('tr[data-key="T01"]').count() == 0
    _shot(page, "teams")


def test_an_upload_with_a_bad_row_imports_the_good_rows_and_shows_the_bad_one(
    offline: Any, live: str, store_path: Path, tmp_path: Path
) -> None:
    page = offline
    _sign_in(page, live, "admin", "/import")
    _shot(page, "import")
    upload = tmp_path / "calls.csv"
    upload.write_text(
        "activity_id,rep_id,type,occurred_at,outcome\n"
        "BR1,R002,call,2026-09-01T10:00:00,connected\n"
        "BR2,R002,call,yesterday,connected\n"
        "BR3,R003,email,2026-09-02T09:00:00,sent\n"
    )
    page.select_option("select[name=table]", "activities")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[action='/import/preview'] button.primary")
    page.wait_for_selector("#run-import")
    mapping = page.locator('tr[data-column="occurred_at"]').inner_text()
    assert "occurred_at" in mapping
    _shot(page, "import-preview")
    page.click("#run-import")
    page.wait_for_selector("dl.counts")
    assert page.inner_text('[data-count="inserted"]') == "2"
    assert page.inner_text('[data-count="rejected"]') == "1"
    bad = page.locator('tr[data-line="3"]').inner_text()
    assert "occurred_at" in bad and "yesterday" in bad
    _shot(page, "import-result")
    link = page.locator("a[download]").get_attribute("href")
    rejected = page.request.get(live + link, timeout=DEADLINE * 1000)
    assert rejected.ok and "yesterday" in rejected.text() and "BR1" not in rejected.text()
    with Store.open(store_path) as s:
        ids = s._exec("SELECT activity_id FROM activities WHERE activity_id LIKE 'BR%'")
    assert sorted(i[0] for i in ids) == ["BR1", "BR3"]


def test_a_rep_sees_their_page_but_not_another_reps(offline: Any, live: str) -> None:
    page = offline
    _sign_in(page, live, REP, f"/reps/{REP_ID}")
    _charts_drawn(page, 3)
    assert page.locator(".kpi").count() >= 5
    nav = page.inner_text("header nav")
    assert "Teams" not in nav and "Import" not in nav and "My figures" in nav
    _shot(page, "rep")
    response = page.goto(f"{live}/reps/R003")
    assert response is not None and response.status == 403
    assert "You may not see this." in page.inner_text("main")
    _shot(page, "rep-denied")
    page.goto(f"{live}/exports")
    _shot(page, "exports")
    page.goto(f"{live}/activities/new")
    assert page.locator("select[name=rep_id] option").count() == 1
    _shot(page, "log-activity")


def test_the_quadrant_draws_every_rep_and_a_click_opens_their_diagnosis(
    offline: Any, live: str
) -> None:
    page = offline
    _sign_in(page, live, MANAGER, "/quadrant")
    query = f"window={PERIOD}&peers=own_team"
    page.goto(f"{live}/quadrant?{query}")
    _charts_drawn(page, 1)
    # the page's own numbers
    data = page.request.get(f"{live}/api/quadrant?{query}", timeout=DEADLINE * 1000).json()
    reps = data["diagnosis"]["reps"]
    drawn = [
        r for r in reps
        if r["activity"]["index"]["value"] is not None
        and r["performance"]["index"]["value"] is not None
    ]  # fmt: skip
    assert data["team"] == "T02" and len(drawn) >= 4
    points = page.locator(".chart svg g.mark-symbol.role-mark path")
    assert points.count() == len(drawn)
    whiskers = page.locator(".chart svg g.mark-rule.role-mark line")
    assert whiskers.count() >= len(drawn) + 2  # the intervals and the two lines at 1
    texts = page.locator(".chart svg text").all_text_contents()
    assert "Activity index" in texts and {"Star", "At risk"} <= set(texts)  # the quadrants
    assert page.locator("table.quadrant tbody tr").count() == len(reps)
    assert page.locator("#diagnosis").count() == 0
    _shot(page, "quadrant")
    target = drawn[-1]
    point = page.locator(f'.chart svg path[aria-label*="rep={target["rep_id"]}#diagnosis"]')
    assert point.count() == 1
    point.click()
    # the same page and period, with the rep's diagnosis shown
    page.wait_for_url(f"{live}/quadrant?{query}&rep={target['rep_id']}#diagnosis")
    diagnosis = page.locator(f'#diagnosis[data-rep="{target["rep_id"]}"]')
    diagnosis.wait_for(state="visible")
    assert target["name"] in diagnosis.inner_text()
    assert target["explanation"]["en"][:40] in diagnosis.inner_text()
    _charts_drawn(page, 1)
    _shot(page, "quadrant-click-rep")
