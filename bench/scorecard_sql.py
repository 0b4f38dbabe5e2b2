"""The scorecard written naively by hand: one DuckDB SQL query per grouping and grain, and the
same with pandas.

Beside the bar (the expert's SQL, `scorecard_expert`), these are what an analyst first writes:
the SQL converts every timestamp with AT TIME ZONE several times per row and joins the
activities to every team above their rep before it aggregates; pandas loads the tables and
does the same in memory. They compute the same figures (every scorecard metric, per rep or
team and week or month, against the previous period) without the registry or Ibis.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

TRUNC = {"week": "week", "month": "month"}
STEP = {"week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH"}

METRICS = (
    "activities", "activities_per_day", "active_days", "accounts_touched", "call_connect_rate",
    "meetings_held_rate", "revenue_won", "deals_won", "deals_lost", "win_rate", "avg_deal_size",
    "sales_cycle_days", "pipeline_created", "csat", "nps", "referral_leads",
    "revenue_per_activity", "wins_per_100_activities", "activities_per_win",
)  # fmt: skip


def hand_sql(grain: str, by: str, tz: str, start: date, end: date) -> str:
    """One naive query: every scorecard metric per rep (or team) and period, with the previous
    one."""
    local = "((({c}) AT TIME ZONE 'UTC') AT TIME ZONE '" + tz + "')"

    def loc(c: str) -> str:
        return local.format(c=c)

    grp = (
        "SELECT rep_id AS k, rep_id FROM reps"
        if by == "rep"
        else """WITH RECURSIVE up(k, rep_id) AS (
                  SELECT team_id, rep_id FROM reps
                  UNION ALL SELECT t.parent_team_id, up.rep_id FROM up JOIN teams t ON t.team_id = up.k
                  WHERE t.parent_team_id IS NOT NULL)
                SELECT DISTINCT k, rep_id FROM up"""
    )
    lo = f"(DATE '{start}' - {STEP[grain]})"
    hi = f"DATE '{end}'"
    p = TRUNC[grain]
    return f"""
WITH grp AS ({grp}),
act AS (
  SELECT g.k, date_trunc('{p}', {loc("a.occurred_at")})::DATE AS period,
         count(*) AS activities,
         count(DISTINCT {loc("a.occurred_at")}::DATE) AS active_days,
         count(DISTINCT a.account_id) AS accounts_touched,
         count(*) FILTER (WHERE a.type = 'call') AS calls,
         count(*) FILTER (WHERE a.type = 'call' AND a.outcome = 'connected') AS calls_connected,
         count(*) FILTER (WHERE a.type IN ('meeting', 'demo')) AS meetings,
         count(*) FILTER (WHERE a.type IN ('meeting', 'demo') AND a.outcome = 'held') AS held
  FROM activities a JOIN grp g USING (rep_id)
  WHERE {loc("a.occurred_at")} >= {lo} AND {loc("a.occurred_at")} < {hi}
  GROUP BY ALL),
closed AS (
  SELECT g.k, date_trunc('{p}', {loc("d.closed_at")})::DATE AS period,
         count(*) FILTER (WHERE d.status = 'won') AS deals_won,
         count(*) FILTER (WHERE d.status = 'lost') AS deals_lost,
         sum(d.amount) FILTER (WHERE d.status = 'won') AS revenue_won,
         median(date_diff('day', {loc("d.created_at")}::DATE, {loc("d.closed_at")}::DATE))
           FILTER (WHERE d.status = 'won') AS sales_cycle_days
  FROM deals d JOIN grp g USING (rep_id)
  WHERE d.status IN ('won', 'lost') AND {loc("d.closed_at")} >= {lo} AND {loc("d.closed_at")} < {hi}
  GROUP BY ALL),
created AS (
  SELECT g.k, date_trunc('{p}', {loc("d.created_at")})::DATE AS period, sum(d.amount) AS pipeline_created
  FROM deals d JOIN grp g USING (rep_id)
  WHERE {loc("d.created_at")} >= {lo} AND {loc("d.created_at")} < {hi}
  GROUP BY ALL),
surv AS (
  SELECT g.k, date_trunc('{p}', {loc("s.responded_at")})::DATE AS period,
         count(*) FILTER (WHERE scale = 'csat5') AS csat_n,
         count(*) FILTER (WHERE scale = 'csat5' AND score >= 4) AS csat_pos,
         count(*) FILTER (WHERE scale = 'nps10') AS nps_n,
         count(*) FILTER (WHERE scale = 'nps10' AND score >= 9) AS promoters,
         count(*) FILTER (WHERE scale = 'nps10' AND score <= 6) AS detractors
  FROM surveys s JOIN grp g USING (rep_id)
  WHERE {loc("s.responded_at")} >= {lo} AND {loc("s.responded_at")} < {hi}
  GROUP BY ALL),
