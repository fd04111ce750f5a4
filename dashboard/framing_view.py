"""Framing: the deal axis (all-at-once vs step-by-step) and the posture axis (engagement vs
pressure) over time and per source, how much framing there is at all (and how much was set aside
as not about Korea policy), example sentences per frame, and the articles that lean furthest each way.

A group's axis value is computed from its summed cue counts, (sum a - sum b) / (sum a + sum b + 1)
(the pipeline's own `framing_axes` on the sums), not as a mean of article values: an
article with one cue would otherwise weigh as much as one with twenty. Each value comes
with the number of cues it rests on; below MIN_CUES it is flagged as thin.

Pure functions (tables in, tables or figures out); pages/framing.py lays them out.
"""
from __future__ import annotations

import functools
import math
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import THIN_COLOR, date_format, style
from dashboard.queries import period_start
from dashboard.safe_text import escape_html
from dashboard.text_store import TextStore
from pipeline.framing import DPRK_DETERRENT_COLUMN, FRAME_COLUMNS, OFF_TOPIC_COLUMN, SHRINKAGE_CUES, FramingScorer, framing_axes

MIN_CUES = 5
"""A group's axis value resting on fewer cues than this is drawn grey."""
TITLE_LINE_CHARS = 48
"""Article titles on the strongest-lean chart are wrapped into lines of at most this many characters, never cut."""
TICK_LINE_PX = 15
EXAMPLES_PER_FRAME = 3
NOT_COUNTED = {OFF_TOPIC_COLUMN: "set aside: about another subject", DPRK_DETERRENT_COLUMN: "set aside: the DPRK's own deterrent"}
"""The artifact's columns of cues found but not counted in a frame, with what the page calls them."""
_STATUS = {OFF_TOPIC_COLUMN: "off_topic", DPRK_DETERRENT_COLUMN: "dprk_deterrent"}


@dataclass(frozen=True)
class Axis:
    """One framing axis: +1 when every cue is of the `positive` frame, -1 when every cue is of the `negative` one."""

    name: str
    short_title: str
    title: str
    positive: str
    negative: str
    positive_label: str
    negative_label: str
    color: str
    symbol: str
    """Plotly marker symbol of the axis's points (its thin points use the open variant)."""


AXES = {
    "deal_axis": Axis("deal_axis", "deal axis", "Deal: all-at-once (+1) vs step-by-step (-1)", "frame_all_at_once", "frame_step_by_step",
                      "all-at-once", "step-by-step", "#4c78a8", "circle"),
    "posture_axis": Axis("posture_axis", "posture axis", "Posture: engagement (+1) vs pressure (-1)", "frame_engagement", "frame_pressure",
                         "engagement", "pressure", "#f58518", "diamond"),
}
FRAME_LABELS = {column: label for axis in AXES.values()
                for column, label in ((axis.positive, axis.positive_label), (axis.negative, axis.negative_label))}
