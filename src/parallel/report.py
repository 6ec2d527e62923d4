"""A self-contained HTML report of an alignment, for linguists to read.

One file, no network: inline CSS, inline JavaScript (allowed by a hash in the
page's Content-Security-Policy, so nothing injected could run), inline images.

* both documents side by side; right-to-left cells (Arabic ...) carry
  ``dir="rtl" lang="ar"``; the page itself stays left-to-right;
* each link coloured by its calibrated probability ``p`` (a file written before p: its
  ``cosine``, else its score; a link without the file's measure, e.g. changed in review
  without an encoder, is shown and counted apart as "no p"), every score on hover;
  1-0 / 0-1 links shown as gaps; number disagreements flagged;
* summary statistics: link types, score and length-ratio histograms;
* the similarity matrix (PNG made here with numpy + zlib, block-max
  downsampled for long documents) with the alignment drawn over it as SVG;
* in comparable mode, the sentences left unmatched, the possible pairs below the bar, and, where
  no pair reached the bar, why nothing is linked (:func:`nothing_linked`).

Corpus text is untrusted: every piece of it goes through :func:`html.escape`.
Large alignments stay smooth: rows are plain CSS-grid blocks (no table layout, no
per-row script); ``bench/report_bench.py`` measures load time and scroll frame times
(``content-visibility: auto`` was measured too: it made scrolling 3x slower, so it is
not used).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import struct
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from .data import Alignment, Document, Link, holds_its_sentences, rejected, review_order, unmatched
from .normalize import fold_tables

RTL_LANGS = frozenset({"ar", "arb", "ara", "fa", "ur", "he", "iw", "ps", "yi", "ckb", "sd", "ug", "dv", "ks", "sdh",
                       "bal", "azb", "pnb", "skr", "lrc", "mzn", "glk", "syr", "arc", "nqo", "sam"})
LANG_NAMES = {"ar": "Arabic", "en": "English", "fr": "French", "de": "German", "fa": "Persian",
              "ur": "Urdu", "he": "Hebrew", "es": "Spanish", "zh": "Chinese", "ru": "Russian", "ja": "Japanese",
              "ko": "Korean", "it": "Italian", "tr": "Turkish", "pt": "Portuguese", "nl": "Dutch"}

# Confidence bands on the calibrated probability p of a link (parallel.confidence.BANDS); for a
# file written before p existed, on the cosine of the two sides (or the score without a cosine).
P_HIGH = 0.9
P_LOW = 0.5
HIGH = 0.6
LOW = 0.4
P_LEGEND = ("p = estimated probability that the two sides say the same thing, calibrated on held-out "
            "pairs: of the links with p near 0.8, about 8 in 10 are right")
#: ... and, in a translation (parallel mode where the mode test took the texts for one), what p is there
P_LEGEND_TRANSLATION = ("; in a translation, the probability that the link is right, where it lies among the "
                        "others (a freely rendered sentence is right more often than its own similarity says)")


def kept_from(al: Alignment) -> float | None:
    """Comparable mode's bar: the least ``p`` a mined pair needed to be kept as a link (the
    alignment's ``info["mining"]["min_p"]``, else its signature's ``keep:p>=P``); None where
    the file does not say."""
    mining = al.info.get("mining")
    bar = _num(mining.get("min_p")) if isinstance(mining, dict) else None
    for part in al.signature.split("|"):
        key, _, value = part.partition(":")
        if bar is None and key == "keep" and value.startswith("p>="):
            bar = _num(value[3:])
    return bar


def p_legend(al: Alignment) -> str:
    """What ``p`` means for ``al``: :data:`P_LEGEND`; in a translation, what it is there; in
    comparable mode, the bar links were kept from (so a kept link coloured low is explained)."""
    text = P_LEGEND + (P_LEGEND_TRANSLATION if al.mode == "parallel" and al.info.get("translation") else "")
    if al.mode == "comparable":
        bar = kept_from(al)
        if bar is None:
            text += ("; comparable mode keeps a mined pair from the bar up, which can lie below "
                     f"{P_LOW}: such a kept link is coloured low")
        else:
            text += f"; comparable mode keeps a mined pair from the bar up, here p ≥ {bar:g}" + (
                f": a kept link with p from {bar:g} to {P_LOW} is coloured low" if bar < P_LOW else "")
        text += ("; texts on one story share its names and figures, and there a high p can still pair "
                 "two different statements about it (on one-topic news about 1 kept pair in 10)")
    from .schema import person_made

    if any(person_made(k) for k in al.links):
        text += ("; a link a reviewer accepted or made shows the model's p for its two sides, not the "
                 "reviewer's judgement")
    return text


def confidence_legend(al: Alignment) -> dict[str, Any]:
    """What the link colours mean, for the report and the review app alike: ``measure`` (``p``,
    ``cosine`` or ``score``: :func:`confidence_measure`), ``keys`` ``[[band, label, title]]``
    (high, mid, low, gap, and "no p" when a link lacks the measure) and ``text``, what the measure
    is. A file without p is coloured by cosine bands and says so."""
    measure = measure_of(al)
    hi, lo = (P_HIGH, P_LOW) if measure == "p" else (HIGH, LOW)
    keys = [["high", f"high {measure} ≥ {hi}", ""], ["mid", f"mid {lo}–{hi}", ""],
            ["low", f"low < {lo}", ""]]
    if al.mode != "comparable" or any(not (k.src and k.tgt) for k in al.links):
        # a comparable alignment lists its unmatched sentences apart: it has no gaps to colour
        keys.append(["gap", "gap", "a sentence with no counterpart (1-0 / 0-1)"])
    if any(measured_confidence(k, measure)[1] == "none" for k in al.links):
        keys.append(["none", _no_value(measure), _no_value_why(measure)])
    text = (p_legend(al) if measure == "p" else
            "confidence = cosine of the two sides" if measure == "cosine" else "confidence = link score")
    return {"measure": measure, "keys": keys, "text": text}


MAX_PIXELS = 600  # the similarity picture is at most this many cells a side (block max beyond)

_esc = html.escape


def is_rtl(lang: str) -> bool:
    """True for languages written right to left (by ISO code, region suffix ignored; an Arabic
    variety such as ``arz`` as Arabic: :func:`parallel.lang.primary`)."""
    from .lang import primary

    return primary(lang) in RTL_LANGS


def lang_name(lang: str) -> str:
    return LANG_NAMES.get(lang, lang)


def text_attrs(lang: str) -> str:
    """``dir``/``lang`` attributes for a cell holding text in ``lang`` (escaped)."""
    d = "rtl" if is_rtl(lang) else "ltr"
    return f'dir="{d}" lang="{_esc(lang)}"'


# ---------------------------------------------------------------- per-link view


@dataclass(frozen=True)
class LinkView:
    """What the report shows about one link."""

    index: int
    link: Link
    src: str
    tgt: str
    confidence: float | None  # None for gaps (1-0 / 0-1) and links without the file's measure
    band: str  # high / mid / low / gap / none (no value of the measure: e.g. no p after an edit)
    length_ratio: float | None
    numbers: str  # agree / differ / none / "" (unknown)
    numbers_src: str
    numbers_tgt: str


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def confidence_measure(links: Sequence[Link]) -> str:
    """What colours the links of an alignment: ``p`` when any link has one (every alignment made
    now), else ``cosine`` (a file written before p existed), else ``score``."""
    for key in ("p", "cosine"):
        if any(key in k.features for k in links):
            return key
    return "score"


def measure_of(al: Alignment) -> str:
    """What colours the links of ``al``: ``p`` when a link has one, or when the file says its
    links were kept by p (comparable mode's bar, :func:`kept_from`: every alignment mined now,
    whether or not a pair reached the bar) or its pairs below the bar carry p; else what
    :func:`confidence_measure` finds on its links (a file written before p: ``cosine``, else
    ``score``). A link of such a file without p (changed in review without an encoder) is shown
    as "no p", not on the cosine's scale."""
    measure = confidence_measure(al.links)
    if measure != "p" and (kept_from(al) is not None or any(
            isinstance(c, dict) and "p" in c for c in al.info.get("below_bar") or ())):
        return "p"
    return measure


def nothing_linked(al: Alignment) -> str:
    """Why a comparable alignment links no pair (empty when it links one, or is not comparable):
    no pair reached the bar, and either how many possible pairs lie below it (the report and the
    review app list them) or that none came near it."""
    if al.mode != "comparable" or any(k.src and k.tgt for k in al.links):
        return ""
    if not len(al.src) or not len(al.tgt):
        return f"Nothing to link: the {lang_name((al.tgt if len(al.src) else al.src).lang)} text has no sentences."
    bar = kept_from(al)
    reached = (f"No pair reached p ≥ {bar:g}, the bar a pair needs to be linked" if bar is not None
               else "No pair was linked")
    below = al.info.get("below_bar")
    if not isinstance(below, list):  # a file written before the pairs below the bar were kept
        return reached + "."
    n = len(pending_below_bar(al))
    if n:
        return (f"{reached}: {n} possible pair{'' if n == 1 else 's'} below it, listed under "
                "Possible pairs below the bar.")
    from .api import BELOW_BAR_MIN_P

    return (f"{reached}, and none came near it: no two sentences that are each other's best match "
            f"have p ≥ {BELOW_BAR_MIN_P:g}.")


