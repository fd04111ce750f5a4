"""Command line: `python -m pipeline build --input PATH [--input PATH ...] --out DIR`, and `collect` (pipeline.collect).

Exit status 0 when a build finished (even with rejected records), 1 with a one-line
reason when nothing could be built (bad input, a refused or locked --out), 2 for bad
arguments (argparse's convention), 3 with a one-line "internal error" for a bug (the
traceback with --debug), 130 when interrupted. Bad input never prints a traceback.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pipeline import collect, refresh
from pipeline.build import BuildError, BuildOptions, build, main_reasons, return_freed_memory
from pipeline.engine import ENGINES
from pipeline.store import display_name
from pipeline.update import REFIT_GROWTH, update

_BAR_WIDTH = 30


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last_draw = 0.0
        self._stage = ""

    def __call__(self, stage: str, fraction: float) -> None:
        now = time.monotonic()
        if stage == self._stage and fraction < 1.0 and now - self._last_draw < 0.1:
            return
        if stage != self._stage and self._stage:
            self.stream.write("\n")
        self._stage, self._last_draw = stage, now
        filled = int(_BAR_WIDTH * min(max(fraction, 0.0), 1.0))
        bar = "#" * filled + "-" * (_BAR_WIDTH - filled)
        self.stream.write(f"\r{stage:<9} [{bar}] {fraction:6.1%}")
        self.stream.flush()

    def close(self) -> None:
        if self._stage:
            self.stream.write("\n")
            self.stream.flush()


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def parser() -> argparse.ArgumentParser:
    """The CLI's argument parser (also documents the options in --help)."""
    root = argparse.ArgumentParser(prog="python -m pipeline", description="Turn a corpus of articles into Peninsula Watch artifacts.")
    commands = root.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("build", help="ingest and analyse a corpus, write the artifact folder")
    cmd.add_argument("--input", action="append", required=True, type=Path, metavar="PATH", help="a file or folder (recursed); repeatable")
    cmd.add_argument("--out", required=True, type=Path, metavar="DIR",
                     help="artifact folder, replaced atomically; must be absent, empty or an earlier build")
    cmd.add_argument("--topics", type=_positive_int, default=None, metavar="K", help="number of topics (default: chosen by coherence)")
    cmd.add_argument("--random-state", type=int, default=0, help="seed of the topic model (default 0)")
    cmd.add_argument("--workers", type=_positive_int, default=BuildOptions().workers, help="processes for per-article analysis")
    cmd.add_argument("--update", action="store_true",
                     help="add the inputs' new records to the earlier build in --out (duplicates of its articles are skipped)")
    cmd.add_argument("--refit-topics", action="store_true",
                     help="with --update: refit the topic model (else new articles get topics from the saved model, "
                          f"refitted once the build grew by {REFIT_GROWTH:.0%}%)")  # %% : argparse formats help with %
    cmd.add_argument("--engine", choices=ENGINES, default="local",
                     help="where per-article work runs: local processes (default) or Dask; same artifacts either way")
    cmd.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                     help="with --engine dask: a running Dask scheduler (default: a local cluster of --workers processes)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    cmd.add_argument("--debug", action="store_true", help="show the traceback of an internal error")
    collect.add_parser(commands)
    refresh.add_parser(commands)
    return root


def main(argv: Sequence[str] | None = None, stderr: TextIO = sys.stderr, stdout: TextIO = sys.stdout) -> int:
    """Run the CLI; returns the exit status."""
    args = parser().parse_args(argv)
    if args.command == "collect":
        return collect.run(args, stdout, stderr)
    if args.command == "refresh":
        return refresh.run(args, stdout, stderr)
    if args.refit_topics and not args.update:
        stderr.write("error: --refit-topics only applies with --update (a full build always fits topics)\n")
        return 2
    if args.scheduler and args.engine != "dask":
        stderr.write("error: --scheduler needs --engine dask\n")
        return 2
    options = BuildOptions(
        n_topics=args.topics, random_state=args.random_state, workers=args.workers, engine=args.engine, scheduler=args.scheduler
    )
    bar = None if args.quiet else ProgressBar(stderr)
    return_freed_memory()
    try:
        if args.update:
            report = update(args.input, args.out, options, progress=bar, refit_topics=args.refit_topics)
        else:
            report = build(args.input, args.out, options, progress=bar)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - every ending gets one line and its exit status
        return report_failure(error, bar, stderr, args.debug, (BuildError, OSError), "nothing was changed in the output folder")
    if bar:
        bar.close()
    m = report.manifest
    shown = display_name(report.out_dir)
    if report.added is not None:
        run = report.added
        stdout.write(
            f"updated {shown}: {run['added']} articles added, {run['duplicates']} duplicates, {run['rejected']} rejected "
            f"of {run['read']} read; the build holds {m['ingested']} articles\n"
        )
    else:
        stdout.write(
            f"built {shown}: {m['ingested']} articles ingested, {m['duplicates']} duplicates, "
            f"{m['rejected']} rejected of {m['read']} read in {m['timings']['total']:.1f} s\n"
        )
    if report.rejects:
        stdout.write(f"main reasons for rejects: {main_reasons(report.rejects)}; all are listed in {display_name(report.out_dir / 'rejects.jsonl')}\n")
    return 0


def report_failure(error: BaseException, bar: ProgressBar | None, stderr: TextIO, debug: bool,
                   expected: tuple[type[Exception], ...], interrupted: str) -> int:
    """One line and the exit status for what ended a command: 1 for `expected` (bad input, a refused
    folder: the message says which), 130 for Ctrl-C, 3 for a bug (re-raised with its traceback when `debug`)."""
    if isinstance(error, KeyboardInterrupt):
        return _fail(bar, stderr, f"interrupted: {interrupted}", 130)
    if isinstance(error, expected):
        return _fail(bar, stderr, f"error: {error}", 1)
    if debug:
        raise error
    return _fail(bar, stderr, f"internal error: {type(error).__name__}: {error} (a bug; rerun with --debug for the traceback)", 3)


def _fail(bar: ProgressBar | None, stderr: TextIO, message: str, status: int) -> int:
    """End the progress line, print the one-line message, return the exit status."""
    if bar:
        bar.close()
    stderr.write(message.replace("\n", " ") + "\n")
    return status
