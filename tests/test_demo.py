"""The demo organisation: deterministic, valid against the canonical schema, and with the
patterns planted in it findable by an independent computation (pandas on what the store holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from salesperf.demo import CONTEXTS, PROFILES, DemoConfig, DemoData, build_demo, generate
from salesperf.schema import (
    TABLES,
    ActivityOutcome,
    ActivityType,
    DealStatus,
    LeadSource,
    Role,
    SurveyScale,
    TargetScope,
)
from salesperf.store import Store

CONFIG = DemoConfig()
TZ = "Europe/Amsterdam"
STAGES = ("qualification", "discovery", "demo", "proposal", "negotiation")


@dataclass
class Built:
    """A demo organisation built into a fresh store, and the tables read back from it."""

    data: DemoData
    store: Store
    frames: dict[str, pd.DataFrame]

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self.frames:
            self.frames[name] = self.store.table(name).to_pandas()
        return self.frames[name]


@pytest.fixture
def built(tmp_path: Path) -> Iterator[Built]:
    """The default demo organisation, built into this test's own store."""
    store = Store.open(tmp_path / "s.duckdb")
    data = build_demo(store, CONFIG)
    yield Built(data, store, {})
    store.close()


def history(config: DemoConfig = CONFIG) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The first and last day of the generated history."""
    end = config.end
    return pd.Timestamp(end.replace(year=end.year - config.years)) + pd.Timedelta(days=1), (
        pd.Timestamp(end)
    )


def local(ts: pd.Series) -> pd.Series:
    """Naive UTC timestamps in the organisation's time zone."""
    return ts.dt.tz_localize("UTC").dt.tz_convert(TZ)


def working_days(reps: pd.DataFrame, absences: pd.DataFrame) -> pd.Series:
    """Weekdays each rep was employed in the history, less their recorded absences."""
    first, last = history()
    days = pd.bdate_range(first, last)
    absent = absences.groupby("rep_id").size()
    out = {}
    for r in reps.itertuples():
        start = max(pd.Timestamp(r.start_date), first)
        end = min(pd.Timestamp(r.end_date), last) if pd.notna(r.end_date) else last
        out[r.rep_id] = int(((days >= start) & (days <= end)).sum()) - int(absent.get(r.rep_id, 0))
    return pd.Series(out)


def rep_table(b: Built) -> pd.DataFrame:
    """Reps with activities per working day, win rate and revenue, computed here."""
    reps, acts, deals = b["reps"].copy(), b["activities"], b["deals"]
    reps["working_days"] = reps.rep_id.map(working_days(reps, b["absences"]))
    reps["activities"] = reps.rep_id.map(acts.rep_id.value_counts()).fillna(0)
    reps["per_day"] = reps.activities / reps.working_days
    closed = deals[deals.status != "open"]
    reps["win_rate"] = reps.rep_id.map(closed.status.eq("won").groupby(closed.rep_id).mean())
    won = deals[deals.status == "won"]
    reps["revenue"] = reps.rep_id.map(won.groupby("rep_id").amount.sum()).fillna(0)
    reps["revenue_per_activity"] = reps.revenue / reps.activities
    return reps


