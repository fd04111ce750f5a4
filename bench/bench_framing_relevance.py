"""Benchmark: does the framing measure count a cue only when it is about Korea policy (issue 13)?

Two parts, both printed with their counts:

1. The labelled set ``data/labels/framing_relevance.csv`` (240 real sentences with a cue word, labelled
   ``about_korea`` and, for deterrence cues, ``deterrent_owner``). Each item's text is re-extracted from
   ``../shared/corpus/`` at run time. Labelled spans come from the sampler's own splitter (the White House
   transcripts are hard-wrapped there), so each span is scored directly, as one sentence, with the context the
   rule allows: the previous sentence of the same paragraph in the sampler's split, and the actor ids the
   matcher gives both when it reads the article's sentences up to the item (so surnames and "the President"
   resolve as in a build). "Before" is the old rule (every non-negated cue counts); "after" keeps a sentence
   when at least one of its non-negated cues is judged about Korea (counted, or the DPRK's own deterrent).
   Items whose sentence has no non-negated cue of the lexicon (the sampler's list has words such as
   "verification" the lexicon does not) are left out and counted.
2. The issue's corpus figures, from the pipeline's own sentences (ingest, split, match, score in context):
   White House cue sentences kept, "reconciliation" cues in White House text, KCNA deterrent cues counted as
   pressure; before and after.

Usage: python bench/bench_framing_relevance.py [--labels-only]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from sample_actor_eval import CORPUS, load_records  # noqa: E402
from sample_tone_eval import display, sentence_spans  # noqa: E402

from pipeline.actors import ActorMatcher, load_gazetteer  # noqa: E402
from pipeline.framing import DETERRENT_TERM, FramingScorer, paragraph_openings  # noqa: E402
from pipeline.ingest import ingest  # noqa: E402
from pipeline.text import split_sentences  # noqa: E402

LABELS = REPO / "data" / "labels" / "framing_relevance.csv"
KEPT = frozenset({"counted", "dprk_deterrent"})
OWNER_ORDER = ("dprk", "allies", "pressure", "other")


def _owner_label(owner: str) -> str:
    """Predicted owner in the label vocabulary: deterrence aimed at the North, or of unsaid owner, is pressure."""
    return {"target": "pressure", "unknown": "pressure"}.get(owner, owner)


def _assess(scorer: FramingScorer, matcher: ActorMatcher, row: dict[str, str]) -> tuple[list, bool]:
    """The item's cues (statuses after the rule) and the rule's relevance verdict."""
    record = load_records(CORPUS, row["file"])[int(row["row"])]
    spans = sentence_spans(record.body)
    index = next((i for i, span in enumerate(spans) if span[0] == int(row["start"])), None)
    if index is None:
        raise ValueError(f"{LABELS.name}: item {row['item_id']}: no sampler sentence starts at {row['start']}")
    texts = [display(record.body[start:end]) for start, end, _ in spans[:index + 1]]
    actors = matcher.match_article(texts, dt.date.fromisoformat(record.date[:10]))
    same_paragraph = index > 0 and spans[index - 1][2] == spans[index][2]
    previous = texts[index - 1] if same_paragraph else None
    relevant = scorer.about_korea(texts[index], actors[index], previous, actors[index - 1] if same_paragraph else ())
    return scorer.explain(texts[index], actors[index], relevant), relevant


def _metrics(pairs: list[tuple[bool, bool]]) -> str:
    """precision, recall, accuracy of predicted vs gold booleans."""
    tp = sum(p and g for p, g in pairs)
    fp = sum(p and not g for p, g in pairs)
    fn = sum(g and not p for p, g in pairs)
    correct = sum(p == g for p, g in pairs)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return f"precision {precision:.2f} ({tp}/{tp + fp}), recall {recall:.2f} ({tp}/{tp + fn}), accuracy {correct / len(pairs):.2f} ({correct}/{len(pairs)})"


def labelled_set(scorer: FramingScorer, matcher: ActorMatcher) -> None:
    with LABELS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    before: dict[str, list[tuple[bool, bool]]] = {}
    after: dict[str, list[tuple[bool, bool]]] = {}
    owners: Counter[tuple[str, str]] = Counter()
    as_pressure = 0
    without_cue = Counter()
    for row in rows:
        cues, _ = _assess(scorer, matcher, row)
        live = [cue for cue in cues if cue.status != "negated"]
        corpus = row["file"].split(".")[0]
        gold = row["about_korea"] == "1"
        if not live:
            without_cue[corpus] += 1
        else:
            for key in (corpus, "all"):
                before.setdefault(key, []).append((True, gold))
                after.setdefault(key, []).append((any(cue.status in KEPT for cue in live), gold))
        if row["deterrent_owner"]:
            deterrents = [cue for cue in cues if cue.owner is not None or cue.text.lower() == "extended deterrence"]
            predicted = _owner_label(deterrents[0].owner or "allies") if deterrents else "(no cue)"
            owners[row["deterrent_owner"], predicted] += 1
            as_pressure += bool(deterrents) and deterrents[0].status == "counted"
    print(f"Labelled set {LABELS.relative_to(REPO)}: {len(rows)} items; left out (no non-negated lexicon cue): "
          f"{sum(without_cue.values())} {dict(without_cue)}")
    print("'cue counted' vs about_korea (positive = about Korea):")
    for key in sorted(before, key=lambda name: (name == "all", name)):
        print(f"  {key:<32} n={len(before[key]):<4} before: {_metrics(before[key])}")
        print(f"  {'':<32} {'':<6} after:  {_metrics(after[key])}")
    predicted_names = sorted({p for _, p in owners}, key=lambda name: (name not in OWNER_ORDER, OWNER_ORDER.index(name) if name in OWNER_ORDER else 0))
    print("Deterrent owner, gold (rows) x predicted (columns); before the rule every deterrent cue was pressure:")
    print("  " + f"{'gold':<8}" + "".join(f"{name:>10}" for name in predicted_names))
    for gold in sorted({g for g, _ in owners}, key=lambda name: OWNER_ORDER.index(name) if name in OWNER_ORDER else 9):
        print("  " + f"{gold:<8}" + "".join(f"{owners[gold, name]:>10}" for name in predicted_names))
    total = sum(owners.values())
    right = sum(count for (gold, predicted), count in owners.items() if gold == predicted)
    print(f"  owner accuracy {right}/{total}; counted as pressure before: {total}/{total}, after (owner and Korea rules): {as_pressure}/{total}")


def corpus_figures(scorer: FramingScorer, matcher: ActorMatcher) -> None:
    """The issue's figures on the pipeline's own sentences."""
    for name in ("whitehouse_nk_2021_2026.jsonl.gz", "kcna_2024.jsonl.gz", "kcna_2011_2012.jsonl.gz"):
        articles = ingest([CORPUS / name]).articles
        cue_sentences = kept_sentences = 0
        reconciliation = Counter()
        deterrents = Counter()
        for article in articles:
            parts = split_sentences(article.text)
            actors = matcher.match_article(parts, article.date)
            opens = paragraph_openings(article.text, parts)
            for index, sentence in enumerate(parts):
                if not scorer.cues(sentence):
                    continue
                previous = None if opens[index] else parts[index - 1]
                relevant = scorer.about_korea(sentence, actors[index], previous, actors[index - 1] if previous else ())
                live = [cue for cue in scorer.explain(sentence, actors[index], relevant) if cue.status != "negated"]
                if not live:
                    continue
                cue_sentences += 1
                kept_sentences += any(cue.status in KEPT for cue in live)
                for cue in live:
                    if cue.text.lower() == "reconciliation":
                        reconciliation[cue.status] += 1
                    if cue.owner is not None:
                        deterrents[cue.status, cue.owner] += 1
        print(f"{name}: {len(articles):,} articles; sentences with a non-negated cue: {cue_sentences:,}; "
              f"kept as about Korea: {kept_sentences:,} ({kept_sentences / max(cue_sentences, 1):.1%}; before: 100%)")
        total = sum(reconciliation.values())
        print(f"  'reconciliation' cues: {total} before; counted after: {reconciliation['counted']}, off topic: {reconciliation['off_topic']}")
        total = sum(deterrents.values())
        pressure = sum(count for (status, _), count in deterrents.items() if status == "counted")
        by_owner = Counter()
        for (status, owner), count in deterrents.items():
            by_owner[owner] += count
        print(f"  '{DETERRENT_TERM}' cues: {total}; counted as pressure before: {total}, after: {pressure} "
              f"({pressure / max(total, 1):.0%}); DPRK's own: {sum(c for (s, _), c in deterrents.items() if s == 'dprk_deterrent')}; "
              f"owners: {dict(by_owner)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels-only", action="store_true", help="skip the corpus figures (about a minute)")
    arguments = parser.parse_args()
    scorer = FramingScorer()
    matcher = ActorMatcher(load_gazetteer())
    labelled_set(scorer, matcher)
    if not arguments.labels_only:
        corpus_figures(scorer, matcher)


if __name__ == "__main__":
    main()
