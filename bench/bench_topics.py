"""Benchmark: topics on the real corpora, with what the subject rules remove and how stable the topics are.

Usage: python bench/bench_topics.py [--corpus whitehouse|kcna2024|stories|headlines ...] [--build-budget] [--check-sampling]
Per corpus (read through the pipeline's own ingest, as a build reads it): the terms the
domain stop-list and the even-spread rule leave out, the coherence of every k tried and the
stability (mean best-match Jaccard of the top 10 terms across 3 seeds) of the best ones,
then every topic with its share of the articles (dominant topic), coherence, label and top
terms, and the wall and CPU time of `fit_topics`. `--build-budget` times a full build of the
18,931 KCNA stories against the floor the issue sets: reading the file plus a
CountVectorizer(ngram_range=(1, 2), min_df=2) on the same texts, measured in the same run.
`--check-sampling` checks the shortcuts of the build on each corpus: the build's final fit (20
iterations from the k search's fit of k) against a tight one from NNDSVDa (400 iterations,
tolerance 1e-4: top-10 term Jaccard and CPU time), and the build's stability figure (3 subsamples of 80% of one sample of
about 400,000 document-term entries) against 3 subsamples of 80% of the whole corpus.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.build import BuildOptions, build  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.terms import count_terms, term_texts  # noqa: E402
from pipeline import topics  # noqa: E402
from pipeline.topics import fit_topics  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
FILES = {
    "whitehouse": "whitehouse_nk_2021_2026.jsonl.gz",
    "kcna2024": "kcna_2024.jsonl.gz",
    "stories": "kcna_2011_2012.jsonl.gz",
    "headlines": "kcna_headlines_1997_2014.csv.gz",
}


def load(name: str) -> pd.DataFrame:
    """The corpus' ingested articles: article_id, date, source, title, text."""
    articles = ingest([CORPUS / FILES[name]]).articles
    return pd.DataFrame(
        {
            "article_id": [a.article_id for a in articles],
            "date": pd.to_datetime([a.date for a in articles]),
            "source": [a.source for a in articles],
            "title": [a.title for a in articles],
            "text": [a.text for a in articles],
        }
    )


def bench(name: str) -> None:
    articles = load(name)
    texts = term_texts(articles["title"].tolist(), articles["text"].tolist())
    print(f"\n{name}: {len(articles):,} articles, load average {os.getloadavg()[0]:.1f}", flush=True)
    started, started_cpu = time.perf_counter(), time.process_time()
    model = fit_topics(articles["article_id"].tolist(), texts, dates=articles["date"], sources=articles["source"])
    wall, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    vocabulary = model.vocabulary
    print(f"  fit_topics {wall:.1f} s (CPU {cpu:.1f} s), k={len(model.topics)}")
    print(f"  vocabulary: {vocabulary['terms']:,} terms counted; stop-list removes {vocabulary['stop_listed']:,}, "
          f"even spread removes {vocabulary['evenly_spread']:,} (most common: {', '.join(vocabulary['evenly_spread_examples'][:12])}); "
          f"{vocabulary.get('kept', 0):,} kept")
    print("  k: coherence (stability): " + ", ".join(
        f"{row.k}:{row.score:.3f}" + ("" if pd.isna(row.stability) else f" ({row.stability:.2f})") for row in model.selection.itertuples()))
    print(f"  stability of the fitted k: {model.stability['jaccard']} (target {model.stability['target']})")
    dominant_share = model.topics["n_articles"] / len(articles)
    weighted = (model.topics["coherence"] * model.topics["n_articles"]).sum() / max(model.topics["n_articles"].sum(), 1)
    print(f"  coherence of the fitted model (size-weighted NPMI): {weighted:.3f}")
    for topic, share in zip(model.topics.itertuples(), dominant_share):
        print(f"   {topic.topic_id:2d} {share:6.1%} {topic.coherence:+.2f} | {topic.label} | {', '.join(topic.terms)}")


