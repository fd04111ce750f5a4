"""Streamlit helpers every page uses: the page context, charts that select, tables, CSV downloads.

A page is written like this (see pages/overview.py):

    from dashboard.common import page_context, show_chart, show_table
    ctx = page_context()              # first line: the build, the filters, the filtered articles
    table = my_view.some_query(ctx.articles, ctx.artifacts.mentions)     # pure, in dashboard/<view>.py
    picked = show_chart(my_view.some_figure(table), table, name="some-table", key="some-chart")
    show_table(table, name="some-table", key="some-table")

`app.py` builds the context once per run (before `pg.run()`); `ctx.articles` is already
filtered by the sidebar, so a page never filters by itself. The context lives for the
page's run only (see set_page_context). A page that must work without a build (About,
Your corpus) calls `route_through_app()` or `optional_page_context()` instead of `page_context()`.
"""
from __future__ import annotations

import gc
import re
import runpy
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from dashboard.about import MEASURE_PARAM
from dashboard.config import APP_FILE
from dashboard.data import Artifacts
from dashboard.figures import selected_custom_data
from dashboard.filters import Filters, to_query_params
from dashboard.queries import MAX_LISTED, article_table, newest_articles
from dashboard.safe_text import escape_markdown
from dashboard.selection import SEL_PARAM, Part, format_selection, parse_selection
from pipeline import memory

_CONTEXT = threading.local()
"""The page context of the run on this thread (Streamlit runs each session's script in its own thread)."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
LISTING_COLUMNS = ("date", "source", "title", "tone", "leaders", "topic")
_LISTING_CONFIG = {
    "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
    "source": st.column_config.TextColumn("Source"),
    "title": st.column_config.TextColumn("Title", width="large"),
    "tone": st.column_config.NumberColumn("Tone", format="%+.2f", help="-1 (negative) to +1 (positive)"),
    "leaders": st.column_config.TextColumn("Top leaders"),
    "topic": st.column_config.TextColumn("Topic"),
}


@dataclass(frozen=True, eq=False)
class PageContext:
    """What a page needs, computed once per run by app.py."""

    artifacts: Artifacts
    """The whole build (read-only, shared by all sessions)."""
    filters: Filters
    """The sidebar's filters, as in the URL."""
    articles: pd.DataFrame
    """The articles the filters select (all columns of articles.parquet)."""
    pages: Mapping[str, Any]
    """st.Page objects by view name ("overview", "articles", ...) for st.page_link / st.switch_page."""
    events_path: Path
    """data/events.csv or $PENINSULA_WATCH_EVENTS (may not exist)."""
    add_link_notice: Callable[[str], None]
    """Adds a notice about a value of the link the page reads itself (a malformed `sel`) to the one box that holds
    the others (app.py's), instead of a second box."""


def set_page_context(context: PageContext | None) -> None:
    """Called by app.py around pg.run(): the context, then None once the page has run.

    Dropping it after the run matters: a filtered copy of the articles (up to 20 MB at 100,000
    stories) per idle session would add up. It is kept on the script's thread, not in
    `st.session_state`: once a page has called `st.stop()`, every access to session state
    raises StopException again, so app.py could not drop it (nor run what follows in its
    `finally`) after any page that stops early. A `@st.fragment` function in a page should
    use the `ctx` of its enclosing page code (a closure), not call page_context() itself.

    Dropping it also collects what the run left in reference cycles (the page's module, which
    holds the run's tables) once the build's warm-up has frozen the long-lived objects, which
    makes a collection cheap (see `data._warm_up_for_good`); before that, Python's own schedule. Then the
    free pages left inside the heap by the run go back to the system (`pipeline.memory.trim_heap`).
    """
    _CONTEXT.value = context
    if context is None and gc.get_freeze_count():
        gc.collect()
        memory.trim_heap()


