"""Review and correct an alignment in the browser (``parallel-corpus review``).

:mod:`.store` holds the edits (no web framework); :mod:`.app` is the Flask app
(Flask is imported only when the app is made).
"""

from __future__ import annotations

from ..data import review_order
from .store import ConflictError, ReviewStore, fingerprint, merge_refusal

__all__ = ["ConflictError", "ReviewStore", "fingerprint", "merge_refusal", "review_order"]
