"""The ``sqslite`` command."""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import signal
import sys

import uvicorn

from . import __version__
from .app import Settings, create_app

logger = logging.getLogger("sqslite")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sqslite", description="A local Amazon SQS emulator.")
    parser.add_argument("--version", action="version", version=f"sqslite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the SQS endpoint")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=9324, help="TCP port to listen on (default: 9324)")
    serve.add_argument(
        "--db",
        metavar="PATH",
        help="SQLite database file that keeps queues and messages across restarts "
        "(default: in memory, lost on exit)",
    )
    serve.add_argument(
        "--base-url",
        help="fixed scheme://host:port for queue URLs (default: taken from each request's "
        "Host header)",
    )
    serve.add_argument("--region", default="us-east-1", help="region in queue ARNs (default: us-east-1)")
    serve.add_argument(
        "--account-id",
        default="000000000000",
        help="account of callers whose access key id is not 12 digits (default: 000000000000)",
    )
    serve.add_argument(
        "--synchronous",
        choices=["NORMAL", "FULL"],
        default="NORMAL",
        help="SQLite synchronous mode for --db: NORMAL survives a process crash, FULL also "
        "a power loss (default: NORMAL)",
    )
    serve.add_argument(
        "--max-request-bytes",
        type=int,
        default=10 * 1024 * 1024,
        help="largest request body accepted, in bytes; larger ones get HTTP 413 before they are "
        "read whole (default: 10485760, room for a 1 MiB message in any encoding)",
    )
    serve.add_argument(
        "--max-long-polls",
        type=int,
        default=1000,
        help="long polls that may wait at once; one more gets a RequestThrottled error "
        "(default: 1000)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        help="open connections and requests served at once; beyond it uvicorn answers 503 "
        "(default: 1000)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=float,
        default=5.0,
        help="seconds an idle keep-alive connection stays open (default: 5)",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=30.0,
        help="seconds a client has to send a request body before it gets HTTP 408 (default: 30)",
    )
    serve.add_argument(
        "--test-clock",
        action="store_true",
        help="let POST /_sqslite/clock move the service clock forward, for tests",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level (default: info)",
    )
    return parser


class _Server(uvicorn.Server):
    """uvicorn's server, which also ends open long polls when a stop signal arrives.

    uvicorn waits for open requests before it stops, and a long poll can
    stay open for 20 seconds.
    """

    def __init__(self, config: uvicorn.Config, on_exit) -> None:
        super().__init__(config)
        self._on_exit = on_exit

    @contextlib.contextmanager
    def capture_signals(self):
        # uvicorn's own version raises the signal again after shutdown, which
        # ends the process with status -15 instead of 0.
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def handle_exit(self, sig, frame) -> None:
        logger.info("stop signal %s received, stopping", sig)
        self._on_exit()
        super().handle_exit(sig, frame)


def serve(args: argparse.Namespace) -> int:
    level = getattr(logging, args.log_level.upper())
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.base_url and not re.match(r"^https?://[^/]+$", args.base_url.rstrip("/")):
        print(f"sqslite: invalid --base-url {args.base_url!r}: expected scheme://host[:port]", file=sys.stderr)
        return 2
    settings = Settings(
        db_path=args.db,
        base_url=args.base_url.rstrip("/") if args.base_url else None,
        region=args.region,
        account_id=args.account_id,
        test_clock=args.test_clock,
        synchronous=args.synchronous,
        max_request_bytes=args.max_request_bytes,
        max_long_polls=args.max_long_polls,
        body_timeout=args.body_timeout,
    )
    application = create_app(settings)
    config = uvicorn.Config(
        application,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        limit_concurrency=args.max_connections,
        timeout_keep_alive=args.idle_timeout,
    )
    server = _Server(config, on_exit=application.begin_shutdown)
    logger.info(
        "sqslite %s listening on http://%s:%d, database %s%s",
        __version__,
        args.host,
        args.port,
        args.db or "in memory",
        ", test clock on" if args.test_clock else "",
    )
    server.run()
    application.close()
    logger.info("sqslite stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
