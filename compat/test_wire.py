"""Wire formats: what the clients send, raw query and JSON requests, error documents."""

import json
import xml.etree.ElementTree as ElementTree

import pytest

from .helpers import NON_EXISTENT_QUEUE, md5_hex, queue_name, receive_one, url_path

pytestmark = pytest.mark.operation("ReceiveMessage")

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"


def local_name(tag: str) -> str:
    """Return an XML tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def children(element) -> list[str]:
    return [local_name(child.tag) for child in element]


def child(element, name: str):
    for item in element:
        if local_name(item.tag) == name:
            return item
    raise AssertionError(f"<{local_name(element.tag)}> has no child <{name}>: {children(element)}")


def parse_xml(response):
    return ElementTree.fromstring(response.content)


def attribute_values(result) -> dict:
    """Return the Attribute Name/Value pairs of a GetQueueAttributesResult."""
    values = {}
    for item in result:
        if local_name(item.tag) == "Attribute":
            values[child(item, "Name").text] = child(item, "Value").text
    return values


# ---------------------------------------------------------------------------
# What the SDK clients send


@pytest.mark.operation("ListQueues")
def test_query_client_sends_action_form(clients):
    """The query client sends form bodies with Action and Version.

    Source: last query-protocol botocore SQS model (query serializer).
    """
    client, log = clients["query"]
    log.clear()
    client.list_queues()
    headers, body = log.requests[-1]
    content_type = {key.lower(): value for key, value in headers.items()}["content-type"]

    assert content_type.startswith("application/x-www-form-urlencoded")
    assert b"Action=ListQueues" in body
    assert b"Version=2012-11-05" in body


@pytest.mark.operation("ListQueues")
def test_json_client_sends_target_header(clients):
    """The JSON client sends X-Amz-Target and an AWS JSON 1.0 body.

    Source: botocore service model (protocol json, targetPrefix AmazonSQS).
    """
    client, log = clients["json"]
    log.clear()
    client.list_queues()
    headers, body = log.requests[-1]
    lowered = {key.lower(): value for key, value in headers.items()}

    assert lowered["x-amz-target"] == "AmazonSQS.ListQueues"
    assert lowered["content-type"] == JSON_CONTENT_TYPE
    assert json.loads(body) == {}


# ---------------------------------------------------------------------------
# Query requests on queue URL paths


@pytest.mark.operation("GetQueueAttributes")
def test_query_get_on_queue_path(wire, json_queue):
    """A query GET on the queue URL path addresses that queue.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    url = json_queue()
    response = wire.query_get(
        {"Action": "GetQueueAttributes", "AttributeName.1": "QueueArn",
         "Version": "2012-11-05"},
        path=url_path(url),
    )
    assert response.status_code == 200
    root = parse_xml(response)
    assert local_name(root.tag) == "GetQueueAttributesResponse"
    arn = attribute_values(child(root, "GetQueueAttributesResult"))["QueueArn"]
    assert arn.endswith(f":{queue_name(url)}")


@pytest.mark.operation("SendMessage")
def test_query_post_on_queue_path(wire, json_queue, json_client):
    """A query POST to the queue URL path without QueueUrl sends to that queue.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    url = json_queue()
    response = wire.query_post(
        {"Action": "SendMessage", "MessageBody": "via path", "Version": "2012-11-05"},
        path=url_path(url),
    )
    assert response.status_code == 200
    assert receive_one(json_client, url)["Body"] == "via path"


@pytest.mark.operation("SendMessage")
def test_query_queue_url_overrides_path(wire, json_queue, json_client):
    """An explicit QueueUrl parameter wins over the request path.

    Source: AWS-validated LocalStack test test_overwrite_queue_url_in_params.
    """
    path_queue = json_queue()
    target = json_queue()
    response = wire.query_post(
        {"Action": "SendMessage", "QueueUrl": target, "MessageBody": "to target",
         "Version": "2012-11-05"},
        path=url_path(path_queue),
    )
    assert response.status_code == 200
    assert receive_one(json_client, target)["Body"] == "to target"
    assert "Messages" not in json_client.receive_message(QueueUrl=path_queue)


@pytest.mark.parametrize("action", ["CreateQueue", "ListQueues"])
@pytest.mark.operation("CreateQueue", "ListQueues")
def test_query_queueless_action_on_path(wire, json_queue, action):
    """CreateQueue or ListQueues sent to a queue path fail with 400 InvalidAction.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    url = json_queue()
    response = wire.query_post(
        {"Action": action, "QueueName": "other", "Version": "2012-11-05"},
        path=url_path(url),
    )
    assert response.status_code == 400
    error = child(parse_xml(response), "Error")
    assert child(error, "Code").text == "InvalidAction"
    assert child(error, "Message").text == f"The action {action} is not valid for this endpoint."


