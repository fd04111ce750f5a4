"""The workers' forkserver preload (pipeline/preload.py) and the per-process analysis models (`pipeline.build._models`)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import build

REPO = Path(__file__).resolve().parents[1]


def test_the_preload_loads_the_models_and_freezes_what_is_alive() -> None:
    check = "import gc, pipeline.preload as p; from pipeline import build; print(build._worker_models is not None, gc.get_freeze_count() > 0)"
    done = subprocess.run([sys.executable, "-c", check], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_a_faulty_data_file_does_not_stop_the_forkserver() -> None:
    """An error other than ImportError in a preload ends the forkserver; each worker meets it in its task, as before."""
    check = "from pipeline import build\ndef broken():\n    raise ValueError('faulty actors file')\nbuild._models = broken\nimport pipeline.preload"
    assert subprocess.run([sys.executable, "-c", check], cwd=REPO, capture_output=True).returncode == 0


def test_models_are_loaded_once_and_again_after_a_data_file_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_file = tmp_path / "lexicon.csv"
    data_file.write_text("a")
    monkeypatch.setattr(build, "DATA_FILES", (data_file,))
    monkeypatch.setattr(build, "_worker_models", None)
    first = build._models()
    assert build._models() is first
    data_file.write_text("ab")
    assert build._models() is not first
