"""The layout in a real browser (Debian's Chromium driven by Playwright) at a laptop's width
(1366 px) and a phone's (390 px), as a manager and as an administrator: no page scrolls
sideways, a table wider than its box scrolls inside its box, the header stays on one line on
the laptop and short on the phone, and clicking a column's heading (or pressing Enter on it)
sorts the rows on the raw numbers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browsertools import CHROMIUM, serve
from webtools import ADMIN, MANAGER, PASSWORD, PERIOD, app_for, build_web_store

#: The longest any wait lasts: a deadline that fails a hung run, never a condition of success.
DEADLINE = 300.0
WIDTHS = (1366, 390)
PAGES = ("/", "/teams", "/teams/T02", "/reps/R009")
PHONE_HEADER = 80  # px: the header's most height on a phone

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on the web store, served on a free port in a thread."""
    path = build_web_store(tmp_path_factory.mktemp("layout") / "store.duckdb")
    with serve(app_for(path)) as url:
        yield url


def _sign_in(page: Any, live: str, username: str) -> None:
    page.set_default_timeout(DEADLINE * 1000)
    page.set_default_navigation_timeout(DEADLINE * 1000)
    page.goto(f"{live}/login?next=/exports")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{live}/exports")


#: Every table that is wider than the box it sits in, where that box does not scroll.
CLIPPED = """() => {
  const out = [];
  document.querySelectorAll('main table').forEach((t, i) => {
    const box = t.closest('.scroll');
    if (!box) {
      if (t.getBoundingClientRect().right > window.innerWidth + 1) out.push('unboxed table ' + i);
      return;
    }
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
    if (t.scrollWidth > box.clientWidth + 1 && !(scrolls && box.scrollWidth > box.clientWidth)) {
      out.push('table ' + i + ' of ' + t.scrollWidth + ' px in a box of ' + box.clientWidth);
    }
    if (box.getBoundingClientRect().right > window.innerWidth + 1) out.push('box ' + i + ' overflows');
  });
  return out;
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("user", [MANAGER, ADMIN])
def test_no_page_scrolls_sideways_and_tables_scroll_in_their_box(
    page: Any, live: str, user: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live, user)
    for path in PAGES:
        page.goto(f"{live}{path}?period={PERIOD}")
        page.wait_for_load_state("load")
        page.wait_for_function(  # tables.js has made every sortable table's headings buttons
            "document.querySelectorAll('table.sortable:not([data-sortable])').length === 0"
        )
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} at {width} px scrolls sideways: {widths}"
        assert page.evaluate(CLIPPED) == [], path
        header = page.locator("header.top").bounding_box()
        if width < 700:
            assert header["height"] <= PHONE_HEADER, f"{path}: header {header['height']} px"
        else:
            tops = page.evaluate(
                "() => [...document.querySelectorAll('header nav a')]"
                ".map(a => Math.round(a.getBoundingClientRect().top))"
            )
            assert len(set(tops)) == 1, f"{path}: the navigation wraps ({tops})"
            nav = page.evaluate(
                "() => { const n = document.querySelector('header nav');"
                " return [n.scrollWidth, n.clientWidth]; }"
            )
            assert nav[0] <= nav[1], f"{path}: the navigation is cut off at {width} px"


def _column(page: Any, table: str, metric: str) -> list[float | None]:
    cells = page.locator(f'{table} tbody tr td[data-metric="{metric}"]')
    raw = [cells.nth(i).get_attribute("data-value") for i in range(cells.count())]
    return [float(v) if v not in (None, "") else None for v in raw]


def _known(values: list[float | None]) -> list[float]:
    known = [v for v in values if v is not None]
    assert values[: len(known)] == known, "missing values come last"
    return known


@pytest.mark.parametrize("width", WIDTHS)
def test_clicking_a_heading_sorts_the_rows(page: Any, live: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live, ADMIN)
    page.goto(f"{live}/teams?period={PERIOD}")
    page.wait_for_selector("table[data-sortable]")
    table = "table.scorecard"
    head = page.locator(f'{table} thead th[data-metric="revenue_won"]')
    before = _column(page, table, "revenue_won")
    assert len(before) == 6  # the organisation and its five teams, in tree order
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "descending"
    down = _known(_column(page, table, "revenue_won"))
    assert down == sorted(before, reverse=True) and len(down) == 6
    head.locator("button.sort").click()
    assert head.get_attribute("aria-sort") == "ascending"
    assert _known(_column(page, table, "revenue_won")) == sorted(before)
    # by keyboard: the heading's button takes the focus and Enter sorts
    other = page.locator(f'{table} thead th[data-metric="activities"]')
    other.locator("button.sort").focus()
    page.keyboard.press("Enter")
    assert other.get_attribute("aria-sort") == "descending"
    assert head.get_attribute("aria-sort") is None
    acts = _known(_column(page, table, "activities"))
    assert acts == sorted(acts, reverse=True) and len(acts) == 6


def test_the_leaderboard_sorts_on_any_metric(page: Any, live: str) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    _sign_in(page, live, MANAGER)
    page.goto(f"{live}/?period={PERIOD}")
    page.wait_for_selector("table.leaderboard[data-sortable]")
    table = "table.leaderboard"
    won = _known(_column(page, table, "revenue_won"))
    assert won == sorted(won, reverse=True)  # ranked on revenue won as served
    head = page.locator(f'{table} thead th[data-metric="win_rate"]')
    before = _column(page, table, "win_rate")
    head.locator("button.sort").click()
    after = _known(_column(page, table, "win_rate"))
    assert after == sorted((v for v in before if v is not None), reverse=True)
    assert page.locator(f"{table} tbody tr").count() == len(before)
