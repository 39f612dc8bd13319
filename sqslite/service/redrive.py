"""Dead-letter queues: redrive policies, moves on receive, and message move tasks."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging

from ..ids import random_uuid
from ..store import MessageRecord, MoveTaskRecord, QueueRecord
from .base import RequestContext, ServiceBase
from .errors import SqsError, invalid_parameter, invalid_parameter_value, missing_parameter

logger = logging.getLogger(__name__)

# StartMessageMoveTask's MaxNumberOfMessagesPerSecond is at most 500 (model).
MAX_MOVE_RATE = 500
# Without a rate, a task moves this many messages per step and then yields
# to other requests.
MOVE_STEP = 100
# ListMessageMoveTasks: MaxResults 1-10, default 1 (model).
MAX_LISTED_TASKS = 10


def resource_not_found(parameter: str) -> SqsError:
    return SqsError(
        "ResourceNotFoundException",
        "ResourceNotFoundException",
        f"The resource that you specified for the {parameter} parameter doesn't exist.",
        status=404,
    )


def encode_task_handle(task_id: str, source_arn: str) -> str:
    document = json.dumps({"taskId": task_id, "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(document.encode("utf-8")).decode("ascii")


def decode_task_handle(handle: str) -> tuple[str, str]:
    try:
        document = json.loads(base64.b64decode(handle.encode("ascii"), validate=True))
        task_id, source_arn = document["taskId"], document["sourceArn"]
        if not isinstance(task_id, str) or not isinstance(source_arn, str):
            raise TypeError(task_id)
    except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError):
        raise invalid_parameter_value("Value for parameter TaskHandle is invalid.") from None
    return task_id, source_arn


class RedriveOperations(ServiceBase):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._move_runners: dict[str, asyncio.Task] = {}

    # Queues by ARN

    def queue_by_arn(self, arn: str) -> QueueRecord | None:
        parts = arn.split(":")
        if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"] or parts[3] != self.region:
            return None
        return self.store.get_queue(parts[4], parts[5])

    def check_redrive_policy(self, account: str, name: str, fifo: bool, policy: str) -> None:
        """Check that a RedrivePolicy names a dead-letter queue this queue may use.

        The queue must exist in the same account and region, be of the same
        type, and allow this queue in its RedriveAllowPolicy.
        """
        target_arn = json.loads(policy)["deadLetterTargetArn"]
        target = self.queue_by_arn(target_arn)
        if target is None or target.account != account:
            # The AWS wording, as users quote it, for a target that is not found.
            raise invalid_parameter("RedrivePolicy", policy, "Dead letter target does not exist.")
        if target.fifo != fifo:
            # NOTE: AWS's exact wording for a queue type mismatch is unconfirmed.
            raise invalid_parameter(
                "RedrivePolicy",
                policy,
                "The dead-letter queue of a FIFO queue must be a FIFO queue, and the "
                "dead-letter queue of a standard queue must be a standard queue.",
            )
        source_arn = f"arn:aws:sqs:{self.region}:{account}:{name}"
        if not self.allows_source(target, source_arn):
            # NOTE: AWS's exact wording for a source that RedriveAllowPolicy denies is
            # unconfirmed.
            raise invalid_parameter(
                "RedrivePolicy",
                policy,
                f"The RedriveAllowPolicy of the dead-letter queue {target_arn} does not allow "
                f"{source_arn} as a source queue.",
            )

    @staticmethod
    def allows_source(target: QueueRecord, source_arn: str) -> bool:
        text = target.attributes.get("RedriveAllowPolicy")
        if not text:
            return True
        policy = json.loads(text)
        permission = policy.get("redrivePermission")
        if permission == "denyAll":
            return False
        if permission == "byQueue":
            return source_arn in policy.get("sourceQueueArns", [])
        return True

    def dead_letter_target(self, queue: QueueRecord) -> tuple[QueueRecord, int] | None:
        text = queue.attributes.get("RedrivePolicy")
        if not text:
            return None
        policy = json.loads(text)
        target = self.queue_by_arn(policy["deadLetterTargetArn"])
        if target is None:
            logger.warning(
                "dead-letter queue %s of %s/%s does not exist; messages stay in the source",
                policy["deadLetterTargetArn"],
                queue.account,
                queue.name,
            )
            return None
        return target, int(policy["maxReceiveCount"])

    def divert_dead_letters(
        self, queue: QueueRecord, records: list[MessageRecord], now: int
    ) -> tuple[list[MessageRecord], bool]:
        """Move messages received more than maxReceiveCount times to the dead-letter queue.

        Returns the messages left to deliver and whether any were moved.
        """
        target = self.dead_letter_target(queue)
        if target is None:
            return records, False
        dead_letter_queue, max_receive_count = target
        over = [record for record in records if record.receive_count > max_receive_count]
        if not over:
            return records, False
        self.store.move_to_dead_letter_queue(
            queue, dead_letter_queue, [record.id for record in over], self.queue_arn(queue), now
        )
        self.waiters.notify(dead_letter_queue.id)
        logger.debug(
            "moved %d messages from %s/%s to dead-letter queue %s",
            len(over),
            queue.account,
            queue.name,
            dead_letter_queue.name,
        )
        return [record for record in records if record.receive_count <= max_receive_count], True

    # Message move tasks

    def start_message_move_task(self, params: dict, context: RequestContext) -> dict:
        source_arn = self.required_string(params, "SourceArn")
        destination_arn = params.get("DestinationArn")
        rate = self.optional_int(
            params,
            "MaxNumberOfMessagesPerSecond",
            1,
            MAX_MOVE_RATE,
            f"Must be between 1 and {MAX_MOVE_RATE}, if provided.",
        )
        source = self.check_move_task_queues(source_arn, destination_arn)

        running = self.store.list_move_tasks(source_arn, MAX_LISTED_TASKS)
        if any(task.status in ("RUNNING", "CANCELLING") for task in running):
            raise invalid_parameter_value(
                "There is already a task running. Only one active task is allowed for a source "
                "queue arn at a given time."
            )
        now = self.clock.now_ms()
        counts = self.store.count_messages(source, now, self.retention_ms(source))
        task = MoveTaskRecord(
            id=random_uuid(),
            source_arn=source_arn,
            destination_arn=destination_arn,
            max_per_second=rate,
            status="RUNNING",
            moved=0,
            to_move=counts.visible + counts.in_flight + counts.delayed,
            started_at=now,
            failure_reason=None,
        )
        self.store.insert_move_task(task)
        self._launch(task)
        logger.info(
            "message move task %s started: %s to %s (request %s)",
            task.id,
            source_arn,
            destination_arn or "source queues",
            context.request_id,
        )
        return {"TaskHandle": encode_task_handle(task.id, source_arn)}

    def check_move_task_queues(self, source_arn: str, destination_arn: str | None) -> QueueRecord:
        """Check a move task's source and destination; return the source queue."""
        source = self.queue_by_arn(source_arn)
        if source is None:
            raise resource_not_found("SourceArn")
        if not self.dead_letter_sources(source):
            raise invalid_parameter_value("Source queue must be configured as a Dead Letter Queue.")
        if destination_arn is None:
            return source
        destination = self.queue_by_arn(destination_arn)
        if destination is None:
            raise resource_not_found("DestinationArn")
        if destination.fifo != source.fifo:
            # NOTE: AWS's rule and wording for moves between queue types are unconfirmed.
            raise invalid_parameter(
                "DestinationArn",
                destination_arn,
                "The destination queue must be of the same type as the source queue.",
            )
        return source

    def cancel_message_move_task(self, params: dict, context: RequestContext) -> dict:
        handle = params.get("TaskHandle")
        if not isinstance(handle, str) or not handle:
            raise missing_parameter("TaskHandle")
        task_id, source_arn = decode_task_handle(handle)
        if self.queue_by_arn(source_arn) is None:
            raise resource_not_found("SourceArn")
        task = self.store.get_move_task(task_id)
        if task is None or task.source_arn != source_arn:
            raise SqsError(
                "ResourceNotFoundException", "ResourceNotFoundException", "Task does not exist.", 404
            )
        if task.status != "RUNNING":
            # NOTE: the model documents that only running tasks can be
            # cancelled. The wording of this error is unconfirmed.
            raise invalid_parameter_value(
                f"Only a RUNNING task can be cancelled; this task is {task.status}."
            )
        task.status = "CANCELLING"
        self.store.update_move_task(task)
        logger.info("message move task %s cancelling (request %s)", task.id, context.request_id)
        return {"ApproximateNumberOfMessagesMoved": task.moved}

    def list_message_move_tasks(self, params: dict, context: RequestContext) -> dict:
        source_arn = self.required_string(params, "SourceArn")
        max_results = self.optional_int(
            params,
            "MaxResults",
            1,
            MAX_LISTED_TASKS,
            f"Must be between 1 and {MAX_LISTED_TASKS}, if provided.",
        )
        if self.queue_by_arn(source_arn) is None:
            raise resource_not_found("SourceArn")
        tasks = self.store.list_move_tasks(source_arn, max_results or 1)
        return {"Results": [self.describe_task(task) for task in tasks]} if tasks else {}

    @staticmethod
    def describe_task(task: MoveTaskRecord) -> dict:
        entry: dict = {
            "Status": task.status,
            "SourceArn": task.source_arn,
            "ApproximateNumberOfMessagesMoved": task.moved,
            "ApproximateNumberOfMessagesToMove": task.to_move,
            "StartedTimestamp": task.started_at,
        }
        if task.status == "RUNNING":
            entry["TaskHandle"] = encode_task_handle(task.id, task.source_arn)
        if task.destination_arn is not None:
            entry["DestinationArn"] = task.destination_arn
        if task.max_per_second is not None:
            entry["MaxNumberOfMessagesPerSecond"] = task.max_per_second
        if task.failure_reason is not None:
            entry["FailureReason"] = task.failure_reason
        return entry

    def dead_letter_sources(self, queue: QueueRecord) -> list[QueueRecord]:
        """Return the queues whose RedrivePolicy names this queue, by name."""
        arn = self.queue_arn(queue)
        return [
            source
            for source in self.store.list_queues(queue.account)
            if "RedrivePolicy" in source.attributes
            and json.loads(source.attributes["RedrivePolicy"])["deadLetterTargetArn"] == arn
        ]

    def resume_move_tasks(self) -> None:
        """Start again the tasks that were running when the server last stopped."""
        for task in self.store.unfinished_move_tasks():
            logger.info("resuming message move task %s from %s", task.id, task.source_arn)
            self._launch(task)

    def stop_move_tasks(self) -> None:
        """Stop the runners; their tasks stay RUNNING in the store and resume at start."""
        for runner in self._move_runners.values():
            runner.cancel()
        self._move_runners.clear()

    def _launch(self, task: MoveTaskRecord) -> None:
        runner = asyncio.get_running_loop().create_task(self._run_move_task(task))
        self._move_runners[task.id] = runner
        runner.add_done_callback(lambda _: self._move_runners.pop(task.id, None))

    async def _run_move_task(self, task: MoveTaskRecord) -> None:
        try:
            while True:
                stored = self.store.get_move_task(task.id)
                if stored is None:
                    return
                if stored.status == "CANCELLING":
                    self._finish_task(stored, "CANCELLED")
                    return
                moved = self._move_step(stored)
                if moved == 0:
                    if stored.status == "RUNNING":
                        self._finish_task(stored, "COMPLETED")
                    return
                await asyncio.sleep(moved / stored.max_per_second if stored.max_per_second else 0)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("message move task %s failed", task.id)
            stored = self.store.get_move_task(task.id)
            if stored is not None:
                self._finish_task(stored, "FAILED", "InternalFailure")

    def _move_step(self, task: MoveTaskRecord) -> int:
        """Move the next messages of a task; return how many moved, 0 when it is done."""
        remaining = task.to_move - task.moved
        source = self.queue_by_arn(task.source_arn)
        if source is None:
            self._finish_task(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
            return 0
        if remaining <= 0:
            return 0
        step = min(remaining, task.max_per_second or MOVE_STEP)
        now = self.clock.now_ms()
        records = self.store.visible_messages(source, now, self.retention_ms(source), step)
        if not records:
            return 0
        by_destination: dict[str, list[MessageRecord]] = {}
        for record in records:
            destination_arn = task.destination_arn or record.dead_letter_source_arn
            if destination_arn is None:
                # NOTE: a message sent straight to the dead-letter queue has no source
                # queue to return to; how AWS handles it is unconfirmed.
                self._finish_task(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
                return 0
            by_destination.setdefault(destination_arn, []).append(record)
        for destination_arn, group in by_destination.items():
            destination = self.queue_by_arn(destination_arn)
            if destination is None:
                self._finish_task(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue")
                return 0
            moves = [
                (
                    record.id,
                    random_uuid(),
                    self.next_sequence_number(destination) if destination.fifo else None,
                )
                for record in group
            ]
            self.store.redrive_messages(source, destination, moves, now)
            self.waiters.notify(destination.id)
        task.moved += len(records)
        self.store.update_move_task(task)
        return len(records)

    def _finish_task(self, task: MoveTaskRecord, status: str, reason: str | None = None) -> None:
        task.status = status
        task.failure_reason = reason
        self.store.update_move_task(task)
        logger.info(
            "message move task %s %s: %d of %d moved%s",
            task.id,
            status.lower(),
            task.moved,
            task.to_move,
            f" ({reason})" if reason else "",
        )
