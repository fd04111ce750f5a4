"""Who is mentioned: a gazetteer (``data/actors.yaml``) and a fast, article-aware matcher.

A mention is a full name, a title + surname ("President Moon"), a bare surname, or a role
phrase ("the US president") that the article's date settles. Each comes back with its
character span in the sentence (`ActorMatcher.match_article_spans`), so the app can
highlight exactly what was counted. The rules and their limits are explained for users in
``docs/measures/actors.md``; the short version, and why:

- Full names count wherever they stand, even glued to the word before (KCNA drops spaces
  around its links: "ComradeKim Jong Un"); a name of three or more parts also counts glued
  to the word after ("Kim Jong Unexamined"). Shorter names need a word boundary after them,
  so that "Wang Yi" is not found in a longer name. A hyphen in a listed spelling also
  matches a space or nothing ("Kim Jong-un" finds "Kim Jong Un" and "Kim Jongun"), and
  every spelling is also found in capitals ("KIM JONG UN", "PUTIN") for all-caps headlines.
  Initials before a listed surname ("V. V. Putin", "B. Yeltsin") name the bearer whose
  given name has that initial.
- A bare surname ("Putin's", "Mr. Trump", "the Bush administration", "Abe group") means the
  most recently named bearer of that surname in the article; when the article named none,
  the person the gazetteer's `surname_defaults` give for the article's date ("Lee" is Lee
  Myung-bak in 2010, Lee Jae-myung from June 2025). An unlisted bearer named in between
  ("Kim Hyok Chol", "Andrew Kim", "Hunter Biden") makes later bare surnames count for
  nobody until a listed bearer is named again: a miss is better than a wrong person.
- A surname right after an unlisted capitalised word ("Andrew Kim", "Olympic Park") is part of
  another name; for surnames written first (Korean, Chinese) a capitalised word right after
  ("Park Chung-hee") is too. In Title-Case headlines ("Kim Jong Il Greets Putin") a
  capitalised verb before a surname is not a given name.
- Surnames that are also English words (`word_surnames`: Moon, Park, Rice, Ban) need a sign of
  a person when only the date default speaks for them: a possessive, a following noun such as
  "government", a hyphenated pair ("Moon-Kim summit"), or a place inside a sentence in
  ordinary case that is not right after an article ("walked on the Moon" stays the moon).
- Titles and role phrases can mean different people at different times; both are resolved by
  the article's date, titles also by who was named most recently when the date leaves a tie.

Everything is found by one compiled regular expression per matcher, built as a prefix
tree of all spellings, so the cost per sentence does not grow with the number of actors;
the context checks around a surname look at a bounded window, so matching stays linear in
the length of the text, whatever the text.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from functools import lru_cache
from typing import Any, NamedTuple

import pandas as pd
import re2
import yaml

DEFAULT_ACTORS_PATH = Path(__file__).resolve().parents[1] / "data" / "actors.yaml"

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SURNAME = re.compile(r"[A-Z][\w'\u2019-]*")
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019"
_NORMALISE = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2019": "'"})
_WORD_BREAK = re.compile(r"[\s-]+")  # between the words of a name, once hyphens are normalised
_LEADING_THE = re.compile(r"the\s+", re.IGNORECASE)

# A possessive "'s" (or a bare closing apostrophe) may follow a name; other letters may not.
_WORD_END = r"(?!\w|['\u2019](?![sS]\b)\w)"
# "the US president, Donald Trump": the role phrase introduces the name that follows.
_APPOSITIVE_GAP = re.compile(r",\s*")
# For surnames written first ("Kim", "Moon"): a capitalised word after it is the given name;
# in capitals ("KIM YANG GON") any word after it may be, so there the surname counts for nobody.
_GIVEN_NAME_AFTER = re.compile(r"\s+[A-Z](?:[a-z]|\b|-)")
_CAPS_WORD_AFTER = re.compile(r"\s+[A-Z]")
# A capitalised word right before a surname ("Andrew Kim"); its start must be a word start.
_CAPITALISED_BEFORE = re.compile(r"(?<![\w'\u2019.\-])([A-Z][a-z]+|[A-Z]{2})[ \t]+\Z")  # "MJ Lee" too
_QUOTE_BEFORE = re.compile(r"[\"'\u2018\u201c(\[][ \t]*\Z")
# In a Title-Case headline a capitalised word next to a surname may be a verb ("Greets Putin",
# "Imploring Obama", "Xi Calls"): -ing only before it, as Chinese given names end in -ing.
_HEADLINE_VERB = re.compile(r"[A-Z][a-z]+(?:s|ed)")
_HEADLINE_VERB_BEFORE = re.compile(r"[A-Z][a-z]+(?:s|ed|ing)")
_WORD_AFTER = re.compile(r"\s+([A-Z][a-z]+)\b")
# Initials before a surname ("V. V. Putin", "B.Yeltsin"); each one opens with a capital.
_INITIALS_BEFORE = re.compile(r"(?<![\w.])(?:[A-Z]\.[ \t]?){1,3}\Z")
_NOT_INITIALS = frozenset({"U.S.", "U.N.", "U.K.", "E.U.", "S.", "N.", "R.O.K."})  # "the U.S. Bush administration"
# An article right before a word surname makes it the word ("walked on the Moon").
_DETERMINER_BEFORE = re.compile(
    r"(?<![\w'\u2019])(?:[Tt]he|[Aa]n?|[Tt]his|[Tt]hat|[Oo]ur|[Tt]heir|[Ii]ts|[Hh]is|[Hh]er|[Mm]y|[Yy]our)[ \t]+\Z"
)
_TENURE = re.compile(r"administrations?|presidency|white\s+house", re.IGNORECASE)  # nouns of a head's tenure
_PAIR_AFTER = re.compile(r"[-\u2013][A-Z]")  # "Moon-Kim summit"
_PAIR_BEFORE = re.compile(r"(?<![\w.])([A-Z][\w']*)[-\u2013]\Z")  # "Kim-Moon summit"
# What may come before the first word of a sentence; matched from 0, so it costs only that run.
_OPENING = re.compile(r"[ \t\n\"'\u2018\u201c(\[-]*")
_AFTER_WORD_START = r"(?<!\w.)"  # placed after a first character: no letter or digit before it
_LOOK_BACK = 80  # characters before a surname searched for a role phrase or a given name
_INITIALS_LOOK_BACK = 10  # "R.O.K. " is the longest run of initials we read

# Headline case: the words that stay lower-case in a Title-Case headline.
_WORDS = re.compile(r"[^\W\d_][\w'\u2019-]*")
_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of off on onto or out over per the to up upon via vs amid among than "
    "that toward towards under within without against between through after about before during de del la le les los "
    "el y et".split()
)


@lru_cache(maxsize=64)
def _headline_case(text: str) -> bool:
    """True for a Title-Case or ALL-CAPS text (a headline), where a capital letter does not mark a name.

    Cached because a sentence with several bare surnames asks more than once.
    """
    capitalised = lowercase = 0
    for word in _WORDS.findall(text):
        if word[0].isupper():
            capitalised += 1
        elif word.lower() not in _MINOR_WORDS:
            lowercase += 1
    return capitalised >= 2 and lowercase * 5 <= capitalised


class Mention(NamedTuple):
    """One mention: who, where in the sentence (character offsets, end exclusive), and how it was written.

    `kind` is "name" (a full name, or initials + surname), "title" ("President Moon"),
    "surname" (a bare surname) or "role" ("the US president").
    """

    actor_id: str
    start: int
    end: int
    kind: str


class _Invalid(Exception):
    """A problem in one entry of the gazetteer; load_gazetteer adds the file name."""


# --- the gazetteer -----------------------------------------------------------------


@dataclass(frozen=True)
class Spelling:
    """A way of writing a name or title, optionally limited to when it meant this person."""

    text: str
    start: dt.date | None = None
    end: dt.date | None = None  # exclusive

    def applies_on(self, day: dt.date | None) -> bool:
        """True when the spelling refers to its actor on `day` (always when the day is unknown)."""
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Office:
    """A term in a role (`role_key` of the gazetteer's roles); `end` is exclusive, None = ongoing."""

    role_key: str
    start: dt.date
    end: dt.date | None = None

    def held_on(self, day: dt.date) -> bool:
        """True when the term covers `day`."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Actor:
    """One person of the gazetteer; see the header of data/actors.yaml for the fields."""

    id: str
    name: str
    country: str
    role: str
    aliases: tuple[Spelling, ...] = ()
    surname_refs: tuple[str, ...] = ()
    titles: tuple[Spelling, ...] = ()
    offices: tuple[Office, ...] = ()

    @property
    def spellings(self) -> tuple[Spelling, ...]:
        """The display name followed by the aliases; an alias written exactly like the name gives it dates."""
        if any(alias.text == self.name for alias in self.aliases):
            return self.aliases
        return (Spelling(self.name), *self.aliases)


@dataclass(frozen=True)
class SurnameDefault:
    """Who a bare surname means from `start` to `end` (exclusive) when the article named no bearer of it."""

    surname: str
    actor_id: str
    start: dt.date | None = None
    end: dt.date | None = None

    def applies_on(self, day: dt.date) -> bool:
        """True when `day` falls in the period."""
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Gazetteer:
    """The validated content of an actors file."""

    actors: tuple[Actor, ...]
    roles: Mapping[str, tuple[str, ...]]
    not_after_name: tuple[str, ...] = ()
    not_given_names: frozenset[str] = frozenset()
    surname_defaults: tuple[SurnameDefault, ...] = ()
    word_surnames: frozenset[str] = frozenset()
    surname_nouns: tuple[str, ...] = ()
    administration_roles: frozenset[str] = frozenset()
    home_roles: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # country -> {phrase: role_key}
    home_sources: Mapping[str, str] = field(default_factory=dict)  # source -> country


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}: expected a non-empty text, got {value!r}")
    return value.strip()


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(f"{where}: expected a list, got {value!r}")
    return tuple(_text(item, f"{where}[{index}]") for index, item in enumerate(value))


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Invalid(f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def _check_period(start: dt.date | None, end: dt.date | None, where: str) -> None:
    if start is not None and end is not None and start >= end:
        raise _Invalid(f"{where}: start {start} is not before end {end}")


def _check_keys(entry: Any, allowed: Iterable[str], required: Iterable[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _Invalid(f"{where}: expected a mapping, got {entry!r}")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise _Invalid(f"{where}: unknown field(s) {', '.join(map(str, unknown))} (allowed: {', '.join(allowed)})")
    missing = [key for key in required if key not in entry]
    if missing:
        raise _Invalid(f"{where}: missing field(s) {', '.join(missing)}")
    return entry


def _spellings(value: Any, where: str) -> tuple[Spelling, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(f"{where}: expected a list, got {value!r}")
    spellings = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        if isinstance(item, str):
            spellings.append(Spelling(_text(item, here)))
            continue
        entry = _check_keys(item, ("text", "start", "end"), ("text",), here)
        start, end = _date(entry.get("start"), f"{here}.start"), _date(entry.get("end"), f"{here}.end")
        _check_period(start, end, here)
        spellings.append(Spelling(_text(entry["text"], f"{here}.text"), start, end))
    return tuple(spellings)


def _offices(value: Any, roles: Mapping[str, tuple[str, ...]], where: str) -> tuple[Office, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(f"{where}: expected a list, got {value!r}")
    offices = []
    for index, item in enumerate(value):
        here = f"{where}[{index}]"
        entry = _check_keys(item, ("role_key", "start", "end"), ("role_key", "start"), here)
        role_key = _text(entry["role_key"], f"{here}.role_key")
        if role_key not in roles:
            raise _Invalid(f"{here}: role_key {role_key!r} is not one of the roles ({', '.join(roles)})")
        start, end = _date(entry["start"], f"{here}.start"), _date(entry.get("end"), f"{here}.end")
        _check_period(start, end, here)
        offices.append(Office(role_key, start, end))
    return tuple(offices)


_ACTOR_FIELDS = ("id", "name", "country", "role", "aliases", "surname_refs", "titles", "offices")


def _actor(entry: Any, roles: Mapping[str, tuple[str, ...]], where: str) -> Actor:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        where = f"{where} ({entry['id']})"
    entry = _check_keys(entry, _ACTOR_FIELDS, ("id", "name", "country", "role"), where)
    actor_id = _text(entry["id"], f"{where}.id")
    if not _ID.fullmatch(actor_id):
        raise _Invalid(f"{where}.id: {actor_id!r} is not a lowercase hyphenated name such as 'kim-jong-un'")
    country = _text(entry["country"], f"{where}.country")
    if not _COUNTRY.fullmatch(country):
        raise _Invalid(f"{where}.country: {country!r} is not a two-letter upper-case code such as 'KP'")
    surnames = _texts(entry.get("surname_refs"), f"{where}.surname_refs")
    for surname in surnames:
        if not _SURNAME.fullmatch(surname):
            raise _Invalid(f"{where}.surname_refs: {surname!r} is not one capitalised word")
    return Actor(
        id=actor_id,
        name=_text(entry["name"], f"{where}.name"),
        country=country,
        role=_text(entry["role"], f"{where}.role"),
        aliases=_spellings(entry.get("aliases"), f"{where}.aliases"),
        surname_refs=surnames,
        titles=_spellings(entry.get("titles"), f"{where}.titles"),
        offices=_offices(entry.get("offices"), roles, f"{where}.offices"),
    )


def _overlap(a: Spelling | Office | SurnameDefault, b: Spelling | Office | SurnameDefault) -> bool:
    return (a.start is None or b.end is None or a.start < b.end) and (b.start is None or a.end is None or b.start < a.end)


def _check_consistency(actors: Sequence[Actor], roles: Mapping[str, tuple[str, ...]]) -> None:
    """Cross-entry rules: unique ids, one person per spelling or role at any time."""
    seen_ids: set[str] = set()
    spelled: dict[str, list[tuple[Actor, Spelling]]] = {}
    holders: dict[str, list[tuple[Actor, Office]]] = {}
    for index, actor in enumerate(actors):
        if actor.id in seen_ids:
            raise _Invalid(f"actors[{index}] ({actor.id}): the id is used twice")
        seen_ids.add(actor.id)
        for spelling in actor.spellings:
            for other, other_spelling in spelled.setdefault(_key(spelling.text), []):
                if other.id != actor.id and _overlap(spelling, other_spelling):
                    raise _Invalid(f"actors[{index}] ({actor.id}): the spelling {spelling.text!r} is also {other.id}'s at the same time")
            spelled[_key(spelling.text)].append((actor, spelling))
        for office in actor.offices:
            for other, other_office in holders.setdefault(office.role_key, []):
                if _overlap(office, other_office):
                    raise _Invalid(
                        f"actors[{index}] ({actor.id}): office {office.role_key} from {office.start} overlaps "
                        f"{other.id}'s term from {other_office.start}"
                    )
            holders[office.role_key].append((actor, office))
    # The matcher tells kinds apart by the matched text, so one text must have one kind.
    kinds: dict[str, tuple[str, str]] = {}  # key -> (kind, where it was first seen)

    def claim(text: str, kind: str, where: str) -> None:
        first_kind, first_where = kinds.setdefault(_key(text), (kind, where))
        if first_kind != kind or (kind == "role phrase" and first_where != where):
            raise _Invalid(f"{where}: {text!r} is already a {first_kind} of {first_where}")

    for index, actor in enumerate(actors):
        here = f"actors[{index}] ({actor.id})"
        for spelling in actor.spellings:
            claim(spelling.text, "name", here)
        for spelling in actor.titles:
            claim(spelling.text, "title", here)
        for surname in actor.surname_refs:
            claim(surname, "surname", here)
    for role_key, role_phrases in roles.items():
        for phrase in role_phrases:
            for variant in {phrase, _LEADING_THE.sub("", phrase, count=1)}:
                claim(variant, "role phrase", f"roles.{role_key}")


def _surname_defaults(value: Any, actors: Sequence[Actor]) -> tuple[SurnameDefault, ...]:
    """The `surname_defaults` list: known actors, their own surnames, one person per surname at any time."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(f"surname_defaults: expected a list, got {value!r}")
    by_id = {actor.id: actor for actor in actors}
    defaults: list[SurnameDefault] = []
    for index, item in enumerate(value):
        here = f"surname_defaults[{index}]"
        entry = _check_keys(item, ("surname", "actor", "start", "end"), ("surname", "actor"), here)
        surname, actor_id = _text(entry["surname"], f"{here}.surname"), _text(entry["actor"], f"{here}.actor")
        here = f"{here} ({surname} -> {actor_id})"
        if actor_id not in by_id:
            raise _Invalid(f"{here}: unknown actor id {actor_id!r}")
        if surname not in by_id[actor_id].surname_refs:
            own = ", ".join(by_id[actor_id].surname_refs) or "none"
            raise _Invalid(f"{here}: {surname!r} is not one of {actor_id}'s surname_refs ({own})")
        start, end = _date(entry.get("start"), f"{here}.start"), _date(entry.get("end"), f"{here}.end")
        _check_period(start, end, here)
        default = SurnameDefault(surname, actor_id, start, end)
        for other_index, other in enumerate(defaults):
            if other.surname == surname and _overlap(default, other):
                raise _Invalid(
                    f"{here}: overlaps surname_defaults[{other_index}] ({surname} -> {other.actor_id}, "
                    f"{other.start or 'open'} to {other.end or 'open'}); one surname means one person at a time"
                )
        defaults.append(default)
    return tuple(defaults)


def _word_surnames(value: Any, actors: Sequence[Actor]) -> frozenset[str]:
    surnames = {surname for actor in actors for surname in actor.surname_refs}
    words = _texts(value, "word_surnames")
    for index, word in enumerate(words):
        if word not in surnames:
            raise _Invalid(f"word_surnames[{index}]: {word!r} is not a surname_ref of any actor")
    return frozenset(words)


_TOP_LEVEL = (
    "roles", "actors", "not_after_name", "not_given_names", "surname_defaults", "word_surnames", "surname_nouns", "administration_roles",
    "home_roles", "home_sources",
)  # fmt: skip


def _home_roles(value: Any, roles: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    """`home_roles`: country -> {phrase: role_key}, for phrases whose meaning depends on who writes ("the President")."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"home_roles: expected a mapping of country -> {{phrase: role_key}}, got {value!r}")
    role_phrases = {_key(variant) for phrases in roles.values() for phrase in phrases for variant in (phrase, _LEADING_THE.sub("", phrase))}
    home: dict[str, dict[str, str]] = {}
    for country, phrases in value.items():
        here = f"home_roles.{country}"
        if not isinstance(country, str) or not _COUNTRY.fullmatch(country):
            raise _Invalid(f"{here}: {country!r} is not a two-letter upper-case code such as 'US'")
        if not isinstance(phrases, dict) or not phrases:
            raise _Invalid(f"{here}: expected a mapping of phrase -> role_key, got {phrases!r}")
        for phrase, role_key in phrases.items():
            phrase, role_key = _text(phrase, here), _text(role_key, f"{here}.{phrase}")
            if role_key not in roles:
                raise _Invalid(f"{here}.{phrase}: role_key {role_key!r} is not one of the roles ({', '.join(roles)})")
            if _key(phrase) in role_phrases:
                raise _Invalid(f"{here}.{phrase}: already a phrase of roles, which count whoever writes")
            home.setdefault(country, {})[phrase] = role_key
    return home


def _home_sources(value: Any, home_roles: Mapping[str, Any]) -> dict[str, str]:
    """`home_sources`: an article's source -> the country it writes from (one of home_roles)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"home_sources: expected a mapping of source -> country, got {value!r}")
    for source, country in value.items():
        if country not in home_roles:
            raise _Invalid(f"home_sources.{source}: {country!r} is not a country of home_roles ({', '.join(home_roles) or 'none'})")
    return {_text(source, "home_sources"): country for source, country in value.items()}


def _administration_roles(value: Any, roles: Mapping[str, tuple[str, ...]]) -> frozenset[str]:
    keys = _texts(value, "administration_roles")
    for index, key in enumerate(keys):
        if key not in roles:
            raise _Invalid(f"administration_roles[{index}]: {key!r} is not one of the roles ({', '.join(roles)})")
    return frozenset(keys)


def load_gazetteer(path: Path = DEFAULT_ACTORS_PATH) -> Gazetteer:
    """Read and validate an actors file; ValueError names the file and the faulty entry.

    Remembered per file version (path, modification time, size): a build asks for it in five
    places, and parsing the YAML takes a quarter of a second each time.
    """
    stat = Path(path).stat()
    return _load_gazetteer(Path(path).resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_gazetteer(path: Path, mtime_ns: int, size: int) -> Gazetteer:
    """`load_gazetteer` of one version of a file (the version is the cache key; the file is read by path)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ValueError(f"{path}: not valid YAML: {error}") from error
    try:
        top = _check_keys(raw, _TOP_LEVEL, ("roles", "actors"), "top level")
        if not isinstance(top["roles"], dict) or not top["roles"]:
            raise _Invalid("roles: expected a mapping of role_key -> list of phrases")
        roles = {_text(key, "roles"): _texts(phrases, f"roles.{key}") for key, phrases in top["roles"].items()}
        if not isinstance(top["actors"], list) or not top["actors"]:
            raise _Invalid("actors: expected a non-empty list")
        actors = tuple(_actor(entry, roles, f"actors[{index}]") for index, entry in enumerate(top["actors"]))
        _check_consistency(actors, roles)
        home_roles = _home_roles(top.get("home_roles"), roles)
        return Gazetteer(
            actors=actors,
            roles=roles,
            not_after_name=_texts(top.get("not_after_name"), "not_after_name"),
            not_given_names=frozenset(_texts(top.get("not_given_names"), "not_given_names")),
            surname_defaults=_surname_defaults(top.get("surname_defaults"), actors),
            word_surnames=_word_surnames(top.get("word_surnames"), actors),
            surname_nouns=_texts(top.get("surname_nouns"), "surname_nouns"),
            administration_roles=_administration_roles(top.get("administration_roles"), roles),
            home_roles=home_roles,
            home_sources=_home_sources(top.get("home_sources"), home_roles),
        )
    except _Invalid as error:
        raise ValueError(f"{path}: {error}") from None


def actors_table(gazetteer: Gazetteer) -> pd.DataFrame:
    """The actors artifact: one row per actor with actor_id, name, country, role."""
    return pd.DataFrame(
        {
            "actor_id": [actor.id for actor in gazetteer.actors],
            "name": [actor.name for actor in gazetteer.actors],
            "country": [actor.country for actor in gazetteer.actors],
            "role": [actor.role for actor in gazetteer.actors],
        }
    )


# --- building the pattern ------------------------------------------------------------


def _key(text: str) -> str:
    """Lookup key of a matched text: the variants one pattern accepts ("Kim Jong-un", "Kim Jongun") share it."""
    return _WORD_BREAK.sub("", text.translate(_NORMALISE)).lower()


_SPACE_ATOM = r"\s+"
_HYPHEN_ATOM = f"(?:[{_HYPHENS}]|{_SPACE_ATOM})?"  # "Jong-un" = "Jong Un" = "Jongun"
# The screen (`_screen_pattern`) reads ASCII text only, where re's \s is this class (RE2's \s lacks \v and \x1c-\x1f).
_RE2_SPACES = r"[\t-\r\x1c-\x20]+"
_RE2_ATOMS = {_SPACE_ATOM: _RE2_SPACES, _HYPHEN_ATOM: f"(?:[{_HYPHENS}]|{_RE2_SPACES})?"}
_SCREEN_MEMORY = 32 << 20  # bytes RE2 may use for its automaton (lazily; 8 MB, its default, suffices today)


def _atoms(text: str, ignore_case: bool) -> list[str]:
    """Regex pieces, one per character of `text`, that accept the spelling variants we tolerate."""
    atoms: list[str] = []
    after_hyphen = False
    for char in text:
        if char.isspace():
            if atoms[-1:] != [_SPACE_ATOM]:
                atoms.append(_SPACE_ATOM)
        elif char in _HYPHENS:
            atoms.append(_HYPHEN_ATOM)
        elif char in _APOSTROPHES:
            atoms.append(f"[{_APOSTROPHES}]")
        elif (ignore_case or after_hyphen) and len(char.lower()) == len(char.upper()) == 1 and char.lower() != char.upper():
            atoms.append(f"[{char.lower()}{char.upper()}]")
        else:
            atoms.append(re.escape(char))
        after_hyphen = char in _HYPHENS
    return atoms


def _entries(text: str, tail: str, *, ignore_case: bool = False, word_start: bool = True, capitals: bool = False) -> list[list[str]]:
    """Atom paths for one spelling, each opening with a plain character.

    A pattern whose alternatives all open with a plain character lets the regex engine
    skip every other position in C, which is most of the speed of the matcher; so a
    case-insensitive first letter becomes two paths, and the word-start check sits just
    after the first character.
    """
    if capitals and text.upper() != text:  # "KIM JONG UN", "PUTIN" in all-caps headlines
        return _entries(text, tail, word_start=word_start) + _entries(text.upper(), tail, word_start=word_start)
    first, *rest = text
    openings = {first.lower(), first.upper()} if ignore_case else {first}
    guard = [_AFTER_WORD_START] if word_start else []
    return [[re.escape(opening), *guard, *_atoms("".join(rest), ignore_case), tail] for opening in sorted(openings)]


def _words_after(words: Iterable[str], gap: str) -> re.Pattern[str]:
    """A pattern for any of `words` right after a name, as written, capitalised or in capitals ("card", "Card", "CARD")."""
    forms = {form for word in words for form in (word, word[:1].upper() + word[1:], word.upper())}
    if not forms:
        return re.compile(r"(?!)")
    return re.compile(gap + "(?:" + "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True)) + r")(?!\w)")


def _trie_pattern(paths: Iterable[list[str]]) -> str:
    """One regex for many atom paths (the last atom a zero-width tail), sharing prefixes.

    At every node the continuations are tried in insertion order and before a path
    that ends there, so longer spellings win over their prefixes ("Kim Jong Un" over
    "Kim") and paths inserted first win ties.
    """
    root: dict[str, Any] = {}
    for *atoms, tail in paths:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = tail  # "" never is an atom, so it marks the end of a path
    return _emit(root)


def _screen_pattern(paths: Iterable[list[str]]) -> re2._Regexp:
    """An RE2 pattern that matches wherever `_trie_pattern(paths)` does, and a little more: the same
    atoms without the word-start guards and the tails (RE2 has no look-around).

    RE2 scans a sentence in one linear pass, several times faster than `re` tries the trie at every
    position, and most sentences name nobody: the matcher runs the full pattern only where it finds something.
    """
    options = re2.Options()
    options.max_mem = _SCREEN_MEMORY
    screened = ([*(_RE2_ATOMS.get(atom, atom) for atom in atoms if atom != _AFTER_WORD_START), ""] for *atoms, _ in paths)
    return re2.compile(_trie_pattern(screened), options)


def _emit(node: dict[str, Any]) -> str:
    branches = [atom + _emit(child) for atom, child in node.items() if atom]
    if "" in node:
        branches.append(node[""])
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass
class _ArticleState:
    """What earlier sentences of the article said: who a bare surname refers to, who was named last."""

    by_surname: dict[str, str | None] = field(default_factory=dict)
    last_named: dict[str, int] = field(default_factory=dict)  # actor id -> order of their latest naming
    clock: int = 0
    home: str | None = None  # the country the article's source writes from (home_sources)


class ActorMatcher:
    """Finds actor mentions sentence by sentence, carrying context through an article."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._not_given_names = gazetteer.not_given_names
        self._not_after = _words_after(gazetteer.not_after_name, r"\s*")
        self._noun_after = _words_after(gazetteer.surname_nouns, r"[ \t]+")
        self._word_surnames = gazetteer.word_surnames
        self._surnames_of = {actor.id: frozenset(s.translate(_NORMALISE) for s in actor.surname_refs) for actor in gazetteer.actors}
        self._bearers: dict[str, list[Actor]] = {}
        for actor in gazetteer.actors:
            for surname in actor.surname_refs:
                self._bearers.setdefault(surname.translate(_NORMALISE), []).append(actor)
        # "The Clinton administration" is Bill Clinton's: the bearer who held an office of administration_roles.
        self._heads = {
            actor.id for actor in gazetteer.actors if any(office.role_key in gazetteer.administration_roles for office in actor.offices)
        }
        # Surnames written first (Korean, Chinese): a capitalised word after them is a given name.
        self._surname_first = {
            surname for surname, owners in self._bearers.items() if any(actor.name.split()[0] == surname for actor in owners)
        }
        # The initial of a given name written first ("V." for Vladimir Putin), for "V. V. Putin".
        self._initial = {
            actor.id: actor.name[0] for actor in gazetteer.actors if actor.name.split()[0] not in self._surnames_of[actor.id]
        }
        self._defaults: dict[str, list[SurnameDefault]] = {}
        for default in gazetteer.surname_defaults:
            self._defaults.setdefault(default.surname.translate(_NORMALISE), []).append(default)
        # Naming an actor decides what each bare surname in their name refers to next.
        self._context: dict[str, tuple[tuple[str, str | None], ...]] = {}
        for actor in gazetteer.actors:
            words = {word for spelling in actor.spellings for word in _WORD_BREAK.split(spelling.text.translate(_NORMALISE))}
            self._context[actor.id] = tuple(
                (word, actor.id if word in self._surnames_of[actor.id] else None) for word in sorted(words & self._bearers.keys())
            )
        self._terms: dict[str, list[tuple[Office, str]]] = {}
        for actor in gazetteer.actors:
            for office in actor.offices:
                self._terms.setdefault(office.role_key, []).append((office, actor.id))

        # What a matched text is, by its _key: ("full" | "title", candidates), ("surname", surname), ("role", role_key).
        # Names, titles and surnames are also matched in capitals, for all-caps headlines; _key folds case.
        self._meaning: dict[str, tuple[str, Any]] = {}
        paths: list[list[str]] = []
        for actor in gazetteer.actors:
            for spelling in actor.spellings:
                self._meaning.setdefault(_key(spelling.text), ("full", []))[1].append((actor.id, spelling))
                # Names of three or more parts may run into the next word (KCNA: "Kim Jong Unexamined").
                tail = "" if len(_WORD_BREAK.split(spelling.text.translate(_NORMALISE))) >= 3 else _WORD_END
                paths += _entries(spelling.text, tail, word_start=False, capitals=True)
        for actor in gazetteer.actors:
            for spelling in actor.titles:
                self._meaning.setdefault(_key(spelling.text), ("title", []))[1].append((actor.id, spelling))
                paths += _entries(spelling.text, _WORD_END + r"(?!\s+[A-Z])", capitals=True)
        for surname in self._bearers:
            self._meaning[_key(surname)] = ("surname", surname)
            paths += _entries(surname, _WORD_END, capitals=True)
        role_paths: list[list[str]] = []
        for role_key, phrases in gazetteer.roles.items():
            for phrase in phrases:
                self._meaning[_key(phrase)] = ("role", role_key)
                paths += _entries(phrase, r"(?!\w|\s+[A-Z][a-z])", ignore_case=True)
                for variant in {phrase, _LEADING_THE.sub("", phrase, count=1)}:
                    self._meaning.setdefault(_key(variant), ("role", role_key))
                    role_paths += _entries(variant, "", ignore_case=True)
        # "The President" means the writer's own president: resolved through the article's source.
        self._home_sources = gazetteer.home_sources
        self._home_roles = {country: {_key(p): role for p, role in phrases.items()} for country, phrases in gazetteer.home_roles.items()}
        for phrase in sorted({phrase for phrases in gazetteer.home_roles.values() for phrase in phrases}):
            self._meaning[_key(phrase)] = ("home", None)
            for variant in sorted({phrase, phrase[0].upper() + phrase[1:]}):
                paths += _entries(variant, r"(?!\w|\s+[A-Z][a-z]|\s+of\b)")
        self._pattern = re.compile(_trie_pattern(paths))
        self._screen = _screen_pattern(paths)
        # A role phrase, with or without "the", right before a surname ("North Korean leader Kim").
        self._role_before = re.compile(_trie_pattern(role_paths) + r",?\s+\Z")

    # --- resolution ---------------------------------------------------------------

    def _holder(self, role_key: str, day: dt.date | None) -> str | None:
        """Who held the role on `day` (nobody when the date is unknown or the post was vacant)."""
        if day is None:
            return None
        return next((actor_id for office, actor_id in self._terms.get(role_key, ()) if office.held_on(day)), None)

    def _default(self, surname: str, day: dt.date | None) -> str | None:
        """Who a bare surname means on `day` when the article named no bearer (surname_defaults)."""
        if day is None:
            return None
        return next((default.actor_id for default in self._defaults.get(surname, ()) if default.applies_on(day)), None)

    @staticmethod
    def _pick(candidates: Sequence[tuple[str, Spelling]], day: dt.date | None, state: _ArticleState) -> str | None:
        """The one candidate valid on `day`; on a tie the most recently named one, else nobody."""
        valid = {actor_id for actor_id, spelling in candidates if spelling.applies_on(day)}
        if len(valid) == 1:
            return valid.pop()
        named = [actor_id for actor_id in valid if actor_id in state.last_named]
        return max(named, key=state.last_named.__getitem__) if named else None

    def _note(self, actor_id: str, state: _ArticleState) -> None:
        """Record that `actor_id` was named: later bare surnames and tied titles may refer to them."""
        state.clock += 1
        state.last_named[actor_id] = state.clock
        state.by_surname.update(self._context[actor_id])

    def _head(self, surname: str, day: dt.date | None, state: _ArticleState) -> str | None:
        """The bearer of `surname` who headed an administration (one of them, else the one in context or by default)."""
        heads = [actor.id for actor in self._bearers[surname] if actor.id in self._heads]
        if len(heads) <= 1:
            return heads[0] if heads else None
        return next((actor for actor in (state.by_surname.get(surname), self._default(surname, day)) if actor in heads), None)

    def _by_initials(self, surname: str, initials: str, day: dt.date | None, state: _ArticleState) -> str | None:
        """The bearer of `surname` whose given name starts like `initials` ("V. V." -> Vladimir Putin)."""
        bearers = [actor.id for actor in self._bearers[surname] if self._initial.get(actor.id) == initials[0]]
        if len(bearers) <= 1:
            return bearers[0] if bearers else None
        for preferred in (state.by_surname.get(surname), self._default(surname, day)):
            if preferred in bearers:
                return preferred
        return None

    def _has_given_name_after(self, text: str, match: re.Match[str]) -> bool:
        """For a surname written first: is the word after it a given name ("Kim Hyok Chol", "Park Chung-hee")?"""
        if match.group().isupper():
            return _CAPS_WORD_AFTER.match(text, match.end()) is not None
        if not _GIVEN_NAME_AFTER.match(text, match.end()):
            return False
        after = _WORD_AFTER.match(text, match.end())  # "China's Xi Calls for ...": a verb in a headline
        return not (after and _HEADLINE_VERB.fullmatch(after.group(1)) and _headline_case(text))

    def _is_another_name(self, surname: str, text: str, start: int) -> bool:
        """True when a capitalised word right before the surname makes it someone else's ("Andrew Kim", "Olympic Park")."""
        before = _CAPITALISED_BEFORE.search(text, max(0, start - _LOOK_BACK), start)
        if not before:
            return False
        word = before.group(1)
        if word in self._not_given_names or self._meaning.get(_key(f"{word} {surname}"), ("",))[0] == "title":
            return False  # "Mr Kim"; "President Hu Calls ...", a title that did not match before a capital
        if _QUOTE_BEFORE.search(text, max(0, before.start(1) - _INITIALS_LOOK_BACK), before.start(1)):
            return False  # a slogan or a quoted headline: "Impeach Yoon"
        return not (_HEADLINE_VERB_BEFORE.fullmatch(word) and _headline_case(text))

    def _person_sign(self, text: str, start: int, end: int, with_noun: bool) -> bool:
        """A possessive, a noun such as "government", or a hyphenated pair ("Moon-Kim"): the surname is a person."""
        if with_noun or text.startswith(("'", "\u2019"), end) or _PAIR_AFTER.match(text, end):
            return True
        pair = _PAIR_BEFORE.search(text, max(0, start - _LOOK_BACK), start)
        return pair is not None and self._meaning.get(_key(pair.group(1)), ("",))[0] in ("surname", "full")

    def _resolve_surname(self, surname: str, text: str, match: re.Match[str], day: dt.date | None, state: _ArticleState) -> Mention | None:
        start, end = match.span()
        noun = self._noun_after.match(text, end)  # "the Bush administration", "Abe Group"
        with_noun = noun is not None
        if not with_noun and surname in self._surname_first and self._has_given_name_after(text, match):
            state.by_surname[surname] = None  # an unlisted person with this surname ("Kim Hyok Chol")
            return None
        initials = _INITIALS_BEFORE.search(text, max(0, start - _INITIALS_LOOK_BACK), start)
        if initials and initials.group().replace(" ", "").replace("\t", "") not in _NOT_INITIALS:
            actor_id = self._by_initials(surname, initials.group(), day, state)
            if actor_id is None:
                state.by_surname[surname] = None  # "Robert E. Lee"
                return None
            self._note(actor_id, state)
            return Mention(actor_id, initials.start(), end, "name")
        role = self._role_before.search(text, max(0, start - _LOOK_BACK), start)
        if role:  # "Prime Minister of Japan Kishida", "North Korean leader Kim"
            holder = self._holder(self._meaning[_key(role.group().rstrip(", \t\n"))][1], day)
            if holder and surname in self._surnames_of[holder]:
                self._note(holder, state)
                return Mention(holder, start, end, "surname")
        if not with_noun and self._is_another_name(surname, text, start):
            state.by_surname[surname] = None  # another person ("Andrew Kim") or a place ("Olympic Park")
            return None
        if noun and _TENURE.fullmatch(noun.group().strip()):
            head = self._head(surname, day, state)
            if head is not None:
                self._note(head, state)
                return Mention(head, start, end, "surname")
        if surname in self._word_surnames and not self._person_sign(text, start, end, with_noun):
            if _DETERMINER_BEFORE.search(text, max(0, start - _INITIALS_LOOK_BACK), start):
                return None  # "walked on the Moon"
            if surname not in state.by_surname and (_OPENING.match(text).end() >= start or _headline_case(text)):
                return None  # "Rice Transplanting Starts", "Ban on ...": a date default alone is not enough
        # The nearest bearer named in the article, else the date's default.
        actor_id = state.by_surname[surname] if surname in state.by_surname else self._default(surname, day)
        if actor_id is None:
            return None
        self._note(actor_id, state)
        return Mention(actor_id, start, end, "surname")

    def _resolve(self, kind: str, value: Any, text: str, match: re.Match[str], day: dt.date | None, state: _ArticleState) -> Mention | None:
        """The mention a match is, updating the article's context; None when it is nobody listed."""
        if kind == "role" or kind == "home":
            role_key = value if kind == "role" else self._home_roles.get(state.home or "", {}).get(_key(match.group()))
            holder = self._holder(role_key, day) if role_key else None
            return Mention(holder, match.start(), match.end(), "role") if holder else None
        if self._not_after.match(text, match.end()):  # "Kim Il Sung University", "Trump card"
            return None
        if kind == "surname":
            return self._resolve_surname(value, text, match, day, state)
        actor_id = self._pick(value, day, state)
        if actor_id is not None:
            self._note(actor_id, state)
            return Mention(actor_id, match.start(), match.end(), "name" if kind == "full" else "title")
        if kind == "full":  # a listed spelling that means someone unlisted on this date
            for candidate, _ in value:
                state.by_surname.update((surname, None) for surname, _ in self._context[candidate])
        return None

    def _first_candidate(self, text: str) -> int | None:
        """Where the full pattern's first match may start in `text` (`_screen_pattern`); None when it has none.

        No match starts before the screen's first; text other than ASCII is not screened (0). ASCII text is
        screened as bytes (the same offsets), which spares the RE2 module mapping them between characters and bytes.
        """
        if not text.isascii():
            return 0
        candidate = self._screen.search(text.encode())
        return candidate.start() if candidate else None

    def _match_sentence(self, text: str, day: dt.date | None, state: _ArticleState) -> list[Mention]:
        start = self._first_candidate(text)
        if start is None:
            return []
        found: list[Mention] = []
        pending_role: Mention | None = None  # a role phrase that may introduce the name right after it
        for match in self._pattern.finditer(text, start):  # look-behinds still see the text before `start`
            kind, value = self._meaning[_key(match.group())]
            mention = self._resolve(kind, value, text, match, day, state)
            if pending_role is not None:
                same = mention is not None and mention.actor_id == pending_role.actor_id
                if not (same and _APPOSITIVE_GAP.fullmatch(text, pending_role.end, mention.start)):
                    found.append(pending_role)  # not "the US president, Donald Trump": the role is its own mention
                pending_role = None
            if mention is None:
                continue
            if mention.kind != "role":
                found.append(mention)
            elif not (found and found[-1].actor_id == mention.actor_id and _APPOSITIVE_GAP.fullmatch(text, found[-1].end, mention.start)):
                pending_role = mention  # else "Kim Jong Un, the supreme leader": one mention
        if pending_role is not None:
            found.append(pending_role)
        return found

    def match_article_spans(self, sentences: Sequence[str], date: dt.date | None, source: str | None = None) -> list[list[Mention]]:
        """The mentions of each sentence of one article, in text order, with their spans in the sentence.

        Sentences must be in article order: bare surnames depend on what came before.
        `date` settles role phrases, dated titles and surname defaults; None leaves them unresolved.
        `source` (the article's outlet) settles "the President" for outlets listed in home_sources.
        """
        day = date.date() if isinstance(date, dt.datetime) else date
        state = _ArticleState(home=self._home_sources.get(source) if source else None)
        return [self._match_sentence(sentence, day, state) for sentence in sentences]

    def match_article(self, sentences: Sequence[str], date: dt.date | None, source: str | None = None) -> list[list[str]]:
        """Actor ids per sentence, one per mention in text order (`match_article_spans` without the spans)."""
        return [[mention.actor_id for mention in mentions] for mentions in self.match_article_spans(sentences, date, source)]
