"""The canonical tables of salesperf and their closed vocabularies.

Every import, whatever its source, ends up in these tables (see docs/data-model.md). Timestamps
are stored as naive UTC; a value read without a zone is taken in the organisation's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.schema as sch

from salesperf.errors import InputError


class Vocabulary(StrEnum):
    """A closed vocabulary: its words are the enum's values."""

    @classmethod
    def words(cls) -> tuple[str, ...]:
        """The allowed words, in declaration order."""
        return tuple(member.value for member in cls)


class ActivityType(Vocabulary):
    """What kind of work an activity was (extendable by the `activity_types` setting)."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    FOLLOW_UP = "follow_up"
    EVENT = "event"
    SOCIAL = "social"
    OTHER = "other"


class ActivityOutcome(Vocabulary):
    """How an activity ended: calls connect or not, meetings are held or not, emails get replies."""

    CONNECTED = "connected"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    SCHEDULED = "scheduled"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    SENT = "sent"
    REPLIED = "replied"
    BOUNCED = "bounced"
    COMPLETED = "completed"
    OTHER = "other"


#: The outcomes of each type that has its own (spec/metrics.md: calls connect or not, meetings
#: and demos are held or not; e-mails are sent, answered or bounce); other types take any outcome.
OUTCOMES_OF_TYPE: Mapping[str, tuple[str, ...]] = {
    "call": ("connected", "no_answer", "voicemail", "completed", "other"),
    "email": ("sent", "replied", "bounced", "completed", "other"),
    "meeting": ("scheduled", "held", "no_show", "cancelled", "completed", "other"),
    "demo": ("scheduled", "held", "no_show", "cancelled", "completed", "other"),
}


class DealStatus(Vocabulary):
    """Where a deal stands: still open, won or lost."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"

    @property
    def closed(self) -> bool:
        """Won and lost deals are closed and must carry a close date."""
        return self is not DealStatus.OPEN


class LeadSource(Vocabulary):
    """Where a lead came from."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    REFERRAL = "referral"
    EVENT = "event"
    SOCIAL = "social"
    PARTNER = "partner"
    OTHER = "other"


class Role(Vocabulary):
    """A rep's role in the sales organisation."""

    REP = "rep"
    MANAGER = "manager"


class TargetScope(Vocabulary):
    """Whom a target is set for."""

    REP = "rep"
    TEAM = "team"
    ORG = "org"


class SurveyScale(Vocabulary):
    """The scale a survey score is on, with its range."""

    CSAT5 = "csat5"
    NPS10 = "nps10"

    @property
    def bounds(self) -> tuple[int, int]:
        """The smallest and largest allowed score."""
        return (1, 5) if self is SurveyScale.CSAT5 else (0, 10)


