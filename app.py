"""Peninsula Watch: the dashboard's entry point.

    streamlit run app.py                          # the committed demo build in data/processed/
    streamlit run app.py -- --data DIR            # another build (or PENINSULA_WATCH_DATA=DIR)

Each run: page config, load the build (cached per build id), route with st.navigation
over pages/ (a page is listed when its file exists), render the shared sidebar filters
(kept in the URL), filter the articles once, hand the page its context, run the page.
"""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Peninsula Watch", page_icon=":material/radar:", layout="wide")
CHART_LIBRARY_REQUESTED = "pw_chart_library_requested"
CHART_LIBRARY = st.empty()
"""A session's first run draws a blank chart here before the imports below (pandas, the build: ~0.6 s on a fresh
server), so the browser fetches and starts plotly.js (4.7 MB, ~1 s of its work) while the server loads, instead
of after the page's first chart; `main` clears it before the page runs. Later runs leave it empty."""
if CHART_LIBRARY_REQUESTED not in st.session_state:
    st.session_state[CHART_LIBRARY_REQUESTED] = True
    CHART_LIBRARY.plotly_chart({"data": [{"type": "scatter", "x": [], "y": []}], "layout": {"height": 10}}, key="pw_chart_library")

from dashboard.common import PageContext, set_page_context, show_notices  # noqa: E402 (after the blank chart, on purpose)
from dashboard.config import BUILD_COMMAND, DEFAULT_DATA_DIR, resolve_data_dir, resolve_events_path  # noqa: E402
from dashboard.corpus import choose_corpus  # noqa: E402
from dashboard.data import ArtifactError, Artifacts, build_key, load_artifacts  # noqa: E402
from dashboard.filters import EVENTS_PARAM, PERIOD_PARAM, apply_filters, filter_sidebar, merge_notices, view_param_notices  # noqa: E402
from dashboard.overview import orientation  # noqa: E402
from dashboard.safe_text import escape_markdown  # noqa: E402

APP_DIR = Path(__file__).resolve().parent
# (view, title, icon, needs a build) in menu order; pages/<view>.py is listed when it exists. The views that need
# a build show the filter sidebar; About and Your corpus do not (the filters would change nothing there).
PAGES = (
    ("overview", "Overview", ":material/dashboard:", True),
    ("leaders", "Leaders", ":material/groups:", True),
    ("tone", "Tone", ":material/mood:", True),
    ("topics", "Topics", ":material/category:", True),
    ("framing", "Framing", ":material/balance:", True),
    ("compare", "Compare", ":material/compare_arrows:", True),
    ("keywords", "Keywords", ":material/trending_up:", True),
    ("articles", "Articles", ":material/article:", True),
    ("about", "About the measures", ":material/info:", False),
    ("your_corpus", "Your corpus", ":material/upload_file:", False),
)
VIEW_PARAMS_OFFERED = {
    "overview": (PERIOD_PARAM, EVENTS_PARAM), "tone": (PERIOD_PARAM,), "leaders": (PERIOD_PARAM,), "topics": (PERIOD_PARAM,), "framing": (PERIOD_PARAM,),
}
"""The view choices (not filters) each page offers in its URL; a bad value on one of them gets a notice."""
ARTICLES_VIEW = "articles"


def _load(data_dir: Path) -> tuple[Artifacts | None, str | None, list[str]]:
    """The build in data_dir and its cache key, or None and the problems that make it unusable (none when there is no build)."""
    key = build_key(data_dir)
    if key is None:
        return None, None, []
    try:
        return load_artifacts(str(data_dir), key), key, []
    except ArtifactError as error:
        return None, key, error.problems


WARM_UP_DELAY_S = 2.0
"""Seconds between the end of the first page's script and the build's warm-up (`Artifacts.warm_up_later`: the
pages opened next find their modules imported and the build's derived tables made; Compare without it: ~1 s
more CPU, sklearn's imports, on its first opening): about what a browser still needs to fetch plotly.js (4.7 MB,
sent by this process) and draw the charts. Started at once, the warm-up's imports competed with the sending of
plotly.js for the interpreter lock and, with browser and server on one machine (the benchmark), with the
browser for the CPU."""


