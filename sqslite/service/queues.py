"""Queue operations: create, find, list, delete, attributes, purge and tags."""

from __future__ import annotations

import base64
import binascii
import logging
import re

from ..store import QueueRecord
from . import limits, queue_attributes
from .base import RequestContext
from .errors import (
    SqsError,
    invalid_parameter,
    invalid_parameter_value,
    missing_parameter,
    queue_does_not_exist,
)
from .redrive import RedriveOperations

logger = logging.getLogger(__name__)

STANDARD_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")


def check_queue_name(name: str, fifo_requested: bool) -> bool:
    """Check a CreateQueue name; return whether the queue is FIFO.

    Both wordings are AWS's own, as SDK users have quoted them.
    """
    if fifo_requested:
        if not FIFO_NAME.match(name):
            raise invalid_parameter_value(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                "underscores, must end with .fifo suffix and be 1 to 80 in length."
            )
        return True
    if not STANDARD_NAME.match(name):
        raise invalid_parameter_value(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )
    return False


def check_tags(tags: dict[str, str]) -> None:
    for key, value in tags.items():
        if not 1 <= len(key) <= limits.MAX_TAG_KEY_LENGTH:
            raise invalid_parameter("TagKey", key, "Tag keys must be 1 to 128 characters long.")
        if key.lower().startswith("aws:"):
            # The Developer Guide reserves the prefix for AWS. NOTE: the error
            # code and wording AWS uses for it are undocumented.
            raise invalid_parameter("TagKey", key, "The aws: prefix is reserved for AWS use.")
        if len(value) > limits.MAX_TAG_VALUE_LENGTH:
            raise invalid_parameter(
                "TagValue", value, "Tag values must be at most 256 characters long."
            )


