"""Scoring alignments against gold: strict/lax P/R/F1 (Vecalign) and mining P/R/F1 (BUCC).

Standard definitions (Vecalign's ``score.py``, Bertalign, SentAlign):

* a link is a pair ``(src ids, tgt ids)`` of tuples;
* strict hit: the predicted link equals a gold link;
* lax hit: the predicted link shares at least one source id and one target id with a gold link;
* precision is counted over predicted links, recall over gold links (the same test with the roles
  swapped); counts are pooled over documents, then ``F1 = 2PR / (P + R)``;
* links with an empty side (1-0, 0-1), the *null policy*: ``"reference"`` (the default, exactly
  Vecalign's ``score.py``, which Bertalign's ``eval.py`` copies) keeps predicted empty-sided links
  in precision - a predicted ``[5]:[]`` is a strict hit only when the gold has ``[5]:[]`` and never
  a lax one otherwise - and removes them from both sides for recall; ``"drop"`` removes them from
  both sides everywhere (higher figures that cannot be compared with published ones).

Mining (comparable texts, BUCC style): predicted and gold sentence pairs as sets; a link with
several ids on a side counts as every (src, tgt) pair it contains.

Pure Python, no numpy; readers raise :class:`~parallel.errors.InputError` on malformed files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from .errors import InputError
from .io import read_text

AlignLink = tuple[tuple[int, ...], tuple[int, ...]]
#: the texts of a document's sentences a file gives, ``({src id: text}, {tgt id: text})``
Texts = tuple[dict[int, str], dict[int, str]]

NULL_POLICIES = ("reference", "drop")

__all__ = [
    "NULL_POLICIES",
    "PRF",
    "AlignScores",
    "LinkFile",
    "align_counts",
    "align_scores",
    "check_one_link_per_sentence",
    "link_format",
    "mining_scores",
    "missing_null_links",
    "null_link_gaps",
    "parse_pairs_tsv",
    "parse_vecalign",
    "read_link_file",
    "read_links",
    "read_pairs_tsv",
    "read_vecalign",
    "text_difference",
]


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the counts they come from.

    ``precision = tp_pred / n_pred`` and ``recall = tp_gold / n_gold`` (for strict scores and for
    mining ``tp_pred == tp_gold``). A ratio with a zero denominator is 0.0.
    """

    tp_pred: int
    n_pred: int
    tp_gold: int
    n_gold: int

    @property
    def precision(self) -> float:
        return self.tp_pred / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp_pred + other.tp_pred, self.n_pred + other.n_pred,
                   self.tp_gold + other.tp_gold, self.n_gold + other.n_gold)

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "tp_pred": self.tp_pred, "n_pred": self.n_pred,
                "tp_gold": self.tp_gold, "n_gold": self.n_gold}


@dataclass(frozen=True)
class AlignScores:
    """Strict and lax scores of an alignment (pooled counts; add them over documents)."""

    strict: PRF
    lax: PRF

    def __add__(self, other: AlignScores) -> AlignScores:
        return AlignScores(self.strict + other.strict, self.lax + other.lax)


def _norm_links(links: Iterable[Sequence[Iterable[int]]], keep_null: bool = False) -> list[AlignLink]:
    """Links as tuples of ints, each once, in first-seen order; a link with an empty side is kept
    only with ``keep_null`` (one with both sides empty never)."""
    out: dict[AlignLink, None] = {}
    for link in links:
        src, tgt = link[0], link[1]
        s, t = tuple(int(i) for i in src), tuple(int(j) for j in tgt)
        if (s and t) or (keep_null and (s or t)):
            out[(s, t)] = None
    return list(out)


def _hits(test: list[AlignLink], gold: list[AlignLink]) -> tuple[int, int]:
    """(strict hits, lax hits) of the links in ``test`` against ``gold``.

    Strict: the link is in ``gold``. Lax: it shares a source id and a target id with a gold link
    (a link with an empty side can be a lax hit only by being a strict one).
    """
    gold_set = set(gold)
    by_src: dict[int, list[int]] = {}
    for g, (gs, _) in enumerate(gold):
        for i in gs:
            by_src.setdefault(i, []).append(g)
    gold_tgt = [set(gt) for _, gt in gold]
    strict = lax = 0
    for s, t in test:
        if (s, t) in gold_set:
            strict += 1
            lax += 1
            continue
        cands = {g for i in s for g in by_src.get(i, ())}
        tset = set(t)
        if any(gold_tgt[g] & tset for g in cands):
            lax += 1
    return strict, lax


