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


class SqsService(
    QueueOperations, SendOperations, ReceiveOperations, PermissionOperations, RedriveOperations
):
    """Every SQS operation over one store and one clock."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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

    def sweep(self) -> int:
        """Delete messages past their queue's retention period; return how many."""
        now = self.clock.now_ms()
        removed = 0
        for queue in self.store.all_queues():
            removed += self.store.delete_expired(
                queue, now, self.retention_ms(queue), limits.FIFO_DEDUP_WINDOW_SECONDS * 1000
            )
        return removed

    def reset(self) -> None:
        """Delete every queue and message; names become reusable at once.

        Open long polls wake and return empty, and running move tasks stop.
        """
        self.stop_move_tasks()
        self.store.reset()
        self.grouped_queues.clear()
        self._sequence_numbers.clear()
        self.waiters.notify_all()

    def close(self) -> None:
        self.waiters.close()
        self.stop_move_tasks()
