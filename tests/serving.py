"""Start `sqslite serve` as a separate process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import boto3
import httpx

START_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A `python -m sqslite serve` child process on a free loopback port."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "sqslite", "serve", "--port", str(self.port), *args]
        # The user's SQSLITE_* settings (a --db path, say) must not reach test servers.
        env = {name: value for name, value in os.environ.items() if not name.startswith("SQSLITE_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sqslite exited at start:\n{self.process.stdout.read()}")
            try:
                if httpx.get(f"{self.url}/_sqslite/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"sqslite did not answer within {START_TIMEOUT} s")

    def advance_clock(self, seconds: float) -> None:
        httpx.post(f"{self.url}/_sqslite/clock", json={"advance": seconds}).raise_for_status()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> tuple[int, str]:
        """Send sig and return (exit status, everything the server logged)."""
        self.process.send_signal(sig)
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return self.process.returncode, output


def sqs_client(url: str, access_key: str = "test"):
    """Return a boto3 SQS client for a local server, with dummy credentials."""
    return boto3.client(
        "sqs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key="test",
    )
