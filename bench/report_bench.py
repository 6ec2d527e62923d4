"""How big and how smooth is the HTML report of a large alignment? (prints figures)

    .venv/bin/python bench/report_bench.py                 # 5,000 links, synthetic matrix
    .venv/bin/python bench/report_bench.py --links 20000
    .venv/bin/python bench/report_bench.py --file align/covid-cooperation.json   # a real file
    .venv/bin/python bench/report_bench.py --no-browser    # size and render time only

Sentences are NTREX-128 news sentences (../shared/bench, repeated to length) when present,
else generated text. With Chromium (/usr/bin/chromium) and Playwright it opens the page
headless and measures load time and frame intervals while scrolling the whole page
(--step px per animation frame, default 1,000), the time to jump to a link, to filter by the
"show" menu, and to find a word and clear the find box (each until the count of links shown
changes; 120 ms of it is the box's wait for the typing to stop). Timings on a shared 2-core
machine are pessimistic.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parallel.data import Alignment, Document, Link, Segment
from parallel.readers import read_alignment
from parallel.report import render

NTREX = ROOT.parent / "shared" / "bench" / "ntrex128_arb_eng"


def _doc(sentences: list[str], lang: str) -> Document:
    segs, pos, parts = [], 0, []
    for i, s in enumerate(sentences):
        segs.append(Segment(s, lang, i, 0, pos, pos + len(s)))
        parts.append(s)
        pos += len(s) + 1
    return Document("\n".join(parts), lang, tuple(segs), name=f"bench.{lang}")


def synthetic(n_links: int, seed: int = 0) -> tuple[Alignment, np.ndarray]:
    """``n_links`` links (mostly 1-1, some 2-1/1-2/1-0/0-1) and a banded similarity matrix."""
    rng = np.random.default_rng(seed)
    if (NTREX / "newstest2019-ref.arb.txt").is_file():
        ar_pool = (NTREX / "newstest2019-ref.arb.txt").read_text(encoding="utf-8").splitlines()
        en_pool = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    else:
        ar_pool = [f"هذه جملة عربية رقم {i} في نص طويل عن التعاون الدولي." for i in range(1000)]
        en_pool = [f"This is English sentence number {i} in a long text on cooperation." for i in range(1000)]
    kinds = rng.choice(["1-1", "2-1", "1-2", "1-0", "0-1"], size=n_links, p=[0.85, 0.05, 0.05, 0.025, 0.025])
    links, s, t = [], 0, 0
    for k in kinds:
        a, b = (int(x) for x in k.split("-"))
        cos = float(np.clip(rng.beta(6, 3), 0, 1)) if a and b else None
        feats: dict[str, object] = {}
        if cos is not None:
            feats = {"cosine": round(cos, 6), "margin": round(cos * 1.6, 6),
                     "length_ratio": round(float(rng.lognormal(-0.15, 0.2)), 6),
                     "numbers": "differ" if rng.random() < 0.03 else "none"}
        links.append(Link(tuple(range(s, s + a)), tuple(range(t, t + b)), cos or 0.0, feats))
        s, t = s + a, t + b
    ar = _doc([ar_pool[i % len(ar_pool)] for i in range(s)], "ar")
    en = _doc([en_pool[i % len(en_pool)] for i in range(t)], "en")
    sim = rng.random((s, t), dtype=np.float32) * 0.3
    for link in links:
        for i in link.src:
            for j in link.tgt:
                sim[i, j] = 0.5 + 0.4 * rng.random()
    return Alignment(ar, en, tuple(links), "parallel", "model:use-m3|mode:parallel|bench:synthetic"), sim


def browse(path: Path, step: int = 1000) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        load = time.perf_counter() - t0
        nav = page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])")
        dom = json.loads(nav)
        frames = page.evaluate("""async (step) => {
            const gaps = []; let last = performance.now();
            const end = document.documentElement.scrollHeight;
            for (let y = 0; y < end; y += step) {
                window.scrollTo(0, y);
                await new Promise(r => requestAnimationFrame(r));
                const now = performance.now(); gaps.push(now - last); last = now;
            }
            return gaps; }""", step)
        t1 = time.perf_counter()
        page.fill("#go", "4000")
        page.press("#go", "Enter")
        page.wait_for_timeout(50)
        jump = time.perf_counter() - t1
        filt0 = time.perf_counter()
        page.select_option("#show", "only-low")
        filt = time.perf_counter() - filt0
        page.select_option("#show", "")
        # find: the time from typing a word to the count of links shown, and to clearing it
        finds = []
        for query in ("the", ""):
            before = page.text_content("#shown")
            f0 = time.perf_counter()
            page.fill("#find", query)
            page.wait_for_function("before => document.getElementById('shown').textContent !== before",
                                   arg=before, timeout=300_000)
            finds.append(time.perf_counter() - f0)
        browser.close()
    f = np.asarray(frames)
    return {"load_s": load, "dom_content_loaded_ms": float(dom["domContentLoadedEventEnd"]),
            "load_event_ms": float(dom["loadEventEnd"]), "frames": len(f),
            "frame_median_ms": float(np.median(f)), "frame_p95_ms": float(np.percentile(f, 95)),
            "frame_max_ms": float(f.max()), "frames_over_50ms": int((f > 50).sum()),
            "jump_s": jump, "filter_s": filt, "find_s": finds[0], "find_clear_s": finds[1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--links", type=int, default=5000)
    ap.add_argument("--file", help="report this native alignment file instead (matrix from the encoder)")
    ap.add_argument("--out", default="/tmp/report_bench.html")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--step", type=int, default=1000, help="pixels scrolled per animation frame")
    ap.add_argument("--compare", action="store_true",
                    help="also measure the same page without content-visibility (the baseline)")
    opts = ap.parse_args()
    t0 = time.perf_counter()
    if opts.file:
        from parallel.report import similarity_matrix

        al = read_alignment(opts.file)
        sim = similarity_matrix(al)
    else:
        al, sim = synthetic(opts.links)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    page = render(al, sim=sim)
    t_render = time.perf_counter() - t0
    data = page.encode("utf-8")
    Path(opts.out).write_bytes(data)
    text_bytes = sum(len(s.text.encode("utf-8")) for d in (al.src, al.tgt) for s in d.segments)
    print(f"links: {len(al.links)}  sentences: {len(al.src)} x {len(al.tgt)}  (input built in {t_build:.1f}s)")
    print(f"render: {t_render:.2f}s  html: {len(data) / 1e6:.2f} MB (corpus text {text_bytes / 1e6:.2f} MB, "
          f"gzip {len(gzip.compress(data)) / 1e6:.2f} MB) -> {opts.out}")
    if opts.no_browser or not Path("/usr/bin/chromium").exists():
        return
    try:
        figures = browse(Path(opts.out), opts.step)
    except ImportError:
        print("browser: playwright not installed")
        return
    print("browser: " + "  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                  for k, v in figures.items()))
    if opts.compare:
        base = Path(opts.out).with_suffix(".baseline.html")
        base.write_text(page.replace("content-visibility:auto;", ""), encoding="utf-8")
        figures = browse(base, opts.step)
        print("baseline (no content-visibility): " + "  ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
