"""Per-link evidence, computed once and carried in ``Link.features``.

Feature keys (a contract with the exporters, filters, report and review app):

================  =======  ==========================================================
key               type     meaning
================  =======  ==========================================================
``cosine``        float    cosine of the two sides' embeddings (absent for 0-n links)
``margin``        float    ratio margin (Artetxe & Schwenk 2019), k nearest neighbours
                           on both sides (absent for 0-n links)
``length_ratio``  float    source characters / target characters (target length
                           floored at 1, so ``1-0`` links get a large ratio and ``0-1``
                           links get 0)
``numbers``       str      ``agree`` / ``differ`` / ``none`` (no digits on either side)
``numbers_src``   str      the side's numbers, normalised, space separated (may be "")
``numbers_tgt``   str      idem for the target
``chrf``          float    chrF++ (0-100, sacrebleu) between the sides where they are
                           comparable; absent otherwise (see :func:`chrf_between`)
``p``             float    calibrated probability that the two sides say the same
                           thing (:mod:`parallel.confidence`); needs the embeddings;
                           absent for 0-n links
================  =======  ==========================================================

The link type is ``link.kind`` (``1-1``, ``2-1``, ``0-1`` ...), not a feature.
Features already on a link (e.g. the aligner's own ``cosine``/``margin``) are kept;
only missing ones are computed. Nothing here does I/O; sacrebleu is imported lazily.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import numpy as np

from .data import Alignment, Link
from .normalize import MARKS, VERSE_NUMBER

#: Smallest neighbourhood mean a ratio margin divides by.
MARGIN_FLOOR = 0.05

FEATURES = ("cosine", "margin", "length_ratio", "numbers", "numbers_src", "numbers_tgt", "chrf", "p")
FLOAT_FEATURES = ("cosine", "margin", "length_ratio", "chrf", "p")
STRING_FEATURES = ("numbers", "numbers_src", "numbers_tgt")
MARGIN_K = 4

# ---------------------------------------------------------------- numbers

# Arabic-Indic (U+0660..0669) and Extended Arabic-Indic / Persian (U+06F0..06F9) digits,
# Arabic decimal (U+066B) and thousands (U+066C) separators.
_DIGITS = {**{0x0660 + d: str(d) for d in range(10)}, **{0x06F0 + d: str(d) for d in range(10)},
           0x066B: ".", 0x066C: ","}

_SCALES = {
    "thousand": 3, "thousands": 3, "million": 6, "millions": 6, "billion": 9, "billions": 9,
    "trillion": 12, "trillions": 12,
    "ألف": 3, "الف": 3, "آلاف": 3, "ألاف": 3, "الاف": 3, "مليون": 6, "ملايين": 6, "مليار": 9,
    "مليارات": 9, "بليون": 9, "بلايين": 9, "تريليون": 12, "تريليونات": 12, "ترليون": 12, "ترليونات": 12,
}
# Money shorthand, counted only right after a currency sign: "$2.8bn", "£125m", "€20k".
_MONEY_SCALES = {"bn": 9, "mn": 6, "m": 6, "k": 3}
_NUMBER = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)*)"
    r"(?:\s*(" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")(?:ًا|اً|ا|ً)?\b"  # 20 ألفا
    r"|(bn|mn|m|k)\b)?",
    re.IGNORECASE,
)
_NUMBER_MARKS = {ord(c): None for c in MARKS if c != "\u06dd"}
_CURRENCY = re.compile(r"[$£€¥]\s?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")


def normalize_digits(text: str) -> str:
    """``text`` with Arabic-Indic and Persian digits (and Arabic separators) as ASCII."""
    return text.translate(_DIGITS)


def _canonical(digits: str, scale: str | None, money: str | None = None) -> str:
    if _THOUSANDS.match(digits) or (digits.count(",") > 1 and "." not in digits):
        digits = digits.replace(",", "")
    elif "," in digits and "." not in digits:
        digits = digits.replace(",", ".")          # 2,5 : a decimal comma
    else:
        digits = digits.replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # e.g. "1.2.3" (a version or a date): keep as written
        return digits
    if scale:
        value = value.scaleb(_SCALES[scale.lower()])
    elif money:
        value = value.scaleb(_MONEY_SCALES[money.lower()])
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def scan_numbers(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """``text`` with its digits normalised (:func:`normalize_digits`) and its marks and tatweel
    dropped (:data:`parallel.normalize.MARKS`, the end-of-ayah sign kept), and, for each number in it,
    ``(start, value, as written)``: its position in that text, its value as
    :func:`extract_numbers` gives it, and the digits before a scale word or money shorthand
    multiplied them (``1.5 million`` -> ``1500000``, ``1.5``)."""
    # vowel marks and tatweel between the letters of a scale word ("٢٠ أَلْفَ", "٥٠ ألــف") hide it;
    # the end-of-ayah sign stays (it marks a verse number, VERSE_NUMBER)
    text = normalize_digits(text)
    if not text.isascii():
        text = text.translate(_NUMBER_MARKS)
    verses = [m.span() for m in VERSE_NUMBER.finditer(text)]
    out = []
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in verses):
            continue  # a verse number of the Qur'an (﴿١٢﴾, ۝١٢) marks the text, it says nothing
        if m.group(1) == "00" and m.start() >= 2 and text[m.start() - 1] == ":" and text[m.start() - 2].isdigit():
            continue  # the minutes of a time on the hour (04:00): the other side says "at 4"
        money = m.group(3) if m.group(3) and _CURRENCY.search(text, 0, m.start()) else None
        out.append((m.start(), _canonical(m.group(1), m.group(2), money), _canonical(m.group(1), None)))
    return text, out


def extract_numbers(text: str) -> list[str]:
    """Numbers written with digits in ``text``, normalised, in order of appearance.

    Arabic-Indic/Persian digits become ASCII, thousands separators go, a scale
    word that follows (``20 million``, ``100 ألف``, ``20 ألفا``) multiplies, and so does
    money shorthand after a currency sign (``$2.8bn``, ``£125m``): ``"١٠٠ ألف"`` and
    ``"100,000"`` both give ``"100000"``.
    """
    return [value for _, value, _ in scan_numbers(text)[1]]


def numbers_agreement(src: str, tgt: str) -> tuple[str, str, str]:
    """``(verdict, numbers_src, numbers_tgt)``; verdict is agree / differ / none.

    The sides agree when they hold the same *set* of numbers (repeats and order
    do not matter: translations reorder and repeat).
    """
    a, b = extract_numbers(src), extract_numbers(tgt)
    if not a and not b:
        verdict = "none"
    else:
        verdict = "agree" if set(a) == set(b) else "differ"
    return verdict, " ".join(a), " ".join(b)


# ---------------------------------------------------------------- chrF++

_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_LETTER = re.compile(r"[^\W\d_]")
_TRANSFER = re.compile(r"[0-9A-Za-z\u00C0-\u024F][0-9A-Za-z\u00C0-\u024F'’.\-]*")


def _is_latin(text: str) -> bool:
    letters = _LETTER.findall(text)
    return bool(letters) and sum(bool(_LATIN.match(c)) for c in letters) >= len(letters) / 2


@lru_cache(maxsize=1)
def _chrf() -> Any:
    from sacrebleu.metrics.chrf import CHRF

    return CHRF(word_order=2)


def chrf_between(src: str, tgt: str) -> float | None:
    """chrF++ (0-100) between the two sides, or None where they are not comparable.

    Same script on both sides (e.g. German-French): chrF++ of the target against
    the source. Different scripts (Arabic-English): chrF++ of the material that
    crosses scripts unchanged -- digits (normalised) and Latin-script tokens
    (names, acronyms, ``COVID-19``) -- the non-Latin side's tokens being the
    reference and the Latin side's digit or capitalised tokens the hypothesis.
    None when a side is empty or the non-Latin side carries no such material.
    """
    if not src.strip() or not tgt.strip():
        return None
    s, t = normalize_digits(src), normalize_digits(tgt)
    s_latin, t_latin = _is_latin(s), _is_latin(t)
    if s_latin == t_latin:
        return float(_chrf().sentence_score(t, [s]).score)
    other, latin = (t, s) if s_latin else (s, t)
    ref = " ".join(_TRANSFER.findall(other))
    hyp = " ".join(w for w in _TRANSFER.findall(latin) if w[0].isdigit() or w[0].isupper())
    if len(ref) < 2 or not hyp:
        return None
    return float(_chrf().sentence_score(hyp, [ref]).score)


# ---------------------------------------------------------------- embeddings


def _knn_mean(sim: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` largest values of each row of ``sim`` (r, c) -> (r,)."""
    if sim.shape[1] == 0:
        return np.zeros(sim.shape[0], dtype=np.float64)
    k = max(1, min(k, sim.shape[1]))
    part = -np.partition(-sim, k - 1, axis=1)[:, :k]
    return np.asarray(part.mean(axis=1), dtype=np.float64)


