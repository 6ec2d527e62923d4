"""Writers for aligned pairs: a plain dict registry, one entry per format.

The training formats (tsv, jsonl, tmx, moses) write the same pairs (:func:`pair_rows`: no
empty side unless ``keep_empty``) with the fields of one pair schema (:mod:`parallel.schema`).
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
                                  Hugging Face ``datasets``); a file joining pairs some of
                                  which kept no record has a sidecar ``FILE.sig`` naming them
                                  all (:func:`joined_sidecar`)
tmx        one stream             ``<prop type="x-signature">`` in the header
moses      ``NAME.s-t.s`` +       sidecar ``NAME.s-t.sig``, always (review decisions, if any, in
           ``NAME.s-t.t``         ``NAME.s-t.status``/``.edited``/``.note``, line n for pair n)
json       one stream             the ``"signature"`` field (native, lossless)
=========  =====================  ===========================================================

Writing to a path is atomic (temporary file + rename); ``-`` or None writes the
single-stream formats to stdout. Each format has a reader in :mod:`parallel.readers`
that gives back an Alignment whose export is byte-identical to the file read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from . import schema as _schema
from .data import Alignment, Link, rejected
from .errors import NOTE, InputError
from .io import atomic_writer, check_output_path, is_special, output_batch
from .lang import LANG_CODE, bcp47
from .schema import FEATURE_FIELDS, TSV_CORE, TYPES, tsv_columns

#: ``Alignment.info`` key of an alignment read from a file without sentence ids (Moses, or an
#: export of one): its ids are only the lines' order and its links' types and scores made up,
#: so the writers leave ids, type and score empty and nothing filters or scores on them.
NO_IDS = "no_ids"

#: ``Alignment.info`` key of an alignment read from a file joining several pairs (``run``'s
#: ``_all.tsv``/``_all.jsonl``, or what ``filter`` wrote from one): ``{pair: its signature}`` for
#: every pair the file covers, in file order, a pair that kept no row included (the file's
#: ``.sig`` names those), so that what is written from it still covers them
#: (:func:`joined_sidecar`) and ``eval`` scores them as pairs that predicted nothing.
JOINED_PAIRS = "joined_pairs"

#: The JSONL schema as ``datasets.Features`` (see :func:`parallel.schema.jsonl_features`).
jsonl_features = _schema.jsonl_features

# Characters some line readers (Python's str.splitlines, Unicode-aware tools) break lines on, and
# NUL, which makes a text file binary to its readers (ours included): each written as a space.
_BREAKS = str.maketrans({c: " " for c in "\x00\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})
_LINE_BREAKS = str.maketrans({c: " " for c in "\x00\t\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def clean_field(text: str) -> str:
    """A segment as one TSV field: tabs, CR, LF (and other line breaks) and NUL become spaces (a
    CRLF one space, as a LF does: a sentence wrapped in a Windows file is not spaced twice)."""
    return text.replace("\r\n", "\n").translate(_BREAKS)


def clean_line(text: str) -> str:
    """A segment as one line of a Moses file: line breaks, tabs and NUL become spaces (a CRLF is
    one break). A tab is legal in a Moses line, but the usual way from two Moses files into a
    TSV (``paste``, then Marian ``--tsv``, OpusFilter, ``cut -f2``) would shift that pair's target
    into another column, so a tab is a space here as in a TSV field."""
    return text.replace("\r\n", "\n").translate(_LINE_BREAKS)


def format_ids(ids: tuple[int, ...]) -> str:
    return ",".join(str(i) for i in ids)


def _score(x: float) -> str:
    return f"{x:.4f}"


def _num(x: Any) -> float | None:
    """A JSON/TMX number: rounded to 6 decimals so re-export is byte-identical."""
    if x is None:
        return None
    return round(float(x), 6)


# ---------------------------------------------------------------- pairs: one row per pair

# The pair schema (fields, order, types) lives in :mod:`parallel.schema`; these are kept for
# callers that want the first columns of the TSV.
TSV_COLUMNS = ("src_ids", "tgt_ids", "src", "tgt", "score")
EVIDENCE_COLUMNS = TSV_CORE[len(TSV_COLUMNS):]


@dataclass(frozen=True)
class PairRow:
    """One pair as the training formats write it: ids, texts, score, features.

    ``unmatched`` marks a sentence of a comparable alignment that no link holds (listed only
    with ``keep_empty``); ``score`` is None for those. ``no_ids``: the pair comes from a file
    without sentence ids (Moses): its ids are only the lines' order and its type and score made
    up, so the writers leave ids, type and score empty (TSV cells, JSONL ``null``, no TMX prop).
    """

    src_ids: tuple[int, ...]
    tgt_ids: tuple[int, ...]
    src: str
    tgt: str
    score: float | None
    features: Mapping[str, Any]
    unmatched: bool = False
    no_ids: bool = False

    @property
    def kind(self) -> str:
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"

    @property
    def empty_sided(self) -> bool:
        return not (self.src_ids and self.tgt_ids and self.src.strip() and self.tgt.strip())


def own_ids(al: Alignment, ids: tuple[int, ...], feats: Mapping[str, Any], side: int) -> tuple[int, ...]:
    """``ids`` (of ``side``, 0 source, 1 target) of a link with ``feats`` as its pair numbers them
    (a file joining several pairs: see readers._separate_pairs), and as the file the pair was
    mined from does (readers._separate_origins): what every writer writes."""
    from .readers import origin_file

    offsets = al.info.get("pair_offsets") or {}
    by_origin = al.info.get("origin_offsets") or {}
    shift = offsets.get(str(feats.get("pair")), (0, 0))[side] if offsets else 0
    if by_origin:
        key = ("src", "tgt")[side]
        shift += (by_origin.get(key) or {}).get(origin_file(feats.get(f"{key}_origin")) or "", 0)
    return tuple(i - shift for i in ids) if shift else ids


def pair_rows(al: Alignment, *, keep_empty: bool = False) -> list[PairRow]:
    """The pairs every training format (tsv, jsonl, tmx, moses) writes, in link order.

    One rule for all of them: a link with an empty side (1-0 / 0-1, or a blank text) is left
    out unless ``keep_empty``; with ``keep_empty`` a comparable alignment's unmatched
    sentences follow as empty-sided rows (``unmatched=True``). So every format holds the
    same pairs, and line n of a Moses file is record n of the JSONL and ``<tu>`` n of the TMX.
    """
    from .readers import UNMATCHED_WHERE

    def own(ids: tuple[int, ...], feats: Mapping[str, Any], side: int) -> tuple[int, ...]:
        return own_ids(al, ids, feats, side)

    no_ids = bool(al.info.get(NO_IDS))
    rows = [PairRow(own(k.src, k.features, 0), own(k.tgt, k.features, 1), al.src_text(k), al.tgt_text(k),
                    None if no_ids else k.score, k.features, no_ids=no_ids) for k in al.links]
    if not keep_empty:
        return [r for r in rows if not r.empty_sided]
    if al.mode == "comparable":
        # an alignment read back from a pairs export written without keep_empty knows the ids of
        # its unmatched sentences but not their texts (""): no row is made up for them
        known = not al.info.get("rebuilt_documents")
        where = al.info.get(UNMATCHED_WHERE) or {}
        s_where, t_where = where.get("src") or {}, where.get("tgt") or {}
        rows += [PairRow(own((i,), s_where.get(i, {}), 0), (), al.src.segments[i].text, "", None, s_where.get(i, {}),
                         True, no_ids) for i in al.unmatched_src if known or al.src.segments[i].text]
        rows += [PairRow((), own((j,), t_where.get(j, {}), 1), "", al.tgt.segments[j].text, None, t_where.get(j, {}),
                         True, no_ids) for j in al.unmatched_tgt if known or al.tgt.segments[j].text]
    return rows


# ---------------------------------------------------------------- TSV

_TSV_FLOAT = {"chrf": "{:.2f}", "p_value": "{:.4g}"}


def _tsv_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if TYPES.get(name) == "float":
        return _TSV_FLOAT.get(name, "{:.4f}").format(float(value))
    return clean_field(str(value))


def _row_fields(row: PairRow, columns: Sequence[str]) -> list[str]:
    out = []
    for col in columns:
        if col in ("src_ids", "tgt_ids", "type") and row.no_ids:
            out.append("")
        elif col == "src_ids":
            out.append(format_ids(row.src_ids))
        elif col == "tgt_ids":
            out.append(format_ids(row.tgt_ids))
        elif col == "src":
            out.append(clean_field(row.src))
        elif col == "tgt":
            out.append(clean_field(row.tgt))
        elif col == "score":
            out.append("" if row.score is None else _score(row.score))
        elif col == "type":
            out.append(row.kind)
        else:
            out.append(_tsv_value(col, row.features.get(col)))
    return out


def write_tsv_rows(rows: Iterable[PairRow], fh: IO[str], columns: Sequence[str], *,
                   header: bool = True) -> int:
    """``rows`` as TSV lines with these columns (a header line first with ``header``)."""
    if header:
        fh.write("\t".join(columns) + "\n")
    n = 0
    for row in rows:
        fh.write("\t".join(_row_fields(row, columns)) + "\n")
        n += 1
    return n


def write_tsv(al: Alignment, fh: IO[str], *, header: bool = True, evidence: bool = True,
              keep_empty: bool = False, **_: Any) -> None:
    """One pair per line, columns of the pair schema (:mod:`parallel.schema`), a header line first.

    src_ids, tgt_ids (0-based, comma separated), src, tgt, score, then (``evidence=True``)
    type, cosine, margin, ..., status, edited, note, ... -- an empty field where a pair has no
    such value; ``pair`` first / ``src_origin``, ``tgt_origin`` last where pairs have them.
    UTF-8, no BOM, no quoting (tabs and line breaks inside a text become spaces): read it
    with ``pandas.read_csv(path, sep="\\t", quoting=csv.QUOTE_NONE, keep_default_na=False)``.
    """
    rows = pair_rows(al, keep_empty=keep_empty)
    present = {k for r in rows for k in r.features if r.features[k] is not None}
    columns = tsv_columns(present) if evidence else TSV_COLUMNS
    write_tsv_rows(rows, fh, columns, header=header)


# ---------------------------------------------------------------- Vecalign


def vecalign_links(al: Alignment) -> list[Link]:
    """The links, plus, in comparable mode, every unmatched sentence as ``[i]:[]`` / ``[]:[j]``.
    A link a reviewer rejected is written as its sentences unlinked (``[i]:[]`` / ``[]:[j]``): the
    format has no review status, and a rejected link is no prediction (``eval`` counts it so in
    every format, as ``filter --drop-rejected --keep-empty`` writes it)."""
    links: list[Link] = []
    for link in al.links:
        if rejected(link):
            links += [Link((i,), (), 0.0) for i in link.src] + [Link((), (j,), 0.0) for j in link.tgt]
        else:
            links.append(link)
    if al.mode == "comparable":
        links += [Link((i,), (), 0.0) for i in al.unmatched_src]
        links += [Link((), (j,), 0.0) for j in al.unmatched_tgt]
        links.sort(key=lambda k: (k.src[0] if k.src else float("inf"), k.tgt[0] if k.tgt else -1))
    return links


def write_vecalign(al: Alignment, fh: IO[str], **_: Any) -> None:
    """``[i, j]:[k]:score`` with 0-based sentence indices (every link: an alignment format, not
    a training one, so 1-0 / 0-1 links stay). An alignment read from a file without ids
    (Moses) has none to write: refused."""
    if al.info.get(NO_IDS):
        raise InputError("vecalign: the pairs come from a file without sentence ids or scores (Moses), "
                         "so there is no Vecalign file to write; write tsv, jsonl, tmx, moses or json")
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


def _typed(name: str, value: Any) -> Any:
    """A field's value with the schema's type (None stays None)."""
    if value is None:
        return None
    kind = TYPES.get(name)
    if kind == "float":
        x = float(value)
        return float(f"{x:.4g}") if name == "p_value" else _num(x)
    if kind == "string":
        return str(value)
    return _json_value(value)


def jsonl_record(row: PairRow, src_lang: str, tgt_lang: str, signature: str,
                 pair: str | None = None) -> dict[str, Any]:
    """The JSONL record of a pair: every key of :func:`parallel.schema.jsonl_keys`, always."""
    rec: dict[str, Any] = {
        "translation": {src_lang: row.src, tgt_lang: row.tgt},
        "src_ids": None if row.no_ids else list(row.src_ids),
        "tgt_ids": None if row.no_ids else list(row.tgt_ids),
        "type": None if row.no_ids else row.kind,
        "score": None if row.score is None else _num(row.score),
    }
    for name in FEATURE_FIELDS:
        rec[name] = _typed(name, row.features.get(name))
    if pair is not None and rec["pair"] is None:
        rec["pair"] = pair
    rec["unmatched"] = row.unmatched
    own = row.features.get("signature")  # a pair from a file mixing several keeps its own
    rec["signature"] = signature if own is None else str(own)
    return rec


def jsonl_records(al: Alignment, *, keep_empty: bool = False, pair: str | None = None,
                  **_: Any) -> Iterator[dict[str, Any]]:
    """One record per pair of :func:`pair_rows` (see :func:`jsonl_record`)."""
    s_lang, t_lang = al.src.lang, al.tgt.lang
    if s_lang == t_lang:
        raise InputError(f"jsonl: both sides are {s_lang!r}; the translation dict needs two languages")
    for row in pair_rows(al, keep_empty=keep_empty):
        yield jsonl_record(row, s_lang, t_lang, al.signature, pair)


# Characters str.splitlines() breaks on that json.dumps leaves raw: escape them so every
# line reader sees one record per line (still the same JSON strings).
_JSON_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def jsonl_line(rec: dict[str, Any]) -> str:
    line = json.dumps(rec, ensure_ascii=False, allow_nan=False)
    return line.translate(_JSON_BREAKS) + "\n"


def write_jsonl(al: Alignment, fh: IO[str], *, keep_empty: bool = False, pair: str | None = None,
                **_: Any) -> None:
    """JSON Lines as Hugging Face ``datasets`` loads them, one fixed schema
    (:func:`parallel.schema.jsonl_features`): every key in every record, null where absent.

    UTF-8 (``ensure_ascii=False``; U+0085/U+2028/U+2029 escaped). Pairs with an empty side
    are left out unless ``keep_empty`` (then a comparable alignment's unmatched sentences
    follow with ``"unmatched": true`` and the other side ``""``). ``pair`` fills the ``pair``
    field (``run`` gives the manifest name).
    """
    for rec in jsonl_records(al, keep_empty=keep_empty, pair=pair):
        fh.write(jsonl_line(rec))


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


def tmx_value(value: Any, *, typed: bool = False) -> str:
    """A feature value as TMX prop text (numbers rounded like the JSONL writer; ``typed``: the
    value is already the JSONL one, :func:`_typed`, e.g. a p-value of 1.929e-07 that rounding
    to 6 decimals would turn into 0.0)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return repr(value if typed else _json_value(value))


