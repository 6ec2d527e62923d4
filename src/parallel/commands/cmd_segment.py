"""``parallel-corpus segment FILE``."""

from __future__ import annotations

import json
import sys
import warnings

import click

from .options import quiet_option


@click.command("segment", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--lang", metavar="LANG", help="Language: ar, en (others: generic Punkt; default: detected).")
@click.option("--force-lang", is_flag=True, help="Keep --lang even when the text's script says otherwise.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="text: one sentence per line; jsonl: with offsets and paragraphs.")
@quiet_option
def command(file: str, lang: str | None, fmt: str, quiet: bool, force_lang: bool = False) -> None:
    """Split FILE (or - for stdin) into sentences, one per line on stdout.

    jsonl lines carry index, paragraph, start, end (character offsets into the
    file's text after BOM removal), lang and text, so text == file[start:end]
    (in a file whose lines end in a carriage return alone, each CR is read as a
    line feed: the same offsets, "\\n" in text).

    \b
    Examples:
      parallel-corpus segment article.ar.txt
      parallel-corpus segment article.txt --lang en --format jsonl
      cat article.txt | parallel-corpus segment - --lang en
    """
    from ..api import read_document
    from ..export import clean_field

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = read_document(file, lang, force_lang=force_lang, lang_hint="--lang")
    if not quiet:
        for w in caught:
            click.echo(f"parallel-corpus: warning: {w.message}", err=True)
    out = sys.stdout
    for seg in doc.segments:
        if fmt == "jsonl":
            out.write(json.dumps({"index": seg.index, "paragraph": seg.paragraph, "start": seg.start,
                                  "end": seg.end, "lang": seg.lang, "text": seg.text},
                                 ensure_ascii=False, allow_nan=False) + "\n")
        else:
            out.write(clean_field(seg.text) + "\n")
