"""The load scenarios that send raw SQS JSON-protocol requests.

Each scenario is a coroutine that takes a Run and returns a
ScenarioResult. Every load loop stops at a message or round count, or when
Limits.seconds have passed, whichever comes first. A phase still running
PHASE_GRACE seconds after that is cancelled and reported as a failure.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from .client import Connection, SqsClient
from .results import CpuMeter, ScenarioResult
from .targets import Target

CONNECTIONS = 16
PRODUCERS = 8
CONSUMERS = 8
FILL_CONNECTIONS = 8
FIFO_GROUPS = 10
FIFO_PRODUCERS = 5  # each producer owns FIFO_GROUPS / FIFO_PRODUCERS groups
BATCH_SIZE = 10
BODY_1KIB = "x" * 1024
FILL_BODY = "f" * 64
# Long enough that no received message becomes visible again during a
# scenario, so any message seen twice is a duplicate.
VISIBILITY_TIMEOUT = 600
PHASE_GRACE = 25.0
LONG_POLL_SETTLE = 0.02


@dataclass
class Limits:
    """Upper bounds of one run against one target; each load phase stops at the first one hit."""

    seconds: float
    send_messages: int
    batch_messages: int
    receive_messages: int
    pipeline_messages: int
    long_poll_rounds: int
    queues: int
    queue_messages: int
    list_rounds: int
    fifo_messages: int
    deep_small: int
    deep_large: int
    deep_rounds: int
    boto_messages: int
    start_rounds: int
    idle_wait: float
    min_fill_rate: float


class Run:
    """State shared by the scenarios of one target: its client, a name prefix and its queues."""

    def __init__(self, target: Target, limits: Limits, run_id: str) -> None:
        self.target = target
        self.limits = limits
        self.client = SqsClient(target.endpoint)
        self.prefix = f"bench-{run_id}"
        self.control = self.client.connection()
        self.queues: list[str] = []

    def deadline(self) -> float:
        return time.perf_counter() + self.limits.seconds

    async def create_queue(self, name: str, attributes: dict | None = None) -> str:
        params: dict = {"QueueName": f"{self.prefix}-{name}"}
        if attributes:
            params["Attributes"] = attributes
        response = await self.client.call(self.control, "CreateQueue", params)
        self.queues.append(response["QueueUrl"])
        return response["QueueUrl"]

    async def delete_queues(self) -> None:
        """Delete every queue this run created, on CONNECTIONS connections."""
        pending = list(self.queues)
        self.queues.clear()

        async def delete(connection: Connection) -> None:
            while pending:
                url = pending.pop()
                await self.client.call(connection, "DeleteQueue", {"QueueUrl": url})

        await run_connections(self.client, min(CONNECTIONS, len(pending)), delete)
        self.control.close()

    async def message_count(self, url: str) -> int:
        """Return visible plus in-flight messages, from GetQueueAttributes."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        response = await self.client.call(
            self.control, "GetQueueAttributes", {"QueueUrl": url, "AttributeNames": names}
        )
        return sum(int(response["Attributes"].get(name, 0)) for name in names)


async def run_connections(
    client: SqsClient,
    count: int,
    worker: Callable[[Connection], Awaitable[None]],
    time_limit: float | None = None,
) -> None:
    """Run worker on count new connections at once and close them afterwards.

    Raises TimeoutError if the workers are still running after time_limit
    seconds.
    """
    connections = [client.connection() for _ in range(count)]
    try:
        tasks = [worker(connection) for connection in connections]
        if time_limit is None:
            await asyncio.gather(*tasks)
        else:
            await asyncio.wait_for(asyncio.gather(*tasks), time_limit)
    finally:
        for connection in connections:
            connection.close()


def send_request(url: str, body: str, **extra) -> bytes:
    return json.dumps({"QueueUrl": url, "MessageBody": body, **extra}).encode()


