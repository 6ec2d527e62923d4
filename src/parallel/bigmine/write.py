"""Step 5, **write**: the kept pairs, most probable first, in the pair schema every command reads,
the texts streamed from disk.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from ..errors import InputError
from ..io import atomic_writer, check_output_path, is_special, output_batch
from .selection import BigMineResult
from .store import Sentences

# mine writes the pair schema (:mod:`parallel.schema`) with its provenance columns last.
MINE_FORMATS = ("tsv", "jsonl", "tmx", "moses")


def mined_rows(res: BigMineResult, src: Sentences, tgt: Sentences, *, margin: str = "distance") -> Iterator[Any]:
    """The mined pairs as :class:`parallel.export.PairRow`, best first.

    ``src_ids``/``tgt_ids`` are the 0-based line (``--segment``: sentence) numbers in the file
    named by ``src_origin``/``tgt_origin``; ``score`` is the selection margin, ``margin`` the
    ratio margin and ``margin_distance`` the distance margin (both from the cosine and the
    k-NN mean, whichever selected), ``z`` in null standard deviations, then the cheap text
    evidence (length ratio, numbers: ~0.03 ms a pair). ``chrf`` (~0.5 ms a pair, 8 minutes a
    million) is left out: ``filter`` computes it from the texts. Once all are yielded,
    ``res.info["copies"]`` counts the pairs whose two sides are the same text
    (:func:`parallel.filters.is_copy`).
    """
    from ..evidence import numbers_agreement
    from ..export import PairRow
    from ..filters import is_copy

    copies = 0

    probs = res.p if len(res.p) == len(res.src) else np.full(len(res.src), np.nan)
    for i, j, s, c, z, p in zip(res.src, res.tgt, res.score, res.cosine, res.z, probs, strict=True):
        s_text, t_text = src.text(int(i)), tgt.text(int(j))
        s_origin, t_origin = src.origin(int(i)), tgt.origin(int(j))
        cos, sel = float(c), float(s)
        mean = cos / sel if margin == "ratio" and sel else cos - sel  # the k-NN mean of both sides
        ratio = cos / mean if abs(mean) > 1e-6 else None
        verdict, n_src, n_tgt = numbers_agreement(s_text, t_text)
        # rounded as align rounds them (cosine and margins to 6 places, z and p to 4): every export
        # then holds the same value, and a bar keeps the same pairs from each (docs/schema.md)
        feats: dict[str, Any] = {"cosine": round(cos, 6), "margin": None if ratio is None else round(ratio, 6),
                                 "margin_distance": round(cos - mean, 6), "z": round(float(z), 4),
                                 "length_ratio": round(len(s_text) / max(len(t_text), 1), 6),
                                 "numbers": verdict, "numbers_src": n_src, "numbers_tgt": n_tgt,
                                 "src_origin": s_origin, "tgt_origin": t_origin}
        if not math.isnan(p):
            feats["p"] = round(float(p), 4)
        copies += is_copy(s_text, t_text)
        yield PairRow((src.number(int(i)),), (tgt.number(int(j)),), s_text, t_text, round(sel, 6), feats)
    res.info["copies"] = copies


def unmatched_rows(res: BigMineResult, src: Sentences, tgt: Sentences) -> Iterator[Any]:
    """The sentences no mined pair holds, as empty-sided :class:`parallel.export.PairRow` (marked
    ``unmatched``, as ``align --keep-empty`` lists a comparable alignment's): the source side's,
    then the target side's, each in the order of the (deduplicated) inputs, with their line
    number and ``FILE:LINE`` origin."""
    from ..export import PairRow

    for sents, used, side in ((src, res.src, 0), (tgt, res.tgt, 1)):
        taken = np.zeros(len(sents), dtype=bool)
        taken[np.asarray(used, dtype=np.int64)] = True
        key = ("src_origin", "tgt_origin")[side]
        for i in np.flatnonzero(~taken):
            ids, text, feats = (sents.number(int(i)),), sents.text(int(i)), {key: sents.origin(int(i))}
            yield (PairRow(ids, (), text, "", None, feats, unmatched=True) if side == 0
                   else PairRow((), ids, "", text, None, feats, unmatched=True))


def mine_signature(model: str, res: BigMineResult, margin: str, src_lang: str, tgt_lang: str) -> str:
    from .. import __version__
    from ..data import make_signature

    # the bar the pairs were kept by: outputs of the same texts at other bars must not read alike
    if res.info.get("min_p") is not None:
        keep = f"p>={res.info['min_p']:g}"
    else:
        keep = f"margin>={res.threshold:.4f}"
    return make_signature([("model", model), ("mode", "mine"), ("index", res.info.get("index", "")),
                           ("margin", margin), ("k", res.info.get("k", "")), ("keep", keep),
                           ("src", src_lang), ("tgt", tgt_lang), ("v", __version__)])


def same_language(fmt: str, lang: str, *, given: bool) -> str:
    """What ``mine`` says of a ``-f jsonl/tmx/moses`` output whose two sides are in one language
    (``given``: both named by --src-lang/--tgt-lang, so naming them is no help)."""
    needs = {"jsonl": "its translation dict needs", "tmx": "its xml:lang needs", "moses": "its file names need"}[fmt]
    fix = ("write -f tsv for two collections in one language" if given
           else "give --src-lang and --tgt-lang if they are two, or write -f tsv")
    return f"{fmt}: both sides are {lang!r}, and {needs} two languages; {fix}"


def _side_lang(sents: Sentences, given: str | None, fallback: str) -> str:
    if given:
        return given
    from ..lang import detect_lang

    return detect_lang(" ".join(sents.iter_texts(0, min(len(sents), 200)))[:20000]) or fallback


def mined_moses_note(output: str, src: Sentences, tgt: Sentences, src_lang: str | None, tgt_lang: str | None) -> str | None:
    """The two files :func:`write_pairs` writes for ``-f moses -o OUTPUT``, said as align says them
    (:func:`parallel.export.moses_note`; the sides' languages as it reads them)."""
    from ..export import moses_note

    return moses_note(output, _side_lang(src, src_lang, "src"), _side_lang(tgt, tgt_lang, "tgt"))


def write_pairs(res: BigMineResult, src: Sentences, tgt: Sentences, output: str | None, *, fmt: str = "tsv",
                header: bool = True, margin: str = "distance", model: str = "", src_lang: str | None = None,
                tgt_lang: str | None = None, sidecar: bool = True, keep_empty: bool = False) -> int:
    """Write the mined pairs in ``fmt`` (tsv, jsonl, tmx, moses) to ``output`` (``-``/None:
    stdout), atomically, with the signature (TSV: ``OUTPUT.sig``); returns the count of rows.
    ``keep_empty``: the sentences left without a pair follow (:func:`unmatched_rows`)."""
    from ..export import (
        drop_stale_sidecar,
        jsonl_line,
        jsonl_record,
        sidecar_path,
        write_moses_rows,
        write_tmx_rows,
        write_tsv_rows,
    )
    from ..schema import tsv_columns

    s_lang = _side_lang(src, src_lang, "src")
    t_lang = _side_lang(tgt, tgt_lang, "tgt")
    if fmt in ("jsonl", "tmx", "moses") and s_lang == t_lang:
        raise InputError(same_language(fmt, s_lang, given=bool(src_lang and tgt_lang)))
    sig = mine_signature(model, res, margin, s_lang, t_lang)
    rows: Iterator[Any] = mined_rows(res, src, tgt, margin=margin)
    if keep_empty:
        rows = itertools.chain(rows, unmatched_rows(res, src, tgt))
    if fmt == "moses":
        if output is None or output == "-":
            raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")
        return len(write_moses_rows(list(rows), output, src_lang=s_lang, tgt_lang=t_lang, signature=sig))

    def write(fh: IO[str]) -> int:
        if fmt == "jsonl":
            n = 0
            for row in rows:
                fh.write(jsonl_line(jsonl_record(row, s_lang, t_lang, sig)))
                n += 1
            return n
        if fmt == "tmx":
            return write_tmx_rows(rows, fh, src_lang=s_lang, tgt_lang=t_lang, signature=sig, mode="mine")
        return write_tsv_rows(rows, fh, tsv_columns({"src_origin", "tgt_origin"}), header=header)

    if output is None or output == "-":
        n = write(sys.stdout)
        sys.stdout.flush()
        if fmt == "tsv":
            print(f"signature: {sig}", file=sys.stderr)
        return n
    if fmt == "tsv" and sidecar and not is_special(output):
        check_output_path(sidecar_path(output), file_only=True)
    with output_batch():  # the pairs and their signature reach their names together
        with atomic_writer(output) as fh:
            n = write(fh)
        if fmt == "tsv" and sidecar and not is_special(output):  # no /dev/null.sig
            with atomic_writer(sidecar_path(output)) as fh:
                fh.write(sig + "\n")
    if fmt == "tsv" and not sidecar:
        drop_stale_sidecar(output)
    return n
