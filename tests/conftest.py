"""Shared fixtures: paths to the real corpora (read in place, never copied) and built artifacts."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
SEED = CORPUS / "seed" / "korea_herald_2019-04-28_no_end_in_sight.txt"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared real corpora; their absence is an error, not a skip (CI has them)."""
    assert CORPUS.is_dir(), f"the shared corpora are expected at {CORPUS}"
    return CORPUS


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """One build of the seed editorial and KCNA 2024, shared by the tests that read it."""
    from pipeline.build import BuildOptions, build

    out = tmp_path_factory.mktemp("real") / "build"
    build([corpus_dir / "seed", corpus_dir / "kcna_2024.jsonl.gz"], out, BuildOptions(workers=2))
    return out
