"""Harness of the SQS compatibility suite.

The target is sqslite started by the suite (default), any endpoint
(``--endpoint URL``) or real Amazon SQS (``--aws``); ``target.py`` resolves the
options. ``--report PATH`` writes a Markdown matrix of the results per SQS
operation and protocol (``report.py``).

Every behaviour test takes the ``sqs`` fixture, which is parametrized over two
clients: boto3's own JSON 1.0 client and a query-protocol client built from a
copy of the SQS model with its protocol switched to ``query``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
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
from botocore.exceptions import ClientError

from .report import ResultTable, today
from .target import Target, TargetError, resolve_target

# Show the compared values when an assert in the shared helpers fails.
pytest.register_assert_rewrite(f"{__package__}.helpers" if __package__ else "helpers")

SERVER_START_TIMEOUT = 10.0
SERVER_STOP_TIMEOUT = 5.0
MODEL_FILE = "sqs-2012-11-05.json"

# Clock moves above this total make a test slow on endpoints without a test
# clock, so such a test must carry the ``waits`` marker.
WAITS_THRESHOLD_SECONDS = 2.0

# Average SQS requests per collected test, for the estimate printed before a
# run: a full run against sqslite (826 tests, all markers) sent 5006 requests,
# counted by the suite's clients and raw-HTTP helper.
AVERAGE_REQUESTS_PER_TEST = 6

# Bounds of the session-end cleanup of queues left under the run's prefix.
CLEANUP_MAX_PAGES = 20
CLEANUP_PAGE_SIZE = 1000

TARGET_KEY = pytest.StashKey[Target]()
RESULTS_KEY = pytest.StashKey[ResultTable]()
REQUESTS_KEY = pytest.StashKey[list]()
SERVER_KEY = pytest.StashKey[str]()


def pytest_addoption(parser):
    group = parser.getgroup("sqs compatibility suite")
    group.addoption(
        "--endpoint",
        default=None,
        help="URL of an SQS endpoint to test, e.g. http://127.0.0.1:4566. "
        "Without it (and without --aws) the suite starts sqslite on a free 127.0.0.1 port.",
    )
    group.addoption(
        "--aws",
        action="store_true",
        default=False,
        help="test real Amazon SQS with boto3's credential chain and region; "
        "queues are named sqslite-compat-<random>- and deleted at the end",
    )
    group.addoption(
        "--report",
        default=None,
        metavar="PATH",
        help="write a Markdown matrix of results per SQS operation and protocol to PATH",
    )


def pytest_configure(config):
    try:
        target = resolve_target(config.getoption("--endpoint"), config.getoption("--aws"))
    except TargetError as error:
        raise pytest.UsageError(str(error)) from error
    config.stash[TARGET_KEY] = target
    config.stash[RESULTS_KEY] = ResultTable()
    config.stash[REQUESTS_KEY] = [0]
    config.addinivalue_line(
        "markers",
        "operation(*names): the SQS operations a test checks, for the --report matrix",
    )
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
    # The user's SQSLITE_* settings (a --db path, say) must not reach this server.
    env = {name: value for name, value in os.environ.items() if not name.startswith("SQSLITE_")}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr_file, env=env)
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
def target(pytestconfig, tmp_path_factory) -> Target:
    """The server under test, with the URL of sqslite once the suite started it."""
    resolved = pytestconfig.stash[TARGET_KEY]
    if resolved.kind != "sqslite":
        yield resolved
        return
    process, url, stderr_file = _start_sqslite(tmp_path_factory.mktemp("sqslite"))
    try:
        yield resolved.with_endpoint(url)
    finally:
        _stop_process(process)
        stderr_file.close()


@pytest.fixture(scope="session")
def endpoint(target, clients) -> str:
    """Base URL of the server under test, without a trailing slash."""
    return clients["json"][0].meta.endpoint_url.rstrip("/")


@pytest.fixture(scope="session")
def is_sqslite(target, endpoint, pytestconfig) -> bool:
    # Never probe AWS for sqslite's health route.
    if target.is_aws or not _health_ok(endpoint):
        return False
    version = httpx.get(f"{endpoint}/_sqslite/health", timeout=2.0).json().get("version")
    pytestconfig.stash[SERVER_KEY] = f"sqslite {version}"
    return True


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


def _make_json_client(target: Target):
    return boto3.session.Session().client(
        "sqs", config=CLIENT_CONFIG, **target.client_arguments()
    )


def _make_query_client(target: Target, model_dir: Path):
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, str(model_dir))
    return session.create_client("sqs", config=CLIENT_CONFIG, **target.client_arguments())


def _count_request(counter: list, **_) -> None:
    counter[0] += 1


@pytest.fixture(scope="session")
def clients(target, tmp_path_factory, pytestconfig):
    """The JSON and query clients with their request logs, keyed by protocol."""
    model_dir = _query_model_dir(tmp_path_factory.mktemp("query-model"))
    built = {
        "json": _make_json_client(target),
        "query": _make_query_client(target, model_dir),
    }
    counter = pytestconfig.stash[REQUESTS_KEY]
    result = {}
    for protocol, client in built.items():
        actual = client.meta.service_model.protocol
        assert actual == protocol, f"{protocol} client was built with protocol {actual!r}"
        log = RequestLog()
        client.meta.events.register("before-send.sqs", log.record)
        client.meta.events.register("before-send.sqs", functools.partial(_count_request, counter))
        result[protocol] = (client, log)
    return result


@pytest.fixture
def make_client(target, protocol, tmp_path, pytestconfig):
    """Factory of new clients of this test's protocol, e.g. one per consumer thread."""
    counter = pytestconfig.stash[REQUESTS_KEY]
    model_dir = _query_model_dir(tmp_path) if protocol == "query" else None

    def build(region: str | None = None):
        """Build a client, in ``region`` instead of the target's region if given."""
        settings = target if region is None else dataclasses.replace(target, region=region)
        if model_dir is None:
            client = _make_json_client(settings)
        else:
            client = _make_query_client(settings, model_dir)
        client.meta.events.register("before-send.sqs", functools.partial(_count_request, counter))
        return client

    return build


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
    """Creates queues named with the run's prefix and deletes them at teardown."""

    def __init__(self, client, prefix: str):
        self.client = client
        self.prefix = prefix
        self.urls: list[str] = []

    def new_name(self, suffix: str = "") -> str:
        return f"{self.prefix}{uuid.uuid4().hex[:20]}{suffix}"

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

    def missing_url(self) -> str:
        """Return the URL of a queue that was never created, beside a real one.

        A never-created name avoids deleted queues, which AWS may go on
        serving for up to 60 seconds.
        """
        existing = self()
        return existing.rsplit("/", 1)[0] + "/" + self.new_name()

    def cleanup(self):
        for url in self.urls:
            try:
                self.client.delete_queue(QueueUrl=url)
            except ClientError:
                pass


