"""Benchmark: term counting, topic fitting (with the choice of k) and keyword tables on real corpora.

Usage: python bench/bench_topics_keywords.py [--runs N] [--corpus stories|headlines ...]
Targets on the 2-core machine: fit_topics < 25 s on 18,931 KCNA stories (2011-2012, title and
body) and on 99,841 KCNA headlines (1997-2014, title only); monthly_keywords + article_terms
< 15 s on the stories. Each figure is the median over runs; "cold" runs start with an empty
term-count cache (tokenising included), "warm" ones reuse the counts, as a build does after
fitting topics. Wall time is what a user waits; CPU time (this process) is what the code costs,
and stays put when other processes on the machine slow the wall clock (the load average is shown).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.keywords import article_terms, monthly_keywords  # noqa: E402
from pipeline.terms import clear_count_cache, count_terms  # noqa: E402
from pipeline.topics import fit_topics  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"


def load_stories() -> pd.DataFrame:
    with gzip.open(CORPUS / "kcna_2011_2012.jsonl.gz", "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return pd.DataFrame(
        {
            "article_id": [f"story-{number}" for number in range(len(records))],
            "date": pd.to_datetime([r["date"] for r in records]),
            "text": [f"{r['title'] or ''}\n{r['body']}" for r in records],
        }
    )


def load_headlines() -> pd.DataFrame:
    with gzip.open(CORPUS / "kcna_headlines_1997_2014.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    return pd.DataFrame(
        {
            "article_id": [f"headline-{number}" for number in range(len(records))],
            "date": pd.to_datetime([r["date"] for r in records]),
            "text": [r["title"] for r in records],
        }
    )


CORPORA: dict[str, Callable[[], pd.DataFrame]] = {"stories": load_stories, "headlines": load_headlines}


def timed(runs: int, action: Callable[[], Any], cold: bool) -> tuple[str, Any]:
    """Median wall and CPU seconds of `action` over `runs` (as text), and its last result."""
    wall, cpu, result = [], [], None
    for _ in range(runs):
        if cold:
            clear_count_cache()
        started, started_cpu = time.perf_counter(), time.process_time()
        result = action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return f"{statistics.median(wall):6.1f} s (CPU {statistics.median(cpu):5.1f} s)", result


def bench(name: str, articles: pd.DataFrame, runs: int) -> None:
    ids, texts = articles["article_id"].tolist(), articles["text"].tolist()
    print(f"\n{name}: {len(articles):,} articles, load average {os.getloadavg()[0]:.1f}")
    seconds, counted = timed(runs, lambda: count_terms(texts), cold=True)
    print(f"  count_terms (tokenise + count)          {seconds}   {counted.counts.shape[1]:,} terms, {counted.counts.nnz:,} entries")
    seconds, model = timed(runs, lambda: fit_topics(ids, texts), cold=True)
    print(f"  fit_topics, k chosen, cold              {seconds}   k={len(model.topics)}")
    print("  selection: " + ", ".join(f"{k}:{score:.3f}" for k, score in zip(model.selection["k"], model.selection["score"])))
    for label in model.topics["label"]:
        print(f"    - {label}")
    both = lambda: (monthly_keywords(articles), article_terms(articles))  # noqa: E731
    seconds, (keywords, terms) = timed(runs, both, cold=True)
    print(f"  monthly_keywords + article_terms, cold  {seconds}   {len(keywords):,} keyword rows, {len(terms):,} article-term rows")
    count_terms(texts)
    seconds, _ = timed(runs, both, cold=False)
    print(f"  monthly_keywords + article_terms, warm  {seconds}")
    print(f"  load average at the end {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    args = parser.parse_args()
    for name in args.corpus or list(CORPORA):
        bench(name, CORPORA[name](), args.runs)


if __name__ == "__main__":
    main()
