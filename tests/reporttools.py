"""The small organisation of the weekly report's tests, worked out by hand (see `report_csvs`)."""

from __future__ import annotations

from datetime import date, timedelta

WEEK = "2025-W20"  # 12-18 May 2025; the report judges as of 19 May


def report_csvs() -> dict[str, str]:
    """North (T1: Ann R1, Bob R2, Dirk R4) and South (T2: Cas R3) under Acme.

    Targets per month, January to April: Ann 25k, 20k, 40k, 20k against 20k, 20k, 20k, 30k
    won (missed twice); Bob 20k against 10k (missed four times); North 60k against 30k, 30k,
    30k, 40k (missed four times). Dirk logs his first activities in week 20.

    Deals open on 19 May: D1 (Ann) last touched by an activity on 10 April (39 days idle); D2
    (Ann) by an activity on 14 May; D3 (Bob) by nothing before then (created 1 March, 79 days;
    its activity on 25 May comes after the week); D4 (Bob) was won only on 30 May (created
    1 March, stage entered 2 April: 47 days). D5 (Bob) was won on 10 May. D6 (Cas, South) is
    as stale as D3 but outside North. In week 20 Bob won D7 (5k), Ann D8 (2k)."""
    deals = ["deal_id,rep_id,created_at,status,amount,closed_at,stage"]
    targets = ["scope,scope_id,metric,period_start,period_end,value"]
    months = [(1, 31), (2, 28), (3, 31), (4, 30)]
    ann = (20000, 20000, 20000, 30000)
    for i, (m, last) in enumerate(months):
        deals.append(f"W{i}A,R1,2025-{m:02d}-02T09:00:00Z,won,{ann[i]},2025-{m:02d}-20T15:00:00Z,")
        deals.append(f"W{i}B,R2,2025-{m:02d}-02T09:00:00Z,won,10000,2025-{m:02d}-21T15:00:00Z,")
        span = f"2025-{m:02d}-01,2025-{m:02d}-{last}"
        targets.append(f"rep,R1,revenue_won,{span},{(25000, 20000, 40000, 20000)[i]}")
        targets.append(f"rep,R2,revenue_won,{span},20000")
        targets.append(f"team,T1,revenue_won,{span},60000")
    deals += [
        "D1,R1,2025-03-03T09:00:00Z,open,7000,2025-06-30T00:00:00Z,proposal",
        "D2,R1,2025-03-03T09:00:00Z,open,8000,2025-06-30T00:00:00Z,demo",
        "D3,R2,2025-03-01T09:00:00Z,open,9000,2025-06-30T00:00:00Z,",
        "D4,R2,2025-03-01T09:00:00Z,won,4000,2025-05-30T12:00:00Z,",
        "D5,R2,2025-03-01T09:00:00Z,won,3000,2025-05-10T12:00:00Z,",
        "D6,R3,2025-03-01T09:00:00Z,open,9000,2025-06-30T00:00:00Z,",
        "D7,R2,2025-05-05T09:00:00Z,won,5000,2025-05-15T12:00:00Z,",
        "D8,R1,2025-05-05T09:00:00Z,won,2000,2025-05-13T12:00:00Z,",
    ]
    acts = ["activity_id,rep_id,type,occurred_at,outcome,deal_id"]
    for i in range(30):  # Ann and Bob call every other day from March on
        day = date(2025, 3, 3) + timedelta(days=2 * i)
        acts.append(f"C{i},{'R1' if i % 2 else 'R2'},call,{day}T10:00:00Z,connected,")
    acts += [
        "A1,R1,meeting,2025-04-10T10:00:00Z,held,D1",
        "A2,R1,meeting,2025-05-14T10:00:00Z,held,D2",
        "A3,R2,meeting,2025-05-25T10:00:00Z,held,D3",
        "A4,R4,call,2025-05-13T10:00:00Z,connected,",
        "A5,R4,call,2025-05-14T10:00:00Z,connected,",
        "A6,R3,call,2025-05-14T10:00:00Z,connected,",
    ]
    return {
        "teams": "team_id,name,parent_team_id\nORG,Acme,\nT1,North,ORG\nT2,South,ORG\n",
        "reps": "rep_id,name,team_id,start_date,end_date\nR1,Ann,T1,2024-01-01,\n"
        "R2,Bob,T1,2024-01-01,\nR3,Cas,T2,2024-01-01,\nR4,Dirk,T1,2025-05-01,\n",
        "deals": "\n".join(deals) + "\n",
        "deal_stages": "deal_id,stage,entered_at\nD4,proposal,2025-04-02T09:00:00Z\n"
        "D1,proposal,2025-04-01T09:00:00Z\n",
        "activities": "\n".join(acts) + "\n",
        "targets": "\n".join(targets) + "\n",
    }
