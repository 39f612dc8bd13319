"""Generate sqslite/wire/sqs-2012-11-05.json from botocore's SQS service models.

The current botocore model (JSON protocol) is the source of truth for
operations, members and types. It no longer carries the query protocol's
flattened names (``Attribute.1.Name``), XML result wrappers or legacy error
codes, so those traits are copied from the last query-protocol model, which
botocore 1.34.89 ships. Members added since then get query names from
QUERY_NAMES_FOR_NEW_SHAPES below. Documentation strings are dropped.

Usage:
    pip download --no-deps botocore==1.34.89 -d /tmp/oldbc
    python tools/generate_model.py /tmp/oldbc/botocore-1.34.89-py3-none-any.whl
"""

from __future__ import annotations

import gzip
import json
import sys
import zipfile
from pathlib import Path

import botocore

MODEL_PATH = "botocore/data/sqs/2012-11-05/service-2.json.gz"
OUTPUT = Path(__file__).resolve().parent.parent / "sqslite" / "wire" / "sqs-2012-11-05.json"

# Query names for shapes that the last query-protocol model does not have.
# MessageSystemAttributeNames arrived after SQS moved to JSON, so no query
# name was ever published for it; this one follows the pattern of
# AttributeNames (AttributeName.N).
QUERY_NAMES_FOR_NEW_SHAPES = {
    "MessageSystemAttributeList": {"member": {"locationName": "MessageSystemAttributeName"}},
}

# Traits that shape the query protocol and XML, copied from the old model.
QUERY_TRAITS = ("locationName", "flattened", "error", "xmlNamespace")


def load_current_model() -> dict:
    path = Path(botocore.__file__).parent / "data/sqs/2012-11-05/service-2.json.gz"
    with gzip.open(path) as handle:
        return json.load(handle)


def load_query_model(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        return json.loads(gzip.decompress(archive.read(MODEL_PATH)))


def strip_documentation(node):
    if isinstance(node, dict):
        return {
            key: strip_documentation(value)
            for key, value in node.items()
            if key not in ("documentation", "documentationUrl", "examples")
        }
    if isinstance(node, list):
        return [strip_documentation(item) for item in node]
    return node


def copy_traits(target: dict, source: dict) -> None:
    for trait in QUERY_TRAITS:
        if trait in source:
            target[trait] = source[trait]


def merge_query_traits(shape: dict, old_shape: dict) -> None:
    copy_traits(shape, old_shape)
    if shape["type"] == "structure":
        for name, member in shape.get("members", {}).items():
            old_member = old_shape.get("members", {}).get(name)
            if old_member:
                copy_traits(member, old_member)
    elif shape["type"] == "list":
        copy_traits(shape["member"], old_shape["member"])
    elif shape["type"] == "map":
        copy_traits(shape["key"], old_shape["key"])
        copy_traits(shape["value"], old_shape["value"])


def build_model(current: dict, query: dict) -> dict:
    model = strip_documentation(current)
    for name, shape in model["shapes"].items():
        old_shape = query["shapes"].get(name)
        if old_shape:
            merge_query_traits(shape, old_shape)
        elif name in QUERY_NAMES_FOR_NEW_SHAPES:
            for part, traits in QUERY_NAMES_FOR_NEW_SHAPES[name].items():
                shape[part].update(traits)
    for name, operation in model["operations"].items():
        old_output = query["operations"][name].get("output", {})
        if "resultWrapper" in old_output:
            operation["output"]["resultWrapper"] = old_output["resultWrapper"]
    model["metadata"]["xmlNamespace"] = query["metadata"]["xmlNamespace"]
    model["metadata"]["sqsliteSource"] = (
        f"botocore {botocore.__version__} SQS model, with query-protocol traits "
        "from botocore 1.34.89; documentation removed"
    )
    return model


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    model = build_model(load_current_model(), load_query_model(Path(sys.argv[1])))
    OUTPUT.write_text(json.dumps(model, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
