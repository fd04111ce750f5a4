"""Benchmark: the app's server memory after every page, the server time of a filter change on every page and
of a new keyword-in-context term, and the time of a page opened with filters in its URL, on a real build.

Usage: python bench/bench_app.py [--data DIR] [--runs N] [--url-runs N] [--kwic-terms N]
       python bench/bench_app.py --data DIR --first-use      # what is read from disk on first use, then kept
Without --data it builds ../shared/corpus/kcna_2011_2012.jsonl.gz (18,931 stories) into a
temporary folder first. AppTest runs the app in this process without a browser, so the
time of `at.run()` after a widget change is the server time of that rerun, and this
process' resident memory (RSS) is the server's. Every figure comes with this process' CPU
seconds and the load average, since the machine may be shared: compare builds by the
ratios of one run, not by seconds across runs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.data import WARM_UP_THREAD  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"
PAGES = ("overview", "leaders", "tone", "topics", "framing", "compare", "keywords", "articles")


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024


def _memory() -> str:
    return f"RSS {_status_mb('VmRSS:'):.0f} MB (peak {_status_mb('VmHWM:'):.0f} MB)"


def _load() -> str:
    return "load " + " ".join(f"{value:.1f}" for value in os.getloadavg())


def _timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _filter_changes(at: AppTest, leader: str) -> list[Callable[[], object]]:
    """Alternating filter states: a leader, a date range, a text search, then back."""
    start = at.date_input(key="pw_filter_start")
    end = at.date_input(key="pw_filter_end")
    leaders = at.multiselect(key="pw_filter_leaders")
    first, last = start.value, end.value
    middle = first + (last - first) / 2
    return [
        lambda: leaders.set_value([leader]),
        lambda: leaders.set_value([]),
        lambda: start.set_value(middle),
        lambda: start.set_value(first),
        lambda: at.text_input(key="pw_filter_q").input("summit"),
        lambda: at.text_input(key="pw_filter_q").input(""),
    ]


def _most_mentioned(data_dir: Path) -> str:
    """The actor id with most mentions in the build (the leader the filter changes pick)."""
    mentions = pq.read_table(data_dir / "mentions.parquet", columns=["actor_id", "count"])
    totals = mentions.group_by("actor_id").aggregate([("count", "sum")]).sort_by([("count_sum", "descending")])
    return str(totals["actor_id"][0])


def _url_params(data_dir: Path, leader: str) -> dict[str, str]:
    """A shared link's filters: the most mentioned leader, from the middle of the build's span on."""
    dates = pq.read_table(data_dir / "articles.parquet", columns=["date"])["date"]
    low, high = pc.min_max(dates).values()
    middle = low.as_py() + (high.as_py() - low.as_py()) / 2
    return {"leader": leader, "start": middle.date().isoformat()}


def _page_with_url(page: str, params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"pages/{page}.py")
    return at


def open_article(artifacts: Any) -> None:
    """What the Articles page reads for the build's middle article: its row's long columns and its sentences."""
    article_id = str(artifacts.articles["article_id"].iloc[len(artifacts.articles) // 2])
    artifacts.article(article_id)
    artifacts.texts.sentences_of(article_id)


KWIC_TERMS = ("flood", "kim jong il", "yonbyon")
"""Keyword-in-context terms timed: a term of the vocabulary, a name in a third of the stories, and a word in none."""


def kwic_lines(artifacts: Any, articles: Any, term: str) -> Any:
    """What the Keywords and Compare pages read for the keyword-in-context lines of a term (`common.show_kwic`)."""
    from dashboard import keywords_view

    return keywords_view.in_context(artifacts.term_matrix, artifacts.texts, articles, term, keywords_view.MAX_KWIC_LINES)


def first_use(data_dir: Path) -> None:
    """CPU seconds of what the app reads from disk the first time a build is asked for it (then kept per build)."""
    from dashboard import keywords_view
    from dashboard.data import read_artifacts

    steps: list[tuple[str, Callable[[], object]]] = []
    artifacts = None

    def load() -> None:
        nonlocal artifacts
        artifacts = read_artifacts(data_dir)

    steps.append(("load the compact tables", load))
    steps.append(("term matrix (article_terms)", lambda: artifacts.term_matrix))
    steps.append(("search 'summit' in titles and texts", lambda: artifacts.texts.search("summit")))
    steps.append(("the same search again (kept)", lambda: artifacts.texts.search("summit")))
    for term in KWIC_TERMS:
        steps.append((f"in context: '{term}'", lambda term=term: kwic_lines(artifacts, artifacts.articles, term)))
    steps.append((f"the same term again (kept): '{KWIC_TERMS[0]}'", lambda: kwic_lines(artifacts, artifacts.articles, KWIC_TERMS[0])))
    def every_sentence() -> None:
        listing = kwic_lines(artifacts, artifacts.articles, KWIC_TERMS[0])
        keywords_view.every_sentence(artifacts.texts, artifacts.articles, listing.candidates, KWIC_TERMS[0])

    steps.append((f"every sentence of '{KWIC_TERMS[0]}' (the CSV)", every_sentence))
    steps.append(("one article's sentences and details", lambda: open_article(artifacts)))
    for name, step in steps:
        wall, cpu = _timed(step)
        print(f"  {name:>38}: {wall * 1000:5.0f} ms ({cpu * 1000:5.0f} ms CPU); {_memory()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=2, help="rounds of the six filter changes per page")
    parser.add_argument("--url-runs", type=int, default=3, help="fresh sessions per page opened with filters in the URL")
    parser.add_argument("--kwic-terms", type=int, default=5, help="terms picked in turn for the Keywords page's in-context lines")
    parser.add_argument("--first-use", action="store_true", help="only time what is read from disk on first use (needs --data)")
    args = parser.parse_args()
    if args.first_use:
        print(f"{args.data}: first use, {_load()}")
        first_use(args.data)
        return
    data_dir = args.data
    if data_dir is None:
        from pipeline.build import BuildOptions, build  # only here: the build's imports are not the server's memory

        data_dir = Path(tempfile.mkdtemp()) / "kcna_2011_2012"
        started = time.perf_counter()
        build([CORPUS], data_dir, BuildOptions())
        print(f"built {data_dir} in {time.perf_counter() - started:.0f} s")
    os.environ["PENINSULA_WATCH_DATA"] = str(data_dir)
    leader = _most_mentioned(data_dir)
    print(f"{data_dir}: {pq.read_metadata(data_dir / 'articles.parquet').num_rows:,} articles; {_load()}")
    print(f"before loading: {_memory()}")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300)
    wall, cpu = _timed(at.run)
    assert not at.exception, at.exception
    print(f"first run (load the build + Overview): {wall:.2f} s, {cpu:.2f} s CPU; {_memory()}")
    # The app then warms the other views up in a background thread (imports, term matrix): wait for it, so its
    # CPU seconds are not counted in the page that happens to run beside it.
    wall, cpu = _timed(lambda: [thread.join() for thread in threading.enumerate() if thread.name == WARM_UP_THREAD])
    print(f"background warm-up finished {wall:.2f} s later, {cpu:.2f} s CPU; {_memory()}")
    print("filter changes (leader, dates, search; server time per rerun):")
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, at.exception
        walls, cpus = [], []
        for _ in range(args.runs):
            for change in _filter_changes(at, leader):
                change()
                wall, cpu = _timed(at.run)
                walls.append(wall)
                cpus.append(cpu)
                assert not at.exception, (page, at.exception)
        print(f"  {page:>9}: median {statistics.median(walls) * 1000:4.0f} ms ({statistics.median(cpus) * 1000:4.0f} ms CPU), "
              f"max {max(walls) * 1000:4.0f} ms over {len(walls)}; after the page: {_memory()}")
    print("keyword in context: each other term of the Keywords page's term box picked in turn (server time per rerun):")
    at.switch_page("pages/keywords.py").run()
    box = at.selectbox(key="context_term")
    for term in [option for option in box.options if option != box.value][:args.kwic_terms]:
        at.selectbox(key="context_term").set_value(term)
        wall, cpu = _timed(at.run)
        assert not at.exception, (term, at.exception)
        print(f"  {term!r:>24}: {wall * 1000:4.0f} ms ({cpu * 1000:4.0f} ms CPU); {_memory()}")
    params = _url_params(data_dir, leader)
    print(f"each page opened in a new session with {params} in its URL (median of {args.url_runs}; the first session also "
          "computes what the build keeps for the link's dates, as the Keywords page's month rankings):")
    for page in PAGES:
        walls, cpus = [], []
        for _ in range(args.url_runs):
            opened = _page_with_url(page, params)
            wall, cpu = _timed(opened.run)
            assert not opened.exception, (page, opened.exception)
            walls.append(wall)
            cpus.append(cpu)
        print(f"  {page:>9}: {statistics.median(walls) * 1000:4.0f} ms ({statistics.median(cpus) * 1000:4.0f} ms CPU); the first "
              f"session {walls[0] * 1000:4.0f} ms ({cpus[0] * 1000:4.0f} ms CPU)")
    print(f"end: {_memory()} (the app and its loaded build, in this process); {_load()}")


if __name__ == "__main__":
    main()
