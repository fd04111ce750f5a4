"""Input readers: find the corpus files, decode them, and turn each record into raw fields.

Readers never judge content (that is `pipeline.clean`'s job); they only say where a
record came from ("path:line") and what it says, or why it could not be read. A
damaged part of a file never hides the records before it.

Compressed inputs are decompressed as they are read, within `GzipLimits` (a gzip bomb
is rejected, never expanded into memory), and JSON Lines are read line by line, so
memory stays bounded by the longest line rather than the file.
"""

from __future__ import annotations

import codecs
import csv
import os
import functools
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from pipeline.store import FAILED_REPORT_SUFFIX, display_name, is_build

from pipeline.clean import find_date_line, has_section_tag, is_byline, is_mostly_non_latin, is_widget_line

FORMATS = {
    ".txt": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".html": "html",
    ".htm": "html",
}
"""Supported extensions (each also as `<ext>.gz`) and the reader they select."""

# Canonical field -> accepted column/key names (compared case-insensitively), best first.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "doc_id", "uid", "guid"),
    "date": ("date", "published", "pub_date", "datetime", "published_at", "publish_date", "pubdate", "date_published", "timestamp", "time"),
    "title": ("title", "headline", "heading"),
    "subtitle": ("subtitle", "subheadline", "subhead", "dek", "standfirst"),
    "body": ("body", "text", "content", "article", "article_text", "full_text", "story"),
    "source": ("source", "outlet", "publisher", "site", "site_name", "publication", "newspaper"),
    "url": ("url", "link", "href", "permalink"),
}
_NAME_TO_FIELD = {name: canonical for canonical, names in FIELD_NAMES.items() for name in names}
_PRIORITY = {name: rank for names in FIELD_NAMES.values() for rank, name in enumerate(names)}
NO_FIELDS = "no recognised fields (expected date, title or headline, body or text)"

_PROGRESS_EVERY = 2000  # records between progress reports inside one file
_GZIP_CHUNK = 1 << 16
MAX_LINE_BYTES = 32 << 20
"""Longer JSON Lines lines are rejected unread: an article is at most 1 M characters (6 MB even
if every one were a \\u escape), and reading one line must not take unbounded memory."""
_BINARY_SAMPLE = 8192
_MAX_CONTROL_SHARE = 0.05
_TEXT_CONTROLS = b"\t\n\r\f\x1b"
_MAX_HEADER_LINES = 12  # a .txt date line is searched for among the first non-blank lines

Progress = Callable[[float], None]


@dataclass
class RawRecord:
    """One record as read: where it came from and its raw fields, or why it could not be read.

    `has_body` is False for headline-only inputs (no body field at all), whose title is
    the text; `problem` is the reject reason when the record could not be read.
    """

    input: str
    fields: dict[str, str] = field(default_factory=dict)
    has_body: bool = True
    problem: str = ""


@dataclass
class FileInfo:
    """What reading a file decided about it as a whole."""

    encoding: str = "utf-8"


class Unreadable(Exception):
    """The file as a whole cannot be read as text."""


class DecompressionLimit(Unreadable):
    """A compressed input expands beyond `GzipLimits`: the rest of it is not read."""


@dataclass(frozen=True)
class GzipLimits:
    """Caps on what one `.gz` input may expand to.

    `max_bytes` bounds memory for the formats read whole (CSV, JSON, text, HTML): the
    largest real corpus we know expands to 26 MB, 1 GiB leaves forty times that. Text
    compresses 3-6:1 (the KCNA and White House corpora), so a file that keeps expanding
    more than `max_ratio` times past its first `ratio_after` bytes is a bomb, stopped
    early instead of after a gigabyte.
    """

    max_bytes: int = 1 << 30
    max_ratio: float = 100.0
    ratio_after: int = 16 << 20


# --- finding files -----------------------------------------------------------------


