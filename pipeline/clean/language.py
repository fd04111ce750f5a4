"""Language: English text passes, other scripts and other Latin-script languages are rejected.

Only string methods and one character-class pattern: linear in the sample read.
"""

from __future__ import annotations

import re

from pipeline.clean.base import RecordProblem
from pipeline.text import word_set

_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_WORD_EDGES = "\"'()[].,;:!?-"
_ENGLISH_FUNCTION_WORDS = word_set(
    "the a an and or but of to in on at for with by from as is are was were be been has have had it "
    "its this that these those he she they we i you his her their our not no will would can could "
    "should may which who what when where there than then also about after into over"
)
# Frequent function words of other Latin-script languages, none of them an English word.
_OTHER_FUNCTION_WORDS = {
    "French": "le la les de des du et est une dans pour qui que pas sur au aux avec ce cette sont ont été il elle nous leur",
    "Spanish": "el los las de del y es una en por para que con se su sus al lo como más pero fue está",
    "German": "der die das und ist nicht ein eine mit den dem des von zu auf für sich auch sind wird wurde bei",
    "Italian": "il della di che è non per una sono con gli nel alla anche come più dei",
    "Portuguese": "os de da do das dos não uma em com para que se por mais foi são também",
    "Dutch": "de het een van en niet op met zijn voor dat die er ook wordt aan",
    "Indonesian or Malay": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena oleh ada",
}
_LANGUAGES_OF_WORD: dict[str, tuple[str, ...]] = {}
for _language, _words in _OTHER_FUNCTION_WORDS.items():
    for _word in _words.split():
        _LANGUAGES_OF_WORD[_word] = (*_LANGUAGES_OF_WORD.get(_word, ()), _language)
_COMMONEST_ENGLISH = (" the ", " of ", " and ", " to ", " in ")  # a fast path: most texts are plainly English
CLEARLY_ENGLISH_RATE = 0.1
_SCRIPT_SAMPLE = 3000
_WORD_SAMPLE = 800
MIN_LATIN_SHARE = 0.5
MIN_WORDS_FOR_RATE = 30
MIN_OTHER_LANGUAGE_RATE = 0.15


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and (ord(char) <= 0x24F or 0x1E00 <= ord(char) <= 0x1EFF)


def is_mostly_non_latin(text: str) -> bool:
    """True when fewer than half of the letters are Latin script (Hangul, Cyrillic, CJK ...)."""
    if text.isascii():
        return False
    ascii_part = text.encode("ascii", "ignore")
    latin = len(ascii_part.translate(None, _ASCII_NON_LETTERS))
    others = 0
    for char in _ASCII_RUN.sub("", text):
        if _is_latin_letter(char):
            latin += 1
        elif char.isalpha():
            others += 1
    return latin < MIN_LATIN_SHARE * (latin + others)


def check_english(text: str) -> None:
    """Raise RecordProblem when text is not English.

    Two cheap tests. Script: at least half of the letters (first 3,000 characters) are
    Latin. Function words (texts of 30+ words): the text is rejected when 15% or more of
    its first ~130 words are function words of one other language (French "le, et, est",
    Indonesian "yang, dan" ...) and they outnumber English ones ("the, of, and"), which
    make up 35-50% of English prose. A list of names has few function words of any
    language and is kept; headlines are too short for this test and only get the first.
    """
    if is_mostly_non_latin(text[:_SCRIPT_SAMPLE]):
        raise RecordProblem("not English (detected mostly non-Latin script)")
    sample = text[:_WORD_SAMPLE].lower()
    n_words = sample.count(" ") + sample.count("\n") + 1
    if n_words < MIN_WORDS_FOR_RATE or sum(map(sample.count, _COMMONEST_ENGLISH)) >= CLEARLY_ENGLISH_RATE * n_words:
        return
    words = [word.strip(_WORD_EDGES) for word in sample.split()]
    counts: dict[str, int] = {}
    for languages in filter(None, map(_LANGUAGES_OF_WORD.get, words)):
        for language in languages:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return
    language, hits = max(counts.items(), key=lambda item: item[1])
    english = sum(map(_ENGLISH_FUNCTION_WORDS.__contains__, words))
    if hits >= MIN_OTHER_LANGUAGE_RATE * len(words) and hits > english:
        raise RecordProblem(f"not English (reads as {language}: {hits / len(words):.0%} of words are its function words)")