def batch_entries(first: int, count: int, body: str, fifo_group: Callable | None = None) -> list:
    entries = []
    for index in range(count):
        entry = {"Id": str(index), "MessageBody": body}
        if fifo_group is not None:
            sequence = first + index
            entry["MessageGroupId"] = fifo_group(sequence)
            entry["MessageDeduplicationId"] = str(sequence)
        entries.append(entry)
    return entries


def check_batch(result: ScenarioResult, response: dict, expected: int, operation: str) -> int:
    """Return how many entries succeeded, and record a failure for any failed entry."""
    successful = len(response.get("Successful", []))
    failed = response.get("Failed", [])
    result.check(not failed, f"{operation} had failed entries, first: {failed[:1]}")
    result.check(
        successful + len(failed) == expected,
        f"{operation} answered {successful} of {expected} entries",
    )
    return successful


async def fill_queue(run: Run, url: str, total: int, body: str = FILL_BODY) -> tuple[int, float]:
    """Send total messages with SendMessageBatch from FILL_CONNECTIONS connections.

    Returns (messages sent, seconds taken). The fill is not bounded by
    Limits.seconds, because a scenario that needs a full queue cannot run
    on a partial one. It times out if it runs slower than
    Limits.min_fill_rate messages per second.
    """
    sent = 0
    remaining = [total]

    async def fill(connection: Connection) -> None:
        nonlocal sent
        while remaining[0] > 0:
            count = min(BATCH_SIZE, remaining[0])
            remaining[0] -= count
            entries = batch_entries(0, count, body)
            response = await run.client.call(
                connection, "SendMessageBatch", {"QueueUrl": url, "Entries": entries}
            )
            sent += len(response.get("Successful", []))

    started = time.perf_counter()
    time_limit = PHASE_GRACE + total / run.limits.min_fill_rate
    await run_connections(run.client, FILL_CONNECTIONS, fill, time_limit)
    return sent, time.perf_counter() - started


async def scenario_send(run: Run) -> ScenarioResult:
    """Single SendMessage calls with 1 KiB bodies on CONNECTIONS connections."""
    result = ScenarioResult("send", run.target.name)
    url = await run.create_queue("send")
    request = run.client.build("SendMessage", send_request(url, BODY_1KIB))
    latencies: list[float] = []
    sent = 0
    limit = run.limits.send_messages
    deadline = run.deadline()

    async def send(connection: Connection) -> None:
        nonlocal sent
        while sent < limit and time.perf_counter() < deadline:
            sent += 1
            began = time.perf_counter()
            status, body = await connection.send(request)
            latencies.append(time.perf_counter() - began)
            if status != 200:
                result.failures.append(f"SendMessage answered HTTP {status}: {body[:200]!r}")
                return

    meter = CpuMeter(run.target.pid)
    started = time.perf_counter()
    await run_connections(run.client, CONNECTIONS, send, run.limits.seconds + PHASE_GRACE)
    elapsed = time.perf_counter() - started
    result.rate("SendMessage", len(latencies), elapsed)
    result.latency("SendMessage", latencies)
    meter.record(result)
    if run.target.is_sqs:
        stored = await run.message_count(url)
        result.check(
            stored == len(latencies), f"queue holds {stored} messages, {len(latencies)} were sent"
        )
    return result


async def scenario_send_batch(run: Run) -> ScenarioResult:
    """SendMessageBatch of 10 messages with 1 KiB bodies on CONNECTIONS connections."""
    result = ScenarioResult("send-batch", run.target.name)
    url = await run.create_queue("send-batch")
    body = json.dumps(
        {"QueueUrl": url, "Entries": batch_entries(0, BATCH_SIZE, BODY_1KIB)}
    ).encode()
    request = run.client.build("SendMessageBatch", body)
    latencies: list[float] = []
    started_messages = 0
    sent = 0
    limit = run.limits.batch_messages
    deadline = run.deadline()

    async def send(connection: Connection) -> None:
        nonlocal started_messages, sent
        while started_messages < limit and time.perf_counter() < deadline:
            started_messages += BATCH_SIZE
            began = time.perf_counter()
            status, response = await connection.send(request)
            latencies.append(time.perf_counter() - began)
            if status != 200:
                result.failures.append(
                    f"SendMessageBatch answered HTTP {status}: {response[:200]!r}"
                )
                return
            sent += check_batch(result, json.loads(response), BATCH_SIZE, "SendMessageBatch")

    meter = CpuMeter(run.target.pid)
    started = time.perf_counter()
    await run_connections(run.client, CONNECTIONS, send, run.limits.seconds + PHASE_GRACE)
    elapsed = time.perf_counter() - started
    result.rate("messages", sent, elapsed)
    result.latency("SendMessageBatch", latencies)
    meter.record(result)
    stored = await run.message_count(url)
    result.check(stored == sent, f"queue holds {stored} messages, {sent} were sent")
    return result