def measured_confidence(link: Link, measure: str) -> tuple[float | None, str]:
    """``(value, band)`` of a link on the alignment's ``measure`` (:func:`confidence_measure`).

    A link without a value of it (a link a reviewer changed without an encoder has no ``p``)
    gets ``(None, "none")``: its cosine or score is not on the same scale and is not shown as if
    it were. Gaps (1-0 / 0-1) get ``(None, "gap")``."""
    if not link.src or not link.tgt:
        return None, "gap"
    value = _num(link.score) if measure == "score" else _num(link.features.get(measure))
    if value is None:
        return None, "none"
    return value, band_of(value, measure == "p")


def band_of(conf: float | None, by_p: bool = True) -> str:
    """high / mid / low / gap: p >= 0.9 / >= 0.5 / below (cosine >= 0.6 / >= 0.4 without p)."""
    if conf is None:
        return "gap"
    hi, lo = (P_HIGH, P_LOW) if by_p else (HIGH, LOW)
    return "high" if conf >= hi else "mid" if conf >= lo else "low"


def _numbers(src: str, tgt: str) -> tuple[str, str, str]:
    try:
        from .evidence import numbers_agreement
    except ImportError:  # pragma: no cover - evidence module absent in stripped installs
        return "", "", ""
    return numbers_agreement(src, tgt)


def link_views(al: Alignment) -> list[LinkView]:
    """One :class:`LinkView` per link, features filled in where the file lacks them."""
    views = []
    measure = measure_of(al)
    for i, link in enumerate(al.links):
        src, tgt = al.src_text(link), al.tgt_text(link)
        conf, band = measured_confidence(link, measure)
        f = link.features
        # a 1-0 / 0-1 link (a sentence with no counterpart) has no length ratio and no number
        # agreement: its file may carry them (the ratio is then its length), the page does not
        # show, count or chart them as a pair's
        ratio = _num(f.get("length_ratio")) if link.src and link.tgt else None
        if ratio is None and link.src and link.tgt:
            ratio = len(src) / max(len(tgt), 1)
        if not (link.src and link.tgt):
            nums = ("", "", "")
        elif "numbers" in f:
            nums = (str(f.get("numbers") or ""), str(f.get("numbers_src") or ""),
                    str(f.get("numbers_tgt") or ""))
        else:
            nums = _numbers(src, tgt)
        views.append(LinkView(i, link, src, tgt, conf, band, ratio, *nums))
    return views


def _chrf_scope(src: str, tgt: str) -> str:
    from .evidence import chrf_scope

    return chrf_scope(src, tgt)


def hover_text(view: LinkView) -> str:
    """Every score of a link on one line (plain text: escape it before use in HTML)."""
    link = view.link
    parts = [f"link {view.index}", f"type {link.kind}", f"score {link.score:.3f}"]
    for key, label in (("p", "p"), ("cosine", "cosine"), ("margin", "margin"), ("chrf", "chrF++")):
        v = _num(link.features.get(key))
        if key == "chrf" and v is not None and _chrf_scope(view.src, view.tgt) != "text":
            # Arabic-English: chrF++ of the names and digits only, not of the translation
            label = "chrF++ of names and digits"
        if v is not None:
            parts.append(f"{label} {fmt_p(v, 3)}" if key == "p" else f"{label} {v:.3f}" if key != "chrf"
                         else f"{label} {v:.1f}")
    if view.length_ratio is not None:
        parts.append(f"length ratio {view.length_ratio:.2f}")
    if view.numbers:
        badge = numbers_badge(view.numbers, view.numbers_src, view.numbers_tgt)
        parts.append(("numbers: " + badge if badge and badge != "≠ numbers" else f"numbers {view.numbers}")
                     + (f" ({view.numbers_src or '-'} | {view.numbers_tgt or '-'})"
                        if view.numbers != "none" else ""))
    for key in ("status", "edited", "note"):
        if link.features.get(key):
            parts.append(f"{key}: {link.features[key]}")
    return " · ".join(parts)


# ---------------------------------------------------------------- images


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an RGB image ``(h, w, 3)`` uint8 as PNG (no dependency but zlib)."""
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an (h, w, 3) array, got {rgb.shape}")
    h, w = rgb.shape[:2]
    raw = np.zeros((h, w * 3 + 1), dtype=np.uint8)  # filter byte 0 per scan line
    raw[:, 1:] = np.ascontiguousarray(rgb, dtype=np.uint8).reshape(h, w * 3)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + chunk(b"IEND", b""))


# viridis, sampled at 9 points
_VIRIDIS = np.array([
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]], dtype=np.float64)


def colormap(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1], any shape ``S``, to viridis colours ``S + (3,)`` uint8."""
    v = np.clip(np.nan_to_num(values.astype(np.float64)), 0.0, 1.0) * (len(_VIRIDIS) - 1)
    lo = np.floor(v).astype(int)
    hi = np.minimum(lo + 1, len(_VIRIDIS) - 1)
    t = (v - lo)[..., None]
    out: np.ndarray = np.rint(_VIRIDIS[lo] * (1 - t) + _VIRIDIS[hi] * t).astype(np.uint8)
    return out


def downsample(sim: np.ndarray, max_side: int = MAX_PIXELS) -> np.ndarray:
    """Block-max pooling of ``sim`` ``(n, m)`` to at most ``max_side`` cells a side.

    Max (not mean) keeps a strong diagonal visible when many sentences share a pixel.
    The last block of an axis may be shorter than the others.
    """
    out = sim
    for axis in (0, 1):
        size = out.shape[axis]
        if size > max_side:
            k = math.ceil(size / max_side)
            out = np.maximum.reduceat(out, np.arange(0, size, k), axis=axis)
    return out


def encoder_name(signature: str) -> str | None:
    """The ``model:`` part of a signature (``model:use-m3|mode:...`` -> ``use-m3``)."""
    for part in signature.split("|"):
        key, _, value = part.partition(":")
        if key == "model" and value:
            return value
    return None


@lru_cache(maxsize=2)
def _cached_encoder(name: str, cache: bool | str = True) -> Any:
    """The encoder called ``name``, reading the embedding cache (:func:`parallel.cache.default_cache_dir`)
    as ``align`` does: the vectors of the documents it aligned are there, and a book's report or
    the review app's first edit embedded them again (18 s and 30 s for 9,000 sentences). The model
    is loaded only for a text the cache lacks. ``cache``: a folder (``report --cache-dir``, where
    ``align --cache-dir`` kept them), or False for none (``--no-cache``)."""
    from .embed import get_encoder

    return get_encoder(name, cache=cache)


def matrix_encoder(al: Alignment, encoder: Any = None) -> Any:
    """The encoder the similarity matrix is drawn with: ``encoder`` (an Encoder or a registry name),
    else the one the alignment's signature names (``use-m3`` where it names none)."""
    if encoder is None or encoder == "":  # an Encoder object is taken as it is, whatever its truth value
        return encoder_name(al.signature) or "use-m3"
    return encoder


def similarity_matrix(al: Alignment, encoder: Any = None, cache: bool | str = True) -> np.ndarray:
    """Cosine similarities ``(n_src, n_tgt)`` float32, re-embedding both documents.

    ``encoder`` is an object with ``encode(list[str]) -> (n, d)`` L2-normalised, or a
    registry name; by default the one named in the signature (loaded with the embedding
    ``cache``: True for the default folder, a folder, or False).
    """
    encoder = matrix_encoder(al, encoder)
    if isinstance(encoder, str):
        encoder = _cached_encoder(encoder, cache)
    elif not callable(getattr(encoder, "encode", None)):
        from .errors import InputError

        raise InputError(f"encoder must be a model name or an encoder (with encode), not {type(encoder).__name__}")
    a = np.asarray(encoder.encode(al.src.sentences), dtype=np.float32)
    b = np.asarray(encoder.encode(al.tgt.sentences), dtype=np.float32)
    if a.size == 0 or b.size == 0:
        return np.zeros((len(al.src), len(al.tgt)), dtype=np.float32)
    out: np.ndarray = a @ b.T
    return out


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def path_points(al: Alignment) -> list[tuple[int, int]]:
    """The monotonic path through a parallel alignment as (x = tgt, y = src) corners."""
    pts = [(0, 0)]
    cx = cy = 0
    for link in al.links:
        nx = max(link.tgt) + 1 if link.tgt else cx
        ny = max(link.src) + 1 if link.src else cy
        cx, cy = max(cx, nx), max(cy, ny)
        pts.append((cx, cy))
    return pts


# One colour per band everywhere: row stripes, legends, matrix boxes, the review app (review.css).
BAND_COLOURS = {"high": "#2e7d32", "mid": "#ef6c00", "low": "#c62828", "gap": "#9e9e9e", "none": "#0091ea"}
_STROKES = BAND_COLOURS


def fmt_p(p: float, digits: int = 2) -> str:
    """A probability as shown: never ``1.00`` or ``0.00`` (no link is certain either way):
    0.9953 -> ``>0.99``, 0.003 -> ``<0.01``, 0.4908 -> ``0.49``."""
    step = 10.0 ** -digits
    if round(p, digits) >= 1.0:
        return f">{1.0 - step:.{digits}f}"
    if round(p, digits) <= 0.0:
        return f"<{step:.{digits}f}"
    return f"{p:.{digits}f}"


def measure_label(measure: str) -> str:
    """The column header word for the alignment's confidence measure: ``p``, ``cosine``, ``score``."""
    return measure


def _no_value(measure: str) -> str:
    """What a link without the alignment's measure shows instead of a number: ``no p``."""
    return f"no {measure}"


