"""MD5 digests that SQS returns and that SDKs check.

The attribute digest follows the algorithm in the SQS Developer Guide
("Calculating the MD5 message digest for message attributes"). Attributes are
sorted by name. Each is encoded as its length-prefixed name, its
length-prefixed data type, one transport byte (1 for StringValue, 2 for
BinaryValue) and its length-prefixed value. Every length is a 4-byte
big-endian integer.
"""

from __future__ import annotations

import hashlib
import struct

STRING_TRANSPORT = b"\x01"
BINARY_TRANSPORT = b"\x02"


def _length_prefixed(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict[str, dict]) -> str:
    """Digest a map of name -> {"DataType", "StringValue" | "BinaryValue"}."""
    buffer = bytearray()
    for name in sorted(attributes):
        value = attributes[name]
        buffer += _length_prefixed(name.encode("utf-8"))
        buffer += _length_prefixed(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            buffer += BINARY_TRANSPORT
            buffer += _length_prefixed(value["BinaryValue"])
        else:
            buffer += STRING_TRANSPORT
            buffer += _length_prefixed(value["StringValue"].encode("utf-8"))
    return hashlib.md5(buffer).hexdigest()
