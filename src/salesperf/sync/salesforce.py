"""Salesforce: opportunities, their stage history, tasks, events, accounts and users, read with
SOQL through the REST API's query resource (see docs/sync/salesforce.md).

Each object is read with `queryAll`, oldest change first (`ORDER BY SystemModstamp, Id`) and
paged with the answers' `nextRecordsUrl`; `queryAll` also returns the records deleted since
(in the recycle bin, `IsDeleted = true`: their ids are removed) and archived tasks and events
(which `query` leaves out, though they happened). Rows carry the columns and values of a Data
Loader export (`salesforce_rows`), so the export's presets import them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from salesperf.sync.http import Retries, rest_client
from salesperf.sync.model import Cursor, Owner, Page, SyncObject, refused
from salesperf.sync.salesforce_api import access_token, explain, over_limit
from salesperf.sync.salesforce_rows import CRM, OBJECTS, SObject, Stage, cursor, row, soql, stages
from salesperf.sync.vendors import Credential, Vendor

#: The REST API version read, unless `api_version` says another.
API_VERSION = "v61.0"


class SalesforceConnector:
    """A Salesforce org's side of a sync."""

    name = CRM

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        client: tuple[str, str] | None = None,
        version: str = API_VERSION,
        retries: Retries = Retries(),
        fixed_url: bool = False,
    ) -> None:
        self.url = url
        self.version = version
        self.retries = retries
        self._token = token
        self._client_credentials = client
        self._fixed_url = fixed_url  # a --base-url: the token's instance URL is not followed
        self._api: Any = None
        self.meaning: dict[str, Stage] = {}
        #: The org's currency when it has one only (no CurrencyIsoCode field), else None.
        self.currency: str | None = None
        self.multi_currency = True
        self._prepared = False
        #: The highest API usage seen above the warning level (used, allowed), if any.
        self.limit_warning: tuple[int, int] | None = None

    def _client(self) -> Any:
        if self._api is None:
            token = self._token
            if self._client_credentials is not None:
                token, instance = access_token(self.url, *self._client_credentials, self.retries)
                if instance and not self._fixed_url:
                    self.url = instance
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            self._api = rest_client(
                self.url, "Salesforce", headers=headers, retries=self.retries, explain=explain
            )
        return self._api

    def _path(self, resource: str) -> str:
        return f"/services/data/{self.version}/{resource}"

    def _seen(self, response: Any) -> None:
        used = over_limit(response)
        if used is not None:
            self.limit_warning = used

    def query(self, text: str, *, deleted: bool = False) -> Iterator[list[dict[str, Any]]]:
        """The records of a SOQL query, a page (up to 2,000 records) at a time; with `deleted`,
        through `queryAll`, which holds deleted and archived records too."""
        from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

        pages = self._client().paginate(
            self._path("queryAll" if deleted else "query"),
            params={"q": text},
            paginator=JSONLinkPaginator(next_url_path="nextRecordsUrl"),
            data_selector="records",
        )
        for page in pages:
            self._seen(page.response)
            yield [dict(r) for r in page]

    def objects(self) -> Sequence[SyncObject]:
        """Accounts, opportunities, their stage history, tasks and events."""
        return tuple(SyncObject(o.name, o.table, o.preset) for o in OBJECTS)

    def owners(self) -> Sequence[Owner]:
        """Every user, deactivated ones included."""
        found: list[Owner] = []
        for records in self.query("SELECT Id, Email, Name, IsActive FROM User ORDER BY Id"):
            found.extend(
                Owner(str(r["Id"]), r.get("Email"), r.get("Name"), bool(r.get("IsActive", True)))
                for r in records
            )
        return found

    def prepare(self) -> None:
        """The stages' meaning (OpportunityStage) and whether opportunities have a currency of
        their own (a multi-currency org has the CurrencyIsoCode field; an org without it has
        one currency, its Organization's DefaultCurrencyIsoCode)."""
        meaning: list[dict[str, Any]] = []
        for records in self.query(
            "SELECT ApiName, MasterLabel, IsClosed, IsWon FROM OpportunityStage"
        ):
            meaning.extend(records)
        self.meaning = stages(meaning)
        response = self._client().get(self._path("sobjects/Opportunity/describe"))
        self._seen(response)
        fields = {f.get("name") for f in response.json().get("fields", [])}
        self.multi_currency = "CurrencyIsoCode" in fields
        if not self.multi_currency:
            org = [r for rs in self.query("SELECT DefaultCurrencyIsoCode FROM Organization")
                   for r in rs]  # fmt: skip
            self.currency = str(org[0]["DefaultCurrencyIsoCode"]) if org else None
        self._prepared = True

    def pages(self, obj: SyncObject, since: Cursor | None) -> Iterator[Page]:
        """The object's records changed at or after `since`, page by page, oldest first."""
        if not self._prepared:
            self.prepare()
        sobject = next(o for o in OBJECTS if o.name == obj.name)
        fields = sobject.fields
        if sobject.name == "Opportunity" and self.multi_currency:
            fields = (*fields, "CurrencyIsoCode")
        query = soql(sobject, fields, since)
        for records in self.query(query, deleted=True):
            if records:
                yield self._page(sobject, records)

    def _page(self, sobject: SObject, records: list[dict[str, Any]]) -> Page:
        live = [r for r in records if not r.get("IsDeleted")]
        gone = [str(r["Id"]) for r in records if r.get("IsDeleted")]
        rows = [row(sobject, r, self.meaning, self.currency) for r in live]
        return Page(rows=rows, cursor=cursor(records[-1]), deleted=gone)