def encode_token(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii")


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise invalid_parameter_value("Invalid NextToken value.") from None


def page_by_name(
    queues: list[QueueRecord], max_results: int | None, token: str | None
) -> tuple[list[QueueRecord], str | None]:
    """Cut one page from queues sorted by name; return it and the next page's token.

    Without MaxResults, SQS returns at most 1,000 queues and never a token.
    """
    if token:
        after = decode_token(token)
        queues = [queue for queue in queues if queue.name > after]
    page = queues[: max_results or limits.MAX_LIST_RESULTS]
    if max_results is not None and len(queues) > len(page):
        return page, encode_token(page[-1].name)
    return page, None


class QueueOperations(RedriveOperations):
    def create_queue(self, params: dict, context: RequestContext) -> dict:
        name = params.get("QueueName")
        if not isinstance(name, str):
            raise missing_parameter("QueueName")
        attributes = self.string_map(params, "Attributes")
        tags = self.string_map(params, "tags")
        fifo_requested = attributes.get("FifoQueue", "").lower() == "true"
        fifo = check_queue_name(name, fifo_requested)
        requested = queue_attributes.validate(attributes, fifo)
        check_tags(tags)
        if requested.get("RedrivePolicy"):
            self.check_redrive_policy(context.account_id, name, fifo, requested["RedrivePolicy"])

        account = context.account_id
        existing = self.store.get_queue(account, name)
        if existing is not None:
            differing = queue_attributes.differing_attribute(existing.attributes, requested)
            if differing:
                raise SqsError(
                    "QueueNameExists",
                    "QueueAlreadyExists",
                    "A queue already exists with the same name and a different value for "
                    f"attribute {differing}",
                )
            return {"QueueUrl": self.queue_url(existing, context)}

        deleted = self.seconds_since(self.store.deleted_at(account, name))
        if deleted is not None and deleted < limits.DELETED_NAME_REUSE_SECONDS:
            raise SqsError(
                "QueueDeletedRecently",
                "AWS.SimpleQueueService.QueueDeletedRecently",
                "You must wait 60 seconds after deleting a queue before you can create another "
                "with the same name.",
            )
        stored = queue_attributes.initial(requested, fifo)
        queue = self.store.create_queue(account, name, fifo, stored, tags, self.clock.now_ms())
        logger.info("queue created: %s/%s (request %s)", account, name, context.request_id)
        return {"QueueUrl": self.queue_url(queue, context)}

    def get_queue_url(self, params: dict, context: RequestContext) -> dict:
        name = self.required_string(params, "QueueName")
        account = params.get("QueueOwnerAWSAccountId") or context.account_id
        queue = self.store.get_queue(account, name)
        if queue is None:
            raise queue_does_not_exist()
        return {"QueueUrl": self.queue_url(queue, context)}

    def list_queues(self, params: dict, context: RequestContext) -> dict:
        prefix = params.get("QueueNamePrefix") or ""
        max_results = self.optional_int(
            params,
            "MaxResults",
            1,
            limits.MAX_LIST_RESULTS,
            "MaxResults must be an integer between 1 and 1000.",
        )
        queues = self.store.list_queues(context.account_id, prefix)
        page, next_token = page_by_name(queues, max_results, params.get("NextToken"))
        result: dict = {}
        if page:
            result["QueueUrls"] = [self.queue_url(queue, context) for queue in page]
        if next_token:
            result["NextToken"] = next_token
        return result

    def delete_queue(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        self.store.delete_queue(queue, self.clock.now_ms())
        self.waiters.notify(queue.id)
        logger.info(
            "queue deleted: %s/%s (request %s)", queue.account, queue.name, context.request_id
        )
        return {}

    def get_queue_attributes(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        names = self.string_list(params, "AttributeNames")
        for name in names:
            if name != "All" and name not in queue_attributes.READABLE:
                raise queue_attributes.unknown_attribute(name)
        if not names:
            return {}
        wanted = None if "All" in names else set(names)
        values = dict(queue.attributes)
        if wanted is None or wanted & set(queue_attributes.COMPUTED):
            counts = self.store.count_messages(queue, self.clock.now_ms(), self.retention_ms(queue))
            values.update(
                {
                    "ApproximateNumberOfMessages": str(counts.visible),
                    "ApproximateNumberOfMessagesNotVisible": str(counts.in_flight),
                    "ApproximateNumberOfMessagesDelayed": str(counts.delayed),
                    "CreatedTimestamp": str(queue.created_at // 1000),
                    "LastModifiedTimestamp": str(queue.modified_at // 1000),
                    "QueueArn": self.queue_arn(queue),
                }
            )
        if wanted is not None:
            values = {name: value for name, value in values.items() if name in wanted}
        return {"Attributes": values} if values else {}

    def set_queue_attributes(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        if params.get("Attributes") is None:
            raise missing_parameter("Attributes")
        attributes = self.string_map(params, "Attributes")
        if not queue.fifo and "FifoQueue" in attributes:
            raise queue_attributes.unknown_attribute("FifoQueue")
        changes = queue_attributes.validate(attributes, queue.fifo)
        if changes.get("RedrivePolicy"):
            self.check_redrive_policy(queue.account, queue.name, queue.fifo, changes["RedrivePolicy"])
        updated = queue_attributes.apply(queue.attributes, changes, queue.fifo)
        # On FIFO queues the queue delay is retroactive: it also applies to the
        # messages already waiting (Developer Guide, delay queues).
        redelay = queue.fifo and updated["DelaySeconds"] != queue.attributes["DelaySeconds"]
        self.store.update_queue_attributes(
            queue,
            updated,
            self.clock.now_ms(),
            retroactive_delay_ms=int(updated["DelaySeconds"]) * 1000 if redelay else None,
        )
        # A shorter delay or retention can change what a waiting receive finds.
        self.waiters.notify(queue.id)
        return {}

    def purge_queue(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        since = self.seconds_since(queue.purged_at)
        if since is not None and since < limits.PURGE_INTERVAL_SECONDS:
            raise SqsError(
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds.",
                status=403,
            )
        removed = self.store.purge_queue(queue, self.clock.now_ms())
        logger.info(
            "queue purged: %s/%s, %d messages (request %s)",
            queue.account,
            queue.name,
            removed,
            context.request_id,
        )
        return {}

    def tag_queue(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        if not params.get("Tags"):
            raise missing_parameter("Tags")
        tags = self.string_map(params, "Tags")
        check_tags(tags)
        merged = {**queue.tags, **tags}
        if len(merged) > limits.MAX_TAGS:
            # NOTE: AWS documents 50 tags as a recommendation; the error text is unconfirmed.
            raise invalid_parameter_value(f"Too many tags added for queue {queue.name}.")
        self.store.update_tags(queue, merged)
        return {}

    def untag_queue(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        if not params.get("TagKeys"):
            raise missing_parameter("TagKeys")
        keys = set(self.string_list(params, "TagKeys"))
        remaining = {key: value for key, value in queue.tags.items() if key not in keys}
        self.store.update_tags(queue, remaining)
        return {}

    def list_queue_tags(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    def list_dead_letter_source_queues(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        max_results = self.optional_int(
            params,
            "MaxResults",
            1,
            limits.MAX_LIST_RESULTS,
            "MaxResults must be an integer between 1 and 1000.",
        )
        sources = self.dead_letter_sources(queue)
        page, next_token = page_by_name(sources, max_results, params.get("NextToken"))
        # queueUrls is a required member of the output, so it is sent even when empty.
        result: dict = {"queueUrls": [self.queue_url(source, context) for source in page]}
        if next_token:
            result["NextToken"] = next_token
        return result
