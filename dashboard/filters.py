"""The shared filters: what they are, how they travel in the URL, and what they select.

The URL is the source of truth for a shared link: `start`, `end` (YYYY-MM-DD),
`leader`, `source`, `topic` (ids), `q` and `article`. Multi-valued parameters may be
repeated (`leader=a&leader=b`) or comma-separated (`leader=a,b`); unknown or malformed
values are dropped with a notice, never an exception.

Pure part (tested without Streamlit): `Filters`, `FilterUniverse`, `parse_query_params`,
`to_query_params`, `apply_filters`. Streamlit part: `filter_sidebar` (the widgets, kept
in sync with the URL in this one place) and `open_article`.

Why the URL is synced by hand and not with `bind="query-params"` (checked on Streamlit
1.67 with AppTest and in its source): a bound multiselect writes the `format_func`
label to the URL (`leader=Kim+Jong+Un`) and silently drops ids, so readable labels
and ids in the URL cannot both be had; comma-separated values are dropped; invalid
values and out-of-range dates are removed without any hook for a notice; and the
frontend keeps only bound parameters on a page switch, so binding some and not
others would split the state in two places.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from dashboard.safe_text import MAX_ECHO_LENGTH, shown_in_notice
from dashboard.queries import FREQUENCIES, MIN_MEDIAN_ARTICLES, choose_frequency
from pipeline import search_index

if TYPE_CHECKING:
    from dashboard.data import Artifacts

FILTER_PARAMS = ("start", "end", "leader", "source", "topic", "q", "article")
TOPIC_MIN_WEIGHT = 0.2
"""An article is "about" a topic when it is its dominant topic or the topic's weight is at least this."""
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_PARAM = 50
"""Distinct values read per multi-valued parameter; more than any widget offers in practice."""
MAX_ECHOED_VALUES = 5
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

QueryParams = Mapping[str, "str | Sequence[str]"]
Container = Mapping[str, object] | frozenset[str] | tuple[str, ...]


@dataclass(frozen=True)
class Filters:
    """The view the user asked for. None/empty means "no restriction" (a clean URL)."""

    start: date | None = None
    end: date | None = None
    leaders: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    topics: tuple[int, ...] = ()
    q: str = ""
    article: str | None = None


@dataclass(frozen=True, eq=False)
class FilterUniverse:
    """The values a filter may take in one build (what the widgets offer)."""

    first_date: date
    last_date: date
    leaders: Mapping[str, str] = field(default_factory=dict)
    """actor_id -> display name, most mentioned first (only actors that are mentioned)."""
    sources: tuple[str, ...] = ()
    topics: Mapping[int, str] = field(default_factory=dict)
    """topic_id -> unique display label."""
    article_ids: AbstractSet[str] | pd.Index = frozenset()
    """The build's article ids (`in` is all that is asked of them): the app passes its index of them, not a set of
    a million more strings."""


# --- pure: URL <-> Filters -------------------------------------------------------------


def _values(params: QueryParams, name: str) -> list[str]:
    raw = params.get(name)
    if raw is None:
        return []
    return [raw] if isinstance(raw, str) else [str(value) for value in raw]



def _quoted_list(values: Sequence[str]) -> str:
    """At most MAX_ECHOED_VALUES values, quoted and shortened, then how many more there were."""
    listed = ", ".join(f'"{shown_in_notice(value)}"' for value in values[:MAX_ECHOED_VALUES])
    more = len(values) - MAX_ECHOED_VALUES
    return f"{listed} and {more:,} more" if more > 0 else listed


