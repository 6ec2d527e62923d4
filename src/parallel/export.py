"""Writers for aligned pairs: a plain dict registry, one entry per format."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from .data import Alignment, Link
from .errors import InputError
from .io import atomic_writer


def clean_field(text: str) -> str:
    """A segment as one TSV field: tabs, CR and LF become spaces."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def format_ids(ids: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in ids)


def _score(x: float) -> str:
    return f"{x:.4f}"


def write_tsv(al: Alignment, fh: IO[str], *, header: bool = False, **_: Any) -> None:
    """src_ids, tgt_ids, src text, tgt text, score; one link per line."""
    if header:
        fh.write("src_ids\ttgt_ids\tsrc\ttgt\tscore\n")
    for link in al.links:
        fh.write("\t".join([
            format_ids(link.src), format_ids(link.tgt),
            clean_field(al.src_text(link)), clean_field(al.tgt_text(link)), _score(link.score),
        ]) + "\n")


def vecalign_links(al: Alignment) -> list[Link]:
    """The links, plus, in comparable mode, every unmatched sentence as ``[i]:[]`` / ``[]:[j]``."""
    links = list(al.links)
    if al.mode == "comparable":
        links += [Link((i,), (), 0.0) for i in al.unmatched_src]
        links += [Link((), (j,), 0.0) for j in al.unmatched_tgt]
        links.sort(key=lambda k: (k.src[0] if k.src else float("inf"), k.tgt[0] if k.tgt else -1))
    return links


def write_vecalign(al: Alignment, fh: IO[str], **_: Any) -> None:
    """``[i, j]:[k]:score`` with 0-based sentence indices."""
    for link in vecalign_links(al):
        src = ", ".join(str(i) for i in link.src)
        tgt = ", ".join(str(j) for j in link.tgt)
        fh.write(f"[{src}]:[{tgt}]:{_score(link.score)}\n")


def alignment_to_dict(al: Alignment) -> dict[str, Any]:
    """The native, lossless JSON form of an alignment (see :func:`readers.alignment_from_dict`)."""

    def doc(d: Any) -> dict[str, Any]:
        return {
            "name": d.name,
            "lang": d.lang,
            "segmenter": d.segmenter,
            "text": d.text,
            "segments": [[s.start, s.end, s.paragraph] for s in d.segments],
        }

    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "signature": al.signature,
        "mode": al.mode,
        "info": dict(al.info),
        "src": doc(al.src),
        "tgt": doc(al.tgt),
        "links": [
            {"src": list(k.src), "tgt": list(k.tgt), "score": k.score,
             "features": dict(k.features)}
            for k in al.links
        ],
    }


JSON_FORMAT = "parallel-alignment"
JSON_VERSION = 1


def write_json(al: Alignment, fh: IO[str], **_: Any) -> None:
    """Native alignment file: both documents, segment offsets, links with features, signature.

    Lossless: :func:`parallel.readers.read_alignment` gives back an equal Alignment.
    This is the file the report and the review app read and edit.
    """
    import json

    json.dump(alignment_to_dict(al), fh, ensure_ascii=False, indent=1)
    fh.write("\n")


Writer = Callable[..., None]

FORMATS: dict[str, Writer] = {
    "tsv": write_tsv,
    "vecalign": write_vecalign,
    "json": write_json,
}

SUFFIXES = {".tsv": "tsv", ".align": "vecalign", ".vecalign": "vecalign", ".json": "json"}


def format_for(path: str | None, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
        return fmt
    if path and path != "-":
        return SUFFIXES.get(Path(path).suffix.lower(), "tsv")
    return "tsv"


def export(al: Alignment, path: str | None = None, fmt: str | None = None, **options: Any) -> None:
    """Write ``al`` in ``fmt`` to ``path`` atomically, or to stdout when path is None or ``-``."""
    name = format_for(path, fmt)
    writer = FORMATS[name]
    if path is None or path == "-":
        writer(al, sys.stdout, **options)
        sys.stdout.flush()
        return
    with atomic_writer(path) as fh:
        writer(al, fh, **options)
