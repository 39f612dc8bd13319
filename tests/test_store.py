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
    store.add_messages(queue, [new_message(1, 1_000), new_message(2, 50_000)])
    received = store.receive_messages(queue, 10, 30_000, 62_000, retention_ms=60_000)
    assert [message.message_id for message in received] == ["id-2"]
    assert store.delete_expired(queue, 62_000, retention_ms=60_000, fifo_window_ms=300_000) == 1


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
