"""Rows of the permission matrix, one module per capability.

Each module defines ROWS: dict[url name, tests.test_permission_matrix.Row].
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]
