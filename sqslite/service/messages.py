"""Validation of message contents, and the shape of received messages."""

from __future__ import annotations

import base64
import json
import math
import re

from . import limits
from .errors import SqsError, invalid_parameter, invalid_parameter_value
from .md5 import md5_of_attributes

# Characters allowed in bodies and String attribute values (model):
# #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
_INVALID_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Attribute names: letters (any script), digits, underscore, hyphen, period.
_ATTRIBUTE_NAME = re.compile(r"^[\w.-]+$")
_RESERVED_PREFIXES = ("aws.", "amazon.")
_DATA_TYPE = re.compile(r"^(String|Number|Binary)(\..+)?$", re.DOTALL)

# MessageGroupId, MessageDeduplicationId, ReceiveRequestAttemptId: 1-128
# printable ASCII characters other than space (model).
_MESSAGE_GROUP_ID = re.compile(r"^[!-~]{1,128}$")

SYSTEM_ATTRIBUTE_NAMES = ("AWSTraceHeader",)


# ASCII control characters that SQS rejects: all below 0x20 except tab, LF, CR.
_ASCII_CONTROL = bytes(code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))


def find_invalid_character(text: str) -> str | None:
    if text.isascii():
        # Faster than the regular expression for the common all-ASCII text.
        encoded = text.encode("ascii")
        if len(encoded.translate(None, _ASCII_CONTROL)) == len(encoded):
            return None
    match = _INVALID_CHARACTER.search(text)
    return match.group() if match else None


def check_body(body: str) -> bytes:
    """Reject a body with characters SQS does not allow; return its UTF-8 bytes."""
    character = find_invalid_character(body)
    if character is not None:
        raise SqsError(
            "InvalidMessageContents",
            "InvalidMessageContents",
            f"Invalid binary character '#x{ord(character):X}' was found in the message body, "
            "the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | "
            "[#xE000-#xFFFD] | [#x10000-#x10FFFF].",
        )
    return body.encode("utf-8")


def check_group_id(name: str, value: str) -> None:
    if not _MESSAGE_GROUP_ID.match(value):
        raise invalid_parameter(
            name,
            value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def _check_attribute_name(name: str) -> None:
    valid = (
        isinstance(name, str)
        and 0 < len(name) <= limits.MAX_ATTRIBUTE_NAME_LENGTH
        and _ATTRIBUTE_NAME.match(name)
        and not name.startswith(".")
        and not name.endswith(".")
        and ".." not in name
        and not name.lower().startswith(_RESERVED_PREFIXES)
    )
    if not valid:
        # NOTE: AWS's exact wording for an invalid attribute name is unconfirmed.
        raise invalid_parameter_value(
            f"Message (user) attribute name '{name}' is invalid. Names can contain "
            "alphanumeric characters, hyphens, underscores and periods, must not start with "
            "AWS. or Amazon. or a period, must not end with a period, must not contain two "
            "periods in a row, and can be up to 256 characters long."
        )


def _check_attribute_value(name: str, value: object, kind: str) -> dict:
    """Check one attribute value and return it as the store keeps it."""
    if not isinstance(value, dict):
        raise invalid_parameter_value(f"The message attribute '{name}' must contain a value.")
    data_type = value.get("DataType")
    if not isinstance(data_type, str) or not data_type:
        raise invalid_parameter_value(
            f"The message attribute '{name}' must contain non-empty message attribute type."
        )
    match = _DATA_TYPE.match(data_type)
    if not match or len(data_type) > limits.MAX_DATA_TYPE_LENGTH:
        raise invalid_parameter_value(
            f"The type of message ({kind}) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String."
        )
    base_type = match.group(1)
    if "StringListValues" in value or "BinaryListValues" in value:
        raise invalid_parameter_value(
            f"Message ({kind}) attribute '{name}' uses list values, which SQS reserves "
            "and does not implement."
        )
    if base_type == "Binary":
        binary = value.get("BinaryValue")
        if not isinstance(binary, bytes) or not binary:
            raise invalid_parameter_value(
                f"Message ({kind}) attribute '{name}' must contain a non-empty value of type "
                "'Binary'."
            )
        return {"DataType": data_type, "BinaryValue": binary}
    text = value.get("StringValue")
    if not isinstance(text, str) or not text:
        raise invalid_parameter_value(
            f"Message ({kind}) attribute '{name}' must contain a non-empty value of type "
            f"'{base_type}'."
        )
    if find_invalid_character(text) is not None:
        raise invalid_parameter_value(
            f"Message ({kind}) attribute '{name}' contains an invalid character. Valid "
            "characters are #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | "
            "[#x10000-#x10FFFF]."
        )
    if base_type == "Number":
        _check_number(name, text, kind)
    return {"DataType": data_type, "StringValue": text}


def _check_number(name: str, text: str, kind: str) -> None:
    """Reject Number values that are not decimal numbers SQS can hold.

    The Developer Guide allows up to 38 significant digits and magnitudes
    from 10^-128 to 10^+126. The text is kept as sent, because the MD5 that
    the client checks covers the sent text.
    """
    try:
        number = float(text)
    except ValueError:
        number = None
    digits = re.sub(r"[eE].*$", "", text).lstrip("+-").replace(".", "").lstrip("0")
    in_range = number is not None and math.isfinite(number) and abs(number) < 1e127
    if not in_range or len(digits) > 38 or (number != 0 and abs(number) < 1e-128):
        raise invalid_parameter_value(
            f"Can't cast the value of message ({kind}) attribute '{name}' to a number."
        )


def validate_attributes(attributes: object) -> dict[str, dict]:
    """Check SendMessage's MessageAttributes; return them as the store keeps them."""
    if not attributes:
        return {}
    if not isinstance(attributes, dict):
        raise invalid_parameter_value("MessageAttributes must be a map.")
    if len(attributes) > limits.MAX_MESSAGE_ATTRIBUTES:
        raise invalid_parameter_value(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{limits.MAX_MESSAGE_ATTRIBUTES}]."
        )
    checked = {}
    for name, value in attributes.items():
        _check_attribute_name(name)
        checked[name] = _check_attribute_value(name, value, "user")
    return checked


