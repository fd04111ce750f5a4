"""Benchmark: another user's page time while uploads queue for builds, against the same page when idle.

Usage: python bench/bench_build_queue.py [--builds 5] [--max-builds 1] [--renders 12] [--data DIR]

In one process (as in the server), `--builds` users each upload ../shared/corpus/kcna_2024.jsonl.gz
(1,059 articles) through the page's own path (stage_uploads, then build_staged in the shared
queue, each in its own thread as Streamlit runs each session). Meanwhile another user changes
filters on the Overview of the app's build (AppTest, so `at.run()` is the server time of that
rerun). Prints the medians idle and under load, their ratio, and what the queue did.
`--max-builds 5` shows what happens without the queue's limit.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.build_queue import shared_queue  # noqa: E402
from dashboard.uploads import build_staged, create_session_folder, stage_uploads  # noqa: E402

UPLOAD = REPO.parent / "shared" / "corpus" / "kcna_2024.jsonl.gz"


def _page_renders(at: AppTest, count: int, keep_going: threading.Event | None = None) -> list[float]:
    """Server times of `count` filter changes on the current page (leader on/off, search on/off)."""
    changes = [
        lambda: at.multiselect(key="pw_filter_leaders").set_value(["kim-jong-un"]),
        lambda: at.multiselect(key="pw_filter_leaders").set_value([]),
        lambda: at.text_input(key="pw_filter_q").input("talks"),
        lambda: at.text_input(key="pw_filter_q").input(""),
    ]
    times = []
    for index in range(count):
        if keep_going is not None and not keep_going.is_set():
            break
        changes[index % len(changes)]()
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    return times


def _user_build(root: Path, user: int, max_builds: int, log: list[dict]) -> None:
    """One user's upload: stage the file, wait in the shared queue, build (as the page does)."""
    folder = create_session_folder(root / f"user-{user}")
    inputs = folder / f"inputs-{time.time_ns()}"
    queued = time.perf_counter()
    stage_uploads([(UPLOAD.name, UPLOAD.read_bytes())], "", inputs)
    positions: list[int] = []
    record = {"user": user, "queued": queued, "positions": positions}
    log.append(record)

    def progress(stage: str, fraction: float) -> None:
        record.setdefault("started", time.perf_counter())

    build_staged(inputs, folder / "build", shared_queue(max_builds), on_wait=positions.append, progress=progress)
    record["finished"] = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--builds", type=int, default=5, help="users uploading at once")
    parser.add_argument("--max-builds", type=int, default=1, help="the queue's limit (PENINSULA_WATCH_MAX_BUILDS)")
    parser.add_argument("--renders", type=int, default=12, help="page renders measured when idle")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "processed", help="the build the other user looks at")
    args = parser.parse_args()
    os.environ["PENINSULA_WATCH_DATA"] = str(args.data)

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    at.run()
    assert not at.exception, at.exception
    _page_renders(at, 4)  # warm caches
    idle = _page_renders(at, args.renders)

    root = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    log: list[dict] = []
    users = [threading.Thread(target=_user_build, args=(root, user, args.max_builds, log)) for user in range(args.builds)]
    started = time.perf_counter()
    for thread in users:
        thread.start()
    building = threading.Event()
    building.set()
    queue = shared_queue(args.max_builds)
    peak = [0, 0]

    def watch() -> None:
        while any(thread.is_alive() for thread in users):
            running, waiting = queue.snapshot()
            peak[0], peak[1] = max(peak[0], running), max(peak[1], waiting)
            time.sleep(0.05)
        building.clear()

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(1.0)  # let every user stage and join the line
    loaded = _page_renders(at, 10_000, keep_going=building)
    watcher.join()
    total = time.perf_counter() - started

    idle_median, loaded_median = statistics.median(idle), statistics.median(loaded)
    print(f"other user's Overview filter change, server time: idle median {idle_median * 1000:.0f} ms (n={len(idle)}), "
          f"with {args.builds} uploads queued median {loaded_median * 1000:.0f} ms (n={len(loaded)}, "
          f"max {max(loaded) * 1000:.0f} ms); ratio {loaded_median / idle_median:.2f}")
    print(f"queue limit {args.max_builds}: at most {peak[0]} build(s) ran at once, up to {peak[1]} waited; "
          f"all {args.builds} builds done in {total:.1f} s")
    for record in sorted(log, key=lambda r: r["started"]):
        waited = record["started"] - record["queued"]
        built = record["finished"] - record["started"]
        shown = sorted(set(record["positions"]), reverse=True)
        print(f"  user {record['user']}: waited {waited:5.1f} s (positions shown {shown or '-'}), built in {built:4.1f} s")


if __name__ == "__main__":
    main()
