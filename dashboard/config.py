"""Where the app finds things and what the environment may change: the one place that reads either.

Paths are anchored on this file (Streamlit Community Cloud runs from another working
directory). Every environment variable the app reads is named and read here, each by a
function that takes the environment as a mapping, so tests pass a plain dict. Numeric
settings are validated by `dashboard.settings.number_setting`: a bad value is reported and
its default used. No Streamlit here.
"""
from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from dashboard.settings import Setting, number_setting

REPO_DIR = Path(__file__).resolve().parents[1]
APP_FILE = REPO_DIR / "app.py"
DEFAULT_DATA_DIR = REPO_DIR / "data" / "processed"
DEMO_INPUT_DIR = REPO_DIR / "data" / "demo"
DEFAULT_EVENTS_PATH = REPO_DIR / "data" / "events.csv"
DEFAULT_UPLOAD_ROOT = REPO_DIR / "data" / "uploads"
BUILD_COMMAND = "python -m pipeline build --input data/demo --out data/processed"

DATA_ENV_VAR = "PENINSULA_WATCH_DATA"
EVENTS_ENV_VAR = "PENINSULA_WATCH_EVENTS"
UPLOADS_ENV_VAR = "PENINSULA_WATCH_UPLOADS"
TTL_ENV_VAR = "PENINSULA_WATCH_UPLOAD_TTL_HOURS"
SERVER_CAP_ENV_VAR = "PENINSULA_WATCH_UPLOADS_TOTAL_MB"
MAX_BUILDS_ENV_VAR = "PENINSULA_WATCH_MAX_BUILDS"


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def _path_setting(environ: Mapping[str, str] | None, name: str, default: Path) -> Path:
    """A folder or file named by `name` (user-expanded, absolute), else the default."""
    configured = _environ(environ).get(name, "").strip()
    return Path(configured).expanduser().resolve() if configured else default


def resolve_data_dir(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> Path:
    """The artifact folder: `--data DIR` after `streamlit run app.py --`, else $PENINSULA_WATCH_DATA, else data/processed."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--data", type=Path)
    args, _ = parser.parse_known_args(list(argv))
    if args.data is not None:
        return args.data.expanduser().resolve()
    return _path_setting(environ, DATA_ENV_VAR, DEFAULT_DATA_DIR)


def resolve_events_path(environ: Mapping[str, str] | None = None) -> Path:
    """The events file: $PENINSULA_WATCH_EVENTS, else data/events.csv."""
    return _path_setting(environ, EVENTS_ENV_VAR, DEFAULT_EVENTS_PATH)


def upload_root(environ: Mapping[str, str] | None = None) -> Path:
    """Where session folders live: $PENINSULA_WATCH_UPLOADS, else data/uploads/ in the app."""
    return _path_setting(environ, UPLOADS_ENV_VAR, DEFAULT_UPLOAD_ROOT)


def upload_ttl_hours(environ: Mapping[str, str] | None = None) -> Setting:
    """Hours an upload is kept: $PENINSULA_WATCH_UPLOAD_TTL_HOURS, a finite number from 0.1 to 87,600 (default 24).

    nan, inf, 0 or negative would turn clean-up off or delete uploads mid-build: refused with a warning.
    """
    return number_setting(_environ(environ), TTL_ENV_VAR, 24.0, minimum=0.1, maximum=87_600.0)


def server_upload_cap_mb(environ: Mapping[str, str] | None = None) -> Setting:
    """Megabytes of attached files all sessions may hold in server memory together ($PENINSULA_WATCH_UPLOADS_TOTAL_MB)."""
    return number_setting(_environ(environ), SERVER_CAP_ENV_VAR, 400, minimum=1, maximum=100_000, integer=True)


def max_builds(environ: Mapping[str, str] | None = None) -> Setting:
    """How many uploads may build at once ($PENINSULA_WATCH_MAX_BUILDS, a whole number 1-16, default 1).

    Each build uses up to two worker processes and a few hundred MB: one at a time keeps
    a small shared server answering everyone else.
    """
    return number_setting(_environ(environ), MAX_BUILDS_ENV_VAR, 1, minimum=1, maximum=16, integer=True)