def route_through_app() -> None:
    """Run app.py instead when Streamlit ran this page file on its own.

    Because the folder is named `pages/`, Streamlit starts in its legacy multipage mode
    until app.py's `st.navigation` has run once in the process: the first request of a
    fresh server to a deep link (and every AppTest run on a page other than the default)
    executes the page file directly, without sidebar, filters or context. Then app.py
    runs here, in the same script run (widget state and URL intact); its st.navigation
    resolves to this same page and runs it, after which this outer run stops.
    """
    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP_FILE), run_name="__main__")
        st.stop()


def page_context() -> PageContext:
    """The context of this run; call it first thing in a page: `ctx = page_context()`."""
    route_through_app()
    context = getattr(_CONTEXT, "value", None)
    if context is None:
        raise RuntimeError("page_context() outside a page run by app.py")
    return context


def optional_page_context() -> PageContext | None:
    """The context of this run, or None when no build could be loaded (for pages that work without one)."""
    route_through_app()
    return getattr(_CONTEXT, "value", None)


def open_article_page(context: PageContext, article_id: str) -> None:
    """Switch to the Articles page with this article open and the same filters (does not return)."""
    st.switch_page(context.pages["articles"], query_params=to_query_params(replace(context.filters, article=article_id)))


def about_link(context: PageContext, measure: str, label: str) -> None:
    """A link to the About page opened on this measure's tab (`measure`: a docs/measures file name, e.g. "tone")."""
    if "about" in context.pages:
        st.page_link(context.pages["about"], label=label, icon=":material/info:", query_params={MEASURE_PARAM: measure})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV of a table, safe to open in a spreadsheet.

    Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or
    CR: corpus titles are untrusted) get a leading apostrophe; tuples and lists are
    joined with "; "; decimals are rounded (`csv_number`).
    """
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        safe[column] = values.astype(object).map(_safe_cell)
    return safe.to_csv(index=False, float_format=csv_number).encode("utf-8")


def csv_number(value: float) -> str:
    """A decimal as a CSV shows it: 3 decimals from 1 up (12.346), 4 significant digits below (0.1235, 0.00001234),
    no trailing zeros. The measures are estimates: more digits would only suggest a precision they do not have."""
    if abs(value) >= 1:
        return f"{value:.3f}".rstrip("0").rstrip(".")
    return np.format_float_positional(value, precision=4, unique=False, fractional=False, trim="-")


def _safe_cell(value: object) -> object:
    if isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_file_name(name: str) -> str:
    """A safe download file name: `name` may hold an article id from the corpus."""
    return (_UNSAFE_FILE_NAME.sub("-", name).strip(".-") or "table")[:100] + ".csv"


def download_csv(frame: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str) -> None:
    """A "Download CSV" button for a table (or a function that makes it, such as a read from disk);
    the CSV is only made when the button is clicked.

    Streamlit keeps the button's function for the session until its next run ends: `frame` must hold little (a
    lambda defined in a page holds the page's globals, the run's filtered articles with them; see `article_rows_csv`)."""
    st.download_button(
        "Download CSV", data=lambda: csv_bytes(frame() if callable(frame) else frame), file_name=csv_file_name(name), mime="text/csv",
        key=key, on_click="ignore", icon=":material/download:", type="tertiary",
    )


def show_chart(fig: go.Figure, data: pd.DataFrame, name: str, key: str, selectable: bool = True) -> list[tuple[Any, ...]]:
    """Draw a chart with its data downloadable; when selectable, return the selected points' customdata."""
    selection = {"on_select": "rerun", "selection_mode": ("points", "box", "lasso")} if selectable else {}
    event = st.plotly_chart(fig, key=key, config={"displaylogo": False}, **selection)
    download_csv(data, name, key=f"{key}-csv")
    return selected_custom_data(event) if selectable else []


def show_table(frame: pd.DataFrame, name: str, key: str, csv: Callable[[], pd.DataFrame] | None = None, **dataframe_options: Any) -> Any:
    """st.dataframe (text is never interpreted) plus its CSV download (of `frame`, or of what `csv` makes when the
    table shows only part of it); returns st.dataframe's result."""
    shown = st.dataframe(frame, key=key, hide_index=True, **dataframe_options)
    download_csv(frame if csv is None else csv, name, key=f"{key}-csv")
    return shown


