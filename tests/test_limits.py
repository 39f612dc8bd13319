"""Resource limits of `sqslite serve`, each over a real server process.

The request size and body timeout tests speak raw HTTP/1.1 over a socket,
because an HTTP client library would send the whole body, or none of it,
before it reads a response. Each limit is checked in both protocols: a
request with an X-Amz-Target header gets a JSON 1.0 error, any other request
an XML ErrorResponse.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from .robustness import QUIET, sqs_client
from .serving import ServerProcess

MAX_REQUEST_BYTES = 4096
BODY_TIMEOUT = 1  # seconds
IDLE_TIMEOUT = 1  # seconds
MAX_LONG_POLLS = 3
MAX_CONNECTIONS = 5
WAIT_SECONDS = 5  # WaitTimeSeconds of the long polls that fill the long poll limit
# WaitTimeSeconds of the long polls that fill the connection limit. The test
# waits for them to end, so it is shorter.
CONNECTION_WAIT_SECONDS = 3
RESPONSE_TIMEOUT = 5.0  # seconds a raw-socket test waits for a response
JSON_TYPE = "application/x-amz-json-1.0"
FORM_TYPE = "application/x-www-form-urlencoded"
PROTOCOLS = ["json", "query"]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def request_head(protocol: str, operation: str, framing: str) -> bytes:
    """Build the request line and headers of a POST in one protocol.

    framing is a complete Content-Length or Transfer-Encoding header line.
    """
    lines = ["POST / HTTP/1.1", "Host: 127.0.0.1"]
    if protocol == "json":
        lines += [f"X-Amz-Target: AmazonSQS.{operation}", f"Content-Type: {JSON_TYPE}"]
    else:
        lines.append(f"Content-Type: {FORM_TYPE}")
    lines.append(framing)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def request_body(protocol: str, operation: str, fields: dict) -> bytes:
    if protocol == "json":
        return json.dumps(fields).encode("utf-8")
    return urlencode({"Action": operation, "Version": "2012-11-05", **fields}).encode("ascii")


def read_response(connection: socket.socket, timeout: float = RESPONSE_TIMEOUT) -> RawResponse:
    """Read one HTTP response that has a Content-Length body.

    Raise TimeoutError if the response is not complete within timeout seconds.
    """
    deadline = time.monotonic() + timeout
    data = b""
    while b"\r\n\r\n" not in data:
        data += receive_some(connection, deadline)
    head, body = data.split(b"\r\n\r\n", 1)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(body) < length:
        body += receive_some(connection, deadline)
    return RawResponse(int(status_line.split()[1]), headers, body[:length])


def receive_some(connection: socket.socket, deadline: float) -> bytes:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no complete response before the deadline")
    connection.settimeout(remaining)
    try:
        chunk = connection.recv(65536)
    except TimeoutError:
        raise TimeoutError("no complete response before the deadline") from None
    if not chunk:
        raise ConnectionError("the server closed the connection before the response ended")
    return chunk


def check_error(response: RawResponse, protocol: str, status: int, code: str) -> None:
    """Assert a raw response is the given SQS error, encoded in the protocol of its request."""
    assert response.status == status, response
    if protocol == "json":
        assert response.headers["content-type"] == JSON_TYPE
        document = json.loads(response.body)
        assert document["__type"].endswith(f"#{code}"), document
        assert isinstance(document["message"], str), document
        assert document["message"], document
        assert response.headers["x-amzn-query-error"] == f"{code};Sender"
        return
    assert response.headers["content-type"] == "text/xml"
    root = ET.fromstring(response.body)
    assert root.tag.endswith("ErrorResponse"), response.body
    namespace = root.tag[: -len("ErrorResponse")]
    assert root.findtext(f"{namespace}Error/{namespace}Code") == code, response.body
    assert root.findtext(f"{namespace}Error/{namespace}Message"), response.body
    assert root.findtext(f"{namespace}RequestId"), response.body


@pytest.fixture(scope="module")
def server():
    """A server with a small request size limit and short body and idle timeouts."""
    process = ServerProcess(
        "--max-request-bytes",
        str(MAX_REQUEST_BYTES),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--idle-timeout",
        str(IDLE_TIMEOUT),
        *QUIET,
    )
    yield process
    status, output = process.stop()
    assert status == 0, output


def connect(server: ServerProcess) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=RESPONSE_TIMEOUT)


# Request size


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_declared_length_over_limit(server, protocol):
    """Reject a request whose Content-Length is over the limit before its body arrives."""
    declared = MAX_REQUEST_BYTES + 1000
    head = request_head(protocol, "ListQueues", f"Content-Length: {declared}")
    with connect(server) as connection:
        # Only the first few bytes of the declared body are ever sent.
        connection.sendall(head + request_body(protocol, "ListQueues", {})[:8])
        response = read_response(connection)
    check_error(response, protocol, 413, "RequestEntityTooLarge")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_chunked_body_over_limit(server, protocol):
    """Reject a chunked body once it grows past the limit, before its last chunk."""
    chunk = b"x" * 1024
    chunk_count = MAX_REQUEST_BYTES // len(chunk) + 2
    with connect(server) as connection:
        connection.sendall(request_head(protocol, "ListQueues", "Transfer-Encoding: chunked"))
        for _ in range(chunk_count):
            try:
                connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break  # the server may close the connection once it has sent the 413
        # The terminating zero-length chunk is never sent.
        response = read_response(connection)
    check_error(response, protocol, 413, "RequestEntityTooLarge")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_body_at_limit_accepted(server, protocol):
    """Accept a body of exactly the limit, so the check is not off by one."""
    body = request_body(protocol, "ListQueues", {})
    # JSON ignores trailing spaces, and form decoding skips empty fields.
    padding = b" " if protocol == "json" else b"&"
    body += padding * (MAX_REQUEST_BYTES - len(body))
    with connect(server) as connection:
        connection.sendall(request_head(protocol, "ListQueues", f"Content-Length: {len(body)}"))
        connection.sendall(body)
        response = read_response(connection)
    assert response.status == 200, response


# Timeouts


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_body_timeout(server, protocol):
    """Respond 408 when the rest of a declared body does not arrive within --body-timeout."""
    body = request_body(protocol, "ListQueues", {"QueueNamePrefix": "nothing-matches"})
    head = request_head(protocol, "ListQueues", f"Content-Length: {len(body)}")
    with connect(server) as connection:
        connection.sendall(head + body[: len(body) // 2])
        started = time.monotonic()
        response = read_response(connection, timeout=BODY_TIMEOUT + RESPONSE_TIMEOUT)
        elapsed = time.monotonic() - started
    check_error(response, protocol, 408, "RequestTimeout")
    assert elapsed > BODY_TIMEOUT / 2, f"408 after {elapsed:.2f} s, before the timeout ran out"


def test_idle_connection_closed(server):
    """Close a keep-alive connection that stays idle for --idle-timeout seconds."""
    with connect(server) as connection:
        connection.sendall(b"GET /_sqslite/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_response(connection).status == 200
        started = time.monotonic()
        connection.settimeout(IDLE_TIMEOUT + 2)
        try:
            data = connection.recv(1024)
        except TimeoutError:
            pytest.fail(f"the idle connection was still open after {IDLE_TIMEOUT + 2} s")
        elapsed = time.monotonic() - started
    assert data == b"", data
    assert elapsed > IDLE_TIMEOUT / 2, f"closed after {elapsed:.2f} s, before the timeout ran out"


# Long polls


def long_poll_query(url: str, queue_url: str, wait: int) -> httpx.Response:
    """Send ReceiveMessage in the query protocol, which boto3 no longer speaks."""
    return httpx.post(
        f"{url}/",
        data={
            "Action": "ReceiveMessage",
            "Version": "2012-11-05",
            "QueueUrl": queue_url,
            "WaitTimeSeconds": str(wait),
        },
        timeout=wait + RESPONSE_TIMEOUT,
    )


def long_polls_waiting(url: str) -> int:
    """Read the sqslite_long_polls_waiting gauge from GET /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=RESPONSE_TIMEOUT).text
    for line in text.splitlines():
        if line.startswith("sqslite_long_polls_waiting "):
            return int(float(line.split()[1]))
    raise AssertionError("GET /metrics has no sqslite_long_polls_waiting line")


