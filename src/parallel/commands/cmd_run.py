"""``parallel-corpus run MANIFEST -o DIR``."""

from __future__ import annotations

import click

from .options import note, quiet_option


@click.command("run", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="align",
              show_default=True, help="Folder for the outputs.")
@click.option("-m", "--model", default="use-m3", show_default=True, help="Sentence encoder.")
@quiet_option
def command(manifest: str, out_dir: str, model: str, quiet: bool) -> None:
    """Align every document pair listed in MANIFEST (the main job).

    \b
    Example:
      parallel-corpus run corpus/manifest.tsv -o align/
    """
    from ..corpus import run_manifest

    run_manifest(manifest, out_dir, model=model, log=note(quiet))
