"""Articles: one article's breakdown (annotated text, topics, keywords, leaders, framing).

Pure functions; the listing itself is `dashboard.queries.article_table`, the article's sentences
come from disk (`TextStore.sentences_of`). Every piece of
corpus text that ends up in HTML goes through `dashboard.safe_text`.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import style, tone_color
from dashboard.queries import FRAME_MEASURES
from dashboard.safe_text import as_text, escape_html, safe_http_url
from pipeline import search_index

if TYPE_CHECKING:
    from dashboard.keywords_view import TermMatrix

MENTION_CLASS = "pw-mention"
SEARCH_CLASS = "pw-search"
MUTED_TEXT = "#4f5b69"
"""Grey of secondary text: 7:1 on white (Streamlit's "grey" is below the 4.5:1 of WCAG AA)."""
TEXT_STYLE = (
    "<style>.pw-article{line-height:1.75;font-size:1rem}.pw-sentence{border-radius:3px;padding:1px 0}"
    f".{MENTION_CLASS}{{background:#ffe08a;color:inherit;font-weight:600;border-radius:3px;padding:0 2px}}"
    f".{SEARCH_CLASS}{{background:none;color:inherit;outline:2px solid #1f5f8b;border-radius:2px;padding:0 1px}}</style>"
)
FRAMING_LABELS = {
    "frame_all_at_once": "All-at-once cues", "frame_step_by_step": "Step-by-step cues",
    "frame_engagement": "Engagement cues", "frame_pressure": "Pressure cues",
    "deal_axis": "Deal axis: +1 all-at-once, -1 step-by-step", "posture_axis": "Posture axis: +1 engagement, -1 pressure",
}
"""How one article's framing columns are named (the columns of `queries.FRAME_MEASURES`)."""


def mark_spans(text: object, spans: Iterable[tuple[int, int, str] | tuple[int, int, str, str]], css_class: str) -> str:
    """Escaped HTML of `text` with each (start, end, title) character span wrapped in <mark class=css_class title=...>
    (a span's own class, when it gives a fourth item, instead of css_class).

    Spans come from the artifacts, so they are checked rather than trusted: one that is empty,
    outside the text or overlapping an earlier one is left unmarked. Each piece of text and
    each title is escaped on its own, so a span can never split an entity or inject markup.
    """
    raw = as_text(text)
    pieces: list[str] = []
    position = 0
    for start, end, title, *own_class in sorted(spans, key=lambda span: (span[0], span[1])):
        if not position <= start < end <= len(raw):
            continue
        pieces.append(escape_html(raw[position:start]))
        css = own_class[0] if own_class else css_class
        pieces.append(f'<mark class="{escape_html(css)}" title="{escape_html(title)}">{escape_html(raw[start:end])}</mark>')
        position = end
    pieces.append(escape_html(raw[position:]))
    return "".join(pieces)


def search_spans(text: object, query: str) -> list[tuple[int, int, str, str]]:
    """Where the sidebar's search text matches in `text` (as the filter matches it: `pipeline.search_index`),
    as spans of SEARCH_CLASS for `mark_spans`. The article view calls it per sentence, so a phrase that the
    index found across a sentence break ("... Kim. Jong Un ...") is not outlined."""
    return [(start, end, f"search: {query}", SEARCH_CLASS) for start, end in search_index.highlight_spans(as_text(text), query)]


def annotated_text_html(sentences: pd.DataFrame, mentions: pd.DataFrame, actor_names: Mapping[str, str], query: str = "") -> str:
    """The article's sentences as escaped HTML: each shaded by its tone (hover: the terms that moved the
    score), with every mention the pipeline counted (`article_mentions`: names, bare surnames, titles,
    roles) highlighted; hovering a mention gives the person's name and the tone toward them. The search
    text `query` is outlined wherever it occurs (where it overlaps a mention, the one that starts first wins)."""
    by_sentence: dict[int, list[tuple[int, int, str] | tuple[int, int, str, str]]] = {}
    for mention in mentions.itertuples():
        name = actor_names.get(mention.actor_id, mention.actor_id)
        by_sentence.setdefault(int(mention.sentence_idx), []).append(
            (int(mention.start), int(mention.end), f"{name}: tone toward {float(mention.tone):+.2f}"))
    spans = []
    for sentence in sentences.itertuples():
        terms = as_text(sentence.tone_terms) or "no scored words"
        hover = f"tone {sentence.tone:+.2f}: {terms}"
        spans.append(
            f'<span class="pw-sentence" style="background-color:{tone_color(sentence.tone)}" title="{escape_html(hover)}">'
            f"{mark_spans(sentence.text, [*by_sentence.get(int(sentence.sentence_idx), ()), *search_spans(sentence.text, query)], MENTION_CLASS)}"
            "</span>"
        )
    return f'{TEXT_STYLE}<div class="pw-article">{" ".join(spans)}</div>'


def article_header_html(article: pd.Series) -> str:
    """Title, subtitle, source, date and (http/https only) link of an article, escaped."""
    url = safe_http_url(article["url"])
    host = urlsplit(as_text(article["url"]).strip()).hostname if url else None
    link = (f' · <a href="{url}" target="_blank" rel="noopener noreferrer" style="font-weight:600">'
            f"Read the original{' on ' + escape_html(host) if host else ''} ↗</a>") if url else ""
    subtitle = as_text(article["subtitle"])
    return (
        f'<h3 style="margin-bottom:0.2rem">{escape_html(article["title"]) or "(untitled)"}</h3>'
        + (f'<p style="margin:0;font-style:italic">{escape_html(subtitle)}</p>' if subtitle else "")
        + f'<p style="color:{MUTED_TEXT};margin:0.2rem 0 0.8rem">{escape_html(article["source"])} · '
        f'{pd.Timestamp(article["date"]):%d %B %Y} · {int(article["n_words"])} words · tone {float(article["tone"]):+.2f}{link}</p>'
    )


def topic_weights(doc_topics: pd.DataFrame, topic_labels: Mapping[int, str], article_id: str) -> pd.DataFrame:
    """topic_id, label, weight of one article, heaviest first."""
    rows = doc_topics.loc[doc_topics["article_id"] == article_id, ["topic_id", "weight"]]
    table = rows.assign(label=rows["topic_id"].map(topic_labels).fillna("").astype("str"))[["topic_id", "label", "weight"]]
    return table.sort_values("weight", ascending=False).reset_index(drop=True)


def topic_weights_figure(weights: pd.DataFrame) -> go.Figure:
    """Horizontal bars of an article's topic weights."""
    fig = go.Figure(go.Bar(
        x=weights["weight"], y=[escape_html(label) for label in weights["label"]], orientation="h",
        customdata=weights[["topic_id"]].to_numpy(), marker_color="#72b7b2", hovertemplate="%{y}: %{x:.0%}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return style(fig, height=max(180, 40 + 30 * len(weights)))


def article_keywords(matrix: TermMatrix, counts: pd.Series, top_n: int = 12) -> pd.DataFrame:
    """An article's most characteristic terms: term, count, score = count x log(N / articles using the term).

    `counts`: the article's term -> count (`TextStore.term_counts_of`); `matrix` gives how many articles use each term."""
    docs = matrix.docs[matrix.terms.get_indexer(counts.index)]
    table = pd.DataFrame({"term": counts.index.astype("str"), "count": counts.to_numpy()})
    table["score"] = table["count"] * np.log(max(len(matrix.article_ids), 1) / np.maximum(docs, 1))
    return table.sort_values(["score", "count", "term"], ascending=[False, False, True]).head(top_n).reset_index(drop=True)


def article_leaders(mentions: pd.DataFrame, actor_names: Mapping[str, str], article_id: str) -> pd.DataFrame:
    """name, actor_id, mentions of the leaders an article mentions, most first."""
    rows = mentions.loc[mentions["article_id"] == article_id, ["actor_id", "count"]]
    actor_ids = rows["actor_id"].astype("str")
    table = pd.DataFrame({"name": actor_ids.map(actor_names).fillna(actor_ids).to_numpy(), "actor_id": actor_ids.to_numpy(),
                          "mentions": rows["count"].to_numpy()})
    return table.sort_values(["mentions", "name"], ascending=[False, True]).reset_index(drop=True)


def framing_scores(article: pd.Series) -> pd.DataFrame:
    """measure (`FRAMING_LABELS`), value of the article's framing columns: weighted cue counts, then the two
    axes (NaN: no cue of either side)."""
    return pd.DataFrame({"measure": [FRAMING_LABELS[column] for column in FRAME_MEASURES],
                         "value": [float(article[column]) for column in FRAME_MEASURES]})


def framing_sentences(sentences: pd.DataFrame) -> pd.DataFrame:
    """The sentences that carry framing cues: sentence (1-based), cues ("pressure 1, engagement 0.5"), text."""
    frame_columns = [column for column in FRAME_MEASURES if column.startswith("frame_")]
    rows = []
    for sentence in sentences.itertuples():
        cues = [(column.removeprefix("frame_").replace("_", "-"), getattr(sentence, column)) for column in frame_columns]
        present = [f"{name} {value:g}" for name, value in cues if value and not math.isnan(value)]
        if present:
            rows.append({"sentence": sentence.sentence_idx + 1, "cues": ", ".join(present), "text": sentence.text})
    return pd.DataFrame(rows, columns=["sentence", "cues", "text"])
