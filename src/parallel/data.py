"""Plain frozen dataclasses passed between the stages of the pipeline.

read → normalize → segment → embed → align | mine → score → filter → export | inspect

Nothing in here does I/O or loads a model.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

MODES = ("parallel", "comparable")
MAX_LINK_LIMIT = 20  # the largest link size (--max-link, max_link) accepted


@dataclass(frozen=True)
class Segment:
    """One sentence of a document.

    ``start``/``end`` are character offsets into the original text: ``text ==
    original[start:end]`` for segments made by the segmenter (it keeps the
    characters exactly; leading/trailing white space belongs to the gaps).
    """

    text: str
    lang: str
    index: int
    paragraph: int = 0
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Document:
    """A text in one language and its segments."""

    text: str
    lang: str
    segments: tuple[Segment, ...]
    name: str | None = None
    segmenter: str = "punkt"

    @property
    def sentences(self) -> list[str]:
        return [s.text for s in self.segments]

    def __len__(self) -> int:
        return len(self.segments)


def _frozen_mapping(values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class Link:
    """A link between sentences ``src`` of one side and ``tgt`` of the other.

    Either side may be empty (a 1-0 or 0-1 link: an omission or an addition).
    ``score`` is the aligner's own confidence (higher is surer); ``features``
    holds named per-link evidence (cosine, margin, length ratio, ...).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    features: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "src", tuple(int(i) for i in self.src))
        object.__setattr__(self, "tgt", tuple(int(i) for i in self.tgt))
        object.__setattr__(self, "score", float(self.score))
        object.__setattr__(self, "features", _frozen_mapping(self.features))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickle and deepcopy (worker processes, ProcessPoolExecutor) cannot take the read-only
        # mapping itself: rebuilt from a plain dict
        return (Link, (self.src, self.tgt, self.score, dict(self.features)))

    @property
    def kind(self) -> str:
        """Link type such as ``1-1``, ``2-1`` or ``0-1``."""
        return f"{len(self.src)}-{len(self.tgt)}"