EXAMPLE_LABELS = {**FRAME_LABELS, **NOT_COUNTED}
FRAME_COLORS = {"frame_all_at_once": "#4c78a8", "frame_step_by_step": "#9ecae9", "frame_engagement": "#f28e2b", "frame_pressure": "#7554a0"}
"""Blues for the deal axis, orange and purple for the posture axis: red and green stand for tone alone."""
AXES_CAPTION = (
    "**Deal axis**: +1 when every cue is all-at-once, everything in one deal (\"big deal\", CVID, \"grand bargain\"); "
    "-1 when every cue is step-by-step (\"phased\", \"action for action\", partial sanctions relief). "
    "**Posture axis**: +1 all engagement (talks, summits, dialogue), -1 all pressure (sanctions, \"maximum pressure\"). "
    "A point is (cues of one side - cues of the other) / (both + 1) summed over all the articles it stands for, so an "
    f"article with one cue does not weigh like one with twenty; points resting on fewer than {MIN_CUES} cues are grey. "
    "Cues are weighted: a phrase that often means something else counts less than 1."
)
INTRODUCTION = (
    "How do texts talk about getting North Korea to give up its nuclear weapons? This page counts the words of two "
    "debates: **one big deal or step by step**, and **engagement (talks, summits) or pressure (sanctions, deterrence)**. "
    "A word counts only when its sentence, or the one before it in the same paragraph, is about Korea: sanctions on Iran "
    "or a budget \"reconciliation\" bill are set aside, and so is North Korea's own \"war deterrent\", which is its "
    "posture, not pressure on it."
)
HOW_IT_IS_COMPUTED = f"""
- **Cues.** Each frame has a list of weighted phrases (`data/framing_lexicon.csv`): 1 when the phrase names the approach
  outright ("maximum pressure", "action for action"), less when it often means something else. The longest phrase wins,
  and a cue right after a negation ("no talks", "rejected a phased approach") counts zero.
- **About Korea.** A cue counts only when its sentence names North or South Korea, Pyongyang, Seoul, the peninsula,
  denuclearization or a Korean leader or official, or names no other subject (Iran, Ukraine, Israel, tariffs, a budget
  bill...) and the sentence before it in the same paragraph names Korea. The rest is shown as "about another subject".
- **Whose deterrent.** A "deterrent" or "deterrence" cue is the DPRK's own when the words right before it say so
  ("war deterrent", "self-defensive") or the nearest country named before it (else after it) is the DPRK; it is then set
  aside. The allies' deterrence ("extended", "U.S.-ROK", "against the DPRK") and deterrence whose owner is not said count
  as pressure; another country's deterrent (China's, NATO's) is set aside with the other subjects.
- **Axes.** deal axis = (all-at-once - step-by-step) / (all-at-once + step-by-step + {SHRINKAGE_CUES:g}), posture axis
  = (engagement - pressure) / (engagement + pressure + {SHRINKAGE_CUES:g}), over the summed cues of the articles a
  point stands for. The + {SHRINKAGE_CUES:g} pulls values resting on few cues toward 0: one cue gives 0.5, not 1; twenty
  give 0.95. Empty when neither side has a cue.
"""


@dataclass(frozen=True)
class Coverage:
    """How much framing the filtered articles hold: articles with a counted cue, and the cue weight set aside."""

    articles: int
    with_cue: int
    counted: float
    off_topic: float
    dprk_deterrent: float

    @property
    def share_with_cue(self) -> float:
        """Share of the articles with at least one counted cue (NaN without articles)."""
        return self.with_cue / self.articles if self.articles else float("nan")

    @property
    def share_set_aside(self) -> float:
        """Share of all cue weight found that was not counted (NaN without cues)."""
        found = self.counted + self.off_topic + self.dprk_deterrent
        return (self.off_topic + self.dprk_deterrent) / found if found else float("nan")


def cue_coverage(articles: pd.DataFrame) -> Coverage:
    """Counted and set-aside cues of the articles; builds older than the Korea rule have no set-aside columns (0)."""
    counted = articles[list(FRAME_COLUMNS)].astype(float).sum(axis=1)
    set_aside = {column: float(articles[column].sum()) if column in articles.columns else 0.0 for column in NOT_COUNTED}
    return Coverage(len(articles), int((counted > 0).sum()), float(counted.sum()), set_aside[OFF_TOPIC_COLUMN],
                    set_aside[DPRK_DETERRENT_COLUMN])


def coverage_metrics(coverage: Coverage) -> list[tuple[str, str, str]]:
    """(label, value, explanation) of the page's two headline figures."""
    set_aside = "none" if math.isnan(coverage.share_set_aside) else f"{coverage.share_set_aside:.0%}"
    with_cue = "-" if math.isnan(coverage.share_with_cue) else f"{coverage.share_with_cue:.0%}"
    return [
        ("Articles with a framing cue about Korea", with_cue,
         f"{coverage.with_cue:,} of {coverage.articles:,} filtered articles have at least one counted cue."),
        ("Cue weight set aside", set_aside,
         f"Of the cue weight found, {coverage.off_topic:.3g} was about another subject and {coverage.dprk_deterrent:.3g} was the "
         "DPRK's own deterrent; neither counts in the axes."),
    ]


@functools.cache
def _scorer() -> FramingScorer:
    """The scorer that names the cues of the example sentences (loaded once per process)."""
    return FramingScorer()