def validate_system_attributes(attributes: object) -> dict[str, dict]:
    if not attributes:
        return {}
    if not isinstance(attributes, dict):
        raise invalid_parameter_value("MessageSystemAttributes must be a map.")
    checked = {}
    for name, value in attributes.items():
        if name not in SYSTEM_ATTRIBUTE_NAMES:
            raise invalid_parameter_value(
                f"Message system attribute name '{name}' is invalid. The only supported "
                "message system attribute is AWSTraceHeader."
            )
        checked[name] = _check_attribute_value(name, value, "system")
        if checked[name]["DataType"] != "String":
            raise invalid_parameter_value(
                f"Message system attribute '{name}' must be of type 'String'."
            )
    return checked


def attributes_size(attributes: dict[str, dict]) -> int:
    """Count attribute bytes toward the message size: name, type and value."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            size += len(value["BinaryValue"])
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


def encode_attributes(attributes: dict[str, dict]) -> str | None:
    """Serialize checked attributes for the store (binary values as base64)."""
    if not attributes:
        return None
    stored = {}
    for name, value in attributes.items():
        if "BinaryValue" in value:
            stored[name] = {
                "DataType": value["DataType"],
                "BinaryValue": base64.b64encode(value["BinaryValue"]).decode("ascii"),
            }
        else:
            stored[name] = value
    return json.dumps(stored, ensure_ascii=False, separators=(",", ":"))


def decode_attributes(stored: str | None) -> dict[str, dict]:
    if not stored:
        return {}
    attributes = json.loads(stored)
    for value in attributes.values():
        if "BinaryValue" in value:
            value["BinaryValue"] = base64.b64decode(value["BinaryValue"])
    return attributes


def select_attributes(attributes: dict[str, dict], names: list[str] | None) -> dict[str, dict]:
    """Apply ReceiveMessage's MessageAttributeNames filter.

    ``All``, ``.*`` and ``*`` select everything; ``prefix.*`` selects names
    starting with prefix; any other entry is an exact, case-sensitive name.
    """
    if not names or not attributes:
        return {}
    if any(name in ("All", ".*", "*") for name in names):
        return attributes
    exact = {name for name in names if not name.endswith(".*")}
    prefixes = tuple(name[:-2] for name in names if name.endswith(".*"))
    return {
        name: value
        for name, value in attributes.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }


def attribute_digest(attributes: dict[str, dict]) -> str | None:
    return md5_of_attributes(attributes) if attributes else None
