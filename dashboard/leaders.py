"""Leaders: how often each leader is mentioned over time, their share of voice, who is mentioned
with whom, and the tone toward them.

Counts come from mentions.parquet (article x actor); co-mentions and tone use the sentences
that name a leader, from sentence_actors.parquet (one row per mention), reduced once per build
by `sentence_mentions` to one row per (sentence, leader). Leader tone per period is the mean,
over those sentences, of the tone toward the leader (`pipeline.stance`: the words that bear on
that person, not the whole sentence) with a 95 % interval; a mean on fewer than
`tone_view.MIN_SENTENCES` sentences is drawn thin.

Pure functions (tables in, tables or figures out); pages/leaders.py lays them out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import THIN_COLOR, date_format, style, text_colors_on_scale
from dashboard.overview import leader_mentions
from dashboard.queries import article_positions, articles_in_periods, articles_mentioning, period_start
from dashboard.safe_text import escape_html
from dashboard.tone_view import MIN_SENTENCES, PALETTE, period_codes, tone_by_cells

DEFAULT_TOP_N = 5
MAX_LEADERS = 12
MEASURES = {
    "articles": "Articles mentioning the leader",
    "share": "Share of the period's articles",
    "mentions": "Mentions (times named)",
}
LEVELS = {
    "sentence": "Sentences naming both",
    "article": "Articles mentioning both",
}
OTHER_LEADERS = "Other leaders"


def shown_leaders(
    articles: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], chosen: Sequence[str], top_n: int,
) -> list[str]:
    """The leaders a view is about: those chosen in the sidebar, else the top_n mentioned in most articles."""
    if chosen:
        return list(chosen)
    return leader_mentions(articles, mentions, actor_names, top_n)["actor_id"].tolist()


def leader_colors(leaders: Sequence[str]) -> dict[str, str]:
    """One colour per leader, the same in every chart of the view."""
    return {actor_id: PALETTE[position % len(PALETTE)] for position, actor_id in enumerate(leaders)}


def leader_labels(leaders: Sequence[str], actor_names: Mapping[str, str]) -> dict[str, str]:
    """actor_id -> display name (the id when the build has no name for it), in the leaders' order."""
    return {actor_id: actor_names.get(actor_id, actor_id) for actor_id in leaders}


def sentence_mentions(sentence_actors: pd.DataFrame) -> pd.DataFrame:
    """One row per (sentence, leader it names): sentence (a number per distinct sentence), article_id, actor_id,
    tone (toward that leader in that sentence), from sentence_actors' one row per mention.

    A leader named twice in a sentence counts once (both mentions carry the same tone), so a
    sentence weighs the same in a leader's mean however often it repeats the name. Built once
    per build (`Artifacts.named_sentences`): de-duplicating ~300,000 mentions takes longer than a filter change may.
    """
    rows = sentence_actors.drop_duplicates(["article_id", "sentence_idx", "actor_id"])
    sentence, _ = pd.factorize(pd.MultiIndex.from_arrays([rows["article_id"], rows["sentence_idx"]]))
    named = pd.DataFrame({
        "sentence": sentence,
        "article_id": rows["article_id"].to_numpy(),
        "actor_id": rows["actor_id"].astype("str").to_numpy(),
        "tone": rows["tone"].astype(float).to_numpy(),
    })
    if isinstance(sentence_actors["article_id"].dtype, pd.CategoricalDtype):
        named["article_id"] = pd.Categorical(named["article_id"], dtype=sentence_actors["article_id"].dtype)
    return named.astype({"actor_id": "category"})


