"""The one error type of the service layer, with the codes of both protocols.

Codes, HTTP statuses and messages follow the SQS service model shipped in
botocore (error shapes and their query-era ``error.code`` traits) and
responses recorded against AWS. The JSON protocol names an error by its
shape (``QueueDoesNotExist``); the query protocol, and the JSON protocol's
``x-amzn-query-error`` header, by its legacy code
(``AWS.SimpleQueueService.NonExistentQueue``).
"""

from __future__ import annotations

# Error shapes that the JSON model declares. Their __type carries the
# service namespace (com.amazonaws.sqs#), while the unmodelled generic
# errors carry the AWS request framework's (com.amazon.coral.service#).
MODELLED_SHAPES = frozenset(
    {
        "BatchEntryIdsNotDistinct",
        "BatchRequestTooLong",
        "EmptyBatchRequest",
        "InvalidAddress",
        "InvalidAttributeName",
        "InvalidAttributeValue",
        "InvalidBatchEntryId",
        "InvalidIdFormat",
        "InvalidMessageContents",
        "InvalidSecurity",
        "MessageNotInflight",
        "OverLimit",
        "PurgeQueueInProgress",
        "QueueDeletedRecently",
        "QueueDoesNotExist",
        "QueueNameExists",
        "ReceiptHandleIsInvalid",
        "RequestThrottled",
        "ResourceNotFoundException",
        "TooManyEntriesInBatchRequest",
        "UnsupportedOperation",
    }
)


class SqsError(Exception):
    """An SQS error as both protocols send it.

    ``shape`` is the JSON ``__type`` suffix, ``code`` the query error code
    (also the first half of ``x-amzn-query-error``). ``query_message``
    replaces ``message`` in query responses where AWS words the two apart.
    """

    def __init__(
        self,
        shape: str,
        code: str,
        message: str,
        status: int = 400,
        sender_fault: bool = True,
        query_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.shape = shape
        self.code = code
        self.message = message
        self.status = status
        self.sender_fault = sender_fault
        self.query_message = query_message if query_message is not None else message

    @property
    def json_type(self) -> str:
        namespace = "com.amazonaws.sqs" if self.shape in MODELLED_SHAPES else "com.amazon.coral.service"
        return f"{namespace}#{self.shape}"

    @property
    def fault(self) -> str:
        return "Sender" if self.sender_fault else "Receiver"

    def __repr__(self) -> str:
        return f"SqsError({self.code!r}, {self.message!r}, status={self.status})"


def invalid_parameter_value(message: str) -> SqsError:
    return SqsError("InvalidParameterValueException", "InvalidParameterValue", message)


def invalid_parameter(name: str, value: object, reason: str) -> SqsError:
    """Build the usual ``Value X for parameter Y is invalid. Reason: Z`` error."""
    return invalid_parameter_value(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def missing_parameter(name: str) -> SqsError:
    return SqsError(
        "MissingRequiredParameterException",
        "MissingParameter",
        f"The request must contain the parameter {name}.",
    )


def queue_does_not_exist() -> SqsError:
    return SqsError(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        query_message="The specified queue does not exist for this wsdl version.",
    )


def invalid_action(action: str) -> SqsError:
    return SqsError(
        "InvalidAction", "InvalidAction", f"The action {action} is not valid for this endpoint."
    )


def invalid_attribute_name(message: str) -> SqsError:
    return SqsError("InvalidAttributeName", "InvalidAttributeName", message)


def invalid_attribute_value(message: str) -> SqsError:
    return SqsError("InvalidAttributeValue", "InvalidAttributeValue", message)


def receipt_handle_is_invalid(message: str) -> SqsError:
    # NOTE: a real query-protocol error from 2015 had HTTP 404; the model gives
    # no status and no current AWS recording exists, so sqslite sends 400.
    return SqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", message)


def internal_error() -> SqsError:
    return SqsError(
        "InternalFailure",
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        status=500,
        sender_fault=False,
    )