def shown_confidence(conf: float, by_p: bool = True) -> str:
    """A confidence as a page shows it, never on the other side of its colour's edge: p 0.8995 is
    coloured mid (p >= 0.9 is high) and shows ``0.89``, not ``0.90``; a cosine of 0.5996 (mid below
    0.6) ``0.59``. Otherwise two decimals (:func:`fmt_p` for p: never ``1.00`` or ``0.00``)."""
    hi, lo = (P_HIGH, P_LOW) if by_p else (HIGH, LOW)
    for edge in (hi, lo):
        if conf < edge <= round(conf, 2):
            return f"{edge - 0.01:.2f}"
    return fmt_p(conf) if by_p else f"{conf:.2f}"


def _conf_text(view: LinkView, measure: str) -> str:
    """A link's confidence as shown: ``0.49``, ``no p`` (no value of the measure), ``–`` (a gap)."""
    if view.band == "none":
        return _no_value(measure)
    if view.confidence is None:
        return "–"
    return shown_confidence(view.confidence, measure == "p")


def _no_value_why(measure: str) -> str:
    return (f"{_no_value(measure)}: a link changed in review without an encoder has no {measure} "
            f"(its other scores are on another scale); review with an encoder to get it")


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted ids as (start, length): (3, 4, 6) -> [(3, 2), (6, 1)]."""
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    return runs


def skipped(ids: Sequence[int]) -> list[int]:
    """Sentences a multi-sentence side of a link jumps over: (10, 12) -> [11]."""
    runs = _runs(ids)
    return [i for (a, la), (b, _) in pairwise(runs) for i in range(a + la, b)]


def _ticks(count: int, pixels: float, min_gap: float) -> range:
    """Sentence numbers to label on an axis of ``count`` sentences drawn over ``pixels``: every
    1, 2, 5, 10, 20, 50... sentences, the smallest step that keeps labels ``min_gap`` apart."""
    step = 1
    while step * pixels / max(count, 1) < min_gap:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return range(0, count, step)


def _cells_b64(small: np.ndarray) -> str:
    """The displayed cells as little-endian int16 thousandths (NaN: -32768), base64."""
    q = np.where(np.isfinite(small), np.round(np.clip(small, -1.0, 1.0) * 1000), -32768)
    return base64.b64encode(q.astype("<i2").tobytes()).decode("ascii")


def _axes(n: int, m: int, ml: int, mt: int, w: int, h: int) -> str:
    """Sentence numbers (0-based ids, as in every export) above and left of the plot."""
    xs = _ticks(m, w, 7 * len(str(max(m - 1, 0))) + 10)
    ys = _ticks(n, h, 14)
    out = ['<g class="axis" aria-hidden="true"><path d="'
           + "".join(f"M{ml + (j + 0.5) * w / m:.1f} {mt - 4}v4" for j in xs)
           + "".join(f"M{ml - 4} {mt + (i + 0.5) * h / n:.1f}h4" for i in ys)
           + '" stroke="#888"/>']
    out += [f'<text x="{ml + (j + 0.5) * w / m:.1f}" y="{mt - 6}" text-anchor="middle">{j}</text>' for j in xs]
    out += [f'<text x="{ml - 6}" y="{mt + (i + 0.5) * h / n:.1f}" text-anchor="end" '
            f'dominant-baseline="central">{i}</text>' for i in ys]
    return "".join(out) + "</g>"


def _skip_marks(al: Alignment, views: Sequence[LinkView]) -> str:
    """A dashed box on every sentence a link skips, a dashed line joining the link's boxes across it."""
    out = []
    for v in views:
        link = v.link
        if not link.src or not link.tgt:
            continue
        x0, x1 = min(link.tgt), max(link.tgt) + 1
        y0, y1 = min(link.src), max(link.src) + 1
        marks = [(x0, i, x1 - x0, 1, f"{al.src.lang} {i}") for i in skipped(link.src)]
        marks += [(j, y0, 1, y1 - y0, f"{al.tgt.lang} {j}") for j in skipped(link.tgt)]
        if not marks:
            continue
        what = ", ".join(m[4] for m in marks)
        tip = _esc(f"link {v.index} skips {what}: not part of the link")
        d = "".join(f"M{x} {y}h{w}v{h}h{-w}Z" for x, y, w, h, _ in marks)
        join = ""  # through the middle of the link, from its first sentence to its last
        if skipped(link.src):
            join += f"M{(x0 + x1) / 2:g} {y0 + 0.5:g}V{y1 - 0.5:g}"
        if skipped(link.tgt):
            join += f"M{x0 + 0.5:g} {(y0 + y1) / 2:g}H{x1 - 0.5:g}"
        # inside the link's anchor: the marks lie over its box, and a click on them jumps to its row too
        out.append(f'<a href="#L{v.index}"><g class="skip" style="filter:drop-shadow(0 0 1px #000)"><title>{tip}</title>'
                   f'<path d="{d}" fill="none" stroke="#ffd600" stroke-width="2" stroke-dasharray="4 3" '
                   f'vector-effect="non-scaling-stroke"/>'
                   f'<path d="{join}" stroke="#ffd600" stroke-width="1" stroke-dasharray="2 2" '
                   f'vector-effect="non-scaling-stroke"/></g></a>')
    return "".join(out)


TIP_CHARS = 120  # of each sentence in the matrix's hover read-out


