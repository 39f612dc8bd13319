"""pytest fixtures for code that uses SQS, registered through the ``pytest11`` entry point.

One in-process sqslite server runs for the whole session, started by the
first test that requests a fixture. With ``--sqslite-endpoint URL`` (or
the ``SQSLITE_TEST_ENDPOINT`` variable) the fixtures use a server that is
already running, such as a container, and start none. That server needs
``--test-clock`` for ``sqslite_clock``.

Fixtures:

- ``sqslite_server``: the session's ``sqslite.Server`` (None with an external endpoint)
- ``sqslite_endpoint_url``: the endpoint URL, for ``endpoint_url=``
- ``sqslite_client``: a boto3 SQS client for that endpoint, with dummy credentials
- ``sqslite_queue``: the URL of a new standard queue, deleted after the test
- ``sqslite_create_queue``: a function that creates queues and deletes them after the test
- ``sqslite_reset``: deletes every queue and message before the test
- ``sqslite_clock``: moves the server's test clock forward with ``advance(seconds)``
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from .client import post_operations_request

if TYPE_CHECKING:
    from .server import Server

# Not SQSLITE_ENDPOINT, which the shell commands read: exporting that for
# `sqslite queues` must not send a test suite to a server with real data.
ENDPOINT_VARIABLE = "SQSLITE_TEST_ENDPOINT"
REQUEST_TIMEOUT = 10.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sqslite")
    group.addoption(
        "--sqslite-endpoint",
        metavar="URL",
        default=os.environ.get(ENDPOINT_VARIABLE),
        help="use the sqslite server at URL instead of starting one in the test process "
        f"(default: ${ENDPOINT_VARIABLE})",
    )


class Clock:
    """The server's test clock."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def advance(self, seconds: float) -> float:
        """Move the clock forward; return the server's new time in epoch seconds."""
        return post_json(f"{self.endpoint_url}/_sqslite/clock", {"advance": seconds})["now"]


def post_json(url: str, payload: dict) -> dict:
    return post_operations_request(url, payload, timeout=REQUEST_TIMEOUT)


@pytest.fixture(scope="session")
def sqslite_server(pytestconfig: pytest.Config) -> Iterator[Server | None]:
    if pytestconfig.getoption("sqslite_endpoint"):
        yield None
        return
    from .server import Server

    with Server(test_clock=True) as server:
        yield server


@pytest.fixture(scope="session")
def sqslite_endpoint_url(pytestconfig: pytest.Config, sqslite_server: Server | None) -> str:
    external = pytestconfig.getoption("sqslite_endpoint")
    if external:
        return external.rstrip("/")
    return sqslite_server.endpoint_url


@pytest.fixture(scope="session")
def sqslite_client(sqslite_endpoint_url: str):
    try:
        import boto3
    except ImportError:
        pytest.fail("the sqslite_client fixture needs boto3: pip install boto3")
    return boto3.client(
        "sqs",
        endpoint_url=sqslite_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def sqslite_create_queue(sqslite_client) -> Iterator[Callable[..., str]]:
    """Return create(prefix="test", fifo=False, **attributes) -> queue URL.

    Each queue gets a unique name that starts with prefix, and is deleted
    after the test unless a reset removed it first.
    """
    created: list[str] = []

    def create(prefix: str = "test", fifo: bool = False, **attributes: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        if fifo:
            name += ".fifo"
            attributes["FifoQueue"] = "true"
        url = sqslite_client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        created.append(url)
        return url

    yield create
    for url in created:
        try:
            sqslite_client.delete_queue(QueueUrl=url)
        except sqslite_client.exceptions.QueueDoesNotExist:
            pass


@pytest.fixture
def sqslite_queue(sqslite_create_queue: Callable[..., str]) -> str:
    return sqslite_create_queue()


@pytest.fixture
def sqslite_reset(sqslite_endpoint_url: str) -> None:
    post_json(f"{sqslite_endpoint_url}/_sqslite/reset", {})


@pytest.fixture
def sqslite_clock(sqslite_endpoint_url: str) -> Clock:
    return Clock(sqslite_endpoint_url)
