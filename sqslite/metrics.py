"""Request counters and latency histograms, written out in the Prometheus text format.

The endpoint records every SQS request with ``RequestMetrics.observe``. After
the first request of an operation it only increments counters that already
exist. Queue gauges are computed when ``/metrics`` is scraped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

# Upper bounds of the latency buckets, in seconds. Long polls wait up to 20 s.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    20.0,
)

# Operation label of requests that failed before their operation was decoded.
UNKNOWN_OPERATION = "unknown"

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class OperationMetrics:
    """Requests of one operation: counts by HTTP status and a latency histogram.

    ``buckets`` contains the observations per bucket (not cumulative), the last
    one for +Inf, and ``seconds`` their sum.
    """

    __slots__ = ("statuses", "buckets", "seconds")

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.seconds = 0.0


class RequestMetrics:
    """Request counts and latencies by operation, None for requests that failed to decode.

    Counting by operation and then status keeps the hot path at one dict
    lookup by a string whose hash Python caches. The outcome label is
    derived from the status when the metrics are written out.
    """

    def __init__(self) -> None:
        self.operations: dict[str | None, OperationMetrics] = {}

    def observe(self, operation: str | None, status: int, seconds: float) -> None:
        entry = self.operations.get(operation)
        if entry is None:
            entry = self.operations[operation] = OperationMetrics()
        statuses = entry.statuses
        statuses[status] = statuses.get(status, 0) + 1
        entry.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        entry.seconds += seconds


def outcome(status: int) -> str:
    if status < 400:
        return "success"
    if status < 500:
        return "client_error"
    return "server_error"


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def format_value(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def render_requests(metrics: RequestMetrics) -> Iterable[str]:
    operations = sorted(
        (operation or UNKNOWN_OPERATION, entry) for operation, entry in metrics.operations.items()
    )
    yield "# HELP sqslite_requests_total SQS API requests by operation and outcome."
    yield "# TYPE sqslite_requests_total counter"
    for operation, entry in operations:
        by_outcome: dict[str, int] = {}
        for status, count in entry.statuses.items():
            result = outcome(status)
            by_outcome[result] = by_outcome.get(result, 0) + count
        for result, count in sorted(by_outcome.items()):
            yield (
                f'sqslite_requests_total{{operation="{escape_label(operation)}",'
                f'outcome="{result}"}} {count}'
            )

    yield (
        "# HELP sqslite_request_duration_seconds "
        "Time from a request's full body to its encoded response."
    )
    yield "# TYPE sqslite_request_duration_seconds histogram"
    for operation, entry in operations:
        label = f'operation="{escape_label(operation)}"'
        cumulative = 0
        for bound, count in zip((*LATENCY_BUCKETS, None), entry.buckets, strict=True):
            cumulative += count
            le = "+Inf" if bound is None else repr(bound)
            yield f'sqslite_request_duration_seconds_bucket{{{label},le="{le}"}} {cumulative}'
        yield f"sqslite_request_duration_seconds_sum{{{label}}} {entry.seconds!r}"
        yield f"sqslite_request_duration_seconds_count{{{label}}} {cumulative}"


def render_gauge(
    name: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]
) -> Iterable[str]:
    yield f"# HELP {name} {help_text}"
    yield f"# TYPE {name} gauge"
    for labels, value in samples:
        rendered = ",".join(f'{key}="{escape_label(item)}"' for key, item in labels.items())
        if rendered:
            yield f"{name}{{{rendered}}} {format_value(value)}"
        else:
            yield f"{name} {format_value(value)}"