def _pick(raw_values: Iterable[str], known: Container, name: str, notices: list[str]) -> list[str]:
    """Known values in order of appearance; a raw value that is not itself known is split on commas.

    Repeats are read once and at most MAX_VALUES_PER_PARAM distinct values are looked at, so
    a link repeating a value thousands of times costs little and gives one notice, not thousands.
    """
    distinct: dict[str, None] = {}
    for raw in raw_values:
        parts = [raw] if raw in known else [part.strip() for part in raw.split(",")]
        distinct.update((part, None) for part in parts if part)
    values = list(distinct)
    if len(values) > MAX_VALUES_PER_PARAM:
        notices.append(f"Only the first {MAX_VALUES_PER_PARAM} different {name} values were read ({len(values):,} given).")
        values = values[:MAX_VALUES_PER_PARAM]
    unknown = [value for value in values if value not in known]
    if len(unknown) == 1:
        notices.append(f'Ignored {name} "{shown_in_notice(unknown[0])}": not a known {name} of this build.')
    elif unknown:
        notices.append(f"Ignored {len(unknown)} {name} values not known in this build: {_quoted_list(unknown)}.")
    return [value for value in values if value in known]


def _parse_date(raw_values: list[str], name: str, notices: list[str]) -> date | None:
    if not raw_values or not raw_values[-1].strip():
        return None
    raw = raw_values[-1].strip()
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    notices.append(f'Ignored {name} "{shown_in_notice(raw)}": not a date in the form YYYY-MM-DD.')
    return None


def _clamp_and_order(start: date | None, end: date | None, universe: FilterUniverse, notices: list[str]) -> tuple[date | None, date | None]:
    """Clamp dates into the data's range and swap a reversed range; bounds equal to the data's become None."""
    first, last = universe.first_date, universe.last_date
    if start is not None and not first <= start <= last:
        clamped = min(max(start, first), last)
        notices.append(f"Start {start} is outside the data ({first} to {last}): using {clamped}.")
        start = clamped
    if end is not None and not first <= end <= last:
        clamped = min(max(end, first), last)
        notices.append(f"End {end} is outside the data ({first} to {last}): using {clamped}.")
        end = clamped
    if (start or first) > (end or last):
        notices.append(f"Start {start or first} is after end {end or last}: the two were swapped.")
        start, end = end or last, start or first
    return (None if start == first else start), (None if end == last else end)


def parse_query_params(params: QueryParams, universe: FilterUniverse) -> tuple[Filters, list[str]]:
    """Read filters from URL parameters (as `st.query_params` gives them: str or list of str).

    Returns the filters and human-readable notices about every value that was dropped or
    changed. Parameters that are not filters (other pages' own) are left alone, silently.
    """
    notices: list[str] = []
    start = _parse_date(_values(params, "start"), "start", notices)
    end = _parse_date(_values(params, "end"), "end", notices)
    start, end = _clamp_and_order(start, end, universe, notices)
    topic_ids = {str(topic_id): topic_id for topic_id in universe.topics}
    q_values = _values(params, "q")
    q = q_values[-1].strip() if q_values else ""
    if len(q) > MAX_QUERY_LENGTH:
        notices.append(f"The search text was cut to {MAX_QUERY_LENGTH} characters.")
        q = q[:MAX_QUERY_LENGTH]
    article_values = [value.strip() for value in _values(params, "article") if value.strip()]
    article = article_values[-1] if article_values else None
    if article is not None and article not in universe.article_ids:
        notices.append(f'Ignored article "{shown_in_notice(article)}": no article with this id in this build.')
        article = None
    filters = Filters(
        start=start,
        end=end,
        leaders=tuple(_pick(_values(params, "leader"), universe.leaders, "leader", notices)),
        sources=tuple(_pick(_values(params, "source"), universe.sources, "source", notices)),
        topics=tuple(topic_ids[value] for value in _pick(_values(params, "topic"), topic_ids, "topic", notices)),
        q=q,
        article=article,
    )
    return filters, notices


def to_query_params(filters: Filters) -> dict[str, list[str]]:
    """The URL parameters of a view: only what restricts it, each as a list of values.

    A one-element list is written as a single `key=value`, several as repeated keys
    (what `st.query_params[key] = [...]` does); `parse_query_params` reads both back.
    """
    params: dict[str, list[str]] = {}
    if filters.start is not None:
        params["start"] = [filters.start.isoformat()]
    if filters.end is not None:
        params["end"] = [filters.end.isoformat()]
    if filters.leaders:
        params["leader"] = list(filters.leaders)
    if filters.sources:
        params["source"] = list(filters.sources)
    if filters.topics:
        params["topic"] = [str(topic_id) for topic_id in filters.topics]
    if filters.q:
        params["q"] = [filters.q]
    if filters.article:
        params["article"] = [filters.article]
    return params


