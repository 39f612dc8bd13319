"""The AWS SDK for JavaScript v3 against sqslite: it checks every MD5 digest.

botocore does not check SQS digests, so the Python tests alone would pass
with wrong ones. The JavaScript SDK compares MD5OfMessageBody,
MD5OfMessageAttributes and the received messages' digests with its own
and throws on a mismatch. A proxy that corrupts the digests shows that it
does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from .serving import ServerProcess

JS_DIR = Path(__file__).parent / "js"
SCRIPT = JS_DIR / "round_trip.mjs"
NODE_TIMEOUT = 60
DIGEST = re.compile(r'("MD5Of\w+":\s*")[0-9a-f]{32}(")')


@pytest.fixture(scope="module")
def node() -> str:
    """Return the node executable, installing the SDK from package-lock.json if needed."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the JavaScript SDK tests")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-sqs").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True, timeout=300
        )
    return node


@pytest.fixture(scope="module")
def server():
    running = ServerProcess("--log-level", "warning")
    yield running
    running.stop()


def run_script(node: str, endpoint: str, queue_name: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [node, str(SCRIPT), endpoint, queue_name],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        env={**os.environ, "NODE_NO_WARNINGS": "1"},
    )


def test_sdk_accepts_every_digest(node, server):
    result = run_script(node, server.url, "js-digests")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["batchSuccessful"] == 2
    bodies = {message["body"]: message["attributes"] for message in output["received"]}
    assert bodies["body with ünïcödé and \r\n line ends 🎉"] == ["Count", "Json", "Picture", "Text"]
    assert bodies["first"] == ["Count", "Json", "Picture", "Text"]
    assert bodies["second"] == []


class CorruptingProxy(BaseHTTPRequestHandler):
    """Forward requests to sqslite and zero every MD5 digest in the responses."""

    upstream = ""

    def do_POST(self) -> None:  # noqa: N802 (http.server's method name)
        length = int(self.headers.get("Content-Length", 0))
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in ("host", "content-length", "connection")
        }
        reply = httpx.post(
            self.upstream + self.path,
            content=self.rfile.read(length),
            headers=headers,
            timeout=30,
        )
        body = DIGEST.sub(lambda match: match.group(1) + "0" * 32 + match.group(2), reply.text)
        payload = body.encode("utf-8")
        self.send_response(reply.status_code)
        for name in ("content-type", "x-amzn-requestid", "x-amzn-query-error"):
            if name in reply.headers:
                self.send_header(name, reply.headers[name])
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass


def test_sdk_rejects_wrong_digest(node, server):
    CorruptingProxy.upstream = server.url
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), CorruptingProxy)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{proxy.server_address[1]}"
        result = run_script(node, endpoint, "js-corrupted")
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert result.returncode == 1
    assert "md5" in result.stderr.lower() or "checksum" in result.stderr.lower(), result.stderr