def write_tmx_rows(rows: Iterable[PairRow], fh: IO[str], *, src_lang: str, tgt_lang: str, signature: str,
                   mode: str) -> int:
    """A TMX 1.4b document holding one ``<tu>`` per row.

    ``srclang`` and ``xml:lang`` are BCP 47 tags (``en_gb`` is written ``en-GB``; the reader
    gives back the code the signature holds). Characters XML 1.0 cannot carry (U+0001 and other
    C0 controls but tab, CR, LF) are written as spaces, and how many segments held one is said
    through :data:`parallel.errors.NOTE` (the CLI's stderr)."""
    from . import __version__

    src_tag, tgt_tag = bcp47(src_lang), bcp47(tgt_lang)
    fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
    fh.write(f'  <header creationtool="{TMX_TOOL}" creationtoolversion="{xml_text(__version__)}" '
             f'segtype="sentence" o-tmf="{TMX_TOOL}" adminlang="en" srclang="{xml_text(src_tag)}" '
             f'datatype="plaintext">\n')
    fh.write(_prop("x-signature", signature, "    "))
    fh.write(_prop("x-mode", mode, "    "))
    fh.write("  </header>\n  <body>\n")
    n = replaced = 0
    for row in rows:
        fh.write("    <tu>\n")
        if not row.no_ids:
            fh.write(_prop("x-src-ids", format_ids(row.src_ids), "      "))
            fh.write(_prop("x-tgt-ids", format_ids(row.tgt_ids), "      "))
        if row.score is not None:
            fh.write(_prop("x-score", tmx_value(row.score), "      "))
        if not row.no_ids:
            fh.write(_prop("x-type", row.kind, "      "))
        for k in FEATURE_FIELDS:
            if row.features.get(k) is not None:
                fh.write(_prop(f"x-{k}", tmx_value(_typed(k, row.features[k]), typed=True), "      "))
        if row.features.get("signature") is not None:  # a pair of a file joining pairs made differently
            fh.write(_prop("x-signature", str(row.features["signature"]), "      "))
        for lang, text in ((src_tag, row.src), (tgt_tag, row.tgt)):
            replaced += _XML_FORBIDDEN.search(text) is not None
            fh.write(f'      <tuv xml:lang="{xml_text(lang)}"><seg>{xml_text(text)}</seg></tuv>\n')
        fh.write("    </tu>\n")
        n += 1
    fh.write("  </body>\n</tmx>\n")
    note = NOTE.get()
    if replaced and note is not None:
        note(f"tmx: {replaced} segment(s) held characters XML 1.0 cannot carry (control characters such "
             "as U+0001), written as spaces")
    return n


