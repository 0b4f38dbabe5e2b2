"""`salesperf demo`: the seeded demo organisation, its scorecards and what to look at next."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table as RichTable

from salesperf.analysis.windows import period_label
from salesperf.cli.common import (
    StoreOpt,
    err,
    errors,
    open_store,
    out,
)
from salesperf.cli.terminal import render_scorecard
from salesperf.i18n import format as fmt
from salesperf.metrics.periods import Grain, parse_period
from salesperf.metrics.query import By
from salesperf.text import Lang


def demo_cmd(
    context: Annotated[str, typer.Option(help="startup, consultancy or agency.")] = "startup",
    reps: Annotated[int, typer.Option(help="Number of reps.")] = 24,
    years: Annotated[int, typer.Option(help="Years of history.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    serve: Annotated[
        bool, typer.Option("--serve", help="Then serve the demo dashboard, with demo sign-ins.")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Build the seeded demo organisation in the store (replacing what is there) and show its
    scorecards for the last full quarter."""
    from salesperf.auth.users import add_demo_users
    from salesperf.cli.serve import finish_demo
    from salesperf.demo import DemoConfig, build_demo
    from salesperf.scorecard import last_full_quarter, scorecards
    from salesperf.store import resolve_url

    with errors():
        config = DemoConfig(context=context, reps=reps, years=years, seed=seed)
        started = time.monotonic()
        with open_store(store, create=True) as s:
            with err.status(f"Building the {context} demo organisation…"):
                data = build_demo(s, config)
                demo_users = add_demo_users(s)
            built = time.monotonic() - started
            counts = s.counts()
            where = s.path or s.url
            quarter = last_full_quarter(config.end + timedelta(days=1))
            after = parse_period(quarter.label).end
            next_quarter = period_label(after, Grain.QUARTER)
            mid_quarter = (quarter.start + timedelta(days=45)).isoformat()
            cards = scorecards(s, levels=(By.ORG, By.TEAM), period=quarter)
            org_card, team_card = cards[By.ORG], cards[By.TEAM]
            currency = s.settings.currency
            names = {
                r["rep_id"]: r["name"]
                for r in s.table("reps").select("rep_id", "name").to_pyarrow().to_pylist()
            }
            teams = {
                r["team_id"]: r["name"]
                for r in s.table("teams").select("team_id", "name").to_pyarrow().to_pylist()
            }
    t = RichTable(title=f"Demo organisation ({context}, seed {seed}) in {where}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in counts.items():
        t.add_row(name, f"{n:,}")
    out.print(t)
    out.print(f"Built in {built:.1f} s.\n")
    shown = fmt.period(quarter, Lang.EN)
    out.print(f"[bold]The organisation, {shown}[/]")
    render_scorecard(org_card, currency, out)
    out.print(f"\n[bold]Each team (with its sub-teams), {shown}[/]")
    render_scorecard(team_card, currency, out)
    p = data.planted
    out.print(
        "\n[bold]What to look at next[/] (the commands are in .venv/bin)\n"
        f"  salesperf scorecard --by rep --period {quarter.label}    every rep, input to output\n"
        f"  salesperf scorecard --by team --grain month --period {quarter.label[:4]}\n"
        f"  salesperf scorecard --split type --metrics activities,activities_per_day,"
        "call_connect_rate,meetings_held_rate\n"
        "  salesperf metrics explain win_rate    how a figure is computed\n"
        "  salesperf diagnose --window last-4-quarters    who is busy but not effective, and why\n"
        "  salesperf health    teams and reps consistently under target\n"
        "  salesperf drivers    which activities go with results, and with what lag\n"
        f"  salesperf plan --target 250000 --period {next_quarter} --team "
        f"{p.under_target_team}    the activity a target requires\n"
        f"  salesperf forecast --period {quarter.label} --as-of {mid_quarter}    "
        "will the target be hit?\n"
        f"The demo hides patterns to find: team {teams.get(p.under_target_team)} misses its "
        f"target most quarters; {', '.join(names.get(r, r) for r in p.busy_not_effective)} are "
        f"busy but not effective; {', '.join(names.get(r, r) for r in p.efficient)} are "
        f"efficient; {names.get(p.new_hire, p.new_hire)} is a new hire ramping up.",
        highlight=False,
    )
    finish_demo(resolve_url(store), demo_users, serve=serve)
