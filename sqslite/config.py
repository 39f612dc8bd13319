"""Queues to create at start, read from a TOML file (``sqslite serve --config``).

A file lists queues as an array of tables::

    account = "000000000000"          # optional default for every queue

    [[queues]]
    name = "orders-dlq"
    redrive_allow = ["orders"]        # or "allowAll" / "denyAll"

    [[queues]]
    name = "orders"
    account = "111111111111"          # optional, else the file's or the server's
    attributes = { VisibilityTimeout = 60 }
    tags = { team = "shop" }
    dead_letter_queue = "orders-dlq"  # a queue name in the same account
    max_receive_count = 5

Queues are created through ``SqsService.call("CreateQueue")``, so the checks
are those of the API. Dead-letter queues are created before the queues that
name them, because CreateQueue checks that the target exists.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .service import RequestContext, SqsError, SqsService
from .service import queue_attributes

logger = logging.getLogger(__name__)

ACCOUNT_ID = re.compile(r"^\d{12}$")
QUEUE_KEYS = frozenset(
    {
        "name",
        "account",
        "attributes",
        "tags",
        "dead_letter_queue",
        "max_receive_count",
        "redrive_allow",
    }
)
DEFAULT_MAX_RECEIVE_COUNT = 10


class ConfigError(Exception):
    """An invalid startup configuration; the message names the file and the queue."""


@dataclass
class QueueConfig:
    name: str
    account: str | None
    attributes: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    dead_letter_queue: str | None = None
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT
    # "allowAll", "denyAll" or the names of the allowed source queues.
    redrive_allow: str | list[str] | None = None


@dataclass
class StartupConfig:
    path: str
    account: str | None
    queues: list[QueueConfig]


def load_config(path: str | Path) -> StartupConfig:
    """Read and check the structure of a config file; raise ConfigError if it is invalid."""
    path = str(path)
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    return parse_config(document, path)


def parse_config(document: dict, path: str) -> StartupConfig:
    unknown = sorted(set(document) - {"account", "queues"})
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level key {unknown[0]!r}; expected 'account' and [[queues]]"
        )
    account = document.get("account")
    if account is not None:
        account = _check_account(path, "the top level", account)
    entries = document.get("queues", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise ConfigError(f"{path}: 'queues' must be an array of tables ([[queues]])")
    queues = [_parse_queue(path, index, entry) for index, entry in enumerate(entries)]
    seen: set[tuple[str | None, str]] = set()
    for queue in queues:
        key = (queue.account or account, queue.name)
        if key in seen:
            raise ConfigError(f"{path}: queue {queue.name!r} is listed twice in one account")
        seen.add(key)
    return StartupConfig(path=path, account=account, queues=queues)


def _parse_queue(path: str, index: int, entry: dict) -> QueueConfig:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{path}: queue number {index + 1} has no 'name' string")
    where = f"{path}: queue {name!r}"
    unknown = sorted(set(entry) - QUEUE_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(QUEUE_KEYS))}"
        )
    account = entry.get("account")
    if account is not None:
        account = _check_account(path, f"queue {name!r}", account)
    queue = QueueConfig(
        name=name,
        account=account,
        attributes=_string_table(where, "attributes", entry.get("attributes", {})),
        tags=_string_table(where, "tags", entry.get("tags", {})),
    )
    dead_letter_queue = entry.get("dead_letter_queue")
    if dead_letter_queue is not None:
        if not isinstance(dead_letter_queue, str) or not dead_letter_queue:
            raise ConfigError(f"{where}: dead_letter_queue must be a queue name")
        if "RedrivePolicy" in queue.attributes:
            raise ConfigError(
                f"{where}: set either dead_letter_queue or the RedrivePolicy attribute, not both"
            )
        queue.dead_letter_queue = dead_letter_queue
    count = entry.get("max_receive_count", DEFAULT_MAX_RECEIVE_COUNT)
    if not isinstance(count, int) or isinstance(count, bool):
        raise ConfigError(f"{where}: max_receive_count must be an integer, not {count!r}")
    queue.max_receive_count = count
    allow = entry.get("redrive_allow")
    if allow is not None:
        valid = allow in ("allowAll", "denyAll") or (
            isinstance(allow, list) and all(isinstance(item, str) for item in allow)
        )
        if not valid:
            raise ConfigError(
                f"{where}: redrive_allow must be \"allowAll\", \"denyAll\" or a list of queue "
                f"names, not {allow!r}"
            )
        if "RedriveAllowPolicy" in queue.attributes:
            raise ConfigError(
                f"{where}: set either redrive_allow or the RedriveAllowPolicy attribute, not both"
            )
        queue.redrive_allow = allow
    return queue


def _check_account(path: str, where: str, account: object) -> str:
    if not isinstance(account, str) or not ACCOUNT_ID.match(account):
        raise ConfigError(
            f"{path}: {where}: account must be a string of 12 digits, not {account!r}"
        )
    return account


def _string_table(where: str, key: str, table: object) -> dict[str, str]:
    """Convert a TOML table's values to SQS strings, with booleans in lower case."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {key} must be a table")
    converted = {}
    for name, value in table.items():
        if isinstance(value, bool):
            converted[name] = "true" if value else "false"
        elif isinstance(value, int | str):
            converted[name] = str(value)
        elif isinstance(value, dict | list) and key == "attributes":
            # Policy documents may be written as TOML tables.
            converted[name] = json.dumps(value, separators=(",", ":"))
        else:
            raise ConfigError(
                f"{where}: {key}.{name} must be a string or an integer, not {value!r}"
            )
    return converted