def write_tmx(al: Alignment, fh: IO[str], *, keep_empty: bool = False, **_: Any) -> None:
    """TMX 1.4b: one ``<tu>`` per pair of :func:`pair_rows` (the same pairs as every training
    format: no empty side unless ``keep_empty``).

    Header: creationtool, creationtoolversion, segtype, o-tmf, adminlang, srclang, datatype,
    and ``<prop type="x-signature">``. Each ``<tu>`` carries ``x-src-ids``, ``x-tgt-ids``,
    ``x-score``, ``x-type`` and an ``x-NAME`` prop per schema field the pair has (``x-status``
    for a review decision), then ``<tuv xml:lang=..><seg>``.
    """
    write_tmx_rows(pair_rows(al, keep_empty=keep_empty), fh, src_lang=al.src.lang, tgt_lang=al.tgt.lang,
                   signature=al.signature, mode=al.mode)


# ---------------------------------------------------------------- Moses (two files)

# NAME.s-t or NAME.s-t.s, with the codes moses_paths accepts (en-gb, zh_Hant)
_PAIR_SUFFIX = re.compile(rf"\.({LANG_CODE.pattern})-({LANG_CODE.pattern})(?:\.(?:\1|\2))?$")


def moses_paths(path: str, src_lang: str, tgt_lang: str) -> tuple[Path, Path, Path]:
    """``(NAME.s-t.s, NAME.s-t.t, NAME.s-t.sig)`` for an output ``path`` given as ``NAME``,
    ``NAME.moses``, ``NAME.s-t`` or ``NAME.s-t.s``."""
    if src_lang == tgt_lang:
        raise InputError(f"moses: both sides are {src_lang!r}; the file names need two languages")
    for lang in (src_lang, tgt_lang):
        # the codes become parts of file names: a code read from a file ("../../x") must not
        # put a file outside the folder asked for
        if not LANG_CODE.fullmatch(lang):
            raise InputError(f"moses: {lang!r} is not a language code (two or three letters, e.g. ar, "
                             "en, or a variant like zh_Hant): the file names are made of the codes")
    base = path.removesuffix(".moses")
    pair = f"{src_lang}-{tgt_lang}"
    named = _PAIR_SUFFIX.search(base)
    if named is not None and (named.group(1).lower(), named.group(2).lower()) != (src_lang.lower(), tgt_lang.lower()):
        # train.en-ar for ar-en pairs wrote train.en-ar.ar-en.ar; scores.old-new became a Moses pair
        raise InputError(f"{path}: the name ends in the language pair {named.group(1)}-{named.group(2)}, but "
                         f"the pairs go {pair}; name the output NAME.{pair} (or NAME with -f moses), or give "
                         "it the suffix of another format (.tsv, .jsonl, .tmx)")
    for lang in (src_lang, tgt_lang):
        if base.endswith(f".{pair}.{lang}"):
            base = base[:-len(lang) - 1]
    if not base.endswith("." + pair):
        base = f"{base}.{pair}"
    return Path(f"{base}.{src_lang}"), Path(f"{base}.{tgt_lang}"), Path(f"{base}.sig")


