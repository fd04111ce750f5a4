"""Framing: the deal and posture axes over time and per source, how much framing there is, and the articles leaning furthest."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import framing_view as view
from dashboard.common import about_link, kept_selection, open_article_page, page_context, show_chart
from dashboard.filters import period_control
from dashboard.queries import articles_in_periods
from dashboard.safe_text import escape_markdown
from dashboard.selection import periods_part, periods_phrase

ctx = page_context()
articles = ctx.articles

st.title("Framing")
st.markdown(view.INTRODUCTION)
with st.expander("How it is computed"):
    st.markdown(view.HOW_IT_IS_COMPUTED)
    st.caption(view.AXES_CAPTION)
about_link(ctx, "framing", "How the cues are found: About the measures")
if articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()

for column, (label, value, help_text) in zip(st.columns(2), view.coverage_metrics(view.cue_coverage(articles))):
    column.metric(label, value, help=help_text)

frequency = period_control(articles["date"])
st.subheader("The two axes over time")
over_time = view.axes_by_period(articles, frequency)
picked_periods = show_chart(view.axes_figure(over_time, frequency), over_time, name=f"framing-axes-per-{frequency}", key="framing_axes")
st.caption(f"Per {frequency}; hover a point for the cues it rests on. Click points or drag a box to narrow the articles below "
           f"to those {frequency}s.")

st.subheader("How much framing there is")
volume = view.cue_volume(articles, frequency)
show_chart(view.cue_volume_figure(volume, frequency), volume, name=f"framing-cues-per-{frequency}", key="framing_volume", selectable=False)
st.caption("Cues of each frame per 1,000 words of the period's articles: when denuclearization approaches were talked about at all.")

st.subheader("Example sentences")
examples = view.frame_examples(ctx.artifacts.cue_sentences, articles, ctx.artifacts.texts)
if examples.empty:
    st.caption("No sentence of the filtered articles has a framing cue.")
for label, rows in examples.groupby("label", sort=False):
    st.markdown(f"**{label}**")
    st.dataframe(rows[["date", "source", "cues", "text", "title"]], hide_index=True, width="stretch",
                 column_config={"date": st.column_config.DateColumn("Date"), "source": "Source", "cues": "Cue words",
                                "text": st.column_config.TextColumn("Sentence", width="large"), "title": "Article"})
st.caption(f"Up to {view.EXAMPLES_PER_FRAME} sentences per frame from the filtered articles, those with the most cue weight first, "
           "one per article; \"Cue words\" names the phrases that counted (or were set aside).")

st.subheader("Per source")
by_source = view.axes_by_source(articles)
show_chart(view.source_figure(by_source), by_source, name="framing-axes-per-source", key="framing_sources", selectable=False)
st.caption("Each dot is a source's axis value over all its filtered articles, labelled with the cues it rests on.")

st.subheader("Articles leaning furthest")
selection = kept_selection([[period for period, *_ in picked_periods]], (periods_part(frequency),), key="framing_selection")
periods = selection[0] if selection else ()
leaning = articles_in_periods(articles, [(period, None) for period in periods], frequency) if periods else articles
if periods:
    st.markdown(f"**In {escape_markdown(periods_phrase([pd.Timestamp(period) for period in periods], frequency))}, "
                f"selected on the axes chart: {len(leaning):,} articles**")
# A dict's lookup, not a lambda: the widget keeps its format_func for the session, and a lambda defined here would keep
# this page's globals with it (the run's filtered articles).
axis_titles = {name: choice.title for name, choice in view.AXES.items()}
axis = view.AXES[st.segmented_control("Axis", list(view.AXES), format_func=axis_titles.__getitem__, default="deal_axis",
                                      key="framing_axis") or "deal_axis"]
strongest = view.strongest_articles(leaning, axis)
if strongest.empty:
    st.caption(f"No article{' in the selected periods' if periods else ''} leans either way on this axis.")
else:
    picked = show_chart(view.strongest_figure(strongest, axis), strongest, name=f"framing-strongest-{axis.name}", key="framing_strongest")
    st.caption(f"Net cues = {axis.positive_label} cues - {axis.negative_label} cues"
               f"{' in the selected periods' if periods else ''}. Click a bar to open the article on the Articles page.")
    if picked:
        open_article_page(ctx, picked[0][0])
