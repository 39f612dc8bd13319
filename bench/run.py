"""Run the bench: start each target, run every scenario against it, print one table.

python -m bench [--quick] [--scenarios a,b] [--targets sqslite,moto,ceiling]
                [--endpoint URL] [--deep-messages N] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
import uuid
from dataclasses import asdict, replace
from importlib.metadata import PackageNotFoundError, version

import uvloop

from .boto import scenario_boto3
from .results import ScenarioResult, format_table
from .scenarios import SCENARIOS, Limits, Run
from .targets import AWS_ENVIRONMENT, REPOSITORY, Target, external_target, start_target

ALL_SCENARIOS = [*SCENARIOS, "boto3", "startup"]
ALL_TARGETS = ["sqslite", "moto", "ceiling"]
# The ceiling app returns a fixed SendMessage response to every request,
# so only these scenarios measure something real against it.
CEILING_SCENARIOS = {"send", "startup"}

FULL = Limits(
    seconds=10.0,
    send_messages=100_000,
    batch_messages=300_000,
    receive_messages=50_000,
    pipeline_messages=30_000,
    long_poll_rounds=300,
    queues=1000,
    queue_messages=10_000,
    list_rounds=20,
    fifo_messages=10_000,
    deep_small=1000,
    deep_large=100_000,
    deep_rounds=300,
    boto_messages=5000,
    start_rounds=3,
    idle_wait=2.0,
    min_fill_rate=1000,
)
# In the full run recorded in RESULTS.md, moto 5.2 handled about 60
# SendMessage requests per second and returned about 10 messages per second
# from a 500-message queue. Its counts are smaller so that a full run stays
# within about ten minutes. It filled queues at about 50 messages per
# second, so its deep-queue scenario stops at 1,000 messages.
MOTO = replace(
    FULL,
    seconds=5.0,
    send_messages=5000,
    batch_messages=20_000,
    receive_messages=500,
    pipeline_messages=2000,
    long_poll_rounds=30,
    queue_messages=1000,
    list_rounds=5,
    fifo_messages=300,
    deep_large=0,
    deep_rounds=30,
    boto_messages=1000,
    min_fill_rate=20,
)
QUICK = Limits(
    seconds=0.5,
    send_messages=300,
    batch_messages=1000,
    receive_messages=500,
    pipeline_messages=200,
    long_poll_rounds=3,
    queues=20,
    queue_messages=100,
    list_rounds=2,
    fifo_messages=100,
    deep_small=100,
    deep_large=1000,
    deep_rounds=5,
    boto_messages=50,
    start_rounds=1,
    idle_wait=0.2,
    min_fill_rate=20,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Measure sqslite against moto and a fixed-response app."
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny counts and 0.5 s phases, for a smoke test of the bench itself",
    )
    parser.add_argument(
        "--scenarios",
        default=",".join(ALL_SCENARIOS),
        help=f"comma-separated scenarios to run (default: all: {','.join(ALL_SCENARIOS)})",
    )
    parser.add_argument(
        "--targets",
        default=",".join(ALL_TARGETS),
        help="comma-separated servers to start and measure (default: sqslite,moto,ceiling)",
    )
    parser.add_argument(
        "--endpoint",
        action="append",
        default=[],
        metavar="URL",
        help="also measure an SQS endpoint that is already running on 127.0.0.1; repeatable",
    )
    parser.add_argument(
        "--deep-messages",
        type=int,
        default=None,
        metavar="N",
        help="messages stored in the large deep-queue case for sqslite and endpoints "
        f"(default: {FULL.deep_large:,}; 1000000 takes minutes to fill)",
    )
    parser.add_argument(
        "--sqslite-source",
        default=REPOSITORY,
        metavar="DIR",
        help="directory that contains the sqslite package to measure, for example an export "
        "of one commit (default: this repository's working tree)",
    )
    parser.add_argument("--json", metavar="PATH", help="also write every result to this JSON file")
    return parser


def parse_list(value: str, allowed: list[str], option: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise SystemExit(
            f"invalid {option} {','.join(unknown)}: expected some of {','.join(allowed)}"
        )
    return names


def limits_for(target: Target, args: argparse.Namespace) -> Limits:
    if args.quick:
        return QUICK
    if target.kind == "moto":
        return MOTO
    if args.deep_messages:
        return replace(FULL, deep_large=args.deep_messages)
    return FULL


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def describe_source(source: str) -> str:
    """Return the git commit of the measured sqslite, and whether sqslite/ had uncommitted changes."""
    if os.path.abspath(source) != REPOSITORY:
        return f"sqslite source: {source}"
    repository = REPOSITORY
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "sqslite"],
            cwd=repository,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "sqslite source: not a git checkout"
    state = "with uncommitted changes in sqslite/" if changes else "clean"
    return f"sqslite source: commit {commit}, {state}"


def cpu_pressure() -> str:
    """Return the kernel's CPU pressure line: the share of time that runnable tasks waited for a CPU."""
    try:
        with open("/proc/pressure/cpu") as pressure:
            return pressure.readline().strip()
    except OSError:
        return "not available"


