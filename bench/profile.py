"""Profile sqslite with py-spy while one bench scenario runs, and list the top functions.

    python -m bench.profile --scenario send [--sqslite-source DIR] [--rate 250]

py-spy (pip install py-spy) samples the server process from outside, so
the server runs unchanged. The bench's client runs in this process and is
not sampled. Idle samples are left out, so the percentages are shares of
the time the server was busy. The profile covers the whole scenario,
including any queue fill before the measured phase and the DeleteQueue
calls after it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import shutil
import signal
import subprocess
import sys
import tempfile

import uvloop

from .run import FULL, run_async_scenario
from .scenarios import SCENARIOS
from .targets import AWS_ENVIRONMENT, REPOSITORY, start_target, stop_process

TOP = 20


def summarize(raw_path: str, top: int = TOP, keep_line: bool = False) -> str:
    """Return tables of the functions with the most own and most total samples.

    raw_path contains py-spy's raw output: one line per distinct stack, frames
    from outermost to innermost separated by ";", then a space and the
    number of samples.
    """
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    with open(raw_path) as raw:
        for line in raw:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = [shorten(frame, keep_line) for frame in stack.split(";")]
            samples += count
            own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
    if samples == 0:
        return "no samples: the server was idle or py-spy could not read it"
    lines = [f"{samples} samples while the server was busy", "", "own time:"]
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in own.most_common(top)]
    lines += ["", "total time, including callees:"]
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in total.most_common(top)]
    return "\n".join(lines)


def shorten(frame: str, keep_line: bool = False) -> str:
    """Turn "name (/long/path/pkg/module.py:12)" into "name (pkg/module.py)".

    With keep_line the line number stays, which splits a function's
    samples by line: a socket write then shows up as the line that calls it.
    """
    name, _, location = frame.partition(" (")
    path = location.rstrip(")")
    if not keep_line:
        path = path.rsplit(":", 1)[0]
    parts = path.split("/")
    return f"{name} ({'/'.join(parts[-2:])})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--scenario", required=True, choices=list(SCENARIOS), help="scenario to run"
    )
    parser.add_argument(
        "--sqslite-source", default=REPOSITORY, metavar="DIR", help="sqslite package directory"
    )
    parser.add_argument(
        "--rate", type=int, default=250, help="py-spy samples per second (default: 250)"
    )
    parser.add_argument(
        "--lines", action="store_true", help="count samples per source line, not per function"
    )
    parser.add_argument("--top", type=int, default=TOP, help=f"functions to list (default: {TOP})")
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        print("py-spy not found: install it with pip install py-spy", file=sys.stderr)
        return 2
    os.environ.update(AWS_ENVIRONMENT)

    target = start_target("sqslite", args.sqslite_source)
    with tempfile.NamedTemporaryFile(
        prefix=f"bench-profile-{args.scenario}-", suffix=".txt", delete=False
    ) as raw_file:
        raw_path = raw_file.name
    recorder = None
    try:
        recorder = subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(target.pid),
                "--format",
                "raw",
                "--rate",
                str(args.rate),
                "--output",
                raw_path,
                "--nonblocking",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            result = runner.run(run_async_scenario(args.scenario, target, FULL, "profile"))
    finally:
        if recorder is not None:
            # py-spy writes its output when it gets SIGINT, as on Ctrl-C.
            recorder.send_signal(signal.SIGINT)
            try:
                recorder.wait(timeout=60)
            except subprocess.TimeoutExpired:
                stop_process(recorder)
        target.stop()
    for metric in result.metrics:
        print(f"{metric.name}: {metric.value:,.3f} {metric.unit}")
    for failure in result.failures:
        print(f"FAILED: {failure}")
    if os.path.getsize(raw_path) == 0:
        print(f"py-spy wrote no profile: {recorder.stderr.read()}", file=sys.stderr)
        return 1
    print()
    print(summarize(raw_path, args.top, args.lines))
    print(f"\nraw stacks: {raw_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
