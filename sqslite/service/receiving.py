"""ReceiveMessage, DeleteMessage and ChangeMessageVisibility, with their batches."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re

from ..store import MessageRecord, QueueRecord
from . import limits, messages
from .base import RequestContext, batch_entries, batch_result, failed_entry
from .errors import SqsError, invalid_parameter, missing_parameter, receipt_handle_is_invalid
from .redrive import RedriveOperations

HANDLE_PREFIX = "sqslite"
# The store makes receipt tokens as lower(hex(randomblob(12))).
RECEIPT_TOKEN = re.compile(r"[0-9a-f]{24}")


def make_receipt_handle(queue: QueueRecord, message: MessageRecord) -> str:
    """Build a receipt handle naming the queue, the message row and this receive."""
    raw = f"{HANDLE_PREFIX}:{queue.id}:{message.id}:{message.receipt_token}"
    return base64.b64encode(raw.encode("ascii")).decode("ascii")


def parse_receipt_handle(handle: str, queue: QueueRecord) -> tuple[int, str]:
    """Return (message row id, receipt token) of a handle of this queue."""
    try:
        if len(handle) > limits.MAX_RECEIPT_HANDLE_LENGTH:
            raise ValueError(len(handle))
        raw = base64.b64decode(handle.encode("ascii"), validate=True).decode("ascii")
        prefix, queue_id, row_id, token = raw.split(":")
        if prefix != HANDLE_PREFIX or not RECEIPT_TOKEN.fullmatch(token):
            raise ValueError(prefix)
        queue_number, row_number = int(queue_id), int(row_id)
    except (binascii.Error, UnicodeError, ValueError):
        raise receipt_handle_is_invalid(
            f'The input receipt handle "{handle}" is not a valid receipt handle.'
        ) from None
    if queue_number != queue.id:
        raise receipt_handle_is_invalid(f'The receipt handle "{handle}" is not valid for this queue.')
    return row_number, token


def expired_handle(handle: str) -> SqsError:
    return invalid_parameter("ReceiptHandle", handle, "The receipt handle has expired.")


class ReceiveOperations(RedriveOperations):
    async def receive_message(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        max_messages = self.optional_int(
            params,
            "MaxNumberOfMessages",
            1,
            limits.MAX_RECEIVE_MESSAGES,
            "Must be between 1 and 10, if provided.",
        )
        visibility = self.optional_int(
            params,
            "VisibilityTimeout",
            0,
            limits.MAX_VISIBILITY_TIMEOUT,
            "Must be >= 0 and <= 43200, if provided.",
        )
        wait = self.optional_int(
            params,
            "WaitTimeSeconds",
            0,
            limits.MAX_WAIT_TIME_SECONDS,
            "Must be >= 0 and <= 20, if provided.",
        )
        system_names = set(self.string_list(params, "AttributeNames"))
        system_names.update(self.string_list(params, "MessageSystemAttributeNames"))
        attribute_names = self.string_list(params, "MessageAttributeNames")
        attempt_id = params.get("ReceiveRequestAttemptId")
        if attempt_id is not None:
            messages.check_group_id("ReceiveRequestAttemptId", attempt_id)
        if not queue.fifo:
            # NOTE: SQS documents the attempt id for FIFO queues only; standard
            # queues here ignore it.
            attempt_id = None
        if max_messages is None:
            max_messages = 1
        if visibility is None:
            visibility = queue.number("VisibilityTimeout")
        if wait is None:
            wait = queue.number("ReceiveMessageWaitTimeSeconds")

        records = None
        if attempt_id is not None:
            records = self.repeat_receive_attempt(queue, attempt_id, visibility)
        if records is None:
            records = await self.wait_for_messages(queue, max_messages, visibility, wait)
            if attempt_id is not None:
                self.store.save_receive_attempt(
                    queue,
                    attempt_id,
                    self.clock.now_ms(),
                    [(record.id, record.receipt_token, record.visible_at) for record in records],
                )
        if not records:
            return {}
        rendered = [
            self.render_message(queue, record, system_names, attribute_names)
            for record in records
        ]
        return {"Messages": rendered}

    async def wait_for_messages(
        self, queue: QueueRecord, max_messages: int, visibility: int, wait: int
    ) -> list[MessageRecord]:
        """Take messages, waiting up to wait seconds for the first one to arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            event = self.waiters.event_for(queue.id)
            now = self.clock.now_ms()
            records = self.take_messages(queue, max_messages, visibility, now, short_poll=wait == 0)
            remaining = deadline - loop.time()
            if records or remaining <= 0 or self.waiters.closing:
                break
            next_visible = self.store.next_visible_at(queue, now)
            if next_visible is not None:
                remaining = min(remaining, (next_visible - now) / 1000)
            if self.waiters.waiting >= self.max_long_polls:
                raise SqsError(
                    "RequestThrottled",
                    "RequestThrottled",
                    f"{self.waiters.waiting} long polls are already waiting, the limit of this "
                    "server. Retry later, or start sqslite with a higher --max-long-polls.",
                )
            await self.waiters.wait(event, remaining)
            if self.store.get_queue_by_id(queue.id) is None:
                return []
        return records

    def take_messages(
        self, queue: QueueRecord, max_messages: int, visibility: int, now: int, short_poll: bool
    ) -> list[MessageRecord]:
        retention = self.retention_ms(queue)
        in_flight = self.in_flight_bound.get(queue.id)
        if in_flight is None or in_flight + max_messages > limits.MAX_IN_FLIGHT:
            # Counting reads every message in flight, so it runs only when the
            # bound could reach the limit.
            in_flight = self.store.count_in_flight(queue, now, limits.MAX_IN_FLIGHT)
        capacity = limits.MAX_IN_FLIGHT - in_flight
        if capacity <= 0:
            if short_poll and not queue.fifo:
                # NOTE: the wording of this OverLimit message is unconfirmed.
                raise SqsError(
                    "OverLimit",
                    "OverLimit",
                    f"Too many messages in flight: the queue has {in_flight} messages in "
                    f"flight, and {limits.MAX_IN_FLIGHT} is the maximum.",
                    status=403,
                )
            return []
        count = min(max_messages, capacity)
        records = self.select_messages(queue, count, visibility, now, retention)
        self.in_flight_bound[queue.id] = in_flight + len(records)
        if "RedrivePolicy" not in queue.attributes:
            return records
        # Messages past maxReceiveCount go to the dead-letter queue instead of
        # out; the receive takes others in their place, a bounded number of times.
        for _ in range(limits.MAX_RECEIVE_MESSAGES):
            records, moved = self.divert_dead_letters(queue, records, now)
            if not moved or len(records) >= count:
                break
            records += self.select_messages(queue, count - len(records), visibility, now, retention)
        return records

    def select_messages(
        self, queue: QueueRecord, count: int, visibility: int, now: int, retention: int
    ) -> list[MessageRecord]:
        if queue.fifo:
            return self.store.receive_fifo_messages(queue, count, visibility * 1000, now, retention)
        if queue.id in self.grouped_queues:
            noisy = self.noisy_groups(queue, now)
            if noisy:
                return self.store.receive_fair_messages(
                    queue, count, visibility * 1000, now, retention, noisy
                )
        return self.store.receive_messages(queue, count, visibility * 1000, now, retention)

    def noisy_groups(self, queue: QueueRecord, now: int) -> list[str]:
        """Name the message groups of a fair queue that hold too much of its in-flight work.

        A group is noisy while it has more than 10 % of the messages in flight
        and at least 30. Messages without a group are each their own tenant,
        so they are never noisy.
        """
        by_group = self.store.in_flight_by_group(queue, now)
        total = sum(by_group.values())
        return [
            group
            for group, count in by_group.items()
            if group is not None
            and count >= limits.NOISY_GROUP_MIN_IN_FLIGHT
            and count > total * limits.NOISY_GROUP_SHARE
        ]

    def repeat_receive_attempt(
        self, queue: QueueRecord, attempt_id: str, visibility: int
    ) -> list[MessageRecord] | None:
        """Return the messages of an earlier receive with this attempt id, if it still holds.

        A retry within five minutes gets the same messages and receipt handles,
        with their visibility timeout started again, unless any of them was
        deleted or had its visibility changed since. Then, or if the earlier
        receive returned nothing, the retry is a normal receive.
        """
        now = self.clock.now_ms()
        window_start = now - limits.RECEIVE_ATTEMPT_WINDOW_SECONDS * 1000
        attempt = self.store.get_receive_attempt(queue, attempt_id, window_start)
        if attempt is None or not attempt[1]:
            return None
        created_at, receipts = attempt
        records = []
        for row_id, token, visible_at in receipts:
            record = self.store.get_message(queue, row_id)
            if record is None or record.receipt_token != token or record.visible_at != visible_at:
                return None
            records.append(record)
        visible_at = now + visibility * 1000
        self.store.set_visible_at(queue, [(record.id, visible_at) for record in records])
        for record in records:
            record.visible_at = visible_at
        self.store.save_receive_attempt(
            queue, attempt_id, created_at, [(record.id, token, visible_at) for record, (_, token, _) in zip(records, receipts)]
        )
        return records

    def render_message(
        self,
        queue: QueueRecord,
        record: MessageRecord,
        system_names: set[str],
        attribute_names: list[str],
    ) -> dict:
        message = {
            "MessageId": record.message_id,
            "ReceiptHandle": make_receipt_handle(queue, record),
            "MD5OfBody": record.md5_body,
            "Body": record.body,
        }
        if system_names:
            system = self.system_attributes(record, system_names)
            if system:
                message["Attributes"] = system
        selected = messages.select_attributes(
            messages.decode_attributes(record.attributes), attribute_names
        )
        if selected:
            message["MD5OfMessageAttributes"] = messages.attribute_digest(selected)
            message["MessageAttributes"] = selected
        return message

    @staticmethod
    def system_attributes(record: MessageRecord, names: set[str]) -> dict[str, str]:
        available = {
            "SenderId": record.sender_id,
            "SentTimestamp": str(record.sent_at),
            "ApproximateReceiveCount": str(record.receive_count),
            "ApproximateFirstReceiveTimestamp": str(record.first_received_at),
        }
        if record.system_attributes:
            available.update(json.loads(record.system_attributes))
        if record.group_id is not None:
            available["MessageGroupId"] = record.group_id
        if record.dedup_id is not None:
            available["MessageDeduplicationId"] = record.dedup_id
        if record.sequence_number is not None:
            available["SequenceNumber"] = record.sequence_number
        if record.dead_letter_source_arn is not None:
            available["DeadLetterQueueSourceArn"] = record.dead_letter_source_arn
        if "All" in names:
            return available
        return {name: value for name, value in available.items() if name in names}

    # Deleting

    def delete_message(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        handle = self.required_string(params, "ReceiptHandle")
        row_id, token = parse_receipt_handle(handle, queue)
        if queue.fifo:
            self.check_fifo_handle(queue, handle, row_id, token)
        self.store.delete_messages(queue, [row_id])
        return {}

    def delete_message_batch(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        entries = batch_entries(params, "DeleteMessageBatchRequestEntry")
        row_ids, successful, failed = [], [], []
        for entry in entries:
            try:
                handle = self.required_string(entry, "ReceiptHandle")
                row_id, token = parse_receipt_handle(handle, queue)
                if queue.fifo:
                    self.check_fifo_handle(queue, handle, row_id, token)
            except SqsError as error:
                failed.append(failed_entry(entry["Id"], error))
                continue
            row_ids.append(row_id)
            successful.append({"Id": entry["Id"]})
        if row_ids:
            self.store.delete_messages(queue, row_ids)
        return batch_result(successful, failed)

    def check_fifo_handle(self, queue: QueueRecord, handle: str, row_id: int, token: str) -> None:
        """Reject a FIFO handle whose receive has ended, as SQS does.

        A later receive may already own the message. A handle of a message that
        is gone passes: deleting it again succeeds. Standard queues accept any
        genuine handle, a stale one too, so they skip this look-up.
        """
        record = self.store.get_message(queue, row_id)
        if record is None:
            return
        if record.receipt_token != token or record.visible_at <= self.clock.now_ms():
            raise expired_handle(handle)

    # Changing visibility

    def change_message_visibility(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        handle = self.required_string(params, "ReceiptHandle")
        if params.get("VisibilityTimeout") is None:
            raise missing_parameter("VisibilityTimeout")
        change = self.check_visibility_change(queue, handle, params["VisibilityTimeout"])
        if change is not None:
            self.apply_visibility_changes(queue, [change])
        return {}

    def change_message_visibility_batch(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        entries = batch_entries(params, "ChangeMessageVisibilityBatchRequestEntry")
        changes, successful, failed = [], [], []
        for entry in entries:
            try:
                handle = self.required_string(entry, "ReceiptHandle")
                timeout = entry.get("VisibilityTimeout")
                if timeout is None:
                    raise missing_parameter("VisibilityTimeout")
                change = self.check_visibility_change(queue, handle, timeout)
            except SqsError as error:
                failed.append(failed_entry(entry["Id"], error))
                continue
            if change is not None:
                changes.append(change)
            successful.append({"Id": entry["Id"]})
        if changes:
            self.apply_visibility_changes(queue, changes)
        return batch_result(successful, failed)

    def check_visibility_change(
        self, queue: QueueRecord, handle: str, timeout: object
    ) -> tuple[int, int] | None:
        """Validate one change; return (row id, new visible_at), or None for a no-op."""
        if not isinstance(timeout, int) or isinstance(timeout, bool) or not (
            0 <= timeout <= limits.MAX_VISIBILITY_TIMEOUT
        ):
            raise invalid_parameter(
                "VisibilityTimeout", timeout, "Must be >= 0 and <= 43200, if provided."
            )
        row_id, token = parse_receipt_handle(handle, queue)
        record = self.store.get_message(queue, row_id)
        if record is None:
            raise invalid_parameter(
                "ReceiptHandle",
                handle,
                "Message does not exist or is not available for visibility timeout change.",
            )
        now = self.clock.now_ms()
        in_flight = record.visible_at > now
        if queue.fifo and (record.receipt_token != token or not in_flight):
            raise expired_handle(handle)
        if not in_flight:
            # NOTE: AWS returns 200 here on standard queues. Whether it also hides
            # the message again is unconfirmed, so sqslite leaves it visible.
            return None
        new_visible_at = now + timeout * 1000
        if new_visible_at - record.received_at > limits.MAX_VISIBILITY_TIMEOUT * 1000:
            raise invalid_parameter(
                "VisibilityTimeout",
                timeout,
                "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
            )
        return row_id, new_visible_at

    def apply_visibility_changes(self, queue: QueueRecord, changes: list[tuple[int, int]]) -> None:
        self.store.set_visible_at(queue, changes)
        now = self.clock.now_ms()
        if any(visible_at <= now for _, visible_at in changes):
            self.waiters.notify(queue.id)
