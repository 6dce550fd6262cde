"""Numbers in URLs and files that str.isdigit() accepts but int() refuses
("²", "¹"): each is an ordinary "not found" or a named error, never a server
error (500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.numbers import whole_number
from participants.services.quotas import QuotaTableInvalid, quota_import
from tests.conftest import Cast
from tests.participants.test_attendance import confirmed_members, weekend_around_today


def test_whole_numbers_are_digits_0_to_9_only() -> None:
    assert whole_number("042") == 42
    for odd in ("²", "1²", "¹0", "-1", "1.5", " 1", ""):
        assert whole_number(odd) is None, odd


def _organiser(cast: Cast) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(cast.users["organiser"])
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("programme:balance", {"weekend": "²"}),
        ("programme:material_create", {"weekend": "²"}),
        ("participants:invitation_export", {"trekking": "²"}),
    ],
)
def test_an_odd_number_in_a_url_is_no_server_error(
    cast: Cast, name: str, query: dict[str, str]
) -> None:
    response = _organiser(cast).get(reverse(name, kwargs={"slug": cast.assembly.slug}), query)
    assert response.status_code in (200, 404)


@pytest.mark.django_db
def test_the_check_in_desk_searches_for_odd_digits_without_an_error(cast: Cast) -> None:
    weekend = weekend_around_today(cast.assembly)
    confirmed_members(cast.assembly, 2)
    url = reverse(
        "participants:attendance_day",
        kwargs={"slug": cast.assembly.slug, "weekend": weekend.number, "day": timezone.localdate()},
    )
    assert _organiser(cast).get(url, {"q": "²"}).status_code == 200


@pytest.mark.django_db
def test_a_quota_table_with_a_superscript_digit_names_the_cell(cast: Cast) -> None:
    data = b"feature,value,min,max\r\ngeslacht,vrouw,0,\xc2\xb9\r\n"
    with pytest.raises(QuotaTableInvalid):
        quota_import(assembly=cast.assembly, file=data, actor=None, file_name="quota.csv")


TOO_LONG = "9" * 20  # more than any 64-bit whole number


def test_a_number_longer_than_18_digits_is_no_number() -> None:
    assert whole_number("9" * 18) == 10**18 - 1
    assert whole_number(TOO_LONG) is None


@pytest.mark.django_db
def test_a_too_long_id_in_a_url_is_not_found(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    slug = cast.assembly.slug
    for path in (
        f"/b/{slug}/stukken/{TOO_LONG}/v1/",
        f"/b/{slug}/programma/weekend/{TOO_LONG}.ics",
        f"/b/{slug}/beheer/deelnemers/{TOO_LONG}/antwoord/",
    ):
        assert client.get(path).status_code == 404, path
    assert (
        _organiser(cast).get(f"/b/{slug}/beheer/deelnemers/{TOO_LONG}/antwoord/").status_code == 404
    )


@pytest.mark.django_db
def test_comparing_a_version_number_too_long_is_no_server_error(cast: Cast) -> None:
    from tests.recommendations.test_results import make_recommendation

    make_recommendation(cast.assembly, 1)
    url = reverse("recommendations:compare", kwargs={"slug": cast.assembly.slug, "number": 1})
    response = _organiser(cast).get(url, {"old": TOO_LONG, "new": "1"})
    assert response.status_code in (200, 404)


def test_a_count_typed_too_large_is_refused_with_the_field_named() -> None:
    from recommendations.forms_ballots import CountForm
    from recommendations.models import Ballot

    form = CountForm(
        data={"votes_for": TOO_LONG, "votes_against": "3", "votes_abstain": "0", "invalid": "0"},
        ballot=Ballot(kind=Ballot.Kind.RECOMMENDATION),
    )
    assert not form.is_valid()
    assert list(form.errors) == ["votes_for"]
