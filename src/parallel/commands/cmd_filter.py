"""``parallel-corpus filter FILE``: keep the pairs that pass filters, say how many each removed.

The filter options are shared with ``align`` (:func:`filter_options`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..export import FORMATS
from .options import PROBABILITY, FiniteFloat, note, quiet_option

FILTER_OPTION_NAMES = ("min_score", "min_p", "min_cosine", "min_margin", "min_length_ratio",
                       "max_length_ratio",
                       "link_types", "no_empty", "drop_duplicates", "drop_number_mismatch", "status",
                       "drop_rejected", "drop_copies")


def filter_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The filter options (names in :data:`FILTER_OPTION_NAMES`), for ``filter`` and ``align``
    (``--min-p`` is not among them: ``align`` has its own, which is also the bar of comparable mode,
    and ``filter`` adds it)."""
    opts = [
        click.option("--min-score", type=FiniteFloat(), default=None, metavar="X",
                     help="Keep links whose aligner score is >= X."),
        click.option("--min-cosine", type=FiniteFloat(), default=None, metavar="X",
                     help="Keep links whose embedding cosine is >= X."),
        click.option("--min-margin", type=FiniteFloat(), default=None, metavar="X",
                     help="Keep links whose margin feature is >= X (the aligner's own when it gives "
                          "one: in comparable mode a ratio margin, ~1.06 is a usual bar)."),
        click.option("--min-length-ratio", type=FiniteFloat(), default=None, metavar="X",
                     help="Keep links whose source/target character ratio is >= X."),
        click.option("--max-length-ratio", type=FiniteFloat(), default=None, metavar="X",
                     help="Keep links whose source/target character ratio is <= X."),
        click.option("--link-types", default=None, metavar="T,T",
                     help="Keep only these link types, e.g. 1-1 or 1-1,1-2,2-1."),
        click.option("--no-empty", is_flag=True, help="Drop links with an empty side (1-0, 0-1)."),
        click.option("--drop-duplicates", is_flag=True,
                     help="Keep only the first of pairs with the same texts."),
        click.option("--drop-number-mismatch", is_flag=True,
                     help="Drop pairs whose sides hold different numbers (digits normalised)."),
        click.option("--drop-copies", is_flag=True,
                     help="Drop pairs whose two sides are the same text (untranslated copies)."),
        click.option("--status", default=None, metavar="S,S",
                     help="Keep only links in these review states (from `review`): accepted, rejected, "
                          "edited, unreviewed; e.g. accepted,edited."),
        click.option("--drop-rejected", is_flag=True, help="Drop the links a reviewer rejected."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def export_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """How pairs are written (``header``, ``keep_empty``, ``sidecar``), for ``align``, ``filter``
    and ``mine``."""
    opts = [
        click.option("--header/--no-header", default=True, show_default=True,
                     help="TSV: write the header line of column names."),
        click.option("--keep-empty", is_flag=True,
                     help="tsv/jsonl/tmx/moses: keep pairs with an empty side (1-0, 0-1 links; in "
                          "comparable mode the unmatched sentences, for inspection). Default: left out, "
                          "so every training format holds the same pairs."),
        click.option("--no-unmatched", is_flag=True, hidden=True,
                     help="Kept for old scripts: unmatched sentences are left out unless --keep-empty."),
        click.option("--sig/--no-sig", "sidecar", default=True, show_default=True,
                     help="TSV/Vecalign to a file: also write the signature to OUTPUT.sig."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def check_filter_options(options: dict[str, Any], keep_empty: bool = False) -> None:
    """Raise InputError for bad filter option values (before any expensive work)."""
    from ..errors import InputError
    from ..filters import build_filters

    if keep_empty and options.get("no_empty"):
        raise InputError("--keep-empty writes the links with an empty side, --no-empty drops them: give one")
    build_filters(**_filter_kwargs(options))


def _filter_kwargs(options: dict[str, Any]) -> dict[str, Any]:
    """The filter options of ``options`` (absent ones as not given: ``align`` passes no ``min_p``)."""
    return {k: options.get(k) for k in FILTER_OPTION_NAMES}


def run_filters(al: Any, options: dict[str, Any], log: Callable[[str], None] | None, out_fmt: str = "tsv",
                whole: bool = False, keep_empty: bool = False) -> Any:
    """Apply the filters the options ask for; log one line per filter; return the kept Alignment.

    ``whole``: ``al`` holds every sentence (an alignment made or read as json/vecalign, or pairs
    written with ``--keep-empty``); written again as an alignment (json, vecalign), or as pairs with
    ``keep_empty``, it still does when it is a translation's: a removed link is undone into
    1-0/0-1 links (:func:`parallel.filters.apply_filters`), as ``align --min-p`` undoes the links
    under its bar. (Before stop 56 the pair exports dropped a removed link's sentences even with
    ``--keep-empty``: a TSV filtered so scored P 1.0 where the same alignment as json scored 0.69.)"""
    from ..errors import InputError
    from ..filters import apply_filters, build_filters, check_evidence

    filters = build_filters(**_filter_kwargs(options))
    if not filters:
        return al
    undo: bool | str = whole and al.mode == "parallel" and (out_fmt in ALIGNMENT_FORMATS or keep_empty)
    if undo and out_fmt not in ALIGNMENT_FORMATS:
        undo = "judged"  # pairs: a link found wrong leaves its sentences listed, one not selected goes
    if undo and options.get("no_empty"):
        raise InputError(f"--no-empty: a {out_fmt} alignment of a translation holds every sentence, its 1-0/0-1 "
                         "links too; --no-empty is for the pair exports (tsv, jsonl, tmx, moses)")
    check_evidence(al, filters)
    before = len(al.links)
    kept, reports = apply_filters(al, filters, undo=undo)
    if log:
        for r in reports:
            log(f"filter {r}")
        if undo is True and reports[-1].seen - reports[-1].removed < before:
            log(f"filters kept {reports[-1].seen - reports[-1].removed} of {before} links; the sentences of the "
                f"others are listed as unmatched (1-0/0-1), so the {out_fmt} alignment still holds every sentence")
        elif undo and reports[-1].seen - reports[-1].removed < before:
            judged = [f.name for f in filters if f.judges]
            log(f"filters kept {reports[-1].seen - reports[-1].removed} of {before} links; the sentences of the "
                f"links {'/'.join(judged) or 'no filter'} removed are listed as unmatched (1-0/0-1, --keep-empty)"
                + (", those the others left out are not" if len(judged) < len(filters) else ""))
        else:
            log(f"filters kept {len(kept.links)} of {before} links")
    return kept


#: The formats that write an alignment (every link, 1-0/0-1 too), not pairs.
ALIGNMENT_FORMATS = ("json", "vecalign")


def output_format(output: str, fmt: str | None, in_fmt: str) -> str:
    """``fmt``, else the output name's format, else the input's (tsv for Moses to stdout).

    An ``.html`` output without ``-f`` is refused: ``filter`` writes pairs, the HTML page is
    ``report``'s."""
    from pathlib import Path

    from ..errors import InputError
    from ..export import SUFFIXES, check_output_name, format_for
    from ..readers import moses_base

    if fmt:
        check_output_name(output, fmt)
        return fmt
    if output == "-":
        return "tsv" if in_fmt == "moses" else in_fmt
    if Path(output).suffix.lower() in (".html", ".htm"):
        raise InputError(f"{output}: filter writes pairs, not an HTML report; filter to the native "
                         "JSON (-o kept.json) and run `parallel-corpus report kept.json -o "
                         f"{Path(output).name}`, or give -f FORMAT")
    if Path(output).suffix.lower() in SUFFIXES or moses_base(output) is not None:
        return format_for(output, None)
    check_output_name(output, in_fmt)
    return in_fmt


def review_flags(options: dict[str, Any]) -> list[str]:
    """The review filters among ``options`` (``--status``, ``--drop-rejected``) as typed."""
    return [flag for key, flag in (("status", "--status"), ("drop_rejected", "--drop-rejected"))
            if options.get(key) not in (None, False)]


# Filters that read the texts (or evidence computed from them): a Vecalign file holds none.
_TEXT_FILTERS = {"no_empty": "--no-empty", "drop_duplicates": "--drop-duplicates", "drop_copies": "--drop-copies",
                 "drop_number_mismatch": "--drop-number-mismatch",
                 "min_length_ratio": "--min-length-ratio", "max_length_ratio": "--max-length-ratio"}


def check_conversion(file: str, in_fmt: str, out_fmt: str, options: dict[str, Any]) -> None:
    """Refuse what a Vecalign input cannot honestly give: it holds ids and scores but no texts,
    so neither a format of texts nor a filter on the texts (their evidence would be made up);
    nor a Moses input a Vecalign output (it holds texts but no ids or scores)."""
    from ..errors import InputError

    if in_fmt == "moses" and out_fmt == "vecalign":
        raise InputError(f"{file}: a Moses file holds no sentence ids or scores, so there is no Vecalign "
                         "file to make from it; filter it to tsv, jsonl, tmx, moses or json")
    if in_fmt != "vecalign":
        return
    if out_fmt != "vecalign":
        raise InputError(f"{file}: a Vecalign file holds no texts, so it filters only to vecalign "
                         f"(-f vecalign), not {out_fmt}; for {out_fmt}, filter an export that has the "
                         "texts (tsv, jsonl, tmx, moses or json)")
    text_opts = [flag for key, flag in _TEXT_FILTERS.items() if options.get(key) not in (None, False)]
    if text_opts:
        raise InputError(f"{file}: {', '.join(text_opts)} read the texts, which a Vecalign file does "
                         "not hold; filter an export that has them (tsv, jsonl, tmx, moses or json)")
    review_opts = review_flags(options)
    if review_opts:
        # every link would pass as unreviewed: --drop-rejected would keep rejected links, --status
        # accepted would drop everything, and neither would say so
        raise InputError(f"{file}: {', '.join(review_opts)} read the review decisions, which a Vecalign "
                         "file does not hold; filter the native JSON or an export that carries them "
                         "(tsv, jsonl, tmx or moses)")


def with_evidence(al: Any) -> Any:
    """``al`` with the text evidence missing from the file computed (:func:`annotate`), each
    link's own features first and in their order, the new ones after: so an identity filter of
    the native JSON writes the same bytes (annotate puts its own keys first)."""
    from dataclasses import replace

    from ..evidence import annotate

    done = annotate(al)
    links = [replace(new, features={**old.features, **{k: v for k, v in new.features.items()
                                                        if k not in old.features}})
             for old, new in zip(al.links, done.links, strict=True)]
    return replace(done, links=tuple(links))


def check_native(file: str, al: Any, in_fmt: str, out_fmt: str) -> None:
    """Refuse to make the native JSON (whole documents, one segment per sentence) from a pairs
    export whose link holds several sentences on a side: the export joins them with a space,
    so their boundaries are lost and any split would be a guess. All-1-1 files convert."""
    from ..export import refuse_joined_sides

    if out_fmt != "json" or in_fmt == "json":
        return
    refuse_joined_sides(al, f"a {in_fmt} file", file)


def pairs_only_note(file: str, al: Any, in_fmt: str, out_fmt: str) -> str | None:
    """What a Vecalign or native JSON output made from a pairs export (tsv, jsonl, tmx) lacks: the
    file holds the sentences of its rows only, so a sentence no row names (a parallel alignment's
    1-0/0-1 link, a comparable one's unmatched sentence, written without --keep-empty) and any
    sentence after the last row are not known. None where no sentence before the last row is
    unknown (an alignment format read, or a file written with --keep-empty, which names every
    sentence; what may follow the last row cannot be told)."""
    from ..readers import REBUILT

    if out_fmt not in ALIGNMENT_FORMATS or in_fmt in ALIGNMENT_FORMATS or not al.info.get(REBUILT):
        return None
    unknown = [(al.src.lang, i) for i, seg in enumerate(al.src.segments) if not seg.text] + \
              [(al.tgt.lang, j) for j, seg in enumerate(al.tgt.segments) if not seg.text]
    if not unknown:
        return None
    shown = ", ".join(f"{lang} {i}" for lang, i in unknown[:4]) + (", ..." if len(unknown) > 4 else "")
    return (f"{file} holds pairs only (written without --keep-empty): the sentences no row names ({shown}), "
            f"and any after its last row, are unknown (an empty text in a json output), so the {out_fmt} "
            "output is not the whole alignment; use the alignment's own .align or .json, or export it with "
            "--keep-empty")


def forget_split_guesses(read: Any, kept: Any) -> Any:
    """``kept`` with the text of every sentence that only a dropped link of several sentences a side
    gave set to "" (unknown), as if the file had never held it: a pairs export joins such a side's
    sentences with a space, the reader splits them back by guess, and the native JSON writes each
    sentence's own text."""
    import dataclasses

    from ..readers import _make_doc

    def side(doc: Any, dropped: set[int], kept_ids: set[int]) -> Any:
        blank = dropped - kept_ids
        if not blank:
            return doc
        made = _make_doc({i: "" if i in blank else seg.text for i, seg in enumerate(doc.segments)},
                         doc.lang, doc.name)
        return dataclasses.replace(doc, text=made.text, segments=made.segments)

    many_s = {i for k in read.links if len(k.src) > 1 for i in k.src}
    many_t = {j for k in read.links if len(k.tgt) > 1 for j in k.tgt}
    if not many_s and not many_t:
        return kept
    src = side(kept.src, many_s, {i for k in kept.links for i in k.src})
    tgt = side(kept.tgt, many_t, {j for k in kept.links for j in k.tgt})
    return dataclasses.replace(kept, src=src, tgt=tgt)


def check_blank(file: str, al: Any, in_fmt: str) -> None:
    """Refuse a jsonl FILE of blank lines alone, as the readers of the other formats refuse white
    space (the jsonl reader reads it as zero pairs, and ``eval`` counts on that to say so itself),
    rather than write a pairs file of nothing. A 0-byte file is the export of zero pairs and
    passes; so does standard input, which cannot be read again to tell the two apart."""
    if in_fmt != "jsonl" or al.links or file == "-":
        return
    from ..io import read_text

    if read_text(file, allow_empty=True):
        read_text(file)  # refuses it: "file holds only white space"


def check_joined_pairs(file: str, al: Any, out_fmt: str) -> None:
    """Refuse to write several pairs (``run``'s ``_all.*``) into one Vecalign file: it has no
    column to say which pair a line belongs to, so the pairs' ids would run into each other; nor
    pairs mined from several files a side into a Vecalign file or the native JSON (their line
    numbers collide)."""
    from ..errors import InputError

    offsets = al.info.get("pair_offsets") or {}
    if out_fmt in ("vecalign", "json") and len(offsets) > 1:
        # the native JSON holds one document a side: report, grep and review would read every
        # pair's sentences as one text, under the first pair's mode
        names = ", ".join(list(offsets)[:3]) + (" ..." if len(offsets) > 3 else "")
        what = "a Vecalign file" if out_fmt == "vecalign" else "the native JSON (one document a side)"
        own = "NAME.align" if out_fmt == "vecalign" else "NAME.json"
        raise InputError(f"{file}: joins {len(offsets)} pairs ({names}); {what} holds one, so "
                         f"filter to tsv, jsonl or tmx, or filter each pair's own file (run's {own})")
    if out_fmt in ("vecalign", "json"):  # mine over several files a side: each numbers its lines from 0
        from ..evaluate import origin_files

        what = "Vecalign file" if out_fmt == "vecalign" else "native JSON (one document a side)"
        for side in ("src", "tgt"):
            files = origin_files(k.features.get(f"{side}_origin") for k in al.links)
            if len(files) > 1:
                raise InputError(f"{file}: its pairs come from {len(files)} {side} files ({files[0]}, {files[1]}"
                                 f"{', ...' if len(files) > 2 else ''}), each numbering its lines from 0; a "
                                 f"{what} cannot tell them apart: filter to tsv, jsonl or tmx")


@click.command("filter", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("--from", "from_fmt", type=click.Choice(["tsv", "jsonl", "tmx", "moses", "vecalign", "json"]),
              default=None, help="Format of FILE (default: from its name, else from its first line; "
                                 "needed for - (stdin)).")
@click.option("--min-p", type=PROBABILITY, default=None, metavar="X",
              help="Keep links whose calibrated probability p (that both sides say the same thing) is "
                   ">= X; links without p (1-0, 0-1) go too.")
@filter_options
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Output format (default: from the output name, else that of FILE).")
@export_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Output file (- for stdout).")
@quiet_option
def command(file: str, from_fmt: str | None, fmt: str | None, header: bool, keep_empty: bool,
            no_unmatched: bool, sidecar: bool, output: str, quiet: bool, **options: Any) -> None:
    """Filter the pairs of an exported FILE (tsv, jsonl, tmx, moses, vecalign or json).

    Filters run in a fixed order (review status, link types, empty sides, score, p, cosine,
    margin, length ratio, numbers, duplicates); how many links each removed goes to stderr,
    and the output's signature gains "filter:...". Evidence missing from FILE (length ratio,
    numbers) is computed from the texts; p, cosine and margin need a file that carries them.
    Review decisions (status, edited, note) are carried to every output format.

    \b
    Examples:
      parallel-corpus filter pairs.tsv --link-types 1-1 --min-margin 1.06 -o clean.tsv
      parallel-corpus filter pairs.tsv --min-p 0.9 -f moses -o train
      parallel-corpus filter pairs.jsonl --drop-number-mismatch --drop-duplicates -o clean.jsonl
      parallel-corpus filter doc.ar-en.ar --max-length-ratio 2 -f moses -o clean
      parallel-corpus filter reviewed.json --status accepted,edited -o train.tsv
      parallel-corpus filter reviewed.json --drop-rejected -f moses -o train
    """
    from ..errors import InputError
    from ..io import inputs_protected
    from ..readers import pairs_format

    if file == "-" and from_fmt is None:  # no name to tell the format by, and stdin is read once
        raise InputError("-: reading standard input needs --from FORMAT (tsv, jsonl, tmx, "
                         "vecalign or json)")
    in_fmt = pairs_format(file, from_fmt)
    with inputs_protected(_input_files(file, in_fmt)):  # -o naming the input (or its .sig) is refused
        _filter(file, in_fmt, fmt, header, keep_empty, sidecar, output, quiet, options)


def unmatched_note(al: Any, out_fmt: str, keep_empty: bool, before: Any = None) -> str | None:
    """What a pairs file (tsv, jsonl, tmx, moses) leaves out of an alignment: a comparable one's
    unmatched sentences, a parallel one's 1-0/0-1 links, which only ``--keep-empty`` lists there
    (the vecalign and json files and the report always do). None when nothing is left out."""
    if keep_empty or out_fmt in ("vecalign", "json", "html"):
        return None
    if al.mode != "comparable":
        n = sum(1 for k in al.links if not k.src or not k.tgt)
        if not n:
            return None
        return (f"{n} link{'s' * (n > 1)} with an empty side (1-0/0-1: a sentence with no counterpart) "
                f"{'are' if n > 1 else 'is'} "
                f"not in the {out_fmt} output (pairs only): --keep-empty lists {'them' if n > 1 else 'it'}; "
                "the json and vecalign files always do")
    n_s, n_t = len(al.unmatched_src), len(al.unmatched_tgt)
    if al.info.get("rebuilt_documents"):
        # read from a pairs file: only the unmatched rows it listed (written with --keep-empty) have
        # a text; those it left out were said when it was written
        n_s = sum(bool(al.src.segments[i].text) for i in al.unmatched_src)
        n_t = sum(bool(al.tgt.segments[j].text) for j in al.unmatched_tgt)
    if not n_s and not n_t:
        return None
    # ``before``: the alignment the filters read; the sentences of the pairs they removed are
    # unmatched now, but they were no unmatched sentences of the text: said apart
    freed = ""
    if before is not None and before.mode == "comparable":
        was_s, was_t = set(before.unmatched_src), set(before.unmatched_tgt)
        f_s = sum(1 for i in al.unmatched_src if i not in was_s)
        f_t = sum(1 for j in al.unmatched_tgt if j not in was_t)
        if f_s or f_t:
            part = "all of them" if (f_s, f_t) == (n_s, n_t) else f"{f_s} + {f_t} of them"
            freed = f" ({part} from the pairs the filters removed, not sentences the text left unmatched)"
    return (f"{n_s} {al.src.lang} + {n_t} {al.tgt.lang} unmatched sentences{freed} are not in the {out_fmt} output "
            "(pairs only): --keep-empty lists them, one side empty; the json and vecalign files always do")


def _input_files(file: str, in_fmt: str) -> list[str]:
    """Every file ``filter`` reads for ``file``: it, its signature, and a Moses pair's other files."""
    from ..export import MOSES_REVIEW
    from ..readers import moses_base

    files = [file, f"{file}.sig"]
    found = moses_base(file) if in_fmt == "moses" else None
    if found is not None:
        base, s_lang, t_lang = found
        files += [f"{base}.{x}" for x in (s_lang, t_lang, "sig", *MOSES_REVIEW)]
    return files


def _filter(file: str, in_fmt: str, fmt: str | None, header: bool, keep_empty: bool, sidecar: bool,
            output: str, quiet: bool, options: dict[str, Any]) -> None:
    from ..export import export
    from ..readers import links_cross, read_pairs, sidecar_mode

    log = note(quiet)
    out_fmt = output_format(output, fmt, in_fmt)
    if out_fmt != "moses":  # a missing or unwritable folder fails before any work (Moses: a name stem)
        from ..io import check_output_path

        check_output_path(output)
    check_filter_options(options, keep_empty)
    check_conversion(file, in_fmt, out_fmt, options)
    al = read_pairs(file, in_fmt)
    check_blank(file, al, in_fmt)
    if log and not al.links:  # a 0-byte .jsonl, a TSV of its header: an export that kept no pair
        log(f"note: {file} holds no pairs (an export that kept none?): the output holds none either")
    check_joined_pairs(file, al, out_fmt)
    if log and al.mode == "parallel" and sidecar_mode(file) is None and any(not (k.src and k.tgt) for k in al.links) \
            and (in_fmt == "tsv" or (in_fmt == "vecalign" and links_cross((k.src, k.tgt) for k in al.links))):
        log(f"note: {file} has no signature ({file}.sig): read as a parallel alignment, its rows with an "
            "empty side as 1-0/0-1 links; if it is comparable, put its .sig beside it")
    if in_fmt != "vecalign":  # no texts there: no text evidence to compute
        al = with_evidence(al)
    # pairs written with --keep-empty hold every sentence too: so do the pairs filtered from them
    # with it (an alignment made of pairs, json or vecalign, is what the filters keep, as before)
    whole = in_fmt in ALIGNMENT_FORMATS or (keep_empty and out_fmt not in ALIGNMENT_FORMATS
                                            and not al.unmatched_src and not al.unmatched_tgt)
    wanted = options.get("status")
    wanted = [x.strip() for x in wanted.split(",")] if isinstance(wanted, str) else list(wanted or ())
    if log and wanted and "unreviewed" not in wanted and al.links and not any(
            k.features.get("status") or k.features.get("edited") for k in al.links):
        # --status accepted,edited on a file review never saved: an empty training file, said why
        log(f"note: no link of {file} was reviewed (none accepted, rejected or edited), so --status "
            f"{','.join(wanted)} keeps none; correct it with parallel-corpus review first")
    kept = run_filters(al, options, log, out_fmt, whole=whole, keep_empty=keep_empty)
    check_native(file, kept, in_fmt, out_fmt)  # on what is written: --link-types 1-1 may leave none
    if out_fmt == "json" and in_fmt != "json":
        kept = forget_split_guesses(al, kept)
    if out_fmt == "json":  # the file review, report and grep read: links in the order all three number them
        from ..data import review_order

        kept = review_order(kept)
    if log and keep_empty and kept.mode == "comparable" and out_fmt != "vecalign" and kept.info.get("rebuilt_documents"):
        unknown = sum(not kept.src.segments[i].text for i in kept.unmatched_src) + \
            sum(not kept.tgt.segments[j].text for j in kept.unmatched_tgt)
        if unknown:
            log(f"note: {file} does not hold the texts of {unknown} unmatched sentence(s) (it was written "
                "without --keep-empty): they are left out; align again with --keep-empty to list them (mine lists "
                "only its pairs)")
    partial = pairs_only_note(file, al, in_fmt, out_fmt)
    export(kept, output, out_fmt, header=header, keep_empty=keep_empty, sidecar=sidecar)
    from ..export import output_note

    named = output_note(output, fmt, out_fmt, kept)
    if log and named:
        log(f"note: {named}")
    if log and partial is not None:
        log(f"note: {partial}")
    left = unmatched_note(kept, out_fmt, keep_empty, before=al) if log else None
    if log and left:
        log(f"note: {left}")
    if log and out_fmt == "vecalign":
        from ..data import rejected

        gone = sum(rejected(k) for k in kept.links)
        if gone:
            log(f"note: {gone} link(s) rejected in review are written as their sentences unlinked ([i]:[] / []:[j]): "
                "the Vecalign format holds no review status (eval counts a rejected link so in every format)")
    elif log and out_fmt in ("tsv", "jsonl", "tmx", "moses") and not options.get("status") \
            and not options.get("drop_rejected"):
        from ..data import rejected

        kept_rejected = sum(rejected(k) for k in kept.links if k.src and k.tgt)
        if kept_rejected:  # training data with pairs a person said are wrong, marked in one column
            where = "the .status file beside it" if out_fmt == "moses" else "its status field"
            log(f"note: {kept_rejected} pair{'s' * (kept_rejected > 1)} a reviewer rejected "
                f"{'are' if kept_rejected > 1 else 'is'} written (marked rejected in {where}); "
                "--drop-rejected leaves them out")
