"""Sentence tone: VADER's rules over VADER's lexicon, adapted to diplomacy coverage.

Why a re-implementation rather than ``SentimentIntensityAnalyzer.polarity_scores``:
the package lower-cases the whole sentence again for every rule it checks and scans
each character for emoji, which is far too slow for the ~300,000 sentences of a large
build. `ToneScorer` applies the same rules in one pass over pre-lowered tokens, with
the package's own lexicon file and constants, so with ``lexicon_path=None`` it agrees
with vaderSentiment's ``compound`` (the tests check it on the NYT ratings). What it
leaves out: emoji-to-text conversion (news prose has none) and the quirk of VADER's
"but" rule that looks values up by equality (``list.index``) instead of by position.

The domain adaptation lives in ``data/tone_lexicon.csv`` (term, valence, rationale):
single words override or (valence 0) remove VADER's entry; multi-word phrases are
matched first and then scored as one token, so negation and intensifiers before them
still apply ("did not reopen the hotline").

Hutto, C.J. & Gilbert, E.E. (2014). VADER: A Parsimonious Rule-based Model for
Sentiment Analysis of Social Media Text. ICWSM-14.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import math
import string
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, compress, count
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import stdtrit
from vaderSentiment import vaderSentiment as vader

from pipeline.text import normalize_text, split_with_starts

DEFAULT_LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "tone_lexicon.csv"
VADER_LEXICON_PATH = Path(vader.__file__).with_name("vader_lexicon.txt")

NEUTRAL_BAND = 0.05
"""|score| below this counts as neutral (VADER's authors' own threshold for compound)."""

_ALPHA = 15  # vader.normalize's default: sum / sqrt(sum**2 + alpha)
_NEGATIONS = frozenset(vader.NEGATE)
_EMPHASIS_AFTER_NEVER = ("so", "this")
# Words of VADER's multi-word special-case idioms and dampeners ("kind of"): the idiom
# check only runs when one of them is near the lexicon word.
_IDIOM_WORDS = frozenset(word for key in (*vader.SPECIAL_CASES, *vader.BOOSTER_DICT) if " " in key for word in key.split())
_IDIOM_BIGRAMS = frozenset(tuple(key.split()[:2]) for key in (*vader.SPECIAL_CASES, *vader.BOOSTER_DICT) if " " in key)
# Words that make `ToneScorer._valence` change a lexicon word's valence from up to three tokens before it
# (besides words with "n't"): "no", "least", negations, boosters, and "never so"/"this" emphasis.
_CONTEXT_WORDS = frozenset({"no", "least", "never", "without", *_EMPHASIS_AFTER_NEVER, *_NEGATIONS, *vader.BOOSTER_DICT})
# VADER splits on whitespace only, so dashes without spaces around them would glue words ("talks\u2014and").
_DASHES_AS_SPACES = str.maketrans({"\u2014": " ", "\u2013": " "})
# Verbs that stop, prevent or undo what follows them: "halted its missile tests", "avoid war",
# "end the provocations". A negative word within _HALT_REACH tokens after one (same clause) is
# flipped like a negation, and the verb's own valence (VADER: stop -1.2, avoid -1.2) is dropped,
# since stopping something bad is not itself bad. Plain VADER (lexicon_path=None) has no such rule.
HALTING_VERBS = frozenset(
    """stop stops stopped stopping halt halts halted halting end ends ended ending suspend suspends suspended
    suspending cease ceases ceased ceasing dismantle dismantles dismantled dismantling renounce renounces renounced
    renouncing prevent prevents prevented preventing avoid avoids avoided avoiding avert averts averted averting
    curb curbs curbed curbing defuse defuses defused defusing""".split()
)
_HALT_REACH = 3
_CLAUSE_END = tuple(",;:.!?")
_SENTENCE_CACHE_SIZE = 1 << 16
_TOKEN_CACHE_SIZE = 200_000

Trace = tuple[tuple[str, float], ...]
"""(word, phrase or rule, change it made to the raw valence sum), in the order applied."""
Scored = tuple[tuple[int, int, float], ...]
"""(first piece, last piece, valence) of each scored token with a valence, in text order: pieces are the
text's whitespace-separated parts (a merged phrase spans several), for `ToneScorer.word_valences`."""


