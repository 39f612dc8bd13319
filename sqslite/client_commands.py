"""``sqslite queues``, ``purge``, ``send`` and ``receive``: quick checks of a running server."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from .client import DEFAULT_ENDPOINT, ClientError, JsonClient


def add_client_commands(commands, env) -> None:
    """Add the client commands to the CLI's subparsers; env supplies SQSLITE_* defaults."""
    queues = commands.add_parser("queues", help="list the queues with their message counts")
    _add_connection_options(queues, env)
    queues.add_argument("--prefix", default="", help="list only names that start with this")

    purge = commands.add_parser("purge", help="delete every message of a queue")
    _add_connection_options(purge, env)
    purge.add_argument("name", help="queue name")

    send = commands.add_parser("send", help="send one message and print its id")
    _add_connection_options(send, env)
    send.add_argument("name", help="queue name")
    send.add_argument("body", help="message body")
    send.add_argument("--delay-seconds", type=int, help="delay before the message is visible")
    send.add_argument("--group-id", help="MessageGroupId, required by FIFO queues")
    send.add_argument(
        "--deduplication-id",
        help="MessageDeduplicationId, for FIFO queues without content-based deduplication",
    )

    receive = commands.add_parser(
        "receive", help="receive messages and print each as one JSON line"
    )
    _add_connection_options(receive, env)
    receive.add_argument("name", help="queue name")
    receive.add_argument(
        "--max-messages", type=int, default=1, help="messages to receive, 1 to 10 (default: 1)"
    )
    receive.add_argument(
        "--wait-seconds", type=int, default=0, help="long poll time, 0 to 20 (default: 0)"
    )
    receive.add_argument(
        "--delete",
        action="store_true",
        help="delete the received messages; without it they reappear after the visibility timeout",
    )


def _add_connection_options(parser: argparse.ArgumentParser, env) -> None:
    env.add(parser, "--endpoint", DEFAULT_ENDPOINT, "URL of the running sqslite server")
    parser.add_argument(
        "--account",
        metavar="ACCOUNT_ID",
        help="12-digit account to act as (default: the server's --account-id)",
    )


def run_client_command(command: Callable[[JsonClient, argparse.Namespace], None]):
    def run(args: argparse.Namespace) -> int:
        client = JsonClient(args.endpoint, args.account)
        try:
            command(client, args)
        except ClientError as error:
            print(f"sqslite: {error.code}: {error.message}", file=sys.stderr)
            return 1
        return 0

    return run


@run_client_command
def list_queues(client: JsonClient, args: argparse.Namespace) -> None:
    rows = []
    for url in client.list_queue_urls():
        name = url.rstrip("/").rpartition("/")[2]
        if not name.startswith(args.prefix):
            continue
        attributes = client.call(
            "GetQueueAttributes",
            {
                "QueueUrl": url,
                "AttributeNames": [
                    "ApproximateNumberOfMessages",
                    "ApproximateNumberOfMessagesNotVisible",
                    "ApproximateNumberOfMessagesDelayed",
                ],
            },
        )["Attributes"]
        rows.append(
            (
                name,
                attributes["ApproximateNumberOfMessages"],
                attributes["ApproximateNumberOfMessagesNotVisible"],
                attributes["ApproximateNumberOfMessagesDelayed"],
            )
        )
    if not rows:
        print("no queues", file=sys.stderr)
        return
    header = ("NAME", "VISIBLE", "IN_FLIGHT", "DELAYED")
    width = max(len(row[0]) for row in [header, *rows])
    for row in [header, *rows]:
        print(f"{row[0]:<{width}}  {row[1]:>7}  {row[2]:>9}  {row[3]:>7}")


@run_client_command
def purge_queue(client: JsonClient, args: argparse.Namespace) -> None:
    client.call("PurgeQueue", {"QueueUrl": client.queue_url(args.name)})
    print(f"purged {args.name}")


@run_client_command
def send_message(client: JsonClient, args: argparse.Namespace) -> None:
    params = {"QueueUrl": client.queue_url(args.name), "MessageBody": args.body}
    if args.delay_seconds is not None:
        params["DelaySeconds"] = args.delay_seconds
    if args.group_id is not None:
        params["MessageGroupId"] = args.group_id
    if args.deduplication_id is not None:
        params["MessageDeduplicationId"] = args.deduplication_id
    print(client.call("SendMessage", params)["MessageId"])


@run_client_command
def receive_messages(client: JsonClient, args: argparse.Namespace) -> None:
    url = client.queue_url(args.name)
    result = client.call(
        "ReceiveMessage",
        {
            "QueueUrl": url,
            "MaxNumberOfMessages": args.max_messages,
            "WaitTimeSeconds": args.wait_seconds,
            "MessageAttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        },
    )
    messages = result.get("Messages", [])
    if not messages:
        print("no messages", file=sys.stderr)
    for message in messages:
        print(json.dumps(message, sort_keys=True))
    if args.delete and messages:
        entries = [
            {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
            for index, message in enumerate(messages)
        ]
        outcome = client.call("DeleteMessageBatch", {"QueueUrl": url, "Entries": entries})
        failed = outcome.get("Failed", [])
        if failed:
            raise ClientError(
                failed[0].get("Code", "DeleteFailed"),
                f"{len(failed)} of {len(entries)} messages were not deleted: "
                f"{failed[0].get('Message')}",
            )


CLIENT_COMMANDS = {
    "queues": list_queues,
    "purge": purge_queue,
    "send": send_message,
    "receive": receive_messages,
}
