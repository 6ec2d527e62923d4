"""The HTML report: self-contained, RTL only where Arabic is, escaped, gaps/flags/matrix present."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from harness import browser_page
from pairs_factory import further_down, make_doc

from parallel.cli import main
from parallel.data import Alignment, Link
from parallel.export import write_json
from parallel.report import (
    MAX_PIXELS,
    colormap,
    downsample,
    encoder_name,
    matrix_svg,
    path_points,
    pending_below_bar,
    png_bytes,
    render,
    side_by_side_html,
    write_report,
)

XSS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']



def small_alignment(mode: str = "parallel") -> Alignment:
    ar = make_doc(["قالت منظمة الصحة العالمية إن 20 دولة شاركت.", "جملة بلا مقابل.",
                   "نص عربي " + XSS[0], "سطر آخر " + XSS[1]], "ar", "doc.ar.txt", sep=" ")
    en = make_doc(["The World Health Organization said 30 countries took part.",
                   "English " + XSS[1], "More English " + XSS[0], "An added sentence."], "en", "doc.en.txt", sep=" ")
    links = [
        Link((0,), (0,), 0.8, {"cosine": 0.82, "margin": 1.2, "numbers": "differ",
                               "numbers_src": "20", "numbers_tgt": "30"}),
        Link((1,), (), 0.0),
        Link((2,), (1, 2), 0.3, {"cosine": 0.31}),
        Link((3,), (), 0.0) if mode == "parallel" else Link((3,), (3,), 0.5, {"cosine": 0.5}),
    ]
    if mode == "parallel":
        links.append(Link((), (3,), 0.0))
    else:
        links = [k for k in links if k.src and k.tgt]
    return Alignment(ar, en, tuple(links), mode, "model:use-m3|mode:" + mode + "|v:0.1.0")


def test_report_is_self_contained_and_escapes_corpus_text() -> None:
    page = render(small_alignment(), sim=np.random.default_rng(0).random((4, 4)).astype(np.float32))
    # nothing fetched from anywhere: no external src/href, no url(...)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "url(" not in page and "@import" not in page
    # corpus text shown as text: the payloads appear only escaped
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    # exactly one script element: ours, allowed by its hash in the CSP
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page
    assert "default-src 'none'" in page


def test_rtl_only_on_arabic_cells() -> None:
    page = render(small_alignment(), sim=None)
    assert '<html lang="en" dir="ltr">' in page
    assert "<body>" in page and 'body dir' not in page
    rtl_cells = re.findall(r'<div class="c" role="cell" dir="rtl" lang="ar">(.*?)</div>', page)
    ltr_cells = re.findall(r'<div class="c" role="cell" dir="ltr" lang="en">(.*?)</div>', page)
    assert len(rtl_cells) == 4 and len(ltr_cells) == 3
    # a side of several sentences opens each with its number, as CSS content (the text has none)
    assert [c for c in ltr_cells if "<" in c] == [
        ('<span class="sn" data-n="1" title="English sentence 1"></span>English &quot;&gt;&lt;img src=x '
         'onerror=alert(1)&gt; <span class="sn" data-n="2" title="English sentence 2"></span>More English '
         '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')]
    assert all(re.search("[\u0600-\u06ff]", c) for c in rtl_cells)
    assert not any(re.search("[\u0600-\u06ff]", c) for c in ltr_cells)


def test_gaps_flags_scores_and_statistics() -> None:
    page = render(small_alignment(), sim=None)
    assert page.count("— nothing in English —") == 2  # two 1-0 links
    assert page.count("— nothing in Arabic —") == 1
    assert "≠ numbers" in page and "numbers differ: Arabic 20 | English 30" in page
    assert 'class="r high nd"' in page and 'class="r low nd"' in page  # ("1" only in English)
    assert "cosine 0.820" in page and "margin 1.200" in page  # hover text
    for label in ("link types", "confidence (cosine)", "aligner score", "length ratio"):
        assert label in page
    assert ">1-2<" in page  # a link type bar


def test_comparable_report_lists_unmatched() -> None:
    al = small_alignment("comparable")
    page = render(al, sim=None)
    assert al.unmatched_src == [1] and al.unmatched_tgt == []
    assert "Arabic: 1 unmatched" in page and "English: 0 unmatched" in page
    assert "جملة بلا مقابل." in page


def test_a_rejected_comparable_pair_is_listed_unmatched_as_filter_and_the_review_app_list_it() -> None:
    """A reviewer rejected a mined pair: the report counts its sentences as unmatched and lists
    them, marked with the link's number (``filter --drop-rejected --keep-empty`` and the review app
    list them so); it does not offer the rejected pair again among the pairs below the bar."""
    from dataclasses import replace

    from parallel.readers import read_alignment

    al = read_alignment(SEED)
    first = al.links[0]
    assert first.src == (2,) and first.tgt == (6,)
    rejected = replace(first, features={**first.features, "status": "rejected"})
    below = [{"src": 2, "tgt": 6, "p": 0.3}, *al.info.get("below_bar", [])]
    al = replace(al, links=(rejected, *al.links[1:]), info={**al.info, "below_bar": below})
    page = render(al, sim=None)
    n_src, n_tgt = len(al.src), len(al.tgt)
    linked_src = n_src - len(al.unmatched_src) - 1  # link 0's Arabic sentence is unmatched now
    linked_tgt = n_tgt - len(al.unmatched_tgt) - 1
    assert f"{n_src} ({linked_src} linked)" in page and f"{n_tgt} ({linked_tgt} linked)" in page
    assert f"Arabic: {len(al.unmatched_src) + 1} unmatched" in page
    assert f"English: {len(al.unmatched_tgt) + 1} unmatched" in page
    assert page.count("(rejected link 0)") == 2
    assert all((c["src"], c["tgt"]) != (2, 6) for c in pending_below_bar(al))


def test_the_report_reads_the_vectors_align_left_in_the_embedding_cache(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The similarity matrix (and the review app's edits, through the same encoder) read the
    vectors ``align`` cached instead of loading the model and embedding both documents again."""
    from parallel import embed
    from parallel.api import align, read_document

    root = Path(__file__).resolve().parents[1] / "corpus"
    al = align(read_document(root / "covid-cooperation.ar.txt"), read_document(root / "covid-cooperation.en.txt"),
               cache=True)  # the test session's own cache folder (conftest)

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded: the vectors were not read from the cache")

    monkeypatch.setattr(embed, "_load_raw", no_model)
    write_report(al, tmp_path / "seed.html")
    assert "<svg" in (tmp_path / "seed.html").read_text(encoding="utf-8")


def test_report_reads_the_cache_folder_align_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """align --cache-dir X kept the vectors in X, and report had no --cache-dir: it loaded the
    model and embedded both documents again into the default cache folder. report --cache-dir X
    reads them there; --no-cache reads no cache."""
    from click.testing import CliRunner

    from parallel import embed, report
    from parallel.cli import main

    ar, en = tmp_path / "d.ar", tmp_path / "d.en"
    ar.write_text("وصل القطار الأخضر إلى محطة الجبل في السابعة.\nنزل منه ثلاثة مسافرين يحملون حقائب زرقاء.\n",
                  encoding="utf-8")
    en.write_text("The green train reached the mountain station at seven.\n"
                  "Three travellers carrying blue bags got off.\n", encoding="utf-8")
    cache = tmp_path / "vectors"
    res = CliRunner().invoke(main, ["align", str(ar), str(en), "--presplit", "--cache-dir", str(cache), "-f", "json",
                                    "-o", str(tmp_path / "a.json"), "-q"])
    assert res.exit_code == 0, res.output

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded: the vectors were not read from the cache")

    report._cached_encoder.cache_clear()
    monkeypatch.setattr(embed, "_load_raw", no_model)
    res = CliRunner().invoke(main, ["report", str(tmp_path / "a.json"), "--cache-dir", str(cache), "-q"])
    assert res.exit_code == 0, res.output
    assert "<svg" in (tmp_path / "a.html").read_text(encoding="utf-8")
    for other in (["--no-cache"], []):  # no cache, or the default folder, which has not these texts
        report._cached_encoder.cache_clear()
        res = CliRunner().invoke(main, ["report", str(tmp_path / "a.json"), *other, "-q", "-o", str(tmp_path / "b.html")])
        assert res.exit_code == 1 and "the model was loaded" in res.stderr, (other, res.output)
    report._cached_encoder.cache_clear()


def test_png_is_valid() -> None:
    rgb = colormap(np.linspace(0, 1, 12).reshape(3, 4))
    data = png_bytes(rgb)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(tag + body)
        chunks[tag] = body
        pos += 12 + length
    w, h = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert (w, h) == (4, 3)
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), dtype=np.uint8).reshape(3, 1 + 4 * 3)
    assert (raw[:, 0] == 0).all()
    assert (raw[:, 1:].reshape(3, 4, 3) == rgb).all()
    # viridis ends
    assert tuple(rgb[0, 0]) == (68, 1, 84) and tuple(rgb[-1, -1]) == (253, 231, 37)


