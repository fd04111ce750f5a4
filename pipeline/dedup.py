"""Duplicate detection: the first record of a story is kept, later copies are counted.

Two kinds, both within one source (the same wire story run by two outlets counts for both):
- exact: the same text once case, punctuation and whitespace are ignored. Same date for
  headlines and short items; a long text re-filed the next day is the same document.
- near: a long text (150+ words, lengths within 10%) on the same date that differs only
  in wording, as the two English translations KCNA sometimes files for one story. Short
  texts are never near duplicates: formula items ("Greetings to ...") differ only in a
  name or two.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import Counter, OrderedDict

from rapidfuzz import fuzz

NEAR_MIN_WORDS = 150
NEAR_LENGTH_RATIO = 0.9
# Near duplicates must agree on both measures (0-100, on comparison keys): the bag of words
# (Dice overlap of word counts), where two translations of one story score 83-97 and
# different stories on the same day at most 76 in the real corpora; and the running text
# (rapidfuzz ratio), which keeps two transcripts of similar vocabulary apart (47) while
# translations score 70+ on their first NEAR_TEXT_CHARS characters.
NEAR_WORDS_SIMILARITY = 80.0
NEAR_TEXT_SIMILARITY = 65.0
EXACT_DAY_WINDOW_LONG = 1
# Bounds that keep near-duplicate checks linear in the input, whatever a hostile upload holds:
# word counts look at the first NEAR_WORDS_CHARS characters, the edit-distance ratio (whose
# cost grows with length squared) at the first NEAR_TEXT_CHARS, and a record meets at most
# the NEAR_MAX_COMPARISONS most recent kept records of its source and day (real corpora have
# at most 43 long stories a day). Measured on the shared corpora: the same duplicates as
# comparing whole texts with every record of the day.
NEAR_WORDS_CHARS = 20_000
NEAR_TEXT_CHARS = 5_000
NEAR_MAX_COMPARISONS = 50
# The comparison keys and bags of words of at most this many records are kept at once, the
# most recently compared: copies meet records of their own source and day, so a corpus read
# in any order rebuilds a key rarely, and ingest's memory no longer grows with a bag of words
# per long record (about 110 MB per 19k KCNA stories).
NEAR_WARM_RECORDS = 2_000

_NON_WORD = re.compile(r"[\W_]+")
# ASCII bytes that are not letters or digits: deleted before hashing, so case, punctuation
# and whitespace never make two copies differ.
_ASCII_NOISE = bytes(b for b in range(128) if not chr(b).isalnum())
_NOISE_TO_SPACE = bytes.maketrans(_ASCII_NOISE, b" " * len(_ASCII_NOISE))


def comparison_key(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces."""
    if text.isascii():  # the same in bytes (ASCII case folding is lower-casing), at a fraction of the regex's cost
        return b" ".join(text.lower().encode("ascii").translate(_NOISE_TO_SPACE).split()).decode("ascii")
    return _NON_WORD.sub(" ", text.casefold()).strip()


@functools.lru_cache(maxsize=256)
def source_key(source: str) -> str:
    """The comparison key of a source name (cached: every record of a file repeats it)."""
    return comparison_key(source)


class Fingerprint:
    """What duplicate detection needs to know about one record (its body, or title if headline-only).

    The word-level comparison key is built only when a near-duplicate comparison needs it.
    """

    __slots__ = ("_key", "_word_counts", "_text", "content", "date", "length", "source", "words")

    def __init__(self, source: str, date: dt.date, text: str) -> None:
        self.source = source_key(source)
        self.date = date
        self.content = hashlib.sha1(text.lower().encode("utf-8").translate(None, _ASCII_NOISE)).hexdigest()
        self.words = text.count(" ") + text.count("\n") + 1  # cleaned text: single spaces, one "\n" per paragraph
        self.length = len(text)
        self._text = text[:NEAR_WORDS_CHARS] if self.words >= NEAR_MIN_WORDS else ""
        self._key: str | None = None
        self._word_counts: Counter[str] | None = None

    @property
    def near_candidate(self) -> bool:
        """Long enough to be compared for near duplicates."""
        return bool(self._text)

    def key(self) -> str:
        """The text in lower case with ASCII punctuation and runs of spaces collapsed (built once).

        Bytes-level translation: long texts are compared by the thousand and
        `comparison_key`'s Unicode regex would dominate ingest time.
        """
        if self._key is None:
            self._key = " ".join(self._key_words())
        return self._key

    def _key_words(self) -> list[str]:
        """The words of the comparison key."""
        return self._text.lower().encode("utf-8").translate(_NOISE_TO_SPACE).decode("utf-8").split()

    def word_counts(self) -> Counter[str]:
        """The comparison key as a bag of words (built once; the key itself only when the bags are close)."""
        if self._word_counts is None:
            self._word_counts = Counter(self._key.split() if self._key is not None else self._key_words())
        return self._word_counts

    def forget(self) -> None:
        """Drop the comparison key and bag of words (rebuilt when needed again), to free their memory."""
        self._key = None
        self._word_counts = None


def _bag_similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice overlap of two bags of words, 0-100: linear in their sizes."""
    total = a.total() + b.total()
    if not total:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = sum(min(count, large[word]) for word, count in small.items() if word in large)
    return 200.0 * shared / total


def _near(a: Fingerprint, b: Fingerprint) -> bool:
    """The same story reworded: close as a bag of words and as running text (lengths already checked)."""
    return (
        _bag_similarity(a.word_counts(), b.word_counts()) >= NEAR_WORDS_SIMILARITY
        and fuzz.ratio(a.key()[:NEAR_TEXT_CHARS], b.key()[:NEAR_TEXT_CHARS], score_cutoff=NEAR_TEXT_SIMILARITY) > 0
    )


class Deduplicator:
    """Remembers kept records and tells whether a new one duplicates one of them."""

    def __init__(self) -> None:
        self._by_content: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
        self._by_day: dict[tuple[str, dt.date], list[tuple[Fingerprint, str]]] = {}
        self._warm: OrderedDict[int, Fingerprint] = OrderedDict()  # records whose keys are built, least recently compared first

    def match(self, record: Fingerprint) -> tuple[str, str] | None:
        """(kind, kept article_id) when `record` duplicates a kept record, else None."""
        window = EXACT_DAY_WINDOW_LONG if record.words >= NEAR_MIN_WORDS else 0
        for kept_date, kept_id in self._by_content.get((record.source, record.content), ()):
            if abs((kept_date - record.date).days) <= window:
                return "exact", kept_id
        if record.near_candidate:
            shortest, longest = NEAR_LENGTH_RATIO * record.length, record.length / NEAR_LENGTH_RATIO
            for kept, kept_id in reversed(self._by_day.get((record.source, record.date), [])[-NEAR_MAX_COMPARISONS:]):
                if shortest <= kept.length <= longest:
                    self._warm_up(record, kept)
                    if _near(record, kept):
                        return "near", kept_id
        return None

    def _warm_up(self, *records: Fingerprint) -> None:
        """Note that `records` are being compared; forget the keys of the least recent beyond NEAR_WARM_RECORDS."""
        for record in records:
            self._warm[id(record)] = record
            self._warm.move_to_end(id(record))
        while len(self._warm) > NEAR_WARM_RECORDS:
            self._warm.popitem(last=False)[1].forget()

    def keep(self, record: Fingerprint, article_id: str) -> None:
        """Register a kept record so later copies of it are found."""
        self._by_content.setdefault((record.source, record.content), []).append((record.date, article_id))
        if record.near_candidate:
            self._by_day.setdefault((record.source, record.date), []).append((record, article_id))
