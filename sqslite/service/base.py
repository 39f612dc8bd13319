"""Shared parts of every operation: the request context, parameter access and
the lookup of the queue a request names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..clock import Clock
from ..store import QueueRecord, Store
from . import limits
from .errors import SqsError, invalid_parameter, missing_parameter, queue_does_not_exist
from .longpoll import Waiters

BATCH_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


@dataclass
class RequestContext:
    """The sender of a request and the address it reached the server at."""

    request_id: str
    account_id: str
    base_url: str  # scheme://host[:port] that queue URLs start with
    path_queue: tuple[str, str] | None = None  # (account, name) from a queue URL path
    trace_header: str | None = None  # X-Amzn-Trace-Id of the HTTP request


class ServiceBase:
    def __init__(
        self, store: Store, clock: Clock, region: str, max_long_polls: int = 1000
    ) -> None:
        self.store = store
        self.max_long_polls = max_long_polls
        self.clock = clock
        self.region = region
        self.waiters = Waiters()
        clock.add_listener(self.waiters.notify_all)
        # Standard queues that have seen a MessageGroupId, so fair-queue
        # ordering applies to their receives.
        self.grouped_queues: set[int] = store.queues_with_groups()
        self._sequence_numbers: dict[int, int] = {}
        # An upper bound of each queue's messages in flight: the last count
        # plus the messages received since. Only receives put messages in
        # flight, so the bound is never below the true number.
        self.in_flight_bound: dict[int, int] = {}

    # Names and addresses

    def queue_url(self, queue: QueueRecord, context: RequestContext) -> str:
        return f"{context.base_url}/{queue.account}/{queue.name}"

    def queue_arn(self, queue: QueueRecord) -> str:
        return f"arn:aws:sqs:{self.region}:{queue.account}:{queue.name}"

    def find_queue(self, params: dict, context: RequestContext) -> QueueRecord:
        """Resolve QueueUrl (a URL, a path or a bare name) to a queue.

        A query request sent to a queue's URL may leave QueueUrl out; the
        path then names the queue. An explicit QueueUrl wins over the path.
        """
        url = params.get("QueueUrl")
        if url is None:
            if context.path_queue is None:
                raise missing_parameter("QueueUrl")
            account, name = context.path_queue
        else:
            if not isinstance(url, str) or not url:
                raise missing_parameter("QueueUrl")
            account, name = self.parse_queue_url(url, context)
        queue = self.store.get_queue(account, name)
        if queue is None:
            raise queue_does_not_exist()
        return queue

    @staticmethod
    def parse_queue_url(url: str, context: RequestContext) -> tuple[str, str]:
        try:
            path = urlsplit(url).path if "://" in url else url
        except ValueError:  # for example an unclosed IPv6 host, "http://[::1"
            raise queue_does_not_exist() from None
        segments = [segment for segment in path.split("/") if segment]
        if not segments:
            raise queue_does_not_exist()
        if len(segments) == 1:
            return context.account_id, segments[0]
        return segments[-2], segments[-1]

    def next_sequence_number(self, queue: QueueRecord) -> str:
        """Return a new FIFO sequence number: a large decimal, increasing per queue.

        It starts from the clock in nanoseconds, so numbers keep increasing
        across restarts and stay within SQLite's 64-bit integers.
        """
        last = self._sequence_numbers.get(queue.id)
        if last is None:
            last = self.store.last_sequence_number(queue)
        number = max(last + 1, self.clock.now_ms() * 1_000_000)
        self._sequence_numbers[queue.id] = number
        return str(number)

    # Parameters

    @staticmethod
    def required_string(params: dict, name: str) -> str:
        value = params.get(name)
        if not isinstance(value, str) or value == "":
            raise missing_parameter(name)
        return value

    @staticmethod
    def optional_int(params: dict, name: str, minimum: int, maximum: int, reason: str) -> int | None:
        value = params.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            raise invalid_parameter(name, value, reason)
        return value

    @staticmethod
    def string_map(params: dict, name: str) -> dict[str, str]:
        value = params.get(name) or {}
        if not isinstance(value, dict) or not all(
            isinstance(key, str) and isinstance(item, str) for key, item in value.items()
        ):
            raise invalid_parameter(name, value, f"{name} must map strings to strings.")
        return value

    @staticmethod
    def string_list(params: dict, name: str) -> list[str]:
        value = params.get(name) or []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid_parameter(name, value, f"{name} must be a list of strings.")
        return value

    # Time

    def retention_ms(self, queue: QueueRecord) -> int:
        return queue.number("MessageRetentionPeriod") * 1000

    def seconds_since(self, then_ms: int | None) -> float | None:
        if then_ms is None:
            return None
        return (self.clock.now_ms() - then_ms) / 1000


def batch_entries(params: dict, entry_shape: str) -> list[dict]:
    """Check a batch request's Entries as SQS does before running any entry."""
    entries = params.get("Entries")
    if entries is None or entries == []:
        raise SqsError(
            "EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
            f"There should be at least one {entry_shape} in the request.",
        )
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise invalid_parameter("Entries", entries, "Entries must be a list of structures.")
    if len(entries) > limits.MAX_BATCH_ENTRIES:
        raise SqsError(
            "TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {limits.MAX_BATCH_ENTRIES}. "
            f"You have sent {len(entries)}.",
        )
    seen = set()
    for entry in entries:
        entry_id = entry.get("Id")
        if not isinstance(entry_id, str) or not BATCH_ENTRY_ID.fullmatch(entry_id):
            raise SqsError(
                "InvalidBatchEntryId",
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.",
            )
        if entry_id in seen:
            # NOTE: AWS's exact wording for a repeated id is unconfirmed.
            raise SqsError(
                "BatchEntryIdsNotDistinct",
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                f"Id {entry_id} repeated.",
            )
        seen.add(entry_id)
    return entries


def failed_entry(entry_id: str, error: SqsError) -> dict:
    return {
        "Id": entry_id,
        "SenderFault": error.sender_fault,
        "Code": error.code,
        "Message": error.message,
    }


def batch_result(successful: list[dict], failed: list[dict]) -> dict:
    """Build a batch response; SQS leaves out empty Successful and Failed lists."""
    result: dict = {}
    if successful:
        result["Successful"] = successful
    if failed:
        result["Failed"] = failed
    return result
