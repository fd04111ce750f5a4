"""Articles: the filtered articles as a table; selecting one (or `article=` in the URL) opens its breakdown."""
from __future__ import annotations

import streamlit as st

from dashboard import articles as view
from dashboard.common import about_link, article_rows_csv, page_context, show_article_listing, show_chart, show_table
from dashboard.filters import open_article
from dashboard.queries import MAX_LISTED, article_table, newest_articles
from dashboard.safe_text import escape_markdown

ctx = page_context()
artifacts = ctx.artifacts

st.title("Articles")
matching = len(ctx.articles)
table = article_table(newest_articles(ctx.articles, MAX_LISTED), artifacts.mentions, artifacts.actor_names, artifacts.topic_labels)
table = table.head(MAX_LISTED)
listed = f" The newest {MAX_LISTED:,} are listed (the CSV has them all)." if matching > MAX_LISTED else ""
st.caption(f"{matching:,} {'article matches' if matching == 1 else 'articles match'} the filters.{listed} Click a column to sort, use the "
           "sidebar's search box or the table's search to narrow, select a row to open the article.")
article_id = ctx.filters.article
picked = show_article_listing(table, name="articles", key="articles_listing", csv=article_rows_csv(artifacts, ctx.articles))
if picked:
    open_article(picked)
    article_id = picked

article = artifacts.article(article_id) if article_id else None
if article is not None:
    st.divider()
    st.button("Close the article", on_click=open_article, args=(None,), icon=":material/close:", key="articles_close")
    st.html(view.article_header_html(article))
    if not ctx.articles["article_id"].eq(article_id).any():
        st.caption("This article is outside the current filters.")
    sentences = artifacts.texts.sentences_of(article_id)
    text_column, facts_column = st.columns([3, 2], gap="large")
    with text_column:
        searched = f" The search text \"{escape_markdown(ctx.filters.q)}\" is outlined in blue." if ctx.filters.q else ""
        st.caption("Each sentence is shaded by its tone (red negative, green positive; hover for the words that moved "
                   "the score); every mention of a leader that was counted is highlighted in yellow, including bare surnames and "
                   "roles such as \"the supreme leader\" (hover for who it is and the tone toward them)." + searched)
        mentions = artifacts.texts.mentions_of(article_id)
        st.html(view.annotated_text_html(sentences, mentions, artifacts.actor_names, ctx.filters.q))
    with facts_column:
        st.markdown("**Topics**")
        weights = view.topic_weights(artifacts.doc_topics, artifacts.topic_labels, article_id)
        if weights.empty:
            st.caption("No topic was assigned to this article.")
        else:
            show_chart(view.topic_weights_figure(weights), weights, name=f"{article_id}-topics", key="article_topics", selectable=False)
        st.markdown("**Leaders**")
        show_table(view.article_leaders(artifacts.mentions, artifacts.actor_names, article_id), name=f"{article_id}-leaders",
                   key="article_leaders", column_order=("name", "mentions"),
                   column_config={"name": st.column_config.TextColumn("Leader"), "mentions": st.column_config.NumberColumn("Mentions")})
        st.markdown("**Keywords**")
        st.caption("The words that set this article apart: used here, rare in the other articles.")
        keywords = view.article_keywords(artifacts.term_matrix, artifacts.texts.term_counts_of(article_id))
        show_table(keywords, name=f"{article_id}-keywords", key="article_keywords", column_order=("term", "count"),
                   column_config={"term": st.column_config.TextColumn("Term"), "count": st.column_config.NumberColumn("Times used")})
        st.markdown("**Framing**")
        st.caption("Phrases of each way of talking about denuclearization found in this article, a phrase that often means "
                   "something else counting less than 1; the axes sum them up from -1 to +1 (empty: no cue of either side).")
        about_link(ctx, "framing", "How the cues are found")
        show_table(view.framing_scores(article), name=f"{article_id}-framing", key="article_framing",
                   column_config={"measure": st.column_config.TextColumn("Measure", width="medium"),
                                  "value": st.column_config.NumberColumn("Value", format="%.2f")})
        cues = view.framing_sentences(sentences)
        if not cues.empty:
            show_table(cues, name=f"{article_id}-framing-cues", key="article_framing_cues")
