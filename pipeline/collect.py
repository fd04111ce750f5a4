"""Collect new coverage: feeds and GDELT listings -> article pages -> JSON Lines records `build` reads.

`python -m pipeline collect --feed URL [--feed URL ...] [--feeds FILE] [--gdelt QUERY] --into DIR`

Each run writes the articles it kept to a new file, `DIR/collected-<UTC time>.jsonl`
(`id, url, date, title, body, source`, plus `author`, `feed`), so `build --input DIR`
reads every run. What was seen is remembered in `DIR/.collect-state.json` (URLs and
content fingerprints), so a rerun fetches only new items and never writes an article
twice; every failure is appended to `DIR/collect.rejects.jsonl` with the URL and the
reason (the build skips both files). Files are written to a temporary name and renamed,
so a crash or Ctrl-C never leaves half a file; what was collected before an interrupt is
kept. One collect at a time per folder (a lock).

Failures that may pass (timeouts, 429, 5xx, a robots.txt that cannot be read) are not
remembered, so the next run tries those items again; every other reject is final.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline.feeds import (
    GDELT_URL,
    MIN_WORDS,
    CollectError,
    Feed,
    Item,
    Rejected,
    Subject,
    compile_subject,
    content_key,
    default_subject,
    extract_record,
    feed_items,
    gdelt_items,
    gdelt_request,
    read_feeds_file,
    url_key,
)
from pipeline.build import main_reasons
from pipeline.fetch import HTML_TYPES, FetchError, FetchOptions, Fetcher, origin_of, user_agent
from pipeline.store import display_name, is_build

STATE_FILE = ".collect-state.json"
REJECTS_FILE = "collect.rejects.jsonl"  # ends in ".rejects.jsonl": `build --input DIR` skips it
OUTPUT_PREFIX = "collected-"
_LOCK_FILE = ".collect.lock"
_STATE_VERSION = 1
CONTACT_ENV = "PENINSULA_WATCH_CONTACT"
GDELT_ENV = "PENINSULA_WATCH_GDELT_URL"

Log = Callable[[str], None]


@dataclass(frozen=True)
class CollectOptions:
    """How a run reads its sources; `subject` is the pattern for items whose feed sets none."""

    subject: Subject
    fetch: FetchOptions = FetchOptions()
    min_words: int = MIN_WORDS
    max_items: int = 200
    gdelt_url: str = GDELT_URL
    gdelt_max: int = 75
    gdelt_timespan: str = "1d"
    gdelt_pause: float = 5.0  # GDELT asks for at most one request every five seconds


@dataclass
class CollectReport:
    """What a run did: the records it wrote (to `output`), its rejects, and the items it did not fetch."""

    into: Path
    articles: list[dict[str, str]] = field(default_factory=list)
    rejects: list[dict[str, str]] = field(default_factory=list)
    output: Path | None = None
    listed: int = 0
    seen_before: int = 0
    duplicates: int = 0
    postponed: int = 0


# --- files -----------------------------------------------------------------------------


def _write_atomically(path: Path, text: str) -> None:
    """Write `text` to a hidden temporary beside `path`, flush it to disk, rename it over `path`."""
    tmp = path.with_name(f".tmp-{path.name}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _jsonl(records: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


@dataclass
class _State:
    """What earlier runs saw: URL key -> "kept" | "rejected" | "duplicate", and the kept articles' content keys."""

    urls: dict[str, str] = field(default_factory=dict)
    contents: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> _State:
        if not path.exists():
            return cls()
        problem = f"{display_name(path)}: not a collector state file"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CollectError(f"{problem} ({error}); move it away to start afresh (every item would be fetched again)") from None
        urls, contents = (data.get("urls"), data.get("contents")) if isinstance(data, dict) else (None, None)
        if not (isinstance(urls, dict) and all(isinstance(v, str) for v in urls.values()) and isinstance(contents, list)):
            raise CollectError(f"{problem} (unexpected content); move it away to start afresh (every item would be fetched again)")
        return cls(dict(urls), {str(key) for key in contents})

    def save(self, path: Path) -> None:
        data = {"version": _STATE_VERSION, "urls": self.urls, "contents": sorted(self.contents)}
        _write_atomically(path, json.dumps(data, ensure_ascii=False, indent=0) + "\n")


def _output_path(into: Path, now: dt.datetime) -> Path:
    """A new file name for this run's articles (a second run within the same second gets a suffix)."""
    stem = OUTPUT_PREFIX + now.strftime("%Y%m%dT%H%M%SZ")
    path, number = into / f"{stem}.jsonl", 1
    while path.exists():
        number += 1
        path = into / f"{stem}-{number}.jsonl"
    return path


