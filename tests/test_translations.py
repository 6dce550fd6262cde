"""Every user-facing string has an English translation, and Dutch stays the default.

The source strings are Dutch (B1): Dutch is the first language of the site.
This test extracts the strings from a copy of the code with Django's
makemessages (GNU gettext), so a new string without a translation fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import allauth
from babel.messages.pofile import read_po
from django.utils import translation

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
    overrides = ROOT / "locale_overrides" / "nl" / "LC_MESSAGES" / "django.mo"
    assert overrides.exists(), f"{overrides} is not compiled: run `make messages`"


INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|\{\w*\}|<[^>]+>")


def _allauth_dutch_saying(
    pattern: re.Pattern[str],
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(allauth's Dutch, ours) for each allauth string whose own Dutch matches
    ``pattern``; ours is what the site shows (locale_overrides/ first)."""
    path = Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        library = read_po(handle)
    found = []
    with translation.override("nl"):
        for message in library:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            theirs = message.string if isinstance(message.string, tuple) else (message.string,)
            if not any(pattern.search(text or "") for text in theirs):
                continue
            if len(ids) == 2:
                ours = tuple(translation.ngettext(ids[0], ids[1], n) for n in (1, 2))
            elif message.context:
                ours = (translation.pgettext(message.context, ids[0]),)
            else:
                ours = (translation.gettext(ids[0]),)
            found.append((theirs, ours))
    return found


def test_it_says_u_where_the_login_library_says_je() -> None:
    # django-allauth's own Dutch addresses people with "je"; the rest of the
    # site says "u". locale_overrides/ gives every such string in "u", with the
    # same placeholders. A new allauth version with a new "je" string fails here.
    found = _allauth_dutch_saying(INFORMAL)
    informal = [ours for _theirs, ours in found if any(INFORMAL.search(t) for t in ours)]
    broken = [
        (theirs[0], ours[0])
        for theirs, ours in found
        if sorted(PLACEHOLDER.findall(ours[0])) != sorted(PLACEHOLDER.findall(theirs[0]))
    ]
    assert len(found) > 50, f"only {len(found)} informal strings in allauth's Dutch: wrong catalog?"
    assert informal == [], f"still 'je' (add them to locale_overrides/nl): {informal}"
    assert broken == [], f"placeholders differ from allauth's: {broken}"


LOGIN_AS_SIGN_UP = re.compile(
    r"(aan|af)(ge)?meld|aan te melden|af te melden|\bmeld\w*\b.*\b(aan|af)\b", re.IGNORECASE
)


def test_logging_in_is_never_called_aanmelden() -> None:
    # On this site "aanmelden" is signing up for the assembly or checking in
    # at the desk, and "afmelden" is leaving it. django-allauth's own Dutch
    # uses both words for logging in and out; locale_overrides/nl says
    # "inloggen" and "uitloggen" instead.
    found = _allauth_dutch_saying(LOGIN_AS_SIGN_UP)
    ours_say_it = [ours for _theirs, ours in found if any(LOGIN_AS_SIGN_UP.search(t) for t in ours)]
    assert len(found) > 10, f"only {len(found)} in allauth's Dutch: wrong catalog?"
    assert ours_say_it == [], f"add these to locale_overrides/nl: {ours_say_it}"
