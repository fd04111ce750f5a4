"""Tokenisation for term statistics: the one place topics, keywords and the Compare page agree on.

A term is a lower-cased word or a bigram of two adjacent words. Rules, and why:
- Hyphenated words stay whole ("inter-korean", "long-range", "hwasong-18"): split, they would
  lose their meaning ("inter", "range").
- Korean personal names become one hyphenated term, as the actor ids spell them: "Kim Jong Un",
  "Kim Jong-un" and "Kim Jong-Un" all count as "kim-jong-un". A name is a common Korean surname
  followed by two romanised Korean syllables (capitalised when written apart). Split, a name
  would flood topics with its syllables ("jong", "un", "jong un") and inflate their coherence.
- "U.S.", "US" and "USA" become the term "u.s." (plain "us" is the pronoun; "anti-U.S." stays
  whole as "anti-u.s."); "U.N." becomes "un"; the headline forms "S. Korea" and "N. Korea"
  become "south korea" and "north korea".
- A possessive "'s" is dropped ("korea's" counts as "korea"); other apostrophes stay in the word
  so contractions ("don't") can be listed as stop words.
- Dropped: stop words (data/stopwords.txt), one-letter tokens and tokens that start with a digit
  (years, figures, "38th"); a token that starts with a letter keeps its digits ("f-35", "g7").
- A bigram joins two kept words only when nothing but spaces separates them in the text:
  a stop word, a number, punctuation or a line break between them breaks the pair.

What is counted of an article (`term_text`): its title once and its body without the parts
about the format rather than the subject. A headline-only record (its text is its title) is
counted once, not twice. Transcript speaker labels ("MS. JEAN-PIERRE:", "Q", "MODERATOR:",
"THE PRESIDENT:") go, with the time stamps ("1:03 P.M. EST") and the venue lines before the
first speaker; so do agency datelines ("Pyongyang, October 11 (KCNA) --") and bylines
anywhere in the body. The displayed text keeps them: a reader wants to see who spoke.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain, compress, count, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pipeline.clean.boilerplate import DATELINE, is_byline, letters_key

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import CountVectorizer

STOPWORDS_PATH = Path(__file__).resolve().parents[1] / "data" / "stopwords.txt"

_ABBREVIATIONS = {
    "U.S.A.": "U.S.",
    "USA": "U.S.",
    "US": "U.S.",
    "U.S.": "U.S.",
    "U.N.": "UN",
    "S. Korea": "South Korea",
    "N. Korea": "North Korea",
}
# The first letter is matched before the look-behind: Python scans for a literal set far faster than for "\b".
_ABBREVIATION = re.compile(r"[USN](?<![\w.][USN])(?:(?<=U)\.S\.(?:A\.)?|(?<=U)\.N\.|(?<=U)SA?\b|\. Korea)")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
# Curly apostrophes become straight; NUL counts as a space.
_TRANSLATION = str.maketrans({"\u2019": "'", "\u2018": "'", "\x00": " "})


def _token_pattern(alphanumeric: str, breaker: str) -> re.Pattern[str]:
    """A word (letters/digits or "U.S.", joined by inner hyphens or apostrophes: "anti-U.S."), or one
    breaker: any other non-space character or a line break. Runs of spaces between words are skipped."""
    word = rf"(?:U\.S\.|{alphanumeric}+)"
    return re.compile(rf"{word}(?:['\-]{word})*|\n|{breaker}")


_TOKEN = _token_pattern(r"[^\W_]", r"[^\s'\w]|_")
# The same tokens of an ASCII text (nearly every article) in ASCII classes, which the regex engine tests
# about 30% faster than Unicode categories. ASCII white space is \t-\r, \x1c-\x1f (str.isspace) and " ".
_ASCII_TOKEN = _token_pattern("[A-Za-z0-9]", r"[^\t-\r\x1c-\x20'A-Za-z0-9]")
KOREAN_SURNAMES = frozenset(
    "Ahn An Bae Baek Byun Cha Chae Chang Cho Choe Choi Chon Chu Chun Chung Go Ham Han Ho Hong Hwang Hyon Hyun Im Jang "
    "Jeon Jeong Ji Jin Jo Jon Jong Ju Jung Kang Ki Kil Kim Ko Kong Ku Kuk Kung Kwak Kwon Kye Lee Lim Ma Min Moon Mun Nam "
    "Noh O Oh Om Paek Pae Pak Pang Park Pong Pyon Ra Ri Rim Ro Roh Ryang Ryom Ryu Seo Shin Sim Sin So Son Song Sonu Suh "
    "Thae Tong U Um Wang Wi Won Yang Yom Yoon Yu Yun".split()
)
# Korean romanisation uses no f, q, v, x or z: onset, optional glide, vowel, optional coda.
_KOREAN_SYLLABLE = re.compile(r"(?:[bcdghjkmnprst]h?|ss|jj|kk|pp|tt)?[wy]?(?:ae|ai|eo|eu|oe|oi|ui|ye|oo|ee|a|e|i|o|u)(?:ng|n|m|l|k|p|t|r)?")


# A transcript's speaker label at the start of a line: up to six upper-case words and a colon
# ("MS. JEAN-PIERRE:", "SENIOR ADMINISTRATION OFFICIAL:"). Matched within the line's first
# _MAX_LABEL characters, so a long line costs nothing more.
_SPEAKER_LABEL = re.compile(r"[A-Z][A-Z.'\-]*(?: [A-Z][A-Z.'\-]*){0,5}:[ \t]*")
_QUESTION_LABEL = re.compile(r"Q(?:[ \t]+|[.:][ \t]*)(?=\S)|Q\Z")  # "Q    Thanks, Jen." (only in transcripts)
_MAX_LABEL = 60
_TIME_STAMP = re.compile(r"(?:END[ \t]+)?\d{1,2}:\d{2}[ \t]*[AP]\.?M\.?(?:[ \t]+[A-Z]{2,4})?[ \t]*")  # "1:03 P.M. EST"
_LOWER_WORD = re.compile(r"(?:^|\s)[a-z]")


def _speaker_label_end(line: str) -> int:
    """Where the speech starts after a speaker label at the start of `line` (0: no label)."""
    match = _SPEAKER_LABEL.match(line, 0, _MAX_LABEL)
    return match.end() if match else 0


def _body_for_terms(text: str) -> str:
    """The body without speaker labels, time stamps, venue lines, datelines and bylines."""
    lines = text.split("\n")
    labelled = [_speaker_label_end(line) for line in lines] if ":" in text else [0] * len(lines)
    transcript = any(labelled)
    kept: list[str] = []
    for line, label_end in zip(lines, labelled, strict=True):
        if label_end:
            line = line[label_end:]
        elif transcript:
            if not kept and not _LOWER_WORD.search(line):  # a venue line before the first speaker ("East Room")
                continue
            question = _QUESTION_LABEL.match(line, 0, _MAX_LABEL)
            line = line[question.end() :] if question else line
        if _TIME_STAMP.fullmatch(line.strip()) or is_byline(line):
            continue
        if "(" in line[:80]:
            line = DATELINE.sub("", line, count=1)
        kept.append(line)
    return "\n".join(kept)


def term_text(title: str, text: str) -> str:
    """What is counted of an article: the title once, then the body about its subject (see the module docstring)."""
    body = _body_for_terms(text) if text else ""
    if not title or text == title or (len(text) <= 2 * len(title) + 20 and letters_key(title) == letters_key(text)):
        return body or title
    return f"{title}\n{body}" if body else title


def term_texts(titles: Sequence[str], texts: Sequence[str]) -> list[str]:
    """`term_text` of each title and text, in order (missing values count as empty)."""
    return [term_text(title if isinstance(title, str) else "", text if isinstance(text, str) else "") for title, text in zip(titles, texts, strict=True)]


class LazyTermTexts(Sequence[str]):
    """`term_texts(titles, texts)` computed item by item when read, never kept.

    A build counts terms in its workers and hands topics these for the few articles whose
    casing labels a topic: the whole list would be one more copy of the corpus in memory.
    """

    def __init__(self, titles: Sequence[str], texts: Sequence[str]) -> None:
        if len(titles) != len(texts):
            raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
        self._titles, self._texts = titles, texts

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return term_texts(self._titles[index], self._texts[index])
        return term_texts([self._titles[index]], [self._texts[index]])[0]


def _expand_abbreviation(match: re.Match[str]) -> str:
    return _ABBREVIATIONS[match.group(0)]


def is_syllable(word: str) -> bool:
    """True for one romanised Korean syllable ("jong", "un", "thaek"), any case."""
    return len(word) <= 6 and _KOREAN_SYLLABLE.fullmatch(word.lower()) is not None


def _is_capitalised_syllable(word: str) -> bool:
    return word[:1].isupper() and word[1:] == word[1:].lower() and is_syllable(word)


def _korean_name_length(words: list[str], start: int) -> int:
    """How many of `words` from `start` (a surname) form a Korean name: 3, 2 (hyphenated) or 0."""
    following = words[start + 1 : start + 3]
    if not following:
        return 0
    parts = following[0].split("-")
    if len(parts) == 2:
        return 2 if _is_capitalised_syllable(parts[0]) and is_syllable(parts[1]) else 0
    if len(following) == 2 and all(_is_capitalised_syllable(word) for word in following):
        return 3
    return 0


class _KeptWords(dict[str, str]):
    """Token -> the word it counts as (lower case; "" when dropped), remembered for one batch of texts.

    A batch repeats the same few thousand tokens: read through `map(kept.__getitem__, tokens)`,
    a repeated one costs a dictionary look-up in C instead of a Python-level call.
    """

    def __init__(self, stopwords: frozenset[str]) -> None:
        super().__init__()
        self._stopwords = stopwords

    def __missing__(self, token: str) -> str:
        word = token.lower()
        # Breakers are single characters, so the length test drops them too.
        kept = self[token] = word if len(word) > 1 and word not in self._stopwords and not word[0].isdigit() else ""
        return kept


def _tokens(text: str) -> list[str]:
    """Words and breakers of `text` in order, as written, Korean names joined into one word ("Kim-Jong-Un").

    Lower-casing a joined name or its parts is the same: str.lower's one context rule (a final
    sigma) cannot apply to romanised syllables.
    """
    # Each pass only where it can change something: a headline costs little more than these calls.
    if not text.isascii() or "\x00" in text:
        text = text.translate(_TRANSLATION)
    if "'s" in text:
        text = _POSSESSIVE.sub("", text)
    if "U" in text or ". Korea" in text:
        text = _ABBREVIATION.sub(_expand_abbreviation, text)
    tokens = (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)
    if KOREAN_SURNAMES.isdisjoint(tokens):
        return tokens
    consumed = 0  # tokens before this index already belong to a joined name
    for start in list(compress(count(), map(KOREAN_SURNAMES.__contains__, tokens))):
        length = _korean_name_length(tokens, start) if start >= consumed else 0
        if length:
            tokens[start] = "-".join(tokens[start : start + length])
            tokens[start + 1 : start + length] = [""] * (length - 1)
            consumed = start + length
    return list(filter(None, tokens)) if consumed else tokens


@cache
def load_stopwords(path: Path = STOPWORDS_PATH) -> frozenset[str]:
    """The domain stop list: words on non-comment lines of `path`, lower-cased."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.lstrip().startswith("#"):
            words.update(word.lower() for word in line.split())
    return frozenset(words)


