"""Markdown and hard wrapping: emphasis, links, escapes and list marks become plain text.

Patterns whose match can run far past where it starts (bold up to its closing mark,
link targets up to ")") use RE2, a linear-time engine: with a backtracking engine each
unclosed opener ("**a " repeated) rescans the rest of the line, quadratic in its length.
RE2 has no backreferences or lookarounds, so those patterns are spelled without them.
The others are linear as they are and stay on `re`, which is faster on short matches.
"""

from __future__ import annotations

import itertools
import re

import re2

# Python's \s (str.isspace) for RE2, whose \s is ASCII-only.
_SPACE = r"\t-\r\x{1c}-\x{20}\x{85}\pZ"
_NOT_SPACE = rf"[^{_SPACE}]"
_LITERAL_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})")
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~<>\"'$&%])")
# **bold** or __bold__: content starts and ends with a non-space, the shortest that closes.
_STRONG_CONTENT = rf"({_NOT_SPACE}(?:.*?{_NOT_SPACE})??)"
_MD_STRONG = re2.compile(rf"\*\*{_STRONG_CONTENT}\*\*|__{_STRONG_CONTENT}__")
# *emphasis*: each opener scans only up to the next "*" or line end, so `re` is linear here.
_MD_EMPHASIS = re.compile(r"\*(?<![\w*\\]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_IMAGE = re2.compile(rf"!\[[^\]\n]*\]\([^){_SPACE}]*\)")
_MD_LINK = re2.compile(rf"\[([^\]\n]+)\]\((?:https?://|/|mailto:)[^){_SPACE}]*\)")
_MD_LINE_MARK = re.compile(r"^(?:#{1,6} |[-*+•] |> ?)")
_LINE_MARK_STARTS = "#-*+•>"
_LIST_ITEM = re.compile(r"[ \t]{0,3}(?:[-*+•]|\d{1,3}\\?[.)])[ \t]+")
# Hard-wrapped text (transcripts wrapped at 60-80 columns) has many continued lines of
# similar, fairly long length; short lines (lists, addresses) and long paragraphs are not.
_WRAP_WIDTH = 100
_WRAPPED_SHARE = 0.9
_MIN_WRAPPED_LINES = 3
_MIN_WRAPPED_MEDIAN = 40


def _decode_literal(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def decode_literal_escapes(text: str) -> str:
    """Literal `\\u2019` / `\\xE9` escapes (from exports that escaped twice) as the characters."""
    return _LITERAL_ESCAPE.sub(_decode_literal, text)


def unwrap_hard_wrapped(text: str) -> str:
    """Rejoin paragraphs that were hard-wrapped at a fixed width (blank lines separate paragraphs).

    Only text that uses blank lines between paragraphs and whose continued lines are
    almost all 40-100 characters long is unwrapped; one-paragraph-per-line text and
    short-line lists are left alone.
    """
    if "\n\n" not in text:
        return text
    lines = text.split("\n")
    continued = sorted(len(a) for a, b in itertools.pairwise(lines) if a.strip() and b.strip())
    if (
        len(continued) < _MIN_WRAPPED_LINES
        or continued[len(continued) // 2] < _MIN_WRAPPED_MEDIAN
        or sum(n <= _WRAP_WIDTH for n in continued) < _WRAPPED_SHARE * len(continued)
    ):
        return text
    joined: list[str] = []
    for line in lines:
        if joined and joined[-1].strip() and line.strip() and not _LIST_ITEM.match(line):
            joined[-1] = joined[-1].rstrip() + " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined)


def strip_markdown(text: str) -> str:
    """Plain text from Markdown-flavoured text: emphasis, links and escapes removed.

    List and heading marks at line starts are removed by `strip_line_mark`, line by line.
    """
    if "**" in text or "__" in text:
        text = _MD_STRONG.sub(lambda match: match.group(1) or match.group(2), text)
    if "*" in text:
        text = _MD_EMPHASIS.sub(r"\1", text).replace("**", "")  # unpaired bold marks mean nothing in prose
    if "](" in text:
        text = _MD_LINK.sub(r"\1", _MD_IMAGE.sub("", text))
    if "\\" in text:
        text = MD_ESCAPE.sub(r"\1", text)
    return text


def strip_line_mark(line: str) -> str:
    """A stripped line without its Markdown list/heading/quote mark ("- ", "## ", "> ")."""
    return _MD_LINE_MARK.sub("", line) if line[:1] in _LINE_MARK_STARTS else line
