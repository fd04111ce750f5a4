"""Which build this session looks at: the app's (demo or --data) or the session's own upload.

A user's corpus is private to the browser session that uploaded it, so the choice lives
in session state, not in the URL: a shared link always opens the app's own build.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import streamlit as st

from dashboard.filters import forget_filters
from dashboard.uploads import session_folder, upload_root

_TOKEN_KEY = "pw_upload_token"
_CHOICE_KEY = "pw_corpus_choice"
_SHOWN_KEY = "pw_corpus_shown"
APP_CORPUS, OWN_CORPUS = "Demo corpus", "Your corpus"


def session_upload_folder() -> Path:
    """This session's private folder (named from a random token kept in session state)."""
    token = st.session_state.setdefault(_TOKEN_KEY, uuid.uuid4().hex)
    return session_folder(token, upload_root(dict(os.environ)))


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
