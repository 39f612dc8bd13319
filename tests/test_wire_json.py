"""The JSON 1.0 codec on hand-written requests: targets, malformed bodies, type checks and encoding."""

from __future__ import annotations

import json

import pytest

from sqslite.service.errors import SqsError
from sqslite.wire import decode_json, encode_json


def decode_error(target: str | None, body: bytes) -> SqsError:
    with pytest.raises(SqsError) as caught:
        decode_json(target, body)
    return caught.value


# ---------------------------------------------------------------- targets


@pytest.mark.parametrize(
    "target",
    [None, "", "AmazonSQS.FooBar", "AmazonSQS.", "SendMessage", "DynamoDB_20120810.SendMessage",
     "amazonsqs.SendMessage", "AmazonSQS.sendMessage", "AmazonSQS.SendMessage.Extra"],
)
def test_unknown_target_rejected(target):
    error = decode_error(target, b"{}")

    assert error.code == "UnknownOperationException"
    assert error.shape == "UnknownOperationException"
    assert error.status == 400
    assert error.json_type == "com.amazon.coral.service#UnknownOperationException"


def test_unknown_target_message_names_value():
    error = decode_error("AmazonSQS.FooBar", b"{}")

    assert "AmazonSQS.FooBar" in error.message


def test_missing_target_message():
    error = decode_error(None, b"{}")

    assert "X-Amz-Target header is missing" in error.message


def test_unknown_target_checked_before_body():
    error = decode_error("AmazonSQS.FooBar", b"not json")

    assert error.code == "UnknownOperationException"


# ---------------------------------------------------------------- bodies


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}"])
def test_empty_body_means_no_parameters(body):
    assert decode_json("AmazonSQS.ListQueues", body) == ("ListQueues", {})


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"{'QueueName': 'q'}",
        b'{"QueueName": "q",}',
        b"\xff\xfe{}",
        b'{"QueueName": NaN}',
        b'{"MaxResults": Infinity}',
        b"1" * 5000,
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["truncated", "single-quotes", "trailing-comma", "bad-utf8", "nan", "infinity",
         "huge-number", "deep-nesting"],
)
def test_malformed_body_rejected(body):
    error = decode_error("AmazonSQS.ListQueues", body)

    assert error.code == "SerializationException"
    assert error.status == 400
    assert error.json_type == "com.amazon.coral.service#SerializationException"


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"3", b"null", b"true"])
def test_body_not_object_rejected(body):
    error = decode_error("AmazonSQS.ListQueues", body)

    assert error.code == "SerializationException"
    assert "must be a JSON object" in error.message


def test_utf8_body_decoded():
    body = json.dumps({"QueueUrl": "u", "MessageBody": "ü€😀\r\n"}, ensure_ascii=False)

    _, params = decode_json("AmazonSQS.SendMessage", body.encode("utf-8"))

    assert params["MessageBody"] == "ü€😀\r\n"


def test_escaped_lone_surrogate_passes_through():
    # SQS rejects such bodies, which is the service's check, not the codec's.
    _, params = decode_json("AmazonSQS.SendMessage", b'{"MessageBody": "a\\ud800"}')

    assert params == {"MessageBody": "a\ud800"}


# ---------------------------------------------------------------- members


def test_unknown_members_ignored():
    body = json.dumps({"QueueName": "q", "Bogus": {"x": 1}, "queueName": 5}).encode()

    assert decode_json("AmazonSQS.GetQueueUrl", body) == ("GetQueueUrl", {"QueueName": "q"})


def test_null_members_treated_as_absent():
    body = json.dumps(
        {"QueueUrl": "u", "MaxNumberOfMessages": None, "AttributeNames": ["All", None]}
    ).encode()

    _, params = decode_json("AmazonSQS.ReceiveMessage", body)

    assert params == {"QueueUrl": "u", "AttributeNames": ["All"]}


def test_nested_members_decoded():
    body = json.dumps(
        {
            "QueueUrl": "u",
            "Entries": [
                {
                    "Id": "a",
                    "MessageBody": "b",
                    "DelaySeconds": 4,
                    "MessageAttributes": {
                        "bin": {"DataType": "Binary", "BinaryValue": "AAEC"},
                        "list": {"DataType": "String", "StringListValues": ["x", "y"]},
                    },
                }
            ],
        }
    ).encode()

    _, params = decode_json("AmazonSQS.SendMessageBatch", body)

    assert params == {
        "QueueUrl": "u",
        "Entries": [
            {
                "Id": "a",
                "MessageBody": "b",
                "DelaySeconds": 4,
                "MessageAttributes": {
                    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
                    "list": {"DataType": "String", "StringListValues": ["x", "y"]},
                },
            }
        ],
    }


def test_lower_case_member_names():
    body = json.dumps({"QueueName": "q", "tags": {"env": "dev"}}).encode()

    _, params = decode_json("AmazonSQS.CreateQueue", body)

    assert params == {"QueueName": "q", "tags": {"env": "dev"}}


