"""Unit tests of the SQLite store: message states, receives and persistence."""

from __future__ import annotations

import pytest

from sqslite.store import NewMessage, Store

RETENTION_MS = 345_600_000


def new_message(number: int, sent_at: int, delay_ms: int = 0) -> NewMessage:
    return NewMessage(
        message_id=f"id-{number}",
        body=f"body {number}",
        md5_body="0" * 32,
        attributes=None,
        system_attributes=None,
        sender_id="000000000000",
        sent_at=sent_at,
        visible_at=sent_at + delay_ms,
    )


@pytest.fixture
def store():
    store = Store()
    yield store
    store.close()


@pytest.fixture
def queue(store):
    return store.create_queue(
        "000000000000", "jobs", False, {"MessageRetentionPeriod": "345600"}, {}, 1_000
    )


def test_counts_visible_in_flight_delayed(store, queue):
    store.add_messages(
        queue,
        [new_message(1, 1_000), new_message(2, 1_000), new_message(3, 1_000, delay_ms=5_000)],
    )
    store.receive_messages(queue, 1, 30_000, 2_000, RETENTION_MS)
    counts = store.count_messages(queue, 2_000, RETENTION_MS)
    assert counts.visible == 1
    assert counts.in_flight == 1
    assert counts.delayed == 1


def test_receive_takes_oldest_and_hides_them(store, queue):
    store.add_messages(queue, [new_message(number, 1_000 + number) for number in range(5)])
    first = store.receive_messages(queue, 3, 30_000, 2_000, RETENTION_MS)
    second = store.receive_messages(queue, 10, 30_000, 2_000, RETENTION_MS)
    assert [message.message_id for message in first] == ["id-0", "id-1", "id-2"]
    assert [message.message_id for message in second] == ["id-3", "id-4"]
    assert store.receive_messages(queue, 10, 30_000, 2_000, RETENTION_MS) == []


def test_receive_sets_count_token_and_timestamps(store, queue):
    store.add_messages(queue, [new_message(1, 1_000)])
    first = store.receive_messages(queue, 1, 10_000, 2_000, RETENTION_MS)[0]
    second = store.receive_messages(queue, 1, 10_000, 12_000, RETENTION_MS)[0]
    assert first.receive_count == 1
    assert second.receive_count == 2
    assert first.first_received_at == 2_000
    assert second.first_received_at == 2_000
    assert second.received_at == 12_000
    assert second.visible_at == 22_000
    assert first.receipt_token != second.receipt_token


def test_receive_skips_expired_messages(store, queue):
    store.update_queue_attributes(queue, {"MessageRetentionPeriod": "60"}, 1_000)
    store.add_messages(queue, [new_message(1, 1_000), new_message(2, 50_000)])
    received = store.receive_messages(queue, 10, 30_000, 62_000, retention_ms=60_000)
    assert [message.message_id for message in received] == ["id-2"]
    assert store.delete_expired(62_000, after_id=0, max_rows=100) == (1, 2, None)


def test_next_visible_at_is_earliest_hidden(store, queue):
    store.add_messages(
        queue, [new_message(1, 1_000, delay_ms=9_000), new_message(2, 1_000, delay_ms=4_000)]
    )
    assert store.next_visible_at(queue, 1_000) == 5_000
    assert store.next_visible_at(queue, 20_000) is None


def test_purge_and_delete_queue(store, queue):
    store.add_messages(queue, [new_message(1, 1_000), new_message(2, 1_000)])
    assert store.purge_queue(queue, 2_000) == 2
    assert queue.purged_at == 2_000
    store.delete_queue(queue, 3_000)
    assert store.get_queue("000000000000", "jobs") is None
    assert store.deleted_at("000000000000", "jobs") == 3_000


def test_file_database_survives_reopen(tmp_path):
    path = str(tmp_path / "sqs.db")
    store = Store(path)
    queue = store.create_queue("000000000000", "kept", False, {"VisibilityTimeout": "5"}, {"a": "b"}, 1)
    store.add_messages(queue, [new_message(1, 1_000)])
    store.receive_messages(queue, 1, 30_000, 2_000, RETENTION_MS)
    store.close()

    reopened = Store(path)
    try:
        queue = reopened.get_queue("000000000000", "kept")
        assert queue.attributes == {"VisibilityTimeout": "5"}
        assert queue.tags == {"a": "b"}
        counts = reopened.count_messages(queue, 2_000, RETENTION_MS)
        assert counts.in_flight == 1
        assert reopened.integrity_check() == "ok"
    finally:
        reopened.close()


def fifo_message(number: int, group: str, sent_at: int) -> NewMessage:
    message = new_message(number, sent_at)
    message.group_id = group
    message.dedup_id = f"dedup-{number}"
    return message


@pytest.mark.parametrize("groups", [3, 100], ids=["group-by-group", "send-order-walk"])
def test_fifo_receive_respects_group_locks(store, groups):
    """Both FIFO read strategies deliver groups in order and skip locked ones."""
    queue = store.create_queue(
        "000000000000", "jobs.fifo", True, {"MessageRetentionPeriod": "345600"}, {}, 1_000
    )
    messages = [
        fifo_message(number, f"g{number % groups}", 1_000 + number)
        for number in range(groups * 3)
    ]
    store.add_messages(queue, messages)

    first = store.receive_fifo_messages(queue, 2, 30_000, 2_000, RETENTION_MS)
    if groups == 3:
        # Group by group, the oldest group goes first and as far as it goes.
        assert [message.message_id for message in first] == ["id-0", f"id-{groups}"]
    else:
        # In send order, the walk stops at the first two deliverable messages.
        assert [message.message_id for message in first] == ["id-0", "id-1"]

    second = store.receive_fifo_messages(queue, 10, 30_000, 2_000, RETENTION_MS)
    second_groups = {message.group_id for message in second}
    assert "g0" not in second_groups  # locked by the two messages in flight
    taken = first + second
    for group in {message.group_id for message in taken}:
        numbers = [int(m.message_id[3:]) for m in taken if m.group_id == group]
        assert numbers == sorted(numbers)

    # Once the first receive's messages are visible again, g0 starts from its head.
    later = store.receive_fifo_messages(queue, 10, 30_000, 40_000, RETENTION_MS)
    assert later[0].message_id == "id-0"
