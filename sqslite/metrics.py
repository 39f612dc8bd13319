"""Request counters and latency histograms, written out in the Prometheus text format.

The endpoint records every SQS request with ``RequestMetrics.observe``, which
only increments integers in dicts that already exist after the first request
of an operation, so the hot path allocates nothing but its dict key.
Queue gauges are computed when ``/metrics`` is scraped.
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

# Label of requests whose operation could not be decoded.
UNKNOWN_OPERATION = "unknown"

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class LatencyHistogram:
    """Counts of observations per bucket (not cumulative) and their sum in seconds."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0


class RequestMetrics:
    """Requests by (operation, HTTP status) and latency histograms by operation."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.latency: dict[str, LatencyHistogram] = {}

    def observe(self, operation: str | None, status: int, seconds: float) -> None:
        if operation is None:
            operation = UNKNOWN_OPERATION
        key = (operation, status)
        requests = self.requests
        requests[key] = requests.get(key, 0) + 1
        histogram = self.latency.get(operation)
        if histogram is None:
            histogram = self.latency[operation] = LatencyHistogram()
        histogram.counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        histogram.total += seconds


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
    yield "# HELP sqslite_requests_total SQS API requests by operation and outcome."
    yield "# TYPE sqslite_requests_total counter"
    by_outcome: dict[tuple[str, str], int] = {}
    for (operation, status), count in metrics.requests.items():
        key = (operation, outcome(status))
        by_outcome[key] = by_outcome.get(key, 0) + count
    for (operation, result), count in sorted(by_outcome.items()):
        yield (
            f'sqslite_requests_total{{operation="{escape_label(operation)}",'
            f'outcome="{result}"}} {count}'
        )

    yield "# HELP sqslite_request_duration_seconds Time from request body read to response."
    yield "# TYPE sqslite_request_duration_seconds histogram"
    for operation, histogram in sorted(metrics.latency.items()):
        label = f'operation="{escape_label(operation)}"'
        cumulative = 0
        for bound, count in zip((*LATENCY_BUCKETS, None), histogram.counts, strict=True):
            cumulative += count
            le = "+Inf" if bound is None else repr(bound)
            yield f'sqslite_request_duration_seconds_bucket{{{label},le="{le}"}} {cumulative}'
        yield f"sqslite_request_duration_seconds_sum{{{label}}} {repr(histogram.total)}"
        yield f"sqslite_request_duration_seconds_count{{{label}}} {cumulative}"


def render_gauge(name: str, help_text: str, samples: Iterable[tuple[dict[str, str], float]]) -> Iterable[str]:
    yield f"# HELP {name} {help_text}"
    yield f"# TYPE {name} gauge"
    for labels, value in samples:
        rendered = ",".join(f'{key}="{escape_label(item)}"' for key, item in labels.items())
        yield f"{name}{{{rendered}}} {format_value(value)}" if rendered else f"{name} {format_value(value)}"
