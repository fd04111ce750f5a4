"""Users' own corpora from the browser: safe staging of uploads, per-session folders, expiry.

Everything a user sends is treated as hostile: names are reduced to a safe base name,
zip members are checked (path traversal, count, declared and actual size, compression
ratio) before a byte is written, and all writes stay inside the session's own folder.
No Streamlit here: the "Your corpus" page calls these functions and shows their errors.
"""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPO = Path(__file__).resolve().parents[1]
DEFAULT_UPLOAD_ROOT = REPO / "data" / "uploads"
CORPUS_EXTENSIONS = (".txt", ".jsonl", ".jsonl.gz", ".json", ".csv", ".csv.gz", ".tsv", ".html", ".htm")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class UploadRejected(ValueError):
    """An upload refused as a whole; the message says which file and why."""


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


def safe_name(name: str) -> str:
    """A file name with no folder part and only harmless characters, keeping the extension."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip("._") or "upload"
    return cleaned[:120]


def _is_corpus_file(name: str) -> bool:
    return name.lower().endswith(CORPUS_EXTENSIONS)


def _unique_path(folder: Path, name: str) -> Path:
    path = folder / name
    counter = 1
    while path.exists():
        stem, dot, ext = name.partition(".")
        path = folder / f"{stem}-{counter}{dot}{ext}"
        counter += 1
    return path


def _extract_zip(name: str, data: bytes, dest: Path, limits: UploadLimits, budget: list[int]) -> list[Path]:
    """Extract the corpus files of a zip after checking every member; refuse the whole zip otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UploadRejected(f"{name}: not a readable zip file ({error})") from error
    members = [m for m in archive.infolist() if not m.is_dir()]
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
    written = []
    for member in members:
        if not _is_corpus_file(member.filename):
            continue
        # Read at most the declared size + 1 byte: a lying header cannot make us write more.
        with archive.open(member) as handle:
            content = handle.read(member.file_size + 1)
        if len(content) > member.file_size or len(content) > budget[0]:
            raise UploadRejected(f"{name}: {member.filename!r} is larger than it claims or than the limit")
        budget[0] -= len(content)
        path = _unique_path(dest, safe_name(member.filename))
        path.write_bytes(content)
        written.append(path)
    return written


def stage_uploads(
    files: list[tuple[str, bytes]],
    pasted_text: str,
    dest: Path,
    limits: UploadLimits = UploadLimits(),
) -> list[Path]:
    """Write uploaded files (zips extracted) and pasted text into `dest`, checking the limits.

    Raises UploadRejected naming the file and the reason; nothing is left in `dest` then.
    Files with extensions the pipeline does not read are refused, not silently dropped.
    """
    dest.mkdir(parents=True, exist_ok=True)
    total = sum(len(data) for _, data in files) + len(pasted_text.encode())
    try:
        if total > limits.max_total_bytes:
            raise UploadRejected(f"the upload is {total / 1e6:.0f} MB in all, the limit is {limits.max_total_mb} MB")
        budget = [limits.max_unzipped_bytes]
        written: list[Path] = []
        for name, data in files:
            if len(data) > limits.max_file_bytes:
                raise UploadRejected(f"{name}: {len(data) / 1e6:.0f} MB, the limit per file is {limits.max_file_mb} MB")
            if name.lower().endswith(".zip"):
                written += _extract_zip(name, data, dest, limits, budget)
            elif _is_corpus_file(name):
                path = _unique_path(dest, safe_name(name))
                path.write_bytes(data)
                written.append(path)
            else:
                raise UploadRejected(f"{name}: not a corpus file (accepted: {', '.join(CORPUS_EXTENSIONS)}, .zip)")
        if pasted_text.strip():
            path = _unique_path(dest, "pasted-article.txt")
            path.write_text(pasted_text, encoding="utf-8")
            written.append(path)
        if not written:
            raise UploadRejected("nothing to analyse: add files or paste an article")
        return written
    except UploadRejected:
        shutil.rmtree(dest, ignore_errors=True)
        raise


def session_folder(session_id: str, root: Path = DEFAULT_UPLOAD_ROOT) -> Path:
    """The folder owned by one browser session; its name cannot be guessed from another session."""
    digest = hashlib.sha256(session_id.encode()).hexdigest()[:24]
    return root / digest


def purge_expired(root: Path = DEFAULT_UPLOAD_ROOT, max_age_hours: float = 24.0, now: float | None = None) -> list[Path]:
    """Delete session folders untouched for longer than `max_age_hours`; returns what was removed."""
    if not root.is_dir():
        return []
    cutoff = (now if now is not None else time.time()) - max_age_hours * 3600
    removed = []
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


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


def upload_root(environ: dict[str, str]) -> Path:
    """Where session folders live: $PENINSULA_WATCH_UPLOADS, else data/uploads/ in the app."""
    configured = environ.get("PENINSULA_WATCH_UPLOADS", "").strip()
    return Path(configured).expanduser().resolve() if configured else DEFAULT_UPLOAD_ROOT


def upload_ttl_hours(environ: dict[str, str]) -> float:
    """Hours an upload is kept: $PENINSULA_WATCH_UPLOAD_TTL_HOURS (default 24), never below 0.1."""
    try:
        return max(float(environ.get("PENINSULA_WATCH_UPLOAD_TTL_HOURS", "24")), 0.1)
    except ValueError:
        return 24.0