def wait_for_long_polls(url: str, expected: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = long_polls_waiting(url)
    while waiting != expected and time.monotonic() < deadline:
        time.sleep(0.05)
        waiting = long_polls_waiting(url)
    assert waiting == expected, f"{waiting} long polls waiting, expected {expected}"


def test_long_poll_limit():
    """Throttle a long poll beyond --max-long-polls at once, but never a short poll."""
    server = ServerProcess("--max-long-polls", str(MAX_LONG_POLLS), *QUIET)
    try:
        # Without retries, because boto3's standard mode retries RequestThrottled.
        sqs = sqs_client(server.url, retries=False, timeout=WAIT_SECONDS + RESPONSE_TIMEOUT)
        queue_url = sqs.create_queue(QueueName="empty")["QueueUrl"]
        results: list[int] = []
        errors: list[Exception] = []

        def long_poll() -> None:
            try:
                response = sqs.receive_message(
                    QueueUrl=queue_url, WaitTimeSeconds=WAIT_SECONDS, MaxNumberOfMessages=1
                )
            except (BotoCoreError, ClientError) as error:  # reported by the asserts below
                errors.append(error)
                return
            results.append(len(response.get("Messages", [])))

        pollers = [threading.Thread(target=long_poll) for _ in range(MAX_LONG_POLLS)]
        for poller in pollers:
            poller.start()
        wait_for_long_polls(server.url, MAX_LONG_POLLS)

        started = time.monotonic()
        with pytest.raises(ClientError) as raised:
            sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=WAIT_SECONDS)
        elapsed = time.monotonic() - started
        assert raised.value.response["Error"]["Code"] == "RequestThrottled"
        assert elapsed < WAIT_SECONDS / 2, f"throttled after {elapsed:.2f} s, not at once"

        started = time.monotonic()
        response = long_poll_query(server.url, queue_url, WAIT_SECONDS)
        elapsed = time.monotonic() - started
        check_error(
            RawResponse(response.status_code, dict(response.headers), response.content),
            "query",
            400,
            "RequestThrottled",
        )
        assert elapsed < WAIT_SECONDS / 2, f"throttled after {elapsed:.2f} s, not at once"

        for _ in range(3):
            short = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
            assert "Messages" not in short
        for poller in pollers:
            assert poller.is_alive(), "a long poll returned while the queue was empty"

        # One message for each waiting long poll ends all three before their wait runs out.
        sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(index), "MessageBody": f"wake-{index}"} for index in range(3)],
        )
        for poller in pollers:
            poller.join(timeout=WAIT_SECONDS + RESPONSE_TIMEOUT)
            assert not poller.is_alive(), "a long poll did not return"
        assert not errors, errors
        assert results == [1] * MAX_LONG_POLLS
        wait_for_long_polls(server.url, 0)

        # With the waiting long polls gone, a long poll waits again instead of being throttled.
        started = time.monotonic()
        response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
        assert "Messages" not in response
        assert time.monotonic() - started > 0.5, "the long poll did not wait"
    finally:
        status, output = server.stop()
    assert status == 0, output


