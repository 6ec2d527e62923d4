"""``parallel-corpus segment FILE``."""

from __future__ import annotations

import json
import sys

import click


@click.command("segment", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--lang", metavar="LANG", help="Language (default: detected from the script).")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="text: one sentence per line; jsonl: with offsets and paragraphs.")
def command(file: str, lang: str | None, fmt: str) -> None:
    """Split FILE into sentences, one per line on stdout.

    \b
    Examples:
      parallel-corpus segment corpus/covid-cooperation.ar.txt
      parallel-corpus segment article.txt --lang en --format jsonl
    """
    from ..api import read_document
    from ..export import clean_field

    doc = read_document(file, lang)
    out = sys.stdout
    for seg in doc.segments:
        if fmt == "jsonl":
            out.write(json.dumps({"index": seg.index, "paragraph": seg.paragraph, "start": seg.start,
                                  "end": seg.end, "lang": seg.lang, "text": seg.text},
                                 ensure_ascii=False) + "\n")
        else:
            out.write(clean_field(seg.text) + "\n")
