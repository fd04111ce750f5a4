"""Users' own corpora from the browser: safe staging of uploads, per-session folders, expiry.

Everything a user sends is treated as hostile: names are reduced to a safe base name,
zip members are checked (path traversal, count, declared and actual size, compression
ratio) before a byte is written, and all writes stay inside the session's own folder.
No Streamlit here: the "Your corpus" page calls these functions and shows their errors.
"""
from __future__ import annotations

import hashlib
import io
import lzma
import re
import shutil
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dashboard.build_queue import BuildQueue
from dashboard.config import DEFAULT_UPLOAD_ROOT

if TYPE_CHECKING:  # pipeline.build (sklearn, the cleaners) is imported by the functions that build: the app
    # imports this module on every first run (the session folder), and a first page must not wait ~1 s for it
    from pipeline.build import BuildError, BuildOptions, BuildReport, Progress

CORPUS_EXTENSIONS = (".txt", ".jsonl", ".jsonl.gz", ".json", ".csv", ".csv.gz", ".tsv", ".html", ".htm")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadLimits:
    """What one session may send; stated on the page so users know before they try."""

    max_file_mb: int = 50
    max_total_mb: int = 100
    max_unzipped_mb: int = 150
    max_zip_members: int = 2000
    max_compression_ratio: int = 100
    max_articles: int = 5000

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1_000_000

    @property
    def max_total_bytes(self) -> int:
        return self.max_total_mb * 1_000_000

    @property
    def max_unzipped_bytes(self) -> int:
        return self.max_unzipped_mb * 1_000_000


_DOUBLE_SUFFIXES = (".jsonl.gz", ".csv.gz")
_ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".7z", ".rar")
# What Python's zipfile reads; anything else (Deflate64 = 9, PPMd, AES, zstd on older Pythons) is refused by name.
_READABLE_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_METHOD_NAMES = {9: "Deflate64", 10: "PKWARE DCL Implode", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "AES encryption"}
# Errors a damaged member raises while it is read (bad CRC, truncated stream, bad header).
_MEMBER_READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)
MAX_NAME_LENGTH = 120
SESSION_MARKER = ".peninsula-watch-session"
"""Written in every session folder the app creates; clean-up deletes only folders that carry it."""


@dataclass(frozen=True)
class Refusal:
    """One file (or zip member, as `archive.zip/member`) that was not staged, and why."""

    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class UploadRejected(ValueError):
    """An upload refused as a whole; the message says which files and why, `refused` lists them."""

    def __init__(self, message: str, refused: tuple[Refusal, ...] = ()) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class StagedUpload:
    """What staging wrote (ready for the build) and what it refused (shown to the user)."""

    files: list[Path]
    refused: list[Refusal]


def _suffix(name: str) -> str:
    """The extension to keep when a name is shortened: `.jsonl.gz` counts as one."""
    lower = name.lower()
    for double in _DOUBLE_SUFFIXES:
        if lower.endswith(double):
            return name[-len(double):]
    suffix = PurePosixPath(name).suffix
    return suffix if len(suffix) <= 16 else ""


def safe_name(name: str) -> str:
    """A file name with no folder part and only harmless characters, keeping the extension.

    Names longer than MAX_NAME_LENGTH lose the end of their stem, never the extension the
    pipeline recognises the format by.
    """
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "upload"
    if len(cleaned) <= MAX_NAME_LENGTH:
        return cleaned
    suffix = _suffix(cleaned)
    return cleaned[: MAX_NAME_LENGTH - len(suffix)].rstrip("._") + suffix


def _is_corpus_file(name: str) -> bool:
    return name.lower().endswith(CORPUS_EXTENSIONS)


def _is_archive(name: str) -> bool:
    return name.lower().endswith(_ARCHIVES)


def _unique_path(folder: Path, name: str) -> Path:
    path = folder / name
    counter = 1
    while path.exists():
        stem, dot, ext = name.partition(".")
        path = folder / f"{stem}-{counter}{dot}{ext}"
        counter += 1
    return path


