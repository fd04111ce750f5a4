"""Tone: article tone over time with its uncertainty, per source, its distribution and the most extreme articles."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import tone_view as view
from dashboard.common import about_link, open_article_page, page_context, show_article_listing, show_chart, show_selected_articles
from dashboard.filters import period_control
from dashboard.queries import articles_in_periods

MAX_SOURCE_PANELS = 8

ctx = page_context()
artifacts = ctx.artifacts
articles = ctx.articles


def listing(table: pd.DataFrame, key: str) -> None:
    """An article listing; selecting a row opens that article's breakdown on the Articles page."""
    picked = show_article_listing(table, name=key, key=key)
    if picked:
        open_article_page(ctx, picked)


st.title("Tone")
st.caption("Each sentence is scored from -1 (hostile, gloomy) to +1 (conciliatory, upbeat); an article's tone is the mean of "
           "its non-neutral sentences. Means come with a 95 % interval, so thin periods show wide bands.")
about_link(ctx, "tone", "How tone is measured: About the measures")
if articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()

head = view.tone_headline(articles)
with st.container(horizontal=True, gap="medium"):  # wraps on a phone instead of stacking four full-width rows
    st.metric("Mean tone", f"{head.mean:+.3f}", width="content", help=f"Mean article tone of {head.articles:,} articles; "
              f"95 % interval {head.ci_low:+.3f} to {head.ci_high:+.3f}.")
    st.metric("Negative articles", f"{head.negative:.0%}", width="content", help="Tone at or below -0.05.")
    st.metric("Neutral articles", f"{head.neutral:.0%}", width="content", help="Tone between -0.05 and +0.05.")
    st.metric("Positive articles", f"{head.positive:.0%}", width="content", help="Tone at or above +0.05.")

st.subheader("Tone over time")
frequency = period_control(articles["date"])
over_time = view.tone_by_period(articles, frequency)
picked_periods = show_chart(view.tone_over_time_figure(over_time, frequency), over_time, name=f"tone-per-{frequency}", key="tone_over_time")
st.caption(f"Mean article tone per {frequency} with its 95 % interval (band); the dashed line is the mean of the articles of "
           f"{view.ROLLING_PERIODS} {frequency}s centred on each. Grey open circles rest on fewer than {view.MIN_ARTICLES} articles. "
           f"Click points or drag a box to list their articles below.")

st.subheader("By source")
by_source = view.tone_by_source(articles, frequency)
sources = view.sources_by_coverage(articles, MAX_SOURCE_PANELS)
picked_cells = show_chart(view.tone_panels_figure(by_source, "source", {source: source for source in sources}, "articles", frequency),
                          by_source, name=f"tone-per-source-and-{frequency}", key="tone_sources")
shown = f"the {len(sources)} sources with most articles (the CSV has all {by_source['source'].nunique()})" \
    if by_source["source"].nunique() > len(sources) else "each source"
st.caption(f"Mean article tone per {frequency} for {shown}, on a shared scale. Click points to list their articles below.")

st.subheader("Distribution")
split = st.toggle("Split by source", key="tone_histogram_by_source")
histogram = view.tone_histogram(articles, by_source=split)
picked_bins = show_chart(view.histogram_figure(histogram), histogram, name="tone-distribution", key="tone_histogram")
st.caption(f"Articles per tone band of {view.BIN_WIDTH:g}. Click a bar to list its articles below.")

if picked_periods or picked_cells or picked_bins:
    st.subheader("Articles in the selection")
    listed = articles
    if picked_periods:
        listed = articles_in_periods(listed, [(period, None) for period, *_ in picked_periods], frequency)
    if picked_cells:
        listed = articles_in_periods(listed, [(period, source) for period, source, *_ in picked_cells], frequency)
    if picked_bins:
        listed = view.articles_in_tone_bins(listed, picked_bins)
    show_selected_articles(ctx, listed, "match every selection above", name="tone_selection", key="tone_selection")

st.subheader("Most positive and most negative articles")
st.caption("Select an article to open its breakdown, sentence by sentence, on the Articles page.")
for positive, label in ((True, "positive"), (False, "negative")):
    st.markdown(f"**Most {label}**")
    extremes = view.extreme_articles(articles, artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, positive=positive)
    if extremes.empty:
        st.caption(f"No filtered article has a {label} tone.")
    else:
        listing(extremes, key=f"tone_most_{label}")