def _clip(text: str, limit: int = TIP_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _sentence_data(al: Alignment, one_per_cell: bool) -> str:
    """The ``data-stext`` attribute (escaped JSON ``{"src": [...], "tgt": [...]}``, each sentence
    clipped to :data:`TIP_CHARS`) and the sides' ``data-sdir`` / ``data-tdir``, for the matrix's
    hover read-out to show a cell's two sentences; none where a cell covers several sentences."""
    if not one_per_cell:
        return ""
    texts = {"src": [_clip(s.text) for s in al.src.segments], "tgt": [_clip(s.text) for s in al.tgt.segments]}
    dirs = ["rtl" if is_rtl(doc.lang) else "ltr" for doc in (al.src, al.tgt)]
    return (f' data-stext="{_esc(json.dumps(texts, ensure_ascii=False))}" data-sdir="{dirs[0]}" '
            f'data-tdir="{dirs[1]}"')


#: Least spread of cosines that the matrix's colours stretch over: a matrix barely varying (one
#: sentence a side, or all cells alike) is coloured on the cosine's own scale, 0 to 1, instead of
#: painting a 0.76 as dark as the least similar pair of a real document.
MIN_COLOUR_SPREAD = 0.05


def matrix_svg(al: Alignment, sim: np.ndarray, views: Sequence[LinkView] | None = None,
               *, width: int = 640, max_side: int = MAX_PIXELS, model: str | None = None) -> str:
    """The similarity matrix ``sim`` ``(n_src, n_tgt)`` as an inline SVG with the links over it.

    Rows are source sentences (top to bottom), columns target sentences (left to
    right). Each link is a rectangle (hover: its scores; click: its row in the
    table); in parallel mode the path is drawn through them. ``model``: the encoder that made
    ``sim``, named in the legend (and said to differ when the alignment's signature names another).
    """
    from .errors import InputError

    sim = np.asarray(sim) if sim is not None else np.zeros((0, 0))
    if sim.shape != (len(al.src), len(al.tgt)):  # a transposed or other document's matrix: a false picture
        raise InputError(f"similarity matrix of shape {sim.shape}, but the alignment has "
                         f"{len(al.src)} x {len(al.tgt)} sentences")
    from .schema import is_whole

    if not is_whole(width) or width < 100 or max_side < 1:
        raise InputError(f"width must be a whole number of pixels, at least 100, not {width!r}")
    width = int(width)
    n, m = sim.shape
    if n == 0 or m == 0:
        return '<p class="muted">Empty document: no similarity matrix.</p>'
    views = list(views) if views is not None else link_views(al)
    measure = measure_of(al)
    small = downsample(np.asarray(sim), max_side).astype(np.float64)
    finite = small[np.isfinite(small)]
    lo, hi = (float(np.percentile(finite, 1)), float(np.percentile(finite, 99.5))) if finite.size else (0.0, 1.0)
    if hi - lo < MIN_COLOUR_SPREAD:
        lo, hi = min(lo, 0.0), max(hi, 1.0)
    # the ends are percentiles: say when cells lie beyond them (they take the end colour)
    below = " or less" if finite.size and float(finite.min()) < lo - 1e-9 else ""
    above = " or more" if finite.size and float(finite.max()) > hi + 1e-9 else ""
    png = png_bytes(colormap((small - lo) / (hi - lo)))
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    height = max(120, min(900, round(width * n / m)))
    ml, mt = 8 + 7 * len(str(n - 1)), 20  # room for the sentence numbers
    mr = 4 * len(str(m - 1))  # and for the half of the last one that lies right of the plot ("190", not "19")
    kr, kc = math.ceil(n / small.shape[0]), math.ceil(m / small.shape[1])  # sentences per cell
    parts = [
        (f'<svg class="matrix" viewBox="0 0 {ml + width + 1 + mr} {mt + height + 1}" width="{ml + width + 1 + mr}" '
         f'height="{mt + height + 1}" role="img" aria-label="similarity matrix with alignment path">'),
        _axes(n, m, ml, mt, width, height),
        # the plot in sentence units; data-*: the displayed cells for the hover read-out (_JS)
        (f'<svg class="mplot" x="{ml}" y="{mt}" width="{width}" height="{height}" viewBox="0 0 {m} {n}" '
         f'preserveAspectRatio="none" data-n="{n}" data-m="{m}" data-kr="{kr}" data-kc="{kc}" '
         f'data-rows="{small.shape[0]}" data-cols="{small.shape[1]}" data-src="{_esc(al.src.lang)}" '
         f'data-tgt="{_esc(al.tgt.lang)}" data-cells="{_cells_b64(small)}"{_sentence_data(al, small.shape == sim.shape)}>'),
        (f'<image href="{uri}" x="0" y="0" width="{m}" height="{n}" preserveAspectRatio="none" '
         f'style="image-rendering:pixelated"/>'),
    ]
    if al.mode == "parallel":
        pts = " ".join(f"{x},{y}" for x, y in path_points(al))
        parts.append(f'<polyline class="path" points="{pts}" fill="none" stroke="#ff4081" '
                     f'stroke-width="1.5" stroke-opacity="0.85" vector-effect="non-scaling-stroke"/>')
    parts.append('<g style="filter:drop-shadow(0 0 1px #000)">')
    for v in views:
        link = v.link
        if not link.src or not link.tgt:
            continue
        conf = "" if v.band == "gap" else f" · {_conf_text(v, measure)}"
        tip = _esc(f"link {v.index} · {link.kind}{conf} · {al.src.lang} {','.join(map(str, link.src))} ↔ "
                   f"{al.tgt.lang} {','.join(map(str, link.tgt))}")
        # pointer-events "visible": the box's inside, unpainted, takes the click too (with fill
        # "none" only the 2-pixel outline did, and a click inside fell on the picture below)
        rects = "".join(
            f'<rect class="lk {v.band}" x="{x}" y="{y}" width="{w}" height="{h}" fill="none" pointer-events="visible" '
            f'stroke="{_STROKES[v.band]}" stroke-width="2" vector-effect="non-scaling-stroke"/>'
            for y, h in _runs(link.src) for x, w in _runs(link.tgt))
        parts.append(f'<a href="#L{v.index}"><title>{tip}</title>{rects}</a>')
    parts.append("</g>" + _skip_marks(al, views) + "</svg></svg>")
    aligned_with = encoder_name(al.signature)
    by = ""
    if model:
        by = f" ({_esc(model)}" + (f"; the alignment used {_esc(aligned_with)})" if aligned_with and aligned_with != model
                                   else ")")
    legend = (f'<div class="legend">colour: cosine similarity{by} from <b>{lo:.2f}</b>{below} '
              f'<span class="ramp" style="display:inline-block;width:120px;height:.8em;vertical-align:middle;background:linear-gradient(90deg,#440154,#3b518b,#21908d,#5cc863,#fde725)"></span> to <b>{hi:.2f}</b>{above}'
              + (f"; {n}×{m} sentences shown as {small.shape[0]}×{small.shape[1]} cells (block max)"
                 if small.shape != sim.shape else f"; {n}×{m} sentences")
              + f'. Boxes: <b style="color:{BAND_COLOURS["high"]}">green</b> high, '
                f'<b style="color:#bf5600">orange</b> mid, <b style="color:{BAND_COLOURS["low"]}">red</b> low '
               + (f"(p ≥ {P_HIGH} / {P_LOW}–{P_HIGH} / &lt; {P_LOW}; {_esc(p_legend(al))})"
                  if measure == "p" else "confidence")
               + (f', <b style="color:{BAND_COLOURS["none"]}">blue</b> {_esc(_no_value(measure))}'
                  if any(v.band == "none" for v in views) else "")
               + '.</div>')
    legend += ('<div class="legend">Numbers: sentence ids (from 0, as in the exports); hover a cell for '
               + (f'its two sentences (numbers and up to {TIP_CHARS} characters of each) and their cosine'
                  if small.shape == sim.shape else
                  'the numbers of the sentences it covers and their cosine (the maximum over them)')
               + '. <b style="color:#b8860b">Dashed yellow</b>: a sentence a link skips (e.g. a 2-1 link of '
                 'sentences 10 and 12 leaves 11 out).</div><div id="mtip" class="mtip" hidden></div>')
    return ('<div class="mwrap" style="display:flex;gap:.3em;align-items:flex-start">'
            '<div class="ylab" style="writing-mode:vertical-rl;margin-top:1.6em">' + _esc(lang_name(al.src.lang))
            + ' sentences →</div><div><div class="xlab">' + _esc(lang_name(al.tgt.lang))
            + ' sentences →</div>' + "".join(parts) + legend + "</div></div>")


def histogram_svg(values: Sequence[float], *, bins: int = 20, lo: float | None = None,
                  hi: float | None = None, label: str = "", width: int = 300, height: int = 110,
                  fmt: Callable[[float], str] | None = None) -> str:
    """A small inline SVG histogram (hover a bar for its range and count; ``fmt``: how the median
    is written, e.g. :func:`fmt_p`)."""
    vals = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=np.float64)
    if vals.size == 0:
        return f'<p class="muted">{_esc(label)}: no values</p>'
    a = float(vals.min()) if lo is None else lo
    b = float(vals.max()) if hi is None else hi
    if b <= a:  # every value the same, and no range given: nothing to draw a distribution of
        one = (fmt or "{:.2f}".format)(float(vals[0]))
        return (f'<p class="muted">{_esc(label)}: {"the one value is" if vals.size == 1 else f"all {vals.size} values are"} '
                f'{_esc(one)}</p>')
    # values past a given end are counted in the end bin: its label says so
    under, over = bool((vals < a).any()), bool((vals > b).any())
    counts, edges = np.histogram(np.clip(vals, a, b), bins=bins, range=(a, b))
    top = max(int(counts.max()), 1)
    bw = width / bins
    plot_h = height - 18
    rects = []
    for k, c in enumerate(counts):
        h = plot_h * int(c) / top
        span = (f"{edges[k + 1]:.2f} or less" if k == 0 and under else
                f"{edges[k]:.2f} or more" if k == len(counts) - 1 and over else f"{edges[k]:.2f} – {edges[k + 1]:.2f}")
        rects.append(f'<rect x="{k * bw + 0.5:.1f}" y="{plot_h - h:.1f}" width="{bw - 1:.1f}" '
                     f'height="{h:.1f}"><title>{span}: {int(c)}</title></rect>')
    return (f'<figure class="hist"><svg viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
            + "".join(rects)
            + f'<text x="0" y="{height - 4}">{"≤ " if under else ""}{a:.2f}</text>'
            + f'<text x="{width}" y="{height - 4}" text-anchor="end">{"≥ " if over else ""}{b:.2f}</text>'
            + f'</svg><figcaption>{_esc(label)} (n={vals.size}, median {_esc((fmt or "{:.2f}".format)(float(np.median(vals))))})'
            + "</figcaption></figure>")


def kind_bars(kinds: Mapping[str, int]) -> str:
    """Link type counts as a small HTML bar chart."""
    if not kinds:
        return '<p class="muted">no links</p>'
    top = max(kinds.values())

    def order(k: str) -> tuple[int, int, str]:
        a, b = (int(x) for x in k.split("-"))
        return (0 if a and b else 1, a + b, k)

    rows = []
    for k in sorted(kinds, key=order):
        pct = 100 * kinds[k] / top
        rows.append(f'<div class="bar"><span class="bk">{_esc(k)}</span><span class="bb">'
                    f'<span style="width:{pct:.1f}%"></span></span><span class="bn">{kinds[k]}</span></div>')
    return '<div class="bars">' + "".join(rows) + "</div>"


# ---------------------------------------------------------------- side by side


def _gap_cell(doc_lang: str) -> str:
    return f'<div class="c gapc" role="cell">— nothing in {_esc(lang_name(doc_lang))} —</div>'


def numbers_badge(verdict: str, numbers_src: str | None, numbers_tgt: str | None) -> str:
    """The mark of a pair whose ``numbers`` verdict is ``differ``: ``"≠ numbers"`` when both sides
    hold numbers, ``"number on one side only"`` when one side holds none (the verdict does not
    tell them apart: the sides' own numbers do); ``""`` for any other verdict."""
    if verdict != "differ":
        return ""
    return "≠ numbers" if (numbers_src or "").strip() and (numbers_tgt or "").strip() else "number on one side only"


def _numbers_flag(al: Alignment, numbers_src: str | None, numbers_tgt: str | None) -> str:
    """The mark of a pair whose numbers differ (:func:`numbers_badge`), both sides' numbers on hover."""
    badge = numbers_badge("differ", numbers_src, numbers_tgt)
    what = "numbers differ" if badge == "≠ numbers" else badge
    cls = "flag" if badge == "≠ numbers" else "flag one"
    return (f'<span class="{cls}" title="' + _esc(f"{what}: {lang_name(al.src.lang)} {numbers_src or '-'} | "
                                                 f"{lang_name(al.tgt.lang)} {numbers_tgt or '-'}")
            + f'">{badge}</span>')


def _side_text(doc: Document, ids: Sequence[int], joined: str) -> str:
    """One side of a link, escaped: its text, or where it holds several sentences each one opened
    by its number (a reader must see where English 5 ends and 6 begins in a 1-5 link)."""
    if len(ids) < 2:
        return _esc(joined)
    name = lang_name(doc.lang)
    # the number is CSS content (``.sn::before``): copying the text leaves it out
    return " ".join(f'<span class="sn" data-n="{i}" title="{_esc(f"{name} sentence {i}")}"></span>'
                    f'{_esc(doc.sentences[i])}' for i in ids)