@dataclass(frozen=True)
class Alignment:
    """Links between two documents and how they were made.

    In ``parallel`` mode every sentence of both documents is in exactly one
    link (empty-sided links carry the omissions). In ``comparable`` mode links
    hold only the mined pairs; :attr:`unmatched_src` / :attr:`unmatched_tgt`
    list the rest so nothing is silently dropped.
    """

    src: Document
    tgt: Document
    links: tuple[Link, ...]
    mode: str
    signature: str
    info: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "links", tuple(self.links))
        object.__setattr__(self, "info", _frozen_mapping(self.info))
        n, m = len(self.src), len(self.tgt)
        for at, link in enumerate(self.links):
            # a hand-made Link((-1,), (0,)) was exported with the last sentence's text, one past the
            # end failed later with an IndexError from the exporter
            if any(not 0 <= i < n for i in link.src) or any(not 0 <= j < m for j in link.tgt):
                from .errors import InputError

                raise InputError(f"link {at} ({list(link.src)} - {list(link.tgt)}) names a sentence the documents "
                                 f"do not have (source 0..{n - 1}, target 0..{m - 1})")

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Alignment, (self.src, self.tgt, self.links, self.mode, self.signature, dict(self.info)))

    @property
    def unmatched_src(self) -> list[int]:
        """Ids (0-based) of the source sentences no link holds (see :attr:`unmatched_src_sentences`)."""
        used = {i for link in self.links for i in link.src}
        return [i for i in range(len(self.src)) if i not in used]

    @property
    def unmatched_tgt(self) -> list[int]:
        """Ids (0-based) of the target sentences no link holds."""
        used = {j for link in self.links for j in link.tgt}
        return [j for j in range(len(self.tgt)) if j not in used]

    @property
    def unmatched_src_sentences(self) -> list[str]:
        """The source sentences no link holds (the texts of :attr:`unmatched_src`)."""
        return [self.src.segments[i].text for i in self.unmatched_src]

    @property
    def unmatched_tgt_sentences(self) -> list[str]:
        """The target sentences no link holds (the texts of :attr:`unmatched_tgt`)."""
        return [self.tgt.segments[j].text for j in self.unmatched_tgt]

    def src_text(self, link: Link) -> str:
        """The link's source sentences joined by a space (a blank unit inside a link adds none)."""
        return " ".join(t for i in _a_link(link, "src_text").src if (t := self.src.segments[i].text))

    def tgt_text(self, link: Link) -> str:
        """The link's target sentences joined by a space (a blank unit inside a link adds none)."""
        return " ".join(t for j in _a_link(link, "tgt_text").tgt if (t := self.tgt.segments[j].text))

    def export(self, path: str | os.PathLike[str], fmt: str | None = None, **options: Any) -> None:
        """Write the alignment to ``path`` (format from ``fmt`` or the suffix), as the CLI does:
        TSV/Vecalign with their signature in ``PATH.sig`` (``sidecar=False`` to skip), pairs
        with an empty side left out of the training formats (``keep_empty=True`` keeps them);
        ``.html``/``.htm`` (or ``fmt="html"``): the report (:meth:`report`)."""
        from .export import export, wants_report
        from .io import inputs_protected

        name = _file_path(path, "export")
        if wants_report(name, fmt):
            options.pop("sidecar", None)
            self.report(name, **options)
            return
        _known_options("export", options, _EXPORT_OPTIONS)
        _flags("export", options, ("header", "keep_empty", "evidence", "sidecar"))
        options.setdefault("sidecar", True)
        with inputs_protected(self._document_files()):  # al.export("doc.ar") is refused as -o doc.ar is
            export(self, name, fmt, **options)

    def _document_files(self) -> list[str]:
        """The files the documents were read from (their names, where those are paths)."""
        return [d.name for d in (self.src, self.tgt) if d.name]

    def report(self, path: str | os.PathLike[str], **options: Any) -> None:
        """Write the self-contained HTML report (see :func:`parallel.report.write_report`)."""
        from .errors import InputError
        from .io import inputs_protected
        from .report import check_report_name, write_report

        _known_options("report", options, _REPORT_OPTIONS)
        # checked here, not as an AttributeError from inside the page (title=5 reached html.escape)
        if options.get("title") is not None and not isinstance(options["title"], str):
            raise InputError(f"report: title must be a str, not {type(options['title']).__name__}")
        if not isinstance(options.get("matrix", True), bool):
            raise InputError(f"report: matrix must be True or False, not {options['matrix']!r}")
        enc = options.get("encoder")
        if isinstance(enc, str):  # a name asked for: a typo is an error, not a page without its matrix
            from .embed import check_model_folder, model_id

            model_id(enc)
            check_model_folder(enc.strip())
        elif enc is not None and not callable(getattr(enc, "encode", None)):
            raise InputError(f"report: encoder must be a model name or an encoder (with encode), "
                             f"not {type(enc).__name__}")
        name = _file_path(path, "report")
        check_report_name(name)
        with inputs_protected(self._document_files()):
            write_report(self, name, **options)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per link with the fields of the pair schema (:mod:`parallel.schema`),
        in its order, None where a link has no value; other features follow."""
        from .schema import FEATURE_FIELDS

        rows = []
        for link in self.links:
            row: dict[str, Any] = {
                "src_ids": list(link.src),
                "tgt_ids": list(link.tgt),
                "src": self.src_text(link),
                "tgt": self.tgt_text(link),
                "score": link.score,
                "type": link.kind,
            }
            row.update({name: link.features.get(name) for name in FEATURE_FIELDS})
            row.update({k: v for k, v in link.features.items() if k not in row})
            rows.append(row)
        return rows

    def to_dataframe(self) -> Any:
        """The links as a pandas DataFrame (pandas is imported only here)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from .errors import MissingExtra

            raise MissingExtra("to_dataframe() needs pandas: pip install pandas (the [analysis] extra)") from exc
        from .schema import FIELDS

        # the pair schema's columns even with no link (a comparable text with no pair): df[["src",
        # "tgt"]] works as on any other alignment, as the TSV export has its header
        columns = [name for name, _ in FIELDS]
        records = self.to_records()
        extra = [k for r in records for k in r if k not in columns]
        return pd.DataFrame(records, columns=columns + list(dict.fromkeys(extra)))


def make_signature(parts: Sequence[tuple[str, object]]) -> str:
    """``key:value|key:value`` string saying how an output was made."""
    return "|".join(f"{k}:{v}" for k, v in parts)


#: What :meth:`Alignment.export` and :meth:`Alignment.report` take: a misspelt option
#: (``keep_emtpy=True``) was ignored by export and a TypeError from deep inside report.
_EXPORT_OPTIONS = ("header", "keep_empty", "evidence", "sidecar", "pair")
_REPORT_OPTIONS = ("matrix", "encoder", "sim", "title", "log")