class Consumer:
    """Receives and deletes messages, and records every message id it has seen.

    A message id seen twice is a duplicate, because VISIBILITY_TIMEOUT is
    longer than any scenario.
    """

    def __init__(self, run: Run, result: ScenarioResult, url: str, wait_seconds: int) -> None:
        self.run = run
        self.result = result
        self.url = url
        self.seen: set[str] = set()
        self.duplicates = 0
        self.receive_latencies: list[float] = []
        self.received_at: list[tuple[float, dict]] = []
        self.keep_messages = False
        self.receive_body = json.dumps(
            {
                "QueueUrl": url,
                "MaxNumberOfMessages": BATCH_SIZE,
                "VisibilityTimeout": VISIBILITY_TIMEOUT,
                "WaitTimeSeconds": wait_seconds,
            }
        ).encode()

    @property
    def received(self) -> int:
        return len(self.seen)

    async def receive_and_delete(self, connection: Connection) -> int:
        """Receive up to 10 messages, delete them in one batch, and return how many arrived."""
        client = self.run.client
        began = time.perf_counter()
        response = json.loads(
            await client.call_raw(connection, "ReceiveMessage", self.receive_body)
        )
        arrived = time.perf_counter()
        self.receive_latencies.append(arrived - began)
        messages = response.get("Messages", [])
        if not messages:
            return 0
        for message in messages:
            if message["MessageId"] in self.seen:
                self.duplicates += 1
            self.seen.add(message["MessageId"])
            if self.keep_messages:
                self.received_at.append((arrived, message))
        entries = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
        ]
        deleted = await client.call(
            connection, "DeleteMessageBatch", {"QueueUrl": self.url, "Entries": entries}
        )
        check_batch(self.result, deleted, len(entries), "DeleteMessageBatch")
        return len(messages)

    def check(self, expected: int) -> None:
        self.result.check(self.duplicates == 0, f"{self.duplicates} messages were received twice")
        self.result.check(
            self.received == expected,
            f"received {self.received} distinct messages, {expected} were sent",
        )


async def drain(
    run: Run, consumer: Consumer, expected: int, connections: int, stop_on_empty: bool
) -> float:
    """Receive and delete until expected messages arrived or the time limit passed; return seconds."""
    deadline = run.deadline()

    async def consume(connection: Connection) -> None:
        while consumer.received < expected and time.perf_counter() < deadline:
            if await consumer.receive_and_delete(connection) == 0:
                if stop_on_empty:
                    return
                # A FIFO queue returns nothing while all its groups are in flight.
                await asyncio.sleep(0.002)

    started = time.perf_counter()
    await run_connections(run.client, connections, consume, run.limits.seconds + PHASE_GRACE)
    return time.perf_counter() - started


