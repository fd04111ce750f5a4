"""Benchmark: adding stories to a build with --update, against the full build.

Usage: python bench/bench_update.py [--add 100] [--stories 18931]
Holds the latest `--add` stories of a scale corpus (bench/make_scale_corpus.py; by default the
18,931 KCNA 2011-2012 stories themselves) out, builds the rest in full (timed), adds the held-out
stories with `update` (timed), and prints both times, their ratio (target: at most 10%), the
update's stage times, and how often the saved topic model gives an article the dominant topic
the full fit gave it (re-assigning the built articles themselves).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import store  # noqa: E402
from pipeline.build import BuildOptions, build  # noqa: E402
from pipeline.state import read_term_counts  # noqa: E402
from pipeline.topic_model import assign  # noqa: E402
from pipeline.update import update  # noqa: E402


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
        started = time.perf_counter()
        build([corpus], out, BuildOptions())
        full = time.perf_counter() - started
        started = time.perf_counter()
        report = update([Path(tmp) / "base-new.jsonl.gz"], out, BuildOptions(), refit_topics=False)
        added = time.perf_counter() - started
        print(f"full build of {args.stories - args.add:,} stories: {full:.1f} s")
        print(f"update adding {report.added['added']:,} stories: {added:.2f} s = {added / full:.1%} of the full build "
              f"(stages: {', '.join(f'{k} {v}' for k, v in report.manifest['timings'].items())})")
        ids, counts = read_term_counts(out)
        articles = store.read_table(out, "articles", ["article_id", "topic_id"]).set_index("article_id")["topic_id"]
        fitted_on = store.read_manifest(out)["topics_fitted_on"]
        _, dominant = assign(store.read_table(out, "topic_model"), counts.counts[:fitted_on], counts.vocabulary, ids[:fitted_on])
        agree = (dominant == articles.loc[dominant.index]).mean()
        print(f"saved topic model re-assigning the {fitted_on:,} fitted articles: same dominant topic for {agree:.1%}")


if __name__ == "__main__":
    main()
