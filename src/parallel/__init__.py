"""parallel: align Arabic-English (and other) documents at sentence level.

Importing this package loads no model; encoders are loaded when first used.

>>> import parallel                                        # doctest: +SKIP
>>> al = parallel.align(ar_text, en_text, mode="auto")      # doctest: +SKIP
>>> al.export("pairs.tsv")                                  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the names as type checkers see them; at run time they load lazily (below)
    from .api import align, align_documents, make_document, read_document
    from .data import Alignment, Document, Link, Segment
    from .errors import ParallelError

__all__ = [
    "Alignment",
    "Document",
    "Link",
    "ParallelError",
    "Segment",
    "__version__",
    "align",
    "align_documents",
    "make_document",
    "read_document",
]

_LAZY = {
    "align": "api", "align_documents": "api", "make_document": "api", "read_document": "api",
    "Alignment": "data", "Document": "data", "Link": "data", "Segment": "data",
    "ParallelError": "errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
