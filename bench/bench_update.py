"""Benchmark: adding stories to a build with --update, against the full build.

Usage: python bench/bench_update.py [--add 100] [--stories 18931]
Holds the latest `--add` stories of a scale corpus (bench/make_scale_corpus.py; by default the
18,931 KCNA 2011-2012 stories themselves) out, builds the rest in full (timed), adds the held-out
stories with `update` (timed), and prints both times, their ratio (target: at most 10%), the
update's stage times, the CPU seconds of both (this process and its workers, sampled with psutil:
steadier than wall time on a busy machine), the load average, and how often the saved topic model
gives an article the dominant topic the full fit gave it (re-assigning the built articles themselves).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import store  # noqa: E402
from pipeline.build import BuildOptions, build  # noqa: E402
from pipeline.state import read_term_counts  # noqa: E402
from pipeline.topic_model import assign  # noqa: E402
from pipeline.update import update  # noqa: E402


class FamilyCpu:
    """CPU seconds of this process and its descendants while the block runs.

    Forkserver workers are grandchildren, whose usage never reaches RUSAGE_CHILDREN: the known
    processes are sampled every `every` seconds (one /proc read each), so up to that much of one
    that ends may be missed, and new ones looked for every `look_every` seconds (that reads every
    process of the machine: at the sampling rate it took a fair share of a core from what it measured).
    """

    def __init__(self, every: float = 0.01, look_every: float = 0.2) -> None:
        self.every, self.look_every, self.seconds = every, look_every, 0.0
        self._me = psutil.Process()
        self._processes: dict[int, psutil.Process] = {}
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._run, daemon=True)

    def _look(self) -> None:
        for process in [self._me, *self._me.children(recursive=True)]:
            self._processes.setdefault(process.pid, process)

    def _sample(self) -> dict[int, float]:
        found = {}
        for pid, process in list(self._processes.items()):
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                del self._processes[pid]
                continue
            found[pid] = times.user + times.system
        return found

    def _run(self) -> None:
        looked = time.perf_counter()
        while not self._stop.wait(self.every):
            if time.perf_counter() - looked >= self.look_every:
                self._look()
                looked = time.perf_counter()
            self._last.update(self._sample())

    def __enter__(self) -> "FamilyCpu":
        self._look()
        self._first = self._sample()
        self._sampler.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._stop.set()
        self._sampler.join()
        self._look()
        self._last.update(self._sample())
        self.seconds = sum(seconds - self._first.get(pid, 0.0) for pid, seconds in self._last.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--add", type=int, default=100)
    parser.add_argument("--stories", type=int, default=18_931)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "base.jsonl.gz"
        subprocess.run([sys.executable, str(REPO / "bench" / "make_scale_corpus.py"), "--stories", str(args.stories),
                        "--hold-out", str(args.add), "--out", str(corpus)], check=True)
        out = Path(tmp) / "build"
        load = os.getloadavg()[0]
        started = time.perf_counter()
        with FamilyCpu() as full_cpu:
            build([corpus], out, BuildOptions())
        full = time.perf_counter() - started
        started = time.perf_counter()
        with FamilyCpu() as update_cpu:
            report = update([Path(tmp) / "base-new.jsonl.gz"], out, BuildOptions(), refit_topics=False)
        added = time.perf_counter() - started
        print(f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"full build of {args.stories - args.add:,} stories: {full:.1f} s, CPU {full_cpu.seconds:.1f} s")
        print(f"update adding {report.added['added']:,} stories: {added:.2f} s = {added / full:.1%} of the full build "
              f"(stages: {', '.join(f'{k} {v}' for k, v in report.manifest['timings'].items())})")
        print(f"  CPU {update_cpu.seconds:.2f} s = {update_cpu.seconds / full_cpu.seconds:.1%} of the full build's")
        ids, counts = read_term_counts(out)
        articles = store.read_table(out, "articles", ["article_id", "topic_id"]).set_index("article_id")["topic_id"]
        fitted_on = store.read_manifest(out)["topics_fitted_on"]
        _, dominant = assign(store.read_table(out, "topic_model"), counts.counts[:fitted_on], counts.vocabulary, ids[:fitted_on])
        agree = (dominant == articles.loc[dominant.index]).mean()
        print(f"saved topic model re-assigning the {fitted_on:,} fitted articles: same dominant topic for {agree:.1%}")


if __name__ == "__main__":
    main()
