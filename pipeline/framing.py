"""Framing of denuclearization diplomacy: which approach a sentence talks in, by cue words.

Two contrasts have split every negotiation since Hanoi: all-at-once ("big deal", CVID)
versus step-by-step ("phased", "action for action"), and engagement ("talks", "summit")
versus pressure ("maximum pressure", "sanctions"). Cue phrases per frame live in
``data/framing_lexicon.csv`` (frame, term, weight, rationale; the term syntax is
described in that file's header and in ``docs/measures/framing.md``).

Counting rules, chosen so the counts can be read as "how much of each frame":
- all terms form one regex, alternatives ordered longest first, scanned left to right
  without overlap: the longest phrase wins and its words are not counted again
  ("sanctions relief" is step-by-step, its "sanctions" is not also pressure);
- a term of weight 0 is a guard: it consumes an idiom ("this is a big deal",
  "blood pressure") so the cue inside it is not counted, and is not itself a cue;
- a cue is negated when a negator ("no", "refused", "rather than", ...) stands at most
  ``NEGATION_WINDOW`` words before it in the same clause. Negated cues count zero, not
  against the frame: rejecting a phased deal does not argue for a big deal, and negative
  counts would break the -1..1 axes. `FramingScorer.cues` still reports them, flagged.

Context rules (issue 13), applied by `FramingScorer.score_in_context` on an article's sentences:
- a cue counts only when its sentence is about Korea policy: the sentence names the Koreas,
  Pyongyang, Seoul, the peninsula, denuclearization or a Korean actor (the matcher's actor
  ids with country KP or KR), or it names no other subject (Ukraine, Iran, a budget bill,
  tariffs...) and the sentence before it in the same paragraph names Korea. Other cues are
  summed in ``frame_off_topic`` instead of their frame;
- a "deterrence"/"deterrent" cue belongs to someone: the DPRK's own deterrent ("war
  deterrent", "the DPRK's nuclear deterrent") is the North's posture, not pressure on it, and
  is summed in ``frame_dprk_deterrent``; the allies' deterrence ("extended", "U.S.-ROK",
  "against the DPRK") and deterrence whose owner the sentence does not say count as pressure;
  another country's deterrent (China's, NATO's) is off topic.
"""
from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import re2

FRAMES: tuple[str, ...] = ("all_at_once", "step_by_step", "engagement", "pressure")
FRAME_COLUMNS: tuple[str, ...] = tuple(f"frame_{frame}" for frame in FRAMES)
_COLUMN_INDEX = pd.Index(FRAME_COLUMNS)  # built once: pandas spends ~200 µs turning a list into columns per frame
DEFAULT_FRAMING_PATH = Path(__file__).resolve().parents[1] / "data" / "framing_lexicon.csv"

NEGATION_WINDOW = 4
"""Most words allowed between a negator and the cue it negates ("refused to hold formal talks")."""

GAP_WORDS = 3
"""Most words a ``...`` in a term stands for ("lift some of the sanctions")."""

# Negators, in the lexicon's term syntax. Verbs of refusal count: "rejected a phased approach".
NEGATORS: tuple[str, ...] = (
    "no", "not", "never", "nor", "neither", "without", "cannot", "lack of", "absence of", "end to",
    "[don't|doesn't|didn't|won't|wouldn't|can't|couldn't|isn't|aren't|wasn't|weren't|hasn't|haven't|hadn't|shouldn't]",
    "refus(e|es|ed|ing|al)", "reject(s|ed|ing|ion)", "oppos(e|es|ed|ing)", "opposition to", "resist(s|ed|ing)",
    "[deny|denies|denied|denying]", "dismiss(es|ed|ing)", "abandon(s|ed|ing)", "scrap(s|ped|ping)",
    "cancel(s|ed|led|ing|ling)", "suspend(s|ed|ing)", "halt(s|ed|ing)", "boycott(s|ed|ing)",
    "[rule|rules|ruled|ruling] out", "call(s|ed|ing) off", "walk(s|ed|ing) away from", "pull(s|ed|ing) out of",
    "instead of", "rather than",
)
# Phrases that contain a negator but do not negate what follows ("not only talks but ...").
NON_NEGATING: tuple[str, ...] = (
    "not only", "not just", "not merely", "not simply", "not least", "not to mention", "or not",
    "no doubt", "no matter", "no less", "nothing but",
    "[not|never|cannot|won't|didn't|don't|doesn't|wouldn't] [rule|rules|ruled|ruling] out",  # keeps the option open
    "[not|never] to rule out",
)

