"""What the collector reads, and how a fetched page becomes a record: pure functions, no network.

- the feeds file (TOML: `[[feed]]` tables with `url`, optional `name` and `match`),
- the subject an item must be about (a linear-time RE2 pattern: North Korea terms and the
  gazetteer's North Korean names by default, or the user's own),
- RSS/Atom feeds (feedparser) and GDELT DOC 2.0 article lists, turned into `Item`s,
- an article page (trafilatura) turned into the JSON Lines record `build` reads, or a
  `Rejected` with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import tomllib
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import re2

from pipeline.actors import DEFAULT_ACTORS_PATH, load_gazetteer
from pipeline.clean import http_url, latest_plausible_date
from pipeline.dedup import Fingerprint, source_key

MIN_WORDS = 80
"""Pages with fewer words are not articles (a teaser, a video page, a paywall stub)."""
MAX_PATTERN_CHARS = 2000
SUBJECT_TERMS = (
    "North Korea", "North Korean", "North Koreans", "DPRK", "Pyongyang", "Democratic People's Republic of Korea",
    "KCNA", "Korean Peninsula", "inter-Korean", "Panmunjom", "Yongbyon", "Kaesong", "Workers' Party of Korea",
)
"""Default subject terms; the gazetteer's North Korean people (country KP) are added to them."""
GDELT_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
_TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid")


class CollectError(Exception):
    """A problem with what the user asked for (feeds file, pattern, folder): the message says which and why."""


class Rejected(Exception):
    """An item or source that gives no article; the message is the reason recorded in the rejects."""


@dataclass(frozen=True)
class Subject:
    """What an item must be about: a compiled RE2 pattern and how to name it in a reason."""

    pattern: Any  # re2._Regexp
    label: str

    def matches(self, text: str) -> bool:
        return self.pattern.search(text) is not None


@dataclass(frozen=True)
class Feed:
    """One feed to read; `name` becomes the articles' source when given, `subject` overrides the run's."""

    url: str
    name: str = ""
    subject: Subject | None = None


@dataclass(frozen=True)
class Item:
    """A link to an article, found in a feed or a GDELT list, with what the listing said about it."""

    url: str
    origin: str  # the feed URL, or "gdelt:QUERY"
    source: str = ""
    title: str = ""
    date: dt.date | None = None
    subject: Subject | None = None


# --- subject ---------------------------------------------------------------------------


def _phrase(text: str) -> str:
    """A name or term as an RE2 fragment: hyphens and spaces interchangeable or absent, either apostrophe."""
    words = text.replace("-", " ").split()
    return r"[\s\-]*".join("['’]".join(re2.escape(part) for part in word.replace("’", "'").split("'")) for word in words)


def default_subject(actors_path: Path = DEFAULT_ACTORS_PATH) -> Subject:
    """North Korea terms plus every spelling of the gazetteer's North Korean people, case-insensitive."""
    names = [spelling.text for actor in load_gazetteer(actors_path).actors if actor.country == "KP" for spelling in actor.spellings]
    phrases = sorted({_phrase(text) for text in (*SUBJECT_TERMS, *names)}, key=len, reverse=True)
    return Subject(re2.compile(r"(?i)\b(?:" + "|".join(phrases) + r")\b"), "North Korea terms and names")


def compile_subject(text: str, where: str) -> Subject:
    """The user's pattern, compiled with RE2 (linear time) and case-insensitive; CollectError naming `where` if invalid."""
    if not text.strip():
        raise CollectError(f"{where}: the pattern is empty")
    if len(text) > MAX_PATTERN_CHARS:
        raise CollectError(f"{where}: the pattern is longer than {MAX_PATTERN_CHARS} characters")
    try:
        return Subject(re2.compile("(?i)" + text), f"the pattern {text[:60]!r}")
    except re2.error as error:
        raise CollectError(f"{where}: not a valid pattern ({error}); RE2 syntax, no backreferences or lookarounds") from None


# --- the feeds file ----------------------------------------------------------------------


def read_feeds_file(path: Path) -> tuple[list[Feed], Subject | None]:
    """The feeds a TOML file lists and its top-level `match`, if any; CollectError naming the file and entry."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise CollectError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise CollectError(f"{path}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"feed", "match"})
    if unknown:
        raise CollectError(f"{path}: unknown setting {unknown[0]!r} (expected [[feed]] tables and an optional match)")
    subject = _subject_setting(data.get("match"), f"{path}: match")
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise CollectError(f"{path}: feed must be a list of [[feed]] tables")
    return [_feed(entry, f"{path}: feed {index + 1}") for index, entry in enumerate(entries)], subject


def _subject_setting(value: Any, where: str) -> Subject | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CollectError(f"{where}: expected a string")
    return compile_subject(value, where)


def _feed(entry: Any, where: str) -> Feed:
    if not isinstance(entry, dict):
        raise CollectError(f"{where}: expected a table with url, name and match")
    unknown = sorted(set(entry) - {"url", "name", "match"})
    if unknown:
        raise CollectError(f"{where}: unknown key {unknown[0]!r} (expected url, name, match)")
    url = entry.get("url")
    if not isinstance(url, str) or not http_url(url):
        raise CollectError(f"{where}: url must be an http(s) address, got {str(url)[:80]!r}")
    name = entry.get("name", "")
    if not isinstance(name, str):
        raise CollectError(f"{where}: name must be a string")
    return Feed(url.strip(), name.strip(), _subject_setting(entry.get("match"), f"{where}: match"))


# --- URLs ------------------------------------------------------------------------------


def url_key(url: str) -> str:
    """The URL as the collector remembers it: scheme and host in lower case, no fragment, no tracking parameters."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if port and not (parts.scheme == "http" and port == 80 or parts.scheme == "https" and port == 443):
        host = f"{host}:{port}"
    query = "&".join(pair for pair in parts.query.split("&") if pair and not pair.lower().startswith(_TRACKING_PARAMS))
    return urllib.parse.urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