def merge_notices(notices: Sequence[str]) -> list[str]:
    """All notices about one link as a single notice (one box on the page), or none."""
    if len(notices) <= 1:
        return list(notices)
    return [f"Some values in this link were changed or ignored. {' '.join(notices)}"]


# --- pure: view choices in the URL (how to show, not what: Streamlit's binding keeps them) ---

PERIOD_PARAM = "period"
"""Time granularity of every time chart (week, month, quarter, year); absent = chosen from the data."""
EVENTS_PARAM = "events"
"""How the timeline shows events: absent = the key few labelled and the rest as marks."""
EVENT_MODES = ("labels", "marks", "off")
VIEW_PARAMS = {PERIOD_PARAM: FREQUENCIES, EVENTS_PARAM: EVENT_MODES}


def view_param_notices(params: QueryParams) -> list[str]:
    """Notices about view choices in a link that no control offers (the control then ignores them)."""
    notices = []
    for name, allowed in VIEW_PARAMS.items():
        values = _values(params, name)
        if values and values[-1] not in allowed:
            notices.append(f'Ignored {name} "{shown_in_notice(values[-1])}": it is one of {", ".join(allowed)}.')
    return notices


# --- pure: Filters -> articles ---------------------------------------------------------


SEARCH_HELP = ("Whole words in order, any case and accent: \"Kim Jong Un\" also finds \"Kim Jong-un\". "
               "End with * to take the last word as a prefix: \"denuclear*\".")


def search_notices(q: str) -> list[str]:
    """A notice when the search text has no word to look for (it then matches no article)."""
    if q and not search_index.query_words(q):
        return [f'The search text "{shown_in_notice(q)}" has no letters or digits, so no article matches it.']
    return []


def apply_filters(artifacts: Artifacts, filters: Filters) -> pd.DataFrame:
    """The articles of the build that the filters select (all of `artifacts.articles`' columns, its order).

    - dates: inclusive days;
    - leaders: the article mentions ANY of them;
    - topics: ANY of them is the article's dominant topic or has a weight >= TOPIC_MIN_WEIGHT
      (the dominant topic alone would hide articles split between two topics);
    - q: the words of the search text in order in the title or the text, any case and accent, a final * for a
      prefix (the rule of `pipeline.search_index`), found in the build's index (`TextStore.search`; each
      search text's matches are kept per build);
    - `article` does not narrow the list (it opens one article's breakdown).

    Without any restriction the articles frame itself is returned (no copy).
    """
    articles, mentions, doc_topics = artifacts.articles, artifacts.mentions, artifacts.doc_topics
    mask = np.ones(len(articles), dtype=bool)
    dates = articles["date"]
    if filters.start is not None:
        mask &= (dates >= pd.Timestamp(filters.start)).to_numpy()
    if filters.end is not None:
        mask &= (dates < pd.Timestamp(filters.end) + pd.Timedelta(days=1)).to_numpy()
    if filters.sources:
        mask &= articles["source"].isin(filters.sources).to_numpy()
    if filters.leaders:
        mentioning = mentions.loc[mentions["actor_id"].isin(filters.leaders), "article_id"].unique()
        mask &= articles["article_id"].isin(mentioning).to_numpy()
    if filters.topics:
        weighted = doc_topics.loc[doc_topics["topic_id"].isin(filters.topics) & (doc_topics["weight"] >= TOPIC_MIN_WEIGHT), "article_id"]
        mask &= (articles["topic_id"].isin(filters.topics) | articles["article_id"].isin(weighted.unique())).to_numpy()
    if filters.q:
        mask &= artifacts.texts.search(filters.q)[articles["article_id"].cat.codes.to_numpy()]
    return articles if mask.all() else articles.loc[mask]


# --- Streamlit: sidebar widgets <-> URL (the one place that syncs them) -----------------

