"""Exports as the viewer reads them: a Dutch viewer's CSV is separated by semicolons with decimal
commas (Excel in Dutch opens it in columns), an English viewer's by commas with decimal points;
headers are the metric and column labels of the viewer's language, times are in the
organisation's zone with the zone named; Excel files have a frozen header, fitted columns and
number formats; a table's CSV is streamed from the store; an Excel export of a table is a job
whose progress and file only the user who started it can see.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from salesperf.cells import csv_cell, csv_texts
from salesperf.i18n.words import word
from salesperf.metrics.periods import local_datetime
from salesperf.scorecard import scorecard
from salesperf.store import Store
from webtools import ADMIN, MANAGER, PERIOD, REP, REP_ID, app_for, build_web_store, client_for

ZONE = "Europe/Amsterdam"  # the demo organisation's
METRICS = "activities,revenue_won,win_rate"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One demo store and app for the module, a client per role, and the store for checks."""
    path = build_web_store(tmp_path_factory.mktemp("exports") / "store.duckdb")
    app = app_for(path)
    clients = {name: client_for(app, name) for name in (ADMIN, MANAGER, REP)}
    store = Store.open(path)
    assert store.settings.timezone == ZONE
    yield {"app": app, "store": store, "clients": clients}
    store.close()
    for client, _ in clients.values():
        client.close()


def _card(store: Store) -> pd.DataFrame:
    card = scorecard(store, by="rep", period=PERIOD, metrics=tuple(METRICS.split(",")))
    return card.to_frame().set_index("key")


def test_csv_texts_follow_the_rule_of_csv_cell() -> None:
    values = ["=1+1", "  =1+1", "\n-2+3", "\rA7", "\uff1d1", "R-9", "a=b", "  plain", "", None]
    got = csv_texts(pa.array(values, pa.string())).to_pylist()
    assert got == [None if v is None else csv_cell(v) for v in values]
    assert got[:3] == ["'=1+1", "'  =1+1", "'\n-2+3"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "sep", "decimal", "labels"),
    [
        ("nl", ";", ",", ("Activiteiten", "Gewonnen omzet (EUR)", "Winratio")),
        ("en", ",", ".", ("Activities", "Revenue won (EUR)", "Win rate")),
    ],
)
def test_the_scorecard_csv_reads_back_in_the_viewers_language(
    web: dict[str, Any], lang: str, sep: str, decimal: str, labels: tuple[str, ...]
) -> None:
    client = web["clients"][ADMIN][0]
    r = client.get(
        "/export/scorecard",
        params={"by": "rep", "period": PERIOD, "metrics": METRICS},
        headers={"Accept-Language": lang},
    )
    assert r.status_code == 200, r.text[:300]
    text = r.content.decode("utf-8-sig")
    header = text.split("\r\n", 1)[0]
    assert header.count(sep) >= 5 and (sep == ";") == (";" in header)
    got = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal).set_index(header.split(sep)[0])
    want = _card(web["store"])
    activities, revenue, win_rate = labels
    assert list(got.index) == list(want.index)
    assert [int(v) for v in got[activities]] == [int(v) for v in want["activities"]]
    assert got[revenue].to_numpy() == pytest.approx(want["revenue_won"].to_numpy(), abs=0.005)
    assert got[revenue].sum() > 0
    rates = want["win_rate"].astype(float).to_numpy()
    assert got[win_rate].to_numpy() == pytest.approx(rates, abs=5e-5, nan_ok=True)
    assert pd.api.types.is_float_dtype(got[win_rate])  # a number, not text
    # rounded as the metric requires: money to cents, ratios to four decimals
    for line in text.split("\r\n")[1:3]:
        cells = line.split(sep)
        fractions = [c.split(decimal)[1] for c in cells if c.count(decimal) == 1]
        assert fractions and all(len(f) <= 4 for f in fractions), line


