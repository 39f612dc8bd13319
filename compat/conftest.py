"""Harness of the SQS compatibility suite.

Without ``--endpoint`` the suite starts sqslite as a subprocess on a free
local port and stops it at the end of the session. With ``--endpoint URL`` it
runs against that server instead (another emulator, or real SQS).

Every behaviour test takes the ``sqs`` fixture, which is parametrized over two
clients: boto3's own JSON 1.0 client and a query-protocol client built from a
copy of the SQS model with its protocol switched to ``query``.
"""

from __future__ import annotations

import copy
import importlib.resources
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import botocore.session
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

# Show the compared values when an assert in the shared helpers fails.
pytest.register_assert_rewrite(f"{__package__}.helpers" if __package__ else "helpers")

# Set before any client exists so that no credential or region lookup ever
# leaves the machine.
os.environ["AWS_ACCESS_KEY_ID"] = "test"
os.environ["AWS_SECRET_ACCESS_KEY"] = "test"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

REGION = "us-east-1"
ACCESS_KEY = "test"
SECRET_KEY = "test"
SERVER_START_TIMEOUT = 10.0
SERVER_STOP_TIMEOUT = 5.0
MODEL_FILE = "sqs-2012-11-05.json"


def pytest_addoption(parser):
    parser.addoption(
        "--endpoint",
        default=None,
        help="URL of an SQS endpoint to test, e.g. http://127.0.0.1:4566. "
        "Without it the suite starts sqslite on a free 127.0.0.1 port.",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "unverified(reason): expected behaviour that no AWS-recorded source confirms; "
        "the reason says what is uncertain",
    )
    config.addinivalue_line(
        "markers",
        "waits: sleeps for real (several seconds up to a minute) on endpoints without "
        "sqslite's test clock; deselect with -m 'not waits'",
    )


# ---------------------------------------------------------------------------
# Server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _health_ok(endpoint: str) -> bool:
    try:
        response = httpx.get(f"{endpoint}/_sqslite/health", timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def _start_sqslite(log_dir: Path):
    port = _free_port()
    stderr_path = log_dir / "sqslite.stderr"
    stderr_file = open(stderr_path, "wb")
    command = [
        sys.executable, "-m", "sqslite", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--test-clock", "--log-level", "warning",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_file)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _health_ok(endpoint):
            return process, endpoint, stderr_file
        time.sleep(0.1)
    _stop_process(process)
    stderr_file.close()
    stderr_text = stderr_path.read_text(errors="replace")
    pytest.exit(
        f"sqslite did not answer GET /_sqslite/health within {SERVER_START_TIMEOUT:.0f} s "
        f"(command: {' '.join(command)}, exit code {process.returncode}). "
        f"Server stderr:\n{stderr_text}",
        returncode=3,
    )


def _stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


@pytest.fixture(scope="session")
def endpoint(pytestconfig, tmp_path_factory):
    """Base URL of the server under test, without a trailing slash."""
    endpoint_option = pytestconfig.getoption("--endpoint")
    if endpoint_option:
        yield endpoint_option.rstrip("/")
        return
    process, url, stderr_file = _start_sqslite(tmp_path_factory.mktemp("sqslite"))
    try:
        yield url
    finally:
        _stop_process(process)
        stderr_file.close()


@pytest.fixture(scope="session")
def is_sqslite(endpoint) -> bool:
    return _health_ok(endpoint)


# ---------------------------------------------------------------------------
# Clients


class RequestLog:
    """Bodies and headers of the requests a client sent, newest last."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []

    def record(self, request, **_):
        body = request.body
        if body is None:
            body = b""
        elif isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            body = bytes(body.read()) if hasattr(body, "read") else bytes(body)
        headers = {}
        for key, value in request.headers.items():
            headers[key] = value.decode() if isinstance(value, bytes) else value
        self.requests.append((headers, body))

    def clear(self):
        self.requests.clear()


def _query_model_dir(target: Path) -> Path:
    """Write the SQS model with protocol ``query`` where botocore's loader finds it."""
    source = importlib.resources.files("sqslite.wire").joinpath(MODEL_FILE)
    model = json.loads(source.read_text(encoding="utf-8"))
    model = copy.deepcopy(model)
    model["metadata"]["protocol"] = "query"
    model["metadata"]["protocols"] = ["query"]
    service_dir = target / "sqs" / "2012-11-05"
    service_dir.mkdir(parents=True, exist_ok=True)
    (service_dir / "service-2.json").write_text(json.dumps(model), encoding="utf-8")
    return target


# Retries would hide server errors and slow down failing tests.
CLIENT_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=40)


def _make_json_client(endpoint: str):
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=CLIENT_CONFIG,
    )


def _make_query_client(endpoint: str, model_dir: Path):
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(model_dir))
    return session.create_client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=CLIENT_CONFIG,
    )


