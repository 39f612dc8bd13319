"""Concurrency: 50 long-polling consumers and 10 producers on one queue.

Needs a real server process (tests.serving.ServerProcess). The clients speak
the JSON protocol over httpx, one thread and connection each. (One asyncio
loop with httpx.AsyncClient managed only about 20 sends a second with 50
long polls open, far below what the server serves.) Consumers leave some
first deliveries undeleted, so those come back after the visibility timeout.
The test checks that no answered send is lost, that no message is delivered
again inside its visibility window, and that the approximate counts match
what the clients sent and deleted. SQSLITE_SOAK=1 runs the load for 60 s
instead of 12 s.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, field

import httpx

from .robustness import QUIET, SOAK
from .serving import ServerProcess

CONSUMERS = 50
PRODUCERS = 10
LOAD_SECONDS = 60 if SOAK else 12
DRAIN_SECONDS = 15
VISIBILITY = 2  # seconds, short so that redeliveries happen during the load
WAIT_SECONDS = (1, 3)
KEEP_CHANCE = 0.1  # share of first deliveries a consumer leaves undeleted
# Receive and send times are taken on the client, around the request; the
# server rounds its clock to milliseconds, hence the small allowance.
CLOCK_ALLOWANCE = 0.01


@dataclass
class Delivery:
    requested: float  # client time when the ReceiveMessage request was sent
    answered: float  # client time when its response arrived
    receive_count: int


@dataclass
class Tally:
    sent: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    deliveries: dict[str, list[Delivery]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def call(client: httpx.Client, operation: str, payload: dict) -> dict:
    response = client.post(
        "/",
        content=json.dumps(payload),
        headers={
            "X-Amz-Target": f"AmazonSQS.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    if response.status_code != 200:
        raise AssertionError(f"{operation} returned {response.status_code}: {response.text}")
    return response.json()


def produce(url: str, queue_url: str, number: int, tally: Tally, until: float) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        index = 0
        while time.monotonic() < until:
            result = call(
                client,
                "SendMessage",
                {"QueueUrl": queue_url, "MessageBody": f"p{number}-{index}"},
            )
            with tally.lock:
                tally.sent.add(result["MessageId"])
            index += 1


def consume(url: str, queue_url: str, tally: Tally, until: float) -> None:
    rng = random.Random()
    with httpx.Client(base_url=url, timeout=WAIT_SECONDS[1] + 10) as client:
        while time.monotonic() < until:
            requested = time.monotonic()
            result = call(
                client,
                "ReceiveMessage",
                {
                    "QueueUrl": queue_url,
                    "MaxNumberOfMessages": rng.randint(1, 10),
                    "WaitTimeSeconds": rng.randint(*WAIT_SECONDS),
                    "VisibilityTimeout": VISIBILITY,
                    "MessageSystemAttributeNames": ["ApproximateReceiveCount"],
                },
            )
            answered = time.monotonic()
            for message in result.get("Messages", []):
                count = int(message["Attributes"]["ApproximateReceiveCount"])
                with tally.lock:
                    history = tally.deliveries.setdefault(message["MessageId"], [])
                    history.append(Delivery(requested, answered, count))
                if count == 1 and rng.random() < KEEP_CHANCE:
                    continue
                call(
                    client,
                    "DeleteMessage",
                    {"QueueUrl": queue_url, "ReceiptHandle": message["ReceiptHandle"]},
                )
                with tally.lock:
                    tally.deleted.add(message["MessageId"])


def counts(client, queue_url: str) -> tuple[int, int, int]:
    result = call(
        client, "GetQueueAttributes", {"QueueUrl": queue_url, "AttributeNames": ["All"]}
    )
    attributes = result["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def early_redeliveries(tally: Tally) -> list[str]:
    """List deliveries that surely came inside the visibility window of the one before."""
    found = []
    for message_id, history in tally.deliveries.items():
        # The receive count gives the server's order of deliveries; the
        # request times do not, because long polls overlap.
        ordered = sorted(history, key=lambda delivery: delivery.receive_count)
        for before, after in zip(ordered, ordered[1:]):
            # The server hid the message no earlier than `before.requested`,
            # so it may not hand it out again before that plus the timeout.
            if after.answered < before.requested + VISIBILITY - CLOCK_ALLOWANCE:
                found.append(
                    f"{message_id}: delivered again {after.answered - before.requested:.3f} s "
                    f"after a receive with a {VISIBILITY} s visibility timeout"
                )
    return found


def run_threads(targets: list[tuple]) -> None:
    """Run each (function, *args) in its own thread and wait for all of them.

    Every function stops by itself at its deadline; an exception in one
    fails the test after all threads have stopped.
    """
    failures = []

    def guarded(function, *args):
        try:
            function(*args)
        except Exception as error:  # reported below, after every thread has stopped
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + DRAIN_SECONDS + 30)
        assert not thread.is_alive(), "a client thread passed its deadline"
    assert not failures, failures[:5]


def run_load(url: str) -> tuple[Tally, tuple, tuple]:
    with httpx.Client(base_url=url, timeout=10) as client:
        created = call(
            client,
            "CreateQueue",
            {"QueueName": "busy", "Attributes": {"VisibilityTimeout": str(VISIBILITY)}},
        )
        queue_url = created["QueueUrl"]
        tally = Tally()
        until = time.monotonic() + LOAD_SECONDS
        run_threads(
            [(produce, url, queue_url, number, tally, until) for number in range(PRODUCERS)]
            + [(consume, url, queue_url, tally, until) for _ in range(CONSUMERS)]
        )
        # No request is open now, so the counts are exact. The drain below
        # changes the tally, so the undeleted count is taken here.
        after_load = (*counts(client, queue_url), len(tally.sent - tally.deleted))

        deadline = time.monotonic() + DRAIN_SECONDS
        while tally.sent - tally.deleted and time.monotonic() < deadline:
            until = time.monotonic() + VISIBILITY + 1
            run_threads([(consume, url, queue_url, tally, until) for _ in range(5)])
        after_drain = counts(client, queue_url)
    return tally, after_load, after_drain


def test_many_long_polls_lose_and_repeat_nothing():
    server = ServerProcess(*QUIET)
    try:
        tally, after_load, after_drain = run_load(server.url)
    finally:
        status, output = server.stop()
    assert status == 0, output

    assert len(tally.sent) > 100, f"only {len(tally.sent)} sends; the load did not run"
    assert tally.deliveries.keys() <= tally.sent, "a message id was received but never sent"
    visible, in_flight, delayed, undeleted = after_load
    assert visible + in_flight == undeleted
    assert delayed == 0
    lost = tally.sent - tally.deleted
    assert not lost, f"{len(lost)} answered sends never received and deleted"
    assert after_drain == (0, 0, 0)

    assert early_redeliveries(tally) == []
    redelivered = [history for history in tally.deliveries.values() if len(history) > 1]
    assert redelivered, "no message was delivered twice, so the visibility window was not tested"
    for history in tally.deliveries.values():
        counts_seen = sorted(delivery.receive_count for delivery in history)
        assert counts_seen == list(range(1, len(history) + 1))
