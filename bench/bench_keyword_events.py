"""Benchmark: do emerging terms find the events of the public record? And the issue-12 figures.

Usage: python bench/bench_keyword_events.py [--corpus FILE ...] [--budget] [--sweep]

For each corpus named in data/labels/keyword_events.csv, the keyword stage of a build is run
on the shared corpus (ingest with the real clean-up, `term_texts`, `monthly_keywords`), and for
each event it prints the best rank of any expected term in its month, among plain terms or
among people (whichever list the term belongs to), under both emergence modes (against the 6
months before, against the whole corpus). Target: each in its month's top 10.
Also printed: glued names repaired in kcna_2024 and glued-name fragments left among its terms,
Kim Jong Un's rank in the month his name first floods the 2011-2012 stories, and how many demo
months have a top emerging term resting on a single article. `--budget` times a full build of
the 18,931 stories against the floor (reading + CountVectorizer(ngram_range=(1, 2), min_df=2)).
`--sweep` counts the events in their month's top 10 for other weights of the prior and other
window lengths, on two halves of the events: the tuning half (rows 1, 3, 5, ... of the events
file) to choose a setting on, and the held-out half (rows 2, 4, ...) to report it on.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.build import BuildOptions, build  # noqa: E402
from pipeline.glued import repair_glued_names  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.keywords import PRIOR_SCALE, WINDOW_MONTHS, gazetteer_actor_terms, monthly_keywords, rank_emerging  # noqa: E402
from pipeline.terms import as_term, clear_count_cache, term_texts  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
EVENTS = REPO / "data" / "labels" / "keyword_events.csv"
MODES = {"score_window": "6 months before", "score": "whole corpus"}
ACTOR_TERMS = gazetteer_actor_terms()
FRAGMENTS = ("comradekim", "presidentkim", "chairmankim", "secretarykim", "marshalkim", "sungand", "ofkim", "tokim", "bykim")


def keyword_table(paths: list[Path]) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """(articles with their term text, monthly keywords, seconds) for the inputs, as a build counts them."""
    start = time.perf_counter()
    result = ingest(paths)
    articles = pd.DataFrame(
        {
            "article_id": [a.article_id for a in result.articles],
            "date": pd.to_datetime([a.date for a in result.articles]).astype("datetime64[ns]"),
            "title": [a.title for a in result.articles],
            "text": [a.text for a in result.articles],
        }
    )
    articles["term_text"] = term_texts(articles["title"].tolist(), articles["text"].tolist())
    clear_count_cache()
    keywords = monthly_keywords(articles[["article_id", "date"]].assign(text=articles["term_text"]))
    return articles, keywords, time.perf_counter() - start


def best_rank(keywords: pd.DataFrame, month: pd.Timestamp, expected: list[str], score: str) -> tuple[int | None, str, str]:
    """(rank, term, list) of the best-ranked expected term in the month; rank None when none is listed."""
    best: tuple[int | None, str, str] = (None, "", "")
    for actors, kind in ((False, "terms"), (True, "people")):
        ranked = rank_emerging(keywords[keywords["period"] == month], score, actors)
        for term in expected:
            # A person's row stands for all the ways of naming them ("president putin" for "putin").
            hit = ranked.loc[ranked["actor"] == (ACTOR_TERMS.get(term) or term), "rank"] if actors else ranked.loc[ranked["term"] == term, "rank"]
            if len(hit) and (best[0] is None or int(hit.iloc[0]) < best[0]):
                best = (int(hit.iloc[0]), term, kind)
    return best


def events_report(events: list[dict[str, str]], keywords: pd.DataFrame) -> list[tuple[str, dict[str, tuple]]]:
    rows = []
    for event in events:
        month = pd.Timestamp(f"{event['month']}-01")
        expected = [as_term(term) for term in event["expected_terms"].split(";")]
        rows.append((event["event_id"], {score: best_rank(keywords, month, expected, score) for score in MODES}))
    return rows


def glued_figures() -> None:
    with gzip.open(CORPUS / "kcna_2024.jsonl.gz", "rt", encoding="utf-8") as lines:
        bodies = [json.loads(line)["body"] for line in lines]
    repaired = sum(repair_glued_names(body) != body for body in bodies)
    print(f"kcna_2024: glued names repaired in {repaired:,} of {len(bodies):,} articles")


def leader_arrival(keywords: pd.DataFrame) -> None:
    name = keywords[keywords["term"] == "kim-jong-un"].set_index("period")
    if name.empty:
        print("kim-jong-un: not in the table")
        return
    # The month it floods in: most articles relative to its monthly average over the 6 months before.
    month = (name["docs"] / (name["window_docs"] / 6 + 1)).idxmax()
    for score, label in MODES.items():
        people = rank_emerging(keywords[keywords["period"] == month], score, actors=True)
        rank = people.loc[people["actor"] == "kim-jong-un", "rank"]
        print(f"kim-jong-un in {month:%Y-%m} ({int(name.loc[month, 'docs'])} articles, {int(name.loc[month, 'window_docs'])} in the "
              f"6 months before): rank {int(rank.iloc[0]) if len(rank) else 'not listed'} among people against the {label}")


def demo_single_article_months() -> None:
    _, keywords, _ = keyword_table([REPO / "data" / "demo"])
    for score, label in MODES.items():
        top = rank_emerging(keywords, score)
        top = top[top["rank"] == 1]
        print(f"demo: {int((top['docs'] < 2).sum())} of {len(top)} months have a top emerging term ({label}) in a single article")


SWEEP = [(scale, WINDOW_MONTHS) for scale in (0.01, 0.03, 0.1, 0.3, 1.0)] + [(PRIOR_SCALE, window) for window in (3, 9, 12)]


def sweep(events: list[dict[str, str]]) -> None:
    """Events in their month's top 10 per (prior weight, window), on the tuning and the held-out half."""
    corpora = list(dict.fromkeys(event["corpus_file"] for event in events))
    ranks: dict[tuple[float, int], dict[str, dict[str, tuple]]] = {setting: {} for setting in SWEEP}
    for corpus in corpora:
        articles, _, _ = keyword_table([CORPUS / corpus])  # leaves the corpus' term counts cached for the settings below
        texts = articles[["article_id", "date"]].assign(text=articles["term_text"])
        for scale, window in SWEEP:
            keywords = monthly_keywords(texts, window=window, prior_scale=scale)
            ranks[scale, window].update(events_report([e for e in events if e["corpus_file"] == corpus], keywords))
    print("\nsweep: events in the top 10 (tuning half: rows 1, 3, ...; held-out half: rows 2, 4, ...)")
    for (scale, window), found in ranks.items():
        cells = []
        for score, label in (("score_window", "against the window"), ("score", "against the whole corpus")):
            hits = [found[event["event_id"]][score][0] is not None and found[event["event_id"]][score][0] <= 10 for event in events]
            cells.append(f"{label}: {sum(hits)} of {len(hits)} (tuning {sum(hits[0::2])} of {len(hits[0::2])}, "
                         f"held-out {sum(hits[1::2])} of {len(hits[1::2])})")
        print(f"  prior {scale:<4} window {window:>2} months | " + " | ".join(cells))


