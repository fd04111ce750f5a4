"""A small corpus whose titles, sources and sentences try to inject markup into the app.

Built with the real pipeline (`build_hostile_corpus`), it tests escaping end to end:
whatever survives ingest must reach the browser as literal text, and nothing in it may
run. Every payload sets `window.__xss` (or opens a dialog) if it is ever executed.
All text is written for this test.

Ingest already strips the HTML tags it knows (`<script>`, `<img>`, `<svg>` ...), so the
corpus also carries markup that ingest keeps: tags it does not know (`<details ontoggle>`,
`<marquee onstart>`), a spaced `< script>`, Markdown links and images, emphasis, Streamlit
colour directives and LaTeX. The app is the last line of defence for those.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.build import BuildOptions, build

MARKER = "window.__xss=1"

HOSTILE_TITLES = (
    f"<script>{MARKER}</script> Talks resume at the border",
    f'<img src=x onerror="{MARKER}"> Envoys meet in Singapore',
    f"[click me](javascript:{MARKER}) Summit plans announced",
    "**bold** claims about sanctions relief",
    f'<details open ontoggle="{MARKER}">Leaders trade letters</details>',
    f'<marquee onstart="{MARKER}">Missile launch condemned</marquee>',
    f"< script>{MARKER}</ script> Delegations exchange proposals",
    f"![chart](x onerror={MARKER}) :red[alarm] $x^2$ over new tests",
)
HOSTILE_SOURCES = (
    f'<img src=x onerror="{MARKER}"> Wire',
    f'<details open ontoggle="{MARKER}">Harbour Times</details>',
    "**Ridge** Post [home](javascript:alert(1))",
)
HOSTILE_SENTENCE = f'A reader posted <details open ontoggle="{MARKER}">this</details> under the story.'
SURVIVING_MARKUP = ("ontoggle", "onstart", "< script>", "**bold**")
"""Fragments ingest keeps in titles: the build must contain each of them, or the test would prove nothing."""

_BODIES = (
    "Kim Jong Un said the talks with Donald Trump were a step toward peace. Officials in Seoul welcomed the news. "
    "Moon Jae-in called for patience as negotiators prepared the next round of meetings.",
    "Donald Trump praised the meeting and said sanctions would stay until progress is made. "
    "Kim Jong Un warned that pressure would not work. Analysts expect a long process of bargaining.",
    "Moon Jae-in urged both sides to keep talking. Xi Jinping said China supports a peaceful settlement. "
    "The statement came after weeks of tension over missile launches near the coast.",
)


def hostile_records() -> list[dict[str, str]]:
    """One JSON record per hostile title (dates spread over 2018-2019), sources and bodies cycled."""
    records = []
    for index, title in enumerate(HOSTILE_TITLES):
        body = _BODIES[index % len(_BODIES)]
        if index == 0:
            body += "\n" + HOSTILE_SENTENCE
        records.append({
            "id": f"hostile-{index:02d}",
            "date": f"{2018 + index % 2}-{1 + (index * 3) % 12:02d}-15",
            "title": title,
            "source": HOSTILE_SOURCES[index % len(HOSTILE_SOURCES)],
            "url": f"javascript:{MARKER}",
            "body": body,
        })
    return records


def build_hostile_corpus(work_dir: Path) -> Path:
    """Write the corpus as JSONL into work_dir, build it with the pipeline, return the artifact folder."""
    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = work_dir / "hostile.jsonl"
    corpus.write_text("".join(json.dumps(record) + "\n" for record in hostile_records()), encoding="utf-8")
    out = work_dir / "build"
    build([corpus], out, BuildOptions(workers=1))
    return out