_SEPARATOR_CLASS = r"[\s-]"
_SEPARATOR_CLASS_RE2 = r"[\t-\r\x1c-\x20-]"  # on ASCII text, what re's [\s-] is (RE2's \s lacks \v and \x1c-\x1f)
_SEPARATOR = _SEPARATOR_CLASS + "+"  # between the words of a term: spaces or hyphens ("step by step" = "step-by-step")
_GAP = rf"(?:[\w'’]+,?{_SEPARATOR}){{0,{GAP_WORDS}}}"
_WORD_END = r"(?!\w)"
_WORD_TOKEN = re.compile(r"^(?P<stem>[^()\[\]*|]+)(?:\((?P<endings>[^()\[\]*]+)\)|(?P<star>\*))?$")
_LITERAL_START = re.compile(r"[^\W_]*")  # a word's letters before any hyphen, apostrophe or ending
_ALTERNATIVES_TOKEN = re.compile(r"^\[(?P<alternatives>[^()\[\]*]+)\]$")


def _literal(text: str) -> str:
    """Regex for literal text in which a hyphen may also be a space or absent and ' matches ’."""
    parts = [re.escape(part).replace("'", "['’]") for part in text.split("-")]
    return f"{_SEPARATOR_CLASS}?".join(parts)


def _token_regex(token: str, term: str, skip: int = 0) -> str:
    """Regex for one word of a term: ``word``, ``stem(a|b)`` (optional ending), ``stem*`` or ``[a|b]``.

    ``skip`` leaves out that many leading characters of a plain word's stem (its literal
    start, which the compiled trie has already matched).
    """
    if alternatives := _ALTERNATIVES_TOKEN.match(token):
        options = sorted(alternatives["alternatives"].split("|"), key=len, reverse=True)
        if not all(options):
            raise ValueError(f"empty alternative in {term!r}")
        return "(?:" + "|".join(_literal(option) for option in options) + ")"
    word = _WORD_TOKEN.match(token)
    if word is None:
        raise ValueError(f"cannot read {token!r} in term {term!r}")
    stem = _literal(word["stem"][skip:])
    if word["star"]:
        return stem + r"\w*"
    if word["endings"]:
        endings = sorted(word["endings"].split("|"), key=len, reverse=True)
        if not all(endings):
            raise ValueError(f"empty ending in {term!r}")
        return stem + "(?:" + "|".join(_literal(ending) for ending in endings) + ")?"
    return stem


@dataclass(frozen=True)
class _Variant:
    """One way a term can begin: its literal first letters and the regex for the rest."""

    literal: str
    rest: str
    group: str


def _term_variants(term: str, group: str) -> list[_Variant]:
    """The term's variants, one per alternative of a first word ``[a|b]``; ValueError when malformed."""
    tokens = term.split()
    if not tokens or tokens[0] == "..." or tokens[-1] == "..." or "... ..." in term:
        raise ValueError(f"a term needs words, and '...' only between words: {term!r}")
    pieces: list[str] = []
    for position, token in enumerate(tokens[1:], start=1):
        if token == "...":
            pieces.append(_GAP)
            continue
        pieces.append(_token_regex(token, term))
        if position < len(tokens) - 1:
            pieces.append(_SEPARATOR)
    tail = (_SEPARATOR if len(tokens) > 1 else "") + "".join(pieces) + _WORD_END
    first = tokens[0]
    alternatives = _ALTERNATIVES_TOKEN.match(first)
    firsts = alternatives["alternatives"].split("|") if alternatives else [first]
    variants = []
    for number, word in enumerate(firsts):
        literal = _LITERAL_START.match(word)[0]
        if not literal:
            raise ValueError(f"a term must start with a letter or digit: {term!r}")
        variants.append(_Variant(literal, _token_regex(word, term, skip=len(literal)) + tail, f"{group}_{number}"))
    return variants


