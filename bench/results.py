"""Measured values, percentiles and the comparison table."""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile, for example fraction 0.99 for p99; NaN if empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Metric:
    name: str
    value: float
    unit: str
    higher_is_better: bool


@dataclass
class ScenarioResult:
    """The metrics of one scenario against one target, and the correctness checks that failed."""

    scenario: str
    target: str
    metrics: list[Metric] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def rate(self, name: str, count: int, seconds: float) -> None:
        value = count / seconds if seconds > 0 else math.nan
        self.metrics.append(Metric(name, value, "/s", True))

    def latency(self, name: str, seconds: list[float]) -> None:
        """Add p50 and p99 of latencies given in seconds, shown in milliseconds."""
        self.metrics.append(Metric(f"{name} p50", percentile(seconds, 0.5) * 1000, "ms", False))
        self.metrics.append(Metric(f"{name} p99", percentile(seconds, 0.99) * 1000, "ms", False))

    def value(self, name: str, value: float, unit: str, higher_is_better: bool) -> None:
        self.metrics.append(Metric(name, value, unit, higher_is_better))

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


class CpuMeter:
    """CPU time of this process and of a server process over one phase, as a share of a core."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self._wall = time.perf_counter()
        self._client = time.process_time()
        self._server = _process_cpu_seconds(server_pid)

    def shares(self) -> tuple[float, float | None]:
        wall = time.perf_counter() - self._wall
        client = (time.process_time() - self._client) / wall
        server = None
        if self._server is not None:
            server = (_process_cpu_seconds(self.server_pid) - self._server) / wall
        return client, server

    def record(self, result: ScenarioResult, prefix: str = "") -> None:
        client, server = self.shares()
        result.value(f"{prefix}client CPU", client * 100, "% core", False)
        if server is not None:
            result.value(f"{prefix}server CPU", server * 100, "% core", False)


def _process_cpu_seconds(pid: int | None) -> float | None:
    """Return user plus system CPU seconds of a process from /proc/<pid>/stat."""
    if pid is None:
        return None
    with open(f"/proc/{pid}/stat") as stat:
        # The command name in field 2 may contain spaces, so split after its ")".
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def format_number(value: float, unit: str) -> str:
    if value is None or math.isnan(value):
        return "-"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "ms":
        return f"{value:.3f} ms" if value < 10 else f"{value:,.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if unit == "% core":
        return f"{value:.0f} %"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:g} {unit}"


def advantage(mine: Metric, other: Metric) -> str:
    """Return how many times better sqslite's value is; above 1 means sqslite is better."""
    if math.isnan(mine.value) or math.isnan(other.value) or mine.unit in ("% core", "count"):
        return ""
    if mine.value == 0 or other.value == 0:
        return ""
    ratio = mine.value / other.value if mine.higher_is_better else other.value / mine.value
    return f"{ratio:.2f}"


def format_table(results: list[ScenarioResult], targets: list[str]) -> str:
    """Render a Markdown table: one row per metric, one column per target, then ratios."""
    by_key = {(result.scenario, result.target): result for result in results}
    scenarios = list(dict.fromkeys(result.scenario for result in results))
    ratio_targets = [name for name in targets if name != "sqslite"] if "sqslite" in targets else []
    header = ["scenario", "metric", *targets, *[f"sqslite vs {name}" for name in ratio_targets]]
    rows = [header, ["---"] * len(header)]
    for scenario in scenarios:
        names: list[str] = []
        for target in targets:
            result = by_key.get((scenario, target))
            if result is not None:
                names.extend(metric.name for metric in result.metrics)
        for name in dict.fromkeys(names):
            row = [scenario, name]
            found: dict[str, Metric] = {}
            for target in targets:
                result = by_key.get((scenario, target))
                metric = None
                if result is not None:
                    metric = next((m for m in result.metrics if m.name == name), None)
                if metric is not None:
                    found[target] = metric
                row.append(format_number(metric.value, metric.unit) if metric else "")
            for other in ratio_targets:
                if "sqslite" in found and other in found:
                    row.append(advantage(found["sqslite"], found[other]))
                else:
                    row.append("")
            rows.append(row)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