def show_article_listing(table: pd.DataFrame, name: str, key: str, csv: Callable[[], pd.DataFrame] | None = None) -> str | None:
    """A sortable, searchable listing of `queries.article_table` rows with single-row selection (`csv`: see `show_table`).

    Returns the id of an article the user has just selected (once: None on later runs
    while the selection stays as it is). The widget key includes the listing's ids, so
    a new listing starts unselected (a kept row index would point at another article).
    """
    listing_key = f"{key}-{hash(tuple(table['article_id']))}"
    event = show_table(
        table, name=name, key=listing_key, csv=csv, column_order=LISTING_COLUMNS, column_config=_LISTING_CONFIG,
        on_select="rerun", selection_mode="single-row", height=min(400, 38 + 35 * len(table)),
    )
    rows = event.selection.rows
    selection = (listing_key, str(table["article_id"].iloc[rows[0]]) if rows else None)
    if st.session_state.get(f"{key}-selection") == selection:
        return None
    st.session_state[f"{key}-selection"] = selection
    return selection[1]


def article_rows_csv(artifacts: Artifacts, articles: pd.DataFrame) -> Callable[[], pd.DataFrame]:
    """What makes the CSV of `queries.article_table(articles, ...)` on a click, holding the articles' rows in the build
    (4 bytes each) rather than `articles`: a filtered copy is ~200 bytes per article (the title), kept per session."""
    return partial(_article_table_at, artifacts, articles["article_id"].cat.codes.to_numpy())


def _article_table_at(artifacts: Artifacts, rows: np.ndarray) -> pd.DataFrame:
    return article_table(artifacts.articles.iloc[rows], artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)


