"""``parallel-corpus report ALIGNMENT -o report.html``."""

from __future__ import annotations

import click

from .options import note, quiet_option


@click.command("report", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("alignment", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write (default: ALIGNMENT with .html; needed when ALIGNMENT is - "
                   "for stdin).")
@click.option("--matrix/--no-matrix", default=True, show_default=True,
              help="Re-embed both documents to draw the similarity matrix.")
@click.option("-m", "--model", default=None,
              help="Encoder for the matrix (default: the one named in the alignment's signature).")
@click.option("--title", default=None, help="Page title (default: the two document names).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="PATH",
              help="Embedding cache folder the matrix reads (as align's --cache-dir; default: "
                   "$PARALLEL_CACHE_DIR or the user cache dir).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache.")
@quiet_option
def command(alignment: str, output: str | None, matrix: bool, model: str | None, title: str | None,
            quiet: bool, cache_dir: str | None = None, no_cache: bool = False) -> None:
    """Write a self-contained HTML report of an alignment file (native JSON).

    Both documents side by side (right-to-left cells for Arabic), links coloured
    by confidence with their scores on hover, gaps, number disagreements,
    summary statistics and the similarity matrix with the alignment path.
    The file needs no network to open.

    \b
    Examples:
      parallel-corpus align a.ar.txt b.en.txt -f json -o pair.json
      parallel-corpus report pair.json -o pair.html
      parallel-corpus report pair.json --no-matrix -o pair.html
      parallel-corpus report pair.json --title "COVID cooperation, ar-en" -o pair.html
    """
    from pathlib import Path

    from ..errors import InputError
    from ..io import check_output_path
    from ..readers import read_alignment
    from ..report import write_report

    if output == "-":  # an HTML page is a file to open, not a stream of pairs
        raise InputError("-o -: report writes an HTML file, not to stdout; give -o NAME.html "
                         "(or -o /dev/stdout to pipe it)")
    if output is None and alignment == "-":
        raise InputError("-: reading the alignment from standard input needs -o NAME.html (there is "
                         "no file name to make it from)")
    out = output or str(Path(alignment).with_suffix(".html"))
    if Path(out).resolve() == Path(alignment).resolve():
        raise InputError(f"{out}: the report would overwrite the alignment file")
    check_output_path(out)
    from ..report import check_report_name

    check_report_name(out, "give -o NAME.html")
    if model is not None:  # a model asked for that cannot exist is refused, as align refuses it
        from ..embed import check_model_folder, model_id

        if not model.strip():
            raise InputError("empty model name")
        model_id(model)
        check_model_folder(model)
    al = read_alignment(alignment)
    log = note(quiet)
    if model is not None and not matrix and log:  # the model only draws the matrix
        log(f"-m {model} is not used: --no-matrix draws no similarity matrix, the only thing it embeds")
    write_report(al, out, matrix=matrix, encoder=model, title=title, log=log,
                 cache=False if no_cache else (str(Path(cache_dir).expanduser()) if cache_dir else True))
    if log:
        log(f"{out}: report of {len(al.links)} link{'' if len(al.links) == 1 else 's'}")
