"""Topics: every topic's terms, coverage and share over time; one topic's prevalence over time, leaders and articles."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import overview
from dashboard import topics_view as view
from dashboard.common import about_link, kept_selection, open_article_page, page_context, show_article_listing, show_chart, show_table
from dashboard.filters import TOPIC_MIN_WEIGHT, apply_filters, period_control
from dashboard.queries import MAX_LISTED, articles_in_periods, articles_mentioning
from dashboard.safe_text import escape_markdown

TOPIC_KEY = "topic_view"
SEEN_FILTER_KEY = "topics_seen_topic_filter"

ctx = page_context()
artifacts = ctx.artifacts
topic_names = artifacts.universe.topics

st.title("Topics")
# The topic chosen on this page takes the place of the sidebar's topic filter: shares need every article as their base.
articles = ctx.articles
if ctx.filters.topics:
    articles = apply_filters(artifacts, replace(ctx.filters, topics=()))
if not topic_names:
    st.info("This build has no topics (too few articles to model them).")
    st.stop()
if articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()

st.markdown("A topic is a set of words that turn up together in the same articles, found by the computer from the words "
            "alone. Each article is a mix of topics; a topic is named by its two most telling phrases. Words that only say "
            "who is speaking or what kind of text it is (state-media formulas, briefing small talk) are left out.")
about_link(ctx, "topics", "How topics are found: About the measures")
memberships = view.topic_memberships(articles, artifacts.doc_topics)
st.subheader("All topics")
st.caption(f"An article is about a topic when it is its dominant topic or gives it a weight of at least "
           f"{TOPIC_MIN_WEIGHT:.0%}, so an article can count for two topics. The topic filter of the sidebar is not applied here.")
overview_table = view.topic_table(artifacts.topics, memberships, len(articles))
show_table(overview_table, name="topics", key="topics_table",
           column_order=("label", "terms", "articles", "percent"),
           column_config={"label": st.column_config.TextColumn("Topic"), "terms": st.column_config.ListColumn("Top terms", width="large"),
                          "articles": st.column_config.NumberColumn("Articles"),
                          "percent": st.column_config.NumberColumn("Share of the articles", format="%d%%")})
note = view.stability_note(artifacts.manifest)
if note:
    st.caption(note)

st.subheader("Topics over time")
over_time_frequency = view.over_time_frequency(articles["date"])
st.markdown(f"What the articles of each {over_time_frequency} were about: every article counts once, split between its "
            "topics, so the bands show how the coverage divided up and how that changed.")
over_time = view.topics_over_time(articles, artifacts.doc_topics, artifacts.topics, over_time_frequency)
show_chart(view.over_time_figure(over_time, over_time_frequency), over_time, name="topics-over-time", key="topics_over_time",
           selectable=False)
st.caption(f"Periods are {over_time_frequency}s: the narrowest periods whose typical one holds at least "
           f"{view.MIN_ARTICLES_PER_PERIOD} articles. Click a topic in the legend to hide it, double-click to show it alone.")
with st.expander("How it is computed"):
    st.markdown(
        "- **Topics**: non-negative matrix factorisation of the articles' TF-IDF term weights (single words and pairs).\n"
        "- **Left out of the topic vocabulary**: the domain stop-list (`data/topic_stoplist.txt`), and terms spread "
        "as evenly as chance: over periods of about equal article counts (and over sources), the deviation of "
        "proportions $DP = \\tfrac12 \\sum_p |d_p/d - n_p/N|$ ($d_p$ of the term's $d$ articles in period $p$, "
        "$n_p$ of all $N$) is at most 1.5 times its value under random placement, "
        "$\\sum_p \\sqrt{2 s_p (1 - s_p) / (\\pi d)}/2$ with $s_p = n_p/N$, itself at most 0.1.\n"
        "- **Number of topics k**: from 5 up to $\\sqrt{N/2}$ (at most 30), the k whose articles hang together best "
        "(NPMI coherence of each topic's articles' top terms) among those that are stable.\n"
        "- **Stability**: three random 80% parts of one random sample of the articles (about 400,000 article-term "
        "entries; all articles of a smaller corpus), checked from the most coherent k down until one reaches 0.6; "
        "topics matched one to one between two fits; mean Jaccard overlap $|A \\cap B| / |A \\cup B|$ of their top "
        "10 terms, averaged over the three pairs; target 0.6.\n"
        f"- **Share over time**: for topic $t$ and period $p$, $\\sum_{{a \\in p}} w_{{a,t}} / n_p$, with $w_{{a,t}}$ "
        "the topic's weight in article $a$ (weights under 5% dropped, the rest summing to 1).\n"
        "- **Labels**: the two heaviest phrases of the topic, a pair of words preferred to a word it contains when it "
        "weighs at least half as much, never a person's name alone, written as the articles write them."
    )

# The sidebar's topic filter pre-selects the topic when it changes, and when the page opens unless the URL names
# the page's own topic (the selectbox is bound to `topic_view=`, so a shared link shows the topic that was chosen).
previous_filter = st.session_state.get(SEEN_FILTER_KEY)
st.session_state[SEEN_FILTER_KEY] = ctx.filters.topics
page_opens = TOPIC_KEY not in st.session_state
if ctx.filters.topics and (TOPIC_KEY not in st.query_params if page_opens else ctx.filters.topics != previous_filter):
    st.session_state[TOPIC_KEY] = view.preselected_topic(ctx.filters.topics, previous_filter or ())
# Listed as in the table above, so the topic shown first is the first listed.
listed_topics = [topic_id for topic_id in overview_table["topic_id"] if topic_id in topic_names]
topic_id = st.selectbox("Topic", listed_topics, format_func=topic_names.__getitem__, key=TOPIC_KEY, bind="query-params")
about = view.topic_articles(articles, memberships, topic_id)
terms = artifacts.topics.loc[artifacts.topics["topic_id"] == topic_id, "terms"].iloc[0]
st.caption("Top terms: " + escape_markdown(", ".join(terms)))
if about.empty:
    st.info("No article in the filters is about this topic: pick another topic or widen the filters.")
    st.stop()

frequency = period_control(articles["date"])
chart_column, leaders_column = st.columns([3, 2], gap="large")
with chart_column:
    st.markdown(f"**Prevalence per {frequency}**")
    prevalence = view.topic_prevalence(articles, memberships, topic_id, frequency)
    picked_periods = show_chart(view.prevalence_figure(prevalence, frequency), prevalence, name=f"topic-{topic_id}-prevalence",
                                key="topics_prevalence")
    st.caption(f"{view.PREVALENCE_LABEL}. Click a point or drag a box to list that {frequency}'s articles.")
with leaders_column:
    st.markdown("**Leaders in its articles**")
    leaders = overview.leader_mentions(about, artifacts.mentions, artifacts.actor_names)
    picked_leaders = []
    if leaders.empty:
        st.caption("No leader is mentioned in this topic's articles.")
    else:
        picked_leaders = show_chart(overview.leaders_figure(leaders), leaders, name=f"topic-{topic_id}-leaders", key="topics_leaders")
        st.caption("Leaders by the number of the topic's articles that mention them. Click a bar to list those articles.")

st.subheader("Its articles")
selection = kept_selection([[period for period, *_ in picked_periods], [actor_id for actor_id, *_ in picked_leaders]],
                           view.selection_parts(frequency, artifacts.universe.leaders), key="topics_selection")
periods, leader_ids = selection or ((), ())
listed = about
if periods:
    listed = articles_in_periods(listed, [(period, None) for period in periods], frequency)
if leader_ids:
    listed = articles_mentioning(listed, artifacts.mentions, leader_ids)
# `listed` keeps topic_articles' order, heaviest first: the listing is made (and sent) for the rows it shows only.
table = view.topic_listing(listed.head(MAX_LISTED), artifacts.mentions, artifacts.actor_names, artifacts.topic_labels, topic_id)
statement = view.selection_statement(topic_names[topic_id], periods, frequency, [artifacts.actor_names.get(leader, leader) for leader in leader_ids])
st.markdown(f"**{escape_markdown(statement)}: {len(listed):,}**")
shown = f" The heaviest {MAX_LISTED:,} are listed (the CSV has them all)." if len(listed) > MAX_LISTED else ""
st.caption(f"By the topic's weight in them.{shown} Click a point or a bar above to narrow them; select one to open it on the Articles page.")
picked = show_article_listing(table, name=f"topic-{topic_id}-articles", key="topics_articles",
                              csv=view.listing_csv(artifacts, listed, topic_id))
if picked:
    open_article_page(ctx, picked)
