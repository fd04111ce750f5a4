"""Artifact store: the one place that writes and reads a build's folder.

A build is written to a temporary sibling folder and swapped in with renames, so a
reader sees either the previous complete build or the new complete build, never a
half-written one. A crash mid-write leaves the previous build untouched; the stale
temporary folder is removed by the next build.

Because a build replaces its output folder, `check_out_dir` refuses any folder that is
not absent, empty or an earlier build, and `build_lock` lets one build at a time write
a given folder.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import search_index
from pipeline.framing import FRAME_COLUMNS, SENTENCE_COLUMNS

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
REJECTS = "rejects.jsonl"
DUPLICATES = "duplicates.jsonl"

_TEXT = pa.large_string()  # what pandas' str dtype writes; older builds' files use it too
_TEXTS = pa.list_(pa.string())
_OPTIONAL = {b"optional": b"true"}


def _later(name: str, type_: pa.DataType) -> pa.Field:
    """A column added after schema version 1: builds written before it lack it, and readers cope."""
    return pa.field(name, type_, metadata=_OPTIONAL)


_FRAMES = [pa.field(column, pa.float64()) if column in FRAME_COLUMNS else _later(column, pa.float64()) for column in SENTENCE_COLUMNS]
SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("article_id", _TEXT), ("date", pa.timestamp("ns")), ("source", _TEXT), ("title", _TEXT), ("subtitle", _TEXT),
        ("url", _TEXT), ("text", _TEXT), ("input", _TEXT), ("n_words", pa.int64()), ("topic_id", pa.int64()),
        ("n_sentences", pa.int64()), ("tone", pa.float64()), *_FRAMES, ("deal_axis", pa.float64()), ("posture_axis", pa.float64()),
    ]),
    "sentences": pa.schema([
        ("article_id", _TEXT), ("sentence_idx", pa.int64()), ("text", _TEXT), ("actor_ids", _TEXTS), ("tone", pa.float64()),
        ("tone_terms", _TEXT), *_FRAMES,
    ]),
    "mentions": pa.schema([("article_id", _TEXT), ("actor_id", _TEXT), ("count", pa.int64())]),
    "sentence_actors": pa.schema([
        ("article_id", _TEXT), ("sentence_idx", pa.int64()), ("actor_id", _TEXT), ("tone", pa.float64()),
        ("start", pa.int64()), ("end", pa.int64()), ("kind", _TEXT),
    ]),
    "actors": pa.schema([("actor_id", _TEXT), ("name", _TEXT), ("country", _TEXT), ("role", _TEXT)]),
    "topics": pa.schema([
        ("topic_id", pa.int64()), ("label", _TEXT), ("terms", _TEXTS), ("n_articles", pa.int64()), _later("label_terms", _TEXTS),
        _later("coherence", pa.float64()),
    ]),
    "doc_topics": pa.schema([("article_id", _TEXT), ("topic_id", pa.int64()), ("weight", pa.float64())]),
    "keywords": pa.schema([
        ("period", pa.timestamp("ns")), ("term", _TEXT), ("count", pa.int64()), ("docs", pa.int64()), ("share", pa.float64()),
        ("score", pa.float64()), _later("score_window", pa.float64()), _later("window_docs", pa.int64()),
        _later("is_actor", pa.bool_()), _later("actor_id", _TEXT), _later("story", _TEXT), _later("story_window", _TEXT),
    ]),
    "article_terms": pa.schema([("article_id", _TEXT), ("term", _TEXT), ("count", pa.int64())]),
    # Build state that `--update` reads (pipeline.update); the app never loads these.
    "doc_terms": pa.schema([("article_id", _TEXT), ("term_idx", pa.list_(pa.int32())), ("count", pa.list_(pa.int32()))]),
    "term_vocabulary": pa.schema([("term", _TEXT)]),
    "topic_model": pa.schema([("term", _TEXT), ("idf", pa.float64()), ("weights", pa.list_(pa.float32()))]),
}
"""The one declaration of every artifact table: written, validated and read with these columns and types."""
STATE_TABLES = ("doc_terms", "term_vocabulary", "topic_model")
"""Tables an incremental update needs (every term count of every article, the saved topic model); optional in a build."""
TABLES = tuple(name for name in SCHEMAS if name not in STATE_TABLES)
"""The tables the app reads; every build has them."""
STAGED_SCHEMAS: dict[str, pa.Schema] = {
    "article_texts": pa.schema([("article_id", _TEXT), ("title", _TEXT), ("text", _TEXT)]),
    "chunk_terms": SCHEMAS["doc_terms"],
    "chunk_vocabulary": SCHEMAS["term_vocabulary"],
}
"""Tables a build keeps in its staging folder for itself (`write_part`) and never writes into the build: the
articles' texts and each chunk's term counts over its own vocabulary, so the build process need not hold them."""
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(field.name for field in SCHEMAS[name] if field.metadata != _OPTIONAL) for name in TABLES
}
"""Columns every build has; the others of SCHEMAS are newer and may be absent from older builds."""


def _schema(name: str) -> pa.Schema:
    try:
        return SCHEMAS[name] if name in SCHEMAS else STAGED_SCHEMAS[name]
    except KeyError:
        raise ValueError(f"unknown artifact table {name!r}") from None


def to_arrow(name: str, frame: pd.DataFrame | pa.Table) -> pa.Table:
    """`frame` as the Arrow table of artifact `name`: its declared columns, in order, with their types.

    Raises ValueError naming the table and the columns when a required column is missing,
    an undeclared one is present or a column cannot take its declared type, so a build
    never writes a table the readers do not expect. A newer optional column may be
    absent (a test writing an older build's tables); it is then left out.
    """
    declared = _schema(name)
    names = frame.column_names if isinstance(frame, pa.Table) else [str(column) for column in frame.columns]
    missing = [field.name for field in declared if field.name not in names and field.metadata != _OPTIONAL]
    extra = [column for column in names if column not in declared.names]
    if missing or extra:
        raise ValueError(f"table {name}: missing columns {missing}, undeclared columns {extra}")
    schema = pa.schema([field for field in declared if field.name in names])
    try:
        if isinstance(frame, pa.Table):
            return frame.select(schema.names).cast(schema)
        return pa.Table.from_pandas(frame[list(schema.names)], schema=schema, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as error:
        raise ValueError(f"table {name}: a column does not fit its declared type ({error})") from None


def empty_frame(name: str) -> pd.DataFrame:
    """A table `name` with no rows and its declared columns and dtypes."""
    return _schema(name).empty_table().to_pandas()


def _types_match(found: pa.DataType, declared: pa.DataType) -> bool:
    """Declared type, or its 32-bit-offset twin (string for large_string), which reads the same."""
    if found == declared:
        return True
    if pa.types.is_large_string(declared) and pa.types.is_string(found):
        return True
    if pa.types.is_list(declared) and (pa.types.is_list(found) or pa.types.is_large_list(found)):
        return _types_match(found.value_type, declared.value_type)
    return False


def schema_problems(name: str, found: pa.Schema) -> list[str]:
    """How a file's schema departs from table `name`'s declaration (missing columns, other types)."""
    declared = _schema(name)
    problems = []
    missing = [field.name for field in declared if field.name not in found.names and field.metadata != _OPTIONAL]
    if missing:
        problems.append(f"lacks columns {missing}")
    wrong = [
        f"{field.name} is {found.field(field.name).type}, not {field.type}"
        for field in declared
        if field.name in found.names and not _types_match(found.field(field.name).type, field.type)
    ]
    if wrong:
        problems.append("has " + "; ".join(wrong))
    return problems
_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"
_LOCK_PREFIX = ".lock-"
_SUFFIX_HEX = 8  # temporaries are named f"{prefix}{out_dir.name}-{8 hex digits}"
FAILED_REPORT_SUFFIX = ".rejects.jsonl"
"""A build that kept nothing leaves its rejects beside the output folder, in DIR + this suffix."""


class OutDirError(Exception):
    """The output folder cannot take a build; the message is the one-line reason."""


class BuildLocked(OutDirError):
    """Another build holds the lock of the output folder."""


def display_name(path: Path | str) -> str:
    """A path as printable UTF-8 text: undecodable bytes of a file name become `\\xff` escapes.

    File names are bytes on Linux; Python keeps undecodable ones as lone surrogates,
    which cannot be written to a UTF-8 file, Parquet or a strict terminal.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def is_build(folder: Path) -> bool:
    """True when `folder` holds a build: a manifest.json that is a JSON object with a schema version."""
    try:
        manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "schema_version" in manifest


def _foreign_entries(build_dir: Path) -> list[str]:
    """Names in a build folder that no build writes (a user's notes, a subfolder)."""
    known = {MANIFEST, REJECTS, DUPLICATES, search_index.INDEX_FILE}
    return sorted(
        display_name(entry.name) for entry in build_dir.iterdir()
        if not (entry.is_file() and (entry.name in known or entry.name.endswith(".parquet")))
    )


def check_out_dir(out_dir: Path, inputs: Sequence[Path] = ()) -> Path:
    """The absolute output folder, once it is known that a build may replace it.

    A build replaces its whole folder, so the folder must be absent, empty, or an earlier
    build holding nothing but artifacts, and must neither be nor contain an input (an
    output inside an input folder is fine: `discover` skips builds). Raises OutDirError
    with the reason; touches nothing.
    """
    shown = display_name(out_dir)
    out = Path(out_dir).resolve()
    for given in inputs:
        source = Path(given).resolve()
        if source == out or out in source.parents:
            what = "is" if source == out else "contains"
            raise OutDirError(f"--out {shown} {what} the input {display_name(given)}, which the build would delete: choose another folder")
    if not (out.exists() or out.is_symlink()):
        return out
    if not out.is_dir():
        raise OutDirError(f"--out {shown} is a file, not a folder: choose a new or empty folder")
    if not any(out.iterdir()):
        return out
    if not is_build(out):
        raise OutDirError(
            f"--out {shown} holds files and no earlier build (no valid {MANIFEST}); a build replaces its folder, "
            "so choose a new or empty folder"
        )
    foreign = _foreign_entries(out)
    if foreign:
        listed = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutDirError(f"--out {shown} is an earlier build but also holds {listed}, which the build would delete: move them out first")
    return out


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold the lock that lets one build at a time write `out_dir`; raises BuildLocked at once if taken.

    The lock is an flock on the hidden file `.lock-<name>` beside the folder (the folder
    itself is swapped, so a lock inside it would move). The holder deletes the file when
    done; a process that locked a file just deleted sees that it no longer has that
    path and tries again, so two builds never both hold the lock. A killed build's lock
    is released by the kernel; its leftover file is reused.
    """
    out_dir = Path(out_dir)
    path = out_dir.parent / f"{_LOCK_PREFIX}{out_dir.name}"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BuildLocked(
                f"another build (process {holder}) is writing {display_name(out_dir)}: wait until it finishes or choose another --out"
            ) from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def file_sha256(path: Path, chunk_size: int = 1 << 20) -> str:
    """Content hash of a file, read in chunks so large corpora do not load into memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def compute_build_id(input_hashes: Iterable[str], parameters: Mapping[str, Any], code_version: str) -> str:
    """Identify a build by what determines its content: inputs, parameters and code.

    The app caches artifacts on this id, and the staleness test of the committed demo
    build compares it, so it must not depend on paths, clocks or machine.
    """
    payload = json.dumps(
        {
            "inputs": sorted(input_hashes),
            "parameters": dict(sorted(parameters.items())),
            "code": code_version,
            "schema": SCHEMA_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def code_version(package_dir: Path, data_files: Iterable[Path]) -> str:
    """Hash the pipeline's source and the data files (lexicons, gazetteer) it reads."""
    digest = hashlib.sha256()
    files = sorted(package_dir.rglob("*.py")) + sorted(Path(p) for p in data_files)  # rglob: pipeline/clean/ too
    for path in files:
        digest.update((path.relative_to(package_dir).as_posix() if path.is_relative_to(package_dir) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    # backslashreplace: text may hold lone surrogates (a JSON "\udcff" escape); they must not fail the build.
    with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


PARTS = ".parts"
"""Folder of a staging folder where workers write their chunks' rows of a table (`write_part`)."""
_BATCH_ROWS = 65_536  # rows of a part read at once while joining parts
ROW_GROUP_ROWS = {"articles": 8192, "sentences": 32768}
"""Rows per Parquet row group of the tables whose texts the app reads on disk: a reader (DuckDB) holds one
row group's text column at a time, so one group of 100,000 texts would cost it 60 MB per query."""


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A temporary folder beside `out_dir` that a build fills and `write_build(stage=...)` swaps in.

    Workers write their chunks' rows into it as they go (`write_part`), so no process holds a
    whole table of sentences. Named like every temporary of `out_dir`, so an interrupted build's
    folder is removed by the next build (`remove_stale_temporaries`); removed here when the
    build fails. Use it holding `build_lock(out_dir)`.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    stage = out_dir.parent / f"{_TMP_PREFIX}{out_dir.name}-{uuid.uuid4().hex[:_SUFFIX_HEX]}"
    stage.mkdir()
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)  # after a successful swap it is the build and no longer here


def write_part(stage: Path, name: str, index: int, frame: pd.DataFrame | pa.Table | Iterable[pd.DataFrame | pa.Table]) -> None:
    """Write chunk `index`'s rows of table `name` into a staging folder; `write_build` appends the parts in index order.

    `frame` may be an iterable of frames, written one after another with one in memory at a
    time (a part that is the whole table: it then needs no second pass). Written under a
    temporary name and renamed, so a part is complete or absent (a retried chunk replaces its
    part). Raises ValueError when a frame does not fit the table's schema.
    """
    folder = Path(stage) / PARTS / name
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{index:06d}.parquet"
    partial = folder / f".{index:06d}-{uuid.uuid4().hex[:_SUFFIX_HEX]}"
    group_rows = ROW_GROUP_ROWS.get(name)  # a lone part becomes the table's file
    try:
        if isinstance(frame, (pd.DataFrame, pa.Table)):
            pq.write_table(to_arrow(name, frame), partial, row_group_size=group_rows)
        else:
            tables = (to_arrow(name, item) for item in frame)
            first = next(tables, None)
            if first is None:
                raise ValueError(f"table {name}: no rows to write as part {index}")
            _write_rows(partial, first.schema, itertools.chain([first], tables), group_rows)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, final)


def read_part(stage: Path, name: str, index: int, columns: list[str] | None = None) -> pa.Table:
    """Chunk `index`'s rows of table `name` written into a staging folder by `write_part`."""
    return pq.read_table(Path(stage) / PARTS / name / f"{index:06d}.parquet", columns=columns)


def part_paths(stage: Path, name: str) -> list[Path]:
    """The parts of table `name` in a staging folder, in index order."""
    return sorted((Path(stage) / PARTS / name).glob("*.parquet"))


def remove_parts(stage: Path, name: str) -> None:
    """Delete every part of table `name` from a staging folder (before writing the table again, in fewer parts)."""
    shutil.rmtree(Path(stage) / PARTS / name, ignore_errors=True)


def _write_rows(path: Path, schema: pa.Schema, tables: Iterable[pa.Table], group_rows: int | None) -> None:
    """The rows of `tables`, in order, as one Parquet file, one table (or batch) in memory at a time.

    Row groups hold `group_rows` rows where set (the last one fewer), whatever the tables' sizes.
    """
    step = group_rows or _BATCH_ROWS
    pending = schema.empty_table()
    with pq.ParquetWriter(path, schema) as writer:
        for table in tables:
            pending = pa.concat_tables([pending, table.cast(schema)])
            full = pending.num_rows - pending.num_rows % step
            if full:  # whole row groups now; the rest waits for the next table's rows
                writer.write_table(pending.slice(0, full), row_group_size=group_rows)
                pending = pending.slice(full)
        if pending.num_rows:
            writer.write_table(pending, row_group_size=group_rows)


def _write_table(path: Path, table: pa.Table | None, parts: Sequence[Path]) -> None:
    """`table` followed by the rows of `parts` as one Parquet file, a batch of rows in memory at a time.

    Row groups hold `ROW_GROUP_ROWS` rows where set, also when joined from many small parts. A
    table that is one part and nothing else is that part's file, renamed.
    """
    group_rows = ROW_GROUP_ROWS.get(path.stem)
    if not parts:
        pq.write_table(table, path, row_group_size=group_rows)
        return
    if table is None and len(parts) == 1:
        os.replace(parts[0], path)
        return
    schema = pq.read_schema(parts[0]) if table is None else table.schema
    batches = (pa.Table.from_batches([batch]) for part in parts for batch in pq.ParquetFile(part).iter_batches(batch_size=_BATCH_ROWS))
    _write_rows(path, schema, itertools.chain([] if table is None else [table], batches), group_rows)


def write_build(
    out_dir: Path,
    tables: Mapping[str, pd.DataFrame | pa.Table],
    manifest: Mapping[str, Any],
    rejects: Iterable[Mapping[str, Any]] = (),
    duplicates: Iterable[Mapping[str, Any]] = (),
    stage: Path | None = None,
) -> Path:
    """Write every artifact into a temporary folder, then swap it in for `out_dir`.

    Each table is written with its declared schema (`to_arrow`), followed by the rows its
    parts in `stage` hold (`write_part`), when the build staged them (`staging`). Raises
    ValueError for an unknown table name or a table that does not fit its schema, before
    anything is written.
    """
    unknown = set(tables) - set(SCHEMAS)
    if unknown:
        raise ValueError(f"unknown artifact tables: {sorted(unknown)}")
    arrow_tables = {name: to_arrow(name, frame) for name, frame in tables.items()}
    if stage is None:
        with staging(out_dir) as own_stage:
            return _complete(own_stage, Path(out_dir), arrow_tables, manifest, rejects, duplicates)
    return _complete(Path(stage), Path(out_dir), arrow_tables, manifest, rejects, duplicates)


def _complete(
    stage: Path,
    out_dir: Path,
    tables: Mapping[str, pa.Table],
    manifest: Mapping[str, Any],
    rejects: Iterable[Mapping[str, Any]],
    duplicates: Iterable[Mapping[str, Any]],
) -> Path:
    """Write the tables (joined with their parts), the search index (unless the build made it), the reject lists
    and the manifest into `stage`, then swap it in."""
    parts_dir = stage / PARTS
    names = [name for name in SCHEMAS if name in tables or (parts_dir / name).is_dir()]
    for name in names:
        _write_table(stage / f"{name}.parquet", tables.get(name), part_paths(stage, name))
    shutil.rmtree(parts_dir, ignore_errors=True)  # with the STAGED_SCHEMAS tables
    if not (stage / search_index.INDEX_FILE).exists() and (stage / "articles.parquet").exists():
        _index_articles(stage)
    _write_jsonl(stage / REJECTS, rejects)
    _write_jsonl(stage / DUPLICATES, duplicates)
    # The manifest goes last: a folder with a manifest is a complete build.
    full_manifest = {"schema_version": SCHEMA_VERSION, **manifest}
    (stage / MANIFEST).write_text(json.dumps(full_manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8",
                                  errors="backslashreplace")
    _fsync_dir(stage)
    _swap_in(stage, out_dir)
    return out_dir


def _index_articles(stage: Path) -> None:
    """The search index of the articles table in `stage`, for writers that did not index it beside (a build's worker does)."""
    batches = (
        (batch.column("title").to_pylist(), batch.column("text").to_pylist())
        for batch in pq.ParquetFile(stage / "articles.parquet").iter_batches(batch_size=_BATCH_ROWS, columns=["title", "text"])
    )
    search_index.write_search_index(stage / search_index.INDEX_FILE, batches)


def _fsync_dir(folder: Path) -> None:
    for path in folder.iterdir():
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())


def _swap_in(tmp_dir: Path, out_dir: Path) -> None:
    """Replace out_dir by tmp_dir: the old build moves aside, the new one is renamed in.

    Both renames are atomic on one filesystem; between them a reader finds no folder
    (and is told the build is missing) but never a mix of two builds.
    """
    old_dir = None
    if out_dir.exists():
        old_dir = out_dir.parent / f"{_OLD_PREFIX}{out_dir.name}-{uuid.uuid4().hex[:_SUFFIX_HEX]}"
        os.replace(out_dir, old_dir)
    try:
        os.replace(tmp_dir, out_dir)
    except BaseException:
        if old_dir is not None:
            os.replace(old_dir, out_dir)
        raise
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)


def _leftovers(out_dir: Path, prefix: str) -> list[Path]:
    """Temporaries of exactly `out_dir`: `.tmp-x-1234abcd` is build x's, `.tmp-x-y-1234abcd` is build x-y's."""
    pattern = re.compile(re.escape(f"{prefix}{out_dir.name}-") + f"[0-9a-f]{{{_SUFFIX_HEX}}}")
    return sorted(entry for entry in out_dir.parent.iterdir() if pattern.fullmatch(entry.name))


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete leftovers of interrupted builds of `out_dir` (never the build itself, never another build's).

    Call it holding `build_lock(out_dir)`: a running build's temporary folder looks stale.
    """
    out_dir = Path(out_dir)
    if not out_dir.parent.exists():
        return
    for prefix in (_TMP_PREFIX, _OLD_PREFIX):
        for leftover in _leftovers(out_dir, prefix):
            if not out_dir.exists() and prefix == _OLD_PREFIX:
                # A crash between the two renames: the old build is the only complete one.
                os.replace(leftover, out_dir)
                continue
            shutil.rmtree(leftover, ignore_errors=True)


def failed_report_path(out_dir: Path) -> Path:
    """Where a build of `out_dir` that kept no record lists its rejects (a folder without manifest is no build)."""
    out_dir = Path(out_dir)
    return out_dir.with_name(out_dir.name + FAILED_REPORT_SUFFIX)


def write_failed_report(out_dir: Path, rejects: Iterable[Mapping[str, Any]]) -> Path:
    """Write the rejects of a build that kept nothing beside `out_dir`, atomically; returns the file."""
    target = failed_report_path(out_dir)
    tmp = target.with_name(f"{_TMP_PREFIX}{target.name}-{uuid.uuid4().hex[:_SUFFIX_HEX]}")
    try:
        _write_jsonl(tmp, rejects)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """Read a build's manifest; FileNotFoundError when the folder holds no complete build."""
    return json.loads((Path(build_dir) / MANIFEST).read_text(encoding="utf-8"))


def read_arrow(build_dir: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """Read one artifact table as Arrow, cast to its declared types (older files may use 32-bit offsets)."""
    schema = _schema(name)
    table = pq.read_table(Path(build_dir) / f"{name}.parquet", columns=columns)
    wanted = pa.schema([schema.field(column) if column in schema.names else table.schema.field(column) for column in table.column_names])
    return table.cast(wanted)


def read_table(build_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one artifact table by name, with its declared dtypes."""
    return read_arrow(build_dir, name, columns).to_pandas()


def has_state(build_dir: Path) -> bool:
    """True when the build holds the tables an incremental update needs (`STATE_TABLES`)."""
    return all((Path(build_dir) / f"{name}.parquet").is_file() for name in STATE_TABLES)


def read_jsonl(build_dir: Path, name: str) -> list[dict[str, Any]]:
    """Read rejects.jsonl or duplicates.jsonl of a build."""
    path = Path(build_dir) / name
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def validate_build(build_dir: Path) -> list[str]:
    """Problems that make a folder unusable as a build (empty list when it is fine).

    Reads only Parquet metadata and the search index's row count, so it is cheap enough to run before every load.
    """
    build_dir = Path(build_dir)
    try:
        manifest = read_manifest(build_dir)
    except FileNotFoundError:
        return [f"{build_dir} holds no build (no {MANIFEST})"]
    except json.JSONDecodeError as error:
        return [f"{build_dir / MANIFEST} is not valid JSON: {error}"]
    problems = []
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"{build_dir} has schema version {manifest.get('schema_version')}, this code reads {SCHEMA_VERSION}: rebuild it")
    for name in TABLES:
        path = build_dir / f"{name}.parquet"
        if not path.exists():
            problems.append(f"{path} is missing")
            continue
        problems += [f"{path} {problem}" for problem in schema_problems(name, pq.read_schema(path))]
    if (build_dir / "articles.parquet").exists():
        index_problems = search_index.index_problems(build_dir / search_index.INDEX_FILE, pq.ParquetFile(build_dir / "articles.parquet").metadata.num_rows)
        problems += [f"{problem}: rebuild it (builds made before the text search index have none)" for problem in index_problems]
    return problems
