"""End-to-end runs of real SQS clients against sqslite: the AWS CLI and Celery.

Both run in CI, where the test extra installs awscli and celery[sqs].
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest

from sqslite import Server

CLIENT_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def server():
    with Server() as running:
        yield running


def aws(server: Server, tmp_path, *args: str) -> dict:
    """Run `aws sqs ...` against the server and return its JSON output."""
    executable = shutil.which("aws")
    if executable is None:
        pytest.fail("the AWS CLI is missing: pip install awscli (part of the test extra)")
    environment = {
        **os.environ,
        **CLIENT_ENVIRONMENT,
        # Keep the user's own profiles and settings out of the run.
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
    }
    finished = subprocess.run(
        [executable, "sqs", *args, "--endpoint-url", server.endpoint_url, "--output", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout) if finished.stdout.strip() else {}


def test_aws_cli_round_trip(server, tmp_path):
    server.reset()
    queue_url = aws(server, tmp_path, "create-queue", "--queue-name", "cli-jobs")["QueueUrl"]
    assert queue_url.endswith("/000000000000/cli-jobs")

    sent = aws(
        server,
        tmp_path,
        "send-message",
        "--queue-url",
        queue_url,
        "--message-body",
        "from the cli",
        "--message-attributes",
        '{"kind": {"DataType": "String", "StringValue": "check"}}',
    )
    received = aws(
        server,
        tmp_path,
        "receive-message",
        "--queue-url",
        queue_url,
        "--message-attribute-names",
        "All",
        "--wait-time-seconds",
        "1",
    )["Messages"]
    assert [message["MessageId"] for message in received] == [sent["MessageId"]]
    assert received[0]["Body"] == "from the cli"
    assert received[0]["MessageAttributes"]["kind"]["StringValue"] == "check"

    aws(
        server,
        tmp_path,
        "delete-message",
        "--queue-url",
        queue_url,
        "--receipt-handle",
        received[0]["ReceiptHandle"],
    )
    attributes = aws(
        server,
        tmp_path,
        "get-queue-attributes",
        "--queue-url",
        queue_url,
        "--attribute-names",
        "All",
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


CELERY_WORKER = """
import sys

from celery import Celery
from celery.contrib.testing.worker import start_worker

port, output_path = sys.argv[1], sys.argv[2]
app = Celery("sqslite_check", broker=f"sqs://test:test@127.0.0.1:{port}", backend="cache+memory://")
app.conf.broker_transport_options = {
    "region": "us-east-1",
    "is_secure": False,
    "polling_interval": 0.1,
    "wait_time_seconds": 1,
}
app.conf.task_default_queue = "celery-check"


@app.task
def add(x, y):
    return x + y


@app.task
def record(text):
    with open(output_path, "a") as output:
        output.write(text + "\\n")
    return len(text)


with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
    results = [add.delay(2, 3), record.delay("first"), record.delay("second")]
    print([result.get(timeout=30) for result in results])
"""


def test_celery_sqs_broker_runs_tasks(server, tmp_path):
    """A Celery worker takes tasks from sqslite through kombu's SQS transport.

    It runs in a child process, so that Celery's global state stays out of
    this one. The memory result backend works because the sender and the
    worker share that process.
    """
    server.reset()
    script = tmp_path / "celery_worker.py"
    script.write_text(CELERY_WORKER)
    output = tmp_path / "recorded.txt"
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, str(script), str(server.port), str(output)],
        capture_output=True,
        text=True,
        env={**os.environ, **CLIENT_ENVIRONMENT},
        timeout=90,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert finished.stdout.strip().splitlines()[-1] == "[5, 5, 6]"
    assert sorted(output.read_text().splitlines()) == ["first", "second"]
    assert time.monotonic() - started < 60

    # kombu created its queue on sqslite and deleted every message it processed.
    view = httpx.get(f"{server.endpoint_url}/_sqslite/queues/celery-check/messages", timeout=10)
    assert view.status_code == 200
    assert view.json()["messages"] == []
