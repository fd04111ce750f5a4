"""Issue 10, pipeline side: a build never loses a user's files and bad input never aborts it.

Each test is one attack from the issue: an --out that holds other things, output inside
an input folder, a gzip bomb, a JSON line nested 100,000 deep, a record or file whose
handling raises, two builds into one folder, a killed build's workers, a build where
every record is rejected, a title repeated as the body, a file name that is not UTF-8.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import json
import os
import random
import signal
import subprocess
import sys
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest
from distributed import LocalCluster

from pipeline import build as build_module
from pipeline import ingest as ingest_module
from pipeline import readers, search_index, store
from pipeline.build import BuildError, BuildFailure, BuildOptions, build, main_reasons, reason_kind
from pipeline.cli import main
from pipeline.ingest import GzipLimits, ingest
from pipeline.tone import ToneScorer

REPO = Path(__file__).resolve().parents[1]

_SUBJECTS = ("Kim Jong Un", "Donald Trump", "Moon Jae-in", "The envoy", "Negotiators", "Officials in Seoul", "The delegation",
             "Analysts", "Xi Jinping", "The foreign ministry")
_VERBS = ("welcomed", "criticised", "discussed", "postponed", "praised", "rejected", "proposed", "questioned")
_OBJECTS = ("the summit plan", "new sanctions", "the missile tests", "the peace talks", "a joint statement",
            "the nuclear freeze", "the border meeting", "food aid", "the trade deal", "family reunions")


def _record(index: int, rng: random.Random) -> dict[str, str]:
    sentences = [f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} on day {rng.randint(1, 999)}." for _ in range(6)]
    day = dt.date(2018, 1, 1) + dt.timedelta(days=index % 700)
    return {"id": f"r{index}", "date": day.isoformat(), "title": f"Report {index} on the talks", "source": "Test wire",
            "body": " ".join(sentences)}


def _good_jsonl(path: Path, count: int = 3, start: int = 0) -> Path:
    """`count` distinct, valid English records as JSON Lines."""
    rng = random.Random(start)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(_record(start + i, rng)) + "\n" for i in range(count)), encoding="utf-8")
    return path


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder` (files with their bytes), to prove nothing was touched."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stderr=err, stdout=out)
    return code, out.getvalue(), err.getvalue()


def _build_cli(inputs: list[Path], out: Path | str) -> tuple[int, str, str]:
    argv = ["build", "--out", str(out), "--quiet", "--workers", "1"]
    for path in inputs:
        argv += ["--input", str(path)]
    return _cli(argv)


# --- 1. --out must be absent, empty or an earlier build ------------------------------


def _assert_refused(code: int, err: str, tmp_path: Path, before: dict[str, bytes | None], *words: str) -> None:
    assert code == 1
    assert err.startswith("error: --out ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err
    assert _snapshot(tmp_path) == before, "a refused build must touch nothing (no temporaries, no lock file)"


def test_out_holding_a_users_files_is_refused_and_untouched(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "thesis.docx").write_bytes(b"my only copy")
    (mine / "sub" / "notes.txt").write_text("notes")
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus], mine)
    _assert_refused(code, err, tmp_path, before, "no earlier build")


def test_out_equal_to_the_input_folder_is_refused(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    _good_jsonl(corpus_dir / "wire.jsonl")
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus_dir], corpus_dir)
    _assert_refused(code, err, tmp_path, before, "is the input")


def test_out_containing_an_input_is_refused_even_when_it_is_a_build(tmp_path: Path) -> None:
    parent = tmp_path / "work"
    corpus = _good_jsonl(parent / "corpus" / "wire.jsonl")
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus], parent)
    _assert_refused(code, err, tmp_path, before, "contains the input")
    # An earlier build that the user then stored a corpus in is no safer.
    build_dir = tmp_path / "build"
    assert _build_cli([corpus], build_dir)[0] == 0
    inside = _good_jsonl(build_dir / "extra.jsonl", start=50)
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([inside], build_dir)
    _assert_refused(code, err, tmp_path, before, "contains the input")


def test_earlier_build_holding_foreign_files_is_refused(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    out = tmp_path / "out"
    assert _build_cli([corpus], out)[0] == 0
    (out / "my-notes.txt").write_text("written by the user")
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus], out)
    _assert_refused(code, err, tmp_path, before, "my-notes.txt")


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    target = tmp_path / "results.csv"
    target.write_text("a,b\n")
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus], target)
    _assert_refused(code, err, tmp_path, before, "is a file")


def test_out_dot_is_refused_in_a_folder_of_files_and_builds_in_an_empty_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("keep me")
    monkeypatch.chdir(busy)
    before = _snapshot(tmp_path)
    code, _, err = _build_cli([corpus], ".")
    _assert_refused(code, err, tmp_path, before, "no earlier build")

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    code, out, err = _build_cli([corpus], ".")
    assert code == 0, err
    assert store.read_manifest(empty)["ingested"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy", "empty", "in"]  # no temporaries or lock left


def test_empty_folder_and_earlier_build_are_accepted(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    out = tmp_path / "out"
    out.mkdir()
    assert _build_cli([corpus], out)[0] == 0
    first = store.read_manifest(out)
    _good_jsonl(tmp_path / "in" / "more.jsonl", start=10)
    code, _, err = _build_cli([tmp_path / "in"], out)
    assert code == 0, err
    assert store.read_manifest(out)["ingested"] == first["ingested"] + 3


def test_app_build_call_gets_the_same_refusal(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(BuildError, match="no earlier build"):
        build([corpus], mine, BuildOptions(workers=1))
    assert (mine / "photo.jpg").read_bytes() == b"\xff\xd8"


def test_output_inside_an_input_folder_is_never_read_back(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    _good_jsonl(corpus_dir / "wire.jsonl")
    out = corpus_dir / "build"
    for _ in range(2):
        code, _, err = _build_cli([corpus_dir], out)
        assert code == 0, err
        manifest = store.read_manifest(out)
        assert [Path(i["path"]).name for i in manifest["inputs"]] == ["wire.jsonl"]
        assert (manifest["read"], manifest["ingested"]) == (3, 3)
    # A failed build's report beside its folder is not an input either.
    store.write_failed_report(corpus_dir / "other", [{"input": "x", "reason": "no date"}])
    assert [p.name for p in readers.discover([corpus_dir])] == ["wire.jsonl"]


# --- 3. gzip bombs -----------------------------------------------------------------


def _bomb(path: Path, megabytes: int = 200, head: bytes = b"") -> Path:
    """`head` then `megabytes` MB of spaces, gzipped (a 200 MB bomb is about 200 KB on disk).

    Spaces, not zeros: NUL bytes would be caught as a binary file before any limit.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(head)]
    blanks = b" " * (1 << 20)
    parts += [packer.compress(blanks) for _ in range(megabytes)]
    parts.append(packer.flush())
    path.write_bytes(b"".join(parts))
    return path


