"""The build queue: at most N builds at once, the others wait in order with their position, slots always given back."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from dashboard.build_queue import BuildQueue, shared_queue
from dashboard.config import max_builds

WAIT = 5.0  # seconds a test waits for another thread before failing (never reached when the code is right)


def _hold(queue: BuildQueue, positions: list[int], entered: threading.Event, release: threading.Event) -> threading.Thread:
    """A thread that waits for its turn (recording positions), signals `entered`, then holds the slot until `release`."""

    def run() -> None:
        with queue.turn(on_wait=positions.append, poll_seconds=0.01):
            entered.set()
            release.wait(WAIT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_with_one_slot_the_second_build_waits_as_number_one_in_line() -> None:
    queue = BuildQueue(1)
    first_in, first_done, second_in, second_done = (threading.Event() for _ in range(4))
    first_positions: list[int] = []
    second_positions: list[int] = []
    first = _hold(queue, first_positions, first_in, first_done)
    assert first_in.wait(WAIT)
    second = _hold(queue, second_positions, second_in, second_done)
    _until(lambda: len(second_positions) >= 3)
    assert not second_in.is_set() and queue.snapshot() == (1, 1)
    assert set(second_positions) == {1}
    first_done.set()
    assert second_in.wait(WAIT)
    second_done.set()
    first.join(WAIT)
    second.join(WAIT)
    assert first_positions == [] and queue.snapshot() == (0, 0)


def test_waiting_builds_start_in_arrival_order_and_see_their_place() -> None:
    queue = BuildQueue(1)
    entered = [threading.Event() for _ in range(3)]
    done = [threading.Event() for _ in range(3)]
    positions: list[list[int]] = [[], [], []]
    threads = [_hold(queue, positions[0], entered[0], done[0])]
    assert entered[0].wait(WAIT)
    threads.append(_hold(queue, positions[1], entered[1], done[1]))
    _until(lambda: queue.snapshot() == (1, 1))
    threads.append(_hold(queue, positions[2], entered[2], done[2]))
    _until(lambda: 2 in positions[2])
    done[0].set()
    assert entered[1].wait(WAIT)
    _until(lambda: positions[2][-1] == 1)
    assert not entered[2].is_set()
    done[1].set()
    assert entered[2].wait(WAIT)
    done[2].set()
    for thread in threads:
        thread.join(WAIT)
    assert queue.snapshot() == (0, 0)


def test_two_slots_let_two_builds_run_together() -> None:
    queue = BuildQueue(2)
    entered = [threading.Event(), threading.Event()]
    done = threading.Event()
    threads = [_hold(queue, [], event, done) for event in entered]
    assert all(event.wait(WAIT) for event in entered)
    assert queue.snapshot() == (2, 0)
    done.set()
    for thread in threads:
        thread.join(WAIT)


def test_a_failing_build_gives_its_slot_back() -> None:
    queue = BuildQueue(1)
    with pytest.raises(RuntimeError, match="build failed"):
        with queue.turn(on_wait=lambda position: None):
            raise RuntimeError("build failed")
    assert queue.snapshot() == (0, 0)
    calls: list[int] = []
    with queue.turn(on_wait=calls.append):
        assert queue.snapshot() == (1, 0)
    assert calls == []


def test_a_user_leaving_while_waiting_gives_the_place_back() -> None:
    """Streamlit raises inside the page's on_wait callback when the session stops; the line must not keep the ticket."""
    queue = BuildQueue(1)

    class SessionStopped(Exception):
        pass

    def leave(position: int) -> None:
        raise SessionStopped

    with queue.turn(on_wait=lambda position: None):
        with pytest.raises(SessionStopped):
            with queue.turn(on_wait=leave):
                pytest.fail("the body must not run while the slot is taken")
        assert queue.snapshot() == (1, 0)
    assert queue.snapshot() == (0, 0)


def test_a_queue_needs_at_least_one_slot() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        BuildQueue(0)


def test_the_server_shares_one_queue_per_limit() -> None:
    assert shared_queue(1) is shared_queue(1)
    assert shared_queue(2) is not shared_queue(1)


@pytest.mark.parametrize(("value", "expected", "warned"), [(None, 1, False), ("3", 3, False), ("0", 1, True), ("1.5", 1, True),
                                                         ("nan", 1, True), ("inf", 1, True), ("-2", 1, True), ("99", 1, True)])
def test_max_builds_setting_is_validated(value: str | None, expected: int, warned: bool) -> None:
    setting = max_builds({} if value is None else {"PENINSULA_WATCH_MAX_BUILDS": value})
    assert setting.value == expected and isinstance(setting.value, int)
    assert (setting.warning is not None) == warned