def _flags(what: str, options: Mapping[str, Any], flags: Sequence[str]) -> None:
    """InputError for a yes/no option given anything but True or False (``keep_empty="no"`` was
    read as true, and wrote every one-sided row into a training file)."""
    from .schema import is_flag

    for k in flags:
        if k in options and not is_flag(options[k]):
            from .errors import InputError

            raise InputError(f"{what}: {k} must be True or False, not {options[k]!r}")


def _known_options(what: str, options: Mapping[str, Any], known: Sequence[str]) -> None:
    bad = [k for k in options if k not in known]
    if bad:
        from .errors import InputError

        raise InputError(f"{what}: unknown option{'s' if len(bad) > 1 else ''} {', '.join(bad)} "
                         f"(it takes {', '.join(known)})")


def _a_link(link: Any, what: str) -> Link:
    """``link`` itself where it is a :class:`Link`, else an InputError saying one is needed
    (``al.src_text(0)`` was an AttributeError from inside: a link's number is ``al.links[0]``)."""
    if not isinstance(link, Link):
        from .errors import InputError

        hint = f" (al.links[{link}] is link {link})" if isinstance(link, int) and not isinstance(link, bool) else ""
        raise InputError(f"{what}: a Link of the alignment is needed, not {type(link).__name__}{hint}")
    return link


def _file_path(path: Any, what: str) -> str:
    """``path`` as a str, or an InputError naming what was given (``al.export(5)`` was a bare
    TypeError from deep inside)."""
    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(name, str) or not name:
        from .errors import InputError

        got = "an empty name" if name == "" else type(path).__name__
        raise InputError(f"{what}: a file path (str or os.PathLike) is needed, not {got}")
    return name


def comparable_order(links: Sequence[Link]) -> list[Link]:
    """Comparable order: by first source sentence, then first target sentence (the miner's own
    order); a link with an empty side (no writer makes one in comparable mode) goes last."""
    import math

    def key(k: Link) -> tuple[float, float]:
        return (min(k.src) if k.src else math.inf, min(k.tgt) if k.tgt else math.inf)

    return sorted(links, key=key)


def review_order(al: Alignment) -> Alignment:
    """``al`` with its links in the order the review app, the report and ``grep`` list and number
    them (the ``link`` and ``other`` of an edit count in it): parallel mode, the file's (monotonic)
    order; comparable mode, by source sentence, then target (:func:`comparable_order`), whatever
    the file's order (a file ``filter -f json`` made from ``mine``'s output, most probable pair
    first, or one written by hand or by an older review app)."""
    from dataclasses import replace

    if al.mode != "comparable":
        return al
    ordered = comparable_order(al.links)
    if all(a is b for a, b in zip(ordered, al.links, strict=True)):
        return al
    return replace(al, links=tuple(ordered))


def rejected(link: Link) -> bool:
    """Whether a reviewer rejected ``link`` (its ``status``, set by ``review``)."""
    return link.features.get("status") == "rejected"


def holds_its_sentences(al: Alignment, link: Link) -> bool:
    """Whether ``link`` holds its sentences: every link but a rejected one in comparable mode, whose
    pair is none (``filter --drop-rejected --keep-empty`` lists its sentences as unmatched, and the
    review app lets a relink take them). In parallel mode every sentence is in exactly one link, a
    rejected link's included."""
    return al.mode != "comparable" or not rejected(link)


def unmatched(al: Alignment) -> dict[str, Any]:
    """The sentences the review app and the report list as unmatched, ``{"src": [...], "tgt":
    [...]}``, and which of them a rejected link holds, ``{"rejected_src": {id: link}, "rejected_tgt":
    {...}}`` (ids as text, for JSON; ``link``: its number in ``al``'s order, :func:`review_order`
    for the app and the report): the sentences no link holds (:func:`holds_its_sentences`)."""
    live = [k for k in al.links if holds_its_sentences(al, k)]
    out: dict[str, Any] = {}
    for side, size in (("src", len(al.src)), ("tgt", len(al.tgt))):
        held = {i for k in live for i in getattr(k, side)}
        out[side] = [i for i in range(size) if i not in held]
        out["rejected_" + side] = {str(i): n for n, k in enumerate(al.links) for i in getattr(k, side)
                                   if i not in held}
    return out
