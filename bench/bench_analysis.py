"""Benchmark: CPU seconds of the build's per-article stages, per 1,000 stories.

Usage: python bench/bench_analysis.py [corpus-file] [--articles N] [--profile STAGE]

In one process, on the first N stories (default all) of a corpus (default the KCNA 2011-2012
stories): reading alone (`pipeline.readers.read_file`), reading plus clean-up, validation and
de-duplication (`pipeline.ingest.ingest`: clean-up is the difference), term counting
(`pipeline.terms.count_term_texts` in the build's chunks of 2,000) and the per-article analysis
(`pipeline.build.analyse_articles` in the build's chunks of 400). The build runs the last two in
its workers and ingest in the parent; like a worker, the process is first readied by `pipeline.preload`
(after ingest here). CPU time of this process (`time.process_time`), which a busy machine disturbs far
less than wall time; the load average is printed beside it.
`--profile STAGE` (read, ingest, count, analyse) prints that stage's top functions by cProfile.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import build, ingest, readers, terms  # noqa: E402

KCNA = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"
STAGES = ("read", "ingest", "count", "analyse")


def _cpu(stage: str, profile: str | None, task: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of `task()` and its result; under cProfile when `stage` is the one to profile."""
    profiler = cProfile.Profile() if stage == profile else None
    started = time.process_time()
    result = profiler.runcall(task) if profiler else task()
    seconds = time.process_time() - started
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=KCNA)
    parser.add_argument("--articles", type=int, default=None, help="only the first N stories kept by ingest")
    parser.add_argument("--profile", choices=STAGES, default=None)
    args = parser.parse_args()

    read_seconds, records = _cpu("read", args.profile, lambda: sum(1 for _ in readers.read_file(args.corpus, readers.FileInfo())))
    ingest_seconds, result = _cpu("ingest", args.profile, lambda: ingest.ingest([args.corpus]))
    articles = result.articles[: args.articles]

    def count() -> None:
        for start in range(0, len(articles), build._COUNT_CHUNK_SIZE):
            part = articles[start : start + build._COUNT_CHUNK_SIZE]
            terms.count_term_texts([a.title for a in part], [a.text for a in part])

    def analyse() -> None:
        for start in range(0, len(articles), build._CHUNK_SIZE):
            build.analyse_articles([(a.article_id, a.date, a.text, a.source) for a in articles[start : start + build._CHUNK_SIZE]])

    from pipeline import preload  # noqa: F401, PLC0415 - imported here, after ingest: what a worker's forkserver does before it forks
    # (models loaded once, not part of the per-article cost; everything alive frozen out of the garbage collector's walks)
    count_seconds, _ = _cpu("count", args.profile, count)
    analyse_seconds, _ = _cpu("analyse", args.profile, analyse)
    kept = max(len(result.articles), 1)
    print(f"{args.corpus.name}: {records:,} records read, {len(result.articles):,} kept, {len(articles):,} measured; "
          f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"{'stage':<30}{'CPU s':>8}{'CPU s / 1k':>12}")
    rows = [
        ("read (whole file)", read_seconds, kept),
        ("clean-up etc. (ingest - read)", ingest_seconds - read_seconds, kept),
        ("count_term_texts", count_seconds, max(len(articles), 1)),
        ("analyse_articles", analyse_seconds, max(len(articles), 1)),
    ]
    for name, seconds, stories in rows:
        print(f"{name:<30}{seconds:>8.2f}{seconds / stories * 1000:>12.3f}")
    if len(articles) < len(result.articles):
        print("(read and clean-up ran on the whole file; their per 1k is per story kept)")


if __name__ == "__main__":
    main()
