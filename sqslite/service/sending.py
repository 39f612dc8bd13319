"""SendMessage and SendMessageBatch."""

from __future__ import annotations

import hashlib
import json

from ..ids import random_uuid
from ..store import NewMessage, QueueRecord
from . import limits, messages
from .base import RequestContext, ServiceBase, batch_entries, batch_result, failed_entry
from .errors import SqsError, invalid_parameter, invalid_parameter_value, missing_parameter

NO_DEDUPLICATION_ID = (
    "The queue should either have ContentBasedDeduplication enabled or "
    "MessageDeduplicationId provided explicitly"
)


def check_fifo_batch(queue: QueueRecord, entries: list[dict]) -> None:
    """Reject a whole FIFO batch for a missing group id or deduplication id, as SQS does."""
    if any(entry.get("MessageGroupId") is None for entry in entries):
        raise invalid_parameter_value("The request must contain the parameter MessageGroupId.")
    content_based = queue.attributes.get("ContentBasedDeduplication") == "true"
    if not content_based and any(entry.get("MessageDeduplicationId") is None for entry in entries):
        raise invalid_parameter_value(NO_DEDUPLICATION_ID)


class SendOperations(ServiceBase):
    def send_message(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        if queue.fifo and params.get("MessageGroupId") is None:
            raise missing_parameter("MessageGroupId")
        now = self.clock.now_ms()
        message, result = self.prepare_message(queue, params, context, now, in_batch=False)
        self.enqueue(queue, [(message, result)])
        return result

    def send_message_batch(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        entries = batch_entries(params, "SendMessageBatchRequestEntry")
        if queue.fifo:
            check_fifo_batch(queue, entries)
        total = sum(self.payload_size(entry) for entry in entries)
        if total > limits.MAX_BATCH_PAYLOAD:
            raise SqsError(
                "BatchRequestTooLong",
                "AWS.SimpleQueueService.BatchRequestTooLong",
                f"Batch requests cannot be longer than {limits.MAX_BATCH_PAYLOAD} bytes. "
                f"You have sent {total} bytes.",
            )
        accepted: list[tuple[NewMessage, dict]] = []
        entry_ids, failed = [], []
        now = self.clock.now_ms()
        for entry in entries:
            try:
                message, result = self.prepare_message(queue, entry, context, now, in_batch=True)
            except SqsError as error:
                failed.append(failed_entry(entry["Id"], error))
                continue
            accepted.append((message, result))
            entry_ids.append(entry["Id"])
        if accepted:
            self.enqueue(queue, accepted)
        successful = [
            {"Id": entry_id, **result} for entry_id, (_, result) in zip(entry_ids, accepted)
        ]
        return batch_result(successful, failed)

    def enqueue(self, queue: QueueRecord, accepted: list[tuple[NewMessage, dict]]) -> None:
        """Store validated messages in order and wake receivers.

        On a FIFO queue, a message whose deduplication id was sent in the last
        five minutes, earlier in the same batch included, is not stored: its
        response carries the first message's MessageId and SequenceNumber.
        """
        if not queue.fifo:
            if any(message.group_id is not None for message, _ in accepted):
                self.grouped_queues.add(queue.id)
            self.store.add_messages(queue, [message for message, _ in accepted])
            self.waiters.notify(queue.id)
            return
        by_group = queue.attributes.get("DeduplicationScope") == "messageGroup"
        window_start = self.clock.now_ms() - limits.FIFO_DEDUP_WINDOW_SECONDS * 1000
        seen: dict[tuple[str, str], tuple[str, str]] = {}
        new_messages, scopes = [], []
        for message, result in accepted:
            scope = message.group_id if by_group else ""
            key = (scope, message.dedup_id)
            original = seen.get(key) or self.store.find_duplicate(
                queue, scope, message.dedup_id, window_start
            )
            if original is not None:
                result["MessageId"], result["SequenceNumber"] = original
                continue
            message.sequence_number = self.next_sequence_number(queue)
            result["SequenceNumber"] = message.sequence_number
            seen[key] = (message.message_id, message.sequence_number)
            new_messages.append(message)
            scopes.append(scope)
        if new_messages:
            self.store.add_messages(queue, new_messages, scopes)
            self.waiters.notify(queue.id)

    @staticmethod
    def payload_size(entry: dict) -> int:
        """Size of one batch entry toward the 1 MiB batch limit, before validation."""
        body = entry.get("MessageBody")
        size = len(body.encode("utf-8")) if isinstance(body, str) else 0
        attributes = entry.get("MessageAttributes")
        if isinstance(attributes, dict):
            for name, value in attributes.items():
                size += len(name.encode("utf-8"))
                if isinstance(value, dict):
                    for part in ("DataType", "StringValue", "BinaryValue"):
                        item = value.get(part)
                        if isinstance(item, str):
                            size += len(item.encode("utf-8"))
                        elif isinstance(item, bytes):
                            size += len(item)
        return size

    def prepare_message(
        self, queue: QueueRecord, params: dict, context: RequestContext, now: int, in_batch: bool
    ) -> tuple[NewMessage, dict]:
        """Validate one message of SendMessage or a batch entry.

        Returns the row to store and the response fields (MessageId and digests).
        """
        body = params.get("MessageBody")
        if not isinstance(body, str) or body == "":
            raise missing_parameter("MessageBody")
        delay = params.get("DelaySeconds")
        if delay is not None:
            if not isinstance(delay, int) or isinstance(delay, bool) or not (
                0 <= delay <= limits.MAX_DELAY_SECONDS
            ):
                raise invalid_parameter(
                    "DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900."
                )
        encoded_body = messages.check_body(body)
        attributes = messages.validate_attributes(params.get("MessageAttributes"))
        sent_system = messages.validate_system_attributes(params.get("MessageSystemAttributes"))

        maximum = queue.number("MaximumMessageSize")
        size = len(encoded_body) + messages.attributes_size(attributes)
        if size > maximum:
            verb = "cannot be validated" if in_batch else "are invalid"
            raise invalid_parameter_value(
                f"One or more parameters {verb}. Reason: Message must be shorter than "
                f"{maximum} bytes."
            )

        group_id = params.get("MessageGroupId")
        if group_id is not None:
            messages.check_group_id("MessageGroupId", group_id)
        dedup_id = params.get("MessageDeduplicationId")
        if queue.fifo:
            if delay:
                raise invalid_parameter(
                    "DelaySeconds",
                    delay,
                    "The request include parameter that is not valid for this queue type.",
                )
            # An explicit 0 is accepted and ignored: the queue's delay applies.
            delay = None
            if group_id is None:
                raise missing_parameter("MessageGroupId")
            if dedup_id is None:
                if queue.attributes.get("ContentBasedDeduplication") != "true":
                    raise invalid_parameter_value(NO_DEDUPLICATION_ID)
                dedup_id = hashlib.sha256(encoded_body).hexdigest()
            else:
                messages.check_group_id("MessageDeduplicationId", dedup_id)
        elif dedup_id is not None:
            # NOTE: whether standard queues reject MessageDeduplicationId since fair
            # queues launched is unconfirmed; this follows the pre-2025 behaviour.
            raise invalid_parameter(
                "MessageDeduplicationId",
                dedup_id,
                "The request include parameter that is not valid for this queue type.",
            )

        system = dict(sent_system)
        if "AWSTraceHeader" not in system and context.trace_header:
            system["AWSTraceHeader"] = {"DataType": "String", "StringValue": context.trace_header}
        if delay is None:
            delay = queue.number("DelaySeconds")
        message_id = random_uuid()
        md5_body = hashlib.md5(encoded_body).hexdigest()
        message = NewMessage(
            message_id=message_id,
            body=body,
            md5_body=md5_body,
            attributes=messages.encode_attributes(attributes),
            system_attributes=json.dumps(
                {name: value["StringValue"] for name, value in system.items()}
            )
            if system
            else None,
            sender_id=context.account_id,
            sent_at=now,
            visible_at=now + delay * 1000,
            group_id=group_id,
            dedup_id=dedup_id,
        )
        result = {"MessageId": message_id, "MD5OfMessageBody": md5_body}
        if attributes:
            result["MD5OfMessageAttributes"] = messages.attribute_digest(attributes)
        if sent_system:
            result["MD5OfMessageSystemAttributes"] = messages.attribute_digest(sent_system)
        return message, result
