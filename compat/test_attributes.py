"""GetQueueAttributes and SetQueueAttributes on standard queues."""

import json

import pytest
from botocore.exceptions import ClientError

from .helpers import (
    NON_EXISTENT_QUEUE,
    account_id,
    check_error,
    message_counts,
    queue_attributes,
    queue_missing_message,
    queue_name,
    receive_one,
)

pytestmark = pytest.mark.operation("GetQueueAttributes")

FRESH_STANDARD_KEYS = {
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
    "CreatedTimestamp",
    "DelaySeconds",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled",
    "VisibilityTimeout",
}

DEFAULTS = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
    "ApproximateNumberOfMessages": "0",
    "ApproximateNumberOfMessagesNotVisible": "0",
    "ApproximateNumberOfMessagesDelayed": "0",
}

# (attribute, lowest allowed, highest allowed)
NUMERIC_RANGES = [
    ("DelaySeconds", 0, 900),
    ("MaximumMessageSize", 1024, 1048576),
    ("MessageRetentionPeriod", 60, 1209600),
    ("ReceiveMessageWaitTimeSeconds", 0, 20),
    ("VisibilityTimeout", 0, 43200),
]

OUT_OF_RANGE = [
    (name, str(value))
    for name, low, high in NUMERIC_RANGES
    for value in (low - 1, high + 1)
] + [("DelaySeconds", "abc")]

IN_RANGE = [(name, str(value)) for name, low, high in NUMERIC_RANGES for value in (low, high)]


def test_get_all_keys_of_fresh_queue(sqs, queue):
    """All on a fresh standard queue returns exactly 12 attributes.

    Source: AWS-recorded LocalStack SQS snapshots (GetQueueAttributes All).
    """
    attributes = queue_attributes(sqs, queue(), "All")
    assert set(attributes) == FRESH_STANDARD_KEYS


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_get_default_value(sqs, queue, name):
    """A fresh queue has the documented default value.

    Source: botocore service model (SetQueueAttributes documentation) with the
    1 MiB MaximumMessageSize of 2025-08-04 seen in AWS-recorded LocalStack snapshots.
    """
    attributes = queue_attributes(sqs, queue(), "All")
    assert attributes[name] == DEFAULTS[name]


def test_get_timestamps_are_epoch_seconds(sqs, queue):
    """CreatedTimestamp and LastModifiedTimestamp are integer epoch seconds.

    Source: botocore service model (GetQueueAttributes).
    """
    attributes = queue_attributes(sqs, queue(), "CreatedTimestamp", "LastModifiedTimestamp")
    for name in ("CreatedTimestamp", "LastModifiedTimestamp"):
        assert attributes[name].isdigit()
        assert len(attributes[name]) == 10


def test_get_queue_arn(sqs, queue):
    """QueueArn is arn:aws:sqs:<region>:<account>:<name>.

    Source: AWS-validated LocalStack SQS tests (QueueArn attribute).
    """
    url = queue()
    arn = queue_attributes(sqs, url, "QueueArn")["QueueArn"]
    region = sqs.meta.region_name
    assert arn == f"arn:aws:sqs:{region}:{account_id(url)}:{queue_name(url)}"


def test_get_single_attribute(sqs, queue):
    """Asking for one name returns only that attribute.

    Source: botocore service model (GetQueueAttributes).
    """
    attributes = queue_attributes(sqs, queue(), "VisibilityTimeout")
    assert attributes == {"VisibilityTimeout": "30"}


def test_get_two_attributes(sqs, queue):
    """Asking for two names returns exactly those two.

    Source: botocore service model (GetQueueAttributes).
    """
    attributes = queue_attributes(sqs, queue(), "DelaySeconds", "MaximumMessageSize")
    assert set(attributes) == {"DelaySeconds", "MaximumMessageSize"}


def test_get_without_names(sqs, queue):
    """Without AttributeNames no attributes are returned.

    Source: botocore service model (GetQueueAttributes AttributeNames).
    """
    response = sqs.get_queue_attributes(QueueUrl=queue())
    assert response.get("Attributes", {}) == {}


