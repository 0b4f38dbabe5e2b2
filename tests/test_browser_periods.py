"""The period picker in a real browser (Debian's Chromium driven by Playwright) against a live
server: a manager picks "quarter to date", then a custom range of two days, and the page shows
each period back, with the figures the scorecard gives for those days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from browsertools import CHROMIUM, DEADLINE, serve
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import Period
from salesperf.scorecard import scorecard
from salesperf.store import Store
from webtools import ADMIN, PASSWORD, TODAY, app_for, build_web_store

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_store(tmp_path_factory.mktemp("browser-periods") / "store.duckdb")


@pytest.fixture(scope="module")
def live(store_path: Path) -> Iterator[str]:
    """The app served on a free port, in a thread; yields its base URL."""
    with serve(app_for(store_path)) as url:
        yield url


def _activities(path: Path, start: date, end: date) -> str:
    """The organisation's activities over [start, end) as the page writes them, computed here."""
    with Store.open(path) as s:
        card = scorecard(s, by="org", period=Period(start, end, "x"), metrics=("activities",))
    return fmt.metric(card.rows[0].cells["activities"].value, "count", "en")


def test_picking_quarter_to_date_and_a_custom_range(page: Any, live: str, store_path: Path) -> None:
    page.set_default_timeout(DEADLINE * 1000)
    page.goto(f"{live}/login?next=/")
    page.fill("input[name=username]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live}/")
    box = page.locator('form.period input[name="period"]')
    assert box.input_value() == "Q3 2026"  # the last full quarter before the reference day

    page.get_by_role("button", name="Quarter to date").click()
    page.wait_for_url("**period=quarter+to+date*")
    assert date(2026, 10, 1) == TODAY  # the quarter's first day: to date, that day alone
    assert box.input_value() == "2026-10-01"
    assert page.locator(".period-picker").get_attribute("data-period") == "2026-10-01"
    chosen = page.locator('.period-quick button[aria-current="true"]')
    assert chosen.inner_text() == "Quarter to date"

    page.fill('input[name="period_from"]', "2026-08-01")
    page.fill('input[name="period_to"]', "2026-08-31")
    page.get_by_role("button", name="Show range").click()
    page.wait_for_url("**period_to=2026-08-31*")
    assert box.input_value() == "2026-08-01 – 2026-08-31"
    assert page.locator(".period-picker").get_attribute("data-period") == "2026-08-01..2026-08-31"
    shown = page.locator('.kpi[data-metric="activities"] .value').inner_text()
    assert shown == _activities(store_path, date(2026, 8, 1), date(2026, 9, 1))
    before = page.locator('.kpi[data-metric="activities"] [data-compare="previous"]').inner_text()
    assert "vs July 2026" not in before and "vs 2026-07-01 – 2026-07-31" in before

    # period.js: the range's last day cannot be set before its first
    page.fill('input[name="period_from"]', "2026-09-15")
    page.locator('input[name="period_from"]').dispatch_event("change")
    assert page.locator('input[name="period_to"]').get_attribute("min") == "2026-09-15"
    assert page.locator('input[name="period_to"]').input_value() == "2026-09-15"