@pytest.mark.operation("GetQueueUrl")
def test_query_get_url_other_path(wire, json_queue):
    """GetQueueUrl works on any queue path, even another queue's.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    path_queue = json_queue()
    target = json_queue()
    response = wire.query_get(
        {"Action": "GetQueueUrl", "QueueName": queue_name(target), "Version": "2012-11-05"},
        path=url_path(path_queue),
    )
    assert response.status_code == 200
    result = child(parse_xml(response), "GetQueueUrlResult")
    assert child(result, "QueueUrl").text == target


@pytest.mark.operation()
def test_query_get_without_action(wire, json_queue):
    """A GET on a queue URL without Action returns 404 UnknownOperationException.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    url = json_queue()
    response = wire.send("GET", url_path(url))
    assert response.status_code == 404
    assert b"UnknownOperationException" in response.content


@pytest.mark.operation()
def test_query_unknown_action(wire):
    """An unknown action fails with 400 InvalidAction, Type Sender, message exact.

    Source: AWS-validated LocalStack tests TestSqsQueryApi.
    """
    response = wire.query_post({"Action": "FooBar", "Version": "2012-11-05"})
    assert response.status_code == 400
    error = child(parse_xml(response), "Error")
    assert child(error, "Type").text == "Sender"
    assert child(error, "Code").text == "InvalidAction"
    assert child(error, "Message").text == "The action FooBar is not valid for this endpoint."


@pytest.mark.operation("GetQueueUrl")
def test_query_without_version(wire, json_queue):
    """A query request without Version is accepted.

    Source: AWS-validated LocalStack tests (query GET requests).
    """
    url = json_queue()
    response = wire.query_get({"Action": "GetQueueUrl", "QueueName": queue_name(url)})
    assert response.status_code == 200


# ---------------------------------------------------------------------------
# Query response and error documents


@pytest.mark.operation("CreateQueue")
def test_query_response_shape(wire, json_queue):
    """A query success is <Op>Response with <Op>Result and ResponseMetadata/RequestId.

    Source: SQS Developer Guide, interpreting XML responses.
    """
    name = json_queue.new_name()
    response = wire.query_post(
        {"Action": "CreateQueue", "QueueName": name, "Version": "2012-11-05"}
    )
    assert response.status_code == 200
    root = parse_xml(response)
    url = child(child(root, "CreateQueueResult"), "QueueUrl").text
    json_queue.track(url)

    assert local_name(root.tag) == "CreateQueueResponse"
    assert url.endswith(f"/{name}")
    assert child(child(root, "ResponseMetadata"), "RequestId").text


@pytest.mark.operation("SetQueueAttributes")
def test_query_response_without_result(wire, json_queue):
    """An operation without output returns only ResponseMetadata.

    Source: SQS Developer Guide, interpreting XML responses.
    """
    url = json_queue()
    response = wire.query_post(
        {"Action": "SetQueueAttributes", "QueueUrl": url, "Attribute.1.Name": "DelaySeconds",
         "Attribute.1.Value": "1", "Version": "2012-11-05"}
    )
    assert response.status_code == 200
    root = parse_xml(response)
    assert local_name(root.tag) == "SetQueueAttributesResponse"
    assert children(root) == ["ResponseMetadata"]


def test_query_empty_receive(wire, json_queue):
    """An empty query receive returns a ReceiveMessageResult without Message elements.

    Source: AWS-validated LocalStack tests (empty ReceiveMessageResult).
    """
    url = json_queue()
    response = wire.query_post(
        {"Action": "ReceiveMessage", "QueueUrl": url, "Version": "2012-11-05"}
    )
    assert response.status_code == 200
    result = child(parse_xml(response), "ReceiveMessageResult")
    assert children(result) == []


@pytest.mark.operation("GetQueueUrl")
def test_query_error_shape(wire, json_queue):
    """A query error is ErrorResponse with Error/{Type,Code,Message} and a direct RequestId.

    Source: SQS Developer Guide, interpreting XML responses. The message is from the
    AWS-recorded LocalStack snapshot test_non_existent_queue.
    """
    response = wire.query_post(
        {"Action": "GetQueueUrl", "QueueName": json_queue.new_name(), "Version": "2012-11-05"}
    )
    assert response.status_code == 400
    root = parse_xml(response)
    assert local_name(root.tag) == "ErrorResponse"
    error = child(root, "Error")
    assert child(error, "Type").text == "Sender"
    assert child(error, "Code").text == NON_EXISTENT_QUEUE
    assert (
        child(error, "Message").text
        == "The specified queue does not exist for this wsdl version."
    )
    assert child(root, "RequestId").text