def test_gzip_bomb_is_rejected_by_ratio_and_the_good_file_still_builds(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    good = _good_jsonl(folder / "good.jsonl")
    bomb = _bomb(folder / "bomb.jsonl.gz")
    assert bomb.stat().st_size < 1 << 20
    out = tmp_path / "out"
    report = build([folder], out, BuildOptions(workers=1, gzip=GzipLimits(ratio_after=1 << 20)))
    assert report.manifest["ingested"] == 3
    (reject,) = store.read_jsonl(out, store.REJECTS)
    assert reject["input"] == str(bomb)
    assert reject["reason"].startswith("compression bomb: ")
    assert good.exists() and bomb.exists()


def test_gzip_beyond_the_size_cap_is_rejected_after_the_records_before_it(tmp_path: Path) -> None:
    head = json.dumps(_record(1, random.Random(1))).encode() + b"\n"
    bomb = _bomb(tmp_path / "big.jsonl.gz", megabytes=20, head=head)
    result = ingest([bomb], limits=GzipLimits(max_bytes=4 << 20, max_ratio=1e9))
    assert len(result.articles) == 1
    assert [r.reason.split(":")[0] for r in result.rejects] == ["too large when decompressed"]


@pytest.mark.parametrize("name", ["bomb.csv.gz", "bomb.jsonl.gz", "bomb.json.gz"])
def test_default_caps_stop_a_bomb_before_it_takes_memory(tmp_path: Path, name: str) -> None:
    bomb = _bomb(tmp_path / name, megabytes=200, head=b"date,title,body\n" if name.startswith("bomb.csv") else b"")
    tracemalloc.start()
    try:
        result = ingest([bomb])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.reason.split(":")[0] for r in result.rejects] == ["compression bomb"]
    # The default ratio check fires after 16 MB of output; the 200 MB never exist at once.
    assert peak < 80 << 20, f"peak {peak / 1e6:.0f} MB"


