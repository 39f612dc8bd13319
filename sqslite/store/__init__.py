from .store import MessageRecord, NewMessage, QueueCounts, QueueRecord, Store

__all__ = ["MessageRecord", "NewMessage", "QueueCounts", "QueueRecord", "Store"]
