"""The Django admin changes a weekend the way the organiser's page does:
through sessions.services.weekends, with its e-mail to members, its moved
sessions and its refusals, shown as a readable form error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assembly.models import AuditEvent, User
from sessions.models import Session, Weekend, WeekendChange
from sessions.services import schedule
from sessions.services import weekends as services
from tests.conftest import Cast
from tests.factories import give_totp
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_client: Client, admin_user: User) -> Client:
    give_totp(admin_user)  # staff must have TOTP before the admin opens
    return admin_client


def _published(cast: Cast) -> tuple[Weekend, Session]:
    """Weekend 4 (Saturday 3 and Sunday 4 July 2027), published, with a session."""
    w = weekend(cast.assembly, 4)
    w.venue_name, w.city = "Spoorwegmuseum", "Utrecht"
    w.save()
    session = make_session(w, (10, 0), (11, 0), title="Uitleg", kind=Session.Kind.BRIEFING)
    schedule.weekend_publish(weekend=w, actor=None)
    return w, session


def _url(w: Weekend) -> str:
    return reverse("admin:assembly_sessions_weekend_change", args=[w.pk])


def _form(w: Weekend, **changes: Any) -> dict[str, Any]:
    """The change form as the admin posts it, with ``changes``."""
    data: dict[str, Any] = {name: getattr(w, name) for name in services.WEEKEND_FIELDS}
    data.update(changes)
    count = Session.objects.filter(weekend=w).count()
    return {
        **{
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in data.items()
        },
        # The sessions inline is shown, not edited: only its management form.
        "sessions-TOTAL_FORMS": count,
        "sessions-INITIAL_FORMS": count,
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }


def test_the_admin_moves_a_published_weekend_like_the_organisers_page(
    cast: Cast, admin: Client, admin_user: User
) -> None:
    w, session = _published(cast)
    assert admin.get(_url(w)).status_code == 200

    response = admin.post(
        _url(w), _form(w, starts_on=dt.date(2027, 7, 10), ends_on=dt.date(2027, 7, 11))
    )

    assert response.status_code == 302, response.content.decode()
    w.refresh_from_db()
    session.refresh_from_db()
    assert (w.starts_on, w.ends_on) == (dt.date(2027, 7, 10), dt.date(2027, 7, 11))
    assert session.starts_at == at(dt.date(2027, 7, 10), 10, 0)
    change = WeekendChange.objects.get(weekend=w, notified_at__isnull=True)
    assert (change.before["starts_on"], change.after["starts_on"]) == ("2027-07-03", "2027-07-10")
    event = AuditEvent.objects.filter(action="programme.weekend_update").latest("pk")
    assert event.actor_id == admin_user.pk


def test_the_admin_is_refused_a_change_that_leaves_a_session_out_and_nothing_changes(
    cast: Cast, admin: Client
) -> None:
    w, _session = _published(cast)
    make_session(w, (14, 0), (15, 0), day=1, title="Tafelgesprek")

    response = admin.post(_url(w), _form(w, ends_on=w.starts_on, city="Amersfoort"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "‘Tafelgesprek’ staat op zondag 4 juli 2027." in page
    assert "Verplaats of verwijder dat onderdeel eerst." in page
    w.refresh_from_db()
    assert (w.ends_on, w.city) == (dt.date(2027, 7, 4), "Utrecht")
    assert not WeekendChange.objects.exists()

    backwards = admin.post(_url(w), _form(w, ends_on=dt.date(2027, 7, 2)))
    page = backwards.content.decode()
    assert "De laatste dag kan niet voor de eerste dag liggen." in page
    assert "weekend_ends_after_start" not in page


def test_a_refusal_met_only_at_the_save_is_a_message_not_an_error_page(
    cast: Cast, admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, _session = _published(cast)
    make_session(w, (14, 0), (15, 0), day=1, title="Tafelgesprek")
    # As if the Sunday session was added after the form's check passed.
    monkeypatch.setattr(services, "check_weekend_update", lambda **_kwargs: None)

    response = admin.post(_url(w), _form(w, ends_on=w.starts_on, city="Amersfoort"), follow=True)

    assert response.status_code == 200
    assert "Verplaats of verwijder dat onderdeel eerst." in response.content.decode()
    w.refresh_from_db()
    assert (w.ends_on, w.city) == (dt.date(2027, 7, 4), "Utrecht")
    assert not WeekendChange.objects.exists()


def test_the_admin_cannot_publish_nor_edit_sessions_beside_the_service(
    cast: Cast, admin: Client
) -> None:
    w = weekend(cast.assembly, 4)
    session = make_session(w, (10, 0), (11, 0), title="Uitleg")
    page = admin.get(_url(w)).content.decode()
    assert 'name="published_at' not in page
    assert 'name="sessions-0-title"' not in page

    form = _form(w, title="Verkenning")
    form["published_at_0"], form["published_at_1"] = "2027-06-01", "10:00"
    form["sessions-0-id"], form["sessions-0-title"] = session.pk, "Anders"
    assert admin.post(_url(w), form).status_code == 302

    w.refresh_from_db()
    session.refresh_from_db()
    assert (w.title, w.published_at, session.title) == ("Verkenning", None, "Uitleg")


def test_the_admin_is_refused_a_new_weekend_on_the_days_of_another(
    cast: Cast, admin: Client
) -> None:
    w, _session = _published(cast)
    count = Weekend.objects.count()
    data = {
        **{name: "" for name in services.WEEKEND_FIELDS},
        "assembly": cast.assembly.pk,
        "number": 8,
        "starts_on": w.starts_on.isoformat(),
        "ends_on": w.ends_on.isoformat(),
        "sessions-TOTAL_FORMS": 0,
        "sessions-INITIAL_FORMS": 0,
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }

    response = admin.post(reverse("admin:assembly_sessions_weekend_add"), data)

    assert response.status_code == 200
    assert "weekend 4" in response.content.decode()
    assert Weekend.objects.count() == count
