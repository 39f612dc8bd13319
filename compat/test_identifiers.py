"""Identifiers: queue URLs, message ids and receipt handles."""

from urllib.parse import urlsplit

import pytest

from .helpers import receive_one

pytestmark = pytest.mark.operation("CreateQueue")


def test_queue_url_on_endpoint_host(sqs, queue):
    """A queue URL points at the scheme, host and port the client used.

    Clients such as the v2 JavaScript SDK and kombu send each request to the
    queue URL itself, so it must lead back to the same server.
    Source: botocore endpoint rules (regional endpoint https://sqs.<region>.amazonaws.com)
    and SQS Developer Guide (queue URL https://sqs.<region>.amazonaws.com/<account>/<name>).
    """
    url = urlsplit(queue())
    endpoint = urlsplit(sqs.meta.endpoint_url)
    assert url.scheme == endpoint.scheme
    assert url.netloc == endpoint.netloc


def test_queue_url_path_is_account_and_name(sqs, queue):
    """The path of a queue URL is /<12-digit account>/<queue name>.

    Source: SQS Developer Guide (queue and message identifiers).
    """
    name = queue.new_name()
    segments = urlsplit(queue(name)).path.strip("/").split("/")
    assert len(segments) == 2
    assert segments[1] == name
    assert len(segments[0]) == 12
    assert segments[0].isdigit()


@pytest.mark.operation("SendMessage", "ReceiveMessage")
def test_message_id_and_handle_limits(sqs, queue):
    """A message id has at most 100 characters and a receipt handle at most 1024.

    Source: SQS Developer Guide (queue and message identifiers).
    """
    url = queue()
    sent = sqs.send_message(QueueUrl=url, MessageBody="identifiers")
    message = receive_one(sqs, url)
    assert message["MessageId"] == sent["MessageId"]
    assert 0 < len(sent["MessageId"]) <= 100
    assert 0 < len(message["ReceiptHandle"]) <= 1024
