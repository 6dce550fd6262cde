"""Pages read in a constant number of queries, whatever the number of materials,
sessions and experts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.models import Material, Weekend
from tests.conftest import Cast
from tests.sessions_materials.helpers import (
    make_expert,
    make_material,
    make_perspective,
    make_session,
)


def _fill(cast: Cast, count: int) -> None:
    organiser = cast.users["organiser"]
    perspectives = [make_perspective(cast.assembly, f"P{n}", n) for n in range(3)]
    experts = [
        make_expert(cast.assembly, name=f"E{n}", perspective=perspectives[n % 3])
        for n in range(count)
    ]
    weekends = list(Weekend.objects.filter(assembly=cast.assembly).order_by("number"))
    statuses = [Material.Status.DRAFT, Material.Status.RELEASED, Material.Status.PUBLIC]
    for n in range(count):
        weekend = weekends[n % len(weekends)]
        session = make_session(weekend, topic=f"T{n % 4}", n=n % 8)
        session.experts.set([experts[n], experts[(n + 1) % count]])
        kind = [Material.Kind.DOCUMENT, Material.Kind.LINK, Material.Kind.VIDEO][n % 3]
        make_material(
            cast.assembly,
            organiser,
            weekend=weekend,
            session=session,
            expert=experts[n],
            title=f"Stuk {n}",
            kind=kind,
            status=statuses[n % 3],
        )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES: list[tuple[str, str, Callable[[Cast], str]]] = [
    ("member", "programme:materials", lambda cast: cast.assembly.slug),
    ("anonymous", "programme:materials_public", lambda cast: cast.assembly.slug),
    ("organiser", "programme:material_list", lambda cast: cast.assembly.slug),
    ("organiser", "programme:balance", lambda cast: cast.assembly.slug),
    ("organiser", "programme:experts", lambda cast: cast.assembly.slug),
    ("anonymous", "programme:experts_public", lambda cast: cast.assembly.slug),
]


@pytest.mark.parametrize(("persona", "name", "slug"), PAGES)
def test_the_page_keeps_its_query_count_from_5_to_50_materials(
    cast: Cast,
    persona: str,
    name: str,
    slug: Callable[[Cast], str],
    django_assert_max_num_queries: Callable[[int], object],
) -> None:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    url = reverse(name, kwargs={"slug": slug(cast)})
    _fill(cast, 5)
    client.get(url)  # seeds perspectives, warms the session
    small = _count(client, url)
    Material.objects.all().delete()
    _fill_more(cast)
    with django_assert_max_num_queries(small):  # type: ignore[operator]
        client.get(url)


def _fill_more(cast: Cast) -> None:
    organiser = cast.users["organiser"]
    weekends = list(Weekend.objects.filter(assembly=cast.assembly).order_by("number"))
    perspective = make_perspective(cast.assembly, "Extra", 9)
    for n in range(50):
        weekend = weekends[n % len(weekends)]
        expert = make_expert(cast.assembly, name=f"X{n}", perspective=perspective)
        session = make_session(weekend, topic=f"U{n % 6}", n=n % 8)
        session.experts.set([expert])
        status = [Material.Status.DRAFT, Material.Status.RELEASED, Material.Status.PUBLIC][n % 3]
        make_material(
            cast.assembly,
            organiser,
            weekend=weekend,
            session=session,
            expert=expert,
            title=f"Meer {n}",
            status=status,
        )
