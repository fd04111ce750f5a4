"""`python -m pipeline ...` entry point."""
import os
import sys


def _builds_on_local_workers(argv: list[str]) -> bool:
    """A `build` command on the local engine (the default) of a machine with more than one core."""
    dask = any(arg == "--engine=dask" or (arg == "--engine" and argv[index + 1 : index + 2] == ["dask"]) for index, arg in enumerate(argv))
    return argv[:1] == ["build"] and not dask and (os.cpu_count() or 1) > 1


if _builds_on_local_workers(sys.argv[1:]):
    # Before the heavy imports below: the workers' forkserver imports the pipeline on the other core meanwhile.
    from pipeline.engine import start_forkserver

    start_forkserver()

from pipeline.cli import main  # noqa: E402 - after the forkserver's start, on purpose

sys.exit(main())
