"""Keywords: chosen terms month by month, the terms that emerge each month, and a term's sentences in context."""
from __future__ import annotations

import streamlit as st

from dashboard import keywords_view as view
from dashboard.common import download_csv, page_context, show_chart
from dashboard.queries import articles_in_periods
from dashboard.safe_text import escape_markdown

TERMS_KEY = "term"
"""The multiselect's key, hence its URL parameter: `?term=nuclear&term=sanctions`."""
CONTEXT_TERM_KEY = "context_term"
SUGGESTIONS_PER_KIND = 10
MAX_SHOWN_UNKNOWN = 60

ctx = page_context()
artifacts = ctx.artifacts

st.title("Keywords")
if ctx.articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()
matrix = view.shared_term_matrix(artifacts)
frequent = view.term_counts(matrix, ctx.articles)
if frequent.empty:
    st.info("The filtered articles use no counted term.")
    st.stop()

st.subheader("Terms over time")
strongest = view.emerging_terms(artifacts.keywords, ctx.filters.start, ctx.filters.end, top_k=1)
suggestions = view.suggested_terms(strongest, frequent, SUGGESTIONS_PER_KIND)
already = st.session_state.get(TERMS_KEY, st.query_params.get_all(TERMS_KEY))
picked = st.multiselect(
    "Terms", list(dict.fromkeys([*already, *suggestions])), key=TERMS_KEY, bind="query-params", accept_new_options=True,
    max_selections=view.MAX_PICKED_TERMS, placeholder="Pick or type terms",
    help="Offered: the terms that emerge most strongly in a month within the dates, then the most frequent terms of the filtered articles. "
         "Type any other word or two-word phrase.",
)
known, unknown = view.split_known(view.normalise_terms(picked), matrix.terms)
if unknown:
    shown = ", ".join(f'"{term[:MAX_SHOWN_UNKNOWN]}"' for term in unknown)
    st.warning(escape_markdown(f"Not a term of this build, left out: {shown}. Terms are lower-case words or two-word phrases "
                               "used in at least two articles."), icon=":material/warning:")
terms = known or frequent.nlargest(view.DEFAULT_TERMS).index.tolist()
if not known:
    st.caption(f"Showing the {view.DEFAULT_TERMS} most frequent terms of the filtered articles: pick your own above.")
measure = st.segmented_control("Show", list(view.MEASURES), format_func=view.MEASURES.__getitem__, default="share",
                               key="keywords_measure") or "share"
trends = view.term_trends(matrix, ctx.articles, terms)
points = show_chart(view.trends_figure(trends, measure), trends, name=f"term-{measure}-per-month", key="keywords_trends")
st.caption("Per month of the filtered articles (every sidebar filter applies). The share is of all counted term occurrences "
           "of the month, so months with more articles are comparable. Click points to read the term in those months below.")

st.subheader("Emerging terms")
modes = view.emergence_modes(artifacts.keywords)
mode = st.segmented_control("Compare each month with", modes, format_func=view.EMERGENCE_MODES.__getitem__, default=modes[0],
                            key="keywords_mode", help="The months before: what arrives (a new name, an event), even when it stays. "
                            "The whole corpus: what a month uses more than the corpus as a whole.") or modes[0]
top_k = st.slider("Terms per month", min_value=1, max_value=10, value=5, key="keywords_top_k")
emerging = view.emerging_terms(artifacts.keywords, ctx.filters.start, ctx.filters.end, top_k, score=mode)
people = view.emerging_terms(artifacts.keywords, ctx.filters.start, ctx.filters.end, top_k, score=mode, actors=True)
narrowed = ctx.filters.sources or ctx.filters.leaders or ctx.filters.topics or ctx.filters.q
st.caption("Each month's terms used by clearly more of its articles than " + ("in the 6 months before it" if mode == "score_window"
           else "in the other months") + ", newest month first; a term needs at least 2 articles in its month. People are listed "
           "apart, so names never pass for subjects. " + ("Scored once for the whole build: only the date filter applies here, "
           "the source, leader, topic and search filters do not." if narrowed else "Only the date filter applies here."))
if len(modes) == 1:
    st.caption("This build was made before the comparison with the months before existed: rebuild it to get that view.")
with st.expander("How it is computed"):
    st.markdown("For each term and month: the log-odds that an article of the month uses the term rather than an article of the "
                "baseline (the 6 calendar months before, or all other months), shrunk towards the term's rate in the whole corpus "
                "(an informative Dirichlet prior, Monroe, Colaresi & Quinn 2008), divided by its standard error: a z-score. "
                "Counted in articles, not occurrences, so one article repeating a word does not make a trend.")
if emerging.empty and people.empty:
    st.caption("No month within the dates has scored terms.")
else:
    terms_column, people_column = st.columns([3, 2])
    with terms_column:
        st.dataframe(view.emerging_by_month(emerging), key="keywords_emerging", hide_index=True,
                     column_config={"period": st.column_config.DateColumn("Month", format="MMM YYYY"),
                                    "terms": st.column_config.ListColumn("Most emerging terms", width="large")})
        download_csv(emerging, "emerging-terms", key="keywords_emerging-csv")
    with people_column:
        names = artifacts.actors.set_index("actor_id")["name"]
        st.dataframe(view.emerging_by_month(people.assign(term=view.actor_labels(people, names))), key="keywords_people",
                     hide_index=True, column_config={"period": st.column_config.DateColumn("Month", format="MMM YYYY"),
                                                     "terms": st.column_config.ListColumn("Most emerging people", width="medium")})
        download_csv(people, "emerging-people", key="keywords_people-csv")

st.subheader("In context")
clicked = [(period, term) for period, term, *_ in points]
term = view.term_selectbox([*terms, *emerging["term"]], key=CONTEXT_TERM_KEY, clicked=clicked[0][1] if clicked else None,
                           hint="A term of the chart or of the emerging terms, or type any word or two-word phrase.")
if term:
    months = [period for period, clicked_term in clicked if clicked_term == term]
    articles = articles_in_periods(ctx.articles, [(period, None) for period in months], "month") if months else ctx.articles
    if months:
        plural = "s" if len(months) > 1 else ""
        st.caption(f"In the {len(months)} month{plural} clicked in the chart; clear the chart's selection for all months.")
    view.show_kwic(ctx, articles, term, name="term-in-context", key="keywords_kwic")
