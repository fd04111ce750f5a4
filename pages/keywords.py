"""Keywords: chosen terms month by month, the terms that emerge each month, and a term's sentences in context."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import keywords_view as view
from dashboard.common import about_link, download_csv, kept_selection, page_context, show_chart, show_kwic, term_selectbox
from dashboard.queries import articles_in_periods
from dashboard.safe_text import escape_markdown

TERMS_KEY = "term"
"""The multiselect's key, hence its URL parameter: `?term=nuclear&term=sanctions`."""
CONTEXT_TERM_KEY = "context_term"
MAX_SHOWN_UNKNOWN = 60

ctx = page_context()
artifacts = ctx.artifacts


def emerging_within_dates(top_k: int, score: str = "score", actors: bool = False) -> pd.DataFrame:
    """`emerging_terms` of the dates, kept with the build: it reads the dates only, not the other filters."""
    return artifacts.remember(("emerging_terms", ctx.filters.start, ctx.filters.end, top_k, score, actors),
                              lambda: view.emerging_terms(artifacts.keywords, ctx.filters.start, ctx.filters.end, top_k, score, actors))


st.title("Keywords")
if ctx.articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()
matrix = artifacts.term_matrix
# Read from disk once per filter state (the chunks of the filtered articles), kept with the build for the next rerun.
here = artifacts.remember(("term_totals", replace(ctx.filters, article=None)), lambda: view.term_totals(matrix, ctx.articles))
frequent = view.term_counts(matrix, here)
if frequent.empty:
    st.info("The filtered articles use no counted term.")
    st.stop()

st.markdown("Which words the articles use, and when. Type any word or phrase to follow it month by month; the lines start "
            "with the terms that emerge most strongly within the dates. Click a point to read the term's sentences in that month.")

st.subheader("Terms over time")
vocabulary = view.vocabulary_by_use(matrix, here)
already = st.session_state.get(TERMS_KEY, st.query_params.get_all(TERMS_KEY))
picked = st.multiselect(
    "Terms", list(dict.fromkeys([*already, *vocabulary])), key=TERMS_KEY, bind="query-params", accept_new_options=True,
    filter_mode="contains", max_selections=view.MAX_PICKED_TERMS, placeholder="Type a word or phrase: sanctions, Kim Jong Un, …",
    help="Searches every term of the build as you type, most used first. A typed phrase is spelled the way terms are counted "
         "(\"Kim Jong Un\" is kim-jong-un); a beginning (\"denucleari\") finds the most used term that starts with it.",
)
choice = view.choose_terms(picked, pd.Index(vocabulary, dtype="str"))
if choice.unknown:
    shown = ", ".join(f'"{term[:MAX_SHOWN_UNKNOWN]}"' for term in choice.unknown)
    st.warning(escape_markdown(f"No term of this build matches {shown}: left out. Terms are words or two-word phrases "
                               "used in at least two articles."), icon=":material/warning:")
if choice.completed:
    st.caption(escape_markdown("Completed: " + "; ".join(f'"{typed}" is shown as "{term}"' for typed, term in choice.completed)))

terms = list(choice.terms) or view.default_terms(emerging_within_dates(view.MAX_PICKED_TERMS), frequent)
if not choice.terms:
    st.caption(escape_markdown(f"Showing {', '.join(terms)}: the terms that emerge most strongly within the dates. "
                               "Type your own above."))
measure = st.segmented_control("Show", list(view.MEASURES), format_func=view.MEASURES.__getitem__, default="share",
                               key="keywords_measure") or "share"
trends = view.term_trends(matrix, ctx.articles, terms)
points = show_chart(view.trends_figure(trends, measure), trends, name=f"term-{measure}-per-month", key="keywords_trends")
st.caption("Per month of the filtered articles (every sidebar filter applies). The share is of all counted term occurrences "
           "of the month, so months with more articles are comparable. Click points or drag a box to read the term in "
           "those months just below; double-click the chart to clear.")

clicked_term = points[0][1] if points else None
clicked_months = [str(period)[:7] for period, term, *_ in points if term == clicked_term]
selection = kept_selection([clicked_months, [clicked_term] if clicked_term else []], view.selection_parts(matrix.terms),
                           key="keywords_trends")
if selection:
    months, (term,) = selection
    articles = articles_in_periods(ctx.articles, [(f"{month}-01", None) for month in months], "month") if months else ctx.articles
    show_kwic(ctx, articles, term, name="term-in-context", key="keywords_kwic",
                   statement=view.selection_statement(term, months))
else:
    st.markdown("**In context**")
    term = term_selectbox([*terms, *emerging_within_dates(5)["term"]],
                               key=CONTEXT_TERM_KEY, clicked=None,
                               hint="A term of the chart or of the emerging terms, or type any word or phrase.")
    if term:
        show_kwic(ctx, ctx.articles, term, name="term-in-context", key="keywords_kwic")

st.subheader("Emerging terms")
modes = view.emergence_modes(artifacts.keywords)
mode = st.segmented_control("Compare each month with", modes, format_func=view.EMERGENCE_MODES.__getitem__, default=modes[0],
                            key="keywords_mode", help="The months before: what arrives (a new name, an event), even when it stays. "
                            "The whole corpus: what a month uses more than the corpus as a whole.") or modes[0]
top_k = st.slider("Terms per month", min_value=1, max_value=10, value=5, key="keywords_top_k")
emerging = emerging_within_dates(top_k, mode)
people = emerging_within_dates(top_k, mode, actors=True)
narrowed = ctx.filters.sources or ctx.filters.leaders or ctx.filters.topics or ctx.filters.q
st.caption("Each month's terms used by clearly more of its articles than " + ("in the 6 months before it" if mode == "score_window"
           else "in the other months") + ", newest month first; a term needs at least 2 articles in its month. Terms that the "
           "month's articles use together, or forms of one word, are one entry (\"centenary · birth · festival\"), so one big "
           "event cannot hide a second one. People are listed apart, so names never pass for subjects. " + ("Scored once for the whole build: only the date filter applies here, "
           "the source, leader, topic and search filters do not." if narrowed else "Only the date filter applies here."))
if len(modes) == 1:
    st.caption("This build was made before the comparison with the months before existed: rebuild it to get that view.")
about_link(ctx, "keywords", "How emerging terms are found: About the measures")
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
                                    "terms": st.column_config.ListColumn("Most emerging terms, by story", width="large")})
        download_csv(emerging, "emerging-terms", key="keywords_emerging-csv")
    with people_column:
        names = artifacts.actors.set_index("actor_id")["name"]
        st.dataframe(view.emerging_by_month(people.assign(term=view.actor_labels(people, names))), key="keywords_people",
                     hide_index=True, column_config={"period": st.column_config.DateColumn("Month", format="MMM YYYY"),
                                                     "terms": st.column_config.ListColumn("Most emerging people", width="medium")})
        download_csv(people, "emerging-people", key="keywords_people-csv")