def _trie(variants: list[_Variant], depth: int = 0) -> str:
    """Alternation of ``variants`` (longest first) that shares their literal starts letter by letter.

    A node splits on the next letter only while every variant's literal goes on past it;
    otherwise it lists its variants in order, so the longest still wins at one start.
    """
    if all(len(variant.literal) > depth for variant in variants):
        by_letter: dict[str, list[_Variant]] = {}
        for variant in variants:
            by_letter.setdefault(variant.literal[depth], []).append(variant)
        return "|".join(f"{re.escape(letter)}(?:{_trie(group, depth + 1)})" for letter, group in by_letter.items())
    return "|".join(f"{re.escape(v.literal[depth:])}{v.rest}(?P<{v.group}>)" for v in variants)


def _compile_terms(terms: Sequence[str], group_prefix: str) -> tuple[re.Pattern[str], dict[str, int]]:
    """One pattern for all terms (lower-case text, whole words) and its group name -> term position.

    Speed matters (300,000 sentences in seconds): a match starts at the non-word
    character before the term (texts get a leading space), which lets the regex engine
    skip to word boundaries in C, and the terms' literal starts form a trie, so a word
    start is ruled out after a letter or two. Terms are ordered longest first (more words,
    then more characters), so the leftmost match is also the longest at its start. An
    empty group closes each alternative: ``match.lastgroup`` names the term.
    """
    def length(position: int) -> tuple[int, int]:
        return sum(token != "..." for token in terms[position].split()), len(terms[position])
    variants: list[_Variant] = []
    group_term: dict[str, int] = {}
    for position in sorted(range(len(terms)), key=length, reverse=True):
        for variant in _term_variants(terms[position], f"{group_prefix}{position}"):
            variants.append(variant)
            group_term[variant.group] = position
    return re.compile(rf"[^\w](?:{_trie(variants)})"), group_term


def _screen(terms: Sequence[str]) -> re2._Regexp:
    """An RE2 pattern that matches in lower-case ASCII text (with the leading space) wherever one of
    `terms` can: a non-word character, then a variant's regex without its closing look-ahead.

    Given the cues (not the guards, which are never reported), it rules out most sentences in one
    linear scan, several times faster than the terms' `re` pattern: few sentences have a cue.
    """
    alternatives = sorted(
        {re.escape(variant.literal) + variant.rest.replace(_SEPARATOR_CLASS, _SEPARATOR_CLASS_RE2).removesuffix(_WORD_END)
         for term in terms for variant in _term_variants(term, "screen")}
    )
    return re2.compile(rf"[^\w](?:{'|'.join(alternatives)})")