async def scenario_receive_delete(run: Run) -> ScenarioResult:
    """ReceiveMessage of 10 and DeleteMessageBatch on CONNECTIONS connections, from a full queue."""
    result = ScenarioResult("receive-delete", run.target.name)
    url = await run.create_queue("receive-delete")
    filled, fill_seconds = await fill_queue(run, url, run.limits.receive_messages, BODY_1KIB)
    result.rate("fill (SendMessageBatch)", filled, fill_seconds)
    consumer = Consumer(run, result, url, wait_seconds=0)
    meter = CpuMeter(run.target.pid)
    elapsed = await drain(run, consumer, filled, CONNECTIONS, stop_on_empty=True)
    result.rate("messages", consumer.received, elapsed)
    result.latency("ReceiveMessage", consumer.receive_latencies)
    meter.record(result)
    if elapsed < run.limits.seconds:
        consumer.check(filled)
    else:
        result.notes.append(f"time limit reached after {consumer.received} of {filled} messages")
        result.check(
            consumer.duplicates == 0, f"{consumer.duplicates} messages were received twice"
        )
    return result


async def pipeline(run: Run, result: ScenarioResult, url: str, fifo: bool) -> None:
    """Run producers and consumers at once; record throughput and send-to-receive latency.

    A message body carries its sequence number and the perf_counter time at
    which its SendMessage was written, so latency runs from just before the
    send to the arrival of the ReceiveMessage response that carried it.
    For FIFO queues each producer owns its own message groups, so the
    order within a group is the producer's send order and can be checked.
    """
    total = run.limits.pipeline_messages if not fifo else run.limits.fifo_messages
    producers = FIFO_PRODUCERS if fifo else PRODUCERS
    deadline = run.deadline()
    next_sequence = list(range(producers))
    padding = "p" * 200
    sent = 0

    async def produce(connection: Connection, producer: int) -> None:
        nonlocal sent
        while next_sequence[producer] < total and time.perf_counter() < deadline:
            sequence = next_sequence[producer]
            next_sequence[producer] += producers
            body = f"{sequence} {time.perf_counter()!r} {padding}"
            extra = {}
            if fifo:
                extra = {
                    "MessageGroupId": f"group-{sequence % FIFO_GROUPS}",
                    "MessageDeduplicationId": str(sequence),
                }
            await run.client.call_raw(connection, "SendMessage", send_request(url, body, **extra))
            sent += 1

    consumer = Consumer(run, result, url, wait_seconds=1)
    consumer.keep_messages = True
    producing = [True]

    async def consume(connection: Connection) -> None:
        while time.perf_counter() < deadline + 2:
            if consumer.received >= total or (not producing[0] and consumer.received >= sent):
                return
            await consumer.receive_and_delete(connection)

    connections = [run.client.connection() for _ in range(producers)]

    async def produce_all() -> None:
        try:
            await asyncio.gather(*(produce(c, index) for index, c in enumerate(connections)))
        finally:
            producing[0] = False
            for connection in connections:
                connection.close()

    meter = CpuMeter(run.target.pid)
    started = time.perf_counter()
    consumers = run_connections(run.client, CONSUMERS, consume)
    await asyncio.wait_for(
        asyncio.gather(produce_all(), consumers), run.limits.seconds + PHASE_GRACE
    )
    # The consumers' last long polls end up to 1 s after the last message
    # arrived, so throughput is counted up to that last arrival.
    last_arrival = max((arrived for arrived, _ in consumer.received_at), default=started)
    elapsed = last_arrival - started
    latencies = []
    last_in_group: dict[str, int] = {}
    out_of_order = 0
    for arrived, message in sorted(consumer.received_at, key=lambda item: item[0]):
        sequence, sent_at, _ = message["Body"].split(" ", 2)
        latencies.append(arrived - float(sent_at))
        group = int(sequence) % FIFO_GROUPS
        if fifo and last_in_group.get(group, -1) > int(sequence):
            out_of_order += 1
        last_in_group[group] = int(sequence)
    result.rate("messages end to end", consumer.received, elapsed)
    result.latency("send to receive", latencies)
    meter.record(result)
    consumer.check(sent)
    if fifo:
        result.check(
            out_of_order == 0, f"{out_of_order} messages arrived out of order in their group"
        )


async def scenario_pipeline(run: Run) -> ScenarioResult:
    result = ScenarioResult("pipeline", run.target.name)
    url = await run.create_queue("pipeline")
    await pipeline(run, result, url, fifo=False)
    return result


