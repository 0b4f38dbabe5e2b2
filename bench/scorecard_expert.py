"""The scorecard as an expert writes it by hand in DuckDB SQL: the baseline the metric layer is
held to.

The same 19 metrics as the metric layer, for reps and teams (each team with its whole subtree),
by week and by month, each with the previous period, in the organisation's time zone. What
makes it fast, step by step:

- the range is turned into UTC bounds first, so the scan reads only the row groups it needs;
- local time is computed once per row, from the zone's UTC offsets over the range (a CASE over
  its few transitions, taken from `zoneinfo`), as a day number, never with `AT TIME ZONE`;
- the activities are aggregated per rep and local day first (a few hundred thousand rows),
  then rolled to weeks and months and, through the team closure, to every team above the rep:
  the team tree multiplies the small per-rep table, never the activities;
- distinct accounts are exact: the distinct (rep, period, account) triples give the reps'
  counts; a team's count is the sum of its members' counts, corrected for the few accounts
  that more than one rep touched in the same period, which are counted once per team from
  their triples;
- the previous period is joined on the small per-period table;
- with `chunk_months`, the activities are read a few months at a time (each chunk's weeks
  read whole, so no week straddles two chunks), which keeps the work in a small memory budget.

Every deal must be in the organisation's currency (the bench's demo stores are): converting
amounts is the metric layer's business and is not written out here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from bench.scorecard_sql import METRICS

Ranges = dict[str, tuple[date, date]]
EPOCH = date(1970, 1, 1)


def _day(d: date) -> int:
    return (d - EPOCH).days


def _shift(d: date, grain: str, n: int) -> date:
    if grain == "week":
        return d + timedelta(weeks=n)
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def _start(d: date, grain: str) -> date:
    return d - timedelta(days=d.weekday()) if grain == "week" else d.replace(day=1)


def offsets(tz: str, lo: date, hi: date) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (seconds) over [lo - 1 day, hi + 1 day]: (from, offset), UTC."""
    zone = ZoneInfo(tz)

    def off(t: datetime) -> int:
        u = t.astimezone(zone).utcoffset()
        return int(u.total_seconds()) if u else 0

    t = datetime.combine(lo - timedelta(days=1), datetime.min.time(), UTC)
    end = datetime.combine(hi + timedelta(days=1), datetime.min.time(), UTC)
    out = [(t, off(t))]
    while t < end:
        nxt = t + timedelta(hours=1)
        if off(nxt) != out[-1][1]:
            m = t
            while off(m) == out[-1][1]:  # the minute of the change
                m += timedelta(minutes=1)
            out.append((m, off(m)))
        t = nxt
    return [(u.replace(tzinfo=None), o) for u, o in out]


def local_day(col: str, changes: list[tuple[datetime, int]]) -> str:
    """SQL: the local day of a naive-UTC timestamp column, as days since 1970-01-01."""
    off = (
        "CASE "
        + " ".join(
            f"WHEN {col} < TIMESTAMP '{changes[i][0]}' THEN {changes[i - 1][1]}"
            for i in range(1, len(changes))
        )
        + f" ELSE {changes[-1][1]} END"
        if len(changes) > 1
        else str(changes[0][1])
    )
    return f"((epoch_us({col}) // 1000000 + {off}) // 86400)::INTEGER"


def _setup(con: duckdb.DuckDBPyConnection, tz: str, lo: date, hi: date) -> str:
    """The calendar, the team closure and the per-(rep, local day) measures of every fact but
    the activities; returns the SQL of an activity's local day."""
    changes = offsets(tz, lo, hi)
    # a date-only value is stored at noon UTC: within 12 hours of UTC it stays on its day
    if any(abs(o) >= 12 * 3600 for _, o in changes):
        raise RuntimeError(f"{tz} lies 12 hours or more from UTC: date-only values need care")
    created_lo = con.execute("SELECT min(created_at)::DATE FROM deals").fetchone()
    wide = offsets(tz, min(lo, created_lo[0] if created_lo and created_lo[0] else lo), hi)
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE cal AS
SELECT (day - DATE '1970-01-01')::INTEGER AS d, day,
       date_trunc('week', day)::DATE AS week, date_trunc('month', day)::DATE AS month