@pytest.fixture(scope="session")
def clients(endpoint, tmp_path_factory):
    """The JSON and query clients with their request logs, keyed by protocol."""
    model_dir = _query_model_dir(tmp_path_factory.mktemp("query-model"))
    built = {
        "json": _make_json_client(endpoint),
        "query": _make_query_client(endpoint, model_dir),
    }
    result = {}
    for protocol, client in built.items():
        actual = client.meta.service_model.protocol
        assert actual == protocol, f"{protocol} client was built with protocol {actual!r}"
        log = RequestLog()
        client.meta.events.register("before-send.sqs", log.record)
        result[protocol] = (client, log)
    return result


@pytest.fixture(params=["json", "query"], ids=["json", "query"])
def protocol(request) -> str:
    return request.param


@pytest.fixture
def sqs(clients, protocol):
    """An SQS client speaking the protocol of this test's parameter."""
    client, log = clients[protocol]
    log.clear()
    return client


@pytest.fixture
def request_log(clients, protocol, sqs) -> RequestLog:
    return clients[protocol][1]


@pytest.fixture
def json_client(clients):
    """The JSON client, for setup steps whose protocol does not matter."""
    return clients["json"][0]


# ---------------------------------------------------------------------------
# Queues


class QueueFactory:
    """Creates uniquely named queues and deletes them at teardown."""

    def __init__(self, client, prefix: str):
        self.client = client
        self.prefix = prefix
        self.urls: list[str] = []

    def new_name(self, suffix: str = "") -> str:
        return f"{self.prefix}-{uuid.uuid4().hex[:20]}{suffix}"

    def track(self, url: str) -> str:
        self.urls.append(url)
        return url

    def __call__(self, name: str | None = None, attributes=None, tags=None, fifo=False) -> str:
        if name is None:
            name = self.new_name(".fifo" if fifo else "")
        arguments = {"QueueName": name}
        attributes = dict(attributes or {})
        if fifo:
            attributes.setdefault("FifoQueue", "true")
        if attributes:
            arguments["Attributes"] = attributes
        if tags:
            arguments["tags"] = tags
        url = self.client.create_queue(**arguments)["QueueUrl"]
        return self.track(url)

    def cleanup(self):
        for url in self.urls:
            try:
                self.client.delete_queue(QueueUrl=url)
            except ClientError:
                pass


@pytest.fixture
def queue(sqs):
    """Factory: ``queue(attributes=..., tags=...)`` creates a queue and returns its URL."""
    factory = QueueFactory(sqs, "compat")
    yield factory
    factory.cleanup()


# ---------------------------------------------------------------------------
# Clock


class Clock:
    """Moves time forward: sqslite's test clock, or a real sleep elsewhere."""

    def __init__(self, endpoint: str, is_sqslite: bool):
        self.endpoint = endpoint
        self.is_sqslite = is_sqslite

    def advance(self, seconds: float) -> None:
        if not self.is_sqslite:
            time.sleep(seconds)
            return
        response = httpx.post(
            f"{self.endpoint}/_sqslite/clock", json={"advance": seconds}, timeout=5.0
        )
        assert response.status_code == 200, (
            f"POST /_sqslite/clock failed with {response.status_code}: {response.text}"
        )


@pytest.fixture
def clock(endpoint, is_sqslite) -> Clock:
    return Clock(endpoint, is_sqslite)


# ---------------------------------------------------------------------------
# Raw HTTP


class Wire:
    """Signed raw requests for cases that SDK clients cannot express."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.credentials = Credentials(ACCESS_KEY, SECRET_KEY)

    def send(self, method: str, path: str, body: bytes = b"", headers=None, params=None):
        url = self.endpoint + path
        if params:
            url += "?" + httpx.QueryParams(params).__str__()
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        SigV4Auth(self.credentials, "sqs", REGION).add_auth(request)
        prepared = request.prepare()
        return httpx.request(
            method, prepared.url, content=prepared.body, headers=dict(prepared.headers),
            timeout=30.0,
        )

    def json(self, operation: str, body: dict, path: str = "/", headers=None):
        all_headers = {
            "X-Amz-Target": f"AmazonSQS.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        }
        all_headers.update(headers or {})
        return self.send("POST", path, json.dumps(body).encode(), all_headers)

    def query_post(self, params: dict, path: str = "/", headers=None):
        all_headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        all_headers.update(headers or {})
        body = str(httpx.QueryParams(params)).encode()
        return self.send("POST", path, body, all_headers)

    def query_get(self, params: dict, path: str = "/", headers=None):
        return self.send("GET", path, headers=headers, params=params)


@pytest.fixture
def wire(endpoint) -> Wire:
    return Wire(endpoint)


@pytest.fixture
def json_queue(json_client):
    """Queue factory over the JSON client, for tests that are not parametrized by protocol."""
    factory = QueueFactory(json_client, "compat-raw")
    yield factory
    factory.cleanup()