def rows_html(al: Alignment, views: Sequence[LinkView]) -> str:
    """The link rows of the side-by-side view (div grid rows, escaped text)."""
    out = []
    measure = measure_of(al)
    for v in views:
        link = v.link
        flags = []
        if v.numbers == "differ":
            flags.append(_numbers_flag(al, v.numbers_src, v.numbers_tgt))
        gaps = [f"{al.src.lang} {i}" for i in skipped(link.src)] + [f"{al.tgt.lang} {j}" for j in skipped(link.tgt)]
        if gaps:
            flags.append('<span class="flag skip" title="' + _esc(f"the link skips {', '.join(gaps)}: "
                                                              "not part of it") + f'">skips {_esc(", ".join(gaps))}</span>')
        status = str(link.features.get("status") or "")
        if status:
            flags.append(f'<span class="st {_esc(status)}">{_esc(status)}</span>')
        edited = str(link.features.get("edited") or "")
        if edited:
            flags.append(f'<span class="st edited" title="{_esc(f"changed in review: {edited}")}">'
                         f'edited: {_esc(edited)}</span>')
        note = str(link.features.get("note") or "")
        # a reviewer's note, in full on its own line under the link (dir auto: an Arabic note reads RTL)
        note_line = (f'<div class="nt" role="cell"><b>note</b> <span dir="auto">{_esc(note)}</span></div>'
                     if note else "")
        conf = (f'<span class="sc none" title="{_esc(_no_value_why(measure))}">' if v.band == "none"
                else '<span class="sc">') + _esc(_conf_text(v, measure)) + "</span>"
        src = (f'<div class="c" role="cell" {text_attrs(al.src.lang)}>{_side_text(al.src, link.src, v.src)}</div>'
               if link.src else _gap_cell(al.src.lang))
        tgt = (f'<div class="c" role="cell" {text_attrs(al.tgt.lang)}>{_side_text(al.tgt, link.tgt, v.tgt)}</div>'
               if link.tgt else _gap_cell(al.tgt.lang))
        nd = " nd" if v.numbers == "differ" else ""
        decided = f" {status}" if status in ("accepted", "rejected") else ""
        out.append(
            f'<div class="r {v.band}{nd}{decided}" id="L{v.index}" role="row" data-k="{link.kind}" '
            f'title="{_esc(hover_text(v))}">'
            f'<div class="n" role="cell"><a href="#L{v.index}">{v.index}</a>'
            f'<small>{",".join(map(str, link.src)) or "–"} ↔ {",".join(map(str, link.tgt)) or "–"}</small></div>'
            f"{src}{tgt}"
            f'<div class="m" role="cell"><span class="k">{link.kind}</span> {conf}'
            f'{"".join(flags)}</div>{note_line}</div>'
        )
    return "".join(out)


def side_by_side_html(al: Alignment, links: Sequence[int] | None = None, *, limit: int | None = 200) -> str:
    """A compact side-by-side table for notebooks (``IPython.display.HTML``).

    Right-to-left cells carry ``dir="rtl" lang=..``; the notebook itself is not flipped.
    ``links`` selects link indices (default all), ``limit`` caps the rows shown.
    """
    views = link_views(al)
    if links is not None:
        keep = set(links)
        views = [v for v in views if v.index in keep]
    shown = views[:limit] if limit is not None else views
    measure = measure_of(al)
    rows = []
    for v in shown:
        src_attr = text_attrs(al.src.lang)
        tgt_attr = text_attrs(al.tgt.lang)
        colour = {"high": "#d8f0d8", "mid": "#ffe0b2", "low": "#f9d6d2", "gap": "#eeeeee",
                  "none": "#e1f5fe"}[v.band]
        score = _conf_text(v, measure)
        badge = numbers_badge(v.numbers, v.numbers_src, v.numbers_tgt)
        flag = f" {badge}" if badge else ""
        td = "padding:4px 8px;vertical-align:top;border-bottom:1px solid #ddd"
        src_align = "right" if is_rtl(al.src.lang) else "left"
        tgt_align = "right" if is_rtl(al.tgt.lang) else "left"
        rows.append(
            f'<tr style="background:{colour}" title="{_esc(hover_text(v))}"><td style="{td}">{v.index}</td>'
            f'<td {src_attr} style="{td};text-align:{src_align}">{_esc(v.src)}</td>'
            f'<td {tgt_attr} style="{td};text-align:{tgt_align}">{_esc(v.tgt)}</td>'
            f'<td style="{td}">{v.link.kind}</td><td style="{td};white-space:nowrap">{score}{flag}</td></tr>'
        )
    more = (f'<p>{len(views) - len(shown)} more links not shown</p>' if len(shown) < len(views) else "")
    return ('<table class="parallel-side-by-side" style="border-collapse:collapse;width:100%" dir="ltr">'
            f"<thead><tr><th>#</th><th>{_esc(lang_name(al.src.lang))}</th>"
            f"<th>{_esc(lang_name(al.tgt.lang))}</th><th>type</th><th>{_esc(measure_label(measure))}</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>" + more)


# ---------------------------------------------------------------- the page

_CSS = """
:root{--hi:#2e7d32;--mid:#ef6c00;--lo:#c62828;--gap:#9e9e9e;--none:#0091ea;--bg:#fafafa;--line:#e0e0e0}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;
 color:#212121;background:var(--bg)}
header,section{padding:.6em 1.2em}
header{background:#263238;color:#eceff1}
header h1{font-size:1.25em;margin:.2em 0}
header code{font-size:.85em;color:#b0bec5;word-break:break-all}
nav a{color:#80cbc4;margin-right:1em}
h2{font-size:1.1em;margin:.8em 0 .4em;border-bottom:1px solid var(--line)}
.muted{color:#757575}
.warn{border-left:4px solid var(--lo);background:#fff6f5;color:#b71c1c;padding:.3em .6em;margin:.4em 0}
.cards{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6em .8em}
.card table td{padding:0 .6em 0 0}
.bars{min-width:240px}.bar{display:flex;align-items:center;gap:.4em;font-size:.9em}
.bk{width:2.6em;text-align:right;font-family:monospace}.bb{flex:1;background:#eee;height:.8em;width:160px}
.bb span{display:block;height:100%;background:#546e7a}.bn{width:3em;font-family:monospace}
.hist svg rect{fill:#546e7a}.hist svg rect:hover{fill:#ff7043}.hist text{font-size:10px;fill:#616161}
.hist figcaption{font-size:.85em;color:#616161}.hist{margin:0}
.mwrap{display:flex;gap:.3em;align-items:flex-start}
.ylab{writing-mode:vertical-rl;font-size:.85em;color:#616161;margin-top:1.6em}
.xlab{font-size:.85em;color:#616161}
svg.matrix{display:block;max-width:100%;height:auto}
svg.matrix .axis text{font:10px monospace;fill:#616161}
.mtip{position:fixed;z-index:9;pointer-events:none;background:#263238;color:#fff;font:12px monospace;padding:.2em .5em;border-radius:3px;white-space:nowrap}
.mtip .mt{white-space:normal;width:max-content;max-width:32em;font:13px/1.4 system-ui,sans-serif;margin-top:.2em}
.mtip .mt[dir=rtl]{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Amiri","Scheherazade New","DejaVu Sans",serif}
svg.matrix a:hover .lk{stroke:#00e5ff;stroke-width:3}
.legend{font-size:.85em;color:#616161;margin:.3em 0}
.ramp{display:inline-block;width:120px;height:.8em;vertical-align:middle;
 background:linear-gradient(90deg,#440154,#3b518b,#21908d,#5cc863,#fde725)}
.key span{display:inline-block;padding:0 .5em;margin-right:.4em;border-left:6px solid}
.tools{position:sticky;top:0;z-index:3;background:var(--bg);padding:.4em 0;border-bottom:1px solid var(--line)}
#find{min-width:17em}
.tools .opt{white-space:nowrap;margin:0 .5em 0 .3em}.tools .opt input{margin:0 .2em 0 0;vertical-align:middle}
.grid .r,.grid .h{display:grid;grid-template-columns:6.5em minmax(0,1fr) minmax(0,1fr) 8.5em;gap:0;
 border-bottom:1px solid var(--line)}
.grid .h{position:sticky;top:var(--tools-h,2.7em);z-index:2;background:#eceff1;font-weight:600}
#links .r{scroll-margin-top:calc(var(--tools-h,2.7em) + var(--head-h,2.1em) + 4px)}
.grid .h>div{padding:.3em .6em}
.grid .r{background:#fff;border-left:6px solid var(--gap)}
.grid .r.high{border-left-color:var(--hi)}.grid .r.mid{border-left-color:var(--mid);background:#fffdf3}
.grid .r.low{border-left-color:var(--lo);background:#fff6f5}.grid .r.gap{background:#f5f5f5}
.grid .r.none{border-left:6px dashed var(--none)}.sc.none{font-weight:400;font-style:italic;color:#01579b}
.grid .r.nd .m{background:#ffebee}
::highlight(hit){background-color:#ffd54f}
.none-linked{border-left:4px solid var(--gap);background:#fff;padding:.3em .6em;margin:.4em 0;max-width:40em}
.grid .r:target{outline:3px solid #00acc1}.grid .r.nf,.ui.nf{display:none}
.c{padding:.35em .7em;overflow-wrap:anywhere;border-left:1px solid var(--line)}
.c[dir=rtl]{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Amiri","Scheherazade New","DejaVu Sans",serif;
 font-size:1.12em;line-height:1.75;text-align:right}
.gapc{color:#616161;font-style:italic;font-size:.85em;
 background:repeating-linear-gradient(45deg,#f5f5f5,#f5f5f5 6px,#ececec 6px,#ececec 12px)}
.n{padding:.35em .4em;font-family:monospace;font-size:.85em;overflow-wrap:anywhere;min-width:0}.n a{color:#37474f;font-weight:600}
.n small{display:block;color:#616161}
.m{padding:.35em .5em;font-size:.85em;border-left:1px solid var(--line)}
.k{font-family:monospace;color:#455a64}.sc{font-family:monospace;font-weight:600}
.flag{display:inline-block;margin-top:.2em;padding:0 .3em;border-radius:3px;background:#c62828;color:#fff}
.flag.one{background:#fff;color:#b71c1c;border:1px solid #c62828}
.flag.skip{background:#fff3c4;color:#5d4300;border:1px dashed #b8860b}
.st{display:inline-block;margin-left:.3em;padding:0 .3em;border-radius:3px;background:#607d8b;color:#fff}
.st.accepted{background:#2e7d32}.st.rejected{background:#6d4c41}
.st.edited{background:#5c6bc0}
.grid .r.accepted{background:#edf7ed}.grid .r.rejected{background:#efebe9}
.grid .r.rejected .c{text-decoration:line-through;text-decoration-color:#a1887f;color:#6d4c41}
.grid .r>.nt{grid-column:2/-1;padding:.15em .7em .3em;font-size:.9em;color:#37474f;border-left:1px solid var(--line);
 overflow-wrap:anywhere;white-space:pre-wrap}
.nt b{display:inline-block;padding:0 .3em;border-radius:3px;background:#5c6bc0;color:#fff;font-weight:400}
.hide-high .r.high,.only-low .r:not(.low),.only-gap .r:not(.gap),.only-nd .r:not(.nd),
.only-nm .r[data-k="1-1"],.only-nm .r.gap,.only-acc .r:not(.accepted),.only-rej .r:not(.rejected),
.only-todo .r.accepted,.only-todo .r.rejected{display:none}
.unm{display:grid;grid-template-columns:1fr 1fr;gap:1em}
.ul{background:#fff;border:1px solid var(--line)}
.ui{display:grid;grid-template-columns:3em minmax(0,1fr);border-bottom:1px dotted var(--line)}
.ui>div{padding:.2em .6em}
.sid{font-family:monospace;font-size:.85em;color:#757575;padding:.25em .4em;text-align:right}
.ui>div[dir=rtl]{font-family:"Noto Naskh Arabic","Noto Sans Arabic","Amiri","Scheherazade New","DejaVu Sans",serif;font-size:1.1em;
 line-height:1.75;text-align:right}
.c .sn{font-family:monospace;font-size:.7em;color:#546e7a;background:#eceff1;border-radius:3px;padding:0 .25em;
 margin-inline-end:.3em;vertical-align:.15em;unicode-bidi:isolate}.c .sn::before{content:attr(data-n)}
.c[dir=rtl]{overflow-wrap:break-word}
@media (max-width:700px){
 .grid .h{display:none}
 .grid .r{grid-template-columns:minmax(0,1fr)}
 .grid .r>.n{display:flex;gap:.6em;align-items:baseline}.grid .r>.n small{display:inline}
 .c,.m{border-left:0;border-top:1px solid var(--line)}
 .grid .r>.nt{grid-column:1/-1;border-left:0}
 .unm{grid-template-columns:minmax(0,1fr)}
 header,section{padding:.5em .6em}
}
"""

