"""The app factory: one FastAPI app per settings value, no module-level state."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from salesperf import __version__
from salesperf.metrics.periods import max_buckets, max_years
from salesperf.server import errors
from salesperf.server.api import auth, routes
from salesperf.server.limits import BodyLimit, BodyLimits, no_nul_bytes
from salesperf.server.report.schedule import ReportScheduler
from salesperf.server.services import Services
from salesperf.server.settings import AppSettings
from salesperf.server.syncing import SyncScheduler, scheduled

#: Pages load scripts, styles and data from the server itself only; the chart library needs
#: 'unsafe-eval' (it compiles chart expressions) and inline styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _report_scheduler(settings: AppSettings) -> ReportScheduler | None:
    """The weekly report's scheduler, when the settings give it a schedule."""
    if settings.report_schedule is None:
        return None
    from salesperf.server.report.mail import send_last_week, store_timezone

    return ReportScheduler(
        settings.report_schedule,
        lambda: send_last_week(settings.store),
        lambda: store_timezone(settings.store),
    )


def _sync_scheduler(services: Services) -> SyncScheduler | None:
    """The CRM syncs' scheduler, unless $SALESPERF_SYNC_SCHEDULE is off."""
    if not services.settings.sync_schedule.enabled:
        return None
    return SyncScheduler(lambda at: scheduled(services, at), services.settings.clock)


def create_app(settings: AppSettings, limits: BodyLimits | None = None) -> FastAPI:
    """The salesperf web server for one store: pages, the JSON API and sign-in. Request bodies
    are held to `limits` (default: from the environment, see `salesperf.server.limits`)."""
    from salesperf.server.api.webhooks import router as webhooks
    from salesperf.server.pages.actions import router as actions
    from salesperf.server.pages.alerts import router as alerts
    from salesperf.server.pages.exports import router as exports
    from salesperf.server.pages.importing import router as importing
    from salesperf.server.pages.routes import threaded_pages
    from salesperf.server.pages.sync import router as sync_settings

    # a bad value in the environment stops the server here, rather than failing its requests
    limits = limits or BodyLimits.from_env()
    max_buckets(), max_years()
    services = Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        schedulers = [s for s in (_report_scheduler(settings), _sync_scheduler(services)) if s]
        for scheduler in schedulers:
            scheduler.start()
        yield
        for scheduler in schedulers:
            scheduler.stop()
        services.close()

    app = FastAPI(
        title="salesperf",
        version=__version__,
        description="Sales activity and sales performance side by side.",
        docs_url=None,  # served by salesperf itself, without external scripts
        redoc_url=None,
        lifespan=lifespan,
        responses=errors.ERROR_RESPONSES,  # declared on every route, with their body's shape
        dependencies=[Depends(no_nul_bytes)],
    )
    app.state.services = services
    errors.install(app)
    app.include_router(auth.router)
    app.include_router(routes.router)
    app.include_router(threaded_pages())
    app.include_router(actions)
    app.include_router(exports)
    app.include_router(alerts)
    app.include_router(importing)
    app.include_router(sync_settings)
    app.include_router(webhooks)
    static = resources.files("salesperf.server") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    # inside the security headers' middleware, so that its 413s carry them too
    app.add_middleware(BodyLimit, limits=limits, respond=errors.error_response)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(("/static", "/assets")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
