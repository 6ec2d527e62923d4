"""The pipeline as Python calls: read → segment → embed → align | mine.

``parallel.align(ar_text, en_text)`` is what the CLI runs, so notebooks and
the command line give the same result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from . import __version__
from .data import MODES, Alignment, Document, Link, make_signature
from .embed import Encoder, get_encoder
from .errors import InputError
from .io import read_text
from .lang import check_lang, detect_lang
from .segment import presplit as presplit_text
from .segment import segment as segment_text
from .segment import splitter_name

DEFAULT_MODEL = "use-m3"
DEFAULT_MAX_LINK = 4  # links up to 1-4 / 4-1, plus 2-2, 2-3, 3-2 (see align.link_types)


def make_document(text: str, lang: str | None = None, *, presplit: bool = False,
                  name: str | None = None, force_lang: bool = False) -> Document:
    """Segment ``text`` (or take its lines as sentences with ``presplit``).

    A given ``lang`` the text's script contradicts, or an unknown code, is an InputError
    unless ``force_lang`` (see :func:`parallel.lang.check_lang`).
    """
    if lang is None:
        lang = detect_lang(text, name)
        if lang is None:
            raise InputError(f"{name or 'text'}: cannot tell its language; pass the language explicitly")
    else:
        check_lang(lang, text, name, force=force_lang)
    segs = presplit_text(text, lang) if presplit else segment_text(text, lang)
    return Document(text=text, lang=lang, segments=tuple(segs), name=name,
                    segmenter="presplit" if presplit else splitter_name(lang))


def read_document(path: str | Path, lang: str | None = None, *, presplit: bool = False,
                  force_lang: bool = False) -> Document:
    """Read and segment a UTF-8 file."""
    return make_document(read_text(path), lang, presplit=presplit, name=str(path), force_lang=force_lang)


def check_languages(src: Document, tgt: Document, explicit: bool) -> None:
    if src.lang == tgt.lang and not explicit:
        raise InputError(
            f"{src.name or 'source'} and {tgt.name or 'target'} were both detected as "
            f"{src.lang!r}; pass --src-lang/--tgt-lang to align two texts in one language"
        )


def align_documents(
    src: Document,
    tgt: Document,
    *,
    mode: str = "auto",
    model: str | Encoder = DEFAULT_MODEL,
    max_link: int = DEFAULT_MAX_LINK,
    log: Callable[[str], None] | None = None,
    threads: int | None = None,
    cache: bool | str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Alignment:
    """Align two segmented documents.

    ``threads``, ``cache`` (None/False: none, True: the default cache dir, or a directory)
    and ``progress(done, total)`` go to :func:`parallel.embed.get_encoder` when ``model`` is a name.
    """
    if mode not in (*MODES, "auto"):
        raise InputError(f"unknown mode {mode!r}; choose from parallel, comparable, auto")
    encoder = (get_encoder(model, threads=threads, cache=cache, progress=progress)
               if isinstance(model, str) else model)
    from .monotonic import align_parallel
    from .mine import choose_mode, mine_detailed

    src_sents, tgt_sents = src.sentences, tgt.sentences
    src_emb = encoder.encode(src_sents)
    tgt_emb = encoder.encode(tgt_sents)
    chosen = mode
    info: dict[str, object] = {}
    if mode == "auto":
        choice = choose_mode(src_emb, tgt_emb)
        chosen = choice.mode
        info["auto"] = dict(choice.evidence)
        if log:
            log(f"mode: {chosen} (auto: {choice.describe()})")
    links: list[Link]
    if chosen == "parallel":
        links = align_parallel(src_sents, tgt_sents, encoder, max_link=max_link,
                               src_emb=src_emb, tgt_emb=tgt_emb)
    else:
        mined = mine_detailed(src_emb, tgt_emb, max_link=max_link, src_sents=src_sents,
                              tgt_sents=tgt_sents, encode=encoder.encode)
        links = mined.links
        info["mining"] = mined.info
    sig = make_signature([
        ("model", encoder.name),
        ("mode", f"{chosen}{'(auto)' if mode == 'auto' else ''}"),
        ("max", max_link),
        ("seg", src.segmenter if src.segmenter == tgt.segmenter else f"{src.segmenter}+{tgt.segmenter}"),
        ("src", src.lang),
        ("tgt", tgt.lang),
        ("v", __version__),
    ])
    al = Alignment(src=src, tgt=tgt, links=tuple(links), mode=chosen, signature=sig, info=info)
    # Per-link evidence (cosine, margin, length ratio, numbers, chrF++); the aligner's own
    # features are kept, only missing ones are added.
    from .evidence import annotate

    return annotate(al, src_emb=src_emb, tgt_emb=tgt_emb, encoder=encoder)


def align(
    src: str | Document,
    tgt: str | Document,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    mode: str = "auto",
    model: str | Encoder = DEFAULT_MODEL,
    presplit: bool = False,
    max_link: int = DEFAULT_MAX_LINK,
    verbose: bool = False,
    force_lang: bool = False,
) -> Alignment:
    """Align two texts (strings or :class:`Document`) and return an :class:`Alignment`.

    ``src_lang``/``tgt_lang`` are checked against the script of the text (``force_lang``: not).

    >>> al = align(ar_text, en_text, mode="auto")        # doctest: +SKIP
    >>> al.export("pairs.tsv")                            # doctest: +SKIP
    """
    s = src if isinstance(src, Document) else make_document(src, src_lang, presplit=presplit, name="source",
                                                            force_lang=force_lang)
    t = tgt if isinstance(tgt, Document) else make_document(tgt, tgt_lang, presplit=presplit, name="target",
                                                            force_lang=force_lang)
    check_languages(s, t, explicit=src_lang is not None and tgt_lang is not None)
    log = (lambda msg: print(msg, file=sys.stderr)) if verbose else None
    return align_documents(s, t, mode=mode, model=model, max_link=max_link, log=log)
