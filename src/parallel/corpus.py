"""Corpus manifests: which document pairs to align, and running the main job over them.

A manifest is a UTF-8 TSV file with a header line. Required columns: ``name``,
``src``, ``tgt`` (paths relative to the manifest). Optional: ``src_lang``,
``tgt_lang``, ``mode`` (auto/parallel/comparable), ``presplit`` (yes/no), and
any descriptive columns (source, dates, licence) which are carried along.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .data import Alignment
from .engines import failure_reason
from .errors import InputError, OutputError, ParallelError
from .io import (
    atomic_writer,
    folder_lock,
    inputs_protected,
    is_special,
    output_batch,
    read_text,
    refuse_input,
    sweep_stale_writes,
    write_if_changed,
)
from .lang import LANG_CODE, code_of

REQUIRED = ("name", "src", "tgt")


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: Longest pair name: with the longest suffix run adds (``.align.sig``) within the 255 bytes a file
#: name may hold, and room to spare.
MAX_NAME = 200


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
    # the paths as the manifest writes them (relative to its folder): the documents' names in the
    # outputs, which must not depend on the folder ``run`` was started from
    src_written: str = ""
    tgt_written: str = ""

    @property
    def names(self) -> tuple[str, str]:
        """The documents' names in the outputs (and in failures): the paths as the manifest writes them."""
        return self.src_written or str(self.src), self.tgt_written or str(self.tgt)

    def as_written(self, why: str) -> str:
        """A failure reading a document (``PATH: ...``, as :func:`read_text` says) with the document
        named as the manifest writes it: the summary must not depend on the folder run started from."""
        for path, name in zip((self.src, self.tgt), self.names, strict=True):
            if why.startswith(f"{path}:"):
                rest = why[len(str(path)):]
                if rest == ": no such file" and not Path(name).is_absolute():
                    # "corp/02.ar" written as from the folder run was started in: say where it was looked for
                    rest += " in the manifest's folder (a manifest's relative paths are read from there)"
                return name + rest
        return why


_YES = ("yes", "true", "1")
_NO = ("no", "false", "0")


def _trimmed(row: list[str]) -> list[str]:
    """``row`` without the empty fields after its last non-empty one."""
    while row and not row[-1].strip():
        row = row[:-1]
    return row


#: run's options by the manifest column a user might write for them
_RUN_OPTIONS = {"model": "model", "max_link": "max-link", "min_p": "min-p"}


def read_manifest(path: str | Path) -> list[PairEntry]:
    """Parse a manifest; relative paths are resolved against its folder."""
    path = Path(path)
    text = read_text(path)
    # lines end at a line feed only (a U+2028 in a note column is text), and keep their numbers in
    # the file for the messages, comments and blank lines counted
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    # a line of white space or tabs only is a blank line (an editor's or a spreadsheet's), and
    # empty fields after the last column (a trailing tab) are no column
    numbered = [(n, row) for n, row in enumerate(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=1)
                if any(f.strip() for f in row) and not row[0].lstrip().startswith("#")]
    if not numbered:
        raise InputError(f"{path}: manifest has no header line")
    rows = [row for _, row in numbered]
    header = [h.strip().lower() for h in _trimmed(rows[0])]  # Name/SRC read as name/src
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        raise InputError(f"{path}: manifest header names column(s) {', '.join(map(repr, twice))} twice")
    # run's own options, which no manifest column sets per pair: such a column was taken for a
    # note, and its pairs aligned with the run's options in silence
    options = [h for h in header if h.replace("-", "_") in _RUN_OPTIONS]
    if options:
        flags = ", ".join(f"--{_RUN_OPTIONS[h.replace('-', '_')]}" for h in options)
        raise InputError(f"{path}: manifest column(s) {', '.join(map(repr, options))} would be read as notes: a "
                         f"manifest sets mode, presplit and the languages per pair; run's {flags} sets "
                         "every pair's (pairs that need another value go in a manifest of their own), "
                         "or rename the column")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        spaced = len(header) == 1 and all(c in header[0].split() for c in REQUIRED)
        raise InputError(f"{path}: manifest lacks column(s) {', '.join(missing)}"
                         + (" (its columns are separated by spaces: a manifest separates them by tabs)" if spaced else ""))
    entries: list[PairEntry] = []
    seen: set[str] = set()  # pair names, lower case
    names: set[str] = set()
    for lineno, row in numbered[1:]:
        if len(row) > len(header) and not any(f.strip() for f in row[len(header):]):
            row = row[:len(header)]  # a trailing tab
        if len(row) != len(header):
            raise InputError(f"{path}: line {lineno} has {len(row)} fields, header has {len(header)}")
        rec = dict(zip(header, (v.strip() for v in row), strict=True))
        name = rec["name"]
        if not _NAME.match(name):
            raise InputError(f"{path}: line {lineno}: pair name {name!r}: use ASCII letters, digits, "
                             "'.', '_' and '-', starting with a letter or digit (it names the output files; "
                             "_all.* are run's own)")
        if len(name) > MAX_NAME:  # refused here, not by the file system once the other pairs are aligned
            raise InputError(f"{path}: line {lineno}: pair name of {len(name)} characters: at most {MAX_NAME} (it "
                             "names the output files, NAME.align.sig and the others, and a file name holds at "
                             "most 255 bytes)")
        if name.lower() in seen:  # D00 and d00 name the same files where case is not told apart
            raise InputError(f"{path}: line {lineno}: pair name {name!r} appears twice"
                             + ("" if name in names else " (letter case aside: the output files would collide)"))
        seen.add(name.lower())
        names.add(name)
        for side in ("src", "tgt"):
            if not rec[side].strip():
                raise InputError(f"{path}: line {lineno}: pair {name!r} has no {side} file")
            code = rec.get(f"{side}_lang") or ""
            if code and not LANG_CODE.fullmatch(code):
                raise InputError(f"{path}: line {lineno}: {side}_lang {code!r} is not a language code")
        mode = rec.get("mode") or "auto"
        if mode not in ("auto", "parallel", "comparable"):
            raise InputError(f"{path}: line {lineno}: unknown mode {mode!r}")
        presplit = (rec.get("presplit") or "no").lower()
        if presplit not in _YES + _NO:
            raise InputError(f"{path}: line {lineno}: presplit must be yes or no, not {rec['presplit']!r}")
        entries.append(PairEntry(
            name=name,
            src=path.parent / rec["src"],
            tgt=path.parent / rec["tgt"],
            src_lang=code_of(rec.get("src_lang") or "") or None,
            tgt_lang=code_of(rec.get("tgt_lang") or "") or None,
            mode=mode,
            presplit=presplit in _YES,
            meta={k: v for k, v in rec.items() if k not in REQUIRED},
            src_written=rec["src"],
            tgt_written=rec["tgt"],
        ))
    return entries


