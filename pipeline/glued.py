"""Repair names glued to their neighbours where a source dropped the spaces around links.

KCNA's site wraps leaders' names in links and its text export loses the spaces around
them: "the respected ComradeKim Jong Unexamined ...", "Kim Il Sungand Kim Jong Il",
"ChairmanKim", "Kim Il SungUniversity". Unrepaired, the reader sees broken words, the
actor matcher misses the name, and term statistics count fragments ("comradekim",
"sungand", "unexamined"). The rules, using the actors gazetteer (`pipeline.actors`):

- **Before a name or title**: a lower-case letter immediately followed by a title
  ("Comrade", "Chairman", "President", "Marshal", "General", "Secretary"...), a full
  spelling of a gazetteer name ("Kim Jong Un", "Ri Son Gwon"), or a bare surname of three
  letters or more ("Kim", "Putin"), when that word ends there (a space, punctuation or a
  capital follows): "ofKim Jong" -> "of Kim Jong", "ComradesKim" -> "Comrades Kim".
  "Kimchi" is untouched (a lower-case letter follows "Kim"), and so are "McKim"/"MacKim".
- **After a full name**: a full spelling immediately followed by a lower-case word of two
  letters or more ("Kim Jong Unexamined" -> "Kim Jong Un examined") or by a capitalised
  word ("Kim Il SungUniversity" -> "Kim Il Sung University"). Not when the name's last
  syllable and the tail together make one romanised Korean syllable ("Kim Jong Ung" may
  be someone else) or the tail names a thing ("Kim Jong Ilia", the flower), and never
  after a bare surname ("Putinism", "Sungari" stay whole). A glued web address
  ("KamalaHarris.com") is left as it is.

Both passes are single RE2 scans (linear time, no backtracking), so a hostile text costs
no more than an ordinary one of the same length.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import re2

from pipeline.actors import DEFAULT_ACTORS_PATH, load_gazetteer

# Titles that state media and diplomatic text put right before a name; the gazetteer's own
# titles ("Minister Choe", "Secretary-General Ban") add their first word to these.
TITLES = (
    "Comrade Comrades Chairman President Marshal General Generalissimo Generalissimos Secretary Excellency "
    "Commander Premier Leader Supreme Minister Vice Ambassador Chairwoman Madam"
).split()
_MIN_SURNAME = 3
"""Shorter surnames ("Ri", "No", "Xi") count only as part of a full spelling: alone they occur inside ordinary words."""
_NOT_SPLIT_AFTER = ("Mc", "Mac")
"""Surname prefixes: "McKim" is one name, not "Mc Kim"."""
_THING_SUFFIXES = frozenset({"ia"})
"""Tails that make a name into the name of a thing: "Kim Jong Ilia" is the flower Kimjongilia."""
# A romanised Korean syllable (as pipeline.terms spells it): a name's last part plus a tail that
# still forms one ("Un" + "g") may be another person's name rather than a glued word.
_KOREAN_SYLLABLE = re2.compile(
    r"(?:[bcdghjkmnprst]h?|ss|jj|kk|pp|tt)?[wy]?(?:ae|ai|eo|eu|oe|oi|ui|ye|oo|ee|a|e|i|o|u)(?:ng|n|m|l|k|p|t|r)?"
)


def _variants(spelling: str) -> set[str]:
    """A gazetteer spelling as sources write it: "Kim Jong-un" -> "Kim Jong-un", "Kim Jong-Un", "Kim Jong Un"."""
    words = spelling.split()
    if not words:
        return set()
    variants = {spelling}
    for index, word in enumerate(words):
        if "-" in word:
            first, _, rest = word.partition("-")
            for joined in (f"{first}-{rest[:1].upper()}{rest[1:]}", f"{first} {rest[:1].upper()}{rest[1:]}"):
                variants.add(" ".join([*words[:index], joined, *words[index + 1 :]]))
    return variants


def _alternation(words: Iterable[str]) -> str:
    """A RE2 alternation of literal words, longest first."""
    return "|".join(re2.escape(word) for word in sorted(set(words), key=lambda word: (-len(word), word)))


class GluedNames:
    """The two scans built from one gazetteer; `repair` applies them to a text."""

    def __init__(self, names: Iterable[str], surnames: Iterable[str], titles: Iterable[str]) -> None:
        full = {variant for name in names if " " in name for variant in _variants(name)}
        long_surnames = {surname for surname in surnames if len(surname) >= _MIN_SURNAME and surname.isalpha()}
        starts = _alternation([*full, *long_surnames, *titles])
        # Group 1: the lower-case letter; group 2: the name or title; group 3: what follows (not lower case).
        self._before = re2.compile(rf"([a-z])({starts})([^a-z]|\z)")
        # Group 1: the full name at a word start; group 2: a glued lower-case word or a capital + lower-case letter.
        self._after = re2.compile(rf"\b({_alternation(full)})([a-z]+|[A-Z][a-z])")
        # Either scan's pattern: one pass finds whether a text needs either (few do), in about half the time of two.
        self._either = re2.compile(f"(?:{self._before.pattern})|(?:{self._after.pattern})")

    def repair(self, text: str) -> str:
        """`text` with a space put at every glued name boundary (see the module docstring)."""
        if self._either.search(text) is None:  # no cut before a name, so the text the second scan sees is this one
            return text
        return self._split_after(self._split_before(text))

    def _split_before(self, text: str) -> str:
        cuts = []
        for match in self._before.finditer(text):
            name_start, after = match.start(2), match.end(3)
            if text.endswith(_NOT_SPLIT_AFTER, max(name_start - 3, 0), name_start):
                continue
            if match.group(3) == "." and text[after : after + 1].islower():  # a web address: "KamalaHarris.com"
                continue
            cuts.append(name_start)
        return _insert_spaces(text, cuts)

    def _split_after(self, text: str) -> str:
        cuts = []
        for match in self._after.finditer(text):
            name, tail = match.group(1), match.group(2)
            if tail[0].islower():
                last_syllable = name.replace("-", " ").split()[-1].lower()
                if len(tail) < 2 or tail in _THING_SUFFIXES or _KOREAN_SYLLABLE.fullmatch(last_syllable + tail):
                    continue
            cuts.append(match.end(1))
        return _insert_spaces(text, cuts)


def _insert_spaces(text: str, cuts: list[int]) -> str:
    if not cuts:
        return text
    bounds = [0, *cuts, len(text)]
    return " ".join(text[start:end] for start, end in zip(bounds, bounds[1:], strict=False))


@cache
def glued_names(path: Path = DEFAULT_ACTORS_PATH) -> GluedNames:
    """The repairer for the gazetteer at `path` (read once per process)."""
    gazetteer = load_gazetteer(path)
    names = [spelling.text for actor in gazetteer.actors for spelling in actor.spellings]
    surnames = [surname for actor in gazetteer.actors for surname in actor.surname_refs]
    titles = [*TITLES, *(title.text.split()[0] for actor in gazetteer.actors for title in actor.titles)]
    return GluedNames(names, surnames, titles)


def repair_glued_names(text: str) -> str:
    """`text` with names and titles that lost their spaces set apart again ("ComradeKim Jong Unsent" ->
    "Comrade Kim Jong Un sent"); text without a capital after a lower-case letter is returned as it is."""
    return glued_names().repair(text)
