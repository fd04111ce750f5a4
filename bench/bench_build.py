"""Benchmark: a full build of a corpus against the issue's floor, with CPU/wall and peak memory.

Usage: python bench/bench_build.py [corpus-file ...] [--together] [--runs N] [--engine local|dask] [--workers N]

Each corpus file is built on its own; with `--together`, all of them make one build (a million
stories come as two files, each under the build's 1 GiB-per-file cap: bench/make_scale_corpus.py
--parts). Per corpus and run, in the same run: the floor (reading the file plus
CountVectorizer(ngram_range=(1, 2), min_df=2) on the same texts, issue 14) and a full build
with `python -m pipeline build` in a child process. Prints the build's wall time, its ratio to
the floor (target at most 3x), CPU time of the build and all its workers (sampled with
psutil), CPU/wall (target at least 1.7 on 2 idle cores), the
peak resident memory of the largest process (target at most 1.5 GB at 100k stories, 4 GB at 1M),
of the build process and of the largest worker, and the stage times from the manifest. The load average is printed: figures on a busy machine are
not the idle machine's. Scale corpora: bench/make_scale_corpus.py.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
DEFAULT_CORPORA = [SHARED / "kcna_2011_2012.jsonl.gz"]


def floor_seconds(corpora: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds to read JSON Lines corpora and CountVectorizer(1-2 grams, min_df=2) their title + body texts."""
    from sklearn.feature_extraction.text import CountVectorizer

    started, cpu_started = time.perf_counter(), time.process_time()
    records = []
    for corpus in corpora:
        opener = gzip.open if corpus.suffix == ".gz" else open
        with opener(corpus, "rt", encoding="utf-8") as handle:
            records += [json.loads(line) for line in handle if line.strip()]
    CountVectorizer(ngram_range=(1, 2), min_df=2).fit_transform([f"{r.get('title') or ''}\n{r.get('body') or ''}" for r in records])
    return time.perf_counter() - started, time.process_time() - cpu_started


def build_run(corpora: list[Path], out: Path, engine: str, workers: int, trace: Path | None = None) -> dict[str, float]:
    """Wall, CPU and peak memory of one build of `corpora` in a child process and all its descendants (sampled every 0.2 s).

    Sampled with psutil: forkserver workers are grandchildren, whose resource usage never reaches
    RUSAGE_CHILDREN. CPU is each process' last sample, so up to 0.2 s per process may be missed. With `trace`,
    every sample is appended to that file as "seconds pid build|worker MB", to see which stage holds the peak.
    """
    import psutil

    started = time.perf_counter()
    child = psutil.Popen(
        [sys.executable, "-m", "pipeline", "build", *(f"--input={corpus}" for corpus in corpora), "--out", str(out), "--quiet",
         "--engine", engine, "--workers", str(workers)],
        cwd=REPO, stdout=subprocess.DEVNULL,
    )
    cpu: dict[int, float] = {}
    peak, build_peak = 0, 0
    log = open(trace, "a", encoding="utf-8") if trace else None  # noqa: SIM115 - closed below
    while child.poll() is None:
        try:
            family = [child, *child.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for process in family:
            try:
                with process.oneshot():
                    times = process.cpu_times()
                    cpu[process.pid] = times.user + times.system
                    rss = process.memory_info().rss
                    peak = max(peak, rss)
                    if process.pid == child.pid:
                        build_peak = max(build_peak, rss)
                    if log:
                        log.write(f"{time.perf_counter() - started:.1f} {process.pid} {'build' if process.pid == child.pid else 'worker'} {rss / 2**20:.0f}\n")
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if log:
        log.close()
    if child.returncode:
        raise SystemExit(f"the build failed (exit {child.returncode})")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": sum(cpu.values()), "peak_mb": peak / 2**20, "build_peak_mb": build_peak / 2**20,
            "articles": manifest["ingested"], **{
        f"stage {name}": seconds for name, seconds in manifest["timings"].items() if name != "total"}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="*", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--together", action="store_true", help="build all the corpus files as one corpus")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor (at 1M its CountVectorizer alone needs many GB)")
    parser.add_argument("--trace", type=Path, help="append every memory sample to this file (seconds, pid, process, MB)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--engine", default="local", choices=("local", "dask"))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for corpora in [args.corpora] if args.together else [[corpus] for corpus in args.corpora]:
        floors, floor_cpus, runs = [], [], []
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            if not args.no_floor:
                floor_wall, floor_cpu = floor_seconds(corpora)
                floors.append(floor_wall)
                floor_cpus.append(floor_cpu)
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(build_run(corpora, Path(tmp) / "out", args.engine, args.workers, args.trace))
        figures = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(f"{' + '.join(corpus.name for corpus in corpora)}: {figures['articles']:,.0f} articles, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
              f"engine {args.engine}")
        if floors:
            floor, floor_cpu = statistics.median(floors), statistics.median(floor_cpus)
            print(f"  floor {floor:.1f} s ({floor_cpu:.1f} s CPU); build = {figures['wall'] / floor:.2f}x the floor "
                  f"(CPU {figures['cpu'] / floor_cpu:.2f}x the floor's CPU)")
        print(f"  build {figures['wall']:.1f} s, CPU {figures['cpu']:.1f} s, CPU/wall {figures['cpu'] / figures['wall']:.2f}; "
              f"peak memory of the largest process {figures['peak_mb']:,.0f} MB (build process {figures['build_peak_mb']:,.0f} MB)")
        print("  stages (s): " + ", ".join(f"{key[6:]} {value:.1f}" for key, value in figures.items() if key.startswith("stage ")))

if __name__ == "__main__":
    main()