_START_KEY, _END_KEY = "pw_filter_start", "pw_filter_end"
_LEADERS_KEY, _SOURCES_KEY, _TOPICS_KEY, _Q_KEY = "pw_filter_leaders", "pw_filter_sources", "pw_filter_topics", "pw_filter_q"
_WIDGET_KEYS = (_START_KEY, _END_KEY, _LEADERS_KEY, _SOURCES_KEY, _TOPICS_KEY, _Q_KEY)
_ARTICLE_KEY = "pw_open_article"
_WRITTEN_KEY = "pw_url_written"
_PAGE_KEY = "pw_page"


def _filter_params_in_url() -> dict[str, list[str]]:
    """The filter parameters in the browser's URL now, each as a list of values."""
    return {name: st.query_params.get_all(name) for name in FILTER_PARAMS if name in st.query_params}


def _write_filter_params(params: dict[str, list[str]]) -> None:
    """Put the filter parameters in the URL (other parameters are left alone)."""
    if _filter_params_in_url() != params:
        for name in FILTER_PARAMS:
            if name in params:
                st.query_params[name] = params[name]
            elif name in st.query_params:
                del st.query_params[name]
    st.session_state[_WRITTEN_KEY] = params


def _seed_widgets(filters: Filters, universe: FilterUniverse) -> None:
    st.session_state[_START_KEY] = filters.start or universe.first_date
    st.session_state[_END_KEY] = filters.end or universe.last_date
    st.session_state[_LEADERS_KEY] = list(filters.leaders)
    st.session_state[_SOURCES_KEY] = list(filters.sources)
    st.session_state[_TOPICS_KEY] = list(filters.topics)
    st.session_state[_Q_KEY] = filters.q
    st.session_state[_ARTICLE_KEY] = filters.article


def forget_filters() -> None:
    """Drop the session's filters and their URL parameters (the corpus changed under them).

    The next filter_sidebar then starts from the new corpus's full range, as on a first visit.
    """
    for key in (*_WIDGET_KEYS, _ARTICLE_KEY, _WRITTEN_KEY):
        st.session_state.pop(key, None)
    for name in FILTER_PARAMS:
        if name in st.query_params:
            del st.query_params[name]


def _reset_filters(universe: FilterUniverse) -> None:
    _seed_widgets(Filters(), universe)


def _keep_dates_in_range(universe: FilterUniverse) -> None:
    """A rebuild can shrink the data's range under a session's chosen dates; date_input refuses those."""
    for key in (_START_KEY, _END_KEY):
        chosen = st.session_state[key]
        if chosen is None:  # a cleared date input: no restriction
            continue
        clamped = min(max(chosen, universe.first_date), universe.last_date)
        if clamped != chosen:
            st.session_state[key] = clamped


# Streamlit 1.67's date field commits a typed date only when focus leaves it, not on Enter (checked in Chromium):
# Enter in a sidebar date field now does what a click elsewhere does, which commits it. A constant script, no user input in it.
_ENTER_COMMITS_DATES = """<script>
if (!window.__pwEnterCommitsDates) {
  window.__pwEnterCommitsDates = true;
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof HTMLElement && event.target.closest('[data-testid="stDateInput"]')) {
      event.preventDefault();
      event.stopPropagation();
      // What a click elsewhere does: a press outside the field, then the focus leaves it.
      document.body.dispatchEvent(new PointerEvent("pointerdown", {bubbles: true}));
      document.body.dispatchEvent(new MouseEvent("mousedown", {bubbles: true}));
      event.target.blur();
    }
  }, true);
}
</script>"""


