"""Batch cases without a test in test_batch.py: attributes in the total size, the trace
header of a whole batch, and per-entry handles of another queue.
"""

import pytest

from .helpers import check_batch_failure, check_error, receive_all, receive_one

pytestmark = pytest.mark.operation("SendMessageBatch")

MIB = 1048576
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
SHORT_ATTRIBUTE = {"k": {"DataType": "String", "StringValue": "x"}}  # 1 + 6 + 1 = 8 bytes


def test_batch_total_counts_attributes(sqs, queue):
    """Message attributes count toward the 1 MiB batch total, message exact.

    Bodies of 1048569 bytes plus an 8-byte attribute make 1048577 bytes. Source:
    AWS-recorded LocalStack SQS snapshots (BatchRequestTooLong) and the botocore
    service model (the total counts bodies and attributes).
    """
    half = MIB // 2
    entries = [
        {"Id": "first", "MessageBody": "a" * half, "MessageAttributes": SHORT_ATTRIBUTE},
        {"Id": "second", "MessageBody": "b" * (half - 7)},
    ]
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as excinfo:
        sqs.send_message_batch(QueueUrl=queue(), Entries=entries)
    check_error(
        excinfo.value,
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.",
    )


def test_batch_trace_header_applies_to_all(sqs, queue):
    """The X-Amzn-Trace-Id header of a SendMessageBatch becomes every entry's AWSTraceHeader.

    Source: AWS-recorded LocalStack snapshot test_aws_trace_header_propagation and the
    SQS Developer Guide page on AWS X-Ray.
    """
    url = queue()

    def add_trace_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = TRACE_HEADER

    sqs.meta.events.register_first("before-sign.sqs.SendMessageBatch", add_trace_header)
    try:
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": "one", "MessageBody": "1"}, {"Id": "two", "MessageBody": "2"}],
        )
    finally:
        sqs.meta.events.unregister("before-sign.sqs.SendMessageBatch", add_trace_header)

    messages = receive_all(sqs, url, 2, AttributeNames=["AWSTraceHeader"])
    assert len(messages) == 2
    for message in messages:
        assert message.get("Attributes", {}).get("AWSTraceHeader") == TRACE_HEADER


@pytest.mark.parametrize("operation", ["DeleteMessageBatch", "ChangeMessageVisibilityBatch"])
@pytest.mark.operation("DeleteMessageBatch", "ChangeMessageVisibilityBatch")
def test_handle_batch_other_queue_entry(sqs, queue, operation):
    """A real handle of another queue fails only its entry with ReceiptHandleIsInvalid.

    Source: aws/aws-sdk-java-v2#3101 (per-entry error text of a real AWS response) and
    the real AWS error text in spulec/PyQS#24.
    """
    first = queue()
    second = queue()
    sqs.send_message(QueueUrl=first, MessageBody="m")
    handle = receive_one(sqs, first)["ReceiptHandle"]
    entry = {"Id": "other", "ReceiptHandle": handle}
    if operation == "DeleteMessageBatch":
        response = sqs.delete_message_batch(QueueUrl=second, Entries=[entry])
    else:
        entry["VisibilityTimeout"] = 0
        response = sqs.change_message_visibility_batch(QueueUrl=second, Entries=[entry])

    assert response.get("Successful", []) == []
    assert len(response["Failed"]) == 1
    check_batch_failure(
        response["Failed"][0],
        "other",
        "ReceiptHandleIsInvalid",
        f'The receipt handle "{handle}" is not valid for this queue.',
    )
