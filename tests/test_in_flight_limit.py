"""The in-flight limit: OverLimit for short polls on standard queues, fewer messages otherwise.

The limit itself is 120,000 messages (SQS Developer Guide, quotas); the
tests lower it so that they need few messages.
"""

from __future__ import annotations

import asyncio

import pytest

from sqslite.clock import Clock
from sqslite.service import RequestContext, SqsError, SqsService, limits
from sqslite.store import Store

CONTEXT = RequestContext("request", "000000000000", "http://localhost")
LIMIT = 20


@pytest.fixture
def service(monkeypatch):
    monkeypatch.setattr(limits, "MAX_IN_FLIGHT", LIMIT)
    return SqsService(Store(), Clock(adjustable=True), "us-east-1")


def call(service: SqsService, operation: str, **params) -> dict:
    return asyncio.run(service.call(operation, params, CONTEXT))


def fill_in_flight(service: SqsService, name: str, fifo: bool) -> tuple[str, list[str]]:
    """Create a queue with LIMIT messages in flight and one visible; return URL and handles."""
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = call(service, "CreateQueue", QueueName=name, Attributes=attributes)["QueueUrl"]
    for number in range(LIMIT + 1):
        # One group per message, so that no group lock stops the receives.
        extra = {"MessageGroupId": f"g{number}"} if fifo else {}
        call(service, "SendMessage", QueueUrl=url, MessageBody=f"m{number}", **extra)
    handles: list[str] = []
    while len(handles) < LIMIT:
        received = call(
            service,
            "ReceiveMessage",
            QueueUrl=url,
            MaxNumberOfMessages=min(10, LIMIT - len(handles)),
        )
        handles += [message["ReceiptHandle"] for message in received["Messages"]]
    return url, handles


def test_default_limit_is_documented_value():
    assert limits.MAX_IN_FLIGHT == 120_000


def test_standard_short_poll_over_limit(service):
    url, _ = fill_in_flight(service, "standard", fifo=False)
    with pytest.raises(SqsError) as raised:
        call(service, "ReceiveMessage", QueueUrl=url)
    assert raised.value.code == "OverLimit"
    assert raised.value.status == 403


def test_standard_long_poll_over_limit_returns_empty(service):
    url, _ = fill_in_flight(service, "standard", fifo=False)
    assert call(service, "ReceiveMessage", QueueUrl=url, WaitTimeSeconds=1) == {}


def test_fifo_over_limit_returns_empty(service):
    url, _ = fill_in_flight(service, "jobs.fifo", fifo=True)
    assert call(service, "ReceiveMessage", QueueUrl=url) == {}


def test_limit_frees_as_messages_are_deleted(service):
    url, handles = fill_in_flight(service, "standard", fifo=False)
    call(service, "DeleteMessage", QueueUrl=url, ReceiptHandle=handles[0])
    received = call(service, "ReceiveMessage", QueueUrl=url)
    assert [message["Body"] for message in received["Messages"]] == [f"m{LIMIT}"]