def show_selected_articles(context: PageContext, articles: pd.DataFrame, matched: str, name: str, key: str) -> None:
    """The listing of the articles behind a chart selection, `matched` saying how they were chosen ("in the selection"):
    the newest MAX_LISTED are listed (a click on a busy chart at a million stories selects hundreds of thousands), the
    CSV (file `name`) has them all; selecting one opens it on the Articles page."""
    artifacts = context.artifacts
    table = article_table(newest_articles(articles, MAX_LISTED), artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    listed = f" The newest {MAX_LISTED:,} are listed (the CSV has them all)." if len(articles) > MAX_LISTED else ""
    st.caption(f"{len(articles):,} article{'' if len(articles) == 1 else 's'} {matched}.{listed} Select one to open it on the Articles page.")
    picked = show_article_listing(table.head(MAX_LISTED), name=name, key=key, csv=article_rows_csv(artifacts, articles))
    if picked:
        open_article_page(context, picked)


def show_notices(notices: list[str]) -> None:
    """One visible warning per notice; notices may quote URL values, so Markdown is escaped."""
    for notice in notices:
        st.warning(escape_markdown(notice), icon=":material/warning:")


def _clear_selection() -> None:
    if SEL_PARAM in st.query_params:
        del st.query_params[SEL_PARAM]


def kept_selection(picked: Sequence[Sequence[str]], parts: Sequence[Part], key: str) -> tuple[tuple[str, ...], ...] | None:
    """The page's chart selection, kept in the URL as `sel` so that a shared link lists the same articles.

    `picked` holds the values of each part that the chart's selection gives on this run
    (all empty when nothing is selected). When the chart's selection changed since the last
    run (a click, a box, a double-click that clears it) it is written to the URL; otherwise
    the URL's value stands (a shared link opens with the chart unselected: Plotly's selection
    cannot be set from Python). An invalid URL value is dropped with a notice; a selection
    that comes from the URL alone gets a button to clear it.
    """
    chart_value = format_selection(picked)
    seen_key = f"{key}-seen-selection"
    changed = seen_key in st.session_state and st.session_state[seen_key] != chart_value
    st.session_state[seen_key] = chart_value
    if changed or chart_value is not None:
        value = chart_value
    else:
        value = st.query_params.get(SEL_PARAM)
    groups, notice = parse_selection(value, parts)
    if notice:
        page_context().add_link_notice(notice)
    if groups is None:
        _clear_selection()
        return None
    st.query_params[SEL_PARAM] = value
    if chart_value is None:
        st.button("Show all", on_click=_clear_selection, key=f"{key}-clear", icon=":material/close:", type="tertiary",
                  help="Forget the selection that came with the link.")
    return groups


# --- keyword in context: the listing and the term box (Keywords and Compare) ---------------

# The context first (the concordance reads across left | term | right), the article after it.
_KWIC_ORDER = ("date", "left", "term", "right", "title", "source")
_KWIC_CONFIG = {
    "date": st.column_config.DateColumn("Date", format="YYYY-MM-DD", width=95),
    "left": st.column_config.TextColumn("Before", alignment="right", width=330),
    "term": st.column_config.TextColumn("Term", alignment="center", width=110),
    "right": st.column_config.TextColumn("After", width=330),
    "title": st.column_config.TextColumn("Article", width=260),
    "source": st.column_config.TextColumn("Source", width=140),
}


def show_kwic(context: PageContext, articles: pd.DataFrame, term: str, name: str, key: str, statement: str | None = None) -> None:
    """The newest MAX_KWIC_LINES keyword-in-context lines of `term` in `articles`, the term highlighted;
    selecting a line opens its article on the Articles page. Corpus text is shown as data, never markup.

    Only the sentences it takes to fill the lines are read (`keywords_view.in_context`), so the counts are
    exact only when every sentence fits; the CSV reads them all when clicked.
    `statement` (plain text, e.g. `keywords_view.selection_statement`) is written in bold above the lines with their counts.
    """
    from dashboard import keywords_view as kwv  # scipy.sparse and sklearn: paid by the pages that show these lines, not the first page

    artifacts = context.artifacts
    listing = kwv.in_context(artifacts.term_matrix, artifacts.texts, articles, term, kwv.MAX_KWIC_LINES)
    if statement:
        st.markdown(f"**{escape_markdown(statement)}: {listing.counts}**")
    lines = listing.lines
    if lines.empty:
        st.caption("No sentence uses this term here.")
        return
    listed = f"The newest {len(lines):,} are shown; the CSV" if listing.more else "The CSV"
    st.caption(" ".join(filter(None, [None if statement else f"{listing.counts[:1].upper()}{listing.counts[1:]}.",
                                      f"{listed} has every sentence in full.", "Select a line to open its article."])))
    highlighted = lines.style.set_properties(subset=["term"], **{"background-color": "#ffe08a", "font-weight": "bold"})
    listing_key = f"{key}-{hash(tuple(lines['article_id']))}-{hash(tuple(lines['sentence_idx']))}"
    event = st.dataframe(
        highlighted, key=listing_key, hide_index=True, column_order=_KWIC_ORDER,
        column_config=_KWIC_CONFIG, on_select="rerun", selection_mode="single-row", height=min(400, 38 + 35 * len(lines)),
    )
    # The button keeps its function for the session: it holds the build's articles (shared) and the candidates' positions, no copy.
    download_csv(partial(kwv.every_sentence, artifacts.texts, artifacts.articles, listing.candidates, term), name, key=f"{key}-csv")
    rows = event.selection.rows
    if rows:
        open_article_page(context, str(lines["article_id"].iloc[rows[0]]))


def term_selectbox(choices: Sequence[str], key: str, clicked: str | None, hint: str) -> str | None:
    """A selectbox of terms, kept in the URL under `key`, that also takes a typed term. A term newly
    `clicked` in a chart becomes its value once, so the user can still change it while the click stays selected."""
    seen_key = f"{key}-clicked"
    if clicked is not None and clicked != st.session_state.get(seen_key):
        st.session_state[key] = clicked
    st.session_state[seen_key] = clicked
    options = list(dict.fromkeys(choices))
    current = st.session_state.get(key) or st.query_params.get(key)
    if current and current not in options:
        options.insert(0, current)
    return st.selectbox("Term", options, key=key, bind="query-params", accept_new_options=True, help=hint)
