"""Benchmark: actor matching speed on the KCNA 2011-2012 scale corpus.

Usage: python bench/bench_actors.py [--runs N] [--articles N]
Reads ../shared/corpus/kcna_2011_2012.jsonl.gz (field `body`), splits each body naively
into sentences (at ". ", "! ", "? " and line breaks), then runs ActorMatcher.match_article_spans
article by article with the article's date and source, as a build does (spans included). Prints the time to build the
matcher, and sentences per second, median of the runs, both in wall-clock time and in CPU
time of this process (the CPU figure is the steadier one on a shared machine).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.actors import ActorMatcher, load_gazetteer  # noqa: E402

KCNA = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"
_NAIVE_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

Article = tuple[list[str], dt.date, str]


def read_articles(path: Path, limit: int | None) -> list[Article]:
    """(sentences, date, source) per article, sentences split naively."""
    articles: list[Article] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            sentences = [part for part in _NAIVE_SENTENCE_END.split(record["body"]) if part.strip()]
            articles.append((sentences, dt.date.fromisoformat(record["date"]), record["source"]))
            if limit is not None and len(articles) >= limit:
                break
    return articles


def match_all(matcher: ActorMatcher, articles: list[Article]) -> int:
    """Match every article; returns the number of mentions found."""
    return sum(len(found) for sentences, date, source in articles for found in matcher.match_article_spans(sentences, date, source))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=int, default=None, help="only the first N articles (default: all)")
    args = parser.parse_args()

    articles = read_articles(KCNA, args.articles)
    n_sentences = sum(len(sentences) for sentences, _, _ in articles)
    started = time.perf_counter()
    matcher = ActorMatcher(load_gazetteer())
    print(f"Gazetteer loaded and matcher compiled in {time.perf_counter() - started:.2f} s")

    wall, cpu = [], []
    for _ in range(args.runs):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        n_mentions = match_all(matcher, articles)
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
    print(f"{len(articles):,} articles, {n_sentences:,} sentences, {n_mentions:,} mentions; median of {args.runs} runs, one core:")
    print(f"  wall clock {n_sentences / statistics.median(wall):10,.0f} sentences/s")
    print(f"  CPU time   {n_sentences / statistics.median(cpu):10,.0f} sentences/s")


if __name__ == "__main__":
    main()
