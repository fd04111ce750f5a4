"""Ingest: read corpus files into clean, validated, de-duplicated articles with stable ids.

Every record read ends up in exactly one of `articles`, `duplicates` or `rejects`
(`read == kept + len(duplicates) + len(rejects)`); a whole-file problem (empty,
binary, damaged) counts as one rejected record. Readers live in `pipeline.readers`,
field clean-up and validation in `pipeline.clean`, duplicate detection in
`pipeline.dedup`.

No input can stop an ingest: an error while handling one record rejects that record,
an error while reading one file rejects the rest of that file, each with the reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from pipeline.clean import (
    Cleaned,
    RecordProblem,
    check_date,
    check_english,
    clean_body,
    clean_line,
    derive_title,
    http_url,
    latest_plausible_date,
    parse_date,
)
from pipeline.dedup import Deduplicator, Fingerprint, comparison_key, source_key
from pipeline.readers import FileInfo, GzipLimits, RawRecord, discover, read_file
from pipeline.store import display_name

__all__ = ["Article", "Duplicate", "GzipLimits", "IngestResult", "Reject", "discover", "ingest"]

UNKNOWN_SOURCE = "unknown"
MAX_TEXT_CHARS = 1_000_000
"""Longer texts are rejected: no article is that long, and one would dominate the analysis."""
_ID_LENGTH = 16


@dataclass(frozen=True, slots=True)
class Article:
    """A kept article; `text` is the cleaned body (paragraphs joined by "\\n") or, headline-only, the title."""

    article_id: str
    date: dt.date
    source: str
    title: str
    subtitle: str
    url: str
    text: str
    input: str  # "path:line", "path:row" or "path"


@dataclass(frozen=True)
class Reject:
    """A record that could not be used, with a human-readable reason."""

    input: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    """A record dropped as a copy of the kept article `kept`; `kind` is "exact" or "near"."""

    input: str
    kept: str
    kind: str


@dataclass
class IngestResult:
    """Outcome of ingest; `encodings` maps files that were not plain UTF-8 to what was done.

    `kept` counts the articles kept; `articles` lists them unless the caller took them one by
    one instead (`ingest(keep_articles=False)`).
    """

    articles: list[Article] = field(default_factory=list)
    kept: int = 0
    rejects: list[Reject] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    read: int = 0
    encodings: dict[str, str] = field(default_factory=dict)


class _Prepared(NamedTuple):
    """A record that passed validation, before duplicate checks and id assignment."""

    date: dt.date
    source: str
    title: str
    subtitle: str
    url: str
    text: str
    own_id: str
    title_derived: bool
    repaired: bool


def _repeats_title(raw_body: str, title: str) -> bool:
    """True when a body is empty or says nothing but the title (words compared, case and punctuation aside)."""
    return not raw_body.strip() or comparison_key(clean_line(raw_body).text) == comparison_key(title)


@functools.lru_cache(maxsize=256)
def _clean_source(raw: str) -> Cleaned:
    """Sources repeat on every record of a file: clean each spelling once."""
    return clean_line(raw)


def _prepare(raw: RawRecord, latest: dt.date) -> _Prepared:
    """Clean and validate one record; raises RecordProblem with the reject reason.

    Checks run in a fixed order so a record gets one clear reason: unreadable text,
    missing body, date, length, language. A record with a title and no body of its
    own (no body field, an empty one, or one that only repeats the title) is a
    headline: its text is the title.
    """
    fields = raw.fields
    title, title_repaired = clean_line(fields.get("title", ""))
    raw_body = fields.get("body", "") if raw.has_body else ""
    body, body_repaired = clean_body(raw_body, title) if raw_body.strip() else ("", False)
    if body:
        text = body
    elif title and _repeats_title(raw_body, title):
        text = title
    elif title:
        raise RecordProblem("no body")
    else:
        raise RecordProblem("no body (headline-only record without a title)")
    date_text = fields.get("date", "")
    date = check_date(parse_date(date_text), date_text, latest)
    if len(text) > MAX_TEXT_CHARS:
        raise RecordProblem(f"body too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
    check_english(text)
    source, source_repaired = _clean_source(fields.get("source", ""))
    subtitle, subtitle_repaired = clean_line(fields.get("subtitle", ""))
    return _Prepared(
        date=date,
        source=source or UNKNOWN_SOURCE,
        title=title or derive_title(text),
        subtitle=subtitle,
        url=http_url(fields.get("url", "")),
        text=text,
        own_id=fields.get("id", "").strip(),
        title_derived=not title,
        repaired=title_repaired or body_repaired or source_repaired or subtitle_repaired,
    )


def _hash16(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:_ID_LENGTH]


def _base_id(record: _Prepared) -> str:
    """The record's own id, else a hash of source, date and title (and body when the title was made up)."""
    if record.own_id:
        return record.own_id
    key = f"{source_key(record.source)}|{record.date.isoformat()}|{comparison_key(record.title)}"
    if record.title_derived:
        key += "|" + _hash16(comparison_key(record.text))
    return _hash16(key)


