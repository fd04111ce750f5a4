"""Sample real sentences for the hand-labelled tone-toward-actor and framing-relevance sets (issue 13).

Reads the shared corpora in place (``../shared/corpus/``, resolved from this file) and writes the
selected items, WITH their text, to an output folder outside the repository (default
``/tmp/tone_eval/``) for a human reader to label. The repository keeps only the labels and the
reference (file, 1-based row, field, character span in the raw field string), never the text.

Two samples, both deterministic (fixed seed, corpora read in file order):
- ``tone_items.jsonl``: body sentences that name two or more different leaders, ranked so that
  leaders from opposite camps (Pyongyang and its partners vs Washington, Seoul and Tokyo; Moscow vs
  Kyiv; one US president vs another) come first, since those are the sentences likely to treat the
  two people differently, which is what issue 13 asks the tone-toward-actor measure to get right;
  a second, separately seeded draw adds further such sentences, those with praise and blame words
  first, and a third (again its own seed) tops the set up with sentences no earlier draw took.
  Labels live in data/labels/tone_toward_actors.csv.
- ``framing_items.jsonl``: body sentences with a framing cue word, each with the sentence before
  it in the same paragraph (the context the relevance rule of issue 13 allows); labels in
  data/labels/framing_relevance.csv.

Usage: python bench/sample_tone_eval.py [--out /tmp/tone_eval] [--seed 13]

The sentence splitter and leader patterns here are deliberately independent of ``pipeline/``:
a gold standard must not be selected by the code it will grade.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Corpus rows are read, numbered and re-extracted the same way as for the actor-mention set.
from sample_actor_eval import CORPUS, item_text, load_records  # noqa: E402
CORPORA = ("kcna_2011_2012.jsonl.gz", "kcna_2024.jsonl.gz", "whitehouse_nk_2021_2026.jsonl.gz")
SEED = 13

# Leaders (heads of state or government, and the DPRK's three leaders), with the actor ids of
# data/actors.yaml. Patterns are case-sensitive; a hyphen or a space (or a line break, in the
# hard-wrapped White House transcripts) may separate name parts. KCNA 2024 glues the next word
# onto names ("Kim Jong Unsent"), so names are not required to end at a word boundary there.
_SP = r"[\s-]"
LEADERS: dict[str, str] = {
    "kim-jong-un": rf"Kim{_SP}Jong{_SP}[Uu]n|Chairman Kim(?= Jong{_SP}[Uu]n)",
    "kim-jong-il": rf"Kim{_SP}Jong{_SP}[Ii]l",
    "kim-il-sung": rf"Kim{_SP}Il{_SP}[Ss]ung",
    # KCNA 2011-2012 also writes "the Lee group", "the Lee regime" and the bare given name "Myung Bak".
    "lee-myung-bak": rf"(?:(?:Lee|Ri){_SP})?(?:Myung|Myong){_SP}[Bb]ak|\bLee(?= (?:group|regime|clique|gang)\b)",
    "park-geun-hye": rf"(?:Park{_SP}Geun|Pak{_SP}Kun|Pak{_SP}Geun){_SP}[Hh]ye",
    "park-chung-hee": rf"(?:Park{_SP}Chung{_SP}[Hh]ee|Pak{_SP}Jong{_SP}[Hh]ui)",
    "moon-jae-in": rf"(?:Moon|Mun){_SP}Jae{_SP}[Ii]n|President Moon\b",
    "yoon-suk-yeol": rf"(?:Yoon{_SP}Suk{_SP}[Yy]eol|Yun{_SP}Sok{_SP}[Yy]ol|President Yoon\b|\bYoon\b)",
    "lee-jae-myung": rf"(?:Lee{_SP}Jae{_SP}[Mm]yung|Ri{_SP}Jae{_SP}[Mm]yong)",
    "roh-moo-hyun": rf"Roh{_SP}Moo{_SP}[Hh]yun|No{_SP}Mu{_SP}[Hh]yon",
    "kim-dae-jung": rf"Kim{_SP}Dae{_SP}[Jj]ung",
    "donald-trump": r"\bTrump\b(?! Jr)",
    "joe-biden": r"\bBiden\b",
    "barack-obama": r"\bObama\b",
    "george-w-bush": r"\bBush\b",
    "bill-clinton": rf"Bill{_SP}Clinton|President Clinton",
    "vladimir-putin": r"\bPutin\b",
    "dmitry-medvedev": r"\bMedvedev\b",
    "xi-jinping": r"\bXi\b",
    "hu-jintao": rf"Hu{_SP}Jintao",
    "jiang-zemin": rf"Jiang{_SP}Zemin",
    "shinzo-abe": r"\bAbe\b",
    "naoto-kan": rf"Naoto{_SP}Kan|Prime Minister Kan\b",
    "yoshihiko-noda": r"\bNoda\b",
    "yoshihide-suga": r"\bSuga\b",
    "fumio-kishida": r"\bKishida\b",
    "shigeru-ishiba": r"\bIshiba\b",
    "sanae-takaichi": r"\bTakaichi\b",
    "volodymyr-zelenskyy": r"\bZelensk(?:yy|iy|y|yi)\b",
}
# A name followed by one of these words names an institution, not the person (as in data/actors.yaml).
_NOT_AFTER_NAME = (r"(?!\s*(?:University|Military|Political|Higher|Socialist|Youth|Children|Prize|Square|Stadium|"
                   r"Foundation|Library|Institute|Kindergarten|High School|Order|Fund|Street|Bridge|Tower|card|"
                   r"landing)\b)")
_LEADER_RES = {actor: re.compile(f"(?:{pattern}){_NOT_AFTER_NAME}") for actor, pattern in LEADERS.items()}

# Camps for ranking only: a sentence naming leaders of different camps is sampled first.
CAMP = {
    "kim-jong-un": "dprk", "kim-jong-il": "dprk", "kim-il-sung": "dprk",
    "vladimir-putin": "ru", "dmitry-medvedev": "ru", "xi-jinping": "cn", "hu-jintao": "cn", "jiang-zemin": "cn",
    "volodymyr-zelenskyy": "ua",
}
_OPPOSED = {("dprk", "west"), ("ru", "ua"), ("ru", "west"), ("cn", "west"), ("dprk", "ua")}
# Pairs inside one camp that the sources set against each other: a president and his predecessor
# in the White House, and in KCNA the South Korean presidents of the 2000 and 2007 summits against
# their conservative successors.
_RIVALS = [
    {"donald-trump", "joe-biden"}, {"donald-trump", "barack-obama"},
    *({liberal, conservative} for liberal in ("kim-dae-jung", "roh-moo-hyun", "moon-jae-in")
      for conservative in ("lee-myung-bak", "park-geun-hye", "yoon-suk-yeol")),
]
_DPRK_LEADERS = frozenset(actor for actor, camp in CAMP.items() if camp == "dprk")

# Framing cue words (issue 13's list): a cue is a lowercase word or phrase, matched case-insensitively.
FRAMING_CUES = (
    "maximum pressure", "step-by-step", "step by step", "denuclearization", "denuclearisation", "dialogue",
    "engagement", "talks", "negotiation", "negotiations", "summit", "sanctions", "pressure", "deterrence",
    "deterrent", "reconciliation", "phased", "freeze", "verification", "concessions", "relief", "diplomacy",
)
_CUE_RE = re.compile(
    r"\b(" + "|".join(re.escape(cue).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]+")
                      for cue in sorted(FRAMING_CUES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)

# Sentence splitting on the raw field string: a boundary is [.!?] (and closing quotes/brackets, and
# the stray comma KCNA 2011-2012 leaves where it glued two paragraphs: "., ") followed by whitespace and an opening capital, digit or quote, unless the word before the stop
# is a known abbreviation or a single initial.
_BOUNDARY = re.compile(r"[.!?][\"'\u201d\u2019)\]]*,?\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr gen lt col maj capt sgt adm gov sen rep no nos vs etc prof rev hon "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k d.c p.m a.m e.g i.e".split()
)


@dataclass(frozen=True)
class Sentence:
    """A sentence's place in a corpus: file, 1-based line, field, and span in that raw field."""

    file: str
    row: int
    field: str
    start: int
    end: int
    paragraph: int


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of paragraphs: blank-line separated when the text has blank lines
    (hard-wrapped transcripts), else one paragraph per line (KCNA)."""
    separator = re.compile(r"\n[ \t]*\n\s*") if re.search(r"\n[ \t]*\n", text) else re.compile(r"\n+")
    spans, position = [], 0
    for match in separator.finditer(text):
        spans.append((position, match.start()))
        position = match.end()
    spans.append((position, len(text)))
    return [(start, end) for start, end in spans if text[start:end].strip()]


def sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph index) of each sentence in `text`, spans stripped of outer whitespace."""
    found = []
    for index, (p_start, p_end) in enumerate(paragraph_spans(text)):
        cut = p_start
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            word = re.search(r"([\w.]+)$", text[cut:match.start()])
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
            stop = match.start() + 1 + len(match.group(0)[1:].rstrip())
            found.append((cut, stop, index))
            cut = match.end()
        found.append((cut, p_end, index))
    spans = []
    for start, end, index in found:
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if end > start:
            spans.append((start, end, index))
    return spans


