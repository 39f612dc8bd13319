"""sqslite: a local Amazon SQS emulator over SQLite."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["Server", "__version__"]

if TYPE_CHECKING:
    from .server import Server


def __getattr__(name: str):
    # Imported on first use, so that loading the pytest plugin or the CLI
    # does not import uvicorn.
    if name == "Server":
        from .server import Server

        return Server
    raise AttributeError(f"module 'sqslite' has no attribute {name!r}")
