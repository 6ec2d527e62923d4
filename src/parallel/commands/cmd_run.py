"""``parallel-corpus run MANIFEST -o DIR``: align every document pair of a manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..data import MAX_LINK_LIMIT
from ..schema import DEFAULT_MIN_P
from .options import PROBABILITY, MaxLink, note, quiet_option


@click.command("run", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="align",
              show_default=True, help="Folder for the outputs.")
@click.option("-m", "--model", default=None,
              help="Sentence encoder for every pair [default: chosen per pair as align chooses it: use-m3; "
                   "e5-small for a language use-m3 does not know; use-m3+e5-small for comparable short "
                   "sentences or 100+ sentences a side].")
@click.option("--max-link", type=MaxLink(1, MAX_LINK_LIMIT), default=None,
              help="Largest n in n-m links (parallel mode; default 'auto': from each document, 4 where both "
                   "sides are split alike, up to 9 where one side is split much finer, up to 20 where it "
                   "has over 4.5 sentences for each of the other's; in comparable "
                   "mode, 1 keeps 1-1 pairs only, without its 2-1/1-2 links).")
@click.option("--min-p", type=PROBABILITY, default=None,
              help="Keep pairs whose calibrated probability p (that both sides say the same thing) is at "
                   f"least this, as align's --min-p. Comparable mode: the bar for mined pairs [default: "
                   f"{DEFAULT_MIN_P}, for a precision of about 0.9]; parallel mode: links below it are undone, "
                   "their sentences listed as unmatched (1-0/0-1) [default: all kept].")
@click.option("-j", "--jobs", type=click.IntRange(1, None), default=1, show_default=True,
              help="Worker processes (local engine), at most one a CPU, or CPUs of a local Ray.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="Where pairs run: local processes, or Ray tasks (pip install ray).")
@click.option("--ray-address", default=None, metavar="ADDR",
              help="Join a running Ray cluster (e.g. auto or ray://head:10001) instead of starting one.")
@click.option("--no-resume", is_flag=True, help="Redo pairs even when their outputs are up to date.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="PATH",
              help="Embedding cache folder (default: $PARALLEL_CACHE_DIR or the user cache dir), as align's.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the embedding cache.")
@quiet_option
def command(manifest: str, out_dir: str, model: str | None, max_link: int | None, jobs: int, engine: str,
            ray_address: str | None, no_resume: bool, cache_dir: str | None, no_cache: bool, quiet: bool,
            min_p: float | None = None) -> None:
    """Align every document pair listed in MANIFEST (the main job).

    Writes OUT/NAME.tsv, .align, .json, ... per pair, OUT/_all.tsv joining all pairs (with a
    `pair` column) and OUT/_summary.json (counts, and each pair's mode, links and rows). The
    joined files hold pairs only: a note says how many 1-0/0-1 links they leave out (each pair's
    .align and .json keep them), and which pairs have no row. A run that is interrupted can be started again: pairs
    already done (same inputs and options) are skipped. A pair that cannot be read or aligned
    is reported and skipped; the exit status is then 1. Outputs are identical whatever
    --jobs and --engine.

    \b
    Examples:
      parallel-corpus run corpus/manifest.tsv -o align/
      parallel-corpus run big/manifest.tsv -o align/ --jobs 2
      parallel-corpus run corpus/manifest.tsv -o align-all/ --min-p 0.1
      parallel-corpus run big/manifest.tsv -o /shared/align --engine ray --ray-address auto
    """
    from ..corpus import run_manifest
    from ..errors import OutputError, ParallelError

    # as align takes it; a folder made absolute, since workers (Ray's too) may start elsewhere
    cache: bool | str = False if no_cache else str(Path(cache_dir).expanduser().resolve()) if cache_dir else True
    try:
        summary = run_manifest(manifest, out_dir, model=model, max_link=max_link, min_p=min_p, jobs=jobs, engine=engine,
                               ray_address=ray_address, resume=not no_resume, progress=not quiet,
                               log=note(quiet), cache=cache)
    except OutputError as exc:
        if exc.done is not None and not quiet:  # the pairs were written; the joined files were not
            for line in exc.done.lines():
                print(line, file=sys.stderr)
        raise
    if not quiet:
        for line in summary.lines():
            print(line, file=sys.stderr)
    else:  # -q leaves out progress and notes, not why a pair failed (it was only in _summary.json)
        for line in summary.failure_lines():
            print(line, file=sys.stderr)
    # as align says them: what it warns about a pair -q or not, a Python warning (no sentence
    # splitter for a language) not under -q; each naming its pair
    for line in summary.warning_lines(quiet):
        print(f"parallel-corpus: warning: {line}", file=sys.stderr)
    if summary.failures:
        raise ParallelError(f"{len(summary.failures)} of {summary.pairs} pairs failed: "
                            + ", ".join(sorted(summary.failures)))
