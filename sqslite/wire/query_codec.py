"""The AWS query protocol: form parameters in, XML out.

Requests flatten nested members into dotted names
(``SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue``).
Decoding resolves each name against the model into a path of keys and
collects the values into nested dicts keyed by the 1-based index, which
are sorted into lists and maps at the end. A client can thus send indexes
in any order, with gaps, or very large, without the decoder allocating
more than one entry per parameter.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable

from sqslite.service import errors
from sqslite.service.errors import SqsError
from sqslite.wire.errors import missing_action
from sqslite.wire.model import (
    BLOB,
    BOOLEAN,
    INTEGER,
    LIST,
    LONG,
    MAP,
    SERVICE,
    STRING,
    STRUCTURE,
    Member,
    Node,
)

_XML_DECLARATION = '<?xml version="1.0"?>'
_NAMESPACE = SERVICE.xml_namespace

# Keys of the dict that collects one map entry while decoding.
_KEY = "key"
_VALUE = "value"
# The value of a list parameter sent as the bare name with an empty value,
# which is how botocore's query serializer sends an empty list.
_EMPTY_LIST = object()

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_INTEGER_RANGES = {INTEGER: (-(2**31), 2**31 - 1), LONG: (-(2**63), 2**63 - 1)}


# ---------------------------------------------------------------- decoding


def _build_name_tables() -> dict[Node, dict[str, Member]]:
    """Map each input structure's query names to its members.

    A flattened list is sent under its element name (``AttributeName.1``),
    but botocore sends an empty one under the member's own name
    (``AttributeNames=``), so both names lead to the list.
    """
    tables: dict[Node, dict[str, Member]] = {}
    pending = [op.input for op in SERVICE.operations.values() if op.input is not None]
    while pending:
        node = pending.pop()
        if node in tables:
            continue
        if node.kind == STRUCTURE:
            table = {member.wire_name: member for member in node.members.values()}
            for member in node.members.values():
                table.setdefault(member.name, member)
            tables[node] = table
            pending.extend(member.node for member in node.members.values())
        elif node.kind == LIST:
            pending.append(node.element)
        elif node.kind == MAP:
            pending.append(node.value)
    return tables


_NAME_TABLES = _build_name_tables()

# Top-level string members of each input, by query name. Most parameters
# of a request are such members (QueueUrl, MessageBody, ReceiptHandle),
# and they need no resolving.
_TOP_LEVEL_STRINGS: dict[Node, dict[str, str]] = {
    op.input: {
        wire_name: member.name
        for wire_name, member in _NAME_TABLES[op.input].items()
        if member.node.kind == STRING
    }
    for op in SERVICE.operations.values()
    if op.input is not None
}


def _parse_index(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:
        # More digits than int() accepts from text.
        return None


def _parse_scalar(node: Node, text: str, field: str) -> object:
    kind = node.kind
    if kind == STRING:
        return text
    if kind == INTEGER or kind == LONG:
        if _INTEGER_TEXT.fullmatch(text):
            low, high = _INTEGER_RANGES[kind]
            try:
                value = int(text)
            except ValueError:
                value = None
            if value is not None and low <= value <= high:
                return value
        # NOTE: UNSURE of the reason text, because AWS's wording for a
        # malformed number was not found.
        raise errors.invalid_parameter(field, text, "Must be an integer.")
    if kind == BOOLEAN:
        lowered = text.lower()
        if lowered == "true" or lowered == "false":
            return lowered == "true"
        raise errors.invalid_parameter(field, text, "Must be true or false.")
    if kind == BLOB:
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise errors.invalid_parameter(field, text, "Must be base64-encoded.") from None
    raise AssertionError(f"no query decoding for shape kind {kind}")


def _resolve(root: Node, field: str, text: str) -> tuple[list, object] | None:
    """Resolve one parameter into the keys leading to its value, and the parsed value.

    Returns None when the name fits no member, because the query protocol
    ignores unknown parameters.
    """
    parts = field.split(".")
    count = len(parts)
    keys: list = []
    node = root
    i = 0
    while True:
        kind = node.kind
        if kind == STRUCTURE:
            if i == count:
                return None
            member = _NAME_TABLES[node].get(parts[i])
            if member is None:
                return None
            keys.append(member.name)
            node = member.node
            i += 1
        elif kind == LIST:
            if i == count:
                return (keys, _EMPTY_LIST) if text == "" else None
            if not node.flattened:
                if parts[i] != node.element_name:
                    return None
                i += 1
            index = _parse_index(parts[i]) if i < count else None
            if index is None:
                return None
            keys.append(index)
            node = node.element
            i += 1
        elif kind == MAP:
            if not node.flattened:
                if i == count or parts[i] != "entry":
                    return None
                i += 1
            if i + 2 > count:
                return None
            index = _parse_index(parts[i])
            if index is None:
                return None
            slot = parts[i + 1]
            if slot == node.key_name:
                keys.extend((index, _KEY))
                node = node.key
            elif slot == node.value_name:
                keys.extend((index, _VALUE))
                node = node.value
            else:
                return None
            i += 2
        else:
            if i != count:
                return None
            return keys, _parse_scalar(node, text, field)


def _store(collected: dict, keys: list, value: object) -> None:
    container = collected
    for key in keys[:-1]:
        child = container.get(key)
        if child is None:
            child = container[key] = {}
        container = child
    last = keys[-1]
    if value is _EMPTY_LIST:
        container.setdefault(last, {})
    else:
        container[last] = value


def _empty_value(node: Node) -> object:
    """Return what a map entry that has a key but no value decodes to."""
    if node.kind == STRING:
        return ""
    if node.kind == LIST:
        return []
    if node.kind in (STRUCTURE, MAP):
        return {}
    return None


def _assemble(node: Node, collected: object) -> object:
    """Turn collected index-keyed dicts into lists and maps, ordered by index."""
    kind = node.kind
    if kind == STRUCTURE:
        members = node.members
        return {name: _assemble(members[name].node, item) for name, item in collected.items()}
    if kind == LIST:
        element = node.element
        if element.kind in (STRUCTURE, LIST, MAP):
            return [_assemble(element, collected[index]) for index in sorted(collected)]
        return [collected[index] for index in sorted(collected)]
    if kind == MAP:
        result = {}
        for index in sorted(collected):
            entry = collected[index]
            key = entry.get(_KEY)
            if key is None:
                # NOTE: an entry without a key (only Attribute.1.Value) is
                # dropped, because no key can be made up for it.
                continue
            if _VALUE in entry:
                value = _assemble(node.value, entry[_VALUE])
            else:
                value = _empty_value(node.value)
                if value is None:
                    continue
            result[key] = value
        return result
    return collected


def decode_query(fields: Iterable[tuple[str, str]]) -> tuple[str, dict]:
    """Decode query parameters into the operation name and its parameters.

    ``fields`` are percent-decoded (name, value) pairs from the form body and
    the URL together. Parameters that fit no member of the operation's input
    are ignored. Of repeated parameters the last one wins. Required members
    are not checked here.
    """
    fields = list(fields)
    action = None
    for name, value in fields:
        if name == "Action":
            action = value
    if not action:
        raise missing_action()
    operation = SERVICE.operations.get(action)
    if operation is None:
        raise errors.invalid_action(action)
    if operation.input is None:
        return action, {}

    collected: dict = {}
    root = operation.input
    top_level_strings = _TOP_LEVEL_STRINGS[root]
    for name, value in fields:
        member_name = top_level_strings.get(name)
        if member_name is not None:
            collected[member_name] = value
            continue
        resolved = _resolve(root, name, value)
        if resolved is not None:
            _store(collected, *resolved)
    return action, _assemble(root, collected)


# ---------------------------------------------------------------- encoding

# Characters that XML 1.0 does not allow at all, even as references.
_INVALID_XML_CHARACTERS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Everything escape_xml changes, so that most text is returned after one scan.
_NEEDS_ESCAPING = re.compile(
    '[&<>"\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]'
)

Writer = Callable[[list, object], None]


def escape_xml(text: str) -> str:
    """Escape text for an XML text node so that a parser returns it unchanged.

    Carriage returns become ``&#xD;`` because XML parsers turn a literal CR
    into LF, which would change a message body and its MD5. Characters
    that XML 1.0 forbids become U+FFFD, since no parser would accept them.
    """
    if not _NEEDS_ESCAPING.search(text):
        return text
    if _INVALID_XML_CHARACTERS.search(text):
        text = _INVALID_XML_CHARACTERS.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\r", "&#xD;")
    )


def _format_scalar(kind: str, value: object) -> str:
    if kind == STRING:
        return escape_xml(value)
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == BLOB:
        return base64.b64encode(value).decode("ascii")
    return str(int(value))


def _build_writer(node: Node, name: str, cache: dict[tuple[Node, str], Writer]) -> Writer:
    """Build a function that appends ``value`` as XML element(s) called ``name``."""
    writer = cache.get((node, name))
    if writer is not None:
        return writer
    kind = node.kind
    if kind == STRUCTURE:
        writer = _structure_writer(node, name, cache)
    elif kind == LIST:
        writer = _list_writer(node, name, cache)
    elif kind == MAP:
        writer = _map_writer(node, name, cache)
    else:
        writer = _scalar_writer(kind, name)
    cache[(node, name)] = writer
    return writer


def _scalar_writer(kind: str, name: str) -> Writer:
    start, end = f"<{name}>", f"</{name}>"

    if kind == STRING:

        def write_string(out: list, value: object) -> None:
            out.append(f"{start}{escape_xml(value)}{end}")

        return write_string

    def write(out: list, value: object) -> None:
        out.append(f"{start}{_format_scalar(kind, value)}{end}")

    return write


def _structure_writer(node: Node, name: str, cache: dict) -> Writer:
    start, end = f"<{name}>", f"</{name}>"
    member_writers: dict[str, Writer] = {}

    def write(out: list, value: dict) -> None:
        out.append(start)
        for member_name, item in value.items():
            if item is None:
                continue
            member_writer = member_writers.get(member_name)
            if member_writer is None:
                raise ValueError(f"{node.shape_name} has no member {member_name}")
            member_writer(out, item)
        out.append(end)

    # Register before building members so that a recursive shape terminates.
    cache[(node, name)] = write
    for member in node.members.values():
        member_writers[member.name] = _build_writer(member.node, member.wire_name, cache)
    return write


def _list_writer(node: Node, name: str, cache: dict) -> Writer:
    if node.flattened:
        # A flattened list is its elements repeated under the member's name.
        element_writer = _build_writer(node.element, name, cache)

        def write_flattened(out: list, value: list) -> None:
            for item in value:
                element_writer(out, item)

        return write_flattened

    start, end = f"<{name}>", f"</{name}>"
    element_writer = _build_writer(node.element, node.element_name, cache)

    def write(out: list, value: list) -> None:
        out.append(start)
        for item in value:
            element_writer(out, item)
        out.append(end)

    return write


def _map_writer(node: Node, name: str, cache: dict) -> Writer:
    key_writer = _build_writer(node.key, node.key_name, cache)
    value_writer = _build_writer(node.value, node.value_name, cache)
    if node.flattened:
        entry_start, entry_end = f"<{name}>", f"</{name}>"
        start = end = ""
    else:
        entry_start, entry_end = "<entry>", "</entry>"
        start, end = f"<{name}>", f"</{name}>"

    def write(out: list, value: dict) -> None:
        out.append(start)
        for key, item in value.items():
            out.append(entry_start)
            key_writer(out, key)
            value_writer(out, item)
            out.append(entry_end)
        out.append(end)

    return write


def _build_result_writers() -> dict[str, Writer]:
    cache: dict = {}
    writers = {}
    for name, operation in SERVICE.operations.items():
        if operation.output is not None:
            wrapper = operation.result_wrapper or f"{name}Result"
            writers[name] = _build_writer(operation.output, wrapper, cache)
    return writers


_RESULT_WRITERS = _build_result_writers()


def encode_query(operation: str, result: dict, request_id: str) -> bytes:
    """Encode an operation's result as the XML body of a query response.

    Raises ValueError for a result member that the model does not define,
    because the XML has no name or type for it.
    """
    if operation not in SERVICE.operations:
        raise KeyError(f"unknown operation {operation}")
    out = [_XML_DECLARATION, f'<{operation}Response xmlns="{_NAMESPACE}">']
    writer = _RESULT_WRITERS.get(operation)
    if writer is not None:
        writer(out, result)
    out.append("<ResponseMetadata><RequestId>")
    out.append(escape_xml(request_id))
    out.append(f"</RequestId></ResponseMetadata></{operation}Response>")
    return "".join(out).encode("utf-8")


def encode_query_error(error: SqsError, request_id: str) -> tuple[int, bytes]:
    """Encode an error as the status and XML body of a query response."""
    body = (
        f'{_XML_DECLARATION}<ErrorResponse xmlns="{_NAMESPACE}"><Error>'
        f"<Type>{error.fault}</Type>"
        f"<Code>{escape_xml(error.code)}</Code>"
        f"<Message>{escape_xml(error.query_message)}</Message>"
        f"<Detail/></Error><RequestId>{escape_xml(request_id)}</RequestId></ErrorResponse>"
    )
    return error.status, body.encode("utf-8")
