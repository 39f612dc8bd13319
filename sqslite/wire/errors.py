"""Errors that only the wire layer raises: requests that name no operation or cannot be parsed.

These come from the AWS request framework in front of SQS rather than from
SQS itself, so their JSON ``__type`` is namespaced ``com.amazon.coral.service``
(``SqsError.json_type`` picks that for shapes outside the SQS model).
"""

from __future__ import annotations

from sqslite.service.errors import SqsError

# NOTE: UNSURE for SQS. The codes and the 400 status follow DynamoDB, another
# JSON 1.0 service on the same framework. There an unknown X-Amz-Target gives
# 400 UnknownOperationException, and a body that is not JSON, or a value of the
# wrong JSON type, gives 400 SerializationException. No recording of SQS itself
# was found. The x-amzn-query-error code for them is a guess, the exception
# name, as for other unmodelled errors.
UNKNOWN_OPERATION = "UnknownOperationException"
SERIALIZATION = "SerializationException"


def unknown_operation(target: str | None) -> SqsError:
    if target is None:
        message = (
            "The X-Amz-Target header is missing. A JSON request names its operation"
            " there, for example AmazonSQS.SendMessage."
        )
    else:
        message = (
            f"The X-Amz-Target value {target} is not a valid SQS operation."
            " Expected AmazonSQS.<Operation>, for example AmazonSQS.SendMessage."
        )
    return SqsError(UNKNOWN_OPERATION, UNKNOWN_OPERATION, message)


def missing_action() -> SqsError:
    # A query request without Action was recorded against AWS (a GET of a
    # queue URL) as 404 UnknownOperationException.
    # NOTE: UNSURE of the message text, because the recording fixes only the
    # code and the status.
    return SqsError(
        UNKNOWN_OPERATION,
        UNKNOWN_OPERATION,
        "The request must contain the parameter Action.",
        status=404,
    )


def serialization_error(message: str) -> SqsError:
    return SqsError(SERIALIZATION, SERIALIZATION, message)
