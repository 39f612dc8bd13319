"""End-to-end tests of `sqslite serve`: start line, stopping, and --db restarts."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from .serving import ServerProcess
from .serving import sqs_client as client

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")




def approximate_counts(sqs, queue_url: str) -> tuple[str, str, str]:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    return (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
        attributes["ApproximateNumberOfMessagesDelayed"],
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_exits_zero(sig):
    server = ServerProcess()
    status, output = server.stop(sig)
    assert status == 0, output
    assert "listening on http://127.0.0.1:" in output
    assert "database in memory" in output
    assert "database closed" in output


def test_stop_ends_open_long_poll():
    server = ServerProcess()
    sqs = client(server.url)
    queue_url = sqs.create_queue(QueueName="waiting")["QueueUrl"]
    result = {}

    def long_poll():
        started = time.monotonic()
        response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
        result["messages"] = response.get("Messages")
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=long_poll)
    thread.start()
    time.sleep(0.5)
    status, output = server.stop()
    thread.join(timeout=10)
    assert status == 0, output
    assert result["messages"] is None
    assert result["seconds"] < 5


def test_db_keeps_queues_and_messages(tmp_path):
    database = tmp_path / "sqs.db"
    server = ServerProcess("--db", str(database), "--test-clock")
    sqs = client(server.url)
    queue_url = sqs.create_queue(
        QueueName="durable",
        Attributes={"VisibilityTimeout": "60", "DelaySeconds": "0"},
        tags={"team": "core"},
    )["QueueUrl"]
    for index in range(3):
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=f"message {index}",
            MessageAttributes={"n": {"DataType": "Number", "StringValue": str(index)}},
        )
    in_flight = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])[
        "Messages"
    ][0]
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=600)
    status, output = server.stop()
    assert status == 0, output
    assert f"database {database}" in output

    server = ServerProcess("--db", str(database), "--test-clock")
    try:
        sqs = client(server.url)
        queue_url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        assert queue_url == f"{server.url}/000000000000/durable"
        assert sqs.list_queue_tags(QueueUrl=queue_url)["Tags"] == {"team": "core"}
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]
        assert attributes["VisibilityTimeout"] == "60"
        assert approximate_counts(sqs, queue_url) == ("2", "1", "1")

        # The in-flight message comes back once its visibility timeout runs out,
        # with its receive count kept.
        server.advance_clock(61)
        received = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
            MessageAttributeNames=["All"],
        )["Messages"]
        by_id = {message["MessageId"]: message for message in received}
        assert len(received) == 3
        again = by_id[in_flight["MessageId"]]
        assert again["Attributes"]["ApproximateReceiveCount"] == "2"
        assert again["Body"] == in_flight["Body"]
        assert again["MD5OfMessageAttributes"] == in_flight["MD5OfMessageAttributes"]
        assert again["ReceiptHandle"] != in_flight["ReceiptHandle"]
    finally:
        status, output = server.stop()
    assert status == 0, output


def test_deleted_message_stays_deleted_after_restart(tmp_path):
    database = tmp_path / "sqs.db"
    server = ServerProcess("--db", str(database))
    sqs = client(server.url)
    queue_url = sqs.create_queue(QueueName="deletes")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="gone")
    sqs.send_message(QueueUrl=queue_url, MessageBody="kept")
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    gone = next(message for message in received if message["Body"] == "gone")
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=gone["ReceiptHandle"])
    server.stop()

    server = ServerProcess("--db", str(database))
    try:
        sqs = client(server.url)
        queue_url = sqs.get_queue_url(QueueName="deletes")["QueueUrl"]
        assert approximate_counts(sqs, queue_url) == ("0", "1", "0")
    finally:
        server.stop()