def frame_examples(cue_sentences: pd.DataFrame, articles: pd.DataFrame, texts: TextStore, n: int = EXAMPLES_PER_FRAME,
                   scorer: FramingScorer | None = None) -> pd.DataFrame:
    """A few example sentences per frame, and of the cues set aside, from the given articles.

    `cue_sentences` are `TextStore.cue_sentences` (the build's sentences with a cue, no text:
    `Artifacts.cue_sentences`); only the sentences chosen are read from disk. Columns: frame
    (artifact column), label, article_id, date, source, title, text, cues (the cue words of
    that frame in the sentence, "; "-joined), weight. Per frame, the sentences with the most
    weight of that frame, one per article, newest first among equals.
    """
    scorer = scorer or _scorer()
    columns = [column for column in (*FRAME_COLUMNS, *NOT_COUNTED) if column in cue_sentences.columns]
    wanted = cue_sentences.loc[cue_sentences["article_id"].isin(articles["article_id"]) & (cue_sentences[columns] > 0).any(axis=1)]
    wanted = wanted.merge(articles[["article_id", "date", "source", "title"]], on="article_id")
    chosen = {column: wanted.loc[wanted[column] > 0].sort_values([column, "date"], ascending=False, kind="stable")
              .drop_duplicates("article_id").head(n) for column in columns}
    rows = pd.concat([frame["row"] for frame in chosen.values()]) if chosen else pd.Series(dtype="int64")
    read = texts.sentences_at(rows.unique(), ["text", "actor_ids"]).set_index("row")
    parts = []
    for column, picked in chosen.items():
        text, actor_ids = read.loc[picked["row"], "text"].astype("str").to_numpy(), read.loc[picked["row"], "actor_ids"].to_numpy()
        relevant = (picked[[c for c in (*FRAME_COLUMNS, DPRK_DETERRENT_COLUMN) if c in picked.columns]] > 0).any(axis=1)
        cues = [_cue_words(scorer, sentence, actors, column, bool(is_relevant))
                for sentence, actors, is_relevant in zip(text, actor_ids, relevant, strict=True)]
        parts.append(pd.DataFrame({
            "frame": column, "label": EXAMPLE_LABELS[column], "article_id": picked["article_id"].astype("str").to_numpy(),
            "date": picked["date"].to_numpy(), "source": picked["source"].astype("str").to_numpy(),
            "title": picked["title"].astype("str").to_numpy(), "text": text, "cues": cues,
            "weight": picked[column].to_numpy(dtype=float),
        }))
    if not parts:
        return pd.DataFrame(columns=["frame", "label", "article_id", "date", "source", "title", "text", "cues", "weight"])
    return pd.concat(parts, ignore_index=True)


def _cue_words(scorer: FramingScorer, text: str, actor_ids: object, column: str, relevant: bool) -> str:
    """The words of the sentence's cues that went to ``column`` ("" when today's lexicon no longer finds them)."""
    cues = scorer.explain(text, list(actor_ids) if actor_ids is not None else [], relevant)
    if column in _STATUS:
        words = [cue.text for cue in cues if cue.status == _STATUS[column]]
    else:
        words = [cue.text for cue in cues if cue.status == "counted" and f"frame_{cue.frame}" == column]
    return "; ".join(words)



def _axis_balance(articles: pd.DataFrame, key: pd.Series, key_name: str) -> pd.DataFrame:
    """Tidy axis table per value of `key`: key_name, axis, value, positive_cues, negative_cues, cues, articles, thin."""
    groups = articles[list(FRAME_COLUMNS)].astype(float).groupby(key.to_numpy())
    sums = framing_axes(groups.sum())
    sizes = groups.size()
    parts = [
        pd.DataFrame({
            key_name: sums.index,
            "axis": axis.name,
            "value": sums[axis.name].to_numpy(),
            "positive_cues": sums[axis.positive].to_numpy(),
            "negative_cues": sums[axis.negative].to_numpy(),
            "articles": sizes.to_numpy(),
        })
        for axis in AXES.values()
    ]
    table = pd.concat(parts, ignore_index=True)
    table.insert(5, "cues", table["positive_cues"] + table["negative_cues"])
    table["thin"] = table["cues"] < MIN_CUES
    return table


