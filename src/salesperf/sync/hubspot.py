"""HubSpot: deals, calls, meetings, e-mails and tasks from the CRM v3 API, with a private app's
token. See docs/sync/hubspot.md.

Records changed since the cursor are read with the search API, sorted by `hs_lastmodifieddate`,
oldest first. Each page's request starts again from the last modification time read
(`hs_lastmodifieddate >= t`), skipping the records already read at exactly that time, instead of
going on with `paging.next.after` from the first request: the search API stops at 10,000 results
per search, and an offset into results that are being modified shifts (a record modified while
the sync runs moves to the end, and the one after it would slide back into a page already read).
Starting each page from the last time read never reaches the window and loses no record: a record
modified during the sync is read again at its new time. Records at exactly the cursor's time are
read again by the next sync (GTE): their rows are upserted, unchanged.

Archived records (the objects' list with `archived=true`) and the deals merged into another
(`hs_merged_object_ids`) are removed. A deal's status is the meaning of its stage in the pipelines
API (closed, and won at probability 1.0), never its label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from requests import Response

from salesperf.sync.http import Retries, rest_client
from salesperf.sync.hubspot_rows import (
    COMPANY_PROPERTIES,
    DEAL_PROPERTIES,
    ENGAGEMENT_PROPERTIES,
    Stage,
    company_row,
    deal_row,
    engagement_row,
    merged_away,
    stage_rows,
    stages,
)
from salesperf.sync.model import Cursor, Owner, Page, Row, SyncObject, SyncRefused, refused
from salesperf.sync.vendors import Credential, Vendor

BASE_URL = "https://api.hubapi.com"

#: Records asked per search request (the search API allows 200) and per list request (100).
SEARCH_LIMIT = 100
LIST_LIMIT = 100
#: Deals whose history one batch read asks for (HubSpot's limit with propertiesWithHistory).
HISTORY_BATCH = 50

OBJECTS = (
    SyncObject("companies", "accounts", "hubspot-companies"),
    SyncObject("deals", "deals", "hubspot-deals"),
    SyncObject("deal_stages", "deal_stages", "hubspot-api-deal-stages"),
    SyncObject("calls", "activities", "hubspot-calls"),
    SyncObject("meetings", "activities", "hubspot-meetings"),
    SyncObject("emails", "activities", "hubspot-emails"),
    SyncObject("tasks", "activities", "hubspot-tasks"),
)

#: The private app's scopes: the least that read what a sync reads. Calls, meetings, e-mails and
#: tasks (and the call dispositions) are engagements, read under the contacts scope.
SCOPES = (
    "crm.objects.deals.read",
    "crm.schemas.deals.read",
    "crm.objects.owners.read",
    "crm.objects.companies.read",
    "crm.objects.contacts.read",
)


def explain(response: Response) -> SyncRefused | None:
    """HubSpot's refusals in its own terms: the token, the scope to grant, the daily limit."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    message = str(body.get("message") or "").strip()
    category = str(body.get("category") or "")
    status = response.status_code
    if status == 401:
        expired = "expired" if category == "EXPIRED_AUTHENTICATION" else "wrong, expired or revoked"
        verlopen = (
            "verlopen"
            if category == "EXPIRED_AUTHENTICATION"
            else "onjuist, verlopen of ingetrokken"
        )
        return refused(
            f"HubSpot refused the token (HTTP 401: {message or category}): the private app's "
            f"access token is {expired}. In HubSpot, open Settings > Integrations > Private "
            "apps, copy (or rotate) the app's access token and set SALESPERF_HUBSPOT_TOKEN",
            f"HubSpot weigert het token (HTTP 401: {message or category}): het toegangstoken "
            f"van de private app is {verlopen}. Open in HubSpot Instellingen > Integraties > "
            "Private apps, kopieer (of vernieuw) het toegangstoken en zet "
            "SALESPERF_HUBSPOT_TOKEN",
        )
    if status == 403 and (category == "MISSING_SCOPES" or "scope" in message):
        scopes = missing_scopes(body) or list(SCOPES)
        names = ", ".join(scopes)
        return refused(
            f"HubSpot refused {response.request.path_url.split('?')[0]} (HTTP 403, missing "
            f"scopes): grant the private app the scope {names} (Settings > Integrations > "
            "Private apps > the app > Scopes), then sync again",
            f"HubSpot weigert {response.request.path_url.split('?')[0]} (HTTP 403, ontbrekende "
            f"scopes): geef de private app de scope {names} (Instellingen > Integraties > "
            "Private apps > de app > Scopes) en synchroniseer opnieuw",
        )
    if status == 429 and str(body.get("policyName") or "").upper() == "DAILY":
        limit = response.headers.get("X-HubSpot-RateLimit-Daily")
        of = f" of {limit} requests" if limit else ""
        van = f" van {limit} verzoeken" if limit else ""
        return refused(
            f"HubSpot's daily API limit{of} is reached ({message or 'DAILY'}): it resets at "
            "midnight in the HubSpot account's time zone; nothing past the last committed page "
            "was written: sync again after midnight",
            f"De daglimiet{van} van HubSpot's API is bereikt ({message or 'DAILY'}): die gaat "
            "om middernacht in de tijdzone van het HubSpot-account opnieuw in; niets na de "
            "laatst vastgelegde pagina is geschreven: synchroniseer na middernacht opnieuw",
        )
    return None


