"""The review web app: Flask, bound to 127.0.0.1, one alignment folder.

Security (the corpus text and the network are untrusted):

* the server listens on 127.0.0.1 only and answers only requests whose ``Host``
  is ``127.0.0.1:PORT`` or ``localhost:PORT`` (no DNS rebinding);
* changes are POSTs with a JSON body, a per-run CSRF token in a header, and an
  ``Origin`` (when sent) equal to the app's own; ``Sec-Fetch-Site`` must not be
  cross-site;
* files: only ``*.json`` alignment files directly in the folder of the file
  given on the command line (no ``..``, no sub-folders, no symlinks out);
* the page builds the DOM with ``textContent`` only, and a strict
  Content-Security-Policy forbids inline script, so corpus text cannot run.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import threading
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..data import Alignment, review_order, unmatched
from ..errors import InputError, ParallelError
from ..normalize import fold_tables
from ..report import (
    confidence_legend,
    hover_text,
    is_rtl,
    kept_from,
    lang_name,
    link_views,
    nothing_linked,
    numbers_badge,
    pending_below_bar,
    shown_confidence,
)
from .store import (
    ConflictError,
    ReadOnlyError,
    ReviewStore,
    SaveError,
    link_holding,
    merge_refusal,
)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
OPS = ("status", "note", "merge", "split", "relink", "delete")


def _asset(name: str) -> bytes:
    return resources.files("parallel").joinpath("resources", "review", name).read_bytes()


def safe_file(folder: Path, name: str | None, default: Path) -> Path:
    """The alignment file ``name`` inside ``folder`` (default: the one under review).

    Refuses anything but a plain ``*.json`` file name in that folder, or the name of the file under
    review, whatever it ends with (``review work.align`` opened it, and every edit the page sent with
    its name was refused).
    """
    if name is None or name == "" or (name == default.name and default.parent == folder):
        return default
    if (not isinstance(name, str) or "/" in name or "\\" in name or name.startswith(".") or "\x00" in name
            or not name.endswith(".json") or len(name) > 255 or not name.isprintable()):
        raise PermissionError(str(name)[:80])
    try:
        p = (folder / name).resolve()
        ok = p.parent == folder and p.is_file()
    except (OSError, ValueError):
        ok = False
    if not ok:
        raise PermissionError(name)
    return p


_NATIVE_HEAD = re.compile(rb'^\s*\{\s*"format"\s*:\s*"parallel-alignment"')


def listed_files(folder: Path, main: Path | None = None) -> list[str]:
    """The ``*.json`` files of ``folder`` that :func:`safe_file` would open (no symlink out) and
    that are alignments (the native JSON opens with its format name; other JSON is not listed),
    and ``main``, the file under review, whatever its name ends with."""
    out = [main.name] if main is not None and main.parent == folder and main.suffix != ".json" else []
    for p in folder.glob("*.json"):
        try:
            safe_file(folder, p.name, folder)
            with p.open("rb") as fh:
                head = fh.read(256)
        except (PermissionError, OSError):
            continue
        if _NATIVE_HEAD.match(head):
            out.append(p.name)
    return sorted(out)


def _has_surrogate(value: Any) -> bool:
    """True when a string anywhere in a parsed JSON value holds a lone surrogate."""
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


MAX_DEPTH = 8


def _depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Nesting depth of a parsed JSON value (stops counting past ``limit``)."""
    if limit < 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(v, limit - 1) for v in items), default=0)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or an InputError (bad JSON, too deep, lone surrogates, not an object)."""
    import json

    raw = request.get_data(cache=False)
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # a chunked body is cut at the limit without a word (Werkzeug checks only Content-Length):
        # refused as too large, as one that says its length is, not as broken JSON
        from werkzeug.exceptions import RequestEntityTooLarge

        raise RequestEntityTooLarge()
    try:
        body = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise InputError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InputError("JSON object expected")
    if _depth(body) > MAX_DEPTH:
        raise InputError(f"JSON nested deeper than {MAX_DEPTH} levels")
    if _has_surrogate(body):
        raise InputError("the body holds invalid Unicode text (a lone surrogate)")
    return body


def _rows(shown: Alignment, start: int, stop: int, measure: str) -> list[dict[str, Any]]:
    """The page's rows of the links ``start`` to ``stop - 1`` of ``shown`` (the links in
    :func:`review_order`; ``measure``: the row's name of what colours it, :func:`state_of`):
    each link's views read the link alone, and its ``merge_next`` the link after it."""
    from ..report import measure_of

    sub = replace(shown, links=shown.links[start:stop])
    if measure_of(sub) == measure_of(shown):  # a link's band reads the file's
        views = [replace(v, index=v.index + start) for v in link_views(sub)]
    else:
        views = link_views(shown)[start:stop]
    rows = []
    for v in views:
        # may this link be merged with the next one listed ("Merge ↓")? comparable mode: only when
        # the two are next to each other in both texts; if not, why (the server refuses it too)
        merge_why = (merge_refusal(shown, v.index, v.index + 1) if v.index + 1 < len(shown.links)
                     else "no next link")
        rows.append({  # the report's value and band: a link without p (edited, no encoder) is "none"
            "src": list(v.link.src), "tgt": list(v.link.tgt), "kind": v.link.kind,
            "score": v.link.score, "conf": v.confidence, "band": v.band, "measure": measure,
            # the value as the report shows it: never across its colour's edge (0.8995 mid is 0.89)
            "shown": shown_confidence(v.confidence, measure == "p") if v.confidence is not None else None,
            "status": v.link.features.get("status") or "", "note": v.link.features.get("note") or "",
            "edited": v.link.features.get("edited") or "", "numbers": v.numbers,
            "numbers_badge": numbers_badge(v.numbers, v.numbers_src, v.numbers_tgt),
            "hover": hover_text(v),
            "merge_next": not merge_why, "merge_why": merge_why,
        })
    return rows


