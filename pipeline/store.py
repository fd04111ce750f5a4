"""Artifact store: the one place that writes and reads a build's folder.

A build is written to a temporary sibling folder and swapped in with renames, so a
reader sees either the previous complete build or the new complete build, never a
half-written one. A crash mid-write leaves the previous build untouched; the stale
temporary folder is removed by the next build.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
REJECTS = "rejects.jsonl"
DUPLICATES = "duplicates.jsonl"
# Columns every build has (a build may carry more). Readers check them with validate_build.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id", "date", "source", "title", "subtitle", "url", "text", "n_words", "n_sentences", "tone",
                 "frame_all_at_once", "frame_step_by_step", "frame_engagement", "frame_pressure", "deal_axis",
                 "posture_axis", "topic_id", "input"),
    "sentences": ("article_id", "sentence_idx", "text", "tone", "tone_terms", "actor_ids",
                  "frame_all_at_once", "frame_step_by_step", "frame_engagement", "frame_pressure"),
    "mentions": ("article_id", "actor_id", "count"),
    "actors": ("actor_id", "name", "country", "role"),
    "topics": ("topic_id", "label", "terms", "n_articles"),
    "doc_topics": ("article_id", "topic_id", "weight"),
    "keywords": ("period", "term", "count", "docs", "share", "score"),
    "article_terms": ("article_id", "term", "count"),
}
TABLES = tuple(REQUIRED_COLUMNS)
_TMP_PREFIX = ".tmp-"
_OLD_PREFIX = ".old-"


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
    files = sorted(package_dir.glob("*.py")) + sorted(Path(p) for p in data_files)
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _write_jsonl(path: Path, records: Iterable[Mapping[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_build(
    out_dir: Path,
    tables: Mapping[str, pd.DataFrame],
    manifest: Mapping[str, Any],
    rejects: Iterable[Mapping[str, Any]] = (),
    duplicates: Iterable[Mapping[str, Any]] = (),
) -> Path:
    """Write every artifact into a temporary folder, then swap it in for `out_dir`.

    Raises ValueError for an unknown table name, before anything is written.
    """
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"unknown artifact tables: {sorted(unknown)}")
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out_dir)
    tmp_dir = out_dir.parent / f"{_TMP_PREFIX}{out_dir.name}-{uuid.uuid4().hex[:8]}"
    tmp_dir.mkdir()
    try:
        for name, frame in tables.items():
            frame.to_parquet(tmp_dir / f"{name}.parquet", index=False)
        _write_jsonl(tmp_dir / REJECTS, rejects)
        _write_jsonl(tmp_dir / DUPLICATES, duplicates)
        # The manifest goes last: a folder with a manifest is a complete build.
        full_manifest = {"schema_version": SCHEMA_VERSION, **manifest}
        (tmp_dir / MANIFEST).write_text(json.dumps(full_manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _fsync_dir(tmp_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    _swap_in(tmp_dir, out_dir)
    return out_dir


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
        old_dir = out_dir.parent / f"{_OLD_PREFIX}{out_dir.name}-{uuid.uuid4().hex[:8]}"
        os.replace(out_dir, old_dir)
    try:
        os.replace(tmp_dir, out_dir)
    except BaseException:
        if old_dir is not None:
            os.replace(old_dir, out_dir)
        raise
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)


def remove_stale_temporaries(out_dir: Path) -> None:
    """Delete leftovers of interrupted builds of `out_dir` (never the build itself)."""
    out_dir = Path(out_dir)
    if not out_dir.parent.exists():
        return
    for prefix in (_TMP_PREFIX, _OLD_PREFIX):
        for leftover in out_dir.parent.glob(f"{prefix}{out_dir.name}-*"):
            if not out_dir.exists() and prefix == _OLD_PREFIX:
                # A crash between the two renames: the old build is the only complete one.
                os.replace(leftover, out_dir)
                continue
            shutil.rmtree(leftover, ignore_errors=True)


def read_manifest(build_dir: Path) -> dict[str, Any]:
    """Read a build's manifest; FileNotFoundError when the folder holds no complete build."""
    return json.loads((Path(build_dir) / MANIFEST).read_text(encoding="utf-8"))


def read_table(build_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read one artifact table by name."""
    if name not in TABLES:
        raise ValueError(f"unknown artifact table {name!r}")
    return pd.read_parquet(Path(build_dir) / f"{name}.parquet", columns=columns)


def read_jsonl(build_dir: Path, name: str) -> list[dict[str, Any]]:
    """Read rejects.jsonl or duplicates.jsonl of a build."""
    path = Path(build_dir) / name
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def validate_build(build_dir: Path) -> list[str]:
    """Problems that make a folder unusable as a build (empty list when it is fine).

    Reads only Parquet metadata, so it is cheap enough to run before every load.
    """
    import pyarrow.parquet as pq

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
    for name, columns in REQUIRED_COLUMNS.items():
        path = build_dir / f"{name}.parquet"
        if not path.exists():
            problems.append(f"{path} is missing")
            continue
        missing = set(columns) - set(pq.read_schema(path).names)
        if missing:
            problems.append(f"{path} lacks columns {sorted(missing)}")
    return problems
