"""``parallel-corpus mine``: mine translation pairs from two large sentence collections."""

from __future__ import annotations

from pathlib import Path

import click

from .options import PROBABILITY, FiniteFloat, lang_code, note, quiet_option

_CANDIDATES = 16  # --candidates' default: the ivf search's neighbours per sentence


@click.command("mine", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--src", "src", multiple=True, type=click.Path(), help="Source file or folder (repeatable).")
@click.option("--tgt", "tgt", multiple=True, type=click.Path(), help="Target file or folder (repeatable).")
@click.option("-o", "--output", default="-", show_default=True,
              help="Mined pairs ('-' = stdout; moses: NAME for NAME.ar-en.ar + NAME.ar-en.en).")
@click.option("-f", "--format", "fmt", type=click.Choice(["tsv", "jsonl", "tmx", "moses"]), default=None,
              help="Output format (default: from the output name, else tsv).")
@click.option("--work", type=click.Path(file_okay=False), default=None,
              help="Keep sentences and embedding chunks here (a rerun reuses them). Default: a temp folder.")
@click.option("-m", "--model", default=None,
              help="Sentence encoder [default: use-m3; as in align, e5-small for a language use-m3 does "
                   "not know and use-m3+e5-small for short lines (under 60 characters on average) or 100+ "
                   "lines a side, up to 8,000 lines and 300,000 characters a side].")
@click.option("--segment", is_flag=True, help="Inputs are documents to split into sentences "
              "(default: one sentence per line).")
@click.option("--src-lang", callback=lang_code, default=None,
              help="Source language (default: detected; it names the output's columns and, with --segment, "
                   "chooses the splitter).")
@click.option("--tgt-lang", callback=lang_code, default=None, help="Target language (as --src-lang).")
@click.option("--force-lang", is_flag=True,
              help="Keep --src-lang/--tgt-lang even when the text's script says otherwise.")
@click.option("--chunk-size", type=click.IntRange(1, None), default=50_000, show_default=True,
              help="Sentences per embedding chunk (bounds memory; another size can move the fourth "
                   "decimal of a few margins; the same pairs are kept).")
@click.option("--index", type=click.Choice(["auto", "exact", "ivf"]), default="auto", show_default=True,
              help="Neighbour search: exact blocked brute force, FAISS IVF, or auto (exact up to 8k x 8k).")
@click.option("-k", "--knn", "k", type=click.IntRange(1, None), default=4, show_default=True,
              help="Neighbours averaged in the margin.")
@click.option("--candidates", type=click.IntRange(1, None), default=_CANDIDATES, show_default=True,
              help="Neighbours kept per sentence (ivf).")
@click.option("--nprobe", type=click.IntRange(1, None), default=None,
              help="IVF lists probed per query (ivf). Default: about 2,560 vectors scanned per query "
              "(32 lists up to ~100k sentences, 10 at 1M); more is slower and finds more pairs.")
@click.option("--margin", type=click.Choice(["distance", "ratio"]), default="distance", show_default=True,
              help="Margin of a pair over both sentences' nearest neighbours: cos - mean of the k best "
                   "(distance) or cos / that mean (ratio, Artetxe & Schwenk).")
@click.option("--min-p", type=PROBABILITY, default=None,
              help="Keep pairs whose calibrated probability p (that both sides say the same thing) is at "
                   "least this [default: comparable mode's bar, chosen for a precision of about 0.9; lower "
                   "finds more pairs, higher keeps surer ones].")
@click.option("--z-min", type=FiniteFloat(), default=None, help="Keep by margin instead of p: calibrated threshold in "
              "null standard deviations (comparable mode's before p).")
@click.option("--threshold", type=FiniteFloat(), default=None, help="Keep by a fixed margin threshold instead of p.")
@click.option("--header/--no-header", default=True, show_default=True,
              help="TSV: write the header line of column names.")
@click.option("--keep-empty", is_flag=True,
              help="After the pairs, list the sentences left without one, one side empty (deduplicated, "
                   "in the order of the inputs, with their FILE:LINE origin), as align --keep-empty lists "
                   "a comparable alignment's unmatched sentences. Default: pairs only.")
@click.option("--sig/--no-sig", "sidecar", default=True, show_default=True,
              help="TSV to a file: also write the signature to OUTPUT.sig.")
@click.option("-j", "--jobs", type=click.IntRange(1, None), default=1, show_default=True,
              help="Embedding worker processes, at most one a CPU (or CPUs of a local Ray).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where embedding chunks run: local processes (--jobs), or Ray tasks "
                   "(pip install ray).")
@click.option("--ray-address", default=None, metavar="ADDR", help="Join a running Ray cluster.")
@quiet_option
def command(paths: tuple[str, ...], src: tuple[str, ...], tgt: tuple[str, ...], output: str,
            work: str | None, model: str | None, segment: bool, src_lang: str | None, tgt_lang: str | None,
            chunk_size: int, index: str, k: int, candidates: int, nprobe: int | None, margin: str,
            z_min: float | None, threshold: float | None, header: bool, sidecar: bool, jobs: int,
            engine: str, min_p: float | None, ray_address: str | None, quiet: bool,
            fmt: str | None = None, force_lang: bool = False, keep_empty: bool = False) -> None:
    """Mine translation pairs between two sentence collections (bitext mining at corpus scale).

    Give the sides as two positional paths (SRC TGT, each a file or a folder) or with repeated
    --src/--tgt. Sentences are deduplicated, embedded in chunks stored on disk, searched in both
    directions (exact or FAISS IVF), scored by margin, and mutual best pairs are kept by their
    calibrated probability p as in comparable mode (--min-p). Output, most probable first, in
    the pair schema `align` writes (so `filter`, `mt-eval` and `eval` read it): src_ids, tgt_ids
    (0-based line numbers, with --segment sentence numbers, in the files named by
    src_origin/tgt_origin), src, tgt, score (the selection margin), type, cosine, margin (ratio),
    ..., p, ..., margin_distance, z, ..., src_origin, tgt_origin (FILE:LINE of the first
    occurrence).

    \b
    Examples:
      parallel-corpus mine news.ar.txt news.en.txt -o pairs.tsv
      parallel-corpus mine crawl/ar/ crawl/en/ --work mine-work -o pairs.tsv --jobs 2
      parallel-corpus mine --src a1.txt --src a2.txt --tgt e1.txt -o - --no-header
      parallel-corpus mine news.ar.txt news.en.txt -f moses -o mined   # mined.ar-en.ar, mined.ar-en.en
    """
    from ..bigmine import mine_corpus
    from ..errors import InputError
    from ..schema import DEFAULT_MIN_P

    if paths and (src or tgt):
        raise InputError("give the sides either as two paths or with --src/--tgt, not both")
    if paths:
        if len(paths) != 2:
            raise InputError(f"give two paths (SRC TGT), not {len(paths)}; use --src/--tgt for more files")
        src, tgt = (paths[0],), (paths[1],)
    if not src or not tgt:
        raise InputError("no source or no target input: give SRC TGT or --src ... --tgt ...")
    from ..export import REPORT_SUFFIXES, format_for

    if min_p is not None and (z_min is not None or threshold is not None):
        raise InputError("--min-p keeps pairs by p; --z-min and --threshold by margin: give one")
    if z_min is not None and threshold is not None:
        raise InputError("--z-min sets the margin bar from the collections, --threshold fixes it: give one")
    if min_p is None and z_min is None and threshold is None:
        min_p = DEFAULT_MIN_P
    fmt = format_for(output, fmt)  # -f against a name that says another format: refused
    report = bool(output) and Path(output).suffix.lower() in REPORT_SUFFIXES  # align writes one there, mine none
    if fmt not in ("tsv", "jsonl", "tmx", "moses") or report:
        named = "an HTML report" if report else fmt
        raise InputError(f"mine writes tsv, jsonl, tmx or moses, not {named} (from the name {output})")
    log = note(quiet)
    unused = [flag for flag, given in (("--nprobe", nprobe is not None), ("--candidates", candidates != _CANDIDATES)) if given]
    if index == "exact" and unused and log:  # they size the ivf index's search; exact compares every pair
        log(f"{' and '.join(unused)} {'are' if len(unused) > 1 else 'is'} not used: they set the ivf index's "
            "search, and --index exact compares every pair")
    if k != 4 and min_p is not None and log:  # p's model was fitted on margins over 4 neighbours
        log(f"-k {k}: the confidence model behind p was fitted on margins over 4 neighbours; with {k} the "
            "margins, and so p, are on another scale (--min-p then keeps pairs by an uncalibrated p)")
    mine_corpus(list(src), list(tgt), output, work=work, model=model, chunk_size=chunk_size, engine=engine,
                jobs=jobs, ray_address=ray_address, segment=segment, src_lang=src_lang, tgt_lang=tgt_lang,
                header=header, fmt=fmt, sidecar=sidecar, log=log, force_lang=force_lang, keep_empty=keep_empty,
                index=index, k=k,
                candidates=candidates,
                nprobe=nprobe, margin=margin, z_min=z_min, threshold=threshold, min_p=min_p)
