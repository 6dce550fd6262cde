"""The per-process cache of rendered template fragments (`{% cache ...
using="fragments" %}`, see templates/base.html).

The fragments depend only on the release: templates, translations and
settings. A new release starts new processes and so a new cache; only a
change of settings while a process runs (tests do this) must empty it.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches

FRAGMENTS = "fragments"


def fragments_forget(**_kwargs: Any) -> None:
    caches[FRAGMENTS].clear()
