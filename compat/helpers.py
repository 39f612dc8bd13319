"""Helpers shared by the compatibility tests: digests, error checks, receives."""

from __future__ import annotations

import hashlib
import struct
import time
from urllib.parse import urlsplit

import httpx
from botocore.exceptions import ClientError

# Query-protocol error codes of the modelled SQS errors (last query-protocol
# botocore SQS model). JSON clients see them in Error.Code through the
# x-amzn-query-error header, and the shape name in Error.QueryErrorCode.
NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"
QUEUE_MISSING_JSON = "The specified queue does not exist."
QUEUE_MISSING_QUERY = "The specified queue does not exist for this wsdl version."

STRING_TRANSPORT = b"\x01"
BINARY_TRANSPORT = b"\x02"


# Known results of targets_sqslite, keyed by endpoint URL (None: the suite's own sqslite).
_SQSLITE_TARGETS: dict = {}


def targets_sqslite(config) -> bool:
    """Return whether the server under test is sqslite, for xfail conditions.

    True when the suite started sqslite itself or when the ``--endpoint`` server
    answers ``GET /_sqslite/health``, and never with ``--aws``. Use it as
    ``@pytest.mark.xfail(condition="targets_sqslite(config)", ...)`` after
    importing it into the test module.
    """
    if config.getoption("--aws"):
        return False
    endpoint = config.getoption("--endpoint")
    if endpoint is None:
        return True
    if endpoint not in _SQSLITE_TARGETS:
        try:
            response = httpx.get(f"{endpoint.rstrip('/')}/_sqslite/health", timeout=2.0)
        except httpx.HTTPError:
            _SQSLITE_TARGETS[endpoint] = False
        else:
            _SQSLITE_TARGETS[endpoint] = response.status_code == 200
    return _SQSLITE_TARGETS[endpoint]


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def account_id(url: str) -> str:
    """Return the account id, the first path segment of a queue URL."""
    return urlsplit(url).path.strip("/").split("/")[0]


def url_path(url: str) -> str:
    return urlsplit(url).path


def protocol_of(client) -> str:
    return client.meta.service_model.protocol


def queue_missing_message(client) -> str:
    """Return the QueueDoesNotExist message, which differs between the protocols."""
    if protocol_of(client) == "query":
        return QUEUE_MISSING_QUERY
    return QUEUE_MISSING_JSON


# ---------------------------------------------------------------------------
# MD5 digests, written from the layout in the SQS Developer Guide page
# "Calculating the MD5 message digest for message attributes".


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict) -> str:
    """Compute MD5OfMessageAttributes (or ...SystemAttributes) of a boto3-style map.

    Each value is ``{"DataType": ..., "StringValue": str}`` or
    ``{"DataType": ..., "BinaryValue": bytes}``.
    """
    buffer = bytearray()
    for name in sorted(attributes):
        value = attributes[name]
        buffer += _length_prefixed(name.encode("utf-8"))
        buffer += _length_prefixed(value["DataType"].encode("utf-8"))
        if "StringValue" in value:
            buffer += STRING_TRANSPORT
            buffer += _length_prefixed(value["StringValue"].encode("utf-8"))
        else:
            buffer += BINARY_TRANSPORT
            buffer += _length_prefixed(bytes(value["BinaryValue"]))
    return md5_hex(bytes(buffer))


# ---------------------------------------------------------------------------
# Errors


def check_error(error: ClientError, code: str, message: str | None = None, status: int = 400):
    """Assert the legacy error code, the exact message (if given) and the HTTP status.

    Error.Code is the query code for both protocols: boto3's JSON parser takes
    it from the x-amzn-query-error header.
    """
    details = error.response["Error"]
    assert details["Code"] == code
    if message is not None:
        assert details["Message"] == message
    if status is not None:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert details.get("Type") == "Sender"


def check_batch_failure(entry: dict, entry_id: str, code: str, message: str | None = None):
    assert entry["Id"] == entry_id
    assert entry["Code"] == code
    assert entry["SenderFault"] is True
    if message is not None:
        assert entry["Message"] == message


# ---------------------------------------------------------------------------
# Receiving

MAX_RECEIVE_ATTEMPTS = 10


def receive_one(client, url: str, **arguments) -> dict:
    """Receive exactly one message, polling a bounded number of times.

    AWS short polls sample a subset of servers, so a single receive may come
    back empty even though a message is available.
    """
    arguments.setdefault("WaitTimeSeconds", 1)
    for _ in range(MAX_RECEIVE_ATTEMPTS):
        messages = client.receive_message(QueueUrl=url, **arguments).get("Messages", [])
        if messages:
            assert len(messages) == 1
            return messages[0]
    raise AssertionError(f"no message received from {url} in {MAX_RECEIVE_ATTEMPTS} receives")


def receive_all(client, url: str, expected: int, deadline_seconds: float = 10.0, **arguments):
    """Receive until ``expected`` distinct messages arrived or the deadline passed."""
    arguments.setdefault("WaitTimeSeconds", 1)
    arguments.setdefault("MaxNumberOfMessages", 10)
    found: dict[str, dict] = {}
    deadline = time.monotonic() + deadline_seconds
    while len(found) < expected and time.monotonic() < deadline:
        for message in client.receive_message(QueueUrl=url, **arguments).get("Messages", []):
            found[message["MessageId"]] = message
    return list(found.values())


def receive_none(client, url: str, **arguments) -> dict:
    """Short-poll once and return the response, which the caller expects to be empty."""
    arguments.setdefault("WaitTimeSeconds", 0)
    return client.receive_message(QueueUrl=url, **arguments)


def queue_attributes(client, url: str, *names: str) -> dict:
    names = list(names) or ["All"]
    return client.get_queue_attributes(QueueUrl=url, AttributeNames=names).get("Attributes", {})


def message_counts(client, url: str) -> tuple[int, int, int]:
    """Return (visible, not visible, delayed) message counts of a queue."""
    attributes = queue_attributes(
        client,
        url,
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )
