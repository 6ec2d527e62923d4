"""Edits to a native alignment file, each saved atomically, with an undo history.

The alignment file (``--format json``) stays the single source of truth: review
state lives in each link's ``features``:

* ``status``: ``"accepted"`` or ``"rejected"`` (absent: not reviewed);
* ``note``: free text from the reviewer;
* ``edited``: how a reviewer changed the link (``merge``, ``split``, ``relink``,
  ``trimmed`` for a link that lost sentences to a relink, ``gap``/``unlinked``).
  Features of changed links are recomputed: text features (length ratio, numbers,
  chrF) always; ``cosine``, ``margin`` and the calibrated ``p`` when an encoder is given
  (without one they are dropped: a changed link has no ``p``).

Link order: a parallel alignment's links keep the file's (monotonic) order. A comparable
alignment's links hold pairs from anywhere in the two texts, so a link's neighbour in the file
is not its neighbour in the text: the app lists and numbers them in :func:`review_order` (by
source sentence, then target: the order the miner writes), every edit's ``link`` / ``other``
counts in that order, and an edit saves the links in it. A merge joins only links next to each
other in both texts (:func:`merge_refusal`).

Rejected links: in a parallel alignment a rejected link keeps its sentences (every sentence is in
exactly one link). In a comparable one the sentences of a rejected pair are unmatched sentences
(:func:`parallel.data.unmatched`, as ``filter --drop-rejected --keep-empty`` lists them): a relink may take them,
and the rejected link then goes whole (the file never holds a sentence in two links, which no
reader takes); Undo brings it back.

Undo history: a sidecar ``FILE.history.jsonl``, one line per change holding the
changed slice of the link list before and after, and a fingerprint (``rev``) of
the link list before and after. A change is appended to the history (flushed and
fsynced) *before* the alignment file is replaced atomically, so killing the
process at any point loses nothing: an entry whose change never reached the file
is recognised by its fingerprints and skipped on undo (and not counted by
:meth:`ReviewStore.undo_depth`). A save that fails takes its entry back at once.
A file whose mode has no write bit is never written, even by root.

No Flask in here: the web app (:mod:`parallel.review.app`) and tests drive this.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..data import Alignment, Link, comparable_order, rejected, review_order
from ..errors import InputError, OutputError, ParallelError
from ..normalize import DIGITS, length

STATUSES = ("accepted", "rejected")
EMBEDDING_FEATURES = ("cosine", "margin", "margin_distance", "z", "p_value", "join_gain", "join_z")
TEXT_FEATURES = ("length_ratio", "numbers", "numbers_src", "numbers_tgt", "chrf")
MAX_NOTE = 2000
NOTE_JOIN = " / "  # between the notes of links joined into one (a merge, a relink absorbing a link)
HISTORY_SUFFIX = ".history.jsonl"
STALE = "the alignment file changed since this page loaded it (another tab or program saved it)"


class ConflictError(ParallelError):
    """The file changed since the client last saw it (stale ``rev``), or history does not apply."""

    exit_code = 1


class ReadOnlyError(ParallelError):
    """The alignment file may not be written (no write permission bit, or a folder we cannot write)."""

    exit_code = 1


class SaveError(OutputError):
    """Writing the alignment file failed (an immutable file, a full disk...): nothing was changed."""


def link_to_dict(link: Link) -> dict[str, Any]:
    return {"src": list(link.src), "tgt": list(link.tgt), "score": link.score,
            "features": dict(link.features)}


def link_from_dict(d: dict[str, Any]) -> Link:
    return Link(tuple(d["src"]), tuple(d["tgt"]), d.get("score", 0.0), d.get("features") or {})


def fingerprint(links: Sequence[Link]) -> str:
    """A short hash of the link list (ids, scores, features): the revision a client edits."""
    blob = json.dumps([link_to_dict(k) for k in links], ensure_ascii=False, sort_keys=True, allow_nan=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _text_features(al: Alignment, link: Link) -> dict[str, Any]:
    if not link.src or not link.tgt:
        return {}
    try:
        from ..evidence import text_features
    except ImportError:  # pragma: no cover - evidence module absent
        return {}
    return text_features(al.src_text(link), al.tgt_text(link))


def join_notes(notes: Sequence[tuple[int, str]]) -> tuple[str, list[int]]:
    """The note of a link made of others (a merge, a relink absorbing links): the ``(key, text)``
    ``notes`` in the order given, each text once (a text that differs from an earlier one only by
    the white space around it is the same text), joined with :data:`NOTE_JOIN`; and the keys of
    the notes kept. ``""`` when there is none."""
    kept: list[tuple[int, str]] = []
    for key, text in notes:
        if text.strip() and text.strip() not in (t.strip() for _, t in kept):
            kept.append((key, text))
    return NOTE_JOIN.join(t for _, t in kept), [key for key, _ in kept]


def _not_rejected(links: Sequence[Link], which: Sequence[int], what: str) -> None:
    """Refuse a one-click edit (merge, split) of a rejected link: the links it builds would not be
    rejected (a merge is saved as accepted, a split's pieces as not reviewed), and the rejection
    would be gone without the reviewer having said so."""
    for i in which:
        if rejected(links[i]):
            became = "the merge would be saved as accepted" if what == "merge" else \
                "its pieces would be saved as not reviewed"
            raise InputError(f"link {i} is rejected: unreject it first to {what} it ({became}, the rejection lost)")


def _rebuilt(al: Alignment, src: Sequence[int], tgt: Sequence[int], score: float,
             keep: dict[str, Any], edited: str) -> Link:
    """A link whose sides a reviewer changed: stale features dropped, text features recomputed."""
    link = Link(tuple(sorted(set(src))), tuple(sorted(set(tgt))), score)
    feats = {k: v for k, v in keep.items()
             if k not in EMBEDDING_FEATURES and k not in TEXT_FEATURES and k != "edited"}
    feats.update(_text_features(al, link))
    feats["edited"] = edited
    return replace(link, features=feats)


Placement = tuple[np.ndarray, np.ndarray]


def _placement(al: Alignment, links: Sequence[Link], emb: tuple[np.ndarray, np.ndarray] | None) -> Placement:
    """Where each of ``links`` lies, as a link's p in a translation reads it: beside a 1-0 / 0-1
    link or not, and how contested its cut is (read with the documents' sentence vectors ``emb``;
    0 without them). See :func:`parallel.confidence.in_translation`."""
    from ..confidence import beside_gap, contested

    if emb is None:
        return beside_gap(links), np.zeros(len(links))
    return beside_gap(links), contested(links, *emb, [length(x) for x in al.src.sentences],
                                        [length(x) for x in al.tgt.sentences])


def _in_translation(al: Alignment) -> bool:
    return al.mode == "parallel" and bool(al.info.get("translation"))


def _regap(al: Alignment, links: list[Link], emb: tuple[np.ndarray, np.ndarray] | None,
           now: Placement) -> list[Link]:
    """``links`` (``al``'s after an edit, placed as ``now``: :func:`_placement`) with the p of the
    links the edit did not touch moved where their place beside a 1-0 / 0-1 link or their
    contested cut changed: in a translation a link's p says both, and an edit next to it can leave
    a sentence out, take one in or move the cut (:func:`parallel.confidence.regap`). Without the
    vectors ``emb`` only the gap term moves."""
    from ..confidence import regap

    old = list(al.links)
    was = {(k.src, k.tgt): (bool(g), float(c)) for k, g, c in zip(old, *_placement(al, old, emb), strict=True)}
    near, cut = now
    out = list(links)
    for n, k in enumerate(links):
        p, before = k.features.get("p"), was.get((k.src, k.tgt))
        if not isinstance(p, int | float) or before is None or before == (bool(near[n]), float(cut[n])):
            continue
        moved = float(regap(np.array([float(p)]), np.array([before[0]]), np.array([near[n]]),
                            np.array([before[1]]), np.array([cut[n]]))[0])
        out[n] = replace(k, features={**k.features, "p": round(moved, 4)})
    return out


def _cuts_at(links: Sequence[Link], emb: tuple[np.ndarray, np.ndarray], lens: tuple[list[int], list[int]],
             which: Sequence[int]) -> dict[int, float]:
    """:func:`parallel.confidence.contested` of ``links`` at the positions ``which`` only: a link's
    value reads its two neighbours alone, so each is measured in the run of links from the one
    before it to the one after it (the same arithmetic on the same rows: the same value as in the
    whole list), not in a book's thousands. ``emb``: the documents' vectors (float64), ``lens``
    their sentence lengths."""
    from ..confidence import contested

    out: dict[int, float] = {}
    want = sorted(set(which))
    g = 0
    while g < len(want):
        h = g
        while h + 1 < len(want) and want[h + 1] - 1 <= want[h] + 1:  # runs that touch: measured together
            h += 1
        a, b = max(0, want[g] - 1), min(len(links) - 1, want[h] + 1)
        values = contested(links[a:b + 1], emb[0], emb[1], lens[0], lens[1])
        for i in want[g:h + 1]:
            out[i] = float(values[i - a])
        g = h + 1
    return out


def _regap_near(al: Alignment, links: list[Link], emb: tuple[np.ndarray, np.ndarray],
                lens: tuple[list[int], list[int]], todo: Sequence[int]
                ) -> tuple[list[Link], list[bool], list[float]] | None:
    """What :func:`_regap` and :func:`_placement` give (the links regapped; beside a gap and how
    contested, at the positions ``todo``), measured only where an edit can change them: a link's
    place reads its neighbours alone, so outside the run the edit replaced (and the link on each
    side of it) every link has the neighbours it had, and the same place. ``emb`` and ``lens``:
    see :func:`_cuts_at`. None when a pair of sentence lists is in two links (then the whole
    list is read, as :func:`_regap` does)."""
    from ..confidence import beside_gap, regap

    old = al.links
    where = {(k.src, k.tgt): n for n, k in enumerate(old)}
    if len(where) != len(old) or len({(k.src, k.tgt) for k in links}) != len(links):
        return None
    p = 0
    while p < min(len(old), len(links)) and old[p] is links[p]:
        p += 1
    s = 0
    while s < min(len(old), len(links)) - p and old[-1 - s] is links[-1 - s]:
        s += 1
    near_old, near_now = beside_gap(old), beside_gap(links)
    region = [n for n in range(max(0, p - 1), min(len(links), len(links) - s + 1))
              if isinstance(links[n].features.get("p"), int | float) and (links[n].src, links[n].tgt) in where]
    cut_now = _cuts_at(links, emb, lens, [*region, *todo])
    cut_was = _cuts_at(old, emb, lens, [where[links[n].src, links[n].tgt] for n in region])
    out = list(links)
    for n in region:
        k, o = links[n], where[links[n].src, links[n].tgt]
        before, now = (bool(near_old[o]), cut_was[o]), (bool(near_now[n]), cut_now[n])
        if before == now:
            continue
        moved = float(regap(np.array([float(k.features["p"])]), np.array([before[0]]), np.array([now[0]]),
                            np.array([before[1]]), np.array([now[1]]))[0])
        out[n] = replace(k, features={**k.features, "p": round(moved, 4)})
    return out, [bool(near_now[n]) for n in todo], [cut_now[n] for n in todo]


def _aligner_score(al: Alignment, link: Link) -> Link:
    """A rebuilt link with the ``score`` the aligner gives where it can be recomputed from the fresh
    ``cosine`` and ``margin``: in comparable mode the miner's score is the distance margin
    ``cosine - mean neighbourhood cosine`` (``margin_distance``), and the ratio margin is
    ``cosine / mean neighbourhood``, so the score is ``cosine - cosine / margin``. In parallel
    mode the aligner's score is its dynamic programme's span value, which needs the whole path:
    the link keeps the score the edit gave it (merge: the mean of the two, split: the parent's,
    relink: the best of the links it took sentences from)."""
    cos, margin = link.features.get("cosine"), link.features.get("margin")
    if al.mode != "comparable" or not isinstance(cos, int | float) or not isinstance(margin, int | float) \
            or not margin:
        return link
    dist = round(float(cos) - float(cos) / float(margin), 6)
    return replace(link, score=dist, features={**link.features, "margin_distance": dist})


def _order_parallel(links: list[Link]) -> list[Link]:
    """Monotonic order for a parallel alignment: by source; target-only gaps go where their
    target sentence falls (before a 1-0 gap at the same place, as the aligner writes them)."""
    with_src = sorted((k for k in links if k.src), key=lambda k: (min(k.src), min(k.tgt, default=-1)))
    tgt_only = sorted((k for k in links if not k.src), key=lambda k: min(k.tgt))
    out: list[Link] = []
    t = 0
    frontier = 0  # the next target sentence expected
    for link in with_src:
        if link.tgt:
            while t < len(tgt_only) and min(tgt_only[t].tgt) < min(link.tgt):
                out.append(tgt_only[t])
                t += 1
        else:
            while t < len(tgt_only) and min(tgt_only[t].tgt) <= frontier:
                frontier = max(frontier, max(tgt_only[t].tgt) + 1)
                out.append(tgt_only[t])
                t += 1
        out.append(link)
        if link.tgt:
            frontier = max(frontier, max(link.tgt) + 1)
    out.extend(tgt_only[t:])
    return out


def _span_text(lang: str, lo: int, hi: int) -> str:
    """``Arabic sentence 3`` / ``Arabic sentences 3-9`` (ids ``lo`` to ``hi``, both included)."""
    from ..report import lang_name

    return f"{lang_name(lang)} sentence {lo}" if lo == hi else f"{lang_name(lang)} sentences {lo}-{hi}"


def _between(a: Sequence[int], b: Sequence[int]) -> tuple[int, int] | None:
    """The sentences of one text that lie between two links' sentences ``a`` and ``b`` (first and
    last id), or None when the two are next to each other there: their spans overlap or touch.
    A gap a link already has inside it (ar 11 of the miner's ar 10,12 / en 7) is no gap between
    the two: 10,12 and 13 are next to each other."""
    if not a or not b:
        return None
    first, second = sorted(((min(a), max(a)), (min(b), max(b))))
    end, start = first[1], second[0]  # where the earlier link ends, where the later one starts
    return (end + 1, start - 1) if start > end + 1 else None


def link_holding(al: Alignment, args: dict[str, Any]) -> int | None:
    """Where, in :func:`review_order`, the link holding the first sentence an edit named
    (``args["src"]``, else ``args["tgt"]``) now is: in comparable mode a relinked link moves to its
    place in the text, so the row to show is not the one the edit was made on. None when the edit
    named no sentence (or none is held)."""
    for key, side in (("src", len(al.src)), ("tgt", len(al.tgt))):
        try:
            ids = ReviewStore._ids(args, key, side)
        except InputError:
            return None
        if ids:
            for n, k in enumerate(review_order(al).links):
                if ids[0] in (k.src if key == "src" else k.tgt):
                    return n
            return None
    return None


def merge_refusal(al: Alignment, i: int, j: int) -> str:
    """Why links ``i`` and ``j`` of ``al`` (in :func:`review_order`) may not be merged, "" when
    they may (a rejected link is refused apart, by the merge itself). Parallel mode: links are
    in text order, so only neighbours in the list. Comparable mode: a link's neighbour in the
    list may be anywhere in the texts, so only links next to each other in both texts (no
    sentence of either text between them); a merge of two unrelated pairs would make a
    nonsense n-m link."""
    i, j = min(i, j), max(i, j)
    if al.mode == "parallel":
        return "" if j == i + 1 else "in a parallel alignment only neighbouring links can be merged"
    a, b = al.links[i], al.links[j]
    gaps = [(d.lang, span) for d, span in ((al.src, _between(a.src, b.src)), (al.tgt, _between(a.tgt, b.tgt)))
            if span is not None]
    if not gaps:
        return ""
    apart = " and ".join(_span_text(lang, lo, hi) for lang, (lo, hi) in gaps)
    verb = "lies" if len(gaps) == 1 and gaps[0][1][0] == gaps[0][1][1] else "lie"
    return (f"cannot merge links {i} and {j}: they are not next to each other in both texts ({apart} "
            f"{verb} between them), and in a comparable alignment a merge joins only neighbours "
            f"(Relink… links any sentences)")


def _monotonic(links: Sequence[Link]) -> bool:
    """True when source and target ids both only move forward through ``links``."""
    last_s = last_t = -1
    for k in links:
        if k.src:
            if min(k.src) <= last_s:
                return False
            last_s = max(k.src)
        if k.tgt:
            if min(k.tgt) <= last_t:
                return False
            last_t = max(k.tgt)
    return True


def _cover(links: list[Link], n_src: int, n_tgt: int) -> list[Link]:
    """Parallel mode: every sentence in exactly one link (uncovered ones become 1-0 / 0-1)."""
    used_s = {i for k in links for i in k.src}
    used_t = {j for k in links for j in k.tgt}
    out = list(links)
    out += [Link((i,), (), 0.0, {"edited": "gap"}) for i in range(n_src) if i not in used_s]
    out += [Link((), (j,), 0.0, {"edited": "gap"}) for j in range(n_tgt) if j not in used_t]
    return out


def unlinked(before: Sequence[Link], after: Sequence[Link]) -> dict[str, list[int]]:
    """Sentences in a link with both sides in ``before`` and in no such link in ``after``."""
    def linked(links: Sequence[Link], side: str) -> set[int]:
        return {i for k in links if k.src and k.tgt for i in getattr(k, side)}

    return {side: sorted(linked(before, side) - linked(after, side)) for side in ("src", "tgt")}


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class JsonText:
    """:func:`parallel.export.write_json`'s text of an alignment, made faster across saves of one
    file: the text of each link is kept (by the link object, which an edit replaces rather than
    changes) and so is the text around the links (by the documents, info, mode and signature,
    which review never changes); only what changed is encoded again. The same bytes as
    ``write_json`` (``json.dump(..., indent=1)``): a link's text is its object encoded alone with
    ``indent=1``, every line indented two more spaces (the depth of an item of ``"links"``: JSON
    text holds no raw line feed but between its tokens). Not thread-safe: the store calls it under
    its lock."""

    _MARK = "\ue000parallel-review-links\ue000"  # stands for the links while the rest is encoded

    def __init__(self) -> None:
        self._links: dict[int, tuple[Link, str]] = {}
        self._frame: tuple[tuple[Any, ...], str, str] | None = None

    def _around(self, al: Alignment) -> tuple[str, str] | None:
        from ..export import alignment_to_dict

        key = (al.src, al.tgt, al.info, al.mode, al.signature)
        if self._frame is not None and all(a is b for a, b in zip(self._frame[0], key, strict=True)):
            return self._frame[1], self._frame[2]
        d = alignment_to_dict(replace(al, links=()))
        if list(d)[-1] != "links":
            return None
        d["links"] = self._MARK
        text = json.dumps(d, ensure_ascii=False, indent=1, allow_nan=False)
        mark = json.dumps(self._MARK, ensure_ascii=False)
        if text.count(mark) != 1:
            return None
        head, tail = text.split(mark)
        self._frame = (key, head, tail)
        return head, tail

    def text(self, al: Alignment) -> str:
        around = self._around(al)
        if around is None:  # a shape this does not know: write_json's own text
            import io

            from ..export import write_json

            buf = io.StringIO()
            write_json(al, buf)
            return buf.getvalue()
        kept: dict[int, tuple[Link, str]] = {}
        parts = []
        for k in al.links:
            got = self._links.get(id(k))
            if got is None or got[0] is not k:
                got = (k, json.dumps(link_to_dict(k), ensure_ascii=False, indent=1,
                                     allow_nan=False).replace("\n", "\n  "))
            kept[id(k)] = got
            parts.append(got[1])
        self._links = kept
        links = "[\n  " + ",\n  ".join(parts) + "\n ]" if parts else "[]"
        return around[0] + links + around[1] + "\n"


class Revisions:
    """:func:`fingerprint` of link lists, made faster across the edits of one file: each link's
    JSON is kept (by the link object: an edit replaces a link, never changes it) and the
    fingerprint of the last link tuples asked. The same value as :func:`fingerprint` (whose
    compact JSON of a list is its items' JSON joined by ``", "``). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._links: dict[int, tuple[Link, str]] = {}
        self._last: list[tuple[Sequence[Link], str]] = []

    def of(self, links: Sequence[Link]) -> str:
        with self._lock:
            for seq, rev in self._last:
                if seq is links and isinstance(links, tuple):
                    return rev
            parts = []
            for k in links:
                got = self._links.get(id(k))  # the entry holds the link: its id is not reused
                if got is None or got[0] is not k:
                    got = self._links[id(k)] = (k, json.dumps(link_to_dict(k), ensure_ascii=False,
                                                              sort_keys=True, allow_nan=False))
                parts.append(got[1])
            if len(self._links) > 3 * len(links) + 1000:  # links long replaced go
                self._links = {id(k): self._links[id(k)] for k in links}
            rev = hashlib.sha256(("[" + ", ".join(parts) + "]").encode("utf-8")).hexdigest()[:16]
            if isinstance(links, tuple):
                self._last = [(links, rev), *self._last[:2]]
            return rev


# One lock per alignment file (by resolved path) for the whole process: two stores opened on
# the same file (two requests racing to create one, a symlinked name) still edit it in turn.
_FILE_LOCKS: dict[Path, threading.Lock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def file_lock(path: Path) -> threading.Lock:
    """The process-wide lock of the alignment file at ``path`` (resolved)."""
    key = Path(path).resolve()
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(key, threading.Lock())


def folder_lock(path: Path) -> contextlib.AbstractContextManager[None]:
    """An exclusive lock, across processes, on the folder holding ``path`` (:func:`parallel.io.folder_lock`:
    the alignment file, replaced by a rename at every save, could not hold one). Two ``review``
    servers on the same file each read-check-write under it, so neither answers 200 for an edit the
    other then overwrites. Where the folder cannot be locked, the process lock alone."""
    from ..io import folder_lock as lock

    return lock(Path(path).parent)


# The arguments an operation reads; only these are kept in the undo history.
ARG_KEYS = ("link", "other", "status", "note", "src", "tgt", "src_at", "tgt_at")


# Arabic-Indic (٠-٩) and extended Arabic-Indic (۰-۹) digits, as a reviewer may type them
_DIGITS = str.maketrans(DIGITS)
_WHOLE = re.compile(r"-?[0-9]{1,19}")


def _as_int(value: Any, what: str) -> int:
    """An integer argument: an int, or a string (ASCII or Arabic-Indic digits) or float holding a
    whole number (not bool, NaN, inf)."""
    if isinstance(value, bool):
        raise InputError(f"{what}: a number expected")
    if isinstance(value, float):
        if not value.is_integer():  # also NaN and infinities
            raise InputError(f"{what}: a whole number expected")
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip().translate(_DIGITS)):
        return int(value.strip().translate(_DIGITS))
    raise InputError(f"{what}: a number expected")


class ReviewStore:
    """One alignment file under review (thread-safe; every method re-reads the file)."""

    def __init__(self, path: str | Path, encoder: Callable[[Alignment], Any] | None = None) -> None:
        """``encoder(al)`` (optional, called once, lazily) gives an object with
        ``encode(list[str]) -> (n, d)`` L2-normalised rows: with it, a link a reviewer
        changes gets a fresh ``cosine``, ``margin`` and ``p``; without it (or when it fails) none."""
        self.path = Path(path).resolve()
        self.history_path = self.path.with_name(self.path.name + HISTORY_SUFFIX)
        if self.history_path.exists() and not self.history_path.is_file():  # every edit would fail
            raise InputError(f"{self.history_path}: is not a file; review keeps the undo history of "
                             f"{self.path.name} there: move it away")
        self._lock = file_lock(self.path)
        self._encoder_factory = encoder
        self._encoder: Any = None
        self._doc_emb: tuple[np.ndarray, np.ndarray] | None = None
        # what p reads of the whole documents (their k-NN means and coverage), the vectors as
        # float64 and the sentence lengths (the cut a link's p reads): see _embedding_features
        self._doc_scores: tuple[tuple[np.ndarray, np.ndarray], float, tuple[np.ndarray, np.ndarray],
                                tuple[list[int], list[int]]] | None = None
        self._kept: tuple[str, Alignment] | None = None  # the file's digest and alignment (load)
        self._json = JsonText()
        self.revs = Revisions()  # fingerprint() of the file's links, kept across edits

    def _embedding_features(self, al: Alignment, links: list[Link]) -> list[Link]:
        """Give edited links (sentences on both sides) what the aligner gives a link from the
        embeddings: ``cosine``, ``margin`` and the calibrated ``p`` against the whole documents
        (:func:`parallel.evidence.annotate`), when an encoder is available. Merging two links and
        splitting them again gives back the p they had."""
        todo = [n for n, k in enumerate(links)
                if k.src and k.tgt and "edited" in k.features and not {"cosine", "p"} <= set(k.features)]
        if not todo or self._encoder_factory is None:
            return _regap(al, links, None, _placement(al, links, None)) if _in_translation(al) else links
        if self._encoder is None:
            try:
                self._encoder = self._encoder_factory(al)
            except (ParallelError, ImportError, OSError):
                self._encoder_factory = None  # no encoder here: edited links stay without p
                return _regap(al, links, None, _placement(al, links, None)) if _in_translation(al) else links
        if self._doc_emb is None:  # the documents never change under review: embedded once
            self._doc_emb = (np.asarray(self._encoder.encode(list(al.src.sentences)), dtype=np.float32),
                             np.asarray(self._encoder.encode(list(al.tgt.sentences)), dtype=np.float32))
        from ..evidence import MARGIN_K, annotate

        if self._doc_scores is None:  # nor what p reads of them as a whole: measured once
            from ..confidence import coverage, model_knn_means

            knn = model_knn_means(*self._doc_emb, MARGIN_K)
            self._doc_scores = (knn, coverage(*self._doc_emb, *knn),
                                (np.asarray(self._doc_emb[0], dtype=np.float64),
                                 np.asarray(self._doc_emb[1], dtype=np.float64)),
                                ([length(x) for x in al.src.sentences], [length(x) for x in al.tgt.sentences]))
        knn, cover, emb64, lens = self._doc_scores
        # a link edited in a translation gets the p of a link in a translation, as the aligner's have
        # (its place beside a 1-0 / 0-1 link and its cut read in the whole list, not in these alone)
        sub = replace(al, links=tuple(links[n] for n in todo),
                      info={"translation": True} if al.info.get("translation") else {})
        gap: list[bool] | None = None
        contest: list[float] | None = None
        if _in_translation(al):
            near_cut = _regap_near(al, links, emb64, lens, todo)
            if near_cut is None:  # (a file with a link twice: never written by review)
                near, cut = now = _placement(al, links, self._doc_emb)
                links = _regap(al, links, self._doc_emb, now)
                gap, contest = [bool(near[n]) for n in todo], [float(cut[n]) for n in todo]
            else:
                links, gap, contest = near_cut
        done = annotate(sub, src_emb=self._doc_emb[0], tgt_emb=self._doc_emb[1], encoder=self._encoder,
                        gap=gap, contest=contest, knn=knn, cover=cover)
        out = list(links)
        for n, link in zip(todo, done.links, strict=True):
            out[n] = _aligner_score(al, link)
        return out

    # ------------------------------------------------------------ reading / writing

    def load(self) -> Alignment:
        """The file's alignment, read and checked only when its bytes are not those this store last
        read or wrote (another tab's server, an editor, a program changed it): the file is read
        whole and hashed at every call (milliseconds for a book), parsed and validated only then
        (half a second for a book). The alignment kept is immutable but for its links' feature
        dicts, which nothing here changes in place (an edit copies them)."""
        from ..readers import read_alignment

        try:
            data = self.path.read_bytes()
        except OSError:
            return read_alignment(self.path)  # its one-line error (no such file, unreadable)
        digest = _digest(data)
        kept = self._kept
        if kept is not None and kept[0] == digest:
            return kept[1]
        al = read_alignment(self.path)
        with contextlib.suppress(OSError):  # kept only when no one changed the file while it was read
            if _digest(self.path.read_bytes()) == digest:
                self._kept = (digest, al)
        return al

    def _write(self, al: Alignment) -> None:
        """Save ``al`` whole (:func:`parallel.export.write_json`'s text, the same bytes: see
        :class:`JsonText`), to a temporary file renamed over the file; its mode is kept."""
        from ..io import atomic_writer

        mode = None
        with contextlib.suppress(OSError):
            mode = self.path.stat().st_mode & 0o777
        text = self._json.text(al)
        with atomic_writer(self.path) as fh:
            fh.write(text)
        if mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(self.path, mode)
        self._kept = (_digest(text.encode("utf-8")), al)

    def read_only(self) -> str:
        """Why changes to the file cannot be saved ("" when they can): a file whose mode has no write
        bit (chmod 444) is refused even where the server could write it anyway (run as root), and
        so is one this process may not write or whose folder it may not write (the atomic save
        writes a new file beside it)."""
        name = self.path.name
        try:
            mode = self.path.stat().st_mode
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror})"
        if not mode & 0o222:
            return f"{name} is read-only (no write permission): changes are not saved; chmod u+w it and reload"
        if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK | os.X_OK):
            return f"{name} is read-only for this user (or its folder is): changes are not saved"
        return ""

    def _check_writable(self) -> None:
        reason = self.read_only()
        if reason:
            raise ReadOnlyError(reason)

    def _save(self, al: Alignment) -> None:
        """:meth:`_write`, any failure as one :class:`SaveError` naming the file."""
        try:
            self._write(al)
        except (OSError, OutputError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise SaveError(f"could not save {self.path.name}: {why}; the change was not made") from None

    def undo_depth(self, links: Sequence[Link] | None = None) -> int:
        """How many changes :meth:`undo` can revert from the file as it is (``links``: its links, if
        just read): history entries whose change never reached the file (a failed or killed save)
        are not counted, and an outside edit ends the chain (undo would refuse it)."""
        current = self.revs.of(self.load().links if links is None else links)
        depth = 0
        for e in reversed(self.history()):
            if e.get("rev_after") == current:
                depth += 1
                current = e.get("rev_before")
            elif e.get("rev_before") == current:
                continue
            else:
                break
        return depth

    def history(self) -> list[dict[str, Any]]:
        if not self.history_path.is_file():
            return []
        entries = []
        # lines end at a line feed (as they are written: a U+2028 in a note is no line end); a line
        # cut short by a crash, in the middle of a character of an Arabic note too, was never
        # applied (the file is written after its history line): skipped
        for line in self.history_path.read_bytes().split(b"\n"):
            if line.strip():
                try:
                    entries.append(json.loads(line.decode("utf-8")))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
        return entries

    def _append_history(self, entry: dict[str, Any]) -> int:
        """Append ``entry``; returns the history's size before, for :meth:`_drop_history_after`."""
        with open(self.history_path, "a", encoding="utf-8", newline="\n") as fh:
            size = fh.tell()
            fh.write(json.dumps(entry, ensure_ascii=False, allow_nan=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return size

    def _drop_history_after(self, size: int) -> None:
        """Cut the history back to ``size`` bytes: the entry of a change whose save failed goes."""
        with contextlib.suppress(OSError), open(self.history_path, "r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())

    def _rewrite_history(self, entries: list[dict[str, Any]]) -> None:
        from ..io import atomic_writer

        with atomic_writer(self.history_path) as fh:
            for e in entries:
                fh.write(json.dumps(e, ensure_ascii=False, allow_nan=False) + "\n")

    # ------------------------------------------------------------ edits

    def apply(self, op: str, args: dict[str, Any], rev: str | None = None) -> Alignment:
        """Apply one edit and save it; ``rev`` (if given) must match the file's current fingerprint."""
        return self.edit(op, args, rev)[0]

    def edit(self, op: str, args: dict[str, Any], rev: str | None = None,
             carried: list[dict[str, Any]] | None = None,
             dropped: list[dict[str, Any]] | None = None,
             was: list[Alignment] | None = None) -> tuple[Alignment, dict[str, list[int]]]:
        """:meth:`apply`, and the sentences the edit left unlinked: ``{"src": [...], "tgt": [...]}``
        (in a link with both sides before, in none after: a split 2-1 link in comparable mode frees
        a sentence, listed as unmatched; in parallel mode it becomes a 1-0 / 0-1 gap). ``carried``,
        when given, is filled with the links whose note a relink took into its link (``link``: the
        number each had before the edit, ``src`` / ``tgt``): the caller's own list, as
        :meth:`undo`'s ``undone``. ``dropped``, when given, is filled the same way with the rejected
        links a relink removed (comparable mode: it took a sentence of theirs). ``was``, when given,
        gets the file's alignment before the edit (what the page showed: see
        :func:`parallel.review.app.state_of`)."""
        args = {k: args[k] for k in ARG_KEYS if k in args}
        with self._lock, folder_lock(self.path):
            al = self.load()
            self._check_writable()
            before = al.links
            if rev is not None and rev != self.revs.of(before):
                raise ConflictError(STALE)
            if was is not None:
                was.append(al)
            view = review_order(al)  # what link numbers count in (comparable: text order)
            shown = list(view.links)
            took: list[dict[str, Any]] = []
            gone: list[dict[str, Any]] = []
            after = tuple(self._embedding_features(view, self._edit(view, op, args, took, gone)))
            if list(after) == shown and [dict(k.features) for k in after] == [dict(k.features) for k in shown]:
                return al, {"src": [], "tgt": []}
            # smallest changed slice, for a compact history entry
            p = 0
            while p < min(len(before), len(after)) and (before[p] is after[p]
                                                        or link_to_dict(before[p]) == link_to_dict(after[p])):
                p += 1
            s = 0
            while (s < min(len(before), len(after)) - p
                   and (before[-1 - s] is after[-1 - s]
                        or link_to_dict(before[-1 - s]) == link_to_dict(after[-1 - s]))):
                s += 1
            entry = {
                "op": op, "args": args, "start": p,
                "before": [link_to_dict(k) for k in before[p:len(before) - s]],
                "after": [link_to_dict(k) for k in after[p:len(after) - s]],
                "rev_before": self.revs.of(before), "rev_after": self.revs.of(after),
            }
            new = replace(al, links=after)
            # history first, then the file: a kill in between leaves an entry undo skips; a save
            # that fails takes its entry back at once (no "Undo" offered for a change not made)
            size = self._append_history(entry)
            try:
                self._save(new)
            except SaveError:
                self._drop_history_after(size)
                raise
            if carried is not None:
                carried.extend(took)
            if dropped is not None:
                dropped.extend(gone)
            return new, unlinked(before, after)

    def undo(self, rev: str | None = None, undone: dict[str, Any] | None = None,
             was: list[Alignment] | None = None) -> Alignment:
        """Revert the last change that reached the file (and drop it from the history). ``undone``,
        when given, is filled with which (``op`` and ``link``, the first link it restored): the
        caller's own dict, so two requests served at once cannot read each other's. ``was``, as
        :meth:`edit`'s."""
        with self._lock, folder_lock(self.path):
            al = self.load()
            links = list(al.links)
            current = self.revs.of(al.links)
            if rev is not None and rev != current:
                raise ConflictError(STALE)
            if was is not None:
                was.append(al)
            self._check_writable()
            entries = self.history()
            while entries and entries[-1].get("rev_after") != current:
                if entries[-1].get("rev_before") == current:
                    entries.pop()  # its change never reached the file (killed in between)
                    continue
                raise ConflictError(f"{self.path.name} was changed outside the review app; "
                                    "its undo history no longer applies")
            if not entries:
                raise InputError("nothing to undo")
            e = entries.pop()
            start, n_after = int(e["start"]), len(e["after"])
            links[start:start + n_after] = [link_from_dict(d) for d in e["before"]]
            new = replace(al, links=tuple(links))
            if self.revs.of(new.links) != e["rev_before"]:
                raise ConflictError("undo history does not match the file")
            self._save(new)
            self._rewrite_history(entries)
            if undone is not None:
                # the link the edit was made on (its number before the edit, which undo gives back),
                # not the first link it changed: a neighbour's p is recomputed, so that is often an
                # earlier one ("the split of link 3" for a split of link 4)
                own = (e.get("args") or {}).get("link")
                n_before = len(e["before"])
                if not (isinstance(own, int) and not isinstance(own, bool) and start <= own < start + n_before):
                    own = start if start < len(links) else None
                args = e.get("args") or {}
                if e.get("op") == "relink" and "link" not in args:
                    # a link made from unlinked sentences (Link, the new-link form) is no relink of
                    # the link that happens to sit at its row: said as the new link it was
                    def ids(x: Any) -> str:
                        return ",".join(str(v) for v in x) if isinstance(x, list) else str(x).replace(" ", "")

                    undone.update(op="new link", link=own, src=ids(args.get("src", "")), tgt=ids(args.get("tgt", "")))
                else:
                    undone.update(op=str(e.get("op", "")), link=own)
            return new

    def can_undo(self) -> bool:
        return self.undo_depth() > 0

    # ------------------------------------------------------------ the operations

    def _edit(self, al: Alignment, op: str, args: dict[str, Any],
              carried: list[dict[str, Any]], dropped: list[dict[str, Any]]) -> list[Link]:
        links = list(al.links)
        handler = getattr(self, f"_op_{op}", None)
        if handler is None:
            raise InputError(f"unknown operation {op!r}")
        result: list[Link] = (handler(al, links, args, carried, dropped) if op == "relink"
                              else handler(al, links, args))
        return result

    @staticmethod
    def _index(links: Sequence[Link], args: dict[str, Any], key: str = "link") -> int:
        if args.get(key) is None:
            raise InputError(f"missing {key!r}")
        i = _as_int(args[key], key)
        if not 0 <= i < len(links):
            raise InputError(f"no link {i}")
        return i

    @staticmethod
    def _ids(args: dict[str, Any], key: str, size: int) -> list[int]:
        raw = args.get(key, [])
        if isinstance(raw, str):
            raw = [x for x in re.split(r"[\s,\u060C]+", raw) if x]  # 3,4 / 3 4 / 3،4 (Arabic comma)
        if not isinstance(raw, list):
            raise InputError(f"{key}: a list of sentence numbers expected")
        ids = sorted({_as_int(x, key) for x in raw})
        bad = [i for i in ids if not 0 <= i < size]
        if bad:
            raise InputError(f"{key}: no sentence {bad[0]} (0..{size - 1})")
        return ids

    def _op_status(self, al: Alignment, links: list[Link], args: dict[str, Any]) -> list[Link]:
        i = self._index(links, args)
        value = args.get("status")
        if value not in (*STATUSES, None, ""):
            raise InputError(f"status must be one of {', '.join(STATUSES)} or empty")
        feats = dict(links[i].features)
        if value:
            feats["status"] = value
        else:
            feats.pop("status", None)
        links[i] = replace(links[i], features=feats)
        return links

    def _op_note(self, al: Alignment, links: list[Link], args: dict[str, Any]) -> list[Link]:
        i = self._index(links, args)
        text = args.get("note", "")
        if not isinstance(text, str):
            raise InputError("note must be text")
        if any("\ud800" <= c <= "\udfff" for c in text):
            raise InputError("note is not valid Unicode text (a lone surrogate)")
        if len(text) > MAX_NOTE:
            raise InputError(f"note longer than {MAX_NOTE} characters")
        feats = dict(links[i].features)
        if text.strip():
            feats["note"] = text
        else:
            feats.pop("note", None)
        links[i] = replace(links[i], features=feats)
        return links

    def _op_merge(self, al: Alignment, links: list[Link], args: dict[str, Any]) -> list[Link]:
        """Merge link ``link`` with link ``other`` (default: the next one); see :func:`merge_refusal`
        for which links may be merged."""
        i = self._index(links, args)
        if "other" not in args and i == len(links) - 1:  # "no link 13" named a link nobody asked for
            raise InputError(f"link {i} is the last: there is no next link to merge it with")
        j = self._index(links, {"other": args.get("other", i + 1)}, "other")
        if i == j:
            raise InputError("cannot merge a link with itself")
        i, j = min(i, j), max(i, j)
        refused = merge_refusal(al, i, j)  # al: the links as listed (review_order)
        if refused:
            raise InputError(refused)
        a, b = links[i], links[j]
        _not_rejected(links, (i, j), "merge")
        keep: dict[str, Any] = {}
        note, _ = join_notes([(n, str(k.features["note"])) for n, k in ((i, a), (j, b)) if k.features.get("note")])
        if note:
            keep["note"] = note
        keep["status"] = "accepted"
        scored = [k.score for k in (a, b) if k.src and k.tgt]
        score = sum(scored) / len(scored) if scored else 0.0
        merged = _rebuilt(al, a.src + b.src, a.tgt + b.tgt, score, keep, "merge")
        out = links[:i] + [merged] + links[i + 1:j] + links[j + 1:]
        return self._finish(al, out)

    def _op_split(self, al: Alignment, links: list[Link], args: dict[str, Any]) -> list[Link]:
        """Split a link after ``src_at`` source and ``tgt_at`` target sentences (default 1 and 1;
        a 1-1 link by default into its two sentences apart: 1-0 and 0-1).

        The pieces are ``edited`` but not accepted: a split says the link was wrong as one, not
        that each piece is right (the default cut, after the first sentence of each side, is a
        place nobody chose: a 1-3 link gives ar 0 / en 0 and two gaps; the app's Split… asks), so
        they stay in the review queue and out of ``filter --status accepted``. A merge, a relink and a new link are
        accepted: there the reviewer chose the sentences."""
        i = self._index(links, args)
        link = links[i]
        if len(link.src) + len(link.tgt) < 2 or (len(link.src) <= 1 and len(link.tgt) <= 1
                                                 and not (link.src and link.tgt)):
            raise InputError(f"link {i} ({link.kind}) has nothing to split")
        _not_rejected(links, (i,), "split")
        one_one = len(link.src) == 1 and len(link.tgt) == 1
        a = _as_int(args.get("src_at", min(1, len(link.src))), "src_at")
        b = _as_int(args.get("tgt_at", 0 if one_one and "src_at" not in args else min(1, len(link.tgt))), "tgt_at")
        if not (0 <= a <= len(link.src) and 0 <= b <= len(link.tgt)) or (a + b == 0) or (
                a == len(link.src) and b == len(link.tgt)):
            raise InputError("split point must leave sentences on both pieces")
        keep = {k: v for k, v in link.features.items() if k == "note"}
        pieces: list[Link] = []
        for s, t in ((link.src[:a], link.tgt[:b]), (link.src[a:], link.tgt[b:])):
            if s and t:
                pieces.append(_rebuilt(al, s, t, link.score, keep, "split"))
            else:  # a one-sided piece is a gap per sentence
                pieces += [_rebuilt(al, (x,), (), 0.0, {}, "split") for x in s]
                pieces += [_rebuilt(al, (), (y,), 0.0, {}, "split") for y in t]
        out = links[:i] + pieces + links[i + 1:]
        return self._finish(al, out)

    def _op_relink(self, al: Alignment, links: list[Link], args: dict[str, Any],
                   carried: list[dict[str, Any]] | None = None,
                   dropped: list[dict[str, Any]] | None = None) -> list[Link]:
        """Give link ``link`` (or a new link when ``link`` is absent) the sentences ``src`` / ``tgt``.

        Sentences taken from other links leave them (emptied links go; in parallel
        mode the sentences a relink frees become gaps). The link keeps its note, and takes the
        notes of the links it absorbs (none of their pairs is left: a link that keeps sentences
        on both sides keeps its own note), joined as a merge joins them, each text once; those
        links (``link``: their number, ``src`` / ``tgt``: their sentences) go to ``carried`` (when
        given), for the page to say so.

        A rejected link whose sentences it takes: refused in parallel mode (what is left of it would
        lose the rejection). In comparable mode its sentences are unmatched ones (:func:`parallel.data.unmatched`):
        the rejected link goes whole, its note with its sentences as an absorbed link's does, and
        it goes to ``dropped`` (when given) as to ``carried``; its other sentences stay unmatched.
        """
        i = self._index(links, args) if args.get("link") is not None else None
        src = self._ids(args, "src", len(al.src))
        tgt = self._ids(args, "tgt", len(al.tgt))
        if not src and not tgt:
            raise InputError("a link needs at least one sentence")
        if al.mode == "comparable" and not (src and tgt):
            raise InputError("in comparable mode a link needs sentences on both sides")
        if src and tgt:
            scored = [k.score for k in links if set(k.src) & set(src) or set(k.tgt) & set(tgt)]
            score = max(scored) if scored else 0.0
        else:
            score = 0.0
        if i is not None and (tuple(src), tuple(tgt)) == (links[i].src, links[i].tgt):
            raise InputError(f"link {i} already holds these sentences: nothing to change")
        s_set, t_set = set(src), set(tgt)
        # rejected links holding a sentence the link takes
        gone = [n for n, k in enumerate(links) if n != i and rejected(k)
                and (s_set & set(k.src) or t_set & set(k.tgt))]
        if gone and al.mode != "comparable":
            # what a relink leaves of another link is no longer the pair the reviewer rejected, and
            # it was saved without the rejection ("trimmed"), so filters kept it for training data
            raise InputError(f"link {gone[0]} is rejected: unreject it first to move its sentences "
                             "(what is left of it would lose the rejection)")
        # the note of a link the new one absorbs (nothing of it is left as a pair; a rejected link
        # it takes from goes whole) goes with its sentences, after the note of the link relinked
        # (the "new link" form used to drop it)
        notes = [(n, str(k.features["note"])) for n, k in enumerate(links) if k.features.get("note") and (
            n == i or n in gone or (s_set & set(k.src) or t_set & set(k.tgt))
            and not (set(k.src) - s_set and set(k.tgt) - t_set))]
        notes.sort(key=lambda x: x[0] != i)
        note, kept = join_notes(notes)
        if carried is not None:
            carried.extend({"link": n, "src": list(links[n].src), "tgt": list(links[n].tgt)} for n in kept if n != i)
        if dropped is not None:
            dropped.extend({"link": n, "src": list(links[n].src), "tgt": list(links[n].tgt)} for n in gone)
        keep: dict[str, Any] = {"status": "accepted"}
        if note:
            keep["note"] = note
        new = _rebuilt(al, src, tgt, score, keep, "relink")
        out: list[Link] = []
        pos = i
        for n, k in enumerate(links):
            if n == i:
                continue
            if s_set & set(k.src) or t_set & set(k.tgt):
                if pos is None:
                    pos = len(out)
                if n in gone:  # a rejected comparable link: its other sentences stay unmatched
                    continue
                rs = [x for x in k.src if x not in s_set]
                rt = [y for y in k.tgt if y not in t_set]
                if rs and rt:
                    out.append(_rebuilt(al, rs, rt, k.score, {"note": k.features["note"]}
                                        if k.features.get("note") else {}, "trimmed"))
                elif al.mode == "parallel":
                    out += [_rebuilt(al, (x,), (), 0.0, {}, "trimmed") for x in rs]
                    out += [_rebuilt(al, (), (y,), 0.0, {}, "trimmed") for y in rt]
            else:
                out.append(k)
        if i is not None:
            pos = min(i, len(out)) if pos is None else min(pos, i)
        out.insert(len(out) if pos is None else min(pos, len(out)), new)
        return self._finish(al, out)

    def _op_delete(self, al: Alignment, links: list[Link], args: dict[str, Any]) -> list[Link]:
        """Remove a link (comparable: its sentences become unmatched; parallel: gaps)."""
        i = self._index(links, args)
        link = links[i]
        out = links[:i] + links[i + 1:]
        if al.mode == "parallel":
            gaps = ([_rebuilt(al, (x,), (), 0.0, {}, "unlinked") for x in link.src]
                    + [_rebuilt(al, (), (y,), 0.0, {}, "unlinked") for y in link.tgt])
            out = links[:i] + gaps + links[i + 1:]
        return self._finish(al, out)

    @staticmethod
    def _finish(al: Alignment, links: list[Link]) -> list[Link]:
        """Parallel: every sentence in one link, in text order. Comparable: links with both sides,
        in :func:`review_order` (a link a reviewer makes or changes goes to its place, not to
        the end of the list)."""
        if al.mode == "parallel":
            covered = _cover(links, len(al.src), len(al.tgt))
            # keep the file's order when it is still monotonic (small undo entries, no surprises)
            return covered if _monotonic(covered) else _order_parallel(covered)
        return comparable_order([k for k in links if k.src and k.tgt])