def axes_by_period(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Both axes per period (start date), from the period's summed cues; see `_axis_balance` for the columns."""
    return _axis_balance(articles, period_start(articles["date"], frequency), "period")


def axes_by_source(articles: pd.DataFrame) -> pd.DataFrame:
    """Both axes per source, from the source's summed cues; see `_axis_balance` for the columns."""
    return _axis_balance(articles, articles["source"].astype("str"), "source")


def cue_volume(articles: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """How much each frame is talked about: period, frame (column name), label, cues, words, per_1000_words.

    Rows run frame by frame (in FRAME_COLUMNS order), periods in order within each.
    """
    sums = articles[[*FRAME_COLUMNS, "n_words"]].astype(float).groupby(period_start(articles["date"], frequency).to_numpy()).sum()
    table = sums.rename_axis("period").reset_index().melt(id_vars=["period", "n_words"], var_name="frame", value_name="cues")
    table = table.rename(columns={"n_words": "words"})[["period", "frame", "cues", "words"]]
    table.insert(2, "label", table["frame"].map(FRAME_LABELS))
    table["per_1000_words"] = 1000 * table["cues"] / table["words"].where(table["words"] > 0)
    return table


def strongest_articles(articles: pd.DataFrame, axis: Axis, n: int = 10) -> pd.DataFrame:
    """The n articles leaning furthest to each side of an axis, by net cues (own side's minus the other's).

    Columns: article_id, date, source, title, side (label), net (signed: > 0 the positive
    side), positive_cues, negative_cues, value (the article's axis). Rows run from the
    strongest positive lean to the strongest negative one; ties go to more cues, then to
    newer articles, then to artifact order. Articles without a net lean are left out.
    """
    positive = articles[axis.positive].to_numpy(dtype=float)
    negative = articles[axis.negative].to_numpy(dtype=float)
    net = positive - negative
    # np.lexsort sorts by its last key first, stably.
    ranked = np.lexsort((-articles["date"].to_numpy().astype("int64"), -(positive + negative), -np.abs(net)))
    leaning_positive = ranked[net[ranked] > 0][:n]
    leaning_negative = ranked[net[ranked] < 0][:n][::-1]
    rows = np.concatenate([leaning_positive, leaning_negative])
    chosen = articles.iloc[rows]
    return pd.DataFrame({
        "article_id": chosen["article_id"].astype("str").to_numpy(),
        "date": chosen["date"].to_numpy(),
        "source": chosen["source"].astype("str").to_numpy(),
        "title": chosen["title"].astype("str").to_numpy(),
        "side": np.where(net[rows] > 0, axis.positive_label, axis.negative_label),
        "net": net[rows],
        "positive_cues": positive[rows],
        "negative_cues": negative[rows],
        "value": chosen[axis.name].to_numpy(dtype=float),
    })


def axes_figure(table: pd.DataFrame, frequency: str) -> go.Figure:
    """Both axes over time, -1..1. Each axis has a line of the points resting on at least MIN_CUES cues and
    grey markers for the thin ones; customdata = (period YYYY-MM-DD, cues, positive, negative, articles)."""
    fig = go.Figure()
    for axis in AXES.values():
        rows = table.loc[table["axis"] == axis.name]
        customdata = np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["cues"], rows["positive_cues"],
                                      rows["negative_cues"], rows["articles"]])
        hover = (f"%{{x|{date_format(frequency)}}} · {axis.short_title} %{{y:+.2f}}<br>"
                 f"%{{customdata[1]:.3~f}} cues: {axis.positive_label} %{{customdata[2]:.3~f}}, "
                 f"{axis.negative_label} %{{customdata[3]:.3~f}} · %{{customdata[4]}} articles<extra></extra>")
        thin_values = rows["value"].where(rows["thin"])
        common = {"x": rows["period"], "legendgroup": axis.name, "customdata": customdata, "hovertemplate": hover}
        fig.add_scatter(y=rows["value"].where(~rows["thin"]), mode="lines+markers", name=axis.title, line_color=axis.color,
                        marker_symbol=axis.symbol, connectgaps=False, **common)
        fig.add_scatter(y=thin_values, mode="markers", name=f"{axis.short_title}: < {MIN_CUES} cues",
                        marker={"color": THIN_COLOR, "symbol": f"{axis.symbol}-open", "size": 8},
                        showlegend=bool(thin_values.notna().any()), **common)
    fig.add_hline(y=0, line_color="grey", line_width=1, opacity=0.5)
    fig.update_yaxes(range=[-1.05, 1.05], title="Axis value")
    fig.update_layout(xaxis_title=None)
    return style(fig, height=420)


def cue_volume_figure(volume: pd.DataFrame, frequency: str) -> go.Figure:
    """Cues per 1,000 words of each frame over time, one line with markers per frame; customdata = (period, cues, words)."""
    fig = go.Figure()
    for frame in FRAME_COLUMNS:
        rows = volume.loc[volume["frame"] == frame]
        fig.add_scatter(
            x=rows["period"], y=rows["per_1000_words"], mode="lines+markers", name=FRAME_LABELS[frame], line_color=FRAME_COLORS[frame],
            customdata=np.column_stack([rows["period"].dt.strftime("%Y-%m-%d"), rows["cues"], rows["words"]]),
            hovertemplate=(f"%{{x|{date_format(frequency)}}} · {FRAME_LABELS[frame]}: %{{y:.2f}} per 1,000 words"
                           "<br>%{customdata[1]:.3~f} cues in %{customdata[2]:,.0f} words<extra></extra>"),
        )
    fig.update_yaxes(rangemode="tozero", title="Cues per 1,000 words")
    fig.update_layout(xaxis_title=None)
    return style(fig)


