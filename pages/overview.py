"""Overview: how much coverage, from which sources, about which leaders, around which events."""
from __future__ import annotations

import streamlit as st

from dashboard import overview
from dashboard.common import page_context, show_chart, show_notices, show_selected_articles
from dashboard.data import read_events
from dashboard.filters import events_control, period_control
from dashboard.queries import articles_in_periods, articles_mentioning
from dashboard.safe_text import escape_markdown

ctx = page_context()
artifacts = ctx.artifacts


st.title("Overview")
head = overview.headline(ctx.articles)
if head.articles == 0:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()
with st.container(horizontal=True, gap="large"):  # one row on a phone too: three short figures
    st.metric("Articles", f"{head.articles:,}", width="content")
    st.metric("Sources", f"{head.sources:,}", width="content")
    st.metric("Mean tone", f"{head.mean_tone:+.2f}", width="content", help="Mean of the articles' tone, from -1 (negative) to +1 (positive).")
st.caption(f"Dated {head.first:%Y-%m-%d} to {head.last:%Y-%m-%d}.")

st.subheader("Articles over time")
with st.container(horizontal=True, gap="medium"):
    measure = st.segmented_control("Show", list(overview.MEASURES), format_func=overview.MEASURES.__getitem__, default="articles",
                                   key="overview_measure")
    frequency = period_control(ctx.articles["date"])
    event_mode = events_control()
events, event_notices = read_events(ctx.events_path)
show_notices(event_notices)
first, last = ctx.filters.start or artifacts.universe.first_date, ctx.filters.end or artifacts.universe.last_date
volume = overview.volume_by_period(ctx.articles, frequency)
figure = overview.volume_figure(volume, measure or "articles", frequency, overview.key_events(events, first, last), event_mode)
picked_cells = show_chart(figure, volume, name=f"articles-per-{frequency}", key="overview_volume")
st.caption(f"Per {frequency}, by source. Named events are the most important of the period; the small triangles are the others "
           "(hover or tap one). Click a bar or drag a box to list its articles.")
if picked_cells:
    show_selected_articles(ctx, articles_in_periods(ctx.articles, picked_cells, frequency), "in the selection", name="overview_volume_articles",
                           key="overview_volume_articles")

st.subheader("Most-mentioned leaders")
leaders = overview.leader_mentions(ctx.articles, artifacts.mentions, artifacts.actor_names)
if leaders.empty:
    st.caption("No leader is mentioned in the filtered articles.")
else:
    picked_leaders = show_chart(overview.leaders_figure(leaders), leaders, name="most-mentioned-leaders", key="overview_leaders")
    if picked_leaders:
        show_selected_articles(ctx, articles_mentioning(ctx.articles, artifacts.mentions, [actor_id for (actor_id,) in picked_leaders]),
                           "in the selection", name="overview_leader_articles", key="overview_leader_articles")

st.subheader("Around an event")
dated_events = overview.events_in_range(events, first, last)
if dated_events.empty:
    st.caption("No event of the events file falls within the filtered dates.")
    st.stop()
choices = list(dict.fromkeys(f"{day:%Y-%m-%d} {label}" for day, label in zip(dated_events["date"], dated_events["label"], strict=True)))
event_column, days_column = st.columns([3, 2], gap="medium")  # side by side; stacked on a phone, where the event's name needs the width
choice = event_column.selectbox("Event", choices, index=len(choices) - 1, key="event", bind="query-params",
                                help="Events within the filtered dates; the latest is shown first.")
days = days_column.slider("Days before and after", min_value=7, max_value=90, value=30, key="window", bind="query-params")
event = dated_events.iloc[choices.index(choice)]
if event["description"]:
    st.caption(escape_markdown(event["description"]))
window = overview.event_window_bounds(event["date"].date(), days, first, last)
changes = overview.event_window(ctx.articles, artifacts.mentions, artifacts.actor_names, window)
st.caption(overview.window_caption(window, changes, days) + " Each dot is a value and its line the 95 % interval: "
           "where the lines of before and after overlap, the change may be chance.")
show_chart(overview.event_window_figure(changes), changes.round(4), name="event-window", key="overview_event", selectable=False)
st.markdown(overview.markdown_table(overview.event_window_table(changes)))
