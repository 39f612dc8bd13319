"""The Starlette application: routes HTTP requests to the codecs and the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import __version__
from .clock import Clock
from .endpoint import SqsEndpoint
from .service import SqsService
from .store import Store

logger = logging.getLogger(__name__)

# Paths under this prefix are sqslite's own endpoints, outside the SQS API.
OPERATIONS_PREFIX = "/_sqslite/"


@dataclass
class Settings:
    db_path: str | None = None
    base_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "000000000000"
    test_clock: bool = False
    synchronous: str = "NORMAL"
    sweep_interval: float = 30.0
    # Resource limits; the CLI's help and the README give their meaning.
    max_request_bytes: int = 10 * 1024 * 1024
    max_long_polls: int = 1000
    body_timeout: float = 30.0


class SqsApplication:
    """The service, its store and clock, and the HTTP endpoints in front of them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock(adjustable=settings.test_clock)
        # Requests share commits on a file database, where a commit costs a
        # write to the WAL (and an fsync with synchronous=FULL); none is answered
        # before its data is committed.
        self.store = Store(
            settings.db_path,
            synchronous=settings.synchronous,
            group_commit=settings.db_path is not None,
        )
        self.service = SqsService(
            self.store, self.clock, settings.region, max_long_polls=settings.max_long_polls
        )
        self.endpoint = SqsEndpoint(
            self.service,
            settings.account_id,
            settings.base_url,
            max_request_bytes=settings.max_request_bytes,
            body_timeout=settings.body_timeout,
        )
        self._sweeper: asyncio.Task | None = None
        self.closed = False
        self.app = Starlette(
            routes=[
                Route("/_sqslite/health", self.health, methods=["GET"]),
                Route("/_sqslite/clock", self.move_clock, methods=["POST"]),
            ],
            lifespan=self.lifespan,
        )

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette):
        self._sweeper = asyncio.create_task(self._sweep_periodically())
        self.service.resume_move_tasks()
        try:
            yield
        finally:
            self._sweeper.cancel()
            self.close()

    def begin_shutdown(self) -> None:
        """Let open long polls return empty, so the server can stop promptly."""
        self.service.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.service.close()
        self.store.close()
        logger.info("database closed: %s", self.settings.db_path or "in memory")

    async def _sweep_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.sweep_interval)
            try:
                removed = self.service.sweep()
            except Exception:
                logger.exception("retention sweep failed")
                continue
            if removed:
                logger.debug("retention sweep removed %d expired messages", removed)

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def move_clock(self, request: Request) -> Response:
        if not self.clock.adjustable:
            return JSONResponse(
                {"message": "the test clock is off; start sqslite with --test-clock"},
                status_code=404,
            )
        try:
            body = json.loads(await request.body() or b"{}")
            seconds = float(body.get("advance", 0))
            now = self.clock.advance(seconds)
        except (ValueError, TypeError, AttributeError) as error:
            return JSONResponse(
                {"message": f'invalid clock request, expected {{"advance": seconds}}: {error}'},
                status_code=400,
            )
        logger.info("test clock moved forward %.3f s", seconds)
        return JSONResponse({"now": now})

    async def __call__(self, scope, receive, send) -> None:
        """Send SQS requests to the endpoint and everything else to Starlette."""
        if scope["type"] == "http" and not scope["path"].startswith(OPERATIONS_PREFIX):
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> SqsApplication:
    return SqsApplication(settings or Settings())
