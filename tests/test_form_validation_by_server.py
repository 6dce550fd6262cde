"""Every form that posts something a person types or ticks carries
``novalidate``: the server checks it and says what is wrong in Dutch (or
English) at the field and in the summary. Without it the browser stops the
form with a bubble of its own, in the language of the phone, and our message
never shows."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
# What a person fills in: the shared field templates, a bound field, or an
# input that is neither hidden nor a button.
ENTRY = re.compile(
    r"_fields\.html|form_fields\.html|\{\{ *\w*form\.\w+ *\}\}|\{\{ *field *\}\}"
    r'|<input(?![^>]*type="(?:hidden|submit)")|<select|<textarea'
)


def forms_without_novalidate(text: str) -> list[int]:
    """Line numbers of the POST forms in ``text`` with an entry but no novalidate."""
    found = []
    for form in FORM.finditer(text):
        tag = form.group(0)[: form.group(0).index(">") + 1]
        if (
            'method="post"' in tag.lower()
            and "novalidate" not in tag
            and ENTRY.search(form.group(0))
        ):
            found.append(text[: form.start()].count("\n") + 1)
    return found


def test_every_form_with_an_entry_is_checked_by_the_server() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}:{line}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line in forms_without_novalidate(path.read_text())
    ]
    assert found == []


def test_the_check_finds_a_form_that_the_browser_would_stop() -> None:
    page = """<p>x</p>
<form method="post">{% csrf_token %}
  <input type="checkbox" name="confirm" required>
  <button type="submit">Nu wissen</button>
</form>
<form method="post" novalidate><input type="text" name="reason" required></form>
<form method="post"><input type="hidden" name="item" value="1"><button>Uit de batch</button></form>
"""
    assert forms_without_novalidate(page) == [2]
