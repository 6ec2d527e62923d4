"""Accept/reject decisions on aligned pairs, kept apart from scoring (as in OpusFilter).

Scores and evidence are computed once (:mod:`parallel.evidence`); a filter only
reads them and says which links to keep. Each filter declares its ``direction``:

* ``min``  -- keep links whose value is at least the threshold (higher is better);
* ``max``  -- keep links whose value is at most the threshold;
* ``range`` -- keep links whose value lies within ``[low, high]``;
* ``in``   -- keep links whose value is in a set;
* ``first`` -- keep the first of links that compare equal (duplicates).

A link lacking the value a threshold filter reads (e.g. no ``margin`` on a 0-1
link) is removed by it. :func:`apply_filters` runs filters in order and counts
what each one removed from what the previous ones left.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from .data import Alignment, Link, rejected
from .errors import InputError


class Filter:
    """Base: ``keep(al, links) -> list[bool]``, one decision per link; ``name`` and
    ``direction`` say what it is."""

    NAME: ClassVar[str] = "filter"
    direction: ClassVar[str] = ""
    #: Does a link this filter removes count as wrong (its sentences then unmatched: p, score,
    #: lengths, numbers, a copy, a reviewer's rejection), or is it only not selected (a link type,
    #: a review state, a duplicate, an empty side)? :func:`apply_filters` ``undo="judged"``.
    JUDGES: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return self.NAME

    @property
    def judges(self) -> bool:
        return self.JUDGES

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        raise NotImplementedError

    def spec(self) -> str:
        """Short form for the signature (no ``|`` or ``:``)."""
        return self.name


def _shown(value: float) -> float:
    """A value as the TSV shows it (4 decimals; JSON, JSONL and TMX keep 6): a threshold keeps the
    same links whichever export it reads, and the ones a reader of the TSV sees over it."""
    return float(f"{value:.4f}")


def _value(al: Alignment, link: Link, key: str) -> float | None:
    if key == "score":
        return _shown(link.score)
    value = link.features.get(key)
    return None if value is None else _shown(float(value))


@dataclass(frozen=True)
class MinValue(Filter):
    """Keep links whose ``key`` (``score`` or a float feature) is >= ``threshold``."""

    key: str
    threshold: float
    direction: ClassVar[str] = "min"

    @property
    def name(self) -> str:
        return f"min-{self.key.replace('_', '-')}"

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        out = []
        for link in links:
            v = _value(al, link, self.key)
            out.append(v is not None and v >= self.threshold)
        return out

    def spec(self) -> str:
        return f"{self.name}={self.threshold:g}"


@dataclass(frozen=True)
class LengthRatio(Filter):
    """Keep links whose ``length_ratio`` (source chars / target chars) is within bounds."""

    low: float | None = None
    high: float | None = None
    NAME: ClassVar[str] = "length-ratio"
    direction: ClassVar[str] = "range"

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        from .evidence import text_features

        out = []
        for link in links:
            v = link.features.get("length_ratio")
            if v is None:
                v = text_features(al.src_text(link), al.tgt_text(link))["length_ratio"]
            v = _shown(float(v))
            ok = (self.low is None or v >= self.low) and (self.high is None or v <= self.high)
            out.append(ok)
        return out

    def spec(self) -> str:
        lo = "" if self.low is None else f"{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}"
        return f"length-ratio={lo}..{hi}"


@dataclass(frozen=True)
class LinkTypes(Filter):
    """Keep links whose type (``1-1``, ``2-1`` ...) is one of ``kinds``."""

    kinds: frozenset[str]
    NAME: ClassVar[str] = "link-types"
    direction: ClassVar[str] = "in"

    JUDGES: ClassVar[bool] = False

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        return [link.kind in self.kinds for link in links]

    def spec(self) -> str:
        return "types=" + "+".join(sorted(self.kinds))


@dataclass(frozen=True)
class NoEmpty(Filter):
    """Keep links with text on both sides (drops 1-0 / 0-1 links and blank segments)."""

    NAME: ClassVar[str] = "no-empty"
    direction: ClassVar[str] = "in"

    JUDGES: ClassVar[bool] = False

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        return [bool(al.src_text(k).strip()) and bool(al.tgt_text(k).strip()) for k in links]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class DropDuplicates(Filter):
    """Keep the first of links with the same source and target text (white space and case
    folded). A link with an empty side (1-0, 0-1: an omission, a blank line, an unmatched sentence)
    is no pair and never a duplicate: dropping it would leave its sentence in no link."""

    NAME: ClassVar[str] = "drop-duplicates"
    direction: ClassVar[str] = "first"

    JUDGES: ClassVar[bool] = False

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        seen: set[tuple[str, str]] = set()
        out = []
        for link in links:
            if not (link.src and link.tgt):
                out.append(True)
                continue
            key = (_norm(al.src_text(link)), _norm(al.tgt_text(link)))
            out.append(key not in seen)
            seen.add(key)
        return out


@dataclass(frozen=True)
class DropCopies(Filter):
    """Drop links whose two sides are the same text (white space and case folded): an
    untranslated copy (English boilerplate on the Arabic side of a crawl), no translation."""

    NAME: ClassVar[str] = "drop-copies"
    direction: ClassVar[str] = "in"

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        return [not is_copy(al.src_text(link), al.tgt_text(link)) for link in links]


def is_copy(src: str, tgt: str) -> bool:
    """Whether two sides are the same text (white space and case folded) with some letters in it."""
    a = _norm(src)
    return a == _norm(tgt) and any(ch.isalpha() for ch in a)


@dataclass(frozen=True)
class DropNumberMismatch(Filter):
    """Drop links whose sides hold different numbers (``numbers == "differ"``)."""

    NAME: ClassVar[str] = "drop-number-mismatch"
    direction: ClassVar[str] = "in"

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        from .evidence import numbers_agreement

        out = []
        for link in links:
            verdict = link.features.get("numbers")
            if verdict is None:
                verdict = numbers_agreement(al.src_text(link), al.tgt_text(link))[0]
            out.append(verdict != "differ")
        return out


@dataclass(frozen=True)
class ReviewStatus(Filter):
    """Keep links whose review state (``status`` and ``edited`` from the review app) is one of
    ``states``: ``accepted``, ``rejected``, ``unreviewed`` (no status), ``edited`` (a reviewer made
    the link: not what an edit left behind, :func:`parallel.schema.review_state`).
    ``--drop-rejected`` is every state but ``rejected``."""

    states: frozenset[str]
    NAME: ClassVar[str] = "status"
    direction: ClassVar[str] = "in"

    def keep(self, al: Alignment, links: Sequence[Link]) -> list[bool]:
        from .schema import review_state

        return [bool(review_state(k.features, gap=not (k.src and k.tgt)) & self.states) and
                ("rejected" in self.states or not rejected(k)) for k in links]

    @property
    def judges(self) -> bool:
        """``--drop-rejected`` (every state but rejected) removes what a reviewer judged wrong;
        ``--status accepted`` and the like only select."""
        from .schema import STATUS_CHOICES

        return self.states == frozenset(STATUS_CHOICES) - {"rejected"}

    def spec(self) -> str:
        return "status=" + "+".join(sorted(self.states))


@dataclass(frozen=True)
class FilterReport:
    """What one filter removed: ``removed`` of the ``seen`` links it was given."""

    name: str
    direction: str
    seen: int
    removed: int
    reviewed: int = 0  # of the removed, links a reviewer accepted or made (review's merge, split, relink)

    def __str__(self) -> str:
        said = f"{self.name} ({self.direction}): removed {self.removed} of {self.seen}"
        if self.reviewed:  # a person's decision overruled by a number: said, not done silently
            said += (f", {self.reviewed} of them accepted or made by a reviewer (--status accepted,edited "
                     "keeps those; their p is the model's, not the reviewer's)")
        return said


def apply_filters(al: Alignment, filters: Sequence[Filter], *, undo: bool | str = False
                  ) -> tuple[Alignment, list[FilterReport]]:
    """``al`` keeping only links every filter accepts, and a report per filter (in order).

    ``undo``: a removed link is undone instead of dropped, its sentences left in place as links of
    their own with the other side empty (:func:`_undone`), so a translation's alignment still holds
    every sentence once; for the alignment formats (json, vecalign) of a parallel alignment.
    ``undo="judged"``: only the links a filter that judges them removes (:attr:`Filter.judges`:
    under a bar of p, a rejection) are undone, the others dropped: the pair exports of a
    translation with ``--keep-empty`` list the sentences of a link found wrong, not those of links
    a selection left out (``--link-types 1-0 --keep-empty`` lists the omissions only).
    The signature gains ``|filter:SPEC,SPEC`` so the output says how it was made (and so does
    a link's own ``signature`` feature, which a file mixing several gives each link).
    """
    from .schema import person_made

    links = list(range(len(al.links)))
    reports = []
    unselected: set[int] = set()  # removed by a filter that selects, not judges (undo="judged")
    for f in filters:
        decisions = f.keep(al, [al.links[n] for n in links])
        kept = [n for n, ok in zip(links, decisions, strict=True) if ok]
        if undo == "judged" and not f.judges:
            unselected.update(n for n, ok in zip(links, decisions, strict=True) if not ok)
        reviewed = 0 if isinstance(f, ReviewStatus) else sum(
            1 for n, ok in zip(links, decisions, strict=True) if not ok and person_made(al.links[n]))
        reports.append(FilterReport(f.name, f.direction, len(links), len(links) - len(kept), reviewed))
        links = kept
    if not filters:
        return al, reports
    records = [{"name": r.name, "direction": r.direction, "seen": r.seen, "removed": r.removed} for r in reports]
    out = _undone(al, set(links), unselected) if undo else [al.links[n] for n in links]
    return _signed(al, out, "filter:" + ",".join(f.spec() for f in filters), records), reports


def _undone(al: Alignment, kept: set[int], dropped: set[int] | frozenset[int] = frozenset()) -> list[Link]:
    """``al``'s links, those at the positions ``kept`` as they are, those at ``dropped`` left out,
    every other one undone in place: each of its sentences a link of its own with the other side
    empty (1-0 / 0-1, with their text features, as a translation's omissions have them). A link
    that already has an empty side stays as it is: the alignment holds every sentence once, as it
    did."""
    from .evidence import text_features
    from .readers import sentence_origin

    out: list[Link] = []
    for n, link in enumerate(al.links):
        if n in dropped:
            continue
        if n in kept or not (link.src and link.tgt):
            out.append(link)
            continue
        # where the sentence came from goes with it: the row of a file joining pairs (run's _all.*)
        # is shifted back to its pair's ids by its pair, and eval finds its document by it; a mined
        # sentence keeps its FILE:LINE
        sig = {} if link.features.get("signature") is None else {"signature": link.features["signature"]}
        for side, ids in ((0, link.src), (1, link.tgt)):
            keep = {**sig, **sentence_origin(dict(link.features), ("src", "tgt")[side])}
            for i in ids:
                lone = Link((i,), ()) if side == 0 else Link((), (i,))
                texts = (al.src_text(lone), "") if side == 0 else ("", al.tgt_text(lone))
                out.append(replace(lone, features={**text_features(*texts), **keep}))
    return out


def _signed(al: Alignment, links: Sequence[Link], spec: str, records: list[dict[str, Any]]) -> Alignment:
    """``al`` with ``links``, its signature (and each link's own) gaining ``|SPEC``, and ``records``
    added to ``info["filters"]`` (a file filtered again keeps the earlier records). A file joining
    pairs keeps every pair it covered, each signed so, those the filters left without a row too
    (``info[JOINED_PAIRS]``)."""
    from .export import JOINED_PAIRS

    links = [replace(k, features={**k.features, "signature": with_filter(str(k.features["signature"]), spec)})
             if k.features.get("signature") is not None else k for k in links]
    info: dict[str, Any] = dict(al.info)
    info["filters"] = [*info.get("filters", []), *records]
    if info.get(JOINED_PAIRS):
        info[JOINED_PAIRS] = {pair: with_filter(sig, spec) for pair, sig in info[JOINED_PAIRS].items()}
    return replace(al, links=tuple(links), signature=with_filter(al.signature, spec), info=info)


def unlink_below(al: Alignment, min_p: float) -> tuple[Alignment, FilterReport]:
    """A translation's links whose ``p`` is under ``min_p`` undone: each of their sentences becomes
    a link of its own with the other side empty (1-0 / 0-1), so the alignment still holds every
    sentence once (as a comparable alignment lists the sentences it leaves unmatched) and the pair
    exports, which leave empty-sided links out, hold only the links from the bar up. This is
    ``align --min-p`` (and ``run --min-p``) in parallel mode: the bar judges pairs, and a link
    with an empty side, which has no ``p``, is no pair and stays as it is (as does a link whose
    text is blank on one side: nothing to judge). The signature gains ``|filter:min-p=P``."""
    judged = [n for n, k in enumerate(al.links) if k.src and k.tgt and k.features.get("p") is not None]
    under = {n for n in judged if float(al.links[n].features["p"]) < min_p}
    record = {"name": "min-p", "direction": "min", "seen": len(judged), "removed": len(under), "unlinked": True}
    return (_signed(al, _undone(al, set(range(len(al.links))) - under), f"filter:min-p={min_p:g}", [record]),
            FilterReport("min-p", "min", len(judged), len(under)))


def with_filter(signature: str, spec: str) -> str:
    """``signature`` gaining ``|SPEC``; a file mixing several signatures (one per line, see
    :func:`parallel.readers.mixed_signature`) has each line gain it."""
    return "\n".join(line + ("|" if line else "") + spec for line in signature.split("\n"))


_KIND = re.compile(r"^(?!0+-0+$)\d+-\d+$")  # 0-0 is no link: a sentence count on at least one side


def build_filters(*, min_score: float | None = None, min_p: float | None = None,
                  min_cosine: float | None = None,
                  min_margin: float | None = None, min_length_ratio: float | None = None,
                  max_length_ratio: float | None = None, link_types: str | Sequence[str] | None = None,
                  no_empty: bool = False, drop_duplicates: bool = False,
                  drop_number_mismatch: bool = False, status: str | Sequence[str] | None = None,
                  drop_rejected: bool = False, drop_copies: bool = False) -> list[Filter]:
    """The filters for these options, in a fixed order: review decisions first, cheap
    structural ones, then thresholds, evidence, and duplicates last (so the kept copy is a
    good one)."""
    from .schema import STATUS_CHOICES

    filters: list[Filter] = []
    if status:
        states = status.split(",") if isinstance(status, str) else list(status)
        states = [x.strip() for x in states if x.strip()]
        bad = [x for x in states if x not in STATUS_CHOICES]
        if bad or not states:
            raise InputError(f"--status: {', '.join(bad) or repr(status)} is not a review state "
                             f"(choose from {', '.join(STATUS_CHOICES)})")
        if drop_rejected:
            if states == ["rejected"]:  # keeps nothing: a contradiction, not a filter
                raise InputError("--status rejected keeps the rejected pairs, --drop-rejected drops them: give one")
            states = [x for x in states if x != "rejected"]
        filters.append(ReviewStatus(frozenset(states)))
    elif drop_rejected:
        filters.append(ReviewStatus(frozenset(x for x in STATUS_CHOICES if x != "rejected")))
    if link_types is not None:  # --link-types "" keeps no type: said, not ignored
        kinds = link_types.split(",") if isinstance(link_types, str) else list(link_types)
        kinds = [k.strip() for k in kinds if k.strip()]
        bad = [k for k in kinds if not _KIND.match(k)]
        if bad or not kinds:
            raise InputError(f"--link-types: {', '.join(bad) or repr(link_types)} is not a link type "
                             "(want e.g. 1-1,1-2,2-1)")
        filters.append(LinkTypes(frozenset(kinds)))
    if no_empty:
        filters.append(NoEmpty())
    if min_score is not None:
        filters.append(MinValue("score", min_score))
    if min_p is not None:
        if not 0.0 <= min_p <= 1.0:
            raise InputError(f"--min-p: {min_p:g} is not a probability (want 0 <= X <= 1)")
        filters.append(MinValue("p", min_p))
    if min_cosine is not None:
        if min_cosine > 1.0:  # keeps nothing: a cosine is at most 1
            raise InputError(f"--min-cosine: {min_cosine:g} is above 1, the largest cosine (want X <= 1)")
        filters.append(MinValue("cosine", min_cosine))
    if min_margin is not None:
        filters.append(MinValue("margin", min_margin))
    if min_length_ratio is not None or max_length_ratio is not None:
        for flag, bound in (("--min-length-ratio", min_length_ratio), ("--max-length-ratio", max_length_ratio)):
            if bound is not None and bound < 0:  # a ratio of lengths is never negative
                raise InputError(f"{flag}: {bound:g} is negative; a length ratio is 0 or more")
        if (min_length_ratio is not None and max_length_ratio is not None
                and min_length_ratio > max_length_ratio):
            raise InputError(f"--min-length-ratio {min_length_ratio:g} is above --max-length-ratio "
                             f"{max_length_ratio:g}")
        filters.append(LengthRatio(min_length_ratio, max_length_ratio))
    if drop_number_mismatch:
        filters.append(DropNumberMismatch())
    if drop_copies:
        filters.append(DropCopies())
    if drop_duplicates:
        filters.append(DropDuplicates())
    return filters


def check_evidence(al: Alignment, filters: Sequence[Filter]) -> None:
    """Refuse a threshold on a feature no link of ``al`` carries (e.g. margin in a Moses file),
    and a filter on the link types or scores of an alignment read from a file without ids
    (Moses: its types and scores would be made up, every link 1-1 scoring 0)."""
    from .export import NO_IDS

    if al.info.get(NO_IDS):
        hint = ("a Moses file, or a file filtered from one, holds the texts only: filter a TSV, JSONL, "
                "TMX or JSON export of the alignment")
        for f in filters:
            if isinstance(f, LinkTypes):
                raise InputError(f"--link-types: the input carries no link types; {hint}")
            if isinstance(f, MinValue) and f.key == "score":
                raise InputError(f"--min-score: the input carries no 'score'; {hint}")
    for f in filters:
        if (isinstance(f, MinValue) and f.key != "score" and al.links
                and not any(f.key in link.features for link in al.links)):
            raise InputError(f"--{f.name}: the input carries no {f.key!r} evidence (Moses and Vecalign "
                             "files hold none; filter a TSV, JSONL, TMX or JSON export)")