def read_vader_lexicon(path: Path = VADER_LEXICON_PATH) -> dict[str, float]:
    """VADER's word -> valence table, parsed as ``SentimentIntensityAnalyzer.make_lex_dict`` does."""
    lexicon: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").rstrip("\n").split("\n"):
        if line:
            word, measure = line.strip().split("\t")[0:2]
            lexicon[word] = float(measure)
    return lexicon


def read_domain_lexicon(path: Path = DEFAULT_LEXICON_PATH) -> pd.DataFrame:
    """The adaptation table (term, valence, rationale), validated so a typo cannot silently never match.

    Terms are lower-case words separated by single spaces, as the tokenizer yields them
    (punctuation at word edges stripped); valences are on VADER's -4..+4 scale.
    """
    table = pd.read_csv(path, dtype={"term": str, "valence": float, "rationale": str}, keep_default_na=False)
    missing = {"term", "valence", "rationale"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing columns {sorted(missing)}")
    for term, valence, rationale in table[["term", "valence", "rationale"]].itertuples(index=False):
        canonical = " ".join(word.strip(string.punctuation) for word in term.lower().split())
        if term != canonical or not term:
            raise ValueError(f"{path}: term {term!r} must be written as {canonical!r} to match tokens")
        if not -4 <= valence <= 4:
            raise ValueError(f"{path}: valence {valence} of {term!r} is outside VADER's -4..+4")
        if not rationale.strip():
            raise ValueError(f"{path}: term {term!r} has no rationale")
    duplicated = table["term"][table["term"].duplicated()]
    if not duplicated.empty:
        raise ValueError(f"{path}: terms listed twice: {sorted(duplicated)}")
    return table


def _bare_span(piece: str, start: int) -> tuple[int, int]:
    """The span of a whitespace-separated piece starting at `start`, without the punctuation at its edges
    (all of it when it is only punctuation)."""
    bare = piece.strip(string.punctuation)
    if not bare:
        return start, start + len(piece)
    start += len(piece) - len(piece.lstrip(string.punctuation))
    return start, start + len(bare)


TokenInfo = tuple[str, str, str, bool, bool, bool, bool]
"""(token as VADER keeps it, its lower case, bare lower case without possessive for phrase matching,
whether it ends a clause (",;:.!?" after it), whether the scorer scores it, whether a domain phrase
starts with it, whether it may change the valence of a word up to three tokens after it (`_is_context`))."""
_IS_SCORED, _STARTS_PHRASE, _IS_CONTEXT = itemgetter(4), itemgetter(5), itemgetter(6)
_KEPT, _LOWER, _BARE = itemgetter(0), itemgetter(1), itemgetter(2)


class _TokenCache(dict[str, TokenInfo]):
    """raw piece -> `TokenInfo` by `make`, made on first lookup: ``map(cache.__getitem__, pieces)`` runs in C
    for the pieces seen before, which in news prose are nearly all. Emptied at `_TOKEN_CACHE_SIZE` entries."""

    def __init__(self, make: Callable[[str], TokenInfo]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, raw: str) -> TokenInfo:
        if len(self) >= _TOKEN_CACHE_SIZE:
            self.clear()
        info = self[raw] = self._make(raw)
        return info


def _scored_pieces(sizes: list[int] | None, valences: dict[int, float]) -> Scored:
    """`Scored` from the token sizes (None: one piece each) and valences of `ToneScorer._valences` (zero valences left out)."""
    if not any(valences.values()):
        return ()
    if sizes is None:
        return tuple((i, i, valence) for i, valence in sorted(valences.items()) if valence)
    first_piece = list(accumulate(sizes, initial=0))
    return tuple((first_piece[i], first_piece[i] + sizes[i] - 1, valence) for i, valence in sorted(valences.items()) if valence)


def _is_negation(word: str) -> bool:
    return word in _NEGATIONS or "n't" in word


def _is_context(lower: str) -> bool:
    """Whether a token may change the valence of a lexicon word up to three tokens after it in `ToneScorer._valence`
    (by negation, emphasis or intensity): a scored word with none of them before it keeps its own valence, idioms aside."""
    return lower in _CONTEXT_WORDS or _is_negation(lower)


def _idiom_may_start_near(i: int, lowers: Sequence[str]) -> bool:
    """Whether a multi-word idiom or dampener (`ToneScorer._idiom`) may start among tokens i-3..i: its first two
    words are two tokens there. Only for tokens of one word each (no domain phrase merged)."""
    return any((lowers[j], lowers[j + 1]) in _IDIOM_BIGRAMS for j in range(max(i - 3, 0), min(i + 1, len(lowers) - 1)))


class ToneScorer:
    """Scores sentences from -1 (hostile, gloomy) to +1 (conciliatory, upbeat).

    Results are cached per sentence, so `explain` right after `score_many` is free and
    formula sentences repeated across a corpus are scored once.
    """

    def __init__(self, lexicon_path: Path | None = DEFAULT_LEXICON_PATH) -> None:
        """``lexicon_path=None`` gives plain VADER; otherwise the domain table is applied on top."""
        self._lexicon = read_vader_lexicon()
        phrases: dict[str, tuple[str, ...]] = {}
        if lexicon_path is not None:
            for term, valence in read_domain_lexicon(lexicon_path)[["term", "valence"]].itertuples(index=False):
                if " " in term:
                    phrases[term] = tuple(term.split())
                if valence:
                    self._lexicon[term] = valence
                else:
                    self._lexicon.pop(term, None)
        # Phrases (two words or more) by their first two words, longest first; their first words flag tokens to check.
        self._phrases_by_start: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = {}
        for term, words in sorted(phrases.items(), key=lambda item: -len(item[1])):
            self._phrases_by_start.setdefault(words[:2], []).append((term, words))
        self._phrase_firsts = frozenset(first for first, _ in self._phrases_by_start)
        # Booster words carry no valence of their own even when the lexicon lists them.
        self._scoring_words = frozenset(self._lexicon) - frozenset(vader.BOOSTER_DICT)
        self._token_cache = _TokenCache(self._token)
        self._halting = HALTING_VERBS if lexicon_path is not None else frozenset()
        self._analyse = functools.lru_cache(maxsize=_SENTENCE_CACHE_SIZE)(self._analyse_uncached)

    def score(self, sentence: str) -> float:
        """VADER's compound for one sentence, in -1..1 (0.0 when no lexicon word occurs)."""
        return self._analyse(sentence)[0]

    def score_many(self, sentences: Iterable[str]) -> list[float]:
        """`score` for each sentence, in order."""
        analyse = self._analyse
        return [analyse(sentence)[0] for sentence in sentences]

    def explain(self, sentence: str) -> list[tuple[str, float]]:
        """Why the sentence scored as it did: (word, phrase or rule, signed contribution).

        Contributions are in score units and add up to `score` (up to its rounding to
        4 decimals): every raw change to VADER's valence sum is scaled by the same factor
        1/sqrt(sum**2 + 15) that turns the sum into the score. Rules are labelled with the
        word that triggered them, e.g. "not (negation)", "very (intensifier)",
        "but (contrast)", "DEAL (caps)", "!/? (punctuation)". Largest |contribution| first.
        """
        _, raw_sum, trace, _ = self._analyse(sentence)
        scale = 1.0 / math.sqrt(raw_sum * raw_sum + _ALPHA)
        totals: dict[str, float] = {}
        for label, change in trace:
            totals[label] = totals.get(label, 0.0) + change * scale
        ranked = [(label, round(value, 4)) for label, value in totals.items() if round(value, 4)]
        return sorted(ranked, key=lambda item: -abs(item[1]))

    # --- tokens -------------------------------------------------------------------

    def _token(self, raw: str) -> TokenInfo:
        """The `TokenInfo` of one whitespace-separated piece of text."""
        bare = raw.strip(string.punctuation)
        kept = raw if len(bare) <= 2 else bare  # VADER keeps short tokens whole: they may be emoticons
        lower = kept.lower()
        bare = bare.lower()
        bare = bare[:-2] if bare.endswith("'s") else bare
        return (kept, lower, bare, raw.endswith(_CLAUSE_END), lower in self._scoring_words, bare in self._phrase_firsts,
                _is_context(lower))

    def _tokens(self, text: str) -> tuple[list[TokenInfo], list[int] | None]:
        """The `TokenInfo` of each token, with domain phrases merged into one token, and how many
        whitespace-separated pieces of the text each covers (None when one each: no phrase merged)."""
        if not text.isascii():  # curly quotes would hide negations ("don\u2019t"); ingested text is already normalised
            text = normalize_text(text).translate(_DASHES_AS_SPACES)
        infos = list(map(self._token_cache.__getitem__, text.split()))
        matches: list[tuple[int, int, str]] = []
        for start in list(compress(count(), map(_STARTS_PHRASE, infos[:-1]))):
            if matches and start < matches[-1][1]:
                continue  # inside a phrase already matched
            for term, phrase in self._phrases_by_start.get((infos[start][2], infos[start + 1][2]), ()):
                if tuple(map(_BARE, infos[start : start + len(phrase)])) == phrase:
                    matches.append((start, start + len(phrase), term))
                    break
        if not matches:
            return infos, None
        sizes = [1] * len(infos)
        for start, end, term in reversed(matches):
            merged = " ".join(info[0] for info in infos[start:end])
            infos[start:end] = [(merged, term, term, infos[end - 1][3], term in self._scoring_words, False, _is_context(term))]
            sizes[start:end] = [end - start]
        return infos, sizes

    # --- VADER's rules --------------------------------------------------------------

    def word_valences(self, text: str, pieces: tuple[list[str], list[int]] | None = None) -> list[tuple[int, int, float]]:
        """(start, end, valence) of every scored word or phrase, in text order, after VADER's local
        rules (negation, intensifiers, caps, halting) and the "but" weighting; the sentence-wide
        "!"/"?" emphasis is left out. Offsets are into `text` (for text that is not yet normalised,
        as ingested text always is, into ``normalize_text(text)``). What `pipeline.stance` shares out
        among the people a sentence names. `pieces` is ``split_with_starts(text)`` when the caller
        has it already (ignored for text other than ASCII, which is normalised first).
        """
        scored = self._analyse(text)[3]
        if not scored:
            return []
        if not text.isascii():
            text = normalize_text(text).translate(_DASHES_AS_SPACES)
            pieces = None
        words, starts = pieces or split_with_starts(text)
        return [
            (_bare_span(words[first], starts[first])[0], _bare_span(words[last], starts[last])[1], valence)
            for first, last, valence in scored
        ]

    def _valences(self, text: str) -> tuple[list[int] | None, dict[int, float], list[tuple[str, float]]]:
        """Token sizes (see `_tokens`), the final valence of each scored token by position, and the trace."""
        infos, sizes = self._tokens(text)
        hits = list(compress(count(), map(_IS_SCORED, infos)))
        if not hits:
            return sizes, {}, []
        words, lowers = list(map(_KEPT, infos)), list(map(_LOWER, infos))
        contexts = list(compress(count(), map(_IS_CONTEXT, infos)))
        n_upper = sum(map(str.isupper, words))
        is_cap_diff = 0 < len(words) - n_upper < len(words)
        trace: list[tuple[str, float]] = []
        valences: dict[int, float] = {}
        halted = self._halted(hits, lowers, infos)
        for i in hits:
            if lowers[i] == "kind" and i + 1 < len(lowers) and lowers[i + 1] == "of":
                continue
            if i in halted.values():
                continue  # the halting verb itself: its sense is carried by the flip of what it stops
            first_context = bisect_left(contexts, i - 3)
            in_context = first_context < len(contexts) and contexts[first_context] < i
            valences[i] = self._valence(i, words, lowers, is_cap_diff, trace, in_context, sizes is not None)
            if i in halted:
                flipped = valences[i] * vader.N_SCALAR
                trace.append((f"{lowers[halted[i]]} (halts it)", flipped - valences[i]))
                valences[i] = flipped
        if "but" in lowers:
            pivot = lowers.index("but")
            for i, valence in valences.items():
                if i != pivot:
                    factor = 0.5 if i < pivot else 1.5
                    trace.append(("but (contrast)", valence * (factor - 1)))
                    valences[i] = valence * factor
        return sizes, valences, trace

    def _analyse_uncached(self, text: str) -> tuple[float, float, Trace, Scored]:
        """(score, raw valence sum, trace of every change to the sum, the scored tokens' pieces and valences).

        One analysis serves `score`, `explain` and `word_valences` of a sentence (cached).
        """
        sizes, valences, trace = self._valences(text)
        if not valences and not trace:
            return 0.0, 0.0, (), ()
        raw_sum = sum(valences.values())
        emphasis = self._punctuation_emphasis(text)
        if emphasis and raw_sum:
            emphasis = math.copysign(emphasis, raw_sum)
            trace.append(("!/? (punctuation)", emphasis))
            raw_sum += emphasis
        return round(vader.normalize(raw_sum, _ALPHA), 4), raw_sum, tuple(trace), _scored_pieces(sizes, valences)

    def _halted(self, hits: list[int], lowers: Sequence[str], infos: Sequence[TokenInfo]) -> dict[int, int]:
        """Negative lexicon words stopped by a halting verb before them: {word position: verb position}.

        The verb must be at most _HALT_REACH tokens back with no clause punctuation in between
        ("halted, then resumed, the tests" is not a halt of the tests); each verb stops one word.
        """
        found: dict[int, int] = {}
        if self._halting.isdisjoint(lowers):
            return found
        lexicon = self._lexicon
        used: set[int] = set()
        for i in hits:
            if lexicon[lowers[i]] >= 0 or lowers[i] in self._halting:
                continue
            for verb in range(i - 1, max(i - _HALT_REACH, 0) - 1, -1):
                if infos[verb][3]:  # it ends a clause
                    break
                if lowers[verb] in self._halting and verb not in used:
                    found[i] = verb
                    used.add(verb)
                    break
        return found

    def _valence(self, i: int, words: Sequence[str], lowers: Sequence[str], is_cap_diff: bool, trace: list[tuple[str, float]],
                 in_context: bool, merged: bool) -> float:
        """The valence of the lexicon word at position i after VADER's local rules, logging each change.

        `in_context`: one of the three tokens before it `_is_context` (else only idioms may change it);
        `merged`: a domain phrase was merged into one token (the idiom pre-check needs tokens of one word)."""
        lexicon = self._lexicon
        lower = lowers[i]
        base = lexicon[lower]
        if lower == "no" and i != len(lowers) - 1 and lowers[i + 1] in lexicon:
            valence = 0.0  # "no" before a lexicon word negates that word instead of counting itself
        else:
            valence = base
            trace.append((lower, base))

        def change(label: str, new: float) -> float:
            if new != valence:
                trace.append((label, new - valence))
            return new

        if (
            (i > 0 and lowers[i - 1] == "no")
            or (i > 1 and lowers[i - 2] == "no")
            or (i > 2 and lowers[i - 3] == "no" and lowers[i - 1] in ("or", "nor"))
        ):
            valence = change("no (negation)", base * vader.N_SCALAR)
        if is_cap_diff and words[i].isupper():
            valence = change(f"{words[i]} (caps)", valence + (vader.C_INCR if valence > 0 else -vader.C_INCR))
        for distance in (1, 2, 3) if in_context else ():
            before = i - distance
            if before < 0 or lowers[before] in lexicon:
                continue
            if lowers[before] in vader.BOOSTER_DICT:
                scalar = vader.scalar_inc_dec(words[before], valence, is_cap_diff) * (1.0, 0.95, 0.9)[distance - 1]
                kind = "intensifier" if vader.BOOSTER_DICT[lowers[before]] > 0 else "dampener"
                valence = change(f"{lowers[before]} ({kind})", valence + scalar)
            valence = change(*self._negation(distance, i, lowers, valence))
        if (  # VADER checks idioms once it has looked three tokens back (none of the three a lexicon word)
            i >= 3 and lowers[i - 3] not in lexicon and not _IDIOM_WORDS.isdisjoint(lowers[i - 3 : i + 3])
            and (merged or _idiom_may_start_near(i, lowers))
        ):
            valence = change(*self._idiom(i, lowers, valence))
        if i > 0 and lowers[i - 1] == "least" and "least" not in lexicon and (i == 1 or lowers[i - 2] not in ("at", "very")):
            valence = change("least (negation)", valence * vader.N_SCALAR)
        return valence

    @staticmethod
    def _negation(distance: int, i: int, lowers: Sequence[str], valence: float) -> tuple[str, float]:
        """VADER's ``_negation_check`` for the word `distance` tokens back: (label, new valence)."""
        word = lowers[i - distance]
        if distance == 2 and word == "never" and lowers[i - 1] in _EMPHASIS_AFTER_NEVER:
            return "never so (emphasis)", valence * 1.25
        if distance == 3 and (
            (word == "never" and lowers[i - 2] in _EMPHASIS_AFTER_NEVER) or lowers[i - 1] in _EMPHASIS_AFTER_NEVER
        ):
            return "so/this (emphasis)", valence * 1.25
        if distance > 1 and word == "without" and "doubt" in lowers[i - distance + 1 : i]:
            return "", valence  # "without (a) doubt" affirms
        if _is_negation(word):
            return f"{word} (negation)", valence * vader.N_SCALAR
        return "", valence

    @staticmethod
    def _idiom(i: int, lowers: Sequence[str], valence: float) -> tuple[str, float]:
        """VADER's ``_special_idioms_check``: fixed-valence idioms around position i, then "kind of"-style dampeners."""
        label = ""
        one_zero = f"{lowers[i - 1]} {lowers[i]}"
        two_one_zero = f"{lowers[i - 2]} {one_zero}"
        two_one = f"{lowers[i - 2]} {lowers[i - 1]}"
        three_two = f"{lowers[i - 3]} {lowers[i - 2]}"
        three_two_one = f"{three_two} {lowers[i - 1]}"
        for sequence in (one_zero, two_one_zero, two_one, three_two_one, three_two):
            if sequence in vader.SPECIAL_CASES:
                label, valence = f"{sequence} (idiom)", vader.SPECIAL_CASES[sequence]
                break
        following = [" ".join(lowers[i : i + size]) for size in (2, 3) if i + size <= len(lowers)]
        for sequence in following:
            if sequence in vader.SPECIAL_CASES:
                label, valence = f"{sequence} (idiom)", vader.SPECIAL_CASES[sequence]
        for sequence in (three_two_one, three_two, two_one):
            if sequence in vader.BOOSTER_DICT:
                label, valence = f"{sequence} (dampener)", valence + vader.BOOSTER_DICT[sequence]
        return label, valence

    @staticmethod
    def _punctuation_emphasis(text: str) -> float:
        """VADER's boost for up to 4 "!" and for 2 or more "?" (unsigned)."""
        exclamations = min(text.count("!"), 4) * 0.292
        questions = text.count("?")
        return exclamations + (0.0 if questions < 2 else questions * 0.18 if questions <= 3 else 0.96)


# --- aggregation ----------------------------------------------------------------------


def article_tone(sentence_tones: Sequence[float]) -> float:
    """An article's tone: the mean of its non-neutral sentences (|tone| >= 0.05), 0.0 when none.

    Averaging sentences rather than scoring the whole text keeps long articles from
    saturating near +-1; leaving neutral sentences out keeps a long factual report
    with two hostile sentences from looking merely lukewarm.
    """
    opinionated = [tone for tone in sentence_tones if abs(tone) >= NEUTRAL_BAND]
    return float(sum(opinionated) / len(opinionated)) if opinionated else 0.0


def tone_summary(frame: pd.DataFrame, by: list[str], value: str = "tone") -> pd.DataFrame:
    """Mean tone per group with a 95 % Student-t interval, so thin groups show wide bands.

    `frame` has one row per scored unit (sentence or article) with the `by` columns
    (explode list columns such as ``actor_ids`` first). Returns one row per group: the
    `by` columns, n, mean, se and ci_low/ci_high clipped to -1..1; with fewer than two
    values se is NaN and the interval spans the whole scale. Sentences of one article
    are not independent, so for sentence rows the band is, if anything, too narrow.
    """
    stats = frame.groupby(by, observed=True, sort=True)[value].agg(n="count", mean="mean", sd="std").reset_index()
    n = stats["n"]
    se = (stats["sd"] / np.sqrt(n)).where(n >= 2)
    half_width = stdtrit((n - 1).where(n >= 2), 0.975) * se
    stats["se"] = se
    stats["ci_low"] = (stats["mean"] - half_width).clip(-1.0, 1.0).fillna(-1.0)
    stats["ci_high"] = (stats["mean"] + half_width).clip(-1.0, 1.0).fillna(1.0)
    return stats.drop(columns="sd")


# --- evaluation against human judgement ---------------------------------------------------


def is_held_out(key: str, fraction: float = 0.3) -> bool:
    """Whether a row belongs to the fixed test split: decided by a hash of its id, never by its position."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") < fraction * 2**64


def tone_class(score: float) -> int:
    """-1, 0 or +1 by VADER's neutral band, for sign accuracy against labels."""
    return 0 if abs(score) < NEUTRAL_BAND else (1 if score > 0 else -1)


def read_ratings(path: Path) -> pd.DataFrame:
    """Rated sentences (id, rating, sentence) from a headerless tab-separated file such as the NYT ratings."""
    return pd.read_csv(
        path, sep="\t", header=None, names=["id", "rating", "sentence"], quoting=csv.QUOTE_NONE, dtype={"id": str, "sentence": str}
    )