def moses_collision(path: str, inputs: Sequence[str | os.PathLike[str]]) -> Path | None:
    """The first of ``inputs`` that a Moses export to ``path`` could write over, whatever the two
    language codes turn out to be (:func:`moses_paths`: ``NAME.s-t.s``, ``NAME.s-t.t``, the
    sidecars), else None: asked before a long run whose languages are only known once its inputs
    are read."""
    given = path.removesuffix(".moses")
    where = os.path.dirname(given) or "."
    folders = {os.path.abspath(where), os.path.realpath(where)}
    tail = "|".join(("sig", *MOSES_REVIEW))
    any_pair = rf"\.({LANG_CODE.pattern})-({LANG_CODE.pattern})\.(?:\1|\2|{tail})"
    names = [re.escape(os.path.basename(given)) + any_pair]  # languages other than the name's: NAME.s-t added
    m = _PAIR_SUFFIX.search(given)
    if m:  # NAME.s-t or NAME.s-t.s: with those languages the files are NAME.s-t.s, .t, .sig
        stem = os.path.basename(given[:m.start()]) + f".{m.group(1)}-{m.group(2)}"
        names.append(re.escape(stem) + any_pair)
        names.append(re.escape(stem) + rf"\.(?:{re.escape(m.group(1))}|{re.escape(m.group(2))}|{tail})")
    own = [re.compile(n) for n in names]  # apart: each has its own back-references
    for p in inputs:
        for seen in (os.path.abspath(p), os.path.realpath(p)):  # as named, and the file behind a link
            if os.path.dirname(seen) in folders and any(o.fullmatch(os.path.basename(seen)) for o in own):
                return Path(p)
    return None


