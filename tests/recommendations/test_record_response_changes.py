"""Correcting and withdrawing a government response entered wrongly: the
tracker shows the right answer, and says publicly that it was corrected or
withdrawn, when and why (the way a removed minority statement is shown)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import formats, timezone

from assembly.models import AuditEvent
from participants.models import PanelMember
from recommendations.models import GovernmentResponse, Recommendation
from recommendations.services import record as services
from tests.conftest import Cast
from tests.participants.test_panel import make_panel
from tests.recommendations.test_record import _client, _url
from tests.recommendations.test_report import _everything, report_assembly
from tests.recommendations.test_results import make_recommendation, make_result

WRONG = {
    "status": "adopted",
    "text": "Het kabinet neemt dit over, met een tikfuot.",
    "responded_on": "2026-03-01",
    "source_title": "Kamerbrief reactie burgerberaad",
    "source_url": "",
}


def _recorded(cast: Cast, number: int = 5) -> GovernmentResponse:
    rec = make_recommendation(cast.assembly, number)
    make_result(rec, votes=(120, 20, 5))
    return services.government_response_record(
        recommendation=rec,
        status=WRONG["status"],
        text=WRONG["text"],
        responded_on=dt.date(2026, 3, 1),
        source_title=WRONG["source_title"],
        source_url="",
        actor=cast.users["organiser"],
    )


def _correct(cast: Cast, response: GovernmentResponse, **changes: object) -> GovernmentResponse:
    values: dict[str, object] = {
        "status": "partly",
        "text": "Het kabinet neemt dit deels over.",
        "responded_on": dt.date(2026, 3, 1),
        "source_title": WRONG["source_title"],
        "source_url": "",
        "reason": "Verkeerde stand van zaken overgenomen.",
        "seen": response.changed_at,
        "submission": None,
        **changes,
    }
    return services.government_response_correct(
        response=response,
        actor=cast.users["organiser"],
        **values,  # type: ignore[arg-type]
    )


def _today() -> str:
    return formats.date_format(timezone.localdate(), "j F Y")


# ------------------------------------------------------------------ services


@pytest.mark.django_db
def test_a_correction_changes_the_response_and_leaves_a_public_trace(cast: Cast) -> None:
    response = _recorded(cast)
    _correct(cast, response)
    response.refresh_from_db()
    assert (response.status, response.text) == ("partly", "Het kabinet neemt dit deels over.")
    assert [c["reason"] for c in response.corrections] == ["Verkeerde stand van zaken overgenomen."]
    assert GovernmentResponse.objects.count() == 1  # corrected, not a new answer
    event = AuditEvent.objects.get(action="record.response_corrected")
    logged = json.dumps(event.detail)
    assert "deels" not in logged and "Verkeerde" not in logged  # ids, no text
    assert event.detail["fields"] == ["status", "text"]


@pytest.mark.django_db
def test_a_correction_needs_a_reason_without_member_names(cast: Cast) -> None:
    response = _recorded(cast)
    panel = make_panel(cast.assembly, size=4, panel=(0, 1), alternates=())
    name = panel.member(0).registration.full_name
    with pytest.raises(services.RecordRefused) as empty:
        _correct(cast, response, reason="  ")
    assert empty.value.field == "reason" and str(empty.value).startswith("Reden:")
    with pytest.raises(services.RecordRefused) as named:
        _correct(cast, response, reason=f"{name} wees op de fout.")
    assert named.value.field == "reason" and "naam" in str(named.value)
    surname = name.split()[-1]
    with pytest.raises(services.RecordRefused):
        _correct(cast, response, reason=f"Gemeld door {surname.lower()}.")
    # A response is about the government: naming the minister is fine.
    _correct(cast, response, reason="De minister van VWS schreef het anders.")
    assert PanelMember.objects.filter(assembly=cast.assembly).exists()


@pytest.mark.django_db
def test_the_same_correction_sent_twice_is_one_correction(cast: Cast) -> None:
    response = _recorded(cast)
    number = uuid.uuid4()
    seen = response.changed_at
    _correct(cast, response, submission=number, seen=seen)
    _correct(cast, response, submission=number, seen=seen)
    response.refresh_from_db()
    assert len(response.corrections) == 1
    assert AuditEvent.objects.filter(action="record.response_corrected").count() == 1


@pytest.mark.django_db
def test_a_correction_over_someone_elses_change_is_refused(cast: Cast) -> None:
    response = _recorded(cast)
    opened = response.changed_at
    _correct(cast, response, seen=opened)
    with pytest.raises(services.RecordRefused, match="intussen veranderd"):
        _correct(cast, response, seen=opened, text="Mijn versie.")
    response.refresh_from_db()
    assert response.text == "Het kabinet neemt dit deels over."


@pytest.mark.django_db
def test_a_correction_that_changes_nothing_or_a_withdrawn_response_is_refused(
    cast: Cast,
) -> None:
    response = _recorded(cast)
    with pytest.raises(services.RecordRefused, match="niets veranderd"):
        _correct(cast, response, status=WRONG["status"], text=WRONG["text"], reason="Nog eens.")
    services.government_response_withdraw(
        response=response, reason="Hoort bij aanbeveling 6.", actor=cast.users["griffie"], seen=None
    )
    with pytest.raises(services.RecordRefused, match="ingetrokken"):
        _correct(cast, response, seen=None)


@pytest.mark.django_db
def test_a_withdrawal_needs_a_reason_and_happens_once(cast: Cast) -> None:
    response = _recorded(cast)
    with pytest.raises(services.RecordRefused) as empty:
        services.government_response_withdraw(
            response=response, reason="", actor=cast.users["griffie"], seen=None
        )
    assert empty.value.field == "reason"
    for _twice in range(2):
        services.government_response_withdraw(
            response=response, reason="Hoort bij 6.", actor=cast.users["griffie"], seen=None
        )
    assert AuditEvent.objects.filter(action="record.response_withdrawn").count() == 1
    # The same answer recorded again, now for the right recommendation or
    # this one, is a new row: the withdrawn one does not count as "sent twice".
    again = services.government_response_record(
        recommendation=response.recommendation,
        status=WRONG["status"],
        text=WRONG["text"],
        responded_on=dt.date(2026, 3, 1),
        source_title=WRONG["source_title"],
        source_url="",
        actor=cast.users["organiser"],
    )
    assert again.pk != response.pk and again.withdrawn_at is None


# --------------------------------------------------------------------- views


@pytest.mark.django_db
def test_the_organiser_corrects_and_the_public_sees_the_trace(cast: Cast) -> None:
    response = _recorded(cast)
    client = _client(cast, "organiser")
    url = _url("record_response_correct", cast, pk=response.pk)
    form = client.get(url).content.decode()
    assert "tikfuot" in form and 'name="seen"' in form
    data = {
        **WRONG,
        "text": "Het kabinet neemt dit over.",
        "reason": "Tikfout verbeterd.",
        "seen": response.changed_at.isoformat(),
        "submission": str(uuid.uuid4()),
    }
    first = client.post(url, data)
    second = client.post(url, data)  # a double click
    assert first.status_code == second.status_code == 302
    assert first["Location"] == _url("record_response", cast, number=5)
    staff = client.get(first["Location"]).content.decode()
    assert f"Verbeterd op {_today()}." in staff
    detail = Client().get(_url("record_tracker_detail", cast, number=5)).content.decode()
    assert "Het kabinet neemt dit over." in detail and "tikfuot" not in detail
    assert f"Verbeterd op {_today()}. Reden: Tikfout verbeterd." in " ".join(detail.split())
    tracker = Client().get(_url("record_tracker", cast)).content.decode()
    assert "Reden: Tikfout verbeterd." in " ".join(tracker.split())
    rows = list(
        csv.DictReader(io.StringIO(Client().get(_url("record_results_csv", cast)).content.decode()))
    )
    assert rows[0]["response_status"] == "adopted"
    assert (
        rows[0]["response_corrections"] == f"{timezone.localdate().isoformat()}: Tikfout verbeterd."
    )
    data_json = json.loads(Client().get(_url("record_results_json", cast)).content)
    current = data_json["recommendations"][0]["response"]
    assert current["text"] == "Het kabinet neemt dit over."
    assert [c["reason"] for c in current["corrections"]] == ["Tikfout verbeterd."]


@pytest.mark.django_db
def test_a_refused_correction_keeps_the_typed_text_and_names_the_field(cast: Cast) -> None:
    response = _recorded(cast)
    client = _client(cast, "organiser")
    url = _url("record_response_correct", cast, pk=response.pk)
    stale = response.changed_at.isoformat()
    _correct(cast, response)  # someone else corrects it first
    typed = {**WRONG, "text": "Mijn eigen verbeterde tekst.", "reason": "Tikfout.", "seen": stale}
    page = client.post(url, typed).content.decode()
    assert "intussen veranderd" in page and "Mijn eigen verbeterde tekst." in page
    page = client.post(url, {**typed, "seen": "", "reason": ""}).content.decode()
    assert 'id="id_reason_error"' in page and "Reden: schrijf op waarom" in page
    response.refresh_from_db()
    assert response.text == "Het kabinet neemt dit deels over."


@pytest.mark.django_db
def test_the_griffie_withdraws_and_the_tracker_shows_no_response_with_the_trace(
    cast: Cast,
) -> None:
    response = _recorded(cast)
    client = _client(cast, "griffie")
    url = _url("record_response_withdraw", cast, pk=response.pk)
    refused = client.post(url, {"reason": "", "seen": response.changed_at.isoformat()})
    assert refused.status_code == 200
    assert "Reden: schrijf op waarom u de reactie intrekt." in refused.content.decode()
    done = client.post(
        url, {"reason": "Hoort bij aanbeveling 6.", "seen": response.changed_at.isoformat()}
    )
    assert done.status_code == 302
    said = f"Een reactie is op {_today()} ingetrokken. Reden: Hoort bij aanbeveling 6."
    tracker = " ".join(Client().get(_url("record_tracker", cast)).content.decode().split())
    assert "–</span> Nog geen reactie</strong>" in tracker and said in tracker
    assert "tikfuot" not in tracker
    detail = " ".join(
        Client().get(_url("record_tracker_detail", cast, number=5)).content.decode().split()
    )
    assert "De regering heeft nog niet gereageerd" in detail and said in detail
    assert "tikfuot" not in detail
    rows = list(
        csv.DictReader(io.StringIO(Client().get(_url("record_results_csv", cast)).content.decode()))
    )
    assert rows[0]["response_status"] == "none" and rows[0]["response_text"] == ""
    assert rows[0]["responses_withdrawn"].endswith(": Hoort bij aanbeveling 6.")
    data_json = json.loads(Client().get(_url("record_results_json", cast)).content)
    first = data_json["recommendations"][0]
    assert first["response"] is None
    assert [w["reason"] for w in first["withdrawn_responses"]] == ["Hoort bij aanbeveling 6."]
    # The correction page of a withdrawn response sends the writer back.
    back = client.get(_url("record_response_correct", cast, pk=response.pk))
    assert back.status_code == 302


@pytest.mark.django_db
def test_a_withdrawn_answer_to_a_rejected_recommendation_stays_on_the_tracker(
    cast: Cast,
) -> None:
    rec = make_recommendation(cast.assembly, 9)
    make_result(rec, votes=(10, 120, 0))  # not adopted: tracked only when answered
    assert rec.__class__.objects.get(pk=rec.pk).status == Recommendation.Status.NOT_ADOPTED
    response = GovernmentResponse.objects.create(
        recommendation=rec, status="rejected", text="Nee.", responded_on="2026-02-01"
    )
    services.government_response_withdraw(
        response=response, reason="Verkeerde aanbeveling.", actor=cast.users["griffie"], seen=None
    )
    tracker = " ".join(Client().get(_url("record_tracker", cast)).content.decode().split())
    assert "Aanbeveling 9:" in tracker and "Reden: Verkeerde aanbeveling." in tracker


# -------------------------------------------------------------------- report


@pytest.mark.django_db
def test_the_final_report_shows_the_corrected_response_and_the_withdrawn_one(
    cast: Cast,
) -> None:
    report_assembly(cast.assembly)
    first = GovernmentResponse.objects.get(recommendation__assembly=cast.assembly)
    _correct(
        cast,
        first,
        status="under_study",
        text="Het kabinet onderzoekt dit nog.",
        responded_on=timezone.localdate(),  # not before the vote, which was today
        source_title="",
        reason="Tekst verkeerd overgenomen.",
    )
    second = GovernmentResponse.objects.create(
        recommendation=Recommendation.objects.get(assembly=cast.assembly, number=2),
        status="adopted",
        text="Ingevoerd bij de verkeerde aanbeveling.",
        responded_on=dt.date(2027, 12, 1),
    )
    services.government_response_withdraw(
        response=second, reason="Hoort bij aanbeveling 3.", actor=cast.users["griffie"], seen=None
    )
    texts = _everything(cast)
    for where in ("html", "pdf"):
        text = " ".join(texts[where].split())
        assert "Het kabinet onderzoekt dit nog." in text, where
        assert f"Verbeterd op {_today()}. Reden: Tekst verkeerd overgenomen." in text, where
        assert f"Een reactie is op {_today()} ingetrokken. Reden: Hoort bij aanbeveling 3." in (
            text
        ), where
    for where, text in texts.items():
        assert "Ingevoerd bij de verkeerde aanbeveling." not in text, where
    data = json.loads(texts["zip:rapport.json"])
    by_number = {r["nummer"]: r for r in data["aanbevelingen"]}
    assert [c["reden"] for c in by_number[1]["kabinetsreactie_verbeterd"]] == [
        "Tekst verkeerd overgenomen."
    ]
    assert by_number[2]["kabinetsreactie"] == ""
    assert [w["reden"] for w in by_number[2]["ingetrokken_kabinetsreacties"]] == [
        "Hoort bij aanbeveling 3."
    ]
    # The CSV counts them, as it counts removed minority statements; the README says so.
    rows = {r["nummer"]: r for r in csv.DictReader(io.StringIO(texts["zip:aanbevelingen.csv"]))}
    assert [
        (rows[n]["kabinetsreactie_verbeterd"], rows[n]["ingetrokken_kabinetsreacties"])
        for n in ("1", "2", "3")
    ] == [("1", "0"), ("0", "1"), ("0", "0")]
    readme = texts["zip:README.md"].split("## aanbevelingen.csv")[1].split("\n## ")[0]
    assert "| kabinetsreactie_verbeterd |" in readme
    assert "| ingetrokken_kabinetsreacties |" in readme


@pytest.mark.django_db
def test_the_record_form_sent_again_after_a_correction_records_nothing_new(cast: Cast) -> None:
    rec = make_recommendation(cast.assembly, 5)
    make_result(rec, votes=(120, 20, 5))
    client = _client(cast, "organiser")
    url = _url("record_response", cast, number=5)
    page = client.get(url).content.decode()
    number = re.search(r'name="submission" value="([0-9a-f-]+)"', page)
    assert number is not None
    data = {**WRONG, "submission": number.group(1)}
    assert client.post(url, data).status_code == 302
    response = GovernmentResponse.objects.get()
    corrected = _correct(cast, response)
    # Back in the browser, the original form is sent again: it was recorded already.
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert GovernmentResponse.objects.get() == corrected
    corrected.refresh_from_db()
    assert corrected.status == "partly" and corrected.withdrawn_at is None
    assert AuditEvent.objects.filter(action="record.response_recorded").count() == 1
    # A new form (a new number) with the same wrong answer is a new response.
    page = client.get(url).content.decode()
    other = re.search(r'name="submission" value="([0-9a-f-]+)"', page)
    assert other is not None and other.group(1) != number.group(1)
    assert client.post(url, {**WRONG, "submission": other.group(1)}).status_code == 302
    assert GovernmentResponse.objects.count() == 2


@pytest.mark.django_db
def test_a_correction_over_a_newer_one_shows_it_and_a_second_save_overwrites(
    cast: Cast,
) -> None:
    response = _recorded(cast)
    client = _client(cast, "organiser")
    url = _url("record_response_correct", cast, pk=response.pk)
    page = client.get(url).content.decode()
    opened = re.findall(r'name="seen" value="([^"]*)"', page)[0]
    _correct(cast, response)  # someone else corrects it first: partly, "deels"
    typed = {
        **WRONG,
        "status": "rejected",
        "text": "Het kabinet neemt dit niet over.",
        "reason": "Verkeerde stand van zaken.",
        "submission": str(uuid.uuid4()),
    }
    page = client.post(url, {**typed, "seen": opened}).content.decode()
    assert "intussen veranderd" in page and "Wat is er intussen veranderd?" in page
    assert "Deels overgenomen" in page and "deels" in page
    assert "Het kabinet neemt dit niet over.</textarea>" in page
    response.refresh_from_db()
    assert response.status == "partly"
    newer = re.findall(r'name="seen" value="([^"]*)"', page)
    assert newer == [response.changed_at.isoformat()] * 2  # correction and withdrawal
    assert newer[0] != opened
    assert client.post(url, {**typed, "seen": newer[0]}).status_code == 302
    response.refresh_from_db()
    assert response.status == "rejected" and response.text == "Het kabinet neemt dit niet over."
    assert len(response.corrections) == 2


@pytest.mark.django_db
def test_a_withdrawal_over_a_newer_one_shows_it_and_a_second_submit_withdraws(
    cast: Cast,
) -> None:
    response = _recorded(cast)
    client = _client(cast, "griffie")
    page = client.get(_url("record_response_correct", cast, pk=response.pk)).content.decode()
    opened = re.findall(r'name="seen" value="([^"]*)"', page)[-1]
    _correct(cast, response)  # someone else corrects it first: partly, "deels"
    url = _url("record_response_withdraw", cast, pk=response.pk)
    typed = {"reason": "Hoort bij aanbeveling 6."}
    page = client.post(url, {**typed, "seen": opened}).content.decode()
    assert "De reactie is nog niet ingetrokken" in page
    assert "Open de reactie opnieuw" not in page
    assert "Het kabinet neemt dit deels over." in page and "Deels overgenomen" in page
    assert "Hoort bij aanbeveling 6.</textarea>" in page
    response.refresh_from_db()
    assert response.withdrawn_at is None
    newer = re.findall(r'name="seen" value="([^"]*)"', page)
    assert newer == [response.changed_at.isoformat()] * 2  # correction and withdrawal
    assert newer[-1] != opened
    assert client.post(url, {**typed, "seen": newer[-1]}).status_code == 302
    response.refresh_from_db()
    assert response.withdrawn_at is not None
    assert response.withdrawn_reason == "Hoort bij aanbeveling 6."