def align_counts(pred: Iterable[Sequence[Iterable[int]]],
                 gold: Iterable[Sequence[Iterable[int]]], null_policy: str = "reference") -> AlignScores:
    """Strict and lax counts for one document.

    ``pred`` and ``gold`` are sequences of ``(src_ids, tgt_ids)``; ``null_policy`` says what
    happens to links with an empty side (see the module docstring): ``"reference"`` counts the
    predicted ones in precision, as Vecalign's ``score.py`` does; ``"drop"`` leaves them out of
    both. Add the results over documents to pool them.

    >>> gold = [((0,), (0,)), ((1,), ())]
    >>> pred = [((0,), (0,)), ((1,), ()), ((), (1,))]
    >>> align_counts(pred, gold).strict.n_pred, align_counts(pred, gold, "drop").strict.n_pred
    (3, 1)
    """
    if null_policy not in NULL_POLICIES:
        raise ValueError(f"null_policy must be one of {', '.join(NULL_POLICIES)}, not {null_policy!r}")
    pred, gold = list(pred), list(gold)
    keep = null_policy == "reference"
    p_all, g_all = _norm_links(pred, keep), _norm_links(gold, keep)
    p, g = _norm_links(pred), _norm_links(gold)
    p_strict, p_lax = _hits(p_all, g_all)
    r_strict, r_lax = _hits(g, p)
    return AlignScores(PRF(p_strict, len(p_all), r_strict, len(g)), PRF(p_lax, len(p_all), r_lax, len(g)))


def align_scores(pred_docs: Sequence[Sequence[Sequence[Iterable[int]]]],
                 gold_docs: Sequence[Sequence[Sequence[Iterable[int]]]],
                 null_policy: str = "reference") -> AlignScores:
    """Pooled strict/lax scores over documents (``pred_docs[k]`` is scored against ``gold_docs[k]``)."""
    if len(pred_docs) != len(gold_docs):
        raise InputError(f"{len(pred_docs)} predicted documents but {len(gold_docs)} gold documents")
    total = AlignScores(PRF(0, 0, 0, 0), PRF(0, 0, 0, 0))
    for p, g in zip(pred_docs, gold_docs, strict=True):
        total = total + align_counts(p, g, null_policy)
    return total


