"""Shared pieces of the robustness tests: clients, soak switch and database checks.

The crash, concurrency, limit and shutdown tests start real `sqslite serve`
processes through tests.serving.ServerProcess. SQSLITE_SOAK=1 makes them run
longer and kill the server more often than the bounded default for CI.
"""

from __future__ import annotations

import os
import sqlite3

import boto3
from botocore.config import Config

for _name, _value in {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)

SOAK = os.environ.get("SQSLITE_SOAK", "") not in ("", "0")

# The tests log little, and ServerProcess reads the server's output only at
# stop, so a chatty server could fill the pipe and block.
QUIET = ("--log-level", "warning")


def sqs_client(url: str, retries: bool = True, timeout: float = 30.0, pool: int = 10):
    """Return a boto3 SQS client for url; without retries every failure reaches the caller.

    The crash tests turn retries off: a retried SendMessage whose first
    answer was lost could store a message twice, and the tests must know
    which requests were answered.
    """
    attempts = 3 if retries else 1
    config = Config(
        retries={"total_max_attempts": attempts, "mode": "standard"},
        connect_timeout=2,
        read_timeout=timeout,
        max_pool_connections=pool,
    )
    return boto3.client(
        "sqs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=config,
    )


def queue_counts(sqs, queue_url: str) -> tuple[int, int, int]:
    """Return (visible, in flight, delayed) from the approximate count attributes."""
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])[
        "Attributes"
    ]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def integrity(path) -> str:
    """Run PRAGMA integrity_check on a database file no server has open."""
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def stored_bodies(path, queue_name: str) -> list[str]:
    """Return the bodies stored for one queue, in send order, read straight from the file."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT m.body FROM messages m JOIN queues q ON q.id = m.queue_id"
            " WHERE q.name = ? ORDER BY m.id",
            (queue_name,),
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


# A request is entered as DOUBT before it is sent and set to ANSWERED once its
# response arrives, so a request cut off by a kill or a stop stays DOUBT.
DOUBT, ANSWERED = "doubt", "answered"


def check_stored(sent: dict[str, str], deleted: dict[str, str], bodies: list[str]) -> None:
    """Check the bodies stored for a queue against what the clients saw answered.

    sent and deleted map each body to DOUBT or ANSWERED.
    """
    assert len(bodies) == len(set(bodies)), "a body is stored more than once"
    stored = set(bodies)
    unknown = stored - sent.keys()
    assert not unknown, f"stored bodies that were never sent: {sorted(unknown)[:5]}"
    answered_deletes = {body for body, state in deleted.items() if state == ANSWERED}
    resurrected = stored & answered_deletes
    assert not resurrected, f"stored after an answered delete: {sorted(resurrected)[:5]}"
    answered = {body for body, state in sent.items() if state == ANSWERED}
    lost = answered - deleted.keys() - stored
    assert not lost, f"{len(lost)} answered sends lost, for example {sorted(lost)[:5]}"
