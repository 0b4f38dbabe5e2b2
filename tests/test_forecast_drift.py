"""The forecast's drift on a hand-built history whose answer is known: a kind of deal that
arrives later (renewals, a year after the first wins) is its arrival, not a miss of the rates,
and does not set the year's change of the misses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesperf.analysis.forecast.core import learn
from salesperf.analysis.forecast.drift import _new_misses, _year_change, drift
from salesperf.analysis.forecast.history import read_history
from salesperf.analysis.forecast.model import new_deal_models
from salesperf.ingest.importer import import_file
from salesperf.store import Store

TEAMS = "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\n"
REPS = "rep_id,name,team_id\nR1,Ann,T1\n"
FIRST = date(2023, 1, 2)  # the first new-business deal
RENEWALS = date(2024, 1, 1)  # the first renewal
AS_OF = date(2025, 10, 1)  # the forecast day: 2025-Q4, 92 days left


def _deals() -> str:
    """One new-business deal a day from `FIRST`, one renewal a day from `RENEWALS`, each won
    a week after it was created for 1,000: the same pace, rates and revenue all along, apart
    from the renewals' arrival."""
    rows = ["deal_id,rep_id,created_at,status,amount,closed_at,kind"]
    day = FIRST
    while day < AS_OF:
        made, won = datetime.combine(day, time(12)), datetime.combine(day, time(12)) + timedelta(7)
        rows.append(f"N{day:%Y%m%d},R1,{made.isoformat()},won,1000,{won.isoformat()},new_business")
        if day >= RENEWALS:
            rows.append(f"R{day:%Y%m%d},R1,{made.isoformat()},won,1000,{won.isoformat()},renewal")
        day += timedelta(days=1)
    return "\n".join(rows) + "\n"


@pytest.fixture
def renewals_arrive(empty_store: Store, write: Callable[..., Path]) -> Store:
    """The store of `_deals`."""
    for name, text in (("teams", TEAMS), ("reps", REPS), ("deals", _deals())):
        result = import_file(empty_store, name, write(f"{name}.csv", text))
        assert result.rejected == 0, result.problems
    return empty_store


@pytest.mark.slow
def test_a_kind_that_arrives_later_does_not_set_the_year_s_change(renewals_arrive: Store) -> None:
    """The year before the forecast's snapshots (2023-07 to 2024-07) saw the renewals arrive:
    after a snapshot in the winter of 2023 came renewals its pace window had not seen, so its
    miss was large, and this year's misses (all at a steady pace) look smaller by comparison.
    Read per kind from its own first deal on, the misses are the same in both years: no change
    over the year, no shift of the season's centre."""
    h = read_history(renewals_arrive, AS_OF, 92)
    assert h.first_by_kind == {"new_business": FIRST, "renewal": RENEWALS}
    assert h.first_created == FIRST
    rates, shift = learn(h)
    assert shift.points > 0
    assert shift.change == pytest.approx(0.0, abs=0.01)
    assert shift.season[1] == pytest.approx(0.0, abs=0.01)
    assert abs(shift.new).max() < 0.05 and shift.sd[1] < 0.05  # chance alone
    # the same history read without each kind's first day: the renewals' arrival in the year
    # before looks like misses that shrank over the year (by 0.17 on average, 0.09 once shrunk
    # by its noise), the centre falls with them and the spread widens
    blind = drift(replace(h, first_by_kind={}), rates, new_deal_models(h, None, None))
    assert blind.change < -0.05 and blind.season[1] < -0.05 and blind.sd[1] > 0.1


@pytest.mark.slow
def test_a_kind_s_first_day_is_as_known_on_the_forecast_day(renewals_arrive: Store) -> None:
    """Before the first renewal, the history knows of no renewals."""
    h = read_history(renewals_arrive, RENEWALS, 91)
    assert h.first_by_kind == {"new_business": FIRST}


def test_the_year_s_change_counts_only_as_far_as_it_stands_out_of_its_noise() -> None:
    """52 weekly changes of misses that each span a quarter hold about four independent ones:
    a mean change well within their noise moves nothing; a steady one is kept, less a little."""
    rng = np.random.default_rng(1)
    noisy = -0.04 + 0.15 * rng.standard_normal(52)
    assert _year_change(noisy, 91) == 0.0
    steady = -0.2 + 0.02 * rng.standard_normal(52)
    assert _year_change(steady, 91) == pytest.approx(steady.mean(), rel=0.01)
    # over a week's horizon every snapshot's change is one of its own: less noise to allow for
    assert abs(_year_change(noisy, 7)) > abs(_year_change(noisy, 91))


def test_a_miss_s_chance_holds_that_of_the_pace() -> None:
    """100 deals created in the pace window, each worth half a win within the horizon: 50
    wins expected, whose count varies by 50 (Poisson) and, through the pace read from 100
    deals, by 25 more; the simulation draws both again, so both are chance here."""
    frame = pd.DataFrame({"snapshot": [pd.Timestamp("2025-01-07")], "kind": ["new"],
                          "paced": [100], "revenue": [50_000.0]})  # fmt: skip
    kinds = pd.DataFrame({"kind": ["new"], "per_deal": [0.5], "amount": [1000.0], "cv2": [0.0]})
    out = _new_misses(frame, kinds)
    assert out["n"].iloc[0] == 50 and out["pred"].iloc[0] == 50_000
    assert out["n_cv"].iloc[0] == pytest.approx(75)
