"""The CRM sync settings page, for administrators: per CRM, its connection (the credentials as
form fields, secrets as password fields that are never filled back), how often it is synced,
"sync now", and what the last run did to each object, with its rejected rows.

Credentials are stored encrypted (`salesperf.sync.secrets`); the page shows only what may be
shown of them. A secret field left blank keeps the stored value, so changing the domain or the
schedule does not ask for the token again. Saving takes the connections' own lock, not the
write lock a running sync holds, so the page never waits for a sync. Every form carries the session's CSRF token
(`Admin`); bad input is answered with the page and what is wrong (422), never a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from salesperf.auth.access import NotFound, require_admin
from salesperf.errors import InputError, SalesperfError
from salesperf.server.deps import Admin, ServicesDep, View, ViewDep
from salesperf.server.render import render
from salesperf.server.services import Services
from salesperf.server.syncing import SyncBusy
from salesperf.store.system_tables import IMPORTS
from salesperf.sync import vendors
from salesperf.sync.model import CRMS
from salesperf.sync.schedule import minutes_of
from salesperf.sync.secrets import (
    Connection,
    SecretRefused,
    check_minutes,
    connections,
    delete_connection,
    load_connection,
    redact,
    save_connection,
    set_schedule,
)
from salesperf.sync.state import label, status
from salesperf.sync.vendors import Credential, Vendor
from salesperf.sync.webhooks import WEBHOOK_CREDENTIALS
from salesperf.text import Text

router = APIRouter(include_in_schema=False)

PATH = "/settings/sync"
#: The longest value a credential field takes.
FIELD_LENGTH = 2000
#: What a form just did, as the page's redirect names it.
DONE = ("saved", "schedule", "started", "removed")


def available() -> list[Vendor]:
    """The CRMs whose connector is installed, in the order of `CRMS`."""
    found = []
    for crm in CRMS:
        try:
            found.append(vendors.vendor(crm))
        except ModuleNotFoundError as exc:
            if exc.name != f"salesperf.sync.{crm}":
                raise
    return found


def _vendor(crm: str) -> Vendor:
    for v in available():
        if v.name == crm:
            return v
    raise NotFound(f"there is no CRM {crm!r} to connect")


def fields_of(v: Vendor) -> tuple[Credential, ...]:
    """The connect form's fields: the CRM's credentials, then its webhooks' secrets."""
    return v.credentials + WEBHOOK_CREDENTIALS.get(v.name, ())


def _decrypted(view: View, crm: str) -> tuple[Connection | None, str | None]:
    """The CRM's connection, or why it cannot be read (a rotated key)."""
    try:
        return load_connection(view.store, crm, view.settings.sync_key), None
    except SecretRefused as exc:
        return None, exc.text.get(view.lang) if exc.text else str(exc)


def _rejects(view: View, crm: str, obj: str, run: dict[str, Any]) -> list[int]:
    """The imports of the run that rejected rows (their rejects are kept for download)."""
    t_ = view.store.table(IMPORTS)
    found = t_.filter((t_.source == label(crm, obj)) & (t_.rejected > 0) &
                      (t_.started_at >= run["started_at"]))  # fmt: skip
    if run.get("finished_at") is not None:
        found = found.filter(found.started_at <= run["finished_at"])
    return [int(i) for i in found.order_by("import_id").import_id.to_pyarrow().to_pylist()]


def _runs(view: View, crm: str, conn: Connection | None) -> list[dict[str, Any]]:
    """The last run of each object synced so far, its error without a credential in it."""
    values = conn.values if conn is not None else {}
    out = []
    for st in status(view.store, crm):
        run = dict(st.last_run or {})
        run["object"] = st.object
        run["error"] = redact(str(run["error"]), values) if run.get("error") else None
        run["rejects"] = _rejects(view, crm, st.object, run) if run.get("rejected") else []
        run["cursor_at"] = st.cursor.modified if st.cursor else None
        out.append(run)
    return out


def settings_data(view: View, svc: Services, base_url: str) -> dict[str, Any]:
    """Per installed CRM: its fields, its connection as it may be shown, its schedule, its
    sync under way or last failed, and the last run of each object."""
    require_admin(view.user, "sync")
    stored = connections(view.store)
    crms = []
    for v in available():
        info = stored.get(v.name)
        conn, unreadable = _decrypted(view, v.name) if info else (None, None)
        plain = {} if conn is None else dict(conn.values)
        job = svc.sync_jobs.last(v.name)
        every = minutes_of(info.every_minutes if info else None, view.settings.sync_schedule)
        crms.append({
            "name": v.name, "title": v.title, "scopes": v.scopes,
            "fields": [{"key": c.key, "help": c.help_nl if view.lang == "nl" else c.help_en,
                        "secret": c.secret, "required": c.required, "env": c.env,
                        "value": "" if c.secret else plain.get(c.key, ""),
                        "stored": c.key in plain} for c in fields_of(v)],
            "connection": info, "unreadable": unreadable, "every": every,
            "own_minutes": info.every_minutes if info else None,
            "job": job, "job_error": None if job is None else (
                job.error_nl if view.lang == "nl" else job.error),
            "runs": _runs(view, v.name, conn),
            "webhook": f"{base_url}api/webhooks/{v.name}" if v.name in WEBHOOK_CREDENTIALS
            else None,
        })  # fmt: skip
    return {"crms": crms, "key_set": bool(view.settings.sync_key),
            "schedule_on": view.settings.sync_schedule.enabled}  # fmt: skip