def display(text: str) -> str:
    """A span as a reader sees it: whitespace runs (hard line wraps included) collapsed."""
    return " ".join(text.split())


def leaders_in(sentence: str) -> list[str]:
    """Actor ids of the leaders named in a sentence, in the order of their first mention."""
    first = {}
    for actor, pattern in _LEADER_RES.items():
        match = pattern.search(sentence)
        if match:
            first[actor] = match.start()
    return sorted(first, key=first.get)


def _opposed(actors: list[str]) -> bool:
    """Whether the sentence names leaders the source is likely to treat differently (ranking only)."""
    camps = {CAMP.get(actor, "west") for actor in actors}
    if any(pair <= set(actors) for pair in _RIVALS):
        return True
    return any((a, b) in _OPPOSED or (b, a) in _OPPOSED for a in camps for b in camps)


def _base(sentence: Sentence, url: str, date: str) -> dict:
    return {**{k: v for k, v in asdict(sentence).items() if k != "paragraph"}, "url": url, "date": date}


def _item_id(prefix: str, sentence: Sentence) -> str:
    short = {"kcna_2011_2012.jsonl.gz": "k11", "kcna_2024.jsonl.gz": "k24",
             "whitehouse_nk_2021_2026.jsonl.gz": "wh"}[sentence.file]
    return f"{prefix}-{short}-r{sentence.row}-c{sentence.start}"


