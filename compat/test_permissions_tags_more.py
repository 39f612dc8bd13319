"""Tag and permission limits without a test in test_permissions_tags.py."""

import pytest
from botocore.exceptions import ClientError

from .helpers import check_error, targets_sqslite  # noqa: F401  (used by xfail conditions)

pytestmark = pytest.mark.operation("TagQueue")

ACCOUNT = "111111111111"
SEVEN_ACTIONS = [
    "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
    "GetQueueAttributes", "GetQueueUrl", "PurgeQueue",
]


@pytest.mark.operation("TagQueue", "ListQueueTags")
def test_tag_length_limits_accepted(sqs, queue):
    """A 128-character key and a 256-character value are accepted.

    Source: SQS Developer Guide, queue quotas (key 1-128, value 0-256 Unicode characters).
    """
    url = queue()
    tags = {"k" * 128: "v" * 256}
    sqs.tag_queue(QueueUrl=url, Tags=tags)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == tags


@pytest.mark.operation("TagQueue", "ListQueueTags")
def test_tag_allowed_characters(sqs, queue):
    """Letters, digits, whitespace and _ . : / = + - @ are accepted in keys and values.

    Source: SQS Developer Guide, queue quotas (allowed tag characters).
    """
    url = queue()
    tags = {"Key 9_.:/=+-@": "Value 9_.:/=+-@ ünï"}
    sqs.tag_queue(QueueUrl=url, Tags=tags)
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == tags


@pytest.mark.unverified(reason="no AWS recording of the error code for tag lengths")
@pytest.mark.parametrize("tags", [{"k" * 129: "v"}, {"k": "v" * 257}], ids=["key-129", "value-257"])
def test_tag_too_long(sqs, queue, tags):
    """A 129-character key or a 257-character value fails with InvalidParameterValue.

    Source: SQS Developer Guide, queue quotas (key 1-128, value 0-256 characters).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=queue(), Tags=tags)
    check_error(excinfo.value, "InvalidParameterValue")


def test_tag_aws_prefix_rejected(sqs, queue):
    """A tag key starting with aws: is rejected, because AWS reserves the prefix.

    The error code is not documented, so only the client fault is checked. Source:
    SQS Developer Guide, queue quotas (the aws: prefix is reserved for AWS use).
    """
    url = queue()
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={"aws:team": "core"})
    assert excinfo.value.response["Error"]["Type"] == "Sender"


@pytest.mark.operation("AddPermission")
def test_permission_label_of_80_chars(sqs, queue):
    """A label of 80 characters of [A-Za-z0-9_-] is accepted.

    Source: botocore service model (AddPermission Label: up to 80 alphanumeric
    characters, hyphens and underscores).
    """
    sqs.add_permission(
        QueueUrl=queue(), Label="L-_9" * 20, AWSAccountIds=[ACCOUNT], Actions=["SendMessage"]
    )


@pytest.mark.unverified(reason="no AWS recording of the error for an invalid label")
@pytest.mark.parametrize("label", ["L" * 81, "a!b", ""], ids=["81-chars", "bang", "empty"])
@pytest.mark.operation("AddPermission")
def test_permission_label_invalid(sqs, queue, label):
    """A label over 80 characters, empty, or with other characters is rejected.

    An empty label fails as a missing parameter, so only the client fault is checked
    for every case. Source: botocore service model (AddPermission Label rules).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=queue(), Label=label, AWSAccountIds=[ACCOUNT], Actions=["SendMessage"]
        )
    assert excinfo.value.response["Error"]["Type"] == "Sender"


@pytest.mark.operation("AddPermission")
def test_permission_seven_actions(sqs, queue):
    """Seven actions in one AddPermission are accepted.

    Source: botocore service model (AddPermission Actions: at most 7 per statement).
    """
    sqs.add_permission(
        QueueUrl=queue(), Label="seven", AWSAccountIds=[ACCOUNT], Actions=SEVEN_ACTIONS
    )


@pytest.mark.unverified(reason="the code and message are moto's; no AWS recording")
@pytest.mark.operation("AddPermission")
def test_permission_eight_actions(sqs, queue):
    """Eight actions in one AddPermission fail with 403 OverLimit.

    Source: botocore service model (AddPermission: at most 7 actions, and OverLimit
    for permission limits), with moto's message.
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(
            QueueUrl=queue(),
            Label="eight",
            AWSAccountIds=[ACCOUNT],
            Actions=SEVEN_ACTIONS + ["ListDeadLetterSourceQueues"],
        )
    check_error(excinfo.value, "OverLimit", "8 Actions were found, maximum allowed is 7.", 403)