@contextlib.contextmanager
def _folder_lock(into: Path) -> Iterator[None]:
    """One collect at a time per folder: an flock on DIR/.collect.lock, refused at once when taken."""
    fd = os.open(into / _LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise CollectError(f"another collect (process {holder}) is writing into {display_name(into)}: wait until it finishes") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _prepare_folder(into: Path) -> Path:
    into = Path(into)
    if into.exists() and not into.is_dir():
        raise CollectError(f"--into {display_name(into)} is a file, not a folder")
    if into.is_dir() and is_build(into):
        raise CollectError(f"--into {display_name(into)} is a build's artifact folder; collect into a corpus folder and build from it")
    into.mkdir(parents=True, exist_ok=True)
    return into


# --- the run ---------------------------------------------------------------------------


def collect(
    feeds: Sequence[Feed],
    gdelt_queries: Sequence[str],
    into: Path,
    options: CollectOptions,
    *,
    fetcher: Fetcher | None = None,
    log: Log = lambda line: None,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
) -> CollectReport:
    """Read the listings, fetch and extract every new item, write what was kept; see the module docstring.

    Bad input (an unreachable feed, a broken page) becomes a reject, never an exception;
    CollectError only for a refused folder or a damaged state file, before anything is fetched.
    """
    into = _prepare_folder(into)
    with _folder_lock(into):
        state = _State.load(into / STATE_FILE)
        report = CollectReport(into)
        fetcher = fetcher or Fetcher(options.fetch)
        stamp = now().isoformat(timespec="seconds")
        try:
            items = _listed_items(feeds, gdelt_queries, options, fetcher, state, report, stamp, log)
            new = _new_items(items, state, report)
            report.postponed = max(0, len(new) - options.max_items)
            for item in new[: options.max_items]:
                _fetch_item(item, options, fetcher, state, report, stamp)
        finally:  # also on Ctrl-C: keep what was collected
            _persist(into, state, report, now())
        log(f"{len(report.articles)} new articles, {len(report.rejects)} rejected")
        return report


def _reject(report: CollectReport, url: str, reason: str, origin: str, stamp: str) -> None:
    report.rejects.append({"url": url, "reason": reason, "feed": origin, "at": stamp})


def _listed_items(
    feeds: Sequence[Feed], gdelt_queries: Sequence[str], options: CollectOptions, fetcher: Fetcher,
    state: _State, report: CollectReport, stamp: str, log: Log,
) -> list[Item]:
    """Every item the feeds and GDELT list, in order; an unreadable listing is a reject.

    GDELT entries set aside before fetching (another language, no URL) are rejected once.
    """
    items: list[Item] = []
    read: set[str] = set()
    for feed in feeds:
        if feed.url in read:  # named twice (the feeds file and --feed): read once, as first named
            continue
        read.add(feed.url)
        try:
            response = fetcher.get(feed.url)
            found = feed_items(response.data, feed, response.url, response.content_type)
        except FetchError as error:
            _reject(report, feed.url, f"feed unavailable: {error}", feed.url, stamp)
            continue
        except Rejected as error:
            _reject(report, feed.url, str(error), feed.url, stamp)
            continue
        log(f"{feed.url}: {len(found)} items")
        items += found
    for query in gdelt_queries:
        request = gdelt_request(options.gdelt_url, query, options.gdelt_max, options.gdelt_timespan)
        try:
            fetcher.pause_at_least(request, options.gdelt_pause)
            response = fetcher.get(request, robots=False)  # an API for programs, not pages to crawl
            found, skipped = gdelt_items(response.data, query, options.subject)
        except (FetchError, Rejected) as error:
            reason = f"GDELT unavailable: {error}" if isinstance(error, FetchError) else str(error)
            _reject(report, request, reason, f"gdelt:{query}", stamp)
            continue
        for url, reason in skipped:  # reported once, like a page rejected after fetching
            key = url_key(url)
            if url and key in state.urls:
                report.seen_before += 1
                continue
            _reject(report, url, reason, f"gdelt:{query}", stamp)
            if url:
                state.urls[key] = "rejected"
        log(f"GDELT {query!r}: {len(found)} items")
        items += found
    report.listed = len(items)
    return items


def _new_items(items: Sequence[Item], state: _State, report: CollectReport) -> list[Item]:
    """Items not seen by an earlier run, each URL once (the first listing wins)."""
    new: dict[str, Item] = {}
    for item in items:
        key = url_key(item.url)
        if key in state.urls:
            report.seen_before += 1
        elif key in new:
            report.duplicates += 1
        else:
            new[key] = item
    return list(new.values())


def _fetch_item(item: Item, options: CollectOptions, fetcher: Fetcher, state: _State, report: CollectReport, stamp: str) -> None:
    """Fetch, extract and check one item; keep it, or record why not."""
    key = url_key(item.url)
    try:
        response = fetcher.get(item.url, HTML_TYPES)
        page = _decoded(response.data, response.charset)
        record = extract_record(page, item, response.url, item.subject or options.subject, options.min_words)
    except FetchError as error:
        _reject(report, item.url, str(error), item.origin, stamp)
        if not error.transient:
            state.urls[key] = "rejected"
        return
    except Rejected as error:
        _reject(report, item.url, str(error), item.origin, stamp)
        state.urls[key] = "rejected"
        return
    except Exception as error:  # noqa: BLE001 - one page that breaks the extractor must not end the run
        _reject(report, item.url, f"page could not be read ({type(error).__name__}: {str(error)[:200]})", item.origin, stamp)
        state.urls[key] = "rejected"
        return
    keys = {key, url_key(response.url), url_key(record["url"])}
    content = content_key(record)
    if content in state.contents or any(state.urls.get(other) == "kept" for other in keys):
        report.duplicates += 1
        state.urls[key] = "duplicate"
        return
    report.articles.append(record | {"collected_at": stamp})
    state.contents.add(content)
    state.urls.update(dict.fromkeys(keys, "kept"))


def _decoded(data: bytes, charset: str | None) -> str | bytes:
    """The page as text when the server named a known charset, else the bytes (trafilatura guesses)."""
    if charset:
        with contextlib.suppress(LookupError):
            return data.decode(charset, "replace")
    return data


def _persist(into: Path, state: _State, report: CollectReport, now: dt.datetime) -> None:
    """Write the run's articles, then the state, then the rejects: a crash in between re-fetches, never loses."""
    if report.articles:
        report.output = _output_path(into, now)
        _write_atomically(report.output, _jsonl(report.articles))
    state.save(into / STATE_FILE)
    if report.rejects:
        rejects = into / REJECTS_FILE
        earlier = rejects.read_text(encoding="utf-8") if rejects.exists() else ""
        _write_atomically(rejects, earlier + _jsonl(report.rejects))


# --- command line ----------------------------------------------------------------------


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def _seconds(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 seconds, got {value}")
    return number


def _timeout(value: str) -> float:
    number = _seconds(value)
    if number < 0.05:
        raise argparse.ArgumentTypeError(f"must be at least 0.05 seconds, got {value}")
    return number


def add_source_options(cmd: argparse.ArgumentParser) -> None:
    """The options that say what to collect and how politely (shared by `collect` and `refresh`)."""
    cmd.add_argument("--feed", action="append", default=[], metavar="URL", help="an RSS or Atom feed; repeatable")
    cmd.add_argument("--feeds", type=Path, metavar="FILE", help="a TOML file of [[feed]] tables (url, name, match), e.g. data/feeds.toml")
    cmd.add_argument("--gdelt", action="append", default=[], metavar="QUERY",
                     help="also search GDELT's DOC 2.0 API (article list) with this query; repeatable")
    cmd.add_argument("--match", metavar="REGEX",
                     help="keep articles whose title or text matches this RE2 pattern, case-insensitive "
                          "(default: North Korea terms and names)")
    cmd.add_argument("--contact", default=os.environ.get(CONTACT_ENV, ""),
                     help=f"an e-mail or URL put in the user agent so sites can reach you (default: ${CONTACT_ENV})")
    cmd.add_argument("--delay", type=_seconds, default=FetchOptions.delay,
                     help="seconds between two requests to one host (default %(default)s)")
    cmd.add_argument("--timeout", type=_timeout, default=FetchOptions.timeout,
                     help="seconds to wait for a connection or data (default %(default)s)")
    cmd.add_argument("--retries", type=int, choices=range(0, 6), default=FetchOptions.retries, metavar="0-5",
                     help="retries after a timeout, 429 or 5xx (default %(default)s)")
    cmd.add_argument("--backoff", type=_seconds, default=FetchOptions.backoff,
                     help="seconds before the first retry, doubled each time (default %(default)s)")
    cmd.add_argument("--max-items", type=positive_int, default=CollectOptions.max_items,
                     help="pages fetched per run at most; the rest wait for the next run (default %(default)s)")
    cmd.add_argument("--min-words", type=positive_int, default=MIN_WORDS, help="shorter pages are not articles (default %(default)s)")
    cmd.add_argument("--gdelt-url", default=os.environ.get(GDELT_ENV, GDELT_URL),
                     help=f"GDELT DOC API address (default: ${GDELT_ENV} or {GDELT_URL})")
    cmd.add_argument("--gdelt-max", type=int, choices=range(1, 251), default=CollectOptions.gdelt_max, metavar="1-250",
                     help="articles asked of GDELT per query (default %(default)s)")
    cmd.add_argument("--gdelt-timespan", default=CollectOptions.gdelt_timespan,
                     help="how far back GDELT searches, e.g. 1d, 12h, 1w (default %(default)s)")


def add_parser(commands: Any) -> None:
    """Add the `collect` subcommand to the CLI's subparsers."""
    cmd = commands.add_parser("collect", help="fetch new articles listed in RSS/Atom feeds (or GDELT) into a corpus folder")
    add_source_options(cmd)
    cmd.add_argument("--into", required=True, type=Path, metavar="DIR", help="corpus folder the articles are written to (created if absent)")
    cmd.add_argument("--quiet", action="store_true", help="no progress lines")
    cmd.add_argument("--debug", action="store_true", help="show the traceback of an internal error")


def _sources(args: argparse.Namespace) -> tuple[list[Feed], list[str], Subject]:
    """The feeds, GDELT queries and run subject the arguments name; CollectError when they name nothing usable."""
    feeds, subject = [], None
    if args.feeds is not None:
        feeds, subject = read_feeds_file(args.feeds)
    for url in args.feed:
        try:
            origin_of(url)  # the same check the fetcher applies, before anything is fetched
        except FetchError as error:
            raise CollectError(f"--feed {url[:80]!r}: {error}") from None
        feeds.append(Feed(url))
    queries = [query for query in args.gdelt if query.strip()]
    if not feeds and not queries:
        where = f"{display_name(args.feeds)} lists no feeds (uncomment some)" if args.feeds is not None else "no sources given"
        raise CollectError(f"nothing to collect: {where}; use --feed URL, --feeds FILE or --gdelt QUERY")
    if args.match is not None:
        subject = compile_subject(args.match, "--match")
    return feeds, queries, subject or default_subject()


def collect_from_args(args: argparse.Namespace, into: Path, stderr: TextIO) -> CollectReport:
    """Run `collect` into `into` with the options of `add_source_options`; CollectError for what the user asked."""
    feeds, queries, subject = _sources(args)
    fetch = FetchOptions(user_agent=user_agent(args.contact), timeout=args.timeout, delay=args.delay, retries=args.retries, backoff=args.backoff)
    options = CollectOptions(subject, fetch, args.min_words, args.max_items, args.gdelt_url, args.gdelt_max, args.gdelt_timespan)
    log: Log = (lambda line: None) if args.quiet else (lambda line: stderr.write(line + "\n"))
    return collect(feeds, queries, into, options, log=log)


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run `collect` from parsed arguments; the exit status as for `build` (0 done, 1 refused, 3 bug, 130 interrupted)."""
    try:
        report = collect_from_args(args, args.into, stderr)
    except (CollectError, OSError) as error:
        stderr.write(f"error: {error}".replace("\n", " ") + "\n")
        return 1
    except KeyboardInterrupt:
        stderr.write("interrupted: the articles collected so far were kept\n")
        return 130
    except Exception as error:  # noqa: BLE001 - a bug: one line, distinguishable, unless --debug
        if args.debug:
            raise
        stderr.write(f"internal error: {type(error).__name__}: {error} (a bug; rerun with --debug for the traceback)\n")
        return 3
    stdout.write(summary(report) + "\n")
    return 0


def summary(report: CollectReport) -> str:
    """What a run did, in one or two lines."""
    where = f"into {display_name(report.output)}" if report.output else f"(nothing written to {display_name(report.into)})"
    text = (f"collected {_count(len(report.articles), 'new article')} {where} from {_count(report.listed, 'listed item')} "
            f"({report.seen_before} seen before, {_count(report.duplicates, 'duplicate')}, {len(report.rejects)} rejected")
    text += f", {report.postponed} left for the next run)" if report.postponed else ")"
    if report.rejects:
        text += f"\nmain reasons for rejects: {main_reasons(report.rejects)}; all are listed in {display_name(report.into / REJECTS_FILE)}"
    return text


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' * (number != 1)}"
