"""Tests of sqslite.Server, the server in a background thread of the test process."""

from __future__ import annotations

import sqlite3
import threading
import time
import urllib.error
import urllib.request

import pytest

from sqslite import Server
from sqslite.client import ClientError

from .serving import sqs_client as client


def test_server_answers_once_started():
    # Start-up time is measured by the benchmarks (bench/, scenario startup).
    with Server() as server:
        with urllib.request.urlopen(f"{server.endpoint_url}/_sqslite/health", timeout=5) as reply:
            status = reply.status
    assert status == 200
    assert server.endpoint_url.startswith("http://127.0.0.1:")


def test_server_stop_ends_long_poll_and_closes_db(tmp_path):
    database = tmp_path / "sqs.db"
    result = {}
    with Server(db_path=database) as server:
        sqs = client(server.endpoint_url)
        queue_url = sqs.create_queue(QueueName="waiting")["QueueUrl"]

        def long_poll():
            started = time.monotonic()
            response = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=20)
            result["messages"] = response.get("Messages")
            result["seconds"] = time.monotonic() - started

        thread = threading.Thread(target=long_poll)
        thread.start()
        time.sleep(0.3)
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert result["messages"] is None
    assert result["seconds"] < 5
    assert server.application.closed
    with sqlite3.connect(database) as db:
        names = [row[0] for row in db.execute("SELECT name FROM queues")]
    assert names == ["waiting"]


def test_server_options_reach_queue_arn():
    with Server(region="eu-west-1", account_id="123456789012") as server:
        sqs = client(server.endpoint_url)
        queue_url = sqs.create_queue(QueueName="regional")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
    assert arn == "arn:aws:sqs:eu-west-1:123456789012:regional"
    assert "/123456789012/regional" in queue_url


def test_server_clock_and_reset():
    with Server() as server:
        sqs = client(server.endpoint_url)
        queue_url = sqs.create_queue(QueueName="delayed")["QueueUrl"]
        sqs.send_message(QueueUrl=queue_url, MessageBody="later", DelaySeconds=60)
        assert "Messages" not in sqs.receive_message(QueueUrl=queue_url)
        server.advance_clock(61)
        assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "later"

        sqs.delete_queue(QueueUrl=queue_url)
        server.reset()
        # Without the reset, SQS rejects the name for 60 seconds after DeleteQueue.
        sqs.create_queue(QueueName="delayed")
        assert sqs.list_queues()["QueueUrls"] == [queue_url]


def test_server_restarts_after_stop():
    server = Server()
    with pytest.raises(RuntimeError, match="has not started"):
        server.endpoint_url
    server.start()
    first_url = server.endpoint_url
    server.stop()
    server.stop()
    with Server(port=server.port) as again:
        assert again.endpoint_url == first_url


def test_server_takes_limit_options():
    with Server(max_request_bytes=100) as server:
        request = urllib.request.Request(
            server.endpoint_url,
            data=b"{" + b" " * 200 + b"}",
            headers={"X-Amz-Target": "AmazonSQS.ListQueues"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 413


def test_advance_clock_without_test_clock_explains():
    with Server(test_clock=False) as server:
        with pytest.raises(ClientError) as raised:
            server.advance_clock(1)
    assert raised.value.code == "HTTP404"
    assert "--test-clock" in raised.value.message
