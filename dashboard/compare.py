"""Compare: two sets of articles side by side and the terms that tell them apart.

The sets are two sources, two periods or two leaders' articles (or one of them against
the rest), both taken from the sidebar's filtered articles. Terms are scored with the
log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi & Quinn (2008),
`pipeline.keywords.log_odds_dirichlet`, the prior being the term counts of all filtered
articles; counts come from article_terms.parquet through `keywords_view.TermMatrix`.

Pure functions (tables in, tables or figures out); pages/compare.py lays them out.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures import style
from dashboard.keywords_view import TermMatrix, term_totals_of
from dashboard.queries import articles_mentioning
from dashboard.safe_text import escape_html
from pipeline.keywords import log_odds_dirichlet

KINDS = ("sources", "periods", "leaders")
REST = "(the rest)"
"""Set B's choice meaning "every filtered article that is not in A"."""
MIN_SET_ARTICLES = 5
Z_THRESHOLD = 1.96
"""|z| above this: the term tells the sets apart at the 5 % level (two-sided)."""
COLOR_A, COLOR_B, COLOR_NEITHER = "#1f5f8b", "#d9780f", "#c7c7c7"
"""Blue and orange: red and green stand for tone alone."""
N_LABELLED = 5
"""Terms named on the scatter on each side; more overlap (the others show on hover)."""
HOW_IT_IS_COMPUTED = (
    "Each term's counts in A and B are compared with the **log-odds ratio with an informative Dirichlet prior** "
    "(Monroe, Colaresi & Quinn 2008, *Fightin' Words*): the difference between the term's log-odds in A and in B, "
    "each smoothed by the term's counts in all the filtered articles, so that a rare word needs more evidence than a "
    "common one. The difference divided by its standard error is the **strength** (a z-score): beyond ±1.96 a single "
    "term's difference is unlikely to be chance at the 5 % level. Articles that fall in both sets are left out of both. "
    "Terms are the pipeline's words and two-word phrases (stop words removed, Korean names joined: kim-jong-un)."
)
MAX_SCATTER_POINTS = 2000
Choice = str | tuple[date, date]
"""What a side is: a source, a leader's actor id, REST, or a period (start, end)."""


@dataclass(frozen=True, eq=False)
class Sides:
    """The two sets of articles, ready to compare."""

    a: pd.DataFrame
    b: pd.DataFrame
    in_both: int
    """articles that were in both sets and were left out of both"""


