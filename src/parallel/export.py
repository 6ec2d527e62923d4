"""Writers for aligned pairs: a plain dict registry, one entry per format.

Every format carries the signature of how it was made (``Alignment.signature``,
filters append ``|filter:...``):

=========  =====================  ===========================================================
format     files                  where the signature goes
=========  =====================  ===========================================================
tsv        one stream             sidecar ``FILE.sig`` (``sidecar=True``; the ``run`` job always
                                  writes it) -- a comment line would break pandas/``cut``
vecalign   one stream             sidecar ``FILE.sig`` (idem; Vecalign's own reader takes no
                                  comments)
jsonl      one stream             a ``"signature"`` field in every record (a column for
                                  Hugging Face ``datasets``)
tmx        one stream             ``<prop type="x-signature">`` in the header
moses      ``NAME.s-t.s`` +       sidecar ``NAME.s-t.sig``, always
           ``NAME.s-t.t``
json       one stream             the ``"signature"`` field (native, lossless)
=========  =====================  ===========================================================

Writing to a path is atomic (temporary file + rename); ``-`` or None writes the
single-stream formats to stdout. Each format has a reader in :mod:`parallel.readers`
that gives back an Alignment whose export is byte-identical to the file read.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from .data import Alignment, Link
from .errors import InputError
from .io import atomic_writer, is_special, output_batch

# Characters some line readers (Python's str.splitlines, Unicode-aware tools) break lines on.
_BREAKS = str.maketrans({c: " " for c in "\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_LINE_BREAKS = str.maketrans({c: " " for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def clean_field(text: str) -> str:
    """A segment as one TSV field: tabs, CR, LF (and other line breaks) become spaces."""
    return text.translate(_BREAKS)


def clean_line(text: str) -> str:
    """A segment as one line of a Moses file: line breaks become spaces (tabs stay)."""
    return text.translate(_LINE_BREAKS)


def format_ids(ids: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in ids)


def _score(x: float) -> str:
    return f"{x:.4f}"


def _num(x: Any) -> float | None:
    """A JSON/TMX number: rounded to 6 decimals so re-export is byte-identical."""
    if x is None:
        return None
    return round(float(x), 6)


# ---------------------------------------------------------------- TSV

TSV_COLUMNS = ("src_ids", "tgt_ids", "src", "tgt", "score")
# Evidence columns after the first five (so ``cut -f3,4`` gives the texts).
EVIDENCE_COLUMNS = ("type", "cosine", "margin", "length_ratio", "numbers", "numbers_src", "numbers_tgt",
                    "chrf")
_TSV_FLOAT = {"cosine": "{:.4f}", "margin": "{:.4f}", "length_ratio": "{:.4f}", "chrf": "{:.2f}"}


def _evidence_field(link: Link, col: str) -> str:
    if col == "type":
        return link.kind
    value = link.features.get(col)
    if value is None:
        return ""
    if col in _TSV_FLOAT:
        return _TSV_FLOAT[col].format(float(value))
    return clean_field(str(value))


def write_tsv(al: Alignment, fh: IO[str], *, header: bool = False, evidence: bool = True, **_: Any) -> None:
    """src_ids, tgt_ids, src text, tgt text, score; then the evidence columns; one link per line.

    Ids are 0-based, comma separated, empty for an empty side. Evidence (``evidence=True``):
    type, cosine, margin, length_ratio, numbers, numbers_src, numbers_tgt, chrf -- an empty
    field where a link has no such feature. UTF-8, no BOM, no quoting: read it with
    ``pandas.read_csv(path, sep="\\t", quoting=csv.QUOTE_NONE, keep_default_na=False)``.
    """
    cols = TSV_COLUMNS + (EVIDENCE_COLUMNS if evidence else ())
    if header:
        fh.write("\t".join(cols) + "\n")
    for link in al.links:
        fields = [format_ids(link.src), format_ids(link.tgt),
                  clean_field(al.src_text(link)), clean_field(al.tgt_text(link)), _score(link.score)]
        if evidence:
            fields += [_evidence_field(link, c) for c in EVIDENCE_COLUMNS]
        fh.write("\t".join(fields) + "\n")


# ---------------------------------------------------------------- Vecalign


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


# ---------------------------------------------------------------- JSONL (Hugging Face)


def _json_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    try:  # numpy scalars
        return _num(float(value))
    except (TypeError, ValueError):
        return str(value)


def _feature_keys(al: Alignment) -> list[str]:
    from .evidence import FEATURES

    extra = sorted({k for link in al.links for k in link.features} - set(FEATURES))
    return list(FEATURES) + extra


def jsonl_records(al: Alignment, *, unmatched: bool = True) -> Iterator[dict[str, Any]]:
    """One record per link (and, in comparable mode with ``unmatched``, per unmatched sentence).

    ``{"translation": {SRC_LANG: ..., TGT_LANG: ...}, "src_ids", "tgt_ids", "type", "score",
    <features, null where absent>, "unmatched", "signature"}``. Every record has the same keys
    so ``datasets`` infers one schema.
    """
    s_lang, t_lang = al.src.lang, al.tgt.lang
    if s_lang == t_lang:
        raise InputError(f"jsonl: both sides are {s_lang!r}; the translation dict needs two languages")
    keys = _feature_keys(al)

    def record(src_ids: tuple[int, ...], tgt_ids: tuple[int, ...], s: str, t: str, score: float | None,
               feats: Any, is_unmatched: bool) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "translation": {s_lang: s, t_lang: t},
            "src_ids": list(src_ids),
            "tgt_ids": list(tgt_ids),
            "type": f"{len(src_ids)}-{len(tgt_ids)}",
            "score": _num(score),
        }
        for k in keys:
            rec[k] = _json_value(feats.get(k))
        rec["unmatched"] = is_unmatched
        rec["signature"] = al.signature
        return rec

    for link in al.links:
        yield record(link.src, link.tgt, al.src_text(link), al.tgt_text(link), link.score,
                     link.features, False)
    if unmatched and al.mode == "comparable":
        for i in al.unmatched_src:
            yield record((i,), (), al.src.segments[i].text, "", None, {}, True)
        for j in al.unmatched_tgt:
            yield record((), (j,), "", al.tgt.segments[j].text, None, {}, True)


# Characters str.splitlines() breaks on that json.dumps leaves raw: escape them so every
# line reader sees one record per line (still the same JSON strings).
_JSON_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def write_jsonl(al: Alignment, fh: IO[str], *, unmatched: bool = True, **_: Any) -> None:
    """JSON Lines as Hugging Face ``datasets`` loads them (``load_dataset("json", data_files=...)``).

    UTF-8 (``ensure_ascii=False``; U+0085/U+2028/U+2029 escaped). In comparable mode the sentences left unmatched follow
    the links as records with ``"unmatched": true`` and the other side ``""``
    (``unmatched=False`` / ``--no-unmatched`` leaves them out).
    """
    for rec in jsonl_records(al, unmatched=unmatched):
        line = json.dumps(rec, ensure_ascii=False, allow_nan=False)
        fh.write(line.translate(_JSON_BREAKS) + "\n")


# ---------------------------------------------------------------- TMX 1.4b

TMX_TOOL = "parallel-corpus"
# XML 1.0 forbids these code points even as character references.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` escaped for XML 1.0 element content or a quoted attribute.

    Characters XML 1.0 cannot carry become a space; CR is kept as ``&#13;`` (a parser
    would otherwise turn it into LF).
    """
    text = _XML_FORBIDDEN.sub(" ", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def _prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{xml_text(kind)}">{xml_text(value)}</prop>\n'


def tmx_value(value: Any) -> str:
    """A feature value as TMX prop text (numbers rounded like the JSONL writer)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return repr(_json_value(value))


def write_tmx(al: Alignment, fh: IO[str], **_: Any) -> None:
    """TMX 1.4b: one ``<tu>`` per link with both sides non-empty (a translation memory holds
    translations; 1-0 / 0-1 links and unmatched sentences are left out).

    Header: creationtool, creationtoolversion, segtype, o-tmf, adminlang, srclang, datatype,
    and ``<prop type="x-signature">``. Each ``<tu>`` carries ``x-src-ids``, ``x-tgt-ids``,
    ``x-score``, ``x-type`` and ``x-<feature>`` props, then ``<tuv xml:lang=..><seg>``.
    """
    from . import __version__

    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
    fh.write(f'  <header creationtool="{TMX_TOOL}" creationtoolversion="{xml_text(__version__)}" '
             f'segtype="sentence" o-tmf="{TMX_TOOL}" adminlang="en" srclang="{xml_text(al.src.lang)}" '
             f'datatype="plaintext">\n')
    fh.write(_prop("x-signature", al.signature, "    "))
    fh.write(_prop("x-mode", al.mode, "    "))
    fh.write("  </header>\n  <body>\n")
    keys = _feature_keys(al)
    for link in al.links:
        if not link.src or not link.tgt:
            continue
        fh.write("    <tu>\n")
        fh.write(_prop("x-src-ids", format_ids(link.src), "      "))
        fh.write(_prop("x-tgt-ids", format_ids(link.tgt), "      "))
        fh.write(_prop("x-score", tmx_value(link.score), "      "))
        fh.write(_prop("x-type", link.kind, "      "))
        for k in keys:
            if link.features.get(k) is not None:
                fh.write(_prop(f"x-{k}", tmx_value(link.features[k]), "      "))
        for lang, text in ((al.src.lang, al.src_text(link)), (al.tgt.lang, al.tgt_text(link))):
            fh.write(f'      <tuv xml:lang="{xml_text(lang)}"><seg>{xml_text(text)}</seg></tuv>\n')
        fh.write("    </tu>\n")
    fh.write("  </body>\n</tmx>\n")


# ---------------------------------------------------------------- Moses (two files)

_LANG = r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]+)?"
_PAIR_SUFFIX = re.compile(rf"\.({_LANG})-({_LANG})(?:\.(?:\1|\2))?$")


def moses_paths(path: str, src_lang: str, tgt_lang: str) -> tuple[Path, Path, Path]:
    """``(NAME.s-t.s, NAME.s-t.t, NAME.s-t.sig)`` for an output ``path`` given as ``NAME``,
    ``NAME.moses``, ``NAME.s-t`` or ``NAME.s-t.s``."""
    if src_lang == tgt_lang:
        raise InputError(f"moses: both sides are {src_lang!r}; the file names need two languages")
    base = path.removesuffix(".moses")
    pair = f"{src_lang}-{tgt_lang}"
    for lang in (src_lang, tgt_lang):
        if base.endswith(f".{pair}.{lang}"):
            base = base[:-len(lang) - 1]
    if not base.endswith("." + pair):
        base = f"{base}.{pair}"
    return Path(f"{base}.{src_lang}"), Path(f"{base}.{tgt_lang}"), Path(f"{base}.sig")


def write_moses(al: Alignment, fh: IO[str], **_: Any) -> None:
    """Moses needs two files: use :func:`export` with a path (``-o NAME``)."""
    raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")


def write_moses_files(al: Alignment, path: str, *, sidecar: bool = True, **_: Any) -> list[Path]:
    """``NAME.s-t.s`` and ``NAME.s-t.t``, line n of one the translation of line n of the other;
    line breaks inside a segment become spaces; plus the signature in ``NAME.s-t.sig``.

    Both files are written to temporary names first and renamed together at the end.
    """
    src_path, tgt_path, sig_path = moses_paths(path, al.src.lang, al.tgt.lang)
    with output_batch(), contextlib.ExitStack() as stack:
        fs = stack.enter_context(atomic_writer(src_path))
        ft = stack.enter_context(atomic_writer(tgt_path))
        fg = stack.enter_context(atomic_writer(sig_path)) if sidecar else None
        for link in al.links:
            fs.write(clean_line(al.src_text(link)) + "\n")
            ft.write(clean_line(al.tgt_text(link)) + "\n")
        if fg is not None:
            fg.write(al.signature + "\n")
    return [src_path, tgt_path] + ([sig_path] if sidecar else [])


# ---------------------------------------------------------------- native JSON


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
    json.dump(alignment_to_dict(al), fh, ensure_ascii=False, indent=1)
    fh.write("\n")


# ---------------------------------------------------------------- registry

Writer = Callable[..., None]

FORMATS: dict[str, Writer] = {
    "tsv": write_tsv,
    "vecalign": write_vecalign,
    "json": write_json,
    "jsonl": write_jsonl,
    "tmx": write_tmx,
    "moses": write_moses,
}

# Formats written as several files next to a path (not a single stream).
MULTI_FILE: dict[str, Callable[..., list[Path]]] = {"moses": write_moses_files}

# Single-stream formats whose signature goes to a sidecar FILE.sig (when asked).
SIDECAR = ("tsv", "vecalign")

SUFFIXES = {".tsv": "tsv", ".align": "vecalign", ".vecalign": "vecalign", ".json": "json",
            ".jsonl": "jsonl", ".tmx": "tmx", ".moses": "moses"}


def format_for(path: str | None, fmt: str | None) -> str:
    """The format named by ``fmt``, else guessed from ``path``'s suffix, else tsv."""
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
        return fmt
    if path and path != "-":
        if _PAIR_SUFFIX.search(path):
            return "moses"
        return SUFFIXES.get(Path(path).suffix.lower(), "tsv")
    return "tsv"


def check_destination(path: str | None, fmt: str | None) -> str:
    """The format for ``path``/``fmt``, refusing early a multi-file format to stdout."""
    name = format_for(path, fmt)
    if name in MULTI_FILE and (path is None or path == "-"):
        raise InputError(f"the {name} format writes several files; give an output name with -o")
    return name


def sidecar_path(path: str | Path) -> Path:
    return Path(f"{path}.sig")


def export(al: Alignment, path: str | None = None, fmt: str | None = None, *, sidecar: bool = False,
           **options: Any) -> None:
    """Write ``al`` in ``fmt`` to ``path`` atomically, or to stdout when path is None or ``-``.

    ``sidecar=True`` also writes the signature to ``PATH.sig`` for the formats that cannot
    carry it inside (tsv, vecalign); Moses always writes ``NAME.s-t.sig``.
    """
    name = format_for(path, fmt)
    if name in MULTI_FILE:
        if path is None or path == "-":
            raise InputError(f"the {name} format writes several files; give an output name with -o")
        MULTI_FILE[name](al, path, **options)
        return
    writer = FORMATS[name]
    if path is None or path == "-":
        writer(al, sys.stdout, **options)
        sys.stdout.flush()
        return
    with output_batch():  # the file and its sidecar reach their names together, or neither does
        with atomic_writer(path) as fh:
            writer(al, fh, **options)
        if sidecar and name in SIDECAR and not is_special(path):  # no /dev/null.sig
            with atomic_writer(sidecar_path(path)) as fh:
                fh.write(al.signature + "\n")