def _side_vectors(ids: Sequence[tuple[int, ...]], emb: np.ndarray, texts: list[str] | None,
                  encoder: Any) -> np.ndarray:
    """One unit vector (L, d) per link side: the sentence's own row for one sentence; for
    several, the encoding of the joined text when an encoder is given, else the
    re-normalised mean of the sentences' rows."""
    out = np.zeros((len(ids), emb.shape[1]), dtype=np.float32)
    multi = [n for n, side in enumerate(ids) if len(side) > 1]
    for n, side in enumerate(ids):
        if len(side) == 1:
            out[n] = emb[side[0]]
        elif len(side) > 1:
            out[n] = emb[list(side)].mean(axis=0)
    if multi and encoder is not None and texts is not None:
        out[multi] = np.asarray(encoder.encode([texts[n] for n in multi]), dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.asarray(out / np.maximum(norms, 1e-12), dtype=np.float32)


def embedding_features(links: Sequence[Link], src_emb: np.ndarray, tgt_emb: np.ndarray, *,
                       k: int = MARGIN_K, encoder: Any = None,
                       src_texts: list[str] | None = None,
                       tgt_texts: list[str] | None = None) -> list[dict[str, float]]:
    """``cosine`` and ``margin`` per link (empty dict for a link with an empty side).

    ``src_emb`` (n, d) and ``tgt_emb`` (m, d) are the documents' L2-normalised
    sentence embeddings. Margin is the ratio margin ``cos(x, y) / ((knn(x) +
    knn(y)) / 2)`` where ``knn(x)`` is the mean cosine of ``x`` with its ``k``
    nearest sentences of the other document. ``src_texts``/``tgt_texts`` (one per
    link) let ``encoder`` embed the joined text of many-sentence sides.
    """
    full = [n for n, link in enumerate(links) if link.src and link.tgt]
    result: list[dict[str, float]] = [{} for _ in links]
    if not full:
        return result
    sel = [links[n] for n in full]
    s_txt = [src_texts[n] for n in full] if src_texts is not None else None
    t_txt = [tgt_texts[n] for n in full] if tgt_texts is not None else None
    s_vec = _side_vectors([k_.src for k_ in sel], src_emb, s_txt, encoder)
    t_vec = _side_vectors([k_.tgt for k_ in sel], tgt_emb, t_txt, encoder)
    cos = np.einsum("ij,ij->i", s_vec.astype(np.float64), t_vec.astype(np.float64))
    fwd = np.concatenate([_knn_mean(s_vec[i:i + 1024] @ tgt_emb.T, k) for i in range(0, len(sel), 1024)])
    bwd = np.concatenate([_knn_mean(t_vec[i:i + 1024] @ src_emb.T, k) for i in range(0, len(sel), 1024)])
    # a sentence with no neighbour of any likeness (digits only, a symbol) has a neighbourhood mean near
    # or below 0: the ratio would explode (-47942 was seen); a floor keeps it within +-20
    denom = np.maximum((fwd + bwd) / 2, MARGIN_FLOOR)
    margin = cos / denom
    for pos, n in enumerate(full):
        result[n] = {"cosine": round(float(cos[pos]), 6), "margin": round(float(margin[pos]), 6)}
    return result


# ---------------------------------------------------------------- annotation


def text_features(src: str, tgt: str) -> dict[str, Any]:
    """The features that need only the two texts (length ratio, numbers, chrF++)."""
    verdict, n_src, n_tgt = numbers_agreement(src, tgt)
    feats: dict[str, Any] = {
        "length_ratio": round(len(src) / max(len(tgt), 1), 6),
        "numbers": verdict,
        "numbers_src": n_src,
        "numbers_tgt": n_tgt,
    }
    chrf = chrf_between(src, tgt)
    if chrf is not None:
        feats["chrf"] = round(chrf, 4)
    return feats


def annotate(al: Alignment, *, src_emb: np.ndarray | None = None, tgt_emb: np.ndarray | None = None,
             encoder: Any = None, k: int = MARGIN_K) -> Alignment:
    """``al`` with every link's features completed (existing features win).

    Embedding features (cosine, margin) need ``src_emb`` (n, d) and ``tgt_emb``
    (m, d), the documents' sentence embeddings in order; without them only the
    text features are added. ``p`` of a parallel-mode alignment whose ``info["translation"]`` is
    set (the mode test took the texts for a translation) is the p of a link in a translation
    (:func:`parallel.confidence.in_translation`), else the p of the pair on its own.
    """
    links = list(al.links)
    src_texts = [al.src_text(link) for link in links]
    tgt_texts = [al.tgt_text(link) for link in links]
    emb: list[dict[str, float]] = [{} for _ in links]
    if src_emb is not None and tgt_emb is not None and len(src_emb) and len(tgt_emb):
        # a blank side (an empty line with --presplit) says nothing: no p (two blanks had p 0.9953)
        need_p = [n for n, link in enumerate(links) if link.src and link.tgt and "p" not in link.features
                  and src_texts[n].strip() and tgt_texts[n].strip()]
        if need_p:
            from .confidence import link_probabilities

            sel = [links[n] for n in need_p]
            s_vec = _side_vectors([lk.src for lk in sel], src_emb, [src_texts[n] for n in need_p], encoder)
            t_vec = _side_vectors([lk.tgt for lk in sel], tgt_emb, [tgt_texts[n] for n in need_p], encoder)
            ps = link_probabilities(s_vec, t_vec, src_emb, tgt_emb, [lk.src for lk in sel],
                                    [lk.tgt for lk in sel], [src_texts[n] for n in need_p],
                                    [tgt_texts[n] for n in need_p], encoder=encoder, k=k)
            if al.mode == "parallel" and al.info.get("translation"):
                # links forced in a translation are right far more often than their pairs alone say
                from .confidence import in_translation

                ps = in_translation(ps)
            for n, p in zip(need_p, ps, strict=True):
                emb[n]["p"] = round(float(p), 4)
        need = [n for n, link in enumerate(links)
                if not ("cosine" in link.features and "margin" in link.features)]
        if need:
            got = embedding_features([links[n] for n in need], src_emb, tgt_emb, k=k, encoder=encoder,
                                     src_texts=[src_texts[n] for n in need],
                                     tgt_texts=[tgt_texts[n] for n in need])
            for n, feats in zip(need, got, strict=True):
                emb[n] = {**emb[n], **feats}
    out = []
    for n, link in enumerate(links):
        merged: dict[str, Any] = {**emb[n], **text_features(src_texts[n], tgt_texts[n])}
        merged.update(link.features)
        out.append(replace(link, features=merged))
    return replace(al, links=tuple(out))
