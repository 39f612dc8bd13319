"""Fair queues: standard queues whose messages carry a MessageGroupId (launched 2025-07-21)."""

import pytest
from botocore.exceptions import ClientError

from .helpers import check_error, message_counts, receive_all, receive_one

pytestmark = pytest.mark.operation("SendMessage")

NOISY_IN_FLIGHT = 100
NOISY_WAITING = 1000
LONG_VISIBILITY_SECONDS = 3600


def send_group_batches(sqs, url, group, count, prefix):
    """Send ``count`` messages of one group in batches of 10, with bodies ``<prefix>-<n>``."""
    for start in range(0, count, 10):
        entries = [
            {"Id": f"e{index}", "MessageBody": f"{prefix}-{index}", "MessageGroupId": group}
            for index in range(start, min(start + 10, count))
        ]
        response = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert len(response["Successful"]) == len(entries)


def test_send_with_group(sqs, queue):
    """A standard queue accepts MessageGroupId, and the send returns no SequenceNumber.

    Source: AWS-recorded LocalStack snapshot test_fair_queue_with_message_group_id;
    SQS Developer Guide: "Amazon SQS fair queues".
    """
    response = sqs.send_message(QueueUrl=queue(), MessageBody="m", MessageGroupId="tenant-1")
    assert response["MessageId"] != ""
    assert "SequenceNumber" not in response


@pytest.mark.operation("SendMessageBatch")
def test_batch_with_group(sqs, queue):
    """SendMessageBatch on a standard queue accepts MessageGroupId, without SequenceNumber.

    Source: botocore service model (SendMessageBatchRequestEntry MessageGroupId on
    standard queues); AWS-recorded LocalStack snapshot test_fair_queue_with_message_group_id.
    """
    url = queue()
    entries = [
        {"Id": "a", "MessageBody": "a", "MessageGroupId": "tenant-1"},
        {"Id": "b", "MessageBody": "b", "MessageGroupId": "tenant-2"},
    ]
    response = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert len(response["Successful"]) == 2
    for entry in response["Successful"]:
        assert "SequenceNumber" not in entry


@pytest.mark.operation("ReceiveMessage")
def test_receive_all_attributes(sqs, queue):
    """A receive with All returns MessageGroupId and no MessageDeduplicationId or SequenceNumber.

    Source: AWS-recorded LocalStack snapshot test_fair_queue_with_message_group_id.
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="tenant-1")
    attributes = receive_one(sqs, url, AttributeNames=["All"])["Attributes"]
    assert attributes["MessageGroupId"] == "tenant-1"
    assert "MessageDeduplicationId" not in attributes
    assert "SequenceNumber" not in attributes


@pytest.mark.operation("ReceiveMessage")
def test_receive_group_attribute(sqs, queue):
    """AttributeNames=[MessageGroupId] returns only MessageGroupId.

    Source: AWS-recorded LocalStack snapshot test_fair_queue_with_message_group_id.
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId="tenant-1")
    message = receive_one(sqs, url, AttributeNames=["MessageGroupId"])
    assert message["Attributes"] == {"MessageGroupId": "tenant-1"}


def test_group_of_128_chars(sqs, queue):
    """A MessageGroupId of 128 characters is accepted on a standard queue.

    Source: AWS-recorded LocalStack snapshots for fair queues (same 1-128 rule as FIFO).
    """
    url = queue()
    group = "t" * 128
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageGroupId=group)
    attributes = receive_one(sqs, url, AttributeNames=["MessageGroupId"])["Attributes"]
    assert attributes["MessageGroupId"] == group


@pytest.mark.parametrize("value", ["", "t" * 129], ids=["empty", "129-chars"])
def test_invalid_group(sqs, queue, value):
    """An empty or 129-character MessageGroupId fails with InvalidParameterValue, message exact.

    Source: AWS-recorded LocalStack snapshots for fair queues (recorded 2025-07-30).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue(), MessageBody="m", MessageGroupId=value)
    check_error(
        excinfo.value,
        "InvalidParameterValue",
        f"Value {value} for parameter MessageGroupId is invalid. Reason: MessageGroupId can "
        "only include alphanumeric and punctuation characters. 1 to 128 in length.",
    )


@pytest.mark.operation("ReceiveMessage")
def test_group_not_locked(sqs, queue):
    """Two messages of one group can be in flight together: no group lock.

    Source: botocore service model (MessageGroupId on standard queues: messages of a
    group can be processed in parallel).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="tenant-1")
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="tenant-1")
    first = receive_one(sqs, url, MaxNumberOfMessages=1)
    second = receive_one(sqs, url, MaxNumberOfMessages=1)
    assert {first["Body"], second["Body"]} == {"a", "b"}
    assert message_counts(sqs, url) == (0, 2, 0)


def test_same_body_not_deduplicated(sqs, queue):
    """Standard queues do not deduplicate: equal bodies in one group are both stored.

    Source: botocore service model (deduplication applies only to FIFO queues).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="tenant-1")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="tenant-1")
    assert message_counts(sqs, url) == (2, 0, 0)


@pytest.mark.unverified(
    reason="AWS documents quiet-tenant priority but no recording shows it on the next receive"
)
@pytest.mark.operation("ReceiveMessage")
def test_quiet_group_served_first(sqs, queue):
    """A quiet group's message jumps a noisy group's backlog.

    The noisy group has 100 in-flight messages (all of the queue's) and 1,000 waiting,
    then one quiet message is sent last. The next receive with MaxNumberOfMessages=1
    returns the quiet message. Source: SQS Developer Guide: "How Amazon SQS fair queues
    work" (a tenant with over 10 % and at least 30 of the in-flight messages is noisy,
    and quiet tenants' messages are delivered first).
    """
    url = queue(attributes={"VisibilityTimeout": str(LONG_VISIBILITY_SECONDS)})
    send_group_batches(sqs, url, "noisy", NOISY_IN_FLIGHT, "in-flight")
    in_flight = receive_all(sqs, url, NOISY_IN_FLIGHT, deadline_seconds=20.0)
    assert len(in_flight) == NOISY_IN_FLIGHT

    send_group_batches(sqs, url, "noisy", NOISY_WAITING, "waiting")
    sqs.send_message(QueueUrl=url, MessageBody="quiet", MessageGroupId="quiet")

    message = receive_one(sqs, url, MaxNumberOfMessages=1, AttributeNames=["MessageGroupId"])
    assert message["Body"] == "quiet"
    assert message["Attributes"]["MessageGroupId"] == "quiet"
