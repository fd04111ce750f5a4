"""Tone toward each person a sentence names: the words that bear on that person, not the whole sentence.

"Pyongyang praised Putin and denounced Biden" has one sentence tone, but Putin is praised and
Biden condemned. `tone_toward` shares the sentence's scored words (`ToneScorer.word_valences`,
so negation, intensifiers and the lexicon's diplomacy senses are applied first) out among the
mentions, by a rule that can be read and checked:

1. **Clauses.** The sentence is cut at ``; : ( ) [ ]``, at dashes between spaces and before
   "but", "while", "whereas", "although", "though", "yet", "however". A word bears only on the
   people named in its own clause. A clause that names nobody ("...; the talks collapsed")
   bears on everyone the sentence names, as the whole-sentence tone does.
2. **Nearest name.** Within a clause each scored word goes to the nearest mention, counted in
   words; a word just as near to the name after it as to the one before goes to the later one,
   the target ("praised Putin", "the traitor Lee"). Words before the first name go to it,
   words after the last name (its verb phrase, a relative clause about it) go to it.
3. **Friendly words go both ways.** A positive word between two names and at most
   `SHARED_REACH` words from each counts for both: thanks, greetings, a meeting or an agreement
   involve the sender as much as the recipient. A negative word goes only to the nearer name:
   denouncing someone is not being denounced.
4. **A speaker is not the target of their words.** After a speech verb ("said", "told",
   "stressed"...) that follows a name, negative words of the reported speech do not count
   against that speaker (positive ones, a hope or a welcome, still do). They go to the nearest
   other name of the clause when there is one, else to nobody.
5. The words a person gets are summed and squeezed into -1..1 with VADER's normalisation, as
   for a sentence; a person with no words gets 0. Words inside a name ("Great Leader") are
   not counted. Several mentions of one person in a sentence share one tone.

Known limits: no parsing, so passives ("Biden was praised by Xi") and long-distance subjects
are read by distance alone; pronouns are not mentions; sarcasm is read literally.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Protocol

import pandas as pd
import re2
from vaderSentiment import vaderSentiment as vader

from pipeline.actors import Mention
from pipeline.text import split_with_starts
from pipeline.tone import ToneScorer

SHARED_REACH = 3
"""Words: a positive word this close to two names between them counts for both."""
_ALPHA = 15  # VADER's normalisation constant, as for sentence tone
_CLAUSE_BREAK = r"[;:()\[\]]|{space}[-" "\u2013\u2014" r"]+{space}|\b(?:but|while|whereas|although|though|yet|however)\b"  # dashes as characters: RE2 has no \u
CLAUSE_BREAK = re.compile(_CLAUSE_BREAK.format(space=r"\s"), re.IGNORECASE)
# The same breaks in ASCII text, found by RE2 in one linear pass, several times faster than `re` tries each
# position; RE2's \s leaves out what `re` also counts as space in ASCII (\v, \x1c-\x1f), so the class is spelled out.
_ASCII_CLAUSE_BREAK = re2.compile("(?i)" + _CLAUSE_BREAK.format(space=r"[\t\n\x0b\x0c\r\x1c-\x1f ]"))
SPEECH_VERBS = frozenset(
    """said says say saying told tells tell stressed stresses noted notes added adds declared declares stated states
    insisted insists argued argues explained explains emphasized emphasised claimed claims asserted asserts remarked
    warned warns wrote writes asked asks""".split()
)
_EDGE_PUNCTUATION = "\"'.,;:!?()[]"


class Span(Protocol):
    """A mention as `pipeline.actors.Mention` gives it: who, and where in the sentence (end exclusive)."""

    actor_id: str
    start: int
    end: int


def tone_toward(text: str, mentions: Sequence[Span], scorer: ToneScorer) -> list[float]:
    """The tone toward the person of each mention of `text` (same order), by the module's rule.

    `text` is a sentence as stored (normalised), `mentions` its mentions with character spans.
    """
    if not mentions:
        return []
    pieces = split_with_starts(text)
    scored = scorer.word_valences(text, pieces)
    if not scored:  # no scored word: every person gets 0
        return [0.0] * len(mentions)
    words, word_starts = pieces
    breaks = [match.start() for match in (_ASCII_CLAUSE_BREAK.finditer(text.encode()) if text.isascii() else CLAUSE_BREAK.finditer(text))]

    def word_at(position: int) -> int:
        return max(bisect.bisect_right(word_starts, position) - 1, 0)

    clause = [bisect.bisect_right(breaks, mention.start) for mention in mentions]
    first_word = [word_at(mention.start) for mention in mentions]
    last_word = [word_at(max(mention.end - 1, mention.start)) for mention in mentions]
    speech_after = [_speech_verb_after(words, last_word[k]) for k in range(len(mentions))]
    sums = {mention.actor_id: 0.0 for mention in mentions}
    for start, end, valence in scored:
        if any(mention.start <= start < mention.end for mention in mentions):
            continue  # part of a name or title
        word_clause = bisect.bisect_right(breaks, start)
        here = [k for k in range(len(mentions)) if clause[k] == word_clause]
        if not here:
            for actor_id in sums:
                sums[actor_id] += valence
            continue
        w_first, w_last = word_at(start), word_at(max(end - 1, start))
        for k in _bearers(here, first_word, last_word, speech_after, w_first, w_last, valence):
            sums[mentions[k].actor_id] += valence
    return [round(vader.normalize(sums[mention.actor_id], _ALPHA), 4) for mention in mentions]


def _speech_verb_after(words: list[str], last_word: int) -> int | None:
    """The index of a speech verb among the three words after a name ("Kim said", "Kim also told"), else None."""
    for index in range(last_word + 1, min(last_word + 4, len(words))):
        if words[index].strip(_EDGE_PUNCTUATION).lower() in SPEECH_VERBS:
            return index
    return None


def _bearers(
    here: list[int], first_word: list[int], last_word: list[int], speech_after: list[int | None], w_first: int, w_last: int, valence: float,
) -> list[int]:
    """The mentions (indices) a scored word spanning words w_first..w_last bears on, among the clause's mentions `here`."""

    def distance(k: int) -> int:
        return first_word[k] - w_last if w_last < first_word[k] else max(w_first - last_word[k], 0)

    candidates = here
    if valence < 0:  # rule 4: a speaker's hostile words are about someone else
        candidates = [k for k in here if speech_after[k] is None or speech_after[k] > w_first]
        if not candidates:
            return []
    nearest = min(candidates, key=lambda k: (distance(k), -first_word[k]))
    chosen = [nearest]
    if valence > 0:  # rule 3: friendly words between two close names count for both
        before = [k for k in here if last_word[k] < w_first and distance(k) <= SHARED_REACH]
        after = [k for k in here if first_word[k] > w_last and distance(k) <= SHARED_REACH]
        if before and after:
            chosen = sorted({nearest, max(before, key=lambda k: last_word[k]), min(after, key=lambda k: first_word[k])})
    return chosen


