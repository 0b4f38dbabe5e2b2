"""Pipedrive: organizations, deals and activities read from Pipedrive's API v2; users, activity
types and each changed deal's stage changes (its flow) from API v1.

API v2 is Pipedrive's current API for deals, activities and stages (their v1 lists are
deprecated in its favour): it filters on `updated_since`, sorts by `update_time` and pages with a
cursor (`additional_data.next_cursor`), which is what an incremental sync needs; v1's lists page
by offset, which shifts when records change during the read, and have no `updated_since`. Users
have no v2 endpoint yet: `GET /api/v1/users` lists them all, deactivated ones included.

Each page of deals or activities becomes the rows of Pipedrive's export file for them
(`pipedrive_rows`), imported with the export's presets; organizations and stage changes, which
no export holds, have presets of their own (`pipedrive-api-organizations`,
`pipedrive-api-deal-stages`). `updated_since` takes records changed at
or after the cursor's time, so the records at exactly that time are read again (an upsert leaves
them as they are) and none changed in the same second as the last committed one is lost.

The API token goes in the `x-api-token` header, never in a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from requests import Response
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import JSONDecodeError

from salesperf.sync.http import Retries, rest_client
from salesperf.sync.model import Cursor, Owner, Page, Row, SyncObject, SyncRefused, refused
from salesperf.sync.pipedrive_rows import (
    activity_row,
    deal_row,
    is_deleted,
    organization_row,
    stage_rows,
    text,
)
from salesperf.sync.vendors import Credential, Vendor

#: Records per page: API v2's largest.
LIMIT = 500
ORGANIZATIONS = SyncObject("organizations", "accounts", "pipedrive-api-organizations")
DEALS = SyncObject("deals", "deals", "pipedrive-deals")
ACTIVITIES = SyncObject("activities", "activities", "pipedrive-activities")
#: The stage history of the deals changed, from each one's flow (one request per deal).
STAGES = SyncObject("stage_history", "deal_stages", "pipedrive-api-deal-stages")
#: Deal statuses read: deleted deals (kept by Pipedrive for 30 days) are removed here too.
DEAL_STATUSES = "open,won,lost,deleted"
DOMAIN_HELP_EN = (
    "SALESPERF_PIPEDRIVE_DOMAIN (the part before .pipedrive.com in your Pipedrive address)"
)
DOMAIN_HELP_NL = "SALESPERF_PIPEDRIVE_DOMAIN (het deel vóór .pipedrive.com in uw Pipedrive-adres)"
_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def company_url(domain: str) -> str:
    """The company's API address from its domain ("acme", "acme.pipedrive.com" or the URL)."""
    name = domain.strip().lower().removeprefix("https://").removeprefix("http://")
    name = name.split("/")[0].removesuffix(".pipedrive.com")
    if not _DOMAIN.match(name):
        raise refused(
            f"{domain!r} is not a Pipedrive company domain: give the part before "
            ".pipedrive.com in your Pipedrive address (acme for https://acme.pipedrive.com)",
            f"{domain!r} is geen Pipedrive-bedrijfsdomein: geef het deel vóór .pipedrive.com "
            "in uw Pipedrive-adres (acme voor https://acme.pipedrive.com)",
        )
    return f"https://{name}.pipedrive.com"


def _error(response: Response) -> str:
    """Pipedrive's own words for a failed answer (`error`, `error_info`), or the answer."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if not isinstance(body, dict):
        return str(body)[:300]
    said = [str(body[k]) for k in ("error", "error_info") if body.get(k)]
    return "; ".join(said) or str(body)[:300]


def _daily(response: Response) -> bool:
    """Whether a 429 is the company's daily budget spent (not the 2-second burst limit)."""
    if response.headers.get("x-daily-requests-left") == "0":
        return True
    said = _error(response).lower()
    return "daily" in said or "budget" in said


