"""Dead-letter cases without a test in test_dead_letter.py: DLQ retention by queue type,
other messages in the moving receive, and move-task parameter ranges.
"""

import json

import pytest
from botocore.exceptions import ClientError

from .helpers import check_error, message_counts, queue_attributes, receive_all, receive_one

pytestmark = pytest.mark.operation("ReceiveMessage")

VISIBILITY_SECONDS = 5


def queue_arn(sqs, url: str) -> str:
    return queue_attributes(sqs, url, "QueueArn")["QueueArn"]


def make_pair(sqs, queue, fifo: bool = False, dlq_attributes=None) -> tuple[str, str, str]:
    """Create a DLQ and a source with maxReceiveCount 1; return (source, DLQ, DLQ ARN)."""
    dlq_url = queue(attributes=dlq_attributes, fifo=fifo)
    dlq_arn = queue_arn(sqs, dlq_url)
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    source_url = queue(
        attributes={"VisibilityTimeout": str(VISIBILITY_SECONDS), "RedrivePolicy": policy},
        fifo=fifo,
    )
    return source_url, dlq_url, dlq_arn


def send(sqs, url: str, body: str, fifo: bool) -> None:
    extra = {"MessageGroupId": body, "MessageDeduplicationId": body} if fifo else {}
    sqs.send_message(QueueUrl=url, MessageBody=body, **extra)


@pytest.mark.waits
@pytest.mark.parametrize(("fifo", "expected"), [(False, 0), (True, 1)], ids=["standard", "fifo"])
def test_dlq_retention_start(sqs, queue, clock, fifo, expected):
    """A standard DLQ counts retention from the original send, a FIFO DLQ from the move.

    The message waits 100 s in the source and moves at about 106 s into a DLQ with a
    120 s retention period. 20 s later it is 126 s old but moved 20 s ago. Source:
    SQS Developer Guide, "Setting-up dead-letter queue retention in Amazon SQS".
    """
    source, dlq, _ = make_pair(sqs, queue, fifo, {"MessageRetentionPeriod": "120"})
    send(sqs, source, "m", fifo)
    clock.advance(100)
    receive_one(sqs, source)
    clock.advance(VISIBILITY_SECONDS + 1)
    assert "Messages" not in sqs.receive_message(QueueUrl=source, WaitTimeSeconds=0)
    assert message_counts(sqs, dlq) == (1, 0, 0)

    clock.advance(20)
    assert message_counts(sqs, dlq)[0] == expected


@pytest.mark.waits
@pytest.mark.unverified(reason="no AWS recording of a moving receive that also returns others")
def test_moving_receive_returns_others(sqs, queue, clock):
    """The receive that moves one message to the DLQ still returns the other messages.

    Source: botocore service model (RedrivePolicy: the move happens when a receive
    would exceed maxReceiveCount), and AWS-validated LocalStack DLQ tests.
    """
    source, dlq, _ = make_pair(sqs, queue)
    send(sqs, source, "first", False)
    receive_one(sqs, source)
    clock.advance(VISIBILITY_SECONDS + 1)
    send(sqs, source, "second", False)

    response = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    assert [message["Body"] for message in response.get("Messages", [])] == ["second"]
    assert [message["Body"] for message in receive_all(sqs, dlq, 1)] == ["first"]


@pytest.mark.operation("StartMessageMoveTask")
def test_start_rate_over_limit(sqs, queue):
    """MaxNumberOfMessagesPerSecond above 500 fails with InvalidParameterValue.

    Source: botocore service model (StartMessageMoveTask MaxNumberOfMessagesPerSecond:
    at most 500). The message is not checked.
    """
    _, _, dlq_arn = make_pair(sqs, queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=501)
    check_error(excinfo.value, "InvalidParameterValue")


@pytest.mark.operation("ListMessageMoveTasks")
def test_list_tasks_max_results_over_limit(sqs, queue):
    """ListMessageMoveTasks MaxResults above 10 fails with InvalidParameterValue.

    Source: botocore service model (ListMessageMoveTasks MaxResults: at most 10).
    The message is not checked.
    """
    _, _, dlq_arn = make_pair(sqs, queue)
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=11)
    check_error(excinfo.value, "InvalidParameterValue")
