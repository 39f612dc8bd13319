"""Rows of message move tasks, and moving messages between queues."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .records import MESSAGE_COLUMNS, MessageRecord, QueueRecord

TASK_COLUMNS = (
    "id, source_arn, destination_arn, max_per_second, status, moved, to_move, started_at, "
    "failure_reason"
)

# How many finished tasks a source keeps for ListMessageMoveTasks, whose
# MaxResults is at most 10 (model).
KEPT_TASKS_PER_SOURCE = 10


@dataclass
class MoveTaskRecord:
    id: str
    source_arn: str
    destination_arn: str | None
    max_per_second: int | None
    status: str
    moved: int
    to_move: int
    started_at: int
    failure_reason: str | None


class MoveTaskTable:
    """Store methods for move tasks; mixed into Store, which owns the connection."""

    _db: sqlite3.Connection

    def insert_move_task(self, task: MoveTaskRecord) -> None:
        with self.transaction():
            self._db.execute(
                f"INSERT INTO move_tasks ({TASK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    task.id,
                    task.source_arn,
                    task.destination_arn,
                    task.max_per_second,
                    task.status,
                    task.moved,
                    task.to_move,
                    task.started_at,
                    task.failure_reason,
                ),
            )
            # Forget the oldest finished tasks of this source beyond the kept number.
            self._db.execute(
                "DELETE FROM move_tasks WHERE source_arn = ? AND id NOT IN ("
                " SELECT id FROM move_tasks WHERE source_arn = ?"
                " ORDER BY started_at DESC, rowid DESC LIMIT ?)",
                (task.source_arn, task.source_arn, KEPT_TASKS_PER_SOURCE),
            )

    def update_move_task(self, task: MoveTaskRecord) -> None:
        with self.transaction():
            self._db.execute(
                "UPDATE move_tasks SET status = ?, moved = ?, failure_reason = ? WHERE id = ?",
                (task.status, task.moved, task.failure_reason, task.id),
            )

    def get_move_task(self, task_id: str) -> MoveTaskRecord | None:
        row = self._db.execute(
            f"SELECT {TASK_COLUMNS} FROM move_tasks WHERE id = ?", (task_id,)
        ).fetchone()
        return MoveTaskRecord(*row) if row else None

    def list_move_tasks(self, source_arn: str, limit: int) -> list[MoveTaskRecord]:
        """Return the source's tasks, most recent first."""
        rows = self._db.execute(
            f"SELECT {TASK_COLUMNS} FROM move_tasks WHERE source_arn = ?"
            " ORDER BY started_at DESC, rowid DESC LIMIT ?",
            (source_arn, limit),
        ).fetchall()
        return [MoveTaskRecord(*row) for row in rows]

    def unfinished_move_tasks(self) -> list[MoveTaskRecord]:
        rows = self._db.execute(
            f"SELECT {TASK_COLUMNS} FROM move_tasks WHERE status IN ('RUNNING', 'CANCELLING')"
            " ORDER BY started_at"
        ).fetchall()
        return [MoveTaskRecord(*row) for row in rows]

    # Moving messages

    def move_to_dead_letter_queue(
        self,
        source: QueueRecord,
        target: QueueRecord,
        row_ids: list[int],
        source_arn: str,
        now_ms: int,
    ) -> None:
        """Move messages that a receive took past maxReceiveCount to a dead-letter queue.

        The receive that found them counted one receive too many, so the count
        goes back by one. A FIFO dead-letter queue starts the retention period
        again and replaces the deduplication id with the message id. A
        standard one keeps the original retention period (Developer Guide,
        dead-letter queues).
        """
        placeholders = ",".join("?" * len(row_ids))
        with self.transaction():
            self._db.execute(
                "UPDATE messages SET queue_id = ?, visible_at = ?,"
                " receive_count = receive_count - 1, received_at = NULL, receipt_token = NULL,"
                " dead_letter_source_arn = ?,"
                " enqueued_at = CASE WHEN ? THEN ? ELSE enqueued_at END,"
                " dedup_id = CASE WHEN ? THEN message_id ELSE dedup_id END"
                f" WHERE id IN ({placeholders}) AND +queue_id = ?",
                (
                    target.id,
                    now_ms,
                    source_arn,
                    int(target.fifo),
                    now_ms,
                    int(target.fifo),
                    *row_ids,
                    source.id,
                ),
            )

    def visible_messages(
        self, queue: QueueRecord, now_ms: int, retention_ms: int, limit: int
    ) -> list[MessageRecord]:
        rows = self._db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages"
            " WHERE queue_id = ? AND visible_at <= ? AND enqueued_at >= ?"
            " ORDER BY id LIMIT ?",
            (queue.id, now_ms, now_ms - retention_ms, limit),
        ).fetchall()
        return [MessageRecord(*row) for row in rows]

    def redrive_messages(
        self,
        source: QueueRecord,
        destination: QueueRecord,
        messages: list[tuple[int, str, str | None]],
        now_ms: int,
    ) -> None:
        """Move (row id, new message id, sequence number) messages out of a dead-letter queue.

        They arrive as new messages of the destination (Developer Guide,
        dead-letter queue redrive): a new message id, visible, never received,
        with a new retention period and, on FIFO queues, a new sequence number.
        """
        with self.transaction():
            self._db.executemany(
                "UPDATE messages SET queue_id = ?, visible_at = ?, receive_count = 0,"
                " first_received_at = NULL, received_at = NULL, receipt_token = NULL,"
                " dead_letter_source_arn = NULL, enqueued_at = ?, sequence_number = ?,"
                " message_id = ?"
                " WHERE id = ? AND +queue_id = ?",
                [
                    (destination.id, now_ms, now_ms, sequence_number, message_id, row_id, source.id)
                    for row_id, message_id, sequence_number in messages
                ],
            )
