"""The wire layer: SQS requests and responses in the JSON 1.0 and query protocols.

Both codecs are driven by the SQS service model and exchange parameters and
results as plain Python values under the model's JSON member names.
"""

from sqslite.wire.json_codec import decode_json, encode_json, encode_json_error
from sqslite.wire.model import OPERATIONS
from sqslite.wire.query_codec import decode_query, encode_query, encode_query_error

__all__ = [
    "OPERATIONS",
    "decode_json",
    "decode_query",
    "encode_json",
    "encode_json_error",
    "encode_query",
    "encode_query_error",
]
