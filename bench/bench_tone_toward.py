"""Benchmark: tone toward each leader (pipeline.stance) against the whole-sentence baseline.

Usage: python bench/bench_tone_toward.py [--labels data/labels/tone_toward_actors.csv] [--show-misses]

The labelled set (data/labels/README.md) references sentences of ../shared/corpus/ and gives, for
every leader a sentence names, how the sentence treats that leader (+1, 0, -1). The text is
re-extracted here at run time. Each labelled span is scored directly (its spans do not line up
with the pipeline's sentences, see the README): the span is normalised as ingest normalises
text, its mentions are found by the pipeline's ActorMatcher with the article's earlier text as
context (bare surnames need it) and the record's date, and `tone_toward` shares its words out.
A labelled leader the matcher does not find in the span gets the sentence tone from both
methods (the count is printed), so the comparison is about the rule, not the matcher.

Prints, for all rows and for rows not marked doubtful (a sentence is "treated differently" when
its remaining rows carry at least two labels):
- 3-class sign accuracy (tone_class of the score = label) of the rule and of the baseline
  (every leader gets the sentence tone), on every row and on the "treated differently" rows;
- pair ordering on the "treated differently" sentences: for every two leaders with different
  labels, is the one labelled higher scored strictly higher? The baseline ties every pair.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_actor_eval import CORPUS, item_text, load_records  # noqa: E402

from pipeline.actors import ActorMatcher, load_gazetteer  # noqa: E402
from pipeline.stance import tone_toward  # noqa: E402
from pipeline.text import normalize_text, split_sentences  # noqa: E402
from pipeline.tone import ToneScorer, tone_class  # noqa: E402

LABELS = REPO / "data" / "labels" / "tone_toward_actors.csv"


def score_items(labels: pd.DataFrame, corpus_dir: Path = CORPUS) -> pd.DataFrame:
    """The labels with `sentence` (whole-sentence tone), `toward` (the rule) and `found` (the matcher saw the leader)."""
    matcher, scorer = ActorMatcher(load_gazetteer()), ToneScorer()
    scored = []
    for _, rows in labels.groupby("item_id", sort=False):
        first = rows.iloc[0]
        text = normalize_text(item_text(corpus_dir, first["file"], int(first["row"]), first["field"], int(first["start"]), int(first["end"])))
        body = load_records(corpus_dir, first["file"])[int(first["row"])].body
        before = split_sentences(normalize_text(body[: int(first["start"])]))
        mentions = matcher.match_article_spans([*before, text], pd.Timestamp(first["date"]).date())[-1]
        toward = dict(zip((m.actor_id for m in mentions), tone_toward(text, mentions, scorer)))
        sentence = scorer.score(text)
        for _, row in rows.iterrows():
            found = row["actor_id"] in toward
            scored.append({**row.to_dict(), "sentence": sentence, "toward": toward.get(row["actor_id"], sentence), "found": found})
    return pd.DataFrame(scored)


def differently_treated(scored: pd.DataFrame) -> pd.Series:
    """Per row: does its sentence give at least two different labels (among the rows present)?"""
    return scored.groupby("item_id")["tone_toward"].transform("nunique") > 1


def sign_accuracy(scores: pd.Series, labels: pd.Series) -> float:
    """Share of rows whose 3-class sign (neutral band as for sentences) equals the label."""
    return float((scores.map(tone_class) == labels).mean()) if len(labels) else float("nan")


def pair_ordering(scored: pd.DataFrame, column: str) -> tuple[int, int, int]:
    """(pairs, ordered right, tied) over every two rows of one sentence with different labels."""
    pairs = right = ties = 0
    for _, rows in scored.groupby("item_id"):
        for (_, a), (_, b) in combinations(rows.iterrows(), 2):
            if a["tone_toward"] == b["tone_toward"]:
                continue
            pairs += 1
            high, low = (a, b) if a["tone_toward"] > b["tone_toward"] else (b, a)
            right += high[column] > low[column]
            ties += high[column] == low[column]
    return pairs, right, ties


def report(scored: pd.DataFrame, title: str) -> None:
    different = differently_treated(scored)
    n_sentences = scored["item_id"].nunique()
    n_different = scored.loc[different, "item_id"].nunique()
    print(f"{title}: {len(scored)} rows in {n_sentences} sentences, {n_different} sentences treat leaders differently "
          f"({int((~scored['found']).sum())} labelled leaders not found by the matcher: sentence tone for both)")
    for name, column in (("rule (tone toward)", "toward"), ("baseline (sentence)", "sentence")):
        every = sign_accuracy(scored[column], scored["tone_toward"])
        subset = sign_accuracy(scored.loc[different, column], scored.loc[different, "tone_toward"])
        pairs, right, ties = pair_ordering(scored.loc[different], column)
        print(f"  {name:21s} sign accuracy all rows {every:6.1%} | 'different' rows {subset:6.1%} | "
              f"pairs ordered right {right}/{pairs} = {right / pairs if pairs else float('nan'):6.1%} (ties {ties})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--show-misses", action="store_true", help="per corpus and label, how often the rule's sign is wrong")
    args = parser.parse_args()
    labels = pd.read_csv(args.labels, keep_default_na=False, dtype={"note": str})
    scored = score_items(labels)
    report(scored, "All rows")
    report(scored.loc[scored["doubtful"].astype(int) == 0], "Without doubtful rows")
    if args.show_misses:
        wrong: dict[tuple[str, int], int] = defaultdict(int)
        for row in scored.itertuples():
            if tone_class(row.toward) != row.tone_toward:
                wrong[(row.file.split(".")[0], row.tone_toward)] += 1
        for (corpus, label), count in sorted(wrong.items()):
            print(f"  wrong sign: {corpus} label {label:+d}: {count}")


if __name__ == "__main__":
    main()
