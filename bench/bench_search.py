"""Benchmark: the text search on a build, through its index, against a scan of every text.

Usage: python bench/bench_search.py --data DIR [--runs 3] [--scan] [QUERY ...]
For each query: the articles it matches and the median time of `runs` searches through the build's
index (`pipeline.search_index`, as the app's `TextStore.search` runs it, with the boolean per article
the filters use). With --scan, also the median time of the search the app ran before the index (a
case-insensitive substring scan of every title and text with DuckDB, one thread, as the app ran it),
and how many articles that scan matched, for comparison in the same run. Prints the build's index size
and the load average, since the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import duckdb  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from pipeline import search_index  # noqa: E402

QUERIES = ("summit", "satellite", "flood*", "Kim Jong Un", "un", "the", "k*", "no such words here")


def _median_seconds(run, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scan", action="store_true", help="also time the substring scan the app ran before the index")
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    args = parser.parse_args()
    path = args.data / search_index.INDEX_FILE
    n_articles = pq.ParquetFile(args.data / "articles.parquet").metadata.num_rows
    print(f"{args.data}: {n_articles:,} articles, index {path.stat().st_size / 1e6:,.0f} MB; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    index = search_index.SearchIndex(path)
    connection = duckdb.connect(config={"threads": 1})
    for query in args.queries:

        def through_index() -> np.ndarray:
            matches = np.zeros(n_articles, dtype=bool)
            matches[index.matching_rows(query)] = True
            return matches

        seconds, matches = _median_seconds(through_index, args.runs)
        line = f"{query!r:>22}: {int(matches.sum()):>9,} articles in {seconds * 1000:8.1f} ms"
        if args.scan:
            sql = ("SELECT count(*) FROM read_parquet(?) WHERE contains(lower(title), lower(?)) OR contains(lower(text), lower(?))")
            scan_seconds, found = _median_seconds(lambda: connection.execute(sql, [str(args.data / "articles.parquet"), query, query]).fetchone()[0], args.runs)
            line += f"; substring scan: {found:>9,} articles in {scan_seconds * 1000:8.1f} ms ({scan_seconds / seconds:,.0f}x)"
        print(line)
    print(f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