# --- listings --------------------------------------------------------------------------


def feed_items(data: bytes, feed: Feed, final_url: str, content_type: str) -> list[Item]:
    """The items of an RSS or Atom feed with an http(s) link, made absolute; Rejected when it is not a readable feed.

    feedparser is lenient: the items before a point of damage are kept; a feed that
    yields none and is damaged is rejected as malformed.
    """
    import feedparser  # imported here: only collect needs it

    parsed = feedparser.parse(data, response_headers={"content-location": final_url, "content-type": content_type or "application/xml"})
    items = []
    for entry in parsed.entries:
        link = http_url(entry.get("link") or "")
        if not link and entry.get("guidislink"):
            link = http_url(entry.get("id") or "")
        if link:
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            items.append(Item(link, feed.url, feed.name, _one_line(entry.get("title") or ""), _struct_date(stamp), feed.subject))
    if not items and not parsed.get("version"):
        raise Rejected("not an RSS or Atom feed")
    if not items and parsed.get("bozo"):  # a damaged feed whose items before the damage are kept is not rejected
        raise Rejected(f"malformed feed ({str(parsed.get('bozo_exception', 'unreadable'))[:200]})")
    return items


def _struct_date(stamp: time.struct_time | None) -> dt.date | None:
    if not stamp:
        return None
    try:
        return dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
    except ValueError:
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:1000]


def gdelt_request(base: str, query: str, max_records: int, timespan: str) -> str:
    """The DOC 2.0 API's article-list request for `query` (JSON, newest first)."""
    parameters = {"query": query, "mode": "artlist", "format": "json", "maxrecords": str(max_records), "timespan": timespan,
                  "sort": "datedesc"}
    return f"{base}?{urllib.parse.urlencode(parameters)}"


def gdelt_items(data: bytes, query: str, subject: Subject | None) -> tuple[list[Item], list[tuple[str, str]]]:
    """Items of a DOC 2.0 `artlist` JSON answer, and (url, reason) for entries set aside (not English, no URL).

    Rejected when the answer is not that JSON: the API answers a bad query with a plain-text message.
    """
    try:
        answer = json.loads(data.decode("utf-8", "replace"))
    except ValueError:
        message = " ".join(data[:300].decode("utf-8", "replace").split())
        raise Rejected(f"GDELT answer is not JSON: {message!r}") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("articles", []), list):
        raise Rejected("GDELT answer has no articles list")
    items, skipped = [], []
    for entry in answer.get("articles", []):
        if not isinstance(entry, dict):
            continue
        url = http_url(str(entry.get("url") or ""))
        if not url:
            skipped.append((str(entry.get("url") or "")[:200], "GDELT entry without an http(s) URL"))
            continue
        language = str(entry.get("language") or "English")
        if language.lower() != "english":
            skipped.append((url, f"not in English (GDELT language {language[:40]})"))
            continue
        items.append(Item(url, f"gdelt:{query}", "", _one_line(str(entry.get("title") or "")), _seendate(entry.get("seendate")), subject))
    return items, skipped


def _seendate(value: Any) -> dt.date | None:
    """The day of a GDELT seendate ("20261130T081500Z")."""
    text = str(value or "")
    try:
        return dt.datetime.strptime(text[:8], "%Y%m%d").date()
    except ValueError:
        return None


# --- pages -----------------------------------------------------------------------------


def extract_record(html: str | bytes, item: Item, final_url: str, subject: Subject, min_words: int = MIN_WORDS) -> dict[str, str]:
    """The record (`id, url, date, title, body, source`, plus `author` and `feed`) of an article page.

    The date is the page's own, else the date the listing gave; the source is the feed's
    configured name, else the site's name, else its host. Rejected with the reason when
    the page holds no article text, too few words, nothing about `subject`, or no date.
    """
    import trafilatura  # imported here: slow to import, only collect and HTML inputs need it

    document = trafilatura.bare_extraction(html, url=final_url, with_metadata=True, include_comments=False)
    body = (document.text or "").strip() if document is not None else ""
    if not body:
        raise Rejected("no article text found on the page")
    words = len(body.split())
    if words < min_words:
        raise Rejected(f"too short to be an article ({words} words, at least {min_words})")
    title = _one_line(document.title or "") or item.title
    if not subject.matches(f"{title}\n{body}"):
        raise Rejected(f"not about the subject (no match for {subject.label})")
    date = _page_date(document.date) or item.date
    if date is None:
        raise Rejected("no date (neither the page nor the listing gives one)")
    if date > latest_plausible_date():
        raise Rejected(f"implausible date {date.isoformat()}")
    url = http_url(document.url or "") or final_url
    host = urllib.parse.urlsplit(url).hostname or ""
    source = item.source or _one_line(document.sitename or "") or host
    return {
        "id": "web-" + hashlib.sha1(url_key(url).encode("utf-8")).hexdigest()[:16],
        "url": url,
        "date": date.isoformat(),
        "title": title,
        "body": body,
        "source": source,
        "author": _one_line(document.author or ""),
        "feed": item.origin,
    }


def _page_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None


def content_key(record: dict[str, str]) -> str:
    """What makes two records the same article whatever their URLs: the build's content fingerprint, per source."""
    fingerprint = Fingerprint(record["source"], dt.date.fromisoformat(record["date"]), record["body"])
    return f"{source_key(record['source'])}|{fingerprint.content}"