def _lower(text: str) -> str:
    """Lower-case text with the same length, so positions in it are positions in ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


def _word_sequences(term: str) -> set[tuple[str, ...]]:
    """Every word sequence a term without ``*`` or ``...`` stands for, for word-level lookups."""
    sequences: set[tuple[str, ...]] = {()}
    for token in term.split():
        alternatives = _ALTERNATIVES_TOKEN.match(token)
        word = _WORD_TOKEN.match(token)
        if alternatives:
            forms = alternatives["alternatives"].split("|")
        elif word and not word["star"]:
            endings = word["endings"].split("|") if word["endings"] else []
            forms = [word["stem"], *(word["stem"] + ending for ending in endings)]
        else:
            raise ValueError(f"only words, endings and [a|b] are allowed here: {term!r}")
        sequences = {(*sequence, form.replace("’", "'")) for sequence in sequences for form in forms}
    return sequences


def _phrase_set(terms: Sequence[str]) -> frozenset[tuple[str, ...]]:
    """All word sequences of the terms, as one set for constant-time lookups."""
    return frozenset(sequence for term in terms for sequence in _word_sequences(term))


_NEGATOR_PHRASES = _phrase_set(NEGATORS)
_NON_NEGATING_PHRASES = _phrase_set(NON_NEGATING)
_NEGATION_WORDS = frozenset(word for phrase in _NEGATOR_PHRASES for word in phrase)
_LONGEST_PHRASE = max(map(len, _NEGATOR_PHRASES | _NON_NEGATING_PHRASES))
_CLAUSE_WORDS = frozenset({"but", "while", "whereas", "although", "though", "yet", "however"})
# Read backwards from a cue (on the reversed text): a word, or a clause break (punctuation, dash, "--").
_BACKWARD_TOKEN = re.compile(r"(?P<word>[\w'’]+)|[.;:!?,()\[\]{}\u2013\u2014]|--")
_TAIL_CHARS = 200  # more than enough text before a cue to hold the negator window


def _clause_words_before(lowered: str, cue_start: int, limit: int) -> list[str]:
    """Up to ``limit`` words just before ``cue_start``, in reading order, stopping at a clause break."""
    backwards: list[str] = []
    for token in _BACKWARD_TOKEN.finditer(lowered[max(0, cue_start - _TAIL_CHARS):cue_start][::-1]):
        if token.lastgroup is None:
            break
        word = token.group()[::-1].replace("’", "'").strip("'")
        if word in _CLAUSE_WORDS:
            break
        if not word:
            continue
        backwards.append(word)
        if len(backwards) == limit:
            break
    return backwards[::-1]


def _is_negated(lowered: str, cue_start: int) -> bool:
    """True when a negator ends at most NEGATION_WINDOW words before ``cue_start``, in the same clause.

    Walks back word by word; at each word the longest phrase ending there decides: a
    non-negating phrase ("not only", "not rule out") is skipped whole, a negator negates.
    """
    words = _clause_words_before(lowered, cue_start, NEGATION_WINDOW + _LONGEST_PHRASE)
    if _NEGATION_WORDS.isdisjoint(words):
        return False
    end = len(words)
    while end > 0 and len(words) - end <= NEGATION_WINDOW:
        for size in range(min(_LONGEST_PHRASE, end), 0, -1):
            phrase = tuple(words[end - size:end])
            if phrase in _NON_NEGATING_PHRASES:
                end -= size
                break
            if phrase in _NEGATOR_PHRASES:
                return True
        else:
            end -= 1
    return False


@dataclass(frozen=True)
class LexiconEntry:
    """One row of the framing lexicon."""

    frame: str
    term: str
    weight: float
    rationale: str


def read_framing_lexicon(path: Path = DEFAULT_FRAMING_PATH) -> list[LexiconEntry]:
    """The lexicon rows, validated so a typo fails loudly instead of silently never matching.

    Lines starting with ``#`` are comments (the syntax notes at the top of the file).
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(line for line in handle if not line.startswith("#"))
        if set(reader.fieldnames or ()) != {"frame", "term", "weight", "rationale"}:
            raise ValueError(f"{path}: expected the columns frame,term,weight,rationale")
        rows = list(reader)
    entries: list[LexiconEntry] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        where = f"{path} entry {number} ({row['term']!r})"
        term = " ".join((row["term"] or "").lower().split())
        if row["frame"] not in FRAMES:
            raise ValueError(f"{where}: frame must be one of {FRAMES}")
        try:
            weight = float(row["weight"])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: weight is not a number") from None
        if not weight >= 0:
            raise ValueError(f"{where}: weight must be >= 0")
        if not (row["rationale"] or "").strip():
            raise ValueError(f"{where}: rationale is empty")
        if term in seen:
            raise ValueError(f"{where}: term listed twice")
        _term_variants(term, "check")  # raises on malformed syntax
        seen.add(term)
        entries.append(LexiconEntry(row["frame"], term, weight, row["rationale"].strip()))
    return entries


# --- context: is a cue about Korea policy, and whose deterrent is it (issue 13) ---------------------------------------

OFF_TOPIC_COLUMN = "frame_off_topic"
"""Summed weight of the cues a sentence would count if it were about Korea policy (another subject, or another country's deterrent)."""
DPRK_DETERRENT_COLUMN = "frame_dprk_deterrent"
"""Summed weight of "deterrent" cues that are the DPRK's own deterrent: its posture, not pressure on it."""
SENTENCE_COLUMNS: tuple[str, ...] = (*FRAME_COLUMNS, OFF_TOPIC_COLUMN, DPRK_DETERRENT_COLUMN)
_SENTENCE_INDEX = pd.Index(SENTENCE_COLUMNS)
KOREAN_COUNTRIES = frozenset({"KP", "KR"})
ALLIED_COUNTRIES = frozenset({"US", "KR", "JP"})
DETERRENT_TERM = "deterren(ce|t|ts)"
"""The lexicon entry whose owner is read from its sentence; "extended deterrence" is the allies' by definition."""

