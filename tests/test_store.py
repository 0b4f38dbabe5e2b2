"""The store: opening, schema versions and upgrades, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesperf.schema import TABLES
from salesperf.store import Store, StoreError
from salesperf.store.migrations import LATEST_VERSION
from salesperf.store.system_tables import IMPORTS, META, REJECTS


def test_a_new_store_has_every_canonical_table_with_its_schema(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as s:
        assert s.schema_version == LATEST_VERSION
        for name, spec in TABLES.items():
            assert s.table(name).schema() == spec.schema, name


def test_an_old_store_upgrades_itself_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path, target_version=1) as s:
        assert s.schema_version == 1
        assert IMPORTS not in s.con.list_tables()
        s.set_setting("timezone", "Europe/Amsterdam")
        s._exec("INSERT INTO teams (team_id, name) VALUES ('T1', 'North')")
    with Store.open(path) as s:
        assert s.schema_version == LATEST_VERSION
        assert {IMPORTS, REJECTS} <= set(s.con.list_tables())
        assert s.table("teams").execute().team_id.tolist() == ["T1"]
        assert s.settings.timezone == "Europe/Amsterdam"


def test_a_store_from_a_newer_salesperf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as s:
        s._exec(f"UPDATE {META} SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than this salesperf"):
        Store.open(path)


@pytest.mark.slow
def test_store_location_from_argument_environment_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open() as s:
        assert s.path == Path("salesperf.duckdb")
    assert (tmp_path / "salesperf.duckdb").exists()
    monkeypatch.setenv("SALESPERF_STORE", str(tmp_path / "env.duckdb"))
    with Store.open() as s:
        assert s.path == tmp_path / "env.duckdb"
    with Store.open(f"duckdb://{tmp_path / 'url.duckdb'}") as s:
        assert s.path == tmp_path / "url.duckdb"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgres://nowhere/db", "supported stores are"),
        ("{tmp}", "is a folder"),
        ("{tmp}/no/such/folder/s.duckdb", "folder"),
    ],
)
def test_unusable_store_locations_are_refused(tmp_path: Path, url: str, words: str) -> None:
    with pytest.raises(StoreError, match=words):
        Store.open(url.format(tmp=tmp_path))


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.duckdb"
    path.write_text("shopping list\n")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open(path)


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [("timezone", "Europe/Amsterdam", "Europe/Amsterdam"), ("currency", "usd", "USD"),
     ("activity_types", "Webinar, site_visit", "webinar,site_visit")],
)  # fmt: skip
def test_settings_are_checked_and_kept(tmp_path: Path, key: str, value: str, stored: str) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as s:
        assert s.set_setting(key, value) == stored
    with Store.open(path) as s:
        if key == "activity_types":
            assert s.settings.activity_types[-2:] == ("webinar", "site_visit")
        else:
            assert getattr(s.settings, key) == stored


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("timezone", "Mars/Olympus", "not a time zone"), ("currency", "euro", "not a currency"),
     ("activity_types", "coffee break!", "single words"), ("colour", "red", "no setting")],
)  # fmt: skip
def test_bad_settings_are_refused(tmp_path: Path, key: str, value: str, words: str) -> None:
    with Store.open(tmp_path / "s.duckdb") as s, pytest.raises(StoreError, match=words):
        s.set_setting(key, value)
