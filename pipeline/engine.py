"""Where a build's per-chunk work runs: local worker processes, or Dask.

Both give a `concurrent.futures.Executor`, so the build submits its chunks the same way and
gets the same artifacts whatever the engine (`tests/test_engine.py`).

- `local` (default): a process pool started with `forkserver` (never `fork`: the app calls
  the build from a threaded server, and a forked child inherits other threads' locks); the
  workers exit when the build dies, even by SIGKILL (`initializer`).
- `dask`: the executor of a `distributed.Client`, connected to `scheduler` (tcp://HOST:PORT) or
  to a LocalCluster on 127.0.0.1 with `workers` single-threaded worker processes, closed with
  the build. Dask is imported only here and only then: the app and the default build do not
  need it (requirements-scale.txt).
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Literal

Engine = Literal["local", "dask"]
ENGINES: tuple[Engine, ...] = ("local", "dask")
PRELOAD = ("pipeline.build", "pipeline.preload")
"""Modules the forkserver imports before forking workers: what the workers run, and `pipeline.preload`, which readies them."""


def _forkserver_context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))  # the server imports the pipeline once; each worker forks warm
    return context


def start_forkserver() -> None:
    """Start the local engine's forkserver now, without waiting for it: it imports the pipeline (about a
    second of CPU) while the caller imports it too, instead of holding up the first worker later."""
    _forkserver_context()
    multiprocessing.forkserver.ensure_running()


def _option_is(argv: Sequence[str], option: str, value: str) -> bool:
    return any(arg == f"{option}={value}" or (arg == option and list(argv[index + 1 : index + 2]) == [value]) for index, arg in enumerate(argv))


def builds_on_local_workers(argv: Sequence[str]) -> bool:
    """Whether the CLI arguments `argv` ask for a build with local worker processes (the default engine, more
    than one worker, a machine with more than one core): then the CLI starts the forkserver first (`start_forkserver`)."""
    return (
        list(argv[:1]) == ["build"]
        and not _option_is(argv, "--engine", "dask")
        and not _option_is(argv, "--workers", "1")
        and (os.cpu_count() or 1) > 1
    )


@contextlib.contextmanager
def executor(
    engine: Engine,
    workers: int,
    scheduler: str | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[Executor]:
    """An executor for the build's chunks, shut down (and its cluster closed) on exit, also on errors.

    `initializer` runs in each local worker process (Dask's workers are not the build's children).
    Raises ValueError for an unknown engine or a scheduler given to the local engine.
    """
    if engine == "local":
        if scheduler:
            raise ValueError("--scheduler needs --engine dask")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver_context(), initializer=initializer, initargs=initargs)
        try:
            yield pool
        finally:
            pool.shutdown(cancel_futures=True)
    elif engine == "dask":
        from distributed import Client, LocalCluster  # noqa: PLC0415 - optional dependency, imported only for this engine

        cluster = None if scheduler else LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(scheduler or cluster)
        try:
            yield client.get_executor(pure=False)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