def _kept_words(text: str, stopwords: frozenset[str] | None, kept: _KeptWords | None = None) -> list[str]:
    """The words of `text` that count, "" in place of each dropped token (which breaks bigrams).

    `kept`: what the tokens of earlier texts became (under its own stop list; `stopwords` is then not read).
    """
    kept = kept if kept is not None else _KeptWords(load_stopwords() if stopwords is None else stopwords)
    return list(map(kept.__getitem__, _tokens(text)))


def terms(text: str, stopwords: frozenset[str] | None = None) -> list[str]:
    """Unigrams in text order, then bigrams in text order (bigrams joined by one space)."""
    kept = _kept_words(text, stopwords)
    unigrams = [word for word in kept if word]
    bigrams = [f"{first} {second}" for first, second in pairwise(kept) if first and second]
    return unigrams + bigrams


def as_term(phrase: str) -> str:
    """A phrase a user typed, spelled as terms are counted: "Kim Jong Un" -> "kim-jong-un",
    "U.S. Sanctions" -> "u.s. sanctions". Dropped words are left out, so the result may not be
    a counted term ("summit in Hanoi" -> "summit hanoi": bigrams never span a stop word)."""
    return " ".join(word for word in _kept_words(phrase, None) if word)


_FORM_ENDINGS = (  # (ending, replacement, shortest stem left), each before the shorter endings it contains ("ations"
    # before "ation", "ions", "s"). No "-er" or "-ment": "former" is not "formed", "workers" not "works", "movement" not
    # "moves" (read on the real corpora's stories)
    ("ations", "", 4), ("ation", "", 4), ("ating", "", 4), ("ated", "", 4), ("ates", "", 4), ("ate", "", 4),
    ("ings", "", 4), ("ing", "", 4), ("ions", "", 5), ("ion", "", 5), ("ances", "", 5), ("ance", "", 5),
    ("ies", "y", 3), ("ied", "y", 3), ("ed", "", 4), ("es", "", 4), ("e", "", 4), ("s", "", 4),
)


