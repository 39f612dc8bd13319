"""Limits and defaults of Amazon SQS, with their sources.

"Model" is the SQS service model shipped in botocore 1.43. "Quotas" are the
SQS Developer Guide's quota pages for queues, messages and FIFO queues.
"Recorded" means a response recorded against AWS in a public emulator's
test suite.
"""

# Message size: 1 MiB since 2025-08-04 (AWS What's New, "Amazon SQS increases
# maximum message payload size to 1 MiB"); the model documents the same.
MAX_MESSAGE_SIZE = 1_048_576
MIN_MESSAGE_SIZE_SETTING = 1024
MAX_BATCH_PAYLOAD = 1_048_576

# Batches: at most 10 entries; entry ids 1-80 characters of [A-Za-z0-9_-] (model).
MAX_BATCH_ENTRIES = 10
MAX_BATCH_ENTRY_ID_LENGTH = 80

# Queue names: 1-80 characters of [A-Za-z0-9_-], FIFO names end in .fifo (model).
MAX_QUEUE_NAME_LENGTH = 80

# Message attributes: at most 10 per message, names at most 256 characters,
# data types at most 256 characters (quotas).
MAX_MESSAGE_ATTRIBUTES = 10
MAX_ATTRIBUTE_NAME_LENGTH = 256
MAX_DATA_TYPE_LENGTH = 256

# Timers, in seconds (model).
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200  # also the cap on one receive's total visibility
MAX_WAIT_TIME_SECONDS = 20
MAX_RECEIVE_MESSAGES = 10
MIN_RETENTION_PERIOD = 60
MAX_RETENTION_PERIOD = 1_209_600

# PurgeQueue and re-creating a deleted queue's name both wait 60 seconds (model).
PURGE_INTERVAL_SECONDS = 60
DELETED_NAME_REUSE_SECONDS = 60

# ListQueues and ListDeadLetterSourceQueues pages: 1-1000 (model).
MAX_LIST_RESULTS = 1000

# Receipt handles are at most 1024 characters (Developer Guide, queue and
# message identifiers).
MAX_RECEIPT_HANDLE_LENGTH = 1024

# Policies: at most 8,192 bytes (quotas); AddPermission takes at most 7
# actions (model), labels 1-80 characters of [A-Za-z0-9_-] (model).
MAX_POLICY_BYTES = 8192
MAX_PERMISSION_ACTIONS = 7

# Tags: keys 1-128 and values 0-256 characters; 50 per queue is the
# documented recommendation (quotas).
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
MAX_TAGS = 50

# Queue attribute defaults (model and recorded GetQueueAttributes of new queues).
DEFAULT_QUEUE_ATTRIBUTES = {
    "DelaySeconds": "0",
    "MaximumMessageSize": str(MAX_MESSAGE_SIZE),
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
DEFAULT_FIFO_ATTRIBUTES = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
DEFAULT_KMS_DATA_KEY_REUSE_PERIOD = "300"

# FIFO: a deduplication id and a ReceiveRequestAttemptId count for five
# minutes (model).
FIFO_DEDUP_WINDOW_SECONDS = 300
RECEIVE_ATTEMPT_WINDOW_SECONDS = 300

# In-flight messages per queue: about 120,000 for standard and FIFO queues
# (quotas). Over it, a short-polling receive on a standard queue gets
# OverLimit; long polls and FIFO receives just get fewer messages.
MAX_IN_FLIGHT = 120_000

# Fair queues: a message group is noisy while it has more than 10 % of the
# queue's messages in flight and at least 30 of them (Developer Guide, "How
# Amazon SQS fair queues work").
NOISY_GROUP_SHARE = 0.10
NOISY_GROUP_MIN_IN_FLIGHT = 30