def explain(response: Response, where: str) -> SyncRefused | None:
    """What a failed answer from Pipedrive means and what to do about it."""
    status, said = response.status_code, _error(response)
    if status == 401:
        return refused(
            f"Pipedrive refused the API token (HTTP 401: {said}): it is wrong, or was "
            "regenerated or its user deactivated. Copy the token again from Personal preferences "
            "> API in Pipedrive and set SALESPERF_PIPEDRIVE_TOKEN",
            f"Pipedrive weigert het API-token (HTTP 401: {said}): het klopt niet, is opnieuw "
            "aangemaakt of de gebruiker is gedeactiveerd. Kopieer het token opnieuw via "
            "Persoonlijke voorkeuren > API in Pipedrive en zet SALESPERF_PIPEDRIVE_TOKEN",
        )
    if status == 403:
        return refused(
            f"Pipedrive refused access (HTTP 403: {said}): the user whose API token this is "
            "lacks a permission. Give that user's permission set access to deals, activities "
            "and the users list (Settings > Manage users > Permission sets), or use an "
            "admin's token",
            f"Pipedrive weigert de toegang (HTTP 403: {said}): de gebruiker van dit API-token "
            "mist een recht. Geef de rechtenset van die gebruiker toegang tot deals, "
            "activiteiten en de gebruikerslijst (Instellingen > Gebruikers beheren > "
            "Rechtensets), of gebruik het token van een beheerder",
        )
    if status == 404:
        return refused(
            f"Pipedrive has no company at {where} (HTTP 404: {said}): check "
            "SALESPERF_PIPEDRIVE_DOMAIN, the part before .pipedrive.com in your Pipedrive address",
            f"Pipedrive kent geen bedrijf op {where} (HTTP 404: {said}): controleer "
            "SALESPERF_PIPEDRIVE_DOMAIN, het deel vóór .pipedrive.com in uw Pipedrive-adres",
        )
    if status == 429 and _daily(response):
        return refused(
            f"Pipedrive's daily API budget for your company is spent (HTTP 429: {said}). "
            "Pages read so far are kept; the budget is renewed at midnight, so sync again "
            "tomorrow, or add API tokens in Pipedrive (Tools and apps > API usage)",
            f"Het dagelijkse API-budget van uw bedrijf bij Pipedrive is op (HTTP 429: {said}). "
            "De al gelezen pagina's blijven bewaard; het budget wordt om middernacht vernieuwd, "
            "dus synchroniseer morgen opnieuw, of koop API-tokens bij in Pipedrive "
            "(Tools en apps > API-gebruik)",
        )
    return None


def _cursor(records: Sequence[Mapping[str, Any]]) -> Cursor | None:
    """The cursor after a page sorted by update time: its last record's time and id."""
    if not records:
        return None
    last = records[-1]
    return Cursor(str(last.get("update_time") or ""), text(last.get("id")) or "")


