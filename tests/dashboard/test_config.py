"""The one module of paths and environment variables."""
from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import config


def test_paths_are_anchored_on_the_repository() -> None:
    repo = Path(__file__).resolve().parents[2]
    assert config.APP_FILE == repo / "app.py" and config.APP_FILE.is_file()
    assert config.DEMO_INPUT_DIR.is_dir() and config.DEFAULT_EVENTS_PATH.is_file()


@pytest.mark.parametrize(("resolve", "name", "default"), [
    (config.resolve_events_path, config.EVENTS_ENV_VAR, config.DEFAULT_EVENTS_PATH),
    (config.upload_root, config.UPLOADS_ENV_VAR, config.DEFAULT_UPLOAD_ROOT),
])
def test_path_settings_from_the_environment_or_their_default(tmp_path: Path, resolve, name: str, default: Path) -> None:
    assert resolve({name: str(tmp_path / "x")}) == tmp_path / "x"
    assert resolve({name: "   "}) == default
    assert resolve({}) == default


def test_numeric_settings_are_validated() -> None:
    assert config.max_builds({config.MAX_BUILDS_ENV_VAR: "3"}).value == 3
    refused = config.upload_ttl_hours({config.TTL_ENV_VAR: "nan"})
    assert refused.value == 24.0 and config.TTL_ENV_VAR in (refused.warning or "")
    assert config.server_upload_cap_mb({}).value == 400


def test_no_other_dashboard_module_reads_the_environment() -> None:
    """One place owns the settings: the other modules ask config."""
    folder = Path(config.__file__).parent
    readers = [path.name for path in folder.glob("*.py") if path.name != "config.py" and "os.environ" in path.read_text()]
    assert readers == []
