"""Compare: two sets of articles side by side, the terms that tell them apart, and those terms in context."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from dashboard import compare as view
from dashboard.common import about_link, page_context, show_chart, show_kwic, show_table, term_selectbox
from dashboard.safe_text import escape_markdown, shown_in_notice

TERM_KEY = "compare_term"
SET_KEYS = {"sources": ("a_source", "b_source"), "leaders": ("a_leader", "b_leader")}
"""The keys (and URL parameters) of the A and B choices of each kind but periods."""
N_CHOICES = 25
N_LISTED = 100

ctx = page_context()
artifacts = ctx.artifacts
universe = artifacts.universe


def notice_invalid(key: str, valid: Callable[[str], bool], expected: str = "one of the choices") -> None:
    """A notice for a URL value that the widget bound to `key` will drop (Streamlit drops it silently)."""
    value = st.query_params.get(key)
    if value is not None and not valid(value):
        ctx.add_link_notice(f'Ignored {key} "{shown_in_notice(value)}": not {expected}, the default is used.')


st.title("Compare")
st.markdown("Which words one group of articles uses more than another. Pick what to compare (two sources, two periods, "
            "or the articles about two leaders); the chart puts the words typical of A at the top and those typical of B at "
            "the bottom, and a click reads a word in its sentences. For example: a state-media outlet as A, all other sources "
            "as B, same months only, shows what state media stress that others do not.")
with st.expander("How it is computed"):
    st.markdown(view.HOW_IT_IS_COMPUTED)
about_link(ctx, "keywords", "Which words count as terms: About the measures")
if ctx.articles.empty:
    st.info("No article matches the filters: widen the dates or remove a filter in the sidebar.")
    st.stop()

notice_invalid("compare", view.KINDS.__contains__)
kind = st.radio("Compare two", list(view.KINDS), horizontal=True, key="compare", bind="query-params",
                help="Both sets are taken from the articles the sidebar's filters select.")
column_a, column_b = st.columns(2, gap="large")
if kind == "periods":
    (a_start, a_end), (b_start, b_end) = view.halves(ctx.articles["date"].min().date(), ctx.articles["date"].max().date())
    for key in ("a_start", "a_end", "b_start", "b_end"):
        notice_invalid(key, lambda value: view.day_within(value, universe.first_date, universe.last_date),
                       f"a day from {universe.first_date} to {universe.last_date} (YYYY-MM-DD)")
    dates = {"min_value": universe.first_date, "max_value": universe.last_date, "format": "YYYY-MM-DD", "bind": "query-params"}
    with column_a:
        start, end = st.date_input("A from", a_start, key="a_start", **dates), st.date_input("A to", a_end, key="a_end", **dates)
        choice_a = view.period_choice(start, end, universe.first_date, universe.last_date)
    with column_b:
        start, end = st.date_input("B from", b_start, key="b_start", **dates), st.date_input("B to", b_end, key="b_end", **dates)
        choice_b = view.period_choice(start, end, universe.first_date, universe.last_date)
    same_months = False
else:
    if kind == "sources":
        options, names = list(universe.sources), {source: source for source in universe.sources}
        first = view.largest_source(artifacts.articles)
    else:
        options, names = list(universe.leaders), dict(universe.leaders)
        first = options[0] if options else None
    if not options:
        st.info("This build mentions no leader." if kind == "leaders" else "This build has no source.")
        st.stop()
    rest_name = {"sources": "All other sources", "leaders": "Articles not mentioning A's leader"}[kind]
    key_a, key_b = SET_KEYS[kind]
    labels = [names[option] for option in options]
    notice_invalid(key_a, labels.__contains__)
    notice_invalid(key_b, [rest_name, *labels].__contains__)
    choice_a = column_a.selectbox("A", options, index=options.index(first), format_func=names.__getitem__, key=key_a, bind="query-params")
    # Dict lookups, not lambdas: a widget keeps its format_func for the session (a lambda, this page's globals with it).
    choice_b = column_b.selectbox("B", [view.REST, *options], format_func={view.REST: rest_name, **names}.__getitem__,
                                  key=key_b, bind="query-params")
    same_months = st.toggle("Same months only", key="same_months", bind="query-params",
                            help="Keep only the calendar months in which both sets have articles, so that what changed over time "
                                 "is not taken for what differs between the sets.")

sides = view.compared_sides(ctx.articles, artifacts.mentions, kind, choice_a, choice_b, same_months)
label_a, label_b = view.side_labels(kind, choice_a, choice_b, artifacts.actor_names)
problems = [problem for problem in (view.set_problem(f"A ({label_a})", sides.a), view.set_problem(f"B ({label_b})", sides.b)) if problem]
if problems:
    hint = "Choose other sets, turn off Same months only, or widen the filters." if same_months else \
        "Choose other sets or widen the filters."
    st.info(escape_markdown(" ".join(problems)) + "  \n" + hint)
    st.stop()
left_out = f" {sides.in_both:,} articles in both sets are left out of both." if sides.in_both else ""
st.caption(f"A: {escape_markdown(label_a)}, {len(sides.a):,} articles. B: {escape_markdown(label_b)}, {len(sides.b):,} articles.{left_out}")

# Read from disk once per filter state and choice of sides (every chunk of the matrix), kept with the build for the next rerun.
table = artifacts.remember(("distinctive_terms", replace(ctx.filters, article=None), kind, choice_a, choice_b, same_months),
                           lambda: view.distinctive_terms(artifacts.term_matrix, sides, ctx.articles))
if table.empty:
    st.info("Neither set uses any counted term: there is nothing to compare.")
    st.stop()

st.subheader("Distinctive terms")
chart = st.segmented_control("Chart", ["scatter", "bars"], default="scatter", key="compare_chart_kind") or "scatter"
figure = view.scatter_figure(table, label_a, label_b) if chart == "scatter" else view.bars_figure(table, label_a, label_b)
picked = show_chart(figure, table, name="distinctive-terms", key=f"compare_{chart}")
reading = (f"Each dot is a term: across, how often A and B use it; up, how much more A uses it; down, how much more B does. "
           f"The {view.N_LABELLED} clearest of each side are named, hover the others. Beyond the dotted lines" if chart == "scatter"
           else "The terms each set uses most above the other. Beyond a strength of 1.96")
st.caption(f"{reading} a difference is unlikely to be chance (though among thousands of terms a few cross by chance). "
           "Click a term to read it in context below. The CSV has every term.")
top = view.top_terms(table, N_LISTED)
show_table(top[["term", "count_a", "count_b", "z"]], name="distinctive-terms-top", key="compare_table",
           column_config={"term": st.column_config.TextColumn("Term"), "count_a": st.column_config.NumberColumn("Count in A"),
                          "count_b": st.column_config.NumberColumn("Count in B"), "z": st.column_config.NumberColumn("Strength", format="%+.1f",
                                                                        help="Above 0: typical of A; below 0: typical of B. "
                                                                             "Beyond ±1.96 unlikely to be chance.")})
st.caption(f"The {N_LISTED} terms most typical of A (positive strength) and of B (negative strength).")

st.subheader("In context")
term = term_selectbox(view.top_terms(table, N_CHOICES)["term"].tolist(), key=TERM_KEY, clicked=str(picked[0][0]) if picked else None,
                      hint="A term of the chart or the table, or type any word or two-word phrase.")
if term:
    for side, label, articles in (("a", label_a, sides.a), ("b", label_b, sides.b)):
        st.markdown(f"**In {side.upper()}: {escape_markdown(label)}**")
        show_kwic(ctx, articles, term, name=f"compare-{side}-in-context", key=f"compare_kwic_{side}")
