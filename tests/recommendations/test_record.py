"""The chair's record: minutes drafted, previewed, approved and published (and
unpublished again by an edit), Markdown made safe, minority statements, the
government's responses with their history, the public tracker and the audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assembly.models import AuditEvent
from recommendations.markdown import render_markdown
from recommendations.models import GovernmentResponse, MinorityStatement, Minutes
from recommendations.services import record as services
from sessions.models import Session, Weekend
from tests.conftest import Cast
from tests.factories import form_number
from tests.recommendations.test_results import make_recommendation, make_result


def _client(cast: Cast, persona: str) -> Client:
    client = Client()
    client.force_login(cast.users[persona])
    return client


def _weekend(cast: Cast, number: int = 1) -> Weekend:
    return Weekend.objects.get(assembly=cast.assembly, number=number)


def _plenary(weekend: Weekend) -> Session:
    start = timezone.make_aware(dt.datetime.combine(weekend.starts_on, dt.time(10, 0)))
    return Session.objects.create(
        weekend=weekend,
        title="Plenaire opening",
        kind=Session.Kind.PLENARY,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )


def _url(name: str, cast: Cast, **kwargs: object) -> str:
    return reverse(f"recommendations:{name}", kwargs={"slug": cast.assembly.slug, **kwargs})


def _minutes(cast: Cast, body: str = "## Opening\n\nDe voorzitter opent.") -> Minutes:
    return services.minutes_create(
        assembly=cast.assembly,
        weekend=_weekend(cast),
        session=None,
        title="Verslag zaterdag",
        body=body,
        actor=cast.users["chair"],
    )


# ------------------------------------------------------------------ markdown


def test_it_renders_markdown_and_strips_html_and_script_links() -> None:
    html = render_markdown(
        "# Kop\n\n**vet** <script>alert(1)</script>\n\n[klik](javascript:alert(1)) "
        "[site](https://www.tweedekamer.nl)\n\n<img src=x onerror=alert(1)>"
    )
    assert "<h2>Kop</h2>" in html  # the page's own title is the only h1
    assert "<strong>vet</strong>" in html
    assert "<script" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html
    assert 'href="https://www.tweedekamer.nl"' in html


def test_it_keeps_the_text_but_not_the_link_of_a_scheme_relative_address() -> None:
    # A browser opens "//kwaad.example" as https://kwaad.example: another site.
    html = render_markdown(
        "[een](//kwaad.example) [twee]( //kwaad.example/x) [drie](&#47;/kwaad.example) "
        "[vier](/verslagen/1)"
    )
    assert "kwaad.example" not in html
    for text in ("een", "twee", "drie"):
        assert f">{text}</a>" in html
    assert 'href="/verslagen/1"' in html


# ------------------------------------------------------------------- minutes


@pytest.mark.django_db
def test_the_chair_writes_previews_saves_and_approves_minutes(cast: Cast) -> None:
    weekend = _weekend(cast)
    session = _plenary(weekend)
    chair = _client(cast, "chair")
    new_url = _url("record_minutes_new", cast, weekend=1)
    data = {"title": "Plenaire opening", "session": session.pk, "body": "Wij **beginnen**."}

    preview = chair.post(new_url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert "<strong>beginnen</strong>" in preview.content.decode()
    assert not Minutes.objects.exists()

    response = chair.post(new_url, {**data, "save": "1"})
    minutes = Minutes.objects.get()
    assert response["Location"] == _url("record_minutes_edit", cast, pk=minutes.pk)
    assert minutes.session == session and minutes.approved_at is None
    public_list = _url("record_minutes_list", cast)
    assert "Plenaire opening" not in Client().get(public_list).content.decode()
    assert Client().get(_url("record_minutes_detail", cast, pk=minutes.pk)).status_code == 404

    chair.post(
        _url("record_minutes_approve", cast, pk=minutes.pk),
        {"seen": minutes.updated_at.isoformat()},
    )
    minutes.refresh_from_db()
    assert minutes.approved_by == cast.users["chair"] and minutes.approved_at is not None
    assert "Plenaire opening" in Client().get(public_list).content.decode()
    detail = Client().get(_url("record_minutes_detail", cast, pk=minutes.pk)).content.decode()
    assert "<strong>beginnen</strong>" in detail
    event = AuditEvent.objects.get(action="record.minutes_approved")
    assert event.detail["again"] is False
    assert "beginnen" not in str(event.detail)  # a hash of the text, never the text


@pytest.mark.django_db
def test_an_organiser_drafts_but_cannot_approve(cast: Cast) -> None:
    organiser = _client(cast, "organiser")
    organiser.post(
        _url("record_minutes_new", cast, weekend=1),
        {"title": "Concept", "session": "", "body": "Tekst", "save": "1"},
    )
    minutes = Minutes.objects.get()
    assert minutes.written_by == cast.users["organiser"]
    page = organiser.get(_url("record_minutes_edit", cast, pk=minutes.pk)).content.decode()
    assert "Verslag goedkeuren en publiceren" not in page
    response = organiser.post(
        _url("record_minutes_approve", cast, pk=minutes.pk),
        {"seen": minutes.updated_at.isoformat()},
    )
    assert response.status_code == 403
    minutes.refresh_from_db()
    assert minutes.approved_at is None


@pytest.mark.django_db
def test_an_edit_after_approval_unpublishes_until_a_new_approval(cast: Cast) -> None:
    minutes = _minutes(cast)
    services.minutes_approve(minutes=minutes, actor=cast.users["chair"], seen=None)
    organiser = _client(cast, "organiser")
    edit_url = _url("record_minutes_edit", cast, pk=minutes.pk)
    organiser.post(edit_url, {"title": "Verslag zaterdag", "body": "Nieuwe tekst.", "save": "1"})
    minutes.refresh_from_db()
    assert minutes.approved_at is None and minutes.body == "Nieuwe tekst."
    assert Client().get(_url("record_minutes_detail", cast, pk=minutes.pk)).status_code == 404

    _client(cast, "chair").post(
        edit_url, {"title": "Verslag zaterdag", "body": "Nieuwe tekst!", "approve": "1"}
    )
    minutes.refresh_from_db()
    assert minutes.approved_at is not None and minutes.body == "Nieuwe tekst!"
    approvals = AuditEvent.objects.filter(action="record.minutes_approved").order_by("pk")
    assert [e.detail["again"] for e in approvals] == [False, True]
    assert AuditEvent.objects.filter(
        action="record.minutes_updated", detail__was_approved=True
    ).exists()


@pytest.mark.django_db
def test_approval_is_refused_when_the_text_changed_since_the_chair_read_it(cast: Cast) -> None:
    minutes = _minutes(cast)
    seen = minutes.updated_at - dt.timedelta(minutes=5)
    with pytest.raises(services.RecordRefused, match="intussen gewijzigd"):
        services.minutes_approve(minutes=minutes, actor=cast.users["chair"], seen=seen)
    response = _client(cast, "chair").post(
        _url("record_minutes_approve", cast, pk=minutes.pk), {"seen": seen.isoformat()}, follow=True
    )
    assert "intussen gewijzigd" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.approved_at is None


@pytest.mark.django_db
def test_a_session_gets_one_set_of_minutes_and_must_be_of_the_weekend(cast: Cast) -> None:
    session = _plenary(_weekend(cast))
    services.minutes_create(
        assembly=cast.assembly,
        weekend=_weekend(cast),
        session=session,
        title="Eén",
        body="x",
        actor=cast.users["chair"],
    )
    response = _client(cast, "chair").post(
        _url("record_minutes_new", cast, weekend=1),
        {"title": "Twee", "session": session.pk, "body": "y", "save": "1"},
    )
    assert "Er is al een verslag van dit onderdeel" in response.content.decode()
    # A session of another weekend is not even offered.
    other = _plenary(_weekend(cast, 2))
    response = _client(cast, "chair").post(
        _url("record_minutes_new", cast, weekend=1),
        {"title": "Drie", "session": other.pk, "body": "z", "save": "1"},
    )
    assert response.status_code == 200
    assert Minutes.objects.count() == 1


@pytest.mark.django_db
def test_two_requests_racing_past_the_check_still_make_one_set_of_minutes(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A double click: both requests ran the check before either inserted.
    session = _plenary(_weekend(cast))
    services.minutes_create(
        assembly=cast.assembly,
        weekend=_weekend(cast),
        session=session,
        title="Eén",
        body="x",
        actor=cast.users["chair"],
    )
    monkeypatch.setattr(services, "check_minutes_session", lambda **_kwargs: None)
    with pytest.raises(services.RecordRefused, match="Er is al een verslag"):
        services.minutes_create(
            assembly=cast.assembly,
            weekend=_weekend(cast),
            session=session,
            title="Eén",
            body="x",
            actor=cast.users["chair"],
        )
    assert Minutes.objects.count() == 1


@pytest.mark.django_db
def test_empty_minutes_are_refused_with_the_field_named(cast: Cast) -> None:
    response = _client(cast, "chair").post(
        _url("record_minutes_new", cast, weekend=1),
        {"title": "Leeg", "session": "", "body": "   ", "save": "1"},
    )
    page = response.content.decode()
    assert 'id="id_body_error"' in page
    assert 'aria-describedby="id_body_error id_body_helptext"' in page
    assert not Minutes.objects.exists()


# ---------------------------------------------------------- minority statements


@pytest.mark.django_db
def test_the_chair_records_and_removes_a_minority_statement(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 3)
    make_result(rec, votes=(100, 30, 10))
    chair = _client(cast, "chair")
    url = _url("record_minority", cast, number=3)
    chair.post(url, {"text": "Wij willen eerst onderzoek.", "supporters": 25})
    statement = MinorityStatement.objects.get()
    assert statement.supporters == 25 and statement.recorded_by == cast.users["chair"]
    assert (
        "Wij willen eerst onderzoek." in Client().get(_url("record_results", cast)).content.decode()
    )
    assert AuditEvent.objects.get(action="record.minority_added").detail == {
        "recommendation": rec.pk
    }

    too_many = chair.post(url, {"text": "Nog een.", "supporters": 41})
    assert "Kijk het aantal na" in too_many.content.decode()
    # Without a reason nothing is removed: the reason becomes public.
    chair.post(_url("record_minority_delete", cast, pk=statement.pk), {"reason": " "})
    statement.refresh_from_db()
    assert statement.removed_at is None
    chair.post(
        _url("record_minority_delete", cast, pk=statement.pk),
        {"reason": "Vastgelegd bij de verkeerde aanbeveling."},
    )
    statement.refresh_from_db()
    assert statement.removed_at is not None and statement.removed_by == cast.users["chair"]
    assert AuditEvent.objects.filter(action="record.minority_removed").exists()
    # Its text is gone from the public record, but not without a trace.
    public = Client().get(_url("record_results", cast)).content.decode()
    assert "Wij willen eerst onderzoek." not in public
    assert "uit het verslag gehaald" in public
    assert "Vastgelegd bij de verkeerde aanbeveling." in public
    # Removed once: the form is not offered again, a second post finds nothing.
    assert chair.post(_url("record_minority_delete", cast, pk=statement.pk)).status_code == 404


@pytest.mark.django_db
def test_a_minority_statement_waits_for_the_ballot(cast: Cast) -> None:
    make_recommendation(cast.assembly, 4)
    response = _client(cast, "chair").post(
        _url("record_minority", cast, number=4), {"text": "Te vroeg."}
    )
    assert "Er is nog niet gestemd" in response.content.decode()
    assert not MinorityStatement.objects.exists()


# ------------------------------------------------------- government responses


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["organiser", "griffie"])
def test_organisers_and_the_griffie_record_responses_with_history(cast: Cast, persona: str) -> None:
    rec = make_recommendation(cast.assembly, 5, title="Drugscheck in elke regio")
    make_result(rec, votes=(120, 20, 5))
    client = _client(cast, persona)
    url = _url("record_response", cast, number=5)
    client.post(
        url,
        {
            "status": "under_study",
            "text": "Het kabinet laat dit onderzoeken.",
            "responded_on": "2026-03-01",
            "source_title": "Kamerbrief reactie burgerberaad",
            "source_url": "https://www.rijksoverheid.nl/brief",
        },
    )
    client.post(
        url,
        {
            "status": "partly",
            "text": "Het kabinet neemt dit deels over.",
            "responded_on": "2026-09-01",
            "source_title": "",
            "source_url": "",
        },
    )
    assert list(GovernmentResponse.objects.values_list("status", flat=True)) == [
        "under_study",
        "partly",
    ]
    tracker = Client().get(_url("record_tracker", cast)).content.decode()
    assert "◐</span> Deels overgenomen</strong>" in tracker
    detail = Client().get(_url("record_tracker_detail", cast, number=5)).content.decode()
    assert detail.index("deels over") < detail.index("laat dit onderzoeken")  # newest first
    assert 'href="https://www.rijksoverheid.nl/brief"' in detail
    assert AuditEvent.objects.filter(action="record.response_recorded").count() == 2


@pytest.mark.django_db
def test_a_response_in_the_future_or_a_link_without_a_name_is_refused(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 5)
    make_result(rec, votes=(120, 20, 5))
    url = _url("record_response", cast, number=5)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    base = {"status": "adopted", "text": "Ja.", "source_title": "", "source_url": ""}
    page = _client(cast, "organiser").post(url, {**base, "responded_on": tomorrow})
    assert "ligt in de toekomst" in page.content.decode()
    page = _client(cast, "organiser").post(
        url, {**base, "responded_on": "2026-01-01", "source_url": "https://example.org"}
    )
    assert "geef de bron een naam" in page.content.decode()
    # The government answers a vote: a date before it is a typing error (1900).
    page = _client(cast, "organiser").post(url, {**base, "responded_on": "1900-01-01"})
    assert "ligt vóór de stemming (1 juni 2025)" in page.content.decode()
    assert not GovernmentResponse.objects.exists()


@pytest.mark.django_db
def test_the_tracker_counts_per_status_and_filters(cast: Cast) -> None:
    statuses = ["adopted", "adopted", "rejected", None]
    for number, status in enumerate(statuses, start=1):
        rec = make_recommendation(cast.assembly, number)
        make_result(rec, votes=(120, 10, 0))
        if status:
            GovernmentResponse.objects.create(
                recommendation=rec, status=status, text="x", responded_on="2026-02-01"
            )
    rejected = make_recommendation(cast.assembly, 9)
    make_result(rejected, votes=(10, 120, 0))  # not adopted, never answered: not tracked
    page = Client().get(_url("record_tracker", cast)).content.decode()
    assert '<title id="tracker-chart-title">' in page
    assert '<th scope="row"><span aria-hidden="true">✔</span> Overgenomen</th><td>2</td>' in page
    assert "<td>1</td>" in page  # rejected and "no response yet"
    assert "Aanbeveling 9" not in page
    filtered = Client().get(_url("record_tracker", cast) + "?status=rejected").content.decode()
    assert "Aanbeveling 3:" in filtered and "Aanbeveling 1:" not in filtered
    assert 'href="?status=rejected" aria-current="page"' in filtered
    none = Client().get(_url("record_tracker", cast) + "?status=none").content.decode()
    assert "Aanbeveling 4:" in none and "Aanbeveling 3:" not in none


# ------------------------------------------------------------------ overview


@pytest.mark.django_db
def test_the_overview_shows_each_role_its_actions(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 1)
    rec.weekend = _weekend(cast)
    rec.save(update_fields=["weekend"])
    make_result(rec, votes=(100, 40, 0))
    _minutes(cast)
    url = _url("record_overview", cast)
    chair = _client(cast, "chair").get(url).content.decode()
    assert "Vastleggen" in chair and "Reactie vastleggen" not in chair
    assert "Concept: wacht op goedkeuring van de voorzitter" in chair
    griffie = _client(cast, "griffie").get(url).content.decode()
    assert "Reactie vastleggen" in griffie and "Nieuw verslag voor weekend 1" not in griffie
    organiser = _client(cast, "organiser").get(url).content.decode()
    assert "Nieuw verslag voor weekend 1" in organiser


# ---------------------------------------------------------------------- demo


@pytest.mark.django_db
def test_the_demo_seeds_minutes_statements_and_responses_once(cast: Cast) -> None:
    import time

    from recommendations.demo_record import demo_record_seed

    for number in range(1, 7):
        rec = make_recommendation(cast.assembly, number)
        make_result(rec, votes=(130, 10 * (number % 3), 4))
    _plenary(_weekend(cast, 1))
    today = dt.date(2028, 6, 1)  # after the last weekend (autumn 2027) and its answers
    started = time.monotonic()
    for _ in range(2):
        demo_record_seed(
            cast.assembly, today=today, chair=cast.users["chair"], organiser=cast.users["organiser"]
        )
    assert time.monotonic() - started < 2
    assert Minutes.objects.filter(approved_at__isnull=False).count() == 7
    draft = Minutes.objects.get(approved_at__isnull=True)
    assert draft.weekend.number == 7
    assert MinorityStatement.objects.count() == 2  # every other contested one (4 contested)
    adopted = GovernmentResponse.objects.values("recommendation").distinct().count()
    assert adopted == 6
    assert GovernmentResponse.objects.count() > 6  # with updates: a history to show
    assert Minutes.objects.get(weekend__number=1, approved_at__isnull=False).session is not None

    before = dt.date(2027, 4, 1)  # only weekend 1 behind: no responses yet
    GovernmentResponse.objects.all().delete()
    Minutes.objects.all().delete()
    demo_record_seed(
        cast.assembly, today=before, chair=cast.users["chair"], organiser=cast.users["organiser"]
    )
    assert not GovernmentResponse.objects.exists()
    assert Minutes.objects.filter(approved_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_minority_statement_sent_twice_is_added_once(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 3)
    make_result(rec, votes=(100, 30, 10))
    chair = _client(cast, "chair")
    url = _url("record_minority", cast, number=3)
    form = {
        "text": "Wij willen eerst onderzoek.",
        "supporters": 25,
        "submission": form_number(chair.get(url).content.decode()),
    }
    # A double click on "Vastleggen".
    assert chair.post(url, form).status_code == chair.post(url, form).status_code == 302
    assert MinorityStatement.objects.count() == 1
    assert AuditEvent.objects.filter(action="record.minority_added").count() == 1


@pytest.mark.django_db
def test_a_minority_statement_sent_again_after_the_back_button_is_added_once(
    cast: Cast,
) -> None:
    """Back loads the form with a new number; the same statement is still one."""
    from django.contrib.messages import get_messages

    rec = make_recommendation(cast.assembly, 3)
    make_result(rec, votes=(100, 30, 10))
    chair = _client(cast, "chair")
    url = _url("record_minority", cast, number=3)
    form = {"text": "Wij willen eerst onderzoek.", "supporters": 25}
    for _twice in range(2):
        number = form_number(chair.get(url).content.decode())
        response = chair.post(url, {**form, "submission": number})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Dit minderheidsstandpunt was al vastgelegd. Het staat er één keer."
    ]
    assert MinorityStatement.objects.count() == 1


@pytest.mark.django_db
def test_a_cancelled_session_is_not_offered_for_minutes_or_plenary_decisions(cast: Cast) -> None:
    """A session cancelled after publishing stays in the programme, marked
    cancelled: it did not take place, so no minutes or decisions are about it
    (minutes already about it keep it when edited)."""
    from recommendations.selectors_drafting import plenary_sessions

    held = _plenary(_weekend(cast))
    cancelled = _plenary(_weekend(cast))
    Session.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    assert [s.pk for s in plenary_sessions(assembly=cast.assembly)] == [held.pk]

    chair = _client(cast, "chair")
    form = chair.get(_url("record_minutes_new", cast, weekend=1)).context["form"]
    assert list(form.fields["session"].queryset) == [held]

    minutes = services.minutes_create(
        assembly=cast.assembly,
        weekend=_weekend(cast),
        session=cancelled,
        title="Verslag van wat niet doorging",
        body="x",
        actor=cast.users["chair"],
    )
    edit = chair.get(_url("record_minutes_edit", cast, pk=minutes.pk)).context["form"]
    assert set(edit.fields["session"].queryset) == {held, cancelled}


def _hidden_seen(page: str) -> str:
    values = re.findall(r'name="seen" value="([^"]*)"', page)
    assert len(values) == 1
    return str(values[0])


@pytest.mark.django_db
def test_minutes_saved_over_a_newer_text_show_it_and_a_second_save_overwrites(
    cast: Cast,
) -> None:
    minutes = _minutes(cast, body="De voorzitter opent.")
    organiser = _client(cast, "organiser")
    url = _url("record_minutes_edit", cast, pk=minutes.pk)
    opened = _hidden_seen(organiser.get(url).content.decode())
    # Meanwhile the chair saves a newer text.
    services.minutes_update(
        minutes=minutes,
        session=None,
        title="Verslag zaterdag",
        body="De voorzitter opent om tien uur.",
        actor=cast.users["chair"],
    )
    typed = {"title": "Verslag zaterdag", "session": "", "body": "Wij openen.", "save": "1"}
    response = organiser.post(url, {**typed, "seen": opened})
    page = response.content.decode()
    assert response.status_code == 200 and "intussen gewijzigd" in page
    assert "Wat is er intussen veranderd?" in page and "tien" in page
    assert "Wij openen.</textarea>" in page
    minutes.refresh_from_db()
    assert minutes.body == "De voorzitter opent om tien uur."
    newer = _hidden_seen(page)
    assert newer == minutes.updated_at.isoformat() != opened
    # Saving again, with the newer text in view, replaces it.
    assert organiser.post(url, {**typed, "seen": newer}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.body == "Wij openen." and minutes.written_by == cast.users["organiser"]


def test_the_minutes_form_lists_sessions_at_the_programmes_time() -> None:
    """Stored in UTC, shown as on the programme: 10:00 in Amsterdam, winter and summer."""
    from recommendations.forms_record import MinutesForm

    zone = timezone.get_default_timezone()

    def stored(*moment: int) -> dt.datetime:  # as it comes from the database
        return dt.datetime(*moment, tzinfo=zone).astimezone(dt.UTC)

    winter = Session(title="Opening", starts_at=stored(2026, 12, 19, 10, 0))
    summer = Session(title="Terugblik", starts_at=stored(2027, 6, 5, 10, 0))
    field = MinutesForm(sessions=Session.objects.none()).fields["session"]
    labels = [field.label_from_instance(s) for s in (winter, summer)]  # type: ignore[attr-defined]
    assert labels == ["19-12 10:00 – Opening", "05-06 10:00 – Terugblik"]


@pytest.mark.parametrize(
    ("base", "abstentions_count", "expected"),
    [
        (1, False, "voor en tegen samen: 1 stem. Onthoudingen"),
        (2, False, "voor en tegen samen: 2 stemmen. Onthoudingen"),
        (1, True, "onthoudingen samen: 1 stem."),
        (3, True, "onthoudingen samen: 3 stemmen."),
    ],
)
def test_the_ballot_summary_counts_one_vote_as_one_stem(
    base: int, abstentions_count: bool, expected: str
) -> None:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    ballot = SimpleNamespace(
        number=1,
        adopted=False,
        votes_for=base,
        votes_against=0,
        votes_abstain=0,
        invalid=0,
        percentage_for=100,
        percentage_against=0,
        percentage_abstain=None,
        base=base,
        abstentions_count=abstentions_count,
        threshold_label="twee derde",
        votes_needed=1,
        corrected=False,
        counts_hash="0" * 64,
    )
    html = render_to_string("recommendations/record/_ballot.html", {"ballot": ballot})
    assert expected in " ".join(html.split())
