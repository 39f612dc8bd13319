"""ReceiveMessage: parameter ranges, system attributes, attribute filters, long polling."""

import threading
import time

import pytest
from botocore.exceptions import ClientError

from .helpers import (
    NON_EXISTENT_QUEUE,
    check_error,
    md5_hex,
    queue_missing_message,
    receive_all,
    receive_none,
    receive_one,
)

pytestmark = pytest.mark.operation("ReceiveMessage")

STANDARD_SYSTEM_ATTRIBUTES = {
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "SenderId",
    "SentTimestamp",
}

FILTER_MESSAGE_ATTRIBUTES = {
    "Help.Me": {"DataType": "String", "StringValue": "Me"},
    "Hello": {"DataType": "String", "StringValue": "There"},
    "General": {"DataType": "String", "StringValue": "Kenobi"},
}

# (MessageAttributeNames, names returned, MD5OfMessageAttributes), recorded against AWS.
FILTER_CASES = [
    ([], set(), None),
    (["All"], {"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5"),
    ([".*"], {"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5"),
    (["*"], {"Help.Me", "Hello", "General"}, "4c360f3fdafd970e05fae2f149d997f5"),
    (["Hello", "General"], {"Hello", "General"}, "fca026605781cb4126a1e9044df24232"),
    (["Hello"], {"Hello"}, "a311262e065454b75da111d535b8dacd"),
    (["Foo", "Help"], set(), None),
    (["Hel.*"], {"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
    (["hello"], set(), None),
    (["AWS."], set(), None),
    (["..foo"], set(), None),
]
FILTER_IDS = ["omitted", "All", "dot-star", "star", "two-names", "one-name", "no-match",
              "Hel-prefix", "wrong-case", "AWS-dot", "dot-dot-foo"]


# ---------------------------------------------------------------------------
# Parameter ranges


@pytest.mark.parametrize("count", [0, 11], ids=["0", "11"])
def test_max_number_out_of_range(sqs, queue, count):
    """MaxNumberOfMessages outside 1-10 fails with InvalidParameterValue, message exact.

    Source: AWS-recorded LocalStack SQS snapshots (MaxNumberOfMessages).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue(), MaxNumberOfMessages=count)
    check_error(
        excinfo.value,
        "InvalidParameterValue",
        f"Value {count} for parameter MaxNumberOfMessages is invalid. "
        "Reason: Must be between 1 and 10, if provided.",
    )


@pytest.mark.parametrize("wait", [-1, 21], ids=["negative", "21"])
def test_wait_time_out_of_range(sqs, queue, wait):
    """WaitTimeSeconds outside 0-20 fails with InvalidParameterValue, message exact.

    Source: AWS-recorded LocalStack SQS snapshots (WaitTimeSeconds).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue(), WaitTimeSeconds=wait)
    check_error(
        excinfo.value,
        "InvalidParameterValue",
        f"Value {wait} for parameter WaitTimeSeconds is invalid. "
        "Reason: Must be >= 0 and <= 20, if provided.",
    )


@pytest.mark.parametrize("timeout", [-1, 43201], ids=["negative", "43201"])
def test_receive_visibility_out_of_range(sqs, queue, timeout):
    """A receive VisibilityTimeout outside 0-43200 fails with InvalidParameterValue.

    Source: botocore service model (ReceiveMessage VisibilityTimeout). The message
    text is not confirmed, so only the code is checked.
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.receive_message(QueueUrl=queue(), VisibilityTimeout=timeout)
    check_error(excinfo.value, "InvalidParameterValue")


def test_receive_missing_queue(sqs, queue):
    """ReceiveMessage on a missing queue fails with QueueDoesNotExist.

    Source: AWS-recorded LocalStack snapshot test_non_existent_queue.
    """
    url = queue.missing_url()
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.receive_message(QueueUrl=url)
    check_error(excinfo.value, NON_EXISTENT_QUEUE, queue_missing_message(sqs))


# ---------------------------------------------------------------------------
# Basic delivery


def test_receive_empty_queue(sqs, queue):
    """A receive on an empty queue returns no Messages member.

    Source: AWS-validated LocalStack SQS tests (empty receive).
    """
    response = receive_none(sqs, queue())
    assert "Messages" not in response


def test_receive_message_fields(sqs, queue):
    """A received message carries MessageId, ReceiptHandle, MD5OfBody and Body.

    Source: botocore service model (Message shape).
    """
    url = queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello")
    message = receive_one(sqs, url)
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "hello"
    assert message["MD5OfBody"] == md5_hex(b"hello")
    assert 0 < len(message["ReceiptHandle"]) <= 1024
    assert "MessageAttributes" not in message
    assert "MD5OfMessageAttributes" not in message


def test_receive_up_to_max(sqs, queue):
    """MaxNumberOfMessages caps one receive, and all messages arrive over several receives.

    Source: botocore service model (ReceiveMessage MaxNumberOfMessages).
    """
    url = queue()
    for index in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{index}")

    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, WaitTimeSeconds=1)
    assert 1 <= len(first["Messages"]) <= 2

    rest = receive_all(sqs, url, 5 - len(first["Messages"]))
    bodies = {message["Body"] for message in first["Messages"] + rest}
    assert bodies == {f"m{index}" for index in range(5)}


def test_receive_default_is_one(sqs, queue):
    """Without MaxNumberOfMessages a receive returns at most one message.

    Source: botocore service model (MaxNumberOfMessages default 1).
    """
    url = queue()
    for index in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{index}")
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert len(response["Messages"]) == 1


def test_receive_new_handle_each_time(sqs, queue):
    """Each delivery mints a new receipt handle and increments ApproximateReceiveCount.

    Source: AWS-validated LocalStack SQS tests (receipt handles and receive count).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    names = ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]
    first = receive_one(sqs, url, VisibilityTimeout=0, AttributeNames=names)
    second = receive_one(sqs, url, VisibilityTimeout=0, AttributeNames=names)

    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    assert first["Attributes"]["ApproximateReceiveCount"] == "1"
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"
    assert (
        first["Attributes"]["ApproximateFirstReceiveTimestamp"]
        == second["Attributes"]["ApproximateFirstReceiveTimestamp"]
    )


# ---------------------------------------------------------------------------
# System attributes


def test_system_attributes_all(sqs, queue):
    """AttributeNames=[All] on a standard message returns exactly four system attributes.

    Source: AWS-recorded LocalStack SQS snapshots (standard queue, All).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = receive_one(sqs, url, AttributeNames=["All"])
    assert set(message["Attributes"]) == STANDARD_SYSTEM_ATTRIBUTES


@pytest.mark.unverified(
    reason="the query protocol has no published name for MessageSystemAttributeNames, "
    "so the query client sends MessageSystemAttributeName.N"
)
def test_message_system_attribute_names_all(sqs, queue):
    """MessageSystemAttributeNames=[All] returns the same four system attributes.

    Source: AWS-recorded LocalStack SQS snapshots and the botocore service model.
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = receive_one(sqs, url, MessageSystemAttributeNames=["All"])
    assert set(message["Attributes"]) == STANDARD_SYSTEM_ATTRIBUTES


@pytest.mark.unverified(
    reason="the query protocol has no published name for MessageSystemAttributeNames"
)
def test_system_attribute_lists_are_merged(sqs, queue):
    """MessageSystemAttributeNames=[All] with AttributeNames=[SenderId] returns all four.

    Source: AWS-recorded LocalStack SQS snapshots (the two lists act as a union).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = receive_one(
        sqs, url, MessageSystemAttributeNames=["All"], AttributeNames=["SenderId"]
    )
    assert set(message["Attributes"]) == STANDARD_SYSTEM_ATTRIBUTES


def test_system_attribute_single(sqs, queue):
    """Asking for SentTimestamp returns only it, as epoch milliseconds.

    Source: botocore service model (MessageSystemAttributeName SentTimestamp, in milliseconds).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = receive_one(sqs, url, AttributeNames=["SentTimestamp"])
    assert set(message["Attributes"]) == {"SentTimestamp"}
    assert message["Attributes"]["SentTimestamp"].isdigit()
    assert len(message["Attributes"]["SentTimestamp"]) == 13


def test_system_attribute_values(sqs, queue):
    """First receive: count 1, first-receive time not before the send, non-empty SenderId.

    Source: botocore service model (MessageSystemAttributeName meanings).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    attributes = receive_one(sqs, url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateReceiveCount"] == "1"
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(
        attributes["SentTimestamp"]
    )
    assert attributes["SenderId"] != ""


def test_sequence_number_absent_on_standard(sqs, queue):
    """Asking for SequenceNumber on a standard queue omits it without error.

    Source: AWS-recorded LocalStack SQS snapshots.
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = receive_one(sqs, url, AttributeNames=["SequenceNumber", "SenderId"])
    assert set(message["Attributes"]) == {"SenderId"}


# ---------------------------------------------------------------------------
# Message attribute filters


@pytest.mark.parametrize(("names", "expected", "digest"), FILTER_CASES, ids=FILTER_IDS)
def test_message_attribute_filter(sqs, queue, names, expected, digest):
    """MessageAttributeNames selects the returned attributes, and the digest covers only those.

    With nothing selected both MessageAttributes and MD5OfMessageAttributes are
    absent. Source: AWS-recorded LocalStack SQS snapshots (attribute filters).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=FILTER_MESSAGE_ATTRIBUTES)
    message = receive_one(sqs, url, MessageAttributeNames=names)

    assert set(message.get("MessageAttributes", {})) == expected
    if digest is None:
        assert "MessageAttributes" not in message
        assert "MD5OfMessageAttributes" not in message
    else:
        assert message["MD5OfMessageAttributes"] == digest


# ---------------------------------------------------------------------------
# Long polling


def test_long_poll_returns_on_send(sqs, queue, json_client):
    """A long poll returns as soon as a message is sent during the wait.

    Source: AWS-validated LocalStack SQS tests (long polling).
    """
    url = queue()

    def send_later():
        time.sleep(0.5)
        json_client.send_message(QueueUrl=url, MessageBody="wake")

    sender = threading.Thread(target=send_later, daemon=True)
    started = time.monotonic()
    sender.start()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10)
    elapsed = time.monotonic() - started
    sender.join(timeout=5)

    assert [message["Body"] for message in response.get("Messages", [])] == ["wake"]
    assert elapsed < 5


def test_long_poll_times_out_empty(sqs, queue):
    """A long poll on an empty queue returns no messages after WaitTimeSeconds.

    Source: AWS-validated LocalStack SQS tests (long polling).
    """
    url = queue()
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    elapsed = time.monotonic() - started
    assert "Messages" not in response
    assert elapsed >= 0.9
    assert elapsed < 5


def test_long_poll_queue_default(sqs, queue):
    """Without WaitTimeSeconds the queue's ReceiveMessageWaitTimeSeconds applies.

    Source: AWS-validated LocalStack SQS tests (ReceiveMessageWaitTimeSeconds).
    """
    url = queue(attributes={"ReceiveMessageWaitTimeSeconds": "1"})
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url)
    elapsed = time.monotonic() - started
    assert "Messages" not in response
    assert elapsed >= 0.9


def test_explicit_zero_wait_is_short_poll(sqs, queue):
    """WaitTimeSeconds=0 short-polls even when the queue default is longer.

    Source: AWS-validated LocalStack SQS tests (long polling).
    """
    url = queue(attributes={"ReceiveMessageWaitTimeSeconds": "5"})
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    elapsed = time.monotonic() - started
    assert "Messages" not in response
    assert elapsed < 2
