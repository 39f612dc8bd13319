"""SendMessage cases without a test in test_send.py: binary sizes, number text, trace
header precedence and quotas, system attribute names, list values, standard-queue ids.
"""

import pytest
from botocore.exceptions import ClientError

from .helpers import check_error, md5_of_attributes, receive_one

pytestmark = pytest.mark.operation("SendMessage")

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
OTHER_TRACE_HEADER = "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0"
BINARY_VALUE = bytes(range(100))


def trace_attribute(value: str) -> dict:
    return {"AWSTraceHeader": {"DataType": "String", "StringValue": value}}


def string_attributes(count: int) -> dict:
    return {f"a{index}": {"DataType": "String", "StringValue": "v"} for index in range(count)}


@pytest.mark.unverified(reason="no AWS recording says whether binary values count raw or base64")
@pytest.mark.parametrize(("extra", "accepted"), [(0, True), (1, False)], ids=["at-limit", "over"])
def test_size_counts_raw_binary_bytes(sqs, queue, extra, accepted):
    """A Binary attribute value counts as its raw bytes toward MaximumMessageSize.

    Name "b" (1 byte), DataType "Binary" (6) and 100 raw bytes add 107 bytes, so a
    917-byte body fits a 1024-byte queue and a 918-byte body does not. Counted as
    base64 (136 characters) even 917 bytes would not fit. Source: botocore service
    model (MaximumMessageSize counts the body and attribute bytes).
    """
    url = queue(attributes={"MaximumMessageSize": "1024"})
    attributes = {"b": {"DataType": "Binary", "BinaryValue": BINARY_VALUE}}
    body = "x" * (917 + extra)
    if accepted:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
        return
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attributes)
    check_error(excinfo.value, "InvalidParameterValue")


@pytest.mark.unverified(reason="the Developer Guide mentions trimming zeros of Number values")
@pytest.mark.parametrize("text", ["1.500", "00042", "-0.10E+3"])
def test_number_value_kept_verbatim(sqs, queue, text):
    """A Number attribute value comes back as the text sent, and the digest covers that text.

    Source: SQS Developer Guide, message attributes (Number values), and
    "Calculating the MD5 message digest for message attributes".
    """
    url = queue()
    attributes = {"n": {"DataType": "Number", "StringValue": text}}
    response = sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attributes)
    message = receive_one(sqs, url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == attributes
    assert response["MD5OfMessageAttributes"] == md5_of_attributes(attributes)


def test_trace_header_not_counted_as_attribute(sqs, queue):
    """Ten message attributes plus AWSTraceHeader are accepted.

    System attributes do not count toward the limit of 10 message attributes.
    Source: botocore service model (MessageSystemAttributes are excluded from the
    message attribute quotas); SQS Developer Guide, message quotas.
    """
    url = queue()
    response = sqs.send_message(
        QueueUrl=url,
        MessageBody="m",
        MessageAttributes=string_attributes(10),
        MessageSystemAttributes=trace_attribute(TRACE_HEADER),
    )
    assert response["MD5OfMessageAttributes"] == md5_of_attributes(string_attributes(10))


def test_trace_system_attribute_wins(sqs, queue):
    """With both the X-Amzn-Trace-Id header and AWSTraceHeader, the system attribute wins.

    Source: SQS Developer Guide, "Amazon SQS and AWS X-Ray" (the message system
    attribute overrides the HTTP header).
    """
    url = queue()

    def add_trace_header(request, **_):
        request.headers["X-Amzn-Trace-Id"] = OTHER_TRACE_HEADER

    sqs.meta.events.register_first("before-sign.sqs.SendMessage", add_trace_header)
    try:
        sqs.send_message(
            QueueUrl=url, MessageBody="m", MessageSystemAttributes=trace_attribute(TRACE_HEADER)
        )
    finally:
        sqs.meta.events.unregister("before-sign.sqs.SendMessage", add_trace_header)

    message = receive_one(sqs, url, AttributeNames=["AWSTraceHeader"])
    assert message["Attributes"]["AWSTraceHeader"] == TRACE_HEADER


@pytest.mark.unverified(reason="no AWS recording of another system attribute name")
def test_other_system_attribute_rejected(sqs, queue):
    """A message system attribute other than AWSTraceHeader fails with InvalidParameterValue.

    Source: botocore service model (MessageSystemAttributes: AWSTraceHeader is the only
    supported name).
    """
    attributes = {"SenderId": {"DataType": "String", "StringValue": "x"}}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue(), MessageBody="m", MessageSystemAttributes=attributes)
    check_error(excinfo.value, "InvalidParameterValue")


@pytest.mark.unverified(reason="the model calls list values reserved; no AWS recording of the error")
def test_list_values_rejected(sqs, queue):
    """An attribute with StringListValues fails with InvalidParameterValue.

    Source: botocore service model (StringListValues and BinaryListValues: "Not
    implemented. Reserved for future use.").
    """
    attributes = {"list": {"DataType": "String", "StringListValues": ["a", "b"]}}
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue(), MessageBody="m", MessageAttributes=attributes)
    check_error(excinfo.value, "InvalidParameterValue")


@pytest.mark.unverified(reason="LocalStack rejects it; no AWS recording of the error")
def test_standard_queue_dedup_id_rejected(sqs, queue):
    """MessageDeduplicationId on a standard queue fails with InvalidParameterValue.

    Source: botocore service model (MessageDeduplicationId applies only to FIFO queues).
    """
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue(), MessageBody="m", MessageDeduplicationId="d1")
    check_error(excinfo.value, "InvalidParameterValue")
