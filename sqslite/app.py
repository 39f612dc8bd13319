"""The Starlette application: routes HTTP requests to the codecs and the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from . import __version__, ops
from .clock import Clock
from .config import StartupConfig, create_queues
from .endpoint import SqsEndpoint
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import RequestMetrics
from .service import SqsService
from .store import Store

logger = logging.getLogger(__name__)

# Paths under this prefix, and /metrics, are sqslite's own endpoints, outside the SQS API.
OPERATIONS_PREFIX = "/_sqslite/"
METRICS_PATH = "/metrics"


@dataclass
class Settings:
    db_path: str | None = None
    base_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "000000000000"
    test_clock: bool = False
    synchronous: str = "NORMAL"
    # Seconds between retention sweep calls, each a bounded chunk of work.
    sweep_interval: float = 1.0
    # Resource limits; the CLI's help and the README give their meaning.
    max_request_bytes: int = 10 * 1024 * 1024
    max_long_polls: int = 1000
    body_timeout: float = 30.0
    # Queues to create at start and again after each reset.
    config: StartupConfig | None = None


class SqsApplication:
    """The service, its store and clock, and the HTTP endpoints in front of them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock(adjustable=settings.test_clock)
        # Requests share commits on a file database, where a commit costs a
        # write to the WAL, and an fsync with synchronous=FULL. No request gets
        # its response before its data is committed.
        self.store = Store(
            settings.db_path,
            synchronous=settings.synchronous,
            group_commit=settings.db_path is not None,
        )
        self.service = SqsService(
            self.store, self.clock, settings.region, max_long_polls=settings.max_long_polls
        )
        self.metrics = RequestMetrics()
        self.endpoint = SqsEndpoint(
            self.service,
            settings.account_id,
            settings.base_url,
            max_request_bytes=settings.max_request_bytes,
            body_timeout=settings.body_timeout,
            metrics=self.metrics,
        )
        self._sweeper: asyncio.Task | None = None
        # ready: the config's queues exist. stopping: a shutdown has begun.
        self.ready = False
        self.stopping = False
        self.closed = False
        self.app = Starlette(
            routes=[
                Route("/_sqslite/health", self.health, methods=["GET"]),
                Route("/_sqslite/clock", self.move_clock, methods=["POST"]),
                Route("/_sqslite/reset", self.reset, methods=["POST"]),
                Route("/_sqslite/queues/{name}/messages", self.peek, methods=["GET"]),
                Route(METRICS_PATH, self.write_metrics, methods=["GET"]),
            ],
            lifespan=self.lifespan,
        )

    async def prepare(self) -> None:
        """Create the config's queues, then report ready; raise ConfigError if one is invalid.

        The CLI calls this before it starts uvicorn, so that an invalid
        config stops the start. The lifespan calls it when the CLI did not.
        """
        if self.ready:
            return
        if self.settings.config is not None:
            config = self.settings.config
            count = await create_queues(self.service, config, self.settings.account_id)
            await self.store.durable()
            logger.info("created %d queues from %s", count, config.path)
        self.ready = True

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette):
        await self.prepare()
        self._sweeper = asyncio.create_task(self._sweep_periodically())
        self.service.resume_move_tasks()
        try:
            yield
        finally:
            self._sweeper.cancel()
            self.close()

    def begin_shutdown(self) -> None:
        """Let open long polls return empty, so the server can stop promptly."""
        self.stopping = True
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
        """Return 200 once the config's queues exist, 503 before that and while stopping."""
        if self.stopping or self.closed:
            status = "stopping"
        elif self.ready:
            status = "ok"
        else:
            status = "starting"
        return JSONResponse(
            {"status": status, "version": __version__},
            status_code=200 if status == "ok" else 503,
        )

    async def reset(self, request: Request) -> Response:
        """Delete every queue and message, then create the config's queues again.

        Deleted names are reusable at once, without SQS's 60-second wait.
        """
        deleted = len(self.service.store.all_queues())
        self.service.reset()
        await self.store.durable()
        self.ready = False
        await self.prepare()
        logger.info("reset: %d queues deleted", deleted)
        return JSONResponse(
            {"deleted_queues": deleted, "queues": len(self.service.store.all_queues())}
        )

    async def peek(self, request: Request) -> Response:
        """Show a queue's messages without receiving them."""
        name = request.path_params["name"]
        account = request.query_params.get("account", self.settings.account_id)
        try:
            limit = ops.parse_limit(request.query_params.get("limit"))
        except ValueError as error:
            return JSONResponse({"message": f"invalid limit: {error}"}, status_code=400)
        queue = self.service.store.get_queue(account, name)
        if queue is None:
            return JSONResponse(
                {"message": f"queue {name} not found in account {account}"}, status_code=404
            )
        return JSONResponse(ops.peek_messages(self.service, queue, limit))

    async def write_metrics(self, request: Request) -> Response:
        return PlainTextResponse(
            ops.render_metrics(self.service, self.metrics), media_type=METRICS_CONTENT_TYPE
        )

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
        if scope["type"] == "http" and not (
            scope["path"].startswith(OPERATIONS_PREFIX) or scope["path"] == METRICS_PATH
        ):
            await self.endpoint(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def create_app(settings: Settings | None = None) -> SqsApplication:
    return SqsApplication(settings or Settings())