def collect(name: str) -> tuple[list[dict], list[dict]]:
    """All candidate tone items (2+ leaders) and framing items (a cue) of one corpus file."""
    tone, framing = [], []
    for record in load_records(CORPUS, name).values():
        body, row = record.body, record.row
        previous: tuple[int, int, int] | None = None
        for start, end, paragraph in sentence_spans(body):
            raw = body[start:end]
            place = Sentence(name, row, "body", start, end, paragraph)
            actors = leaders_in(raw)
            if len(actors) >= 2 and len(raw) < 1200:
                tone.append({"item_id": _item_id("tone", place), **_base(place, record.url, record.date), "actors": actors,
                             "opposed": _opposed(actors), "text": display(raw)})
            cue = _CUE_RE.search(raw)
            if cue and len(raw) < 1200:
                context = previous if previous and previous[2] == paragraph else None
                framing.append({"item_id": _item_id("frame", place), **_base(place, record.url, record.date),
                                "cue": " ".join(cue.group(1).lower().replace("-", " ").split()),
                                "context": display(body[context[0]:context[1]]) if context else "",
                                "text": display(raw)})
            previous = (start, end, paragraph)
    return tone, framing


def _dedupe(items: list[dict]) -> list[dict]:
    """Keep the first item of each distinct sentence text (KCNA repeats stories under several urls)."""
    seen, kept = set(), []
    for item in items:
        if item["text"] not in seen:
            seen.add(item["text"])
            kept.append(item)
    return kept


def sample(seed: int = SEED, tone_quota: dict[str, tuple[int, int]] | None = None,
           framing_quota: dict[str, int] | None = None,
           polar_quota: dict[str, int] | None = None,
           topup_quota: dict[str, int] | None = None) -> tuple[list[dict], list[dict]]:
    """Deterministic samples: per corpus, (opposed, same-camp) tone quotas, a quota of further tone
    items that hold praise or blame words, a top-up quota, and a framing quota.

    Framing items are drawn per cue in turn so that rare cues such as "deterrent" or "freeze" are
    not crowded out by "talks" and "sanctions"; tone items per pair of leaders likewise.
    """
    tone_quota = tone_quota or {CORPORA[0]: (110, 20), CORPORA[1]: (10, 30), CORPORA[2]: (125, 20)}
    framing_quota = framing_quota or {CORPORA[0]: 80, CORPORA[1]: 60, CORPORA[2]: 100}
    polar_quota = polar_quota or {CORPORA[0]: 20, CORPORA[1]: 10, CORPORA[2]: 120}
    topup_quota = topup_quota or {CORPORA[0]: 30, CORPORA[1]: 15, CORPORA[2]: 45}
    rng = random.Random(seed)
    tone_out, framing_out = [], []
    for name in CORPORA:
        tone, framing = collect(name)
        tone = _dedupe(tone)
        n_opposed, n_same = tone_quota[name]
        # Pairs are taken in turn so that one frequent pair (Biden and Xi in the briefings) does not
        # fill the quota; sentences naming only the DPRK's own leaders (the bulk of KCNA's) add
        # little beyond "both praised" and come after every other same-camp pair.
        tone_out += _round_robin([item for item in tone if item["opposed"]],
                                 lambda item: " ".join(sorted(item["actors"])), n_opposed, rng)
        tone_out += _round_robin([item for item in tone if not item["opposed"]],
                                 lambda item: str(_dprk_only(item)), n_same, rng,
                                 in_turn=False)
        framing_out += _round_robin(_dedupe(framing), lambda item: item["cue"], framing_quota[name], rng)
        # A second draw (its own seed, so the first draw above stays as it was labelled): sentences
        # not yet taken, leaders of opposed camps (any) before the rest (only with evaluative words),
        # and in each group those with both praise and blame words first, then those with either.
        taken = {item["item_id"] for item in tone_out}
        tone_out += _tiered_draw(((item for item in tone if item["opposed"]), (2, 1, 0)), (tone, (2, 1)),
                                 n=polar_quota[name], rng=random.Random(f"{seed}:polar:{name}"), taken=taken)
        # A third draw (issue 13 top-up, again its own seed): sentences no earlier draw took, hence none
        # already labelled or skipped (excluding by the draws, not by the label file, keeps this draw
        # the same after its own items are labelled). Sentences naming only the DPRK's own leaders,
        # nearly always all praised alike, come last.
        tone_out += _tiered_draw(((item for item in tone if not _dprk_only(item)), (2, 1, 0)), (tone, (2, 1)),
                                 n=topup_quota[name], rng=random.Random(f"{seed}:topup:{name}"), taken=taken)
    return tone_out, framing_out


