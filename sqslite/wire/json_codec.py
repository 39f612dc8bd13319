"""The AWS JSON 1.0 protocol: ``X-Amz-Target`` names the operation, the body is the input shape.

Decoding checks every value against the model's type and turns a mismatch
into a ``SerializationException``, so the service receives only well-typed
parameters. Decoders and encoders are built once per shape at import.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable

from sqslite.service.errors import SqsError
from sqslite.wire.errors import serialization_error, unknown_operation
from sqslite.wire.model import (
    BLOB,
    BOOLEAN,
    INTEGER,
    LIST,
    LONG,
    MAP,
    SERVICE,
    STRING,
    STRUCTURE,
    Node,
)

CONTENT_TYPE = "application/x-amz-json-1.0"

Decoder = Callable[[object], object]
Encoder = Callable[[object], object]


class _TypeMismatch(Exception):
    """A JSON value of the wrong type.

    Each enclosing container appends its key to ``path`` as the exception
    propagates, so ``path`` lists the keys innermost first.
    """

    def __init__(self, expected: str, value: object) -> None:
        super().__init__(expected)
        self.expected = expected
        self.value = value
        self.path: list[str] = []


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _decode_string(value: object) -> str:
    if type(value) is str:
        return value
    raise _TypeMismatch("a string", value)


def _decode_integer(value: object) -> int:
    if type(value) is int:
        return value
    # NOTE: UNSURE for SQS. DynamoDB, on the same JSON 1.0 framework, is
    # reported by emulator authors to floor a fractional number sent for an
    # integer member rather than reject it, and this does the same.
    if type(value) is float and math.isfinite(value):
        return math.floor(value)
    raise _TypeMismatch("an integer", value)


def _decode_boolean(value: object) -> bool:
    if type(value) is bool:
        return value
    raise _TypeMismatch("a boolean", value)


def _decode_blob(value: object) -> bytes:
    if type(value) is str:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            pass
    raise _TypeMismatch("base64-encoded text", value)


_SCALAR_DECODERS: dict[str, Decoder] = {
    STRING: _decode_string,
    INTEGER: _decode_integer,
    LONG: _decode_integer,
    BOOLEAN: _decode_boolean,
    BLOB: _decode_blob,
}


def _build_decoder(node: Node, cache: dict[Node, Decoder]) -> Decoder:
    decoder = cache.get(node)
    if decoder is not None:
        return decoder
    if node.kind == STRUCTURE:
        decoder = _structure_decoder(node, cache)
    elif node.kind == LIST:
        decoder = _list_decoder(_build_decoder(node.element, cache))
    elif node.kind == MAP:
        decoder = _map_decoder(_build_decoder(node.value, cache))
    else:
        decoder = _SCALAR_DECODERS[node.kind]
    cache[node] = decoder
    return decoder


def _structure_decoder(node: Node, cache: dict[Node, Decoder]) -> Decoder:
    member_decoders: dict[str, Decoder] = {}

    def decode(value: object) -> dict:
        if type(value) is not dict:
            raise _TypeMismatch("an object", value)
        result = {}
        for name, item in value.items():
            member_decoder = member_decoders.get(name)
            # Unknown members are ignored, and null means absent.
            if member_decoder is None or item is None:
                continue
            try:
                result[name] = member_decoder(item)
            except _TypeMismatch as mismatch:
                mismatch.path.append(name)
                raise
        return result

    # Register before building members so that a recursive shape terminates.
    cache[node] = decode
    for name, member in node.members.items():
        member_decoders[name] = _build_decoder(member.node, cache)
    return decode


def _list_decoder(element_decoder: Decoder) -> Decoder:
    def decode(value: object) -> list:
        if type(value) is not list:
            raise _TypeMismatch("an array", value)
        result = []
        for index, item in enumerate(value):
            if item is None:
                continue
            try:
                result.append(element_decoder(item))
            except _TypeMismatch as mismatch:
                mismatch.path.append(str(index))
                raise
        return result

    return decode


def _map_decoder(value_decoder: Decoder) -> Decoder:
    def decode(value: object) -> dict:
        if type(value) is not dict:
            raise _TypeMismatch("an object", value)
        result = {}
        for key, item in value.items():
            if item is None:
                continue
            try:
                result[key] = value_decoder(item)
            except _TypeMismatch as mismatch:
                mismatch.path.append(key)
                raise
        return result

    return decode


def _blob_encoder(value: object) -> str:
    return base64.b64encode(value).decode("ascii")


def _build_encoder(node: Node) -> Encoder | None:
    """Build a function that base64-encodes the blobs below ``node``, or return None if none."""
    if not node.has_blob:
        return None
    if node.kind == BLOB:
        return _blob_encoder
    if node.kind == LIST:
        element_encoder = _build_encoder(node.element)
        return lambda value: [element_encoder(item) for item in value]
    if node.kind == MAP:
        value_encoder = _build_encoder(node.value)
        return lambda value: {key: value_encoder(item) for key, item in value.items()}
    member_encoders = {}
    for name, member in node.members.items():
        member_encoder = _build_encoder(member.node)
        if member_encoder is not None:
            member_encoders[name] = member_encoder

    def encode(value: dict) -> dict:
        result = dict(value)
        for name, member_encoder in member_encoders.items():
            item = value.get(name)
            if item is not None:
                result[name] = member_encoder(item)
        return result

    return encode


def _build_tables() -> tuple[dict[str, Decoder], dict[str, Encoder | None]]:
    cache: dict[Node, Decoder] = {}
    decoders = {}
    encoders = {}
    for name, operation in SERVICE.operations.items():
        if operation.input is not None:
            decoders[name] = _build_decoder(operation.input, cache)
        else:
            decoders[name] = lambda value: {}
        encoders[name] = _build_encoder(operation.output) if operation.output else None
    return decoders, encoders


_INPUT_DECODERS, _OUTPUT_ENCODERS = _build_tables()
_TARGET_PREFIX = SERVICE.target_prefix + "."


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


# Python's decoder accepts NaN and Infinity, which JSON does not.
_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def decode_json(target: str | None, body: bytes) -> tuple[str, dict]:
    """Decode a JSON 1.0 request into the operation name and its parameters.

    Raises SqsError when the target names no operation, when the body is not
    a JSON object, or when a member has the wrong JSON type. Required members
    are not checked here.
    """
    if target is None or not target.startswith(_TARGET_PREFIX):
        raise unknown_operation(target)
    operation = target[len(_TARGET_PREFIX) :]
    decoder = _INPUT_DECODERS.get(operation)
    if decoder is None:
        raise unknown_operation(target)

    if not body.strip():
        return operation, {}
    try:
        document = _JSON_DECODER.decode(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise serialization_error(f"The request body is not valid JSON: {exc}") from None
    if type(document) is not dict:
        raise serialization_error(
            f"The request body must be a JSON object, not {_describe(document)}."
        )

    try:
        return operation, decoder(document)
    except _TypeMismatch as mismatch:
        location = ".".join(reversed(mismatch.path))
        raise serialization_error(
            f"Invalid value for {location}: expected {mismatch.expected}, "
            f"found {_describe(mismatch.value)}."
        ) from None


def encode_json(operation: str, result: dict) -> bytes:
    """Encode an operation's result as a JSON 1.0 response body, blobs as base64."""
    encoder = _OUTPUT_ENCODERS[operation]
    if not result:
        return b"{}"
    if encoder is not None:
        result = encoder(result)
    return json.dumps(result, separators=(",", ":")).encode("ascii")


def encode_json_error(error: SqsError) -> tuple[int, dict[str, str], bytes]:
    """Encode an error as status, extra headers and body of a JSON 1.0 response.

    The ``x-amzn-query-error`` header carries the query-protocol code, which
    botocore reports as ``Error.Code`` for query-compatible services like SQS.
    """
    headers = {
        "x-amzn-query-error": f"{error.code};{error.fault}",
        "content-type": CONTENT_TYPE,
    }
    body = json.dumps({"__type": error.json_type, "message": error.message})
    return error.status, headers, body.encode("ascii")