async def scenario_long_poll(run: Run) -> ScenarioResult:
    """Time from a SendMessage response to the return of a waiting ReceiveMessage.

    Each round starts a ReceiveMessage with WaitTimeSeconds=20 on the empty
    queue, waits LONG_POLL_SETTLE seconds so the receive is parked in the
    server, then sends one message on another connection. The wake-up time
    is taken from the moments each response was fully read, and is 0 when
    the receive response was read first.
    """
    result = ScenarioResult("long-poll", run.target.name)
    url = await run.create_queue("long-poll")
    receiver = run.client.connection()
    sender = run.client.connection()
    receive_request = run.client.build(
        "ReceiveMessage",
        json.dumps({"QueueUrl": url, "WaitTimeSeconds": 20, "VisibilityTimeout": 0}).encode(),
    )
    wake_ups: list[float] = []
    first = 0
    deadline = run.deadline()
    try:
        for round_number in range(run.limits.long_poll_rounds):
            if time.perf_counter() >= deadline:
                break
            receiving = asyncio.ensure_future(receiver.send(receive_request))
            await asyncio.sleep(LONG_POLL_SETTLE)
            body = f"wake-{round_number}"
            await run.client.call_raw(sender, "SendMessage", send_request(url, body))
            sent_at = sender.response_at
            status, response = await asyncio.wait_for(receiving, 25)
            received_at = receiver.response_at
            messages = json.loads(response).get("Messages", []) if status == 200 else []
            if len(messages) != 1 or messages[0]["Body"] != body:
                result.failures.append(
                    f"round {round_number}: the waiting receive returned {response[:200]!r}"
                )
                break
            if received_at < sent_at:
                first += 1
            wake_ups.append(max(0.0, received_at - sent_at))
            await run.client.call(
                sender,
                "DeleteMessage",
                {"QueueUrl": url, "ReceiptHandle": messages[0]["ReceiptHandle"]},
            )
    finally:
        receiver.close()
        sender.close()
    result.latency("wake-up", wake_ups)
    result.value("rounds", len(wake_ups), "count", True)
    if first:
        result.notes.append(
            f"in {first} of {len(wake_ups)} rounds the receive response was read first"
        )
    return result


async def scenario_many_queues(run: Run) -> ScenarioResult:
    """Create many queues, spread sends and receives over them, and list them."""
    result = ScenarioResult("many-queues", run.target.name)
    total_queues = run.limits.queues
    urls: list[str] = []
    names = [f"many-{index:05d}" for index in range(total_queues)]
    pending = list(reversed(names))
    time_limit = run.limits.seconds + PHASE_GRACE

    async def create(connection: Connection) -> None:
        while pending:
            name = pending.pop()
            response = await run.client.call(
                connection, "CreateQueue", {"QueueName": f"{run.prefix}-{name}"}
            )
            urls.append(response["QueueUrl"])

    started = time.perf_counter()
    await run_connections(run.client, CONNECTIONS, create, time_limit)
    result.rate("CreateQueue", len(urls), time.perf_counter() - started)
    run.queues.extend(urls)

    total_messages = run.limits.queue_messages
    requests = [run.client.build("SendMessage", send_request(url, BODY_1KIB)) for url in urls]
    sent_per_queue = [0] * len(urls)
    next_message = [0]
    deadline = run.deadline()

    async def send(connection: Connection) -> None:
        while next_message[0] < total_messages and time.perf_counter() < deadline:
            index = next_message[0] % len(urls)
            next_message[0] += 1
            status, body = await connection.send(requests[index])
            if status != 200:
                result.failures.append(f"SendMessage answered HTTP {status}: {body[:200]!r}")
                return
            sent_per_queue[index] += 1

    started = time.perf_counter()
    await run_connections(run.client, CONNECTIONS, send, time_limit)
    sent = sum(sent_per_queue)
    result.rate("SendMessage over all queues", sent, time.perf_counter() - started)

    received = 0
    duplicates = 0
    queue_order = list(range(len(urls)))

    async def receive(connection: Connection) -> None:
        nonlocal received, duplicates
        while queue_order:
            index = queue_order.pop()
            consumer = Consumer(run, result, urls[index], wait_seconds=0)
            while consumer.received < sent_per_queue[index]:
                if await consumer.receive_and_delete(connection) == 0:
                    break
            received += consumer.received
            duplicates += consumer.duplicates

    started = time.perf_counter()
    await run_connections(run.client, CONNECTIONS, receive, time_limit)
    result.rate("receive-delete over all queues", received, time.perf_counter() - started)
    result.check(received == sent, f"received {received} distinct messages, {sent} were sent")
    result.check(duplicates == 0, f"{duplicates} messages were received twice")

    list_latencies = []
    listed = 0
    for _ in range(run.limits.list_rounds):
        began = time.perf_counter()
        listed = await list_queue_count(run, f"{run.prefix}-many-")
        list_latencies.append(time.perf_counter() - began)
    result.latency(f"ListQueues of {total_queues}", list_latencies)
    result.check(listed == len(urls), f"ListQueues returned {listed} queues, {len(urls)} exist")
    return result


