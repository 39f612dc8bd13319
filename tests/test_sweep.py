"""The retention sweep: bounded chunks that together cover every queue."""

from __future__ import annotations

import asyncio

from sqslite.clock import Clock
from sqslite.service import RequestContext, SqsService
from sqslite.store import Store

CONTEXT = RequestContext("request", "000000000000", "http://localhost")


def make_service() -> SqsService:
    return SqsService(Store(), Clock(adjustable=True), "us-east-1")


def fill(service: SqsService, name: str, count: int) -> str:
    async def run() -> str:
        url = (
            await service.call(
                "CreateQueue",
                {"QueueName": name, "Attributes": {"MessageRetentionPeriod": "60"}},
                CONTEXT,
            )
        )["QueueUrl"]
        for start in range(0, count, 10):
            entries = [
                {"Id": str(number), "MessageBody": f"m{number}"}
                for number in range(start, min(start + 10, count))
            ]
            await service.call("SendMessageBatch", {"QueueUrl": url, "Entries": entries}, CONTEXT)
        return url

    return asyncio.run(run())


def stored_messages(service: SqsService) -> int:
    return service.store._db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]


def test_sweep_chunks_cover_every_queue():
    service = make_service()
    fill(service, "first", 45)
    fill(service, "second", 30)
    service.clock.advance(61)

    removed = [service.sweep(max_rows=20) for _ in range(10)]

    assert sum(removed) == 75
    assert max(removed) <= 20
    assert stored_messages(service) == 0


def test_sweep_keeps_messages_within_retention():
    service = make_service()
    fill(service, "young", 25)
    service.clock.advance(30)

    removed = sum(service.sweep(max_rows=10) for _ in range(10))

    assert removed == 0
    assert stored_messages(service) == 25


def test_sweep_removes_deleted_queue_messages():
    service = make_service()
    url = fill(service, "doomed", 30)
    fill(service, "kept", 5)
    asyncio.run(service.call("DeleteQueue", {"QueueUrl": url}, CONTEXT))

    removed = sum(service.sweep(max_rows=10) for _ in range(10))

    assert removed == 30
    assert stored_messages(service) == 5