# Files the main job writes for each pair: suffix -> export format.
OUTPUTS = {".tsv": "tsv", ".align": "vecalign", ".json": "json", ".jsonl": "jsonl", ".tmx": "tmx"}


#: Name of the export that joins every pair's TSV (a leading ``_`` cannot start a pair name).
COMBINED = "_all.tsv"
#: Idem for the JSONL: every pair's records (their ``pair`` field names the pair).
COMBINED_JSONL = "_all.jsonl"
#: Summary of the last run (pairs, links, link types, failures), JSON.
SUMMARY = "_summary.json"
#: Folder of per-pair done-markers: a pair whose marker matches its inputs is not redone.
DONE_DIR = ".done"


@dataclass(frozen=True)
class PairJob:
    """Everything a worker needs to align one pair (texts travel with it: workers read no files)."""

    name: str
    src_text: str
    tgt_text: str
    src_name: str
    tgt_name: str
    src_lang: str | None
    tgt_lang: str | None
    mode: str
    presplit: bool
    model: str | None  # None: chosen per pair as align chooses it
    max_link: int | None
    key: str
    cache: bool | str = True  # the embedding cache, as get_encoder takes it: True the default folder
    min_p: float | None = None  # as align's --min-p: the comparable bar; parallel links below it left out


@dataclass(frozen=True)
class PairResult:
    """A worker's answer: the rendered output files and counts, or why the pair failed.

    ``files`` maps output file names (``NAME.tsv``, ``NAME.tsv.sig``, ...) to their bytes: the
    worker renders every output (exports, report) and the driver only writes them, so the
    driver never becomes the bottleneck and workers need no shared file system.
    """

    name: str
    key: str
    files: dict[str, bytes] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class RunSummary:
    """What :func:`run_manifest` did: counts over pairs, links and link types."""

    pairs: int = 0
    aligned: int = 0
    resumed: int = 0
    links: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    #: what align says on stderr about a pair (its manifest mode ``parallel`` on texts that are
    #: not translations), by pair: run says it too, and keeps it in the summary
    warnings: dict[str, str] = field(default_factory=dict)
    #: the Python warnings aligning a pair raised (no sentence splitter for its language ...), by
    #: pair, in the order raised: align shows them as one line each (not under -q), and so does
    #: run, naming the pair; the summary keeps them with the pair's other warnings
    pair_warnings: dict[str, list[str]] = field(default_factory=dict)
    combined: str | None = None
    #: each pair done, by name: its ``mode`` (parallel, comparable), its ``links`` (1-0/0-1
    #: included) and its ``rows``, the pairs its .tsv/.jsonl and the _all files hold (links with
    #: text on both sides)
    by_pair: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """The pairs the joined files hold (each pair's rows)."""
        return sum(int(p["rows"]) for p in self.by_pair.values())

    def lines(self) -> list[str]:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items(), key=lambda kv: (-kv[1], kv[0])))
        out = [(f"pairs: {self.pairs} ({self.aligned} aligned, {self.resumed} already done, "
               f"{len(self.failures)} failed)"),
               f"links: {self.links}" + (f" ({kinds})" if kinds else "")]
        out += self.left_out()
        out += self.failure_lines()
        if self.combined:
            out.append(f"combined: {self.combined}")
        return out

    def failure_lines(self) -> list[str]:
        """Why each failed pair failed, one line each (said with ``run -q`` too)."""
        return [f"failed: {name}: {why}" for name, why in sorted(self.failures.items())]

    def left_out(self) -> list[str]:
        """What the joined files leave out of the links counted, as ``align`` says it of its pairs
        output: the links with an empty side (1-0/0-1), which no pair file but the .align and .json
        holds (run has no --keep-empty), the sentences comparable pairs left unmatched, which the
        .align and .json list, and the pairs that kept no row at all."""
        out = []
        lost = self.links - self.rows
        if self.by_pair and lost > 0:
            out.append(f"note: {lost} link{'s' * (lost > 1)} with an empty side (1-0/0-1: a sentence with no "
                       f"counterpart) {'are' if lost > 1 else 'is'} not in the tsv/jsonl outputs (pairs only): the "
                       f"_all files hold {self.rows} pairs of the {self.links} links; each pair's .align and .json "
                       f"keep {'them' if lost > 1 else 'it'}")
        free = {name: p["unmatched"] for name, p in self.by_pair.items() if sum(p.get("unmatched") or ())}
        if free:
            a, b = (sum(x[k] for x in free.values()) for k in (0, 1))
            names = sorted(free)
            out.append(f"note: {a} source + {b} target sentences left unmatched by the comparable pair"
                       f"{'s' if len(names) > 1 else ''} {', '.join(names[:5])}{', ...' if len(names) > 5 else ''} "
                       "are not in the tsv/jsonl outputs (pairs only): each pair's .align and .json list them")
        empty: dict[str, list[str]] = {}
        for name, p in self.by_pair.items():
            if not p["rows"]:
                empty.setdefault(str(p["mode"]), []).append(name)
        if empty:
            n = sum(map(len, empty.values()))
            listed = "; ".join(f"{mode}: {', '.join(names[:5])}{', ...' if len(names) > 5 else ''}"
                               for mode, names in sorted(empty.items()))
            out.append(f"note: {n} pair{'s have' if n > 1 else ' has'} no row in the tsv/jsonl outputs ({listed})"
                       + (f": the .sig of the _all files names {'them' if n > 1 else 'it'}, and eval scores "
                          f"{'them' if n > 1 else 'it'} as finding nothing" if len(self.by_pair) > 1 else ""))
        return out

    def _said(self, quiet: bool = False) -> dict[str, list[str]]:
        """Each pair's warnings, by pair name: its Python warnings first (not with ``quiet``, as
        align hides them under -q), then what align would warn about it."""
        names = sorted(set(self.warnings) | set(self.pair_warnings))
        return {name: ([] if quiet else self.pair_warnings.get(name, []))
                + ([self.warnings[name]] if name in self.warnings else []) for name in names}

    def warning_lines(self, quiet: bool = False) -> list[str]:
        """Each pair's warnings as ``NAME: why`` lines (see :meth:`_said`)."""
        return [f"{name}: {why}" for name, said in self._said(quiet).items() for why in said]

    def to_dict(self) -> dict[str, Any]:
        joined = {name: "; ".join(said) for name, said in self._said().items()}
        return {"pairs": self.pairs, "ok": self.pairs - len(self.failures), "links": self.links,
                "kinds": dict(sorted(self.kinds.items())), "failures": dict(sorted(self.failures.items())),
                "warnings": joined, "rows": self.rows,
                "by_pair": {name: dict(sorted(p.items())) for name, p in sorted(self.by_pair.items())}}


