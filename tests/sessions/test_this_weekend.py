"""A weekend that is going on is called "Dit weekend", not "Het volgende
weekend", on the home page and on the member's programme."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.models import Weekend
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _pages(cast: Cast) -> list[str]:
    client = Client()
    client.force_login(cast.users["member"])
    slug = cast.assembly.slug
    return [
        client.get(reverse(name, kwargs={"slug": slug})).content.decode()
        for name in ("dashboard", "programme:my_programme")
    ]


def _first_weekend_from(cast: Cast, start: dt.date) -> None:
    Weekend.objects.filter(assembly=cast.assembly, number=1).update(
        starts_on=start, ends_on=start + dt.timedelta(days=1)
    )


def test_a_weekend_going_on_is_this_weekend(cast: Cast) -> None:
    _first_weekend_from(cast, timezone.localdate())
    for page in _pages(cast):
        assert "Dit weekend" in page
        assert "Het volgende weekend" not in page


def test_a_weekend_ahead_is_the_next_weekend(cast: Cast) -> None:
    _first_weekend_from(cast, timezone.localdate() + dt.timedelta(days=3))
    for page in _pages(cast):
        assert "Het volgende weekend" in page
        assert "Dit weekend" not in page