class _LeaderRows:
    """The rows of an (article_id, actor_id, ...) table that fall in the articles and name one of the leaders,
    with each row's article position (row in `articles`) and leader position (index in `leaders`).

    Positions come from `queries.article_positions`, which works on the categorical codes of the
    artifacts: no string is built per row, so a filter change on a large build stays fast. Only the
    columns asked for (`column`) are copied: copying every column of the ~1.9 million sentences that
    name a leader at a million stories took ~0.2 s per chart.
    """

    def __init__(self, table: pd.DataFrame, articles: pd.DataFrame, leaders: Sequence[str]) -> None:
        article_pos = article_positions(articles, table["article_id"])
        leader_pos = pd.Index(list(leaders), dtype=object).get_indexer(table["actor_id"])
        self._table = table
        self._kept = np.flatnonzero((article_pos >= 0) & (leader_pos >= 0))
        self.article = article_pos[self._kept]
        self.leader = leader_pos[self._kept]

    def column(self, name: str) -> np.ndarray:
        """Column `name`'s values in the kept rows."""
        return self._table[name].iloc[self._kept].to_numpy()


def mentions_over_time(articles: pd.DataFrame, mentions: pd.DataFrame, leaders: Sequence[str], frequency: str) -> pd.DataFrame:
    """Per period and leader: period, actor_id, articles (mentioning the leader), mentions (times named),
    period_articles (all the period's articles), share (articles / period_articles).

    Every period that has articles is a row for every leader, so a period without the leader shows 0.
    """
    periods, article_period = period_codes(articles, frequency)
    found = _LeaderRows(mentions, articles, leaders)
    cell = article_period[found.article] * len(leaders) + found.leader
    size = len(periods) * len(leaders)
    period_articles = np.bincount(article_period, minlength=len(periods))
    table = pd.DataFrame({
        "period": np.repeat(periods, len(leaders)),
        "actor_id": np.tile(np.asarray(leaders, dtype=object), len(periods)),
        "articles": np.bincount(cell, minlength=size),  # mentions.parquet has one row per (article, actor)
        "mentions": np.bincount(cell, weights=found.column("count").astype(float, copy=False), minlength=size).astype("int64"),
        "period_articles": np.repeat(period_articles, len(leaders)),
    }).astype({"actor_id": "str"})
    table["share"] = table["articles"] / table["period_articles"]
    return table


def share_of_voice(articles: pd.DataFrame, mentions: pd.DataFrame, leaders: Sequence[str], actor_names: Mapping[str, str]) -> pd.DataFrame:
    """Each leader's share of all leader mentions in the articles: actor_id, name, mentions, share.

    The leaders come in their given order, then one OTHER_LEADERS row (actor_id "") for every
    other actor's mentions when there are any. Shares sum to 1 (NaN when nobody is mentioned).
    """
    in_articles = mentions.loc[mentions["article_id"].isin(articles["article_id"])]
    total = int(in_articles["count"].sum())
    found = _LeaderRows(in_articles, articles, leaders)
    table = pd.DataFrame({"actor_id": list(leaders), "name": list(leader_labels(leaders, actor_names).values())})
    counts = found.column("count").astype(float, copy=False)
    table["mentions"] = np.bincount(found.leader, weights=counts, minlength=len(leaders)).astype("int64")
    others = total - int(table["mentions"].sum())
    if others:
        table = pd.concat([table, pd.DataFrame({"actor_id": [""], "name": [OTHER_LEADERS], "mentions": [others]})], ignore_index=True)
    table["share"] = table["mentions"] / total if total else np.nan
    return table


def _co_mention_counts(units: np.ndarray, leader: np.ndarray, leaders: Sequence[str]) -> pd.DataFrame:
    """actor_a, actor_b, both: for each ordered pair of leaders, the number of distinct units naming both."""
    unit_codes, unique_units = pd.factorize(units)
    naming = np.zeros((len(unique_units), len(leaders)), dtype=np.float32)
    naming[unit_codes, leader] = 1.0
    both = (naming.T @ naming).round().astype("int64")
    return pd.DataFrame({"actor_a": np.repeat(leaders, len(leaders)), "actor_b": np.tile(leaders, len(leaders)), "both": both.ravel()})


