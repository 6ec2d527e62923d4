"""Reading alignment files back: the native JSON form and every exported format (``READERS``)."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from .data import Alignment, Document, Link, Segment
from .errors import InputError
from .export import JOINED_PAIRS, JSON_FORMAT, JSON_VERSION, NO_IDS
from .io import read_text
from .schema import feature_type_error, is_number


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _short(x: Any) -> str:
    r = repr(x)
    return r if len(r) <= 40 else r[:37] + "..."


def _doc(d: Any, side: str, name: str) -> Document:
    """One document of the native JSON, with checks: every segment ``[start, end, paragraph]``
    of whole numbers, ``0 <= start <= end <= len(text)``."""
    if not isinstance(d, dict):
        raise InputError(f"{name}: \"{side}\" is not a document (an object with text, lang, segments)")
    text, lang, segments = d["text"], d["lang"], d["segments"]
    if not isinstance(text, str) or not isinstance(lang, str):
        raise InputError(f"{name}: {side}: \"text\" and \"lang\" must be strings")
    name_, segmenter = d.get("name"), d.get("segmenter", "punkt")
    if not isinstance(name_, (str, type(None))) or not isinstance(segmenter, str):
        raise InputError(f"{name}: {side}: \"name\" and \"segmenter\" must be strings")
    if not isinstance(segments, list):
        raise InputError(f"{name}: {side}: \"segments\" must be a list of [start, end, paragraph]")
    segs = []
    for i, seg in enumerate(segments):
        if not (isinstance(seg, list) and len(seg) == 3 and all(_is_int(x) for x in seg)):
            raise InputError(f"{name}: {side} segment {i}: want [start, end, paragraph] as whole numbers, "
                             f"got {_short(seg)}")
        start, end, paragraph = seg
        if not 0 <= start <= end <= len(text):
            raise InputError(f"{name}: {side} segment {i} [{start}, {end}] lies outside its text "
                             f"({len(text)} characters)")
        segs.append(Segment(text[start:end], lang, i, paragraph, start, end))
    return Document(text=text, lang=lang, segments=tuple(segs), name=name_, segmenter=segmenter)


def _link(k: Any, n: int, sizes: tuple[int, int], seen: tuple[dict[int, int], dict[int, int]],
          name: str) -> Link:
    """Link ``n`` of the native JSON, with checks: ids are whole numbers naming sentences of the
    documents, no sentence in two links (no writer makes one), a numeric score, and features of
    the schema's types (:func:`parallel.schema.feature_type_error`)."""
    where = f"{name}: link {n}"
    if not isinstance(k, dict):
        raise InputError(f"{where}: not an object with \"src\" and \"tgt\"")
    sides = []
    for side in ("src", "tgt"):
        if side not in k:
            raise InputError(f"{where}: no \"{side}\" (its sentence numbers)")
        ids = k[side]
        if not isinstance(ids, list) or not all(_is_int(i) for i in ids):
            raise InputError(f"{where}: \"{side}\" must be a list of sentence numbers, got {_short(ids)}")
        sides.append(tuple(ids))
    label = f"{list(sides[0])}:{list(sides[1])}"
    if not sides[0] and not sides[1]:
        raise InputError(f"{where}: no sentence on either side")
    for side, ids, size, held in zip(("src", "tgt"), sides, sizes, seen, strict=True):
        for i in ids:
            if not 0 <= i < size:
                raise InputError(f"{where} {label} points outside the documents ({side} sentence {i}; "
                                 f"the document has {size})")
            if i in held:
                other = "this link" if held[i] == n else f"link {held[i]}"
                raise InputError(f"{where} {label}: {side} sentence {i} is also in {other}; "
                                 "a sentence belongs to one link at most")
            held[i] = n
    score = k.get("score", 0.0)
    if not is_number(score):
        raise InputError(f"{where} {label}: \"score\" must be a number, got {_short(score)}")
    feats = k.get("features") or {}
    if not isinstance(feats, dict):
        raise InputError(f"{where} {label}: \"features\" must be an object")
    for key, value in feats.items():
        why = feature_type_error(key, value)
        if why:
            raise InputError(f"{where} {label}: feature {key!r}: {why}")
    return Link(sides[0], sides[1], float(score), feats)


def _check_info(info: Any, sizes: tuple[int, int], name: str) -> dict[str, Any]:
    """``info`` is an object; its ``below_bar`` candidates (comparable mode) name sentences of the
    documents and carry a numeric ``p``."""
    if not isinstance(info, dict):
        raise InputError(f"{name}: \"info\" must be an object")
    below = info.get("below_bar")
    if below is None:
        return info
    if not isinstance(below, list):
        raise InputError(f"{name}: info.below_bar must be a list of {{\"src\", \"tgt\", \"p\"}}")
    for n, c in enumerate(below):
        where = f"{name}: info.below_bar entry {n}"
        if not isinstance(c, dict) or not all(k in c for k in ("src", "tgt", "p")):
            raise InputError(f"{where}: want {{\"src\": i, \"tgt\": j, \"p\": p}}, got {_short(c)}")
        for side, size in zip(("src", "tgt"), sizes, strict=True):
            i = c[side]
            if not _is_int(i):
                raise InputError(f"{where}: \"{side}\" must be a sentence number, got {_short(i)}")
            if not 0 <= i < size:
                raise InputError(f"{where} points outside the documents ({side} sentence {i}; "
                                 f"the document has {size})")
        p = c["p"]
        if not is_number(p):
            raise InputError(f"{where}: \"p\" must be a number, got {_short(p)}")
    return info


def alignment_from_dict(obj: dict[str, Any], name: str = "alignment") -> Alignment:
    """Inverse of :func:`parallel.export.alignment_to_dict`, with checks: a file no writer could
    have made (a sentence in two links, ids or numbers given as text, a segment past the end of
    its text ...) is an :class:`InputError` naming what is wrong, never a half-read alignment."""
    if not isinstance(obj, dict) or obj.get("format") != JSON_FORMAT:
        raise InputError(f"{name}: not a parallel alignment file (no \"format\": \"{JSON_FORMAT}\")")
    if obj.get("version") != JSON_VERSION:
        raise InputError(f"{name}: alignment file version {obj.get('version')!r} is not supported")
    try:
        src, tgt = _doc(obj["src"], "src", name), _doc(obj["tgt"], "tgt", name)
        sizes = (len(src), len(tgt))
        raw_links, mode, signature = obj["links"], obj["mode"], obj.get("signature", "")
        if not isinstance(raw_links, list):
            raise InputError(f"{name}: \"links\" must be a list, got {_short(raw_links)}")
        if not isinstance(mode, str) or not isinstance(signature, str):
            raise InputError(f"{name}: \"mode\" and \"signature\" must be strings")
        if mode not in ("parallel", "comparable"):  # every reader of the links goes by it
            raise InputError(f"{name}: \"mode\" must be parallel or comparable, got {_short(mode)}")
        seen: tuple[dict[int, int], dict[int, int]] = ({}, {})
        links = tuple(_link(k, n, sizes, seen, name) for n, k in enumerate(raw_links))
        info = _check_info(obj.get("info") or {}, sizes, name)
    except KeyError as exc:
        raise InputError(f"{name}: malformed alignment file (no {exc})") from None
    except (TypeError, ValueError, IndexError) as exc:  # anything the checks above did not name
        raise InputError(f"{name}: malformed alignment file ({type(exc).__name__}: {exc})") from None
    return Alignment(src=src, tgt=tgt, links=links, mode=mode, signature=signature, info=info)


