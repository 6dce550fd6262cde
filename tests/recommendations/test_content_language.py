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


@pytest.mark.django_db
def test_the_members_ballot_pages_mark_the_dutch_ballot_text(cast: Cast) -> None:
    from participants.models import PanelMember
    from tests.recommendations.test_ballots import open_ballot, voters

    members = voters(cast.assembly, 2)
    PanelMember.objects.filter(pk=members[0].pk).update(user=cast.users["member"])
    ballot = open_ballot(cast)
    english = Client()
    english.force_login(cast.users["member"])
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    kwargs = {"slug": cast.assembly.slug}
    listing = english.get(reverse("recommendations:vote_list", kwargs=kwargs)).content.decode()
    assert f'<h3><span lang="nl">{ballot.title}</span></h3>' in listing
    vote_url = reverse("recommendations:vote", kwargs={**kwargs, "number": ballot.number})
    confirm = english.post(vote_url, {"choice": "for"}).content.decode()
    assert f'<h2><span lang="nl">{ballot.title}</span></h2>' in confirm