# Connections


def test_connection_limit():
    """Respond 503 to requests beyond --max-connections and keep serving afterwards."""
    server = ServerProcess("--max-connections", str(MAX_CONNECTIONS), *QUIET)
    connections: list[socket.socket] = []
    try:
        queue_url = sqs_client(server.url).create_queue(QueueName="empty")["QueueUrl"]
        # Let the server see the start-up and create_queue connections close,
        # so that they do not count against the limit.
        time.sleep(0.3)
        body = request_body(
            "json",
            "ReceiveMessage",
            {"QueueUrl": queue_url, "WaitTimeSeconds": CONNECTION_WAIT_SECONDS},
        )
        request = request_head("json", "ReceiveMessage", f"Content-Length: {len(body)}") + body
        sent_at: list[float] = []
        responses: list[RawResponse | None] = []
        answered_at: list[float | None] = []
        # One connection at a time, so the server counts them in this order.
        # A long poll stays silent, and a rejected request is answered at once.
        for _ in range(MAX_CONNECTIONS + 3):
            connection = connect(server)
            connections.append(connection)
            connection.sendall(request)
            sent_at.append(time.monotonic())
            try:
                responses.append(read_response(connection, timeout=0.3))
                answered_at.append(time.monotonic())
            except TimeoutError:
                responses.append(None)
                answered_at.append(None)
        for index, connection in enumerate(connections):
            if responses[index] is None:
                timeout = CONNECTION_WAIT_SECONDS + RESPONSE_TIMEOUT
                responses[index] = read_response(connection, timeout=timeout)
                answered_at[index] = time.monotonic()

        statuses = [response.status for response in responses]
        served = MAX_CONNECTIONS
        assert statuses == [200] * served + [503] * (len(statuses) - served), statuses
        for index in range(served, len(connections)):
            delay = answered_at[index] - sent_at[index]
            assert delay < CONNECTION_WAIT_SECONDS / 2, f"503 after {delay:.2f} s, not at once"

        for connection in connections:
            connection.close()
        time.sleep(0.3)
        sqs = sqs_client(server.url, retries=False)
        sqs.send_message(QueueUrl=queue_url, MessageBody="after")
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
        assert [message["Body"] for message in messages] == ["after"]
    finally:
        for connection in connections:
            connection.close()
        status, output = server.stop()
    assert status == 0, output