def _render_widgets(universe: FilterUniverse) -> tuple[Filters, list[str]]:
    _keep_dates_in_range(universe)
    with st.sidebar:
        st.header("Filters")
        st.html(_ENTER_COMMITS_DATES, unsafe_allow_javascript=True)
        start = st.date_input("From", min_value=universe.first_date, max_value=universe.last_date, key=_START_KEY, format="YYYY-MM-DD")
        end = st.date_input("To", min_value=universe.first_date, max_value=universe.last_date, key=_END_KEY, format="YYYY-MM-DD")
        leaders = st.multiselect(
            "Leaders", list(universe.leaders), format_func=universe.leaders.__getitem__, key=_LEADERS_KEY,
            placeholder="All leaders", help="Articles that mention any of the chosen leaders.",
        )
        sources = st.multiselect("Sources", list(universe.sources), key=_SOURCES_KEY, placeholder="All sources")
        topics = st.multiselect(
            "Topics", list(universe.topics), format_func=universe.topics.__getitem__, key=_TOPICS_KEY, placeholder="All topics",
            help=f"Articles whose dominant topic is one of these, or that give one of them a weight of at least {TOPIC_MIN_WEIGHT:.0%}.",
        )
        q = st.text_input("Search titles and text", key=_Q_KEY, max_chars=MAX_QUERY_LENGTH, placeholder="e.g. summit", help=SEARCH_HELP)
        st.button("Reset filters", on_click=_reset_filters, args=(universe,), width="stretch")
    notices: list[str] = []
    start, end = _clamp_and_order(start, end, universe, notices)
    filters = Filters(start=start, end=end, leaders=tuple(leaders), sources=tuple(sources), topics=tuple(topics), q=q.strip())
    return filters, notices + search_notices(filters.q)


def filter_sidebar(universe: FilterUniverse, page_id: str, keep_article: bool) -> tuple[Filters, list[str]]:
    """Render the shared filters in the sidebar, in sync with the URL; return them and any notices (unmerged).

    The URL wins when it changed behind our back (first load, a pasted link, browser
    back/forward); the widgets win otherwise. On a switch between pages the frontend
    drops parameters that are not bound to widgets, so an empty URL right after a page
    change keeps the session's filters and writes them back. `keep_article` is False on
    pages that do not show one article: `article` then stays out of their URL.
    """
    url = _filter_params_in_url()
    written = st.session_state.get(_WRITTEN_KEY)
    previous_page = st.session_state.get(_PAGE_KEY)
    st.session_state[_PAGE_KEY] = page_id
    dropped_by_page_switch = previous_page not in (None, page_id) and not url
    notices: list[str] = []
    widgets_lost = any(key not in st.session_state for key in _WIDGET_KEYS)
    if written is None or widgets_lost or (url != written and not dropped_by_page_switch):
        # Back from a page without the sidebar (About, Your corpus) the widgets are gone and so are the URL's
        # filters: the ones last written are the session's.
        url_filters, notices = parse_query_params(written if dropped_by_page_switch and written is not None else url, universe)
        _seed_widgets(url_filters, universe)
    filters, widget_notices = _render_widgets(universe)
    article = st.session_state.get(_ARTICLE_KEY) if keep_article else None
    filters = replace(filters, article=article if article in universe.article_ids else None)
    _write_filter_params(to_query_params(filters))
    return filters, notices + widget_notices


def open_article(article_id: str | None) -> None:
    """Open one article's breakdown (None closes it) and record it in the URL."""
    st.session_state[_ARTICLE_KEY] = article_id
    params = {name: values for name, values in st.session_state.get(_WRITTEN_KEY, {}).items() if name != "article"}
    if article_id:
        params["article"] = [article_id]
    _write_filter_params(params)


def period_control(dates: pd.Series) -> str:
    """The week/month/quarter/year control of a page's time charts, kept in the URL as `period`; returns the choice.

    Nothing chosen (the default; click the chosen one again to get back to it) means
    `choose_frequency` of the dates shown, named in the help text.
    """
    automatic = choose_frequency(dates)
    chosen = st.segmented_control(
        "Time periods", FREQUENCIES, key=PERIOD_PARAM, bind="query-params",
        help=f"Automatic: {automatic}, the shortest period whose typical one holds at least {MIN_MEDIAN_ARTICLES} articles. "
             "Pick another to change every time chart of the page; click it again for the automatic choice.",
    )
    return chosen or automatic


def events_control() -> str:
    """How the timeline shows events (`EVENT_MODES`), kept in the URL as `events`."""
    return st.segmented_control(
        "Events", EVENT_MODES, key=EVENTS_PARAM, bind="query-params", default=EVENT_MODES[0],
        help="labels: the most important events of the period named on the chart, the others as small marks (hover or tap them); "
             "marks: every event as a mark; off: no events.",
    ) or EVENT_MODES[0]
