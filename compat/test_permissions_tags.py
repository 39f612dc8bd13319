"""TagQueue, UntagQueue, ListQueueTags, AddPermission and RemovePermission."""

import json

import pytest
from botocore.exceptions import ClientError

from .helpers import (
    NON_EXISTENT_QUEUE,
    account_id,
    check_error,
    queue_attributes,
    queue_missing_message,
)

pytestmark = pytest.mark.operation("TagQueue")

# ---------------------------------------------------------------------------
# Tags


@pytest.mark.operation("ListQueueTags")
def test_queue_without_tags(sqs, queue):
    """ListQueueTags on an untagged queue omits Tags.

    Source: AWS-recorded LocalStack SQS snapshots (ListQueueTags).
    """
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=queue())


def test_tag_queue(sqs, queue):
    """TagQueue adds tags that ListQueueTags returns.

    Source: botocore service model (TagQueue, ListQueueTags).
    """
    url = queue()
    sqs.tag_queue(QueueUrl=url, Tags={"env": "dev", "owner": "team-a"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "dev", "owner": "team-a"}


def test_tag_queue_overwrites(sqs, queue):
    """Tagging an existing key replaces its value and keeps the other tags.

    Source: AWS-recorded LocalStack SQS snapshots (TagQueue).
    """
    url = queue(tags={"env": "dev", "keep": "yes"})
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod", "keep": "yes"}


def test_tag_keys_case_sensitive(sqs, queue):
    """Keys differing in case are separate tags.

    Source: SQS Developer Guide, queue quotas (tags are case-sensitive).
    """
    url = queue()
    sqs.tag_queue(QueueUrl=url, Tags={"Env": "a", "env": "b"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"Env": "a", "env": "b"}


def test_tag_empty_value(sqs, queue):
    """An empty tag value is allowed.

    Source: AWS-recorded LocalStack SQS snapshots (TagQueue).
    """
    url = queue()
    sqs.tag_queue(QueueUrl=url, Tags={"flag": ""})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"flag": ""}


@pytest.mark.operation("UntagQueue")
def test_untag_queue(sqs, queue):
    """UntagQueue removes the given keys and ignores unknown ones.

    Source: AWS-validated LocalStack SQS tests (UntagQueue).
    """
    url = queue(tags={"a": "1", "b": "2"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["a", "missing"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"b": "2"}


@pytest.mark.operation("UntagQueue")
def test_untag_last_tag(sqs, queue):
    """Removing the last tag leaves ListQueueTags without Tags.

    Source: AWS-recorded LocalStack SQS snapshots (ListQueueTags omits empty Tags).
    """
    url = queue(tags={"a": "1"})
    sqs.untag_queue(QueueUrl=url, TagKeys=["a"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


@pytest.mark.parametrize("operation", ["tag", "untag", "list"])
@pytest.mark.operation("TagQueue", "UntagQueue", "ListQueueTags")
def test_tags_missing_queue(sqs, queue, operation):
    """Tag operations on a missing queue fail with QueueDoesNotExist.

    Source: botocore service model (TagQueue, UntagQueue, ListQueueTags errors).
    """
    url = queue.missing_url()
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        if operation == "tag":
            sqs.tag_queue(QueueUrl=url, Tags={"a": "1"})
        elif operation == "untag":
            sqs.untag_queue(QueueUrl=url, TagKeys=["a"])
        else:
            sqs.list_queue_tags(QueueUrl=url)
    check_error(excinfo.value, NON_EXISTENT_QUEUE, queue_missing_message(sqs))


# ---------------------------------------------------------------------------
# Permissions


def queue_policy(sqs, url) -> dict:
    return json.loads(queue_attributes(sqs, url, "Policy")["Policy"])


@pytest.mark.operation("AddPermission")
def test_add_permission_policy(sqs, queue):
    """AddPermission writes a Policy statement with the label, principal, action and ARN.

    One principal and one action appear as plain strings. Source: AWS-recorded
    LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    account = account_id(url)
    arn = queue_attributes(sqs, url, "QueueArn")["QueueArn"]
    sqs.add_permission(
        QueueUrl=url, Label="crossaccountpermission", AWSAccountIds=[account],
        Actions=["ReceiveMessage"],
    )
    policy = queue_policy(sqs, url)

    assert policy["Version"] == "2008-10-17"
    assert len(policy["Statement"]) == 1
    statement = policy["Statement"][0]
    assert statement["Sid"] == "crossaccountpermission"
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "SQS:ReceiveMessage"
    assert statement["Resource"] == arn
    assert isinstance(statement["Principal"]["AWS"], str)
    assert account in statement["Principal"]["AWS"]


@pytest.mark.unverified(
    reason="the AWS recording masks the policy Id and the principal suffix"
)
@pytest.mark.operation("AddPermission")
def test_add_permission_policy_id(sqs, queue):
    """The policy Id is <queueArn>/SQSDefaultPolicy and the principal arn:aws:iam::<account>:root.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle (masked values).
    """
    url = queue()
    account = account_id(url)
    arn = queue_attributes(sqs, url, "QueueArn")["QueueArn"]
    sqs.add_permission(
        QueueUrl=url, Label="p1", AWSAccountIds=[account], Actions=["SendMessage"]
    )
    policy = queue_policy(sqs, url)
    assert policy["Id"] == f"{arn}/SQSDefaultPolicy"
    assert policy["Statement"][0]["Principal"]["AWS"] == f"arn:aws:iam::{account}:root"


@pytest.mark.operation("AddPermission")
def test_add_permission_several_actions(sqs, queue):
    """Several actions appear as a list of SQS:-prefixed names.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    sqs.add_permission(
        QueueUrl=url, Label="multi", AWSAccountIds=[account_id(url)],
        Actions=["SendMessage", "DeleteMessage"],
    )
    actions = queue_policy(sqs, url)["Statement"][0]["Action"]
    assert isinstance(actions, list)
    assert sorted(actions) == ["SQS:DeleteMessage", "SQS:SendMessage"]


@pytest.mark.operation("AddPermission")
def test_add_permission_two_labels(sqs, queue):
    """Each label adds its own statement.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    account = account_id(url)
    sqs.add_permission(QueueUrl=url, Label="one", AWSAccountIds=[account], Actions=["SendMessage"])
    sqs.add_permission(
        QueueUrl=url, Label="two", AWSAccountIds=[account], Actions=["ReceiveMessage"]
    )
    sids = [statement["Sid"] for statement in queue_policy(sqs, url)["Statement"]]
    assert sorted(sids) == ["one", "two"]


@pytest.mark.operation("AddPermission")
def test_add_permission_same_label(sqs, queue):
    """Adding an existing label fails with InvalidParameterValue, message exact.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    arguments = {
        "QueueUrl": url,
        "Label": "crossaccountpermission",
        "AWSAccountIds": [account_id(url)],
        "Actions": ["ReceiveMessage"],
    }
    sqs.add_permission(**arguments)
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(**arguments)
    check_error(
        excinfo.value,
        "InvalidParameterValue",
        "Value crossaccountpermission for parameter Label is invalid. Reason: Already exists.",
    )


@pytest.mark.operation("RemovePermission")
def test_remove_permission(sqs, queue):
    """RemovePermission removes that statement and keeps the others.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    account = account_id(url)
    sqs.add_permission(QueueUrl=url, Label="one", AWSAccountIds=[account], Actions=["SendMessage"])
    sqs.add_permission(
        QueueUrl=url, Label="two", AWSAccountIds=[account], Actions=["ReceiveMessage"]
    )
    sqs.remove_permission(QueueUrl=url, Label="one")
    sids = [statement["Sid"] for statement in queue_policy(sqs, url)["Statement"]]
    assert sids == ["two"]


@pytest.mark.operation("RemovePermission")
def test_remove_last_permission(sqs, queue):
    """Removing the last statement removes the Policy attribute.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    sqs.add_permission(
        QueueUrl=url, Label="only", AWSAccountIds=[account_id(url)], Actions=["SendMessage"]
    )
    sqs.remove_permission(QueueUrl=url, Label="only")
    assert "Policy" not in queue_attributes(sqs, url, "All")


@pytest.mark.operation("RemovePermission")
def test_remove_unknown_label(sqs, queue):
    """Removing an unknown label fails with InvalidParameterValue, message exact.

    Source: AWS-recorded LocalStack snapshot test_sqs_permission_lifecycle.
    """
    url = queue()
    sqs.add_permission(
        QueueUrl=url, Label="crossaccountpermission", AWSAccountIds=[account_id(url)],
        Actions=["SendMessage"],
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="crossaccountpermission2")
    check_error(
        excinfo.value,
        "InvalidParameterValue",
        "Value crossaccountpermission2 for parameter Label is invalid. Reason: can't find label.",
    )


@pytest.mark.operation("AddPermission")
def test_add_permission_missing_queue(sqs, queue):
    """AddPermission on a missing queue fails with QueueDoesNotExist.

    Source: botocore service model (AddPermission errors).
    """
    url = queue.missing_url()
    account = account_id(url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as excinfo:
        sqs.add_permission(
            QueueUrl=url, Label="p", AWSAccountIds=[account], Actions=["SendMessage"]
        )
    check_error(excinfo.value, NON_EXISTENT_QUEUE, queue_missing_message(sqs))
