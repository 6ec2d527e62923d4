"""Sentence segmentation with character offsets (first version; see issue 3)."""

from __future__ import annotations

import re

from .data import Segment

_PARA = re.compile(r"\n\s*\n|\n")
_END = re.compile(r"(?<=[.!?؟…])[\"'”’»)]*\s+")


def segment(text: str, lang: str) -> list[Segment]:
    """Split ``text`` into sentences; offsets index into ``text``."""
    out: list[Segment] = []
    para = 0
    pos = 0
    for m in list(_PARA.finditer(text)) + [None]:
        stop = m.start() if m else len(text)
        chunk = text[pos:stop]
        if chunk.strip():
            cur = 0
            for e in list(_END.finditer(chunk)) + [None]:
                end = e.start() if e else len(chunk)
                piece = chunk[cur:end]
                stripped = piece.strip()
                if stripped:
                    s = pos + cur + (len(piece) - len(piece.lstrip()))
                    out.append(Segment(stripped, lang, len(out), para, s, s + len(stripped)))
                if e:
                    cur = e.end()
            para += 1
        if m:
            pos = m.end()
    return out


def presplit(text: str, lang: str) -> list[Segment]:
    """One sentence per line: every line is a segment, blank lines included.

    Line ``n`` of the file is segment ``n`` so indices match gold files.
    """
    out: list[Segment] = []
    pos = 0
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines):
        body = line[:-1] if line.endswith("\r") else line
        out.append(Segment(body.strip(), lang, i, i, pos, pos + len(body)))
        pos += len(line) + 1
    return out