TYPE_MISMATCHES = [
    ("ReceiveMessage", {"MaxNumberOfMessages": "10"}, "MaxNumberOfMessages", "an integer"),
    ("ReceiveMessage", {"MaxNumberOfMessages": True}, "MaxNumberOfMessages", "an integer"),
    ("ReceiveMessage", {"MaxNumberOfMessages": [1]}, "MaxNumberOfMessages", "an integer"),
    ("ReceiveMessage", {"QueueUrl": 5}, "QueueUrl", "a string"),
    ("ReceiveMessage", {"QueueUrl": {"a": 1}}, "QueueUrl", "a string"),
    ("ReceiveMessage", {"AttributeNames": "All"}, "AttributeNames", "an array"),
    ("ReceiveMessage", {"AttributeNames": ["All", 3]}, "AttributeNames.1", "a string"),
    ("CreateQueue", {"Attributes": ["x"]}, "Attributes", "an object"),
    ("CreateQueue", {"Attributes": {"DelaySeconds": 5}}, "Attributes.DelaySeconds", "a string"),
    ("SendMessage", {"MessageAttributes": {"a": "x"}}, "MessageAttributes.a", "an object"),
    (
        "SendMessage",
        {"MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": "!!"}}},
        "MessageAttributes.a.BinaryValue",
        "base64-encoded text",
    ),
    (
        "SendMessageBatch",
        {"Entries": [{"Id": "a"}, {"Id": "b", "DelaySeconds": "5"}]},
        "Entries.1.DelaySeconds",
        "an integer",
    ),
]


@pytest.mark.parametrize("operation,params,location,expected", TYPE_MISMATCHES)
def test_type_mismatch_rejected(operation, params, location, expected):
    error = decode_error(f"AmazonSQS.{operation}", json.dumps(params).encode())

    assert error.code == "SerializationException"
    assert error.status == 400
    assert error.message.startswith(f"Invalid value for {location}: expected {expected}, found ")


def test_type_mismatch_message():
    error = decode_error("AmazonSQS.ReceiveMessage", b'{"MaxNumberOfMessages": "10"}')

    assert error.message == (
        "Invalid value for MaxNumberOfMessages: expected an integer, found a string."
    )


def test_overflowing_number_rejected():
    # Python parses 1e400 as an infinite float, which no integer member takes.
    error = decode_error("AmazonSQS.ListMessageMoveTasks", b'{"MaxResults": 1e400}')

    assert error.message == "Invalid value for MaxResults: expected an integer, found a number."


def test_fractional_integer_truncated():
    _, params = decode_json("AmazonSQS.ReceiveMessage", b'{"MaxNumberOfMessages": 5.7}')

    assert params == {"MaxNumberOfMessages": 5}


def test_large_integer_left_to_service():
    # Range checks belong to the service, which words them as SQS does.
    _, params = decode_json("AmazonSQS.ReceiveMessage", b'{"WaitTimeSeconds": 99999999999999}')

    assert params == {"WaitTimeSeconds": 99999999999999}


# ---------------------------------------------------------------- encoding


def test_encode_operation_without_output():
    assert encode_json("DeleteQueue", {}) == b"{}"


def test_encode_empty_result():
    assert encode_json("ReceiveMessage", {}) == b"{}"


def test_encode_blobs_as_base64():
    result = {
        "Messages": [
            {
                "Body": "b",
                "MessageAttributes": {
                    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\xff"},
                    "bins": {"DataType": "Binary", "BinaryListValues": [b"\x01", b"\x02"]},
                    "str": {"DataType": "String", "StringValue": "s"},
                },
            },
            {"Body": "no attributes"},
        ]
    }

    encoded = json.loads(encode_json("ReceiveMessage", result))

    attributes = encoded["Messages"][0]["MessageAttributes"]
    assert attributes["bin"] == {"DataType": "Binary", "BinaryValue": "AP8="}
    assert attributes["bins"] == {"DataType": "Binary", "BinaryListValues": ["AQ==", "Ag=="]}
    assert attributes["str"] == {"DataType": "String", "StringValue": "s"}
    assert encoded["Messages"][1] == {"Body": "no attributes"}


def test_encode_leaves_result_unchanged():
    attribute = {"DataType": "Binary", "BinaryValue": b"\x00"}
    result = {"Messages": [{"MessageAttributes": {"a": attribute}}]}

    encode_json("ReceiveMessage", result)

    assert attribute["BinaryValue"] == b"\x00"


def test_encode_integers_and_booleans():
    result = {
        "Successful": [],
        "Failed": [{"Id": "a", "SenderFault": False, "Code": "c"}],
    }

    encoded = json.loads(encode_json("DeleteMessageBatch", result))

    assert encoded == result


def test_encode_is_compact_ascii():
    body = encode_json("GetQueueUrl", {"QueueUrl": "ü"})

    assert body == b'{"QueueUrl":"\\u00fc"}'
