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

from rapidfuzz import fuzz

NEAR_MIN_WORDS = 150
NEAR_LENGTH_RATIO = 0.9
# Near duplicates must agree on both measures (rapidfuzz ratios, 0-100, on comparison keys):
# the bag of words (tokens sorted), where two translations of one story score 86-97 and
# different stories on the same day at most 82 in the real corpora; and the running text,
# which keeps two transcripts of similar vocabulary apart (47) while translations score 79+.
NEAR_WORDS_SIMILARITY = 85.0
NEAR_TEXT_SIMILARITY = 75.0
EXACT_DAY_WINDOW_LONG = 1

_NON_WORD = re.compile(r"[\W_]+")
# ASCII bytes that are not letters or digits: deleted before hashing, so case, punctuation
# and whitespace never make two copies differ.
_ASCII_NOISE = bytes(b for b in range(128) if not chr(b).isalnum())
_NOISE_TO_SPACE = bytes.maketrans(_ASCII_NOISE, b" " * len(_ASCII_NOISE))


def comparison_key(text: str) -> str:
    """Text reduced to lower-case words separated by single spaces."""
    return _NON_WORD.sub(" ", text.casefold()).strip()


@functools.lru_cache(maxsize=256)
def source_key(source: str) -> str:
    """The comparison key of a source name (cached: every record of a file repeats it)."""
    return comparison_key(source)


class Fingerprint:
    """What duplicate detection needs to know about one record (its body, or title if headline-only).

    The word-level comparison key is built only when a near-duplicate comparison needs it.
    """

    __slots__ = ("_key", "_sorted_key", "_text", "content", "date", "length", "source", "words")

    def __init__(self, source: str, date: dt.date, text: str) -> None:
        self.source = source_key(source)
        self.date = date
        self.content = hashlib.sha1(text.lower().encode("utf-8").translate(None, _ASCII_NOISE)).hexdigest()
        self.words = text.count(" ") + text.count("\n") + 1  # cleaned text: single spaces, one "\n" per paragraph
        self.length = len(text)
        self._text = text if self.words >= NEAR_MIN_WORDS else ""
        self._key: str | None = None
        self._sorted_key: str | None = None

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
            spaced = self._text.lower().encode("utf-8").translate(_NOISE_TO_SPACE).decode("utf-8")
            self._key = " ".join(spaced.split())
        return self._key

    def sorted_key(self) -> str:
        """The comparison key's words in sorted order: the text as a bag of words (built once)."""
        if self._sorted_key is None:
            self._sorted_key = " ".join(sorted(self.key().split()))
        return self._sorted_key


def _near(a: Fingerprint, b: Fingerprint) -> bool:
    """The same story reworded: close as a bag of words and as running text (lengths already checked)."""
    return (
        fuzz.ratio(a.sorted_key(), b.sorted_key(), score_cutoff=NEAR_WORDS_SIMILARITY) > 0
        and fuzz.ratio(a.key(), b.key(), score_cutoff=NEAR_TEXT_SIMILARITY) > 0
    )


class Deduplicator:
    """Remembers kept records and tells whether a new one duplicates one of them."""

    def __init__(self) -> None:
        self._by_content: dict[tuple[str, str], list[tuple[dt.date, str]]] = {}
        self._by_day: dict[tuple[str, dt.date], list[tuple[Fingerprint, str]]] = {}

    def match(self, record: Fingerprint) -> tuple[str, str] | None:
        """(kind, kept article_id) when `record` duplicates a kept record, else None."""
        window = EXACT_DAY_WINDOW_LONG if record.words >= NEAR_MIN_WORDS else 0
        for kept_date, kept_id in self._by_content.get((record.source, record.content), ()):
            if abs((kept_date - record.date).days) <= window:
                return "exact", kept_id
        if record.near_candidate:
            shortest, longest = NEAR_LENGTH_RATIO * record.length, record.length / NEAR_LENGTH_RATIO
            for kept, kept_id in self._by_day.get((record.source, record.date), ()):
                if shortest <= kept.length <= longest and _near(record, kept):
                    return "near", kept_id
        return None

    def keep(self, record: Fingerprint, article_id: str) -> None:
        """Register a kept record so later copies of it are found."""
        self._by_content.setdefault((record.source, record.content), []).append((record.date, article_id))
        if record.near_candidate:
            self._by_day.setdefault((record.source, record.date), []).append((record, article_id))