_NATIVE_HINT = ("needs the native alignment JSON (`parallel-corpus align SRC TGT -f json -o pair.json`, "
                "or `run`'s NAME.json)")


def read_alignment(path: str | Path) -> Alignment:
    """Read a native alignment file (``.json``) written by ``--format json``.

    Given a pairs export instead (tsv, jsonl, tmx, ...), the error says in one line that the
    native JSON is needed and how to make it.
    """
    if not isinstance(path, (str, os.PathLike)):  # read_alignment(5) was a TypeError from pathlib
        raise InputError(f"read_alignment: a file path (str or os.PathLike) is needed, not {type(path).__name__}")
    text = read_text(path)
    try:
        obj = json.loads(text)
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be an alignment") from None
    except json.JSONDecodeError as exc:
        kind = _export_kind(path, text)
        if kind:
            raise InputError(f"{path}: this is a {kind} export of pairs; this command {_NATIVE_HINT}") from None
        raise InputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg}); this command "
                         f"{_NATIVE_HINT}") from None
    except ValueError as exc:  # a number of over 4,300 digits (Python's limit on int conversion)
        raise InputError(f"{path}: not an alignment ({str(exc).split(':')[0]}); this command "
                         f"{_NATIVE_HINT}") from None
    if not isinstance(obj, dict) or obj.get("format") != JSON_FORMAT:
        raise InputError(f"{path}: not a parallel alignment file (no \"format\": \"{JSON_FORMAT}\"); "
                         f"this command {_NATIVE_HINT}")
    problem = _json_problem(obj)
    if problem:
        line = _json_line(text)
        raise _json_refused(f"{path}" + (f": line {line}" if line else ""), problem)
    return alignment_from_dict(obj, str(path))


def _export_kind(path: str | Path, text: str) -> str | None:
    """The export format a non-JSON file looks like (by name, else by its first line), or None."""
    from .export import SUFFIXES

    by_name = SUFFIXES.get(Path(path).suffix.lower())
    if by_name and by_name != "json":
        return by_name
    if moses_base(path) is not None:
        return "moses"
    return _content_kind(text)


def _content_kind(text: str) -> str | None:
    """The export format a text looks like from its first line (not the native JSON), or None."""
    first = text.lstrip().split("\n", 1)[0]
    if first.startswith("{") and re.search(r'"format"\s*:\s*"' + re.escape(JSON_FORMAT) + '"', first):
        return None  # the native JSON written on one line (jq -c, json.dump): not a JSONL record
    if first.startswith("{") and '"translation"' in first:
        return "jsonl"
    if first.startswith(("<?xml", "<tmx")):
        return "tmx"
    if "\t" in first:
        return "tsv"
    if re.match(r"\[[\d\s,]*\]\s*:\s*\[", first):  # [0, 1]:[2] (a JSON array is none)
        return "vecalign"
    return None


def sniff_format(path: str | Path, text: str) -> str | None:
    """The format of an alignment file from its name, else from its first line: one of
    :data:`READERS`, or None when neither tells (e.g. a Vecalign gold named ``test0.defr``)."""
    if Path(path).suffix.lower() == ".json":
        return "json"
    kind = _export_kind(path, text)
    if kind is None and text.lstrip().startswith("{"):
        return "json"  # the native JSON under another name
    return kind


# ====================================================================== exported pair files
#
# Every format written by :mod:`parallel.export` reads back into an Alignment whose export
# in the same format is byte-identical to the file read. Files other than the native JSON
# do not hold the whole documents: the reader rebuilds documents from the link texts (a
# many-sentence side is split back at its last spaces, sentences no link mentions are
# empty), enough to filter, convert and score the pairs.

_SIG_KEYS = re.compile(r"(?:^|\|)(src|tgt|mode):([^|]*)")


def _sig_fields(signature: str) -> dict[str, str]:
    """``src``, ``tgt`` and ``mode`` of a signature (of its first line: a file joining pairs made
    differently carries one signature per line, see :func:`mixed_signature`)."""
    first = signature.split("\n", 1)[0]
    return {m.group(1): m.group(2) for m in _SIG_KEYS.finditer(first)}


def mixed_signature(signatures: list[str]) -> str:
    """One signature for a file whose pairs carry several (``run``'s ``_all.jsonl`` joining a
    parallel and a comparable pair): the distinct ones, one per line, in first-seen order. A
    single line is the usual case; the pairs keep their own in a ``signature`` feature."""
    return "\n".join(dict.fromkeys(signatures))


def _read_sidecar(path: Path) -> str:
    """The signature ``path`` (a ``.sig`` sidecar) holds: one line, or, for a file joining pairs
    made differently, the distinct signatures one per line (:func:`mixed_signature`; the pairs'
    own: :func:`_read_sidecar_pairs`); "" without one."""
    return _read_sidecar_pairs(path)[0]


def _read_sidecar_pairs(path: Path) -> tuple[str, dict[str, str]]:
    """The signature ``path`` holds and each pair's own (:func:`sidecar_signature`)."""
    if path.is_file():
        return sidecar_signature(read_text(path, allow_empty=True).strip())
    return "", {}


def sidecar_signature(text: str) -> tuple[str, dict[str, str]]:
    """A sidecar's text as ``(signature, {pair: its own signature})``: a file joining pairs made
    differently (``run``'s ``_all.tsv`` of a parallel and a comparable pair, or a filter of it)
    has a line ``NAME<TAB>SIGNATURE`` per pair (signatures hold no tabs); any other one signature
    for the whole file (the mapping empty)."""
    lines = [x for x in text.splitlines() if x.strip()]
    if lines and all("\t" in x for x in lines):
        by_pair = dict(x.split("\t", 1) for x in lines)
        return mixed_signature(list(by_pair.values())), by_pair
    return text, {}


def with_joined_pairs(al: Alignment, rows: list[Row], named: dict[str, str]) -> Alignment:
    """``al`` (read from ``rows``) with ``info[JOINED_PAIRS]``: every pair the file covers, those
    its sidecar names (``named``, in file order; a pair that kept no row is only there) and those
    its rows name, each with its signature; unchanged where it joins no pairs."""
    pairs = dict(named)
    for r in rows:
        pair = r[5].get("pair")
        if pair is not None and str(pair) not in pairs:
            pairs[str(pair)] = str(r[5].get("signature") or al.signature)
    return replace(al, info={**al.info, JOINED_PAIRS: pairs}) if pairs else al