_JS = """
(function(){
  var sel=document.getElementById('show'), grid=document.getElementById('links'), cnt=document.getElementById('shown');
  var find=document.getElementById('find'), tables=JSON.parse(find.dataset.fold), q='', typed=null;
  var fold=makeFold(tables), foldCase=makeFold(tables,true);  // case folded / kept (Aa, as grep -S)
  var cased=document.getElementById('find-case'), word=document.getElementById('find-word');
  function sentences(c){  // a cell's sentences: several are each opened by a number mark (.sn)
    var out=[], cur=null;
    Array.prototype.forEach.call(c.childNodes,function(n){
      if(n.nodeType===1 && n.classList.contains('sn')){ if(cur!==null) out.push(cur); cur=''; }
      else cur=(cur===null?'':cur)+n.textContent;
    });
    if(cur!==null) out.push(cur);
    return out;
  }
  function holds(r){  // each sentence folded once per case setting (the gap cells hold none); never
    // a match across two sentences of a link, as grep and the review app search
    var key=cased.checked?'_F':'_f', f=cased.checked?foldCase:fold;
    if(!r[key]){
      r[key]=[];
      Array.prototype.forEach.call(r.querySelectorAll('.c:not(.gapc), .ui > div'),function(c){
        sentences(c).forEach(function(t){r[key].push(f(t));});
      });
    }
    return r[key].some(function(t){return holdsQuery(t,q,word.checked);});
  }
  var others=[];  // the pairs below the bar and the unmatched sentences: searched too, not counted
  [['below','.r'],['unmatched','.ui']].forEach(function(w){var e=document.getElementById(w[0]); if(e) others=others.concat(Array.prototype.slice.call(e.querySelectorAll(w[1])));});
  var unm=document.querySelectorAll('#unmatched .unm > div');  // each side's list: its heading counts the hits
  // the sticky tools bar and column header: a row jumped to (go to, a matrix box, #L...) stops below
  // them (scroll-margin-top in the CSS), whatever height they wrap to
  function bars(){
    var st=document.documentElement.style, t=document.querySelector('.tools'), h=grid.querySelector('.h');
    st.setProperty('--tools-h',t.offsetHeight+'px'); st.setProperty('--head-h',(h?h.offsetHeight:0)+'px');
  }
  bars(); window.addEventListener('resize',bars);
  // what the search found, marked in the rows, pairs and sentences that hold it (where grep's match
  // is: folded matching mapped back to the text as written, fold.js queryPlaces); done again only
  // when the search changes, not the "show" menu
  var marks=makeMarks(), marked=JSON.stringify(['',false,false]);
  function mark(){
    var key=JSON.stringify([q,cased.checked,word.checked]);
    if(key===marked) return;
    marked=key;
    marks.clear();
    if(q==='') return;
    var f=cased.checked?foldCase:fold, w=word.checked;
    function markIn(r){  // the cells holds() reads; a sentence is a text node (several: apart by .sn)
      Array.prototype.forEach.call(r.querySelectorAll('.c:not(.gapc), .ui > div'),function(c){
        Array.prototype.forEach.call(c.childNodes,function(t){ if(t.nodeType===3) marks.mark(t,queryPlaces(t.data,q,w,f)); });
      });
    }
    Array.prototype.forEach.call(grid.querySelectorAll('.r:not(.nf)'),markIn);
    others.forEach(function(o){ if(!o.classList.contains('nf')) markIn(o); });
  }
  function apply(){
    grid.className='grid'+(sel.value?' '+sel.value:'');
    var n=0, rows=grid.querySelectorAll('.r');
    // every class first, then every read: a read between two writes lays the page out again,
    // once per row (a book's 3,600 rows: 14-24 s a search, against about 1 s so)
    for(var i=0;i<rows.length;i++) rows[i].classList.toggle('nf', q!=='' && !holds(rows[i]));
    for(var k=0;k<others.length;k++) others[k].classList.toggle('nf', q!=='' && !holds(others[k]));
    mark();
    for(var j=0;j<rows.length;j++) if(rows[j].offsetParent!==null) n++;
    for(var u=0;u<unm.length;u++){
      var all=unm[u].querySelectorAll('.ui').length, hit=unm[u].querySelectorAll('.ui:not(.nf)').length;
      unm[u].querySelector('.hits').textContent=q!=='' && hit<all?' ('+hit+(hit===1?' holds':' hold')+' the search)':'';
    }
    var below=0, unmatched=0;  // what the search found further down, said beside the links' count
    if(q!=='') for(var o=0;o<others.length;o++) if(!others[o].classList.contains('nf')) others[o].classList.contains('ui')?unmatched++:below++;
    cnt.textContent=n+' of '+rows.length+' links shown'+(q!==''?furtherDown(below,unmatched):'');
  }
  sel.addEventListener('change',apply);
  function search(){q=(cased.checked?foldCase:fold)(find.value).trim(); apply();}
  find.addEventListener('input',function(){clearTimeout(typed); typed=setTimeout(search,120);});
  cased.addEventListener('change',search); word.addEventListener('change',search);
  var go=document.getElementById('go');
  go.addEventListener('input',function(){go.setCustomValidity('');});
  go.addEventListener('keydown',function(e){
    if(e.key!=='Enter') return;
    var v=fold(go.value).trim(), t=/^[0-9]+$/.test(v)?document.getElementById('L'+(+v)):null;  // ١٦٥٦ as 1656
    go.setCustomValidity(!t?'no link '+go.value+' (links 0 to '+(grid.querySelectorAll('.r').length-1)+')'
      :t.offsetParent===null?'link '+(+v)+' is hidden by the search or the "show" menu':'');
    if(!go.validationMessage){
      if(location.hash!=='#'+t.id) location.hash=t.id;
      t.scrollIntoView({block:'start'});  // also when the hash was already there
    } else go.reportValidity();
  });
  apply();
})();
(function(){
  var mp=document.querySelector('svg.mplot'), tip=document.getElementById('mtip');
  if(!mp||!tip) return;
  var d=mp.dataset, n=+d.n, m=+d.m, kr=+d.kr, kc=+d.kc, cols=+d.cols, raw=atob(d.cells);
  function val(r,c){var k=2*(r*cols+c), u=raw.charCodeAt(k)|(raw.charCodeAt(k+1)<<8); return u>32767?u-65536:u;}
  function ids(a,k,len){var lo=a*k, hi=Math.min(lo+k,len)-1; return lo===hi?''+lo:lo+'\u2013'+hi;}
  var texts=d.stext?JSON.parse(d.stext):null;  // one sentence per cell: its two sentences, clipped
  function line(t,dir,lang){var e=document.createElement('div'); e.className='mt'; e.dir=dir; e.lang=lang; e.textContent=t; tip.appendChild(e);}
  mp.addEventListener('mousemove',function(e){
    var b=mp.getBoundingClientRect(), i=Math.floor((e.clientY-b.top)/b.height*n), j=Math.floor((e.clientX-b.left)/b.width*m);
    if(i<0||j<0||i>=n||j>=m){tip.hidden=true;return;}
    var r=Math.floor(i/kr), c=Math.floor(j/kc), v=val(r,c);
    tip.textContent=d.src+' '+ids(r,kr,n)+' \u00d7 '+d.tgt+' '+ids(c,kc,m)+' \u00b7 cosine '+(v===-32768?'\u2013':(v/1000).toFixed(3));
    if(texts&&kr===1&&kc===1){line(texts.src[i],d.sdir,d.src); line(texts.tgt[j],d.tdir,d.tgt);}
    tip.hidden=false;  // beside the pointer, kept inside the window
    var x=e.clientX+14, y=e.clientY+14;
    if(x+tip.offsetWidth>innerWidth) x=Math.max(0,e.clientX-14-tip.offsetWidth);
    if(y+tip.offsetHeight>innerHeight) y=Math.max(0,e.clientY-14-tip.offsetHeight);
    tip.style.left=x+'px'; tip.style.top=y+'px';
  });
  mp.addEventListener('mouseleave',function(){tip.hidden=true;});
})();
"""


