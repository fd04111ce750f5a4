"""`python -m pipeline ...` entry point."""
import sys

from pipeline.engine import builds_on_local_workers, start_forkserver

if builds_on_local_workers(sys.argv[1:]):
    # Before the heavy imports below: the workers' forkserver imports the pipeline on the other core meanwhile.
    start_forkserver()

from pipeline.cli import main  # noqa: E402 - after the forkserver's start, on purpose

sys.exit(main())
