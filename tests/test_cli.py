"""The command line: exit codes, one-line errors, progress on stderr, counts in the manifest."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import store
from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]


def _write_small_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    records = [
        {"id": "a1", "date": "2019-06-30", "title": "Leaders meet at the border", "source": "Test wire",
         "body": "Donald Trump met Kim Jong Un at the demilitarized zone. The brief meeting was a goodwill gesture."},
        {"id": "a2", "date": "2019-10-05", "title": "Working-level talks end", "source": "Test wire",
         "body": "Talks in Stockholm broke down after one day. North Korea blamed Washington for the stalemate."},
        {"id": "a3", "date": "not a date", "title": "Broken", "source": "Test wire", "body": "Text."},
    ]
    path = folder / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{truncated", encoding="utf-8")
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stderr=err, stdout=out)
    return code, out.getvalue(), err.getvalue()


def test_build_succeeds_with_rejects_and_reports_counts(tmp_path: Path) -> None:
    corpus = _write_small_corpus(tmp_path / "in")
    code, out, err = _run(["build", "--input", str(corpus), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"])
    assert code == 0, err
    assert err == ""
    manifest = store.read_manifest(tmp_path / "out")
    assert (manifest["read"], manifest["ingested"], manifest["duplicates"], manifest["rejected"]) == (4, 2, 0, 2)
    assert "2 articles ingested" in out and "2 rejected of 4 read" in out
    assert "main reasons for rejects: unreadable date (1), malformed JSON (1);" in out
    rejects = store.read_jsonl(tmp_path / "out", store.REJECTS)
    assert sorted(r["input"].rsplit(":", 1)[1] for r in rejects) == ["3", "4"]
    assert all(r["reason"] for r in rejects)


def test_progress_bar_goes_to_stderr_unless_quiet(tmp_path: Path) -> None:
    corpus = _write_small_corpus(tmp_path / "in")
    code, _, err = _run(["build", "--input", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert code == 0
    for stage in ("ingest", "analyse", "topics", "keywords", "write"):
        assert stage in err
    assert "100.0%" in err


def test_no_readable_input_exits_1_with_one_line_reason(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    code, _, err = _run(["build", "--input", str(empty), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_missing_input_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    code, _, err = _run(["build", "--input", str(missing), "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 1
    assert "nowhere" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["build", "--out", "x"], ["build", "--input", "x"], ["build", "--input", "x", "--out", "y", "--topics", "0"], ["frobnicate"]])
def test_bad_arguments_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv, stderr=io.StringIO(), stdout=io.StringIO())
    assert exited.value.code == 2


def test_module_entry_point_runs(tmp_path: Path) -> None:
    corpus = _write_small_corpus(tmp_path / "in")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--input", str(corpus), "--out", str(tmp_path / "out"), "--quiet"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert store.read_manifest(tmp_path / "out")["ingested"] == 2