def test_downsample_keeps_maxima_and_bounds_size() -> None:
    sim = np.zeros((1300, 700))
    sim[1299, 699] = 1.0
    sim[5, 3] = 0.7
    small = downsample(sim, 600)
    assert small.shape[0] <= 600 and small.shape[1] <= 600
    assert small.max() == 1.0 and small[-1, -1] == 1.0
    assert small[5 // 3, 3 // 2] == 0.7  # blocks of 3 rows x 2 columns
    assert downsample(np.ones((10, 20))).shape == (10, 20)


def test_matrix_svg_draws_links_and_path_for_long_documents() -> None:
    n = 2000
    ar = make_doc([f"جملة {i}" for i in range(n)], "ar", sep=" ")
    en = make_doc([f"sentence {i}" for i in range(n)], "en", sep=" ")
    links = tuple(Link((i,), (i,), 0.7, {"cosine": 0.7}) for i in range(n))
    al = Alignment(ar, en, links, "parallel", "model:use-m3")
    sim = np.eye(n, dtype=np.float32)
    svg = matrix_svg(al, sim)
    assert svg.count("<rect ") == n
    assert "<polyline" in svg and f'viewBox="0 0 {n} {n}"' in svg
    assert f"{n}×{n} sentences shown as" in svg
    uri = re.search(r'href="data:image/png;base64,([^"]+)"', svg)
    assert uri is not None
    w, h = struct.unpack(">II", base64.b64decode(uri.group(1))[16:24])
    assert max(w, h) <= MAX_PIXELS
    assert path_points(al)[-1] == (n, n)


def test_large_alignment_page_stays_light() -> None:
    n = 5000
    ar = make_doc([f"هذه الجملة رقم {i} في النص العربي." for i in range(n)], "ar", sep=" ")
    en = make_doc([f"This is sentence number {i} of the English text." for i in range(n)], "en", sep=" ")
    al = Alignment(ar, en, tuple(Link((i,), (i,), 0.6, {"cosine": 0.6}) for i in range(n)),
                   "parallel", "model:use-m3")
    page = render(al, sim=np.eye(n, dtype=np.float32))
    assert page.count('role="row" data-k=') == n
    side = page.split('<section id="side">')[1]
    assert "<table" not in side  # grid rows, no table layout over the whole document
    assert "<script" not in side.split("</section>")[0]  # no per-row script
    assert len(page.encode("utf-8")) < 1500 * n  # markup stays proportionate to the text


def test_render_is_deterministic() -> None:
    al = small_alignment()
    sim = np.random.default_rng(1).random((4, 4))
    assert render(al, sim=sim) == render(al, sim=sim)


def test_side_by_side_html_for_notebooks() -> None:
    snippet = side_by_side_html(small_alignment(), limit=2)
    assert snippet.count('dir="rtl" lang="ar"') == 2
    assert "<script>" not in snippet
    assert "3 more links not shown" in snippet


def test_encoder_name_from_signature() -> None:
    assert encoder_name("model:use-m3|mode:parallel") == "use-m3"
    assert encoder_name("mode:parallel") is None


class FakeEncoder:
    name = "fake"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.ones((len(texts), 4), dtype=np.float32)
        out[:, 0] = np.arange(len(texts))
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_write_report_with_an_encoder_object(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_report(small_alignment(), target, encoder=FakeEncoder())
    page = target.read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "<polyline" in page


def _json_file(tmp_path: Path, al: Alignment) -> Path:
    p = tmp_path / "pair.json"
    with open(p, "w", encoding="utf-8") as fh:
        write_json(al, fh)
    return p


def test_cli_report_without_matrix(tmp_path: Path) -> None:
    src = _json_file(tmp_path, small_alignment())
    out = tmp_path / "out.html"
    res = CliRunner().invoke(main, ["report", str(src), "-o", str(out), "--no-matrix", "-q"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "Similarity matrix skipped" in page and "&lt;script&gt;" in page


def test_cli_report_default_encoder_that_cannot_be_made_is_a_note_not_a_failure(tmp_path: Path) -> None:
    """No -m: the model the signature names; when it cannot be made, the report goes without the matrix."""
    from dataclasses import replace

    src = _json_file(tmp_path, replace(small_alignment(), signature="model:no-such-model|mode:parallel|v:0.1.0"))
    out = tmp_path / "out.html"
    res = CliRunner().invoke(main, ["report", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "Similarity matrix not available: unknown model" in page and "no-such-model" in page
    assert "Similarity matrix not available" in res.stderr


@pytest.mark.parametrize(("model", "code", "message"), [
    ("no-such-model", 2, "unknown model 'no-such-model'"),
    ("use-m3+bogus", 2, "unknown model 'bogus'"),
    (" ", 2, "empty model name"),
    ("st:/no/such/folder", 2, "model folder /no/such/folder not found"),  # bad input, as align says it
])
def test_cli_report_explicit_model_that_cannot_exist_is_refused(tmp_path: Path, model: str, code: int,
                                                                message: str) -> None:
    """-m bogus wrote the report without its matrix and exited 0: refused now before anything is
    written, in the words (and exit code) of `align -m`."""
    src = _json_file(tmp_path, small_alignment())
    out = tmp_path / "out.html"
    for extra in ([], ["--no-matrix"]):
        res = CliRunner().invoke(main, ["report", str(src), "-o", str(out), "-m", model, *extra])
        assert res.exit_code == code and res.stderr.count("\n") == 1, res.output
        assert res.stderr.startswith(f"parallel-corpus: error: {message}")
        assert "Traceback" not in res.output and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pair.json"]


def test_cli_report_output_to_stdout_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """-o - wrote a file named "-": refused, with the name to give (an HTML page is a file)."""
    monkeypatch.chdir(tmp_path)
    src = _json_file(tmp_path, small_alignment())
    res = CliRunner().invoke(main, ["report", str(src), "-o", "-", "--no-matrix"])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1, res.output
    assert res.stderr.startswith("parallel-corpus: error: -o -:") and "-o NAME.html" in res.stderr
    assert res.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == ["pair.json"]


def test_cli_report_of_stdin_needs_an_output_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`report -` wrote ./-.html: with no file name to make the report's from, -o is needed."""
    monkeypatch.chdir(tmp_path)
    src = _json_file(tmp_path, small_alignment())
    text = src.read_text(encoding="utf-8")
    res = CliRunner().invoke(main, ["report", "-", "--no-matrix"], input=text)
    assert res.exit_code == 2 and res.stderr.count("\n") == 1, res.output
    assert res.stderr.startswith("parallel-corpus: error: -:") and "needs -o NAME.html" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pair.json"]
    res = CliRunner().invoke(main, ["report", "-", "--no-matrix", "-q", "-o", "r.html"], input=text)
    assert res.exit_code == 0, res.output
    assert "Similarity matrix skipped" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pair.json", "r.html"]


@pytest.mark.parametrize("content", ["not json", json.dumps({"format": "other"})])
def test_cli_report_bad_input(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out.html"
    res = CliRunner().invoke(main, ["report", str(bad), "-o", str(out)])
    assert res.exit_code == 2
    assert res.output.startswith("parallel-corpus: error:") and res.output.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
def test_report_of_the_seed_pair(tmp_path: Path, seed_ar: Path, seed_en: Path) -> None:
    """Real pipeline: align the seed pair, write the native file, report it with the real encoder."""
    aligned = tmp_path / "seed.json"
    runner = CliRunner()
    res = runner.invoke(main, ["align", str(seed_ar), str(seed_en), "--mode", "parallel", "-f", "json",
                               "-o", str(aligned), "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["report", str(aligned), "-o", str(tmp_path / "seed.html"), "-q"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "seed.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page
    n_links = len(json.loads(aligned.read_text(encoding="utf-8"))["links"])
    assert page.count('role="row" data-k=') == n_links


def test_alignment_report_method(tmp_path: Path) -> None:
    target = tmp_path / "api.html"
    small_alignment("comparable").report(str(target), matrix=False)
    page = target.read_text(encoding="utf-8")
    assert "Unmatched sentences" in page and 'dir="rtl" lang="ar"' in page


def skipping_alignment(n: int = 14, m: int = 9) -> Alignment:
    """A comparable alignment with the seed's shape of trouble: a 2-1 link of ar 10 and 12 (11 skipped)."""
    ar = make_doc([f"جملة رقم {i}." for i in range(n)], "ar", "skip.ar.txt", sep=" ")
    en = make_doc([f"Sentence {j}." for j in range(m)], "en", "skip.en.txt", sep=" ")
    links = (Link((2,), (6,), 0.2, {"cosine": 0.55}), Link((10, 12), (7,), 0.1, {"cosine": 0.58}),
             Link((13,), (3, 5), 0.1, {"cosine": 0.45}))
    return Alignment(ar, en, links, "comparable", "model:use-m3|mode:comparable|v:0.1.0")


def test_matrix_has_sentence_numbers_cell_data_and_skip_marks() -> None:
    al = skipping_alignment()
    sim = (np.arange(14 * 9, dtype=np.float32).reshape(14, 9) / 200.0) - 0.2
    svg = matrix_svg(al, sim)
    labels = re.findall(r'<text x="[\d.]+" y="[\d.]+"[^>]*>(\d+)</text>', svg)
    # every sentence of both axes is numbered at this size (14 rows, 9 columns)
    assert sorted(map(int, labels)) == sorted([*range(9), *range(14)])
    # the displayed cells travel with the page for the hover read-out: int16 thousandths, row-major
    cells = re.search(r'data-cells="([^"]+)"', svg)
    assert cells is not None
    vals = np.frombuffer(base64.b64decode(cells.group(1)), dtype="<i2").reshape(14, 9)
    assert (vals == np.round(sim * 1000)).all()
    assert 'data-kr="1" data-kc="1"' in svg
    # the skipped sentences: ar 11 inside the 10+12 link, en 4 inside the 3+5 link
    assert "link 1 skips ar 11: not part of the link" in svg
    assert "link 2 skips en 4: not part of the link" in svg
    assert svg.count('<g class="skip"') == 2
    assert 'd="M7 11h1v1h-1Z"' in svg and 'd="M4 13h1v1h-1Z"' in svg
    page = render(al, sim=sim)
    assert ">skips ar 11</span>" in page and ">skips en 4</span>" in page  # the table says it too
    assert render(small_alignment(), sim=np.ones((4, 4))).count('<g class="skip"') == 0  # (1, 2): no gap


def test_matrix_numbers_thin_out_and_cells_cover_blocks_on_long_documents() -> None:
    n = 1500
    ar = make_doc([f"جملة {i}" for i in range(n)], "ar", sep=" ")
    en = make_doc([f"sentence {i}" for i in range(n)], "en", sep=" ")
    al = Alignment(ar, en, tuple(Link((i,), (i,), 0.7, {"cosine": 0.7}) for i in range(n)), "parallel",
                   "model:use-m3")
    svg = matrix_svg(al, np.eye(n, dtype=np.float32))
    labels = [int(t) for t in re.findall(r'<text x="[\d.]+" y="[\d.]+"[^>]*>(\d+)</text>', svg)]
    assert 0 in labels and len(labels) < 120 and max(labels) >= 1000
    steps = {b - a for a, b in zip(sorted(set(labels)), sorted(set(labels))[1:])}
    assert steps <= {10, 20, 25, 50, 100, 200}
    assert 'data-kr="3" data-kc="3" data-rows="500" data-cols="500"' in svg


def test_cli_report_title(tmp_path: Path) -> None:
    src = _json_file(tmp_path, small_alignment())
    out = tmp_path / "t.html"
    res = CliRunner().invoke(main, ["report", str(src), "-o", str(out), "--no-matrix", "-q",
                                    "--title", "Seed <pair> ↔ مقال"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "<title>Seed &lt;pair&gt; ↔ مقال</title>" in page
    assert "<h1>Seed &lt;pair&gt; ↔ مقال</h1>" in page


@pytest.mark.slow
def test_matrix_in_a_real_browser(tmp_path: Path) -> None:
    """Headless Chromium: numbers on both axes, a read-out on any cell, the skip mark drawn."""
    sync_api = pytest.importorskip("playwright.sync_api")
    al = skipping_alignment()
    sim = np.random.default_rng(3).uniform(-0.1, 0.7, (14, 9)).astype(np.float32)
    target = tmp_path / "r.html"
    write_report(al, target, sim=sim, title="skip test")
    with browser_page(tmp_path, 1100, 1600) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.goto(target.as_uri())
        assert page.title() == "skip test"
        page.locator("#matrix").scroll_into_view_if_needed()
        plot = page.locator("svg.mplot")
        box = plot.bounding_box()
        assert box is not None
        tip = page.locator("#mtip")
        for i, j in [(0, 0), (11, 7), (13, 8), (5, 2)]:
            page.mouse.move(box["x"] + (j + 0.5) * box["width"] / 9, box["y"] + (i + 0.5) * box["height"] / 14)
            assert tip.is_visible()
            assert tip.inner_text() == (f"ar {i} × en {j} · cosine {round(float(sim[i, j]), 3):.3f}\n"
                                        f"جملة رقم {i}.\nSentence {j}.")
        page.mouse.move(5, 5)
        assert not tip.is_visible()
        # a click anywhere inside a link's box jumps to its row, not on its outline only; the
        # read-out still follows the cells under it
        for anchor in page.locator("svg.matrix a:has(rect.lk)").all()[:3]:
            page.evaluate("location.hash = ''")
            page.locator("#matrix").scroll_into_view_if_needed()
            href = anchor.get_attribute("href")
            rect = anchor.locator("rect.lk").first.bounding_box()
            assert href and rect is not None and rect["width"] > 8 and rect["height"] > 8
            page.mouse.move(rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)
            assert tip.is_visible() and "cosine" in tip.inner_text()
            page.mouse.click(rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)
            sync_api.expect(page).to_have_url(re.compile(re.escape(href) + "$"))  # polls, no fixed wait
        # sentence numbers are drawn outside the plot, left (ar) and above (en)
        numbers = page.locator("svg.matrix .axis text")
        assert numbers.count() == 14 + 9
        first_row = page.locator("svg.matrix .axis text[text-anchor=end]").first.bounding_box()
        assert first_row is not None and first_row["x"] + first_row["width"] <= box["x"]
        skip = page.locator("svg.mplot g.skip path").first.bounding_box()
        assert skip is not None and skip["height"] > 5 and skip["width"] > 5  # visible, not a hairline
        shots = os.environ.get("PARALLEL_SCREENSHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.locator("#matrix").screenshot(path=str(Path(shots) / "report-matrix.png"))
        assert errors == []


@pytest.mark.slow
def test_the_last_sentence_number_is_drawn_whole_in_a_real_browser(tmp_path: Path) -> None:
    """Stop 46: with 192 x 191 sentences the last English number, centred on the last column,
    showed as "19" (half of "190" lay outside the picture, which clips)."""
    pytest.importorskip("playwright.sync_api")
    n, m = 192, 191
    ar = make_doc([f"جملة {i}" for i in range(n)], "ar", sep=" ")
    en = make_doc([f"sentence {i}" for i in range(m)], "en", sep=" ")
    al = Alignment(ar, en, tuple(Link((i,), (i,), 0.7, {"cosine": 0.7}) for i in range(m)) + (Link((m,), (), 0.0),),
                   "parallel", "model:use-m3")
    target = tmp_path / "r.html"
    write_report(al, target, sim=np.eye(n, m, dtype=np.float32))
    with browser_page(tmp_path, 1280, 1400) as page:
        page.goto(target.as_uri())
        page.locator("#matrix").scroll_into_view_if_needed()
        frame = page.locator("svg.matrix").bounding_box()
        tops = page.locator("svg.matrix .axis text[text-anchor=middle]")
        last = tops.last
        assert last.text_content() == "190"
        box = last.bounding_box()
        assert frame is not None and box is not None
        assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5, (box, frame)


def test_links_are_coloured_by_p_with_a_legend() -> None:
    """With p (every alignment made now has it) the bands are p >= 0.9 / 0.5-0.9 / < 0.5, whatever the
    cosine says, and the page says what p means."""
    from dataclasses import replace

    al = small_alignment("comparable")
    ps = [0.95, 0.7, 0.2]  # cosines 0.82 (was high), 0.31 (was low), 0.5 (was mid)
    links = tuple(replace(k, features={**k.features, "p": p}) for k, p in zip(al.links, ps, strict=True))
    page = render(replace(al, links=links), sim=None)
    rows = re.findall(r'class="r (high|mid|low)[^"]*" id="L(\d)"', page)
    assert sorted(rows, key=lambda r: r[1]) == [("high", "0"), ("mid", "1"), ("low", "2")]
    assert "estimated probability that the two sides say the same thing" in page
    assert "high p ≥ 0.9" in page and "p (calibrated probability)" in page
    assert "p 0.950" in page  # hover text
    # without p (a file written before it), the cosine bands as before
    assert "confidence (cosine)" in render(al, sim=None)
    assert "in a translation" not in page
    # a translation's links: the legend says what p is there (the review app's legend too)
    from parallel.report import p_legend

    tr = replace(small_alignment("parallel"), info={"translation": True})
    tr = replace(tr, links=tuple(replace(k, features={**k.features, "p": 0.8}) for k in tr.links))
    assert "in a translation, the probability that the link is right" in render(tr, sim=None)
    assert "in a translation" in p_legend(tr) and "in a translation" not in p_legend(replace(tr, info={}))


def test_align_to_html_is_the_report_with_the_pairs_below_the_bar(tmp_path: Path, seed_ar: Path,
                                                                    seed_en: Path) -> None:
    """`align -o FILE.html` writes the report; in comparable mode it lists the pairs mining left
    below the bar (here the seed's video-meeting sentences, whose counts differ) for a reader to check."""
    from parallel import api

    al = api.align(seed_ar.read_text(encoding="utf-8"), seed_en.read_text(encoding="utf-8"))
    assert al.mode == "comparable"
    below = al.info["below_bar"]
    held = {("s", i) for lk in al.links for i in lk.src} | {("t", j) for lk in al.links for j in lk.tgt}
    assert below and all(0.1 <= c["p"] < 0.45 for c in below)
    assert not {("s", c["src"]) for c in below} & held and not {("t", c["tgt"]) for c in below} & held
    assert [c["p"] for c in below] == sorted((c["p"] for c in below), reverse=True)
    video = [c for c in below if (c["src"], c["tgt"]) == (13, 8)]
    assert video and video[0]["numbers"] == "differ" and "150" in video[0]["numbers_tgt"]

    page_path = tmp_path / "seed.html"
    res = CliRunner().invoke(main, ["align", str(seed_ar), str(seed_en), "-o", str(page_path), "-q"])
    assert res.exit_code == 0, res.output
    page = page_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and not (tmp_path / "seed.html.sig").exists()
    assert "Possible pairs below the bar (p &lt; 0.45)" in page and 'href="#below"' in page
    section = page.split('<section id="below">', 1)[1].split("</section>", 1)[0]
    assert section.count('role="row"') == len(below) + 1  # + the header row
    assert "13 ↔ 8" in section and "≠ numbers" in section
    # the video meetings' counts differ but are hedged, so their p (0.23) is not capped at 0.05: the
    # section's text says which pairs the cap takes, and does not contradict the row under it
    assert video[0]["p"] > 0.05
    assert "not hedged counts" in " ".join(section.split())
    assert page.count('role="row" data-k=') == len(al.links)  # the link rows only
    # -f contradicting the report's name is refused, as any name -f contradicts is (stop 36: it
    # wrote TSV into seed.html); the page stays as it was
    res = CliRunner().invoke(main, ["align", str(seed_ar), str(seed_en), "-o", str(page_path), "-f", "tsv",
                                    "-q"])
    assert res.exit_code == 2 and "the name says the HTML report" in res.stderr
    assert page_path.read_text(encoding="utf-8") == page


def test_parallel_report_has_no_below_the_bar_section() -> None:
    page = render(small_alignment("parallel"))
    assert 'id="below"' not in page and "#below" not in page


def test_below_the_bar_lists_only_pairs_still_unlinked(tmp_path: Path, seed_ar: Path, seed_en: Path) -> None:
    """Once a reviewer links a candidate, the report leaves it out; entries that are not
    candidates (a hand-edited file) are skipped, never an error."""
    from dataclasses import replace

    from parallel import api
    from parallel.review.store import ReviewStore

    al = api.align(seed_ar.read_text(encoding="utf-8"), seed_en.read_text(encoding="utf-8"))
    path = _json_file(tmp_path, al)
    ReviewStore(path).apply("relink", {"src": "13", "tgt": "8"})
    page = render(ReviewStore(path).load())
    section = page.split('<section id="below">', 1)[1].split("</section>", 1)[0]
    assert "13 ↔ 8" not in section and section.count('role="row"') == len(al.info["below_bar"])  # - 1 + header
    bad = replace(al, info={**al.info, "below_bar": [{"src": "x"}, {"tgt": 1}, None, {"src": 999, "tgt": 0, "p": 0.2},
                                                     {"src": 13, "tgt": 8, "p": "nan"}]})
    assert 'id="below"' not in render(bad)


def _with_p_then_relinked(tmp_path: Path) -> Alignment:
    """The small parallel alignment with p on its two full links, after a reviewer linked the two
    gaps at the end (sentences 3 <-> 3) without an encoder: the new link has no p and no cosine."""
    from dataclasses import replace

    from parallel.readers import read_alignment
    from parallel.review.store import ReviewStore

    al = small_alignment("parallel")
    ps = {0: 0.95, 2: 0.7}
    links = tuple(replace(k, features={**k.features, "p": ps[n]}) if n in ps else k for n, k in enumerate(al.links))
    path = _json_file(tmp_path, replace(al, links=links))
    ReviewStore(path).apply("relink", {"src": [3], "tgt": [3]})
    edited = read_alignment(path)
    assert [(k.src, k.tgt, "p" in k.features) for k in edited.links if k.features.get("edited")] == [((3,), (3,), False)]
    return edited


def test_a_link_without_p_is_not_counted_or_coloured_as_p(tmp_path: Path) -> None:
    """A link a reviewer changed without an encoder has no p: the p histogram counts only the
    links with one, and the link is shown and counted as "no p", not with its cosine or score
    (here 0.0) coloured on p's scale."""
    al = _with_p_then_relinked(tmp_path)
    page = render(al, sim=np.random.default_rng(0).random((4, 4)))
    assert "p (calibrated probability) (n=2, " in page
    assert "1 high · 1 mid · 0 low · 1 gap · 1 without p" in page
    row = re.search(r'<div class="r ([a-z ]+)" id="L(\d)"[^>]*title="[^"]*edited: relink[^"]*">(.*?)</div></div>', page)
    assert row is not None and row.group(1).split()[0] == "none"
    assert "no p" in row.group(3) and "0.00" not in row.group(3)
    assert '<span style="border-color:var(--none);border-left-style:dashed">no p</span>' in page  # the key
    assert re.search(r'class="lk none"[^>]*stroke="#0091ea"', page)  # the matrix box
    assert re.search(r"<title>link \d · 1-1 · no p · ar 3", page)
    snippet = side_by_side_html(al)
    assert "#e1f5fe" in snippet and "no p" in snippet
    # the CLI writes the same page from the edited file
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(tmp_path / "pair.json"), "-o", str(out), "--no-matrix", "-q"])
    assert res.exit_code == 0, res.output
    assert "1 without p" in out.read_text(encoding="utf-8")


def test_a_link_without_cosine_in_a_file_without_p() -> None:
    """A file written before p existed is coloured by cosine; a link without one is "no cosine",
    not its score on the cosine scale."""
    from dataclasses import replace

    al = small_alignment("comparable")
    links = (*al.links[:2], replace(al.links[2], features={}, score=0.9))
    page = render(replace(al, links=links), sim=None)
    assert "confidence (cosine) (n=2, " in page and "· 1 without cosine" in page
    assert re.search(r'class="r none[^"]*" id="L2"', page)


def test_parallel_summary_counts_gap_sentences_as_not_linked(tmp_path: Path) -> None:
    """A sentence is linked only when its link has sentences on both sides: the 1-0 / 0-1 gaps
    of a parallel alignment link nothing (as the unmatched sentences of comparable mode)."""
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(_json_file(tmp_path, small_alignment("parallel"))),
                                    "-o", str(out), "--no-matrix", "-q"])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "<td>Arabic sentences</td><td><b>4 (2 linked)</b>" in page  # 1 and 3 are 1-0 gaps
    assert "<td>English sentences</td><td><b>4 (3 linked)</b>" in page  # 3 is a 0-1 gap
    assert "1 high · 0 mid · 1 low · 3 gaps<" in page


def below_bar_alignment() -> Alignment:
    """Comparable, one link, and three pairs left below a 0.95 bar with p 0.90, 0.60, 0.20."""
    from dataclasses import replace

    al = small_alignment("comparable")
    al = replace(al, links=(Link((0,), (0,), 0.8, {"cosine": 0.82, "p": 0.97}),))
    below = [{"src": 1, "tgt": 1, "p": 0.90, "numbers": "none"}, {"src": 2, "tgt": 2, "p": 0.60, "numbers": "none"},
             {"src": 3, "tgt": 3, "p": 0.20, "numbers": "none"}]
    return replace(al, info={"below_bar": below, "mining": {"min_p": 0.95}})


def test_pairs_below_the_bar_are_coloured_by_their_p() -> None:
    """`--min-p 0.95` leaves pairs with p 0.90 below the bar: coloured high like any link with that
    p, not "low" for all (report and review app)."""
    from parallel.report import pending_below_bar

    page = render(below_bar_alignment())
    section = page.split('<section id="below">', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<div class="r (\w+)" role="row">', section) == ["high", "mid", "low"]
    assert [c["band"] for c in pending_below_bar(below_bar_alignment())] == ["high", "mid", "low"]


def test_a_number_on_one_side_only_is_not_called_a_difference() -> None:
    """Verdict `differ` with numbers on one side only reads "number on one side only" (badge and
    hover); numbers on both sides that differ keep "≠ numbers". The exported fields are unchanged."""
    from dataclasses import replace

    from parallel.report import hover_text, link_views, numbers_badge

    al = small_alignment()
    one = Link((3,), (3,), 0.5, {"cosine": 0.5, "numbers": "differ", "numbers_src": "", "numbers_tgt": "2017"})
    al = replace(al, links=(al.links[0], one))
    page = render(al)
    rows = page.split('id="L1"', 1)[1]
    assert ">number on one side only</span>" in rows and "≠ numbers" not in rows
    assert 'title="number on one side only: Arabic - | English 2017"' in rows
    assert ">≠ numbers</span>" in page.split('id="L1"', 1)[0].split('id="L0"', 1)[1]
    assert "numbers: number on one side only (- | 2017)" in hover_text(link_views(al)[1])
    assert "number on one side only" in side_by_side_html(al)
    assert numbers_badge("agree", "1", "1") == "" and numbers_badge("differ", "1", "2") == "≠ numbers"


def test_chrf_across_scripts_says_what_it_compared() -> None:
    """Arabic-English chrF++ compares only the names and digits that cross scripts unchanged: the
    hover said "chrF++ 6.0" on a right 1-5 link, which reads as a bad translation. It now says
    "chrF++ of names and digits"; two texts in one script keep "chrF++"."""
    from parallel.data import Alignment
    from parallel.report import hover_text, link_views

    ar = make_doc(["قالت منظمة الصحة العالمية WHO إن 30 دولة انضمت."], "ar", "a.ar")
    en = make_doc(["The WHO said that 30 countries had joined."], "en", "a.en")
    al = Alignment(ar, en, (Link((0,), (0,), 0.5, {"cosine": 0.7, "chrf": 6.0}),), "parallel", "mode:parallel")
    assert "chrF++ of names and digits 6.0" in hover_text(link_views(al)[0])
    de = make_doc(["Die Sitzung wurde um 10 Uhr eröffnet."], "de", "a.de")
    fr = make_doc(["La séance est ouverte à 10 heures."], "fr", "a.fr")
    same = Alignment(de, fr, (Link((0,), (0,), 0.5, {"cosine": 0.7, "chrf": 21.0}),), "parallel", "mode:parallel")
    text = hover_text(link_views(same)[0])
    assert "chrF++ 21.0" in text and "names and digits" not in text


def test_p_is_never_shown_as_certain_and_the_column_says_p() -> None:
    from dataclasses import replace

    from parallel.report import fmt_p

    assert [fmt_p(x) for x in (0.9953, 0.995, 0.994, 0.4908, 0.003)] == [">0.99", "0.99", "0.99", "0.49", "<0.01"]
    al = below_bar_alignment()
    al = replace(al, links=(replace(al.links[0], features={"cosine": 0.82, "p": 0.9953}),),
                 info={**al.info, "below_bar": [{"src": 1, "tgt": 1, "p": 0.9953, "numbers": "none"}]})
    page = render(al, sim=np.random.default_rng(0).random((4, 4)).astype(np.float32))
    assert page.count('<span class="sc">&gt;0.99</span>') == 2 and "median &gt;0.99" in page  # link, pair, median
    assert not re.search(r'class="sc">1\.00|p 1\.00|median 1\.00', page)
    assert "<div>type · p</div>" in page and "conf." not in page
    assert "1-1 · &gt;0.99 · ar 0" in page  # the matrix box's hover
    assert "<th>p</th>" in side_by_side_html(al)


def test_a_value_is_never_shown_across_its_colours_edge() -> None:
    """Stop 51: a link of p 0.8995 is coloured mid (high is p >= 0.9) and showed "0.90", in both
    pages (11 of 95 links of a sura); it shows 0.89 now, and a cosine of 0.5996 (mid) 0.59."""
    from dataclasses import replace

    from parallel.report import band_of, shown_confidence

    assert [shown_confidence(x) for x in (0.8995, 0.9, 0.4999, 0.5, 0.9953, 0.003, 0.678)] == [
        "0.89", "0.90", "0.49", "0.50", ">0.99", "<0.01", "0.68"]
    assert [shown_confidence(x, by_p=False) for x in (0.5996, 0.3999, 0.6)] == ["0.59", "0.39", "0.60"]
    assert band_of(0.8995) == "mid" and band_of(0.4999) == "low"
    al = below_bar_alignment()
    al = replace(al, links=(replace(al.links[0], features={"cosine": 0.82, "p": 0.8995}),),
                 info={**al.info, "below_bar": [{"src": 1, "tgt": 1, "p": 0.4999, "numbers": "none"}]})
    page = render(al, sim=None)
    assert '<span class="sc">0.89</span>' in page and '<span class="sc">0.49</span>' in page
    assert '<span class="sc">0.90</span>' not in page and '<span class="sc">0.50</span>' not in page


def test_one_colour_per_band_everywhere() -> None:
    """Row stripes, legend keys, matrix boxes (report) and the review app use one colour per band
    (the matrix drew mid boxes magenta beside amber stripes)."""
    from importlib import resources

    from parallel.report import _CSS, BAND_COLOURS

    def css_vars(css: str) -> dict[str, str]:
        root = re.search(r":root\{([^}]*)\}", css).group(1)  # type: ignore[union-attr]
        return dict(kv.split(":", 1) for kv in root.split(";") if kv)

    names = {"high": "--hi", "mid": "--mid", "low": "--lo", "gap": "--gap", "none": "--none"}
    review_css = resources.files("parallel").joinpath("resources", "review", "review.css").read_text("utf-8")
    for css in (_CSS, review_css):
        got = css_vars(css)
        assert {band: got[var] for band, var in names.items()} == BAND_COLOURS
    page = render(small_alignment(), sim=np.random.default_rng(0).random((4, 4)).astype(np.float32))
    strokes = set(re.findall(r'<rect class="lk (\w+)"[^>]*stroke="(#[0-9a-f]+)"', page))
    assert strokes and all(BAND_COLOURS[band] == colour for band, colour in strokes)
    assert "magenta" not in page and "#ff40ff" not in page


def long_alignment(n: int = 300) -> Alignment:
    ar = make_doc([f"الجملة رقم {i}." for i in range(n)], "ar", "doc.ar.txt")
    en = make_doc([f"Sentence number {i}." for i in range(n)], "en", "doc.en.txt")
    return Alignment(ar, en, tuple(Link((i,), (i,), 0.7, {"cosine": 0.7}) for i in range(n)), "parallel",
                     "model:use-m3|mode:parallel")


# the row's top is below the sticky tools bar and column header, and the row is on screen
_BELOW_BARS = """id => {
  const r = document.getElementById(id).getBoundingClientRect();
  const bars = Math.max(document.querySelector('.tools').getBoundingClientRect().bottom,
                        document.querySelector('#links .h').getBoundingClientRect().bottom);
  return r.top >= bars - 0.5 && r.top < innerHeight;
}"""


@pytest.mark.slow
def test_a_row_jumped_to_stops_below_the_sticky_bars_in_a_real_browser(tmp_path: Path) -> None:
    """"go to link", a matrix box and a #L... address bring the row under the sticky tools bar and
    column header (the handler centred it, then set the hash, which jumped it to the top)."""
    pytest.importorskip("playwright.sync_api")
    target = tmp_path / "long.html"
    write_report(long_alignment(), target, sim=np.eye(300, dtype=np.float32))
    with browser_page(tmp_path, 1100, 700) as page:
        page.goto(target.as_uri())
        for n in ("150", "40", "150"):  # the same link twice: the hash is already there
            page.fill("#go", n)
            page.press("#go", "Enter")
            page.wait_for_function(_BELOW_BARS, arg=f"L{n}", timeout=10_000)
            assert page.evaluate("location.hash") == f"#L{n}"
        page.locator('svg.matrix a[href="#L250"]').dispatch_event("click")
        page.wait_for_function(_BELOW_BARS, arg="L250", timeout=10_000)
        page.goto(target.as_uri() + "#L200")
        page.wait_for_function(_BELOW_BARS, arg="L200", timeout=10_000)
        page.set_viewport_size({"width": 620, "height": 700})  # the tools bar wraps to two lines
        page.fill("#go", "120")
        page.press("#go", "Enter")
        page.wait_for_function(_BELOW_BARS, arg="L120", timeout=10_000)


@pytest.mark.slow
def test_a_long_id_list_wraps_inside_its_cell_in_a_real_browser(tmp_path: Path) -> None:
    """Stop 51: the ids of a 1-6 link (``252 ↔ 583,584,585,586,587,588``) ran over the Arabic
    text beside them, in the report and the review app, at 1300 and 1000 px; they wrap in their
    cell now."""
    pytest.importorskip("playwright.sync_api")
    ar = make_doc([f"الجملة رقم {i}." for i in range(300)], "ar", "doc.ar.txt")
    en = make_doc([f"Sentence number {i}." for i in range(1800)], "en", "doc.en.txt")
    links = tuple(Link((i,), tuple(range(6 * i, 6 * i + 6)), 0.7, {"cosine": 0.7}) for i in range(300))
    target = tmp_path / "wide.html"
    write_report(Alignment(ar, en, links, "parallel", "model:use-m3|mode:parallel"), target, matrix=False)
    over = """() => Array.from(document.querySelectorAll('#links .r')).filter(r => {
      const n = r.querySelector('.n'); return n && n.scrollWidth > n.clientWidth + 1; }).map(r => r.id)"""
    with browser_page(tmp_path, 1000, 900) as page:
        page.goto(target.as_uri() + "#L250")
        page.wait_for_selector("#L250")
        assert page.evaluate(over) == []
        page.set_viewport_size({"width": 1300, "height": 900})
        assert page.evaluate(over) == []
        # and the review app's sheet says the same of its cells
        css = (Path(write_report.__code__.co_filename).parent / "resources" / "review" / "review.css").read_text()
        assert ".n{" in css and "overflow-wrap:anywhere" in css.split(".n{", 1)[1].split("}", 1)[0]


@pytest.mark.slow
def test_go_to_link_takes_arabic_indic_digits_in_a_real_browser(tmp_path: Path) -> None:
    """An Arabic keyboard types ١٦٥٦ (or, Persian, ۱۶۵۶): "go to link" takes it as 1656."""
    pytest.importorskip("playwright.sync_api")
    target = tmp_path / "long.html"
    write_report(long_alignment(), target, matrix=False)
    with browser_page(tmp_path, 1100, 700) as page:
        page.goto(target.as_uri())
        for typed, n in (("١٥٦", 156), ("۲۰۷", 207), (" 12 ", 12)):
            page.fill("#go", typed)
            page.press("#go", "Enter")
            assert page.evaluate("document.getElementById('go').validationMessage") == ""
            page.wait_for_function("h => location.hash === h", arg=f"#L{n}", timeout=10_000)
        page.fill("#go", "٣٠٠")
        page.press("#go", "Enter")
        assert page.evaluate("document.getElementById('go').validationMessage") == "no link ٣٠٠ (links 0 to 299)"


def reviewed_alignment() -> Alignment:
    from dataclasses import replace

    al = small_alignment("comparable")
    feats = [{"status": "accepted", "note": "ترجمة حرة <b>ok</b>"}, {"status": "rejected"},
             {"status": "accepted", "edited": "relink", "note": "checked " + XSS[0]}]
    return replace(al, links=tuple(replace(k, features={**k.features, **f}) for k, f in zip(al.links, feats, strict=True)))


@pytest.mark.slow
def test_review_decisions_show_in_the_report_in_a_real_browser(tmp_path: Path) -> None:
    """A file reviewed in the app: the note's text on its row (escaped), a rejected link struck
    through, accepted / rejected / not reviewed in the "show" menu, and an edited badge."""
    pytest.importorskip("playwright.sync_api")
    target = tmp_path / "reviewed.html"
    write_report(reviewed_alignment(), target, matrix=False)
    html_text = target.read_text(encoding="utf-8")
    assert "checked &lt;script&gt;" in html_text and "<b>ok</b>" not in html_text
    with browser_page(tmp_path, 1100, 900) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(target.as_uri())
        assert page.locator("#L0 .nt").inner_text() == "note ترجمة حرة <b>ok</b>"
        assert page.locator("#L2 .nt").is_visible() and page.locator("#L1 .nt").count() == 0
        assert "line-through" in page.evaluate(
            "getComputedStyle(document.querySelector('#L1 .c')).textDecorationLine")
        assert "line-through" not in page.evaluate(
            "getComputedStyle(document.querySelector('#L0 .c')).textDecorationLine")
        assert page.locator("#L2 .st.edited").inner_text() == "edited: relink"
        for value, shown in (("only-acc", "2 of 3 links shown"), ("only-rej", "1 of 3 links shown"),
                             ("only-todo", "0 of 3 links shown")):
            page.select_option("#show", value)
            assert page.locator("#shown").inner_text() == shown
        page.select_option("#show", "only-rej")
        assert page.locator("#L1").is_visible() and not page.locator("#L0").is_visible()
        assert errors == []
    # an unreviewed file's menu offers no review choices
    assert 'value="only-acc"' not in render(small_alignment("comparable"), sim=None)


@pytest.mark.slow
def test_the_unmatched_headings_count_the_hits_of_a_search_in_a_real_browser(tmp_path: Path) -> None:
    """A search hides the unmatched sentences that do not hold it: each heading says how many do."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from dataclasses import replace

    al = small_alignment("comparable")
    target = tmp_path / "c.html"
    write_report(replace(al, links=al.links[:2]), target, matrix=False)  # Arabic 1, 3 and English 3 unmatched
    with browser_page(tmp_path, 1100, 900) as page:
        page.goto(target.as_uri())
        heads = page.locator("#unmatched h3")
        assert [heads.nth(k).inner_text() for k in range(2)] == ["Arabic: 2 unmatched", "English: 1 unmatched"]
        page.fill("#find", "اخر")  # آخر
        sync_api.expect(heads.nth(0)).to_have_text("Arabic: 2 unmatched (1 holds the search)")
        sync_api.expect(heads.nth(1)).to_have_text("English: 1 unmatched (0 hold the search)")
        page.fill("#find", "added sentence")
        sync_api.expect(heads.nth(1)).to_have_text("English: 1 unmatched")  # all of them hold it
        page.fill("#find", "")
        sync_api.expect(heads.nth(0)).to_have_text("Arabic: 2 unmatched")


@pytest.mark.slow
def test_the_count_of_links_shown_says_what_a_search_found_further_down_in_a_real_browser(tmp_path: Path) -> None:
    """Explore 52 §10: a search whose hits were only in the unmatched sentences (or the pairs below
    the bar) said "0 of 2 links shown", as if nothing held it: the count says what lies further down."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from dataclasses import replace

    al = small_alignment("comparable")
    al = replace(al, links=al.links[:2], info={"mining": {"min_p": 0.45}, "below_bar": [{"src": 1, "tgt": 3, "p": 0.3}]})
    target = tmp_path / "c.html"
    write_report(al, target, matrix=False)  # Arabic 1, 3 and English 3 unmatched; the pair 1-3 below the bar
    with browser_page(tmp_path, 1100, 900) as page:
        page.goto(target.as_uri())
        shown = page.locator("#shown")
        sync_api.expect(shown).to_have_text("2 of 2 links shown")
        page.fill("#find", "added sentence")  # English 3: unmatched, and in the pair below the bar
        sync_api.expect(shown).to_have_text(
            "0 of 2 links shown; further down, 1 pair below the bar and 1 unmatched sentence hold the search")
        page.fill("#find", "اخر")  # آخر: Arabic 3, unmatched only
        sync_api.expect(shown).to_have_text("0 of 2 links shown; further down, 1 unmatched sentence holds the search")
        page.fill("#find", "English")  # links 1 only (English 1 and 2)
        sync_api.expect(shown).to_have_text("1 of 2 links shown")
        page.fill("#find", "")
        sync_api.expect(shown).to_have_text("2 of 2 links shown")


def test_the_legend_gives_the_bar_a_comparable_link_was_kept_from() -> None:
    """A kept comparable link with p between the bar (0.45 by default) and 0.5 is coloured low like
    the rejected pairs below the bar: the legend says links are kept from the bar up."""
    from dataclasses import replace

    from parallel.report import kept_from, p_legend

    al = small_alignment("comparable")
    al = replace(al, links=tuple(replace(k, features={**k.features, "p": 0.47}) for k in al.links),
                 info={"mining": {"min_p": 0.45}})
    assert kept_from(al) == 0.45
    want = "comparable mode keeps a mined pair from the bar up, here p ≥ 0.45: a kept link with p from 0.45 to 0.5 is coloured low"
    assert want in p_legend(al) and want in render(al, sim=None)
    signed = replace(al, info={}, signature=al.signature + "|keep:p>=0.3")
    assert kept_from(signed) == 0.3 and "here p ≥ 0.3" in p_legend(signed)
    unknown = replace(al, info={})
    assert kept_from(unknown) is None and "from the bar up" in p_legend(unknown)
    assert "bar" not in p_legend(replace(al, mode="parallel"))
    # a linguist took a high p between two sentences about one football match for one statement
    assert "a high p can still pair two different statements" in p_legend(al)
    assert "one story" not in p_legend(replace(al, mode="parallel"))
    # stop 49: a comparable alignment has no gaps (its unmatched sentences are listed apart): the page
    # offered "gaps only", a gap swatch and "0 gaps"
    from parallel.report import confidence_legend

    page = render(al, sim=None)
    assert "gap" not in [k[0] for k in confidence_legend(al)["keys"]] and "gaps only" not in page
    assert " gaps" not in page.split('id="summary"')[1].split("</section>")[0]
    par = replace(al, mode="parallel")
    assert "gap" in [k[0] for k in confidence_legend(par)["keys"]] and "gaps only" in render(par, sim=None)
    # stop 49: an accepted link coloured low at p 0.22 read as the machine overruling the person
    reviewed = "a link a reviewer accepted or made shows the model's p"
    assert reviewed not in p_legend(al)
    first = replace(al.links[0], features={**al.links[0].features, "status": "accepted"})
    assert reviewed in p_legend(replace(al, links=(first, *al.links[1:])))
    made = replace(al.links[0], features={**al.links[0].features, "edited": "relink"})
    assert reviewed in p_legend(replace(al, links=(made, *al.links[1:])))


def test_a_comparable_file_with_no_link_is_read_by_p_and_says_why(tmp_path: Path) -> None:
    """Explore 52 §3: comparable texts where no pair reached the bar showed the legend of a file
    written before p ("high score ≥ 0.6 ... confidence = link score", a "type · score" column,
    a matrix caption without p) and no word on why nothing was linked. A file mined by p
    (``info["mining"]["min_p"]``, or ``keep:p>=`` in its signature) is read by p whatever its links
    hold, and the page (and the review app: the same function) says no pair reached the bar, and
    how many possible pairs lie below it, or that none came near it."""
    from dataclasses import replace

    from parallel.report import confidence_legend, measure_of, nothing_linked

    al = replace(small_alignment("comparable"), links=(), info={"mining": {"min_p": 0.45}, "below_bar": []})
    sim = np.random.default_rng(0).random((len(al.src), len(al.tgt))).astype(np.float32)
    assert measure_of(al) == "p" and confidence_legend(al)["measure"] == "p"
    page = render(al, sim=sim)
    assert "high p ≥ 0.9" in page and "confidence = link score" not in page and "high score" not in page
    assert "<div>type · p</div>" in page and "p (calibrated probability)" in page
    matrix = page.split('id="matrix"')[1].split("</section>")[0]
    assert "(p ≥ 0.9 / 0.5–0.9 / &lt; 0.5; p = estimated probability" in matrix
    none = ("No pair reached p ≥ 0.45, the bar a pair needs to be linked, and none came near it: no two "
            "sentences that are each other's best match have p ≥ 0.1.")
    assert nothing_linked(al) == none
    assert page.count(f'<p class="none-linked">{html.escape(none)}</p>') == 2  # summary and side by side
    # possible pairs below the bar: counted, and listed
    below = replace(al, info={**al.info, "below_bar": [{"src": 0, "tgt": 1, "p": 0.3}, {"src": 2, "tgt": 3, "p": 0.2}]})
    assert nothing_linked(below) == ("No pair reached p ≥ 0.45, the bar a pair needs to be linked: 2 possible "
                                     "pairs below it, listed under Possible pairs below the bar.")
    assert 'id="below"' in render(below, sim=None)
    # the bar from the signature alone; a link without p there is "no p", not a cosine
    signed = replace(al, info={}, signature=al.signature + "|keep:p>=0.3")
    assert measure_of(signed) == "p" and nothing_linked(signed) == "No pair reached p ≥ 0.3, the bar a pair needs to be linked."
    cos = replace(signed, links=(Link((0,), (0,), 0.8, {"cosine": 0.82}),))
    assert measure_of(cos) == "p" and 'class="r none' in render(cos, sim=None) and nothing_linked(cos) == ""
    # a file written before p (no bar, no p anywhere) keeps its own legend
    old = replace(al, info={})
    assert measure_of(old) == "score" and confidence_legend(old)["text"] == "confidence = link score"
    assert nothing_linked(old) == "No pair was linked."
    assert nothing_linked(replace(al, mode="parallel")) == ""


SEED = Path(__file__).resolve().parent.parent / "align" / "covid-cooperation.json"
# what a search leaves on the page: the links shown, each side's unmatched sentences shown
_FOUND_IN_REPORT = """() => {
  const ids = sel => Array.from(document.querySelectorAll(sel)).map(e => +e.textContent);
  return {links: Array.from(document.querySelectorAll('#links .r:not(.nf)')).map(r => +r.id.slice(1)),
          src: ids('#unmatched .unm > div:nth-child(1) .ui:not(.nf) .sid'),
          tgt: ids('#unmatched .unm > div:nth-child(2) .ui:not(.nf) .sid')};
}"""


def grep_finds(al: Alignment, query: str, *, case: bool, word: bool) -> dict[str, list[int]]:
    """What `grep [-S] [-w] query` finds, as a page shows it: links, unmatched sentences per side."""
    from parallel.concordance import concordance

    hits = concordance(al, query, word=word, case_sensitive=case)
    return {"links": sorted({h.link for h in hits if h.link is not None}),
            "src": sorted({h.sentence for h in hits if h.link is None and h.side == "src"}),
            "tgt": sorted({h.sentence for h in hits if h.link is None and h.side == "tgt"})}


@pytest.mark.slow
@pytest.mark.skipif(not SEED.exists(), reason="no seed alignment")
def test_find_has_match_case_and_whole_word_as_grep_in_a_real_browser(tmp_path: Path) -> None:
    """"WHO" (the organisation) also found every "who" and "whole": "Aa" (match case) and "whole
    word" beside the find box search as `grep -S` / `grep -w` do, Arabic letters being word letters."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from parallel.readers import read_alignment

    al = read_alignment(SEED)
    strict, loose = (grep_finds(al, "WHO", case=c, word=c) for c in (True, False))
    assert strict["links"] and set(loose["tgt"]) - set(strict["tgt"])  # the pronoun "who", unmatched
    # an Arabic word with its proclitics (وبالتعاون) is the word to grep -w (stop 51), a longer one
    # (الصينية) is another word
    assert grep_finds(al, "التعاون", case=False, word=True) == grep_finds(al, "التعاون", case=False, word=False)
    assert grep_finds(al, "الصين", case=False, word=True) != grep_finds(al, "الصين", case=False, word=False)
    target = tmp_path / "seed.html"
    write_report(al, target, matrix=False)
    with browser_page(tmp_path, 1100, 900) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(target.as_uri())
        assert not page.is_checked("#find-case") and not page.is_checked("#find-word")
        page.fill("#find", "WHO")
        page.wait_for_function(f"want => JSON.stringify(({_FOUND_IN_REPORT})()) === JSON.stringify(want)",
                               arg=loose, timeout=10_000)
        sync_api.expect(page.locator("#shown")).to_have_text(
            f"{len(loose['links'])} of {len(al.links)} links shown" + further_down(al, "WHO"))
        for query, case, word in (("WHO", True, False), ("WHO", False, True), ("WHO", True, True),
                                  ("WH", True, True), ("who", False, True), ("التعاون", False, True),
                                  ("التعاون", False, False), ("الصين", True, True), ("الصين", False, False)):
            page.set_checked("#find-case", case)
            page.set_checked("#find-word", word)
            page.fill("#find", query)
            want = grep_finds(al, query, case=case, word=word)
            page.wait_for_function(f"want => JSON.stringify(({_FOUND_IN_REPORT})()) === JSON.stringify(want)",
                                   arg=want, timeout=10_000)
            sync_api.expect(page.locator("#shown")).to_have_text(
                f"{len(want['links'])} of {len(al.links)} links shown" + further_down(al, query, case=case, word=word))
        assert errors == []


@pytest.mark.slow
def test_the_matrix_read_out_shows_a_cells_two_sentences_in_a_real_browser(tmp_path: Path) -> None:
    """The legend promised "hover a cell for its two sentences", the read-out gave only their
    numbers: it shows both sentences (clipped, as text, Arabic right to left); where a cell covers
    several sentences (a long document) it gives their numbers, and the legend says so."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from dataclasses import replace

    from parallel.report import TIP_CHARS

    al = small_alignment()
    long_en = "A long sentence, " * 20 + "end."
    al = replace(al, tgt=make_doc([s.text for s in al.tgt.segments][:3] + [long_en], "en", "doc.en.txt", sep=" "))
    sim = np.random.default_rng(5).random((4, 4)).astype(np.float32)
    target = tmp_path / "r.html"
    write_report(al, target, sim=sim)
    page_text = target.read_text(encoding="utf-8")
    assert "<script>alert" not in page_text and "hover a cell for its two sentences (numbers and up to 120" in page_text
    with browser_page(tmp_path, 1100, 1000) as page:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(target.as_uri())
        page.locator("#matrix").scroll_into_view_if_needed()
        box = page.locator("svg.mplot").bounding_box()
        assert box is not None
        tip = page.locator("#mtip")

        def hover(i: int, j: int) -> None:
            page.mouse.move(box["x"] + (j + 0.5) * box["width"] / 4, box["y"] + (i + 0.5) * box["height"] / 4)
            sync_api.expect(tip).to_be_visible()

        hover(2, 1)  # the payloads are shown as text, not run
        lines = tip.locator(".mt")
        sync_api.expect(lines).to_have_count(2)
        assert lines.nth(0).text_content() == al.src.segments[2].text
        assert lines.nth(1).text_content() == al.tgt.segments[1].text
        assert lines.nth(0).get_attribute("dir") == "rtl" and lines.nth(0).get_attribute("lang") == "ar"
        assert lines.nth(1).get_attribute("dir") == "ltr"
        assert page.locator("#mtip script, #mtip img").count() == 0
        hover(0, 3)  # a long sentence is clipped
        sync_api.expect(lines.nth(1)).to_have_text(long_en[:TIP_CHARS - 1].rstrip() + "…")
        tip_box = tip.bounding_box()
        assert tip_box is not None and tip_box["x"] + tip_box["width"] <= 1100  # inside the window
        assert errors == []
    # a cell covering several sentences: numbers only, as the legend says
    blocks = matrix_svg(long_alignment(), np.eye(300, dtype=np.float32), max_side=100)
    assert "data-stext" not in blocks and "hover a cell for the numbers of the sentences it covers" in blocks
    assert "data-stext" in matrix_svg(long_alignment(), np.eye(300, dtype=np.float32))


def test_a_blank_line_is_never_a_pair_below_the_bar() -> None:
    # stop 36: a blank line of a --presplit text (its vector near everything) was listed in the
    # report as a possible pair, with an empty Arabic cell
    import numpy as np

    from parallel.api import below_bar_pairs

    rng = np.random.default_rng(3)
    base = rng.normal(size=(4, 16))
    src = base / np.linalg.norm(base, axis=1, keepdims=True)
    noisy = base + 0.3 * rng.normal(size=base.shape)
    tgt = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    texts = ["one thing", "another thing", "a third", "the fourth"]
    everything = below_bar_pairs(src, tgt, texts, texts, [], min_p=1.0, floor=0.0)
    assert {(c["src"], c["tgt"]) for c in everything} >= {(0, 0)}
    blank = below_bar_pairs(src, tgt, ["", *texts[1:]], [*texts[:3], " "], [], min_p=1.0, floor=0.0)
    assert blank and all(c["src"] != 0 and c["tgt"] != 3 for c in blank)


def test_report_refuses_a_name_that_says_pairs_and_says_an_unused_model(tmp_path: Path) -> None:
    """`report x.json -o r.tsv` wrote an HTML page into r.tsv (a pairs reader then reads garbage),
    and `-m` with --no-matrix was ignored in silence."""
    from click.testing import CliRunner

    from parallel.cli import main
    from parallel.export import export

    export(small_alignment(), str(tmp_path / "a.json"))
    for name in ("r.tsv", "r.jsonl", "r.tmx.gz"):
        res = CliRunner().invoke(main, ["report", str(tmp_path / "a.json"), "-o", str(tmp_path / name)])
        assert res.exit_code == 2 and "report writes an HTML page" in res.stderr, res.output
        assert not (tmp_path / name).exists()
    res = CliRunner().invoke(main, ["report", str(tmp_path / "a.json"), "-o", str(tmp_path / "r.html"),
                                    "--no-matrix", "-m", "use-m3"])
    assert res.exit_code == 0 and "-m use-m3 is not used" in res.stderr and (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_find_never_matches_across_two_sentences_of_a_link_in_a_real_browser(tmp_path: Path) -> None:
    """"cooperation was" is the end of English 1 and the start of English 2, which one link holds:
    grep finds nothing, and the report's find showed the link (it searched the cell's text, the
    sentences joined); each sentence alone still matches."""
    sync_api = pytest.importorskip("playwright.sync_api")
    ar = make_doc(["قالت المنظمة إن الوضع خطير.", "وأضافت أن التعاون ضروري."], "ar", "d.ar.txt")
    en = make_doc(["The organisation said the situation was serious.", "It added that cooperation",
                   "was essential."], "en", "d.en.txt")
    al = Alignment(ar, en, (Link((0,), (0,), 0.8, {"cosine": 0.8}), Link((1,), (1, 2), 0.6, {"cosine": 0.6})),
                   "parallel", "model:use-m3|mode:parallel")
    target = tmp_path / "r.html"
    write_report(al, target, matrix=False)
    with browser_page(tmp_path, 1100, 900) as page:
        page.goto(target.as_uri())
        for query in ("cooperation was", "was essential", "that cooperation"):
            want = grep_finds(al, query, case=False, word=False)
            page.fill("#find", query)
            page.wait_for_function(f"want => JSON.stringify(({_FOUND_IN_REPORT})()) === JSON.stringify(want)",
                                   arg=want, timeout=10_000)
            sync_api.expect(page.locator("#shown")).to_have_text(f"{len(want['links'])} of 2 links shown")
        assert grep_finds(al, "cooperation was", case=False, word=False)["links"] == []
        assert grep_finds(al, "was essential", case=False, word=False)["links"] == [1]


def test_a_sentence_with_no_counterpart_is_not_counted_as_a_pair(tmp_path: Path) -> None:
    """A 1-0 link's length_ratio is its length and its sentence's numbers have no partner: the
    summary charted the ratio (median 33 over a page of gaps) and counted it among the number
    disagreements, and the "number disagreements only" view listed it. A pair's are counted."""
    from parallel.report import link_views, summary_html

    ar = make_doc(["قالت الوزارة إن 30 دولة شاركت.", "وزار 120 خبيرا المدينة في 2019."], "ar", "d.ar.txt")
    en = make_doc(["The ministry said 40 countries took part."], "en", "d.en.txt")
    al = Alignment(ar, en, (Link((0,), (0,), 0.8, {"p": 0.7, "numbers": "differ", "numbers_src": "30",
                                                   "numbers_tgt": "40", "length_ratio": 0.8}),
                            Link((1,), (), 0.0, {"numbers": "differ", "numbers_src": "120 2019",
                                                 "numbers_tgt": "", "length_ratio": 33.0})),
                   "parallel", "model:use-m3|mode:parallel")
    views = link_views(al)
    assert [v.numbers for v in views] == ["differ", ""] and [v.length_ratio for v in views] == [0.8, None]
    page = summary_html(al, views)
    assert "<td>number disagreements</td><td><b>1</b></td>" in page
    assert "n=1," in page and "n=2" not in page


def test_a_report_with_no_pair_kept_explains_p(tmp_path: Path) -> None:
    """Comparable texts with nothing over the bar: the legend said "confidence = link score" with
    score bands, while the pairs below the bar listed under it have p."""
    ar = make_doc(["قالت الوزارة إن الوضع مستقر."], "ar", "d.ar.txt")
    en = make_doc(["The football season starts in August."], "en", "d.en.txt")
    al = Alignment(ar, en, (), "comparable", "model:use-m3|mode:comparable",
                   info={"below_bar": [{"src": 0, "tgt": 0, "p": 0.02, "cosine": 0.1, "numbers": "",
                                        "numbers_src": "", "numbers_tgt": ""}]})
    target = tmp_path / "r.html"
    write_report(al, target, matrix=False)
    page = target.read_text(encoding="utf-8")
    assert "high p ≥" in page and "confidence = link score" not in page


def test_a_reader_is_told_what_filters_removed_and_which_encoder_drew_the_matrix(tmp_path: Path) -> None:
    """Stop 55 (a read of the report as a linguist): after ``filter --min-p`` the removed pairs'
    sentences showed as "nothing in English" gaps with nothing saying a filter made them; the
    matrix drawn with ``-m e5-small`` did not say so, its cosines contradicting the rows'."""
    from dataclasses import replace

    al = small_alignment()
    src = tmp_path / "pair.json"
    with open(src, "w", encoding="utf-8") as fh:
        write_json(al, fh)
    out = tmp_path / "f.json"
    res = CliRunner().invoke(main, ["filter", str(src), "--min-cosine", "0.5", "-f", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["report", str(out), "--no-matrix", "-o", str(tmp_path / "f.html"), "-q"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    said = re.search(r'<p class="warn"><b>filtered:</b> (.*?)</p>', page)
    assert said is not None and "min-cosine removed 4 of 5 links" in html.unescape(said.group(1))  # as filter counts: gaps too
    assert "a pair the filter removed" in html.unescape(said.group(1))
    assert "filtered:" not in render(al, sim=None)  # nothing filtered: nothing said
    comparable = replace(small_alignment("comparable"),
                         info={"filters": [{"name": "min-p", "direction": "min", "seen": 3, "removed": 2}]})
    assert "min-p removed 2 of 3 links: their sentences are listed as unmatched" in html.unescape(
        render(comparable, sim=None))
    # --no-matrix: no help text for a matrix that is not there
    assert "Bright cells" not in page and "Similarity matrix skipped (--no-matrix)." in page
    sim = np.random.default_rng(0).random((4, 4)).astype(np.float32)
    assert "Bright cells" in render(al, sim=sim)
    # the matrix's encoder is named, and said to differ from the alignment's
    legend = html.unescape(matrix_svg(al, sim, model="e5-small"))
    assert "cosine similarity (e5-small; the alignment used use-m3) from" in legend
    assert "cosine similarity (use-m3) from" in html.unescape(matrix_svg(al, sim, model="use-m3"))

    class Named:
        name = "e5-small"

        def encode(self, texts: list[str]) -> np.ndarray:
            v = np.ones((len(texts), 3), dtype=np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

    write_report(al, tmp_path / "m.html", encoder=Named())
    assert "(e5-small; the alignment used use-m3)" in html.unescape((tmp_path / "m.html").read_text(encoding="utf-8"))


def test_matrix_colours_and_histograms_say_what_their_ends_hold() -> None:
    """Stop 55: a one-sentence pair's only cell (cosine 0.76) was painted the darkest colour with the
    legend "from 0.76 to 0.76"; cells above the 99.5th percentile took the top colour under a legend
    ending there; a length ratio of 3.9 was counted in the bar labelled "2.85 - 3.00"; one aligner
    score drew an axis from 0.76 to 1.76."""
    ar = make_doc(["قالت منظمة الصحة العالمية إن 20 دولة شاركت."], "ar", "a.ar", sep=" ")
    en = make_doc(["The World Health Organization said 20 countries took part."], "en", "a.en", sep=" ")
    one = Alignment(ar, en, (Link((0,), (0,), 0.76, {"cosine": 0.76, "p": 0.99}),), "parallel",
                    "model:use-m3|mode:parallel|v:0.1.0")
    svg = html.unescape(matrix_svg(one, np.array([[0.76]], dtype=np.float32)))
    assert "from <b>0.00</b>" in svg and "to <b>1.00</b>" in svg  # the cosine's own scale
    png = base64.b64decode(re.search(r'href="data:image/png;base64,([^"]+)"', svg).group(1))
    raw = zlib.decompress(png[png.index(b"IDAT") + 4:])
    assert tuple(raw[1:4]) == tuple(colormap(np.array([[0.76]]))[0, 0])  # coloured as 0.76, not as the least
    # a matrix whose top cells lie above the 99.5th percentile says its top colour holds them
    sim = np.full((20, 20), 0.1, dtype=np.float32)
    sim[np.arange(20), np.arange(20)] = np.linspace(0.2, 0.3, 20)
    sim[0, 0] = 0.9
    big_al = Alignment(make_doc([f"جملة {i}." for i in range(20)], "ar", "b.ar", sep=" "),
                       make_doc([f"Sentence {i}." for i in range(20)], "en", "b.en", sep=" "),
                       tuple(Link((i,), (i,), 0.5, {"cosine": 0.5}) for i in range(20)), "parallel",
                       "model:use-m3|mode:parallel|v:0.1.0")
    legend = html.unescape(matrix_svg(big_al, sim))
    assert re.search(r"to <b>0\.\d\d</b> or more", legend)
    # the length-ratio histogram's last bar says it holds everything from its start up
    page = html.unescape(render(Alignment(ar, make_doc(["Yes."], "en", "c.en", sep=" "),
                                          (Link((0,), (0,), 0.3, {"cosine": 0.3}),), "parallel",
                                          "model:use-m3|mode:parallel|v:0.1.0"), sim=None))
    assert "2.85 or more: 1" in page and "≥ 3.00" in page
    assert "aligner score: the one value is 0.30" in page


def test_sentences_of_rejected_links_are_not_counted_as_linked_in_parallel_mode(tmp_path: Path) -> None:
    """Stop 55: in parallel mode a rejected link still holds its sentences (each is in one link), and
    the summary said "4 (4 linked)" beside "1 rejected"; a reader takes "linked" for accepted."""
    from dataclasses import replace

    al = small_alignment()
    links = list(al.links)
    links[2] = replace(links[2], features={**links[2].features, "status": "rejected"})  # ar 2 / en 1, 2
    page = html.unescape(render(replace(al, links=tuple(links)), sim=None))
    assert "<td>Arabic sentences</td><td><b>4 (1 linked, 1 in rejected links)</b>" in page
    assert "<td>English sentences</td><td><b>4 (1 linked, 2 in rejected links)</b>" in page
    assert "<td>Arabic sentences</td><td><b>4 (2 linked)</b>" in html.unescape(render(al, sim=None))
    src = tmp_path / "one.json"
    with open(src, "w", encoding="utf-8") as fh:
        write_json(replace(al, links=al.links[:1]), fh)
    res = CliRunner().invoke(main, ["report", str(src), "--no-matrix"])
    assert res.exit_code == 0, res.output
    assert res.stderr.strip().endswith("one.html: report of 1 link")
