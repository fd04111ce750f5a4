"""`python -m pipeline ...` entry point."""
import os
import sys

if sys.argv[1:2] == ["build"] and "--engine" not in sys.argv and (os.cpu_count() or 1) > 1:
    # Before the heavy imports below: the workers' forkserver imports the pipeline on the other core meanwhile.
    from pipeline.engine import start_forkserver

    start_forkserver()

from pipeline.cli import main  # noqa: E402 - after the forkserver's start, on purpose

sys.exit(main())
