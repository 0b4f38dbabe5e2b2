"""The CRM sync settings page in a real browser (Debian's Chromium): axe-core finds no serious
or critical violation, in English and in Dutch, with a CRM connected and synced (its runs'
table, its forms) and one not connected; the page does not scroll sideways on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from browsertools import CHROMIUM, LANGS, axe_violations, new_page, open_page, serve
from synctools import TOKEN, FakeCrm, Record, install, services
from webtools import ADMIN, app_for, build_web_store, client_for

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.slow,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with Pipedrive connected and synced once (one row rejected), HubSpot not."""
    crm = FakeCrm("pipedrive", [Record("SYNC-1", "2026-09-20T10:00:00Z"),
                                Record("SYNC-2", "2026-09-21T10:00:00Z", owner="nobody")])  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        install(mp, crm, FakeCrm("hubspot"))
        path = build_web_store(tmp_path_factory.mktemp("sync") / "store.duckdb")
        app = app_for(path, sync_key=Fernet.generate_key().decode())
        client, csrf = client_for(app, ADMIN)
        assert isinstance(client, TestClient)
        data = {"csrf_token": csrf or "", "token": TOKEN, "domain": "acme", "every_minutes": "60"}
        client.post("/settings/sync/pipedrive/connect", data=data)
        client.post("/settings/sync/pipedrive/run", data={"csrf_token": csrf or ""})
        assert services(app).sync_jobs.wait("pipedrive", 300)
        with serve(app) as url:
            yield url


@pytest.mark.parametrize("lang", LANGS)
def test_the_sync_page_has_no_serious_violations(browser: Any, live: str, lang: str) -> None:
    page = new_page(browser, live, lang, ADMIN)
    try:
        assert open_page(page, live + "/settings/sync") == 200
        assert page.locator('tr[data-object="activities"] td[data-col="rejected"]').count() == 1
        found = axe_violations(page)
        assert found == [], "\n".join(found)
        page.set_viewport_size({"width": 390, "height": 900})
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        wide = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter(e => !e.closest('.scroll') && "
            "e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + "
            "'.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways on a phone: {widths} {wide}"
        assert TOKEN not in page.content()
    finally:
        page.context.close()
