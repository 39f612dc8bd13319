"""Round trips through botocore's own serializers and parsers, for every SQS operation.

botocore is the oracle: a request that botocore serializes must decode to
the parameters botocore was given, and a response that we encode must
parse in botocore to the result we were given. Sample values are generated
from botocore's shape model, so every member of every input and output
shape is covered, including the nested lists and maps of batch entries.
"""

from __future__ import annotations

import copy
import json
from urllib.parse import parse_qsl, urlencode

import botocore.session
import pytest
from botocore.model import ServiceModel
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from sqslite.service import errors
from sqslite.service.errors import SqsError
from sqslite.wire import (
    OPERATIONS,
    decode_json,
    decode_query,
    encode_json,
    encode_json_error,
    encode_query,
    encode_query_error,
)
from sqslite.wire.model import MODEL_PATH

# Characters that tend to break codecs: XML and form specials, a carriage
# return that XML parsers would normalise, and text outside the BMP.
AWKWARD_TEXT = 'a&b<c>d"e\'f\r\ng\th+i=j/k%l ü€😀 &quot;'
BINARY = bytes([0, 1, 2, 127, 128, 254, 255]) + "ü".encode()


def load_botocore_model(protocol: str) -> ServiceModel:
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model["metadata"]["protocol"] = protocol
    model["metadata"]["protocols"] = [protocol]
    return ServiceModel(model, service_name="sqs")


QUERY_MODEL = load_botocore_model("query")
# The JSON side uses the model that botocore ships, exactly as boto3 does,
# because the query traits merged into ours would rename JSON members.
JSON_MODEL = botocore.session.get_session().get_service_model("sqs")


def sample_value(shape, label: str, depth: int = 0):
    """Build a value for a botocore shape with every member filled in."""
    kind = shape.type_name
    if kind == "structure":
        return {
            name: sample_value(member, f"{label}.{name}", depth + 1)
            for name, member in shape.members.items()
        }
    if kind == "list":
        # Eleven elements, so that index 10 must sort after index 2.
        count = 11 if depth == 0 else 2
        return [sample_value(shape.member, f"{label}[{i}]", depth + 1) for i in range(count)]
    if kind == "map":
        return {
            f"{label}-key-{i} ü": sample_value(shape.value, f"{label}-value-{i}", depth + 1)
            for i in range(3)
        }
    if kind == "string":
        return f"{label} {AWKWARD_TEXT}"
    if kind == "integer":
        return 2_000_000_000
    if kind == "long":
        return 2**40 + 3
    if kind == "boolean":
        return len(label) % 2 == 0
    if kind == "blob":
        return BINARY + label.encode()
    raise AssertionError(f"no sample for shape type {kind}")


def sample_input(model: ServiceModel, operation: str) -> dict:
    shape = model.operation_model(operation).input_shape
    return sample_value(shape, operation) if shape is not None else {}


def sample_output(model: ServiceModel, operation: str) -> dict:
    shape = model.operation_model(operation).output_shape
    return sample_value(shape, operation) if shape is not None else {}


def serialize_query(operation: str, params: dict) -> list[tuple[str, str]]:
    request = create_serializer("query", include_validation=False).serialize_to_request(
        params, QUERY_MODEL.operation_model(operation)
    )
    # Percent-encode and decode again, as the HTTP layer would.
    return parse_qsl(urlencode(request["body"]), keep_blank_values=True)


