"""No personal data of a member who did not opt in reaches the report: not in
the HTML page, not in the PDF's text, not in any file of the ZIP. A member who
opted in appears with their name only."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from participants.models import PanelMember, Registration
from recommendations.report_pdf import progress_report_pdf
from recommendations.report_zip import progress_report_zip
from recommendations.selectors_report import progress_content
from tests.conftest import Cast
from tests.recommendations.test_report import pdf_text, report_assembly, zip_text


def _secrets(registration: Registration) -> list[str]:
    resident = registration.invitation.resident
    return [
        registration.full_name,
        registration.email,
        registration.phone,
        registration.needs_other,
        str(registration.attitude_answers.get("houding", "")),
        resident.street,
        resident.given_names,
        resident.surname,
        resident.person_ref,
        registration.invitation.code,
    ]


def _downloads(cast: Cast) -> dict[str, str]:
    client = Client()
    client.force_login(cast.users["griffie"])
    slug = {"slug": cast.assembly.slug}
    texts = {
        "html": client.get(reverse("recommendations:report_final", kwargs=slug)).content.decode(),
        "pdf": pdf_text(
            client.get(reverse("recommendations:report_final_pdf", kwargs=slug)).content
        ),
    }
    archive = client.get(reverse("recommendations:report_final_zip", kwargs=slug)).content
    for name, text in zip_text(archive).items():
        texts[f"zip:{name}"] = text
    return texts


def test_no_name_email_address_or_answer_of_a_member_who_did_not_opt_in(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    texts = _downloads(cast)
    everyone = PanelMember.objects.filter(assembly=cast.assembly).select_related(
        "registration__invitation__resident"
    )
    checked = 0
    for member in everyone:
        if member.pk == built.named.pk:
            continue
        for secret in _secrets(member.registration):
            assert secret, "every secret is a real value"
            for where, text in texts.items():
                assert secret not in text, (where, secret)
                checked += 1
    assert checked > 100
    # The member who opted in: their name, and nothing else of theirs.
    named = built.named.registration
    assert named.full_name in texts["html"]
    assert named.full_name in texts["pdf"]
    assert named.full_name in texts["zip:deelnemers_met_naam.csv"]
    for secret in _secrets(named)[1:]:
        for where, text in texts.items():
            assert secret not in text, (where, secret)


def test_the_progress_report_holds_no_personal_data(cast: Cast) -> None:
    built = report_assembly(cast.assembly)
    content = progress_content(assembly=cast.assembly, number=1)
    texts = [
        pdf_text(progress_report_pdf(content)),
        *zip_text(progress_report_zip(content)).values(),
    ]
    for member in built.members:
        for secret in _secrets(member.registration):
            for text in texts:
                assert secret not in text


def test_the_test_would_catch_a_leak(cast: Cast) -> None:
    """A name put where the report prints text (a minority statement) is found."""
    built = report_assembly(cast.assembly)
    from recommendations.models import MinorityStatement

    leaked = built.members[2].registration.full_name
    MinorityStatement.objects.filter(recommendation__assembly=cast.assembly).update(text=leaked)
    texts = _downloads(cast)
    assert all(leaked in texts[where] for where in ("html", "pdf", "zip:rapport.json"))