# What makes a sentence about Korea, besides a Korean actor: the Koreas and their capitals, "the North"
# (capitalised, as Western prose names the DPRK), the peninsula, denuclearization and Korea-only names
# (Panmunjom, Kaesong, Yongbyon, the DMZ, Hwasong missiles, the six-party talks).
_KOREA = re.compile(
    r"\b(?:korea\w*|inter[\s-]?korean|dprk|d\.p\.r\.k|rok|r\.o\.k|kpa|pyongyang|seoul|panmunjom|kaesong|kumgang|"
    r"yongbyon|punggye[\s-]?ri|sohae|dmz|demilitari[sz]ed\s+zone|yeonpyeong|yonphyong|hwasong\w*|"
    r"the\s+peninsula|denucleari[sz]\w*|six[\s-]party|north[\s-]south|(?-i:the\s+North)(?!\s+(?:Atlantic|Pole|Sea|American)))(?!\w)",
    re.IGNORECASE,
)
# Subjects that make a sentence about something else when it does not name Korea itself: other
# conflicts and countries' disputes, trade and US domestic policy. Russia and China are not listed:
# the DPRK's dealings with them are Korea policy.
_OTHER_SUBJECT = re.compile(
    r"\b(?:iran\w*|jcpoa|israel\w*|palestin\w*|gaza\w*|hamas|hezbollah|houthis?|west\s+bank|leban\w*|syria\w*|yemen\w*|"
    r"ukrain\w*|kyiv|kiev|crimea\w*|donbass?|zelensk\w*|venezuela\w*|cuba\w*|afghan\w*|taliban|iraq\w*|sudan\w*|haiti\w*|"
    r"taiwan\w*|nato|g-?7|g-?20|india|indian|pakistan\w*|"
    r"tariffs?|trade\s+(?:deals?|wars?|talks|agreements?|negotiations?)|export\s+controls?|fentanyl|"
    r"budget|reconciliation\s+(?:bill|package|process|legislation)|infrastructure|build\s+back\s+better|"
    r"inflation\s+reduction\s+act|debt\s+(?:ceiling|limit)|filibuster|medicare|medicaid|prescription\s+drugs?|drug\s+prices|"
    r"health\s?care|student\s+loans?|immigration|border\s+security|covid\w*|coronavirus|vaccin\w*|pandemic|climate|"
    r"gun\s+(?:violence|safety|control))(?!\w)",
    re.IGNORECASE,
)
# Words right before a deterrent cue that name its owner ("war deterrent" is KCNA's name for the DPRK's own).
_DPRK_MODIFIERS = frozenset({"war", "self-defensive", "self-defence", "self-defense", "juche"})
_ALLY_MODIFIERS = frozenset({"extended", "integrated", "tailored", "combined", "allied", "alliance", "trilateral", "joint"})
_MODIFIER_WORDS = 3
_MODIFIER_TOKEN = re.compile(r"[\w'’.-]+|[,;:!?()\[\]\u2013\u2014\"“”]")
# Parties in the sentence, the nearest one before the cue (else after it) owns it; after "against",
# "on", "toward", "with", "to" or "from" the party is not the owner: the DPRK there is the target of
# the deterrence, which makes it pressure on the North ("talks with North Korea, while keeping deterrence"). KCNA's
# names for the US and its allies ("hostile forces", "the enemy", "imperialists", "puppets") are the allies.
_OWNER_MARKERS = re.compile(
    r"(?P<against>\b(?:against|toward|towards|on|upon|at|with|to|from)\s+(?:the\s+)?)?"
    r"(?:(?P<dprk>\b(?:dprk|d\.p\.r\.k|north\s+korea\w*|pyongyang|kpa|korean\s+people's\s+army)(?!\w))"
    r"|(?P<allies>\b(?:(?-i:US)|u\.s|united\s+states|america\w*|washington|rok|r\.o\.k|south\s+korea\w*|seoul|japan\w*|tokyo|"
    r"allies|allied|alliance|hostile\s+forces|enem(?:y|ies)|imperialists?|puppets?)(?!\w))"
    r"|(?P<other>\b(?:china|chinese|beijing|russia\w*|moscow|india\w*|pakistan\w*|britain|british|(?-i:UK)|u\.k|"
    r"united\s+kingdom|france|french|europe\w*|australia\w*|aukus|nato|ukrain\w*|kyiv|israel\w*|iran\w*)(?!\w)))",
    re.IGNORECASE,
)
OWNERS: tuple[str, ...] = ("dprk", "allies", "target", "other", "unknown")
"""A deterrent cue's owner: the DPRK's own, the allies', aimed at the North (target), another country's, or not said."""