_ENCODER_CACHE: dict[str, Any] = {}


def align_pair(job: PairJob) -> PairResult:
    """Segment, embed and align one pair (runs in a worker; the encoder is loaded once per process).

    Any failure of this pair becomes ``PairResult.error`` so one bad pair never stops a run. The
    Python warnings it raises (no sentence splitter for a language ...) go in ``info["warnings"]``,
    each once, in the order raised (with the hints worded for a manifest): a worker's stderr
    printed them raw (``/path/segment.py:1090: UserWarning: ...``), naming no pair.
    """
    from dataclasses import replace

    from .embed import get_encoder

    def load(name: str) -> Any:
        # the embedding cache as align uses it: a second run (another output folder, --no-resume,
        # one document edited) and the report's matrix read the vectors instead of embedding again
        key = f"{name}\x00{job.cache}"
        if key not in _ENCODER_CACHE:
            _ENCODER_CACHE[key] = get_encoder(name, threads=1, cache=job.cache)
        return _ENCODER_CACHE[key]

    with warnings.catch_warnings(record=True) as caught:  # said by the driver, naming the pair
        result = _align_pair(job, load)
    said = list(dict.fromkeys(manifest_hints(str(w.message)) for w in caught))
    return replace(result, info={**result.info, "warnings": said}) if said and result.error is None else result


def _align_pair(job: PairJob, load: Callable[[str], Any]) -> PairResult:
    """:func:`align_pair`'s work, any warning it raises left to the caller."""
    from .api import align_documents, check_languages, make_document
    from .embed import PairEncoders
    from .report import matrix_encoder

    try:
        s = make_document(job.src_text, job.src_lang, presplit=job.presplit, name=job.src_name)
        t = make_document(job.tgt_text, job.tgt_lang, presplit=job.presplit, name=job.tgt_name)
        if len(s) == 0 or len(t) == 0:
            raise InputError(f"{job.src_name if len(s) == 0 else job.tgt_name}: no sentences")
        check_languages(s, t, explicit=bool(job.src_lang and job.tgt_lang))
        if s.lang == t.lang:  # declared so: align takes it, but run writes JSONL, keyed by language
            raise InputError(f"both sides are {s.lang!r} in the manifest; run writes JSONL records keyed by "
                             "language, so a pair needs two (align two texts in one language with align)")
        # no model named: chosen per pair as align chooses it (languages, short comparable sentences)
        # as align --min-p: comparable mode keeps its pairs by the bar, a translation's links under
        # it are undone (their sentences unmatched: the alignment still holds every sentence)
        # the worker keeps its encoders across pairs; what they embedded for this pair is read
        # again by its report's matrix, and for this pair only
        encoders = PairEncoders(load)
        al = align_documents(s, t, mode=job.mode, model=job.model, max_link=job.max_link, load=encoders,
                             min_p=job.min_p)
        files = render_pair_outputs(al, job.name, encoder=encoders(matrix_encoder(al)))
    except Exception as exc:  # noqa: BLE001 - a bad pair is reported, never fatal to the run
        return PairResult(job.name, job.key, error=manifest_hints(failure_reason(exc)))
    from .export import pair_rows

    kinds = Counter(link.kind for link in al.links)
    # rows: the pairs its .tsv and .jsonl (and so the _all files) hold, the links with text on
    # both sides; links counts the 1-0/0-1 links too, which the .align and .json keep
    info = {"key": job.key, "links": len(al.links), "kinds": dict(sorted(kinds.items())),
            "mode": al.mode, "signature": al.signature, "rows": len(pair_rows(al))}
    if al.mode == "comparable":  # its unmatched sentences: no pair file holds them, the .align and .json do
        info["unmatched"] = [len(al.unmatched_src), len(al.unmatched_tgt)]
    if al.info.get("warning"):  # e.g. its manifest mode parallel on texts that are not translations
        info["warning"] = manifest_hints(str(al.info["warning"]))
    return PairResult(job.name, job.key, files=files, info=info)


