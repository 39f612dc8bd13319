"""The SQS service model as a tree of shape nodes that both codecs walk.

The model file is the current botocore SQS model with the query protocol's
traits merged in (``locationName``, ``flattened``, ``resultWrapper``,
``xmlNamespace``). Each node carries the names that both protocols use, so
the codecs never look at the raw model after import.

Wire names follow botocore's query serializer and XML parser (1.43). A
member reference's traits override those of the shape it points to. A
member is named by its ``locationName``, or else by its member name. A
flattened list whose element has a ``locationName`` takes that name
instead (``AttributeNames`` travels as ``AttributeName.1``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("sqs-2012-11-05.json")

# Node kinds. Scalars use the model's type names.
STRUCTURE = "structure"
LIST = "list"
MAP = "map"
STRING = "string"
INTEGER = "integer"
LONG = "long"
BOOLEAN = "boolean"
BLOB = "blob"
SCALAR_KINDS = frozenset({STRING, INTEGER, LONG, BOOLEAN, BLOB})


@dataclass(eq=False)
class Member:
    """A member of a structure: its JSON name, its query/XML name and its shape."""

    name: str
    wire_name: str
    node: Node


@dataclass(eq=False)
class Node:
    """A shape as seen through one member reference.

    Only the fields of the node's kind are set. ``has_blob`` is true when a
    blob occurs anywhere below, so that encoders can pass other values
    through untouched.
    """

    kind: str
    shape_name: str
    has_blob: bool = False
    # structure
    members: dict[str, Member] = field(default_factory=dict)
    # list: element node and the element name of a non-flattened list
    element: Node | None = None
    element_name: str = "member"
    # map
    key: Node | None = None
    value: Node | None = None
    key_name: str = "key"
    value_name: str = "value"
    flattened: bool = False


@dataclass(frozen=True)
class Operation:
    name: str
    input: Node | None
    output: Node | None
    result_wrapper: str | None


class ServiceModel:
    """The operations of the service, with their shapes resolved into nodes."""

    def __init__(self, model: dict) -> None:
        self._shapes = model["shapes"]
        self._nodes: dict[tuple, Node] = {}
        metadata = model["metadata"]
        self.target_prefix: str = metadata["targetPrefix"]
        self.xml_namespace: str = metadata["xmlNamespace"]
        self.operations: dict[str, Operation] = {}
        for name, spec in model["operations"].items():
            input_ref = spec.get("input")
            output_ref = spec.get("output")
            self.operations[name] = Operation(
                name=name,
                input=self._resolve(input_ref) if input_ref else None,
                output=self._resolve(output_ref) if output_ref else None,
                result_wrapper=output_ref.get("resultWrapper") if output_ref else None,
            )

    def _resolve(self, ref: dict) -> Node:
        """Build the node for a member reference, merging its traits into the shape's."""
        shape_name = ref["shape"]
        traits = {**self._shapes[shape_name], **ref}
        kind = traits["type"]
        flattened = bool(traits.get("flattened", False))
        cache_key = (shape_name, flattened)
        node = self._nodes.get(cache_key)
        if node is not None:
            return node
        if kind not in SCALAR_KINDS and kind not in (STRUCTURE, LIST, MAP):
            raise ValueError(f"shape {shape_name} has type {kind}, which the codecs do not support")

        node = Node(kind=kind, shape_name=shape_name, flattened=flattened)
        # Cache before resolving children so that a recursive shape terminates.
        self._nodes[cache_key] = node

        if kind == STRUCTURE:
            for member_name, member_ref in traits.get("members", {}).items():
                child = self._resolve(member_ref)
                wire_name = wire_name_of(member_name, member_ref, self._shapes)
                node.members[member_name] = Member(member_name, wire_name, child)
            node.has_blob = any(m.node.has_blob for m in node.members.values())
        elif kind == LIST:
            member_ref = traits["member"]
            node.element = self._resolve(member_ref)
            node.element_name = location_name(member_ref, self._shapes) or "member"
            node.has_blob = node.element.has_blob
        elif kind == MAP:
            node.key = self._resolve(traits["key"])
            node.value = self._resolve(traits["value"])
            node.key_name = location_name(traits["key"], self._shapes) or "key"
            node.value_name = location_name(traits["value"], self._shapes) or "value"
            node.has_blob = node.value.has_blob
        else:
            node.has_blob = kind == BLOB
        return node


def location_name(ref: dict, shapes: dict) -> str | None:
    """Return the ``locationName`` of a reference, falling back to the shape's own."""
    return ref.get("locationName") or shapes[ref["shape"]].get("locationName")


def wire_name_of(member_name: str, ref: dict, shapes: dict) -> str:
    """Return the query parameter and XML element name of a structure member."""
    shape = shapes[ref["shape"]]
    flattened = ref.get("flattened", shape.get("flattened", False))
    if shape["type"] == LIST and flattened:
        element_name = location_name(shape["member"], shapes)
        if element_name:
            return element_name
    return location_name(ref, shapes) or member_name


def load_model(path: Path = MODEL_PATH) -> ServiceModel:
    with path.open(encoding="utf-8") as handle:
        return ServiceModel(json.load(handle))


SERVICE = load_model()
OPERATIONS: frozenset[str] = frozenset(SERVICE.operations)