@dataclass(frozen=True)
class Cue:
    """One cue found in a sentence, with where it is and what became of it.

    ``status`` is ``counted`` (added to its frame), ``negated``, ``off_topic`` (the sentence is
    not about Korea policy, or the deterrent is another country's) or ``dprk_deterrent``.
    ``owner`` is set for "deterrent" cues only (one of OWNERS).
    """

    frame: str
    text: str
    start: int
    end: int
    weight: float
    status: str
    owner: str | None = None


def paragraph_openings(text: str, sentences: Sequence[str]) -> list[bool]:
    """For each sentence of ``text`` (in order, as `pipeline.text.split_sentences` returns them),
    whether it opens a paragraph: it is the first sentence after a line break, or the first.

    The splitter only strips the sentences it cuts, so each is found in order in ``text``.
    """
    openings: list[bool] = []
    position = 0
    for sentence in sentences:
        start = text.find(sentence, position)
        if start < 0:
            raise ValueError(f"sentence {sentence[:40]!r} not found in its text after offset {position}")
        openings.append(position == 0 or "\n" in text[position:start])
        position = start + len(sentence)
    return openings


def _modifier_owner(text: str, cue_start: int) -> str | None:
    """"dprk" or "allies" when one of the few words right before the cue, in its clause, names the owner."""
    words = _MODIFIER_TOKEN.findall(text[max(0, cue_start - 80):cue_start])
    for word in reversed(words[-_MODIFIER_WORDS:]):
        if not word[0].isalnum():
            break
        word = word.lower().strip(".'’")
        if word in _DPRK_MODIFIERS:
            return "dprk"
        if word in _ALLY_MODIFIERS:
            return "allies"
    return None