FROM (SELECT unnest(range(DATE '{lo}', DATE '{hi}', INTERVAL 1 DAY))::DATE AS day)""")
    con.execute("""
CREATE OR REPLACE TEMP TABLE closure AS
WITH RECURSIVE up(team_id, rep_id) AS (
  SELECT team_id, rep_id FROM reps WHERE team_id IS NOT NULL
  UNION SELECT t.parent_team_id, up.rep_id FROM up JOIN teams t ON t.team_id = up.team_id
  WHERE t.parent_team_id IS NOT NULL)
SELECT * FROM up""")
    lo_d, hi_d = _day(lo), _day(hi)
    lo_u = f"TIMESTAMP '{datetime.combine(lo, datetime.min.time()) - _span(changes)[1]}'"
    hi_u = f"TIMESTAMP '{datetime.combine(hi, datetime.min.time()) - _span(changes)[0]}'"

    def fact(table: str, col: str, select: str, where: str = "TRUE") -> str:
        day = local_day(col, changes)
        return f"""SELECT * FROM (SELECT rep_id, {day} AS d, {select} FROM {table}
                   WHERE {col} >= {lo_u} AND {col} < {hi_u} AND {where} GROUP BY ALL)
                   WHERE d >= {lo_d} AND d < {hi_d}"""

    closed = fact(
        "deals", "closed_at",
        """count(*) FILTER (WHERE status = 'won') AS won, count(*) FILTER (WHERE status = 'lost') AS lost,
           coalesce(sum(amount) FILTER (WHERE status = 'won'), 0) AS rev,
           count(amount) FILTER (WHERE status = 'won') AS won_amt""",
        "status IN ('won', 'lost')",
    )  # fmt: skip
    created = fact("deals", "created_at", "coalesce(sum(amount), 0) AS pipe")
    surveys = fact(
        "surveys", "responded_at",
        """count(*) FILTER (WHERE scale = 'csat5') AS csat_n,
           count(*) FILTER (WHERE scale = 'csat5' AND score >= 4) AS csat_pos,
           count(*) FILTER (WHERE scale = 'nps10') AS nps_n,
           count(*) FILTER (WHERE scale = 'nps10' AND score >= 9) AS prom,
           count(*) FILTER (WHERE scale = 'nps10' AND score <= 6) AS det""",
    )  # fmt: skip
    leads = fact("leads", "created_at", "count(*) FILTER (WHERE source = 'referral') AS refs")
    for name, sql in (("closed", closed), ("created", created), ("surveys", surveys),
                      ("leads", leads)):  # fmt: skip
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_day AS {sql}")
    con.execute("""
CREATE OR REPLACE TEMP TABLE workdays_day AS
SELECT r.rep_id, c.d, 1 AS wd FROM reps r JOIN cal c
  ON (r.start_date IS NULL OR c.day >= r.start_date) AND (r.end_date IS NULL OR c.day <= r.end_date)
WHERE isodow(c.day) <= 5
  AND NOT EXISTS (SELECT 1 FROM absences x WHERE x.rep_id = r.rep_id AND x.date = c.day)""")
    # won deals one by one, for the median sales cycle (local days from creation to close)
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE won AS
SELECT * FROM (SELECT rep_id, {local_day("closed_at", changes)} AS d,
                      {local_day("closed_at", changes)} - {local_day("created_at", wide)} AS cycle
               FROM deals WHERE status = 'won' AND closed_at >= {lo_u} AND closed_at < {hi_u})
WHERE d >= {lo_d} AND d < {hi_d}""")
    con.execute("""CREATE OR REPLACE TEMP TABLE act_day (rep_id VARCHAR, d INTEGER, act BIGINT,
        calls BIGINT, conn BIGINT, cwo BIGINT, meet BIGINT, held BIGINT, mwo BIGINT)""")
    for g in ("week", "month"):
        con.execute(f"""CREATE OR REPLACE TEMP TABLE acc_{g}
                        (rep_id VARCHAR, period DATE, n BIGINT)""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE shared_{g}
                        (rep_id VARCHAR, period DATE, account_id VARCHAR)""")
    return local_day("occurred_at", changes)


