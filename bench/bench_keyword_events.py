"""Benchmark: do emerging terms find the events of the public record? And the issue-12 figures.

Usage: python bench/bench_keyword_events.py [--corpus FILE ...] [--budget] [--sweep] [--form-joins]

For each corpus named in data/labels/keyword_events.csv, the keyword stage of a build is run
on the shared corpus (ingest with the real clean-up, `term_texts`, `monthly_keywords`), and for
each event it prints the best rank of any expected term in its month, under both emergence
modes (against the 6 months before, against the whole corpus), two ways: among single plain
terms, and among the month's stories (a story counts when the expected term is one of the
STORY_TERMS_SHOWN terms listed with it); a person's name is ranked among people in both. Target:
each in its month's top 10. Expected names written in lower case ("roh moo hyun") are also
looked up as names ("roh-moo-hyun"), as `as_term` spells a capitalised name.
Also printed: how the labelled pairs of data/labels/word_family_pairs.csv (one word in two forms, or
different words) fall into the month's stories, glued names repaired in kcna_2024 and glued-name fragments left among its terms,
Kim Jong Un's rank in the month his name first floods the 2011-2012 stories, and how many demo
months have a top emerging term resting on a single article. `--budget` times a full build of
the 18,931 stories against the floor (reading + CountVectorizer(ngram_range=(1, 2), min_df=2)).
`--sweep` counts the events in their month's top 10 for other weights of the prior, other
window lengths and other story overlaps, on two halves of the events: the tuning half (rows 1,
3, 5, ... of the events file) to choose a setting on, and the held-out half (rows 2, 4, ...) to
report it on; with each story overlap, how many terms a story of a month's top 10 holds on
average (all months of 50+ articles of the three corpora: no labels involved). `--form-joins`
lists every pair of terms a story joins as forms of one word, on every shared corpus, to read.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import string
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
from pipeline.keywords import (  # noqa: E402
    PRIOR_SCALE,
    STORY_COLUMNS,
    STORY_OVERLAP,
    WINDOW_MONTHS,
    gazetteer_actor_terms,
    monthly_keywords,
    rank_emerging,
)
from pipeline.terms import as_term, clear_count_cache, term_texts, word_form_key  # noqa: E402

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


def best_rank(keywords: pd.DataFrame, month: pd.Timestamp, expected: list[str], score: str, stories: bool) -> tuple[int | None, str, str]:
    """(rank, term, list) of the best-ranked expected term in the month; rank None when none is listed.

    With `stories`, a plain term ranks as the story that lists it (one of its STORY_TERMS_SHOWN terms).
    """
    best: tuple[int | None, str, str] = (None, "", "")
    for actors, kind in ((False, "stories" if stories else "terms"), (True, "people")):
        ranked = rank_emerging(keywords[keywords["period"] == month], score, actors, stories=stories)
        for term in expected:
            if actors:  # a person's row stands for all the ways of naming them ("president putin" for "putin")
                hit = ranked.loc[ranked["actor"] == (ACTOR_TERMS.get(term) or term), "rank"]
            elif stories:
                hit = ranked.loc[ranked["story_terms"].map(lambda terms, term=term: term in terms), "rank"]
            else:
                hit = ranked.loc[ranked["term"] == term, "rank"]
            if len(hit) and (best[0] is None or int(hit.iloc[0]) < best[0]):
                best = (int(hit.iloc[0]), term, kind)
    return best


def expected_terms(event: dict[str, str]) -> list[str]:
    """The event's expected terms as counted; a name the labels write in lower case also as a joined name."""
    phrases = event["expected_terms"].split(";")
    return list(dict.fromkeys(as_term(spelling) for phrase in phrases for spelling in (phrase, string.capwords(phrase))))


VIEWS = [(score, stories) for score in MODES for stories in (False, True)]
"""(score column, ranked as stories) of each rank the report gives."""


def events_report(events: list[dict[str, str]], keywords: pd.DataFrame) -> list[tuple[str, dict[tuple[str, bool], tuple]]]:
    rows = []
    for event in events:
        month = pd.Timestamp(f"{event['month']}-01")
        rows.append((event["event_id"], {view: best_rank(keywords, month, expected_terms(event), *view) for view in VIEWS}))
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