# -- configuration and determinism ---------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"context": "bank"}, "unknown demo context 'bank'"),
        ({"reps": 3}, "reps must be a whole number from 4 to 5000"),
        ({"reps": 5001}, "reps must be a whole number from 4 to 5000"),
        ({"reps": 24.0}, "reps must be a whole number"),
        ({"years": 0}, "years must be a whole number from 1 to 5"),
        ({"years": 6}, "years must be a whole number from 1 to 5"),
        ({"seed": -1}, "seed must be a whole number of 0 or more"),
        ({"end": dt.datetime(2026, 9, 30, 12)}, "end must be a date"),
    ],
)
def test_config_refuses_bad_input_with_a_clear_message(
    changes: dict[str, object], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        DemoConfig(**changes)  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_same_config_gives_identical_tables_and_another_seed_others() -> None:
    first, again, other = generate(CONFIG), generate(CONFIG), generate(DemoConfig(seed=43))
    assert set(first.tables) == set(TABLES)
    for name in TABLES:
        assert first.tables[name].equals(again.tables[name]), name
    assert first.planted == again.planted
    assert not first.tables["activities"].equals(other.tables["activities"])
    assert not first.tables["deals"].equals(other.tables["deals"])


# -- the schema ------------------------------------------------------------------------------
@pytest.mark.slow
def test_build_fills_every_table_with_exactly_the_canonical_columns(built: Built) -> None:
    for name, spec in TABLES.items():
        table = built.data.tables[name]
        assert tuple(table.column_names) == spec.column_names, name
        if name != "fx_rates":  # the demo organisation sells in its own currency only
            assert table.num_rows > 0, name
        assert tuple(built[name].columns) == spec.column_names, name
        assert len(built[name]) == table.num_rows, name
    assert built.store.counts()["activities"] == built.data.tables["activities"].num_rows
    assert (built.store.settings.timezone, built.store.settings.currency) == (TZ, "EUR")


@pytest.mark.slow
def test_vocabularies_references_and_rules_hold(built: Built) -> None:
    teams, reps, accounts, leads = built["teams"], built["reps"], built["accounts"], built["leads"]
    deals, stages, acts = built["deals"], built["deal_stages"], built["activities"]
    targets, surveys, absences = built["targets"], built["surveys"], built["absences"]
    for frame, column, vocabulary in (
        (acts, "type", ActivityType),
        (acts, "outcome", ActivityOutcome),
        (deals, "status", DealStatus),
        (leads, "source", LeadSource),
        (deals, "source", LeadSource),
        (reps, "role", Role),
        (targets, "scope", TargetScope),
        (surveys, "scale", SurveyScale),
    ):
        assert set(frame[column].dropna()) <= set(vocabulary.words()), column
    for name in ("teams", "reps", "accounts", "leads", "deals", "activities", "surveys"):
        key = TABLES[name].key[0]
        assert built[name][key].is_unique, key

    # every id referenced exists
    rep_ids, team_ids = set(reps.rep_id), set(teams.team_id)
    for frame in (leads, deals, acts, surveys, absences):
        assert set(frame.rep_id.dropna()) <= rep_ids
    assert set(teams.manager_rep_id.dropna()) <= rep_ids
    assert set(reps.team_id) | set(teams.parent_team_id.dropna()) <= team_ids
    account_ids, deal_ids, lead_ids = (
        set(accounts.account_id),
        set(deals.deal_id),
        set(leads.lead_id),
    )
    for frame in (leads, deals, acts, surveys):
        assert set(frame.account_id.dropna()) <= account_ids
    for frame in (leads, stages, acts):
        assert set(frame.deal_id.dropna()) <= deal_ids
    assert set(acts.lead_id.dropna()) <= lead_ids
    by_scope = {
        "rep": rep_ids,
        "team": team_ids,
        "org": set(teams.team_id[teams.parent_team_id.isna()]),
    }
    for scope, ids in by_scope.items():
        assert set(targets.scope_id[targets.scope == scope]) <= ids, scope

    # deals: closed ones carry a close at or after their creation; amounts are not negative
    closed = deals.status != "open"
    assert deals.closed_at[closed].notna().all() and deals.closed_at[~closed].isna().all()
    assert (deals.closed_at[closed] >= deals.created_at[closed]).all()
    assert (deals.amount >= 0).all() and (acts.duration_min >= 0).all()
    assert set(deals.stage) <= {*STAGES, "closed_won", "closed_lost"}
    assert (deals.stage[deals.status == "won"] == "closed_won").all()
    assert deals.lost_reason[deals.status == "lost"].notna().all()
    assert deals.lost_reason[deals.status != "lost"].isna().all()
    assert set(deals.kind) == {"new_business", "upsell", "renewal"}
    # stage history: in order, ending in the deal's own stage
    ordered = stages.sort_values(["deal_id", "entered_at"])
    assert (
        ordered.groupby("deal_id").stage.last().reindex(deals.deal_id).tolist()
        == deals.stage.tolist()
    )
    # an activity's outcome fits its type
    fits = {
        "call": {"connected", "no_answer", "voicemail"},
        "email": {"sent", "replied", "bounced"},
        "meeting": {"held", "no_show", "cancelled"},
        "demo": {"held", "no_show", "cancelled"},
    }
    for kind, outcomes in acts.groupby("type").outcome.unique().items():
        assert set(outcomes) <= fits.get(str(kind), {"completed"}), kind
    # leads: qualified before their deal was opened
    with_deal = leads.dropna(subset=["deal_id"]).merge(deals, on="deal_id", suffixes=("", "_d"))
    assert (with_deal.qualified_at <= with_deal.created_at_d).all()
    # surveys in range
    for scale, (lo, hi) in (("csat5", (1, 5)), ("nps10", (0, 10))):
        scores = surveys.score[surveys.scale == scale]
        assert len(scores) > 0 and scores.between(lo, hi).all(), scale
    # targets: periods are whole months or quarters
    start, end = pd.to_datetime(targets.period_start), pd.to_datetime(targets.period_end)
    assert (start.dt.day == 1).all() and (end + pd.Timedelta(days=1)).dt.day.eq(1).all()
    assert set((end.dt.month - start.dt.month) % 12) == {0, 2}


@pytest.mark.slow
def test_the_team_tree_and_the_people_in_it(built: Built) -> None:
    teams, reps, planted = built["teams"], built["reps"], built.data.planted
    root = teams[teams.parent_team_id.isna()]
    assert len(root) == 1
    regions = teams[teams.parent_team_id == root.team_id.iloc[0]]
    assert 2 <= len(regions) <= 4
    leaves = teams[teams.parent_team_id.isin(regions.team_id)]
    assert set(reps.team_id) == set(leaves.team_id)
    for team in leaves.itertuples():
        members = reps[reps.team_id == team.team_id]
        assert 6 <= len(members) <= 10
        manager = members[members.rep_id == team.manager_rep_id]
        assert manager.role.tolist() == ["manager"]
    first, last = history()
    leavers = reps[reps.end_date.notna()]
    assert set(leavers.rep_id) == set(planted.leavers) and len(leavers) >= 1
    assert (pd.to_datetime(leavers.end_date) < last).all()
    hired = reps[pd.to_datetime(reps.start_date) >= first]
    assert set(hired.rep_id) == {*planted.hires, planted.new_hire}
    months_before_end = (last - pd.Timestamp(planted.new_hire_start)).days / 30.4
    assert 2.5 <= months_before_end <= 3.5
    assert reps.email.is_unique


# -- working time ----------------------------------------------------------------------------
@pytest.mark.slow
def test_activities_fall_in_working_time_only(built: Built) -> None:
    acts, reps, absences = built["activities"], built["reps"], built["absences"]
    when = local(acts.occurred_at)
    day = when.dt.tz_localize(None).dt.normalize()
    first, last = history()
    assert day.min() >= first and day.max() <= last
    assert (when.dt.day_of_week < 5).all()
    minute = when.dt.hour * 60 + when.dt.minute
    assert ((minute >= 8 * 60 + 30) & (minute < 18 * 60)).mean() > 0.97
    assert (minute >= 7 * 60).all() and (minute < 23 * 60).all()
    # none on a rep's absence days
    off = set(zip(absences.rep_id, pd.to_datetime(absences.date), strict=True))
    assert not off & set(zip(acts.rep_id, day, strict=True))
    # none before a rep started or after they left
    span = reps.set_index("rep_id")
    start = acts.rep_id.map(pd.to_datetime(span.start_date))
    end = acts.rep_id.map(pd.to_datetime(span.end_date))
    assert (day >= start).all()
    assert not (day > end).any()
    # absences are weekdays within employment
    assert (pd.to_datetime(absences.date).dt.day_of_week < 5).all()


# -- planted patterns ----------------------------------------------------------------------
@pytest.mark.slow
def test_busy_reps_do_more_and_convert_less_efficient_reps_the_reverse(built: Built) -> None:
    planted = built.data.planted
    reps = rep_table(built)
    peers = reps[reps.role == "rep"]
    median = peers.groupby("team_id")[["per_day", "win_rate", "revenue_per_activity"]].median()
    assert len(planted.busy_not_effective) >= 2 and len(planted.efficient) >= 2
    for r in peers[peers.rep_id.isin(planted.busy_not_effective)].itertuples():
        team = median.loc[r.team_id]
        assert r.per_day > 1.15 * team.per_day and r.win_rate < team.win_rate, r.rep_id
    for r in peers[peers.rep_id.isin(planted.efficient)].itertuples():
        team = median.loc[r.team_id]
        assert r.per_day < team.per_day and r.win_rate > 1.3 * team.win_rate, r.rep_id
        assert r.revenue_per_activity > 2 * team.revenue_per_activity, r.rep_id

    # where the busy reps' conversion breaks: after the demo
    stages, deals = built["deal_stages"], built["deals"]
    assert planted.busy_breaks_at == "demo->proposal"
    reached = stages.groupby("stage").deal_id.apply(set)
    demo = deals[deals.deal_id.isin(reached["demo"])]
    on_to_proposal = demo.deal_id.isin(reached["proposal"])
    busy = demo.rep_id.isin(planted.busy_not_effective)
    assert on_to_proposal[busy].mean() < 0.6 * on_to_proposal[~busy].mean()
    discovery = deals[deals.deal_id.isin(reached["discovery"])]
    on_to_demo = discovery.deal_id.isin(reached["demo"])
    busy = discovery.rep_id.isin(planted.busy_not_effective)
    assert on_to_demo[busy].mean() > 0.85 * on_to_demo[~busy].mean()  # fine until the demo


@pytest.mark.slow
def test_the_under_target_team_misses_three_quarters_in_four(built: Built) -> None:
    planted, reps, deals, targets = (
        built.data.planted,
        built["reps"],
        built["deals"],
        built["targets"],
    )
    _, last = history()
    quarterly = targets[
        (targets.scope == "team")
        & (targets.metric == "revenue_won")
        & ((pd.to_datetime(targets.period_end) - pd.to_datetime(targets.period_start)).dt.days > 40)
        & (pd.to_datetime(targets.period_end) <= last)
    ]
    won = deals[deals.status == "won"]

    def missed(team: str) -> list[pd.Timestamp]:
        members = set(reps.rep_id[reps.team_id == team])
        out = []
        for q in (
            quarterly[quarterly.scope_id == team].sort_values("period_start").tail(4).itertuples()
        ):
            start = pd.Timestamp(q.period_start)
            end = pd.Timestamp(q.period_end) + pd.Timedelta(days=1)
            inside = won[
                won.rep_id.isin(members) & (won.closed_at >= start) & (won.closed_at < end)
            ]
            if inside.amount.sum() < q.value:
                out.append(start)
        return out

    under = missed(planted.under_target_team)
    assert len(under) >= 3
    assert {d.date() for d in under} <= set(planted.under_target_missed)
    leaves = set(reps.team_id) - {planted.under_target_team}
    assert all(len(missed(team)) < len(under) for team in leaves)


@pytest.mark.slow
def test_deals_with_more_driver_activities_win_more_often_with_the_stated_lag(built: Built) -> None:
    planted, deals, stages, acts = (
        built.data.planted,
        built["deals"],
        built["deal_stages"],
        built["activities"],
    )
    assert planted.driver_type == PROFILES[CONFIG.context].driver_type == "demo"
    first, _ = history()
    # deals whose demo stage lies in the history, where their activities are on record
    reached_demo = set(stages.deal_id[(stages.stage == "demo") & (stages.entered_at >= first)])
    closed = deals[(deals.status != "open") & deals.deal_id.isin(reached_demo)].copy()
    driver = acts[(acts.type == planted.driver_type) & acts.deal_id.notna()]
    closed["driver"] = closed.deal_id.map(driver.groupby("deal_id").size()).fillna(0)
    win = closed.status.eq("won").groupby(closed.driver.clip(upper=3)).mean()
    assert win.is_monotonic_increasing
    assert win[3] - win[0] > 0.2
    # the driver's work comes about the lag before the close it helps to win
    won = deals[deals.status == "won"].set_index("deal_id").closed_at
    gap = (driver.deal_id.map(won) - driver.occurred_at).dt.days.dropna()
    assert abs(gap.median() / 7 - planted.driver_lag_weeks) <= 0.75
    # other activity types on the same deals do not show the same step
    emails = acts[(acts.type == "email") & acts.deal_id.notna()].groupby("deal_id").size()
    closed["emails"] = closed.deal_id.map(emails).fillna(0)
    per_email = closed.status.eq("won").groupby(closed.emails >= closed.emails.median()).mean()
    assert per_email[True] - per_email[False] < win[3] - win[0]


@pytest.mark.slow
def test_activity_dips_for_three_weeks(built: Built) -> None:
    planted, acts = built.data.planted, built["activities"]
    start, end = (pd.Timestamp(d) for d in planted.activity_dip)
    assert (end - start).days == 20 and start.day_of_week == 0
    assert (
        planted.activity_dip_team
        == built["teams"].team_id[built["teams"].parent_team_id.isna()].iloc[0]
    )
    day = acts.occurred_at.dt.normalize()
    during = ((day >= start) & (day <= end)).sum()
    before = ((day >= start - pd.Timedelta(days=35)) & (day < start - pd.Timedelta(days=14))).sum()
    after = ((day > end + pd.Timedelta(days=14)) & (day <= end + pd.Timedelta(days=35))).sum()
    assert during < 0.5 * before and during < 0.5 * after


@pytest.mark.slow
def test_revenue_dips_the_stated_lag_after_the_activity_dip() -> None:
    data = generate(DemoConfig(reps=150, years=1))
    planted = data.planted
    deals = data.tables["deals"].to_pandas()
    won = deals[(deals.status == "won") & (deals.kind == "new_business")]
    lag = pd.Timedelta(weeks=planted.revenue_dip_lag_weeks)
    start = pd.Timestamp(planted.activity_dip[0]) + lag
    width = pd.Timedelta(days=(planted.activity_dip[1] - planted.activity_dip[0]).days + 1)

    def revenue(shift: int) -> float:
        a, b = start + shift * width, start + (shift + 1) * width
        return float(won.amount[(won.closed_at >= a) & (won.closed_at < b)].sum())

    # the three weeks of the echo against the six before it and the three after it (later
    # windows run into the summer)
    around = [revenue(k) for k in (-2, -1, 1)]
    assert revenue(0) < 0.9 * sum(around) / len(around)
    assert revenue(0) < min(around)


@pytest.mark.slow
def test_seasons_summer_dip_and_strong_fourth_quarter(built: Built) -> None:
    planted, leads, deals = built.data.planted, built["leads"], built["deals"]
    first, _ = history()
    leads = leads[leads.created_at >= first]
    per_month = leads.groupby(leads.created_at.dt.month).size() / CONFIG.years
    summer = per_month[[7, 8]].mean()
    assert summer < 0.8 * per_month.drop([7, 8, 12]).mean()
    assert planted.lead_season[6] < 1 and planted.win_season[11] > 0
    assert "Q4 is the strongest quarter" in planted.seasonality
    won = deals[deals.status == "won"]
    quarter = won.groupby(won.closed_at.dt.to_period("Q")).amount.sum()
    year = CONFIG.end.year - 1
    assert quarter[pd.Period(f"{year}Q4")] > quarter[pd.Period(f"{year}Q3")]


@pytest.mark.slow
def test_new_hire_ramps_up_and_leavers_stop(built: Built) -> None:
    planted, acts, reps = built.data.planted, built["activities"], built["reps"]
    mine = acts[acts.rep_id == planted.new_hire].occurred_at
    start = pd.Timestamp(planted.new_hire_start)
    first4 = ((mine >= start) & (mine < start + pd.Timedelta(weeks=4))).sum()
    last4 = (mine >= pd.Timestamp(CONFIG.end) - pd.Timedelta(weeks=4) + pd.Timedelta(days=1)).sum()
    assert planted.ramp_weeks == 12 and first4 > 0 and last4 > 2 * first4
    for rep in planted.leavers:
        left = pd.Timestamp(reps.end_date[reps.rep_id == rep].iloc[0])
        theirs = acts.occurred_at[acts.rep_id == rep]
        assert len(theirs) > 0 and theirs.max() < left + pd.Timedelta(days=1)
        # their open work went to the team manager
        team = reps.team_id[reps.rep_id == rep].iloc[0]
        manager = built["teams"].manager_rep_id[built["teams"].team_id == team].iloc[0]
        gone = left + pd.Timedelta(days=1)
        after = built["deals"][(built["deals"].closed_at >= gone) & (built["deals"].rep_id == rep)]
        assert after.empty, (rep, manager)


@pytest.mark.slow
def test_targets_cover_reps_and_teams_and_add_up(built: Built) -> None:
    targets, reps = built["targets"], built["reps"]
    assert {"revenue_won", "activities", "activities:demo"} <= set(targets.metric)
    monthly = targets[
        (pd.to_datetime(targets.period_end) - pd.to_datetime(targets.period_start)).dt.days < 40
    ]
    quarterly = targets.drop(monthly.index)
    sellers = set(reps.rep_id[reps.role == "rep"])
    assert sellers <= set(
        monthly.scope_id[(monthly.scope == "rep") & (monthly.metric == "revenue_won")]
    )
    for frame in (monthly, quarterly):
        revenue = frame[frame.metric == "revenue_won"]
        by_rep = revenue[revenue.scope == "rep"].merge(reps, left_on="scope_id", right_on="rep_id")
        summed = by_rep.groupby(["team_id", "period_start"]).value.sum()
        teams = revenue[revenue.scope == "team"].set_index(["scope_id", "period_start"]).value
        assert (teams.reindex(summed.index) - summed).abs().max() < 1e-6
    org = quarterly[(quarterly.scope == "org") & (quarterly.metric == "revenue_won")]
    assert len(org) >= 4 * CONFIG.years


@pytest.mark.slow
def test_accounts_leads_and_surveys_tell_a_consistent_story(built: Built) -> None:
    accounts, leads, deals = built["accounts"], built["leads"], built["deals"]
    assert set(accounts.segment) == {"smb", "mid", "enterprise"}
    # churned accounts were customers first, and nothing new was opened with them afterwards
    churned = accounts.dropna(subset=["churned_at"]).set_index("account_id").churned_at
    assert len(churned) > 0
    on = deals[deals.account_id.isin(churned.index)]
    first_win = on[on.status == "won"].groupby("account_id").closed_at.min()
    assert (first_win.reindex(churned.index) < churned).all()
    assert (on.created_at <= on.account_id.map(churned)).all()
    # renewals come after a win on the same account
    renewals = deals[deals.kind == "renewal"]
    first_won = deals[deals.status == "won"].groupby("account_id").closed_at.min()
    assert (renewals.account_id.map(first_won) < renewals.created_at).all()
    # referrals convert better than cold outbound leads
    converted = leads.deal_id.map(deals.set_index("deal_id").status.eq("won")).fillna(False)
    by_source = converted.groupby(leads.source).mean()
    assert by_source["referral"] > 1.5 * by_source["outbound"]
    assert set(leads.source) == set(LeadSource.words())


@pytest.mark.parametrize("context", CONTEXTS)
def test_each_context_sells_what_it_should(context: str) -> None:
    data = generate(DemoConfig(context=context, reps=8, years=1))
    profile = PROFILES[context]
    deals = data.tables["deals"].to_pandas()
    new = deals[deals.kind == "new_business"]
    lo, hi = profile.amount_range
    assert new.amount.between(lo, hi).all()
    won = deals[deals.status == "won"]
    cycle = (won.closed_at - won.created_at).dt.days.median()
    expected = sum(profile.stage_days)
    assert 0.6 * expected <= cycle <= 1.4 * expected
    assert data.planted.driver_type == profile.driver_type
    assert data.tables["activities"].num_rows > 8 * 150 * 20  # reps x working days x a few
