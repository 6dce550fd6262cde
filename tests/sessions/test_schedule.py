"""The schedule: validation, reorder, publication and change notices (sent once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent, OutboxEmail, Role, RoleKind
from sessions.models import ProgrammeReminder, Session, Weekend
from sessions.services import schedule as services
from sessions.views.schedule import calendar_token
from tests.conftest import Cast
from tests.factories import RoleFactory, UserFactory, form_number
from tests.sessions.schedule_helpers import at, make_session, weekend

pytestmark = pytest.mark.django_db


def _data(day: dt.date, start: tuple[int, int], end: tuple[int, int], **extra: str) -> dict:
    return {
        "title": extra.get("title", "Uitleg"),
        "kind": extra.get("kind", Session.Kind.BRIEFING),
        "starts_at": at(day, *start),
        "ends_at": at(day, *end),
        "room": extra.get("room", "Zaal 1"),
    }


def _change_mails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="programme_change").order_by("pk"))


# --- validation ----------------------------------------------------------------


def test_it_refuses_an_end_before_the_start(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    with pytest.raises(services.ScheduleRefused, match="eindtijd"):
        services.session_create(weekend=w, data=_data(w.starts_on, (11, 0), (10, 0)), actor=None)


def test_it_refuses_a_session_outside_the_weekends_days(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    with pytest.raises(services.ScheduleRefused, match="dezelfde dag"):
        services.session_create(
            weekend=w,
            data=_data(w.starts_on - dt.timedelta(days=1), (10, 0), (11, 0)),
            actor=None,
        )


def test_it_refuses_two_sessions_in_one_room_at_once_with_a_clear_message(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0), title="Opening", room="Grote zaal")
    with pytest.raises(services.ScheduleRefused) as refusal:
        services.session_create(
            weekend=w, data=_data(w.starts_on, (10, 30), (11, 30), room="grote zaal"), actor=None
        )
    assert "Grote zaal" in str(refusal.value)
    assert "Opening" in str(refusal.value)
    assert "10:00–11:00" in str(refusal.value)


def test_it_allows_sessions_at_once_in_other_rooms_and_back_to_back(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0), room="Grote zaal")
    services.session_create(
        weekend=w, data=_data(w.starts_on, (10, 0), (11, 0), room="Zaal 2"), actor=None
    )
    services.session_create(
        weekend=w, data=_data(w.starts_on, (11, 0), (12, 0), room="Grote zaal"), actor=None
    )
    assert Session.objects.filter(weekend=w).count() == 3


def test_an_expert_speaks_in_one_room_at_a_time(cast: Cast) -> None:
    from sessions.models import Expert

    w = weekend(cast.assembly, 1)
    koster = Expert.objects.create(assembly=cast.assembly, name="Dr. Aisha Koster")
    other = Expert.objects.create(assembly=cast.assembly, name="Dr. Bram de Vries")
    briefing = make_session(w, (10, 30), (11, 15), title="Leven met verslaving", room="Zaal A")
    briefing.experts.add(koster)
    with pytest.raises(services.ScheduleRefused) as refusal:
        services.session_create(
            weekend=w,
            data=_data(w.starts_on, (10, 40), (11, 0), room="Zaal X"),
            experts=[koster],
            actor=None,
        )
    assert refusal.value.field == "experts"
    assert "Dr. Aisha Koster spreekt dan al bij ‘Leven met verslaving’ (10:30–11:15)" in str(
        refusal.value
    )
    # Another expert at the same time, or the same expert right after: fine.
    services.session_create(
        weekend=w,
        data=_data(w.starts_on, (10, 40), (11, 0), room="Zaal X"),
        experts=[other],
        actor=None,
    )
    later = services.session_create(
        weekend=w,
        data=_data(w.starts_on, (11, 15), (12, 0), room="Zaal X", title="Vragen"),
        experts=[koster],
        actor=None,
    )
    # Moving a session onto the expert's other talk is refused as well.
    with pytest.raises(services.ScheduleRefused, match="spreekt dan al"):
        services.session_update(
            session=later, data={"starts_at": at(w.starts_on, 11, 0)}, actor=None
        )


def _weekend_of_the_change_to_summer_time(cast: Cast) -> Weekend:
    # Sunday 28 March 2027: at 02:00 the clock goes to 03:00.
    w = weekend(cast.assembly, 1)
    w.starts_on, w.ends_on = dt.date(2027, 3, 27), dt.date(2027, 3, 28)
    w.save(update_fields=["starts_on", "ends_on"])
    return w


def test_it_compares_instants_not_clock_times(cast: Cast) -> None:
    w = _weekend_of_the_change_to_summer_time(cast)
    sunday = dt.date(2027, 3, 28)
    # 02:00 does not exist that night: read as winter time it is the same
    # instant as 03:00 summer time, so this session would last no time at all.
    with pytest.raises(services.ScheduleRefused, match="eindtijd"):
        services.check_session_times(
            weekend=w, starts_at=at(sunday, 2), ends_at=at(sunday, 3), room="Zaal 1"
        )


def test_the_form_refuses_a_time_the_clock_skips_in_spring(cast: Cast) -> None:
    w = _weekend_of_the_change_to_summer_time(cast)
    url = reverse("programme:session_add", kwargs={"slug": cast.assembly.slug, "number": w.number})
    form = {
        "title": "Nachtprogramma",
        "kind": Session.Kind.PLENARY,
        "day": "2027-03-28",
        "start": "02:00",
        "end": "03:00",
        "room": "Zaal 1",
    }
    client = Client(raise_request_exception=False)
    client.force_login(cast.users["organiser"])
    for start, end in (("02:00", "03:00"), ("01:30", "02:30")):
        response = client.post(url, {**form, "start": start, "end": end})
        assert response.status_code == 200, (start, end)
        assert "Dit tijdstip bestaat niet" in response.content.decode(), (start, end)
    assert not Session.objects.filter(weekend=w).exists()
    response = client.post(url, {**form, "start": "01:30", "end": "03:30"})
    assert response.status_code == 302
    session = Session.objects.get(weekend=w)
    assert session.ends_at - session.starts_at == dt.timedelta(hours=1)


def test_it_refuses_an_update_that_collides(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0), room="Zaal 1")
    later = make_session(w, (11, 0), (12, 0), room="Zaal 1")
    with pytest.raises(services.ScheduleRefused):
        services.session_update(
            session=later, data={"starts_at": at(w.starts_on, 10, 45)}, actor=None
        )
    later.refresh_from_db()
    assert later.starts_at == at(w.starts_on, 11, 0)


# --- reorder ---------------------------------------------------------------------


def test_it_moves_a_session_up_keeping_lengths_and_the_pause(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    first = make_session(w, (10, 0), (11, 0), title="Eerste")
    second = make_session(w, (11, 15), (11, 45), title="Tweede", room="Zaal 2")

    services.session_move(session=second, direction="up", actor=cast.users["organiser"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.starts_at, second.ends_at) == (at(w.starts_on, 10), at(w.starts_on, 10, 30))
    assert (first.starts_at, first.ends_at) == (at(w.starts_on, 10, 45), at(w.starts_on, 11, 45))
    assert [s.pk for s in Session.objects.filter(weekend=w)] == [second.pk, first.pk]
    assert list(Session.objects.filter(weekend=w).values_list("position", flat=True)) == [0, 1]


def test_it_moves_down_and_refuses_past_the_end_of_the_day(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    first = make_session(w, (10, 0), (11, 0))
    last_of_saturday = make_session(w, (11, 0), (12, 0))
    make_session(w, (10, 0), (11, 0), day=1)

    with pytest.raises(services.ScheduleRefused, match="laatste"):
        services.session_move(session=last_of_saturday, direction="down", actor=None)
    with pytest.raises(services.ScheduleRefused, match="eerste"):
        services.session_move(session=first, direction="up", actor=None)
    services.session_move(session=first, direction="down", actor=None)
    first.refresh_from_db()
    assert first.starts_at == at(w.starts_on, 11)


# --- publication and change notices --------------------------------------------


def test_it_publishes_only_a_programme_with_sessions(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    with pytest.raises(services.ScheduleRefused):
        services.weekend_publish(weekend=w, actor=None)
    make_session(w, (10, 0), (11, 0))
    services.weekend_publish(weekend=w, actor=cast.users["organiser"])
    w.refresh_from_db()
    assert w.published_at is not None
    assert AuditEvent.objects.filter(action="programme.weekend_publish").count() == 1


def test_it_sends_nothing_while_the_programme_is_unpublished(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    session = make_session(w, (10, 0), (11, 0))
    services.session_update(session=session, data={"room": "Zaal 9"}, actor=None)
    services.session_delete(session=session, actor=None)
    assert _change_mails() == []


def _published(cast: Cast) -> tuple[Session, list[str]]:
    w = weekend(cast.assembly, 1)
    session = make_session(w, (10, 0), (11, 0), title="Uitleg over preventie")
    services.weekend_publish(weekend=w, actor=None)
    second = UserFactory(email="tweede-lid@example.org")
    RoleFactory(user=second, assembly=cast.assembly, kind=RoleKind.MEMBER)
    return session, sorted([cast.users["member"].email, second.email])


def test_it_tells_each_member_once_when_a_time_or_room_changes(cast: Cast) -> None:
    session, members = _published(cast)

    services.session_update(
        session=session,
        data={
            "starts_at": session.starts_at + dt.timedelta(hours=1),
            "ends_at": session.ends_at + dt.timedelta(hours=1),
            "room": "Zaal 3",
        },
        actor=cast.users["organiser"],
    )

    mails = _change_mails()
    assert sorted(mail.to for mail in mails) == members, "members only, one each"
    assert "Uitleg over preventie" in mails[0].body
    assert "11:00" in mails[0].body and "Zaal 3" in mails[0].body
    assert "10:00" in mails[0].body, "the old time is mentioned"
    claims = ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.CHANGE)
    assert claims.count() == 2 and len({c.key for c in claims}) == 1
    event = AuditEvent.objects.get(action="programme.change_notify")
    assert event.detail == {"sessions": [session.pk], "what": ["moved"]}


def test_it_does_not_write_to_members_about_a_new_description(cast: Cast) -> None:
    session, _members = _published(cast)
    services.session_update(session=session, data={"description": "Nieuw"}, actor=None)
    services.session_update(session=session, data={"room": session.room}, actor=None)
    assert _change_mails() == []


def test_it_tells_members_a_deleted_session_is_cancelled(cast: Cast) -> None:
    session, members = _published(cast)
    services.session_delete(session=session, actor=None)
    mails = _change_mails()
    assert sorted(mail.to for mail in mails) == members
    assert "gaat niet door" in mails[0].body


def test_it_sends_one_mail_per_batch_when_two_sessions_swap(cast: Cast) -> None:
    session, members = _published(cast)
    w = session.weekend
    make_session(w, (11, 0), (12, 0), title="Tafelgesprek", kind=Session.Kind.TABLES)
    services.session_move(session=session, direction="down", actor=None)
    mails = _change_mails()
    assert len(mails) == len(members)
    assert "Uitleg over preventie" in mails[0].body and "Tafelgesprek" in mails[0].body


def test_it_never_sends_a_change_twice_for_the_same_key(cast: Cast) -> None:
    session, members = _published(cast)
    session.weekend.refresh_from_db()
    change = services.Change(
        session.pk,
        session.title,
        "cancelled",
        before=(session.starts_at, session.ends_at, session.room),
    )

    first = services.programme_change_notify(weekend=session.weekend, changes=[change], key="k1")
    again = services.programme_change_notify(weekend=session.weekend, changes=[change], key="k1")

    assert (first, again) == (len(members), 0)
    assert len(_change_mails()) == len(members)
    assert ProgrammeReminder.objects.filter(key="k1").count() == len(members)


def _published_mails() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(kind="programme_published").order_by("pk"))


def test_publishing_tells_every_member_once_in_their_language(cast: Cast) -> None:
    english = UserFactory(email="member-en@example.org", language="en")
    RoleFactory(user=english, assembly=cast.assembly, kind=RoleKind.MEMBER)
    w = weekend(cast.assembly, 3)  # Saturday 29 May 2027
    w.title, w.title_en = "Zorg en veiligheid", "Care and safety"
    w.save(update_fields=["title", "title_en"])
    make_session(w, (10, 0), (11, 0))

    services.weekend_publish(weekend=w, actor=cast.users["organiser"])

    mails = {mail.to: mail for mail in _published_mails()}
    assert sorted(mails) == ["member-en@example.org", "member@example.org"], "members only"
    dutch, in_english = mails["member@example.org"], mails["member-en@example.org"]
    assert "weekend 3" in dutch.subject
    assert "Zorg en veiligheid" in dutch.body and "zaterdag 29 mei 2027" in dutch.body
    assert "Care and safety" in in_english.body and "Saturday 29 May 2027" in in_english.body
    url = reverse("programme:my_programme", kwargs={"slug": cast.assembly.slug})
    assert url in dutch.body and url in in_english.body
    claims = ProgrammeReminder.objects.filter(kind=ProgrammeReminder.Kind.PUBLISHED, weekend=w)
    assert claims.count() == 2

    services.weekend_publish(weekend=w, actor=cast.users["organiser"])
    assert services.programme_published_notify(weekend=w) == 0  # a retry
    assert len(_published_mails()) == 2


def _expert_on(cast: Cast, session: Session, name: str = "Dr. X") -> str:
    from sessions.models import Expert

    user = cast.users["expert"]
    session.experts.add(
        Expert.objects.create(assembly=cast.assembly, name=name, user=user, email=user.email)
    )
    return user.email


def test_the_expert_whose_briefing_moves_is_told_once(cast: Cast) -> None:
    from sessions.models import Expert

    session, members = _published(cast)
    email = _expert_on(cast, session)
    # An expert without an account, and one of a session that stays put, hear nothing.
    session.experts.add(Expert.objects.create(assembly=cast.assembly, name="Zonder account"))
    other_user = UserFactory(email="andere-deskundige@example.org")
    other = make_session(session.weekend, (14, 0), (15, 0), title="Ander onderdeel")
    other.experts.add(Expert.objects.create(assembly=cast.assembly, name="Dr. Y", user=other_user))

    services.session_update(
        session=session,
        data={
            "starts_at": at(session.weekend.starts_on, 15, 0),
            "ends_at": at(session.weekend.starts_on, 16, 0),
        },
        actor=cast.users["organiser"],
    )

    mails = _change_mails()
    assert sorted(mail.to for mail in mails) == sorted([*members, email])
    told = next(mail for mail in mails if mail.to == email)
    assert "Beste Dr. X," in told.body and "Beste deelnemer" not in told.body
    assert "Uitleg over preventie" in told.body and "15:00" in told.body and "10:00" in told.body
    key = ProgrammeReminder.objects.get(user=cast.users["expert"]).key
    change = services.Change(session.pk, session.title, "moved")
    assert services.programme_change_notify(weekend=session.weekend, changes=[change], key=key) == 0
    assert len(_change_mails()) == len(members) + 1


def test_the_expert_hears_their_briefing_is_cancelled(cast: Cast) -> None:
    session, _members = _published(cast)
    email = _expert_on(cast, session)
    services.session_delete(session=session, actor=None)
    told = [mail for mail in _change_mails() if mail.to == email]
    assert len(told) == 1 and "gaat niet door" in told[0].body


# --- pages -----------------------------------------------------------------------


def _organiser(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.users["organiser"])
    return client


def test_it_lets_an_organiser_add_a_session_and_shows_a_collision(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    url = reverse("programme:session_add", kwargs={"slug": cast.assembly.slug, "number": 1})
    form = {
        "title": "Opening",
        "kind": "plenary",
        "day": w.starts_on.isoformat(),
        "start": "10:00",
        "end": "10:45",
        "room": "Grote zaal",
    }
    response = _organiser(cast).post(url, form)
    assert response.status_code == 302
    assert Session.objects.get(weekend=w).ends_at == at(w.starts_on, 10, 45)

    response = _organiser(cast).post(url, {**form, "title": "Dubbel", "start": "10:30"})
    assert response.status_code == 200
    assert "Grote zaal is dan al bezet" in response.content.decode()

    response = _organiser(cast).post(url, {**form, "start": "12:00", "end": "11:00"})
    assert "De eindtijd moet na de begintijd liggen." in response.content.decode()


def test_the_add_form_sent_again_makes_one_session_and_one_e_mail_each(cast: Cast) -> None:
    """A retry on a slow connection sends the same form again: without a room
    the clash check does not catch it, and every member got one e-mail per copy."""
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0), title="Opening")
    services.weekend_publish(weekend=w, actor=None)
    url = reverse("programme:session_add", kwargs={"slug": cast.assembly.slug, "number": 1})
    client = _organiser(cast)
    number = form_number(client.get(url).content.decode())
    form = {
        "title": "Extra uitleg",
        "kind": "plenary",
        "day": w.starts_on.isoformat(),
        "start": "17:10",
        "end": "17:20",
        "room": "",
        "submission": number,
    }
    for _attempt in range(3):
        assert client.post(url, form).status_code == 302
    assert Session.objects.filter(weekend=w, title="Extra uitleg").count() == 1
    changes = OutboxEmail.objects.filter(kind="programme_change", body__contains="Extra uitleg")
    assert changes.count() == changes.values("to").distinct().count() > 0
    # A new form (a new number) is a new session.
    second = {**form, "submission": form_number(client.get(url).content.decode())}
    assert client.post(url, second).status_code == 302
    assert Session.objects.filter(weekend=w, title="Extra uitleg").count() == 2


def test_it_moves_with_a_button_and_returns_to_the_session(cast: Cast) -> None:
    w = weekend(cast.assembly, 1)
    make_session(w, (10, 0), (11, 0))
    second = make_session(w, (11, 0), (12, 0))
    url = reverse(
        "programme:session_move",
        kwargs={"slug": cast.assembly.slug, "number": 1, "session_id": second.pk},
    )
    response = _organiser(cast).post(url, {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#session-{second.pk}")
    second.refresh_from_db()
    assert second.starts_at == at(w.starts_on, 10)


def test_it_refuses_another_assemblys_session_on_this_weekend(cast: Cast) -> None:
    from tests.factories import WeekendFactory

    foreign = make_session(WeekendFactory(assembly=cast.other_assembly, number=1), (10, 0), (11, 0))
    url = reverse(
        "programme:session_edit",
        kwargs={"slug": cast.assembly.slug, "number": 1, "session_id": foreign.pk},
    )
    assert _organiser(cast).get(url).status_code == 404


def test_it_shows_the_member_the_next_weekend_first_with_what_to_read(cast: Cast) -> None:
    from sessions.models import Material

    today = timezone.localdate()
    past = weekend(cast.assembly, 1)
    past.starts_on, past.ends_on = today - dt.timedelta(days=30), today - dt.timedelta(days=29)
    past.save()
    upcoming = weekend(cast.assembly, 2)
    upcoming.starts_on, upcoming.ends_on = today + dt.timedelta(days=5), today + dt.timedelta(6)
    upcoming.venue_name, upcoming.hotel = "De Eenhoorn", "Hotel aan het plein"
    upcoming.save()
    session = make_session(upcoming, (10, 0), (11, 0), title="Welkom")
    services.weekend_publish(weekend=upcoming, actor=None)
    Material.objects.create(
        assembly=cast.assembly,
        session=session,
        title="Feiten over drugs",
        kind="link",
        summary="Kort",
        status="released",
    )
    Material.objects.create(
        assembly=cast.assembly,
        weekend=upcoming,
        title="Geheim concept",
        kind="link",
        summary="Kort",
        status="draft",
    )
    client = Client()
    client.force_login(cast.users["member"])

    page = client.get(reverse("programme:my_programme", kwargs={"slug": cast.assembly.slug}))

    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("weekend 2") < html.index("Weekend 3")
    assert "De Eenhoorn" in html and "Hotel aan het plein" in html and "Welkom" in html
    assert "Feiten over drugs" in html and "Geheim concept" not in html
    token = calendar_token(user_id=cast.users["member"].pk, assembly_id=cast.assembly.pk)
    assert token in html


def test_it_closes_the_private_feed_for_a_bad_token_or_an_ended_role(cast: Cast) -> None:
    member = cast.users["member"]
    token = calendar_token(user_id=member.pk, assembly_id=cast.assembly.pk)
    slug = cast.assembly.slug
    client = Client()
    url = reverse("programme:private_feed", kwargs={"slug": slug, "token": token})
    assert client.get(url).status_code == 200
    assert client.get(url.replace(token, token[:-2] + "xx")).status_code == 404
    other = reverse("programme:private_feed", kwargs={"slug": "klimaat", "token": token})
    assert client.get(other).status_code == 404
    Role.objects.filter(user=member, assembly=cast.assembly).delete()
    assert client.get(url).status_code == 404


def test_it_shows_only_published_weekends_on_the_public_page(cast: Cast) -> None:
    shown = weekend(cast.assembly, 1)
    make_session(shown, (10, 0), (11, 0), title="Openbare opening")
    services.weekend_publish(weekend=shown, actor=None)
    make_session(weekend(cast.assembly, 2), (10, 0), (11, 0), title="Nog geheim")
    page = Client().get(reverse("programme:public_programme", kwargs={"slug": cast.assembly.slug}))
    html = page.content.decode()
    assert "Openbare opening" in html and "Nog geheim" not in html


# --- the demo ---------------------------------------------------------------------


def test_it_fills_the_demo_weekends_the_same_way_each_time(cast: Cast) -> None:
    from sessions.demo_programme import programme_demo_fill
    from sessions.models import Expert, Perspective

    care = Perspective.objects.create(assembly=cast.assembly, name="Zorg", position=1)
    safety = Perspective.objects.create(assembly=cast.assembly, name="Veiligheid", position=2)
    for n in range(3):
        Expert.objects.create(assembly=cast.assembly, name=f"Zorg {n}", perspective=care)
        Expert.objects.create(assembly=cast.assembly, name=f"Veilig {n}", perspective=safety)
    w1 = weekend(cast.assembly, 1)
    w1.venue_name = "Jaarbeurs"
    w1.save()

    total = programme_demo_fill(assembly=cast.assembly)

    def snapshot() -> list[tuple[object, ...]]:
        return [
            (
                s.pk,
                s.weekend.number,
                s.starts_at,
                s.ends_at,
                s.kind,
                s.title,
                s.room,
                tuple(e.pk for e in s.experts.order_by("pk")),
            )
            for s in Session.objects.select_related("weekend").order_by("pk")
        ]

    first = snapshot()
    assert programme_demo_fill(assembly=cast.assembly) == total == len(first)
    assert snapshot() == first
    sessions = Session.objects.filter(weekend__assembly=cast.assembly)
    assert sessions.filter(kind=Session.Kind.VOTE, weekend__number=7).count() == 1
    assert not sessions.filter(kind=Session.Kind.VOTE).exclude(weekend__number=7).exists()
    for kind in Session.Kind.values:
        assert sessions.filter(kind=kind).exists(), kind
    for session in sessions:
        local = timezone.localtime(session.starts_at)
        assert dt.time(10) <= local.time() and timezone.localtime(
            session.ends_at
        ).time() <= dt.time(17)
        services.check_session_times(
            weekend=session.weekend,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            room=session.room,
            exclude_ids=[session.pk],
        )
    for briefing in sessions.filter(kind=Session.Kind.BRIEFING):
        perspectives = {e.perspective_id for e in briefing.experts.all()}
        assert len(perspectives) == 2, "each briefing hears two perspectives"
    w1.refresh_from_db()
    assert w1.published_at and "Jaarbeursplein" in w1.venue_address and w1.hotel