#: The review fields a Moses export keeps beside its texts, one file each (``NAME.s-t.status``,
#: ``NAME.s-t.edited``, ``NAME.s-t.note``), line n for pair n, written when some pair has one.
MOSES_REVIEW = ("status", "edited", "note")


def moses_status_path(sig_path: Path, field: str = "status") -> Path:
    """``NAME.s-t.status`` (or ``.edited``, ``.note``) beside ``NAME.s-t.sig``: line n holds pair
    n's review decision (its edit, the reviewer's note)."""
    return sig_path.with_suffix(f".{field}")


def write_moses(al: Alignment, fh: IO[str], **_: Any) -> None:
    """Moses needs two files: use :func:`export` with a path (``-o NAME``)."""
    raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")


def write_moses_rows(rows: Sequence[PairRow], path: str, *, src_lang: str, tgt_lang: str, signature: str,
                     sidecar: bool = True) -> list[Path]:
    """``NAME.s-t.s`` and ``NAME.s-t.t`` (line n of one the translation of line n of the other),
    the signature in ``NAME.s-t.sig``, and the review of pair n on line n of
    ``NAME.s-t.status`` (``accepted``, ``rejected`` or empty), ``NAME.s-t.edited`` (``merge``,
    ``split`` ... or empty) and ``NAME.s-t.note``, each when some pair has one. All written to
    temporary names first and renamed together at the end."""
    src_path, tgt_path, sig_path = moses_paths(path, src_lang, tgt_lang)
    review = {f: moses_status_path(sig_path, f) for f in MOSES_REVIEW if any(r.features.get(f) for r in rows)}
    stale = [moses_status_path(sig_path, f) for f in MOSES_REVIEW if f not in review]
    for p in stale + ([] if sidecar else [sig_path]):
        refuse_removal(p, path)
    with output_batch(), contextlib.ExitStack() as stack:
        fs = stack.enter_context(atomic_writer(src_path))
        ft = stack.enter_context(atomic_writer(tgt_path))
        fg = stack.enter_context(atomic_writer(sig_path)) if sidecar else None
        fr = {f: stack.enter_context(atomic_writer(p)) for f, p in review.items()}
        for row in rows:
            fs.write(clean_line(row.src) + "\n")
            ft.write(clean_line(row.tgt) + "\n")
            for f, fh in fr.items():
                fh.write(clean_line(str(row.features.get(f) or "")) + "\n")
        if fg is not None:
            fg.write(signature + "\n")
    # the files are in place: removing a stale one (from an earlier export, it would mislead) must
    # not fail the export; one that cannot be removed (a directory) is no file a reader takes
    for p in stale + ([] if sidecar else [sig_path]):
        with contextlib.suppress(IsADirectoryError, PermissionError):
            p.unlink(missing_ok=True)
    return [src_path, tgt_path] + ([sig_path] if sidecar else []) + list(review.values())


