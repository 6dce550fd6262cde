"""The overview page ("Overzicht"): the funnel, attendance per weekend, open
claims and recommendations by status; counts only, for organisers, the chair
and the griffie, at a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assembly.models import RoleKind
from recommendations.selectors_dashboard import overview
from tests.conftest import Cast
from tests.factories import AssemblyFactory, RoleFactory, WeekendFactory
from tests.recommendations.test_report import report_assembly


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _url(cast: Cast) -> str:
    return reverse("recommendations:report_overview", kwargs={"slug": cast.assembly.slug})


def test_it_counts_the_funnel_attendance_claims_and_recommendations(cast: Cast) -> None:
    report_assembly(cast.assembly)
    found = overview(assembly=cast.assembly)
    counts = {step.key: step.count for step in found.funnel}
    assert counts == {
        "drawn": 10,
        "invited": 10,
        "registered": 10,
        "selected": 8,
        "confirmed": 8,
        "attending": 6,
    }
    assert [w.present for w in found.weekends[:2]] == [7, 6]
    assert found.open_claims == 1
    assert dict((s, n) for s, _l, n in found.recommendations) == {"adopted": 2, "not_adopted": 1}
    assert len(found.funnel_chart.bars) == 6


def test_the_griffie_sees_charts_and_no_personal_data(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    page = _client(cast, "griffie").get(_url(cast))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 2 and "Van loting tot aanwezig" in html
    for member in built.members:
        registration = member.registration
        assert registration.full_name not in html
        assert registration.email not in html


def test_members_experts_and_facilitators_do_not_see_it(cast: Cast) -> None:
    for persona in ("member", "expert", "facilitator", "other_member"):
        assert _client(cast, persona).get(_url(cast)).status_code == 403, persona
    for persona in ("organiser", "chair", "griffie"):
        assert _client(cast, persona).get(_url(cast)).status_code == 200, persona


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _urls(slug: str) -> list[str]:
    return [
        reverse("recommendations:report_overview", kwargs={"slug": slug}),
        reverse("recommendations:report_final", kwargs={"slug": slug}),
        reverse("recommendations:report_progress", kwargs={"slug": slug, "weekend": 1}),
    ]


def test_the_pages_keep_a_constant_number_of_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    report_assembly(cast.assembly, size=4, recommendations=2)
    big = AssemblyFactory(slug="groot")
    for number in range(1, 8):
        WeekendFactory(assembly=big, number=number)
    report_assembly(big, size=40, recommendations=15)
    RoleFactory(user=cast.users["organiser"], assembly=big, kind=RoleKind.ORGANISER)
    client = _client(cast, "organiser")
    small = {url: _queries(client, url) for url in _urls(cast.assembly.slug)}
    for small_url, big_url in zip(small, _urls(big.slug), strict=True):
        with django_assert_max_num_queries(small[small_url]):
            assert client.get(big_url).status_code == 200
    assert _queries(client, _urls(big.slug)[0]) == small[_urls(cast.assembly.slug)[0]]


def test_chart_labels_are_whole_on_a_line_of_their_own() -> None:
    """A label is never cut off: it has its own line above its bar, and the bar
    and its value stay inside the chart."""
    from recommendations.selectors_dashboard import bar_chart

    long_label = "Beschikbaar voor de loting en nog een hele lange naam erbij"
    chart = bar_chart([(long_label, 100, "100"), ("Aanwezig", 50, "50")])
    first, second = chart.bars
    assert first.label == long_label
    assert first.label_y < first.y < first.y + 22 <= second.label_y - 12
    assert first.value_x > first.width and first.value_x + 40 <= chart.width
    assert second.width == first.width // 2
    assert chart.height >= second.y + 22


def test_the_page_shows_long_labels_whole(cast: Cast) -> None:
    report_assembly(cast.assembly)
    html = _client(cast, "organiser").get(_url(cast)).content.decode()
    labels = [step.label for step in overview(assembly=cast.assembly).funnel]
    assert any(len(label) > 28 for label in labels), labels
    for label in labels:
        assert f">{label}</text>" in html, label
