"""sqslite's HTTP server in a background thread of the calling process, for tests."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from .app import Settings, SqsApplication, create_app
from .client import post_operations_request
from .config import StartupConfig, load_config

logger = logging.getLogger(__name__)


class Server:
    """Run sqslite on a loopback port in a background thread, as a context manager.

    ``with Server() as server:`` starts uvicorn on a free port of 127.0.0.1
    and returns once it accepts connections; ``server.endpoint_url`` is the
    URL to give an SDK. Leaving the block ends open long polls, stops the
    server and closes the database. The options are those of ``sqslite
    serve``, except that the test clock is on by default, so that
    ``advance_clock`` works; pass ``test_clock=False`` to turn it off.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | Path | None = None,
        region: str = "us-east-1",
        account_id: str = "000000000000",
        base_url: str | None = None,
        test_clock: bool = True,
        config: str | Path | StartupConfig | None = None,
        synchronous: str = "NORMAL",
        max_request_bytes: int = 10 * 1024 * 1024,
        max_long_polls: int = 1000,
        max_connections: int = 1000,
        idle_timeout: float = 5.0,
        body_timeout: float = 30.0,
        start_timeout: float = 10.0,
        stop_timeout: float = 10.0,
    ) -> None:
        if isinstance(config, str | Path):
            config = load_config(config)
        self.settings = Settings(
            db_path=str(db_path) if db_path is not None else None,
            base_url=base_url,
            region=region,
            account_id=account_id,
            test_clock=test_clock,
            synchronous=synchronous,
            config=config,
            max_request_bytes=max_request_bytes,
            max_long_polls=max_long_polls,
            body_timeout=body_timeout,
        )
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.host = host
        self.port = port  # 0 until started: any free port
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.application: SqsApplication | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bound = False  # the port is known, so endpoint_url is too

    @property
    def endpoint_url(self) -> str:
        if not self._bound:
            raise RuntimeError("the server has not started; call start() or use it in a with block")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Server:
        """Bind the port, start the server thread and wait until it serves requests."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        self._bound = True

        self.application = create_app(self.settings)
        config = uvicorn.Config(
            self.application,
            log_config=None,  # leave the host process's logging alone
            log_level=logging.WARNING,
            access_log=False,
            lifespan="on",
            loop="asyncio",
            timeout_graceful_shutdown=self.stop_timeout,
            # As in `sqslite serve`: uvicorn counts the new connection itself.
            limit_concurrency=self.max_connections + 1,
            timeout_keep_alive=self.idle_timeout,
        )
        self._uvicorn = uvicorn.Server(config)

        self._error = None
        self._thread = threading.Thread(
            target=self._run, args=(sock,), name=f"sqslite-{self.port}", daemon=True
        )
        self._thread.start()

        deadline = time.monotonic() + self.start_timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._thread.join(timeout=self.stop_timeout)
                self._thread = None
                sock.close()
                reason = f": {self._error}" if self._error else ""
                raise RuntimeError(
                    f"sqslite did not start within {self.start_timeout} s on port {self.port}"
                    f"{reason}"
                ) from self._error
            time.sleep(0.005)
        logger.info("sqslite serving on %s", self.endpoint_url)
        return self

    def _run(self, sock: socket.socket) -> None:
        try:
            asyncio.run(self._serve(sock))
        except BaseException as error:  # start() raises it again
            self._error = error
            logger.exception("sqslite server thread failed")
        finally:
            sock.close()

    async def _serve(self, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        await self._uvicorn.serve(sockets=[sock])

    def stop(self) -> None:
        """End open long polls, stop the server and wait for its thread."""
        if self._thread is None:
            return
        # Long polls wait on asyncio events of the server's loop, so they are
        # ended from inside that loop; uvicorn then waits for them to finish.
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self.application.begin_shutdown)
            except RuntimeError:
                pass  # the loop closed in the meantime
        self._uvicorn.should_exit = True
        self._thread.join(timeout=self.stop_timeout + 5)
        if self._thread.is_alive():
            raise RuntimeError(
                f"sqslite on port {self.port} did not stop within {self.stop_timeout + 5} s"
            )
        self._thread = None
        self._loop = None
        self.application.close()

    def advance_clock(self, seconds: float) -> float:
        """Move the test clock forward; return the new time in epoch seconds."""
        return self._post("/_sqslite/clock", {"advance": seconds})["now"]

    def reset(self) -> None:
        """Delete every queue and message, then create the config's queues again."""
        self._post("/_sqslite/reset", {})

    def _post(self, path: str, payload: dict) -> dict:
        return post_operations_request(self.endpoint_url + path, payload, timeout=10)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