#: The command-line hints of align's language errors, as a manifest says them (run has no such flags).
_MANIFEST_HINTS = (
    # run needs two languages (its JSONL is keyed by them): naming one twice in the manifest fails too
    (re.compile(r"pass both --src-lang and --tgt-lang to align two texts in one language"),
     ("check the pair's files: if one is in another language, set src_lang and tgt_lang in the manifest "
      "(run aligns two languages; align two texts in one language with align)")),
    (re.compile(r"pass (?:it with|both) --src-lang(?:/| and )--tgt-lang"), "set src_lang and tgt_lang in the manifest"),
    (re.compile(r"pass --force-lang to (?:use it anyway|keep '[^']*')"),
     "correct src_lang/tgt_lang in the manifest (align --force-lang keeps it anyway)"),
    (re.compile(r"try --mode comparable"), "give the pair mode comparable (or auto) in the manifest"),
)


def manifest_hints(message: str) -> str:
    """``message`` with align's option hints (--src-lang, --force-lang, --mode) rewritten for a manifest."""
    for pattern, hint in _MANIFEST_HINTS:
        message = pattern.sub(hint, message)
    return message


def render_pair_outputs(al: Any, name: str, encoder: Any = None) -> dict[str, bytes]:
    """All of a pair's output files as bytes: :func:`write_pair_outputs` into a temporary folder."""
    import tempfile

    from .engines import temp_prefix

    # named after this worker's pid: if it is killed, the next run removes the folder (sweep_temp)
    with tempfile.TemporaryDirectory(prefix=temp_prefix("pair")) as tmp:
        try:
            write_pair_outputs(al, Path(tmp), name, encoder=encoder)
        except OutputError as exc:
            # the path is the worker's own temporary folder, gone by the time the message is read:
            # name the output and where it was being made (that disk is the one to free)
            if exc.path is None or Path(exc.path).parent != Path(tmp):
                raise
            raise OutputError(f"{Path(exc.path).name}: cannot write its temporary copy in {Path(tmp).parent} "
                              f"({exc.reason})") from None
        return {p.name: p.read_bytes() for p in sorted(Path(tmp).iterdir()) if p.is_file()}


@lru_cache(maxsize=1)
def _fitted_parameters() -> str:
    """Hash of the bundled fitted parameters (the confidence models, the segmenter's): a refit
    changes outputs (``p``, sentence boundaries) without a new version number."""
    from importlib import resources

    h = hashlib.sha256()
    for folder in ("confidence", "segment"):
        for f in sorted(resources.files("parallel").joinpath("resources", folder).iterdir(), key=lambda f: f.name):
            if f.is_file() and f.name != "README.md":
                h.update(f.name.encode("utf-8") + b"\x00" + f.read_bytes() + b"\x00")
    return h.hexdigest()


def pair_key(e: PairEntry, src_text: str, tgt_text: str, model: str | None, max_link: int | None,
             min_p: float | None = None) -> str:
    """Hash of everything that determines a pair's outputs (inputs and the names they are written
    under, options, formats, version, the bundled fitted parameters)."""
    from . import __version__
    from .schema import SCHEMA_VERSION

    h = hashlib.sha256()
    options = [model or "auto", str(max_link), *([] if min_p is None else [f"min_p={min_p!r}"])]
    for part in (e.name, *e.names, src_text, tgt_text, str(e.src_lang), str(e.tgt_lang), e.mode, str(e.presplit),
                 *options, ",".join(f"{k}={v}" for k, v in OUTPUTS.items()), __version__,
                 f"schema={SCHEMA_VERSION}", _fitted_parameters()):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def write_pair_outputs(al: Any, out: Path, name: str, encoder: Any = None) -> list[Path]:
    """Write ``OUT/NAME.<suffix>`` for every entry of :data:`OUTPUTS` (each file atomic).

    ``encoder`` (optional) is the one the alignment was made with, reused by the report.
    """
    from .export import export

    written: list[Path] = []
    for suffix, fmt in OUTPUTS.items():
        target = out / f"{name}{suffix}"
        export(al, str(target), fmt, sidecar=True, pair=name)
        written.append(target)
    # The HTML report for linguists (issue 7): side by side, similarity matrix, statistics.
    from .report import write_report

    report = out / f"{name}.html"
    write_report(al, report, encoder=encoder)
    written.append(report)
    return written


def _marker(out: Path, name: str) -> Path:
    return out / DONE_DIR / f"{name}.json"


