"""Where the compatibility suite sends its requests, and how its clients sign them.

There are three targets:

- ``sqslite`` (the default): the suite starts ``python -m sqslite serve`` on a
  free 127.0.0.1 port.
- ``endpoint``: any SQS-compatible server at ``--endpoint URL``.
- ``aws``: real Amazon SQS (``--aws``), reached through the regional endpoint
  with the credentials and region of boto3's normal lookup chain.

The first two sign with the dummy credentials ``test``/``test`` in region
``us-east-1`` and set them in the environment too, so that no request and no
credential lookup can reach AWS. Only ``aws`` leaves the environment alone.
"""

from __future__ import annotations

import dataclasses
import os
import uuid
from collections.abc import MutableMapping

import boto3

DUMMY_REGION = "us-east-1"
DUMMY_ACCESS_KEY = "test"
DUMMY_SECRET_KEY = "test"

# Set for the local targets before any client exists. The metadata switch
# stops botocore from asking the EC2 instance metadata service for credentials.
DUMMY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
    "AWS_DEFAULT_REGION": DUMMY_REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}

QUEUE_PREFIX_START = "sqslite-compat-"


class TargetError(ValueError):
    """Invalid combination of target options, or no region for ``--aws``."""


@dataclasses.dataclass(frozen=True)
class Target:
    """The server under test and the settings every client of the suite uses."""

    kind: str  # "sqslite", "endpoint" or "aws"
    endpoint_url: str | None  # None for "aws" (botocore picks the regional endpoint)
    region: str
    queue_prefix: str
    # None means boto3's credential chain (environment, profile, SSO, roles).
    access_key: str | None = None
    secret_key: str | None = None

    @property
    def is_aws(self) -> bool:
        return self.kind == "aws"

    def client_arguments(self) -> dict:
        """Return the keyword arguments for ``boto3.client`` or ``Session.create_client``."""
        arguments: dict = {"region_name": self.region}
        if self.endpoint_url is not None:
            arguments["endpoint_url"] = self.endpoint_url
        if self.access_key is not None:
            arguments["aws_access_key_id"] = self.access_key
            arguments["aws_secret_access_key"] = self.secret_key
        return arguments

    def with_endpoint(self, endpoint_url: str) -> Target:
        """Return this target with the URL of the server that the suite started."""
        return dataclasses.replace(self, endpoint_url=endpoint_url)


def new_queue_prefix() -> str:
    """Return a prefix unique to one run, e.g. ``sqslite-compat-3f9a1c2e-``."""
    return f"{QUEUE_PREFIX_START}{uuid.uuid4().hex[:8]}-"


def resolve_target(
    endpoint: str | None,
    aws: bool,
    environ: MutableMapping[str, str] | None = None,
    queue_prefix: str | None = None,
) -> Target:
    """Turn the ``--endpoint`` and ``--aws`` options into a target.

    For the local targets this writes ``DUMMY_ENVIRONMENT`` into ``environ``
    (``os.environ`` by default). For ``aws`` it reads the region from boto3's
    configuration chain and leaves ``environ`` unchanged. It sends no request.
    """
    if environ is None:
        environ = os.environ
    prefix = queue_prefix or new_queue_prefix()
    if aws and endpoint:
        raise TargetError("--aws and --endpoint exclude each other: pass one of them")
    if aws:
        region = boto3.session.Session().region_name
        if not region:
            raise TargetError(
                "--aws needs a region: set AWS_DEFAULT_REGION or the region of "
                "the AWS profile in use (aws configure set region REGION)"
            )
        return Target(kind="aws", endpoint_url=None, region=region, queue_prefix=prefix)

    environ.update(DUMMY_ENVIRONMENT)
    kind = "endpoint" if endpoint else "sqslite"
    return Target(
        kind=kind,
        endpoint_url=endpoint.rstrip("/") if endpoint else None,
        region=DUMMY_REGION,
        queue_prefix=prefix,
        access_key=DUMMY_ACCESS_KEY,
        secret_key=DUMMY_SECRET_KEY,
    )