def build_budget() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    path = CORPUS / "kcna_2011_2012.jsonl.gz"
    start = time.perf_counter()
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    CountVectorizer(ngram_range=(1, 2), min_df=2).fit_transform([f"{r['title'] or ''}\n{r['body']}" for r in records])
    floor = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        build([path], Path(scratch) / "build", BuildOptions(workers=2))
        full = time.perf_counter() - start
    print(f"build budget: full build {full:.1f} s, floor {floor:.1f} s, ratio {full / floor:.2f} (budget 3.0)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", help="only events of this corpus file (repeatable)")
    parser.add_argument("--budget", action="store_true", help="also time a full build of the 18,931 stories against the floor")
    parser.add_argument("--sweep", action="store_true", help="only the prior weight and window sweep on the two halves of the events")
    args = parser.parse_args()
    with EVENTS.open(encoding="utf-8", newline="") as handle:
        events = list(csv.DictReader(handle))
    if args.sweep:
        sweep(events)
        return
    corpora = list(dict.fromkeys(event["corpus_file"] for event in events))
    hits = {score: 0 for score in MODES}
    counted = 0
    for corpus in args.corpus or corpora:
        articles, keywords, seconds = keyword_table([CORPUS / corpus])
        print(f"\n{corpus}: {len(articles):,} articles, keyword stage {seconds:.1f} s, {len(keywords):,} rows")
        if corpus == "kcna_2024.jsonl.gz":
            terms = set(keywords["term"])
            left = sorted(term for term in terms if any(fragment in term.split(" ") for fragment in FRAGMENTS))
            print(f"  glued-name fragments among its listed terms: {len(left)} {left}")
        if corpus == "kcna_2011_2012.jsonl.gz":
            leader_arrival(keywords)
        for event_id, ranks in events_report([e for e in events if e["corpus_file"] == corpus], keywords):
            counted += 1
            cells = []
            for score, (rank, term, kind) in ranks.items():
                hits[score] += rank is not None and rank <= 10
                cells.append(f"{MODES[score]}: " + (f"{rank:>3} ({term}, {kind})" if rank else "not listed"))
            print(f"  {event_id:<26} " + " | ".join(cells))
    print("\nin the top 10: " + ", ".join(f"{hits[score]} of {counted} against the {label}" for score, label in MODES.items()))
    glued_figures()
    demo_single_article_months()
    if args.budget:
        build_budget()


if __name__ == "__main__":
    main()