def _parties(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, owner) of each party the sentence names, in order; a non-DPRK party after
    "against" is left out ("deterrence against China" says nothing of the owner)."""
    parties = []
    for match in _OWNER_MARKERS.finditer(sentence):
        if match["against"]:
            if match["dprk"]:
                parties.append((match.start(), match.end(), "target"))
        else:
            parties.append((match.start(), match.end(), match.lastgroup))
    return parties


class FramingScorer:
    """Weighted, negation-aware counts of framing cues per sentence, and the context rules of issue 13."""

    def __init__(self, lexicon_path: Path = DEFAULT_FRAMING_PATH, actor_countries: Mapping[str, str] | None = None) -> None:
        """``actor_countries`` maps actor ids to country codes (default: the gazetteer's), for the Korea and owner rules."""
        self.entries = read_framing_lexicon(lexicon_path)
        self._pattern, self._group_entry = _compile_terms([entry.term for entry in self.entries], "t")
        self._screen = _screen([entry.term for entry in self.entries if entry.weight > 0])
        if actor_countries is None:
            from pipeline.actors import load_gazetteer  # here, so the lexicon tools do not need the gazetteer
            actor_countries = {actor.id: actor.country for actor in load_gazetteer().actors}
        self._countries = dict(actor_countries)

    def _scan(self, text: str) -> Iterator[tuple[LexiconEntry, int, int, bool]]:
        """(entry, start, end, negated) for each cue; guards are consumed, not yielded."""
        lowered = " " + _lower(text)  # position i in lowered is i - 1 in text; the space starts the first match
        # Other text is for `re` alone (RE2 reads bytes); ASCII text goes to RE2 as bytes, which spares the RE2
        # module mapping offsets between characters and bytes (a third faster).
        if lowered.isascii() and self._screen.search(lowered.encode()) is None:
            return
        for match in self._pattern.finditer(lowered):
            entry = self.entries[self._group_entry[match.lastgroup]]
            if entry.weight > 0:
                start, end = match.start(), match.end() - 1  # in text: the term after the boundary character
                yield entry, start, end, _is_negated(lowered, start + 1)

    def names_korea(self, sentence: str, actor_ids: Iterable[str] = ()) -> bool:
        """True when the sentence names the Koreas, their capitals, the peninsula, denuclearization or a Korean actor."""
        return any(self._countries.get(actor) in KOREAN_COUNTRIES for actor in actor_ids) or _KOREA.search(sentence) is not None

    def about_korea(self, sentence: str, actor_ids: Iterable[str] = (), previous: str | None = None,
                    previous_actor_ids: Iterable[str] = ()) -> bool:
        """The relevance rule: the sentence names Korea, or it names no other subject and ``previous``
        (the sentence before it in the same paragraph, None when it opens one) names Korea."""
        if self.names_korea(sentence, actor_ids):
            return True
        return previous is not None and _OTHER_SUBJECT.search(sentence) is None and self.names_korea(previous, previous_actor_ids)

    def deterrent_owner(self, sentence: str, start: int, end: int, actor_ids: Iterable[str] = (),
                        parties: Sequence[tuple[int, int, str]] | None = None) -> str:
        """Whose deterrent the cue at ``sentence[start:end]`` is (one of OWNERS).

        In order: a modifier right before it ("war deterrent", "extended deterrence"); the nearest
        party named before it in the sentence, else after it ("the deterrent of the DPRK"), where a
        party after "against"/"on"/"toward" is the target ("deterrence against the DPRK": pressure);
        else the countries of the sentence's actors (only the DPRK's: dprk; only allied: allies).
        ``parties`` is `_parties(sentence)`, passed in when a sentence has several cues.
        """
        owner = _modifier_owner(sentence, start)
        if owner:
            return owner
        parties = _parties(sentence) if parties is None else parties
        position = bisect.bisect_right(parties, (start, start, "~"))  # the first party starting at or after the cue
        if position and parties[position - 1][1] <= start:
            return parties[position - 1][2]
        after = next((party for party in parties[position:] if party[0] >= end), None)
        if after:
            return after[2]
        countries = {self._countries.get(actor) for actor in actor_ids}
        if "KP" in countries and not countries & ALLIED_COUNTRIES:
            return "dprk"
        if countries & ALLIED_COUNTRIES and "KP" not in countries:
            return "allies"
        return "unknown"

    def explain(self, sentence: str, actor_ids: Iterable[str] = (), relevant: bool = True) -> list[Cue]:
        """Every cue of the sentence in reading order, with what became of it; ``relevant`` is the
        sentence's `about_korea` verdict (True: judge the sentence on its own words only)."""
        actor_ids = tuple(actor_ids)
        parties: list[tuple[int, int, str]] | None = None
        cues = []
        for entry, start, end, negated in self._scan(sentence):
            owner = None
            if entry.term == DETERRENT_TERM:
                parties = _parties(sentence) if parties is None else parties
                owner = self.deterrent_owner(sentence, start, end, actor_ids, parties)
            if negated:
                status = "negated"
            elif not relevant or owner == "other":
                status = "off_topic"
            elif owner == "dprk":
                status = "dprk_deterrent"
            else:
                status = "counted"
            cues.append(Cue(entry.frame, sentence[start:end], start, end, entry.weight, status, owner))
        return cues

    def _row(self, sentence: str, actor_ids: Iterable[str] = (), relevant: bool = True) -> list[float]:
        """Summed weights in SENTENCE_COLUMNS order."""
        totals = [0.0] * len(SENTENCE_COLUMNS)
        for cue in self.explain(sentence, actor_ids, relevant):
            if cue.status == "counted":
                totals[FRAMES.index(cue.frame)] += cue.weight
            elif cue.status == "off_topic":
                totals[len(FRAMES)] += cue.weight
            elif cue.status == "dprk_deterrent":
                totals[len(FRAMES) + 1] += cue.weight
        return totals

    def cues(self, sentence: str) -> list[tuple[str, str, bool]]:
        """(frame, matched text, negated) in reading order: the evidence behind `score`."""
        return [(entry.frame, sentence[start:end], negated) for entry, start, end, negated in self._scan(sentence)]

    def score(self, sentence: str) -> dict[str, float]:
        """Frame -> summed weight of the sentence's counted cues, the sentence judged on its own words
        (no Korea rule; the deterrent rule applies)."""
        return dict(zip(FRAMES, self._row(sentence)))

    def score_many(self, sentences: Sequence[str]) -> pd.DataFrame:
        """One row per sentence, columns ``frame_<frame>`` (float), each sentence as in `score`;
        a Series keeps its index. Missing values (None, NA) score zero."""
        rows = [self._row(sentence)[:len(FRAMES)] if isinstance(sentence, str) else [0.0] * len(FRAMES) for sentence in sentences]
        counts = np.array(rows, dtype=float).reshape(len(rows), len(FRAMES))
        index = sentences.index if isinstance(sentences, pd.Series) else None
        return pd.DataFrame(counts, columns=_COLUMN_INDEX, index=index)

    def score_in_context(self, sentences: Sequence[str], actor_ids: Sequence[Iterable[str]],
                         opens_paragraph: Sequence[bool]) -> pd.DataFrame:
        """One row per sentence, columns SENTENCE_COLUMNS: the Korea and deterrent rules applied.

        The three sequences run in parallel over one or more articles' sentences in order;
        ``opens_paragraph`` (see `paragraph_openings`) is True for each article's first sentence,
        so no context crosses from one article to the next.
        """
        if not len(sentences) == len(actor_ids) == len(opens_paragraph):
            raise ValueError(f"score_in_context needs sequences of one length, got {len(sentences)}, "
                             f"{len(actor_ids)} and {len(opens_paragraph)}")
        rows = []
        for index, sentence in enumerate(sentences):
            if not isinstance(sentence, str) or next(self._scan(sentence), None) is None:
                rows.append([0.0] * len(SENTENCE_COLUMNS))
                continue
            previous = None if opens_paragraph[index] or index == 0 else sentences[index - 1]
            relevant = self.about_korea(sentence, actor_ids[index], previous if isinstance(previous, str) else None,
                                        actor_ids[index - 1] if previous is not None else ())
            rows.append(self._row(sentence, actor_ids[index], relevant))
        return pd.DataFrame(np.array(rows, dtype=float).reshape(len(rows), len(SENTENCE_COLUMNS)), columns=_SENTENCE_INDEX)


SHRINKAGE_CUES = 1.0
"""k in (a - b) / (a + b + k): one cue of weight 1 gives an axis of +-0.5, not +-1; twenty give +-0.95."""


def _balance(first: pd.Series, second: pd.Series) -> pd.Series:
    """(first - second) / (first + second + k) for counts >= 0, strictly inside -1..1; NaN where neither has a cue."""
    total = first + second
    return ((first - second) / (total + SHRINKAGE_CUES)).where(total > 0)


def framing_axes(frame_counts: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame_counts`` (per sentence or summed per article) with the two axes added.

    ``deal_axis``: toward +1 all-at-once, toward -1 step-by-step; ``posture_axis``: toward +1
    engagement, toward -1 pressure; shrunk toward 0 by SHRINKAGE_CUES so a single cue is not a
    full-strength stance; NaN when neither side of an axis has a cue.
    """
    missing = [column for column in FRAME_COLUMNS if column not in frame_counts.columns]
    if missing:
        raise ValueError(f"framing_axes needs the columns {missing}")
    result = frame_counts.copy()
    result["deal_axis"] = _balance(result["frame_all_at_once"].astype(float), result["frame_step_by_step"].astype(float))
    result["posture_axis"] = _balance(result["frame_engagement"].astype(float), result["frame_pressure"].astype(float))
    return result