def _version(text: str | None) -> str:
    if not text:
        return API_VERSION
    found = re.fullmatch(r"v?(\d{2,3}\.\d)", text.strip())
    if not found:
        raise refused(
            f"SALESPERF_SALESFORCE_API_VERSION takes a version such as {API_VERSION}, not {text!r}",
            f"SALESPERF_SALESFORCE_API_VERSION neemt een versie zoals {API_VERSION}, niet {text!r}",
        )
    return f"v{found[1]}"


def connect(
    creds: Mapping[str, str], base_url: str | None, retries: Retries
) -> SalesforceConnector:
    """A connector for the org at `instance_url` (or `base_url`), with the client credentials
    when both are given (a fresh token each sync), else the access token."""
    instance = (base_url or creds.get("instance_url") or "").rstrip("/")
    if not instance.startswith(("https://", "http://")):
        raise refused(
            "SALESPERF_SALESFORCE_INSTANCE_URL takes your org's My Domain URL, such as "
            "https://acme.my.salesforce.com",
            "SALESPERF_SALESFORCE_INSTANCE_URL neemt de My Domain-URL van je org, zoals "
            "https://acme.my.salesforce.com",
        )
    client_id, secret = creds.get("client_id"), creds.get("client_secret")
    token = creds.get("access_token")
    if not (client_id and secret) and not token:
        missing = (
            "SALESPERF_SALESFORCE_CLIENT_SECRET" if client_id
            else "SALESPERF_SALESFORCE_CLIENT_ID" if secret
            else "SALESPERF_SALESFORCE_CLIENT_ID and SALESPERF_SALESFORCE_CLIENT_SECRET"
        )  # fmt: skip
        raise refused(
            f"Salesforce needs a connected app's client credentials ({missing} is not set) or "
            "an access token (SALESPERF_SALESFORCE_ACCESS_TOKEN); see docs/sync/salesforce.md",
            f"Salesforce heeft de client credentials van een connected app nodig ({missing} "
            "ontbreekt) of een access token (SALESPERF_SALESFORCE_ACCESS_TOKEN); zie "
            "docs/sync/salesforce.md",
        )
    return SalesforceConnector(
        instance,
        token=token,
        client=(client_id, secret) if client_id and secret else None,
        version=_version(creds.get("api_version")),
        retries=retries,
        fixed_url=base_url is not None,
    )


VENDOR = Vendor(
    name=CRM,
    title="Salesforce",
    credentials=(
        Credential(
            "instance_url",
            "SALESPERF_SALESFORCE_INSTANCE_URL",
            False,
            True,
            "your org's My Domain URL, https://<domain>.my.salesforce.com",
            "de My Domain-URL van je org, https://<domein>.my.salesforce.com",
        ),
        Credential(
            "client_id",
            "SALESPERF_SALESFORCE_CLIENT_ID",
            False,
            False,
            "the connected app's consumer key (client-credentials flow)",
            "de consumer key van de connected app (client-credentials flow)",
        ),
        Credential(
            "client_secret",
            "SALESPERF_SALESFORCE_CLIENT_SECRET",
            True,
            False,
            "the connected app's consumer secret",
            "het consumer secret van de connected app",
        ),
        Credential(
            "access_token",
            "SALESPERF_SALESFORCE_ACCESS_TOKEN",
            True,
            False,
            "a session or access token, instead of the client credentials",
            "een sessie- of access token, in plaats van de client credentials",
        ),
        Credential(
            "api_version",
            "SALESPERF_SALESFORCE_API_VERSION",
            False,
            False,
            f"the REST API version (default {API_VERSION})",
            f"de versie van de REST API (standaard {API_VERSION})",
        ),
    ),
    connect=connect,
    scopes=("API Enabled", "Read and View All: Account, Opportunity"),
)