@lru_cache(maxsize=1 << 16)  # bounded: the server calls it for the terms of every ranking it makes
def word_form_key(term: str) -> str:
    """The term with each word cut to a rough stem, so the forms of one word share a key:
    "celebrations", "celebrating", "celebrated" -> "celebr"; "floral baskets" -> "floral basket".

    Each word loses its longest ending of `_FORM_ENDINGS` that leaves a stem long enough
    ("station" stays whole, not "stat"); a word of another script, with a hyphen or a digit, or
    ending in "ss", "us" or "is" ("process", "status", "crisis") is kept as it is. Deliberately
    rough: used only to group terms a month's stories already rank together, never to count.
    """
    return " ".join(_word_stem(word) for word in term.split(" "))


def _word_stem(word: str) -> str:
    if not word.isascii() or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    for ending, replacement, shortest in _FORM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= shortest:
            return word[: len(word) - len(ending)] + replacement
    return word


def make_vectorizer(**options: Any) -> CountVectorizer:
    """A scikit-learn CountVectorizer whose analysis is `terms`, so every model counts the same terms.

    `options` pass through (min_df, max_df, max_features, dtype, ...); wrap it in a pipeline
    with a TfidfTransformer for TF-IDF weights. scikit-learn is imported here, not with the
    module: the app's pages import this module for `as_term` and should not pay for it.
    """
    from sklearn.feature_extraction.text import CountVectorizer  # noqa: PLC0415 - see the docstring

    return CountVectorizer(analyzer=terms, **options)