def with_pair_signatures(rows: list[Row], by_pair: dict[str, str]) -> list[Row]:
    """``rows`` each with its pair's own signature (a ``signature`` feature) where it has none."""
    if not by_pair:
        return rows
    return [(*r[:5], {**r[5], "signature": by_pair[str(r[5]["pair"])]})
            if "signature" not in r[5] and str(r[5].get("pair")) in by_pair else r for r in rows]


def _sig_mode(signature: str) -> str | None:
    """``comparable`` or ``parallel`` as a signature says (``mine`` is comparable), else None."""
    mode = _sig_fields(signature).get("mode", "")
    if mode.startswith(("comparable", "mine")):
        return "comparable"
    return "parallel" if mode else None


def sidecar_mode(path: str | Path) -> str | None:
    """The mode the signature sidecar ``FILE.sig`` of a TSV or Vecalign file says, or None
    (no sidecar, or one without ``mode:``)."""
    return _sig_mode(_read_sidecar(Path(f"{path}.sig")))


def zero_pairs_export(path: str | Path, kind: str | None) -> bool:
    """Whether ``path`` is what an export of zero pairs writes, and no other file of ours: 0 bytes
    of ``jsonl`` (JSON Lines has no header: zero records are an empty file), or 0 bytes of ``tsv``
    with its signature sidecar ``FILE.sig`` beside it (written with ``--no-header``; with its
    header the file has a line). Read as zero pairs. A file of white space, or of 0 bytes in
    another format (a Vecalign file lists every sentence, a TMX has its header, the native JSON its
    documents), is none: what a failed command whose output was redirected into the file leaves."""
    p = Path(path)
    try:
        if kind not in ("jsonl", "tsv") or not p.is_file() or p.stat().st_size:
            return False
    except OSError:
        return False
    return kind == "jsonl" or Path(f"{path}.sig").is_file()


def links_cross(links: Iterable[tuple[Sequence[int], Sequence[int]]]) -> bool:
    """Whether two links with both sides cross (one comes first on the source side, the other
    on the target side). Our parallel mode is monotonic, so a file of ours with crossing
    links is a comparable alignment (gold made by hand may cross: Text+Berg does)."""
    both = sorted((min(s), min(t)) for s, t in links if len(s) and len(t))
    return any(b[1] <= a[1] for a, b in pairwise(both))


