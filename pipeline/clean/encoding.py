"""Mis-decoded text: mojibake repaired by ftfy, lost bytes rejected.

ftfy (a maintained library) undoes UTF-8 read as cp1252 or latin-1, however often and
even when mixed with correct text. Two things stay ours: the Shift-JIS pre-pass (ftfy
knows only single-byte Western encodings) and the rule that text which lost bytes
(U+FFFD) or keeps mojibake ftfy could not undo is rejected, never guessed.
"""

from __future__ import annotations

import re
from itertools import groupby

import ftfy

from pipeline.clean.base import Cleaned, RecordProblem

# Only the encoding repairs: HTML is handled by `markup`, quotes, widths, ligatures,
# line breaks, controls and normalisation by `pipeline.text.normalize_text`.
# restore_byte_a0 and replace_lossy_sequences guess at bytes that are gone: we reject instead.
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=False,
    replace_lossy_sequences=False,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)
# UTF-8 lead bytes read as cp1252 and followed by a continuation byte: mojibake ftfy left.
_CONTINUATION = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xC0))
_MOJIBAKE_LEFT = re.compile(f"â€|[ÂÃ][{re.escape(_CONTINUATION)}]")
_C1 = re.compile("[\x80-\x9f]")
# Shift-JIS punctuation (lead byte 81: the ideographic space, quotes) and full-width letters
# (82 4F-9A) read as latin-1, sometimes then stored as UTF-8 and read as latin-1 again ("Â"
# before the lead): KCNA's Japanese mirror has "Japan\x81fs" for "Japan’s". Byte 81 is
# undefined in cp1252, so it never comes from cp1252 text.
_SHIFT_JIS = re.compile("\u00c2?(\x81[\x40-\xac]|\x82[\x4f-\x9a])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LOST_BYTES = "text contains U+FFFD replacement characters: it was mis-decoded before it reached us"


def _undo_shift_jis(match: re.Match[str]) -> str:
    try:
        return match.group(1).encode("latin-1").decode("shift_jis")
    except UnicodeDecodeError:
        return match.group(0)


def without_surrogates(text: str) -> str:
    """Text with UTF-16 surrogate pairs joined and lone surrogates (bytes lost upstream) as U+FFFD.

    A JSON "\\ud800" escape yields a lone surrogate, which is no character: it cannot be
    encoded, so it must go before the linear-time (UTF-8) pattern engine sees the text.
    """
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", ftfy.fixes.fix_surrogates(text))


def _fix_text(text: str) -> str:
    """``ftfy.fix_text(text, _FTFY)`` with ftfy run only on the lines that are not ASCII.

    ftfy fixes a text line by line (its segments end at "\\n") and returns an ASCII line as it
    is (no mojibake, C1 control or surrogate is ASCII), yet spends tens of microseconds on each:
    a long transcript has thousands of lines, nearly all ASCII. Runs of non-ASCII lines go to
    ftfy whole, where it cuts them into the same segments as it would the whole text.
    """
    lines = text.split("\n")
    segments = [f"{line}\n" for line in lines[:-1]]
    if lines[-1]:
        segments.append(lines[-1])
    fixed = []
    for ascii_run, group in groupby(segments, key=str.isascii):
        run = "".join(group)
        fixed.append(run if ascii_run else ftfy.fix_text(run, _FTFY))
    return "".join(fixed)


def repair_encoding(text: str) -> Cleaned:
    """Undo UTF-8 read as cp1252/latin-1 (ftfy); raise RecordProblem when it cannot be undone.

    C1 control characters (cp1252 punctuation read as latin-1) become the punctuation
    they stand for, Shift-JIS punctuation read as latin-1 becomes that punctuation.
    U+FFFD means bytes were already lost upstream: rejected, not guessed.
    """
    if text.isascii():
        return Cleaned(text, False)
    original = text
    if _C1.search(text):
        text = _SHIFT_JIS.sub(_undo_shift_jis, text)
    # "â€" and a space: the third byte of ’ ” – was lost (cp1252 has no 9D; ftfy would guess
    # a no-break space and make "†"): rejected below with the rest of the unrepairable mojibake.
    if "â€ " not in text:
        text = _fix_text(without_surrogates(text))
    leftover = _MOJIBAKE_LEFT.search(text)
    if leftover:
        raise RecordProblem(f"mis-decoded text that could not be repaired (mojibake such as {leftover.group(0)!r})")
    if "\ufffd" in text:
        raise RecordProblem(_LOST_BYTES)
    return Cleaned(text, text != original)