async def list_queue_count(run: Run, prefix: str) -> int:
    """Count the queues whose names start with prefix, following NextToken."""
    params: dict = {"QueueNamePrefix": prefix, "MaxResults": 1000}
    count = 0
    for _ in range(100):
        response = await run.client.call(run.control, "ListQueues", params)
        count += len(response.get("QueueUrls", []))
        token = response.get("NextToken")
        if not token:
            break
        params["NextToken"] = token
    return count


FIFO_ATTRIBUTES = {"FifoQueue": "true"}


async def scenario_fifo(run: Run) -> ScenarioResult:
    """Receive-delete from a full FIFO queue, then a FIFO pipeline, both over FIFO_GROUPS groups."""
    result = ScenarioResult("fifo", run.target.name)
    url = await run.create_queue("fifo-receive.fifo", FIFO_ATTRIBUTES)
    total = run.limits.fifo_messages
    producers_done = []

    async def fill(connection: Connection, producer: int) -> None:
        # Producer p sends the sequence numbers p, p + FIFO_PRODUCERS, ...,
        # so every group is written by one producer in increasing order.
        sequence = producer
        while sequence < total:
            entries = []
            while sequence < total and len(entries) < BATCH_SIZE:
                entries.append(
                    {
                        "Id": str(len(entries)),
                        "MessageBody": f"{sequence} 0 {FILL_BODY}",
                        "MessageGroupId": f"group-{sequence % FIFO_GROUPS}",
                        "MessageDeduplicationId": str(sequence),
                    }
                )
                sequence += FIFO_PRODUCERS
            response = await run.client.call(
                connection, "SendMessageBatch", {"QueueUrl": url, "Entries": entries}
            )
            check_batch(result, response, len(entries), "SendMessageBatch")
        producers_done.append(producer)

    connections = [run.client.connection() for _ in range(FIFO_PRODUCERS)]
    started = time.perf_counter()
    try:
        await asyncio.wait_for(
            asyncio.gather(*(fill(c, index) for index, c in enumerate(connections))),
            PHASE_GRACE + total / run.limits.min_fill_rate,
        )
    finally:
        for connection in connections:
            connection.close()
    result.rate("fill (SendMessageBatch)", total, time.perf_counter() - started)

    consumer = Consumer(run, result, url, wait_seconds=0)
    consumer.keep_messages = True
    meter = CpuMeter(run.target.pid)
    elapsed = await drain(run, consumer, total, FIFO_GROUPS, stop_on_empty=False)
    result.rate("receive-delete messages", consumer.received, elapsed)
    result.latency("ReceiveMessage", consumer.receive_latencies)
    meter.record(result, "receive-delete ")
    out_of_order = count_out_of_order(consumer.received_at)
    result.check(out_of_order == 0, f"{out_of_order} messages arrived out of order in their group")
    if elapsed < run.limits.seconds:
        consumer.check(total)
    else:
        result.notes.append(f"time limit reached after {consumer.received} of {total} messages")

    pipeline_result = ScenarioResult("fifo", run.target.name)
    pipeline_url = await run.create_queue("fifo-pipeline.fifo", FIFO_ATTRIBUTES)
    await pipeline(run, pipeline_result, pipeline_url, fifo=True)
    for metric in pipeline_result.metrics:
        metric.name = f"pipeline {metric.name}"
    result.metrics.extend(pipeline_result.metrics)
    result.failures.extend(f"pipeline: {failure}" for failure in pipeline_result.failures)
    return result


