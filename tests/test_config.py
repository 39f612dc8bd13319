"""Tests of serve --config: queues created at start from a TOML file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sqslite import Server
from sqslite.config import ConfigError, creation_order, load_config, parse_config

from .serving import ServerProcess, free_port
from .serving import sqs_client as client

EXAMPLE = Path(__file__).parent.parent / "docker" / "queues.example.toml"




def attributes_of(sqs, name: str) -> dict[str, str]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_example_config_creates_its_queues():
    with Server(config=EXAMPLE) as server:
        sqs = client(server.endpoint_url)
        orders = attributes_of(sqs, "orders")
        dead_letters = attributes_of(sqs, "orders-dlq")
        fifo = attributes_of(sqs, "payments.fifo")
        tags = sqs.list_queue_tags(QueueUrl=sqs.get_queue_url(QueueName="orders")["QueueUrl"])
        other_account = client(server.endpoint_url, access_key="111111111111")
        audit_urls = other_account.list_queues()["QueueUrls"]
        default_urls = sqs.list_queues()["QueueUrls"]

    assert orders["VisibilityTimeout"] == "60"
    assert orders["ReceiveMessageWaitTimeSeconds"] == "20"
    assert json.loads(orders["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:orders-dlq",
        "maxReceiveCount": 5,
    }
    assert json.loads(dead_letters["RedriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": ["arn:aws:sqs:us-east-1:000000000000:orders"],
    }
    assert dead_letters["MessageRetentionPeriod"] == "1209600"
    assert fifo["FifoQueue"] == "true"
    assert fifo["ContentBasedDeduplication"] == "true"
    assert tags["Tags"] == {"team": "shop"}
    assert [url.rpartition("/")[2] for url in audit_urls] == ["audit"]
    assert "111111111111" in audit_urls[0]
    assert len(default_urls) == 3


def test_dead_letter_queues_come_first():
    config = parse_config(
        {
            "queues": [
                {"name": "a", "dead_letter_queue": "b"},
                {"name": "b", "dead_letter_queue": "c"},
                {"name": "c"},
            ]
        },
        "order.toml",
    )
    order = [queue.name for _, queue in creation_order(config, "000000000000")]
    assert order == ["c", "b", "a"]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"queues": [{"name": "q", "colour": "red"}]}, "queue 'q': unknown key 'colour'"),
        ({"queues": [{"name": "q", "account": "42"}]}, "queue 'q': account must be"),
        ({"queues": [{"attributes": {}}]}, "queue number 1 has no 'name'"),
        ({"queues": [{"name": "q"}, {"name": "q"}]}, "queue 'q' is listed twice"),
        ({"queue": []}, "unknown top-level key 'queue'"),
        (
            {"queues": [{"name": "q", "redrive_allow": "everyone"}]},
            "queue 'q': redrive_allow must be",
        ),
        (
            {"queues": [{"name": "q", "attributes": {"DelaySeconds": 1.5}}]},
            "queue 'q': attributes.DelaySeconds must be a string or an integer",
        ),
    ],
)
def test_invalid_structure_names_file_and_queue(document, expected):
    with pytest.raises(ConfigError) as raised:
        parse_config(document, "broken.toml")
    assert str(raised.value).startswith("broken.toml: ")
    assert expected in str(raised.value)


def test_dead_letter_cycle_rejected():
    queues = [
        {"name": "a", "dead_letter_queue": "b"},
        {"name": "b", "dead_letter_queue": "a"},
    ]
    config = parse_config({"queues": queues}, "cycle.toml")
    with pytest.raises(ConfigError, match="cycle.toml: queue 'a': dead_letter_queue forms a cycle"):
        creation_order(config, "000000000000")


def test_unreadable_and_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_config(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[[queues]\n")
    with pytest.raises(ConfigError, match=f"{broken}: invalid TOML"):
        load_config(broken)


def run_serve(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "sqslite", "serve", "--port", str(free_port()), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


def test_invalid_attribute_stops_start(tmp_path):
    config = tmp_path / "queues.toml"
    config.write_text(
        '[[queues]]\nname = "fine"\n\n'
        '[[queues]]\nname = "slow"\nattributes = { VisibilityTimeout = 99999 }\n'
    )
    finished = run_serve("--config", str(config))
    assert finished.returncode == 2
    assert str(config) in finished.stderr
    assert "queue 'slow'" in finished.stderr
    assert "attribute VisibilityTimeout = '99999'" in finished.stderr


def test_missing_dead_letter_queue_stops_start(tmp_path):
    config = tmp_path / "queues.toml"
    config.write_text('[[queues]]\nname = "orphan"\ndead_letter_queue = "nowhere"\n')
    finished = run_serve("--config", str(config))
    assert finished.returncode == 2
    assert "queue 'orphan'" in finished.stderr
    assert "attribute RedrivePolicy (dead_letter_queue 'nowhere')" in finished.stderr


def test_config_with_db_survives_restarts(tmp_path):
    database = tmp_path / "sqs.db"
    config = tmp_path / "queues.toml"
    config.write_text(
        '[[queues]]\nname = "jobs"\nattributes = { VisibilityTimeout = 45 }\n'
        'tags = { team = "core" }\n'
    )
    first = ServerProcess("--db", str(database), "--config", str(config))
    sqs = client(first.url)
    queue_url = sqs.get_queue_url(QueueName="jobs")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="kept")
    status, output = first.stop()
    assert status == 0, output

    # The same file again, then a changed one: both start, the second updates the queue.
    second = ServerProcess("--db", str(database), "--config", str(config))
    status, output = second.stop()
    assert status == 0, output
    config.write_text('[[queues]]\nname = "jobs"\nattributes = { VisibilityTimeout = 90 }\n')
    third = ServerProcess("--db", str(database), "--config", str(config))
    sqs = client(third.url)
    attributes = attributes_of(sqs, "jobs")
    messages = sqs.receive_message(QueueUrl=sqs.get_queue_url(QueueName="jobs")["QueueUrl"])
    status, output = third.stop()
    assert status == 0, output
    assert attributes["VisibilityTimeout"] == "90"
    assert attributes["ApproximateNumberOfMessages"] == "1"
    assert messages["Messages"][0]["Body"] == "kept"
    assert "created 1 queues from" in output
