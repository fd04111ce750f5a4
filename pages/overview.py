"""Overview: how much coverage, from which sources, about which leaders, around which events."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import overview
from dashboard.common import open_article_page, page_context, show_article_listing, show_chart, show_notices, show_table
from dashboard.data import read_events
from dashboard.filters import apply_filters
from dashboard.queries import article_table, articles_in_periods, articles_mentioning, choose_frequency
from dashboard.safe_text import escape_markdown

ctx = page_context()
artifacts = ctx.artifacts


def list_articles(selected, key: str) -> None:
    """The articles behind a chart selection; selecting one opens it on the Articles page."""
    table = article_table(selected, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
    st.caption(f"{len(table):,} article{'' if len(table) == 1 else 's'} in the selection. Select one to open it on the Articles page.")
    picked = show_article_listing(table, name=key, key=key)
    if picked:
        open_article_page(ctx, picked)


st.title("Overview")
head = overview.headline(ctx.articles)
if head.articles == 0:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()
columns = st.columns([1, 1, 2, 1])
columns[0].metric("Articles", f"{head.articles:,}")
columns[1].metric("Sources", f"{head.sources:,}")
columns[2].metric("Date span", f"{head.first:%Y-%m-%d} – {head.last:%Y-%m-%d}")
columns[3].metric("Mean tone", f"{head.mean_tone:+.2f}", help="Mean of the articles' tone, from -1 (negative) to +1 (positive).")

st.subheader("Articles over time")
frequency = choose_frequency(head.first, head.last)
measure = st.segmented_control("Show", list(overview.MEASURES), format_func=overview.MEASURES.__getitem__, default="articles", key="overview_measure")
events, event_notices = read_events(ctx.events_path)
show_notices(event_notices)
volume = overview.volume_by_period(ctx.articles, frequency)
figure = overview.volume_figure(volume, measure or "articles", frequency, overview.events_in_range(events, head.first, head.last))
picked_cells = show_chart(figure, volume, name=f"articles-per-{frequency}", key="overview_volume")
st.caption(f"Per {frequency}, by source; dotted lines mark events. Click a bar or drag a box to list its articles.")
if picked_cells:
    list_articles(articles_in_periods(ctx.articles, picked_cells, frequency), key="overview_volume_articles")

st.subheader("Most-mentioned leaders")
leaders = overview.leader_mentions(ctx.articles, artifacts.mentions, artifacts.actor_names)
if leaders.empty:
    st.caption("No leader is mentioned in the filtered articles.")
else:
    picked_leaders = show_chart(overview.leaders_figure(leaders), leaders, name="most-mentioned-leaders", key="overview_leaders")
    if picked_leaders:
        list_articles(articles_mentioning(ctx.articles, artifacts.mentions, [actor_id for (actor_id,) in picked_leaders]), key="overview_leader_articles")

st.subheader("Around an event")
universe = artifacts.universe
dated_events = overview.events_in_range(events, universe.first_date, universe.last_date)
if dated_events.empty:
    st.caption("No event of data/events.csv falls within the data's dates.")
else:
    choice = st.selectbox(
        "Event", range(len(dated_events)), key="overview_event",
        format_func=lambda row: f"{dated_events['date'].iloc[row]:%Y-%m-%d} · {dated_events['label'].iloc[row]}",
    )
    days = st.slider("Days before and after", min_value=7, max_value=90, value=30, key="overview_event_days")
    event = dated_events.iloc[choice]
    if event["description"]:
        st.caption(escape_markdown(event["description"]))
    # The windows ignore the date filter (they are set by the event) but keep the others.
    dated = ctx.filters.start is not None or ctx.filters.end is not None
    undated = apply_filters(artifacts.articles, artifacts.mentions, artifacts.doc_topics, replace(ctx.filters, start=None, end=None)) if dated else ctx.articles
    changes = overview.event_window(undated, artifacts.mentions, artifacts.actor_names, event["date"].date(), days)
    st.caption(f"The {days} days before the event are the baseline; the {days} days from it on are compared with them.")
    show_chart(overview.event_change_figure(changes), changes, name="event-window", key="overview_event_chart", selectable=False)
    show_table(changes, name="event-window-table", key="overview_event_table",
               column_config={column: st.column_config.NumberColumn(format="%.3f") for column in ("before", "after", "change")})