def parse_query(operation: str, body: bytes) -> dict:
    response = {"body": body, "headers": {}, "status_code": 200}
    shape = QUERY_MODEL.operation_model(operation).output_shape
    parsed = create_parser("query").parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def parse_json(operation: str, body: bytes) -> dict:
    response = {"body": body, "headers": {}, "status_code": 200}
    shape = JSON_MODEL.operation_model(operation).output_shape
    parsed = create_parser("json").parse(response, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def test_operations_match_botocore():
    assert OPERATIONS == frozenset(JSON_MODEL.operation_names)
    assert len(OPERATIONS) == 23


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_query_request_round_trip(operation):
    params = sample_input(QUERY_MODEL, operation)
    fields = serialize_query(operation, copy.deepcopy(params))

    decoded_operation, decoded = decode_query(fields)

    assert decoded_operation == operation
    assert decoded == params


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_query_request_out_of_order(operation):
    params = sample_input(QUERY_MODEL, operation)
    fields = serialize_query(operation, copy.deepcopy(params))
    fields.reverse()

    assert decode_query(fields) == (operation, params)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_query_response_round_trip(operation):
    result = sample_output(QUERY_MODEL, operation)
    body = encode_query(operation, result, "request-1")

    assert parse_query(operation, body) == result


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_query_response_request_id(operation):
    body = encode_query(operation, sample_output(QUERY_MODEL, operation), "req-42")
    response = {"body": body, "headers": {}, "status_code": 200}
    shape = QUERY_MODEL.operation_model(operation).output_shape

    parsed = create_parser("query").parse(response, shape)

    assert parsed["ResponseMetadata"]["RequestId"] == "req-42"


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_json_request_round_trip(operation):
    params = sample_input(JSON_MODEL, operation)
    request = create_serializer("json", include_validation=False).serialize_to_request(
        copy.deepcopy(params), JSON_MODEL.operation_model(operation)
    )

    decoded = decode_json(request["headers"]["X-Amz-Target"], request["body"])

    assert decoded == (operation, params)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_json_response_round_trip(operation):
    result = sample_output(JSON_MODEL, operation)
    body = encode_json(operation, result)

    assert parse_json(operation, body) == result


def test_query_empty_list_round_trip():
    params = {"QueueUrl": "q", "AttributeNames": [], "MessageAttributeNames": ["All"]}
    fields = serialize_query("ReceiveMessage", params)

    assert ("AttributeNames", "") in fields
    assert decode_query(fields) == ("ReceiveMessage", params)


def test_query_empty_map_round_trip():
    params = {"QueueName": "q", "Attributes": {}}
    fields = serialize_query("CreateQueue", params)

    # botocore sends nothing for an empty map, so the member is absent.
    assert decode_query(fields) == ("CreateQueue", {"QueueName": "q"})


@pytest.mark.parametrize(
    "body",
    [
        '"&quot;&quot;\r',
        "\r",
        "\r\n\r\n",
        "line\rline\nline\r\n",
        '<a href="x">&amp;</a>',
        "]]>",
        "  leading and trailing spaces  ",
        "",
    ],
)
def test_query_body_escaping_round_trip(body):
    result = {"Messages": [{"MessageId": "m", "Body": body}]}
    xml = encode_query("ReceiveMessage", result, "r")

    assert parse_query("ReceiveMessage", xml) == result


def test_query_escapes_quote_and_carriage_return():
    xml = encode_query("ReceiveMessage", {"Messages": [{"Body": '"\r'}]}, "r")

    assert b"<Body>&quot;&#xD;</Body>" in xml


def test_query_text_invalid_in_xml_still_parses():
    # SQS rejects these characters in bodies, but the encoder must not fail
    # on them, and its output must stay well-formed.
    result = {"Messages": [{"Body": "a\x00b\x1bc\ud800d\ufffee"}]}
    xml = encode_query("ReceiveMessage", result, "r")

    parsed = parse_query("ReceiveMessage", xml)

    assert parsed == {"Messages": [{"Body": "a\ufffdb\ufffdc\ufffdd\ufffde"}]}


def test_json_text_with_lone_surrogate_encodes():
    body = encode_json("ReceiveMessage", {"Messages": [{"Body": "a\ud800b"}]})

    assert json.loads(body) == {"Messages": [{"Body": "a\ud800b"}]}


ERROR_CASES = [
    errors.queue_does_not_exist(),
    errors.invalid_parameter("MaxNumberOfMessages", 11, "Must be between 1 and 10, if provided."),
    errors.missing_parameter("QueueUrl"),
    errors.invalid_action("FooBar"),
    errors.internal_error(),
    SqsError(
        "PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        'Only one PurgeQueue operation on q is allowed every 60 seconds & "more".',
        status=403,
    ),
]


@pytest.mark.parametrize("error", ERROR_CASES, ids=lambda error: error.code)
def test_query_error_parsed_by_botocore(error):
    status, body = encode_query_error(error, "req-err")
    response = {"body": body, "headers": {}, "status_code": status}

    parsed = create_parser("query").parse(response, None)

    assert status == error.status
    assert parsed["Error"]["Code"] == error.code
    assert parsed["Error"]["Message"] == error.query_message
    assert parsed["Error"]["Type"] == error.fault
    assert parsed["ResponseMetadata"]["RequestId"] == "req-err"


def test_query_error_uses_query_message():
    _, body = encode_query_error(errors.queue_does_not_exist(), "r")
    response = {"body": body, "headers": {}, "status_code": 400}

    parsed = create_parser("query").parse(response, None)

    assert parsed["Error"]["Message"] == (
        "The specified queue does not exist for this wsdl version."
    )


@pytest.mark.parametrize("error", ERROR_CASES, ids=lambda error: error.code)
def test_json_error_parsed_by_botocore(error):
    status, headers, body = encode_json_error(error)
    response = {"body": body, "headers": headers, "status_code": status}

    parsed = create_parser("json").parse(response, None)

    assert status == error.status
    assert parsed["Error"]["Code"] == error.code
    assert parsed["Error"]["QueryErrorCode"] == error.shape
    assert parsed["Error"]["Type"] == error.fault
    assert parsed["Error"]["Message"] == error.message


def test_json_error_headers_and_body():
    status, headers, body = encode_json_error(errors.queue_does_not_exist())

    assert status == 400
    assert headers == {
        "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender",
        "content-type": "application/x-amz-json-1.0",
    }
    assert json.loads(body) == {
        "__type": "com.amazonaws.sqs#QueueDoesNotExist",
        "message": "The specified queue does not exist.",
    }


def test_wire_errors_parsed_by_botocore():
    with pytest.raises(SqsError) as unknown:
        decode_json("AmazonSQS.FooBar", b"{}")
    with pytest.raises(SqsError) as malformed:
        decode_json("AmazonSQS.ListQueues", b"{not json")

    for error, code in ((unknown.value, "UnknownOperationException"),
                        (malformed.value, "SerializationException")):
        status, headers, body = encode_json_error(error)
        response = {"body": body, "headers": headers, "status_code": status}
        parsed = create_parser("json").parse(response, None)
        assert parsed["Error"]["Code"] == code
        assert parsed["Error"]["QueryErrorCode"] == code
        assert status == 400