def _lines(text: str) -> list[str]:
    """Lines split on LF only (a segment may hold U+2028 and such); one trailing CR dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.removesuffix("\r") for ln in lines]


def _number_in_order(rows: list[Row]) -> list[Row]:
    """Rows of a file without ids, each side numbering its non-empty texts in order: a row with
    one side empty (a ``--keep-empty`` 1-0 / 0-1 pair) names no sentence there, so no empty
    sentence is made up on that side."""
    out: list[Row] = []
    n_src = n_tgt = 0
    for _, _, s, t, score, feats in rows:
        s_ids: tuple[int, ...] = (n_src,) if s or not t else ()
        t_ids: tuple[int, ...] = (n_tgt,) if t or not s else ()
        n_src += len(s_ids)
        n_tgt += len(t_ids)
        out.append((s_ids, t_ids, s, t, score, feats))
    return out


def _without_ids(al: Alignment) -> Alignment:
    return replace(al, info={**al.info, NO_IDS: True})


def _split_side(text: str, n: int) -> list[str]:
    """``text`` (``n`` sentences joined with spaces) back into ``n`` pieces that join to it."""
    if n <= 1:
        return [text] * n
    parts = text.rsplit(" ", n - 1)
    return [""] * (n - len(parts)) + parts


#: ``Alignment.info`` key of an alignment read from a pairs export: its documents were rebuilt
#: from the link texts, and a sentence no row mentions has the text "" (not known, not empty).
REBUILT = "rebuilt_documents"


#: The most sentences a side a document rebuilt from a pairs file (TSV, JSONL, TMX, Vecalign) may
#: have: its ids number its sentences from 0 and it holds one per id (about 270 bytes each), so a
#: stray id (a typo, 10**8) took 24 GB and was killed without a word (stop 54). Five million is
#: several times the collections ``mine`` is measured on (1M x 1M).
MAX_SENTENCES = 5_000_000


def _make_doc(texts: dict[int, str], lang: str, name: str | None) -> Document:
    size = max(texts) + 1 if texts else 0
    if size > MAX_SENTENCES:
        raise InputError(f"{name or 'alignment'}: sentence id {size - 1} is past the {MAX_SENTENCES:,} sentences "
                         "a side this tool reads (ids number a document's sentences from 0)")
    segs, pos, chunks = [], 0, []
    for i in range(size):
        t = texts.get(i, "")
        segs.append(Segment(t, lang, i, 0, pos, pos + len(t)))
        chunks.append(t)
        pos += len(t) + 1
    return Document(text="\n".join(chunks), lang=lang, segments=tuple(segs), name=name, segmenter="file")


def _guess_lang(texts: list[str], fallback: str) -> str:
    from .lang import detect_lang

    return detect_lang(" ".join(texts)[:20000]) or fallback


#: ``Alignment.info`` key: ``{"src"|"tgt": {id: {"pair": ..., "src_origin": ...}}}``, the pair
#: and origin of each sentence of a joined or several-file export, for the ones left unmatched
UNMATCHED_WHERE = "unmatched_where"

def sentence_origin(features: dict[str, Any], side: str) -> dict[str, Any]:
    """Where a link's sentences of ``side`` ("src" or "tgt") came from, as its ``features`` say: the
    ``run`` pair of a joined file and the ``FILE:LINE`` of a mined sentence (those present)."""
    return {k: features[k] for k in ("pair", f"{side}_origin") if features.get(k) is not None}


# (src_ids, tgt_ids, src_text, tgt_text, score, features) of one link
Row = tuple[tuple[int, ...], tuple[int, ...], str, str, float, dict[str, Any]]


def build_alignment(rows: list[Row],
                    *, signature: str = "", mode: str | None = None, src_lang: str | None = None,
                    tgt_lang: str | None = None, name: str | None = None,
                    extra_src: dict[int, str] | None = None,
                    extra_tgt: dict[int, str] | None = None) -> Alignment:
    """An Alignment from per-link ``(src_ids, tgt_ids, src_text, tgt_text, score, features)``.

    Languages and mode come from the arguments, else the signature, else the texts.
    """
    rows, offsets = _separate_pairs(rows)
    rows, by_origin = _separate_origins(rows)
    sig = _sig_fields(signature)
    chosen = mode or ("comparable" if sig.get("mode", "").startswith(("comparable", "mine")) else "parallel")
    src_texts: dict[int, str] = dict(extra_src or {})
    tgt_texts: dict[int, str] = dict(extra_tgt or {})
    links = []
    unmatched: list[int] = []
    # the pair and origin of each sentence, by side and id: a sentence left unmatched (listed so,
    # or its link filtered out) is written with its own pair's (or file's) id and its pair, as a
    # link is
    whose: dict[str, dict[int, dict[str, Any]]] = {"src": {}, "tgt": {}}
    for row, (s_ids, t_ids, s_text, t_text, score, feats) in enumerate(rows):
        for ids, text, store in ((s_ids, s_text, src_texts), (t_ids, t_text, tgt_texts)):
            for i, piece in zip(ids, _split_side(text, len(ids)), strict=True):
                if i < 0:
                    raise InputError(f"{name or 'alignment'}: negative sentence id {i}")
                store.setdefault(i, piece)
        # a row of a file joining several pairs (run's _all.*) carries its own signature: a
        # parallel pair's 1-0 / 0-1 links stay links even where another pair is comparable
        own = _sig_mode(str(feats["signature"])) if feats.get("signature") else None
        # ids shifted apart: what to shift back if left unmatched; a sentence's FILE:LINE whether or
        # not ids were shifted (mine's sentences of one file a side keep theirs)
        for side, ids in (("src", s_ids), ("tgt", t_ids)):
            where = sentence_origin(feats, side)
            if where:
                whose[side].update(dict.fromkeys(ids, where))
        if (own or chosen) == "comparable" and not (s_ids and t_ids):
            unmatched.append(row)  # an unmatched sentence listed with --keep-empty, not a link
            continue
        links.append(Link(s_ids, t_ids, score, feats))
    s_lang = src_lang or sig.get("src") or _guess_lang([r[2] for r in rows], "src")
    t_lang = tgt_lang or sig.get("tgt") or _guess_lang([r[3] for r in rows], "tgt")
    # the documents are rebuilt from the link texts: a sentence no row mentions is "" (unknown)
    info: dict[str, Any] = {REBUILT: True, **({"pair_offsets": offsets} if offsets else {}),
                            **({"origin_offsets": by_origin} if by_origin else {})}
    if unmatched:  # where they were among the file's entries (mt-eval's line n is entry n)
        info["unmatched_rows"] = unmatched
    if whose["src"] or whose["tgt"]:
        info[UNMATCHED_WHERE] = whose
    return Alignment(src=_make_doc(src_texts, s_lang, name), tgt=_make_doc(tgt_texts, t_lang, name),
                     links=tuple(links), mode=chosen, signature=signature, info=info)


def _separate_pairs(rows: list[Row]) -> tuple[list[Row], dict[str, list[int]]]:
    """Rows from several manifest pairs (``run``'s ``_all.*``: a ``pair`` feature each) number
    their sentences from 0 in each pair: shift each pair's ids past the previous pairs' so no
    two sentences share an id. ``{pair: [src_offset, tgt_offset]}`` goes to ``info`` and the
    writers subtract it again (:func:`parallel.export.pair_rows`), so the ids written are the
    pair's own."""
    names = list(dict.fromkeys(str(r[5]["pair"]) for r in rows if r[5].get("pair") is not None))
    if len(names) < 2:
        return rows, {}
    offsets: dict[str, list[int]] = {}
    so = to = 0
    for name in names:
        offsets[name] = [so, to]
        mine = [r for r in rows if str(r[5].get("pair")) == name]
        so += max((i for r in mine for i in r[0]), default=-1) + 1
        to += max((j for r in mine for j in r[1]), default=-1) + 1
    out: list[Row] = []
    for s_ids, t_ids, s_text, t_text, score, feats in rows:
        ds, dt = offsets.get(str(feats.get("pair")), [0, 0])
        out.append((tuple(i + ds for i in s_ids), tuple(j + dt for j in t_ids), s_text, t_text, score, feats))
    return out, offsets


def origin_file(origin: object) -> str | None:
    """The file of a ``FILE:LINE`` origin (``mine``'s ``src_origin`` / ``tgt_origin``), None if none."""
    return None if origin in (None, "") else str(origin).rsplit(":", 1)[0]


def _separate_origins(rows: list[Row]) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """Pairs ``mine`` found in several files a side number each file's lines from 0, so two rows
    can share an id and hold different sentences: the first row's text was given to both (filter
    wrote it for the other, mt-eval scored against it). Shift each file's ids past the previous
    files' (on each side, by its ``FILE:LINE`` origin), as :func:`_separate_pairs` does for
    ``run``'s pairs; ``{"src"|"tgt": {file: offset}}`` goes to ``info`` and the writers subtract
    it again (:func:`parallel.export.pair_rows`), so the ids written are each file's own."""
    out_offsets: dict[str, dict[str, int]] = {}
    shifts: list[dict[str, int]] = [{}, {}]
    for side, key in ((0, "src_origin"), (1, "tgt_origin")):
        top: dict[str, int] = {}  # each file's largest id, in the order the files first appear (one pass:
        for r in rows:           # a crawl mined as one collection has thousands of files)
            f = origin_file(r[5].get(key))
            if f is not None:
                top[f] = max(top.get(f, -1), *(r[0] if side == 0 else r[1]), -1)
        if len(top) < 2:
            continue
        at = 0
        for f, largest in top.items():
            shifts[side][f] = at
            at += largest + 1
        out_offsets[key[:3]] = dict(shifts[side])
    if not out_offsets:
        return rows, {}
    out: list[Row] = []
    for s_ids, t_ids, s_text, t_text, score, feats in rows:
        ds = shifts[0].get(origin_file(feats.get("src_origin")) or "", 0)
        dt = shifts[1].get(origin_file(feats.get("tgt_origin")) or "", 0)
        out.append((tuple(i + ds for i in s_ids), tuple(j + dt for j in t_ids), s_text, t_text, score, feats))
    return out, out_offsets


def _ids(field: str, where: str) -> tuple[int, ...]:
    field = field.strip().strip("[]")
    if not field.strip():
        return ()
    try:
        return tuple(int(x) for x in field.split(","))
    except ValueError:
        raise InputError(f"{where}: bad sentence ids {field!r} (want e.g. 3 or 3,4)") from None


def _float(field: str, where: str, what: str) -> float:
    try:
        x = float(field)
    except ValueError:
        raise InputError(f"{where}: {what} {field!r} is not a number") from None
    if not math.isfinite(x):  # nan, inf: no JSON carries them, no filter bar compares with them
        raise InputError(f"{where}: {what} {field!r} is not a finite number")
    return x


_SURROGATE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _json_problem(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first value of parsed JSON that no output can carry, as ``(field, why)``: a lone
    surrogate (a ``\\ud800`` escape without its other half: no character, no UTF-8 for it) or a
    number that is not finite (``NaN``, ``Infinity``, ``1e999``: JSON has none)."""
    if isinstance(value, str):
        m = _SURROGATE.search(value)
        if m is None:
            return None
        return path, f"a lone surrogate \\u{ord(m.group()):04x} (half of a UTF-16 pair, not a character)"
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"{value} is not a finite number")
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{_printable(str(key))}" if path else _printable(str(key))
            found = _json_problem(key, sub) or _json_problem(item, sub)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _json_problem(item, f"{path}[{i}]")
            if found:
                return found
    return None


def _json_refused(where: str, problem: tuple[str, str]) -> InputError:
    field, why = problem
    return InputError(f"{where}: {field + ': ' if field else ''}{why}")


# A JSON text's strings and numbers (NaN and Infinity included), to find the line of a bad one.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|-?Infinity|NaN|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?')


def _json_line(text: str) -> int | None:
    """The line of the first string or number of a JSON ``text`` that :func:`_json_problem` refuses."""
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok.startswith('"'):
            bad = "\\u" in tok and _SURROGATE.search(json.loads(tok)) is not None
        else:
            bad = not math.isfinite(float(tok))
        if bad:
            return text.count("\n", 0, m.start()) + 1
    return None


def _typed_features(raw: dict[str, str], where: str) -> dict[str, Any]:
    """Field strings (TSV fields, TMX props) as feature values with the schema's types."""
    from .schema import TYPES

    feats: dict[str, Any] = {}
    has_numbers = raw.get("numbers", "") != ""
    for key, value in raw.items():
        kind = TYPES.get(key)
        if kind == "string":
            if value != "" or (has_numbers and key in ("numbers_src", "numbers_tgt")):
                feats[key] = value
        elif value == "":
            continue
        elif kind == "float":
            feats[key] = _float(value, where, key)
        else:
            try:
                feats[key] = json.loads(value)
            except (json.JSONDecodeError, RecursionError):
                feats[key] = value
            problem = _json_problem(feats[key])
            if problem:  # NaN, Infinity or a lone surrogate: refused as the JSONL reader refuses them
                raise _json_refused(f"{where}: {key}", problem)
    return feats


def _tsv_header(line: str) -> tuple[str, ...] | None:
    """The column names when ``line`` is a header of the pair schema (``pair`` may come first; a
    table whose columns were moved by hand still names them: it is read by name)."""
    cols = tuple(line.split("\t"))
    return cols if "src_ids" in cols and "tgt_ids" in cols else None


# Column layouts of a TSV without a header, by field count: no evidence, the 13 columns
# written before the schema (legacy), the schema's core columns; each of the first and the last
# also with run's leading ``pair`` column, mine's two trailing origin columns, or both.
@cache  # asked once per line of a file
def _headerless_columns(n: int) -> tuple[str, ...] | None:
    from .export import TSV_COLUMNS
    from .schema import LEADING_EXTRAS, TRAILING_EXTRAS, TSV_CORE

    legacy = TSV_CORE[:13]
    layouts = {len(legacy): legacy}
    for base in (TSV_COLUMNS, TSV_CORE):
        for lead in ((), LEADING_EXTRAS):
            for trail in ((), TRAILING_EXTRAS):
                cols = (*lead, *base, *trail)
                layouts.setdefault(len(cols), cols)
    return layouts.get(n)


def read_tsv(path: str | Path, *, src_lang: str | None = None, tgt_lang: str | None = None) -> Alignment:
    """A TSV of the pair schema, as ``align``/``filter``/``mine`` write it and ``run``'s
    ``_all.tsv`` (with or without header, with or without evidence columns)."""
    from .export import TSV_COLUMNS
    from .schema import TSV_CORE

    name = str(path)
    # 0 bytes with a .sig: written with --no-header, zero pairs (filter keeping none writes it)
    lines = _lines(read_text(path, allow_empty=zero_pairs_export(path, "tsv")))
    cols = _tsv_header(lines[0]) if lines else None
    if cols is not None:
        lines.pop(0)
        missing = [c for c in TSV_COLUMNS if c not in cols]
        if missing:
            raise InputError(f"{name}: no column {missing[0]!r} in the header")
    rows: list[Row] = []
    for lineno, line in enumerate(lines, start=2 if cols else 1):
        if not line.strip():  # a blank line (a table edited by hand) holds no pair: no export writes one
            continue
        where = f"{name}: line {lineno}"
        fields = line.split("\t")
        names = cols or _headerless_columns(len(fields))
        if names is None or len(fields) != len(names):
            want = (f"{len(names)} ({', '.join(names[:6])}, ...)" if names
                    else f"{len(TSV_COLUMNS)} or {len(TSV_CORE)} without a header line (one more with "
                         "a leading pair column, two more with the origin columns)")
            raise InputError(f"{where}: {len(fields)} tab-separated fields, expected {want}")
        rec = dict(zip(names, fields, strict=True))
        raw = {k: v for k, v in rec.items() if k not in TSV_COLUMNS and k != "type"}
        score = _float(rec["score"], where, "score") if rec["score"] != "" else 0.0
        rows.append((_ids(rec["src_ids"], where), _ids(rec["tgt_ids"], where), rec["src"], rec["tgt"],
                     score, _typed_features(raw, where)))
    no_ids = bool(rows) and not any(r[0] or r[1] for r in rows)
    if no_ids:  # written from a file without ids (Moses): number the texts in order
        rows = _number_in_order(rows)
    signature, sig_of_pair = _read_sidecar_pairs(Path(f"{path}.sig"))
    rows = with_pair_signatures(rows, sig_of_pair)
    # Without its .sig a TSV says no mode: parallel, unless links cross (parallel mode is monotonic)
    by_pair: dict[Any, list[Row]] = {}
    for r in rows:  # run's _all.tsv: each pair numbers its sentences from 0
        by_pair.setdefault(r[5].get("pair"), []).append(r)
    crossing = any(links_cross((r[0], r[1]) for r in pair) for pair in by_pair.values())
    mode = "comparable" if crossing and not _sig_mode(signature) else None
    al = build_alignment(rows, signature=signature, mode=mode, src_lang=src_lang, tgt_lang=tgt_lang, name=name)
    al = with_joined_pairs(replace(al, info={**al.info, "tsv_header": cols is not None}), rows, sig_of_pair)
    return _without_ids(al) if no_ids else al


_VECALIGN = re.compile(r"^\[([\d,\s]*)\]:\[([\d,\s]*)\](?::(\S+))?\s*$")


def read_vecalign(path: str | Path, *, src_sentences: list[str] | None = None,
                  tgt_sentences: list[str] | None = None, src_lang: str | None = None,
                  tgt_lang: str | None = None) -> Alignment:
    """A Vecalign file ``[i, j]:[k]:score``; the sentences (one per line of the files Vecalign
    aligned) give the texts, else they are empty. In comparable mode (signature in
    ``FILE.sig``) the ``[i]:[]`` / ``[]:[j]`` lines are the unmatched sentences, not links."""
    name = str(path)
    signature = _read_sidecar(Path(f"{path}.sig"))
    comparable = _sig_fields(signature).get("mode", "").startswith("comparable")
    pairs = []
    seen_src: set[int] = set()
    seen_tgt: set[int] = set()
    for lineno, line in enumerate(_lines(read_text(path)), start=1):
        if not line.strip():
            continue
        m = _VECALIGN.match(line)
        where = f"{name}: line {lineno}"
        if not m:
            raise InputError(f"{where}: not a Vecalign line ([i, j]:[k]:score): {line[:60]!r}")
        s, t = _ids(m.group(1), where), _ids(m.group(2), where)
        score = _float(m.group(3), where, "score") if m.group(3) else 0.0
        # what the native JSON refuses (no writer makes either): a line naming no sentence, and a
        # sentence in two lines (filter wrote both back, and eval scored it twice)
        if not s and not t:
            raise InputError(f"{where}: no sentence on either side ([]:[])")
        for side, ids, seen in (("source", s, seen_src), ("target", t, seen_tgt)):
            earlier = [i for i in ids if i in seen]
            here = [i for i in ids if ids.count(i) > 1]
            if earlier or here:
                where_else = "in an earlier link too" if earlier else "twice in this link"
                raise InputError(f"{where}: {side} sentence {(earlier or here)[0]} is {where_else}; "
                                 "a sentence belongs to one link at most")
        seen_src.update(s)
        seen_tgt.update(t)
        if comparable and not (s and t):
            continue
        pairs.append((s, t, score))

    def text(ids: tuple[int, ...], sents: list[str] | None, side: str) -> str:
        if sents is None:
            return " ".join("" for _ in ids)
        if any(i >= len(sents) for i in ids):
            raise InputError(f"{name}: {side} sentence {max(ids)} but only {len(sents)} sentences given")
        return " ".join(sents[i] for i in ids)

    rows: list[Row] = [(s, t, text(s, src_sentences, "source"), text(t, tgt_sentences, "target"), score, {})
            for s, t, score in pairs]
    # Every sentence a line mentions exists, even when it is no link (comparable mode).
    extra_src = {i: "" for i in seen_src}
    extra_tgt = {j: "" for j in seen_tgt}
    extra_src.update(enumerate(src_sentences or []))
    extra_tgt.update(enumerate(tgt_sentences or []))
    return build_alignment(rows, signature=signature, mode="comparable" if comparable else "parallel",
                           src_lang=src_lang, tgt_lang=tgt_lang, name=name,
                           extra_src=extra_src, extra_tgt=extra_tgt)


def _jsonl_ids(ids: Any, key: str, where: str) -> tuple[int, ...]:
    """A JSONL record's sentence numbers: a list of whole numbers, or null/absent (no ids)."""
    if ids is None:
        return ()
    if not isinstance(ids, list) or not all(_is_int(i) and i >= 0 for i in ids):
        raise InputError(f"{where}: \"{key}\" must be a list of sentence numbers, got {_short(ids)}")
    return tuple(ids)


def _jsonl_text(value: object, lang: str, where: str) -> str:
    """A record's text in ``lang``: a string, or ``null`` for an empty side (as some dumps write a
    missing translation); anything else is refused, not written out as its Python form ("None",
    "['x']")."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: the {lang!r} text is a JSON {_JSON_KIND.get(type(value), type(value).__name__)}, "
                         "not a string")
    return value


_JSON_KIND = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}


def read_jsonl(path: str | Path) -> Alignment:
    """JSON Lines written by ``--format jsonl`` (``{"translation": {...}, ...}`` per line).

    An empty file is an export of zero pairs (languages unknown). Records whose signatures
    differ (``run``'s ``_all.jsonl``) keep each its own (a ``signature`` feature; the
    Alignment's signature lists them all, see :func:`mixed_signature`). A file joining pairs
    some of which kept no record names them all in its sidecar ``FILE.sig``
    (``info[JOINED_PAIRS]``: :func:`with_joined_pairs`)."""
    name = str(path)
    rows: list[Row] = []
    signatures: list[str] = []
    unmatched = has_ids = False
    langs: tuple[str, str] | None = None
    reserved = {"translation", "src_ids", "tgt_ids", "type", "score", "unmatched", "signature"}
    for lineno, line in enumerate(_lines(read_text(path, allow_empty=True)), start=1):
        if not line.strip():
            continue
        where = f"{name}: line {lineno}"
        try:
            rec = json.loads(line)
            problem = _json_problem(rec)
            if problem:
                raise _json_refused(where, problem)
            tr = rec["translation"]
            if langs is None:
                keys = list(tr)
                if len(keys) != 2:
                    raise InputError(f"{where}: \"translation\" needs exactly two languages, has {keys}")
                langs = (keys[0], keys[1])
            if list(tr) != list(langs) and rec.get("src_ids") is not None:
                # run's _all.jsonl of pairs in both directions, or files of two directions joined
                # with cat: read by the first record's languages, the other direction's texts
                # would be swapped against their ids (without ids a record's order says nothing)
                raise InputError(f"{where}: a {'-'.join(map(str, tr))} pair in a file of "
                                 f"{langs[0]}-{langs[1]} pairs: one language direction per file")
            s_text, t_text = (_jsonl_text(tr[lang], lang, where) for lang in langs)
            if rec.get("src_ids") is not None or rec.get("tgt_ids") is not None:
                has_ids = True
            s_ids, t_ids = (_jsonl_ids(rec.get(k), k, where) for k in ("src_ids", "tgt_ids"))
            feats = {k: v for k, v in rec.items() if k not in reserved and v is not None}
            for key, value in feats.items():  # as the native JSON and the TSV check them
                why = feature_type_error(key, value)
                if why:
                    raise InputError(f"{where}: {key!r}: {why}")
            if rec.get("unmatched"):  # a sentence no link holds (comparable mode, --keep-empty)
                unmatched = True
                feats = {**sentence_origin(feats, "src"), **sentence_origin(feats, "tgt")}
            score = rec.get("score")
            signatures.append(str(rec.get("signature") or ""))
            rows.append((s_ids, t_ids, s_text, t_text, float(score) if score is not None else 0.0, feats))
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{where}: JSON nested too deeply to be a translation record") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{where}: not a translation record ({type(exc).__name__}: {exc})") from None
    named = _jsonl_sidecar_pairs(path, rows)
    if langs is None:  # zero pairs: what an export of an alignment without pairs writes
        return with_joined_pairs(build_alignment([], name=name), rows, named)
    signature = mixed_signature(signatures)
    if "\n" in signature:  # several: every record keeps its own
        rows = [(*r[:5], {**r[5], "signature": sig}) for r, sig in zip(rows, signatures, strict=True)]
    if not has_ids:  # "src_ids": null everywhere: written from a file without ids (Moses)
        rows = _number_in_order(rows)
    al = build_alignment(rows, signature=signature, src_lang=langs[0], tgt_lang=langs[1], name=name,
                         mode="comparable" if unmatched else None)
    al = with_joined_pairs(al, rows, named)
    return al if has_ids else _without_ids(al)


def _jsonl_sidecar_pairs(path: str | Path, rows: list[Row]) -> dict[str, str]:
    """The pairs a JSONL file joining pairs covers as its sidecar ``FILE.sig`` names them (a line
    ``NAME<TAB>SIGNATURE`` each, written where some pair kept no record: see
    :func:`parallel.export.joined_sidecar`), or {}: no such sidecar, or one that does not name
    every pair the records name, or records that name no pair (it describes another file: an
    earlier export under the same name)."""
    named = _read_sidecar_pairs(Path(f"{path}.sig"))[1] if str(path) != "-" else {}
    if not named or any(r[5].get("pair") is None or str(r[5]["pair"]) not in named for r in rows):
        return {}
    return named


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# TMX 1.4b inline elements whose content is native code (markup of the original format), not text
_TMX_CODE = frozenset({"bpt", "ept", "ph", "it", "ut"})


def _tmx_text(el: Any, code: bool = False) -> str:
    """The text of a ``<seg>`` (or of an inline element in it): the content of ``<bpt>``,
    ``<ept>``, ``<ph>``, ``<it>``, ``<ut>`` is native code and left out, but a ``<sub>`` in it
    holds text (a sub-flow); ``<hi>`` holds text, and the tail of every inline element is text."""
    parts = [] if code else [el.text or ""]
    for child in el:
        parts.append(_tmx_text(child, False if child.tag == "sub" else code or child.tag in _TMX_CODE))
        if not code:
            parts.append(child.tail or "")
    return "".join(parts)


def _tmx_code(tag: str, known: Iterable[str]) -> str:
    """The language code of an ``xml:lang`` tag as the rest of the tool writes codes: the one of
    ``known`` (the signature's) it spells, whatever the case and ``-``/``_`` (``en-GB`` for en_gb),
    else the tag in lower case (``en-US`` -> en-us, as ``--tgt-lang en-US`` gives)."""
    same = _lang_key(tag)
    return next((k for k in known if _lang_key(k) == same), tag.lower())


def _lang_key(tag: str) -> str:
    """A language code or tag compared whatever its case and ``-``/``_`` (en_gb, en-GB)."""
    return tag.lower().replace("_", "-")


def _primary(tag: str) -> str:
    """The primary language subtag of a code or tag (``ar`` for ar-SA, ar_eg, AR)."""
    return _lang_key(tag).split("-")[0]


def read_tmx(path: str | Path) -> Alignment:
    """A TMX file: ours round-trips (ids, score and features from the ``x-`` props); a TMX
    from elsewhere gives one 1-1 link per ``<tu>`` with two languages, numbered in order. A
    ``<tu>`` whose two ``<tuv>`` share one language (a same-language alignment) is read in
    order: the first is the source, the second the target."""
    import xml.etree.ElementTree as ET

    name = str(path)
    text = read_text(path)
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise InputError(f"{name}: not well-formed XML ({exc})") from None
    header = root.find("header")
    body = root.find("body")
    if root.tag != "tmx" or header is None or body is None:
        raise InputError(f"{name}: not a TMX file (no <tmx><header/><body/>)")
    hprops = {p.get("type", ""): (p.text or "") for p in header.findall("prop")}
    signature = hprops.get("x-signature", "")
    src_lang = header.get("srclang", "")
    units = [(tu, [(tuv.get(_XML_LANG) or tuv.get("lang") or "", tuv) for tuv in tu.findall("tuv")])
             for tu in body.iter("tu")]
    if not src_lang or src_lang == "*all*":
        src_lang = next((tuvs[0][0] for _, tuvs in units if tuvs), "")
    src_key = _lang_key(src_lang)
    # the target: the one other language of the file (compared by primary subtag: a tu may say
    # ar-SA where the header says ar), or the signature's where a multilingual file names it
    others = list(dict.fromkeys(_primary(lang) for _, tuvs in units for lang, _ in tuvs
                                if _primary(lang) != _primary(src_key)))
    sig_tgt = _sig_fields(signature).get("tgt", "")
    if len(others) > 1 and _primary(sig_tgt) not in others:
        raise InputError(f"{name}: a TMX of {len(others) + 1} languages ({', '.join([_primary(src_key), *others])}); "
                         "parallel reads one language pair: keep the source language and one other "
                         "(a TMX tool's language filter does it)")
    tgt_primary = _primary(sig_tgt) if len(others) > 1 else (others[0] if others else None)
    tgt_lang = ""
    rows: list[Row] = []
    has_ids = False
    for n, (tu, tuvs) in enumerate(units):
        where = f"{name}: <tu> number {n + 1}"
        src_tuv = next((t for lang, t in tuvs if _lang_key(lang) == src_key), None)
        if src_tuv is None and tgt_primary is not None:  # en-US where the header says en
            src_tuv = next((t for lang, t in tuvs if _primary(lang) == _primary(src_key)), None)
        if tgt_primary is not None:
            tgt = next(((lang, t) for lang, t in tuvs if _primary(lang) == tgt_primary), None)
        else:
            tgt = next(((lang, t) for lang, t in tuvs if _lang_key(lang) != src_key), None)
            if tgt is None and len(tuvs) >= 2 and src_tuv is tuvs[0][1]:
                tgt = tuvs[1]  # both in one language (align --src-lang en --tgt-lang en): in order

        def seg_text(tuv: Any) -> str:
            seg = tuv.find("seg")
            return _tmx_text(seg) if seg is not None else ""

        if not tuvs:
            continue  # a <tu> with no text at all
        if src_tuv is None or tgt is None:
            # one language only: a sentence with no counterpart (a 1-0 / 0-1 pair, as --keep-empty
            # writes them), read with its other side empty, not dropped
            if len(tuvs) > 1:
                continue  # none in the source language: another language pair of a multilingual file
            one = src_tuv if src_tuv is not None else tuvs[0][1]
            if src_tuv is None:
                tgt_lang = tgt_lang or tuvs[0][0]
            s_text, t_text = (seg_text(one), "") if src_tuv is not None else ("", seg_text(one))
        else:
            tgt_lang = tgt_lang or tgt[0]
            s_text, t_text = seg_text(src_tuv), seg_text(tgt[1])

        props = {p.get("type", ""): (p.text or "") for p in tu.findall("prop")}
        has_ids = has_ids or "x-src-ids" in props or "x-tgt-ids" in props
        s_ids = _ids(props.get("x-src-ids", ""), where)
        t_ids = _ids(props.get("x-tgt-ids", ""), where)
        score = _float(props["x-score"], where, "score") if "x-score" in props else 0.0
        raw = {k[2:]: v for k, v in props.items()
               if k.startswith("x-") and k not in ("x-src-ids", "x-tgt-ids", "x-score", "x-type")}
        rows.append((s_ids, t_ids, s_text, t_text, score, _typed_features(raw, where)))
    mode = hprops.get("x-mode") or None
    if not has_ids:  # no x-src-ids anywhere (from elsewhere, or from Moses): number in order
        rows = _number_in_order(rows)
    # xml:lang holds BCP 47 tags (en-GB); the tool's codes (en_gb) are in the signature
    sig = _sig_fields(signature)
    known = [sig[k] for k in ("src", "tgt") if k in sig]
    al = build_alignment(rows, signature=signature, mode=mode, src_lang=_tmx_code(src_lang, known) or None,
                         tgt_lang=_tmx_code(tgt_lang, known) or None, name=name)
    return al if has_ids or not rows else _without_ids(al)


# One side's code in a Moses file name (a language code may hold hyphens: en-gb, zh_Hant), and
# the ``s-t`` part of ``NAME.s-t``: several codes joined by hyphens.
_MOSES_CODE = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
_MOSES_PAIR = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+")


def _moses_splits(pair: str) -> list[tuple[str, str]]:
    """Every way ``s-t`` splits into two codes at a hyphen (``ar-en-gb``: ar + en-gb, ar-en + gb)."""
    pieces = pair.split("-")
    return [("-".join(pieces[:i]), "-".join(pieces[i:])) for i in range(1, len(pieces))]


def moses_base(path: str | Path) -> tuple[str, str, str] | None:
    """``(NAME.s-t, s, t)`` for ``NAME.s-t``, ``NAME.s-t.s`` or ``NAME.s-t.t``; else None.

    Every name :func:`parallel.export.moses_paths` makes reads back, codes with hyphens included
    (``NAME.ar-en-gb.en-gb``). Where the name splits several ways (``x.en-gb-en.en``: en + gb-en,
    or en-gb + en), the split whose two files exist is taken, else the first."""
    p = str(path)
    head, dot, last = p.rpartition(".")
    if not dot:
        return None
    found: list[tuple[str, str, str]] = []
    _name, dot2, pair = head.rpartition(".")
    if dot2 and _MOSES_PAIR.fullmatch(pair) and _MOSES_CODE.fullmatch(last):  # NAME.s-t.x
        found = [(head, s, t) for s, t in _moses_splits(pair) if last in (s, t)]
    if not found and _MOSES_PAIR.fullmatch(last) and not Path(p).is_file():  # NAME.s-t
        found = [(p, s, t) for s, t in _moses_splits(last)]
    if len(found) > 1:
        found = [f for f in found if Path(f"{f[0]}.{f[1]}").is_file() and Path(f"{f[0]}.{f[2]}").is_file()] or found
    return found[0] if found else None


def read_moses(path: str | Path) -> Alignment:
    """``NAME.s-t.s`` + ``NAME.s-t.t`` (give either file or ``NAME.s-t``): line n of one is
    the translation of line n of the other; one link per line, an empty line an empty side
    (each side numbers its sentences in order, skipping its empty lines)."""
    found = moses_base(path)
    if found is None:
        raise InputError(f"{path}: not a Moses file name (want NAME.ar-en.ar, NAME.ar-en.en or NAME.ar-en)")
    base, s_lang, t_lang = found
    s_lines = _lines(read_text(f"{base}.{s_lang}", allow_empty=True))
    t_lines = _lines(read_text(f"{base}.{t_lang}", allow_empty=True))
    if len(s_lines) != len(t_lines):
        raise InputError(f"{base}.{s_lang} has {len(s_lines)} lines but {base}.{t_lang} has "
                         f"{len(t_lines)}: line n must match line n")
    from .export import MOSES_REVIEW

    review: dict[str, list[str]] = {}
    for field in MOSES_REVIEW:  # NAME.s-t.status, .edited, .note: line n for pair n
        file = Path(f"{base}.{field}")
        if file.is_file():
            review[field] = _lines(read_text(file, allow_empty=True))
            if review[field] and len(review[field]) != len(s_lines):
                raise InputError(f"{file} has {len(review[field])} lines but {base}.{s_lang} has {len(s_lines)}")
    rows: list[Row] = [((), (), s, t, 0.0, {f: v[n] for f, v in review.items() if v and v[n]})
                       for n, (s, t) in enumerate(zip(s_lines, t_lines, strict=True))]
    al = build_alignment(_number_in_order(rows), signature=_read_sidecar(Path(f"{base}.sig")),
                         src_lang=s_lang, tgt_lang=t_lang, name=base)
    return _without_ids(al)


def _head(path: str | Path, size: int = 65536) -> str:
    """The first characters of a file (enough to sniff its format), or "" when unreadable."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(size).lstrip("\ufeff")
    except OSError:
        return ""


def pairs_format(path: str | Path, fmt: str | None = None, choices: Sequence[str] | None = None,
                 option: str = "--from ") -> str:
    """The format of an exported file: ``fmt``, else from its name, else from its content (as
    ``eval`` reads it: :func:`sniff_format`). A ``.json`` name holding another export (a TSV
    saved as x.json) is refused with the ``--from`` that reads it. ``option``: how the caller
    names the format in its hints (the command line's ``--from``, the API's ``fmt=``)."""
    if not isinstance(path, (str, Path)):
        raise InputError(f"a file path is needed, not {type(path).__name__}")
    from .export import SUFFIXES

    if fmt:
        if fmt not in READERS:
            raise InputError(f"unknown format {fmt!r}; choose from: {', '.join(READERS)}")
        return fmt
    if moses_base(path) is not None:
        return "moses"
    suffix = Path(path).suffix.lower()
    by_name = SUFFIXES.get(suffix) if SUFFIXES.get(suffix) in READERS else None
    if by_name == "json":
        inside = _content_kind(_head(path))
        if inside is not None:
            raise InputError(f"{path}: named .json but holds a {inside} export of pairs, not the native "
                             f"alignment JSON; pass {option}{inside}")
    if by_name:
        return by_name
    if not Path(path).is_file():
        if Path(path).is_dir():
            raise InputError(f"{path}: is a directory, not a file")
        if Path(path).exists():  # a pipe (<(...)), a device: read once, and its format cannot be told first
            raise InputError(f"{path}: not a regular file (a pipe?); save it to a file, or pass {option}FORMAT")
        raise InputError(f"{path}: no such file")
    head = _head(path)
    kind = sniff_format(path, head) if head.strip() else None
    if kind in READERS:
        return kind
    raise InputError(f"{path}: cannot tell the format from the name or the first line; pass "
                     f"{option}FORMAT ({', '.join(choices or READERS)})")


def read_pairs(path: str | Path, fmt: str | None = None) -> Alignment:
    """Read any exported file (tsv, jsonl, tmx, moses, vecalign, json) into an Alignment."""
    name = pairs_format(path, fmt, option="fmt=")
    return READERS[name](path)


READERS: dict[str, Callable[..., Alignment]] = {
    "tsv": read_tsv,
    "jsonl": read_jsonl,
    "tmx": read_tmx,
    "moses": read_moses,
    "vecalign": read_vecalign,
    "json": read_alignment,
}
