"""FIFO cases without a test in test_fifo.py: a DeduplicationScope changed after creation."""

import pytest

from .helpers import message_counts, targets_sqslite  # noqa: F401  (used by xfail conditions)

pytestmark = pytest.mark.operation("SendMessage")


@pytest.mark.unverified(reason="one AWS recording (2025-08-19); whether it lasts is unknown")
@pytest.mark.xfail(
    condition="targets_sqslite(config)",
    reason="known difference: sqslite applies a DeduplicationScope change at once",
    strict=True,
)
@pytest.mark.parametrize(
    ("created", "changed", "stored"),
    [("queue", "messageGroup", 1), ("messageGroup", "queue", 2)],
    ids=["to-group", "to-queue"],
)
@pytest.mark.operation("SendMessage", "SetQueueAttributes")
def test_dedup_scope_change_keeps_created_scope(sqs, queue, created, changed, stored):
    """After DeduplicationScope changes, deduplication keeps the scope the queue was created with.

    One dedup id is sent in two groups. Under scope queue the second send is a
    duplicate, under messageGroup it is new. Source: AWS-recorded LocalStack snapshots
    test_fifo_change_to_high_throughput_after_creation and
    test_fifo_change_to_regular_throughput_after_creation.
    """
    url = queue(fifo=True, attributes={"DeduplicationScope": created})
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": changed})
    for group in ("g1", "g2"):
        sqs.send_message(
            QueueUrl=url, MessageBody=group, MessageGroupId=group, MessageDeduplicationId="d1"
        )
    assert message_counts(sqs, url)[0] == stored
