"""`python -m pipeline refresh --feeds FILE --corpus DIR --out BUILD`: collect, then add what is new to the build.

Collect writes the new articles into the corpus folder (pipeline.collect); then the corpus
files the build has not read yet (compared by content hash with the manifest's inputs, so a
refresh whose update failed is caught up by the next one) are added with `build --update`.
When BUILD does not exist yet it is built from the whole corpus folder; when it was made by
another version of the pipeline (which `--update` refuses), it is rebuilt in full from the
inputs its manifest lists and the corpus, so a scheduled refresh survives a code change. The
summary says what changed: articles added, the months they fall in, and the rejects.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pipeline import collect, store
from pipeline.build import DATA_FILES, PACKAGE_DIR, BuildError, BuildOptions, BuildReport, Progress, build, main_reasons
from pipeline.feeds import CollectError
from pipeline.ingest import discover
from pipeline.update import update


@dataclass
class BuildChange:
    """What the build step of a refresh did: `report` is None when there was nothing to add."""

    report: BuildReport | None
    months: list[str] = field(default_factory=list)  # YYYY-MM of the articles added, sorted
    added: int = 0
    how: str = "updated"  # "built", "rebuilt" (another pipeline version) or "updated"


def unread_inputs(corpus: Path, out: Path) -> list[Path]:
    """The corpus files whose content the build in `out` has not read."""
    known = {entry.get("sha256") for entry in store.read_manifest(out).get("inputs", []) if isinstance(entry, dict)}
    return [path for path in discover([corpus]) if store.file_sha256(path) not in known]


def _article_months(out: Path) -> dict[str, str]:
    """article_id -> YYYY-MM of every article of the build in `out`."""
    table = store.read_table(out, "articles", columns=["article_id", "date"])
    return dict(zip(table["article_id"].astype(str), table["date"].astype("datetime64[ns]").dt.strftime("%Y-%m"), strict=True))


def update_build(corpus: Path, out: Path, options: BuildOptions, *, refit_topics: bool = False, progress: Progress | None = None) -> BuildChange:
    """Add the corpus files the build has not read to the build in `out` (see the module docstring for the other cases).

    Raises BuildError as `build` and `update` do (a refused or locked folder, no readable input),
    OSError when an input a rebuild needs is gone.
    """
    if not store.is_build(out):
        before: set[str] = set()
        how, report = "built", build([corpus], out, options, progress=progress)
    elif not (inputs := unread_inputs(corpus, out)):
        return BuildChange(None)
    else:
        manifest = store.read_manifest(out)
        before = set(_article_months(out))
        if manifest.get("code_version") == store.code_version(PACKAGE_DIR, DATA_FILES):
            how, report = "updated", update(inputs, out, options, progress=progress, refit_topics=refit_topics)
        else:
            earlier = [Path(entry["path"]) for entry in manifest.get("inputs", []) if isinstance(entry, dict) and "path" in entry]
            how, report = "rebuilt", build([*earlier, corpus], out, options, progress=progress)
    added = {article: month for article, month in _article_months(out).items() if article not in before}
    return BuildChange(report, sorted(set(added.values())), len(added), how)


def describe(change: BuildChange, out: Path) -> str:
    """The build step in one or two lines: articles added, months touched, rejects."""
    shown = store.display_name(out)
    if change.report is None:
        return f"{shown} left as it was: no corpus file it has not read"
    months = f" in {', '.join(change.months)}" if change.months else ""
    why = " (the pipeline changed since it was built, so in full)" if change.how == "rebuilt" else ""
    text = (f"{change.how} {shown}{why}: {change.added:,} article{'s' * (change.added != 1)} added{months}; "
            f"it holds {change.report.manifest['ingested']:,}")
    if change.report.rejects:
        text += (f"\nmain reasons for build rejects: {main_reasons(change.report.rejects)}; "
                 f"all are listed in {store.display_name(out / store.REJECTS)}")
    return text


def add_parser(commands: Any) -> None:
    """Add the `refresh` subcommand to the CLI's subparsers."""
    cmd = commands.add_parser("refresh", help="collect new articles into a corpus folder, then add them to a build (build --update)")
    collect.add_source_options(cmd)
    cmd.add_argument("--corpus", required=True, type=Path, metavar="DIR", help="corpus folder the collected articles are kept in")
    cmd.add_argument("--out", required=True, type=Path, metavar="BUILD", help="the build to update (built from the corpus when absent)")
    cmd.add_argument("--refit-topics", action="store_true", help="refit the topic model (as build --update --refit-topics)")
    cmd.add_argument("--workers", type=collect.positive_int, default=BuildOptions().workers, help="processes for per-article analysis")
    cmd.add_argument("--quiet", action="store_true", help="no progress lines or bar")
    cmd.add_argument("--debug", action="store_true", help="show the traceback of an internal error")


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run `refresh`; exit status 0 done, 1 refused (collect or build), 3 bug, 130 interrupted."""
    from pipeline.cli import ProgressBar, report_failure  # noqa: PLC0415 - the CLI imports this module; its bar and failure lines are reused

    bar = None
    try:
        report = collect.collect_from_args(args, args.corpus, stderr)
        stdout.write(collect.summary(report) + "\n")
        stdout.flush()
        bar = None if args.quiet else ProgressBar(stderr)
        change = update_build(args.corpus, args.out, BuildOptions(workers=args.workers), refit_topics=args.refit_topics,
                              progress=bar)
    except (Exception, KeyboardInterrupt) as error:  # noqa: BLE001 - every ending gets one line and its exit status
        return report_failure(error, bar, stderr, args.debug, (CollectError, BuildError, OSError),
                              "collected articles were kept; the build was not changed")
    if bar:
        bar.close()
    stdout.write(describe(change, args.out) + "\n")
    return 0