def _delete_queues_with_prefix(client, prefix: str) -> list[str]:
    """Delete every queue whose name starts with ``prefix``; return the URLs deleted."""
    deleted = []
    token = None
    for _ in range(CLEANUP_MAX_PAGES):
        arguments = {"QueueNamePrefix": prefix, "MaxResults": CLEANUP_PAGE_SIZE}
        if token:
            arguments["NextToken"] = token
        response = client.list_queues(**arguments)
        for url in response.get("QueueUrls", []):
            try:
                client.delete_queue(QueueUrl=url)
            except ClientError:
                continue
            deleted.append(url)
        token = response.get("NextToken")
        if not token:
            break
    return deleted


@pytest.fixture(scope="session", autouse=True)
def delete_leftover_queues(target, clients, is_sqslite, pytestconfig):
    """Delete every queue of this run at the end, also after failures and Ctrl-C.

    Queue fixtures delete their own queues. This catches what they missed,
    such as queues of a test interrupted between create and teardown.
    """
    yield
    client = clients["json"][0]
    try:
        deleted = _delete_queues_with_prefix(client, target.queue_prefix)
    except ClientError as error:
        _write_line(
            pytestconfig,
            f"compat: listing queues with prefix {target.queue_prefix} failed: {error}; "
            "delete them by hand",
        )
        return
    if deleted:
        _write_line(
            pytestconfig,
            f"compat: deleted {len(deleted)} leftover queue(s) with prefix {target.queue_prefix}",
        )


