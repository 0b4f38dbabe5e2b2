"""The screenshots in the README and docs/, taken by this test in a real browser (Debian's
Chromium) on the 12-rep web store as a region's manager: the overview, the weekly report and the
quadrant. Each page is checked for what the picture is meant to show before it is taken.

They are saved in test-artifacts/screenshots/; with `SALESPERF_SCREENSHOTS=docs` (what `make
screenshot` sets) they replace docs/images/, which the README and docs show."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browsertools import CHROMIUM, new_page, open_page, serve
from webtools import MANAGER, PERIOD, app_for, build_web_store

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1366, 900


def _folder() -> Path:
    if os.environ.get("SALESPERF_SCREENSHOTS") == "docs":
        return ROOT / "docs" / "images"
    return ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def manager_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    path = build_web_store(tmp_path_factory.mktemp("shots") / "store.duckdb")
    with serve(app_for(path)) as live:
        page = new_page(browser, live, "en", MANAGER)
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        page.live = live
        yield page
        page.context.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _shoot(page: Any, name: str) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    data = page.screenshot(full_page=True)
    width, height = _png_size(data)
    assert width == WIDTH and height >= HEIGHT
    (folder / f"{name}.png").write_bytes(data)


@pytest.mark.parametrize(
    ("name", "path", "shows"),
    [
        # the start page: its leaderboard and the progress to target, judged in mid-quarter
        ("overview", f"/?period={PERIOD}&as_of=2026-08-15", ["#leaderboard", "#progress .bar"]),
        # the weekly report of the manager's region
        ("report", "/report?week=2026-W39", ["h1"]),
        # the quadrant with its named, shaded quadrants and a rep's diagnosis
        ("quadrant", "/quadrant", [".chart[data-drawn]"]),
    ],
)
def test_screenshot(manager_page: Any, name: str, path: str, shows: list[str]) -> None:
    page = manager_page
    assert open_page(page, page.live + path) == 200
    for selector in shows:
        assert page.locator(selector).count() >= 1, f"{path}: no {selector}"
    # nothing sideways, so the picture is the page as a laptop shows it
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shoot(page, name)