def write_moses_files(al: Alignment, path: str, *, sidecar: bool = True, keep_empty: bool = False,
                      **_: Any) -> list[Path]:
    """The pairs of :func:`pair_rows` as Moses files (see :func:`write_moses_rows`); line breaks
    inside a segment become spaces."""
    return write_moses_rows(pair_rows(al, keep_empty=keep_empty), path, src_lang=al.src.lang,
                            tgt_lang=al.tgt.lang, signature=al.signature, sidecar=sidecar)


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
        # where a reader found the unmatched entries of the file it read: not this file's
        "info": {k: v for k, v in al.info.items() if k not in ("unmatched_rows", "unmatched_where")},
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
    json.dump(alignment_to_dict(al), fh, ensure_ascii=False, indent=1, allow_nan=False)
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


#: Output suffixes that mean the HTML report rather than a pair format (``align -o``,
#: ``Alignment.export``).
REPORT_SUFFIXES = (".html", ".htm")


def wants_report(path: str | None, fmt: str | None) -> bool:
    """Whether ``path``/``fmt`` ask for the HTML report rather than a pair format."""
    return fmt == "html" or (fmt is None and path not in (None, "-")
                             and Path(str(path)).suffix.lower() in REPORT_SUFFIXES)


#: suffixes of a compressed file: no writer compresses, so such a name would hold plain text
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".7z", ".lz4")


def format_for(path: str | None, fmt: str | None) -> str:
    """The format named by ``fmt``, else guessed from ``path``'s suffix, else tsv. A name that
    says the file is compressed (``pairs.jsonl.gz``) is refused: it would get plain text."""
    name = _format_for(path, fmt)
    check_output_name(path, name)
    return name


def check_output_name(path: str | None, fmt: str | None) -> None:
    """Refuse an output name that promises what is not written: a compressed file (plain text
    would be written), or a device for a format of several files named after it (``-f moses -o
    /dev/null`` made ``/dev/null.ar-en.ar``, and ``/dev/stdout`` got nothing)."""
    if not path or path == "-":
        return
    if Path(path).suffix.lower() in COMPRESSED_SUFFIXES:
        plain = path[:-len(Path(path).suffix)]
        raise InputError(f"{path}: the name says compressed, but the output is written as plain text; "
                         f"write {plain} and compress it (gzip {plain}), or write to stdout (-o -) and pipe it to gzip")
    if fmt in MULTI_FILE:
        from .io import is_special

        if is_special(path):
            raise InputError(f"{path}: the {fmt} format writes several files named after -o NAME "
                             f"(NAME.ar-en.ar, NAME.ar-en.en); give a file name, not a device")


