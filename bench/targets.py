"""Start, probe and stop the servers that the bench measures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
PROBE_INTERVAL = 0.005

# boto3 and the servers read these; every request goes to an explicit
# endpoint_url on 127.0.0.1, so no real AWS account is involved.
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}

LIST_QUEUES_REQUEST = (
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\n"
    b"Authorization: AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    b"SignedHeaders=content-type;host;x-amz-target, Signature=0\r\nContent-Length: 2\r\n"
    b"Connection: close\r\n\r\n{}"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def probe(port: int, timeout: float = 1.0) -> int | None:
    """Send one ListQueues request; return the HTTP status, or None without a response."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(LIST_QUEUES_REQUEST)
            head = sock.recv(64)
    except OSError:
        return None
    parts = head.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    return int(parts[1])


def read_memory_kib(pid: int) -> dict[str, int]:
    """Return VmRSS and VmHWM (peak RSS) of a process in KiB, from /proc/<pid>/status."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


@dataclass
class Target:
    """An SQS endpoint under test, and the process behind it if the bench started it."""

    name: str
    kind: str  # "sqslite", "moto", "ceiling" or "endpoint"
    endpoint: str
    process: subprocess.Popen | None = None
    started_in: float | None = None
    log_path: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_sqs(self) -> bool:
        """Whether the target runs SQS, so that every scenario applies to it."""
        return self.kind != "ceiling"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def memory_kib(self) -> dict[str, int]:
        return read_memory_kib(self.process.pid) if self.process is not None else {}

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def log_tail(self, lines: int = 20) -> str:
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])


def server_command(kind: str, port: int) -> list[str]:
    if kind == "sqslite":
        return [
            sys.executable,
            "-m",
            "sqslite",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    if kind == "moto":
        # Run the moto_server entry point through this interpreter, so the
        # moto that is measured is the one installed next to the bench.
        code = "import sys; from moto.server import main; sys.exit(main())"
        return [sys.executable, "-c", code, "-H", "127.0.0.1", "-p", str(port)]
    if kind == "ceiling":
        return [sys.executable, "-m", "bench.ceiling", "--port", str(port)]
    raise ValueError(f"unknown target kind {kind!r}: expected sqslite, moto or ceiling")


REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_target(kind: str, source: str = REPOSITORY) -> Target:
    """Start a server on a free 127.0.0.1 port and wait for its first 200 response.

    source is the directory that contains the sqslite package to run; it
    goes first on PYTHONPATH, ahead of the editable install. started_in is
    the time from process start to that response, in seconds. Raises
    RuntimeError with the server's log if it exits or does not respond
    within START_TIMEOUT seconds.
    """
    port = free_port()
    environment = {**os.environ, **AWS_ENVIRONMENT, "PYTHONUNBUFFERED": "1"}
    # The bench package itself (for the ceiling app) is imported from REPOSITORY.
    environment["PYTHONPATH"] = os.pathsep.join(
        dict.fromkeys(filter(None, [source, REPOSITORY, environment.get("PYTHONPATH")]))
    )
    with tempfile.NamedTemporaryFile(prefix=f"bench-{kind}-", suffix=".log", delete=False) as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            server_command(kind, port),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
        )
    target = Target(
        name=kind,
        kind=kind,
        endpoint=f"http://127.0.0.1:{port}",
        process=process,
        log_path=log.name,
    )
    deadline = started + START_TIMEOUT
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{kind} exited with status {process.returncode} at start; log:\n"
                + target.log_tail()
            )
        if probe(port) == 200:
            target.started_in = time.perf_counter() - started
            return target
        time.sleep(PROBE_INTERVAL)
    target.stop()
    raise RuntimeError(
        f"{kind} did not respond on port {port} within {START_TIMEOUT} s; log:\n"
        + target.log_tail()
    )


def stop_process(process: subprocess.Popen | None) -> None:
    """Stop one child process by its pid: SIGTERM, then SIGKILL after STOP_TIMEOUT."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def external_target(endpoint: str, index: int) -> Target:
    """Describe an endpoint that runs outside the bench; raise RuntimeError if it does not respond."""
    if probe_endpoint(endpoint) is None:
        raise RuntimeError(
            f"endpoint {endpoint} did not respond to ListQueues; check that it is running"
        )
    return Target(name=f"endpoint{index}", kind="endpoint", endpoint=endpoint.rstrip("/"))


def probe_endpoint(endpoint: str) -> int | None:
    """Send ListQueues to a loopback endpoint; return the HTTP status, or None without a response."""
    parts = urlsplit(endpoint)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"invalid --endpoint {endpoint!r}: expected http://host:port")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(
            f"invalid --endpoint {endpoint!r}: the bench sends load only to the loopback address"
        )
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=2) as sock:
            sock.sendall(LIST_QUEUES_REQUEST)
            head = sock.recv(64)
    except OSError:
        return None
    status = head.split(b" ", 2)[1] if head.startswith(b"HTTP/") else b""
    return int(status) if status.isdigit() else None