def _span(changes: list[tuple[datetime, int]]) -> tuple[timedelta, timedelta]:
    """The smallest and largest offset: UTC bounds wide enough for every local day wanted."""
    offs = [o for _, o in changes]
    return timedelta(seconds=min(offs)), timedelta(seconds=max(offs))


def _activities(
    con: duckdb.DuckDBPyConnection,
    day: str,
    changes_span: tuple[timedelta, timedelta],
    days: tuple[date, date],
    parts: dict[str, tuple[date, date]],
) -> None:
    """One chunk of the activities: local days [days), per rep and day into act_day; the
    distinct accounts of the weeks and months in `parts` (grain -> days of their periods)."""
    lo = min(days[0], *(a for a, _ in parts.values()))
    hi = max(days[1], *(b for _, b in parts.values()))
    lo_u = datetime.combine(lo, datetime.min.time()) - changes_span[1]
    hi_u = datetime.combine(hi, datetime.min.time()) - changes_span[0]
    scan = f"""(SELECT rep_id, account_id, type, outcome, {day} AS d FROM activities
               WHERE occurred_at >= TIMESTAMP '{lo_u}' AND occurred_at < TIMESTAMP '{hi_u}')"""
    con.execute(f"""
INSERT INTO act_day
SELECT rep_id, d, count(*),
       count(*) FILTER (WHERE type = 'call'),
       count(*) FILTER (WHERE type = 'call' AND outcome = 'connected'),
       count(*) FILTER (WHERE type = 'call' AND outcome IS NOT NULL),
       count(*) FILTER (WHERE type IN ('meeting', 'demo')),
       count(*) FILTER (WHERE type IN ('meeting', 'demo') AND outcome = 'held'),
       count(*) FILTER (WHERE type IN ('meeting', 'demo') AND outcome IS NOT NULL)
FROM {scan} WHERE d >= {_day(days[0])} AND d < {_day(days[1])} AND rep_id IS NOT NULL
GROUP BY rep_id, d""")
    for g, (a, b) in parts.items():
        if a >= b:
            continue
        con.execute(f"""
CREATE OR REPLACE TEMP TABLE triples AS
SELECT DISTINCT a.rep_id, c.{g} AS period, a.account_id FROM {scan} a JOIN cal c USING (d)
WHERE a.d >= {_day(a)} AND a.d < {_day(b)} AND a.account_id IS NOT NULL AND a.rep_id IS NOT NULL""")
        # accounts more than one rep touched: a team counts those once, from their triples
        con.execute(
            f"INSERT INTO shared_{g} SELECT * FROM triples SEMI JOIN shared USING (account_id)"
        )
        con.execute(
            f"INSERT INTO acc_{g} SELECT rep_id, period, count(*) FROM triples GROUP BY ALL"
        )
    con.execute("DROP TABLE IF EXISTS triples")


#: The per-(rep, local day) tables and their measures; a rep's day with any row counts.
DAY_TABLES = {
    "act_day": ("act", "calls", "conn", "cwo", "meet", "held", "mwo"),
    "closed_day": ("won", "lost", "rev", "won_amt"),
    "created_day": ("pipe",),
    "surveys_day": ("csat_n", "csat_pos", "nps_n", "prom", "det"),
    "leads_day": ("refs",),
    "workdays_day": ("wd",),
}
MEASURES = [m for ms in DAY_TABLES.values() for m in ms]


def _per_rep(con: duckdb.DuckDBPyConnection, grain: str, lo: date, hi: date) -> None:
    """rep_<grain>: each rep's measures per period of [lo, hi), from the per-day tables, with
    the rep's active days (days with an activity)."""
    parts = []
    for table, cols in DAY_TABLES.items():
        sums = ", ".join(f"sum({c}) AS {c}" for c in cols)
        extra = ", count(*) AS active_days" if table == "act_day" else ""
        parts.append(f"""(SELECT rep_id, c.{grain} AS period, {sums}{extra}
            FROM {table} JOIN cal c USING (d) WHERE d >= {_day(lo)} AND d < {_day(hi)}
            GROUP BY ALL)""")
    joined = parts[0] + "".join(f" FULL JOIN {p} USING (rep_id, period)" for p in parts[1:])
    con.execute(f"""CREATE OR REPLACE TEMP TABLE rep_{grain} AS
                    SELECT * FROM {joined} WHERE rep_id IN (SELECT rep_id FROM reps)""")