@lru_cache(maxsize=1)
def _script() -> str:
    """The page's one script: the search's folding (``resources/review/fold.js``, shared with the
    review app) and :data:`_JS`."""
    from importlib import resources

    return (resources.files("parallel") / "resources" / "review" / "fold.js").read_text(encoding="utf-8") + _JS


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def _linked(held: int, turned: int) -> str:
    """How many sentences links hold, those of rejected links apart."""
    return f"{held - turned} linked, {turned} in rejected links" if turned else f"{held} linked"


def summary_html(al: Alignment, views: Sequence[LinkView]) -> str:
    kinds = Counter(v.link.kind for v in views)
    bands = Counter(v.band for v in views)
    nd = sum(v.numbers == "differ" for v in views)
    confs = [v.confidence for v in views if v.confidence is not None]
    scores = [v.link.score for v in views if v.link.src and v.link.tgt]
    ratios = [v.length_ratio for v in views if v.length_ratio is not None]
    # linked: in a link with sentences on both sides (a 1-0 / 0-1 gap links nothing; nor does a
    # rejected comparable pair: parallel.data.holds_its_sentences)
    held = [v.link for v in views if v.link.src and v.link.tgt and holds_its_sentences(al, v.link)]
    covered_src = len({i for k in held for i in k.src})
    covered_tgt = len({j for k in held for j in k.tgt})
    # in parallel mode a rejected link still holds its sentences (every sentence is in one link),
    # but "linked" reads as accepted as a pair: its sentences are counted apart
    turned_src = len({i for k in held if rejected(k) for i in k.src})
    turned_tgt = len({j for k in held if rejected(k) for j in k.tgt})
    measure = measure_of(al)
    no_value = f" · {bands['none']} without {measure}" if bands["none"] else ""
    facts = [
        ("links", str(len(views))),
        (f"{lang_name(al.src.lang)} sentences", f"{len(al.src)} ({_linked(covered_src, turned_src)})"),
        (f"{lang_name(al.tgt.lang)} sentences", f"{len(al.tgt)} ({_linked(covered_tgt, turned_tgt)})"),
        ("confidence", f"{bands['high']} high · {bands['mid']} mid · {bands['low']} low"
                       + ("" if al.mode == "comparable" and not bands["gap"]
                          else f" · {bands['gap']} gap{'' if bands['gap'] == 1 else 's'}") + no_value),
        ("number disagreements", str(nd)),
    ]
    if al.mode == "comparable":
        free = unmatched(al)
        facts.append(("unmatched", (f"{len(free['src'])} {lang_name(al.src.lang)} · "
                                    f"{len(free['tgt'])} {lang_name(al.tgt.lang)}")))
    reviewed = Counter(str(v.link.features.get("status")) for v in views if v.link.features.get("status"))
    if reviewed:
        facts.append(("reviewed", " · ".join(f"{n} {k}" for k, n in sorted(reviewed.items()))))
    table = "".join(f"<tr><td>{_esc(k)}</td><td><b>{_esc(v)}</b></td></tr>" for k, v in facts)
    has_p, has_cos = measure == "p", measure == "cosine"
    legend = confidence_legend(al)
    what = legend["text"]
    label = "p (calibrated probability)" if has_p else "confidence (cosine)" if has_cos else "confidence"
    colour = {"high": "var(--hi)", "mid": "var(--mid)", "low": "var(--lo)", "gap": "var(--gap)",
              "none": "var(--none);border-left-style:dashed"}
    key = "".join(f'<span style="border-color:{colour[band]}">{_esc(text)}</span>'
                  for band, text, _ in legend["keys"] if band != "none" or bands["none"])
    why = f'<p class="muted">{_esc(_no_value_why(measure))}.</p>' if bands["none"] else ""
    none = nothing_linked(al)
    why += f'<p class="none-linked">{_esc(none)}</p>' if none else ""
    return (
        '<div class="cards">'
        f'<div class="card"><table>{table}</table>'
        f'<p class="key">{key}</p><p class="muted legend-p">{_esc(what)}</p>{why}</div>'
        f'<div class="card"><b>link types</b>{kind_bars(kinds)}</div>'
        f'<div class="card">{histogram_svg(confs, lo=0.0 if has_p else None, hi=1.0 if has_p else None, label=label, fmt=fmt_p if has_p else None)}</div>'
        f'<div class="card">{histogram_svg(scores, label="aligner score")}</div>'
        f'<div class="card">{histogram_svg(ratios, lo=0.0, hi=max(3.0, 0.0), label="length ratio (chars " + lang_name(al.src.lang) + " / " + lang_name(al.tgt.lang) + ")")}</div>'
        "</div>"
    )


def warning_html(al: Alignment) -> str:
    """What the aligner warned of when it made ``al`` (``info["warning"]``: e.g. ``--mode parallel``
    on texts that do not look like translations), shown where the reader of the page sees it and
    not only on the terminal that made the file; empty without one."""
    warning = al.info.get("warning")
    if not warning:
        return ""
    return f'<p class="warn" role="alert"><b>warning:</b> {_esc(str(warning))}</p>\n'


def filters_html(al: Alignment) -> str:
    """What ``filter`` (or ``--min-p``) removed from ``al`` (``info["filters"]``), said where the
    page opens: a removed pair's sentences are shown as gaps (parallel mode) or listed as unmatched
    (comparable mode), and a gap's "nothing in English" would otherwise read as a sentence the
    other text has no counterpart for. Empty when no filter removed anything."""
    records = [r for r in al.info.get("filters") or [] if isinstance(r, dict) and r.get("removed")]
    if not records:
        return ""
    said = "; ".join(f"{r.get('name', 'a filter')} removed {r.get('removed')} of {r.get('seen')} links"
                     for r in records)
    where = ("their sentences are listed as unmatched" if al.mode == "comparable" else
             "their sentences are shown unlinked, so a row saying \u201cnothing in\u201d the other language may be "
             "a pair the filter removed, not a sentence without a counterpart")
    return f'<p class="warn"><b>filtered:</b> {_esc(said)}: {_esc(where)}.</p>\n'


def unmatched_html(al: Alignment) -> str:
    """Each side's unmatched sentences (:func:`parallel.data.unmatched`: in comparable mode a
    rejected pair's too, marked with its link's number, as the review app lists them)."""
    free = unmatched(review_order(al))

    def items(doc: Any, ids: list[int], rejected: dict[str, int]) -> str:
        if not ids:
            return "<p class='muted'>none</p>"
        attrs = text_attrs(doc.lang)

        def mark(i: int) -> str:
            return (f' <small class="muted">(rejected link {rejected[str(i)]})</small>'
                    if str(i) in rejected else "")
        return ('<div class="ul">' + "".join(
            f'<div class="ui"><span class="sid">{i}{mark(i)}</span><div {attrs}>{_esc(doc.segments[i].text)}</div></div>'
            for i in ids) + "</div>")

    return ('<div class="unm">'
            f"<div><h3>{_esc(lang_name(al.src.lang))}: {len(free['src'])} unmatched<span class=\"hits\"></span></h3>"
            f"{items(al.src, free['src'], free['rejected_src'])}</div>"
            f"<div><h3>{_esc(lang_name(al.tgt.lang))}: {len(free['tgt'])} unmatched<span class=\"hits\"></span></h3>"
            f"{items(al.tgt, free['tgt'], free['rejected_tgt'])}</div></div>")


