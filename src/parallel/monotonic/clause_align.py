"""One-to-many documents: align the coarser side by its clauses, then give the finer side's
unlinked sentences to a neighbouring link.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..data import Link
from ..embed import Encoder
from ..normalize import length as chars
from .boundaries import clauses, unchained
from .dp import _normalise
from .first_pass import calibrate, first_pass
from .search import _FINER_SEARCH, _align_parallel, auto_max_link, one_to_many


def align_by_clauses(src: list[str], tgt: list[str], encoder: Encoder, src_emb: np.ndarray, tgt_emb: np.ndarray,
                     opts: dict[str, Any], src_out: np.ndarray | None = None,
                     tgt_out: np.ndarray | None = None) -> list[Link] | None:
    """Align a one-to-many document through the clauses of its coarser side (None when no sentence
    there has two clauses).

    The sentences of the coarser side are split into clauses (:func:`clauses`; a sentence of one
    clause keeps its vector, the clauses of the others are embedded in one encoder call), the
    clauses are aligned with the finer side's sentences (:func:`_align_parallel` with ``opts``),
    and each link is read back onto whole sentences (:func:`_sentences_of_clauses`): a sentence gets
    the finer side's sentences its clauses were aligned with; sentences whose clauses are all in
    one link become one link (2-x), and so do those of a link across sentences whose finer side's
    sentences need the text of each (:func:`_across_sentences`: a translation that moved a
    sentence boundary). The clause embeddings and those of that check are paid from the span budget; the
    clause-edge term is off (the clauses stand in for it). ``src_out``/``tgt_out``: sentences left
    unlinked (:mod:`.foreign`; every clause of such a sentence is).

    Why: a long sentence rendered as several short ones is cut where its clauses end. Aligned by
    clauses, most links are one clause against one or two sentences, where sentence vectors are
    reliable; aligned whole, every cut is a choice between long spans whose joined vectors barely
    move when a short sentence at their edge is added or dropped.
    """
    n, m = len(src), len(tgt)
    coarse = 0 if n < m else 1
    sents, other = (src, tgt) if coarse == 0 else (tgt, src)
    # the share of the characters the span budget leaves to embeddings (the search of a one-to-many
    # document is longer, see _align_parallel); None: no budget
    share = (None if opts.get("span_budget") is None
             else float(opts["span_budget"]) * (1.0 - _FINER_SEARCH * one_to_many(n, m)))
    pieces = [clauses(x, waw=True) for x in sents]
    if share is not None:
        # the cuts at و make more clauses to embed: where they would cost more than the span budget
        # holds, they are made in the longest sentences only, as far as it goes (clauses_within)
        allowed = share * (sum(chars(x) + 20.0 for x in sents) + sum(chars(x) + 20.0 for x in other))
        if _clause_cost(pieces) > allowed:
            pieces = clauses_within(sents, pieces, [clauses(x) for x in sents], allowed)
    if all(len(p) < 2 for p in pieces):
        return None
    owner = np.array([k for k, p in enumerate(pieces) for _ in p], dtype=np.int64)
    # a clause opening with a chain of transmitters is embedded (and its length counted) without
    # the chain's links but the last: a translation names the narrator only ("Narrated Anas:"),
    # and a list of names in the vector matched whatever sentence names people
    texts = [unchained(c) if len(p) > 1 else c for p in pieces for c in p]
    base = _normalise(np.asarray(src_emb if coarse == 0 else tgt_emb, dtype=np.float32))
    vecs = base[owner].copy()
    split = np.array([len(pieces[k]) > 1 for k in owner])
    if split.any():
        vecs[split] = _normalise(np.asarray(encoder.encode([x for x, y in zip(texts, split, strict=True) if y]),
                                            dtype=np.float32))
    check: float | None = None
    if share is not None:
        # the clauses' embeddings are paid from the span budget
        spent = sum(chars(x) + 20.0 for x, y in zip(texts, split, strict=True) if y)
        total = sum(chars(x) + 20.0 for x in texts) + sum(chars(x) + 20.0 for x in other)
        # and so are those of the links across sentences (_across_sentences), from a share kept for them
        check = JOIN_SHARE * total
        opts = {**opts, "span_budget": max(0.0, share - spent / total - JOIN_SHARE)}
    # the clauses are what the clause-edge term stands in for when whole sentences are aligned
    opts = {**opts, "edge_weight": 0.0}
    # a boundary between two clauses of one sentence is a cut inside it (weak after a comma)
    cut = np.concatenate([[False], owner[1:] == owner[:-1]])
    if coarse == 0:
        inner = _align_parallel(texts, tgt, encoder, src_emb=vecs, tgt_emb=tgt_emb, src_cut=cut,
                                src_out=None if src_out is None else src_out[owner], tgt_out=tgt_out, **opts)
    else:
        inner = _align_parallel(src, texts, encoder, src_emb=src_emb, tgt_emb=vecs, tgt_cut=cut, src_out=src_out,
                                tgt_out=None if tgt_out is None else tgt_out[owner], **opts)
    sides = [(k.src, k.tgt) if coarse == 0 else (k.tgt, k.src) for k in inner]  # (clauses, finer side)
    weight = np.array([chars(x) for x in texts], dtype=np.float64)
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    joins, prefer = _across_sentences(sides, owner, sents, texts, weight, base, vecs, t if coarse == 0 else s,
                                      encoder, check)
    links = [(a, b) if coarse == 0 else (b, a)
             for a, b in _sentences_of_clauses(sides, owner, weight, limit=auto_max_link(n, m), joins=joins,
                                               prefer=prefer)]
    return _scored_links(links, s, t, [chars(x) for x in src], [chars(x) for x in tgt], float(opts["local"]),
                         int(opts["seed"]))


#: How much closer (in cosine) the finer side's sentences of a clause link across sentences must
#: come to one text than to another for the difference to decide where the link goes: to all the
#: sentences it has clauses of rather than to one part of it, or to the sentence whose clauses say
#: what they say rather than to the one with most of its text there (:func:`_across_sentences`).
#: On the visible sets a link that took a neighbour's untranslated clause along gains under 0.05
#: by the join in three of four cases, 0.1 or more in 8 of 114 (hadith); a moved sentence
#: boundary gains 0.16 in the median, under 0.1 in 9 of 40 (docs/benchmarks.md, "Stop 61").
CLEAR_GAIN = 0.1
#: Share of the span budget (in characters of the document's sentences) kept for the embeddings
#: of that check, out of what the clause search would have.
JOIN_SHARE = 0.1


def _across_sentences(sides: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], owner: np.ndarray,
                      sents: Sequence[str], texts: Sequence[str], weight: np.ndarray, base: np.ndarray,
                      vecs: np.ndarray, finer: np.ndarray, encoder: Encoder,
                      budget: float | None) -> tuple[set[int], dict[int, int]]:
    """Where the clause links (indices into ``sides``: clause ids, finer side's ids) across
    sentences not all whole in them go, as ``(joins, prefer)`` for :func:`_sentences_of_clauses`.

    Such a link goes to the sentences whole in it; when there are none, to the sentence whose
    clauses the finer side's sentences (``finer``: unit vectors) come closest to (the clauses'
    vectors ``vecs`` summed), where that is closer than the part of the sentence with most of the
    link's text (``weight``: each clause's length) by :data:`CLEAR_GAIN` (``prefer``: {link:
    sentence}), else to that one. The closing commentary of a hadith, which a translation leaves
    out, is often longer than the next hadith's opening clause that the English sentence
    translates; where two parts say much the same (two versions of one hadith) the length decides.

    And the link joins every sentence it has clauses of (``joins``: 2-x) when the finer side's
    sentences come closer by :data:`CLEAR_GAIN` to all of its text than to that part alone, both
    embedded (a whole sentence as ``sents`` has it, its vector in ``base``; a part of one as its
    clauses' ``texts``): a translation that moved a sentence boundary (ar "A. B-and-C." against en
    "A-and-B. C."). A link that took an untranslated clause along gains nothing by it. The links
    are checked in the order of the same gain read from summed vectors, as far as the texts they
    ask the encoder for (``chars(text) + 20`` each) stay within ``budget`` characters (None: no
    limit)."""
    count = np.bincount(owner)

    def text(ids: list[int]) -> tuple[str, np.ndarray | None]:
        """The text of clauses ``ids`` (in order), with its vector when one is known."""
        held = sorted({int(owner[c]) for c in ids})
        if len(ids) == 1:
            return texts[ids[0]], vecs[ids[0]]
        if len(held) == 1 and count[held[0]] == len(ids):
            return sents[held[0]], base[held[0]]
        out = [sents[o] if count[o] == sum(owner[c] == o for c in ids) else
               " ".join(texts[c] for c in ids if owner[c] == o) for o in held]
        return " ".join(out), None

    prefer: dict[int, int] = {}
    cands: list[tuple[float, int, list[int], list[int]]] = []
    for k, (cl, fine) in enumerate(sides):
        if not cl or not fine:
            continue
        own = owner[list(cl)]
        held = sorted({int(o) for o in own})
        whole = {o for o in held if int((own == o).sum()) == count[o]}
        if len(held) < 2 or len(whole) == len(held):
            continue
        f = _normalise(finer[list(fine)].sum(axis=0))
        if whole:
            most = whole
        else:
            ids_of = {o: [c for c in cl if owner[c] == o] for o in held}
            close = {o: float(_normalise(vecs[ids_of[o]].sum(axis=0)) @ f) for o in held}
            longest = held[int(np.argmax([float(weight[ids_of[o]].sum()) for o in held]))]
            best = max(held, key=lambda o: (close[o], -o))
            if close[best] - close[longest] >= CLEAR_GAIN:
                prefer[k] = best
            most = {prefer.get(k, longest)}
        part = [c for c in cl if owner[c] in most]
        rough = float(_normalise(vecs[list(cl)].sum(axis=0)) @ f) - float(_normalise(vecs[part].sum(axis=0)) @ f)
        cands.append((-rough, k, part, list(cl)))
    asked: list[str] = []
    chosen: list[tuple[int, np.ndarray | int, int]] = []  # link, its part's vector (or text), all of it
    spent = 0.0
    for _, k, part, ids in sorted(cands):
        (part_text, known), (joined, _) = text(part), text(ids)
        new = [joined] if known is not None else [part_text, joined]
        cost = sum(chars(x) + 20.0 for x in new)
        if budget is not None and spent + cost > budget:
            continue
        spent += cost
        chosen.append((k, known if known is not None else len(asked), len(asked) + len(new) - 1))
        asked += new
    joins: set[int] = set()
    if asked:
        got = _normalise(np.asarray(encoder.encode(asked), dtype=np.float32))
        for k, alone_at, joined_at in chosen:
            f = _normalise(finer[list(sides[k][1])].sum(axis=0))
            part_vec = got[alone_at] if isinstance(alone_at, int) else alone_at
            if float(got[joined_at] @ f) - float(part_vec @ f) >= CLEAR_GAIN:
                joins.add(k)
    return joins, {k: o for k, o in prefer.items() if k not in joins}


def _clause_cost(pieces: Sequence[Sequence[str]]) -> float:
    """Characters to embed for the clauses of ``pieces`` (each sentence's clauses, embedded without
    a chain of transmitters they open with: :func:`unchained`; a sentence of one clause keeps its
    own vector), counted as the span budget counts them."""
    return sum(chars(unchained(c)) + 20.0 for p in pieces if len(p) > 1 for c in p)


def clauses_within(sents: Sequence[str], fine: Sequence[list[str]], plain: Sequence[list[str]],
                   allowed: float) -> list[list[str]]:
    """Each sentence's clauses when cutting every one of ``sents`` as ``fine`` does (at و as well)
    would cost more to embed than ``allowed`` characters (:func:`_clause_cost`): ``plain``'s (cut
    at punctuation only), and ``fine``'s for the longest sentences, longest first, as far as the
    budget goes. A long sentence is where a cut is hardest to place whole (a hadith, one line
    against eight English sentences); before stop 55 one sentence too many over the budget cut
    every sentence at punctuation only (hadith one-to-many 0.505, now 0.575)."""
    out = list(plain)
    spent = _clause_cost(out)
    for k in sorted(range(len(sents)), key=lambda k: (-chars(sents[k]), k)):
        more = _clause_cost([fine[k]]) - _clause_cost([out[k]])
        if spent + more <= allowed:
            out[k] = fine[k]
            spent += more
    return out


#: Most sentences in a row of the finer side left unlinked that :func:`absorb_additions` joins to
#: a neighbouring link (a longer run is a passage the translation added or left out).
_ABSORB_RUN = 2


def absorb_additions(links: list[Link], src: list[str], tgt: list[str], encoder: Encoder,
                     src_emb: np.ndarray, tgt_emb: np.ndarray, local: float, seed: int,
                     src_out: np.ndarray | None = None, tgt_out: np.ndarray | None = None) -> list[Link]:
    """In a one-to-many document, join each run of at most ``_ABSORB_RUN`` sentences of the finer
    side that no link holds (a 0-1 link) to the neighbouring link, before or after it, that it
    fits better; links are otherwise unchanged.

    A translation that renders one sentence as several rarely adds a sentence of its own: an
    unlinked short sentence between two one-to-many links ("Little do you remember." after the
    sentence it ends) is the last of the link before it or the first of the link after it, and
    the search left it out because a short sentence barely moves a joined vector either way.
    Both joins are embedded as text (one encoder call for the whole document), and the run goes
    where adding it raises the link's cosine more (or lowers it less). A run with no link on
    either side next to it (the document's edge, or another unlinked stretch) stays unlinked, and
    so does one that would make a link longer than :func:`auto_max_link` allows, and one holding a
    sentence flagged in ``src_out``/``tgt_out`` (untranslated, :mod:`.foreign`).
    """
    n, m = len(src), len(tgt)
    fine = 1 if m > n else 0  # the side split finer: its unlinked sentences are the additions
    limit = auto_max_link(n, m)

    def side(k: Link) -> tuple[int, ...]:
        return k.tgt if fine == 1 else k.src

    def other(k: Link) -> tuple[int, ...]:
        return k.src if fine == 1 else k.tgt

    fine_text, coarse_text = (tgt, src) if fine == 1 else (src, tgt)
    fine_out = tgt_out if fine == 1 else src_out
    runs: list[tuple[int, int]] = []  # (first, last) link positions of each run of additions
    k = 0
    while k < len(links):
        if not other(links[k]) and side(links[k]):
            e = k
            while e + 1 < len(links) and not other(links[e + 1]) and side(links[e + 1]):
                e += 1
            held = [i for x in range(k, e + 1) for i in side(links[x])]
            if len(held) <= _ABSORB_RUN and (fine_out is None or not fine_out[held].any()):
                runs.append((k, e))
            k = e + 1
        else:
            k += 1
    if not runs:
        return links

    def full(x: int) -> bool:
        return 0 <= x < len(links) and bool(links[x].src) and bool(links[x].tgt)

    texts: list[str] = []
    plans: list[tuple[int, int, list[int], int, int, int, int]] = []
    for b, e in runs:
        added = [i for x in range(b, e + 1) for i in side(links[x])]
        for nb, before in ((b - 1, True), (e + 1, False)):
            if not full(nb):
                continue
            own = list(side(links[nb]))
            if len(own) + len(added) > limit:  # never a link longer than the document allows
                continue
            grown = own + added if before else added + own
            base = len(texts)
            texts += [" ".join(coarse_text[i] for i in other(links[nb])), " ".join(fine_text[i] for i in own),
                      " ".join(fine_text[i] for i in grown)]
            plans.append((b, e, grown, nb, base, base + 1, base + 2))
    if not plans:
        return links
    vecs = _normalise(np.asarray(encoder.encode(texts), dtype=np.float32))
    best: dict[tuple[int, int], tuple[float, int, list[int]]] = {}
    for b, e, grown, nb, c, o, g in plans:
        gain = float(vecs[c] @ vecs[g] - vecs[c] @ vecs[o])
        if (b, e) not in best or gain > best[(b, e)][0]:
            best[(b, e)] = (gain, nb, grown)
    drop: set[int] = set()
    changed: dict[int, list[int]] = {}
    for (b, e), (_, nb, grown) in sorted(best.items()):
        if nb in drop or nb in changed:  # a link takes in one run only
            continue
        drop.update(range(b, e + 1))
        changed[nb] = grown
    pairs = []
    for x, link in enumerate(links):
        if x in drop:
            continue
        if x in changed:
            a, t = (link.src, tuple(changed[x])) if fine == 1 else (tuple(changed[x]), link.tgt)
            pairs.append((a, t))
        else:
            pairs.append((link.src, link.tgt))
    return _relinked(links, pairs, src, tgt, src_emb, tgt_emb, local, seed)


def _relinked(links: list[Link], pairs: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], src: list[str],
              tgt: list[str], src_emb: np.ndarray, tgt_emb: np.ndarray, local: float, seed: int) -> list[Link]:
    """``pairs`` (the ids of the links after an edit) as links: those in ``links`` as they were,
    score and features kept, the new ones scored as :func:`second_pass` scores a link
    (:func:`_scored_links`)."""
    s = _normalise(np.asarray(src_emb, dtype=np.float32))
    t = _normalise(np.asarray(tgt_emb, dtype=np.float32))
    known = {(k.src, k.tgt): k for k in links}
    rescored = iter(_scored_links([p for p in pairs if p not in known], s, t, [chars(x) for x in src],
                                  [chars(x) for x in tgt], local, seed))
    return [known[p] if p in known else next(rescored) for p in pairs]


#: Marks that end a line in mid-sentence: the sentence goes on in the next line. (Not the
#: semicolon: segmenters that cut there, as Text+Berg's does, make each clause a unit of its own.)
_CONTINUED = (",", "\u060c")
#: An opening phrase ("Now, therefore,", "However,", "وبعد،") has fewer words than this; the
#: number is the one from which :mod:`.foreign` reads a line's language (a line, not a phrase).
_OPENING_WORDS = 4


def join_unfinished(links: list[Link], src: list[str], tgt: list[str], src_emb: np.ndarray, tgt_emb: np.ndarray,
                    limit: int, local: float, seed: int, src_out: np.ndarray | None = None,
                    tgt_out: np.ndarray | None = None) -> list[Link]:
    """Join an opening phrase left unlinked to the link after it: a line of fewer than
    :data:`_OPENING_WORDS` words that ends in a comma (a 1-0 or 0-1 link of one sentence) starts a
    sentence the next line goes on with, and a translation renders the two together ("Now,
    therefore," on a line of its own before "The General Assembly", which the Arabic gives as one
    phrase, فإن الجمعية العامة). The search leaves such a phrase out because a few words barely
    move a joined vector, or move it away (fa-inna is "therefore", yet the joined English is
    further from the Arabic than "The General Assembly" alone). A longer line ending in a comma
    is a clause of its own and, left unlinked, usually one the other side leaves out (the UDHR
    preamble paragraph "Whereas ... ," that the Arabic omits), so it stays.

    The next link must hold both sides and stay within ``limit`` sentences a side; a line flagged
    in ``src_out``/``tgt_out`` (untranslated, :mod:`.foreign`) stays unlinked. The links changed
    are scored again as :func:`absorb_additions` scores its own."""
    outs = (src_out, tgt_out)
    texts = (src, tgt)
    pairs = [(k.src, k.tgt) for k in links]
    changed = False
    x = 0
    while x + 1 < len(pairs):
        a, b = pairs[x]
        na, nb = pairs[x + 1]
        side = 0 if a and not b else 1 if b and not a else -1
        if side >= 0 and len(a or b) == 1 and na and nb:
            i = (a or b)[0]
            out = outs[side]
            grown = (i, *(na if side == 0 else nb))
            line = texts[side][i].rstrip()
            if (line.endswith(_CONTINUED) and sum(any(c.isalnum() for c in w) for w in line.split()) < _OPENING_WORDS and (out is None or not out[i])
                    and len(grown) <= limit and grown == tuple(range(grown[0], grown[-1] + 1))):
                pairs[x + 1] = (grown, nb) if side == 0 else (na, grown)
                del pairs[x]
                changed = True
                continue
        x += 1
    if not changed:
        return links
    return _relinked(links, pairs, src, tgt, src_emb, tgt_emb, local, seed)


#: Most skipped finer-side sentences in a row that a sentence's clause links take in (more is an
#: omission: the longest link :func:`auto_max_link` allows is 1-9).
_ABSORB_MAX = 8


def _sentences_of_clauses(sides: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], owner: np.ndarray,
                          weight: np.ndarray, limit: int | None = None,
                          joins: set[int] | frozenset[int] = frozenset(),
                          prefer: dict[int, int] | None = None) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Links of clauses (ids on the coarse side, ids on the finer side), in order, read back onto
    the sentences that ``owner`` (clause -> sentence) names; ``weight``: each clause's length;
    ``limit``: most sentences on either side of a link (None: any number).

    A link whose clauses belong to one sentence goes to it. A link across sentences goes to the
    sentences all of whose clauses are in it (two or more: one link of them, 2-x), or, when none
    is, to the sentence with most of its text: a sentence that has only its last clause there is
    not joined to the next one for it. A skipped sentence inside one sentence's links belongs to
    it; a sentence left with nothing is a 1-0 link. A link whose index is in ``joins`` goes to
    every sentence it has clauses of; one in ``prefer`` with no sentence whole in it, to the
    sentence it names (:func:`_across_sentences`). A sentence whose clause links hold more than
    ``limit`` sentences keeps the run of them with most of its text within the limit
    (:func:`_within_limit`); the other side's sentences of the others become 0-1 links.
    """
    count = np.bincount(owner)
    parent = list(range(len(count)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: list[list[int]] = []
    for k, (cl, _) in enumerate(sides):
        own = owner[list(cl)] if cl else np.zeros(0, np.int64)
        uniq = sorted({int(o) for o in own})
        if len(uniq) > 1 and k not in joins:
            whole = [o for o in uniq if int((own == o).sum()) == count[o]]
            share = [float(weight[list(cl)][own == o].sum()) for o in uniq]
            uniq = whole or [prefer[k] if prefer and k in prefer else uniq[int(np.argmax(share))]]
        for o in uniq[1:]:
            parent[find(o)] = find(uniq[0])
        members.append(uniq)
    group: list[int | None] = [find(mem[0]) if mem else None for mem in members]
    after: list[int | None] = [None] * len(group)  # the group of the next link that has one
    nxt: int | None = None
    for k in range(len(group) - 1, -1, -1):
        after[k] = nxt
        nxt = group[k] if group[k] is not None else nxt
    # the skipped sentences of each run of links without a group (a run longer than a link can be
    # is an omission, not part of a sentence)
    run = [0] * len(group)
    k = 0
    while k < len(group):
        if group[k] is None:
            e = k
            while e < len(group) and group[e] is None:
                e += 1
            size = sum(len(sides[x][1]) for x in range(k, e))
            run[k:e] = [size] * (e - k)
            k = e
        else:
            k += 1
    before: int | None = None
    for k, g in enumerate(group):  # a skipped sentence inside one sentence's links belongs to it
        if g is None and before is not None and before == after[k] and run[k] <= _ABSORB_MAX:
            group[k] = before
        before = group[k] if group[k] is not None else before
    runs: list[list[tuple[set[int], list[int], float]]] = []  # the links of each entry
    owner_of: list[int | None] = []
    last: int | None = None
    for (cl, fine), mem, g in zip(sides, members, group, strict=True):
        part = (set(mem), list(fine), float(weight[list(cl)].sum()) if cl else 0.0)
        if g is not None and g == last:
            runs[-1].append(part)
        else:
            runs.append([part])
            owner_of.append(g)
        last = g
    if limit is not None:
        runs, owner_of = _within_limit(runs, owner_of, limit)
    out = [({o for a, _, _ in run for o in a}, [y for _, b, _ in run for y in b]) for run in runs]
    mass = [sum(w for _, _, w in run) for run in runs]  # clause length of each entry
    # a sentence whose clause links an omission left apart (a run of skipped sentences too long to
    # take in) stays where most of its text was aligned; the other side's sentences linked to its
    # other clauses become 0-1 links
    best: dict[int, int] = {}
    for e, g in enumerate(owner_of):
        if g is not None and (g not in best or mass[e] > mass[best[g]]):
            best[g] = e
    if len(best) < sum(g is not None for g in owner_of):
        kept: list[tuple[set[int], list[int]]] = []
        for e, (a, b) in enumerate(out):
            g = owner_of[e]
            if g is None or best[g] == e:
                kept.append((a, b))
            else:
                kept += [(set(), [y]) for y in b]
        out = kept
    placed = {o for a, _ in out for o in a}
    missing = sorted(set(range(len(count))) - placed)  # sentences whose clauses all went elsewhere
    done: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for a, b in out:
        while a and missing and missing[0] < min(a):
            done.append(((missing.pop(0),), ()))
        done.append((tuple(sorted(a)), tuple(b)))
    return done + [((o,), ()) for o in missing]


def _within_limit(runs: list[list[tuple[set[int], list[int], float]]], owner_of: list[int | None],
                  limit: int) -> tuple[list[list[tuple[set[int], list[int], float]]], list[int | None]]:
    """Each entry of :func:`_sentences_of_clauses` (a run of clause links, each ``(sentences,
    finer side's sentences, clause length)``, read back onto one group of sentences) with at most
    ``limit`` sentences on either side: an entry over it keeps its consecutive links of most clause
    length within the limit, and the finer side's sentences of its other links become 0-1 links
    (a link of more sentences than the document allows is a search that ran on, not a translation)."""
    new_runs: list[list[tuple[set[int], list[int], float]]] = []
    new_owner: list[int | None] = []
    for run, g in zip(runs, owner_of, strict=True):
        if (len({o for a, _, _ in run for o in a}) <= limit and sum(len(b) for _, b, _ in run) <= limit):
            new_runs.append(run)
            new_owner.append(g)
            continue
        heaviest = max(range(len(run)), key=lambda x: run[x][2])
        best, lo, hi = -np.inf, heaviest, heaviest + 1  # no run fits: the heaviest link alone
        # the window of consecutive links from each start, as far as it fits (a sliding window: a
        # sentence of thousands of clauses, most of them unlinked, made this quadratic)
        held: Counter[int] = Counter()
        fine = end = 0
        w = 0.0
        for a in range(len(run)):
            end = max(end, a)
            while end < len(run):
                grown = len(held) + len(run[end][0] - held.keys())
                if grown > limit or fine + len(run[end][1]) > limit:
                    break
                held.update(run[end][0])
                fine += len(run[end][1])
                w += run[end][2]
                end += 1
            if end > a:
                stop = end  # links of no clause at its end add nothing: they stay out of it
                while stop > a + 1 and run[stop - 1][2] == 0.0:
                    stop -= 1
                if w > best:
                    best, lo, hi = w, a, stop
                held.subtract(run[a][0])
                held += Counter()  # drop the sentences no longer held
                fine -= len(run[a][1])
                w -= run[a][2]
        for x in range(len(run)):
            if x == lo:
                new_runs.append(run[lo:hi])
                new_owner.append(g)
            elif not lo <= x < hi:
                new_runs += [[(set(), [y], 0.0)] for y in run[x][1]]
                new_owner += [None] * len(run[x][1])
    return new_runs, new_owner


def _scored_links(links: Sequence[tuple[tuple[int, ...], tuple[int, ...]]], s: np.ndarray, t: np.ndarray,
                  s_chars: Sequence[int], t_chars: Sequence[int], local: float, seed: int) -> list[Link]:
    """:class:`Link` objects for ``links`` with the score and features :func:`second_pass` gives
    (spans as length-weighted sums of the sentence vectors ``s`` (n, d), ``t`` (m, d))."""
    n, m = len(s), len(t)
    s_len, t_len = np.asarray(s_chars, dtype=np.float64), np.asarray(t_chars, dtype=np.float64)
    path, thr = first_pass(s, t, seed=seed)
    steps = np.diff(path, axis=0)
    calib = calibrate(s, t, s_len, t_len, path[1:][(steps == 1).all(axis=1)] - 1, seed, thr)
    s_mean, t_mean = calib.s_smp.mean(axis=0), calib.t_smp.mean(axis=0)
    ws, wt = s * (s_len + 1.0)[:, None].astype(np.float32), t * (t_len + 1.0)[:, None].astype(np.float32)
    out: list[Link] = []
    for a, b in links:
        if not a or not b:
            out.append(Link(a, b, 0.0, {}))
            continue
        sv, tv = _normalise(ws[list(a)].sum(axis=0)), _normalise(wt[list(b)].sum(axis=0))
        cos = float(sv @ tv)
        ravg = 0.5 * float(sv @ t_mean + tv @ s_mean)
        t_nb = [float(sv @ t[j]) for j in (b[0] - 1, b[-1] + 1) if 0 <= j < m]
        s_nb = [float(tv @ s[i]) for i in (a[0] - 1, a[-1] + 1) if 0 <= i < n]
        nb = 0.5 * (float(np.mean(t_nb)) if t_nb else 0.0) + 0.5 * (float(np.mean(s_nb)) if s_nb else 0.0)
        ls, lt = float(s_len[list(a)].sum()), float(t_len[list(b)].sum())
        lt_r = lt * calib.char_ratio
        factor = float(np.log2(1.0 + min(ls, lt_r) / max(ls, lt_r, 1e-9)))
        z = (np.log((ls + 10.0) / (lt + 10.0)) - calib.mu) / calib.sigma
        value = float((cos - local * nb - (1.0 - local) * ravg) * factor)
        feats = {"cosine": cos, "margin_local": cos - nb, "norm_cosine": cos - ravg, "length_z": float(z)}
        out.append(Link(a, b, round(value, 6), {k: round(v, 6) for k, v in feats.items()}))
    return out