def _level_sql(grain: str, by: str, lo: date, hi: date) -> str:
    """The measures of one grain and level, one row per (key, period) of [lo, hi)."""
    won = f"""SELECT w.rep_id, c.{grain} AS period, w.cycle FROM won w JOIN cal c USING (d)
              WHERE d >= {_day(lo)} AND d < {_day(hi)}"""
    if by == "rep":
        return f"""
WITH cyc AS (SELECT rep_id, period, median(cycle) AS cycle FROM ({won}) GROUP BY ALL)
SELECT pr.rep_id AS k, pr.*, coalesce(a.n, 0) AS accounts, cyc.cycle
FROM rep_{grain} pr LEFT JOIN acc_{grain} a USING (rep_id, period)
LEFT JOIN cyc USING (rep_id, period)"""
    # teams: the members' per-rep figures summed through the closure; active days and the
    # median from the members' days and deals; accounts as the sum of the members' counts less
    # the shared ones, which are counted once per team
    team_sums = ", ".join(f"sum({n}) AS {n}" for n in MEASURES)
    return f"""
WITH days AS (SELECT cl.team_id AS k, c.{grain} AS period, count(DISTINCT d) AS active_days
         FROM act_day JOIN closure cl USING (rep_id) JOIN cal c USING (d)
         WHERE d >= {_day(lo)} AND d < {_day(hi)} GROUP BY ALL),
tm AS (SELECT cl.team_id AS k, pr.period, {team_sums}
       FROM rep_{grain} pr JOIN closure cl USING (rep_id) GROUP BY ALL),
acc AS (SELECT k, period, sum(n) AS n FROM (
          SELECT cl.team_id AS k, a.period, a.n FROM acc_{grain} a JOIN closure cl USING (rep_id)
          UNION ALL
          SELECT cl.team_id, s.period, -count(*) FROM shared_{grain} s JOIN closure cl USING (rep_id)
          GROUP BY ALL
          UNION ALL
          SELECT cl.team_id, s.period, count(DISTINCT s.account_id)
          FROM shared_{grain} s JOIN closure cl USING (rep_id) GROUP BY ALL) GROUP BY ALL),
cyc AS (SELECT cl.team_id AS k, w.period, median(w.cycle) AS cycle
        FROM ({won}) w JOIN closure cl USING (rep_id) GROUP BY ALL)
SELECT tm.*, coalesce(days.active_days, 0) AS active_days, coalesce(acc.n, 0) AS accounts,
       cyc.cycle
FROM tm LEFT JOIN days USING (k, period) LEFT JOIN acc USING (k, period)
LEFT JOIN cyc USING (k, period)"""


def _metrics_sql(grain: str, by: str, lo: date, start: date, hi: date) -> str:
    """The 19 metrics of one grain and level, each with the previous period's."""
    f = "::DOUBLE"
    step = "INTERVAL 7 DAY" if grain == "week" else "INTERVAL 1 MONTH"
    return f"""
WITH x AS ({_level_sql(grain, by, lo, hi)}),
m AS (SELECT k, period,
  coalesce(act, 0){f} AS activities, coalesce(act, 0){f} / nullif(wd, 0) AS activities_per_day,
  coalesce(active_days, 0){f} AS active_days, accounts{f} AS accounts_touched,
  CASE WHEN coalesce(cwo, 0) > 0 THEN conn{f} / nullif(calls, 0) END AS call_connect_rate,
  CASE WHEN coalesce(mwo, 0) > 0 THEN held{f} / nullif(meet, 0) END AS meetings_held_rate,
  coalesce(rev, 0){f} AS revenue_won, coalesce(won, 0){f} AS deals_won,
  coalesce(lost, 0){f} AS deals_lost, won{f} / nullif(won + lost, 0) AS win_rate,
  rev{f} / nullif(won_amt, 0) AS avg_deal_size, cycle{f} AS sales_cycle_days,
  coalesce(pipe, 0){f} AS pipeline_created, csat_pos{f} / nullif(csat_n, 0) AS csat,
  100.0 * (prom - det){f} / nullif(nps_n, 0) AS nps, coalesce(refs, 0){f} AS referral_leads,
  coalesce(rev, 0){f} / nullif(act, 0) AS revenue_per_activity,
  100.0 * coalesce(won, 0){f} / nullif(act, 0) AS wins_per_100_activities,
  coalesce(act, 0){f} / nullif(won, 0) AS activities_per_win
  FROM x)
SELECT cur.*, {", ".join(f"prev.{m} AS {m}_prev" for m in METRICS)}
FROM m cur LEFT JOIN m prev ON prev.k = cur.k AND prev.period = cur.period - {step}
WHERE cur.period >= DATE '{start}'
ORDER BY cur.k, cur.period"""