def creation_order(config: StartupConfig, default_account: str) -> list[tuple[str, QueueConfig]]:
    """Return (account, queue) pairs with every dead-letter queue before the queues that use it."""
    by_key = {
        (queue.account or config.account or default_account, queue.name): queue
        for queue in config.queues
    }
    ordered: list[tuple[str, QueueConfig]] = []
    state: dict[tuple[str, str], str] = {}  # "visiting" or "done"

    def visit(key: tuple[str, str], chain: list[str]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            cycle = " -> ".join([*chain, key[1]])
            raise ConfigError(
                f"{config.path}: queue {key[1]!r}: dead_letter_queue forms a cycle: {cycle}"
            )
        state[key] = "visiting"
        queue = by_key[key]
        if queue.dead_letter_queue is not None:
            target = (key[0], queue.dead_letter_queue)
            if target in by_key:
                visit(target, [*chain, key[1]])
        state[key] = "done"
        ordered.append((key[0], queue))

    for key in by_key:
        visit(key, [])
    return ordered


def request_attributes(queue: QueueConfig, account: str, region: str) -> dict[str, str]:
    """Return the queue's CreateQueue attributes.

    dead_letter_queue and redrive_allow become RedrivePolicy and
    RedriveAllowPolicy with ARNs, and a name ending in .fifo sets FifoQueue.
    """
    attributes = dict(queue.attributes)
    if queue.name.endswith(".fifo"):
        attributes.setdefault("FifoQueue", "true")
    arn_prefix = f"arn:aws:sqs:{region}:{account}:"
    if queue.dead_letter_queue is not None:
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": arn_prefix + queue.dead_letter_queue,
                "maxReceiveCount": queue.max_receive_count,
            },
            separators=(",", ":"),
        )
    if isinstance(queue.redrive_allow, str):
        attributes["RedriveAllowPolicy"] = json.dumps({"redrivePermission": queue.redrive_allow})
    elif queue.redrive_allow is not None:
        attributes["RedriveAllowPolicy"] = json.dumps(
            {
                "redrivePermission": "byQueue",
                "sourceQueueArns": [arn_prefix + name for name in queue.redrive_allow],
            }
        )
    return attributes


async def create_queues(service: SqsService, config: StartupConfig, default_account: str) -> int:
    """Create or update the config's queues; return how many there are.

    A queue that already exists (from ``--db``) with other attributes gets
    the config's attributes through SetQueueAttributes, and its tags through
    TagQueue, so the config is the source of truth at every start.
    """
    for account, queue in creation_order(config, default_account):
        context = RequestContext(
            request_id=f"config-{queue.name}", account_id=account, base_url="http://localhost"
        )
        attributes = request_attributes(queue, account, service.region)
        try:
            await _create_or_update(service, queue, attributes, context)
        except SqsError as error:
            message = _describe_error(config.path, account, queue, attributes, error)
            raise ConfigError(message) from None
    return len(config.queues)


async def _create_or_update(
    service: SqsService, queue: QueueConfig, attributes: dict[str, str], context: RequestContext
) -> None:
    params = {"QueueName": queue.name, "Attributes": attributes, "tags": queue.tags}
    try:
        result = await service.call("CreateQueue", params, context)
    except SqsError as error:
        if error.shape != "QueueNameExists":
            raise
        url = (await service.call("GetQueueUrl", {"QueueName": queue.name}, context))["QueueUrl"]
        changes = {name: value for name, value in attributes.items() if name != "FifoQueue"}
        await service.call("SetQueueAttributes", {"QueueUrl": url, "Attributes": changes}, context)
        logger.info(
            "queue %s/%s existed with other attributes; set them from the config",
            context.account_id,
            queue.name,
        )
    else:
        url = result["QueueUrl"]
    if queue.tags:
        await service.call("TagQueue", {"QueueUrl": url, "Tags": queue.tags}, context)


def _describe_error(
    path: str, account: str, queue: QueueConfig, attributes: dict[str, str], error: SqsError
) -> str:
    """Name the file, the queue and, where one attribute alone is invalid, that attribute."""
    where = f"{path}: queue {queue.name!r} (account {account})"
    fifo = attributes.get("FifoQueue") == "true"
    for name, value in attributes.items():
        try:
            queue_attributes.validate({name: value}, fifo)
        except SqsError as attribute_error:
            return f"{where}: attribute {name} = {value!r}: {attribute_error.message}"
    if "RedrivePolicy" in attributes and "RedrivePolicy" in error.message:
        return (
            f"{where}: attribute RedrivePolicy "
            f"(dead_letter_queue {queue.dead_letter_queue!r}): {error.message}"
        )
    return f"{where}: {error.shape}: {error.message}"
