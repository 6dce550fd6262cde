"""The Django admin adds, changes and deletes a session the way the organiser's
page does: through sessions.services.schedule, with its refusals (shown as a
readable error beside the field), its e-mail to members and experts, and its
audit line. A refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.test import Client
from django.urls import reverse

from assembly.models import AuditEvent, OutboxEmail, User
from sessions.models import Expert, ProgrammeReminder, Session, Weekend
from sessions.services import schedule
from tests.conftest import Cast
from tests.factories import give_totp
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2027, 7, 3)  # weekend 4 of the cast: Saturday 3 and Sunday 4 July 2027


@pytest.fixture
def admin(admin_client: Client, admin_user: User) -> Client:
    give_totp(admin_user)  # staff must have TOTP before the admin opens
    return admin_client


def _published(cast: Cast) -> tuple[Weekend, Session, Expert]:
    """Weekend 4, published, with a briefing by an expert who has an account."""
    w = weekend(cast.assembly, 4)
    assert w.starts_on == SATURDAY
    session = make_session(w, (10, 0), (11, 0), title="Uitleg", kind=Session.Kind.BRIEFING)
    expert = Expert.objects.create(
        assembly=cast.assembly, name="Dr. B. Jansen", user=cast.users["expert"]
    )
    session.experts.add(expert)
    schedule.weekend_publish(weekend=w, actor=None)
    return w, session, expert


def _change_url(session: Session) -> str:
    return reverse("admin:assembly_sessions_session_change", args=[session.pk])


def _moment(value: dt.datetime) -> tuple[str, str]:
    return value.date().isoformat(), value.strftime("%H:%M:%S")


def _form(session: Session, **changes: Any) -> dict[str, Any]:
    """The change form as the admin posts it, with ``changes``."""
    data: dict[str, Any] = {name: getattr(session, name) for name in schedule.SESSION_FIELDS}
    data["experts"] = [expert.pk for expert in session.experts.all()]
    # Read-only here; posted anyway, as a form that would save them directly.
    data["weekend"], data["position"] = session.weekend_id, session.position
    data.update(changes)
    form: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dt.datetime):
            form[f"{name}_0"], form[f"{name}_1"] = _moment(value.astimezone(at(SATURDAY, 0).tzinfo))
        else:
            form[name] = value
    return form


def _written() -> tuple[int, int, int]:
    """Audit lines, e-mails and claims: what a write through the service leaves."""
    return (
        AuditEvent.objects.count(),
        OutboxEmail.objects.count(),
        ProgrammeReminder.objects.count(),
    )


def test_the_admin_changes_a_session_through_the_schedule_service(
    cast: Cast, admin: Client, admin_user: User
) -> None:
    _w, session, expert = _published(cast)
    assert admin.get(_change_url(session)).status_code == 200

    response = admin.post(
        _change_url(session),
        _form(
            session,
            starts_at=at(SATURDAY, 14),
            ends_at=at(SATURDAY, 15),
            room="Zaal 2",
        ),
    )

    assert response.status_code == 302, response.content.decode()
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.room) == (
        at(SATURDAY, 14),
        at(SATURDAY, 15),
        "Zaal 2",
    )
    event = AuditEvent.objects.filter(action="programme.session_update").latest("pk")
    assert event.actor_id == admin_user.pk
    assert set(event.detail["fields"]) == {"starts_at", "ends_at", "room"}
    # The change notice: to the members, and to the expert about their own session.
    notice = AuditEvent.objects.get(action="programme.change_notify")
    assert notice.detail == {"sessions": [session.pk], "what": ["moved"]}
    told = OutboxEmail.objects.filter(kind="programme_change")
    assert cast.users["member"].email in told.values_list("to", flat=True)
    assert expert.user is not None
    assert expert.user.email in told.values_list("to", flat=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "starts_at": at(SATURDAY + dt.timedelta(days=7), 10),
                "ends_at": at(SATURDAY + dt.timedelta(days=7), 11),
            },
            "Een onderdeel begint en eindigt op dezelfde dag van het weekend "
            "(03-07-2027, 04-07-2027).",
        ),
        (
            {"starts_at": at(SATURDAY, 11), "ends_at": at(SATURDAY, 10)},
            "De eindtijd moet na de begintijd liggen.",
        ),
        (
            {"starts_at": at(SATURDAY, 14), "ends_at": at(SATURDAY, 15), "room": "zaal 1"},
            "is dan al bezet door ‘Tafelgesprek’ (14:30–15:30).",
        ),
    ],
    ids=["outside-the-weekend", "end-before-start", "room-taken"],
)
def test_the_admin_is_refused_an_invalid_change_readably_and_nothing_changes(
    cast: Cast, admin: Client, changes: dict[str, Any], message: str
) -> None:
    _w, session, _expert = _published(cast)
    make_session(session.weekend, (14, 30), (15, 30), title="Tafelgesprek", room="Zaal 1")
    before = _written()

    response = admin.post(_change_url(session), _form(session, title="Anders", **changes))

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "session_ends_after_start" not in page
    session.refresh_from_db()
    assert (session.title, session.starts_at, session.room) == (
        "Uitleg",
        at(SATURDAY, 10),
        "Zaal 1",
    )
    assert _written() == before


def test_a_refusal_met_only_at_the_save_is_a_message_not_an_error_page(
    cast: Cast, admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _w, session, _expert = _published(cast)
    make_session(session.weekend, (14, 30), (15, 30), title="Tafelgesprek", room="Zaal 1")
    # As if the other session took the room after the form's check passed.
    monkeypatch.setattr(schedule, "check_session_update", lambda **_kwargs: None)
    before = _written()

    response = admin.post(
        _change_url(session),
        _form(session, title="Anders", starts_at=at(SATURDAY, 14), ends_at=at(SATURDAY, 15)),
        follow=True,
    )

    assert response.status_code == 200
    assert "is dan al bezet door ‘Tafelgesprek’" in response.content.decode()
    session.refresh_from_db()
    assert (session.title, session.starts_at) == ("Uitleg", at(SATURDAY, 10))
    assert _written() == before


def test_the_admin_adds_a_session_through_the_service_and_is_refused_a_foreign_expert(
    cast: Cast, admin: Client, admin_user: User
) -> None:
    w, _session, expert = _published(cast)
    stranger = Expert.objects.create(assembly=cast.other_assembly, name="Mr. Elders")
    url = reverse("admin:assembly_sessions_session_add")
    form = {
        "weekend": w.pk,
        "title": "Vragen",
        "title_en": "",
        "kind": Session.Kind.QUESTIONS,
        "starts_at_0": SATURDAY.isoformat(),
        "starts_at_1": "11:30:00",
        "ends_at_0": SATURDAY.isoformat(),
        "ends_at_1": "12:30:00",
        "room": "Zaal 1",
        "topic": "",
        "description": "",
        "description_en": "",
        "experts": [expert.pk, stranger.pk],
        "position": 7,
    }
    before = _written()

    refused = admin.post(url, form)

    assert refused.status_code == 200
    assert "Kies alleen deskundigen van dit burgerberaad." in refused.content.decode()
    assert not Session.objects.filter(title="Vragen").exists()
    assert _written() == before

    form["experts"] = [expert.pk]
    assert admin.post(url, form).status_code == 302

    added = Session.objects.get(title="Vragen")
    assert list(added.experts.all()) == [expert]
    assert added.position == 1  # the service's place by time, not the posted one
    event = AuditEvent.objects.get(action="programme.session_create")
    assert (event.actor_id, event.target) == (
        admin_user.pk,
        f"assembly_sessions.Session:{added.pk}",
    )
    notice = AuditEvent.objects.get(action="programme.change_notify")
    assert notice.detail == {"sessions": [added.pk], "what": ["added"]}


def test_the_admin_deletes_through_the_service_so_members_hear_it_is_cancelled(
    cast: Cast, admin: Client, admin_user: User
) -> None:
    # The programme is published: "delete" cancels, so calendars learn it too.
    _w, session, _expert = _published(cast)
    other = make_session(session.weekend, (14, 0), (15, 0), title="Tafelgesprek")
    url = reverse("admin:assembly_sessions_session_delete", args=[session.pk])

    assert admin.post(url, {"post": "yes"}).status_code == 302

    assert Session.objects.get(pk=session.pk).cancelled_at is not None
    event = AuditEvent.objects.get(action="programme.session_cancel")
    assert event.actor_id == admin_user.pk
    notice = AuditEvent.objects.filter(action="programme.change_notify").latest("pk")
    assert notice.detail == {"sessions": [session.pk], "what": ["cancelled"]}

    changelist = reverse("admin:assembly_sessions_session_changelist")
    response = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert Session.objects.get(pk=other.pk).cancelled_at is not None
    assert AuditEvent.objects.filter(action="programme.session_cancel").count() == 2


def test_the_admin_cannot_move_a_session_to_another_weekend_nor_set_its_place(
    cast: Cast, admin: Client
) -> None:
    w, session, _expert = _published(cast)
    page = admin.get(_change_url(session)).content.decode()
    assert 'name="weekend"' not in page
    assert 'name="position"' not in page

    form = _form(session, title="Uitleg over beleid", weekend=weekend(cast.assembly, 5).pk)
    form["position"] = 9
    assert admin.post(_change_url(session), form).status_code == 302

    session.refresh_from_db()
    assert (session.title, session.weekend_id, session.position) == (
        "Uitleg over beleid",
        w.pk,
        0,
    )


CANCELLED = "Het onderdeel vervalt. Het blijft in het programma staan, met ‘Vervalt’ erbij."


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_admin_says_a_deleted_session_of_a_published_programme_is_cancelled(
    cast: Cast, admin: Client
) -> None:
    _w, session, _expert = _published(cast)
    url = reverse("admin:assembly_sessions_session_delete", args=[session.pk])

    response = admin.post(url, {"post": "yes"}, follow=True)

    assert _messages(response) == [CANCELLED]
    assert Session.objects.get(pk=session.pk).is_cancelled


def test_the_admin_still_deletes_a_session_nobody_has_seen(cast: Cast, admin: Client) -> None:
    session = make_session(weekend(cast.assembly, 4), (10, 0), (11, 0), title="Uitleg")
    url = reverse("admin:assembly_sessions_session_delete", args=[session.pk])

    response = admin.post(url, {"post": "yes"}, follow=True)

    assert not Session.objects.filter(pk=session.pk).exists()
    assert len(_messages(response)) == 1
    assert "Uitleg" in _messages(response)[0]
    assert CANCELLED not in _messages(response)


def test_bulk_delete_cancels_published_sessions_and_says_so(cast: Cast, admin: Client) -> None:
    _w, session, _expert = _published(cast)
    draft = make_session(weekend(cast.assembly, 5), (10, 0), (11, 0), title="Nog geheim")
    changelist = reverse("admin:assembly_sessions_session_changelist")

    response = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [session.pk, draft.pk], "post": "yes"},
        follow=True,
    )

    assert Session.objects.get(pk=session.pk).is_cancelled
    assert not Session.objects.filter(pk=draft.pk).exists()
    shown = _messages(response)
    assert CANCELLED in shown
    # Django's "deleted" counts only the session that is gone.
    assert len(shown) == 2
    assert [m for m in shown if m != CANCELLED] == ["1 onderdeel met succes verwijderd."]


def test_bulk_delete_of_only_published_sessions_says_nothing_of_deleting(
    cast: Cast, admin: Client
) -> None:
    _w, session, _expert = _published(cast)
    changelist = reverse("admin:assembly_sessions_session_changelist")

    response = admin.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"},
        follow=True,
    )

    assert _messages(response) == [CANCELLED]
    assert Session.objects.get(pk=session.pk).is_cancelled


def _history(session_pk: int) -> list[tuple[int, str]]:
    """The admin's own history of a session: (action flag, message)."""
    return [
        (entry.action_flag, entry.get_change_message())
        for entry in LogEntry.objects.filter(object_id=str(session_pk)).order_by("pk")
    ]


