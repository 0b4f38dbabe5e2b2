"""The exports page in a browser: the CSV choice changes the links, and an Excel export of a
table runs as a job whose file the page offers once it is written."""

from __future__ import annotations

from typing import Any

import pytest

import test_browser
from webtools import REP

# the browser tests' fixtures: Debian's Chromium, the app served on a port, the page kept offline
browser_type_launch_args = test_browser.browser_type_launch_args
store_path, live, offline = test_browser.store_path, test_browser.live, test_browser.offline
CHROMIUM = test_browser.CHROMIUM

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


def test_the_exports_page_writes_an_excel_job_and_offers_its_file(
    offline: Any,
    live: str,
) -> None:
    page = offline
    test_browser._sign_in(page, live, REP, "/exports")
    csv_link = page.locator('tr[data-table="activities"] a', has_text="CSV")
    assert "csv=comma" in (csv_link.get_attribute("href") or "")
    page.select_option("select[name=csv]", "semicolon")
    assert "csv=semicolon" in (csv_link.get_attribute("href") or "")
    page.select_option("select[name=headers]", "canonical")
    assert "headers=canonical" in (csv_link.get_attribute("href") or "")
    row = page.locator('tr[data-table="deals"]')
    row.locator("a", has_text="Excel").click()
    download_link = row.locator("[data-export-status] a")
    download_link.wait_for()
    assert download_link.inner_text() == "Download deals.xlsx"
    with page.expect_download() as info:
        download_link.click()
    assert info.value.suggested_filename == "deals.xlsx"
