"""Field clean-up and validation for ingest, one module per concern.

Every function here takes one field's raw text and returns what later stages may rely
on: plain text (no markup, no widget lines, no datelines or bylines), dates that exist
and are plausible, English text. Problems that make a record unusable raise
`RecordProblem`, whose message is the reject reason shown to the user.

Every pattern that sees a field runs in time linear in the field's length (RE2 where a
backtracking engine would not), and `fields` caps lengths before any pattern runs.

- `markup`: HTML tags, comments and entities
- `encoding`: mojibake (ftfy), lost bytes
- `markdown`: emphasis, links, escapes, list marks, hard wrapping
- `boilerplate`: widget lines, bylines, datelines, end markers
- `dates`: date fields and date lines
- `language`: English or not
- `fields`: whole fields (titles, bodies) through the above, in order
"""

from pipeline.clean.base import Cleaned, RecordProblem
from pipeline.clean.boilerplate import is_byline, is_widget_line, unglue_paragraphs
from pipeline.clean.dates import EARLIEST_DATE, check_date, find_date_line, latest_plausible_date, parse_date
from pipeline.clean.encoding import repair_encoding
from pipeline.clean.fields import MAX_LINE_CHARS, MAX_RAW_BODY_CHARS, clean_body, clean_line, derive_title, has_section_tag, http_url
from pipeline.clean.language import check_english, is_mostly_non_latin
from pipeline.clean.markdown import strip_line_mark, strip_markdown, unwrap_hard_wrapped
from pipeline.clean.markup import html_to_text, looks_like_markup

__all__ = [
    "EARLIEST_DATE",
    "MAX_LINE_CHARS",
    "MAX_RAW_BODY_CHARS",
    "Cleaned",
    "RecordProblem",
    "check_date",
    "check_english",
    "clean_body",
    "clean_line",
    "derive_title",
    "find_date_line",
    "has_section_tag",
    "html_to_text",
    "http_url",
    "is_byline",
    "is_mostly_non_latin",
    "is_widget_line",
    "latest_plausible_date",
    "looks_like_markup",
    "parse_date",
    "repair_encoding",
    "strip_line_mark",
    "strip_markdown",
    "unglue_paragraphs",
    "unwrap_hard_wrapped",
]