class Kind(StrEnum):
    """The logical type of a canonical column, which decides how raw text is parsed."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    TIMESTAMP = "timestamp"

    @property
    def dtype(self) -> dt.DataType:
        """The Ibis type a column of this kind is stored as."""
        return {
            Kind.TEXT: dt.string,
            Kind.INTEGER: dt.int64,
            Kind.NUMBER: dt.float64,
            Kind.DATE: dt.date,
            Kind.TIMESTAMP: dt.Timestamp(scale=6),  # microseconds, naive UTC
        }[self]


#: The longest id a column takes: CRM ids are 18 to 40 characters, e-mail addresses at most 254.
ID_CHARS = 255
#: The longest other text (a name, a lost reason): a paragraph, not a document.
TEXT_CHARS = 2000


@dataclass(frozen=True)
class Column:
    """One canonical column: its kind, whether it is required, and its checks."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    vocabulary: type[Vocabulary] | None = None
    non_negative: bool = False
    references: str | None = None  # "table.column" that must hold this value
    description: str = ""

    @property
    def is_id(self) -> bool:
        """An identifier (a key or a reference such as rep_id): compared exactly, so its text is
        normalised on the way in (see `salesperf.ingest.parse.id_sql`)."""
        return self.kind is Kind.TEXT and self.name.endswith("_id")

    @property
    def max_chars(self) -> int | None:
        """The longest text this column takes (`ID_CHARS` for ids, `TEXT_CHARS` for other
        text); None for numbers and dates."""
        if self.kind is not Kind.TEXT:
            return None
        return ID_CHARS if self.is_id else TEXT_CHARS


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its key and the rules that span columns."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    entity: str  # what one row is, in words: "deal", "activity"
    description: str = ""
    rules: tuple[str, ...] = field(default=())

    @property
    def schema(self) -> sch.Schema:
        """The Ibis schema of the stored table."""
        return ibis.schema({c.name: c.kind.dtype for c in self.columns})

    @property
    def column_names(self) -> tuple[str, ...]:
        """The canonical column names, in order."""
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        """The columns that must have a value in every row."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


T, INT, N, D, TS = Kind.TEXT, Kind.INTEGER, Kind.NUMBER, Kind.DATE, Kind.TIMESTAMP

TABLES: Mapping[str, Table] = {
    t.name: t
    for t in (
        Table(
            "teams",
            (
                Column("team_id", T, True),
                Column("name"),
                Column("parent_team_id", references="teams.team_id"),
                Column("manager_rep_id"),
            ),
            key=("team_id",),
            entity="team",
            description="The team tree; the organisation is its root.",
        ),
        Table(
            "reps",
            (
                Column("rep_id", T, True),
                Column("name"),
                Column("email"),
                Column("team_id", T, True, references="teams.team_id"),
                Column("role", T, vocabulary=Role),
                Column("start_date", D),
                Column("end_date", D),
            ),
            key=("rep_id",),
            entity="rep",
            description="Sales people; a rep who left keeps their history.",
            rules=("end_before_start",),
        ),
        Table(
            "accounts",
            (
                Column("account_id", T, True),
                Column("name"),
                Column("segment"),
                Column("created_at", TS),
                Column("churned_at", TS),
            ),
            key=("account_id",),
            entity="account",
            description="Customers and prospects alike.",
        ),
        Table(
            "leads",
            (
                Column("lead_id", T, True),
                Column("created_at", TS, True),
                Column("source", T, vocabulary=LeadSource),
                Column("rep_id", references="reps.rep_id"),
                Column("account_id"),
                Column("qualified_at", TS),
                Column("deal_id"),
            ),
            key=("lead_id",),
            entity="lead",
            description="Leads, with the source they came from.",
        ),
        Table(
            "deals",
            (
                Column("deal_id", T, True),
                Column("rep_id", T, True, references="reps.rep_id"),
                Column("created_at", TS, True),
                Column("status", T, True, vocabulary=DealStatus),
                Column("amount", N, non_negative=True),
                Column("currency"),
                Column("closed_at", TS),
                Column("account_id"),
                Column("stage"),
                Column("kind"),
                Column("lost_reason"),
                Column("source", T, vocabulary=LeadSource),
            ),
            key=("deal_id",),
            entity="deal",
            description="Opportunities; the owner at close gets the outcome.",
            rules=("closed_without_date", "closed_before_created"),
        ),
        Table(
            "deal_stages",
            (
                Column("deal_id", T, True, references="deals.deal_id"),
                Column("stage", T, True),
                Column("entered_at", TS, True),
            ),
            key=("deal_id", "stage", "entered_at"),
            entity="stage change",
            description="The stage history of each deal.",
        ),
        Table(
            "activities",
            (
                Column("activity_id", T, True),
                Column("rep_id", T, True, references="reps.rep_id"),
                Column("type", T, True, vocabulary=ActivityType),
                Column("occurred_at", TS, True),
                Column("duration_min", N, non_negative=True),
                Column("outcome", T, vocabulary=ActivityOutcome),
                Column("deal_id"),
                Column("lead_id"),
                Column("account_id"),
            ),
            key=("activity_id",),
            entity="activity",
            description="Calls, emails, meetings, demos and the rest of the sales work.",
        ),
        Table(
            "targets",
            (
                Column("scope", T, True, vocabulary=TargetScope),
                Column("scope_id", T, True),
                Column("metric", T, True),
                Column("period_start", D, True),
                Column("period_end", D, True),
                Column("value", N, True, non_negative=True),
            ),
            key=("scope", "scope_id", "metric", "period_start", "period_end"),
            entity="target",
            description="Targets per rep, team or organisation, for a metric and a period.",
            rules=("period_end_before_start", "unknown_scope_id", "unknown_metric"),
        ),
        Table(
            "surveys",
            (
                Column("response_id", T, True),
                Column("responded_at", TS, True),
                Column("scale", T, True, vocabulary=SurveyScale),
                Column("score", INT, True),
                Column("account_id"),
                Column("rep_id", references="reps.rep_id"),
            ),
            key=("response_id",),
            entity="survey response",
            description="CSAT (1-5) and NPS (0-10) survey responses.",
            rules=("score_out_of_scale",),
        ),
        Table(
            "absences",
            (
                Column("rep_id", T, True, references="reps.rep_id"),
                Column("date", D, True),
            ),
            key=("rep_id", "date"),
            entity="absence",
            description="Days a rep was not working.",
        ),
        Table(
            "rep_aliases",
            (
                Column("alias", T, True),
                Column("rep_id", T, True, references="reps.rep_id"),
                Column("source"),
            ),
            key=("alias",),
            entity="rep alias",
            description="Names, e-mails and CRM owner ids under which a rep appears in exports.",
        ),
        Table(
            "fx_rates",
            (
                Column("currency", T, True),
                Column("date", D, True),
                Column("rate", N, True, non_negative=True),
            ),
            key=("currency", "date"),
            entity="exchange rate",
            description="Units of the organisation's currency per unit of another currency.",
        ),
    )
}

#: The order in which tables can be loaded so that every reference is already there.
LOAD_ORDER: tuple[str, ...] = (
    "teams", "reps", "accounts", "leads", "deals", "deal_stages", "activities", "targets",
    "surveys", "absences", "rep_aliases", "fx_rates",
)  # fmt: skip


def table(name: str) -> Table:
    """The canonical table called `name`, or a clear error naming the ones that exist."""
    try:
        return TABLES[name]
    except KeyError:
        known = ", ".join(TABLES)
        raise InputError(f"there is no table called {name!r}; the tables are: {known}") from None