def _atomic_pairs(pairs: Iterable[Sequence[object]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for pair in pairs:
        src, tgt = pair[0], pair[1]
        ss = (src,) if isinstance(src, int) else tuple(src)  # type: ignore[arg-type]
        ts = (tgt,) if isinstance(tgt, int) else tuple(tgt)  # type: ignore[arg-type]
        for i in ss:
            for j in ts:
                out.add((int(i), int(j)))
    return out


def mining_scores(pred_pairs: Iterable[Sequence[object]], gold_pairs: Iterable[Sequence[object]]) -> PRF:
    """BUCC-style precision/recall/F1 of mined sentence pairs.

    Each pair is ``(src, tgt)`` where a side is an int or a sequence of ints (a link with several
    ids on a side counts as all its (src, tgt) pairs). Duplicates count once.

    >>> s = mining_scores([(0, 1), (2, 3), (4, 4)], [(0, 1), (2, 3), (5, 5), (6, 6)])
    >>> round(s.precision, 3), round(s.recall, 3), round(s.f1, 3)
    (0.667, 0.5, 0.571)
    """
    p, g = _atomic_pairs(pred_pairs), _atomic_pairs(gold_pairs)
    tp = len(p & g)
    return PRF(tp, len(p), tp, len(g))


# ----------------------------------------------------------------------------- readers

_VEC_LINE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\](?:\s*:\s*(\S+))?\s*$")


def _ids(field: str, where: str) -> tuple[int, ...]:
    field = field.strip()
    if not field:
        return ()
    try:
        ids = tuple(int(x) for x in field.split(","))
    except ValueError:
        raise InputError(f"{where}: bad sentence ids {field!r}") from None
    for i in ids:
        if i < 0:  # as the readers of filter and mt-eval say: no sentence has it
            raise InputError(f"{where}: negative sentence id {i}")
    return ids


def parse_vecalign(text: str, name: str = "alignment") -> list[AlignLink]:
    """Links of a Vecalign-format text (``[0, 1]:[2]:0.12`` per line; blank and ``#`` lines
    skipped; a score, when there, must be a number)."""
    links: list[AlignLink] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _VEC_LINE.match(line)
        if not m:
            raise InputError(f"{name}:{n}: not a Vecalign alignment line: {line.strip()[:60]!r}")
        if m.group(3) is not None:
            try:
                score = float(m.group(3))
            except ValueError:
                raise InputError(f"{name}:{n}: score {m.group(3)[:20]!r} is not a number "
                                 "(want [i, j]:[k] or [i, j]:[k]:0.123)") from None
            if not math.isfinite(score):  # nan, inf: refused as every reader refuses them
                raise InputError(f"{name}: line {n}: score {m.group(3)!r} is not a finite number")
        links.append((_ids(m.group(1), f"{name}:{n}"), _ids(m.group(2), f"{name}:{n}")))
    return links


def check_one_link_per_sentence(links: Sequence[AlignLink], name: str) -> str | None:
    """Where links put a sentence in two links (or twice in one), a one-line warning naming the
    first such sentence, else None. An aligner puts each sentence in one link at most, so such a
    prediction is a broken alignment; the reference scorer scores it anyway (each distinct link
    once), and so does ``eval``, saying so."""

    def label(n: int) -> str:
        return f"{list(links[n][0])}:{list(links[n][1])}"

    for side, k in (("source", 0), ("target", 1)):
        held: dict[int, int] = {}
        for n, link in enumerate(links):
            for i in link[k]:
                if i in held:
                    where = "twice in it" if held[i] == n else f"also in {label(held[i])}"
                    return (f"{name}: {side} sentence {i} of link {label(n)} is {where}, which no alignment "
                            "does; scored as the reference scorer scores it, each distinct link once")
                held[i] = n
    return None


@cache  # asked once per row
def _number_columns(names: tuple[str, ...]) -> tuple[tuple[tuple[int, str], ...], tuple[int, ...]]:
    """Of TSV columns of the pair schema: ``(index, name)`` of each number column (``score``,
    ``p``, ``cosine`` ...), and the indexes of columns outside the schema (read as JSON values)."""
    from .export import TSV_COLUMNS
    from .schema import TYPES

    numbers = tuple((k, c) for k, c in enumerate(names) if TYPES.get(c) == "float")  # score too
    other = tuple(k for k, c in enumerate(names) if c not in TYPES and c not in TSV_COLUMNS and c != "type")
    return numbers, other


def _check_numbers(names: tuple[str, ...], fields: Sequence[str], where: str) -> None:
    """InputError, in the words of :func:`parallel.readers.read_tsv`, when a number field of a
    TSV row of the pair schema (``score``, ``p``, ``cosine`` ...) is not a finite number (``nan``,
    ``inf``) or no number: only the ids are scored, but every reader refuses such a file."""
    numbers, other = _number_columns(names)
    for k, col in numbers:
        if k < len(fields) and fields[k]:
            try:
                if math.isfinite(float(fields[k])):
                    continue
            except ValueError:
                pass
            from .readers import _float

            _float(fields[k], where, col)  # raises, saying why
    if other:
        from .readers import _typed_features

        _typed_features({names[k]: fields[k] for k in other if k < len(fields)}, where)


def _whole_texts(rows: Iterable[tuple[tuple[int, ...], tuple[int, ...], str, str]]) -> Texts:
    """The texts of ``(src_ids, tgt_ids, src_text, tgt_text)`` rows, by sentence, where a row gives a
    sentence whole: alone on its side of the one row naming it (a side of several sentences joins
    them with spaces, so where one ends is a guess)."""
    out: Texts = ({}, {})
    seen: tuple[set[int], set[int]] = (set(), set())
    for s_ids, t_ids, s_text, t_text in rows:
        for ids, text, got, held in ((s_ids, s_text, out[0], seen[0]), (t_ids, t_text, out[1], seen[1])):
            for i in ids:
                if i in held:  # named twice: which text is its own is not known
                    got.pop(i, None)
                elif len(ids) == 1:
                    got[i] = text
                held.add(i)
    return out


# What the formats change in a text (a TSV cell's tabs and line breaks become spaces, a TMX
# segment's characters XML cannot carry too): left out when texts are compared.
_NOT_COMPARED = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+")


def text_difference(a: Texts, b: Texts) -> tuple[int, int, str, str] | None:
    """The first sentence both ``a`` and ``b`` give a text for (not blank) and give different
    texts, as ``(side, id, its text in a, in b)`` (side 0 source, 1 target); None when they
    agree. Compared as ``grep`` reads them (:func:`parallel.concordance.fold_text`: NFKC, case,
    diacritics and tatweel folded), without white space and control characters (the formats
    change them): a gold file written by hand may differ in those and still be of these documents."""
    from .concordance import fold_text

    for side in (0, 1):
        for i in sorted(a[side].keys() & b[side].keys()):
            x = _NOT_COMPARED.sub("", fold_text(a[side][i]))
            y = _NOT_COMPARED.sub("", fold_text(b[side][i]))
            if x and y and x != y:
                return side, i, a[side][i], b[side][i]
    return None


def parse_pairs_tsv(text: str, name: str = "pairs") -> list[AlignLink]:
    """Pairs of a TSV file: with a header line of the pair schema (it names ``src_ids`` and
    ``tgt_ids``: read by name), or without one, the ids (``3`` or ``3,4``) in the first two
    columns. A header without those columns is refused (its columns would be read as ids).

    In a file of the pair schema (its header line, or no header and as many columns as one of
    its layouts) a number field that is not a finite number (``nan``, ``inf``), or no number, is
    refused, as every reader refuses it."""
    return _parse_tsv(text, name)[0]


def _no_ids(name: str) -> str:
    return (f"{name}: holds no sentence ids to score (made from a Moses file, or from elsewhere without "
            "them); give the Vecalign, TSV, JSONL, TMX or JSON export of the alignment")


def _parse_tsv(text: str, name: str) -> tuple[list[AlignLink], Texts | None, list[bool]]:
    """:func:`parse_pairs_tsv`, the sentence texts where the file has its ``src`` and ``tgt``
    columns (:func:`_whole_texts`), else None, and for each pair whether its ``status`` column
    says a reviewer rejected it."""
    from .readers import _headerless_columns, _lines, _tsv_header

    pairs: list[AlignLink] = []
    rejected: list[bool] = []  # by pair: its status column says a reviewer rejected it
    rows: list[tuple[tuple[int, ...], tuple[int, ...], str, str]] = []
    header: tuple[str, ...] | None = None
    first = True
    width = 0
    no_ids: list[int] = []  # lines of rows with neither side's ids
    for n, line in enumerate(_lines(text), 1):  # LF only: a text cell may hold U+2028, as filter reads it
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise InputError(f"{name}:{n}: expected two tab-separated id columns")
        if first and not re.fullmatch(r"[0-9,\s]*", cols[0]):
            header = _tsv_header(line)  # a header line: its column names, if ours
            if header is None:  # not ours: its columns would be read as ids, and scored
                missing = [c for c in ("src_ids", "tgt_ids") if c not in cols]
                raise InputError(f"{name}:{n}: header {', '.join(c[:20] for c in cols[:4])}"
                                 f"{', ...' if len(cols) > 4 else ''} has no column{'s' * (len(missing) > 1)} "
                                 f"{' and '.join(missing)}; want a header naming src_ids and tgt_ids (src_ids, "
                                 "tgt_ids, src, tgt, score, as align, mine and filter write it) or no header "
                                 "and the ids in the first two columns")
            first = False
            continue
        first = False
        # a row with more or fewer fields than the others (a file cut off in the middle of a row)
        # is no pair: its second field would be read as ids and scored
        width = len(header) if header is not None else (width or len(cols))
        if len(cols) != width:
            raise InputError(f"{name}: line {n}: {len(cols)} tab-separated fields, expected {width} "
                             f"({'as the header names' if header is not None else 'as the rows before it'})")
        names = header or _headerless_columns(len(cols))
        if header is None and names is not None and names[0] != "src_ids":
            # a headerless layout of the pair schema that opens with another column (pair)
            src, tgt = cols[names.index("src_ids")], cols[names.index("tgt_ids")]
        elif header is None:
            src, tgt = cols[0], cols[1]
        else:  # read by name: a table whose columns were moved by hand still names them
            k, m = header.index("src_ids"), header.index("tgt_ids")
            if max(k, m) >= len(cols):
                raise InputError(f"{name}:{n}: {len(cols)} tab-separated fields, no {header[max(k, m)]} "
                                 f"(the header names {len(header)} columns)")
            src, tgt = cols[k], cols[m]
        pairs.append((_ids(src, f"{name}:{n}"), _ids(tgt, f"{name}:{n}")))
        rejected.append(names is not None and "status" in names and len(cols) == len(names)
                        and cols[names.index("status")] == "rejected")
        if not pairs[-1][0] and not pairs[-1][1]:
            no_ids.append(n)
        if names is not None:
            _check_numbers(names, cols, f"{name}: line {n}")
            if "src" in names and "tgt" in names and len(cols) == len(names):
                rows.append((*pairs[-1], cols[names.index("src")], cols[names.index("tgt")]))
    if no_ids and len(no_ids) == len(pairs):  # the pairs without their ids: scored, every one would be wrong
        raise InputError(_no_ids(name))
    if no_ids:
        raise InputError(f"{name}: line {no_ids[0]}: no sentence ids on either side (src_ids and tgt_ids "
                         "are empty), so the row is no link")
    return pairs, (_whole_texts(rows) if rows else None), rejected


def _without_rejected(links: Sequence[AlignLink], rejected: Sequence[bool], comparable: bool) -> list[AlignLink]:
    """``links`` with those a reviewer rejected taken out, as ``filter --drop-rejected
    --keep-empty`` writes them: in a parallel alignment each of their sentences becomes a 1-0 / 0-1
    link (every sentence stays in one link), in a comparable one they are unmatched (no link)."""
    out: list[AlignLink] = []
    for link, no in zip(links, rejected):
        if not no:
            out.append(link)
        elif not comparable:
            out += [((i,), ()) for i in link[0]] + [((), (j,)) for j in link[1]]
    return out


def read_vecalign(path: str | Path) -> list[AlignLink]:
    """Read a Vecalign-format file (an empty file is an empty alignment)."""
    return parse_vecalign(read_text(path, allow_empty=True), str(path))


def read_pairs_tsv(path: str | Path) -> list[AlignLink]:
    """Read a TSV file of id pairs (mining output or gold; an empty file has no pairs)."""
    return parse_pairs_tsv(read_text(path, allow_empty=True), str(path))


def link_format(path: str | Path) -> str:
    """How :func:`read_links` reads ``path``: ``vecalign`` (lines ``[i]:[j]``, also when neither
    name nor content tell), ``tsv`` (id pairs in the first two columns, or a TSV export), or the
    export format (``jsonl``, ``tmx``, ``json``, ``moses``)."""
    return _link_format(path, read_text(path, allow_empty=True))


def _link_format(path: str | Path, text: str) -> str:
    from .readers import sniff_format

    kind = sniff_format(path, text)
    if kind in ("jsonl", "tmx", "json", "moses", "tsv"):
        return kind
    return "vecalign"


@dataclass(frozen=True)
class LinkFile:
    """An alignment file as :func:`read_link_file` reads it.

    ``docs``: the links by document (see :func:`read_links`); ``kind``: its format
    (:func:`link_format`); ``comparable``: its signature (``FILE.sig``, or the one inside a
    jsonl/tmx/json file) says comparable mode, or a TSV without one has crossing links;
    ``unmatched``: how many entries of a comparable file (``[i]:[]``, ``--keep-empty`` rows)
    list an unmatched sentence and were skipped, not being links; ``signed``: whether the
    file says its mode at all (a TSV or Vecalign file without its ``.sig`` does not);
    ``comparable_pairs``: in a file joining pairs of both modes (``run``'s ``_all.jsonl``), the
    pairs whose own signature says comparable (None: every pair has the file's mode); ``sizes``:
    the sentences of each side where the file holds its documents (native JSON), else None;
    ``empty``: the file has no content (0 bytes or white space only), read as no links;
    ``zero_pairs``: it is empty as an export of zero pairs is (0 bytes of JSONL, or of TSV with
    its ``.sig``: :func:`parallel.readers.zero_pairs_export`), not as a failed run leaves it; ``texts``:
    the sentence texts of each document where the file carries them (json, jsonl, tmx, a TSV
    with its ``src`` and ``tgt`` columns; see :func:`_whole_texts`), else None; ``langs``: the
    source and target languages where the file names them (its signature, or a json, jsonl or
    tmx file's own language fields), else None; ``signature``: the file's signature (its
    ``.sig``, or the one inside it), "" where it has none; ``sizes_from``: where ``sizes`` come
    from when not from the file itself (its alignment's native JSON beside it:
    :func:`with_native_sizes`)."""

    docs: dict[str, list[AlignLink]]
    kind: str
    comparable: bool = False
    unmatched: int = 0
    signed: bool = True
    comparable_pairs: frozenset[str] | None = None
    sizes: tuple[int, int] | None = None  # sentences a side, where the file holds its documents (json)
    empty: bool = False  # no content at all: what a failed run leaves, not an alignment without links
    texts: dict[str, Texts] | None = None  # by document, where the file carries sentence texts
    rejected: int = 0  # links a reviewer rejected: not predictions (see :func:`read_link_file`)
    zero_pairs: bool = False  # empty as an export of zero pairs is (0 bytes of jsonl, a tsv with its .sig)
    langs: tuple[str, str] | None = None  # (source, target) where the file names them
    signature: str = ""  # the file's signature ("" where it has none)
    sizes_from: str | None = None  # the native JSON beside the file that gave ``sizes``
    # by document, the links as the file wrote them where a reviewer rejected some in a parallel
    # alignment (``docs`` has each of their sentences as a 1-0 / 0-1 link instead): whether an
    # export kept its own 1-0 / 0-1 links is read from these (``eval``'s warning)
    written: dict[str, list[AlignLink]] | None = None

    def swapped(self) -> LinkFile:
        """The file read the other way round: each link's source ids as target ones and its target
        ids as source ones, and so its sizes, texts and languages (``eval --swap-gold``)."""
        return replace(self, docs={k: [(t, s) for s, t in v] for k, v in self.docs.items()},
                       written=None if self.written is None
                       else {k: [(t, s) for s, t in v] for k, v in self.written.items()},
                       sizes=None if self.sizes is None else (self.sizes[1], self.sizes[0]),
                       texts=None if self.texts is None else {k: (v[1], v[0]) for k, v in self.texts.items()},
                       langs=None if self.langs is None else (self.langs[1], self.langs[0]))

    def pair(self, name: str) -> LinkFile:
        """The file's entry for one of its pairs, with that pair's own mode."""
        comparable = self.comparable if self.comparable_pairs is None else name in self.comparable_pairs
        texts = {name: self.texts[name]} if self.texts and name in self.texts else None
        return LinkFile({name: self.docs.get(name, [])}, self.kind, comparable, self.unmatched, self.signed,
                        sizes=self.sizes if len(self.docs) == 1 else None, empty=self.empty, texts=texts,
                        rejected=self.rejected, zero_pairs=self.zero_pairs, langs=self.langs,
                        signature=self.signature if len(self.docs) == 1 else "",
                        sizes_from=self.sizes_from if len(self.docs) == 1 else None,
                        written={name: self.written[name]} if self.written and name in self.written else None)

    def as_written(self, name: str) -> list[AlignLink]:
        """Document ``name``'s links as the file wrote them: a link a reviewer rejected is one link
        there, where ``docs`` (what is scored) has its sentences as 1-0 / 0-1 links."""
        return (self.written or {}).get(name, self.docs.get(name, []))

    @property
    def doc_texts(self) -> Texts | None:
        """The sentence texts of the file's one document (see ``texts``), else None."""
        return next(iter(self.texts.values())) if self.texts and len(self.docs) == 1 else None

    @property
    def links(self) -> list[AlignLink]:
        return [link for links in self.docs.values() for link in links]


def origin_files(origins: Iterable[object]) -> list[str]:
    """The files mined pairs come from, by their ``FILE:LINE`` origins (empty ones skipped)."""
    from .readers import origin_file

    return sorted({f for o in origins if (f := origin_file(o)) is not None})


def _one_origin_file(name: str, side: str, origins: Sequence[object]) -> None:
    """InputError when mined pairs come from several files on one side (``FILE:LINE`` origins):
    each file numbers its lines from 0, so their ids collide under one gold."""
    files = origin_files(origins)
    if len(files) > 1:
        raise InputError(f"{name}: its pairs come from {len(files)} {side[:3]} files ({files[0]}, {files[1]}"
                         f"{', ...' if len(files) > 2 else ''}), each numbering its lines from 0; one gold "
                         "cannot score them: mine one file pair at a time")


def _joins_pairs(first: str) -> bool:
    """Whether a TSV whose first line is ``first`` has the ``pair`` column of a file joining
    several pairs (``run``'s ``_all.tsv``): named in its header, or, without a header, as the first
    column of the layout its number of columns gives (``filter --no-header`` keeps it there)."""
    from .readers import _headerless_columns, _tsv_header

    if first.startswith("pair\t"):
        return True
    if _tsv_header(first) is not None:
        return False
    names = _headerless_columns(len(first.split("\t")))
    return names is not None and names[0] == "pair"


def read_link_file(path: str | Path) -> LinkFile:
    """The links of an alignment file, by document, and its mode (see :class:`LinkFile`).

    In comparable mode a sentence no link holds is listed with an empty side (Vecalign's
    ``[i]:[]``, a ``--keep-empty`` row): that is no 1-0 / 0-1 link, so it is skipped (and
    counted). The mode comes from the file's signature; a TSV without its ``.sig`` whose
    links cross is comparable (a parallel alignment is monotonic); any other file without
    one is read as parallel. A Moses file holds no sentence ids and is refused. A file with no
    content is read as no links, and says so (``empty``; ``zero_pairs`` where it is an export of
    zero pairs)."""
    from .data import rejected as is_rejected
    from .export import JOINED_PAIRS, NO_IDS
    from .normalize import INVISIBLE_TO_SPACE
    from .readers import (
        REBUILT,
        _read_sidecar_pairs,
        _sig_mode,
        links_cross,
        read_pairs,
        read_tsv,
        zero_pairs_export,
    )

    name = str(path)
    text = read_text(path, allow_empty=True)
    empty = not text.translate(INVISIBLE_TO_SPACE).strip()  # as read_text tells an empty file
    kind = _link_format(path, text)
    zero = empty and zero_pairs_export(path, kind)
    if kind == "moses":
        raise InputError(f"{name}: a Moses file holds no sentence ids to score; give the Vecalign, "
                         "TSV, JSONL, TMX or JSON export of the same alignment")
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    # the .sig beside a TSV or Vecalign file, read once: its signature and, for a file joining
    # pairs, each pair's own
    signature, sig_pairs = _read_sidecar_pairs(Path(f"{path}.sig")) if kind in ("tsv", "vecalign") else ("", {})
    # a TSV joining pairs: its pair column, or, where no row is left (every one filtered out), the
    # pairs its .sig names
    joined = kind == "tsv" and (_joins_pairs(first) or len(sig_pairs) > 1)
    if kind == "vecalign" or (kind == "tsv" and not joined):
        links, texts, rejected = ((parse_vecalign(text, name), None, []) if kind == "vecalign"
                                   else _parse_tsv(text, name))
        if kind == "tsv":
            rows = [ln.split("\t") for ln in text.split("\n") if ln.strip()]
            for side in ("src_origin", "tgt_origin"):
                if rows and side in rows[0]:
                    col = rows[0].index(side)
                    _one_origin_file(name, side, [r[col] if col < len(r) else None for r in rows[1:]])
        mode = _sig_mode(signature)
        comparable = mode == "comparable" or (mode is None and kind == "tsv" and links_cross(links))
        kept = [k for k in links if k[0] and k[1]] if comparable else links
        unmatched = len(links) - len(kept)
        written = None
        if any(rejected):
            flags = [no for k, no in zip(links, rejected) if k[0] and k[1]] if comparable else rejected
            written = None if comparable else {"": list(kept)}
            kept = _without_rejected(kept, flags, comparable)
        return LinkFile({"": kept}, kind, comparable, unmatched, mode is not None, empty=empty,
                        texts=None if texts is None else {"": texts}, rejected=sum(rejected), zero_pairs=zero,
                        langs=_sig_langs(signature), signature=signature, written=written)
    # ids are all that is scored: no language to guess for a TSV without its .sig (run's _all.tsv)
    al = read_tsv(path, src_lang="src", tgt_lang="tgt") if kind == "tsv" else read_pairs(path, kind)
    if al.info.get(NO_IDS):
        raise InputError(_no_ids(name))
    for side in ("src_origin", "tgt_origin"):
        _one_origin_file(name, side, [link.features.get(side) for link in al.links])
    offsets = al.info.get("pair_offsets") or {}
    docs: dict[str, list[AlignLink]] = {}
    given: dict[str, list[tuple[tuple[int, ...], tuple[int, ...], str, str]]] = {}
    n_rejected = 0
    as_written: dict[str, list[AlignLink]] = {}
    for link in al.links:
        pair = link.features.get("pair")
        ds, dt = offsets.get(str(pair), (0, 0))
        ids = (tuple(i - ds for i in link.src), tuple(j - dt for j in link.tgt))
        doc = "" if pair is None else str(pair)
        given.setdefault(doc, []).append((*ids, al.src_text(link), al.tgt_text(link)))
        no = is_rejected(link)
        n_rejected += no
        docs.setdefault(doc, []).extend(_without_rejected([ids], [no], al.mode == "comparable"))
        as_written.setdefault(doc, []).append(ids)
    # every pair a joined file covers is a document, rows or not: a pair that kept no row (nothing
    # mined, or every link filtered out) is named by the file's .sig (tsv, jsonl), and predicted nothing
    covered: dict[str, str] = dict(al.info.get(JOINED_PAIRS) or {})
    for pair in covered:
        docs.setdefault(pair, [])
        given.setdefault(pair, [])
    # the native JSON holds its documents (unless rebuilt from a pairs export: then, as every
    # other export, only the sentences its links give whole)
    whole = kind == "json" and not al.info.get(REBUILT) and not offsets
    held: Texts = ({i: seg.text for i, seg in enumerate(al.src.segments)},
                   {j: seg.text for j, seg in enumerate(al.tgt.segments)})
    by_doc = {k: held for k in docs or {"": []}} if whole else {k: _whole_texts(v) for k, v in given.items()}
    comparable = al.mode == "comparable"
    unmatched = len(al.info.get("unmatched_rows") or ())
    signed = kind != "tsv" or _sig_mode(signature) is not None
    # pairs of both modes in one file: each record's own signature says its pair's mode
    own = {str(link.features.get("pair")): _sig_mode(str(link.features["signature"]))
           for link in al.links if link.features.get("signature") and link.features.get("pair") is not None}
    with_rows = {str(k.features.get("pair")) for k in al.links}
    own.update({pair: _sig_mode(sig) for pair, sig in covered.items() if pair not in with_rows})  # as the .sig says
    pairs = frozenset(p for p, m in own.items() if m == "comparable") if len(set(own.values())) > 1 else None
    sizes = (len(al.src), len(al.tgt)) if whole else None  # the native file holds its documents
    # a file's own language fields (a json's documents, jsonl's translation keys, tmx's xml:lang);
    # a TSV's are the placeholders it was read with
    own_langs = (al.src.lang, al.tgt.lang) if kind in ("json", "jsonl", "tmx") and not empty else None
    return LinkFile(docs or {"": []}, kind, comparable or bool(pairs), unmatched, signed, pairs, sizes, empty, by_doc,
                    n_rejected, zero, _sig_langs(al.signature) or own_langs, al.signature,
                    written=as_written if n_rejected and not comparable else None)


def with_native_sizes(path: str | Path, lf: LinkFile) -> LinkFile:
    """``lf`` (read from ``path``, one document) with the sizes of its documents where the
    alignment's native JSON is beside it (``NAME.json`` beside ``NAME.align``, as ``run`` and
    ``align -f json`` write it): the same signature and the same links with both sides, so the
    same alignment of the same documents. A Vecalign or TSV file does not say how many sentences
    its documents have (the ``.sig`` holds how it was made, not their sizes), and a pairs export
    may leave out its last sentences; the native JSON holds them. Unchanged where the file holds
    its documents itself, joins pairs, has no signature, or no such JSON is there."""
    from .errors import ParallelError
    from .readers import read_alignment

    path = Path(path)
    native = path.with_suffix(".json")
    if lf.sizes is not None or lf.kind == "json" or len(lf.docs) != 1 or not lf.signature or native == path \
            or not native.is_file():
        return lf
    try:
        al = read_alignment(native)
    except ParallelError:  # not a native JSON (or not readable): nothing said of the documents
        return lf
    both = {(tuple(k.src), tuple(k.tgt)) for k in al.links if k.src and k.tgt}
    if al.signature != lf.signature or both != {k for k in lf.links if k[0] and k[1]}:
        return lf
    return replace(lf, sizes=(len(al.src), len(al.tgt)), sizes_from=str(native))


def _sig_langs(signature: str) -> tuple[str, str] | None:
    """(source, target) languages a signature names, or None where it names not both."""
    from .readers import _sig_fields

    fields = _sig_fields(signature)
    return (fields["src"], fields["tgt"]) if fields.get("src") and fields.get("tgt") else None


def read_links(path: str | Path) -> dict[str, list[AlignLink]]:
    """The links of an alignment file, by document: ``{"": links}`` for a Vecalign file or a
    TSV of ids; for an export of the pair schema (tsv with a header, jsonl, tmx, json) read by
    :mod:`parallel.readers`, ``{pair: links}`` by its ``pair`` field (``run``'s ``_all.tsv`` and
    ``_all.jsonl`` join several pairs, each numbering its sentences from 0), ``{"": links}``
    when it has none. The unmatched sentences of a comparable file are no links and are left
    out (:func:`read_link_file`). A Moses file holds no sentence ids and is refused."""
    return read_link_file(path).docs


def missing_null_links(pred: Sequence[AlignLink], gold: Sequence[AlignLink]) -> int:
    """How many sentences a parallel-mode ``pred`` without any 1-0 / 0-1 link leaves out of every
    link: those of ``gold`` and those its own numbering skips (0 when ``pred`` has an
    empty-sided link: then it was written with them). A default tsv/jsonl/tmx export leaves
    those links out, so under the reference null policy it scores as ``--null-policy drop``
    would. 0 for a ``pred`` without any link (an export that kept no pair): it predicts nothing
    under either policy, so none is in effect instead of the other."""
    return sum(null_link_gaps(pred, gold))


def null_link_gaps(pred: Sequence[AlignLink], gold: Sequence[AlignLink]) -> tuple[int, int]:
    """:func:`missing_null_links` in two parts: ``(skipped, past)``, the sentences ``pred``'s own
    numbering skips (up to its last link's: what an export without 1-0 / 0-1 links leaves out)
    and those ``gold`` names past ``pred``'s last link (an export that lost only its last
    sentences, or a gold made on other sentences)."""
    if not pred or any(not (s and t) for s, t in pred):
        return 0, 0
    skipped = past = 0
    for k in (0, 1):
        covered = {i for link in pred for i in link[k]}
        # every id up to the highest covered one, and gold's: counted, not listed (a stray id of
        # 10**20 must not build a set of that size)
        top = max(covered, default=-1)
        skipped += top + 1 - sum(1 for i in covered if i >= 0)
        past += len({i for link in gold for i in link[k] if i > top})
    return skipped, past
