"""The query codec on hand-written parameters: wire names, indexes, bad values and XML layout."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from sqslite.service.errors import SqsError
from sqslite.wire import decode_query, encode_query, encode_query_error
from sqslite.wire.query_codec import escape_xml

NAMESPACE = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def decode(action: str, *fields: tuple[str, str]) -> dict:
    operation, params = decode_query([("Action", action), ("Version", "2012-11-05"), *fields])
    assert operation == action
    return params


def decode_error(fields: list[tuple[str, str]]) -> SqsError:
    with pytest.raises(SqsError) as caught:
        decode_query(fields)
    return caught.value


# ---------------------------------------------------------------- names


def test_queue_attributes_and_tags():
    params = decode(
        "CreateQueue",
        ("QueueName", "q"),
        ("Attribute.1.Name", "VisibilityTimeout"),
        ("Attribute.1.Value", "60"),
        ("Attribute.2.Name", "DelaySeconds"),
        ("Attribute.2.Value", "5"),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "dev"),
    )

    assert params == {
        "QueueName": "q",
        "Attributes": {"VisibilityTimeout": "60", "DelaySeconds": "5"},
        "tags": {"env": "dev"},
    }


def test_tag_queue_and_untag_queue():
    tagged = decode("TagQueue", ("QueueUrl", "u"), ("Tag.1.Key", "a"), ("Tag.1.Value", "b"))
    untagged = decode("UntagQueue", ("QueueUrl", "u"), ("TagKey.1", "a"), ("TagKey.2", "c"))

    assert tagged == {"QueueUrl": "u", "Tags": {"a": "b"}}
    assert untagged == {"QueueUrl": "u", "TagKeys": ["a", "c"]}


def test_receive_message_name_lists():
    params = decode(
        "ReceiveMessage",
        ("QueueUrl", "u"),
        ("AttributeName.1", "All"),
        ("MessageAttributeName.1", "attr.*"),
        ("MessageSystemAttributeName.1", "SenderId"),
        ("MaxNumberOfMessages", "10"),
        ("WaitTimeSeconds", "0"),
        ("VisibilityTimeout", "-1"),
    )

    assert params == {
        "QueueUrl": "u",
        "AttributeNames": ["All"],
        "MessageAttributeNames": ["attr.*"],
        "MessageSystemAttributeNames": ["SenderId"],
        "MaxNumberOfMessages": 10,
        "WaitTimeSeconds": 0,
        "VisibilityTimeout": -1,
    }


def test_send_message_attributes():
    params = decode(
        "SendMessage",
        ("QueueUrl", "u"),
        ("MessageBody", "hello world"),
        ("DelaySeconds", "3"),
        ("MessageAttribute.1.Name", "s"),
        ("MessageAttribute.1.Value.DataType", "String"),
        ("MessageAttribute.1.Value.StringValue", "x"),
        ("MessageAttribute.2.Name", "b"),
        ("MessageAttribute.2.Value.DataType", "Binary"),
        ("MessageAttribute.2.Value.BinaryValue", "AAEC/w=="),
        ("MessageSystemAttribute.1.Name", "AWSTraceHeader"),
        ("MessageSystemAttribute.1.Value.DataType", "String"),
        ("MessageSystemAttribute.1.Value.StringValue", "Root=1-abc"),
    )

    assert params == {
        "QueueUrl": "u",
        "MessageBody": "hello world",
        "DelaySeconds": 3,
        "MessageAttributes": {
            "s": {"DataType": "String", "StringValue": "x"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02\xff"},
        },
        "MessageSystemAttributes": {
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"},
        },
    }


def test_send_message_batch_nested_attributes():
    params = decode(
        "SendMessageBatch",
        ("QueueUrl", "u"),
        ("SendMessageBatchRequestEntry.1.Id", "m1"),
        ("SendMessageBatchRequestEntry.1.MessageBody", "one"),
        ("SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "n"),
        ("SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "Number"),
        ("SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "1"),
        ("SendMessageBatchRequestEntry.2.Id", "m2"),
        ("SendMessageBatchRequestEntry.2.MessageBody", "two"),
        ("SendMessageBatchRequestEntry.2.DelaySeconds", "9"),
    )

    assert params == {
        "QueueUrl": "u",
        "Entries": [
            {
                "Id": "m1",
                "MessageBody": "one",
                "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "1"}},
            },
            {"Id": "m2", "MessageBody": "two", "DelaySeconds": 9},
        ],
    }


def test_delete_and_change_visibility_batches():
    deleted = decode(
        "DeleteMessageBatch",
        ("QueueUrl", "u"),
        ("DeleteMessageBatchRequestEntry.1.Id", "a"),
        ("DeleteMessageBatchRequestEntry.1.ReceiptHandle", "h+/="),
    )
    changed = decode(
        "ChangeMessageVisibilityBatch",
        ("QueueUrl", "u"),
        ("ChangeMessageVisibilityBatchRequestEntry.1.Id", "a"),
        ("ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", "h"),
        ("ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout", "30"),
    )

    assert deleted == {"QueueUrl": "u", "Entries": [{"Id": "a", "ReceiptHandle": "h+/="}]}
    assert changed == {
        "QueueUrl": "u",
        "Entries": [{"Id": "a", "ReceiptHandle": "h", "VisibilityTimeout": 30}],
    }


def test_add_permission_lists():
    params = decode(
        "AddPermission",
        ("QueueUrl", "u"),
        ("Label", "l"),
        ("AWSAccountId.1", "111122223333"),
        ("AWSAccountId.2", "444455556666"),
        ("ActionName.1", "SendMessage"),
    )

    assert params == {
        "QueueUrl": "u",
        "Label": "l",
        "AWSAccountIds": ["111122223333", "444455556666"],
        "Actions": ["SendMessage"],
    }


def test_list_member_name_also_accepted():
    # botocore sends an empty list under the member name, so the decoder
    # accepts that name for indexed elements as well.
    params = decode("GetQueueAttributes", ("QueueUrl", "u"), ("AttributeNames.1", "All"))

    assert params == {"QueueUrl": "u", "AttributeNames": ["All"]}


def test_empty_list_parameter():
    params = decode("ReceiveMessage", ("QueueUrl", "u"), ("AttributeNames", ""))

    assert params == {"QueueUrl": "u", "AttributeNames": []}


def test_operation_without_parameters():
    assert decode("ListQueues") == {}


def test_unknown_parameters_ignored():
    params = decode(
        "GetQueueUrl",
        ("QueueName", "q"),
        ("AWSAccessKeyId", "test"),
        ("Signature", "x"),
        ("Bogus.1.Name", "y"),
        ("QueueName.1", "z"),
        ("Attribute.1.Name", "VisibilityTimeout"),
    )

    assert params == {"QueueName": "q"}


def test_member_names_case_sensitive():
    assert decode("GetQueueUrl", ("queuename", "q")) == {}


def test_repeated_parameter_last_wins():
    params = decode("GetQueueUrl", ("QueueName", "first"), ("QueueName", "second"))

    assert params == {"QueueName": "second"}


def test_empty_string_value_kept():
    params = decode("SendMessage", ("QueueUrl", "u"), ("MessageBody", ""))

    assert params == {"QueueUrl": "u", "MessageBody": ""}


# ---------------------------------------------------------------- indexes


def test_indexes_sort_numerically():
    params = decode(
        "GetQueueAttributes",
        ("QueueUrl", "u"),
        ("AttributeName.10", "ten"),
        ("AttributeName.2", "two"),
        ("AttributeName.1", "one"),
    )

    assert params["AttributeNames"] == ["one", "two", "ten"]


def test_map_entries_follow_index_order():
    params = decode(
        "CreateQueue",
        ("QueueName", "q"),
        ("Attribute.10.Value", "v10"),
        ("Attribute.10.Name", "k10"),
        ("Attribute.2.Name", "k2"),
        ("Attribute.2.Value", "v2"),
    )

    assert list(params["Attributes"].items()) == [("k2", "v2"), ("k10", "v10")]


def test_huge_and_sparse_indexes():
    params = decode(
        "CreateQueue",
        ("QueueName", "q"),
        ("Attribute.999999.Name", "DelaySeconds"),
        ("Attribute.999999.Value", "1"),
        ("Attribute.99999999999999999999.Name", "VisibilityTimeout"),
        ("Attribute.99999999999999999999.Value", "2"),
        ("Tag.7.Key", "k"),
        ("Tag.7.Value", "v"),
    )

    assert params["Attributes"] == {"DelaySeconds": "1", "VisibilityTimeout": "2"}
    assert params["tags"] == {"k": "v"}


def test_index_too_long_for_int_ignored():
    huge_index = "9" * 10_000
    params = decode("GetQueueAttributes", ("QueueUrl", "u"), (f"AttributeName.{huge_index}", "All"))

    assert params == {"QueueUrl": "u"}


@pytest.mark.parametrize("index", ["abc", "", "-1", "1.5", "١", " 1", "+1"])
def test_malformed_index_ignored(index):
    params = decode("GetQueueAttributes", ("QueueUrl", "u"), (f"AttributeName.{index}", "All"))

    assert params == {"QueueUrl": "u"}


def test_index_zero_accepted():
    params = decode("UntagQueue", ("QueueUrl", "u"), ("TagKey.0", "a"), ("TagKey.1", "b"))

    assert params["TagKeys"] == ["a", "b"]


def test_many_parameters_sorted():
    fields = [(f"TagKey.{n}", f"k{n}") for n in range(500, 0, -1)]
    params = decode("UntagQueue", ("QueueUrl", "u"), *fields)

    assert params["TagKeys"] == [f"k{n}" for n in range(1, 501)]


def test_map_entry_without_key_dropped():
    params = decode(
        "CreateQueue",
        ("QueueName", "q"),
        ("Attribute.1.Value", "orphan"),
        ("Attribute.2.Name", "DelaySeconds"),
        ("Attribute.2.Value", "1"),
    )

    assert params["Attributes"] == {"DelaySeconds": "1"}


def test_map_entry_without_value():
    params = decode("SendMessage", ("QueueUrl", "u"), ("MessageAttribute.1.Name", "a"))
    attributes = decode("CreateQueue", ("QueueName", "q"), ("Attribute.1.Name", "DelaySeconds"))

    # The service then reports the missing DataType or value in SQS's words.
    assert params["MessageAttributes"] == {"a": {}}
    assert attributes["Attributes"] == {"DelaySeconds": ""}


def test_map_parameter_with_wrong_slot_ignored():
    params = decode("CreateQueue", ("QueueName", "q"), ("Attribute.1.Key", "x"), ("Attribute.1", "y"))

    assert params == {"QueueName": "q"}


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize("value", ["abc", "", "1.5", "1e3", " 5", "0x10", "2147483648", "1_0"])
def test_bad_integer_rejected(value):
    error = decode_error([("Action", "ReceiveMessage"), ("MaxNumberOfMessages", value)])

    assert error.code == "InvalidParameterValue"
    assert error.status == 400
    assert error.message.startswith(f"Value {value} for parameter MaxNumberOfMessages is invalid.")


def test_bad_integer_message():
    error = decode_error([("Action", "ReceiveMessage"), ("MaxNumberOfMessages", "abc")])

    assert error.message == (
        "Value abc for parameter MaxNumberOfMessages is invalid. Reason: Must be an integer."
    )
    assert error.shape == "InvalidParameterValueException"


def test_bad_nested_integer_names_field():
    fields = [
        ("Action", "SendMessageBatch"),
        ("SendMessageBatchRequestEntry.3.DelaySeconds", "soon"),
    ]

    error = decode_error(fields)

    assert "parameter SendMessageBatchRequestEntry.3.DelaySeconds is invalid" in error.message


@pytest.mark.parametrize("value", ["+5", "-5", "007", "2147483647", "-2147483648"])
def test_integer_forms_accepted(value):
    params = decode("ReceiveMessage", ("MaxNumberOfMessages", value))

    assert params == {"MaxNumberOfMessages": int(value)}


def test_bad_base64_blob_rejected():
    fields = [
        ("Action", "SendMessage"),
        ("MessageAttribute.1.Name", "b"),
        ("MessageAttribute.1.Value.BinaryValue", "not base64!"),
    ]

    error = decode_error(fields)

    assert error.code == "InvalidParameterValue"
    assert "parameter MessageAttribute.1.Value.BinaryValue is invalid" in error.message


# ---------------------------------------------------------------- actions


def test_missing_action():
    error = decode_error([("QueueUrl", "u")])

    assert error.code == "UnknownOperationException"
    assert error.status == 404


def test_empty_action():
    error = decode_error([("Action", "")])

    assert error.code == "UnknownOperationException"


def test_unknown_action():
    error = decode_error([("Action", "FooBar"), ("Version", "2012-11-05")])

    assert error.code == "InvalidAction"
    assert error.status == 400
    assert error.message == "The action FooBar is not valid for this endpoint."


def test_action_case_sensitive():
    error = decode_error([("Action", "sendmessage")])

    assert error.code == "InvalidAction"


def test_action_after_parameters():
    operation, params = decode_query([("QueueName", "q"), ("Action", "GetQueueUrl")])

    assert operation == "GetQueueUrl"
    assert params == {"QueueName": "q"}


# ---------------------------------------------------------------- XML layout


def parse_xml(body: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(body)


def test_response_without_result():
    root = parse_xml(encode_query("DeleteQueue", {}, "r-1"))

    assert root.tag == f"{NAMESPACE}DeleteQueueResponse"
    assert [child.tag for child in root] == [f"{NAMESPACE}ResponseMetadata"]
    assert root.find(f"{NAMESPACE}ResponseMetadata/{NAMESPACE}RequestId").text == "r-1"


def test_response_exact_bytes():
    body = encode_query("CreateQueue", {"QueueUrl": "http://h/1/q"}, "r-1")

    assert body == (
        b'<?xml version="1.0"?><CreateQueueResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        b"<CreateQueueResult><QueueUrl>http://h/1/q</QueueUrl></CreateQueueResult>"
        b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CreateQueueResponse>"
    )


def test_empty_receive_has_empty_result():
    root = parse_xml(encode_query("ReceiveMessage", {}, "r"))
    result = root.find(f"{NAMESPACE}ReceiveMessageResult")

    assert result is not None
    assert list(result) == []


def test_lists_are_flattened():
    body = encode_query("ListQueues", {"QueueUrls": ["a", "b"], "NextToken": "t"}, "r")

    assert b"<QueueUrl>a</QueueUrl><QueueUrl>b</QueueUrl>" in body
    assert b"<QueueUrls>" not in body


def test_message_layout():
    message = {
        "MessageId": "id",
        "Body": "b",
        "Attributes": {"SenderId": "s"},
        "MessageAttributes": {
            "n": {"StringValue": "v", "DataType": "String"},
            "bin": {"BinaryValue": b"\x00\xff", "DataType": "Binary"},
        },
    }

    body = encode_query("ReceiveMessage", {"Messages": [message]}, "r")

    assert b"<Attribute><Name>SenderId</Name><Value>s</Value></Attribute>" in body
    assert (
        b"<MessageAttribute><Name>n</Name><Value><StringValue>v</StringValue>"
        b"<DataType>String</DataType></Value></MessageAttribute>"
    ) in body
    assert b"<BinaryValue>AP8=</BinaryValue>" in body


def test_batch_result_layout():
    result = {
        "Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "d"}],
        "Failed": [{"Id": "b", "SenderFault": True, "Code": "c", "Message": "x"}],
    }

    body = encode_query("SendMessageBatch", result, "r")

    assert b"<SendMessageBatchResultEntry><Id>a</Id>" in body
    assert b"<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault>" in body


def test_integer_and_long_members():
    result = {"Results": [{"StartedTimestamp": 1700000000000, "MaxNumberOfMessagesPerSecond": 5}]}

    body = encode_query("ListMessageMoveTasks", result, "r")

    assert b"<StartedTimestamp>1700000000000</StartedTimestamp>" in body
    assert b"<MaxNumberOfMessagesPerSecond>5</MaxNumberOfMessagesPerSecond>" in body


def test_none_members_omitted():
    body = encode_query("ListQueues", {"QueueUrls": ["a"], "NextToken": None}, "r")

    assert b"NextToken" not in body


def test_unknown_result_member_raises():
    with pytest.raises(ValueError, match="QueueURL"):
        encode_query("CreateQueue", {"QueueURL": "x"}, "r")


def test_request_id_escaped():
    body = encode_query("ListQueues", {}, "<id>")

    assert b"<RequestId>&lt;id&gt;</RequestId>" in body


def test_error_exact_bytes():
    error = SqsError("OverLimit", "OverLimit", 'Too "many"', status=403)

    status, body = encode_query_error(error, "r-9")

    assert status == 403
    assert body == (
        b'<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        b"<Error><Type>Sender</Type><Code>OverLimit</Code><Message>Too &quot;many&quot;</Message>"
        b"<Detail/></Error><RequestId>r-9</RequestId></ErrorResponse>"
    )


def test_error_receiver_fault():
    error = SqsError("InternalFailure", "InternalFailure", "boom", status=500, sender_fault=False)

    status, body = encode_query_error(error, "r")
    root = parse_xml(body)

    assert status == 500
    assert root.find(f"{NAMESPACE}Error/{NAMESPACE}Type").text == "Receiver"


def test_escape_fast_path_agrees_with_full_escape():
    # escape_xml skips text that its first scan finds clean, so that scan
    # must flag every character the full escape would change.
    from sqslite.wire.query_codec import _INVALID_XML_CHARACTERS, _NEEDS_ESCAPING

    special = set('&<>"\r')
    code_points = [*range(0x10000), 0x10000, 0x1F600, 0x10FFFF]
    for code_point in code_points:
        character = chr(code_point)
        changed = character in special or bool(_INVALID_XML_CHARACTERS.match(character))
        assert bool(_NEEDS_ESCAPING.match(character)) == changed, hex(code_point)


def test_escape_leaves_plain_text():
    text = "plain text with\ttabs\nand newlines ü€😀 ' apostrophe"

    assert escape_xml(text) == text