def check_sampling(name: str) -> None:
    """The build's loose final fit against a tight one, and its sample stability against whole-corpus subsamples."""
    import warnings
    from itertools import combinations

    from sklearn.decomposition import NMF
    from threadpoolctl import threadpool_limits

    articles = load(name)
    texts = term_texts(articles["title"].tolist(), articles["text"].tolist())
    model = fit_topics(articles["article_id"].tolist(), texts, dates=articles["date"], sources=articles["source"])
    matrix, _, _ = topics._tfidf(count_terms(texts), articles["date"], articles["source"], topics.load_topic_stoplist())
    k = model.stability["k"]
    tops = lambda components: [set(row.tolist()) for row in topics._top_columns(components, topics.TOP_TERMS)]  # noqa: E731
    start = topics._Samples(matrix, model.stability["seeds"]).start(k)  # the k search's fit of k, as the build has it
    started = time.process_time()
    _, loose = topics._nmf(matrix, k, 0, start)
    loose_cpu, started = time.process_time() - started, time.process_time()
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.simplefilter("ignore")
        tight = NMF(n_components=k, init="nndsvda", random_state=0, max_iter=400, tol=1e-4).fit(matrix).components_
    tight_cpu = time.process_time() - started
    print(f"\n{name}: k={k}; final fit (from the k search's fit, {topics._WARM_ITER} iterations) {loose_cpu:.1f} s CPU, "
          f"tight from NNDSVDa {tight_cpu:.1f} s CPU, top-10 Jaccard build vs tight {topics.best_match_jaccard(tops(loose), tops(tight)):.2f}")
    size = int(topics._STABILITY_FRACTION * matrix.shape[0])
    runs = [tops(topics._nmf(matrix[topics._sample_rows(matrix.shape[0], size, seed)], k, seed)[1]) for seed in model.stability["seeds"]]
    whole = sum(topics.best_match_jaccard(a, b) for a, b in combinations(runs, 2)) / 3
    print(f"  stability at k={k}: build (80% subsamples of a sample) {model.stability['jaccard']}, "
          f"80% subsamples of the whole corpus {whole:.3f}")


def build_budget() -> None:
    """A full build of the KCNA stories against reading + CountVectorizer(1-2 grams, min_df=2) on the same texts.

    Wall time is what the budget is about, but it swings with whatever else runs on the machine;
    the CPU time of this process does not, so it is printed too. It leaves out the build's worker
    processes (the per-article analysis and term counting), which stay alive for reuse and so are
    never counted as finished children.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    source = CORPUS / FILES["stories"]
    started, started_cpu = time.perf_counter(), time.process_time()
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    CountVectorizer(ngram_range=(1, 2), min_df=2).fit_transform([f"{r['title'] or ''}\n{r['body']}" for r in records])
    floor, floor_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    with tempfile.TemporaryDirectory() as folder:
        started, started_cpu = time.perf_counter(), time.process_time()
        report = build([source], Path(folder) / "out", BuildOptions())
        total, total_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    timings = report.manifest["timings"]
    print(f"\nload average {os.getloadavg()[0]:.1f}; build budget, {report.manifest['ingested']:,} stories: floor (read + CountVectorizer) {floor:.1f} s, "
          f"full build {total:.1f} s = {total / floor:.2f}x the floor (budget 3x); "
          "stages " + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds in timings.items()))
    print(f"CPU time of this process: floor {floor_cpu:.1f} s, build {total_cpu:.1f} s without its workers "
          "(ingest, topics, keywords, writing)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=sorted(FILES), action="append")
    parser.add_argument("--build-budget", action="store_true")
    parser.add_argument("--check-sampling", action="store_true")
    args = parser.parse_args()
    for name in args.corpus or ([] if args.build_budget else list(FILES)):  # --build-budget alone times the build only
        check_sampling(name) if args.check_sampling else bench(name)
    if args.build_budget:
        build_budget()


if __name__ == "__main__":
    main()
