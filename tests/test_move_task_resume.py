"""A message move task interrupted by a stop resumes when the server starts again."""

from __future__ import annotations

import os
import time

from .serving import ServerProcess
from .serving import sqs_client as client

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

MESSAGES = 6
RATE = 2  # messages a second, so the task is still running when the server stops
DEADLINE_SECONDS = 20




def queue_arn(sqs, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]


def test_running_task_resumes_after_restart(tmp_path):
    database = str(tmp_path / "sqs.db")
    server = ServerProcess("--db", database, "--log-level", "info")
    sqs = client(server.url)
    dead_letter_url = sqs.create_queue(QueueName="dead-letters")["QueueUrl"]
    dead_letter_arn = queue_arn(sqs, dead_letter_url)
    sqs.create_queue(
        QueueName="source",
        Attributes={
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{dead_letter_arn}","maxReceiveCount":1}}'
        },
    )
    target_url = sqs.create_queue(QueueName="target")["QueueUrl"]
    for number in range(MESSAGES):
        sqs.send_message(QueueUrl=dead_letter_url, MessageBody=f"m{number}")
    sqs.start_message_move_task(
        SourceArn=dead_letter_arn,
        DestinationArn=queue_arn(sqs, target_url),
        MaxNumberOfMessagesPerSecond=RATE,
    )
    time.sleep(1.2)  # let the task move a few messages before the stop
    status, output = server.stop()
    assert status == 0, output

    server = ServerProcess("--db", database, "--log-level", "info")
    try:
        sqs = client(server.url)
        deadline = time.monotonic() + DEADLINE_SECONDS
        task = {}
        while time.monotonic() < deadline:
            task = sqs.list_message_move_tasks(SourceArn=dead_letter_arn)["Results"][0]
            if task["Status"] != "RUNNING":
                break
            time.sleep(0.2)
        assert task["Status"] == "COMPLETED"
        assert task["ApproximateNumberOfMessagesMoved"] == MESSAGES
        bodies = []
        for _ in range(MESSAGES):
            received = sqs.receive_message(QueueUrl=target_url, MaxNumberOfMessages=10)
            bodies += [message["Body"] for message in received.get("Messages", [])]
            if len(bodies) >= MESSAGES:
                break
        assert sorted(bodies) == sorted(f"m{number}" for number in range(MESSAGES))
    finally:
        status, output = server.stop()
    assert status == 0, output
    assert "resuming message move task" in output