def describe_machine(source: str) -> list[str]:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    versions = ", ".join(
        f"{name} {package_version(name)}"
        for name in ("uvicorn", "starlette", "httptools", "uvloop", "moto", "boto3")
    )
    return [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {os.cpu_count()} CPUs, {model}, {total_kib / 1024 / 1024:.1f} GiB memory",
        f"python: {platform.python_version()}; {versions}",
        describe_source(source),
        f"load average (1, 5, 15 min): {' '.join(f'{value:.2f}' for value in os.getloadavg())}",
        f"CPU pressure (/proc/pressure/cpu): {cpu_pressure()}",
    ]


async def run_async_scenario(
    name: str, target: Target, limits: Limits, run_id: str
) -> ScenarioResult:
    run = Run(target, limits, run_id)
    try:
        return await SCENARIOS[name](run)
    finally:
        await run.delete_queues()


def run_startup(target: Target, limits: Limits, source: str) -> ScenarioResult:
    """Start fresh copies of the target; record time to the first 200 and RSS when idle."""
    result = ScenarioResult("startup", target.name)
    start_seconds = []
    idle_rss = []
    for _ in range(limits.start_rounds):
        fresh = start_target(target.kind, source)
        try:
            start_seconds.append(fresh.started_in)
            time.sleep(limits.idle_wait)
            idle_rss.append(fresh.memory_kib()["VmRSS"] / 1024)
        finally:
            fresh.stop()
    result.value("start to first 200 (median)", statistics.median(start_seconds), "s", False)
    result.value("idle RSS (median)", statistics.median(idle_rss), "MiB", False)
    result.notes.append(
        f"{len(start_seconds)} starts: " + ", ".join(f"{value:.2f} s" for value in start_seconds)
    )
    return result


def run_scenario(
    name: str, target: Target, args, runner: asyncio.Runner, run_id: str
) -> ScenarioResult:
    limits = limits_for(target, args)
    try:
        if name == "startup":
            return run_startup(target, limits, args.sqslite_source)
        if name == "boto3":
            return scenario_boto3(target, limits, run_id)
        return runner.run(run_async_scenario(name, target, limits, run_id))
    except Exception as error:  # noqa: BLE001 - one broken scenario must not stop the others
        result = ScenarioResult(name, target.name)
        result.failures.append(f"scenario raised {type(error).__name__}: {error}")
        traceback.print_exc(file=sys.stderr)
        return result


def applies(name: str, target: Target) -> bool:
    if target.kind == "ceiling":
        return name in CEILING_SCENARIOS
    if target.kind == "endpoint":
        return name != "startup"
    return True


def memory_after_run(targets: list[Target]) -> list[ScenarioResult]:
    results = []
    for target in targets:
        memory = target.memory_kib()
        if not memory:
            continue
        result = ScenarioResult("memory after run", target.name)
        result.value("RSS", memory["VmRSS"] / 1024, "MiB", False)
        result.value("peak RSS (VmHWM)", memory["VmHWM"] / 1024, "MiB", False)
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    scenarios = parse_list(args.scenarios, ALL_SCENARIOS, "--scenarios")
    kinds = parse_list(args.targets, ALL_TARGETS, "--targets") if args.targets else []
    os.environ.update(AWS_ENVIRONMENT)
    run_id = uuid.uuid4().hex[:8]
    environment = describe_machine(args.sqslite_source)
    print("\n".join(environment), flush=True)

    targets: list[Target] = []
    results: list[ScenarioResult] = []
    started = time.perf_counter()
    try:
        for kind in kinds:
            target = start_target(kind, args.sqslite_source)
            print(
                f"started {kind} at {target.endpoint} (pid {target.pid}) in {target.started_in:.2f} s",
                flush=True,
            )
            targets.append(target)
        for index, endpoint in enumerate(args.endpoint, start=1):
            targets.append(external_target(endpoint, index))
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            for name in scenarios:
                for target in targets:
                    if not applies(name, target):
                        continue
                    began = time.perf_counter()
                    result = run_scenario(name, target, args, runner, run_id)
                    status = (
                        "ok" if not result.failures else f"{len(result.failures)} failed checks"
                    )
                    print(
                        f"{name} on {target.name}: {status} ({time.perf_counter() - began:.1f} s)",
                        flush=True,
                    )
                    results.append(result)
        results.extend(memory_after_run(targets))
    finally:
        for target in targets:
            target.stop()

    names = [target.name for target in targets]
    print()
    print(format_table(results, names))
    print()
    print(f"load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"CPU pressure after the run: {cpu_pressure()}")
    print(f"total time: {time.perf_counter() - started:.0f} s")
    for result in results:
        for note in result.notes:
            print(f"note: {result.scenario} on {result.target}: {note}")
    failures = [(result, failure) for result in results for failure in result.failures]
    for result, failure in failures:
        print(f"FAILED: {result.scenario} on {result.target}: {failure}")
    if args.json:
        with open(args.json, "w") as output:
            json.dump(
                {"environment": environment, "results": [asdict(result) for result in results]},
                output,
                indent=1,
            )
    return 1 if failures else 0