def _format_for(path: str | None, fmt: str | None) -> str:
    if isinstance(fmt, str) and fmt.strip().lower() in FORMATS:
        fmt = fmt.strip().lower()  # "TSV", as a ".TSV" suffix is read
    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
        named = SUFFIXES.get(Path(path).suffix.lower()) if path and path != "-" and fmt != "moses" else None
        if path and path != "-" and fmt != "moses" and Path(path).suffix.lower() in REPORT_SUFFIXES:
            named = "the HTML report"  # pairs written there open as a broken page
        if named is not None and named != fmt:  # readers go by the suffix: such a file reads as garbage
            raise InputError(f"{path}: the name says {named} but -f asks for {fmt}; name the file for its "
                             f"format (or leave -f out: the name decides)")
        return fmt
    if path and path != "-":
        if _PAIR_SUFFIX.search(path):
            return "moses"
        return SUFFIXES.get(Path(path).suffix.lower(), "tsv")
    return "tsv"


def output_note(path: str | None, fmt: str | None, written: str, al: Alignment | None = None) -> str | None:
    """What to say of an output name once ``written`` (the format) is there: a name whose suffix
    names no format and no ``-f`` (``-o pairs.csv`` wrote TSV, ``filter -o clean.txt`` the
    input's format, in silence), and a Moses name (``-o train.moses`` became two files whose
    names nothing said). None for a name that says its format."""
    from .io import is_special

    if path is None or is_special(path):  # stdout, -o /dev/null, a pipe: no name to say a format by
        return None
    if written == "moses" and al is not None:
        return moses_note(path, al.src.lang, al.tgt.lang)
    if fmt is None and Path(path).suffix.lower() not in SUFFIXES and not _PAIR_SUFFIX.search(path):
        suffix = Path(path).suffix
        named = f"its suffix {suffix}" if suffix else "a name without a suffix"
        return (f"{path}: {named} names no format, so it holds {written} (name it .tsv, .jsonl, .tmx, .json "
                "or .align, or give -f)")
    return None


def moses_note(path: str, src_lang: str, tgt_lang: str) -> str | None:
    """The two files a Moses export named ``path`` writes, said (None where ``path`` is one of them)."""
    a, b, _ = moses_paths(path, src_lang, tgt_lang)
    return f"the moses pairs are in {a} and {b}" if str(a) != path and str(b) != path else None


def check_destination(path: str | None, fmt: str | None) -> str:
    """The format for ``path``/``fmt``, refusing early a multi-file format to stdout."""
    name = format_for(path, fmt)
    if name in MULTI_FILE and (path is None or path == "-"):
        raise InputError(f"the {name} format writes several files; give an output name with -o")
    return name


def sidecar_path(path: str | Path) -> Path:
    return Path(f"{path}.sig")


def joined_sidecar(al: Alignment, *, keep_empty: bool = False) -> str:
    """The sidecar of a file joining pairs (``al.info[JOINED_PAIRS]``) where some pair it covers
    has no row in what is written (its every link filtered out, or a comparable pair with nothing
    mined): a line ``NAME<TAB>SIGNATURE`` for every pair, in file order, so that ``eval`` scores
    such a pair as one that predicted nothing rather than refusing the file for lacking it; ""
    where every pair has a row (its rows name it) or the file joins no pairs."""
    joined = dict(al.info.get(JOINED_PAIRS) or {})
    if len(joined) < 2:
        return ""
    for k in al.links:  # a link's own signature where it has one (filters sign both alike)
        pair, sig = k.features.get("pair"), k.features.get("signature")
        if pair is not None and sig is not None and str(pair) in joined:
            joined[str(pair)] = str(sig)
    written = {str(r.features.get("pair")) for r in pair_rows(al, keep_empty=keep_empty)}
    return pairs_sidecar(joined, by_pair=True) if any(p not in written for p in joined) else ""


