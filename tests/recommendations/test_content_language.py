"""Text that members and the chair wrote in Dutch is marked lang="nl" on the
English site (WCAG 2.1, 3.1.2 Language of Parts), so a screen reader reads it
with a Dutch voice; on the Dutch site nothing is marked."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import Cast
from tests.recommendations.test_results import make_recommendation, make_result

TEMPLATE = Template(
    "{% load content_language %}<h2>{{ title|in_dutch }}</h2><div{% dutch_part %}>x</div>"
)


def test_the_marks_appear_only_on_a_page_that_is_not_dutch() -> None:
    context = Context({"title": "Drugs <en> jongeren"})
    with translation.override("en"):
        assert TEMPLATE.render(context) == (
            '<h2><span lang="nl">Drugs &lt;en&gt; jongeren</span></h2><div lang="nl">x</div>'
        )
    with translation.override("nl"):
        assert TEMPLATE.render(context) == "<h2>Drugs &lt;en&gt; jongeren</h2><div>x</div>"


@pytest.mark.django_db
def test_the_public_results_mark_the_recommendations_text_as_dutch(cast: Cast) -> None:
    recommendation = make_recommendation(cast.assembly, 1, title="Meer voorlichting op school")
    make_result(recommendation, votes=(150, 10, 5))
    url = reverse("recommendations:record_results", kwargs={"slug": cast.assembly.slug})

    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = english.get(url).content.decode()
    assert '<span lang="nl">Meer voorlichting op school</span>' in page
    assert '<p lang="nl">De regering moet meer doen aan preventie (1).</p>' in page

    dutch = Client().get(url).content.decode()
    assert 'lang="nl">' not in dutch.split("<main", 1)[1]