def missing_scopes(body: Mapping[str, Any]) -> list[str]:
    """The scopes a MISSING_SCOPES answer names (its errors' context)."""
    found: list[str] = []
    for error in body.get("errors") or ():
        context = error.get("context") or {} if isinstance(error, dict) else {}
        for key in ("requiredGranularScopes", "requiredScopes"):
            for scope in context.get(key) or ():
                if str(scope) not in found:
                    found.append(str(scope))
    return found


def millis(iso: str) -> int:
    """An ISO 8601 time (UTC when it names no zone) as milliseconds since 1970."""
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


class HubSpot:
    """HubSpot's side of a sync."""

    name = "hubspot"

    def __init__(
        self,
        token: str,
        base_url: str | None = None,
        retries: Retries = Retries(),
        search_limit: int = SEARCH_LIMIT,
        list_limit: int = LIST_LIMIT,
    ) -> None:
        self.client = rest_client(
            (base_url or BASE_URL).rstrip("/"), "HubSpot",
            headers={"Authorization": f"Bearer {token}"}, retries=retries, explain=explain,
        )  # fmt: skip
        self.search_limit = search_limit
        self.list_limit = list_limit
        self.stages: dict[str, Stage] = {}
        self.dispositions: dict[str, str] = {}

    def objects(self) -> Sequence[SyncObject]:
        """Companies and deals first (the others refer to them), then the deals' stage history,
        calls, meetings, e-mails and tasks."""
        return OBJECTS

    def _list(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

        for page in self.client.paginate(
            path, params={"limit": self.list_limit, **params}, data_selector="results",
            paginator=JSONResponseCursorPaginator(cursor_path="paging.next.after",
                                                  cursor_param="after"),
        ):  # fmt: skip
            yield from page

    def owners(self) -> Sequence[Owner]:
        """The active owners and the deactivated ones (`archived=true`), who keep their history."""
        found: dict[str, Owner] = {}
        for archived in ("false", "true"):
            for o in self._list("/crm/v3/owners", {"archived": archived}):
                name = " ".join(str(o.get(k) or "").strip() for k in ("firstName", "lastName"))
                found.setdefault(
                    str(o["id"]),
                    Owner(str(o["id"]), o.get("email") or None, name.strip() or None,
                          active=archived == "false"),
                )  # fmt: skip
        return list(found.values())

    def prepare(self) -> None:
        """The deal pipelines' stages and the call dispositions' labels."""
        pipelines = self.client.get("/crm/v3/pipelines/deals").json().get("results") or []
        self.stages = stages(pipelines)
        answer = self.client.get("/calling/v1/dispositions").json()
        self.dispositions = {str(d["id"]): str(d["label"]) for d in answer or ()}

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        """The object's records changed since `since`, oldest first; then its archived ones."""
        if obj.name == "deal_stages":  # the history of the deals changed since
            for records in self.search("deals", ("hs_lastmodifieddate",), since):
                yield Page(self.history([str(r["id"]) for r in records]), _cursor(records))
            return
        props = {"deals": DEAL_PROPERTIES, "companies": COMPANY_PROPERTIES}.get(obj.name) or (
            "hubspot_owner_id", "hs_lastmodifieddate", *ENGAGEMENT_PROPERTIES[obj.name])  # fmt: skip
        for records in self.search(obj.name, props, since):
            if obj.name in ("deals", "companies"):
                rows: list[Row] = [
                    deal_row(r, self.stages) if obj.name == "deals" else company_row(r)
                    for r in records
                ]
                gone = [i for r in records for i in merged_away(r)]
            else:
                rows = [engagement_row(obj.name, r, self.dispositions) for r in records]
                gone = []
            yield Page(rows, _cursor(records), gone)
        archived = [str(r["id"]) for r in self._list(
            f"/crm/v3/objects/{obj.name}", {"archived": "true", "properties": "hs_object_id"})]  # fmt: skip
        if archived:
            yield Page((), None, archived)

    def history(self, ids: Sequence[str]) -> list[Row]:
        """Each stage the deals entered and when (`dealstage` with its history, batch read)."""
        rows: list[Row] = []
        for at in range(0, len(ids), HISTORY_BATCH):
            body = {
                "inputs": [{"id": i} for i in ids[at : at + HISTORY_BATCH]],
                "properties": ["dealstage"],
                "propertiesWithHistory": ["dealstage"],
            }
            answer = self.client.post("/crm/v3/objects/deals/batch/read", json=body).json()
            for record in answer.get("results") or ():
                rows.extend(stage_rows(record))
        return rows

    def search(
        self, kind: str, properties: Sequence[str], since: Cursor | None
    ) -> Iterator[list[dict[str, Any]]]:
        """The records changed at or after `since`, a page of results at a time, each request
        starting from the last modification time read (see the module docstring)."""
        start = millis(since.modified) if since else None
        seen: set[str] = set()  # the ids read at exactly `start`
        while True:
            body: dict[str, Any] = {
                "filterGroups": [],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
                "properties": list(properties),
                "limit": self.search_limit,
                "after": str(len(seen)) if seen else "0",
            }
            if start is not None:
                body["filterGroups"] = [{"filters": [{
                    "propertyName": "hs_lastmodifieddate", "operator": "GTE",
                    "value": str(start)}]}]  # fmt: skip
            answer = self.client.post(f"/crm/v3/objects/{kind}/search", json=body).json()
            results = [r for r in answer.get("results") or () if str(r["id"]) not in seen]
            if results:
                yield results
            more = bool((answer.get("paging") or {}).get("next"))
            if not results or not more:
                return
            last = millis(results[-1]["properties"]["hs_lastmodifieddate"])
            at_last = {
                str(r["id"])
                for r in results
                if millis(r["properties"]["hs_lastmodifieddate"]) == last
            }
            seen = seen | at_last if last == start else at_last
            start = last


def _cursor(records: Sequence[Mapping[str, Any]]) -> Cursor:
    """The cursor after a page: its last modification time and the largest id at that time."""
    last = records[-1]["properties"]["hs_lastmodifieddate"]
    at_last = [str(r["id"]) for r in records if r["properties"]["hs_lastmodifieddate"] == last]
    return Cursor(last, max(at_last, key=lambda i: (len(i), i)))


def connect(creds: Mapping[str, str], base_url: str | None, retries: Retries) -> HubSpot:
    """A HubSpot connector with the private app's token."""
    return HubSpot(creds["token"], base_url, retries)


VENDOR = Vendor(
    name="hubspot",
    title="HubSpot",
    credentials=(
        Credential(
            key="token",
            env="SALESPERF_HUBSPOT_TOKEN",
            secret=True,
            required=True,
            help_en="a private app's access token",
            help_nl="het toegangstoken van een private app",
        ),
    ),
    connect=connect,
    scopes=SCOPES,
)