def sidecar_text(al: Alignment, *, keep_empty: bool = False) -> str:
    """What ``FILE.sig`` holds: the signature, or, where the pairs of a file joining several
    (``run``'s ``_all.*``) were made differently or some pair has no row (:func:`joined_sidecar`),
    a line ``NAME<TAB>SIGNATURE`` per pair, so that a reader gives each row its own
    (:func:`parallel.readers.sidecar_signature`)."""
    rowless = joined_sidecar(al, keep_empty=keep_empty)
    if rowless:
        return rowless
    if "\n" not in al.signature:
        return al.signature
    own: dict[str, str] = {}
    for k in al.links:
        pair, sig = k.features.get("pair"), k.features.get("signature")
        if pair is None or sig is None:
            return al.signature
        own.setdefault(str(pair), str(sig))
    return pairs_sidecar(own) or al.signature


def pairs_sidecar(own: Mapping[str, str], *, by_pair: bool = False) -> str:
    """The sidecar of a file joining pairs, from each pair's own signature (in file order): the one
    signature when they are all alike, else (or with ``by_pair``: a pair without rows must still be
    named) a line ``NAME<TAB>SIGNATURE`` per pair; "" for none."""
    if len(set(own.values())) > 1 or (by_pair and own):
        return "\n".join(f"{pair}\t{sig}" for pair, sig in own.items())
    return next(iter(own.values()), "")


def export(al: Alignment, path: str | None = None, fmt: str | None = None, *, sidecar: bool = False,
           **options: Any) -> None:
    """Write ``al`` in ``fmt`` to ``path`` atomically, or to stdout when path is None or ``-``.

    ``sidecar=True`` also writes the signature to ``PATH.sig`` for the formats that cannot
    carry it inside (tsv, vecalign), and for a jsonl joining pairs the pairs that kept no record
    (:func:`joined_sidecar`); Moses always writes ``NAME.s-t.sig``.
    """
    name = format_for(path, fmt)
    if name == "json":
        from .readers import REBUILT

        if al.info.get(REBUILT):  # read from a pairs export: its documents rebuilt from the link texts
            refuse_joined_sides(al, "a pairs export (tsv, jsonl, tmx, moses)")
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
    # no /dev/null.sig, and no sidecar holding nothing (pairs read from a file that had none); a
    # JSONL carries its signature in every record, and has a sidecar only to name the pairs of a
    # joined file that kept no record (:func:`joined_sidecar`)
    signed = name in SIDECAR or name == "jsonl"
    keep_empty = bool(options.get("keep_empty"))
    sig = "" if not sidecar or not signed or is_special(path) else (
        sidecar_text(al, keep_empty=keep_empty) if name in SIDECAR else joined_sidecar(al, keep_empty=keep_empty))
    if not sig.strip() and signed:
        refuse_removal(sidecar_path(path), path)
    if sig.strip():
        check_output_path(sidecar_path(path), file_only=True)
    with output_batch():  # the file and its sidecar reach their names together, or neither does
        with atomic_writer(path) as fh:
            writer(al, fh, **options)
        if sig.strip():
            with atomic_writer(sidecar_path(path)) as fh:
                fh.write(sig + "\n")
    if not sig.strip() and signed:
        drop_stale_sidecar(path)


def refuse_joined_sides(al: Alignment, kept_by: str, source: str | None = None) -> None:
    """InputError where a link of ``al``, read from a file that keeps a link's sentences joined
    (``kept_by``, "a tsv file"), holds several sentences on a side: their boundaries are lost, so
    the reader's split of them is a guess that the native JSON would write as the documents'
    sentences. All-1-1 files convert. ``source``: the file read, for the message."""
    many = next((k for k in al.links if len(k.src) > 1 or len(k.tgt) > 1), None)
    if many is not None:
        raise InputError(f"{source + ': ' if source else ''}link {list(many.src)}:{list(many.tgt)} has several "
                         f"sentences on a side, which {kept_by} keeps joined (their boundaries are lost), so it "
                         "cannot become the native JSON; use the .json the alignment was written as (align -f "
                         "json, run's NAME.json)")


def refuse_removal(stale: str | Path, output: str | Path) -> None:
    """InputError when ``stale`` (a file an export removes as out of date: the ``.sig`` of an
    earlier export) is an input of the running command: it would be deleted, not overwritten,
    so the write guard alone never saw it. Said before anything is written."""
    from .io import is_input

    if not is_special(output) and is_input(stale):
        raise InputError(f"{stale}: is an input of this command; writing {output} without a signature "
                         "would remove it (as the stale .sig of an earlier export); give another output name")


def drop_stale_sidecar(path: str | Path) -> None:
    """Remove ``PATH.sig`` after ``PATH`` was written without one: a signature left by an earlier
    export would describe another file (its mode, say), and the readers trust it."""
    if not is_special(path):
        # a name too long for ".sig" to be added (ENAMETOOLONG) has no sidecar to remove either
        with contextlib.suppress(IsADirectoryError, PermissionError, OSError):
            sidecar_path(path).unlink(missing_ok=True)
