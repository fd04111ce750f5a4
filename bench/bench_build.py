"""Benchmark: a full build (ingest + analysis + topics + keywords + write) of a real corpus.

Usage: python bench/bench_build.py [corpus-file ...] [--runs N]
Prints wall time per stage (median over runs), articles per second and peak memory of
the build (parent and worker processes, from getrusage), which stage dominates.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.build import BuildOptions, build  # noqa: E402

SHARED = REPO.parent / "shared" / "corpus"
DEFAULT_CORPORA = [SHARED / "kcna_2011_2012.jsonl.gz", SHARED / "kcna_headlines_1997_2014.csv.gz"]


def _peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for corpus in args.corpora:
        totals, stages, ingested = [], {}, 0
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                report = build([corpus], Path(tmp) / "out", BuildOptions())
                totals.append(time.perf_counter() - started)
                ingested = report.manifest["ingested"]
                for stage, seconds in report.manifest["timings"].items():
                    stages.setdefault(stage, []).append(seconds)
        total = statistics.median(totals)
        own, children = _peak_rss_mb()
        print(f"{corpus.name}: {ingested} articles, median {total:.1f} s over {args.runs} runs, {ingested / total:,.0f} articles/s")
        print("  stages (median s): " + ", ".join(f"{s} {statistics.median(v):.1f}" for s, v in stages.items() if s != "total"))
        print(f"  peak RSS: parent {own:,.0f} MB, largest worker {children:,.0f} MB")


if __name__ == "__main__":
    main()
