"""The SQLite store: the only module that writes SQL.

The service requests operations in SQS terms (create a queue, receive up to
N messages) and gets plain records back. Every mutating call runs in one
transaction that commits before the call returns, so a request gets its
response only after its data is in the database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .move_tasks import MoveTaskTable
from .records import (
    MESSAGE_COLUMNS,
    MessageRecord,
    NewMessage,
    QueueCounts,
    QueueRecord,
)
from .schema import SCHEMA, SCHEMA_VERSION

logger = logging.getLogger(__name__)

# How many messages of a FIFO queue a receive looks at to find available
# message groups: 120,000, as the SQS Developer Guide documents for FIFO queues.
FIFO_LOOK_AHEAD = 120_000

# A FIFO queue with at most this many message groups is read group by group,
# with a few index lookups each. A queue with more groups is read in send order.
FEW_GROUPS = 64
# Expired messages a group's head run may step over before giving up on it
# until the retention sweep removes them.
FIFO_EXPIRED_SKIP = 100

# The distinct message groups of a queue, found by stepping through the
# group index rather than reading every message.
DISTINCT_GROUPS = (
    "WITH RECURSIVE groups(group_id) AS ("
    " SELECT (SELECT MIN(group_id) FROM messages"
    "  WHERE queue_id = :queue AND dedup_id IS NOT NULL)"
    " UNION ALL"
    " SELECT (SELECT MIN(group_id) FROM messages"
    "  WHERE queue_id = :queue AND dedup_id IS NOT NULL AND group_id > groups.group_id)"
    " FROM groups WHERE groups.group_id IS NOT NULL) "
    "SELECT group_id FROM groups WHERE group_id IS NOT NULL LIMIT :limit"
)

INSERT_MESSAGE = (
    "INSERT INTO messages (queue_id, message_id, body, md5_body, attributes, system_attributes,"
    " sender_id, sent_at, visible_at, group_id, dedup_id, sequence_number, enqueued_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

@dataclass
class _QueueIndex:
    by_id: dict[int, QueueRecord] = field(default_factory=dict)
    by_name: dict[tuple[str, str], QueueRecord] = field(default_factory=dict)

    def add(self, queue: QueueRecord) -> None:
        self.by_id[queue.id] = queue
        self.by_name[(queue.account, queue.name)] = queue

    def remove(self, queue: QueueRecord) -> None:
        self.by_id.pop(queue.id, None)
        self.by_name.pop((queue.account, queue.name), None)


class Store(MoveTaskTable):
    """One SQLite database with queues and their messages.

    ``path`` None keeps the database in memory. Queue records are cached in
    memory and written through, because every request looks one up.
    """

    def __init__(
        self, path: str | None = None, synchronous: str = "NORMAL", group_commit: bool = False
    ) -> None:
        self.path = path
        # Group commit: writes of concurrent requests share one transaction,
        # committed once per event-loop turn; see write() and durable().
        self.group_commit = group_commit
        self._group_open = False
        self._commit_waiters: list[asyncio.Future] = []
        self._db = sqlite3.connect(
            path or ":memory:", isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = None
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA foreign_keys=OFF")
        self._db.executescript(SCHEMA)
        self._check_schema_version()
        self._queues = _QueueIndex()
        for queue in self._load_queues():
            self._queues.add(queue)
        logger.debug("store opened: %s, %d queues", path or ":memory:", len(self._queues.by_id))

    def _check_schema_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) != SCHEMA_VERSION:
            raise RuntimeError(
                f"database {self.path} has schema version {row[0]}, "
                f"this sqslite needs {SCHEMA_VERSION}; use a new --db file"
            )

    def close(self) -> None:
        self._commit_group()
        if self.path:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    @contextmanager
    def transaction(self, single_statement: bool = False) -> Iterator[None]:
        """Run the block's writes atomically, and commit them.

        A block of one statement needs no BEGIN and COMMIT of its own, because
        SQLite runs each statement atomically. With group commit and a running
        event loop, the block becomes a savepoint inside the transaction that
        is open for this loop turn, and durable() waits until it is committed.
        """
        if self.group_commit and self._join_group():
            if single_statement:
                yield
                return
            self._db.execute("SAVEPOINT write")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK TO write")
                self._db.execute("RELEASE write")
                raise
            self._db.execute("RELEASE write")
            return
        if single_statement:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _join_group(self) -> bool:
        """Open the group transaction of this loop turn if none is open.

        Returns False outside an event loop, where writes commit one by one.
        """
        if self._group_open:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._db.execute("BEGIN IMMEDIATE")
        self._group_open = True
        loop.call_soon(self._commit_group)
        return True

    def _commit_group(self) -> None:
        if not self._group_open:
            return
        waiters, self._commit_waiters = self._commit_waiters, []
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            logger.exception("group commit failed; its requests get an error")
            self._db.execute("ROLLBACK")
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
            return
        finally:
            self._group_open = False
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def durable(self) -> None:
        """Wait until every write made so far is committed.

        Without group commit, or with no group transaction open, it returns at
        once: the writes are already committed.
        """
        if not self._group_open:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._commit_waiters.append(waiter)
        await waiter

    def integrity_check(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    # Queues

    def _load_queues(self) -> Iterable[QueueRecord]:
        rows = self._db.execute(
            "SELECT id, account, name, fifo, attributes, tags, created_at, modified_at, purged_at "
            "FROM queues"
        )
        for row in rows:
            yield QueueRecord(
                id=row[0],
                account=row[1],
                name=row[2],
                fifo=bool(row[3]),
                attributes=json.loads(row[4]),
                tags=json.loads(row[5]),
                created_at=row[6],
                modified_at=row[7],
                purged_at=row[8],
            )

    def get_queue(self, account: str, name: str) -> QueueRecord | None:
        return self._queues.by_name.get((account, name))

    def get_queue_by_id(self, queue_id: int) -> QueueRecord | None:
        return self._queues.by_id.get(queue_id)

    def all_queues(self) -> list[QueueRecord]:
        return list(self._queues.by_id.values())

    def list_queues(self, account: str, prefix: str = "") -> list[QueueRecord]:
        """Return the account's queues whose name starts with prefix, by name."""
        queues = [
            queue
            for (queue_account, name), queue in self._queues.by_name.items()
            if queue_account == account and name.startswith(prefix)
        ]
        return sorted(queues, key=lambda queue: queue.name)

    def create_queue(
        self,
        account: str,
        name: str,
        fifo: bool,
        attributes: dict[str, str],
        tags: dict[str, str],
        now_ms: int,
    ) -> QueueRecord:
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO queues (account, name, fifo, attributes, tags, created_at, modified_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account, name, int(fifo), json.dumps(attributes), json.dumps(tags), now_ms, now_ms),
            )
            self._db.execute(
                "DELETE FROM deleted_queues WHERE account = ? AND name = ?", (account, name)
            )
        queue = QueueRecord(
            id=cursor.lastrowid,
            account=account,
            name=name,
            fifo=fifo,
            attributes=dict(attributes),
            tags=dict(tags),
            created_at=now_ms,
            modified_at=now_ms,
        )
        self._queues.add(queue)
        return queue

    def delete_queue(self, queue: QueueRecord, now_ms: int) -> None:
        """Delete a queue; delete_expired removes its messages later, in bounded chunks.

        Queue ids are never reused (AUTOINCREMENT), so a later queue of the
        same name cannot see the old messages, and deleting a deep queue does
        not hold the event loop.
        """
        with self.transaction():
            self._clear_fifo_state(queue)
            self._db.execute("DELETE FROM queues WHERE id = ?", (queue.id,))
            self._db.execute(
                "INSERT OR REPLACE INTO deleted_queues (account, name, deleted_at) VALUES (?, ?, ?)",
                (queue.account, queue.name, now_ms),
            )
        self._queues.remove(queue)

    def _clear_fifo_state(self, queue: QueueRecord) -> None:
        self._db.execute("DELETE FROM dedup_ids WHERE queue_id = ?", (queue.id,))
        self._db.execute("DELETE FROM receive_attempts WHERE queue_id = ?", (queue.id,))

    def deleted_at(self, account: str, name: str) -> int | None:
        """Return when a queue of this name was last deleted, if it was."""
        row = self._db.execute(
            "SELECT deleted_at FROM deleted_queues WHERE account = ? AND name = ?", (account, name)
        ).fetchone()
        return row[0] if row else None

    def update_queue_attributes(
        self,
        queue: QueueRecord,
        attributes: dict[str, str],
        now_ms: int,
        retroactive_delay_ms: int | None = None,
    ) -> None:
        """Store new attributes; a retroactive delay also moves never-received messages."""
        with self.transaction():
            self._db.execute(
                "UPDATE queues SET attributes = ?, modified_at = ? WHERE id = ?",
                (json.dumps(attributes), now_ms, queue.id),
            )
            if retroactive_delay_ms is not None:
                self._db.execute(
                    "UPDATE messages SET visible_at = sent_at + ?"
                    " WHERE queue_id = ? AND receive_count = 0",
                    (retroactive_delay_ms, queue.id),
                )
        queue.replace_attributes(attributes)
        queue.modified_at = now_ms

    def update_tags(self, queue: QueueRecord, tags: dict[str, str]) -> None:
        with self.transaction():
            self._db.execute("UPDATE queues SET tags = ? WHERE id = ?", (json.dumps(tags), queue.id))
        queue.tags = dict(tags)

    def purge_queue(self, queue: QueueRecord, now_ms: int) -> int:
        """Delete every message of the queue; return how many there were."""
        with self.transaction():
            cursor = self._db.execute("DELETE FROM messages WHERE queue_id = ?", (queue.id,))
            self._clear_fifo_state(queue)
            self._db.execute("UPDATE queues SET purged_at = ? WHERE id = ?", (now_ms, queue.id))
        queue.purged_at = now_ms
        return cursor.rowcount

    def reset(self) -> None:
        """Delete every queue, message and move task, and forget deleted queue names."""
        with self.transaction():
            for table in ("messages", "dedup_ids", "receive_attempts", "move_tasks"):
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM deleted_queues")
            self._db.execute("DELETE FROM queues")
        self._queues = _QueueIndex()

    def peek_messages(
        self, queue: QueueRecord, now_ms: int, retention_ms: int, limit: int
    ) -> list[MessageRecord]:
        """Return the queue's unexpired messages in send order, changing nothing."""
        rows = self._db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages"
            " WHERE queue_id = ? AND enqueued_at >= ? ORDER BY id LIMIT ?",
            (queue.id, now_ms - retention_ms, limit),
        ).fetchall()
        return [MessageRecord(*row) for row in rows]

    def count_messages(self, queue: QueueRecord, now_ms: int, retention_ms: int) -> QueueCounts:
        row = self._db.execute(
            "SELECT "
            " COALESCE(SUM(visible_at <= :now), 0),"
            " COALESCE(SUM(visible_at > :now AND receive_count > 0), 0),"
            " COALESCE(SUM(visible_at > :now AND receive_count = 0), 0) "
            "FROM messages WHERE queue_id = :queue AND enqueued_at >= :cutoff",
            {"now": now_ms, "queue": queue.id, "cutoff": now_ms - retention_ms},
        ).fetchone()
        return QueueCounts(visible=row[0], in_flight=row[1], delayed=row[2])

    # Messages

    def add_messages(
        self,
        queue: QueueRecord,
        messages: list[NewMessage],
        dedup_scopes: list[str] | None = None,
    ) -> None:
        """Insert messages in order; with dedup_scopes, also record their FIFO dedup ids."""
        rows = [
            (
                queue.id,
                message.message_id,
                message.body,
                message.md5_body,
                message.attributes,
                message.system_attributes,
                message.sender_id,
                message.sent_at,
                message.visible_at,
                message.group_id,
                message.dedup_id,
                message.sequence_number,
                message.sent_at,
            )
            for message in messages
        ]
        if len(rows) == 1 and dedup_scopes is None:
            with self.transaction(single_statement=True):
                self._db.execute(INSERT_MESSAGE, rows[0])
            return
        with self.transaction():
            if dedup_scopes is not None:
                self._db.executemany(
                    "INSERT OR REPLACE INTO dedup_ids (queue_id, scope, dedup_id, message_id, "
                    "sequence_number, sent_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            queue.id,
                            scope,
                            message.dedup_id,
                            message.message_id,
                            message.sequence_number,
                            message.sent_at,
                        )
                        for scope, message in zip(dedup_scopes, messages, strict=True)
                    ],
                )
            self._db.executemany(INSERT_MESSAGE, rows)

    def receive_messages(
        self,
        queue: QueueRecord,
        max_messages: int,
        visibility_ms: int,
        now_ms: int,
        retention_ms: int,
    ) -> list[MessageRecord]:
        """Take up to max_messages visible messages, oldest first, and hide them.

        Each taken message gets a new receipt token, one more receive and a
        visibility deadline of now + visibility_ms.
        """
        with self.transaction(single_statement=True):
            rows = self._db.execute(
                "UPDATE messages SET"
                " receive_count = receive_count + 1,"
                " first_received_at = COALESCE(first_received_at, :now),"
                " received_at = :now,"
                " visible_at = :now + :visibility,"
                " receipt_token = lower(hex(randomblob(12))) "
                "WHERE id IN ("
                " SELECT id FROM messages"
                " WHERE queue_id = :queue AND visible_at <= :now AND enqueued_at >= :cutoff"
                " ORDER BY visible_at, id LIMIT :limit) "
                f"RETURNING {MESSAGE_COLUMNS}",
                {
                    "now": now_ms,
                    "visibility": visibility_ms,
                    "queue": queue.id,
                    "cutoff": now_ms - retention_ms,
                    "limit": max_messages,
                },
            ).fetchall()
        # RETURNING gives no order guarantee; the id is the send order.
        return sorted((MessageRecord(*row) for row in rows), key=lambda message: message.id)

    def receive_fifo_messages(
        self,
        queue: QueueRecord,
        max_messages: int,
        visibility_ms: int,
        now_ms: int,
        retention_ms: int,
    ) -> list[MessageRecord]:
        """Take up to max_messages messages of a FIFO queue in group order, and hide them.

        Within a group, messages go out in send order and only up to the
        first one that is not visible (in flight or delayed): nothing sent
        after a message in flight goes out, while earlier messages still can.
        The result lists each group's messages together, groups in the order
        of their first message.
        """
        cutoff = now_ms - retention_ms
        with self.transaction():
            groups = self._db.execute(
                DISTINCT_GROUPS, {"queue": queue.id, "limit": FEW_GROUPS + 1}
            ).fetchall()
            if len(groups) <= FEW_GROUPS:
                runs = self._group_runs(queue, [row[0] for row in groups], max_messages, now_ms, cutoff)
            else:
                runs = self._walk_runs(queue, max_messages, now_ms, cutoff)
            ids = [row_id for run in runs for row_id in run][:max_messages]
            records = self._take(ids, visibility_ms, now_ms)
        position = {row_id: index for index, row_id in enumerate(ids)}
        return sorted(records, key=lambda message: position[message.id])

    def _group_runs(
        self, queue: QueueRecord, groups: list[str], max_messages: int, now_ms: int, cutoff: int
    ) -> list[list[int]]:
        """Read each group's deliverable head run; few groups make this cheap at any depth."""
        runs = []
        for group_id in groups:
            run = []
            rows = self._db.execute(
                "SELECT id, visible_at, enqueued_at FROM messages"
                " WHERE queue_id = ? AND group_id = ? AND dedup_id IS NOT NULL"
                " ORDER BY id LIMIT ?",
                (queue.id, group_id, max_messages + FIFO_EXPIRED_SKIP),
            )
            for row_id, visible_at, enqueued_at in rows:
                if enqueued_at < cutoff:
                    continue  # expired: gone from the queue's view, blocks nothing
                if visible_at > now_ms or len(run) == max_messages:
                    break
                run.append(row_id)
            if run:
                runs.append(run)
        runs.sort(key=lambda run: run[0])
        return runs

    def _walk_runs(
        self, queue: QueueRecord, max_messages: int, now_ms: int, cutoff: int
    ) -> list[list[int]]:
        """Read the queue in send order, skipping blocked groups, for queues with many groups.

        Like SQS, the look-ahead stops after FIFO_LOOK_AHEAD messages, so a deep
        backlog of blocked groups can hide later groups.
        """
        rows = self._db.execute(
            "WITH blocked AS ("
            " SELECT group_id, MIN(id) AS first_blocked FROM messages"
            " WHERE queue_id = :queue AND visible_at > :now AND enqueued_at >= :cutoff"
            " GROUP BY group_id) "
            "SELECT m.id, m.group_id FROM messages AS m INDEXED BY fifo_messages_in_order"
            " WHERE m.queue_id = :queue AND m.dedup_id IS NOT NULL"
            " AND m.visible_at <= :now AND m.enqueued_at >= :cutoff"
            " AND m.id < COALESCE("
            "  (SELECT first_blocked FROM blocked WHERE blocked.group_id = m.group_id),"
            "  9223372036854775807)"
            " ORDER BY m.id LIMIT :look_ahead",
            {"queue": queue.id, "now": now_ms, "cutoff": cutoff, "look_ahead": FIFO_LOOK_AHEAD},
        )
        runs: dict[str, list[int]] = {}
        found = 0
        for row_id, group_id in rows:
            runs.setdefault(group_id, []).append(row_id)
            found += 1
            if found == max_messages:
                break
        return list(runs.values())

    def _take(self, ids: list[int], visibility_ms: int, now_ms: int) -> list[MessageRecord]:
        """Mark the given messages received now; run inside a transaction."""
        if not ids:
            return []
        placeholders = ",".join("?" * len(ids))
        rows = self._db.execute(
            "UPDATE messages SET"
            " receive_count = receive_count + 1,"
            " first_received_at = COALESCE(first_received_at, ?),"
            " received_at = ?,"
            " visible_at = ?,"
            " receipt_token = lower(hex(randomblob(12))) "
            f"WHERE id IN ({placeholders}) RETURNING {MESSAGE_COLUMNS}",
            (now_ms, now_ms, now_ms + visibility_ms, *ids),
        ).fetchall()
        return [MessageRecord(*row) for row in rows]

    def receive_fair_messages(
        self,
        queue: QueueRecord,
        max_messages: int,
        visibility_ms: int,
        now_ms: int,
        retention_ms: int,
        noisy_groups: list[str],
    ) -> list[MessageRecord]:
        """Receive from a standard queue, serving messages of noisy groups last."""
        params = {"queue": queue.id, "now": now_ms, "cutoff": now_ms - retention_ms}
        noisy = ",".join("?" * len(noisy_groups))
        ready = (
            "SELECT id FROM messages"
            " WHERE queue_id = :queue AND visible_at <= :now AND enqueued_at >= :cutoff"
        )
        with self.transaction():
            quiet_ids = [
                row[0]
                for row in self._db.execute(
                    f"{ready} AND (group_id IS NULL OR group_id NOT IN "
                    f"(SELECT value FROM json_each(:noisy))) ORDER BY visible_at, id LIMIT :limit",
                    {**params, "noisy": json.dumps(noisy_groups), "limit": max_messages},
                )
            ]
            noisy_ids = []
            if noisy and len(quiet_ids) < max_messages:
                noisy_ids = [
                    row[0]
                    for row in self._db.execute(
                        f"{ready} AND group_id IN (SELECT value FROM json_each(:noisy))"
                        " ORDER BY visible_at, id LIMIT :limit",
                        {
                            **params,
                            "noisy": json.dumps(noisy_groups),
                            "limit": max_messages - len(quiet_ids),
                        },
                    )
                ]
            ids = quiet_ids + noisy_ids
            records = self._take(ids, visibility_ms, now_ms)
        position = {row_id: index for index, row_id in enumerate(ids)}
        return sorted(records, key=lambda message: position[message.id])

    def in_flight_by_group(self, queue: QueueRecord, now_ms: int) -> dict[str | None, int]:
        rows = self._db.execute(
            "SELECT group_id, COUNT(*) FROM messages"
            " WHERE queue_id = ? AND visible_at > ? AND receive_count > 0 GROUP BY group_id",
            (queue.id, now_ms),
        )
        return dict(rows.fetchall())

    def count_in_flight(self, queue: QueueRecord, now_ms: int, limit: int) -> int:
        """Count the queue's messages in flight, stopping at limit."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM messages"
            " WHERE queue_id = ? AND visible_at > ? AND receive_count > 0 LIMIT ?)",
            (queue.id, now_ms, limit),
        ).fetchone()
        return row[0]

    def queues_with_groups(self) -> set[int]:
        rows = self._db.execute(
            "SELECT DISTINCT queue_id FROM messages WHERE group_id IS NOT NULL"
        ).fetchall()
        return {row[0] for row in rows}

    def find_duplicate(
        self, queue: QueueRecord, scope: str, dedup_id: str, since_ms: int
    ) -> tuple[str, str] | None:
        """Return (message id, sequence number) of a send with this dedup id since since_ms."""
        row = self._db.execute(
            "SELECT message_id, sequence_number FROM dedup_ids"
            " WHERE queue_id = ? AND scope = ? AND dedup_id = ? AND sent_at >= ?",
            (queue.id, scope, dedup_id, since_ms),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def last_sequence_number(self, queue: QueueRecord) -> int:
        row = self._db.execute(
            "SELECT MAX(number) FROM ("
            " SELECT MAX(CAST(sequence_number AS INTEGER)) AS number FROM messages"
            " WHERE queue_id = :queue"
            " UNION ALL SELECT MAX(CAST(sequence_number AS INTEGER)) FROM dedup_ids"
            " WHERE queue_id = :queue)",
            {"queue": queue.id},
        ).fetchone()
        return row[0] or 0

    def get_receive_attempt(
        self, queue: QueueRecord, attempt_id: str, since_ms: int
    ) -> tuple[int, list[tuple[int, str, int]]] | None:
        """Return (created_at, receipts) of a receive attempt made since since_ms."""
        row = self._db.execute(
            "SELECT created_at, receipts FROM receive_attempts"
            " WHERE queue_id = ? AND attempt_id = ? AND created_at >= ?",
            (queue.id, attempt_id, since_ms),
        ).fetchone()
        if row is None:
            return None
        return row[0], [tuple(item) for item in json.loads(row[1])]

    def save_receive_attempt(
        self,
        queue: QueueRecord,
        attempt_id: str,
        created_at: int,
        receipts: list[tuple[int, str, int]],
    ) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO receive_attempts (queue_id, attempt_id, created_at,"
                " receipts) VALUES (?, ?, ?, ?)",
                (queue.id, attempt_id, created_at, json.dumps(receipts)),
            )

    def get_message(self, queue: QueueRecord, row_id: int) -> MessageRecord | None:
        row = self._db.execute(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ? AND +queue_id = ?",
            (row_id, queue.id),
        ).fetchone()
        return MessageRecord(*row) if row else None

    def delete_messages(self, queue: QueueRecord, row_ids: list[int]) -> None:
        """Delete the queue's messages with these row ids; ids already gone are skipped."""
        placeholders = ",".join("?" * len(row_ids))
        with self.transaction(single_statement=True):
            self._db.execute(
                f"DELETE FROM messages WHERE id IN ({placeholders}) AND +queue_id = ?",
                (*row_ids, queue.id),
            )

    def set_visible_at(self, queue: QueueRecord, changes: list[tuple[int, int]]) -> None:
        """Apply (row id, visible_at) pairs in one transaction."""
        with self.transaction():
            self._db.executemany(
                "UPDATE messages SET visible_at = ? WHERE id = ? AND +queue_id = ?",
                [(visible_at, row_id, queue.id) for row_id, visible_at in changes],
            )

    def next_visible_at(self, queue: QueueRecord, now_ms: int) -> int | None:
        """Return when the next hidden message of the queue becomes visible."""
        row = self._db.execute(
            "SELECT MIN(visible_at) FROM messages WHERE queue_id = ? AND visible_at > ?",
            (queue.id, now_ms),
        ).fetchone()
        return row[0]

    def delete_expired(
        self, now_ms: int, after_id: int, max_rows: int
    ) -> tuple[int, int, int | None]:
        """Delete expired messages among the next max_rows messages after after_id.

        The chunk runs over all queues in row id order, each message measured
        against its own queue's MessageRetentionPeriod, and messages of
        deleted queues go too. Returns how many were deleted, how many were
        read, and the id to continue after, or None at the end of the table. Bounded chunks keep a deep queue from holding the
        event loop; reads skip expired messages in the meantime.
        """
        last_id, count = self._db.execute(
            "SELECT MAX(id), COUNT(*) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)",
            (after_id, max_rows),
        ).fetchone()
        if last_id is None:
            return 0, 0, None
        with self.transaction(single_statement=True):
            cursor = self._db.execute(
                "DELETE FROM messages WHERE id > ? AND id <= ? AND ("
                " NOT EXISTS (SELECT 1 FROM queues WHERE queues.id = messages.queue_id)"
                " OR enqueued_at < ? - 1000 * ("
                "  SELECT json_extract(queues.attributes, '$.MessageRetentionPeriod')"
                "  FROM queues WHERE queues.id = messages.queue_id))",
                (after_id, last_id, now_ms),
            )
        return cursor.rowcount, count, last_id if count == max_rows else None

    def delete_expired_fifo_state(self, queue: QueueRecord, window_start_ms: int) -> None:
        """Delete FIFO dedup ids and receive attempts older than window_start_ms."""
        with self.transaction():
            self._db.execute(
                "DELETE FROM dedup_ids WHERE queue_id = ? AND sent_at < ?",
                (queue.id, window_start_ms),
            )
            self._db.execute(
                "DELETE FROM receive_attempts WHERE queue_id = ? AND created_at < ?",
                (queue.id, window_start_ms),
            )
