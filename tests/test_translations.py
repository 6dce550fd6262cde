"""Every user-facing string has an English translation, and Dutch stays the default.

The source strings are Dutch (B1): Dutch is the first language of the site.
This test extracts the strings from a copy of the code with Django's
makemessages (GNU gettext), so a new string without a translation fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["assembly", "sessions", "participants", "recommendations", "config", "templates",
           "locale", "manage.py"]


def _extract(tmp_path: Path) -> Path:
    tree = tmp_path / "project"
    tree.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tree / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete"],
        cwd=tree, check=True, capture_output=True, timeout=180,
    )
    return tree / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_it_has_an_english_translation_for_every_string(tmp_path: Path) -> None:
    with _extract(tmp_path).open("rb") as handle:
        catalog = read_po(handle)
    missing = [message.id for message in catalog if message.id and not message.string]
    plural_missing = [
        message.id for message in catalog
        if message.id and isinstance(message.string, tuple) and not all(message.string)
    ]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert missing == [], f"untranslated strings (run makemessages, then translate): {missing}"
    assert plural_missing == []
    assert fuzzy == [], f"fuzzy translations to check: {fuzzy}"


def test_it_compiles_both_catalogs() -> None:
    for language in ("nl", "en"):
        po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        with po.open("rb") as handle:
            catalog = read_po(handle)
        # A catalog whose header is marked fuzzy is skipped by the compiler.
        assert not catalog.fuzzy, f"{po} header is marked fuzzy"
        assert po.with_suffix(".mo").exists(), f"{po} is not compiled: run `make messages`"