def file_format(path: Path) -> str | None:
    """The reader a file name selects ("jsonl", "csv", ...), None when unsupported."""
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return FORMATS.get(Path(name).suffix)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Input files: named files as given, folders recursed for supported files, in sorted order.

    Hidden files and folders are skipped (a build's temporaries and lock among them), so
    are build folders (they hold a manifest) and failed-build reports (`*.rejects.jsonl`):
    an output inside an input folder is never read back. A file named twice is read
    once. Raises FileNotFoundError naming the first missing path.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"input not found: {path}")
        if path.is_dir():
            candidates = [] if is_build(path) else sorted(_corpus_files(path), key=lambda p: p.relative_to(path).as_posix())
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _corpus_files(folder: Path) -> Iterator[Path]:
    """Supported files under `folder`, not descending into hidden folders or builds."""
    for root, folders, files in os.walk(folder):
        here = Path(root)
        folders[:] = [name for name in folders if not name.startswith(".") and not is_build(here / name)]
        for name in files:
            path = here / name
            if not name.startswith(".") and not name.endswith(FAILED_REPORT_SUFFIX) and file_format(path) and path.is_file():
                yield path


# --- bytes and encodings -----------------------------------------------------------


class GzipStream(io.RawIOBase):
    """Gzip data decompressed as it is read, within `limits`.

    Damage (corrupted or truncated data) ends the stream after everything before it,
    and is described in `damage`; further gzip members are read on; going past a limit
    raises DecompressionLimit. At most one chunk of output is held at a time.
    """

    def __init__(self, raw: BinaryIO, limits: GzipLimits) -> None:
        self._raw = raw
        self._limits = limits
        self._decompressor = zlib.decompressobj(wbits=31)
        self._data = b""  # compressed bytes read from `raw`, not yet decompressed
        self._read_in = 0
        self._out = 0
        self._leftover = b""
        self._between_members = False
        self._ended = False
        self.damage = ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` as far as the data goes (a short count only at the end)."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if not self._leftover:
                self._leftover = self._produce()
                if not self._leftover:
                    break
            count = min(len(view) - filled, len(self._leftover))
            view[filled : filled + count] = self._leftover[:count]
            self._leftover = self._leftover[count:]
            filled += count
        return filled

    def _produce(self) -> bytes:
        """The next piece of output, b"" at the end."""
        while not self._ended:
            if not self._data:
                self._data = self._raw.read(_GZIP_CHUNK)
                self._read_in += len(self._data)
                if not self._data:
                    return self._finish()
            if self._between_members:
                if not self._data.strip(b"\x00"):  # zero padding after the last member
                    self._data = b""
                    continue
                self._between_members = False
            fed, saved = self._data, self._decompressor.copy()
            try:
                out = self._decompressor.decompress(fed, _GZIP_CHUNK)
            except zlib.error as error:
                self._ended = True
                self.damage = f"corrupted compressed data ({error})"
                return self._checked(_salvage(saved, fed, self._limits.max_bytes - self._out))
            self._data = self._decompressor.unconsumed_tail
            if self._decompressor.eof:
                self._data = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(wbits=31)
                self._between_members = True
            if out:
                return self._checked(out)
        return b""

    def _finish(self) -> bytes:
        self._ended = True
        if self._between_members:
            return b""
        self.damage = "truncated compressed data (the file ends before the compressed stream does)"
        return self._checked(self._decompressor.flush())

    def _checked(self, out: bytes) -> bytes:
        self._out += len(out)
        limits = self._limits
        if self._out > limits.max_bytes:
            raise DecompressionLimit(
                f"too large when decompressed: more than {limits.max_bytes:,} bytes, the limit for one file; "
                "the rest of the file was not read"
            )
        compressed = max(self._read_in - len(self._data), 1)
        if self._out > limits.ratio_after and self._out > limits.max_ratio * compressed:
            raise DecompressionLimit(
                f"compression bomb: {compressed:,} compressed bytes expand to over {self._out:,} "
                f"(more than {limits.max_ratio:g} times, the limit); the rest of the file was not read"
            )
        return out


def _salvage(decompressor: Any, chunk: bytes, room: int) -> bytes:
    """Feed a damaged chunk byte by byte to recover the output before the damage (up to `room` + a little)."""
    parts, produced = [], 0
    for index in range(len(chunk)):
        try:
            part = decompressor.decompress(chunk[index : index + 1])
        except zlib.error:
            break
        parts.append(part)
        produced += len(part)
        if produced > room:
            break
    return b"".join(parts)


def looks_binary(data: bytes) -> bool:
    """True for data that is not text: NUL bytes or many control bytes near the start."""
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls > _MAX_CONTROL_SHARE * len(sample)


class EncodingTally:
    """Decodes lines (UTF-8 first, then cp1252, then latin-1) and names what it had to use."""

    def __init__(self) -> None:
        self.utf8_lines = 0  # non-ASCII lines that were valid UTF-8
        self.fallbacks: dict[str, int] = {}

    def decode(self, line: bytes) -> str:
        """One line as text."""
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            for encoding in ("cp1252", "latin-1"):
                try:
                    text = line.decode(encoding)
                except UnicodeDecodeError:
                    continue
                self.fallbacks[encoding] = self.fallbacks.get(encoding, 0) + 1
                return text
        if not text.isascii():
            self.utf8_lines += 1
        return text

    def label(self) -> str:
        """The encoding used: "utf-8", "cp1252", "latin-1", or a mix such as "utf-8 with 3 cp1252 lines"."""
        if not self.fallbacks:
            return "utf-8"
        named = "latin-1" if "latin-1" in self.fallbacks else "cp1252"
        if not self.utf8_lines:
            return named
        return f"utf-8 with {sum(self.fallbacks.values())} {named} lines"


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file; returns the text and the encoding used. Raises Unreadable for binary data."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise Unreadable("binary or unreadable file") from error
    data = data.removeprefix(codecs.BOM_UTF8)
    if looks_binary(data):
        raise Unreadable("binary or unreadable file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        tally = EncodingTally()
        text = "\n".join(tally.decode(line) for line in data.split(b"\n"))
        return text, tally.label()


# --- records from mappings ---------------------------------------------------------


def _canonical_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


@functools.lru_cache(maxsize=256)
def _map_names(names: tuple[str, ...]) -> dict[str, int]:
    best: dict[str, tuple[int, int]] = {}
    for position, name in enumerate(names):
        canonical = _canonical_name(name)
        target = _NAME_TO_FIELD.get(canonical)
        if target and (target not in best or _PRIORITY[canonical] < best[target][0]):
            best[target] = (_PRIORITY[canonical], position)
    return {target: position for target, (_, position) in best.items()}


def map_fields(names: Sequence[str]) -> dict[str, int]:
    """Canonical field -> position of the best-ranked matching name (case-insensitive).

    Every record of a JSON Lines file usually has the same keys: mapped once, cached.
    """
    return dict(_map_names(tuple(names)))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(text: str) -> str:
    """`text` with lone surrogates (a JSON "\\udcff" escape decodes to one) as U+FFFD.

    They cannot be encoded to UTF-8, so hashing or storing the record would fail; as
    U+FFFD they meet the clean-up's check for mis-decoded text and get its reason.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def _as_text(value: Any) -> str | None:
    """A JSON value as text; a list of strings becomes paragraphs; None when it is not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _valid_text(value)
    if isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return _valid_text("\n".join(str(item) for item in value))
    return None


def record_from_object(obj: Any, where: str) -> RawRecord:
    """A RawRecord from one decoded JSON value."""
    if not isinstance(obj, dict):
        return RawRecord(where, problem=f"malformed record: expected a JSON object, got {type(obj).__name__}")
    keys = list(obj)
    mapping = map_fields(keys)
    if not mapping.keys() & {"date", "title", "body"}:
        return RawRecord(where, problem=NO_FIELDS)
    fields: dict[str, str] = {}
    for target, position in mapping.items():
        text = _as_text(obj[keys[position]])
        if text is None:
            return RawRecord(where, problem=f"malformed record: field {keys[position]!r} is not text")
        fields[target] = text
    return RawRecord(where, fields, has_body="body" in mapping)


# --- format readers ----------------------------------------------------------------


def _json_problem(error: json.JSONDecodeError, with_line: bool = True) -> str:
    """The reject reason, e.g. "malformed JSON: Expecting ',' delimiter at line 3 column 57" (no line for JSON Lines)."""
    place = f"line {error.lineno} column {error.colno}" if with_line else f"column {error.colno}"
    joiner = " " if error.msg.endswith(" at") else " at "
    return f"malformed JSON: {error.msg}{joiner}{place}"


_TOO_DEEP = "malformed JSON: nested too deeply to read"


def _lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """Lines of a byte stream, newline kept; None stands for a line over MAX_LINE_BYTES, skipped unread."""
    while line := stream.readline(MAX_LINE_BYTES):
        if len(line) < MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


def _read_jsonl(
    name: str, lines: Iterable[bytes | None], damage: Callable[[], str], info: FileInfo, tick: Callable[[], None]
) -> Iterator[RawRecord]:
    """One record per non-blank line, each line decoded on its own so one bad byte spoils one line.

    Returns False when no line had content (the caller reports the file as empty).
    """
    tally = EncodingTally()
    content = False
    for number, raw in enumerate(lines, start=1):
        if number % _PROGRESS_EVERY == 0:
            tick()
        if raw is not None and not raw.strip():
            continue
        content = True
        where = f"{name}:{number}"
        if raw is None:
            yield RawRecord(where, problem=f"line too long (over {MAX_LINE_BYTES:,} bytes)")
            continue
        try:
            obj = json.loads(tally.decode(raw.removesuffix(b"\n")))
        except json.JSONDecodeError as error:
            # A line without its newline in a damaged file is the one the damage cut.
            cut = " (the line is cut off where the file is damaged)" if damage() and not raw.endswith(b"\n") else ""
            yield RawRecord(where, problem=f"{_json_problem(error, with_line=False)}{cut}")
            continue
        except RecursionError:
            yield RawRecord(where, problem=_TOO_DEEP)
            continue
        yield record_from_object(obj, where)
    info.encoding = tally.label()
    return content


_JSON_SPACE = re.compile(r"\s*")


def _read_json(name: str, text: str) -> Iterator[RawRecord]:
    """A JSON array of objects (one record per item, located by line) or a single object."""
    decoder = json.JSONDecoder()
    start = _JSON_SPACE.match(text).end()
    if text.startswith("{", start):
        try:
            obj, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as error:
            yield RawRecord(name, problem=_json_problem(error))
            return
        except RecursionError:
            yield RawRecord(name, problem=_TOO_DEEP)
            return
        if text[end:].strip():  # several objects: JSON Lines under a .json name
            yield from _read_jsonl(name, _lines(io.BytesIO(text.encode("utf-8"))), lambda: "", FileInfo(), lambda: None)
        else:
            yield record_from_object(obj, name)
        return
    if not text.startswith("[", start):
        yield RawRecord(name, problem="malformed JSON: expected an array or an object")
        return
    pos, line, counted = start + 1, 1, 0
    while True:
        pos = _JSON_SPACE.match(text, pos).end()
        if text.startswith("]", pos):
            return
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            obj, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as error:
            yield RawRecord(
                f"{name}:{line}",
                problem=f"{_json_problem(error)}; the rest of the array could not be read",
            )
            return
        except RecursionError:
            yield RawRecord(f"{name}:{line}", problem=f"{_TOO_DEEP}; the rest of the array could not be read")
            return
        yield record_from_object(obj, f"{name}:{line}")
        pos = _JSON_SPACE.match(text, pos).end()
        if text.startswith(",", pos):
            pos += 1
        elif not text.startswith("]", pos):
            line += text.count("\n", counted, pos)
            problem = "malformed JSON: expected ',' or ']' after an item; the rest of the array could not be read"
            yield RawRecord(f"{name}:{line}", problem=problem)
            return


def _choose_delimiter(text: str, default: str) -> str:
    """The delimiter under which the header names the most known columns (csv.Sniffer breaks ties)."""
    first_line = text.split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|").delimiter
    except csv.Error:
        sniffed = default
    candidates = dict.fromkeys([sniffed, default, ",", "\t", ";", "|"])
    return max(candidates, key=lambda d: len(map_fields(next(csv.reader([first_line], delimiter=d), []))))


def _read_csv(name: str, text: str, default_delimiter: str, progress: Progress) -> Iterator[RawRecord]:
    """Rows of a delimited file; the header maps columns, a body-less header means headlines only."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))
    delimiter = _choose_delimiter(text, default_delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as error:
        yield RawRecord(name, problem=f"malformed CSV header: {error}")
        return
    mapping = map_fields(header)
    if not mapping.keys() & {"date", "title", "body"}:
        yield RawRecord(name, problem=f"{NO_FIELDS}; header is {', '.join(header)[:200]}")
        return
    total_lines = text.count("\n") + 1
    line = reader.line_num
    for rows_read in itertools.count(1):
        start = line + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RawRecord(f"{name}:{start}", problem=f"malformed CSV row: {error}; the rest of the file could not be read")
            return
        line = reader.line_num
        if rows_read % _PROGRESS_EVERY == 0:
            progress(line / total_lines)
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        where = f"{name}:{start}"
        if len(row) != len(header):
            yield RawRecord(where, problem=f"malformed CSV row: {len(row)} fields, the header has {len(header)}")
            continue
        fields = {target: row[position] for target, position in mapping.items()}
        yield RawRecord(where, fields, has_body="body" in mapping)


def _word_pairs(line: str) -> set[tuple[str, str]]:
    words = [word.strip(".,:;|()[]").lower() for word in line.split()]
    words = [word for word in words if word and word != "demo"]
    return set(zip(words, words[1:]))


def _is_site_furniture(line: str, outlet: str, byline: str) -> bool:
    """A blog or site name line ("Evening Post Online"): it shares two words in a row with the outlet or byline."""
    return bool(_word_pairs(line) & (_word_pairs(outlet) | _word_pairs(byline)))


def _title_and_subtitle(candidates: list[str], outlet: str = "", byline: str = "") -> tuple[str, str]:
    """Pick the title (and subtitle) among the header lines between the outlet line and the byline.

    A "[Editorial]"-tagged line is the title. Otherwise site furniture (a line naming the
    outlet or the byline's desk, as a blog name does) is set aside, the title and subtitle
    are the last two lines above the byline, and the last is a subtitle when it is at least
    as long as the line before it (subtitles read as sentences, titles are short).
    """
    for index, line in enumerate(candidates):
        if has_section_tag(line):
            return line, candidates[index + 1] if index + 1 < len(candidates) else ""
    content = [line for line in candidates if not _is_site_furniture(line, outlet, byline)] or candidates
    if len(content) >= 2 and len(content[-1].split()) >= len(content[-2].split()):
        return content[-2], content[-1]
    return (content[-1], "") if content else ("", "")


def _read_txt(name: str, text: str) -> Iterator[RawRecord]:
    """One article pasted from a web page: outlet, title, subtitle, byline, date line, body.

    The date line splits header from body. Header lines that are widgets, bylines or in
    another script (a blog name in Hangul) are not title candidates.
    """
    lines = text.split("\n")
    nonblank = [index for index, line in enumerate(lines) if line.strip()]
    found, date_at = None, None
    for position, index in enumerate(nonblank[:_MAX_HEADER_LINES]):
        found = find_date_line(lines[index])
        if found:
            date_at = position
            break
    if found is None or date_at is None:
        yield RawRecord(name, problem="no date (no date line such as 'Published : April 28, 2019' near the top)")
        return
    header = [lines[index].strip() for index in nonblank[:date_at]]
    candidates: list[str] = []
    byline = ""
    for line in header[1:]:
        if is_byline(line):
            byline = line
            break
        if not (is_widget_line(line) or is_mostly_non_latin(line)):
            candidates.append(line)
    title, subtitle = _title_and_subtitle(candidates, outlet=header[0] if header else "", byline=byline)
    body = "\n".join(lines[nonblank[date_at] + 1 :])
    fields = {"source": header[0] if header else "", "title": title, "subtitle": subtitle, "date": found.isoformat(), "body": body}
    yield RawRecord(name, fields)


def _read_html(name: str, text: str) -> Iterator[RawRecord]:
    """Main text, title, date and site name of a saved web page, extracted by trafilatura."""
    import trafilatura  # imported here: it is slow to import and only HTML inputs need it

    document = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False)
    if document is None or not (document.text or "").strip():
        yield RawRecord(name, problem="no body (no main text found in the HTML page)")
        return
    fields = {
        "title": document.title or "",
        "date": document.date or "",
        "body": document.text,
        "source": document.sitename or document.hostname or "",
        "url": document.url or "",
    }
    yield RawRecord(name, fields)


def read_file(path: Path, info: FileInfo, progress: Progress | None = None, limits: GzipLimits = GzipLimits()) -> Iterator[RawRecord]:
    """Every record of one file, in file order; `info.encoding` is set once the file is read.

    Whole-file problems (unsupported type, empty, binary, damaged compression, a `.gz`
    beyond `limits`) come out as one RawRecord with a problem, after any records that
    could be recovered. Records are named by `display_name(path)`.
    """
    name = display_name(path)
    report = progress or (lambda fraction: None)
    kind = file_format(path)
    if kind is None:
        yield RawRecord(name, problem=f"unsupported file type {display_name(''.join(path.suffixes)) or '(none)'}")
        return
    with open(path, "rb") as handle:
        size = max(os.fstat(handle.fileno()).st_size, 1)
        source = GzipStream(handle, limits) if path.name.lower().endswith(".gz") else None
        stream: Any = io.BufferedReader(source, _GZIP_CHUNK) if source else handle
        damage = (lambda: source.damage) if source else (lambda: "")
        try:
            yield from _read_stream(name, kind, stream, damage, info, report, lambda: report(handle.tell() / size))
        except Unreadable as error:
            yield RawRecord(name, problem=str(error))


def _read_stream(
    name: str, kind: str, stream: BinaryIO, damage: Callable[[], str], info: FileInfo, report: Progress, tick: Callable[[], None]
) -> Iterator[RawRecord]:
    """The records of one opened file (JSON Lines streamed, other formats read whole)."""
    if stream.peek(len(codecs.BOM_UTF8)).startswith(codecs.BOM_UTF8):  # type: ignore[attr-defined]
        stream.read(len(codecs.BOM_UTF8))
    if kind == "jsonl":
        if looks_binary(stream.peek(_BINARY_SAMPLE)[:_BINARY_SAMPLE]):  # type: ignore[attr-defined]
            yield RawRecord(name, problem="binary or unreadable file")
            return
        if not (yield from _read_jsonl(name, _lines(stream), damage, info, tick)):
            yield RawRecord(name, problem=damage() or "empty file")
            return
    else:
        data = stream.read()
        if not data.strip():
            yield RawRecord(name, problem=damage() or "empty file")
            return
        text, info.encoding = decode(data)
        del data
        if kind == "json":
            yield from _read_json(name, text)
        elif kind in ("csv", "tsv"):
            yield from _read_csv(name, text, "\t" if kind == "tsv" else ",", report)
        elif kind == "txt":
            yield from _read_txt(name, text)
        else:
            yield from _read_html(name, text)
    if damage():
        yield RawRecord(name, problem=f"{damage()}; the rest of the file could not be read")
