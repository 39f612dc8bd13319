"""Plain records that the store returns and takes."""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGE_COLUMNS = (
    "id, message_id, body, md5_body, attributes, system_attributes, sender_id, sent_at, "
    "visible_at, receive_count, first_received_at, received_at, receipt_token, group_id, "
    "dedup_id, sequence_number, dead_letter_source_arn, enqueued_at"
)


@dataclass
class QueueRecord:
    id: int
    account: str
    name: str
    fifo: bool
    attributes: dict[str, str]
    tags: dict[str, str]
    created_at: int
    modified_at: int
    purged_at: int | None = None
    _numbers: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def number(self, name: str) -> int:
        """Return an integer attribute, parsed once per change of the attributes."""
        value = self._numbers.get(name)
        if value is None:
            value = self._numbers[name] = int(self.attributes[name])
        return value

    def replace_attributes(self, attributes: dict[str, str]) -> None:
        self.attributes = dict(attributes)
        self._numbers.clear()


@dataclass(slots=True)
class NewMessage:
    message_id: str
    body: str
    md5_body: str
    attributes: str | None
    system_attributes: str | None
    sender_id: str
    sent_at: int
    visible_at: int
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None


@dataclass(slots=True)
class MessageRecord:
    id: int
    message_id: str
    body: str
    md5_body: str
    attributes: str | None
    system_attributes: str | None
    sender_id: str
    sent_at: int
    visible_at: int
    receive_count: int
    first_received_at: int | None
    received_at: int | None
    receipt_token: str | None
    group_id: str | None
    dedup_id: str | None
    sequence_number: str | None
    dead_letter_source_arn: str | None
    enqueued_at: int


@dataclass
class QueueCounts:
    visible: int = 0
    in_flight: int = 0
    delayed: int = 0
