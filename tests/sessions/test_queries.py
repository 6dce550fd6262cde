"""The programme pages and feeds keep a constant number of queries, whatever the
number of sessions, experts and materials."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions.models import Expert, Material, Session, Weekend
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.sessions.schedule_helpers import make_session

pytestmark = pytest.mark.django_db


def _fill(cast: Cast, per_weekend: int) -> None:
    """``per_weekend`` sessions on each of the first two weekends, each with an expert and
    material, all published."""
    for weekend in Weekend.objects.filter(assembly=cast.assembly, number__in=[1, 2]):
        Session.objects.filter(weekend=weekend).delete()
        for n in range(per_weekend):
            session = make_session(
                weekend,
                (8 + (n % 14), 0),
                (8 + (n % 14), 30),
                day=(n // 14) % 2,
                room=f"Zaal {n}",
                title=f"Onderdeel {n}",
            )
            expert = Expert.objects.create(assembly=cast.assembly, name=f"Deskundige {n}")
            session.experts.add(expert)
            Material.objects.create(
                assembly=cast.assembly,
                session=session,
                title=f"Stuk {n}",
                kind="link",
                summary="Kort.",
                status=Material.Status.RELEASED,
            )
            Material.objects.create(
                assembly=cast.assembly,
                weekend=weekend,
                title=f"Weekendstuk {n}",
                kind="link",
                summary="Kort.",
                status=Material.Status.PUBLIC,
            )
        weekend.published_at = timezone.now()
        weekend.save(update_fields=["published_at"])


def _count(fetch: Callable[[], int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert fetch() == 200
    return len(queries)


def _pages(cast: Cast) -> dict[str, tuple[str, str | None]]:
    slug = cast.assembly.slug
    token = calendar_token(user_id=cast.users["member"].pk, assembly_id=cast.assembly.pk)
    return {
        "my_programme": (reverse("programme:my_programme", kwargs={"slug": slug}), "member"),
        "weekend_manage": (
            reverse("programme:weekend_manage", kwargs={"slug": slug, "number": 1}),
            "organiser",
        ),
        "weekend_list": (reverse("programme:weekend_list", kwargs={"slug": slug}), "organiser"),
        "public_programme": (
            reverse("programme:public_programme", kwargs={"slug": slug}),
            None,
        ),
        "public_feed": (reverse("programme:public_feed", kwargs={"slug": slug}), None),
        "private_feed": (
            reverse("programme:private_feed", kwargs={"slug": slug, "token": token}),
            None,
        ),
        "weekend_ics": (
            reverse("programme:weekend_ics", kwargs={"slug": slug, "number": 1}),
            None,
        ),
    }


@pytest.mark.parametrize(
    "page",
    [
        "my_programme",
        "weekend_manage",
        "weekend_list",
        "public_programme",
        "public_feed",
        "private_feed",
        "weekend_ics",
    ],
)
def test_it_uses_as_many_queries_for_50_sessions_as_for_5(
    cast: Cast, page: str, django_assert_max_num_queries: Callable[..., object]
) -> None:
    url, persona = _pages(cast)[page]
    client = Client()
    if persona:
        client.force_login(cast.users[persona])

    _fill(cast, 5)
    few = _count(lambda: client.get(url).status_code)
    _fill(cast, 50)
    many = _count(lambda: client.get(url).status_code)

    assert many == few, f"{page}: {few} queries with 5 sessions, {many} with 50"
    with django_assert_max_num_queries(few):  # type: ignore[operator]
        assert client.get(url).status_code == 200
