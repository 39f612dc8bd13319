"""The metrics page and the read-only message view, outside the SQS API.

The message view reads rows without receiving them, so receive counts and
visibility stay as they were.
"""

from __future__ import annotations

import json

from .metrics import RequestMetrics, render_gauge, render_requests
from .service import SqsService
from .store import QueueRecord

MAX_PEEK_MESSAGES = 1000
DEFAULT_PEEK_MESSAGES = 100


def render_metrics(service: SqsService, metrics: RequestMetrics) -> str:
    """Write the request metrics and per-queue message counts in the Prometheus text format."""
    now_ms = service.clock.now_ms()
    queues = sorted(service.store.all_queues(), key=lambda queue: (queue.account, queue.name))
    counts = [
        (queue, service.store.count_messages(queue, now_ms, service.retention_ms(queue)))
        for queue in queues
    ]
    lines: list[str] = [*render_requests(metrics)]
    lines += render_gauge(
        "sqslite_queue_messages_visible",
        "Messages available for retrieval (ApproximateNumberOfMessages).",
        ((queue_labels(queue), count.visible) for queue, count in counts),
    )
    lines += render_gauge(
        "sqslite_queue_messages_in_flight",
        "Messages received and not yet deleted or visible again "
        "(ApproximateNumberOfMessagesNotVisible).",
        ((queue_labels(queue), count.in_flight) for queue, count in counts),
    )
    lines += render_gauge(
        "sqslite_queue_messages_delayed",
        "Messages not yet visible because of a delay (ApproximateNumberOfMessagesDelayed).",
        ((queue_labels(queue), count.delayed) for queue, count in counts),
    )
    lines += render_gauge(
        "sqslite_long_polls_waiting",
        "ReceiveMessage calls waiting for a message.",
        [({}, service.waiters.waiting)],
    )
    return "\n".join(lines) + "\n"


def queue_labels(queue: QueueRecord) -> dict[str, str]:
    return {"account": queue.account, "queue": queue.name}


def peek_messages(service: SqsService, queue: QueueRecord, limit: int) -> dict:
    """Describe up to limit unexpired messages of the queue in send order, changing nothing."""
    now_ms = service.clock.now_ms()
    records = service.store.peek_messages(queue, now_ms, service.retention_ms(queue), limit)
    messages = []
    for record in records:
        if record.visible_at <= now_ms:
            state = "visible"
        elif record.receive_count > 0:
            state = "in_flight"
        else:
            state = "delayed"
        messages.append(
            {
                "message_id": record.message_id,
                "body": record.body,
                "md5_of_body": record.md5_body,
                # Binary attribute values stay base64 encoded, as the store keeps them.
                "attributes": json.loads(record.attributes) if record.attributes else {},
                "state": state,
                "receive_count": record.receive_count,
                "sent_timestamp": record.sent_at,
                "visible_at": record.visible_at,
                "group_id": record.group_id,
                "deduplication_id": record.dedup_id,
                "sequence_number": record.sequence_number,
                "dead_letter_source_arn": record.dead_letter_source_arn,
            }
        )
    return {
        "account": queue.account,
        "queue": queue.name,
        "now": now_ms,
        "messages": messages,
    }


def parse_limit(value: str | None) -> int:
    """Parse the ?limit= of the message view; raise ValueError if it is out of range."""
    if value is None:
        return DEFAULT_PEEK_MESSAGES
    limit = int(value)
    if not 1 <= limit <= MAX_PEEK_MESSAGES:
        raise ValueError(f"limit must be from 1 to {MAX_PEEK_MESSAGES}, not {limit}")
    return limit