def articles_in_range(articles: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """The articles dated from start to end, both days included."""
    dates = articles["date"]
    return articles.loc[(dates >= pd.Timestamp(start)) & (dates < pd.Timestamp(end) + pd.Timedelta(days=1))]


def article_set(articles: pd.DataFrame, mentions: pd.DataFrame, kind: str, choice: Choice) -> pd.DataFrame:
    """One side: a source's articles, the articles mentioning a leader, or a period's (choice = (start, end))."""
    if kind == "sources":
        return articles.loc[articles["source"] == choice]
    if kind == "leaders":
        return articles_mentioning(articles, mentions, [choice])
    if kind == "periods":
        start, end = choice
        return articles_in_range(articles, start, end)
    raise ValueError(f"unknown kind of comparison: {kind!r}")


def _not_in(articles: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    return articles.loc[~articles["article_id"].isin(other["article_id"])]


def in_shared_months(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both sets cut to the calendar months in which both have articles (so time does not masquerade as difference)."""
    month_a, month_b = a["date"].dt.to_period("M"), b["date"].dt.to_period("M")
    shared = pd.Index(month_a.unique()).intersection(pd.Index(month_b.unique()))
    return a.loc[month_a.isin(shared)], b.loc[month_b.isin(shared)]


def compared_sides(
    articles: pd.DataFrame, mentions: pd.DataFrame, kind: str, choice_a: Choice, choice_b: Choice,
    same_months: bool = False,
) -> Sides:
    """Sets A and B of the (filtered) articles. B = REST: every article not in A.

    Articles in both sets (a leader's articles that mention the other leader, overlapping
    periods) are left out of both, so each set's terms are its own. `same_months` then
    keeps only the months both sets cover.
    """
    a = article_set(articles, mentions, kind, choice_a)
    b = _not_in(articles, a) if choice_b == REST else article_set(articles, mentions, kind, choice_b)
    both = a["article_id"].isin(b["article_id"])
    a, b = a.loc[~both], _not_in(b, a)
    if same_months:
        a, b = in_shared_months(a, b)
    return Sides(a=a, b=b, in_both=int(both.sum()))


def _label(kind: str, choice: Choice, actor_names: Mapping[str, str]) -> str:
    if kind == "periods":
        start, end = choice
        return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    return actor_names.get(choice, choice) if kind == "leaders" else str(choice)


def side_labels(kind: str, choice_a: Choice, choice_b: Choice, actor_names: Mapping[str, str]) -> tuple[str, str]:
    """How the page names A and B (plain text: escape it for Markdown or HTML)."""
    label_a = _label(kind, choice_a, actor_names)
    if choice_b != REST:
        return label_a, _label(kind, choice_b, actor_names)
    return label_a, {"sources": "all other sources", "leaders": f"articles not mentioning {label_a}", "periods": "all other dates"}[kind]


def largest_source(articles: pd.DataFrame) -> str:
    """The source with most articles (ties: alphabetical): set A's first choice."""
    counts = articles["source"].astype("str").value_counts()
    return str(counts.index[np.lexsort((counts.index.to_numpy(dtype=str), -counts.to_numpy()))[0]])


def halves(first: date, last: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """The span first..last cut in two consecutive periods (the first choice of two periods)."""
    middle = first + (last - first) // 2
    return (first, middle), (min(middle + timedelta(days=1), last), last)


def period_choice(start: date | None, end: date | None, first: date, last: date) -> tuple[date, date]:
    """A period from two date inputs: an empty input stands for the data's first or last day; a reversed pair is swapped."""
    start, end = start or first, end or last
    return (start, end) if start <= end else (end, start)


def day_within(value: str, first: date, last: date) -> bool:
    """Whether a URL value is a YYYY-MM-DD day from first to last (what a period's date input accepts)."""
    try:
        return first <= date.fromisoformat(value.strip()) <= last and len(value.strip()) == 10
    except ValueError:
        return False


def set_problem(label: str, articles: pd.DataFrame, min_articles: int = MIN_SET_ARTICLES) -> str | None:
    """Why a set cannot be compared (empty, or too few articles for the scores to mean much); None when it can."""
    if articles.empty:
        return f"{label} has no article within the filters."
    if len(articles) < min_articles:
        plural = "s" if len(articles) > 1 else ""
        return f"{label} has only {len(articles)} article{plural} within the filters: at least {min_articles} are needed."
    return None


def distinctive_terms(matrix: TermMatrix, sides: Sides, corpus: pd.DataFrame) -> pd.DataFrame:
    """Every term either set uses: term, count_a, count_b, delta (log-odds ratio), z; most typical of A first.

    Prior: the term counts of `corpus` (the filtered articles), at the weight of the data.
    Positive z: A uses the term more; negative: B does.
    """
    totals_a, totals_b, totals_corpus = term_totals_of(matrix, [sides.a, sides.b, corpus])
    used = (totals_a + totals_b) > 0
    terms = matrix.terms[used]  # one index for all three: log_odds_dirichlet then aligns nothing
    counts_a, counts_b = pd.Series(totals_a[used], index=terms), pd.Series(totals_b[used], index=terms)
    table = log_odds_dirichlet(counts_a, counts_b, prior=pd.Series(totals_corpus[used], index=terms)).reset_index()
    return table.assign(term=table["term"].astype("str"))


def top_terms(table: pd.DataFrame, n: int) -> pd.DataFrame:
    """The n terms most typical of A (highest z) and the n most typical of B (lowest z), with `side` ("a"/"b")."""
    for_a = table.loc[table["z"] > 0].nlargest(n, "z").assign(side="a")
    for_b = table.loc[table["z"] < 0].nsmallest(n, "z").assign(side="b")
    return pd.concat([for_a, for_b], ignore_index=True)


def _term_data(rows: pd.DataFrame) -> np.ndarray:
    """customdata of term points: (term, escaped term, count in A, count in B), all strings (Plotly checks
    object arrays value by value, ~40x slower)."""
    terms = rows["term"].astype("str")
    escaped = [escape_html(term) for term in terms]
    return np.column_stack([terms.to_numpy(dtype=str), np.array(escaped, dtype=str),
                            rows["count_a"].to_numpy().astype(str), rows["count_b"].to_numpy().astype(str)])


LABEL_CHAR_WIDTH, LABEL_HEIGHT = 0.0075, 0.045
"""A scatter label's size as a share of the plot's width (per character, 11 px text on ~900 px) and height (~460 px)."""


def spaced_labels(shown: pd.DataFrame, n: int) -> list[str]:
    """The terms to name on the scatter: on each side, the strongest first, skipping any whose label would
    overlap one already named or whose words one already named holds ("media" after "state media").

    `shown` has term, total (A + B occurrences, drawn on a log axis) and z. Label boxes are
    estimated in the plot's unit square from the data's ranges, a label sitting above an A dot
    and below a B dot.
    """
    if shown.empty:
        return []
    x = np.log10(shown["total"].clip(lower=1).to_numpy(dtype=float))
    y = shown["z"].to_numpy(dtype=float)
    x = (x - x.min()) / max(x.max() - x.min(), 1e-9)
    y = (y - y.min()) / max(y.max() - y.min(), 1e-9)
    placed: list[tuple[float, float, float, float]] = []
    named: list[str] = []
    for side, sign in (("a", 1), ("b", -1)):
        candidates = top_terms(shown.assign(x=x, y=y), 4 * n)
        count = 0
        for row in candidates.loc[candidates["side"] == side].itertuples():
            if count == n:
                break
            half = len(row.term) * LABEL_CHAR_WIDTH / 2
            bottom = row.y if sign > 0 else row.y - LABEL_HEIGHT
            box = (row.x - half, bottom, row.x + half, bottom + LABEL_HEIGHT)
            crowded = any(box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3] for other in placed)
            words = set(row.term.split())
            if crowded or any(words <= set(other.split()) or set(other.split()) <= words for other in named):
                continue
            placed.append(box)
            named.append(row.term)
            count += 1
    return named


_TERM_HOVER = "<b>%{customdata[1]}</b><br>A: %{customdata[2]} · B: %{customdata[3]}<br>"


def scatter_figure(table: pd.DataFrame, label_a: str, label_b: str, n_labels: int = N_LABELLED, max_points: int = MAX_SCATTER_POINTS) -> go.Figure:
    """Monroe et al.'s plot: x = the term's count in both sets (log scale), y = z; the n_labels most
    typical terms of each side are labelled (A's above their dot, B's below), the others named on hover.
    customdata = (term, escaped term, count_a, count_b), so a click picks the term.

    At most max_points terms are drawn, those with the largest |z| (the table has them all).
    One trace per colour: A's terms (z >= Z_THRESHOLD), B's (z <= -Z_THRESHOLD), neither.
    """
    shown = table.assign(total=table["count_a"] + table["count_b"])
    shown = shown.loc[shown["total"] > 0]
    shown = shown.iloc[np.argsort(-shown["z"].abs().to_numpy(), kind="stable")[:max_points]]
    labelled = set(spaced_labels(shown, n_labels))
    groups = (
        (f"more in {label_a}", COLOR_A, shown["z"] >= Z_THRESHOLD),
        (f"more in {label_b}", COLOR_B, shown["z"] <= -Z_THRESHOLD),
        ("no clear difference", COLOR_NEITHER, shown["z"].abs() < Z_THRESHOLD),
    )
    fig = go.Figure()
    for name, color, in_group in groups:
        rows = shown.loc[in_group]
        data = _term_data(rows)
        fig.add_scatter(
            x=rows["total"], y=rows["z"], mode="markers+text", name=escape_html(name), marker={"color": color, "size": 6, "opacity": 0.8},
            text=np.where(rows["term"].isin(labelled).to_numpy(), data[:, 1], ""),
            textposition="bottom center" if color == COLOR_B else "top center",
            textfont={"size": 11}, customdata=data, hovertemplate=_TERM_HOVER + "strength %{y:+.1f}<extra></extra>",
        )
    fig.update_layout(
        xaxis={"type": "log", "title": "Occurrences in A and B (log scale)"},
        yaxis={"title": f"← more in {escape_html(label_b)} · strength · more in {escape_html(label_a)} →", "zeroline": True},
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": z, "y1": z, "line": {"dash": "dot", "color": "grey", "width": 1}}
                for z in (Z_THRESHOLD, -Z_THRESHOLD)],
    )
    return style(fig, height=520)


def bars_figure(table: pd.DataFrame, label_a: str, label_b: str, n: int = 15) -> go.Figure:
    """Side by side, the n terms most typical of A and of B as bars of |z|; customdata as in `scatter_figure`."""
    top = top_terms(table, n)
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"More in {escape_html(label_a)}", f"More in {escape_html(label_b)}"),
                        horizontal_spacing=0.18)
    for column, (side, color) in enumerate((("a", COLOR_A), ("b", COLOR_B)), start=1):
        rows = top.loc[top["side"] == side]
        fig.add_bar(
            x=rows["z"].abs(), y=[escape_html(term) for term in rows["term"]], orientation="h", marker_color=color, showlegend=False,
            customdata=_term_data(rows), hovertemplate=_TERM_HOVER + "strength %{x:.1f}<extra></extra>",
            row=1, col=column,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=column)
        fig.update_xaxes(title="strength", row=1, col=column)
    return style(fig, height=max(300, 60 + 24 * n))