def test_gzip_damage_is_still_salvaged_within_the_caps(tmp_path: Path) -> None:
    payload = b"".join(json.dumps(_record(i, random.Random(i))).encode() + b"\n" for i in range(3))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(payload, compresslevel=0)[:-8])
    result = ingest([path], limits=GzipLimits(max_bytes=1 << 20))
    assert len(result.articles) == 3
    assert [r.reason.split(" (")[0] for r in result.rejects] == ["truncated compressed data"]


def test_overlong_jsonl_line_is_rejected_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 4096)
    path = _good_jsonl(tmp_path / "wire.jsonl", count=2)
    with open(path, "ab") as handle:
        handle.write(b'{"title": "' + b"x" * 20_000 + b'"}\n')
        handle.write((json.dumps(_record(7, random.Random(7))) + "\n").encode())
    result = ingest([path])
    assert len(result.articles) == 3
    assert [(r.input, r.reason) for r in result.rejects] == [(f"{path}:3", "line too long (over 4,096 bytes)")]


# --- 4. one bad record or file never aborts ------------------------------------------


def test_json_nested_100000_deep_is_one_reject(tmp_path: Path) -> None:
    path = _good_jsonl(tmp_path / "wire.jsonl", count=2)
    deep = "[" * 100_000 + "]" * 100_000
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(deep + "\n" + '{"date": "2019-01-01", "title": ' + "[" * 100_000 + "\n")
        handle.write(json.dumps(_record(9, random.Random(9))) + "\n")
    array = tmp_path / "array.json"
    array.write_text("[" + json.dumps(_record(20, random.Random(20))) + ",\n" + deep + "]", encoding="utf-8")
    result = ingest([path, array])
    assert len(result.articles) == 4
    assert [(r.input, r.reason.split(";")[0]) for r in result.rejects] == [
        (f"{path}:3", "malformed JSON: nested too deeply to read"),
        (f"{path}:4", "malformed JSON: nested too deeply to read"),
        (f"{array}:2", "malformed JSON: nested too deeply to read"),
    ]


def test_an_exception_cleaning_one_record_rejects_only_that_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _good_jsonl(tmp_path / "wire.jsonl", count=3)
    real_clean_body = ingest_module.clean_body

    def flaky(raw: str, title: str = ""):
        if "Report 1 " in title + " ":
            raise RuntimeError("cleaner crashed")
        return real_clean_body(raw, title)

    monkeypatch.setattr(ingest_module, "clean_body", flaky)
    result = ingest([path])
    assert [a.input for a in result.articles] == [f"{path}:1", f"{path}:3"]
    assert [(r.input, r.reason) for r in result.rejects] == [(f"{path}:2", "could not be processed (RuntimeError: cleaner crashed)")]


def test_an_exception_reading_one_file_rejects_that_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = _good_jsonl(tmp_path / "a.jsonl", count=2)
    bad = tmp_path / "b.csv"
    bad.write_text("date,title,body\n2019-01-01,A title,Some body text here.\n")

    def broken(*args, **kwargs):
        raise MemoryError("reader ran out")
        yield  # a generator, like the real reader

    monkeypatch.setattr(readers, "_read_csv", broken)
    result = ingest([good, bad])
    assert len(result.articles) == 2
    assert [(r.input, r.reason) for r in result.rejects] == [
        (str(bad), "could not be read (MemoryError: reader ran out); the rest of the file was not read")
    ]
    assert result.read == 3