class PipedriveConnector:
    """One Pipedrive company's organizations, deals (and their stage history), activities and
    users."""

    name = "pipedrive"

    def __init__(self, token: str, base_url: str, retries: Retries = Retries()) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = rest_client(
            self.base_url,
            "Pipedrive",
            headers={"x-api-token": token, "Accept": "application/json"},
            retries=retries,
            explain=lambda r: explain(r, self.base_url),
        )
        self.stages: dict[str, str] = {}
        self.types: dict[str, str] = {}

    def objects(self) -> Sequence[SyncObject]:
        """Organizations first (deals and activities name them), then deals, activities and
        the changed deals' stage history."""
        return (ORGANIZATIONS, DEALS, ACTIVITIES, STAGES)

    @contextmanager
    def _answers(self) -> Iterator[None]:
        """Pipedrive's address unreachable, or answering with what is not its API (a wrong
        domain), refused naming the address."""
        try:
            yield
        except RequestsConnectionError as exc:
            raise refused(
                f"cannot reach Pipedrive at {self.base_url} ({type(exc).__name__}): check "
                f"{DOMAIN_HELP_EN} and the network",
                f"kan Pipedrive niet bereiken op {self.base_url} ({type(exc).__name__}): "
                f"controleer {DOMAIN_HELP_NL} en het netwerk",
            ) from None
        except JSONDecodeError:  # an answer that is not JSON: not Pipedrive's API
            raise refused(
                f"{self.base_url} does not answer as Pipedrive's API does: check {DOMAIN_HELP_EN}",
                f"{self.base_url} antwoordt niet zoals de API van Pipedrive: controleer "
                f"{DOMAIN_HELP_NL}",
            ) from None

    def _pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[dict[str, Any]]]:
        """An API v2 list, page by page (cursor paging), as lists of records."""
        from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

        paginator = JSONResponseCursorPaginator(
            cursor_path="additional_data.next_cursor", cursor_param="cursor"
        )
        with self._answers():
            for page in self.client.paginate(
                path, params=dict(params), paginator=paginator, data_selector="data"
            ):
                yield [r for r in page if isinstance(r, dict)]

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One API v1 answer's body."""
        with self._answers():
            body = self.client.get(path, params=dict(params or {})).json()
        return body if isinstance(body, dict) else {}

    def _list(self, path: str) -> list[dict[str, Any]]:
        """An API v1 list that comes whole (users, activity types)."""
        return [r for r in self._get(path).get("data") or [] if isinstance(r, dict)]

    def _flow(self, deal_id: str) -> list[dict[str, Any]]:
        """A deal's stage changes: its flow (`GET /api/v1/deals/{id}/flow`) limited to the
        deal's own field changes, paged by offset (`additional_data.pagination`). Read here
        rather than with dlt's paginate, which warns once per deal without changes (their
        flow's `data` is null)."""
        changes: list[dict[str, Any]] = []
        start: Any = 0
        while True:
            body = self._get(
                f"/api/v1/deals/{deal_id}/flow",
                {"items": "dealChange", "start": start, "limit": 100},
            )
            for item in body.get("data") or []:
                if isinstance(item, dict) and item.get("object") == "dealChange":
                    changes.append(item.get("data") or {})
            paging = (body.get("additional_data") or {}).get("pagination") or {}
            if not paging.get("more_items_in_collection"):
                return changes
            start = paging.get("next_start", int(start) + 100)

    def owners(self) -> Sequence[Owner]:
        """Every user of the company (`GET /api/v1/users`), deactivated ones included."""
        return [
            Owner(
                id=str(u["id"]),
                email=text(u.get("email")),
                name=text(u.get("name")),
                active=bool(u.get("active_flag", True)),
            )
            for u in self._list("/api/v1/users")
            if u.get("id") is not None
        ]

    def prepare(self) -> None:
        """The stages' current names (`GET /api/v2/stages`) and the activity types' names
        (`GET /api/v1/activityTypes`), as an export file writes them."""
        self.stages = {
            str(s["id"]): str(s.get("name") or s["id"])
            for page in self._pages("/api/v2/stages", {"limit": LIMIT})
            for s in page
            if s.get("id") is not None
        }
        self.types = {
            str(t["key_string"]): str(t.get("name") or t["key_string"])
            for t in self._list("/api/v1/activityTypes")
            if t.get("key_string")
        }

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        """The object's records changed at or after `since`, oldest change first, a page at a
        time; records Pipedrive marks as deleted are removed rather than imported. The stage
        history pages through the deals too, and reads each deal's flow."""
        params: dict[str, Any] = {
            "sort_by": "update_time",
            "sort_direction": "asc",
            "limit": LIMIT,
        }
        if since is not None:
            params["updated_since"] = since.modified
        if obj.name in (DEALS.name, STAGES.name):
            path = "/api/v2/deals"
            params["status"] = DEAL_STATUSES
        elif obj.name == ACTIVITIES.name:
            path = "/api/v2/activities"
        elif obj.name == ORGANIZATIONS.name:
            path = "/api/v2/organizations"
        else:
            raise ValueError(f"Pipedrive has no object {obj.name!r}")
        for records in self._pages(path, params):
            kept = [r for r in records if not is_deleted(r)]
            gone = [text(r.get("id")) or "" for r in records if is_deleted(r)]
            if obj.name == DEALS.name:
                rows = [deal_row(r, self.stages) for r in kept]
            elif obj.name == STAGES.name:  # a deleted deal has no flow left to read
                yield Page(rows=self._history(kept), cursor=_cursor(records))
                continue
            elif obj.name == ORGANIZATIONS.name:
                rows = [organization_row(r) for r in kept]
            else:
                rows = [activity_row(r, self.types) for r in kept]
            yield Page(rows=rows, cursor=_cursor(records), deleted=[g for g in gone if g])

    def _history(self, deals: Sequence[Mapping[str, Any]]) -> list[Row]:
        """The stages each deal entered, and when."""
        return [
            row
            for deal in deals
            if deal.get("id") is not None
            for row in stage_rows(deal, self._flow(str(deal["id"])), self.stages)
        ]


def connect(creds: Mapping[str, str], base_url: str | None, retries: Retries) -> PipedriveConnector:
    """A connector for the company whose domain and API token `creds` hold (`base_url` stands
    in for the company's address: a test server)."""
    url = base_url or company_url(creds.get("domain", ""))
    return PipedriveConnector(creds["token"], url, retries)


VENDOR = Vendor(
    name="pipedrive",
    title="Pipedrive",
    credentials=(
        Credential(
            "token",
            "SALESPERF_PIPEDRIVE_TOKEN",
            secret=True,
            required=True,
            help_en="the API token from Personal preferences > API",
            help_nl="het API-token uit Persoonlijke voorkeuren > API",
        ),
        Credential(
            "domain",
            "SALESPERF_PIPEDRIVE_DOMAIN",
            secret=False,
            required=True,
            help_en="the company domain: acme for https://acme.pipedrive.com",
            help_nl="het bedrijfsdomein: acme voor https://acme.pipedrive.com",
        ),
    ),
    connect=connect,
    scopes=("deals:read", "activities:read", "contacts:read", "users:read"),
)