def test_get_unknown_attribute(sqs, queue):
    """An unknown name fails with InvalidAttributeName, message exact.

    Source: AWS-validated LocalStack SQS tests (unknown attribute name).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=queue(), AttributeNames=["Foobar"])
    check_error(excinfo.value, "InvalidAttributeName", "Unknown Attribute Foobar.")


def test_get_attributes_missing_queue(sqs, queue):
    """GetQueueAttributes on a missing queue fails with QueueDoesNotExist.

    Source: AWS-recorded LocalStack snapshot test_non_existent_queue.
    """
    url = queue.missing_url()
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    check_error(excinfo.value, NON_EXISTENT_QUEUE, queue_missing_message(sqs))


def test_counts_visible_in_flight_delayed(sqs, queue):
    """Approximate counts separate visible, in-flight and delayed messages.

    Source: botocore service model (GetQueueAttributes). AWS values may lag by about
    a minute, but emulators are expected to be exact.
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="one")
    sqs.send_message(QueueUrl=url, MessageBody="two")
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=300)
    assert message_counts(sqs, url) == (2, 0, 1)

    receive_one(sqs, url, VisibilityTimeout=300)
    assert message_counts(sqs, url) == (1, 1, 1)


def test_counts_after_delete(sqs, queue):
    """A deleted message leaves every count.

    Source: botocore service model (GetQueueAttributes).
    """
    url = queue()
    sqs.send_message(QueueUrl=url, MessageBody="one")
    message = receive_one(sqs, url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert message_counts(sqs, url) == (0, 0, 0)


# ---------------------------------------------------------------------------
# SetQueueAttributes


@pytest.mark.operation("SetQueueAttributes")
def test_set_and_read_back(sqs, queue):
    """Values set are returned by GetQueueAttributes at once.

    Source: botocore service model (SetQueueAttributes).
    """
    url = queue()
    values = {
        "DelaySeconds": "5",
        "MaximumMessageSize": "2048",
        "MessageRetentionPeriod": "120",
        "ReceiveMessageWaitTimeSeconds": "2",
        "VisibilityTimeout": "45",
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes=values)
    attributes = queue_attributes(sqs, url, *values)
    assert attributes == values


@pytest.mark.parametrize(("name", "value"), IN_RANGE, ids=[f"{n}={v}" for n, v in IN_RANGE])
@pytest.mark.operation("SetQueueAttributes")
def test_set_range_edges_accepted(sqs, queue, name, value):
    """The lowest and highest allowed values are accepted.

    Source: botocore service model (SetQueueAttributes ranges).
    """
    url = queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    assert queue_attributes(sqs, url, name)[name] == value


@pytest.mark.parametrize(
    ("name", "value"), OUT_OF_RANGE, ids=[f"{n}={v}" for n, v in OUT_OF_RANGE]
)
@pytest.mark.operation("SetQueueAttributes")
def test_set_out_of_range(sqs, queue, name, value):
    """A value outside the allowed range fails with InvalidAttributeValue.

    Source: botocore service model (ranges), with the code from AWS-recorded
    LocalStack SQS snapshots. The message text is not confirmed, so it is not checked.
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue(), Attributes={name: value})
    check_error(excinfo.value, "InvalidAttributeValue")


@pytest.mark.parametrize(
    ("name", "value"), OUT_OF_RANGE[:4], ids=[f"{n}={v}" for n, v in OUT_OF_RANGE[:4]]
)
@pytest.mark.operation("CreateQueue")
def test_create_out_of_range(sqs, queue, name, value):
    """CreateQueue applies the same ranges as SetQueueAttributes.

    Source: botocore service model (CreateQueue Attributes).
    """
    with pytest.raises(ClientError) as excinfo:
        queue(attributes={name: value})
    check_error(excinfo.value, "InvalidAttributeValue")


@pytest.mark.operation("SetQueueAttributes")
def test_set_fifo_queue_on_standard(sqs, queue):
    """FifoQueue on a standard queue fails with InvalidAttributeName, message exact.

    Source: AWS-recorded LocalStack SQS snapshots (queue-type rules).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue(), Attributes={"FifoQueue": "true"})
    check_error(excinfo.value, "InvalidAttributeName", "Unknown Attribute FifoQueue.")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FifoQueue", "false", "Unknown Attribute FifoQueue."),
        ("ContentBasedDeduplication", "true", "Unknown Attribute ContentBasedDeduplication."),
        (
            "DeduplicationScope",
            "messageGroup",
            "You can specify the DeduplicationScope only when FifoQueue is set to true.",
        ),
        (
            "FifoThroughputLimit",
            "perMessageGroupId",
            "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
        ),
    ],
    ids=["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"],
)
@pytest.mark.operation("CreateQueue")
def test_create_standard_with_fifo_attribute(sqs, queue, name, value, message):
    """FIFO-only attributes on a standard CreateQueue fail with InvalidAttributeName.

    Source: AWS-recorded LocalStack SQS snapshots (queue-type rules).
    """
    with pytest.raises(ClientError) as excinfo:
        queue(attributes={name: value})
    check_error(excinfo.value, "InvalidAttributeName", message)


