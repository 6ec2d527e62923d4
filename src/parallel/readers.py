"""Reading alignment files back (the native JSON form; other formats register here too)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .data import Alignment, Document, Link, Segment
from .errors import InputError
from .export import JSON_FORMAT, JSON_VERSION
from .io import read_text


def _doc(d: dict[str, Any]) -> Document:
    text = d["text"]
    lang = d["lang"]
    segs = tuple(
        Segment(text[start:end], lang, i, paragraph, start, end)
        for i, (start, end, paragraph) in enumerate(d["segments"])
    )
    return Document(text=text, lang=lang, segments=segs, name=d.get("name"),
                    segmenter=d.get("segmenter", "punkt"))


def alignment_from_dict(obj: dict[str, Any], name: str = "alignment") -> Alignment:
    """Inverse of :func:`parallel.export.alignment_to_dict`, with checks."""
    if not isinstance(obj, dict) or obj.get("format") != JSON_FORMAT:
        raise InputError(f"{name}: not a parallel alignment file (no \"format\": \"{JSON_FORMAT}\")")
    if obj.get("version") != JSON_VERSION:
        raise InputError(f"{name}: alignment file version {obj.get('version')!r} is not supported")
    try:
        src, tgt = _doc(obj["src"]), _doc(obj["tgt"])
        links = tuple(Link(tuple(k["src"]), tuple(k["tgt"]), k.get("score", 0.0), k.get("features") or {})
                      for k in obj["links"])
        al = Alignment(src=src, tgt=tgt, links=links, mode=obj["mode"],
                       signature=obj.get("signature", ""), info=obj.get("info") or {})
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(f"{name}: malformed alignment file ({type(exc).__name__}: {exc})") from None
    for link in al.links:
        if any(not 0 <= i < len(src) for i in link.src) or any(not 0 <= j < len(tgt) for j in link.tgt):
            raise InputError(f"{name}: link {list(link.src)}:{list(link.tgt)} points outside the documents")
    return al


def read_alignment(path: str | Path) -> Alignment:
    """Read a native alignment file (``.json``) written by ``--format json``."""
    text = read_text(path)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return alignment_from_dict(obj, str(path))