lead AS (
  SELECT g.k, date_trunc('{p}', {loc("l.created_at")})::DATE AS period,
         count(*) FILTER (WHERE l.source = 'referral') AS referral_leads
  FROM leads l JOIN grp g USING (rep_id)
  WHERE {loc("l.created_at")} >= {lo} AND {loc("l.created_at")} < {hi}
  GROUP BY ALL),
days AS (
  SELECT g.k, date_trunc('{p}', c.d)::DATE AS period, count(*) AS working_days
  FROM (SELECT unnest(generate_series({lo}::TIMESTAMP, {hi}::TIMESTAMP - INTERVAL 1 DAY,
                                      INTERVAL 1 DAY))::DATE AS d) c
  JOIN reps r ON (r.start_date IS NULL OR c.d >= r.start_date) AND (r.end_date IS NULL OR c.d <= r.end_date)
  JOIN grp g ON g.rep_id = r.rep_id
  WHERE isodow(c.d) <= 5 AND NOT EXISTS (SELECT 1 FROM absences x WHERE x.rep_id = r.rep_id AND x.date = c.d)
  GROUP BY ALL),
spine AS (
  SELECT k, period FROM days UNION SELECT k, period FROM act UNION SELECT k, period FROM closed
  UNION SELECT k, period FROM created UNION SELECT k, period FROM surv
  UNION SELECT k, period FROM lead),
m AS (
  SELECT spine.k, spine.period,
    coalesce(activities, 0) AS activities,
    coalesce(activities, 0) / nullif(working_days, 0) AS activities_per_day,
    coalesce(active_days, 0) AS active_days, coalesce(accounts_touched, 0) AS accounts_touched,
    calls_connected / nullif(calls, 0) AS call_connect_rate,
    held / nullif(meetings, 0) AS meetings_held_rate,
    coalesce(revenue_won, 0) AS revenue_won, coalesce(deals_won, 0) AS deals_won,
    coalesce(deals_lost, 0) AS deals_lost,
    deals_won / nullif(coalesce(deals_won, 0) + coalesce(deals_lost, 0), 0) AS win_rate,
    revenue_won / nullif(deals_won, 0) AS avg_deal_size,
    sales_cycle_days, coalesce(pipeline_created, 0) AS pipeline_created,
    csat_pos / nullif(csat_n, 0) AS csat,
    100.0 * (promoters - detractors) / nullif(nps_n, 0) AS nps,
    coalesce(referral_leads, 0) AS referral_leads,
    coalesce(revenue_won, 0) / nullif(activities, 0) AS revenue_per_activity,
    100.0 * coalesce(deals_won, 0) / nullif(activities, 0) AS wins_per_100_activities,
    coalesce(activities, 0) / nullif(deals_won, 0) AS activities_per_win
  FROM spine LEFT JOIN days USING (k, period)
  LEFT JOIN act USING (k, period) LEFT JOIN closed USING (k, period)
  LEFT JOIN created USING (k, period) LEFT JOIN surv USING (k, period)
  LEFT JOIN lead USING (k, period))
