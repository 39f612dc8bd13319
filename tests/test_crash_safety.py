"""Crash safety: SIGKILL `sqslite serve --db` under load and check what the file keeps.

Needs a real server process (tests.serving.ServerProcess). Each round starts
the server on the same database, runs producers and consumers against it and
kills it at a random moment with requests in flight. After the last round the
test reads the database file directly and then drains the queue through the
API, checking:

- every message whose SendMessage was answered is stored, unless a
  DeleteMessage for it was sent;
- no message stays stored after its DeleteMessage was answered;
- nothing else is stored, and no body is stored twice;
- a message received and kept before a crash is received again once its
  visibility timeout has run out after the restart;
- on a FIFO queue, each group is received in send order over all rounds;
- PRAGMA integrity_check returns ok.

The clock offset of --test-clock is not saved, so each restart moves the
clock further than the previous run did plus one visibility timeout.
SQSLITE_SOAK=1 runs 60 rounds instead of 12.
"""

from __future__ import annotations

import random
import signal
import threading
import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from .robustness import (
    ANSWERED,
    DOUBT,
    QUIET,
    SOAK,
    check_stored,
    integrity,
    queue_counts,
    sqs_client,
    stored_bodies,
)
from .serving import ServerProcess

ROUNDS = 60 if SOAK else 12
VISIBILITY = 30  # seconds; longer than a round, so kept messages stay hidden until the restart
ROUND_SECONDS = (0.2, 1.0)  # the kill comes at a uniformly random moment in this range
GROUPS = 4
KEEP_CHANCE = 0.15  # share of received messages a consumer keeps instead of deleting