def _read_marker(out: Path, name: str) -> dict[str, Any] | None:
    path = _marker(out, name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(out: Path, name: str, data: dict[str, Any]) -> dict[str, Any]:
    (out / DONE_DIR).mkdir(exist_ok=True)
    with atomic_writer(_marker(out, name)) as fh:
        json.dump(data, fh, ensure_ascii=False, sort_keys=True, allow_nan=False)
        fh.write("\n")
    return data


def pair_files(out: Path, name: str) -> list[Path]:
    """Every file :func:`write_pair_outputs` leaves for a pair: one per :data:`OUTPUTS` format, the
    signature sidecars of the formats that need one, and the HTML report."""
    from .export import SIDECAR, sidecar_path

    files = []
    for suffix, fmt in OUTPUTS.items():
        files.append(out / f"{name}{suffix}")
        if fmt in SIDECAR:
            files.append(sidecar_path(out / f"{name}{suffix}"))
    return [*files, out / f"{name}.html"]


def _intact(out: Path, name: str, marker: dict[str, Any]) -> Alignment | None:
    """A pair's native JSON when its outputs are as its done-marker left them: every file there,
    each with the hash the marker holds, and the native JSON (which `review` edits, so it has no
    hash) readable; else None. A file deleted, cut short or changed since: the pair is redone."""
    from .readers import read_alignment

    if not all(p.exists() for p in pair_files(out, name)):
        return None
    for fname, digest in dict(marker.get("files") or {}).items():
        try:
            if hashlib.sha256((out / fname).read_bytes()).hexdigest() != digest:
                return None
        except OSError:
            return None
    try:
        return read_alignment(out / f"{name}.json")
    except ParallelError:
        return None


def _suffix_of(fmt: str) -> str | None:
    """The suffix of a pair's output in ``fmt`` (:data:`OUTPUTS`), None where it writes none."""
    return next((s for s, f in OUTPUTS.items() if f == fmt), None)


def _tsv_rows(out: Path, name: str) -> int:
    """The pairs a done pair's ``NAME.tsv`` holds (its lines after the header; 0 if unreadable)."""
    tsv = _suffix_of("tsv")
    try:
        lines = (out / f"{name}{tsv}").read_text(encoding="utf-8").split("\n") if tsv else []
    except (OSError, UnicodeDecodeError):
        return 0
    return max(0, len([ln for ln in lines if ln]) - 1)


def _joined_files(out: Path) -> list[Path]:
    """The joined files in ``out`` (``_all.tsv``, ``_all.jsonl`` and their per-direction kin)."""
    return [out / COMBINED, out / COMBINED_JSONL, *out.glob("_all.*-*.tsv"), *out.glob("_all.*-*.jsonl")]


def _unlink_joined(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.sig").unlink(missing_ok=True)


def _drop_joins(out: Path) -> None:
    """Remove the joined files and the summary of an earlier run: called when this run first
    changes a pair's outputs, so that a run interrupted after that leaves no ``_all.tsv`` holding
    rows the per-pair files beside it no longer hold (they come back when a run completes)."""
    for old in _joined_files(out):
        _unlink_joined(old)
    (out / SUMMARY).unlink(missing_ok=True)


def _keep_reviewed(out: Path, name: str, failed: bool = False) -> str | None:
    """Move a pair's native JSON aside when a reviewer worked on it (a link accepted, rejected,
    edited or noted in ``review``, or an undo history beside it), before the pair's outputs are
    replaced (aligned again: its input, options or version changed, or ``--no-resume``) or removed
    (it failed): the run redid it and the decisions were gone without a word. It goes, with its
    history, to the first free ``NAME.reviewed.json`` / ``NAME.reviewed-N.json``; returns what to
    tell the user, or None (nothing reviewed). ``failed``: the pair failed, so its outputs are
    removed, not made again."""
    import os

    from .review.store import HISTORY_SUFFIX

    path = out / f"{name}.json"
    history = path.with_name(path.name + HISTORY_SUFFIX)
    reviewed = _reviewed_links(path)
    if reviewed is None:
        return None
    if not reviewed and not history.is_file():
        return None
    n = 1
    target = out / f"{name}.reviewed.json"
    while target.exists() or target.with_name(target.name + HISTORY_SUFFIX).exists():
        n += 1
        target = out / f"{name}.reviewed-{n}.json"
    os.replace(path, target)
    if history.is_file():
        os.replace(history, target.with_name(target.name + HISTORY_SUFFIX))
    held = (f"review decisions ({reviewed} link{'' if reviewed == 1 else 's'})" if reviewed
            else "an undo history of review edits")
    done = "failed, so its outputs were removed" if failed else "was aligned again"
    return f"{path.name} held {held}; the pair {done}, and the reviewed file is kept as {target.name}"


def _reviewed_links(path: Path) -> int | None:
    """How many links of a native JSON a reviewer accepted, rejected, edited or noted (None: the
    file cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    links = data.get("links") if isinstance(data, dict) else None
    return sum(1 for k in (links if isinstance(links, list) else [])
               if isinstance(k, dict) and isinstance(k.get("features"), dict) and _reviewed(k["features"]))


def _reviewed(features: dict[str, Any]) -> bool:
    """Whether a reviewer accepted, rejected, edited or noted the link with these features, or an
    edit left it behind (a split's gap: a file whose only change is a split is a reviewed file)."""
    from .schema import STATUSES

    return features.get("status") in STATUSES or bool(features.get("edited")) or bool(features.get("note"))


def _forget(out: Path, name: str) -> None:
    """Remove a pair's marker and outputs (it failed this time: no stale results stay)."""
    _marker(out, name).unlink(missing_ok=True)
    for p in pair_files(out, name):
        p.unlink(missing_ok=True)


def _direction(out: Path, name: str, suffix: str | None) -> str:
    """A done pair's language direction (``ar-en``), as its signature sidecar names it; "" unknown."""
    from .readers import _sig_fields

    if suffix is None:
        return ""
    sig = out / f"{name}{suffix}.sig"
    fields = _sig_fields(sig.read_text(encoding="utf-8").strip() if sig.is_file() else "")
    return f"{fields['src']}-{fields['tgt']}" if "src" in fields and "tgt" in fields else ""


def _combined_names(direction: str) -> tuple[str, str]:
    """The joined TSV's and JSONL's names: ``_all.tsv``, or ``_all.ar-en.tsv`` for one direction of several."""
    if not direction:
        return COMBINED, COMBINED_JSONL
    return COMBINED.replace(".tsv", f".{direction}.tsv"), COMBINED_JSONL.replace(".jsonl", f".{direction}.jsonl")


def write_combined(entries: list[PairEntry], out: Path, done: set[str]) -> list[Path]:
    """Join the per-pair outputs of the ``done`` pairs, in manifest order: ``_all.tsv`` (the
    TSV files with a leading ``pair`` column, one header; its ``.sig`` holds the signature, or
    each pair's own where they differ) and ``_all.jsonl`` (the JSONL records, whose ``pair`` field
    names the pair). A joined file holds one language direction (its readers take the languages
    of the file): where the pairs go in several (ar-en and en-ar), each direction gets its own
    ``_all.ar-en.tsv`` / ``_all.ar-en.jsonl``. Returns the TSVs' paths (none without a TSV output)."""
    tsv, jsonl = _suffix_of("tsv"), _suffix_of("jsonl")
    groups: dict[str, list[str]] = {}
    for e in entries:
        if e.name in done:
            groups.setdefault(_direction(out, e.name, tsv), []).append(e.name)
    if len(groups) > 1 and "" in groups:  # a pair whose direction is unknown joins the first known
        unknown = groups.pop("")
        groups[next(iter(groups))][:0] = unknown
    split = len(groups) > 1
    written = []
    for direction, names in (groups.items() if groups else [("", [])]):
        target = _join(out, names, tsv, jsonl, *_combined_names(direction if split else ""))
        if target is not None:
            written.append(target)
    # joins an earlier run of this folder left in the other layout (or for a direction no pair
    # takes now) would read as this run's
    now = {n for d in (groups if split else [""]) for n in _combined_names(d)}
    for old in _joined_files(out):
        if old.name not in now:
            _unlink_joined(old)
    return written


def _join(out: Path, names: list[str], tsv: str | None, jsonl: str | None, tsv_name: str,
          jsonl_name: str) -> Path | None:
    """Write the joined TSV (and its .sig) and JSONL of ``names`` (see :func:`write_combined`)."""
    from .export import pairs_sidecar

    # each pair's signature, as its TSV's .sig holds it
    own: dict[str, str] = {}
    for name in names:
        sig = out / f"{name}{tsv}.sig"
        if tsv is not None and sig.is_file():
            own[name] = sig.read_text(encoding="utf-8").strip()
    # each joined file is written only where its bytes change: a resumed run with every pair done
    # leaves them alone (and works in a folder it may not write)
    if jsonl is not None:
        write_if_changed(out / jsonl_name,
                         lambda: ((out / f"{name}{jsonl}").read_text(encoding="utf-8") for name in names))
        # its records carry their signatures; where a pair kept no record, a sidecar names every
        # pair (as the TSV's does), so that eval scores that pair as one that found nothing
        rowless = any((out / f"{name}{jsonl}").stat().st_size == 0 for name in names)
        listed = pairs_sidecar(own, by_pair=True) if rowless else ""
        if "\t" in listed:
            write_if_changed(out / f"{jsonl_name}.sig", lambda: [listed + "\n"])
        else:
            (out / f"{jsonl_name}.sig").unlink(missing_ok=True)
    if tsv is None:
        return None
    target = out / tsv_name
    # the signatures beside it: one line when every pair was made alike, else NAME<TAB>SIGNATURE
    # per pair, so a reader gives each row its pair's own
    # rows end at a line feed (as filter reads them), whatever else str.splitlines would cut at
    rows: dict[str, list[str]] = {}
    for name in names:
        lines = (out / f"{name}{tsv}").read_text(encoding="utf-8").split("\n")
        rows[name] = lines[:-1] if lines[-1] == "" else lines
    # a pair without rows (comparable texts with nothing mined) is named in the sidecar, so that
    # eval scores it as no pairs found instead of refusing the file for lacking it
    rowless = any(len(lines) <= 1 for lines in rows.values())
    sidecar = pairs_sidecar(own, by_pair=rowless)
    if sidecar:
        write_if_changed(out / f"{tsv_name}.sig", lambda: [sidecar + "\n"])
    else:  # no pair made (every one failed): no signature, rather than an empty one
        (out / f"{tsv_name}.sig").unlink(missing_ok=True)

    def joined() -> Iterator[str]:
        header_written = False
        for name, lines in rows.items():
            if not lines:
                continue
            if not header_written:
                yield "pair\t" + lines[0] + "\n"
                header_written = True
            for line in lines[1:]:
                yield f"{name}\t{line}\n"
        if not header_written:
            from .schema import TSV_CORE

            yield "\t".join(("pair", *TSV_CORE)) + "\n"

    write_if_changed(target, joined)
    return target


def run_manifest(
    manifest: str | Path,
    out_dir: str | Path,
    *,
    model: str | None = None,
    max_link: int | None = None,
    min_p: float | None = None,
    jobs: int = 1,
    engine: str = "local",
    ray_address: str | None = None,
    resume: bool = True,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
    cache: bool | str = True,
) -> RunSummary:
    """Align every pair of the manifest; write ``OUT/NAME.<suffix>`` for each :data:`OUTPUTS` format.

    Pairs run on ``engine`` (``local`` with ``jobs`` processes, or ``ray``); each pair's outputs
    are written as soon as it finishes, then its done-marker ``OUT/.done/NAME.json`` (holding a
    hash of inputs and options): with ``resume`` a pair whose marker matches is skipped, so an
    interrupted run loses at most the pairs in flight. A pair that cannot be read or aligned is
    recorded in the summary and skipped. Finally ``OUT/_all.tsv`` and ``OUT/_all.jsonl`` join all
    pairs' TSV and JSONL outputs and ``OUT/_summary.json`` records the counts. Outputs do not depend on ``jobs``/``engine``.
    ``model`` None: each pair's encoder is chosen as ``align`` chooses it (use-m3; e5-small for a
    language use-m3 does not know; use-m3+e5-small for comparable short sentences or
    collections: :func:`parallel.api.comparable_model`). ``min_p`` as ``align --min-p``: comparable
    mode keeps mined pairs whose ``p`` reaches it (None: the default bar), parallel mode leaves out
    of every output the links below it (None: all kept). ``cache``: the embedding cache as
    :func:`parallel.embed.get_encoder` takes it (True: ``$PARALLEL_CACHE_DIR`` or the user cache
    folder; a folder; False: none).
    """
    from .engines import check_engine, sweep_temp
    from .schema import is_probability

    if min_p is not None and not is_probability(min_p):  # said before any pair's outputs are touched
        raise InputError(f"min_p must be a probability from 0 to 1 (or None: the default bar), not {min_p!r}")
    min_p = None if min_p is None else float(min_p)
    entries = read_manifest(manifest)
    if not entries:
        raise InputError(f"{manifest}: manifest lists no pairs (only its header)")
    if model is not None:  # a model that cannot exist is said before any pair's outputs are touched
        from .embed import check_model_folder, model_id

        if not model.strip():
            raise InputError("empty model name")
        model_id(model)
        check_model_folder(model)
    check_engine(engine, ray_address)  # before the output folder exists
    sweep_temp()  # temporary folders of runs killed with -9
    out = Path(out_dir)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create output folder ({exc.strerror})") from None
    if not os.access(out, os.W_OK | os.X_OK):  # said before any pair is aligned, as align says it
        raise InputError(f"{out}: output folder is not writable")
    try:
        return _run_protected(manifest, entries, out, model=model, max_link=max_link, min_p=min_p, jobs=jobs,
                              engine=engine, ray_address=ray_address, resume=resume, progress=progress, log=log,
                              cache=cache)
    except BaseException:
        if created:  # a run that failed before writing anything (Ray unreachable) leaves no empty folder
            for folder in (out / DONE_DIR, out):
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty
        raise


def _run_protected(manifest: str | Path, entries: list[PairEntry], out: Path, *, model: str | None,
                   max_link: int | None, min_p: float | None, jobs: int, engine: str, ray_address: str | None,
                   resume: bool, progress: bool, log: Callable[[str], None] | None,
                   cache: bool | str = True) -> RunSummary:
    """:func:`_run` with the inputs protected: an output named like the manifest or an input is
    refused up front."""
    inputs = [Path(manifest), *(e.src for e in entries), *(e.tgt for e in entries)]
    with inputs_protected(inputs):  # an output named like the manifest or an input: refused up front
        for e in entries:
            for path in pair_files(out, e.name):
                try:
                    refuse_input(path)
                    _refuse_special(path)
                except InputError as exc:
                    raise InputError(f"pair {e.name!r}: {exc}") from None
        for name in (COMBINED, COMBINED_JSONL, SUMMARY):
            refuse_input(out / name)
            _refuse_special(out / name)
        # one run at a time in a folder: two at once (another option each) left a summary that no
        # longer matched the pairs' files. The lock is on the markers' folder, not on OUT, which
        # `review` locks to save an alignment the run wrote there.
        with contextlib.suppress(OSError):
            (out / DONE_DIR).mkdir(exist_ok=True)

        def waiting() -> None:
            if log:
                log(f"{out}: another run is writing there; waiting for it to finish")

        with folder_lock(out / DONE_DIR, on_wait=waiting):
            return _run(entries, out, model=model, max_link=max_link, min_p=min_p, jobs=jobs, engine=engine,
                        ray_address=ray_address, resume=resume, progress=progress, log=log, cache=cache)


def _refuse_special(path: Path) -> None:
    """A pipe or device where ``run`` keeps a file of its folder: refused (the run waited for a
    reader in silence)."""
    if is_special(path) and path.exists():
        raise InputError(f"{path}: is a pipe or device; run keeps its files in {path.parent}, as files")


def _run(entries: list[PairEntry], out: Path, *, model: str | None, max_link: int | None, min_p: float | None,
         jobs: int, engine: str, ray_address: str | None, resume: bool, progress: bool,
         log: Callable[[str], None] | None, cache: bool | str = True) -> RunSummary:
    from .engines import Failure, get_engine

    for folder in (out, out / DONE_DIR):  # half-written files of a run killed with -9
        sweep_stale_writes(folder)
    summary = RunSummary(pairs=len(entries))
    done: set[str] = set()
    bar = _progress(len(entries), progress)
    changed = False  # a pair's outputs written or removed this run: the old joins are stale

    def changing() -> None:
        nonlocal changed
        if not changed:
            changed = True
            _drop_joins(out)

    def count(name: str, info: dict[str, Any]) -> None:
        done.add(name)
        if info.get("warning"):  # kept in the pair's marker: a resumed run says it again
            summary.warnings[name] = str(info["warning"])
        if info.get("warnings"):  # the pair's Python warnings (a worker's own, raw, said nothing of the pair)
            summary.pair_warnings[name] = [str(w) for w in info["warnings"]]
        summary.links += int(info.get("links", 0))
        summary.kinds.update({str(k): int(v) for k, v in dict(info.get("kinds", {})).items()})
        # a marker written before rows were kept: its pair's TSV (as intact as its marker says) has them
        rows = info.get("rows")
        summary.by_pair[name] = {"mode": str(info.get("mode", "")), "links": int(info.get("links", 0)),
                                 "rows": int(rows) if rows is not None else _tsv_rows(out, name)}
        if isinstance(info.get("unmatched"), list):  # a marker written before they were counted has none
            summary.by_pair[name]["unmatched"] = [int(x) for x in info["unmatched"]]

    # pairs whose reviewed JSON was moved aside, or stays beside exports made before the review:
    # said at the end
    kept_aside: dict[str, str] = {}

    def fail(name: str, why: str) -> None:
        summary.failures[name] = why
        if _marker(out, name).exists() or any(p.exists() for p in pair_files(out, name)):
            changing()
        aside = _keep_reviewed(out, name, failed=True)
        if aside:
            kept_aside[name] = aside
        _forget(out, name)
        bar.update(1)
        if log and progress:
            bar.note(f"{name}: FAILED: {why}")
        elif log:
            log(f"{name}: FAILED: {why}")

    submitted: list[str] = []

    def jobs_to_run() -> Iterator[PairJob]:
        for e in entries:
            try:
                src_text = read_text(e.src)
                tgt_text = read_text(e.tgt)
            except ParallelError as exc:
                fail(e.name, e.as_written(str(exc)))
                continue
            key = pair_key(e, src_text, tgt_text, model, max_link, min_p)
            marker = _read_marker(out, e.name) if resume else None
            kept = _intact(out, e.name, marker) if marker is not None and marker.get("key") == key else None
            if marker is not None and kept is not None:
                count(e.name, marker)
                summary.resumed += 1
                reviewed = sum(_reviewed(dict(k.features)) for k in kept.links)  # the file _intact read
                if reviewed:  # the exports beside it are the run's, from before the review
                    kept_aside[e.name] = (
                        f"{e.name}.json holds review decisions ({reviewed} link{'' if reviewed == 1 else 's'}) "
                        f"that the pair's other outputs (and the _all files) do not: export the reviewed "
                        f"links with parallel-corpus filter {out / e.name}.json -o FILE")
                bar.update(1)
                continue
            submitted.append(e.name)
            yield PairJob(e.name, src_text, tgt_text, *e.names, e.src_lang, e.tgt_lang,
                          e.mode, e.presplit, model, max_link, key, cache, min_p)

    eng = get_engine(engine, jobs=jobs, ray_address=ray_address)
    interrupted = True
    try:
        for i, res in eng.imap(align_pair, jobs_to_run()):
            if isinstance(res, Failure):
                fail(submitted[i], res.reason)
                continue
            if res.error is not None:
                fail(res.name, res.error)
                continue
            try:
                changing()
                aside = _keep_reviewed(out, res.name)
                if aside:
                    kept_aside[res.name] = aside
                with output_batch():  # all of a pair's files, or none (disk full on the last one)
                    for fname, data in res.files.items():
                        with atomic_writer(out / fname, binary=True) as fh:
                            fh.write(data)
                # the marker holds each file's hash (not the native JSON's: `review` edits it), so
                # that a resumed run redoes a pair whose file was cut short or changed
                digests = {f: hashlib.sha256(data).hexdigest() for f, data in res.files.items()
                           if f != f"{res.name}.json"}
                info = _write_marker(out, res.name, {**res.info, "files": digests})
            except ParallelError as exc:
                fail(res.name, str(exc))
                continue
            count(res.name, info)
            summary.aligned += 1
            bar.update(1)
            if log and not progress:
                log(f"{res.name}: {info['links']} link{'' if info['links'] == 1 else 's'} ({info['mode']})")
        interrupted = False
    finally:
        eng.close(abort=interrupted)  # interrupted (SIGTERM, Ctrl-C, error): workers stop now
        bar.close()
    for name, why in kept_aside.items():  # said as the pair's warnings are, -q or not
        summary.warnings[name] = f"{summary.warnings[name]}; {why}" if name in summary.warnings else why
    try:
        combined = write_combined(entries, out, done)
    except OutputError as exc:
        exc.done = summary  # the pairs are written: the command still says how many (disk full at the join)
        raise
    summary.combined = ", ".join(map(str, combined)) or None
    text = json.dumps(summary.to_dict(), ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n"
    write_if_changed(out / SUMMARY, lambda: [text])
    return summary


def _progress(total: int, show: bool) -> Any:
    """Progress over pairs on stderr (:mod:`parallel.progress`), or nothing."""
    from .progress import bar

    return bar(total, "pairs", "pairs", enabled=show)
