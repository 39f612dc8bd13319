"""The boto3 scenario: SendMessage, then ReceiveMessage and DeleteMessageBatch, from threads.

boto3 spends far more CPU on each call than the raw client (signing,
request building, response parsing), so one Python process with its GIL
caps the request rate below what a fast server can take. The scenario runs
BOTO_THREADS threads, each with its own client, in each of BOTO_PROCESSES
processes. The processes are forked, so they start without importing
boto3 again, and perf_counter is CLOCK_MONOTONIC on Linux, so times taken
in different processes can be compared.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time

from .results import CpuMeter, ScenarioResult
from .targets import AWS_ENVIRONMENT

BOTO_PROCESSES = 2
BOTO_THREADS = 4
RESULT_TIMEOUT = 120.0


def make_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=BOTO_THREADS),
    )


def _worker_process(endpoint, url, phase, quota, seconds, ready, start, results) -> None:
    """Run BOTO_THREADS threads of one phase and put (began, ended, count, message ids, errors) on results."""
    os.environ.update(AWS_ENVIRONMENT)
    clients = [make_client(endpoint) for _ in range(BOTO_THREADS)]
    lock = threading.Lock()
    counters = {"count": 0}
    message_ids: list[str] = []
    errors: list[str] = []
    body = "x" * 1024

    def send(client, deadline: float) -> None:
        while time.perf_counter() < deadline:
            with lock:
                if counters["count"] >= quota:
                    return
                counters["count"] += 1
            client.send_message(QueueUrl=url, MessageBody=body)

    def receive(client, deadline: float) -> None:
        while time.perf_counter() < deadline:
            response = client.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600, WaitTimeSeconds=0
            )
            messages = response.get("Messages", [])
            if not messages:
                return
            entries = [
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ]
            deleted = client.delete_message_batch(QueueUrl=url, Entries=entries)
            if deleted.get("Failed"):
                errors.append(f"DeleteMessageBatch failed entries: {deleted['Failed'][:1]}")
            with lock:
                message_ids.extend(message["MessageId"] for message in messages)

    def run(client, deadline: float) -> None:
        try:
            (send if phase == "send" else receive)(client, deadline)
        except Exception as error:  # noqa: BLE001 - the parent records it as a failed check
            errors.append(f"{phase}: {type(error).__name__}: {error}")

    ready.wait()
    start.wait()
    began = time.perf_counter()
    deadline = began + seconds
    threads = [threading.Thread(target=run, args=(client, deadline)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count = counters["count"] if phase == "send" else len(message_ids)
    results.put((began, time.perf_counter(), count, message_ids, errors))


def run_phase(endpoint: str, url: str, phase: str, total: int, seconds: float):
    """Run one phase in BOTO_PROCESSES processes; return (count, seconds, message ids, errors)."""
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(BOTO_PROCESSES + 1)
    start = context.Event()
    results = context.Queue()
    quota = -(-total // BOTO_PROCESSES)

    processes = [
        context.Process(
            target=_worker_process,
            args=(endpoint, url, phase, quota, seconds, ready, start, results),
        )
        for _ in range(BOTO_PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        ready.wait(timeout=60)
        start.set()
        collected = [results.get(timeout=seconds + RESULT_TIMEOUT) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join()

    began = min(item[0] for item in collected)
    ended = max(item[1] for item in collected)
    count = sum(item[2] for item in collected)
    message_ids = [message_id for item in collected for message_id in item[3]]
    errors = [error for item in collected for error in item[4]]
    return count, ended - began, message_ids, errors


def scenario_boto3(target, limits, run_id: str) -> ScenarioResult:
    result = ScenarioResult("boto3", target.name)
    client = make_client(target.endpoint)
    url = client.create_queue(QueueName=f"bench-{run_id}-boto3")["QueueUrl"]
    try:
        meter = CpuMeter(target.pid)
        sent, seconds, _, errors = run_phase(
            target.endpoint, url, "send", limits.boto_messages, limits.seconds
        )
        result.rate("send_message", sent, seconds)
        meter.record(result, "send ")
        result.failures.extend(errors[:5])
        meter = CpuMeter(target.pid)
        received, seconds, message_ids, errors = run_phase(
            target.endpoint, url, "receive", sent, limits.seconds
        )
        result.rate("receive + delete_message_batch", received, seconds)
        meter.record(result, "receive-delete ")
        result.failures.extend(errors[:5])
        distinct = len(set(message_ids))
        result.check(
            distinct == len(message_ids),
            f"{len(message_ids) - distinct} messages were received twice",
        )
        if seconds < limits.seconds:
            result.check(
                distinct == sent, f"received {distinct} distinct messages, {sent} were sent"
            )
    finally:
        client.delete_queue(QueueUrl=url)
    result.notes.append(
        f"{BOTO_PROCESSES} processes x {BOTO_THREADS} threads, one boto3 client per thread"
    )
    return result