def co_mention_table(
    articles: pd.DataFrame, mentions: pd.DataFrame, named_sentences: pd.DataFrame, leaders: Sequence[str], level: str,
) -> pd.DataFrame:
    """How many of the filtered articles ("article": mentions.parquet) or of their sentences ("sentence":
    `sentence_mentions`) name both leaders of each pair: actor_a, actor_b, both for every ordered pair
    (a symmetric matrix in long form); on the diagonal, the number that name the leader at all."""
    if level == "article":
        found = _LeaderRows(mentions, articles, leaders)
        return _co_mention_counts(found.article, found.leader, leaders)
    found = _LeaderRows(named_sentences, articles, leaders)
    return _co_mention_counts(found.column("sentence"), found.leader, leaders)


def articles_naming_pairs(
    articles: pd.DataFrame, mentions: pd.DataFrame, named_sentences: pd.DataFrame, pairs: Iterable[Sequence[str]], level: str,
) -> pd.DataFrame:
    """The articles behind any of the (actor_a, actor_b, ...) cells of `co_mention_table`: those that mention
    both ("article") or have a sentence that names both ("sentence"); a diagonal cell stands for the one leader."""
    table, unit = (mentions, "article_id") if level == "article" else (named_sentences, "sentence")
    chosen = np.zeros(len(articles), dtype=bool)
    for actor_a, actor_b, *_ in pairs:
        wanted = list(dict.fromkeys((actor_a, actor_b)))
        found = _LeaderRows(table, articles, wanted)
        units = pd.Series(found.column(unit))
        leaders_named = pd.Series(found.leader).groupby(units).nunique()
        complete = units.isin(leaders_named.index[leaders_named == len(wanted)]).to_numpy()
        chosen[found.article[complete]] = True
    return articles.loc[chosen]


def articles_for_leader_periods(
    articles: pd.DataFrame, mentions: pd.DataFrame, cells: Iterable[Sequence[str]], frequency: str,
) -> pd.DataFrame:
    """The articles of any of the (period start YYYY-MM-DD, actor_id, ...) cells: in that period and mentioning that leader."""
    ids: set[str] = set()
    for period, actor_id, *_ in cells:
        in_period = articles_in_periods(articles, [(period, None)], frequency)
        ids.update(articles_mentioning(in_period, mentions, [actor_id])["article_id"].astype("str"))
    return articles.loc[articles["article_id"].astype("str").isin(ids)]


def leader_tone(named_sentences: pd.DataFrame, articles: pd.DataFrame, leaders: Sequence[str], frequency: str) -> pd.DataFrame:
    """Tone toward each leader in the sentences naming them (`sentence_mentions`), per period: actor_id, period, n,
    mean, se, ci_low, ci_high, thin (fewer than MIN_SENTENCES sentences). Leaders in their given order, periods in time order."""
    periods, article_period = period_codes(articles, frequency)
    found = _LeaderRows(named_sentences, articles, leaders)
    tone = found.column("tone").astype(float, copy=False)
    return tone_by_cells(found.leader, leaders, article_period[found.article], periods, tone, MIN_SENTENCES, "actor_id")


# --- figures ---------------------------------------------------------------------------


def mentions_figure(table: pd.DataFrame, measure: str, frequency: str, labels: Mapping[str, str], colors: Mapping[str, str]) -> go.Figure:
    """One line with markers per leader of `mentions_over_time`; customdata = (period YYYY-MM-DD, actor_id, articles, period_articles)."""
    value_format = ":.0%" if measure == "share" else ""
    lines = []
    for actor_id, label in labels.items():
        rows = table.loc[table["actor_id"] == actor_id]
        lines.append({
            "type": "scatter", "x": rows["period"], "y": rows[measure], "mode": "lines+markers", "name": escape_html(label),
            "line": {"color": colors[actor_id]},
            "customdata": np.column_stack([
                rows["period"].dt.strftime("%Y-%m-%d"), rows["actor_id"], rows["articles"], rows["period_articles"],
            ]),
            "hovertemplate": (f"%{{fullData.name}} · %{{x|{date_format(frequency)}}}: %{{y{value_format}}}"
                              "<br>%{customdata[2]} of %{customdata[3]} articles<extra></extra>"),
        })
    yaxis = {"title": {"text": MEASURES[measure]}, "rangemode": "tozero", **({"tickformat": ".0%"} if measure == "share" else {})}
    return style(go.Figure(data=lines, layout={"yaxis": yaxis, "xaxis": {"title": {"text": None}}}), height=420)