def _dprk_only(item: dict) -> bool:
    """Whether every leader the sentence names is one of the DPRK's three."""
    return set(item["actors"]) <= _DPRK_LEADERS


def _tiered_draw(*pools: tuple[Iterable[dict], tuple[int, ...]], n: int, rng: random.Random,
                 taken: set[str]) -> list[dict]:
    """Up to `n` tone items not in `taken`: pool after pool, and in each pool polarity tier after
    tier (see `_polarity`), pairs of leaders in turn. Picks are added to `taken`, so a later pool or
    draw never repeats them."""
    picked: list[dict] = []
    for pool, tiers in pools:
        items = list(pool)
        for tier in tiers:
            batch = _round_robin([item for item in items if _polarity(item["text"]) == tier
                                  and item["item_id"] not in taken],
                                 lambda item: " ".join(sorted(item["actors"])), n - len(picked), rng)
            picked += batch
            taken.update(item["item_id"] for item in batch)
    return picked


# Words that signal praise or blame, to rank sentences in the second and third draws. A short list
# of my own, independent of the project's tone lexicon (the gold standard must not be chosen by the
# scorer).
_PRAISE = re.compile(r"\b(?:prais|thank|welcom|commend|great|historic|congratulat|sympath|support|respected|friend|"
                     r"warm|leadership|courage|success|achiev|credit|proud|hono(?:u)?r|admir|wise|noble)", re.IGNORECASE)
_BLAME = re.compile(r"\b(?:war\b|invasion|invad|brutal|criminal|blame|responsib|threat|dictator|tyrant|fascist|traitor|"
                    r"puppet|condemn|denounc|crime|aggress|provocat|attack|disinformation|interfer|fail|weak|danger|"
                    r"kill|murder|sanction|slander|insult|reckless|smear|rat-like)", re.IGNORECASE)


def _polarity(text: str) -> int:
    """How many of the two kinds of evaluative words (praise, blame) the sentence holds: 0, 1 or 2."""
    return bool(_PRAISE.search(text)) + bool(_BLAME.search(text))


def _round_robin(items: list[dict], key: Callable[[dict], str], n: int, rng: random.Random,
                 in_turn: bool = True) -> list[dict]:
    """Pick `n` items, groups (by `key`, in sorted order) shuffled and then taken one item each in
    turn, or, with in_turn=False, group after group."""
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    queues = [groups[name] for name in sorted(groups)]
    for queue in queues:
        rng.shuffle(queue)
    if not in_turn:
        return [item for queue in queues for item in queue][:n]
    picked: list[dict] = []
    while len(picked) < n and any(queues):
        for queue in queues:
            if queue and len(picked) < n:
                picked.append(queue.pop())
    return picked


def _write_jsonl(path: Path, items: list[dict]) -> None:
    """Atomic write: a reader never sees half a file."""
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    partial.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/tone_eval"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if args.out.resolve().is_relative_to(REPO):
        parser.error(f"--out {args.out} is inside the repository; sampled items carry corpus text and must stay outside")
    args.out.mkdir(parents=True, exist_ok=True)
    tone, framing = sample(args.seed)
    for item in tone + framing:  # the reference alone must give the text back, as the benchmark will read it
        again = display(item_text(CORPUS, item["file"], item["row"], item["field"], item["start"], item["end"]))
        if again != item["text"]:
            raise AssertionError(f"{item['item_id']}: its reference does not reproduce its text")
    _write_jsonl(args.out / "tone_items.jsonl", tone)
    _write_jsonl(args.out / "framing_items.jsonl", framing)
    for label, items in (("tone", tone), ("framing", framing)):
        counts = {name: sum(item["file"] == name for item in items) for name in CORPORA}
        print(f"{label}: {len(items)} items {counts} -> {args.out}")


if __name__ == "__main__":
    main()
