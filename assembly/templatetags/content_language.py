"""Marking text that people wrote in Dutch on a page shown in English.

Members, the chair and organisers write recommendations, ballots and answers
in Dutch; the English site shows them as written. A screen reader reads a
page in the page's language unless a part says otherwise (WCAG 2.1, 3.1.2
Language of Parts): without ``lang="nl"`` an English voice reads the Dutch.

- ``{{ text|in_dutch }}``: the text, in a ``<span lang="nl">`` on a page
  that is not Dutch (also inside ``blocktranslate``);
- ``<div{% dutch_part %}>``: the attribute for an element around longer text.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


def _page_is_dutch() -> bool:
    return (get_language() or "nl").startswith("nl")


@register.filter
def in_dutch(text: Any) -> SafeString:
    if _page_is_dutch() or text in (None, ""):
        return conditional_escape(text if text is not None else "")
    return format_html('<span lang="nl">{}</span>', text)


@register.simple_tag
def dutch_part() -> SafeString:
    return SafeString() if _page_is_dutch() else format_html(' lang="{}"', "nl")