def pending_below_bar(al: Alignment) -> list[dict[str, Any]]:
    """The pairs mining left below the bar (``al.info["below_bar"]``, see
    :func:`parallel.api.below_bar_pairs`) whose two sentences no link holds yet (a reviewer may
    have linked some since; a rejected pair's sentences are held by none, but the pair itself,
    rejected, is not offered again: :func:`parallel.data.unmatched`): ``{"src", "tgt", "p", "band", "shown", "numbers", "numbers_src", "numbers_tgt"}``
    (``band``: the p band every link row uses, :func:`band_of`; ``shown``: p as the pages show it,
    :func:`shown_confidence`).
    Entries that are not candidates (a hand-edited file) are skipped."""
    if al.mode != "comparable":
        return []
    free = unmatched(al)
    free_s, free_t = set(free["src"]), set(free["tgt"])
    refused = {(k.src, k.tgt) for k in al.links if rejected(k)}
    out = []
    for c in al.info.get("below_bar") or []:
        try:
            i, j, p = int(c["src"]), int(c["tgt"]), float(c["p"])
        except (KeyError, TypeError, ValueError):
            continue
        if i in free_s and j in free_t and math.isfinite(p) and ((i,), (j,)) not in refused:
            out.append({"src": i, "tgt": j, "p": p, "band": band_of(p), "shown": shown_confidence(p),
                        "numbers": str(c.get("numbers") or ""),
                        "numbers_src": str(c.get("numbers_src") or ""),
                        "numbers_tgt": str(c.get("numbers_tgt") or "")})
    return out


def below_bar_html(al: Alignment) -> str:
    """Pairs mining left below the bar that are still unlinked (:func:`pending_below_bar`), for a
    reader to check: empty when there are none."""
    cands = pending_below_bar(al)
    if not cands:
        return ""
    bar = kept_from(al)
    rows = []
    for c in cands:
        i, j, p = int(c["src"]), int(c["tgt"]), float(c["p"])
        flag = _numbers_flag(al, c["numbers_src"], c["numbers_tgt"]) if c["numbers"] == "differ" else ""
        rows.append(
            f'<div class="r {c["band"]}" role="row"><div class="n" role="cell">'
            f"<small>{i} ↔ {j}</small></div>"
            f'<div class="c" role="cell" {text_attrs(al.src.lang)}>{_esc(al.src.segments[i].text)}</div>'
            f'<div class="c" role="cell" {text_attrs(al.tgt.lang)}>{_esc(al.tgt.segments[j].text)}</div>'
            f'<div class="m" role="cell"><span class="k">p</span> <span class="sc">{_esc(shown_confidence(p))}</span>{flag}</div></div>')
    where = f" (p &lt; {bar:.2f})" if bar is not None else ""
    return (f'<section id="below"><h2>Possible pairs below the bar{where}</h2>'
            '<p class="muted">Unlinked sentences that are each other\'s best match but not sure enough to '
            "be kept: most are on the same topic without saying the same thing. ≠ numbers: the two "
            "sides' numbers differ. Where they contradict each other (half or more of them, and not "
            "hedged counts such as &quot;nearly 30&quot; against &quot;more than 40&quot;, which can both "
            "be true) the pair has p 0.05 at most, however alike it reads. Check them here; they are not "
            "in the exported pairs.</p>"
            '<div class="grid" role="table"><div class="h" role="row"><div>sentences</div>'
            f"<div>{_esc(lang_name(al.src.lang))}</div><div>{_esc(lang_name(al.tgt.lang))}</div><div>p</div></div>"
            f'{"".join(rows)}</div></section>')


def _empty_rows(al: Alignment) -> str:
    """What the side-by-side grid says when it has no link: why (:func:`nothing_linked`)."""
    return f'<p class="none-linked">{_esc(nothing_linked(al) or "No links.")}</p>'


def render(al: Alignment, *, sim: np.ndarray | None = None, title: str | None = None,
           matrix_note: str | None = None, model: str | None = None) -> str:
    """The whole report page as a string (``sim``: similarity matrix ``(n_src, n_tgt)`` or None,
    made by the encoder ``model``)."""
    views = link_views(al)
    names = [Path(d.name).name if d.name else lang_name(d.lang) for d in (al.src, al.tgt)]
    heading = (_esc(title) if title else
               f"<bdi>{_esc(names[0])}</bdi> ↔ <bdi>{_esc(names[1])}</bdi>")  # names may be Arabic
    title = title or f"{names[0]} ↔ {names[1]}"
    if al.mode == "comparable":
        ordered = sorted(views, key=lambda v: (min(v.link.src, default=-1), min(v.link.tgt, default=-1)))
    else:
        ordered = views
    if sim is not None:
        matrix = matrix_svg(al, sim, views, model=model)
    else:
        matrix = f'<p class="muted">{_esc(matrix_note or "Similarity matrix not computed.")}</p>'
    unmatched = ""
    if al.mode == "comparable" or al.unmatched_src or al.unmatched_tgt:
        unmatched = f'<section id="unmatched"><h2>Unmatched sentences</h2>{unmatched_html(al)}</section>'
    below = below_bar_html(al) if al.mode == "comparable" else ""
    # a reviewed file (``review``): its decisions can be picked out, as in the review app
    review_options = ('<option value="only-acc">accepted only</option><option value="only-rej">rejected only'
                      '</option><option value="only-todo">not reviewed yet</option>'
                      if any(k.features.get("status") for k in al.links) else "")
    gap_option = ("" if al.mode == "comparable" and all(k.src and k.tgt for k in al.links)
                  else '<option value="only-gap">gaps only (1-0 / 0-1)</option>')
    order_note = ("sorted by source sentence; comparable mode: pairs were mined in any order"
                  if al.mode == "comparable" else "in document order")
    matrix_help = ('<p class="muted">Bright cells: similar sentences. Boxes: links (hover for scores, click to jump '
                   'to the row)' + ('; line: the alignment path' if al.mode == 'parallel' else '')
                   + '. A diagonal means the texts run in the same order; jumps show reordering, dark stretches '
                     'show text with no counterpart.</p>\n')
    body = f"""<header><h1>{heading}</h1>
<div>{_esc(al.mode)} alignment · {len(views)} links · <code>{_esc(al.signature)}</code></div>
{warning_html(al)}{filters_html(al)}<nav><a href="#summary">Summary</a><a href="#matrix">Similarity matrix</a><a href="#side">Side by side</a>{'<a href="#below">Below the bar</a>' if below else ''}{'<a href="#unmatched">Unmatched</a>' if unmatched else ''}</nav>
</header>
<section id="summary"><h2>Summary</h2>{summary_html(al, views)}</section>
<section id="matrix"><h2>Similarity matrix and alignment</h2>
{matrix_help if sim is not None else ''}{matrix}</section>
<section id="side"><h2>Side by side <small class="muted">({order_note}; hover a row for its scores)</small></h2>
<div class="tools"><label>show <select id="show">
<option value="">all links</option><option value="hide-high">all but high confidence</option>
<option value="only-low">low confidence only</option>{gap_option}
<option value="only-nd">number disagreements only</option><option value="only-nm">n-m links only</option>{review_options}
</select></label> <label>find <input id="find" type="search" size="26" placeholder="either side: WHO, الصحة" data-fold="{_esc(json.dumps(fold_tables(), ensure_ascii=False))}"
aria-label="find text on either side (diacritics, alef forms, quote and dash styles ignored, and case unless match case is on)"></label>
<label class="opt" title="match case (as grep -S): WHO skips who"><input type="checkbox" id="find-case" aria-label="match case">Aa</label>
<label class="opt" title="whole words only (as grep -w): no letter or digit right before or after, Arabic letters too, and whole numbers (800 is not in 379,800)"><input type="checkbox" id="find-word">whole word</label> <label>go to link <input id="go" size="6" inputmode="numeric"></label>
<span id="shown" class="muted"></span></div>
<div class="grid" id="links" role="table">
<div class="h" role="row"><div>link</div><div>{_esc(lang_name(al.src.lang))}</div><div>{_esc(lang_name(al.tgt.lang))}</div><div>type · {_esc(measure_label(measure_of(al)))}</div></div>
{rows_html(al, ordered) or _empty_rows(al)}
</div></section>
{below}
{unmatched}"""
    return ("<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_csp(_script())}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>\n{body}\n"
            f"<script>{_script()}</script></body></html>\n")


def check_report_name(path: str, hint: str = "name it NAME.html") -> None:
    """Refuse an HTML page under a name a pairs reader goes by (``r.tsv``, ``r.jsonl.gz``): it would
    read as garbage. ``hint``: how to name it instead (the CLI's ``-o NAME.html``)."""
    from .errors import InputError
    from .export import COMPRESSED_SUFFIXES, SUFFIXES
    from .io import is_special

    suffix = Path(path).suffix.lower()
    if not is_special(path) and (suffix in SUFFIXES or suffix in COMPRESSED_SUFFIXES):
        raise InputError(f"{path}: report writes an HTML page, but the name says "
                         f"{SUFFIXES.get(suffix, 'compressed')}; {hint}")


def write_report(al: Alignment, path: str | Path, *, matrix: bool = True, encoder: Any = None,
                 sim: np.ndarray | None = None, title: str | None = None,
                 log: Callable[[str], None] | None = None, cache: bool | str = True) -> None:
    """Write the HTML report of ``al`` to ``path`` atomically.

    With ``matrix`` the documents are re-embedded (``encoder``: an Encoder, a name,
    or None for the one named in the signature; a name is loaded with the embedding ``cache``)
    unless ``sim`` is given. An encoder that cannot be loaded leaves the matrix out with a note
    instead of failing.
    """
    from .errors import ParallelError
    from .io import atomic_writer

    note = "Similarity matrix skipped (--no-matrix)."
    chosen = matrix_encoder(al, encoder)
    model = chosen if isinstance(chosen, str) else getattr(chosen, "name", None)  # named in the legend
    if matrix and sim is None:
        try:
            sim = similarity_matrix(al, encoder, cache)
        except ParallelError as exc:
            note = f"Similarity matrix not available: {exc}"
            if log:
                log(note)
    page = render(al, sim=sim if matrix else None, title=title, matrix_note=note,
                  model=model if isinstance(model, str) else None)
    with atomic_writer(path) as fh:
        fh.write(page)
