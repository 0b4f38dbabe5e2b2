"""The demo's targets: planned through the seasons the demo plants and scaled to each rep's
territory, so that only the planted patterns miss them (checked with pandas on the tables)."""

from __future__ import annotations

import pandas as pd

from salesperf.demo import DemoConfig, generate

CONFIG = DemoConfig()
TZ = "Europe/Amsterdam"


def test_targets_follow_the_seasons_so_ordinary_reps_make_them() -> None:
    """Targets follow the planted seasons and each rep's territory: the reps no pattern was
    planted on make their quarterly revenue targets as a group in every quarter, summer and
    year end alike, and the organisation's Q3 target is below its Q2 and Q4 ones."""
    data = generate(CONFIG)
    planted = data.planted
    reps, deals, targets = (data.tables[t].to_pandas() for t in ("reps", "deals", "targets"))
    marked = set(reps.rep_id[reps.team_id == planted.under_target_team])
    marked |= {*planted.busy_not_effective, *planted.efficient, planted.new_hire}
    marked |= {*planted.hires, *planted.leavers}
    ordinary = set(reps.rep_id) - marked
    length = pd.to_datetime(targets.period_end) - pd.to_datetime(targets.period_start)
    quarterly = targets[(targets.metric == "revenue_won") & (length.dt.days > 40)]
    mine = quarterly[(quarterly.scope == "rep") & quarterly.scope_id.isin(ordinary)]
    goal = mine.groupby(pd.to_datetime(mine.period_start)).value.sum()
    won = deals[(deals.status == "won") & deals.rep_id.isin(ordinary)]
    local = won.closed_at.dt.tz_localize("UTC").dt.tz_convert(TZ).dt.tz_localize(None)
    start = local.dt.to_period("Q").dt.start_time
    attainment = won.amount.groupby(start).sum().reindex(goal.index) / goal
    assert len(attainment) == 4 * CONFIG.years
    assert attainment.between(1.0, 1.5).all(), attainment
    org = quarterly[quarterly.scope == "org"]
    org = org.set_index(pd.to_datetime(org.period_start))
    year = CONFIG.end.year
    q2, q3, q4 = (org.value[pd.Timestamp(year - 1, m, 1)] for m in (4, 7, 10))
    assert q3 < min(q2, q4)