class Ledger:
    """What the clients sent, received and deleted, and every violation they saw.

    A request is entered as DOUBT before it is sent and set to ANSWERED
    once its answer arrives, so a request cut off by the kill stays DOUBT.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: dict[str, str] = {}
        self.deleted: dict[str, str] = {}
        self.kept: set[str] = set()
        # Kept messages that a consumer received again during the rounds.
        self.redelivered = 0
        self.violations: list[str] = []
        self.errors: list[str] = []

    def violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)


class Round:
    """One run of the server between a start and a SIGKILL."""

    def __init__(self, server: ServerProcess, ledger: Ledger) -> None:
        self.server = server
        self.ledger = ledger
        self.stop = threading.Event()
        self.killed_at: float | None = None
        self.sqs = sqs_client(server.url, retries=False, timeout=10, pool=16)

    def queue_url(self, name: str) -> str:
        return f"{self.server.url}/000000000000/{name}"

    def failed(self, error: Exception) -> None:
        """Record a failed request: a ClientError, or a lost connection while the server ran."""
        if isinstance(error, ClientError):
            self.ledger.violation(f"server returned an error: {error}")
        elif self.killed_at is None or time.monotonic() < self.killed_at:
            self.ledger.violation(f"connection failed before the kill: {error!r}")
        time.sleep(0.02)


def run_together(runs: list[Round], workers: list[list], seconds: float) -> None:
    """Run each round's workers for seconds, then SIGKILL their server and stop them."""
    threads = [
        threading.Thread(target=worker, args=(run,))
        for run, run_workers in zip(runs, workers, strict=True)
        for worker in run_workers
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    for run in runs:
        run.killed_at = time.monotonic()
    runs[0].server.stop(signal.SIGKILL)
    for run in runs:
        run.stop.set()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a client thread did not stop after the kill"


# Standard queue


def standard_producer(number: int):
    counter = iter(range(10**9))

    def produce(run: Round) -> None:
        while not run.stop.is_set():
            body = f"s-{number}-{next(counter)}-{time.monotonic_ns()}"
            with run.ledger.lock:
                run.ledger.sent[body] = DOUBT
            try:
                run.sqs.send_message(QueueUrl=run.queue_url("crash"), MessageBody=body)
            except (BotoCoreError, ClientError) as error:
                run.failed(error)
                continue
            with run.ledger.lock:
                run.ledger.sent[body] = ANSWERED

    return produce


def standard_consumer(run: Round) -> None:
    rng = random.Random()
    while not run.stop.is_set():
        try:
            messages = run.sqs.receive_message(
                QueueUrl=run.queue_url("crash"),
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                VisibilityTimeout=VISIBILITY,
            ).get("Messages", [])
        except (BotoCoreError, ClientError) as error:
            run.failed(error)
            continue
        for message in messages:
            body = message["Body"]
            with run.ledger.lock:
                if body not in run.ledger.sent:
                    run.ledger.violations.append(f"received a body never sent: {body!r}")
                if run.ledger.deleted.get(body) == ANSWERED:
                    run.ledger.violations.append(f"received {body!r} after its delete was answered")
                if body in run.ledger.kept:
                    run.ledger.redelivered += 1
                if rng.random() < KEEP_CHANCE:
                    run.ledger.kept.add(body)
                    continue
                run.ledger.kept.discard(body)
                run.ledger.deleted[body] = DOUBT
            try:
                run.sqs.delete_message(
                    QueueUrl=run.queue_url("crash"), ReceiptHandle=message["ReceiptHandle"]
                )
            except (BotoCoreError, ClientError) as error:
                run.failed(error)
                break
            with run.ledger.lock:
                run.ledger.deleted[body] = ANSWERED


class CrashRun:
    """The database after the kill rounds, with the ledgers of both queues."""

    def __init__(self, database) -> None:
        self.database = database
        self.standard = Ledger()
        self.fifo = Ledger()
        self.book = FifoBook()
        self.offset = 0.0


@pytest.fixture(scope="module")
def crash_run(tmp_path_factory) -> CrashRun:
    """Kill the server ROUNDS times under load on a standard and a FIFO queue."""
    crash = CrashRun(tmp_path_factory.mktemp("crash") / "crash.db")
    server = ServerProcess("--db", str(crash.database), "--test-clock", *QUIET)
    sqs = sqs_client(server.url)
    sqs.create_queue(QueueName="crash")
    sqs.create_queue(QueueName="crash.fifo", Attributes={"FifoQueue": "true"})
    server.stop()
    standard = [standard_producer(number) for number in range(3)] + [standard_consumer] * 3
    fifo = [fifo_producer(crash.book, group) for group in range(GROUPS)]
    fifo += [fifo_consumer(crash.book) for _ in range(3)]
    for _ in range(ROUNDS):
        crash.offset += VISIBILITY + 1
        server = restart(crash.database, crash.offset)
        runs = [Round(server, crash.standard), Round(server, crash.fifo)]
        run_together(runs, [standard, fifo], random.uniform(*ROUND_SECONDS))

    # Resend the FIFO bodies still in doubt, as their producers would. The
    # deduplication id keeps one that was stored before the kill from being
    # stored again.
    crash.offset += VISIBILITY + 1
    server = restart(crash.database, crash.offset)
    sqs = sqs_client(server.url)
    for group in range(GROUPS):
        body = crash.book.body(group, crash.book.next_index[group])
        if body in crash.fifo.sent:
            sqs.send_message(
                QueueUrl=f"{server.url}/000000000000/crash.fifo",
                MessageBody=body,
                MessageGroupId=f"g{group}",
                MessageDeduplicationId=body,
            )
            crash.fifo.sent[body] = ANSWERED
    status, output = server.stop()
    assert status == 0, output
    return crash


def restart(database, offset: float) -> ServerProcess:
    """Start the server on database with its clock moved offset seconds ahead."""
    server = ServerProcess("--db", str(database), "--test-clock", *QUIET)
    server.advance_clock(offset)
    return server


def test_standard_queue_survives_sigkill(crash_run):
    database, ledger, offset = crash_run.database, crash_run.standard, crash_run.offset
    assert not ledger.violations, ledger.violations[:10]
    # The file itself, before any client touches it again.
    assert integrity(database) == "ok"
    bodies = stored_bodies(database, "crash")
    check_stored(ledger.sent, ledger.deleted, bodies)
    answered = sum(state == ANSWERED for state in ledger.sent.values())
    assert answered > 100, f"only {answered} sends were answered; the load did not run"
    # Redelivery is tested during the rounds, or by the drain below for messages still kept.
    assert ledger.kept or ledger.redelivered, "no message was kept, so redelivery went untested"

    # Every stored message, including the ones kept before a crash, comes back.
    offset += VISIBILITY + 1
    server = restart(database, offset)
    try:
        sqs = sqs_client(server.url)
        queue_url = f"{server.url}/000000000000/crash"
        drained = []
        for _ in range(len(bodies) // 10 + 10):
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                break
            drained += [message["Body"] for message in messages]
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(messages)
                ],
            )
        assert sorted(drained) == sorted(bodies)
        kept = {body for body in ledger.kept if ledger.deleted.get(body) is None}
        assert kept <= set(drained), "a message kept before a crash did not come back"
        assert queue_counts(sqs, queue_url) == (0, 0, 0)
    finally:
        status, output = server.stop()
    assert status == 0, output
    assert integrity(database) == "ok"


# FIFO queue


class FifoBook:
    """Per-group send state of the FIFO producers, kept across rounds.

    A producer sends its group's bodies one at a time and resends a body
    whose SendMessage got no answer, with the same deduplication id, until
    it is answered. So every index below a group's next index is stored once.
    """

    def __init__(self) -> None:
        self.next_index = [0] * GROUPS
        # Per group, an index below which every message was deleted.
        self.low = [0] * GROUPS

    @staticmethod
    def body(group: int, index: int) -> str:
        return f"g{group}-{index:06d}"

    @staticmethod
    def parse(body: str) -> tuple[int, int]:
        group, index = body[1:].split("-")
        return int(group), int(index)


def fifo_producer(book: FifoBook, group: int):
    def produce(run: Round) -> None:
        while not run.stop.is_set():
            body = book.body(group, book.next_index[group])
            with run.ledger.lock:
                run.ledger.sent.setdefault(body, DOUBT)
            try:
                run.sqs.send_message(
                    QueueUrl=run.queue_url("crash.fifo"),
                    MessageBody=body,
                    MessageGroupId=f"g{group}",
                    MessageDeduplicationId=body,
                )
            except (BotoCoreError, ClientError) as error:
                run.failed(error)
                continue
            with run.ledger.lock:
                run.ledger.sent[body] = ANSWERED
            book.next_index[group] += 1

    return produce


