"""The ``sqslite`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import signal
import sys

import uvicorn

from . import __version__
from .app import Settings, create_app
from .client_commands import CLIENT_COMMANDS, add_client_commands
from .config import ConfigError, load_config

logger = logging.getLogger("sqslite")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


ENV_PREFIX = "SQSLITE_"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class EnvDefaults:
    """Option defaults taken from SQSLITE_* environment variables, with their errors.

    Each option's default is its variable's value when that is set, so a
    container can be configured by environment alone. A flag on the command
    line still wins. An invalid value goes into ``errors`` under the
    command's name, and main() reports it when that command runs.
    """

    def __init__(self, environ: dict[str, str]) -> None:
        self.environ = environ
        self.errors: dict[str, list[str]] = {}

    def add(
        self,
        parser: argparse.ArgumentParser,
        flag: str,
        default,
        help_text: str,
        kind: type = str,
        choices: list[str] | None = None,
        **kwargs,
    ) -> None:
        variable = ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()
        try:
            value = self._read(variable, default, kind, choices)
        except ValueError as error:
            command = parser.prog.rpartition(" ")[2]
            self.errors.setdefault(command, []).append(str(error))
            value = default
        if kind is bool:
            shown = "off"
        elif default is None:
            shown = "none"
        else:
            shown = default
        help_text = f"{help_text} (env {variable}; default: {shown})"
        if kind is bool:
            parser.add_argument(flag, action="store_true", default=value, help=help_text, **kwargs)
        else:
            parser.add_argument(
                flag, type=kind, choices=choices, default=value, help=help_text, **kwargs
            )

    def _read(self, variable: str, default, kind: type, choices: list[str] | None):
        raw = self.environ.get(variable)
        if raw is None:
            return default
        if kind is bool:
            if raw.strip().lower() in TRUE_WORDS:
                return True
            if raw.strip().lower() in FALSE_WORDS:
                return False
            raise ValueError(f"invalid {variable}={raw!r}: expected true or false")
        try:
            value = kind(raw)
        except ValueError:
            expected = "an integer" if kind is int else "a number"
            raise ValueError(f"invalid {variable}={raw!r}: expected {expected}") from None
        if choices is not None and value not in choices:
            raise ValueError(f"invalid {variable}={raw!r}: expected one of {', '.join(choices)}")
        return value


def build_parser(environ: dict[str, str] | None = None) -> argparse.ArgumentParser:
    env = EnvDefaults(dict(os.environ) if environ is None else environ)
    parser = argparse.ArgumentParser(prog="sqslite", description="A local Amazon SQS emulator.")
    parser.set_defaults(env_errors=env.errors)
    parser.add_argument("--version", action="version", version=f"sqslite {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the SQS endpoint")
    env.add(serve, "--host", "127.0.0.1", "address to listen on")
    env.add(serve, "--port", 9324, "TCP port to listen on", kind=int)
    env.add(
        serve,
        "--db",
        None,
        "SQLite database file that keeps queues and messages across restarts; "
        "none keeps them in memory, lost on exit",
        metavar="PATH",
    )
    env.add(
        serve,
        "--config",
        None,
        "TOML file of queues to create at start and after each reset; see the README",
        metavar="FILE",
    )
    env.add(
        serve,
        "--base-url",
        None,
        "fixed scheme://host:port for queue URLs; none takes it from each request's Host header",
    )
    env.add(serve, "--region", "us-east-1", "region in queue ARNs")
    env.add(
        serve,
        "--account-id",
        "000000000000",
        "account of callers whose access key id is not 12 digits",
    )
    env.add(
        serve,
        "--synchronous",
        "NORMAL",
        "SQLite synchronous mode for --db: NORMAL survives a process crash, FULL also "
        "a power loss",
        choices=["NORMAL", "FULL"],
    )
    env.add(
        serve,
        "--max-request-bytes",
        10 * 1024 * 1024,
        "largest request body accepted, in bytes; larger ones get HTTP 413 before they are "
        "read whole (the default leaves room for a 1 MiB message in any encoding)",
        kind=int,
    )
    env.add(
        serve,
        "--max-long-polls",
        1000,
        "long polls that may wait at once; one more gets a RequestThrottled error",
        kind=int,
    )
    env.add(
        serve,
        "--max-connections",
        1000,
        "open connections and requests served at once; beyond it uvicorn answers 503",
        kind=int,
    )
    env.add(
        serve, "--idle-timeout", 5.0, "seconds an idle keep-alive connection stays open", kind=float
    )
    env.add(
        serve,
        "--body-timeout",
        30.0,
        "seconds a client has to send a request body before it gets HTTP 408",
        kind=float,
    )
    env.add(
        serve,
        "--test-clock",
        False,
        "let POST /_sqslite/clock move the service clock forward, for tests",
        kind=bool,
    )
    env.add(
        serve,
        "--log-level",
        "info",
        "log level",
        choices=["debug", "info", "warning", "error"],
    )
    add_client_commands(commands, env)
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
    config = None
    if args.config:
        try:
            config = load_config(args.config)
        except ConfigError as error:
            print(f"sqslite: {error}", file=sys.stderr)
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
        config=config,
    )
    application = create_app(settings)
    try:
        asyncio.run(application.prepare())
    except ConfigError as error:
        application.close()
        print(f"sqslite: {error}", file=sys.stderr)
        return 2
    config = uvicorn.Config(
        application,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        lifespan="on",
        # uvicorn counts the new connection itself against limit_concurrency,
        # so one more lets --max-connections requests be served at once.
        limit_concurrency=args.max_connections + 1,
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
    env_errors = args.env_errors.get(args.command, [])
    for error in env_errors:
        print(f"sqslite: {error}", file=sys.stderr)
    if env_errors:
        return 2
    if args.command == "serve":
        return serve(args)
    return CLIENT_COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
