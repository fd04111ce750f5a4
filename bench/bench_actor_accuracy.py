"""Benchmark: how well the actor matcher agrees with human labels, and how much of the headline corpus it tags.

Usage: python bench/bench_actor_accuracy.py [--labels data/labels/actor_mentions.csv] [--show-text]
                                            [--no-headlines] [--corpus ../shared/corpus]

1. The labelled set (`data/labels/actor_mentions.csv`, written by hand, see bench/sample_actor_eval.py):
   each row references a headline or a body sentence of the shared corpora; its text is
   re-extracted at run time with the sampler's `item_text` (the repository never holds it).
   The matcher reads the item as the build would, with its article before it: the title and
   the body sentences before the item (split with `pipeline.text.split_sentences`), the
   article's date and its outlet (SOURCES: KCNA, The White House, The Korea Herald).
   Scored as pairs item x actor: precision, recall, overall and per actor.
   Rows marked doubtful are left out of the scores (and counted). Errors are listed by
   item_id only; `--show-text` adds the text, for the terminal (never paste it into the repository).
2. The whole KCNA headline corpus (1997-2014): per actor with a surname default, headlines on a
   date in that default's period containing the surname as a word, against those tagged with the actor.

Targets (issue 11): precision >= 0.95 and recall >= 0.90 overall; recall >= 0.85 for each of
the 20 actors with the most labelled mentions. The exit status stays 0: tests/test_actors_real.py
is what fails when a target is missed.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from pipeline.actors import ActorMatcher, Gazetteer, load_gazetteer  # noqa: E402
from pipeline.text import split_sentences  # noqa: E402

LABELS = REPO / "data" / "labels" / "actor_mentions.csv"
CORPUS = REPO.parent / "shared" / "corpus"
HEADLINES = "kcna_headlines_1997_2014.csv.gz"
# The outlet of each corpus file (its records' `source` field; the seed's outlet line).
SOURCES = {"kcna": "KCNA", "whitehouse": "The White House", "seed/korea_herald": "The Korea Herald"}
TOP_ACTORS = 20  # the per-actor recall target covers this many of the most labelled actors
TARGET_PRECISION, TARGET_RECALL, TARGET_ACTOR_RECALL = 0.95, 0.90, 0.85

_ID_SEPARATORS = re.compile(r"[\s;|,]+")
_TRUE = {"1", "true", "yes", "y", "x"}
_ACTOR_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Label:
    """One labelled item: where it is in the corpus and who it mentions."""

    item_id: str
    file: str
    row: int
    field: str
    start: int
    end: int
    date: str
    gold: frozenset[str]  # listed actors (ids of data/actors.yaml)
    unlisted: frozenset[str]  # people the labels name who are not listed ("roger-clinton"): the matcher must not tag them as a listed one
    doubtful: bool


@dataclass
class Scores:
    """Pair counts (item x actor) overall and per actor, and the items with errors."""

    true_positives: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)
    errors: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # item_id -> (wrongly found, missed)
    items: int = 0
    doubtful: int = 0
    unlisted: Counter[str] = field(default_factory=Counter)  # labelled people not in the gazetteer (not scored)

    @staticmethod
    def _ratio(numerator: int, denominator: int) -> float:
        return numerator / denominator if denominator else 1.0

    def precision(self, actor: str | None = None) -> float:
        """Share of found pairs that the labels confirm (one actor's, or all)."""
        tp = self.true_positives[actor] if actor else sum(self.true_positives.values())
        fp = self.false_positives[actor] if actor else sum(self.false_positives.values())
        return self._ratio(tp, tp + fp)

    def recall(self, actor: str | None = None) -> float:
        """Share of labelled pairs that the matcher found (one actor's, or all)."""
        tp = self.true_positives[actor] if actor else sum(self.true_positives.values())
        fn = self.false_negatives[actor] if actor else sum(self.false_negatives.values())
        return self._ratio(tp, tp + fn)

    def support(self, actor: str) -> int:
        """Labelled pairs of one actor."""
        return self.true_positives[actor] + self.false_negatives[actor]

    def top_actors(self, n: int = TOP_ACTORS) -> list[str]:
        """The n actors with the most labelled pairs (ties by id, so the list is stable)."""
        actors = set(self.true_positives) | set(self.false_negatives)
        return sorted(actors, key=lambda actor: (-self.support(actor), actor))[:n]

    def missed_targets(self) -> list[str]:
        """The issue's targets that do not hold, in words; empty when all hold."""
        missed = []
        if self.precision() < TARGET_PRECISION:
            missed.append(f"precision {self.precision():.3f} < {TARGET_PRECISION}")
        if self.recall() < TARGET_RECALL:
            missed.append(f"recall {self.recall():.3f} < {TARGET_RECALL}")
        missed += [
            f"recall of {actor} {self.recall(actor):.3f} < {TARGET_ACTOR_RECALL}"
            for actor in self.top_actors()
            if self.recall(actor) < TARGET_ACTOR_RECALL
        ]
        return missed


def read_labels(path: Path, known_actors: set[str]) -> list[Label]:
    """The labels file; a clear error names the file, the line and the problem."""
    labels = []
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        required = {"item_id", "file", "row", "field", "start", "end", "date", "gold_actor_ids", "doubtful"}
        missing = required - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        for record in reader:
            where = f"{path}:{reader.line_num}"
            ids = frozenset(part for part in _ID_SEPARATORS.split(record["gold_actor_ids"] or "") if part)
            malformed = sorted(part for part in ids if not _ACTOR_ID.fullmatch(part))
            if malformed:
                raise ValueError(f"{where}: malformed actor id(s) {', '.join(malformed)}")
            # People the gazetteer does not list are outside what the matcher is asked to find: kept aside.
            gold, unlisted = ids & known_actors, ids - known_actors
            try:
                row, start, end = int(record["row"]), int(record["start"] or 0), int(record["end"] or 0)
            except ValueError as error:
                raise ValueError(f"{where}: row, start and end must be integers ({error})") from None
            doubtful = (record["doubtful"] or "").strip().lower() in _TRUE
            labels.append(
                Label(record["item_id"], record["file"], row, record["field"], start, end, record["date"], gold, unlisted, doubtful)
            )
    return labels


def _sampler():
    """The sampler module's look-ups (bench/sample_actor_eval.py), imported when the labels are scored."""
    import sample_actor_eval

    return sample_actor_eval


def source_of(file: str) -> str:
    """The outlet of a corpus file, as a build records it in `source` (it settles "the President")."""
    for prefix, source in SOURCES.items():
        if file.startswith(prefix):
            return source
    raise ValueError(f"{file}: no outlet known for this corpus file (add it to SOURCES)")


def item_sentences(label: Label, corpus_dir: Path) -> tuple[list[str], dt.date]:
    """The item's article as the matcher reads it: title, earlier body sentences, then the item (last)."""
    sampler = _sampler()
    text = sampler.item_text(corpus_dir, label.file, label.row, label.field, label.start, label.end)
    context = sampler.item_context(corpus_dir, label.file, label.row, label.field, label.start, label.end)
    before = [] if label.field == "title" else [context.title, *split_sentences(context.preceding)]
    return [sentence for sentence in before if sentence] + [text], dt.date.fromisoformat(context.date)


def evaluate(matcher: ActorMatcher, labels: Sequence[Label], corpus_dir: Path, show_text: bool = False) -> Scores:
    """Score the matcher on the labelled items (doubtful ones only counted)."""
    scores = Scores()
    for label in labels:
        if label.doubtful:
            scores.doubtful += 1
            continue
        scores.items += 1
        scores.unlisted.update(label.unlisted)
        sentences, date = item_sentences(label, corpus_dir)
        found = set(matcher.match_article(sentences, date, source_of(label.file))[-1])
        for actor in found & label.gold:
            scores.true_positives[actor] += 1
        for actor in found - label.gold:
            scores.false_positives[actor] += 1
        for actor in label.gold - found:
            scores.false_negatives[actor] += 1
        if found != label.gold:
            scores.errors[label.item_id] = (sorted(found - label.gold), sorted(label.gold - found))
            if show_text:
                print(f"  [{label.item_id} {date}] {sentences[-1][:300]!r}")
    return scores


def print_scores(scores: Scores, gazetteer: Gazetteer) -> None:
    """Overall and per-actor figures, the targets, and the errors by item id."""
    names = {actor.id: actor.name for actor in gazetteer.actors}
    print(f"Labelled items scored: {scores.items} ({scores.doubtful} doubtful left out)")
    print(
        f"Labelled mentions of {len(scores.unlisted)} people not in data/actors.yaml, not scored: {sum(scores.unlisted.values())} "
        "(a listed actor found there instead is a false positive)"
    )
    tp, fp, fn = (sum(counter.values()) for counter in (scores.true_positives, scores.false_positives, scores.false_negatives))
    print(f"Overall (item x actor pairs): precision {scores.precision():.3f}, recall {scores.recall():.3f} (TP {tp}, FP {fp}, FN {fn})")
    top = scores.top_actors()
    print(f"\n| actor | labelled | found correctly | wrongly found | precision | recall |\n|---|---|---|---|---|---|")
    actors = top + sorted((set(scores.true_positives) | set(scores.false_positives) | set(scores.false_negatives)) - set(top))
    for actor in actors:
        marker = "" if actor in top else " (not in top 20)"
        print(
            f"| {names.get(actor, actor)}{marker} | {scores.support(actor)} | {scores.true_positives[actor]} | "
            f"{scores.false_positives[actor]} | {scores.precision(actor):.2f} | {scores.recall(actor):.2f} |"
        )
    missed = scores.missed_targets()
    print("\nTargets: " + ("all hold" if not missed else "MISSED: " + "; ".join(missed)))
    if scores.errors:
        print("\nErrors by item_id (wrongly found / missed):")
        for item_id, (wrong, missing) in sorted(scores.errors.items()):
            print(f"  {item_id}: +{','.join(wrong) or '-'} / -{','.join(missing) or '-'}")


# --- the whole headline corpus --------------------------------------------------------


def _headlines(corpus_dir: Path) -> Iterator[tuple[dt.date, str]]:
    with gzip.open(corpus_dir / HEADLINES, "rt", encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["title"]:
                yield dt.date.fromisoformat(record["date"]), record["title"]


def headline_table(matcher: ActorMatcher, gazetteer: Gazetteer, corpus_dir: Path) -> list[tuple[str, int, int, int]]:
    """Per actor with a surname default: (actor, headlines with the surname in its period, of them tagged, all tagged)."""
    words = {surname: re.compile(rf"(?<![\w\-]){re.escape(surname)}(?!\w)") for surname in {d.surname for d in gazetteer.surname_defaults}}
    with_surname: Counter[str] = Counter()
    tagged_with_surname: Counter[str] = Counter()
    tagged: Counter[str] = Counter()
    for date, title in _headlines(corpus_dir):
        found = set(matcher.match_article([title], date, "KCNA")[0])
        tagged.update(found)
        for default in gazetteer.surname_defaults:
            if default.applies_on(date) and words[default.surname].search(title):
                with_surname[default.actor_id] += 1
                tagged_with_surname[default.actor_id] += default.actor_id in found
    actors = sorted(with_surname, key=lambda actor: (-with_surname[actor], actor))
    return [(actor, with_surname[actor], tagged_with_surname[actor], tagged[actor]) for actor in actors]


def print_headline_table(rows: list[tuple[str, int, int, int]], gazetteer: Gazetteer) -> None:
    names = {actor.id: actor.name for actor in gazetteer.actors}
    print(f"\nKCNA headlines 1997-2014 ({HEADLINES}), per actor with a surname default:")
    print("| actor | headlines with the surname in its period | of them tagged | share | headlines tagged in all |\n|---|---|---|---|---|")
    for actor, with_surname, tagged_with, tagged in rows:
        print(f"| {names.get(actor, actor)} | {with_surname} | {tagged_with} | {tagged_with / with_surname:.0%} | {tagged} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show-text", action="store_true", help="print the text of each error (terminal only)")
    parser.add_argument("--no-headlines", action="store_true", help="skip the whole-headline-corpus table")
    args = parser.parse_args()

    gazetteer = load_gazetteer()
    matcher = ActorMatcher(gazetteer)
    labels = read_labels(args.labels, {actor.id for actor in gazetteer.actors})
    print_scores(evaluate(matcher, labels, args.corpus, args.show_text), gazetteer)
    if not args.no_headlines:
        print_headline_table(headline_table(matcher, gazetteer, args.corpus), gazetteer)


if __name__ == "__main__":
    main()
