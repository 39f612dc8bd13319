"""The SQS service: one entry point that runs an operation by name."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable

from . import limits
from .base import RequestContext
from .errors import invalid_action
from .permissions import PermissionOperations
from .queues import QueueOperations
from .receiving import ReceiveOperations
from .redrive import RedriveOperations
from .sending import SendOperations

logger = logging.getLogger(__name__)

OPERATIONS = (
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
)



def _method_name(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


# Messages one sweep call reads at most: a few milliseconds of work.
SWEEP_ROWS = 20_000


class SqsService(
    QueueOperations, SendOperations, ReceiveOperations, PermissionOperations, RedriveOperations
):
    """Every SQS operation over one store and one clock."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The message id after which the retention sweep goes on.
        self._sweep_after = 0
        self._handlers: dict[str, tuple[Callable, bool]] = {}
        for operation in OPERATIONS:
            handler = getattr(self, _method_name(operation))
            self._handlers[operation] = (handler, inspect.iscoroutinefunction(handler))

    async def call(self, operation: str, params: dict, context: RequestContext) -> dict:
        """Run one operation; raise SqsError for anything SQS would reject."""
        entry = self._handlers.get(operation)
        if entry is None:
            raise invalid_action(operation)
        handler, is_async = entry
        if is_async:
            return await handler(params, context)
        return handler(params, context)

    def sweep(self, max_rows: int = SWEEP_ROWS) -> int:
        """Delete expired messages, reading at most max_rows messages; return how many.

        Each call goes on where the last one stopped, so that repeated calls
        cover every message while no call blocks the event loop for long. When
        a pass reaches the end, it also forgets old FIFO deduplication ids.
        """
        now = self.clock.now_ms()
        removed, _, next_after = self.store.delete_expired(now, self._sweep_after, max_rows)
        if next_after is not None:
            self._sweep_after = next_after
            return removed
        self._sweep_after = 0
        window_start = now - limits.FIFO_DEDUP_WINDOW_SECONDS * 1000
        for queue in self.store.all_queues():
            if queue.fifo:
                self.store.delete_expired_fifo_state(queue, window_start)
        return removed

    def reset(self) -> None:
        """Delete every queue and message; names become reusable at once.

        Open long polls wake and return empty, and running move tasks stop.
        """
        self.stop_move_tasks()
        self.store.reset()
        self.grouped_queues.clear()
        self._sequence_numbers.clear()
        self.in_flight_bound.clear()
        self.waiters.notify_all()

    def close(self) -> None:
        self.waiters.close()
        self.stop_move_tasks()
