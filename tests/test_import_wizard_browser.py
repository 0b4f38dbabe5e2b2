"""The import wizard in a real browser: a Dutch file's detected choices shown in the selects, its
columns chosen with the drop-downs, the check shown again, then imported with the right days."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import test_browser
from salesperf.metrics.periods import local_datetime
from salesperf.store import Store

# the browser, the live server on the web store and its offline page, as test_browser has them
pytestmark = test_browser.pytestmark
browser_type_launch_args = test_browser.browser_type_launch_args
store_path = test_browser.store_path
live = test_browser.live
offline = test_browser.offline

CALLS = (
    "Nummer;Verkoper;Soort;Tijdstip;Duur\n"
    "WB1;R002;call;03-09-2026 10:00;1,5\n"
    "WB2;R003;email;29/08/2026 09:30;0,5\n"
)


def test_a_dutch_file_is_chosen_checked_and_imported_in_the_browser(
    offline: Any, live: str, store_path: Path, tmp_path: Path
) -> None:
    page = offline
    test_browser._sign_in(page, live, "admin", "/import")
    upload = tmp_path / "gesprekken.csv"
    upload.write_bytes(CALLS.encode("cp1252"))
    page.select_option("select[name=table]", "activities")
    page.set_input_files("input[name=file]", str(upload))
    page.click("form[action='/import/preview'] button.primary")
    page.wait_for_selector("#wizard-errors")
    assert page.input_value("#wizard-delimiter") == "semicolon"
    assert page.input_value("#wizard-decimal") == "comma"
    assert page.input_value("#wizard-date_format") == "DD-MM-YYYY"
    assert page.locator("#run-import").count() == 0  # the required columns are not chosen yet
    for column, source in (("activity_id", "Nummer"), ("rep_id", "Verkoper"), ("type", "Soort"),
                           ("occurred_at", "Tijdstip"), ("duration_min", "Duur")):  # fmt: skip
        page.select_option(f"select[name='column.{column}']", source)
    page.click("#wizard-update")
    page.wait_for_selector("#run-import")
    assert page.get_attribute("[data-summary]", "data-summary") == "2,2,0"
    page.click("#run-import")
    page.wait_for_selector("dl.counts")
    assert page.inner_text('[data-count="inserted"]') == "2"
    with Store.open(store_path) as s:
        rows = s._exec(
            "SELECT activity_id, occurred_at, duration_min FROM activities "
            "WHERE activity_id LIKE 'WB%' ORDER BY activity_id"
        )
        tz = s.settings.timezone
    days = [(a, local_datetime(t, tz).date(), local_datetime(t, tz).hour, d) for a, t, d in rows]
    assert days == [("WB1", date(2026, 9, 3), 10, 1.5), ("WB2", date(2026, 8, 29), 9, 0.5)]