def _unique(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` ... when kept records collide (deterministic: input order)."""
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _encoding_label(encoding: str, repaired_records: int) -> str:
    if repaired_records:
        return f"{encoding} (mojibake repaired in {repaired_records} records)"
    return encoding


class _Ingest:
    """One ingest run: sorts each record into kept, duplicate or rejected."""

    def __init__(
        self,
        known: Iterable[tuple[str, str, dt.date | None, str | None]] = (),
        on_article: Callable[[Article], None] | None = None,
        keep_articles: bool = True,
    ) -> None:
        self.result = IngestResult()
        self._on_article = on_article
        self._keep_articles = keep_articles
        self._last: Article | None = None
        self._duplicates = Deduplicator()
        self._taken_ids: set[str] = set()
        self._latest = latest_plausible_date()
        for article_id, source, date, text in known:  # an earlier build's articles, in their order
            if text is not None:
                self._duplicates.keep(Fingerprint(source, date, text), article_id)
            self._taken_ids.add(article_id)

    def take(self, raw: RawRecord) -> bool:
        """Account for one record; True when it passed validation after mis-decoded text was repaired.

        Never raises for the record's content: whatever goes wrong rejects this record only.
        """
        self.result.read += 1
        kept_before = self.result.kept
        try:
            repaired = self._sort(raw)
        except Exception as error:  # noqa: BLE001 - one record's failure must not cost the others
            self.result.rejects.append(Reject(raw.input, f"could not be processed ({_describe(error)})"))
            return False
        if self._on_article is not None and self.result.kept > kept_before:
            try:
                self._on_article(self._last)
            except Exception as error:
                raise _ConsumerFailed from error  # the caller's failure, not this record's nor its file's
        return repaired

    def reject_rest_of_file(self, name: str, error: Exception) -> None:
        """A reader failed mid-file: the records already read stay, the rest is one reject."""
        self.result.read += 1
        self.result.rejects.append(Reject(name, f"could not be read ({_describe(error)}); the rest of the file was not read"))

    def _sort(self, raw: RawRecord) -> bool:
        if raw.problem:
            self.result.rejects.append(Reject(raw.input, raw.problem))
            return False
        try:
            record = _prepare(raw, self._latest)
        except RecordProblem as problem:
            self.result.rejects.append(Reject(raw.input, str(problem)))
            return False
        marks = Fingerprint(record.source, record.date, record.text)
        match = self._duplicates.match(marks)
        if match:
            kind, kept = match
            self.result.duplicates.append(Duplicate(raw.input, kept=kept, kind=kind))
            return record.repaired
        article_id = _unique(_base_id(record), self._taken_ids)
        self._duplicates.keep(marks, article_id)
        self._last = Article(article_id, record.date, record.source, record.title, record.subtitle, record.url, record.text, raw.input)
        self.result.kept += 1
        if self._keep_articles:
            self.result.articles.append(self._last)
        return record.repaired


class _ConsumerFailed(Exception):
    """`on_article` raised: passed through to the caller of `ingest` (its cause is the error)."""


def _describe(error: BaseException) -> str:
    """An exception as a short reason: its type, and its message cut to 200 characters."""
    message = str(error)
    if len(message) > 200:
        message = message[:200] + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def ingest(
    paths: Sequence[Path],
    progress: Callable[[int, int], None] | None = None,
    limits: GzipLimits = GzipLimits(),
    known: Iterable[tuple[str, str, dt.date | None, str | None]] = (),
    on_article: Callable[[Article], None] | None = None,
    keep_articles: bool = True,
) -> IngestResult:
    """Read, clean, validate and de-duplicate every record of the input files/folders.

    `progress(done, total)` is called in bytes of input files, after each file and every
    few thousand records within a large one. `limits` caps what a `.gz` input may expand
    to. `known`: (article_id, source, date, cleaned text) of articles already kept by an
    earlier build, in its order: copies of them are duplicates and their ids stay taken, as
    if they had been read first (with text and date None: an article no record can copy, its
    id taken only). `on_article(article)` is called as each article is kept (a
    kept article is final: later records never change it), so a build's workers start on the
    first articles while the rest are read; with `keep_articles=False` the result does not list
    them (a build hands each to its workers and keeps only what it needs: at a million articles
    their texts are gigabytes). Raises FileNotFoundError for a missing path.
    """
    files = discover(paths)
    sizes = [max(path.stat().st_size, 1) for path in files]
    total = sum(sizes)
    report = progress or (lambda done, total: None)
    run = _Ingest(known, on_article, keep_articles)
    done = 0
    for path, size in zip(files, sizes):
        info = FileInfo()
        within_file = functools.partial(_report_within, report, done, size, total)
        repaired = 0
        try:
            for raw in read_file(path, info, within_file, limits):
                repaired += run.take(raw)
        except _ConsumerFailed as failed:
            raise failed.__cause__ from None
        except Exception as error:  # noqa: BLE001 - one unreadable file must not cost the other files
            run.reject_rest_of_file(display_name(path), error)
        label = _encoding_label(info.encoding, repaired)
        if label != "utf-8":
            run.result.encodings[display_name(path)] = label
        done += size
        report(done, total)
    return run.result


def _report_within(report: Callable[[int, int], None], done: int, size: int, total: int, fraction: float) -> None:
    report(done + int(fraction * size), total)