def share_of_voice_figure(table: pd.DataFrame, colors: Mapping[str, str]) -> go.Figure:
    """Horizontal bars of `share_of_voice`, in its order; customdata = (actor_id, mentions), actor_id "" for the other leaders."""
    bars = {
        "type": "bar", "x": table["share"], "y": [escape_html(name) for name in table["name"]], "orientation": "h",
        "marker": {"color": [colors.get(actor_id, THIN_COLOR) for actor_id in table["actor_id"]]},
        "customdata": np.column_stack([table["actor_id"], table["mentions"]]),
        "text": [f"{share:.0%}" for share in table["share"].fillna(0)], "textposition": "outside", "textangle": 0, "cliponaxis": False,
        "hovertemplate": "%{y}: %{x:.1%} of leader mentions (%{customdata[1]} mentions)<extra></extra>",
    }
    largest = float(table["share"].max())
    layout = {"yaxis": {"autorange": "reversed"},  # room on the right for the largest bar's label, written level beside it
              "xaxis": {"tickformat": ".0%", "range": [0, 1.15 * largest if largest > 0 else 1],
                        "title": {"text": "Share of all leader mentions"}}}
    return style(go.Figure(data=[bars], layout=layout), height=max(220, 60 + 32 * len(table)))


def co_mention_figure(table: pd.DataFrame, labels: Mapping[str, str], level: str) -> go.Figure:
    """A heatmap of `co_mention_table` with the counts written in; the diagonal (a leader with itself) is left blank.

    Heatmaps emit no selection events, so a transparent marker per cell carries the hover and
    customdata = (actor_a, actor_b, both) for selections.
    """
    leaders = list(labels)
    names = [escape_html(labels[actor_id]) for actor_id in leaders]
    matrix = table.pivot(index="actor_a", columns="actor_b", values="both").reindex(index=leaders, columns=leaders)
    counts = matrix.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(counts, np.nan)
    unit = "sentences" if level == "sentence" else "articles"
    cells = table.loc[table["actor_a"] != table["actor_b"]]
    name_of = dict(zip(leaders, names, strict=True))
    heatmap = {"type": "heatmap", "z": counts, "x": names, "y": names, "colorscale": "Blues", "hoverinfo": "skip", "zmin": 0,
               "xgap": 2, "ygap": 2, "colorbar": {"title": {"text": unit}}}
    markers = {
        "type": "scatter", "x": cells["actor_b"].map(name_of), "y": cells["actor_a"].map(name_of), "mode": "markers+text",
        "text": cells["both"].astype("str"), "showlegend": False,
        "textfont": {"color": text_colors_on_scale(cells["both"], "Blues", 0, float(np.nanmax(counts, initial=0)))},
        "marker": {"size": 30, "symbol": "square", "color": "rgba(0, 0, 0, 0)"},
        "customdata": np.column_stack([cells["actor_a"], cells["actor_b"], cells["both"]]),
        "hovertemplate": f"%{{y}} and %{{x}}: %{{customdata[2]}} {unit} naming both<extra></extra>",
    }
    fig = go.Figure(data=[heatmap, markers], layout={"yaxis": {"autorange": "reversed"}})
    return style(fig, title=f"{LEVELS[level]}: co-mentions counted per {level}", height=max(320, 120 + 40 * len(leaders)))