WORD_FORMS = REPO / "data" / "labels" / "word_family_pairs.csv"


def word_form_pairs(corpus: str, keywords: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Labelled pairs of the corpus (data/labels/word_family_pairs.csv) counted per (same_word label, outcome), both
    modes: "one story" when the two terms are in one story of the month, "two stories" when both lead a story of the
    month's top 10, else "apart" (in different stories, not both in the top 10)."""
    with WORD_FORMS.open(newline="", encoding="utf-8") as rows:
        pairs = [row for row in csv.DictReader(rows) if row["corpus_file"] == corpus]
    outcomes: dict[tuple[str, str], int] = {}
    for month_label in dict.fromkeys(pair["month"] for pair in pairs):
        month = keywords[keywords["period"] == pd.Timestamp(f"{month_label}-01")]
        for score, column in STORY_COLUMNS.items():
            leads = month.set_index("term")[column]
            top = set(rank_emerging(month, score, stories=True, limit=10)["term"])
            for first, second, same_word in ((p["first"], p["second"], p["same_word"]) for p in pairs if p["month"] == month_label):
                if first in leads and second in leads and leads[first] == leads[second]:
                    outcome = "one story"
                elif {first, second} <= top:
                    outcome = "two stories"
                else:
                    outcome = "apart"
                outcomes[same_word, outcome] = outcomes.get((same_word, outcome), 0) + 1
    return outcomes


def form_joins() -> None:
    """Every distinct (lead, term) that a story joins as forms of one word (`word_form_key`), on every shared corpus,
    both modes, most frequent first: the list a reader checks for different words given one key."""
    joined: dict[tuple[str, str], int] = {}
    for path in sorted(CORPUS.glob("*.jsonl.gz")) + sorted(CORPUS.glob("*.csv.gz")):
        _, keywords, _ = keyword_table([path])
        plain = keywords[~keywords["is_actor"]]
        for column in STORY_COLUMNS.values():
            other = plain[plain[column] != plain["term"]]
            same = other[other["term"].map(word_form_key) == other[column].map(word_form_key)]
            for lead, term in zip(same[column], same["term"], strict=True):
                joined[lead, term] = joined.get((lead, term), 0) + 1
    print(f"{len(joined)} distinct pairs joined as forms of one word (lead <- term: months x modes):")
    for (lead, term), months in sorted(joined.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {lead} <- {term}: {months}")


def demo_single_article_months() -> None:
    _, keywords, _ = keyword_table([REPO / "data" / "demo"])
    for score, label in MODES.items():
        top = rank_emerging(keywords, score)
        top = top[top["rank"] == 1]
        print(f"demo: {int((top['docs'] < 2).sum())} of {len(top)} months have a top emerging term ({label}) in a single article")


SWEEP = (
    [(scale, WINDOW_MONTHS, STORY_OVERLAP) for scale in (0.01, 0.03, 0.1, 0.3, 1.0)]
    + [(PRIOR_SCALE, window, STORY_OVERLAP) for window in (3, 9, 12)]
    + [(PRIOR_SCALE, WINDOW_MONTHS, overlap) for overlap in (0.1, 0.2, 0.25, 0.35, 0.4, 0.5, 0.6)]
)


def story_sizes(keywords: pd.DataFrame, articles: pd.DataFrame) -> list[int]:
    """How many terms each story of the top 10 of each month of 50+ articles holds, both modes (readability, no labels)."""
    months = articles["date"].dt.to_period("M").dt.start_time.value_counts()
    big = keywords[keywords["period"].isin(months.index[months >= 50])]
    sizes = []
    for score, column in (("score", "story"), ("score_window", "story_window")):
        plain = big[~big["is_actor"] & big[score].notna()]
        top = rank_emerging(plain, score, stories=True)
        top = top[top["rank"] <= 10]
        members = plain.groupby(["period", column]).size()
        sizes += members.reindex(pd.MultiIndex.from_arrays([top["period"], top[column]])).fillna(1).astype(int).tolist()
    return sizes


def sweep(events: list[dict[str, str]]) -> None:
    """Events in their month's top 10 per (prior weight, window, story overlap), on the tuning and the held-out half."""
    corpora = list(dict.fromkeys(event["corpus_file"] for event in events))
    ranks: dict[tuple[float, int, float], dict[str, dict]] = {setting: {} for setting in SWEEP}
    sizes: dict[tuple[float, int, float], list[int]] = {setting: [] for setting in SWEEP}
    for corpus in corpora:
        articles, _, _ = keyword_table([CORPUS / corpus])  # leaves the corpus' term counts cached for the settings below
        texts = articles[["article_id", "date"]].assign(text=articles["term_text"])
        for scale, window, overlap in SWEEP:
            keywords = monthly_keywords(texts, window=window, prior_scale=scale, story_overlap=overlap)
            ranks[scale, window, overlap].update(events_report([e for e in events if e["corpus_file"] == corpus], keywords))
            sizes[scale, window, overlap] += story_sizes(keywords, articles)
    print("\nsweep: events in the top 10 (tuning half: rows 1, 3, ...; held-out half: rows 2, 4, ...)")
    for setting, found in ranks.items():
        cells = []
        for view in VIEWS:
            hits = [found[event["event_id"]][view][0] is not None and found[event["event_id"]][view][0] <= 10 for event in events]
            cells.append(f"{'stories' if view[1] else 'terms'} against the {MODES[view[0]]}: {sum(hits)} "
                         f"({sum(hits[0::2])} / {sum(hits[1::2])})")
        scale, window, overlap = setting
        print(f"  prior {scale:<4} window {window:>2} overlap {overlap:<4} | " + " | ".join(cells)
              + f" | terms per top-10 story {sum(sizes[setting]) / max(len(sizes[setting]), 1):.1f}")


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
    parser.add_argument("--form-joins", action="store_true",
                        help="only list the pairs of terms put in one story as forms of one word, on every shared corpus, to read")
    args = parser.parse_args()
    if args.form_joins:
        form_joins()
        return
    with EVENTS.open(encoding="utf-8", newline="") as handle:
        events = list(csv.DictReader(handle))
    if args.sweep:
        sweep(events)
        return
    corpora = list(dict.fromkeys(event["corpus_file"] for event in events))
    hits = {view: 0 for view in VIEWS}
    counted = 0
    forms: dict[tuple[str, str], int] = {}
    for corpus in args.corpus or corpora:
        articles, keywords, seconds = keyword_table([CORPUS / corpus])
        print(f"\n{corpus}: {len(articles):,} articles, keyword stage {seconds:.1f} s, {len(keywords):,} rows")
        if corpus == "kcna_2024.jsonl.gz":
            terms = set(keywords["term"])
            left = sorted(term for term in terms if any(fragment in term.split(" ") for fragment in FRAGMENTS))
            print(f"  glued-name fragments among its listed terms: {len(left)} {left}")
        if corpus == "kcna_2011_2012.jsonl.gz":
            leader_arrival(keywords)
        for key, pairs in word_form_pairs(corpus, keywords).items():
            forms[key] = forms.get(key, 0) + pairs
        for event_id, ranks in events_report([e for e in events if e["corpus_file"] == corpus], keywords):
            counted += 1
            cells = []
            for view, (rank, term, kind) in ranks.items():
                hits[view] += rank is not None and rank <= 10
                cells.append(f"{rank:>3} {term} ({kind})" if rank else "not listed")
            print(f"  {event_id:<26} " + " | ".join(cells))
    print(f"\ncolumns: {' | '.join(f'{MODES[score]}, ' + ('stories' if stories else 'terms') for score, stories in VIEWS)}")
    print("in the top 10: " + ", ".join(f"{hits[view]} of {counted} against the {MODES[view[0]]} ({'stories' if view[1] else 'terms'})"
                                        for view in VIEWS))
    for label, meaning in (("yes", "the same word"), ("no", "different words")):
        counts = ", ".join(f"{outcome} {forms.get((label, outcome), 0)}" for outcome in ("one story", "two stories", "apart"))
        print(f"labelled pairs of {meaning} (data/labels/word_family_pairs.csv, pair x mode): {counts}")
    glued_figures()
    demo_single_article_months()
    if args.budget:
        build_budget()


if __name__ == "__main__":
    main()
