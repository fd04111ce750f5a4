"""What the local engine's forkserver runs before it forks the build's workers (`pipeline.engine.PRELOAD`).

Importing this module imports the build and `prepare_worker`s the process, so each worker forks
ready: the analysis models are loaded once in the forkserver instead of once per worker (about
0.2 s of CPU each), and the garbage collector no longer walks what every worker keeps for its whole
life (modules, models): it walked them again and again while the analysis allocated, about a fifth
of a worker's CPU on the 19k KCNA stories (issue 14).
"""
from __future__ import annotations

import gc

from pipeline import build


def prepare_worker() -> None:
    """Load the analysis models and move every object alive now out of the collector's view
    (`gc.freeze`, Python's advice before forking): a worker's objects from before its first task live
    as long as it does; what the analysis makes afterwards is collected as usual."""
    try:
        build._models()
    except Exception:  # noqa: BLE001 - a faulty data file: the forkserver must live; each worker raises it in its task, as before
        pass
    gc.freeze()


prepare_worker()
