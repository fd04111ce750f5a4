"""Which build this session looks at: the app's (demo or --data) or the session's own upload.

A user's corpus is private to the browser session that uploaded it, so the choice lives
in session state, not in the URL: a shared link always opens the app's own build.
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

import streamlit as st
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard.filters import forget_filters
from dashboard.config import upload_root
from dashboard.uploads import session_folder

_TOKEN_KEY = "pw_upload_token"
_CHOICE_KEY = "pw_corpus_choice"
_SHOWN_KEY = "pw_corpus_shown"
_UPLOADER_GENERATION_KEY = "pw_uploader_generation"
APP_CORPUS, OWN_CORPUS = "Demo corpus", "Your corpus"


def session_upload_folder() -> Path:
    """This session's private folder (named from a random token kept in session state)."""
    token = st.session_state.setdefault(_TOKEN_KEY, uuid.uuid4().hex)
    return session_folder(token, upload_root())


def own_build_dir() -> Path:
    """Where this session's upload is built."""
    return session_upload_folder() / "build"


def choose_corpus(app_data_dir: Path) -> Path:
    """The build to show: a sidebar radio offers the session's own corpus once it exists.

    When the shown corpus changes, the filters chosen for the other one are dropped:
    their dates, leaders and topics may not exist in this one.
    """
    own = own_build_dir()
    chosen = app_data_dir
    if (own / "manifest.json").exists():
        choice = st.sidebar.radio("Corpus", (APP_CORPUS, OWN_CORPUS), key=_CHOICE_KEY, horizontal=True,
                                  help="Your corpus is visible only in this browser session.")
        chosen = own if choice == OWN_CORPUS else app_data_dir
    previous = st.session_state.get(_SHOWN_KEY)
    if previous is not None and previous != str(chosen):
        forget_filters()
    st.session_state[_SHOWN_KEY] = str(chosen)
    return chosen


def show_own_corpus() -> None:
    """Select the session's own corpus in the sidebar (after a successful build)."""
    st.session_state[_CHOICE_KEY] = OWN_CORPUS


def uploader_key() -> str:
    """The file uploader's key; release_uploads changes it so the page shows a fresh, empty uploader."""
    return f"pw_uploader_{st.session_state.get(_UPLOADER_GENERATION_KEY, 0)}"


def release_uploads(files: Sequence[UploadedFile]) -> None:
    """Free attached files from the server's memory now, not when the session ends.

    Streamlit keeps every attached file in memory (for all sessions, until each one ends);
    once staged to disk, or refused, they are removed from its upload manager (as
    st.chat_input does) and the uploader is replaced by a new, empty one.
    """
    ctx = get_script_run_ctx()
    if ctx is not None and isinstance(ctx.uploaded_file_mgr, MemoryUploadedFileManager):
        for file in files:
            ctx.uploaded_file_mgr.remove_file(session_id=ctx.session_id, file_id=file.file_id)
    st.session_state[_UPLOADER_GENERATION_KEY] = st.session_state.get(_UPLOADER_GENERATION_KEY, 0) + 1


def attached_bytes_on_server() -> int:
    """Bytes of attached files all sessions of this server hold in memory now (from Streamlit's own stats)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return 0
    return sum(stat.byte_length for stats in ctx.uploaded_file_mgr.get_stats().values() for stat in stats)
