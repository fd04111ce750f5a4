"""At most N builds at once in the server process; the others wait in line, first come first served.

Ten simultaneous uploads used to start ten builds (twenty worker processes, 6 GB) and
every other user's page waited. The "Your corpus" page runs each build inside
`queue.turn(...)`: a build starts only when a slot is free and it is at the head of the
line; while it waits, `on_wait(position)` is called about every `poll_seconds` (the page
shows the position and, by touching Streamlit, learns that its user left: Streamlit then
raises inside the callback). The slot or the place in line is given back in a `finally`,
whatever ends the wait or the build. No Streamlit here.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class BuildQueue:
    """A counting slot pool with a visible first-in-first-out line (thread-safe)."""

    def __init__(self, max_running: int) -> None:
        if max_running < 1:
            raise ValueError(f"max_running must be at least 1, not {max_running}")
        self.max_running = max_running
        self._running = 0
        self._line: list[object] = []
        self._changed = threading.Condition()

    def snapshot(self) -> tuple[int, int]:
        """(builds running, builds waiting) now."""
        with self._changed:
            return self._running, len(self._line)

    def _position(self, ticket: object) -> int:
        """0 when `ticket` may start now, else its place among those still waiting (1 = next)."""
        free = self.max_running - self._running
        index = self._line.index(ticket)
        return 0 if index < free else index - free + 1

    @contextmanager
    def turn(self, on_wait: Callable[[int], None], poll_seconds: float = 1.0) -> Iterator[None]:
        """Wait for a slot (calling `on_wait(position)` while waiting), hold it for the body, then give it back."""
        ticket = object()
        with self._changed:
            self._line.append(ticket)
        running = False
        try:
            while True:
                with self._changed:
                    position = self._position(ticket)
                    if position == 0:
                        self._line.remove(ticket)
                        self._running += 1
                        running = True
                        break
                on_wait(position)  # outside the lock: it may be slow or raise
                with self._changed:
                    if self._position(ticket):
                        self._changed.wait(poll_seconds)
            yield
        finally:
            with self._changed:
                if running:
                    self._running -= 1
                else:
                    self._line.remove(ticket)
                self._changed.notify_all()


_QUEUES: dict[int, BuildQueue] = {}
_QUEUES_LOCK = threading.Lock()


def shared_queue(max_running: int) -> BuildQueue:
    """The server process's one queue for this limit (every session of the app shares it)."""
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(max_running, BuildQueue(max_running))