def test_the_admin_history_says_a_cancelled_session_changed_not_that_it_was_deleted(
    cast: Cast, admin: Client
) -> None:
    _w, session, _expert = _published(cast)
    url = reverse("admin:assembly_sessions_session_delete", args=[session.pk])

    admin.post(url, {"post": "yes"}, follow=True)

    assert Session.objects.get(pk=session.pk).is_cancelled
    assert _history(session.pk) == [(CHANGE, "Vervalt")]
    # Deleting it again changes nothing, and the history says nothing more.
    admin.post(url, {"post": "yes"}, follow=True)
    assert _history(session.pk) == [(CHANGE, "Vervalt")]


def test_the_admin_history_of_a_bulk_delete_tells_cancelled_from_deleted(
    cast: Cast, admin: Client
) -> None:
    _w, session, _expert = _published(cast)
    other = make_session(session.weekend, (14, 0), (15, 0), title="Gesprek")
    draft = make_session(weekend(cast.assembly, 5), (10, 0), (11, 0), title="Nog geheim")
    changelist = reverse("admin:assembly_sessions_session_changelist")

    admin.post(
        changelist,
        {
            "action": "delete_selected",
            "_selected_action": [session.pk, other.pk, draft.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert _history(session.pk) == [(CHANGE, "Vervalt")]
    assert _history(other.pk) == [(CHANGE, "Vervalt")]
    assert _history(draft.pk) == [(DELETION, "")]


def test_the_admin_history_still_says_deleted_of_a_session_nobody_has_seen(
    cast: Cast, admin: Client
) -> None:
    session = make_session(weekend(cast.assembly, 4), (10, 0), (11, 0), title="Uitleg")
    url = reverse("admin:assembly_sessions_session_delete", args=[session.pk])

    admin.post(url, {"post": "yes"}, follow=True)

    assert not Session.objects.filter(pk=session.pk).exists()
    assert _history(session.pk) == [(DELETION, "")]