def _empty_state_page(data_dir: Path, problems: list[str]) -> st.Page:
    """The page shown instead of the views when there is no usable build."""

    def no_build() -> None:
        st.title("Peninsula Watch")
        if problems:
            st.error("The artifact folder cannot be used:\n\n" + "\n".join(f"- {escape_markdown(problem)}" for problem in problems))
        else:
            st.info(f"No artifacts have been built in {escape_markdown(data_dir)} yet. Build them with:")
        st.code(BUILD_COMMAND if data_dir == DEFAULT_DATA_DIR else f"python -m pipeline build --input YOUR_CORPUS --out {data_dir}", language="bash")
        st.caption("Then reload this page.")

    return st.Page(no_build, title="Peninsula Watch", icon=":material/build:", url_path="start", default=True)


def _pages(has_build: bool) -> dict[str, st.Page]:
    """The views whose files exist (those that need a build only when there is one), by view name."""
    pages = {}
    for view, title, icon, needs_build in PAGES:
        path = APP_DIR / "pages" / f"{view}.py"
        if path.is_file() and (has_build or not needs_build):
            pages[view] = st.Page(path, title=title, icon=icon, default=has_build and not pages)
    return pages


def _header(artifacts: Artifacts, pages: dict[str, st.Page]) -> None:
    """One line on what the app is and what corpus is shown, with the way to load another (every view with a build)."""
    with st.container(horizontal=True, vertical_alignment="center", gap="small", key="pw_header"):
        st.markdown(orientation(artifacts.articles, artifacts.is_demo), width="content")
        if "your_corpus" in pages:
            st.page_link(pages["your_corpus"], label="Load your own corpus", icon=":material/upload_file:")


def _all_query_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def main() -> None:
    """One run of the app (see the module docstring)."""
    data_dir = choose_corpus(resolve_data_dir(sys.argv[1:]))
    artifacts, key, problems = _load(data_dir)
    pages = _pages(has_build=artifacts is not None)
    navigation = list(pages.values()) if artifacts is not None else [_empty_state_page(data_dir, problems), *pages.values()]
    page = st.navigation(navigation)
    view = next((name for name, candidate in pages.items() if candidate is page), None)
    CHART_LIBRARY.empty()  # plotly.js is on its way by now

    if artifacts is None:
        page.run()
        return
    needs_build = {name for name, _, _, needs in PAGES if needs}
    if view not in needs_build:  # About, Your corpus: no filters to show
        page.run()
        return
    article = (st.query_params.get_all("article") or [""])[-1].strip()
    if view != ARTICLES_VIEW and article in artifacts.universe.article_ids and ARTICLES_VIEW in pages:
        st.switch_page(pages[ARTICLES_VIEW], query_params=_all_query_params())

    _header(artifacts, pages)
    filters, notices = filter_sidebar(artifacts.universe, page_id=view or "", keep_article=view == ARTICLES_VIEW)
    offered = VIEW_PARAMS_OFFERED.get(view or "", ())
    notices += view_param_notices({name: st.query_params.get_all(name) for name in offered if name in st.query_params})
    st.sidebar.caption(
        f"Build {escape_markdown(artifacts.manifest.get('build_id', '?'))}: {len(artifacts.articles):,} articles, "
        f"built {escape_markdown(str(artifacts.manifest.get('built_at', '?'))[:10])}"
    )
    notice_box = st.empty()

    def add_link_notices(*more: str) -> None:
        """All notices about the link in one box, redrawn when the page adds one (`PageContext.add_link_notice`)."""
        notices.extend(more)
        with notice_box.container():
            show_notices(merge_notices(notices))

    add_link_notices()
    articles = apply_filters(artifacts, filters)
    set_page_context(PageContext(artifacts=artifacts, filters=filters, articles=articles, pages=pages, events_path=resolve_events_path(),
                                 add_link_notice=add_link_notices))
    try:
        page.run()
    finally:
        set_page_context(None)
        artifacts.warm_up_later(WARM_UP_DELAY_S)


main()
