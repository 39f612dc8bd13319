"""The ``--report`` Markdown matrix: results per SQS operation and protocol.

Each test names the operations it checks with ``@pytest.mark.operation(...)``,
on the test or for a whole file in ``pytestmark``; the marker closest to the
test wins. The protocol is the test's ``protocol`` parameter. Tests without
one (raw HTTP tests) go in the ``raw`` column.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter, defaultdict

PROTOCOLS = ("json", "query", "raw")
OUTCOMES = ("passed", "failed", "skipped")
MAX_VALUE_CHARS = 120
MAX_NOTE_CHARS = 200


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


@dataclasses.dataclass
class Failure:
    nodeid: str
    operations: tuple[str, ...]
    protocol: str
    difference: str


class ResultTable:
    """Outcomes of the tests of one run, counted by operation and protocol."""

    def __init__(self):
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.failures: list[Failure] = []
        # The last failed comparison of each test, from pytest_assertrepr_compare.
        self.comparisons: dict[str, tuple[str, object, object]] = {}

    def record_comparison(self, nodeid: str, operator: str, left, right) -> None:
        self.comparisons[nodeid] = (operator, left, right)

    def add(self, nodeid, operations, protocol, outcome, crash_message=""):
        for operation in operations:
            self.counts[operation][(protocol, outcome)] += 1
        if outcome == "failed":
            self.failures.append(
                Failure(nodeid, tuple(operations), protocol, self._difference(nodeid, crash_message))
            )

    def _difference(self, nodeid: str, crash_message: str) -> str:
        comparison = self.comparisons.get(nodeid)
        if comparison is None:
            first_line = crash_message.strip().splitlines()[0] if crash_message.strip() else ""
            return f"`{shorten(first_line, MAX_NOTE_CHARS)}`"
        operator, left, right = comparison
        return f"left `{shorten(repr(left))}` {operator} right `{shorten(repr(right))}`"

    def render(self, title: str, details: list[str]) -> str:
        """Return the Markdown page: the matrix, then one line per failed test."""
        lines = [f"# {title}", ""]
        lines += [f"- {detail}" for detail in details]
        lines += ["", "Cells are passed / failed / skipped test runs.", ""]
        header = "| operation | " + " | ".join(PROTOCOLS) + " |"
        lines += [header, "| --- |" + " --- |" * len(PROTOCOLS)]
        for operation in sorted(self.counts):
            cells = []
            for protocol in PROTOCOLS:
                values = [self.counts[operation][(protocol, outcome)] for outcome in OUTCOMES]
                cells.append(" / ".join(map(str, values)) if any(values) else "")
            lines.append(f"| {operation} | " + " | ".join(cells) + " |")
        lines += ["", "A test marked with several operations counts in each of their rows.", ""]
        if self.failures:
            lines += ["## Failures", "", "| test | operations | difference |", "| --- | --- | --- |"]
            for failure in self.failures:
                operations = ", ".join(failure.operations)
                difference = failure.difference.replace("|", "\\|")
                lines.append(f"| `{failure.nodeid}` | {operations} | {difference} |")
        else:
            lines.append("No test failed.")
        return "\n".join(lines) + "\n"


def today() -> str:
    return datetime.date.today().isoformat()