@dataclass(frozen=True)
class TermCounts:
    """Term counts of a list of texts; treat as read-only (it may be shared, see `count_terms`)."""

    counts: sp.csr_matrix
    """documents x terms, int64 (int32 when a build stacks them from its staged parts: same values; read-only, may share Arrow's buffers)"""
    vocabulary: np.ndarray
    """the terms (str), alphabetical, one per column"""


def _count_terms(texts: Sequence[str]) -> TermCounts:
    """What `terms` gives for each text, counted: bigrams are counted as pairs of word codes, spelled once each.

    Every document's words end with a "" (as a dropped word, it breaks a bigram), so no pair
    spans two documents; a "" leads the whole sequence, so it is word 0.
    """
    kept = _KeptWords(load_stopwords())
    documents = [_kept_words(text, None, kept) for text in texts]
    for words in documents:
        words.append("")
    lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
    sequence = np.fromiter(chain(("",), chain.from_iterable(documents)), dtype=object, count=1 + int(lengths.sum()))
    # pandas' hash-table factorize is ~6x faster than CountVectorizer's per-token Python loop here.
    codes, words = pd.factorize(sequence)
    codes, rows = codes[1:], np.repeat(np.arange(len(documents)), lengths)
    is_word = codes > 0
    pairs = is_word[:-1] & is_word[1:]
    pair_codes, pair_keys = pd.factorize(codes[:-1][pairs] * len(words) + codes[1:][pairs])
    bigrams = words[pair_keys // len(words)] + " " + words[pair_keys % len(words)]
    vocabulary = np.concatenate([words[1:], bigrams]).astype(object)
    # Python's sort compares str keys directly: ~40% faster than NumPy's sort of objects (a Python call per comparison).
    spelled = vocabulary.tolist()
    order = np.array(sorted(range(len(spelled)), key=spelled.__getitem__), dtype=np.int64)
    column = np.empty(len(vocabulary), dtype=np.int64)
    column[order] = np.arange(len(vocabulary))
    columns = np.concatenate([column[codes[is_word] - 1], column[len(words) - 1 + pair_codes]])
    term_rows = np.concatenate([rows[is_word], rows[:-1][pairs]])
    counts = sp.csr_matrix((np.ones(len(columns), dtype=np.int64), (term_rows, columns)), shape=(len(documents), len(vocabulary)))
    counts.sum_duplicates()
    return TermCounts(counts, vocabulary[order])


_last_counted: list[tuple[tuple[str, ...], TermCounts]] = []  # at most one entry: the last corpus counted


def count_terms(texts: Sequence[str]) -> TermCounts:
    """Count every term of every text (no pruning).

    The last result is remembered (one corpus, until other texts are counted or
    `clear_count_cache` is called): topics, monthly keywords and article terms of the same
    texts count them once, and tokenising is the slow part of all three.
    """
    key = tuple(texts)
    if _last_counted and _last_counted[0][0] == key:
        return _last_counted[0][1]
    counted = _count_terms(key)
    _last_counted[:] = [(key, counted)]
    return counted


def count_term_texts(titles: Sequence[str], texts: Sequence[str]) -> TermCounts:
    """`_count_terms(term_texts(titles, texts))`, not remembered: what a build's workers count, chunk by chunk."""
    return _count_terms(term_texts(titles, texts))


def stack_counts(parts: Sequence[TermCounts]) -> TermCounts:
    """The rows of each part in order, over the union of their vocabularies: what `count_terms` gives for all their texts.

    Built as one matrix from the parts' arrays (no per-part copies, no vstack), so stacking
    a large corpus costs little more than its result.
    """
    if not parts:
        return _count_terms(())
    codes, vocabulary = pd.factorize(np.concatenate([part.vocabulary for part in parts]).astype(object), sort=True)
    codes = codes.astype(np.int32 if len(vocabulary) < 2**31 else np.int64)
    indices, data, row_ends = [], [], [np.zeros(1, dtype=np.int64)]
    start, rows_before = 0, 0
    for part in parts:
        counts = sp.csr_matrix(part.counts)
        indices.append(codes[start : start + len(part.vocabulary)][counts.indices])
        data.append(counts.data.astype(np.int64, copy=False))
        row_ends.append(counts.indptr[1:].astype(np.int64) + rows_before)
        rows_before += counts.nnz
        start += len(part.vocabulary)
    stacked = sp.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.concatenate(row_ends)),
        shape=(sum(part.counts.shape[0] for part in parts), len(vocabulary)),
    )
    stacked.sort_indices()
    return TermCounts(stacked, np.asarray(vocabulary, dtype=object))


def select_rows(term_counts: TermCounts, rows: np.ndarray) -> TermCounts:
    """The counts of `rows` only, over the terms they use: what `count_terms` gives for those texts alone."""
    counts = sp.csr_matrix(term_counts.counts[rows])
    used = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]))
    return TermCounts(sp.csr_matrix(counts[:, used]), term_counts.vocabulary[used])


def clear_count_cache() -> None:
    """Forget the remembered counts: frees their memory; benchmarks use it to time cold runs."""
    _last_counted.clear()
