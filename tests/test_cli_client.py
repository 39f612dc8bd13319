"""Tests of the client commands (queues, purge, send, receive) and of SQSLITE_* defaults."""

from __future__ import annotations

import json

import pytest

from sqslite import Server
from sqslite.cli import build_parser, main

from .serving import free_port


@pytest.fixture(scope="module")
def server():
    with Server() as running:
        yield running


@pytest.fixture
def endpoint(server) -> str:
    server.reset()
    return server.endpoint_url


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    output = capsys.readouterr()
    return status, output.out, output.err


def create_queue(endpoint: str, name: str, *attributes: str) -> None:
    from sqslite.client import JsonClient

    params = {"QueueName": name}
    if attributes:
        params["Attributes"] = dict(pair.split("=", 1) for pair in attributes)
    JsonClient(endpoint).call("CreateQueue", params)


def test_send_queues_receive_purge(capsys, endpoint):
    create_queue(endpoint, "jobs")
    create_queue(endpoint, "a-longer-queue-name")

    status, out, _ = run(capsys, "send", "jobs", "hello", "--endpoint", endpoint)
    assert status == 0
    message_id = out.strip()
    assert len(message_id) == 36
    run(capsys, "send", "jobs", "later", "--delay-seconds", "600", "--endpoint", endpoint)

    status, out, _ = run(capsys, "queues", "--endpoint", endpoint)
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "VISIBLE", "IN_FLIGHT", "DELAYED"]
    assert lines[1].split() == ["a-longer-queue-name", "0", "0", "0"]
    assert lines[2].split() == ["jobs", "1", "0", "1"]

    status, out, _ = run(capsys, "receive", "jobs", "--endpoint", endpoint)
    assert status == 0
    received = json.loads(out)
    assert received["MessageId"] == message_id
    assert received["Body"] == "hello"
    assert received["Attributes"]["ApproximateReceiveCount"] == "1"
    _, out, _ = run(capsys, "queues", "--prefix", "jobs", "--endpoint", endpoint)
    assert out.splitlines()[1].split() == ["jobs", "0", "1", "1"]

    status, out, _ = run(capsys, "purge", "jobs", "--endpoint", endpoint)
    assert status == 0
    assert out.strip() == "purged jobs"
    status, out, err = run(capsys, "receive", "jobs", "--endpoint", endpoint)
    assert status == 0
    assert out == ""
    assert err.strip() == "no messages"


def test_receive_delete_removes_messages(capsys, endpoint):
    create_queue(endpoint, "once")
    for body in ("one", "two"):
        run(capsys, "send", "once", body, "--endpoint", endpoint)
    status, out, _ = run(
        capsys, "receive", "once", "--max-messages", "10", "--delete", "--endpoint", endpoint
    )
    assert status == 0
    assert sorted(json.loads(line)["Body"] for line in out.splitlines()) == ["one", "two"]
    _, out, _ = run(capsys, "queues", "--endpoint", endpoint)
    assert out.splitlines()[1].split() == ["once", "0", "0", "0"]


def test_send_fifo_and_other_account(capsys, endpoint):
    create_queue(endpoint, "ordered.fifo", "FifoQueue=true")
    status, _, err = run(capsys, "send", "ordered.fifo", "x", "--endpoint", endpoint)
    assert status == 1
    assert "MessageGroupId" in err
    status, _, _ = run(
        capsys,
        "send",
        "ordered.fifo",
        "x",
        "--group-id",
        "g",
        "--deduplication-id",
        "d",
        "--endpoint",
        endpoint,
    )
    assert status == 0

    status, out, err = run(capsys, "queues", "--account", "111111111111", "--endpoint", endpoint)
    assert status == 0
    assert out == ""
    assert err.strip() == "no queues"


def test_client_errors_exit_one(capsys, endpoint):
    status, _, err = run(capsys, "purge", "missing", "--endpoint", endpoint)
    assert status == 1
    assert err.startswith("sqslite: QueueDoesNotExist: ")

    unused = f"http://127.0.0.1:{free_port()}"
    status, _, err = run(capsys, "queues", "--endpoint", unused)
    assert status == 1
    assert f"cannot reach {unused}" in err


def test_endpoint_from_environment(capsys, monkeypatch, endpoint):
    create_queue(endpoint, "from-env")
    monkeypatch.setenv("SQSLITE_ENDPOINT", endpoint)
    status, out, _ = run(capsys, "queues")
    assert status == 0
    assert "from-env" in out


def test_serve_defaults_from_environment():
    environ = {
        "SQSLITE_HOST": "0.0.0.0",
        "SQSLITE_PORT": "9400",
        "SQSLITE_DB": "/data/sqs.db",
        "SQSLITE_CONFIG": "/etc/sqslite.toml",
        "SQSLITE_ACCOUNT_ID": "123456789012",
        "SQSLITE_SYNCHRONOUS": "FULL",
        "SQSLITE_BODY_TIMEOUT": "2.5",
        "SQSLITE_TEST_CLOCK": "true",
        "SQSLITE_LOG_LEVEL": "debug",
    }
    args = build_parser(environ).parse_args(["serve"])
    assert args.host == "0.0.0.0"
    assert args.port == 9400
    assert args.db == "/data/sqs.db"
    assert args.config == "/etc/sqslite.toml"
    assert args.account_id == "123456789012"
    assert args.synchronous == "FULL"
    assert args.body_timeout == 2.5
    assert args.test_clock is True
    assert args.log_level == "debug"

    flags = build_parser(environ).parse_args(["serve", "--port", "9500", "--host", "127.0.0.1"])
    assert flags.port == 9500
    assert flags.host == "127.0.0.1"

    defaults = build_parser({}).parse_args(["serve"])
    assert defaults.host == "127.0.0.1"
    assert defaults.port == 9324
    assert defaults.db is None
    assert defaults.test_clock is False


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SQSLITE_PORT", "abc", "invalid SQSLITE_PORT='abc': expected an integer"),
        ("SQSLITE_TEST_CLOCK", "maybe", "SQSLITE_TEST_CLOCK='maybe': expected true or false"),
        ("SQSLITE_SYNCHRONOUS", "OFF", "SQSLITE_SYNCHRONOUS='OFF': expected one of NORMAL, FULL"),
    ],
)
def test_invalid_environment_stops_serve(capsys, monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    status, _, err = run(capsys, "serve")
    assert status == 2
    assert expected in err


def test_invalid_serve_variable_leaves_client_commands(capsys, monkeypatch, endpoint):
    monkeypatch.setenv("SQSLITE_PORT", "abc")
    status, _, _ = run(capsys, "queues", "--endpoint", endpoint)
    assert status == 0
