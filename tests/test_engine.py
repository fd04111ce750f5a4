"""Engines: the Dask engine gives the same artifacts as local processes."""
from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest
from distributed import LocalCluster

from pipeline import store
from pipeline.build import WORKER_NICENESS, BuildOptions, build, start_worker
from pipeline.cli import main
from pipeline.engine import builds_on_local_workers, executor

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def local_and_dask(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("engines")
    demo = [REPO / "data" / "demo"]  # 553 articles: two chunks, so the work is really spread
    local = build(demo, folder / "local", BuildOptions(workers=2)).out_dir
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None)
    with cluster:
        dask = build(demo, folder / "dask", BuildOptions(workers=2, engine="dask", scheduler=cluster.scheduler_address)).out_dir
    return local, dask


@pytest.mark.parametrize("name", sorted(store.SCHEMAS))
def test_dask_engine_writes_the_same_tables_as_local_processes(local_and_dask: tuple[Path, Path], name: str) -> None:
    local, dask = local_and_dask
    expected = store.read_table(local, name)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(store.read_table(dask, name), expected)


def test_engine_does_not_change_the_build_id(local_and_dask: tuple[Path, Path]) -> None:
    local, dask = local_and_dask
    assert store.read_manifest(dask)["build_id"] == store.read_manifest(local)["build_id"]


def test_unknown_engine_and_scheduler_without_dask_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown engine 'spark'"), executor("spark", 1):  # type: ignore[arg-type]
        pass
    with pytest.raises(ValueError, match="--scheduler needs --engine dask"), executor("local", 1, "tcp://127.0.0.1:8786"):
        pass


def test_cli_refuses_a_scheduler_for_the_local_engine(tmp_path: Path) -> None:
    stderr = io.StringIO()
    arguments = ["build", "--input", str(REPO / "data" / "demo"), "--out", str(tmp_path / "b"), "--scheduler", "tcp://127.0.0.1:1"]
    status = main(arguments, stderr=stderr)
    assert status == 2 and "--scheduler needs --engine dask" in stderr.getvalue()
    assert not (tmp_path / "b").exists()


def test_local_workers_run_below_the_build_process_priority() -> None:
    """The build's serial chain (ingest, topics) keeps the CPU it needs; the workers take what is left."""
    with executor("local", 1, initializer=start_worker, initargs=(os.getpid(),)) as pool:
        worker_niceness = pool.submit(os.nice, 0).result()
    assert worker_niceness == min(os.nice(0) + WORKER_NICENESS, 19)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["build", "--input", "a", "--out", "b"], True),
        (["build", "--input=a", "--out", "b", "--engine", "local"], True),
        (["build", "--input=a", "--out", "b", "--engine", "dask"], False),
        (["build", "--input=a", "--out", "b", "--engine=dask"], False),
        (["build", "--input=a", "--out", "b", "--workers", "1"], False),
        (["build", "--input=a", "--out", "b", "--workers=1"], False),
        (["build", "--input=a", "--out", "b", "--workers", "3"], True),
        (["collect", "--out", "b"], False),
    ],
)
def test_the_cli_starts_the_forkserver_only_for_builds_with_local_workers(argv: list[str], expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert builds_on_local_workers(argv) is expected
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert builds_on_local_workers(argv) is False