@pytest.mark.slow
def test_a_dutch_viewer_may_choose_the_english_csv_and_canonical_headers(
    web: dict[str, Any],
) -> None:
    client = web["clients"][ADMIN][0]
    params = {"by": "rep", "period": PERIOD, "metrics": METRICS}
    nl = {"Accept-Language": "nl"}
    english = client.get("/export/scorecard", params={**params, "csv": "comma"}, headers=nl)
    got = pd.read_csv(io.StringIO(english.content.decode("utf-8-sig")))
    assert "Gewonnen omzet (EUR)" in got.columns  # Dutch words, English separators
    canonical = client.get(
        "/export/scorecard", params={**params, "headers": "canonical"}, headers=nl
    )
    assert not canonical.content.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.StringIO(canonical.text)).set_index("key")
    want = _card(web["store"])
    assert list(frame.columns[:4]) == ["name", "period_start", "activities", "activities_previous"]
    assert frame["win_rate"].to_numpy() == pytest.approx(
        want["win_rate"].astype(float).to_numpy(), rel=1e-12, nan_ok=True
    )
    bad = client.get("/export/scorecard", params={**params, "csv": "tab"}, headers=nl)
    assert bad.status_code == 422


@pytest.mark.slow
def test_the_scorecard_xlsx_has_a_frozen_header_widths_and_number_formats(
    web: dict[str, Any],
) -> None:
    client = web["clients"][ADMIN][0]
    r = client.get(
        "/export/scorecard",
        params={"by": "rep", "period": PERIOD, "metrics": METRICS, "format": "xlsx"},
        headers={"Accept-Language": "nl"},
    )
    assert r.status_code == 200, r.text[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    col = {name: i for i, name in enumerate(header)}
    for name, i in col.items():  # at least as wide as the header, never the default 8.43
        letter = openpyxl.utils.get_column_letter(i + 1)
        assert sheet.column_dimensions[letter].width >= len(str(name)), name
    want = _card(web["store"])
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(want)
    for row in rows:
        key = row[col["ID"]].value
        money = row[col["Gewonnen omzet (EUR)"]]
        assert "€" in money.number_format and "0.00" in money.number_format
        assert money.value == pytest.approx(round(float(want.loc[key, "revenue_won"]), 2))
        count = row[col["Activiteiten"]]
        assert count.number_format == "#,##0" and count.value == want.loc[key, "activities"]
        rate = row[col["Winratio"]]
        if rate.value is not None:
            assert rate.number_format == "0.0%"
            assert rate.value == pytest.approx(float(want.loc[key, "win_rate"]), abs=5e-5)
        day = row[col["Begin periode"]]
        assert day.number_format == "dd-mm-yyyy"
        assert day.value == datetime(2026, 7, 1)


def _local(values: pd.Series) -> list[datetime]:
    return [local_datetime(v.to_pydatetime(), ZONE) for v in values]


@pytest.mark.slow
def test_a_tables_csv_is_the_reps_own_rows_in_local_time(web: dict[str, Any]) -> None:
    client = web["clients"][REP][0]
    r = client.get("/export/activities", headers={"Accept-Language": "nl"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/csv")
    got = pd.read_csv(io.StringIO(r.content.decode("utf-8-sig")), sep=";", decimal=",")
    time_header = f"Tijdstip ({ZONE})"
    assert list(got.columns[:4]) == ["Activiteit-ID", "Verkoper-ID", "Soort", time_header]
    stored = web["store"].table("activities").to_pandas()
    want = stored[stored["rep_id"] == REP_ID].set_index("activity_id").sort_index()
    got = got.set_index("Activiteit-ID").sort_index()
    assert len(got) == len(want) > 100 and set(got["Verkoper-ID"]) == {REP_ID}
    assert list(got.index) == list(want.index)
    assert list(pd.to_datetime(got[time_header])) == _local(want["occurred_at"])
    # the organisation's zone is an hour or two ahead of the stored UTC
    assert (pd.to_datetime(got[time_header]) != want["occurred_at"].dt.floor("s")).all()
    duration = want["duration_min"].astype(float).round(2)
    assert got["Duur (minuten)"].to_numpy() == pytest.approx(duration.to_numpy(), nan_ok=True)
    # the vocabulary's codes as the Dutch words (a call is a "Telefoongesprek"), none as code
    assert list(got["Soort"]) == [word(v, "nl") for v in want["type"]]
    assert "Telefoongesprek" in set(got["Soort"]) and "call" not in set(got["Soort"])
    outcomes = got["Uitkomst"].fillna("")
    assert list(outcomes) == [word(v, "nl") if isinstance(v, str) else "" for v in want["outcome"]]
    # the canonical form keeps the codes, for programs
    r = client.get("/export/activities?headers=canonical")
    canonical = pd.read_csv(io.StringIO(r.content.decode("utf-8")))
    assert list(canonical.sort_values("activity_id")["type"]) == list(want["type"])


@pytest.mark.slow
def test_an_excel_job_shows_its_progress_to_its_owner_only(web: dict[str, Any]) -> None:
    client, csrf = web["clients"][REP]
    other = web["clients"][MANAGER][0]
    refused = client.post("/export/jobs", data={"table": "deals"})
    assert refused.status_code == 403  # no CSRF token
    r = client.post(
        "/export/jobs",
        data={"table": "deals", "csrf_token": csrf},
        headers={"Accept-Language": "nl"},
    )
    assert r.status_code == 202, r.text
    job = r.json()
    stored = web["store"].table("deals").to_pandas()
    want = stored[stored["rep_id"] == REP_ID].set_index("deal_id").sort_index()
    assert job["total"] == len(want) > 10 and job["state"] in ("running", "done")
    assert web["app"].state.services.export_jobs.get(REP, job["id"]).done.wait(120)
    progress: dict[str, Any] = client.get(job["progress"]).json()
    assert progress["state"] == "done", progress
    assert progress["written"] == progress["total"] == len(want)
    # another user cannot see the job, nor fetch its file
    assert other.get(job["progress"]).status_code == 404
    assert other.get(progress["download"]).status_code == 404
    file = client.get(progress["download"])
    assert file.status_code == 200
    assert file.headers["content-disposition"].endswith('deals.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(file.content)).active
    assert sheet is not None and sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Deal-ID", "Verkoper-ID", f"Aangemaakt ({ZONE})"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    assert sorted(rows) == list(want.index)
    for deal_id, row in rows.items():
        created = row[2]
        assert created.number_format == "dd-mm-yyyy hh:mm"
        want_created = local_datetime(want.loc[deal_id, "created_at"].to_pydatetime(), ZONE)
        assert abs((created.value - want_created).total_seconds()) < 1
        amount = row[header.index("Bedrag")]
        if amount.value is not None:
            assert amount.number_format == "#,##0.00"
            assert amount.value == pytest.approx(round(want.loc[deal_id, "amount"], 2))


@pytest.mark.slow
def test_an_excel_job_of_an_unknown_table_is_refused(web: dict[str, Any]) -> None:
    client, csrf = web["clients"][REP]
    r = client.post(
        "/export/jobs",
        data={"table": "nope", "csrf_token": csrf},
        headers={"Accept": "application/json"},
    )
    assert r.status_code in (400, 422) and "the tables are: teams, reps" in r.text
    missing = client.get("/export/jobs/not-a-job", headers={"Accept": "application/json"})
    assert missing.status_code == 404


@pytest.mark.slow
def test_the_exports_page_offers_both_csv_forms(web: dict[str, Any]) -> None:
    client = web["clients"][REP][0]
    page = client.get("/exports", headers={"Accept-Language": "nl"})
    assert page.status_code == 200
    assert "Excel in het Nederlands (puntkomma, decimale komma)" in page.text
    assert "csv=semicolon" in page.text and "/static/exports.js" in page.text