@pytest.mark.operation("SetQueueAttributes")
def test_set_boolean_case_insensitive(sqs, queue):
    """Booleans are accepted in any case and returned in lower case.

    Source: AWS-validated LocalStack SQS tests (SqsManagedSseEnabled "True").
    """
    url = queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"SqsManagedSseEnabled": "False"})
    attributes = queue_attributes(sqs, url, "SqsManagedSseEnabled")
    assert attributes["SqsManagedSseEnabled"] == "false"


@pytest.mark.operation("SetQueueAttributes")
def test_set_kms_key_disables_sse_sqs(sqs, queue):
    """Setting a KMS key adds KmsDataKeyReusePeriodSeconds=300 and turns SqsManagedSseEnabled off.

    Source: AWS-recorded LocalStack SQS snapshots (KmsMasterKeyId "testKeyId" is not
    validated at set time).
    """
    url = queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"KmsMasterKeyId": "testKeyId"})
    attributes = queue_attributes(sqs, url, "All")
    assert attributes["KmsMasterKeyId"] == "testKeyId"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["SqsManagedSseEnabled"] == "false"


@pytest.mark.operation("CreateQueue")
def test_create_with_kms_and_sse_sqs(sqs, queue):
    """A KMS key together with SqsManagedSseEnabled=true fails with InvalidAttributeName.

    Source: AWS-recorded LocalStack SQS snapshots (SSE conflict).
    """
    with pytest.raises(ClientError) as excinfo:
        queue(attributes={"KmsMasterKeyId": "testKeyId", "SqsManagedSseEnabled": "true"})
    check_error(
        excinfo.value,
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either "
        "enable KMS SSE or SQS SSE.",
    )


@pytest.mark.operation("SetQueueAttributes")
def test_set_policy_and_remove(sqs, queue):
    """A custom Policy is stored, and setting it to "" removes it.

    Source: AWS-validated LocalStack SQS tests (empty Policy/RedrivePolicy removes it).
    """
    url = queue()
    arn = queue_attributes(sqs, url, "QueueArn")["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "compat",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id(url)}:root"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    stored = queue_attributes(sqs, url, "Policy")
    assert json.loads(stored["Policy"])["Statement"][0]["Sid"] == "compat"

    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Policy" not in queue_attributes(sqs, url, "All")


@pytest.mark.operation("SetQueueAttributes")
def test_set_attributes_missing_queue(sqs, queue):
    """SetQueueAttributes on a missing queue fails with QueueDoesNotExist.

    Source: botocore service model (SetQueueAttributes errors).
    """
    url = queue.missing_url()
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"})
    check_error(excinfo.value, NON_EXISTENT_QUEUE, queue_missing_message(sqs))


@pytest.mark.operation("CreateQueue")
def test_create_with_attributes(sqs, queue):
    """Attributes given at creation are returned by GetQueueAttributes.

    Source: botocore service model (CreateQueue Attributes).
    """
    url = queue(attributes={"VisibilityTimeout": "60", "DelaySeconds": "2"})
    attributes = queue_attributes(sqs, url, "VisibilityTimeout", "DelaySeconds")
    assert attributes == {"VisibilityTimeout": "60", "DelaySeconds": "2"}


@pytest.mark.operation("SetQueueAttributes")
def test_queue_url_as_bare_name(sqs, queue):
    """A bare queue name is accepted in place of the queue URL.

    Source: AWS-validated LocalStack tests test_posting_to_queue_via_queue_name and
    test_set_empty_redrive_policy.
    """
    url = queue(attributes={"VisibilityTimeout": "61"})
    name = queue_name(url)
    attributes = queue_attributes(sqs, name, "VisibilityTimeout")
    assert attributes == {"VisibilityTimeout": "61"}


@pytest.mark.operation("SetQueueAttributes")
def test_set_updates_last_modified(sqs, queue, clock):
    """SetQueueAttributes moves LastModifiedTimestamp forward.

    Source: botocore service model (LastModifiedTimestamp: last change of the queue).
    """
    url = queue()
    before = int(queue_attributes(sqs, url, "LastModifiedTimestamp")["LastModifiedTimestamp"])
    clock.advance(1.1)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"})
    after = int(queue_attributes(sqs, url, "LastModifiedTimestamp")["LastModifiedTimestamp"])
    assert after > before


@pytest.mark.unverified(reason="no AWS recording of setting a read-only attribute")
@pytest.mark.parametrize("name", ["QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp"])
@pytest.mark.operation("SetQueueAttributes")
def test_set_read_only_attribute(sqs, queue, name):
    """Setting a read-only attribute fails with InvalidAttributeName.

    Source: botocore service model (SetQueueAttributes lists the writable attributes).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=queue(), Attributes={name: "1"})
    check_error(excinfo.value, "InvalidAttributeName", f"Unknown Attribute {name}.")
