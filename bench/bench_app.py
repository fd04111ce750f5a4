"""Benchmark: server time of a filter change on every page, and the app's memory, on a real build.

Usage: python bench/bench_app.py [--data DIR] [--runs N]
Without --data it builds ../shared/corpus/kcna_2011_2012.jsonl.gz (18,931 stories) into a
temporary folder first. AppTest runs the app in this process without a browser, so the
time of `at.run()` after a widget change is the server time of that rerun.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from streamlit.testing.v1 import AppTest  # noqa: E402

from pipeline.build import BuildOptions, build  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"
PAGES = ("overview", "leaders", "tone", "topics", "framing", "compare", "keywords", "articles")


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def _peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def _filter_changes(at: AppTest) -> list:
    """Alternating filter states: a date range, a leader, a text search, then back."""
    start = at.date_input(key="pw_filter_start")
    end = at.date_input(key="pw_filter_end")
    leaders = at.multiselect(key="pw_filter_leaders")
    first, last = start.value, end.value
    middle = first + (last - first) / 2
    return [
        lambda: leaders.set_value(["kim-jong-il"]),
        lambda: leaders.set_value([]),
        lambda: start.set_value(middle),
        lambda: start.set_value(first),
        lambda: at.text_input(key="pw_filter_q").input("summit"),
        lambda: at.text_input(key="pw_filter_q").input(""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=2, help="rounds of the six filter changes per page")
    args = parser.parse_args()
    data_dir = args.data
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp()) / "kcna_2011_2012"
        started = time.perf_counter()
        build([CORPUS], data_dir, BuildOptions())
        print(f"built {data_dir} in {time.perf_counter() - started:.0f} s")
    os.environ["PENINSULA_WATCH_DATA"] = str(data_dir)
    print(f"RSS before loading: {_rss_mb():.0f} MB")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    started = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    print(f"first run (load the build + Overview): {time.perf_counter() - started:.2f} s, RSS {_rss_mb():.0f} MB")
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
        times = []
        for _ in range(args.runs):
            for change in _filter_changes(at):
                change()
                started = time.perf_counter()
                at.run()
                times.append(time.perf_counter() - started)
                assert not at.exception, (page, at.exception)
        print(f"{page:>9}: filter change median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {len(times)}")
    print(f"RSS now {_rss_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB (app and its loaded build, in this process)")


if __name__ == "__main__":
    main()
