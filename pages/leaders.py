"""Leaders: mentions over time, share of voice, co-mentions and the tone toward each leader."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import leaders as view
from dashboard.common import page_context, show_chart, show_selected_articles
from dashboard.filters import apply_filters, period_control
from dashboard.queries import articles_mentioning
from dashboard.tone_view import MIN_SENTENCES, tone_panels_figure

ctx = page_context()
artifacts = ctx.artifacts


st.title("Leaders")
# The sidebar's leader filter picks the leaders shown; counting over every article that matches the other
# filters keeps shares and co-mentions comparable (otherwise every period would be 100 % about them).
articles = ctx.articles
if ctx.filters.leaders:
    articles = apply_filters(artifacts, replace(ctx.filters, leaders=()))
if articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()
top_n = view.DEFAULT_TOP_N
if ctx.filters.leaders:
    st.caption("The leaders chosen in the sidebar, counted over every article that matches the other filters.")
else:
    top_n = st.slider("Leaders shown", min_value=1, max_value=view.MAX_LEADERS, value=view.DEFAULT_TOP_N, key="leaders_top_n",
                      help="The leaders mentioned in most of the filtered articles. Choose leaders in the sidebar to compare others.")
leaders = view.shown_leaders(articles, artifacts.mentions, artifacts.actor_names, ctx.filters.leaders, top_n)
if not leaders:
    st.info("No leader is mentioned in the filtered articles.")
    st.stop()
labels = view.leader_labels(leaders, artifacts.universe.leaders)  # unique display names
colors = view.leader_colors(leaders)
named = artifacts.named_sentences

st.subheader("Mentions over time")
with st.container(horizontal=True, gap="medium"):
    measure = st.segmented_control("Show", list(view.MEASURES), format_func=view.MEASURES.__getitem__, default="articles",
                                   key="leaders_measure")
    frequency = period_control(articles["date"])
over_time = view.mentions_over_time(articles, artifacts.mentions, leaders, frequency)
picked_periods = show_chart(view.mentions_figure(over_time, measure or "articles", frequency, labels, colors), over_time,
                            name=f"leader-mentions-per-{frequency}", key="leaders_mentions")
st.caption(f"Per {frequency}. The share is of all the {frequency}'s filtered articles. "
           "Click points or drag a box to list their articles below.")

voice_column, pairs_column = st.columns([2, 3], gap="large")
with voice_column:
    st.subheader("Share of voice")
    voice = view.share_of_voice(articles, artifacts.mentions, leaders, labels)
    picked_bars = show_chart(view.share_of_voice_figure(voice, colors), voice, name="share-of-voice", key="leaders_voice")
    picked_voice = [actor_id for actor_id, *_ in picked_bars if actor_id]  # "" is the other leaders' bar
    st.caption("Each leader's share of all the times any leader is named in the filtered articles.")
with pairs_column:
    st.subheader("Co-mentions")
    level = st.segmented_control("Count", list(view.LEVELS), format_func=view.LEVELS.__getitem__, default="sentence",
                                 key="leaders_level") or "sentence"
    pairs = view.co_mention_table(articles, artifacts.mentions, named, leaders, level)
    picked_pairs = show_chart(view.co_mention_figure(pairs, labels, level), pairs, name=f"co-mentions-per-{level}", key="leaders_pairs")
    st.caption("Sentences naming both leaders show who is talked about together; articles mentioning both, who shares a story. "
               "The CSV's diagonal counts the units naming the leader at all. Click a cell to list its articles.")

st.subheader("Tone per leader")
tone = view.leader_tone(named, articles, leaders, frequency)
picked_tone = show_chart(tone_panels_figure(tone, "actor_id", labels, "sentences", frequency, colors), tone,
                         name=f"leader-tone-per-{frequency}", key="leaders_tone")
st.caption(f"Mean tone toward the leader (-1 to +1) in the sentences that name them, per {frequency}, with its 95 % interval "
           "as a band: only the words that bear on the leader count (the clause that names them, praise or blame aimed at them), "
           "not the whole sentence; see About. "
           f"Grey open circles rest on fewer than {MIN_SENTENCES} sentences: too few to trust, so no line or band is drawn through them.")

st.subheader("Articles in the selection")
listed = articles
if picked_periods:
    listed = view.articles_for_leader_periods(listed, artifacts.mentions, picked_periods, frequency)
if picked_voice:
    listed = articles_mentioning(listed, artifacts.mentions, picked_voice)
if picked_pairs:
    listed = view.articles_naming_pairs(listed, artifacts.mentions, named, picked_pairs, level)
if picked_tone:
    listed = view.articles_for_leader_periods(listed, artifacts.mentions, picked_tone, frequency)
if not (picked_periods or picked_voice or picked_pairs or picked_tone):
    st.caption("Click a point, a bar or a cell of the charts above (or drag a box) to list its articles here.")
else:
    show_selected_articles(ctx, listed, "match every selection above", name="leader-articles", key="leaders_articles")