def changed_rows(before: Alignment, after: Alignment) -> tuple[int, int] | None:
    """The rows an edit changed, from ``before`` to ``after`` (each in :func:`review_order`), as
    ``(start, stop)``; None when it changed how many links there are (every row after the edit
    has another number: the page is sent whole). The run of links the edit replaced (an untouched
    link is the same object), and the row before it (whose "Merge ↓" reads the next link)."""
    old, new = before.links, after.links
    if len(old) != len(new):
        return None
    p = 0
    while p < len(new) and old[p] is new[p]:
        p += 1
    s = 0
    while s < len(new) - p and old[-1 - s] is new[-1 - s]:
        s += 1
    return max(0, p - 1), len(new) - s


def state_of(store: ReviewStore, folder: Path, al: Alignment | None = None, *,
             texts: bool = True, since: Alignment | None = None, main: Path | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data (``al``: the file's content, if just read).

    ``texts=False`` leaves the documents' sentences out (edits never change them; the
    page keeps them from the first load). The links are listed in :func:`review_order` (the
    numbers an edit's ``link`` / ``other`` use), each with ``merge_next`` (may it be merged with
    the next one listed) and ``merge_why`` (if not, why); ``rev`` is the fingerprint of the
    file's links in the file's own order. ``unmatched_src`` / ``unmatched_tgt``: the sentences
    listed as unmatched (comparable mode: a rejected pair's too, ``rejected_src`` / ``rejected_tgt``
    naming its link, :func:`parallel.data.unmatched`), and the pairs below the bar are those of such
    sentences (not a pair the reviewer rejected: :func:`parallel.report.pending_below_bar`).

    ``since``: the file as the page last had it (its state, whole): when the edit kept the number
    of links and what colours them, the links are not sent whole but as ``delta``: ``{"start",
    "links"}``, the rows from ``start`` on that changed (:func:`changed_rows`); every other field
    is sent as always. A book's accept is then a reply of a few kB, not of megabytes.
    """
    if al is None:
        al = store.load()
    shown = review_order(al)  # comparable: by source sentence, then target, whatever the file's order

    def doc(d: Any) -> dict[str, Any]:
        out = {"lang": d.lang, "name": Path(d.name).name if d.name else None,
               "label": lang_name(d.lang), "dir": "rtl" if is_rtl(d.lang) else "ltr",
               "size": len(d)}
        if texts:
            out["sentences"] = d.sentences
        return out

    legend = confidence_legend(al)  # the report's: what the colours are, p or (an older file) cosine
    measure = {"cosine": "cos"}.get(legend["measure"], legend["measure"])
    span = changed_rows(review_order(since), shown) if since is not None else None
    if span is not None and since is not None and confidence_legend(since) == legend:
        links: dict[str, Any] = {"delta": {"start": span[0], "links": _rows(shown, *span, measure)}}
    else:
        links = {"links": _rows(shown, 0, len(shown.links), measure)}
    files = listed_files(folder, main)
    free = unmatched(shown)
    below = pending_below_bar(shown)
    history = store.undo_depth(al.links)
    return {
        "file": store.path.name, "files": files, "mode": al.mode, "signature": al.signature,
        "src": doc(al.src), "tgt": doc(al.tgt), **links,
        "unmatched_src": free["src"], "unmatched_tgt": free["tgt"],
        "rejected_src": free["rejected_src"], "rejected_tgt": free["rejected_tgt"],
        "below_bar": [{**c, "numbers_badge": numbers_badge(c["numbers"], c["numbers_src"], c["numbers_tgt"])}
                      for c in below],
        "bar": kept_from(al),
        "fold": fold_tables() if texts else None,  # the page's search folds text as grep does
        "rev": store.revs.of(al.links), "history": history, "legend": legend["text"],
        "legend_keys": legend["keys"], "measure": legend["measure"],
        "read_only": store.read_only(),
        "warning": str(al.info["warning"]) if al.info.get("warning") else "",
        # why the aligner linked nothing, as the report says it; not once the file was edited here
        # (a reviewer may have deleted the links: the file does not say it)
        "none_linked": nothing_linked(al) if history == 0 else "",
    }


def _encoder_for(al: Alignment) -> Any:
    from ..report import _cached_encoder, matrix_encoder

    return _cached_encoder(matrix_encoder(al))


def rescored(before: Alignment, after: Alignment) -> list[dict[str, Any]]:
    """The links an edit did not touch whose p it moved (in a translation a link's p reads its
    neighbours: a gap next to it, a contested cut, :func:`parallel.review.store._regap`), so the
    page can say so instead of recolouring a row behind the reviewer's back: ``link`` (its
    number now, in :func:`review_order`), ``src``, ``tgt``, ``was`` and ``p``."""
    old = {(k.src, k.tgt): k.features.get("p") for k in before.links}
    out = []
    for n, k in enumerate(review_order(after).links):
        was, now = old.get((k.src, k.tgt)), k.features.get("p")
        if isinstance(was, int | float) and isinstance(now, int | float) and round(float(was), 2) != round(float(now), 2):
            out.append({"link": n, "src": list(k.src), "tgt": list(k.tgt), "was": float(was), "p": float(now)})
    return out


def create_app(path: str | Path, *, port: int = 0, token: str | None = None, embed: bool = True) -> Flask:
    """A Flask app reviewing ``path`` (and its sibling ``*.json`` alignment files).

    ``port`` is the port the server listens on (for the Host/Origin checks). With
    ``embed``, links a reviewer changes get a fresh cosine from the encoder named in
    the alignment's signature (loaded on the first such change).
    """
    main = Path(path).resolve()
    folder = main.parent
    app = Flask(__name__, static_folder=None)
    app.config["PORT"] = port
    app.config["TOKEN"] = token or secrets.token_urlsafe(32)
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    stores: dict[Path, ReviewStore] = {}
    stores_lock = threading.Lock()

    def store_for(name: Any) -> ReviewStore:
        """The one store of a file (by resolved path): created under a lock, so two requests
        racing on a fresh server never get two stores (two locks) for one file."""
        try:
            p = safe_file(folder, name, main)
        except PermissionError:
            abort(403, description="that file is not an alignment in the reviewed folder")
        with stores_lock:
            if p not in stores:
                stores[p] = ReviewStore(p, encoder=_encoder_for if embed else None)
            return stores[p]

    def allowed_hosts() -> set[str]:
        port_ = app.config["PORT"]
        return {f"127.0.0.1:{port_}", f"localhost:{port_}"}

    @app.before_request
    def _guard() -> None:
        if request.host not in allowed_hosts():
            abort(403, description="unexpected Host header")
        site = request.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            abort(403, description="cross-site request refused")
        if request.method != "GET":
            origin = request.headers.get("Origin")
            if origin is not None and origin not in {f"http://{h}" for h in allowed_hosts()}:
                abort(403, description="request from another origin refused")
            if not secrets.compare_digest(request.headers.get("X-CSRF-Token", ""), app.config["TOKEN"]):
                # the page's token is from another run of the server (it was stopped and started
                # again since the page was loaded): only a reload gets the new one
                abort(403, description="missing or wrong CSRF token: the page is older than the review "
                                       "server now running (it was restarted); reload the page to go on")
            if not request.is_json:
                abort(415, description="JSON body expected")

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        resp.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    def files_too() -> dict[str, Any]:
        """A page that could not load a file (broken, or gone) still gets the folder's files, so
        its menu offers a way out (it was left empty, and only editing the address helped)."""
        return {"files": listed_files(folder, main)} if request.path == "/api/state" else {}

    @app.errorhandler(ParallelError)
    def _parallel_error(exc: ParallelError) -> tuple[Response, int]:
        code = (409 if isinstance(exc, ConflictError) else 403 if isinstance(exc, ReadOnlyError)
                else 500 if isinstance(exc, SaveError) else 400)
        return jsonify(error=str(exc), **files_too()), code

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int]:
        return jsonify(error=exc.description or exc.name, **files_too()), exc.code or 500

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:  # a bug: still JSON, never a page
        app.logger.error("review: %s: %s", type(exc).__name__, exc)
        return jsonify(error=f"internal error: {type(exc).__name__}"), 500

    @app.get("/")
    def index() -> Response:
        page = _asset("index.html").decode("utf-8").replace("{{TOKEN}}", app.config["TOKEN"])
        return Response(page, mimetype="text/html")

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return Response(status=204)

    @app.get("/static/<name>")
    def static_file(name: str) -> Response:
        types = {"review.js": "text/javascript", "fold.js": "text/javascript", "review.css": "text/css"}
        if name not in types:
            abort(404)
        return Response(_asset(name), mimetype=types[name])

    @app.get("/api/state")
    def get_state() -> Response:
        return jsonify(state_of(store_for(request.args.get("file")), folder, main=main))

    @app.post("/api/op")
    def post_op() -> Response:
        body = json_body()
        op = body.get("op")
        if not isinstance(op, str) or op not in OPS:
            raise InputError(f"unknown operation {op!r}")
        args = body.get("args") or {}
        if not isinstance(args, dict):
            raise InputError("args must be an object")
        store = store_for(body.get("file"))
        carried: list[dict[str, Any]] = []  # links whose note a relink took in
        dropped: list[dict[str, Any]] = []  # rejected links a relink took a sentence of (comparable mode)
        was: list[Alignment] = []
        al, freed = store.edit(op, args, rev=_rev(body), carried=carried, dropped=dropped, was=was)
        # the row to show after a relink: where the link now is (comparable mode lists by text order)
        at = link_holding(al, args) if op == "relink" else None
        return jsonify({**state_of(store, folder, al, texts=False, since=_since(body, was), main=main), "unlinked": freed,
                        "at": at, "carried": carried, "dropped": dropped,
                        "rescored": rescored(was[0], al) if was else []})

    @app.post("/api/undo")
    def post_undo() -> Response:
        body = json_body()
        store = store_for(body.get("file"))
        undone: dict[str, Any] = {}
        was: list[Alignment] = []
        al = store.undo(rev=_rev(body), undone=undone, was=was)
        # what was undone, so the page can say it and show the row (it said only "Undone")
        return jsonify({**state_of(store, folder, al, texts=False, since=_since(body, was), main=main), "undone": undone})

    return app


def _since(body: dict[str, Any], was: list[Alignment]) -> Alignment | None:
    """The file as the page had it, when the page asked for the changed rows alone (``"delta":
    true``) and sent the ``rev`` the edit was checked against: the page holds that state whole."""
    return was[0] if body.get("delta") is True and isinstance(body.get("rev"), str) and was else None


def _rev(body: dict[str, Any]) -> str | None:
    """The request's ``rev`` (the fingerprint of the links the page shows), or None: anything but
    text is a bad request (400), not a conflict (409: "the file changed since this page loaded it")."""
    rev = body.get("rev")
    if rev is not None and not isinstance(rev, str):
        raise InputError(f"rev must be the text the page was given, got {type(rev).__name__}")
    return rev


def serve(path: str | Path, *, port: int = 0, open_browser: bool = False,
          log: Any = None) -> None:
    """Serve the review app on 127.0.0.1 until interrupted. The page's address goes to standard
    output always (``--port 0`` picks a free port: without it nothing would tell which); the
    server's line per request is not shown (its errors are). Ctrl-C or SIGTERM (``kill``, a
    service manager) is how a server is stopped, not an error: ``log`` says so and the call
    returns. The file holds every change the page was told is saved (each is written whole, to a
    temporary file renamed over it, before the page is answered)."""
    import logging
    import signal

    from werkzeug.serving import make_server

    ReviewStore(path).load()  # fail early, with a one-line error, on a bad file
    app = create_app(path, port=port)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, app, threaded=True)
    app.config["PORT"] = server.server_port
    url = f"http://127.0.0.1:{server.server_port}/"
    print(url, flush=True)
    if log:
        log(f"reviewing {Path(path).name} at {url} (Ctrl-C to stop; every change is saved at once)")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    term: Any = None
    with contextlib.suppress(ValueError):  # not in the main thread: leave SIGTERM as it is
        term = signal.signal(signal.SIGTERM, stop)
    try:
        with contextlib.suppress(KeyboardInterrupt):  # (werkzeug's loop already takes it)
            server.serve_forever()
        if log:
            log("review stopped; every change the page reported saved is in the file")
    finally:
        server.server_close()
        if term is not None:
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, term)
