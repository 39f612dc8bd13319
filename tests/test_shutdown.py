"""Graceful stop: SIGTERM or SIGINT to `sqslite serve --db` under load.

Needs a real server process (tests.serving.ServerProcess). Producers and
consumers run against one queue while long polls wait on another, empty
queue; then the server gets the signal. The test checks that:

- every request gets a well-formed response or a connection error, and no
  request fails before the signal;
- the open long polls return empty responses soon after the signal;
- the process logs "database closed" and exits with status 0 within
  STOP_TIMEOUT seconds, although the long polls asked to wait much longer;
- PRAGMA integrity_check on the file returns ok;
- after a restart on the same file, every answered send is received unless
  a delete for it was sent, no message whose delete was answered comes back,
  and no body comes back that was never sent.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from botocore.exceptions import BotoCoreError, ClientError

from .robustness import (
    ANSWERED,
    DOUBT,
    check_stored,
    integrity,
    queue_counts,
    sqs_client,
    stored_bodies,
)
from .serving import ServerProcess

PRODUCERS = 3
CONSUMERS = 2
LONG_POLLS = 3
LONG_POLL_WAIT = 20  # seconds, far longer than the stop may take
LOAD_SECONDS = 1.0  # load before the signal
STOP_TIMEOUT = 5.0  # seconds from the signal to the exit
VISIBILITY = 30  # seconds, and the restart moves its test clock past this
MAX_REQUESTS = 5000  # per client thread, a bound in case the server never stops


@dataclass
class Ledger:
    """What the clients sent and deleted, and every failure they saw.

    A request is entered as DOUBT before it is sent and set to ANSWERED once
    its response arrives, so a request cut off by the stop stays DOUBT.
    """

    signalled_at: float | None = None
    sent: dict[str, str] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    long_polls: list[tuple[float, dict | Exception]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, error: Exception) -> bool:
        """Record a failed request and return whether the client should stop.

        An SQS error response is always a violation. A connection error is
        expected once the signal is sent, and a violation before that.
        """
        with self.lock:
            if isinstance(error, ClientError):
                self.violations.append(f"server returned an error: {error}")
                return False
            if self.signalled_at is None:
                self.violations.append(f"connection failed before the signal: {error!r}")
                return False
            return True


def producer(sqs, queue_url: str, ledger: Ledger, number: int, stop: threading.Event) -> None:
    for index in range(MAX_REQUESTS):
        if stop.is_set():
            return
        body = f"p{number}-{index}"
        with ledger.lock:
            ledger.sent[body] = DOUBT
        try:
            sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        except (BotoCoreError, ClientError) as error:
            if ledger.failed(error):
                return
            continue
        with ledger.lock:
            ledger.sent[body] = ANSWERED


def consumer(sqs, queue_url: str, ledger: Ledger, stop: threading.Event) -> None:
    for _ in range(MAX_REQUESTS):
        if stop.is_set():
            return
        try:
            messages = sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                VisibilityTimeout=VISIBILITY,
            ).get("Messages", [])
        except (BotoCoreError, ClientError) as error:
            if ledger.failed(error):
                return
            continue
        for message in messages:
            body = message["Body"]
            with ledger.lock:
                if body not in ledger.sent:
                    ledger.violations.append(f"received a body never sent: {body!r}")
                ledger.deleted[body] = DOUBT
            try:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            except (BotoCoreError, ClientError) as error:
                if ledger.failed(error):
                    return
                continue
            with ledger.lock:
                ledger.deleted[body] = ANSWERED


def long_poll(sqs, queue_url: str, ledger: Ledger) -> None:
    try:
        result: dict | Exception = sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=LONG_POLL_WAIT
        )
    except (BotoCoreError, ClientError) as error:
        result = error
    with ledger.lock:
        ledger.long_polls.append((time.monotonic(), result))


def long_polls_waiting(url: str) -> int:
    """Read the sqslite_long_polls_waiting gauge from GET /metrics."""
    text = httpx.get(f"{url}/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith("sqslite_long_polls_waiting "):
            return int(float(line.split()[1]))
    raise AssertionError("GET /metrics has no sqslite_long_polls_waiting line")


def wait_for_long_polls(url: str, expected: int, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    waiting = long_polls_waiting(url)
    while waiting < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        waiting = long_polls_waiting(url)
    assert waiting >= expected, f"{waiting} long polls waiting, expected {expected}"


def drain(url: str, queue_name: str, limit: int) -> list[str]:
    """Receive and delete every message of a queue through the API."""
    sqs = sqs_client(url)
    queue_url = f"{url}/000000000000/{queue_name}"
    bodies: list[str] = []
    for _ in range(limit // 10 + 10):
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        if not messages:
            break
        bodies += [message["Body"] for message in messages]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
    assert queue_counts(sqs, queue_url) == (0, 0, 0)
    return bodies


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stop_signal_under_load(tmp_path, stop_signal):
    database = tmp_path / "shutdown.db"
    # The info log level is needed for the "database closed" line.
    server = ServerProcess("--db", str(database), "--log-level", "info")
    setup = sqs_client(server.url)
    load_url = setup.create_queue(QueueName="load")["QueueUrl"]
    idle_url = setup.create_queue(QueueName="idle")["QueueUrl"]

    # Without retries, so that every failure reaches the ledger and a send
    # whose response was lost is not stored twice.
    load = sqs_client(server.url, retries=False, timeout=10, pool=PRODUCERS + CONSUMERS)
    polls = sqs_client(server.url, retries=False, timeout=LONG_POLL_WAIT + 10, pool=LONG_POLLS)
    ledger = Ledger()
    stop = threading.Event()
    pollers = [
        threading.Thread(target=long_poll, args=(polls, idle_url, ledger))
        for _ in range(LONG_POLLS)
    ]
    workers = [
        threading.Thread(target=producer, args=(load, load_url, ledger, number, stop))
        for number in range(PRODUCERS)
    ]
    workers += [
        threading.Thread(target=consumer, args=(load, load_url, ledger, stop))
        for _ in range(CONSUMERS)
    ]
    for thread in pollers:
        thread.start()
    wait_for_long_polls(server.url, LONG_POLLS)
    for thread in workers:
        thread.start()
    time.sleep(LOAD_SECONDS)

    with ledger.lock:
        ledger.signalled_at = time.monotonic()
    status, output = server.stop(stop_signal, timeout=STOP_TIMEOUT + 10)
    stopped_after = time.monotonic() - ledger.signalled_at
    # The clients stop at their first connection error after the signal, and
    # the event also ends any that are between requests.
    stop.set()
    for thread in pollers + workers:
        thread.join(timeout=15)
        assert not thread.is_alive(), "a client thread did not stop after the server exited"

    assert status == 0, output
    assert stopped_after < STOP_TIMEOUT, f"the server took {stopped_after:.1f} s to exit"
    assert "database closed" in output, output
    assert not ledger.violations, ledger.violations[:10]
    assert len(ledger.long_polls) == LONG_POLLS
    for returned_at, result in ledger.long_polls:
        assert isinstance(result, dict), f"a long poll failed: {result!r}"
        assert "Messages" not in result
        waited = returned_at - ledger.signalled_at
        assert waited < STOP_TIMEOUT, f"a long poll returned {waited:.1f} s after the signal"
    answered = sum(state == ANSWERED for state in ledger.sent.values())
    assert answered > 20, f"only {answered} sends were answered; the load did not run"

    # The file itself, before a server opens it again.
    assert integrity(database) == "ok"
    bodies = stored_bodies(database, "load")
    check_stored(ledger.sent, ledger.deleted, bodies)

    # A restart finds the same messages. Messages received before the stop
    # and not deleted are visible again once the clock passes their timeout.
    server = ServerProcess("--db", str(database), "--test-clock", "--log-level", "warning")
    try:
        server.advance_clock(VISIBILITY + 1)
        drained = drain(server.url, "load", len(bodies))
    finally:
        status, output = server.stop()
    assert status == 0, output
    assert sorted(drained) == sorted(bodies)
    check_stored(ledger.sent, ledger.deleted, drained)
    assert integrity(database) == "ok"