def _page(
    request: Request, view: View, svc: Services, *, status: int = 200,
    error: str | None = None, done: str | None = None, crm: str | None = None,
) -> Response:  # fmt: skip
    data = settings_data(view, svc, str(request.base_url))
    return render(request, view, "sync.html", status=status, data=data, error=error,
                  done=done, crm=crm)  # fmt: skip


def _said(view: View, exc: SalesperfError) -> str:
    return exc.text.get(view.lang) if exc.text is not None else str(exc)


@router.get(PATH)
def sync_settings_page(
    request: Request, view: ViewDep, svc: ServicesDep, done: str | None = None,
    crm: str | None = None,
) -> Response:  # fmt: skip
    """The settings page."""
    require_admin(view.user, "sync")
    return _page(request, view, svc, done=done if done in DONE else None,
                 crm=crm if crm in CRMS else None)  # fmt: skip


def _minutes(text: str | None) -> int | None:
    """The schedule field: blank is off, else a whole number of minutes."""
    value = (text or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 6:
        raise InputError(
            text=Text(
                f"the schedule is a whole number of minutes, not {value[:20]!r}",
                f"het schema is een geheel aantal minuten, niet {value[:20]!r}",
            )
        )
    return check_minutes(int(value))


def connect_values(v: Vendor, form: dict[str, str], stored: Connection | None) -> dict[str, str]:
    """The connection's values from the form: a secret left blank keeps the stored one; a
    required one missing is refused, naming the field (never a value)."""
    old = stored.values if stored is not None else {}
    values: dict[str, str] = {}
    missing = []
    for c in fields_of(v):
        given = form.get(c.key, "").strip()
        if len(given) > FIELD_LENGTH:
            raise InputError(
                text=Text(
                    f"{c.help_en}: at most {FIELD_LENGTH} characters",
                    f"{c.help_nl}: hoogstens {FIELD_LENGTH} tekens",
                )
            )
        value = given or (old.get(c.key, "") if c.secret else "")
        if value:
            values[c.key] = value
        elif c.required:
            missing.append(c)
    if missing:
        raise InputError(
            text=Text(
                "fill in " + "; ".join(c.help_en for c in missing),
                "vul in: " + "; ".join(c.help_nl for c in missing),
            )
        )
    return values


def _connect(view: View, svc: Services, v: Vendor, form: dict[str, str]) -> None:
    conn, unreadable = _decrypted(view, v.name)
    values = connect_values(v, form, conn if unreadable is None else None)
    secret_keys = [c.key for c in fields_of(v) if c.secret]
    with svc.connections:
        save_connection(view.store, v.name, values, view.settings.sync_key,
                        secret_keys=secret_keys, every_minutes=_minutes(form.get("every_minutes")),
                        by=view.user.username)  # fmt: skip


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@router.post(PATH + "/{crm}/connect")
async def sync_connect(
    crm: str, request: Request, view: ViewDep, admin: Admin, svc: ServicesDep
) -> Response:
    """Store the CRM's credentials (and schedule), encrypted."""
    v = _vendor(crm)
    form = await _form(request)
    try:
        await run_in_threadpool(_connect, view, svc, v, form)
    except InputError as exc:
        said = _said(view, exc)
        return await run_in_threadpool(_page, request, view, svc, status=422, crm=crm, error=said)
    return RedirectResponse(f"{PATH}?done=saved&crm={crm}", status_code=303)


def _schedule(view: View, svc: Services, crm: str, text: str | None) -> None:
    if crm not in connections(view.store):
        raise InputError(text=Text(f"connect {crm} first", f"verbind eerst {crm}"))
    with svc.connections:
        set_schedule(view.store, crm, _minutes(text), view.user.username)


@router.post(PATH + "/{crm}/schedule")
async def sync_schedule(
    crm: str, request: Request, view: ViewDep, admin: Admin, svc: ServicesDep
) -> Response:
    """Change how often the CRM is synced (blank: off)."""
    _vendor(crm)
    form = await _form(request)
    try:
        await run_in_threadpool(_schedule, view, svc, crm, form.get("every_minutes"))
    except InputError as exc:
        said = _said(view, exc)
        return await run_in_threadpool(_page, request, view, svc, status=422, crm=crm, error=said)
    return RedirectResponse(f"{PATH}?done=schedule&crm={crm}", status_code=303)


@router.post(PATH + "/{crm}/run")
def sync_now(crm: str, request: Request, view: ViewDep, admin: Admin, svc: ServicesDep) -> Response:
    """Start an incremental sync of the CRM in the background; the page shows its progress."""
    _vendor(crm)
    try:
        svc.sync_jobs.start(crm, view.user.username)
    except SyncBusy as exc:
        return _page(request, view, svc, status=409, crm=crm, error=_said(view, exc))
    return RedirectResponse(f"{PATH}?done=started&crm={crm}", status_code=303)


@router.post(PATH + "/{crm}/disconnect")
def sync_disconnect(
    crm: str, request: Request, view: ViewDep, admin: Admin, svc: ServicesDep
) -> Response:
    """Forget the CRM's credentials (what was synced stays)."""
    _vendor(crm)
    with svc.connections:
        delete_connection(view.store, crm)
    return RedirectResponse(f"{PATH}?done=removed&crm={crm}", status_code=303)
