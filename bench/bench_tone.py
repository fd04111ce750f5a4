"""Benchmark: tone quality against human judgement and tone speed.

Usage: python bench/bench_tone.py [--runs N] [--sentences N]
Prints
- Pearson r with the NYT editorial ratings (Hutto & Gilbert 2014) on the fixed held-out
  30 % (ids hashed by `is_held_out`), for our tone and for plain vaderSentiment;
- sign accuracy on the project's labelled diplomacy sentences (tests/data), both scorers;
- sentences per second on NYT + KCNA sentences (median over runs, a fresh scorer per run
  so no run profits from an earlier one's cache), for our tone, our tone plus the
  explanation the build stores, our plain-VADER mode, and vaderSentiment itself.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from pipeline.text import normalize_text, split_sentences  # noqa: E402
from pipeline.tone import ToneScorer, is_held_out, read_ratings, tone_class  # noqa: E402

SHARED = REPO.parent / "shared"
NYT_RATINGS = SHARED / "benchmarks" / "nyt_editorial_sentences_ratings.tsv"
KCNA = SHARED / "corpus" / "kcna_2011_2012.jsonl.gz"
DIPLOMACY_SENTENCES = REPO / "tests" / "data" / "diplomacy_sentences.csv"


def _kcna_sentences(limit: int) -> list[str]:
    """The first `limit` sentences of the KCNA scale corpus, split as the build splits them."""
    sentences: list[str] = []
    with gzip.open(KCNA, "rt", encoding="utf-8") as lines:
        for line in lines:
            sentences.extend(split_sentences(normalize_text(json.loads(line)["body"])))
            if len(sentences) >= limit:
                break
    return sentences[:limit]


def _sign_accuracy(scores: Sequence[float], labels: Sequence[int]) -> float:
    return float(np.mean([tone_class(score) == label for score, label in zip(scores, labels)]))


def _median_rate(work: Callable[[], object], n_items: int, runs: int) -> float:
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        durations.append(time.perf_counter() - started)
    return n_items / statistics.median(durations)


def _score_and_explain(sentences: Sequence[str]) -> None:
    """What a build does per sentence: a score, and the explanation when it is not zero."""
    scorer = ToneScorer()
    for sentence, score in zip(sentences, scorer.score_many(sentences)):
        if score:
            scorer.explain(sentence)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=20_000)
    args = parser.parse_args()
    vader = SentimentIntensityAnalyzer()
    domain = ToneScorer()

    nyt = read_ratings(NYT_RATINGS)
    held_out = nyt[nyt["id"].map(is_held_out)]
    r_ours = np.corrcoef(domain.score_many(held_out["sentence"]), held_out["rating"])[0, 1]
    r_vader = np.corrcoef([vader.polarity_scores(s)["compound"] for s in held_out["sentence"]], held_out["rating"])[0, 1]
    print(f"NYT editorial ratings, held-out 30 % (n = {len(held_out):,} of {len(nyt):,}): ", end="")
    print(f"Pearson r ours {r_ours:.3f}, plain VADER {r_vader:.3f}")

    diplomacy = pd.read_csv(DIPLOMACY_SENTENCES)
    for name, rows in [("all", diplomacy), ("held-out part", diplomacy[diplomacy["id"].map(is_held_out)])]:
        ours = _sign_accuracy(domain.score_many(rows["sentence"]), rows["label"])
        reference = _sign_accuracy([vader.polarity_scores(s)["compound"] for s in rows["sentence"]], rows["label"])
        print(f"Diplomacy sentences, {name} (n = {len(rows)}): sign accuracy ours {ours:.1%}, plain VADER {reference:.1%}")

    sentences = (nyt["sentence"].tolist() + _kcna_sentences(args.sentences))[: args.sentences]
    print(f"Speed on {len(sentences):,} NYT + KCNA sentences ({len(set(sentences)):,} distinct), median of {args.runs} runs, one core:")
    rates = {
        "ours (score_many)": _median_rate(lambda: ToneScorer().score_many(sentences), len(sentences), args.runs),
        "ours (score + explain, as the build)": _median_rate(lambda: _score_and_explain(sentences), len(sentences), args.runs),
        "ours, plain VADER lexicon": _median_rate(lambda: ToneScorer(lexicon_path=None).score_many(sentences), len(sentences), args.runs),
        "vaderSentiment polarity_scores": _median_rate(lambda: [vader.polarity_scores(s) for s in sentences], len(sentences), args.runs),
    }
    for name, rate in rates.items():
        print(f"  {name:40s} {rate:10,.0f} sentences/s")


if __name__ == "__main__":
    main()
