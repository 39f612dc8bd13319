from .move_tasks import MoveTaskRecord
from .records import MessageRecord, NewMessage, QueueCounts, QueueRecord
from .store import Store

__all__ = ["MessageRecord", "MoveTaskRecord", "NewMessage", "QueueCounts", "QueueRecord", "Store"]