SELECT cur.*, {", ".join(f"prev.{m} AS {m}_prev" for m in METRICS)}
FROM m cur LEFT JOIN m prev ON prev.k = cur.k AND prev.period = cur.period - {STEP[grain]}
WHERE cur.period >= DATE '{start}'
ORDER BY cur.k, cur.period
"""


def pandas_scorecard(
    tables: dict[str, pd.DataFrame], grain: str, by: str, tz: str, start: date, end: date
) -> pd.DataFrame:
    """The same figures with pandas, from the tables loaded into memory."""
    step = pd.DateOffset(weeks=1) if grain == "week" else pd.DateOffset(months=1)
    lo, hi = pd.Timestamp(start) - step, pd.Timestamp(end)
    reps, teams = tables["reps"], tables["teams"]
    if by == "rep":
        grp = pd.DataFrame({"k": reps.rep_id, "rep_id": reps.rep_id})
    else:
        parent = dict(zip(teams.team_id, teams.parent_team_id, strict=True))
        rows = []
        for rep, team in zip(reps.rep_id, reps.team_id, strict=True):
            while isinstance(team, str):
                rows.append((team, rep))
                team = parent.get(team)
        grp = pd.DataFrame(rows, columns=["k", "rep_id"])

    def local(s: pd.Series) -> pd.Series:
        return s.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)

    def period(s: pd.Series) -> pd.Series:
        if grain == "week":
            return s.dt.normalize() - pd.to_timedelta(s.dt.weekday, unit="D")
        return s.dt.to_period("M").dt.start_time

    def prep(df: pd.DataFrame, col: str) -> pd.DataFrame:
        t = local(df[col])
        df = df.assign(_t=t)[(t >= lo) & (t < hi)]
        df = df.assign(period=period(df._t))
        return df.merge(grp, on="rep_id")

    a = prep(tables["activities"], "occurred_at")
    a["day"] = a._t.dt.normalize()
    a["call"] = a.type == "call"
    a["conn"] = a.call & (a.outcome == "connected")
    a["meet"] = a.type.isin(["meeting", "demo"])
    a["held"] = a.meet & (a.outcome == "held")
    ga = a.groupby(["k", "period"])
    act = pd.DataFrame({
        "activities": ga.size(), "active_days": ga.day.nunique(),
        "accounts_touched": ga.account_id.nunique(), "calls": ga.call.sum(),
        "calls_connected": ga.conn.sum(), "meetings": ga.meet.sum(), "held": ga.held.sum(),
    })  # fmt: skip
    d = tables["deals"]
    c = prep(d[d.status.isin(["won", "lost"])], "closed_at")
    c["won"] = c.status == "won"
    c["cycle"] = (c._t.dt.normalize() - local(c.created_at).dt.normalize()).dt.days
    gc = c.groupby(["k", "period"])
    w = c[c.won].groupby(["k", "period"])
    closed = pd.DataFrame({
        "deals_won": gc.won.sum(), "deals_lost": (~c.won).groupby([c.k, c.period]).sum(),
        "revenue_won": w.amount.sum(), "sales_cycle_days": w.cycle.median(),
    })  # fmt: skip
    created = prep(d, "created_at").groupby(["k", "period"]).amount.sum().rename("pipeline_created")
    s = prep(tables["surveys"], "responded_at")
    s["csat_n"] = s.scale == "csat5"
    s["csat_pos"] = s.csat_n & (s.score >= 4)
    s["nps_n"] = s.scale == "nps10"
    s["promoters"] = s.nps_n & (s.score >= 9)
    s["detractors"] = s.nps_n & (s.score <= 6)
    surv = s.groupby(["k", "period"])[
        ["csat_n", "csat_pos", "nps_n", "promoters", "detractors"]
    ].sum()
    leads = prep(tables["leads"], "created_at")
    refs = (
        (leads.source == "referral").groupby([leads.k, leads.period]).sum().rename("referral_leads")
    )
    cal = pd.DataFrame({"d": pd.date_range(lo, hi - pd.Timedelta(days=1), freq="D")})
    cal = cal[cal.d.dt.weekday < 5]
    grid = reps[["rep_id", "start_date", "end_date"]].merge(cal, how="cross")
    sd, ed = pd.to_datetime(grid.start_date), pd.to_datetime(grid.end_date)
    grid = grid[(sd.isna() | (grid.d >= sd)) & (ed.isna() | (grid.d <= ed))]
    ab = tables["absences"].assign(d=lambda x: pd.to_datetime(x.date), absent=True)[
        ["rep_id", "d", "absent"]
    ]
    grid = grid.merge(ab, on=["rep_id", "d"], how="left")
    grid = grid[grid.absent.isna()].assign(period=lambda x: period(x.d)).merge(grp, on="rep_id")
    days = grid.groupby(["k", "period"]).size().rename("working_days")
    m = pd.concat([days, act, closed, created, surv, refs], axis=1)
    m = m.fillna({
        "working_days": 0,
        "activities": 0, "active_days": 0, "accounts_touched": 0, "deals_won": 0, "deals_lost": 0,
        "revenue_won": 0, "pipeline_created": 0, "referral_leads": 0,
    })  # fmt: skip

    def ratio(n: pd.Series, den: pd.Series) -> pd.Series:
        return n / den.replace(0, np.nan)

    out = pd.DataFrame({
        "activities": m.activities, "activities_per_day": ratio(m.activities, m.working_days),
        "active_days": m.active_days, "accounts_touched": m.accounts_touched,
        "call_connect_rate": ratio(m.calls_connected, m.calls),
        "meetings_held_rate": ratio(m.held, m.meetings), "revenue_won": m.revenue_won,
        "deals_won": m.deals_won, "deals_lost": m.deals_lost,
        "win_rate": ratio(m.deals_won, m.deals_won + m.deals_lost),
        "avg_deal_size": ratio(m.revenue_won, m.deals_won), "sales_cycle_days": m.sales_cycle_days,
        "pipeline_created": m.pipeline_created, "csat": ratio(m.csat_pos, m.csat_n),
        "nps": 100 * ratio(m.promoters - m.detractors, m.nps_n),
        "referral_leads": m.referral_leads, "revenue_per_activity": ratio(m.revenue_won, m.activities),
        "wins_per_100_activities": 100 * ratio(m.deals_won, m.activities),
        "activities_per_win": ratio(m.activities, m.deals_won),
    }).reset_index()  # fmt: skip
    prev = out.copy()
    prev["period"] = prev.period + step
    out = out.merge(prev, on=["k", "period"], how="left", suffixes=("", "_prev"))
    return out[out.period >= pd.Timestamp(start)].sort_values(["k", "period"])
