"""Input readers: find the corpus files, decode them, and turn each record into raw fields.

Readers never judge content (that is `pipeline.clean`'s job); they only say where a
record came from ("path:line") and what it says, or why it could not be read. A
damaged part of a file never hides the records before it.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


# --- finding files -----------------------------------------------------------------


def file_format(path: Path) -> str | None:
    """The reader a file name selects ("jsonl", "csv", ...), None when unsupported."""
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return FORMATS.get(Path(name).suffix)


def discover(paths: Sequence[Path]) -> list[Path]:
    """Input files: named files as given, folders recursed for supported files, in sorted order.

    Hidden files and folders are skipped; a file named twice is read once. Raises
    FileNotFoundError naming the first missing path.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(f"input not found: {path}")
        if path.is_dir():
            candidates = sorted(
                (p for p in path.rglob("*") if p.is_file() and file_format(p) and not _hidden(p.relative_to(path))),
                key=lambda p: p.relative_to(path).as_posix(),
            )
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


# --- bytes and encodings -----------------------------------------------------------


def gunzip(raw: bytes) -> tuple[bytes, str]:
    """Decompress gzip data, keeping everything before a damaged or truncated point.

    Returns the data and "" when intact, else a description of the damage.
    """
    parts: list[bytes] = []
    decompressor = zlib.decompressobj(wbits=31)
    pos = 0
    while True:
        chunk = raw[pos : pos + _GZIP_CHUNK]
        saved = decompressor.copy()
        try:
            parts.append(decompressor.decompress(chunk))
        except zlib.error as error:
            parts.extend(_salvage(saved, chunk))
            return b"".join(parts), f"corrupted compressed data ({error})"
        pos += len(chunk)
        if decompressor.eof:
            rest = decompressor.unused_data + raw[pos:]
            if not rest.strip(b"\x00"):
                return b"".join(parts), ""
            raw, pos, decompressor = rest, 0, zlib.decompressobj(wbits=31)  # a further gzip member
        elif pos >= len(raw):
            parts.append(decompressor.flush())
            return b"".join(parts), "truncated compressed data (the file ends before the compressed stream does)"


def _salvage(decompressor: Any, chunk: bytes) -> list[bytes]:
    """Feed a damaged chunk byte by byte to recover the output before the damage."""
    parts = []
    for index in range(len(chunk)):
        try:
            parts.append(decompressor.decompress(chunk[index : index + 1]))
        except zlib.error:
            break
    return parts


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


def _as_text(value: Any) -> str | None:
    """A JSON value as text; a list of strings becomes paragraphs; None when it is not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return "\n".join(str(item) for item in value)
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


def _read_jsonl(name: str, data: bytes, damage: str, info: FileInfo, progress: Progress) -> Iterator[RawRecord]:
    """One record per non-blank line, each line decoded on its own so one bad byte spoils one line."""
    tally = EncodingTally()
    lines = data.split(b"\n")
    last = len(lines)
    for number, raw in enumerate(lines, start=1):
        if number % _PROGRESS_EVERY == 0:
            progress(number / last)
        if not raw.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(tally.decode(raw))
        except json.JSONDecodeError as error:
            cut = " (the line is cut off where the file is damaged)" if damage and number == last else ""
            yield RawRecord(where, problem=f"{_json_problem(error, with_line=False)}{cut}")
            continue
        yield record_from_object(obj, where)
    info.encoding = tally.label()


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
        if text[end:].strip():  # several objects: JSON Lines under a .json name
            yield from _read_jsonl(name, text.encode("utf-8"), "", FileInfo(), lambda fraction: None)
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


def _title_and_subtitle(candidates: list[str]) -> tuple[str, str]:
    """Pick the title (and subtitle) among the header lines between the outlet line and the byline.

    A "[Editorial]"-tagged line is the title; otherwise the last line is a subtitle when it
    is longer than the line before it (subtitles read as sentences, titles are short).
    """
    for index, line in enumerate(candidates):
        if has_section_tag(line):
            return line, candidates[index + 1] if index + 1 < len(candidates) else ""
    if len(candidates) >= 2 and len(candidates[-1].split()) > len(candidates[-2].split()):
        return candidates[-2], candidates[-1]
    return (candidates[-1], "") if candidates else ("", "")


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
    for line in header[1:]:
        if is_byline(line):
            break
        if not (is_widget_line(line) or is_mostly_non_latin(line)):
            candidates.append(line)
    title, subtitle = _title_and_subtitle(candidates)
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


def read_file(path: Path, info: FileInfo, progress: Progress | None = None) -> Iterator[RawRecord]:
    """Every record of one file, in file order; `info.encoding` is set once the file is read.

    Whole-file problems (unsupported type, empty, binary, damaged compression) come out as
    one RawRecord with a problem, after any records that could be recovered.
    """
    name = str(path)
    report = progress or (lambda fraction: None)
    kind = file_format(path)
    if kind is None:
        yield RawRecord(name, problem=f"unsupported file type {''.join(path.suffixes) or '(none)'}")
        return
    data, damage = path.read_bytes(), ""
    if path.name.lower().endswith(".gz"):
        data, damage = gunzip(data)
    data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        yield RawRecord(name, problem=damage or "empty file")
        return
    if kind == "jsonl":
        if looks_binary(data):
            yield RawRecord(name, problem="binary or unreadable file")
            return
        yield from _read_jsonl(name, data, damage, info, report)
    else:
        try:
            text, info.encoding = decode(data)
        except Unreadable as error:
            yield RawRecord(name, problem=str(error))
            return
        if kind == "json":
            yield from _read_json(name, text)
        elif kind in ("csv", "tsv"):
            yield from _read_csv(name, text, "\t" if kind == "tsv" else ",", report)
        elif kind == "txt":
            yield from _read_txt(name, text)
        else:
            yield from _read_html(name, text)
    if damage:
        yield RawRecord(name, problem=f"{damage}; the rest of the file could not be read")
