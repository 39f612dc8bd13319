"""A minimal keep-alive HTTP/1.1 client for SQS JSON-protocol requests.

httpx's async client spends most of a core on its own bookkeeping, which
leaves too little of a 2-core machine for the server under test. This
client writes each request as one preformatted byte string and parses
only the status line, Content-Length, Transfer-Encoding and Connection.
It sends one request at a time per connection, without pipelining.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
# moto's server picks the AWS service from the credential scope of this
# header, so every request carries one. Neither moto nor sqslite checks
# the signature.
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-target, Signature=0"
)


class HttpError(Exception):
    """A connection failure or a response that this client cannot parse."""


class SqsError(Exception):
    """A non-200 response from the endpoint under test."""

    def __init__(self, operation: str, status: int, body: bytes) -> None:
        super().__init__(f"{operation} failed with HTTP {status}: {body[:300]!r}")
        self.status = status
        self.body = body


class _ResponseProtocol(asyncio.Protocol):
    """Collects bytes and resolves one pending response at a time."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            response = _parse_response(self.buffer, eof=False)
            if response is not None:
                self.waiter.set_result((*response, time.perf_counter()))

    def eof_received(self):
        self._finish_at_close()
        return False

    def connection_lost(self, exc) -> None:
        self._finish_at_close(exc)

    def _finish_at_close(self, exc: BaseException | None = None) -> None:
        self.closed = True
        if self.waiter is None or self.waiter.done():
            return
        response = _parse_response(self.buffer, eof=True)
        if response is not None:
            self.waiter.set_result((*response, time.perf_counter()))
        else:
            self.waiter.set_exception(HttpError(f"connection closed before a full response: {exc}"))


def _parse_response(buffer: bytearray, eof: bool) -> tuple[int, bytes, bool] | None:
    """Take one response off the front of the buffer.

    Returns (status, body, keep_alive), or None while the response is
    incomplete. A response with neither Content-Length nor chunked encoding
    ends when the server closes the connection.
    """
    head_end = buffer.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = bytes(buffer[:head_end]).decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise HttpError(f"invalid status line {lines[0]!r}")
    status = int(parts[1])
    length = None
    chunked = False
    keep_alive = parts[0] == "HTTP/1.1"
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            keep_alive = value.strip().lower() == "keep-alive"
    body_start = head_end + 4
    if chunked:
        parsed = _parse_chunked(buffer, body_start)
        if parsed is None:
            return None
        body, end = parsed
    elif length is not None:
        end = body_start + length
        if len(buffer) < end:
            return None
        body = bytes(buffer[body_start:end])
    else:
        if not eof:
            return None
        end = len(buffer)
        body = bytes(buffer[body_start:])
        keep_alive = False
    del buffer[:end]
    return status, body, keep_alive


def _parse_chunked(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    body = bytearray()
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";", 1)[0], 16)
        chunk_start = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", line_end)
            if trailer_end < 0:
                return None
            return bytes(body), trailer_end + 4
        if len(buffer) < chunk_start + size + 2:
            return None
        body += buffer[chunk_start : chunk_start + size]
        position = chunk_start + size + 2


class Connection:
    """One keep-alive TCP connection; reconnects if the server closes it.

    response_at is the perf_counter time at which the last response was
    fully read, taken in the protocol callback before any task resumes.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._protocol: _ResponseProtocol | None = None
        self.requests = 0
        self.response_at = 0.0

    async def _connect(self) -> _ResponseProtocol:
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(_ResponseProtocol, self.host, self.port)
        return protocol

    async def send(self, raw_request: bytes) -> tuple[int, bytes]:
        """Send one complete request and return (status, body)."""
        protocol = self._protocol
        if protocol is None or protocol.closed:
            protocol = self._protocol = await self._connect()
        waiter = asyncio.get_running_loop().create_future()
        protocol.waiter = waiter
        protocol.transport.write(raw_request)
        status, body, keep_alive, self.response_at = await waiter
        protocol.waiter = None
        self.requests += 1
        if not keep_alive:
            protocol.transport.close()
            self._protocol = None
        return status, body

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None


class SqsClient:
    """Builds SQS JSON-protocol requests for one endpoint and sends them on a Connection."""

    def __init__(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"invalid endpoint {endpoint!r}: expected http://host:port")
        self.host = parts.hostname
        self.port = parts.port or 80
        self._host_header = f"{self.host}:{self.port}".encode()
        self._prefixes: dict[str, bytes] = {}

    def connection(self) -> Connection:
        return Connection(self.host, self.port)

    def build(self, operation: str, body: bytes) -> bytes:
        """Return the full HTTP request for one operation with a JSON body."""
        prefix = self._prefixes.get(operation)
        if prefix is None:
            prefix = self._prefixes[operation] = (
                b"POST / HTTP/1.1\r\nHost: "
                + self._host_header
                + b"\r\nX-Amz-Target: AmazonSQS."
                + operation.encode()
                + b"\r\nContent-Type: "
                + JSON_CONTENT_TYPE.encode()
                + b"\r\nAuthorization: "
                + AUTHORIZATION.encode()
                + b"\r\nContent-Length: "
            )
        return prefix + str(len(body)).encode() + b"\r\n\r\n" + body

    async def call_raw(self, connection: Connection, operation: str, body: bytes) -> bytes:
        """Send one request and return the response body; raise SqsError unless HTTP 200."""
        status, response = await connection.send(self.build(operation, body))
        if status != 200:
            raise SqsError(operation, status, response)
        return response

    async def call(self, connection: Connection, operation: str, params: dict) -> dict:
        response = await self.call_raw(connection, operation, json.dumps(params).encode())
        return json.loads(response) if response else {}
