"""Minutes are written in Markdown and published on a public page: render with
CommonMark (raw HTML switched off) and sanitise the result again with nh3, so
neither a pasted <script> nor a javascript: link reaches a reader. Links go
to http, https and mailto addresses and to paths on this site; "//host" is
not a path here: a browser opens it as https://host. Such a link loses its
address and keeps its text, like a scheme not on the list."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Headings start at h2: the page's own title is the h1.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
        "h2", "h3", "h4", "h5", "h6", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# What a browser strips from the start of an address (" //host" is "//host").
_URL_IGNORED = "".join(chr(code) for code in range(0x21))

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def _demote_headings(html: str) -> str:
    # "# Opening" in minutes would compete with the page's h1; shift h1 → h2 … h5 → h6.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    return html


def is_scheme_relative(href: str) -> bool:
    """Whether a browser reads ``href`` as another site with the page's scheme:
    "//host", also with leading spaces, tabs or newlines in it, or backslashes."""
    address = href.lstrip(_URL_IGNORED)
    for char in "\t\n\r":
        address = address.replace(char, "")
    return address.replace("\\", "/").startswith("//")


def _drop_scheme_relative(tag: str, attribute: str, value: str) -> str | None:
    # nh3 lets every relative address through; "//host" only looks relative.
    if attribute == "href" and is_scheme_relative(value):
        return None
    return value


def render_markdown(text: str) -> SafeString:
    """Safe HTML for a Markdown text written by staff."""
    html = _demote_headings(_parser.render(text))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        attribute_filter=_drop_scheme_relative,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)  # noqa: S308 - nh3 has just removed everything not on the list


def markdown_tokens(text: str) -> list[Token]:
    """The same reading of the Markdown as ``render_markdown``, as tokens: for
    the PDF, which draws the minutes itself instead of showing HTML."""
    return _parser.parse(text)
