"""Money in several currencies: ECB rates, the as-of conversion every metric uses, a display
currency on the scorecard (CLI and API), the same figures on every engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from currency_converter import CurrencyConverter
from typer.testing import CliRunner

from salesperf.cli.app import app
from salesperf.fx import converted_deals, ecb_rates, ensure_rates
from salesperf.metrics.compiler import run
from salesperf.metrics.periods import Grain
from salesperf.metrics.query import By, Query
from salesperf.scorecard import scorecard
from salesperf.store import Store, StoreError
from salesperf.store.migrations import LATEST_VERSION

Factory = Callable[..., Store]

# units of EUR (the organisation's currency) per unit; 2025-01-04 and -05 are a weekend, and
# GBP has no rate on 2025-01-03
RATES = [
    ("USD", date(2025, 1, 2), 0.90),
    ("USD", date(2025, 1, 3), 0.95),
    ("USD", date(2025, 1, 6), 0.92),
    ("USD", date(2025, 1, 7), 0.93),
    ("GBP", date(2025, 1, 2), 1.20),
    ("GBP", date(2025, 1, 6), 1.25),
]


def _ts(day: int, hour: int = 10) -> datetime:
    return datetime(2025, 1, day, hour)


# (deal_id, rep_id, status, amount, currency, created, closed)
DEALS = [
    ("D1", "R1", "won", 1000.0, "EUR", _ts(2), _ts(3)),
    ("D2", "R1", "won", 1000.0, "USD", _ts(2), _ts(4)),  # closed on a Saturday: Friday's rate
    ("D3", "R2", "won", 100.0, "GBP", _ts(3), _ts(6)),  # created on a day GBP has no rate
    ("D4", "R2", "lost", 500.0, "USD", _ts(6), _ts(7)),
    ("D5", "R1", "won", 200.0, None, _ts(2), _ts(6)),  # no currency: the organisation's
    ("D6", "R2", "open", 300.0, "USD", _ts(3), None),
    ("D7", "R2", "won", 50.0, "GBP", _ts(6), _ts(7, 23)),
]
MONTH = Query(
    ("revenue_won", "avg_deal_size", "pipeline_created", "win_rate", "deals_won"),
    date(2025, 1, 1), date(2025, 2, 1), Grain.ALL, By.REP,
)  # fmt: skip


def _load(s: Store) -> Store:
    s.merge_rows("teams", [{"team_id": "T", "name": "Team"}])
    s.merge_rows("reps", [{"rep_id": r, "name": r, "team_id": "T"} for r in ("R1", "R2")])
    s.merge_rows(
        "deals",
        [
            dict(
                zip(
                    (
                        "deal_id",
                        "rep_id",
                        "status",
                        "amount",
                        "currency",
                        "created_at",
                        "closed_at",
                    ),
                    d,
                    strict=True,
                )
            )
            for d in DEALS
        ],
    )
    s.merge_rows("fx_rates", [{"currency": c, "date": d, "rate": r} for c, d, r in RATES])
    return s


@pytest.fixture
def fx_store(tmp_path: Path) -> Any:
    with Store.open(tmp_path / "fx.duckdb") as s:
        yield _load(s)


def _rate(currency: str | None, day: date, rates: list[tuple[str, date, float]]) -> float:
    """The last rate on or before the day, by hand (independent of the product's join)."""
    if not isinstance(currency, str) or currency == "EUR":
        return 1.0
    on = [r for c, d, r in sorted(rates) if c == currency and d <= day]
    return on[-1]


def _expected(to: str | None = None) -> pd.DataFrame:
    """revenue_won, avg_deal_size, pipeline_created and win_rate per rep, with pandas."""
    df = pd.DataFrame(DEALS, columns=["deal", "rep", "status", "amount", "cur", "c", "x"])

    def conv(amount: float, cur: str | None, day: date) -> float:
        value = amount * _rate(cur, day, RATES)
        return value / _rate(to, day, RATES) if to else value

    df["at_close"] = [
        conv(a, c, x.date()) if pd.notna(x) else None
        for a, c, x in zip(df.amount, df.cur, df.x, strict=True)
    ]
    df["at_created"] = [
        conv(a, c, t.date()) for a, c, t in zip(df.amount, df.cur, df.c, strict=True)
    ]
    won = df[df.status == "won"].groupby("rep")["at_close"]
    closed = df[df.status.isin(["won", "lost"])].groupby("rep")["status"]
    return pd.DataFrame(
        {
            "revenue_won": won.sum(),
            "avg_deal_size": won.mean(),
            "pipeline_created": df.groupby("rep")["at_created"].sum(),
            "win_rate": closed.apply(lambda s: (s == "won").mean()),
        }
    )


def test_amounts_are_converted_at_the_last_rate_on_or_before_each_date(fx_store: Store) -> None:
    d = converted_deals(fx_store.con, "EUR").to_pandas().set_index("deal_id")
    # by hand: D2 closed on Saturday 4 January takes Friday's 0.95; created on the 2nd, 0.90
    assert d.loc["D2", "amount"] == pytest.approx(950.0)
    assert d.loc["D2", "amount_created"] == pytest.approx(900.0)
    # D3: created on the 3rd, when GBP had no rate: the 2nd's 1.20; closed on the 6th at 1.25
    assert d.loc["D3", "amount_created"] == pytest.approx(120.0)
    assert d.loc["D3", "amount"] == pytest.approx(125.0)
    # the organisation's currency and no currency at all: as given
    assert d.loc["D1", "amount"] == 1000.0 and d.loc["D5", "amount"] == 200.0
    # an open deal is valued at the latest rate
    assert d.loc["D6", "amount"] == pytest.approx(300 * 0.93)
    # what was given is kept
    assert d.loc["D2", "amount_given"] == 1000.0 and d.loc["D2", "currency"] == "USD"
    assert pd.isna(d.loc["D5", "currency"])


@pytest.mark.slow
def test_metrics_equal_an_independent_pandas_computation(fx_store: Store) -> None:
    got = run(fx_store.con, MONTH, "UTC", "EUR").set_index("rep_id")
    want = _expected()
    for m in ("revenue_won", "avg_deal_size", "pipeline_created", "win_rate"):
        for rep in ("R1", "R2"):
            assert got.loc[rep, m] == pytest.approx(want.loc[rep, m]), (m, rep)
    # and by hand, so that the test fails if the conversion were skipped
    assert got.loc["R1", "revenue_won"] == pytest.approx(1000 + 950 + 200)
    assert got.loc["R1", "pipeline_created"] == pytest.approx(1000 + 900 + 200)
    assert got.loc["R2", "revenue_won"] == pytest.approx(125 + 50 * 1.25)
    assert got.loc["R2", "win_rate"] == pytest.approx(2 / 3)


@pytest.mark.slow
def test_nothing_is_summed_unconverted(fx_store: Store) -> None:
    """A deal whose currency has no rate (written past the import's checks) is left out of the
    sums, never added as if it were in euros."""
    fx_store.merge_rows(
        "deals",
        [
            {"deal_id": "D8", "rep_id": "R1", "status": "won", "amount": 10_000.0,
             "currency": "JPY", "created_at": _ts(2), "closed_at": _ts(3)},
        ],
    )  # fmt: skip
    got = run(fx_store.con, MONTH, "UTC", "EUR").set_index("rep_id")
    assert got.loc["R1", "revenue_won"] == pytest.approx(1000 + 950 + 200)
    assert got.loc["R1", "deals_won"] == 4  # the deal counts; its amount does not


@pytest.mark.slow
def test_a_display_currency_converts_the_same_way(fx_store: Store) -> None:
    got = run(fx_store.con, MONTH, "UTC", "EUR", "USD").set_index("rep_id")
    want = _expected(to="USD")
    for m in ("revenue_won", "avg_deal_size", "pipeline_created"):
        for rep in ("R1", "R2"):
            assert got.loc[rep, m] == pytest.approx(want.loc[rep, m]), (m, rep)
    # D2 in USD stays 1000 USD: in and out at the same day's rate
    d = converted_deals(fx_store.con, "EUR", "USD").to_pandas().set_index("deal_id")
    assert d.loc["D2", "amount"] == pytest.approx(1000.0)
    assert d.loc["D1", "amount"] == pytest.approx(1000 / 0.95)
    card = scorecard(fx_store, period="2025-01", metrics=("revenue_won", "win_rate"),
                     currency="usd")  # fmt: skip
    assert card.currency == "USD"
    rows = {r.key: r.cells for r in card.rows}
    assert rows["R1"]["revenue_won"].value == pytest.approx(want.loc["R1", "revenue_won"])
    assert rows["R2"]["win_rate"].value == pytest.approx(2 / 3)
    assert scorecard(fx_store, period="2025-01", metrics=("revenue_won",)).currency == "EUR"


@pytest.mark.slow
def test_scorecard_currency_on_the_command_line(fx_store: Store) -> None:
    runner = CliRunner()
    args = ["scorecard", "--store", str(fx_store.path), "--period", "2025-01",
            "--metrics", "revenue_won,win_rate"]  # fmt: skip
    r = runner.invoke(app, [*args, "--currency", "USD", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["currency"] == "USD"
    values = {row["key"]: row["values"]["revenue_won"]["value"] for row in data["rows"]}
    assert values["R1"] == pytest.approx(_expected(to="USD").loc["R1", "revenue_won"])
    r = runner.invoke(app, [*args, "--currency", "USD"])
    assert r.exit_code == 0 and "Amounts in USD" in r.output
    for bad, why in (("XYZ", "no exchange rates for XYZ"), ("EURO", "'EURO' is not a currency")):
        r = runner.invoke(app, [*args, "--currency", bad])
        assert r.exit_code == 2, r.output
        assert why in r.output


def assert_same(got: object, want: object, where: str = "") -> None:
    """Equal structures, floats equal to 1e-9 relative."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and set(got) == set(want), where
        for k in want:
            assert_same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and isinstance(got, int | float):
        assert got == pytest.approx(want, rel=1e-9), where
    else:
        assert got == want, where


@pytest.mark.slow
def test_scorecard_and_query_currency_on_the_api(tmp_path: Path) -> None:
    from webtools import ADMIN, PERIOD, app_for, build_web_store, client_for

    path = build_web_store(tmp_path / "web.duckdb")
    client, _ = client_for(app_for(path), ADMIN)
    eur = client.get("/api/scorecard", params={"by": "org", "period": PERIOD}).json()
    usd = client.get("/api/scorecard", params={"by": "org", "period": PERIOD, "currency": "USD"})
    assert usd.status_code == 200
    assert eur["currency"] == "EUR" and usd.json()["currency"] == "USD"
    with Store.open(path) as s:
        # the same figures; converted amounts are sums of fractions, which a parallel engine
        # may add in another order, so they agree to the last few digits, not bit for bit
        answer = usd.json()
        # the route says which day it judged as of, and sets each figure against the period
        # before and last year with its data-quality findings; the library's scorecard does not
        assert answer.pop("as_of")["day"] is not None
        assert answer.pop("compare")["previous"]
        for m in answer["metrics"]:
            m.pop("higher_is_better")
        for cell in answer["rows"][0]["values"].values():
            cell.pop("compare"), cell.pop("quality")
        assert_same(
            answer,
            json.loads(json.dumps(scorecard(s, by="org", period=PERIOD, currency="USD").to_json())),
        )
    e = eur["rows"][0]["values"]["revenue_won"]["value"]
    u = usd.json()["rows"][0]["values"]["revenue_won"]["value"]
    assert e > 0 and u > e  # a dollar was worth less than a euro throughout 2025-2026
    assert usd.json()["rows"][0]["values"]["win_rate"] == eur["rows"][0]["values"]["win_rate"]
    for bad in ("XYZ", "EURO"):
        r = client.get("/api/scorecard", params={"period": PERIOD, "currency": bad})
        assert r.status_code == 422 and bad in r.text
    body = {"metrics": ["revenue_won"], "start": "2026-07-01", "end": "2026-10-01",
            "grain": "all", "by": "org"}  # fmt: skip
    q = client.post("/api/query", json={**body, "currency": "USD"})
    assert q.status_code == 200
    assert q.json()["rows"][0]["revenue_won"] == pytest.approx(u)
    r = client.post("/api/query", json={**body, "currency": "XYZ"})
    assert r.status_code == 422 and "XYZ" in r.text


@pytest.mark.slow
def test_ensure_rates_loads_the_ecb_rates_once_and_gives_first_dates(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as s:
        s.merge_rows("fx_rates", [{"currency": "ABC", "date": date(2024, 5, 1), "rate": 2.0}])
        first = ensure_rates(s, ["usd", "EUR", "XYZ", "ABC"])
        assert first == {"USD": date(1999, 1, 4), "EUR": date.min, "XYZ": None,
                         "ABC": date(2024, 5, 1)}  # fmt: skip
        n = s.count("fx_rates")
        ecb = ecb_rates("USD", "EUR")
        assert ecb is not None and n == ecb.num_rows + 1
        assert ensure_rates(s, ["USD"]) == {"USD": date(1999, 1, 4)}
        assert s.count("fx_rates") == n  # not loaded twice


@pytest.mark.parametrize(
    ("currency", "org"), [("USD", "EUR"), ("GBP", "USD"), ("EUR", "GBP"), ("JPY", "CHF")]
)
def test_ecb_rates_agree_with_currencyconverter(currency: str, org: str) -> None:
    table = ecb_rates(currency, org)
    assert table is not None
    rates = {r["date"]: r["rate"] for r in table.to_pylist()}
    c = CurrencyConverter()
    for day in (date(2001, 3, 15), date(2015, 1, 15), date(2023, 4, 4), date(2025, 6, 30)):
        assert rates[day] == pytest.approx(c.convert(1, currency, org, date=day), rel=1e-9)
    assert date(2023, 4, 8) not in rates  # a Saturday
    assert ecb_rates("XYZ", "EUR") is None and ecb_rates("USD", "XYZ") is None


@pytest.mark.parametrize("backend", ["postgres", "spark"])
def test_the_same_figures_on_postgres_and_spark(engine_store: Factory, tmp_path: Path) -> None:
    with Store.open(tmp_path / "ref.duckdb") as ref:
        want = run(_load(ref).con, MONTH, "UTC", "EUR", "USD").set_index("rep_id")
    s = _load(engine_store())
    got = run(s.con, MONTH, "UTC", "EUR", "USD").set_index("rep_id")
    for m in ("revenue_won", "avg_deal_size", "pipeline_created", "win_rate"):
        for rep in ("R1", "R2"):
            assert round(float(got.loc[rep, m]), 2) == round(float(want.loc[rep, m]), 2)
    eur = run(s.con, MONTH, "UTC", "EUR").set_index("rep_id")
    assert eur.loc["R1", "revenue_won"] == pytest.approx(1000 + 950 + 200)


@pytest.mark.parametrize("backend", ["duckdb"])
def test_a_version_4_store_reads_its_deals_in_the_organisations_currency(
    engine_store: Factory,
) -> None:
    old = engine_store(target_version=4)
    # a store made before version 5 had no currency column (later versions' tables have it)
    old._exec("ALTER TABLE deals DROP COLUMN currency")
    old._exec("INSERT INTO teams (team_id) VALUES ('T')")
    old._exec("INSERT INTO reps (rep_id, team_id) VALUES ('R1', 'T')")
    old._exec(
        "INSERT INTO deals (deal_id, rep_id, created_at, status, amount, closed_at) VALUES "
        "('D1', 'R1', TIMESTAMP '2025-01-02 10:00', 'won', 700, TIMESTAMP '2025-01-03 10:00')"
    )
    assert "currency" not in old.table("deals").columns
    url = old.url
    old.close()
    with Store.open(url) as s:
        assert s.schema_version == LATEST_VERSION
        assert s.table("deals").currency.isnull().all().execute()
        got = run(s.con, MONTH, "UTC", s.settings.currency).set_index("rep_id")
        assert got.loc["R1", "revenue_won"] == 700.0


def test_the_organisations_currency_cannot_change_under_stored_amounts(tmp_path: Path) -> None:
    """Rates into EUR and deals in EUR would be read as USD: the change is refused, saying how
    to show the figures in USD instead; an empty store may change it."""
    with Store.open(tmp_path / "s.duckdb") as s:
        assert s.set_setting("currency", "USD") == "USD"  # nothing stored yet
        assert s.set_setting("currency", "EUR") == "EUR"
        s.merge_rows("teams", [{"team_id": "T1"}])
        s.merge_rows("reps", [{"rep_id": "R1", "team_id": "T1"}])
        s.merge_rows("deals", [{"deal_id": "D1", "rep_id": "R1", "status": "open",
                                "created_at": datetime(2025, 1, 6), "amount": 10.0,
                                "currency": "EUR"}])  # fmt: skip
        with pytest.raises(StoreError, match=r"1 deals with amounts in EUR.*--currency USD"):
            s.set_setting("currency", "USD")
        assert s.settings.currency == "EUR"


@pytest.mark.slow
def test_the_demo_replaces_a_store_in_another_currency(tmp_path: Path) -> None:
    from salesperf.demo import DemoConfig, build_demo

    with Store.open(tmp_path / "s.duckdb") as s:
        s.set_setting("currency", "USD")
        s.merge_rows("teams", [{"team_id": "T1"}])
        s.merge_rows("reps", [{"rep_id": "R1", "team_id": "T1"}])
        s.merge_rows("deals", [{"deal_id": "D1", "rep_id": "R1", "status": "open",
                                "created_at": datetime(2025, 1, 6), "amount": 10.0}])  # fmt: skip
        build_demo(s, DemoConfig(reps=4, years=1))
        assert s.settings.currency == "EUR"
