"""The SQS endpoint as a plain ASGI handler.

Every SQS request passes through here, so it skips Starlette's routing and
middleware and reads the few headers it needs straight from the ASGI scope.
It picks the protocol (an X-Amz-Target header means JSON 1.0, anything else
is the query protocol), builds the request context, runs the operation and
encodes the result or the error in the protocol of the request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from time import perf_counter
from urllib.parse import parse_qsl

import xmltodict

from . import wire
from .ids import random_uuid
from .metrics import RequestMetrics
from .service import RequestContext, SqsError, SqsService
from .service.errors import internal_error, invalid_action

logger = logging.getLogger(__name__)

JSON_CONTENT_TYPE = b"application/x-amz-json-1.0"
XML_CONTENT_TYPE = b"text/xml"
ACCOUNT_ID = re.compile(r"^\d{12}$")
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
# Operations that name no queue, so a query request cannot be sent to a queue's URL.
QUEUELESS_OPERATIONS = frozenset({"CreateQueue", "ListQueues"})

@dataclass
class HttpRequest:
    method: str
    scheme: str
    path: str
    query: str
    headers: dict[bytes, bytes]
    body: bytes
    operation: str | None = None  # set once decoded, for the request metrics

    def header(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        return value.decode("latin-1") if value is not None else None


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def caller_account(request: HttpRequest, default: str) -> str:
    """Take the account id from a 12-digit access key id, else the default.

    The key id comes from the SigV4 Authorization header or, for presigned
    requests, the X-Amz-Credential query parameter. Signatures are not checked.
    """
    key_id = None
    authorization = request.header(b"authorization")
    if authorization:
        match = CREDENTIAL.search(authorization)
        key_id = match.group(1) if match else None
    elif "X-Amz-Credential" in request.query:
        credential = dict(parse_qsl(request.query)).get("X-Amz-Credential")
        key_id = credential.split("/", 1)[0] if credential else None
    if key_id and ACCOUNT_ID.match(key_id):
        return key_id
    return default


def queue_from_path(path: str) -> tuple[str, str] | None:
    segments = [segment for segment in path.split("/") if segment]
    if len(segments) == 2:
        return segments[0], segments[1]
    return None


class RequestRejected(Exception):
    """A request that the endpoint turns away before reading all of it."""

    def __init__(self, error: SqsError) -> None:
        super().__init__(error.message)
        self.error = error


class SqsEndpoint:
    def __init__(
        self,
        service: SqsService,
        account_id: str,
        base_url: str | None,
        max_request_bytes: int = 10 * 1024 * 1024,
        body_timeout: float = 30.0,
        metrics: RequestMetrics | None = None,
    ) -> None:
        self.service = service
        self.metrics = metrics if metrics is not None else RequestMetrics()
        self.account_id = account_id
        self.base_url = base_url
        self.max_request_bytes = max_request_bytes
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send) -> None:
        headers = dict(scope["headers"])
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await self._read_body(headers, receive)
        except RequestRejected as rejected:
            await self._send(send, self._reject(headers, rejected.error))
            return
        except TimeoutError:
            error = SqsError(
                "RequestTimeout",
                "RequestTimeout",
                f"The request body did not arrive within the limit of {self.body_timeout:g} s "
                "(--body-timeout).",
                status=408,
            )
            await self._send(send, self._reject(headers, error))
            return
        request = HttpRequest(
            method=scope["method"],
            scheme=scope.get("scheme", "http"),
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
        )
        await self._send(send, await self.handle(request))

    async def _read_body(self, headers: dict[bytes, bytes], receive) -> bytes:
        """Read the request body, rejecting one over the size limit before it is all read."""
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_request_bytes:
            raise RequestRejected(self._too_large(int(declared)))
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > self.max_request_bytes:
                raise RequestRejected(self._too_large(len(body)))
            if not message.get("more_body"):
                return bytes(body)

    def _too_large(self, size: int) -> SqsError:
        return SqsError(
            "RequestEntityTooLarge",
            "RequestEntityTooLarge",
            f"The request body of {size} bytes or more is over this server's limit of "
            f"{self.max_request_bytes} bytes (--max-request-bytes).",
            status=413,
        )

    def _reject(self, headers: dict[bytes, bytes], error: SqsError) -> HttpResponse:
        request_id = random_uuid()
        logger.warning("request rejected: %s (request %s)", error.message, request_id)
        # Counted under the unknown operation: the body was never decoded.
        self.metrics.observe(None, error.status, 0.0)
        if b"x-amz-target" in headers:
            return json_error(error, request_id)
        status, payload = wire.encode_query_error(error, request_id)
        return HttpResponse(status, response_headers(XML_CONTENT_TYPE, request_id), payload)

    @staticmethod
    async def _send(send, response: HttpResponse) -> None:
        headers = response.headers
        headers.append((b"content-length", str(len(response.body)).encode("ascii")))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    async def handle(self, request: HttpRequest) -> HttpResponse:
        started = perf_counter()
        request_id = random_uuid()
        target = request.header(b"x-amz-target")
        if target is not None:
            response = await self._handle_json(request, request_id, target)
        else:
            response = await self._handle_query(request, request_id)
        self.metrics.observe(request.operation, response.status, perf_counter() - started)
        return response

    def _context(self, request: HttpRequest, request_id: str) -> RequestContext:
        host = request.header(b"host") or "localhost"
        return RequestContext(
            request_id=request_id,
            account_id=caller_account(request, self.account_id),
            base_url=self.base_url or f"{request.scheme}://{host}",
            path_queue=queue_from_path(request.path),
            trace_header=request.header(b"x-amzn-trace-id"),
        )

    async def _handle_json(self, request: HttpRequest, request_id: str, target: str) -> HttpResponse:
        operation = None
        params: dict = {}
        try:
            operation, params = wire.decode_json(target, request.body)
            request.operation = operation
            context = self._context(request, request_id)
            # A JSON request names its queue in the body, wherever it is posted.
            context.path_queue = None
            result = await self.service.call(operation, params, context)
            await self.service.store.durable()
        except SqsError as error:
            log_error(operation, params, request_id, error)
            return json_error(error, request_id)
        except Exception:
            logger.exception("%s failed (request %s)", operation, request_id)
            return json_error(internal_error(), request_id)
        return HttpResponse(
            200, response_headers(JSON_CONTENT_TYPE, request_id), wire.encode_json(operation, result)
        )

    async def _handle_query(self, request: HttpRequest, request_id: str) -> HttpResponse:
        fields = parse_qsl(request.query, keep_blank_values=True)
        if request.body:
            try:
                fields += parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                error = SqsError(
                    "MalformedQueryString",
                    "MalformedQueryString",
                    "The request body is not valid UTF-8 form data.",
                )
                return query_error(None, {}, request_id, error)
        if request.method == "GET" and not any(name == "Action" for name, _ in fields):
            # SQS returns 404 and an XML error for a GET without an Action.
            error = SqsError(
                "UnknownOperationException",
                "UnknownOperationException",
                "The requested operation is not supported by this endpoint.",
                status=404,
            )
            return query_error(None, {}, request_id, error)
        operation = None
        params: dict = {}
        try:
            operation, params = wire.decode_query(fields)
            request.operation = operation
            context = self._context(request, request_id)
            if context.path_queue is not None and operation in QUEUELESS_OPERATIONS:
                raise invalid_action(operation)
            result = await self.service.call(operation, params, context)
            await self.service.store.durable()
        except SqsError as error:
            return query_error(operation, params, request_id, error)
        except Exception:
            logger.exception("%s failed (request %s)", operation, request_id)
            return query_error(operation, params, request_id, internal_error())
        body = wire.encode_query(operation, result, request_id)
        if request.method == "GET" and "application/json" in (request.header(b"accept") or ""):
            return HttpResponse(
                200, response_headers(b"application/json", request_id), xml_as_json(body)
            )
        return HttpResponse(200, response_headers(XML_CONTENT_TYPE, request_id), body)


def xml_as_json(body: bytes) -> bytes:
    """Render a query response's XML tree as JSON, as SQS does for a GET that accepts JSON.

    The root element becomes the top-level key. NOTE: AWS's exact rendering of
    lists and of single-element lists is unconfirmed; sqslite uses xmltodict's.
    """
    tree = xmltodict.parse(body)
    root = next(iter(tree.values()))
    if isinstance(root, dict):
        root.pop("@xmlns", None)
    return json.dumps(tree).encode("utf-8")


def response_headers(content_type: bytes, request_id: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", content_type),
        (b"x-amzn-requestid", request_id.encode("ascii")),
    ]


def json_error(error: SqsError, request_id: str) -> HttpResponse:
    status, extra, payload = wire.encode_json_error(error)
    headers = response_headers(JSON_CONTENT_TYPE, request_id)
    headers += [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in extra.items()
        if name.lower() != "content-type"
    ]
    return HttpResponse(status, headers, payload)


def query_error(
    operation: str | None, params: dict, request_id: str, error: SqsError
) -> HttpResponse:
    log_error(operation, params, request_id, error)
    status, payload = wire.encode_query_error(error, request_id)
    return HttpResponse(status, response_headers(XML_CONTENT_TYPE, request_id), payload)


def log_error(operation: str | None, params: dict, request_id: str, error: SqsError) -> None:
    if error.status >= 500:
        return  # logged with its traceback where it was caught
    if not logger.isEnabledFor(logging.INFO):
        return
    queue = params.get("QueueUrl") or params.get("QueueName") if isinstance(params, dict) else None
    logger.info(
        "%s rejected: %s: %s (queue %s, request %s)",
        operation or "request",
        error.code,
        error.message,
        queue or "-",
        request_id,
    )
