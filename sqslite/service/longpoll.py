"""Wake-ups for long polls: one asyncio event per queue, replaced on each notify.

A receiver takes the queue's current event, looks for messages, and waits on
the event only if it found none. The store runs in the event loop's thread,
so no send can slip in between the look and the wait.
"""

from __future__ import annotations

import asyncio


class Waiters:
    def __init__(self) -> None:
        self._events: dict[int, asyncio.Event] = {}
        self.waiting = 0
        self.closing = False

    def event_for(self, queue_id: int) -> asyncio.Event:
        event = self._events.get(queue_id)
        if event is None:
            event = self._events[queue_id] = asyncio.Event()
        return event

    async def wait(self, event: asyncio.Event, timeout: float) -> None:
        """Wait until the event fires or timeout seconds pass."""
        if self.closing or timeout <= 0:
            return
        self.waiting += 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self.waiting -= 1

    def notify(self, queue_id: int) -> None:
        """Wake every receiver waiting on the queue."""
        event = self._events.pop(queue_id, None)
        if event is not None:
            event.set()

    def notify_all(self) -> None:
        events = list(self._events.values())
        self._events.clear()
        for event in events:
            event.set()

    def close(self) -> None:
        """Make every current and future wait return at once, for shutdown."""
        self.closing = True
        self.notify_all()