def test_query_body_carriage_return(clients, json_queue):
    """A body with quotes, entity text and CR round-trips exactly over query.

    SQS escapes CR as the character reference &#xD;, so XML parsers do not turn
    it into LF. Source: AWS-validated LocalStack test
    test_send_receive_message_encoded_content.
    """
    client = clients["query"][0]
    url = json_queue()
    body = '"&quot;&quot;\r\n\rend"'
    sent = client.send_message(QueueUrl=url, MessageBody=body)
    message = receive_one(client, url)

    assert message["Body"] == body
    assert message["MD5OfBody"] == md5_hex(body.encode("utf-8"))
    assert sent["MD5OfMessageBody"] == md5_hex(body.encode("utf-8"))


def test_query_attribute_carriage_return(clients, json_queue):
    """A String message attribute with CR round-trips exactly over query.

    Source: SQS Developer Guide, interpreting XML responses, and the botocore service
    model (allowed characters).
    """
    client = clients["query"][0]
    url = json_queue()
    attributes = {"note": {"DataType": "String", "StringValue": "a\rb<c>&d"}}
    client.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attributes)
    message = receive_one(client, url, MessageAttributeNames=["All"])
    assert message["MessageAttributes"] == attributes


# ---------------------------------------------------------------------------
# JSON requests and errors


@pytest.mark.operation("SendMessage")
def test_json_on_queue_path(wire, json_queue, json_client):
    """A JSON request POSTed to the queue URL path works and answers in JSON.

    Source: AWS-validated LocalStack test test_send_message_via_queue_url_with_json_protocol.
    """
    url = json_queue()
    response = wire.json(
        "SendMessage", {"QueueUrl": url, "MessageBody": "json via path"}, path=url_path(url)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON_CONTENT_TYPE)
    assert response.json()["MD5OfMessageBody"] == md5_hex(b"json via path")
    assert receive_one(json_client, url)["Body"] == "json via path"


@pytest.mark.operation("GetQueueUrl")
def test_json_success_headers(wire, json_queue):
    """A JSON success has the JSON 1.0 content type and an x-amzn-RequestId header.

    Source: SQS Developer Guide, interpreting JSON responses.
    """
    url = json_queue()
    response = wire.json("GetQueueUrl", {"QueueName": queue_name(url)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON_CONTENT_TYPE)
    assert response.headers.get("x-amzn-requestid")
    assert response.json() == {"QueueUrl": url}


def test_json_empty_receive(wire, json_queue):
    """An empty JSON receive is {} without a Messages member.

    Source: SQS Developer Guide, interpreting JSON responses (absent members are omitted).
    """
    url = json_queue()
    response = wire.json("ReceiveMessage", {"QueueUrl": url})
    assert response.status_code == 200
    assert response.json() == {}


@pytest.mark.operation("GetQueueUrl")
def test_json_error_shape(wire, json_queue):
    """A JSON error carries __type, message, and the x-amzn-query-error header.

    Source: SQS Developer Guide, interpreting JSON responses (error example).
    """
    response = wire.json("GetQueueUrl", {"QueueName": json_queue.new_name()})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(JSON_CONTENT_TYPE)
    assert response.headers.get("x-amzn-requestid")
    assert response.headers["x-amzn-query-error"] == f"{NON_EXISTENT_QUEUE};Sender"
    body = response.json()
    assert body["__type"].rsplit("#", 1)[-1] == "QueueDoesNotExist"
    assert body["message"] == "The specified queue does not exist."


def test_json_unmodelled_error(wire, json_queue):
    """An unmodelled error still names the legacy code in x-amzn-query-error.

    Source: AWS-recorded LocalStack SQS snapshots (InvalidParameterValue over JSON).
    """
    url = json_queue()
    response = wire.json("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 11})
    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == "InvalidParameterValue;Sender"
    assert response.json()["__type"].rsplit("#", 1)[-1] == "InvalidParameterValueException"


@pytest.mark.operation("GetQueueUrl")
def test_json_error_exception_class(json_client, json_queue):
    """boto3 raises QueueDoesNotExist with Code AWS.SimpleQueueService.NonExistentQueue.

    Source: botocore 1.43 parsers (query-compatible error codes).
    """
    with pytest.raises(json_client.exceptions.QueueDoesNotExist) as excinfo:
        json_client.get_queue_url(QueueName=json_queue.new_name())
    error = excinfo.value.response["Error"]
    assert error["Code"] == NON_EXISTENT_QUEUE
    assert error["QueryErrorCode"] == "QueueDoesNotExist"
    assert error["Type"] == "Sender"