def check_fifo_order(ledger: Ledger, book: FifoBook, bodies: list[str]) -> str | None:
    """Return why one receive's bodies break group order, or None if they keep it.

    Within each group a receive must return the lowest indices not yet
    deleted, in order. It may pass over a message only if a DeleteMessage
    for it was sent, because that delete may have committed before the kill.
    Call with ledger.lock held.
    """
    by_group: dict[int, list[int]] = {}
    for body in bodies:
        if body not in ledger.sent:
            return f"received a body never sent: {body!r}"
        group, index = book.parse(body)
        by_group.setdefault(group, []).append(index)
    for group, indices in by_group.items():
        while ledger.deleted.get(book.body(group, book.low[group])) == ANSWERED:
            book.low[group] += 1
        candidates = [
            index
            for index in range(book.low[group], max(indices) + 1)
            if book.body(group, index) in ledger.sent
            and ledger.deleted.get(book.body(group, index)) != ANSWERED
        ]
        position = 0
        for index in indices:
            while position < len(candidates) and candidates[position] != index:
                skipped = book.body(group, candidates[position])
                if skipped not in ledger.deleted:
                    return f"group {group}: received {index} before {candidates[position]}"
                position += 1
            if position == len(candidates):
                return f"group {group}: received {index}, deleted or out of order"
            position += 1
    return None


def fifo_consumer(book: FifoBook):
    def consume(run: Round) -> None:
        rng = random.Random()
        while not run.stop.is_set():
            try:
                messages = run.sqs.receive_message(
                    QueueUrl=run.queue_url("crash.fifo"),
                    MaxNumberOfMessages=10,
                    WaitTimeSeconds=1,
                    VisibilityTimeout=VISIBILITY,
                ).get("Messages", [])
            except (BotoCoreError, ClientError) as error:
                run.failed(error)
                continue
            bodies = [message["Body"] for message in messages]
            with run.ledger.lock:
                problem = check_fifo_order(run.ledger, book, bodies)
                if problem:
                    run.ledger.violations.append(problem)
            # A consumer that keeps a message leaves the rest of its group
            # alone too, as a FIFO consumer must to keep the group's order.
            blocked: set[int] = set()
            for message in messages:
                body = message["Body"]
                group, _ = book.parse(body)
                with run.ledger.lock:
                    if body in run.ledger.kept:
                        run.ledger.redelivered += 1
                if group in blocked or rng.random() < KEEP_CHANCE / 3:
                    blocked.add(group)
                    with run.ledger.lock:
                        run.ledger.kept.add(body)
                    continue
                with run.ledger.lock:
                    run.ledger.kept.discard(body)
                    run.ledger.deleted[body] = DOUBT
                try:
                    run.sqs.delete_message(
                        QueueUrl=run.queue_url("crash.fifo"),
                        ReceiptHandle=message["ReceiptHandle"],
                    )
                except (BotoCoreError, ClientError) as error:
                    run.failed(error)
                    break
                with run.ledger.lock:
                    run.ledger.deleted[body] = ANSWERED

    return consume


def test_fifo_queue_survives_sigkill(crash_run):
    database, ledger, book = crash_run.database, crash_run.fifo, crash_run.book
    offset = crash_run.offset
    assert not ledger.violations, ledger.violations[:10]
    assert integrity(database) == "ok"
    bodies = stored_bodies(database, "crash.fifo")
    check_stored(ledger.sent, ledger.deleted, bodies)
    for group in range(GROUPS):
        indices = [index for body in bodies for g, index in [book.parse(body)] if g == group]
        assert indices == sorted(indices), f"group {group} is stored out of send order"
    assert sum(book.next_index) > 50, f"only {sum(book.next_index)} sends were answered"
    # Redelivery is tested during the rounds, or by the drain below for messages still kept.
    assert ledger.kept or ledger.redelivered, "no message was kept, so redelivery went untested"

    # Drain: the kept messages come back first in their groups, then the rest in order.
    offset += VISIBILITY + 1
    server = restart(database, offset)
    try:
        sqs = sqs_client(server.url)
        queue_url = f"{server.url}/000000000000/crash.fifo"
        drained = []
        for _ in range(len(bodies) + 10):
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                break
            received = [message["Body"] for message in messages]
            problem = check_fifo_order(ledger, book, received)
            assert problem is None, problem
            drained += received
            for message in messages:
                ledger.deleted[message["Body"]] = DOUBT
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                ledger.deleted[message["Body"]] = ANSWERED
        assert sorted(drained) == sorted(bodies)
        kept = {body for body in ledger.kept if ledger.deleted.get(body) is None}
        assert kept <= set(drained), "a message kept before a crash did not come back"
        assert queue_counts(sqs, queue_url) == (0, 0, 0)
    finally:
        status, output = server.stop()
    assert status == 0, output
    assert integrity(database) == "ok"