@pytest.fixture
def queue(sqs, target):
    """Factory: ``queue(attributes=..., tags=...)`` creates a queue and returns its URL."""
    factory = QueueFactory(sqs, target.queue_prefix)
    yield factory
    factory.cleanup()


# ---------------------------------------------------------------------------
# Clock


class Clock:
    """Moves time forward: sqslite's test clock, or a real sleep elsewhere.

    A test whose clock moves add up to more than ``WAITS_THRESHOLD_SECONDS``
    fails unless it carries the ``waits`` marker, so that ``-m "not waits"``
    deselects every slow test on endpoints that sleep.
    """

    def __init__(self, endpoint: str, adjustable: bool, node):
        self.endpoint = endpoint
        self.adjustable = adjustable
        self.node = node
        self.total = 0.0

    def advance(self, seconds: float) -> None:
        self.total += seconds
        if self.total > WAITS_THRESHOLD_SECONDS and self.node.get_closest_marker("waits") is None:
            pytest.fail(
                f"the test moves the clock {self.total:g} s in total, more than "
                f"{WAITS_THRESHOLD_SECONDS:g} s: mark it @pytest.mark.waits"
            )
        if not self.adjustable:
            time.sleep(seconds)
            return
        response = httpx.post(
            f"{self.endpoint}/_sqslite/clock", json={"advance": seconds}, timeout=5.0
        )
        assert response.status_code == 200, (
            f"POST /_sqslite/clock failed with {response.status_code}: {response.text}"
        )


@pytest.fixture(scope="session")
def clock_adjustable(endpoint, is_sqslite) -> bool:
    """Whether the server is sqslite started with --test-clock."""
    if not is_sqslite:
        return False
    response = httpx.post(f"{endpoint}/_sqslite/clock", json={"advance": 0}, timeout=5.0)
    return response.status_code == 200


@pytest.fixture
def clock(endpoint, clock_adjustable, request) -> Clock:
    return Clock(endpoint, clock_adjustable, request.node)


# ---------------------------------------------------------------------------
# Raw HTTP


class Wire:
    """Signed raw requests for cases that SDK clients cannot express."""

    def __init__(self, endpoint: str, credentials, region: str, counter: list):
        self.endpoint = endpoint
        self.credentials = credentials
        self.region = region
        self.counter = counter

    def send(self, method: str, path: str, body: bytes = b"", headers=None, params=None):
        url = self.endpoint + path
        if params:
            url += "?" + httpx.QueryParams(params).__str__()
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
        SigV4Auth(self.credentials, "sqs", self.region).add_auth(request)
        prepared = request.prepare()
        self.counter[0] += 1
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
def wire(endpoint, clients, pytestconfig) -> Wire:
    client = clients["json"][0]
    credentials = client._request_signer._credentials
    return Wire(endpoint, credentials, client.meta.region_name, pytestconfig.stash[REQUESTS_KEY])


@pytest.fixture
def json_queue(json_client, target):
    """Queue factory over the JSON client, for tests that are not parametrized by protocol."""
    factory = QueueFactory(json_client, target.queue_prefix)
    yield factory
    factory.cleanup()


# ---------------------------------------------------------------------------
# Operation markers, the request estimate and the report


