"""Corpus manifests: which document pairs to align, and running the main job over them.

A manifest is a UTF-8 TSV file with a header line. Required columns: ``name``,
``src``, ``tgt`` (paths relative to the manifest). Optional: ``src_lang``,
``tgt_lang``, ``mode`` (auto/parallel/comparable), ``presplit`` (yes/no), and
any descriptive columns (source, dates, licence) which are carried along.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .io import read_text

REQUIRED = ("name", "src", "tgt")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class PairEntry:
    name: str
    src: Path
    tgt: Path
    src_lang: str | None = None
    tgt_lang: str | None = None
    mode: str = "auto"
    presplit: bool = False
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def read_manifest(path: str | Path) -> list[PairEntry]:
    """Parse a manifest; relative paths are resolved against its folder."""
    path = Path(path)
    text = read_text(path)
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = [r for r in rows if r and not r[0].startswith("#")]
    if not rows:
        raise InputError(f"{path}: manifest has no header line")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"{path}: manifest lacks column(s) {', '.join(missing)}")
    entries: list[PairEntry] = []
    seen: set[str] = set()
    for lineno, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"{path}: line {lineno} has {len(row)} fields, header has {len(header)}")
        rec = dict(zip(header, (v.strip() for v in row), strict=True))
        name = rec["name"]
        if not _NAME.match(name):
            raise InputError(f"{path}: line {lineno}: pair name {name!r} must be letters, digits, . _ -")
        if name in seen:
            raise InputError(f"{path}: line {lineno}: pair name {name!r} appears twice")
        seen.add(name)
        mode = rec.get("mode") or "auto"
        if mode not in ("auto", "parallel", "comparable"):
            raise InputError(f"{path}: line {lineno}: unknown mode {mode!r}")
        entries.append(PairEntry(
            name=name,
            src=path.parent / rec["src"],
            tgt=path.parent / rec["tgt"],
            src_lang=rec.get("src_lang") or None,
            tgt_lang=rec.get("tgt_lang") or None,
            mode=mode,
            presplit=(rec.get("presplit") or "no").lower() in ("yes", "true", "1"),
            meta={k: v for k, v in rec.items() if k not in REQUIRED},
        ))
    return entries


# Files the main job writes for each pair: suffix -> export format.
OUTPUTS = {".tsv": "tsv", ".align": "vecalign", ".json": "json"}


def run_manifest(manifest: str | Path, out_dir: str | Path, *, model: str = "use-m3",
                 log: Callable[[str], None] | None = None) -> list[str]:
    """Align every pair of the manifest; write ``OUT/NAME.<suffix>`` for each output format."""
    from .api import align_documents, check_languages, read_document
    from .embed import get_encoder
    from .export import export

    entries = read_manifest(manifest)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    encoder = get_encoder(model)
    written: list[str] = []
    for e in entries:
        s = read_document(e.src, e.src_lang, presplit=e.presplit)
        t = read_document(e.tgt, e.tgt_lang, presplit=e.presplit)
        check_languages(s, t, explicit=bool(e.src_lang and e.tgt_lang))
        al = align_documents(s, t, mode=e.mode, model=encoder, log=log)
        for suffix, fmt in OUTPUTS.items():
            target = out / f"{e.name}{suffix}"
            export(al, str(target), fmt, header=(fmt == "tsv"))
            written.append(str(target))
        if log:
            log(f"{e.name}: {len(al.links)} links, {al.signature}")
    return written
