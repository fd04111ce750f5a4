"""Benchmark: a full build of a corpus against the issue's floor, with CPU/wall and peak memory.

Usage: python bench/bench_build.py [corpus-file ...] [--runs N] [--engine local|dask] [--workers N]

Per corpus and run, in the same run: the floor (reading the file plus
CountVectorizer(ngram_range=(1, 2), min_df=2) on the same texts, issue 14) and a full build
with `python -m pipeline build` in a child process. Prints the build's wall time, its ratio to
the floor (target at most 3x), CPU time of the build and all its workers (resource usage of
the finished child and its descendants), CPU/wall (target at least 1.7 on 2 idle cores), the
peak resident memory of the largest process (target at most 1.5 GB at 100k stories) and the
stage times from the manifest. The load average is printed: figures on a busy machine are
not the idle machine's. Scale corpora: bench/make_scale_corpus.py.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
DEFAULT_CORPORA = [SHARED / "kcna_2011_2012.jsonl.gz"]


def floor_seconds(corpus: Path) -> float:
    """Read a JSON Lines corpus and CountVectorizer(1-2 grams, min_df=2) its title + body texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    started = time.perf_counter()
    opener = gzip.open if corpus.suffix == ".gz" else open
    with opener(corpus, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    CountVectorizer(ngram_range=(1, 2), min_df=2).fit_transform([f"{r.get('title') or ''}\n{r.get('body') or ''}" for r in records])
    return time.perf_counter() - started


def build_run(corpus: Path, out: Path, engine: str, workers: int) -> dict[str, float]:
    """Wall, CPU and peak memory of one build in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--input", str(corpus), "--out", str(out), "--quiet",
         "--engine", engine, "--workers", str(workers)],
        cwd=REPO, check=True, stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "peak_mb": after.ru_maxrss / 1024, "articles": manifest["ingested"], **{
        f"stage {name}": seconds for name, seconds in manifest["timings"].items() if name != "total"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--engine", default="local", choices=("local", "dask"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for corpus in args.corpora:
        floors, runs = [], []
        for _ in range(args.runs):
            floors.append(floor_seconds(corpus))
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(build_run(corpus, Path(tmp) / "out", args.engine, args.workers))
        floor = statistics.median(floors)
        figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"{corpus.name}: {figures['articles']:,.0f} articles, load average {os.getloadavg()[0]:.1f}, engine {args.engine}")
        print(f"  floor {floor:.1f} s; build {figures['wall']:.1f} s = {figures['wall'] / floor:.2f}x the floor; "
              f"CPU {figures['cpu']:.1f} s, CPU/wall {figures['cpu'] / figures['wall']:.2f}; "
              f"peak memory of the largest process {figures['peak_mb']:,.0f} MB")
        print("  stages (s): " + ", ".join(f"{key[6:]} {value:.1f}" for key, value in figures.items() if key.startswith("stage ")))


if __name__ == "__main__":
    main()
