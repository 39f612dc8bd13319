"""Run the benchmark suite in its quick mode against sqslite; never checks speed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def test_bench_quick_prints_table():
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--targets", "sqslite"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "| scenario | metric | sqslite |" in completed.stdout, output
    for scenario in ("| send |", "| receive-delete |", "| long-poll |", "| startup |"):
        assert scenario in completed.stdout, output
    assert "FAILED" not in completed.stdout, output
