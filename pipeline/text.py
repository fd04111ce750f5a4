"""Text primitives every stage shares: Unicode/whitespace normalisation and sentence splitting.

Both run on every article of a build (hundreds of thousands of sentences), so they use
C-level string operations (`str.translate`, compiled regexes) and keep Python-level
work per sentence boundary, not per character.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import accumulate

import re2

# --- normalisation -----------------------------------------------------------------

# Characters replaced before analysis: curly quotes become straight ones (so "don't" and
# "Kim's" match the lexicons); invisible marks (zero-width, BOM, soft hyphen, the
# object-replacement character) disappear; Unicode line separators become newlines.
_REPLACEMENTS = (
    *((quote, "'") for quote in "\u2018\u2019\u201a\u201b\u2032\u02bc"),
    *((quote, '"') for quote in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"),
    *((mark, "") for mark in "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufffc"),
    *((separator, "\n") for separator in "\u2028\u2029\x85"),
)
# C0 and C1 controls, except tab/newline/vertical tab/form feed (whitespace, handled below).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Unicode normalisation sorts each run of combining marks by insertion (quadratic: a
# 40,000-mark run takes seconds); Unicode's own stream-safe limit is 30 marks after a letter.
# RE2 (`re` has no \p{M}) on UTF-8 bytes, so lone surrogates pass through.
_MAX_MARKS = 30
_MARK_RUN = re2.compile(rb"(\pM{%d})\pM+" % _MAX_MARKS)


def _cap_mark_runs(text: str) -> str:
    """Text with each run of combining marks cut to its first `_MAX_MARKS` (only "Zalgo" text has more)."""
    encoded = text.encode("utf-8", "surrogatepass")
    return _MARK_RUN.sub(rb"\1", encoded).decode("utf-8", "surrogatepass")


def normalize_text(text: str) -> str:
    """Normalise text for analysis and display; paragraphs come back joined by a single "\\n".

    NFKC folds compatibility forms (no-break and ideographic spaces, full-width
    letters, ligatures, "…" -> "...") so matching and counting see one spelling; curly
    quotes become straight; invisible characters and controls are dropped; runs of
    spaces collapse and blank lines disappear (a paragraph is a non-empty line).
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", _cap_mark_runs(text))
        for old, new in _REPLACEMENTS:
            if old in text:
                text = text.replace(old, new)
    if _CONTROLS.search(text):
        text = _CONTROLS.sub("", text)
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


_PIECE = re.compile(r"\S+")


def split_with_starts(text: str) -> tuple[list[str], list[int]]:
    """``text.split()`` and where each piece starts in `text`, for offsets of words found by splitting.

    Normalised text (`normalize_text`) separates its pieces by single spaces, so their starts follow
    from their lengths (about twice as fast as a regex scan); other text is scanned.
    """
    pieces = text.split()
    if " ".join(pieces) == text:
        return pieces, (list(accumulate([len(piece) + 1 for piece in pieces[:-1]], initial=0)) if pieces else [])
    matches = list(_PIECE.finditer(text))
    return [match.group() for match in matches], [match.start() for match in matches]


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (keeps long word lists readable)."""
    return frozenset(words.split())


# --- sentence splitting ------------------------------------------------------------

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, space,
# then something that can open a sentence (capital, digit, opening quote or bracket).
# Only at the start of a run of marks, each run taken whole (possessive): otherwise every
# position in a long run of dots would rescan the rest of it (quadratic). The pattern opens with
# a mark (the look-behind after it checks that the character before it is none), so the regex
# engine skips from mark to mark in C instead of trying every position.
_CANDIDATE = re.compile(r"([.!?](?<![.!?]{2})[.!?]*+)([\"')\]]*+)\s++(?=[\"'(\[]*+[A-Z0-9])")

# Abbreviations that are never sentence ends (titles before a name).
_TITLES = word_set("mr mrs ms messrs mme dr prof gen lt col maj capt cmdr adm brig sgt cpl pvt gov sen rep rev hon amb pres secy supt insp")
# Abbreviations that are not sentence ends when a number follows ("No. 1", "Dec. 3").
_BEFORE_NUMBERS = word_set("no nos vol art fig p pp ch para jan feb mar apr jun jul aug sep sept oct nov dec")
# Abbreviations that end sentences often enough ("... for the U.S. The talks ...") that a
# sentence-opening word after them decides; initials ("J. Biden") are handled the same way.
_AMBIGUOUS = word_set("etc inc co corp ltd jr sr st mt ft vs approx dept govt bros")
_SENTENCE_OPENERS = word_set(
    "a an the this that these those he she it they we i you his her its their our my your there here "
    "but and or so yet if when while after before as at in on for from by with however meanwhile "
    "still also then now today yesterday earlier later last next since although because though one "
    "two some many most all no not what why how who where during under despite according"
)


_LOOKAHEAD = 40  # characters after a candidate that decide it; bounded so long paragraphs stay linear
_LOOKBEHIND = 200  # characters before a candidate searched for its word's start (no word is longer)


def _is_boundary(paragraph: str, match: re.Match[str]) -> bool:
    """Decide whether a candidate punctuation mark ends a sentence."""
    if "!" in match.group(1) or "?" in match.group(1):
        return True
    start = match.start()
    word_start = paragraph.rfind(" ", max(0, start - _LOOKBEHIND), start) + 1
    if word_start == 0 and start > _LOOKBEHIND:
        word_start = start - _LOOKBEHIND
    token = paragraph[word_start:start].lstrip("\"'([")
    if not token:
        return True
    lower = token.lower()
    if lower in _TITLES:
        return False
    following = paragraph[match.end() : match.end() + _LOOKAHEAD].lstrip("\"'([")
    if lower in _BEFORE_NUMBERS:
        return not following[:1].isdigit()
    if lower in _AMBIGUOUS or "." in token or (len(token) == 1 and token.isupper()):
        next_word = following.split(" ", 1)[0].rstrip(",;:").lower()
        return next_word in _SENTENCE_OPENERS
    return True


def _split_paragraph(paragraph: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        if _is_boundary(paragraph, match):
            end = match.end(2)
            sentences.append(paragraph[start:end].strip())
            start = match.end()
    sentences.append(paragraph[start:].strip())
    return [s for s in sentences if s]


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; every line is a paragraph and paragraphs never merge.

    Survives abbreviations ("U.S.", "Gen.", "Mr.", "Dec. 3", "No. 1"), initials
    ("J. Biden"), decimals ("3.5 percent"), and punctuation inside closing quotes
    (the quote stays with its sentence).
    """
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = paragraph.strip()
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences
