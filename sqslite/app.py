"""The Starlette application: routes HTTP requests to the codecs and the service."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import __version__, wire
from .clock import Clock
from .service import RequestContext, SqsError, SqsService
from .service.errors import internal_error, invalid_action
from .store import Store

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
XML_CONTENT_TYPE = "text/xml"
ACCOUNT_ID = re.compile(r"^\d{12}$")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
# Operations that name no queue, so a query request cannot be sent to a queue's URL.
QUEUELESS_OPERATIONS = frozenset({"CreateQueue", "ListQueues"})


@dataclass
class Settings:
    db_path: str | None = None
    base_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "000000000000"
    test_clock: bool = False
    synchronous: str = "NORMAL"
    sweep_interval: float = 30.0


def caller_account(request: Request, default: str) -> str:
    """Take the account id from a 12-digit access key id, else the default.

    The key id comes from the SigV4 Authorization header or, for presigned
    requests, the X-Amz-Credential query parameter. Signatures are not checked.
    """
    header = request.headers.get("authorization", "")
    match = CREDENTIAL.search(header)
    key_id = match.group(1) if match else None
    if key_id is None:
        credential = request.query_params.get("X-Amz-Credential")
        key_id = credential.split("/", 1)[0] if credential else None
    if key_id and ACCOUNT_ID.match(key_id):
        return key_id
    return default


def queue_from_path(path: str) -> tuple[str, str] | None:
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) == 2:
        return segments[0], segments[1]
    return None


class SqsApplication:
    """The service, its store and clock, and the HTTP endpoints in front of them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock = Clock(adjustable=settings.test_clock)
        self.store = Store(settings.db_path, synchronous=settings.synchronous)
        self.service = SqsService(self.store, self.clock, settings.region)
        self._sweeper: asyncio.Task | None = None
        self.closed = False
        self.app = Starlette(
            routes=[
                Route("/_sqslite/health", self.health, methods=["GET"]),
                Route("/_sqslite/clock", self.move_clock, methods=["POST"]),
                Route("/{path:path}", self.handle_sqs, methods=["GET", "POST"]),
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

    async def handle_sqs(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        target = request.headers.get("x-amz-target")
        body = await request.body()
        if target is not None:
            return await self._handle_json(request, request_id, target, body)
        return await self._handle_query(request, request_id, body)

    def _context(self, request: Request, request_id: str) -> RequestContext:
        host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        return RequestContext(
            request_id=request_id,
            account_id=caller_account(request, self.settings.account_id),
            base_url=self.settings.base_url or f"{request.url.scheme}://{host}",
            path_queue=queue_from_path(request.url.path),
            trace_header=request.headers.get("x-amzn-trace-id"),
        )

    async def _handle_json(
        self, request: Request, request_id: str, target: str, body: bytes
    ) -> Response:
        operation = None
        params: dict = {}
        try:
            operation, params = wire.decode_json(target, body)
            context = self._context(request, request_id)
            # A JSON request names its queue in the body, wherever it is posted.
            context.path_queue = None
            result = await self.service.call(operation, params, context)
        except SqsError as error:
            self._log_error(operation, params, request_id, error)
            status, headers, payload = wire.encode_json_error(error)
            headers = {**headers, "x-amzn-RequestId": request_id}
            return Response(payload, status, headers=headers, media_type=JSON_CONTENT_TYPE)
        except Exception:
            logger.exception("%s failed (request %s)", operation, request_id)
            status, headers, payload = wire.encode_json_error(internal_error())
            headers = {**headers, "x-amzn-RequestId": request_id}
            return Response(payload, status, headers=headers, media_type=JSON_CONTENT_TYPE)
        return Response(
            wire.encode_json(operation, result),
            headers={"x-amzn-RequestId": request_id},
            media_type=JSON_CONTENT_TYPE,
        )

    async def _handle_query(self, request: Request, request_id: str, body: bytes) -> Response:
        fields = parse_qsl(request.url.query, keep_blank_values=True)
        if body:
            try:
                fields += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                error = SqsError(
                    "MalformedQueryString",
                    "MalformedQueryString",
                    "The request body is not valid UTF-8 form data.",
                )
                return self._query_error(None, {}, request_id, error)
        if not any(name == "Action" for name, _ in fields) and request.method == "GET":
            return self._unknown_operation(request_id)
        operation = None
        params: dict = {}
        try:
            operation, params = wire.decode_query(fields)
            context = self._context(request, request_id)
            if context.path_queue is not None and operation in QUEUELESS_OPERATIONS:
                raise invalid_action(operation)
            result = await self.service.call(operation, params, context)
        except SqsError as error:
            return self._query_error(operation, params, request_id, error)
        except Exception:
            logger.exception("%s failed (request %s)", operation, request_id)
            return self._query_error(operation, params, request_id, internal_error())
        return Response(
            wire.encode_query(operation, result, request_id),
            headers={"x-amzn-RequestId": request_id},
            media_type=XML_CONTENT_TYPE,
        )

    def _query_error(
        self, operation: str | None, params: dict, request_id: str, error: SqsError
    ) -> Response:
        self._log_error(operation, params, request_id, error)
        status, payload = wire.encode_query_error(error, request_id)
        return Response(
            payload, status, headers={"x-amzn-RequestId": request_id}, media_type=XML_CONTENT_TYPE
        )

    def _unknown_operation(self, request_id: str) -> Response:
        """Answer a GET without an Action, as SQS does: 404 with an XML error."""
        error = SqsError(
            "UnknownOperationException",
            "UnknownOperationException",
            "The requested operation is not supported by this endpoint.",
            status=404,
        )
        return self._query_error(None, {}, request_id, error)

    @staticmethod
    def _log_error(operation: str | None, params: dict, request_id: str, error: SqsError) -> None:
        if error.status >= 500:
            return  # logged with its traceback where it was caught
        logger.info(
            "%s rejected: %s: %s (queue %s, request %s)",
            operation or "request",
            error.code,
            error.message,
            params.get("QueueUrl") or params.get("QueueName") or "-",
            request_id,
        )


def create_app(settings: Settings | None = None) -> SqsApplication:
    return SqsApplication(settings or Settings())
