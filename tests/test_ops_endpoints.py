"""Tests of the endpoints outside the SQS API: health, metrics, reset and the message view."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sqslite import Server
from sqslite.app import Settings, create_app
from sqslite.config import parse_config

from .serving import sqs_client as client


@pytest.fixture(scope="module")
def server():
    with Server() as running:
        yield running


@pytest.fixture
def sqs(server):
    server.reset()
    return client(server.endpoint_url)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Map (sample name, sorted labels) to value for every sample of a metrics page."""
    values = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def health(application) -> tuple[int, str]:
    response = asyncio.run(application.health(None))
    return response.status_code, json.loads(response.body)["status"]


def test_health_is_503_until_config_queues_exist():
    config = parse_config({"queues": [{"name": "ready-check"}]}, "inline.toml")
    # No lifespan has run, so nothing has created the queues yet.
    application = create_app(Settings(config=config))
    assert health(application) == (503, "starting")

    asyncio.run(application.prepare())
    assert health(application) == (200, "ok")
    assert application.store.get_queue("000000000000", "ready-check") is not None

    application.begin_shutdown()
    assert health(application) == (503, "stopping")
    application.close()


def test_metrics_count_requests_and_messages(server, sqs):
    queue_url = sqs.create_queue(QueueName="metered")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="visible")
    sqs.send_message(QueueUrl=queue_url, MessageBody="delayed", DelaySeconds=600)
    sqs.send_message(QueueUrl=queue_url, MessageBody="in flight")
    sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=600)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="missing")
    httpx.post(server.endpoint_url, headers={"X-Amz-Target": "AmazonSQS.NoSuchThing"})

    waiting = sqs.create_queue(QueueName="empty")["QueueUrl"]
    poller = threading.Thread(
        target=lambda: client(server.endpoint_url).receive_message(
            QueueUrl=waiting, WaitTimeSeconds=1
        )
    )
    poller.start()
    deadline = time.monotonic() + 5
    while server.application.service.waiters.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    response = httpx.get(f"{server.endpoint_url}/metrics")
    poller.join(timeout=10)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    values = samples(response.text)
    queue = (("account", "000000000000"), ("queue", "metered"))
    assert values[("sqslite_queue_messages_visible", queue)] == 1
    assert values[("sqslite_queue_messages_in_flight", queue)] == 1
    assert values[("sqslite_queue_messages_delayed", queue)] == 1
    assert values[("sqslite_long_polls_waiting", ())] == 1
    send = (("operation", "SendMessage"), ("outcome", "success"))
    assert values[("sqslite_requests_total", send)] == 3
    missing = (("operation", "GetQueueUrl"), ("outcome", "client_error"))
    assert values[("sqslite_requests_total", missing)] == 1
    unknown = (("operation", "unknown"), ("outcome", "client_error"))
    assert values[("sqslite_requests_total", unknown)] == 1
    send_count = ("sqslite_request_duration_seconds_count", (("operation", "SendMessage"),))
    assert values[send_count] == 3
    send_inf = (
        "sqslite_request_duration_seconds_bucket",
        (("le", "+Inf"), ("operation", "SendMessage")),
    )
    assert values[send_inf] == 3


def test_peek_changes_no_message(server, sqs):
    queue_url = sqs.create_queue(QueueName="peeked")["QueueUrl"]
    sqs.send_message(
        QueueUrl=queue_url,
        MessageBody="first",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}},
    )
    sqs.send_message(QueueUrl=queue_url, MessageBody="second")
    sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1, VisibilityTimeout=600)

    for _ in range(2):
        view = httpx.get(f"{server.endpoint_url}/_sqslite/queues/peeked/messages").json()
        bodies = [message["body"] for message in view["messages"]]
        states = [message["state"] for message in view["messages"]]
        counts = [message["receive_count"] for message in view["messages"]]
        assert bodies == ["first", "second"]
        assert states == ["in_flight", "visible"]
        assert counts == [1, 0]
    assert view["messages"][0]["attributes"] == {
        "kind": {"DataType": "String", "StringValue": "test"}
    }

    received = sqs.receive_message(
        QueueUrl=queue_url, MessageSystemAttributeNames=["ApproximateReceiveCount"]
    )["Messages"]
    assert [message["Body"] for message in received] == ["second"]
    assert received[0]["Attributes"]["ApproximateReceiveCount"] == "1"


def test_peek_other_account_and_errors(server, sqs):
    other = client(server.endpoint_url, access_key="111111111111")
    queue_url = other.create_queue(QueueName="theirs")["QueueUrl"]
    other.send_message(QueueUrl=queue_url, MessageBody="hello")
    base = f"{server.endpoint_url}/_sqslite/queues/theirs/messages"

    view = httpx.get(base, params={"account": "111111111111"})
    assert view.status_code == 200
    assert [message["body"] for message in view.json()["messages"]] == ["hello"]
    assert httpx.get(base).status_code == 404
    limited = httpx.get(base, params={"account": "111111111111", "limit": "0"})
    assert limited.status_code == 400
    assert "limit" in limited.json()["message"]


def test_reset_deletes_queues_and_skips_60_second_rules(server, sqs):
    queue_url = sqs.create_queue(QueueName="reused")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="gone after reset")
    sqs.purge_queue(QueueUrl=queue_url)
    sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(sqs.exceptions.QueueDeletedRecently):
        sqs.create_queue(QueueName="reused")
    sqs.create_queue(QueueName="other")

    reply = httpx.post(f"{server.endpoint_url}/_sqslite/reset")
    assert reply.status_code == 200
    assert reply.json() == {"deleted_queues": 1, "queues": 0}
    assert "QueueUrls" not in sqs.list_queues()

    queue_url = sqs.create_queue(QueueName="reused")["QueueUrl"]
    sqs.purge_queue(QueueUrl=queue_url)
    sqs.send_message(QueueUrl=queue_url, MessageBody="fresh")
    assert sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"] == "fresh"


def test_reset_creates_config_queues_again(tmp_path):
    config = tmp_path / "queues.toml"
    config.write_text('[[queues]]\nname = "configured"\n')
    with Server(config=config) as server:
        sqs = client(server.endpoint_url)
        sqs.create_queue(QueueName="extra")
        server.reset()
        urls = sqs.list_queues()["QueueUrls"]
    assert [url.rpartition("/")[2] for url in urls] == ["configured"]


def test_metrics_count_rejected_requests():
    """A request turned away before decoding (413 here) counts under the unknown operation."""
    application = create_app(Settings(max_request_bytes=100))

    async def exchange() -> tuple[int, str]:
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            rejected = await http.post(
                "/",
                content=b"{" + b" " * 200 + b"}",
                headers={"X-Amz-Target": "AmazonSQS.ListQueues"},
            )
            page = await http.get("/metrics")
        return rejected.status_code, page.text

    status, text = asyncio.run(exchange())
    assert status == 413
    values = samples(text)
    unknown = (("operation", "unknown"), ("outcome", "client_error"))
    assert values[("sqslite_requests_total", unknown)] == 1