# --- the sentence_actors artifact ------------------------------------------------------

MENTIONS_COLUMN = "_mentions"
"""Working column of the build's sentences: each sentence's (actor_id, start, end, kind, tone) tuples."""
SENTENCE_ACTOR_COLUMNS = ("article_id", "sentence_idx", "actor_id", "tone", "start", "end", "kind")


def mention_rows(text: str, mentions: Sequence[Mention], scorer: ToneScorer) -> list[tuple[str, int, int, str, float]]:
    """(actor_id, start, end, kind, tone toward the actor) for each mention of one sentence, in text order."""
    return [(m.actor_id, m.start, m.end, m.kind, tone) for m, tone in zip(mentions, tone_toward(text, mentions, scorer))]


def split_sentence_actors(sentences: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The build's sentences without `MENTIONS_COLUMN`, and the sentence_actors table made from it (one row per mention)."""
    found = sentences[MENTIONS_COLUMN] if MENTIONS_COLUMN in sentences else pd.Series([], dtype=object)
    rows = [
        (article_id, sentence_idx, *mention)
        for article_id, sentence_idx, mentions in zip(sentences["article_id"], sentences["sentence_idx"], found)
        for mention in mentions
    ]
    table = pd.DataFrame(rows, columns=["article_id", "sentence_idx", "actor_id", "start", "end", "kind", "tone"])
    table = table.astype({"article_id": str, "sentence_idx": "int64", "actor_id": str, "start": "int64", "end": "int64", "kind": str, "tone": float})
    return sentences.drop(columns=[MENTIONS_COLUMN], errors="ignore"), table[list(SENTENCE_ACTOR_COLUMNS)]
