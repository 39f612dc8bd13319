"""Clocks for the service: wall time, or wall time plus an offset that tests move."""

from __future__ import annotations

import time
from collections.abc import Callable


class Clock:
    """Wall-clock time in epoch seconds.

    A test clock adds an offset that ``advance`` moves forward, so tests of
    visibility, delay and retention need no sleep. Listeners run after each
    advance so that waiting long polls can look again.
    """

    def __init__(self, adjustable: bool = False) -> None:
        self.adjustable = adjustable
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        return time.time() + self._offset

    def now_ms(self) -> int:
        return int((time.time() + self._offset) * 1000)

    def advance(self, seconds: float) -> float:
        if not self.adjustable:
            raise RuntimeError("this clock is not a test clock; start the server with --test-clock")
        if seconds < 0:
            raise ValueError(f"cannot move the clock backwards ({seconds} s)")
        self._offset += seconds
        for listener in self._listeners:
            listener()
        return self.now()

    def add_listener(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)