def count_out_of_order(received_at: list[tuple[float, dict]]) -> int:
    last_in_group: dict[int, int] = {}
    out_of_order = 0
    for _, message in sorted(received_at, key=lambda item: item[0]):
        sequence = int(message["Body"].split(" ", 1)[0])
        group = sequence % FIFO_GROUPS
        if last_in_group.get(group, -1) > sequence:
            out_of_order += 1
        last_in_group[group] = sequence
    return out_of_order


async def scenario_deep_queue(run: Run) -> ScenarioResult:
    """Receive and delete latency with a small and a large number of messages stored.

    Each round receives 10 messages, deletes them and sends 10 new ones, so
    the queue depth stays where the fill put it.
    """
    result = ScenarioResult("deep-queue", run.target.name)
    p50s = {}
    depths = [depth for depth in (run.limits.deep_small, run.limits.deep_large) if depth]
    for depth in depths:
        url = await run.create_queue(f"deep-{depth}")
        filled, fill_seconds = await fill_queue(run, url, depth)
        result.rate(f"fill to {depth:,} (SendMessageBatch)", filled, fill_seconds)
        receive_latencies: list[float] = []
        delete_latencies: list[float] = []
        receive_body = json.dumps(
            {
                "QueueUrl": url,
                "MaxNumberOfMessages": BATCH_SIZE,
                "VisibilityTimeout": VISIBILITY_TIMEOUT,
            }
        ).encode()
        refill = json.dumps(
            {"QueueUrl": url, "Entries": batch_entries(0, BATCH_SIZE, FILL_BODY)}
        ).encode()
        connection = run.client.connection()
        deadline = run.deadline()
        try:
            for _ in range(run.limits.deep_rounds):
                if time.perf_counter() >= deadline:
                    break
                began = time.perf_counter()
                response = json.loads(
                    await run.client.call_raw(connection, "ReceiveMessage", receive_body)
                )
                receive_latencies.append(time.perf_counter() - began)
                messages = response.get("Messages", [])
                result.check(
                    len(messages) == BATCH_SIZE,
                    f"a receive at depth {depth} returned {len(messages)} messages",
                )
                entries = [
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(messages)
                ]
                began = time.perf_counter()
                if entries:
                    await run.client.call(
                        connection, "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries}
                    )
                delete_latencies.append(time.perf_counter() - began)
                await run.client.call_raw(connection, "SendMessageBatch", refill)
        finally:
            connection.close()
        result.latency(f"ReceiveMessage at {depth:,}", receive_latencies)
        result.latency(f"DeleteMessageBatch at {depth:,}", delete_latencies)
        p50s[depth] = (
            sorted(receive_latencies)[len(receive_latencies) // 2] if receive_latencies else None
        )
        await run.client.call(run.control, "DeleteQueue", {"QueueUrl": url})
        run.queues.remove(url)
    small, large = p50s.get(run.limits.deep_small), p50s.get(run.limits.deep_large)
    if small and large:
        result.value("receive p50 large / small", large / small, "x", False)
    return result


SCENARIOS = {
    "send": scenario_send,
    "send-batch": scenario_send_batch,
    "receive-delete": scenario_receive_delete,
    "pipeline": scenario_pipeline,
    "long-poll": scenario_long_poll,
    "many-queues": scenario_many_queues,
    "fifo": scenario_fifo,
    "deep-queue": scenario_deep_queue,
}