def _write_line(config, text: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(text)
    else:
        print(text, file=sys.stderr)


def _operation_names() -> set[str]:
    return set(botocore.session.get_session().get_service_model("sqs").operation_names)


NO_OPERATION = "(no operation)"


def operations_of(item) -> tuple[str, ...]:
    """Return the operations of the closest ``operation`` marker.

    ``@pytest.mark.operation()`` without names marks a request that names no
    valid operation, such as an unknown Action. Its row is ``(no operation)``.
    """
    marker = item.get_closest_marker("operation")
    if marker is None:
        return ()
    return tuple(marker.args) or (NO_OPERATION,)


def protocol_of_item(item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "protocol" in callspec.params:
        return callspec.params["protocol"]
    return "raw"


SUITE_DIR = Path(__file__).resolve().parent


def _in_suite(item) -> bool:
    """Whether ``item`` is a compat test, not one of a session that also runs other tests."""
    return SUITE_DIR in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items):
    valid = _operation_names()
    problems = []
    for item in filter(_in_suite, items):
        names = operations_of(item)
        if not names:
            problems.append(f"{item.nodeid}: no @pytest.mark.operation(...)")
        for name in names:
            if name not in valid and name != NO_OPERATION:
                problems.append(f"{item.nodeid}: {name!r} is not an SQS operation")
    if problems:
        raise pytest.UsageError(
            "every compat test needs @pytest.mark.operation with SQS operation names "
            "(on the test or in the file's pytestmark):\n  " + "\n  ".join(problems[:20])
        )


def pytest_collection_finish(session):
    target = session.config.stash[TARGET_KEY]
    count = sum(1 for item in session.items if _in_suite(item))
    where = {
        "sqslite": "sqslite started by the suite",
        "endpoint": target.endpoint_url,
        "aws": f"Amazon SQS in {target.region}",
    }[target.kind]
    _write_line(
        session.config,
        f"compat: {count} tests against {where}, queue prefix {target.queue_prefix}; "
        f"estimate about {count * AVERAGE_REQUESTS_PER_TEST} SQS requests "
        f"({count} tests x {AVERAGE_REQUESTS_PER_TEST}, the average per test measured "
        "on a full run against sqslite)",
    )


def pytest_assertrepr_compare(config, op, left, right):
    item = _CURRENT_ITEM.get("item")
    if item is not None:
        config.stash[RESULTS_KEY].record_comparison(item.nodeid, op, left, right)
    return None


_CURRENT_ITEM: dict = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _in_suite(item):
        return (yield)
    _CURRENT_ITEM["item"] = item
    try:
        return (yield)
    finally:
        _CURRENT_ITEM.pop("item", None)


def pytest_runtest_logreport(report):
    item = _CURRENT_ITEM.get("item")
    if item is None or item.nodeid != report.nodeid:
        return
    # One outcome per test: the call phase, or the setup phase that kept the
    # call from running. Teardown errors show in pytest's own summary only.
    if report.when == "teardown" or (report.when == "setup" and report.passed):
        return
    crash = ""
    if report.failed:
        reprcrash = getattr(report.longrepr, "reprcrash", None)
        crash = reprcrash.message if reprcrash is not None else str(report.longrepr)
    item.config.stash[RESULTS_KEY].add(
        report.nodeid, operations_of(item), protocol_of_item(item), report.outcome, crash
    )


def pytest_terminal_summary(terminalreporter, config):
    if TARGET_KEY not in config.stash:
        return
    target = config.stash[TARGET_KEY]
    sent = config.stash[REQUESTS_KEY][0]
    terminalreporter.write_line(f"compat: sent {sent} SQS requests")
    path = config.getoption("--report")
    if not path:
        return
    details = [
        f"date: {today()}",
        f"target: {target.kind}" + (f" ({target.endpoint_url})" if target.endpoint_url else ""),
        f"server: {config.stash.get(SERVER_KEY, 'not sqslite')}",
        f"botocore {botocore.__version__}, boto3 {boto3.__version__}",
        f"SQS requests sent: {sent}",
    ]
    text = config.stash[RESULTS_KEY].render("SQS compatibility results", details)
    Path(path).write_text(text, encoding="utf-8")
    terminalreporter.write_line(f"compat: wrote the results matrix to {path}")