def _check_zip_safety(name: str, members: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    """Refuse the whole zip for what only an attack produces: escaping paths, bombs, too many or too large members."""
    if len(members) > limits.max_zip_members:
        raise UploadRejected(f"{name}: {len(members)} files in the zip, the limit is {limits.max_zip_members}")
    declared = 0
    for member in members:
        parts = PurePosixPath(member.filename.replace("\\", "/")).parts
        if member.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise UploadRejected(f"{name}: unsafe path {member.filename!r} in the zip (outside the upload folder)")
        declared += member.file_size
        if member.compress_size and member.file_size / member.compress_size > limits.max_compression_ratio:
            raise UploadRejected(f"{name}: {member.filename!r} expands {member.file_size // max(member.compress_size, 1)}x, a zip bomb is refused")
    if declared > limits.max_unzipped_bytes:
        raise UploadRejected(f"{name}: unpacks to {declared / 1e6:.0f} MB, the limit is {limits.max_unzipped_mb} MB")


def _member_problem(member: zipfile.ZipInfo) -> str | None:
    """Why one member cannot be staged (checked from its header, before reading), or None."""
    if _is_archive(member.filename):
        return "an archive inside the zip is not opened; unzip it and upload its files"
    if not _is_corpus_file(member.filename):
        return f"not a corpus file (accepted: {', '.join(CORPUS_EXTENSIONS)})"
    if member.flag_bits & 0x1:
        return "encrypted (password-protected); upload it unencrypted"
    if member.compress_type not in _READABLE_METHODS:
        method = _METHOD_NAMES.get(member.compress_type, f"method {member.compress_type}")
        return f"compressed with {method}, which cannot be read; re-zip it with standard (Deflate) compression"
    return None


def _extract_zip(
    name: str, data: bytes, dest: Path, limits: UploadLimits, budget: list[int], refused: list[Refusal],
) -> list[Path]:
    """Extract a zip's corpus files; a member that cannot be read is refused by name, the others kept.

    Raises UploadRejected for the whole zip when it is unreadable or unsafe (nothing of it is kept then).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, *_MEMBER_READ_ERRORS) as error:
        raise UploadRejected(f"{name}: not a readable zip file ({error})") from error
    members = [m for m in archive.infolist() if not m.is_dir()]
    _check_zip_safety(name, members, limits)
    written: list[Path] = []
    try:
        for member in members:
            label = f"{name}/{member.filename}"
            if problem := _member_problem(member):
                refused.append(Refusal(label, problem))
                continue
            try:
                # Read at most the declared size + 1 byte: a lying header cannot make us write more.
                with archive.open(member) as handle:
                    content = handle.read(member.file_size + 1)
            except _MEMBER_READ_ERRORS as error:
                refused.append(Refusal(label, f"damaged, it cannot be unzipped ({error or type(error).__name__})"))
                continue
            if len(content) > member.file_size or len(content) > budget[0]:
                raise UploadRejected(f"{name}: {member.filename!r} is larger than it claims or than the limit")
            budget[0] -= len(content)
            path = _unique_path(dest, safe_name(member.filename))
            path.write_bytes(content)
            written.append(path)
    except UploadRejected:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _stage_one(name: str, data: bytes, dest: Path, limits: UploadLimits, budget: list[int], refused: list[Refusal]) -> list[Path]:
    """Stage one uploaded file; its problems are appended to `refused` (other files are not affected)."""
    if len(data) > limits.max_file_bytes:
        refused.append(Refusal(name, f"{len(data) / 1e6:.0f} MB, the limit per file is {limits.max_file_mb} MB"))
        return []
    if name.lower().endswith(".zip"):
        try:
            return _extract_zip(name, data, dest, limits, budget, refused)
        except UploadRejected as error:
            refused.append(Refusal(name, str(error).removeprefix(f"{name}: ")))
            return []
    if not _is_corpus_file(name):
        refused.append(Refusal(name, f"not a corpus file (accepted: {', '.join(CORPUS_EXTENSIONS)}, .zip)"))
        return []
    path = _unique_path(dest, safe_name(name))
    path.write_bytes(data)
    return [path]


def stage_uploads(
    files: list[tuple[str, bytes]],
    pasted_text: str,
    dest: Path,
    limits: UploadLimits = UploadLimits(),
) -> StagedUpload:
    """Write uploaded files (zips extracted) and pasted text into `dest`, checking the limits.

    A file or zip member that cannot be used is refused by name with its reason and the
    rest is staged. Raises UploadRejected (naming the files and reasons) when the upload
    is over the total limit or nothing usable is left; `dest` is removed then, and on any
    other error too, so raw uploads are never left on the server.
    """
    total = sum(len(data) for _, data in files) + len(pasted_text.encode())
    if total > limits.max_total_bytes:
        raise UploadRejected(f"the upload is {total / 1e6:.0f} MB in all, the limit is {limits.max_total_mb} MB")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        budget = [limits.max_unzipped_bytes]
        written: list[Path] = []
        refused: list[Refusal] = []
        for name, data in files:
            written += _stage_one(name, data, dest, limits, budget, refused)
        if pasted_text.strip():
            path = _unique_path(dest, "pasted-article.txt")
            path.write_text(pasted_text, encoding="utf-8")
            written.append(path)
        if not written:
            reasons = "; ".join(str(refusal) for refusal in refused) or "add files or paste an article"
            raise UploadRejected(f"nothing to analyse: {reasons}", tuple(refused))
        return StagedUpload(written, refused)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def session_folder(session_id: str, root: Path = DEFAULT_UPLOAD_ROOT) -> Path:
    """The folder owned by one browser session; its name cannot be guessed from another session."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:24]
    return root / digest


def create_session_folder(folder: Path) -> Path:
    """Create a session folder with the marker that lets clean-up recognise it as the app's own."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SESSION_MARKER).touch()
    return folder


def purge_expired(root: Path = DEFAULT_UPLOAD_ROOT, max_age_hours: float = 24.0, now: float | None = None) -> list[Path]:
    """Delete session folders untouched for longer than `max_age_hours`; returns what was removed.

    Only direct subfolders carrying SESSION_MARKER are candidates: pointed at a folder the
    app did not create (say `data`), clean-up deletes nothing.
    """
    if not root.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - max_age_hours * 3600
    removed = []
    for folder in root.iterdir():
        if folder.is_symlink() or not folder.is_dir() or not (folder / SESSION_MARKER).is_file():
            continue
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def build_staged(
    inputs: Path,
    out_dir: Path,
    queue: BuildQueue,
    on_wait: Callable[[int], None],
    progress: Progress | None = None,
    limits: UploadLimits = UploadLimits(),
) -> BuildReport:
    """Build the staged `inputs` into `out_dir` when the queue gives this build its turn.

    The raw inputs are deleted whatever happens (refusal, BuildError, the user leaving while
    waiting or building): the page promises they are not kept. Raises what build() raises.
    """
    from pipeline.build import build

    try:
        with queue.turn(on_wait):
            return build([inputs], out_dir, upload_build_options(limits), progress=progress, max_articles=limits.max_articles)
    finally:
        shutil.rmtree(inputs, ignore_errors=True)


def upload_build_options(limits: UploadLimits = UploadLimits()) -> BuildOptions:
    """Build options whose `.gz` caps are the upload limits: a `.gz` may expand no more than a zip may.

    The build decompresses `.gz` files itself (staging keeps them packed), so without this
    an uploaded `.jsonl.gz` could expand to the pipeline's own 1 GiB cap.
    """
    from pipeline.build import BuildOptions
    from pipeline.ingest import GzipLimits

    return BuildOptions(gzip=GzipLimits(max_bytes=limits.max_unzipped_bytes, max_ratio=limits.max_compression_ratio))


def build_problem(error: BuildError) -> str:
    """What the page says when nothing could be built, in its own words (the pipeline's speak of --out).

    The session's build folder is locked when another tab of the same session is building,
    and refused only when something not written by a build landed in it.
    """
    from pipeline.build import BuildFailure, main_reasons

    if error.failure is BuildFailure.OUT_LOCKED:
        return ("An analysis of your files is already running in another tab of this session; "
                "its result shows here once it is done. Wait for it, then try again if you want to add files.")
    if error.failure is BuildFailure.OUT_REFUSED:
        return ("Your earlier analysis on the server could not be replaced (its folder holds files the app did not write). "
                "Open the app in a new tab to start a fresh session.")
    if error.failure is BuildFailure.ALL_REJECTED:
        return (f"Nothing could be analysed: none of the {len(error.rejects):,} records could be used "
                f"(main reasons: {main_reasons(error.rejects)}). Each one is listed below with its reason.")
    return f"Nothing could be analysed: {error}"


def zip_folder(folder: Path) -> bytes:
    """A build folder as zip bytes, for the "download your artifacts" button."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


# The pipeline's stages in the order it reports them, with the share of the bar each takes
# (per-article analysis runs in workers during topics and keywords and is collected after).
_STAGE_SPANS = {"ingest": (0.0, 0.2), "topics": (0.2, 0.45), "keywords": (0.45, 0.55), "analyse": (0.55, 0.97), "write": (0.97, 1.0)}
STAGE_NAMES = {"ingest": "Reading files", "analyse": "Sentences, leaders, tone, framing", "topics": "Topics",
               "keywords": "Keyword trends", "write": "Saving the analysis"}


def overall_progress(stage: str, fraction: float) -> tuple[float, str]:
    """Map the pipeline's (stage, fraction of stage) to one bar's value and caption."""
    low, high = _STAGE_SPANS.get(stage, (0.0, 1.0))
    value = low + (high - low) * min(max(fraction, 0.0), 1.0)
    return value, f"{STAGE_NAMES.get(stage, stage)}: {fraction:.0%}"


def attachment_problem(
    attached: Sequence[tuple[str, int]], server_bytes: int, server_cap_mb: float, limits: UploadLimits = UploadLimits(),
) -> str | None:
    """Why files attached in the uploader must be released at once (None when they may stay).

    `attached` is this session's (name, size) pairs and `server_bytes` what every session's
    attachments take in server memory now (this session's included): the uploader keeps
    files in memory until "Analyse", so both totals are checked before any byte is read.
    """
    too_big = [f"{name} ({size / 1e6:.0f} MB)" for name, size in attached if size > limits.max_file_bytes]
    if too_big:
        return f"{', '.join(too_big)}: the limit per file is {limits.max_file_mb} MB"
    session_bytes = sum(size for _, size in attached)
    if session_bytes > limits.max_total_bytes:
        return f"the attached files take {session_bytes / 1e6:.0f} MB in all, the limit is {limits.max_total_mb} MB"
    if server_bytes > server_cap_mb * 1_000_000:
        return (f"the server holds {server_bytes / 1e6:.0f} MB of files attached by its users, the limit is "
                f"{server_cap_mb:g} MB; try again in a few minutes")
    return None


_STAGED_PREFIX = re.compile(r"^.*?[/\\]inputs-\d+[/\\]")


def display_input(raw: str) -> str:
    """A reject's `input` as the user knows it: the file name (and line), without the server's staging folder."""
    return _STAGED_PREFIX.sub("", raw)