def source_figure(table: pd.DataFrame) -> go.Figure:
    """A dot per source and axis (the axes side by side, sources shared), labelled with its number of cues; thin dots are grey."""
    fig = go.Figure()
    width = 1 / len(AXES)
    for index, axis in enumerate(AXES.values()):
        xaxis = f"x{index + 1}" if index else "x"
        rows = table.loc[(table["axis"] == axis.name) & table["value"].notna()]
        fig.add_scatter(
            x=rows["value"], y=[escape_html(source) for source in rows["source"]], xaxis=xaxis, mode="markers+text",
            text=[cue_count(cues) for cues in rows["cues"]], textposition="middle right", showlegend=False,
            marker={"size": 12, "color": np.where(rows["thin"], THIN_COLOR, axis.color)},
            customdata=np.column_stack([rows["source"], rows["positive_cues"], rows["negative_cues"], rows["articles"]]),
            hovertemplate=(f"%{{y}}: %{{x:+.2f}}<br>{axis.positive_label} %{{customdata[1]:.3~f}}, "
                           f"{axis.negative_label} %{{customdata[2]:.3~f}} cues in %{{customdata[3]}} articles<extra></extra>"),
        )
        fig.add_shape(type="line", x0=0, x1=0, y0=0, y1=1, xref=xaxis, yref="paper", line={"color": "grey", "width": 1}, opacity=0.5)
        fig.update_layout({f"xaxis{index + 1 if index else ''}": {
            "domain": [index * width + 0.02, (index + 1) * width - 0.02], "range": [-1.3, 1.3], "title": axis.title, "anchor": "y",
        }})
    fig.update_yaxes(autorange="reversed")
    return style(fig, height=max(220, 80 + 36 * table["source"].nunique()))


def cue_count(cues: float) -> str:
    """A weighted cue count in words: "8 cues" for 8.25 (weights make fractions that mean nothing to a reader), "1 cue", "under 1 cue"."""
    if cues < 0.5:
        return "under 1 cue"
    whole = round(cues)
    return f"{whole:,} cue{'s' if whole != 1 else ''}"


def wrapped_title(title: str, width: int = TITLE_LINE_CHARS) -> str:
    """An article title escaped and wrapped on spaces into lines of at most `width` characters (Plotly's <br>), whole."""
    lines = textwrap.wrap(title, width, break_long_words=True, break_on_hyphens=False) or [""]
    return "<br>".join(escape_html(line) for line in lines)


def strongest_figure(table: pd.DataFrame, axis: Axis) -> go.Figure:
    """Diverging bars of `strongest_articles` (positive lean right, negative left), one row per article
    labelled by its whole title, wrapped; customdata = (article_id, title, source, date, positive, negative)."""
    colors = np.where(table["net"] > 0, FRAME_COLORS[axis.positive], FRAME_COLORS[axis.negative])
    fig = go.Figure(go.Bar(
        x=table["net"], y=list(range(len(table))), orientation="h", marker_color=colors,
        customdata=np.column_stack([
            table["article_id"], [escape_html(title) for title in table["title"]], [escape_html(source) for source in table["source"]],
            table["date"].dt.strftime("%Y-%m-%d"), table["positive_cues"], table["negative_cues"],
        ]),
        hovertemplate=(f"%{{customdata[1]}}<br>%{{customdata[2]}} · %{{customdata[3]}}<br>{axis.positive_label} %{{customdata[4]:.3~f}}, "
                       f"{axis.negative_label} %{{customdata[5]:.3~f}} cues<extra></extra>"),
    ))
    ticks = [wrapped_title(title) for title in table["title"]]
    fig.update_yaxes(tickvals=list(range(len(table))), ticktext=ticks, autorange="reversed")
    fig.update_xaxes(title=f"Net cues: ← {axis.negative_label} · {axis.positive_label} →", zeroline=True)
    lines = sum(tick.count("<br>") + 1 for tick in ticks)
    return style(fig, height=max(220, 60 + 10 * len(table) + TICK_LINE_PX * lines))