def _chunks(lo: date, hi: date, months: int | None) -> list[date]:
    """Chunk bounds from `lo` to `hi`: every `months` months from January (None: one)."""
    bounds = [lo]
    if months:
        m = _shift(lo.replace(day=1), "month", months - (lo.month - 1) % months)
        while m < hi:
            if (m - bounds[-1]).days >= 28:  # a few days before the first quarter join it
                bounds.append(m)
            m = _shift(m, "month", months)
    return [*bounds, hi]


def expert_scorecard(
    con: duckdb.DuckDBPyConnection,
    tz: str,
    ranges: Ranges,
    combos: list[tuple[str, str]],
    chunk_months: int | None = None,
) -> dict[tuple[str, str], pd.DataFrame]:
    """Every scorecard metric for each (grain, level) of `combos`, over its range of `ranges`,
    with the previous period: one frame each (key `k`, `period`, the metrics, `<metric>_prev`)."""
    currency = con.execute("SELECT value FROM salesperf_meta WHERE key = 'currency'").fetchone()
    other = con.execute(
        "SELECT count(*) FROM deals WHERE currency IS NOT NULL AND upper(currency) <> ?",
        [(currency[0] if currency else "EUR").upper()],
    ).fetchone()
    if other is None or other[0]:
        raise RuntimeError("deals in another currency: converting them is not written out here")
    grains = {g for g, _ in combos}
    los = {g: _shift(_start(ranges[g][0], g), g, -1) for g in grains}
    lo, hi = min(los.values()), max(ranges[g][1] for g in grains)
    day = _setup(con, tz, lo, hi)
    span = _span(offsets(tz, lo, hi))
    bounds = _chunks(lo, hi, chunk_months)
    # each chunk holds the months (and days) from its bound to the next, and the weeks that
    # begin from the first Monday on or after its bound to that after the next one
    week_bounds = [los.get("week", lo)]
    week_bounds += [b + timedelta(days=(7 - b.weekday()) % 7) for b in bounds[1:-1]]
    week_bounds.append(ranges["week"][1] if "week" in grains else lo)
    # the accounts more than one rep touched in the range (the demo's are a few in a thousand);
    # a superset would do: only these need their triples to count them once per team
    con.execute(f"""
CREATE OR REPLACE TEMP TABLE shared AS
SELECT account_id FROM (SELECT DISTINCT rep_id, account_id FROM activities
  WHERE occurred_at >= TIMESTAMP '{datetime.combine(lo, datetime.min.time()) - span[1]}'
    AND occurred_at < TIMESTAMP '{datetime.combine(hi, datetime.min.time()) - span[0]}'
    AND account_id IS NOT NULL AND rep_id IS NOT NULL)
GROUP BY account_id HAVING count(*) > 1""")
    for i in range(len(bounds) - 1):
        parts = {}
        if "month" in grains:
            a, b = max(bounds[i], los["month"]), min(bounds[i + 1], ranges["month"][1])
            parts["month"] = (a, max(a, b))
        if "week" in grains:
            a, b = week_bounds[i], max(week_bounds[i], week_bounds[i + 1])
            parts["week"] = (a, min(max(a, b), ranges["week"][1]))
        _activities(con, day, span, (bounds[i], bounds[i + 1]), parts)
    for g in grains:
        _per_rep(con, g, los[g], ranges[g][1])
    return {
        (g, by): con.execute(_metrics_sql(g, by, los[g], ranges[g][0], ranges[g][1])).df()
        for g, by in combos
    }