def test_cli_prints_no_traceback_for_hostile_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _good_jsonl(folder / "good.jsonl")
    (folder / "deep.jsonl").write_text("[" * 100_000 + "\n", encoding="utf-8")
    (folder / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (folder / "fake.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00garbage")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", "--input", str(folder), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stderr == ""
    assert "3 articles ingested" in done.stdout and "main reasons for rejects:" in done.stdout


def test_an_internal_error_is_one_distinguishable_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _good_jsonl(tmp_path / "wire.jsonl")

    def crash(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr("pipeline.cli.build", crash)
    code, _, err = _build_cli([corpus], tmp_path / "out")
    assert code == 3
    assert err.startswith("internal error: KeyError") and err.count("\n") == 1
    with pytest.raises(KeyError):
        main(["build", "--input", str(corpus), "--out", str(tmp_path / "out"), "--quiet", "--debug"], stderr=io.StringIO(), stdout=io.StringIO())


# --- 7. one build per folder; workers die with the build ------------------------------


def test_second_build_into_a_locked_folder_is_refused_and_the_first_is_intact(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "in" / "wire.jsonl")
    out = tmp_path / "out"
    assert _build_cli([corpus], out)[0] == 0
    first = store.read_manifest(out)
    with store.build_lock(out.resolve()):  # what a running build holds
        code, _, err = _build_cli([corpus], out)
        assert code == 1 and "another build" in err and err.count("\n") == 1
        with pytest.raises(BuildError, match="another build"):
            build([corpus], out, BuildOptions(workers=1))
    assert store.read_manifest(out) == first
    assert store.validate_build(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]  # the lock file went with the lock


def test_the_lock_is_held_across_processes_and_a_stale_lock_file_is_reused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from pipeline import store\n"
         f"with store.build_lock(Path({str(out)!r})):\n    print('locked', flush=True); time.sleep(60)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(store.BuildLocked, match=f"process {holder.pid}"):
            with store.build_lock(out):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert (tmp_path / ".lock-out").exists()  # left behind by the killed holder, no longer locked
    with store.build_lock(out):
        pass
    assert not (tmp_path / ".lock-out").exists()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _descendants(pid: int) -> set[int]:
    """Children, grandchildren...: local workers are started by a forkserver, so they are the build's grandchildren."""
    found, frontier = set(), {pid}
    while frontier:
        frontier = set().union(*(_children(each) for each in frontier)) - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the platform the builds run on")
def test_kill_9_of_a_build_leaves_no_worker(tmp_path: Path) -> None:
    corpus = _good_jsonl(tmp_path / "big.jsonl", count=2400)
    parent = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "build", "--input", str(corpus), "--out", str(tmp_path / "out"), "--quiet", "--workers", "2"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        # Two workers, the forkserver that starts them and multiprocessing's resource tracker.
        while len(workers) < 4 and time.monotonic() < deadline and parent.poll() is None:
            workers = _descendants(parent.pid)
            time.sleep(0.05)
        assert len(workers) >= 4, "the build should have started its two workers"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 15
        while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [pid for pid in workers if _running(pid)]
    finally:
        for pid in workers if "workers" in locals() else ():
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_cleanup_of_x_keeps_the_temporaries_of_x_y(tmp_path: Path) -> None:
    theirs = [tmp_path / ".tmp-x-y-1234abcd", tmp_path / ".old-x-y-1234abcd", tmp_path / ".tmp-x-deadbeef-0badcafe"]
    mine = [tmp_path / ".tmp-x-cafebabe", tmp_path / ".old-x-0badf00d"]
    (tmp_path / "x").mkdir()
    for folder in theirs + mine:
        folder.mkdir()
    store.remove_stale_temporaries(tmp_path / "x")
    assert all(folder.exists() for folder in theirs)
    assert not any(folder.exists() for folder in mine)


# --- 8. messages --------------------------------------------------------------------


def test_all_rejected_build_prints_the_main_reasons_and_keeps_the_rejects(tmp_path: Path) -> None:
    path = tmp_path / "undated.jsonl"
    records = [{"title": f"Title {i}", "body": "Some words about the talks."} for i in range(30)]
    records += [{"date": "next week", "title": f"Vague {i}", "body": "Some words."} for i in range(8)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "{broken\n{broken\n", encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = _build_cli([path], out)
    assert code == 1 and stdout == ""
    assert err.count("\n") == 1
    assert "40 records read, 40 rejected" in err
    assert "main reasons: no date (30), unreadable date (8), malformed JSON (2)" in err
    report = store.failed_report_path(out)
    assert str(report) in err
    rejects = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert len(rejects) == 40 and rejects[0] == {"input": f"{path}:1", "reason": rejects[0]["reason"]}
    assert not out.exists(), "a folder without a manifest would look like a half build"
    # The next successful build of that folder removes the stale report.
    assert _build_cli([_good_jsonl(tmp_path / "good.jsonl")], out)[0] == 0
    assert not report.exists()


def test_main_reasons_groups_by_kind() -> None:
    rejects = [{"reason": r} for r in ["no date", "implausible date 1850-01-01", "implausible date 2999-01-01",
                                       "malformed JSON: Expecting value at column 1", "not English (reads as French: 0.9)"]]
    assert reason_kind("unreadable date 'next week'") == "unreadable date"
    assert main_reasons(rejects, top=2) == "implausible date (2), no date (1) and 2 other kinds"


def test_body_equal_to_title_and_missing_body_are_both_headlines(tmp_path: Path) -> None:
    path = tmp_path / "headlines.jsonl"
    records = [
        {"date": "2019-02-27", "title": "Leaders meet in Hanoi", "body": "Leaders meet in Hanoi"},
        {"date": "2019-02-28", "title": "Summit ends early", "body": "SUMMIT ENDS EARLY."},
        {"date": "2019-03-01", "title": "Talks stall over sanctions"},
        {"date": "2019-03-02", "title": "Envoy returns home", "body": ""},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = ingest([path])
    assert result.rejects == [] and result.duplicates == []
    assert [(a.title, a.text) for a in result.articles] == [(r["title"], r["title"]) for r in records]


def test_non_utf8_file_name_builds_and_is_named_with_an_escape(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw_name = os.fsdecode(os.fsencode(folder) + b"/\xff-wire.jsonl")
    good = json.dumps(_record(1, random.Random(1)))
    Path(raw_name).write_text(good + "\n" + '{"title": "no date", "body": "x"}\n', encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = _build_cli([folder], out)
    assert code == 0, err
    shown = f"{folder}/\\xff-wire.jsonl"
    assert [r["input"] for r in store.read_jsonl(out, store.REJECTS)] == [f"{shown}:2"]
    assert store.read_table(out, "articles")["input"].tolist() == [f"{shown}:1"]
    assert [i["path"] for i in store.read_manifest(out)["inputs"]] == [shown]
    stdout.encode("utf-8")  # printable


def test_lone_surrogate_escape_in_json_is_one_reject_not_a_failed_build(tmp_path: Path) -> None:
    path = _good_jsonl(tmp_path / "wire.jsonl", count=2)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"date": "2019-01-05", "title": "Odd \\udcff title", "body": "Kim Jong Un met Donald Trump \\ud800 again."}\n')
    out = tmp_path / "out"
    report = build([path], out, BuildOptions(workers=1))
    assert report.manifest["ingested"] == 2
    (reject,) = store.read_jsonl(out, store.REJECTS)
    assert reject["input"] == f"{path}:3" and "U+FFFD" in reject["reason"]


# --- 4. one article that breaks the analysis is rejected, not the build ----------------------

_TRAP = "Zanzibar"
"""A word in one article's body that the patched analysis below chokes on."""


def _trapped_corpus(path: Path) -> Path:
    """Five good records; the third carries the trap word and shares December 2019 with the fourth only, so that
    month has keywords (a term needs 2 articles in its month) only while the third is counted."""
    rng = random.Random(7)
    records = [_record(i, rng) for i in range(5)]
    records[2].update(date="2019-12-15", body=records[2]["body"] + f" {_TRAP} talks. {_TRAP} again. {_TRAP} once more.")
    records[3].update(date="2019-12-16")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _break_tone_on_trap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tone scoring (one call per chunk of articles) raises when any sentence holds the trap word."""
    real_score_many = ToneScorer.score_many

    def score_many(self: ToneScorer, texts):
        if any(_TRAP in text for text in texts):
            raise ValueError("tone broke")
        return real_score_many(self, texts)

    monkeypatch.setattr(ToneScorer, "score_many", score_many)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_exception_analysing_one_article_rejects_only_that_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    path = _trapped_corpus(tmp_path / "wire.jsonl")
    _break_tone_on_trap(monkeypatch)
    monkeypatch.setattr(build_module, "_CHUNK_SIZE", 2)  # chunks [1, 2], [3, 4], [5]: the culprit shares its chunk
    out = tmp_path / "out"
    with contextlib.ExitStack() as stack:
        options = BuildOptions(workers=workers)
        if workers > 1:  # local workers start from a forkserver, which the patch does not reach: Dask workers in threads do
            cluster = stack.enter_context(LocalCluster(n_workers=2, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None))
            options = BuildOptions(workers=workers, engine="dask", scheduler=cluster.scheduler_address)
        report = build([path], out, options)
    manifest = report.manifest
    assert (manifest["read"], manifest["ingested"], manifest["duplicates"], manifest["rejected"]) == (5, 4, 0, 1)
    assert store.read_jsonl(out, store.REJECTS) == [{"input": f"{path}:3", "reason": "could not be analysed (ValueError: tone broke)"}]
    kept = store.read_table(out, "articles")
    assert sorted(kept["input"]) == [f"{path}:{line}" for line in (1, 2, 4, 5)]
    kept_ids = set(kept["article_id"])
    for table in ("sentences", "mentions", "doc_topics", "article_terms"):
        assert set(store.read_table(out, table)["article_id"]) <= kept_ids, table
    assert store.validate_build(out) == []  # the search index too: one row per kept article
    index = search_index.SearchIndex(out / search_index.INDEX_FILE)
    assert index.matching_rows(_TRAP).tolist() == []
    assert [row in index.matching_rows(title) for row, title in enumerate(kept["title"])] == [True] * 4
    assert set(store.read_table(out, "sentences")["article_id"]) == kept_ids, "the culprit's chunk-mate is kept"
    text_of = kept.set_index("article_id")["text"]  # read back from the staged texts, past the culprit's
    assert all(row.text in text_of[row.article_id] for row in store.read_table(out, "sentences").itertuples())
    assert store.read_table(out, "topics")["n_articles"].sum() <= len(kept_ids)
    months = set(store.read_table(out, "keywords")["period"].dt.strftime("%Y-%m"))
    assert "2019-12" not in months, "the rejected article's month must not have keywords"
    assert store.validate_build(out) == []


def test_the_rejected_article_would_otherwise_have_left_a_trace(tmp_path: Path) -> None:
    """The control for the test above: unpatched, the trap article's month has keywords."""
    path = _trapped_corpus(tmp_path / "wire.jsonl")
    build([path], tmp_path / "out", BuildOptions(workers=1))
    assert "2019-12" in set(store.read_table(tmp_path / "out", "keywords")["period"].dt.strftime("%Y-%m"))


def test_a_build_whose_every_article_breaks_the_analysis_fails_with_the_rejects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _good_jsonl(tmp_path / "wire.jsonl", count=2)
    monkeypatch.setattr(build_module, "split_sentences", lambda text: 1 / 0)
    out = tmp_path / "out"
    with pytest.raises(BuildError, match="2 records read, 2 rejected; main reasons: could not be analysed \\(2\\)") as caught:
        build([path], out, BuildOptions(workers=1))
    assert caught.value.failure is BuildFailure.ALL_REJECTED
    reasons = {"could not be analysed (ZeroDivisionError: division by zero)"}
    assert [r["input"] for r in caught.value.rejects] == [f"{path}:1", f"{path}:2"]
    assert {r["reason"] for r in caught.value.rejects} == reasons
    assert not out.exists()
    assert len(store.failed_report_path(out).read_text(encoding="utf-8").splitlines()) == 2
