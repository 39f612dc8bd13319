"""AddPermission and RemovePermission, kept as statements of the Policy attribute.

Each label is one statement (its Sid) that allows the named accounts the
named actions, in the policy form SQS writes: Version 2008-10-17, actions
prefixed with ``SQS:``, and a single value written as a string rather
than a one-element list.
"""

from __future__ import annotations

import json
import re

from . import limits
from .base import RequestContext, ServiceBase
from .errors import SqsError, invalid_parameter, missing_parameter

LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")

# Actions AddPermission may grant. NOTE: the model does not list them; this
# is the set that SQS's console offers for queue-level permissions.
GRANTABLE_ACTIONS = frozenset(
    {
        "*",
        "ChangeMessageVisibility",
        "DeleteMessage",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ReceiveMessage",
        "SendMessage",
    }
)


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


class PermissionOperations(ServiceBase):
    def add_permission(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        label = self.required_string(params, "Label")
        accounts = self.string_list(params, "AWSAccountIds")
        actions = self.string_list(params, "Actions")
        if not accounts:
            raise missing_parameter("AWSAccountIds")
        if not actions:
            raise missing_parameter("Actions")
        if not LABEL.match(label):
            raise invalid_parameter(
                "Label",
                label,
                "Can only include alphanumeric characters, hyphens, or underscores. "
                "1 to 80 in length",
            )
        if len(actions) > limits.MAX_PERMISSION_ACTIONS:
            raise SqsError(
                "OverLimit",
                "OverLimit",
                f"{len(actions)} Actions were found, maximum allowed is "
                f"{limits.MAX_PERMISSION_ACTIONS}.",
                status=403,
            )
        for action in actions:
            if action not in GRANTABLE_ACTIONS:
                raise invalid_parameter(
                    "ActionName",
                    f"SQS:{action}",
                    "Only the queue owner is allowed to invoke this action.",
                )
        arn = self.queue_arn(queue)
        policy = self._load_policy(queue, arn)
        if any(statement.get("Sid") == label for statement in policy["Statement"]):
            raise invalid_parameter("Label", label, "Already exists.")
        policy["Statement"].append(
            {
                "Sid": label,
                "Effect": "Allow",
                "Principal": {
                    "AWS": _one_or_list([f"arn:aws:iam::{account}:root" for account in accounts])
                },
                "Action": _one_or_list([f"SQS:{action}" for action in actions]),
                "Resource": arn,
            }
        )
        self._save_policy(queue, policy)
        return {}

    def remove_permission(self, params: dict, context: RequestContext) -> dict:
        queue = self.find_queue(params, context)
        label = self.required_string(params, "Label")
        policy = self._load_policy(queue, self.queue_arn(queue))
        remaining = [item for item in policy["Statement"] if item.get("Sid") != label]
        if len(remaining) == len(policy["Statement"]):
            raise invalid_parameter("Label", label, "can't find label.")
        policy["Statement"] = remaining
        self._save_policy(queue, policy if remaining else None)
        return {}

    @staticmethod
    def _load_policy(queue, arn: str) -> dict:
        text = queue.attributes.get("Policy")
        policy = None
        if text:
            try:
                policy = json.loads(text)
            except ValueError:
                policy = None
        if not isinstance(policy, dict):
            policy = {"Version": "2008-10-17", "Id": f"{arn}/SQSDefaultPolicy", "Statement": []}
        statements = policy.get("Statement")
        if isinstance(statements, dict):
            policy["Statement"] = [statements]
        elif not isinstance(statements, list):
            policy["Statement"] = []
        return policy

    def _save_policy(self, queue, policy: dict | None) -> None:
        attributes = dict(queue.attributes)
        if policy is None:
            attributes.pop("Policy", None)
        else:
            attributes["Policy"] = json.dumps(policy, separators=(",", ":"))
        self.store.update_queue_attributes(queue, attributes, self.clock.now_ms())
